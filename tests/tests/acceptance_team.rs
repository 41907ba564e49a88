//! Issue 15, the team of four departments. The district acceptance is made by a team
//! (验收组) whose members are users of their departments. On li's phone, which the team
//! shares, a member sets their PIN with their own password while online; then, with the
//! office out of reach, each member confirms their own department's signature with their
//! PIN, verified on the phone against the verifier the office sent; a wrong PIN is refused
//! there, five lock the member out; a typed name no longer does for a department. The
//! office shows who answered each section, prints four real names and departments (never a
//! login), and refuses a signature naming someone who is not a member of that department.

use anju_app::FieldApp;
use anju_core::form::Answer;
use anju_core::hash::sha256_hex;
use anju_core::model::{Department, SignatureMethod, SignerIdentity, SubmissionKind};
use anju_core::wire::RecordBody;
use anju_office::db::OfficeDb;
use anju_office::services::{FormLang, PersonalData, household, household_form_html};
use anju_tests::field::{INSPECTOR_SLOTS, ZHENG, handwriting, zheng_answers};
use anju_tests::fixtures::{DEMO_PASSWORD, InProcessOffice, office_data};
use anju_tests::seed::{
    add_camera_photo, admin_viewer, demo_pin, household_on_device, inspector_app, near,
    slot_department,
};
use anju_tests::{field::PHOTO_SLOTS, records};
use chrono::{Duration, Utc};
use uuid::Uuid;

type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;
type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// chen's PIN after he sets a new one on li's phone.
const CHEN_NEW_PIN: &str = "864213";

/// Zheng's acceptance filled in on li's phone up to the department signatures: answers,
/// photos and the household head's signature. Returns the draft and its revision.
fn filled_up_to_departments(app: &FieldApp, zheng: Uuid) -> Result<(Uuid, i64), BoxError> {
    let view = app.open_draft(zheng, SubmissionKind::Acceptance)?;
    let draft = view.draft.id;
    let mut revision = view.draft.revision;
    let deadline = Utc::now().date_naive() + Duration::days(20);
    for (key, answer) in zheng_answers(deadline) {
        revision = app
            .save_answer(draft, key, Some(answer), Some(revision))?
            .revision;
    }
    let fix = near(view.household.location.as_ref());
    let mut seed = 40;
    for (slot, n) in PHOTO_SLOTS {
        for _ in 0..n {
            seed += 1;
            revision = add_camera_photo(app, draft, slot, revision, seed, fix)?;
        }
    }
    revision = app
        .sign(
            draft,
            "sign_household_head",
            ZHENG,
            SignatureMethod::Handwritten,
            handwriting(1.0),
            Some(revision),
        )?
        .state
        .revision;
    Ok((draft, revision))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn team_members_confirm_their_sections_with_their_own_pins_offline() -> TestResult {
    let office_dir = tempfile::tempdir()?;
    office_data(office_dir.path())?;
    let office = InProcessOffice::start(office_dir.path()).await?;
    let address = office.url().trim_start_matches("http://").to_string();
    let device_dir = tempfile::tempdir()?;
    let app = inspector_app(device_dir.path(), &office.url()).await?;

    // The team came with the pull: four departments, each member's PIN set.
    let team = app.team()?.ok_or("li's phone holds her team")?;
    assert_eq!(team.name, anju_office::demo::DEMO_TEAM);
    assert!(team.missing.is_empty(), "{:?}", team.missing);
    assert_eq!(team.members.len(), 4);
    assert!(team.members.iter().all(|m| m.pin_set));

    // chen sets a new PIN on li's phone, with his own password.
    let wrong_password = app
        .set_member_pin("chen", "not his password", CHEN_NEW_PIN)
        .await
        .err()
        .ok_or("a wrong password sets no PIN")?;
    assert_eq!(wrong_password.code(), "wrong_password");
    let trivial = app
        .set_member_pin("chen", DEMO_PASSWORD, "123456")
        .await
        .err()
        .ok_or("a trivial PIN is refused")?;
    assert_eq!(trivial.code(), "invalid");
    assert!(trivial.to_string().contains("太容易猜到"), "{trivial}");
    let outsider = app
        .set_member_pin("zhang", DEMO_PASSWORD, CHEN_NEW_PIN)
        .await
        .err()
        .ok_or("someone outside the team sets no PIN here")?;
    assert_eq!(outsider.code(), "forbidden", "{outsider}");
    app.set_member_pin("chen", DEMO_PASSWORD, CHEN_NEW_PIN)
        .await?;
    let verifier: String = OfficeDb::open(office_dir.path())?.connection().query_row(
        "SELECT pin_verifier FROM users WHERE name = 'chen'",
        [],
        |r| r.get(0),
    )?;
    assert!(
        verifier.starts_with("$argon2id$"),
        "the office keeps a verifier"
    );
    assert!(!verifier.contains(CHEN_NEW_PIN), "never the PIN");

    let zheng = household_on_device(&app, ZHENG)?;
    let (draft, mut revision) = filled_up_to_departments(&app, zheng)?;

    // The office goes out of reach: everything below is checked on the phone.
    office.stop().await?;
    let view = app.open_draft(zheng, SubmissionKind::Acceptance)?;
    let mut slots: Vec<&str> = view.pin_signers.iter().map(|s| s.slot.as_str()).collect();
    slots.sort_unstable();
    assert_eq!(
        slots,
        ["sign_housing", "sign_land", "sign_poverty", "sign_reform"]
    );
    let typed = app
        .sign(
            draft,
            "sign_poverty",
            "王扶贫",
            SignatureMethod::Handwritten,
            handwriting(2.0),
            Some(revision),
        )
        .err()
        .ok_or("a typed name no longer signs for a department in the team")?;
    assert_eq!(typed.code(), "invalid");
    assert!(typed.to_string().contains("陈立华"), "{typed}");
    let someone_else = app
        .sign_with_pin(
            draft,
            "sign_poverty",
            "zhao",
            "135790",
            handwriting(2.0),
            Some(revision),
        )
        .err()
        .ok_or("zhao cannot confirm the poverty office's slot")?;
    assert_eq!(someone_else.code(), "invalid");
    let wrong = app
        .sign_with_pin(
            draft,
            "sign_poverty",
            "chen",
            "246810",
            handwriting(2.0),
            Some(revision),
        )
        .err()
        .ok_or("his old PIN is refused")?;
    assert_eq!(wrong.code(), "wrong_pin");
    assert!(wrong.to_string().contains("还可尝试4次"), "{wrong}");

    // Each member confirms their own slot with their own PIN.
    for (index, (slot, _)) in INSPECTOR_SLOTS.iter().enumerate() {
        let department = slot_department(slot).ok_or("a department slot")?;
        let member = team
            .members
            .iter()
            .find(|m| m.department == department)
            .ok_or("a member of each department")?;
        let pin = if member.account == "chen" {
            CHEN_NEW_PIN
        } else {
            demo_pin(&member.account).ok_or("a demo PIN")?
        };
        let signed = app.sign_with_pin(
            draft,
            slot,
            &member.account,
            pin,
            handwriting(3.0 + index as f32),
            Some(revision),
        )?;
        revision = signed.state.revision;
        assert_eq!(signed.signature.meta.signer_name, member.full_name);
        assert_eq!(
            signed
                .signature
                .meta
                .signer
                .as_ref()
                .map(|s| (s.account.as_str(), s.department)),
            Some((member.account.as_str(), department))
        );
    }
    let submitted = app.submit_draft(draft)?;

    // Five wrong PINs lock sun out on this phone; then his right PIN waits too.
    let other = app
        .list_households(&anju_store::HouseholdQuery::default())?
        .items
        .into_iter()
        .find(|h| h.id != zheng)
        .ok_or("a second household")?;
    let other_draft = app.open_draft(other.id, SubmissionKind::Acceptance)?;
    let mut last = None;
    for _ in 0..anju_core::team::MAX_PIN_FAILURES {
        last = app
            .sign_with_pin(
                other_draft.draft.id,
                "sign_housing",
                "sun",
                "999111",
                handwriting(8.0),
                None,
            )
            .err();
    }
    assert_eq!(last.map(|e| e.code()), Some("pin_locked"));
    let locked = app
        .sign_with_pin(
            other_draft.draft.id,
            "sign_housing",
            "sun",
            demo_pin("sun").ok_or("sun's PIN")?,
            handwriting(8.0),
            None,
        )
        .err()
        .ok_or("locked out, even with the right PIN")?;
    assert_eq!(locked.code(), "pin_locked");

    // Back in reach: the acceptance arrives and the office takes it.
    let office = InProcessOffice::start_on(
        anju_office::http::ServeOptions::new(office_dir.path().to_path_buf()),
        &address,
    )
    .await?;
    let report = app.sync_now(anju_app::SyncTrigger::Manual, |_| {}).await?;
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    let db = OfficeDb::open(office_dir.path())?;
    let detail = household(&db, &admin_viewer(), &zheng.to_string())?;
    let acceptance = detail
        .submissions
        .iter()
        .find(|s| s.id == submitted.submission_id.to_string())
        .ok_or_else(|| {
            format!(
                "the office has the acceptance {}: {:?} (report {report:?})",
                submitted.submission_id,
                detail.submissions.iter().map(|s| &s.id).collect::<Vec<_>>()
            )
        })?;
    let answered: Vec<String> = acceptance
        .sections
        .iter()
        .filter_map(|s| s.answered_by.as_ref().map(|t| t.zh.clone()))
        .collect();
    for expected in [
        "陈立华（扶贫办）· 账号 chen",
        "李晓峰（发改委）· 账号 li",
        "赵国平（国土局）· 账号 zhao",
        "孙志强（住建局）· 账号 sun",
    ] {
        assert!(
            answered.iter().any(|a| a.starts_with(expected)),
            "{expected} in {answered:?}"
        );
    }
    assert_eq!(
        acceptance
            .signatures
            .iter()
            .filter(|s| s.signer_account.is_some())
            .count(),
        4
    );
    // The printed form: four real names and their departments, in Chinese, no login.
    let html = household_form_html(
        &db,
        &admin_viewer(),
        &zheng.to_string(),
        &|sha| sha.to_string(),
        PersonalData::Masked,
        FormLang::Zh,
    )?
    .html;
    for (name, department) in [
        ("陈立华", "扶贫办"),
        ("李晓峰", "发改委"),
        ("赵国平", "国土局"),
        ("孙志强", "住建局"),
    ] {
        let printed = format!("{name}（{department}，本人确认码核验）");
        assert!(
            html.contains(&printed),
            "the form prints {printed}: {:?}",
            html.match_indices(name)
                .map(|(i, _)| html.get(i.saturating_sub(60)..i + 90).unwrap_or_default())
                .collect::<Vec<_>>()
        );
    }
    assert!(
        !html.contains("账号"),
        "a printed form names people, not logins"
    );
    office.stop().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_office_refuses_a_signer_who_is_not_the_member_of_that_department() -> TestResult {
    let office_dir = tempfile::tempdir()?;
    office_data(office_dir.path())?;
    let db = OfficeDb::open(office_dir.path())?;
    let conn = db.connection();
    let (household_id, size): (String, u32) = conn.query_row(
        "SELECT id, size FROM households ORDER BY number LIMIT 1",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let team_id: String = conn.query_row("SELECT id FROM teams", [], |r| r.get(0))?;
    let blobs = [sha256_hex(b"one"), sha256_hex(b"two")];
    let good = records::acceptance(
        Uuid::parse_str(&household_id)?,
        size,
        "li",
        &blobs,
        records::one_storey(10_000),
    )?;
    let with_signer = |account: &str, department: Department, team: &str| -> Result<_, BoxError> {
        let mut submission = good.clone();
        if let Some(Answer::Signature { signature }) = submission.answers.0.get_mut("sign_poverty")
        {
            signature.signer = Some(SignerIdentity {
                own_device: false,
                account: account.into(),
                department,
                team_id: Uuid::parse_str(team)?,
            });
        }
        Ok(RecordBody::Submission(submission))
    };
    let now = Utc::now();
    let problem = |body: &RecordBody| anju_office::decide::check_record(conn, body, now);

    assert_eq!(
        problem(&with_signer("chen", Department::Poverty, &team_id)?)?,
        None
    );
    let township_user = problem(&with_signer("zhang", Department::Poverty, &team_id)?)?
        .ok_or("a township user is no team member")?;
    assert_eq!(township_user.field, "answers.sign_poverty.signature.signer");
    assert!(township_user.zh.contains("zhang"), "{}", township_user.zh);
    let other_department = problem(&with_signer("zhao", Department::Poverty, &team_id)?)?
        .ok_or("zhao is of the land office")?;
    assert_eq!(
        other_department.field,
        "answers.sign_poverty.signature.signer"
    );
    let unknown_team = problem(&with_signer(
        "chen",
        Department::Poverty,
        &Uuid::now_v7().to_string(),
    )?)?
    .ok_or("a team the office does not have")?;
    assert_eq!(unknown_team.field, "answers.sign_poverty.signature.signer");
    // The slot's department and the signer's must agree: the shared check says so first.
    let wrong_slot = problem(&with_signer("zhao", Department::Land, &team_id)?)?
        .ok_or("a land member on the poverty office's slot")?;
    assert!(
        wrong_slot.field.starts_with("answers.sign_poverty"),
        "{}",
        wrong_slot.field
    );
    assert!(
        wrong_slot.zh.contains("签字人不是此栏所属部门"),
        "{}",
        wrong_slot.zh
    );
    Ok(())
}

#[test]
fn the_district_admin_is_told_what_is_wrong_with_a_team() -> TestResult {
    use anju_office::teams::{TeamAdminError, TeamSetting, set_team};
    let office_dir = tempfile::tempdir()?;
    office_data(office_dir.path())?;
    let mut db = OfficeDb::open(office_dir.path())?;
    fn refused(db: &mut OfficeDb, name: &str, members: &[&str]) -> Result<String, BoxError> {
        let setting = TeamSetting {
            name: name.into(),
            members: members.iter().map(|m| m.to_string()).collect(),
        };
        match set_team(db, &setting, Utc::now()) {
            Ok(team) => Err(format!("{name} {members:?} was made: {team:?}").into()),
            Err(error) => Ok(error.to_string()),
        }
    }
    assert!(refused(&mut db, "  ", &["li"])?.contains("名称"));
    assert!(refused(&mut db, "二组", &[])?.contains("成员"));
    let five = ["li", "chen", "zhao", "sun", "admin"];
    assert!(refused(&mut db, "二组", &five)?.contains("4"));
    assert!(refused(&mut db, "二组", &["nobody"])?.contains("没有用户“nobody”"));
    assert!(refused(&mut db, "二组", &["zhang"])?.contains("不是检查员"));
    // li is already in the demo's team.
    assert!(refused(&mut db, "二组", &["li"])?.contains("已在验收组"));
    // A second 发改委 inspector, not in a team yet, with a name on record.
    anju_office::users::add_user(
        &db,
        "wang",
        anju_core::wire::Role::Inspector,
        Some(Department::Reform),
        None,
        "wang-password-1",
    )?;
    assert!(refused(&mut db, "二组", &["wang"])?.contains("尚未填写姓名"));
    anju_office::names::update_profile(
        &db,
        "wang",
        &anju_office::names::ProfileUpdate {
            full_name: Some("王建设".into()),
            organisation: None,
            title: None,
        },
    )?;
    let twice = refused(&mut db, anju_office::demo::DEMO_TEAM, &["wang", "li"])?;
    assert!(twice.contains("发改委已有成员“wang”"), "{twice}");
    let made = set_team(
        &mut db,
        &TeamSetting {
            name: "区级验收二组".into(),
            members: vec!["wang".into()],
        },
        Utc::now(),
    )?;
    assert_eq!(made.members.len(), 1);
    assert!(matches!(
        set_team(
            &mut db,
            &TeamSetting {
                name: "区级验收三组".into(),
                members: vec!["wang".into()],
            },
            Utc::now(),
        ),
        Err(TeamAdminError::InAnotherTeam { .. })
    ));
    Ok(())
}

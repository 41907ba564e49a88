//! Issue 15, 分工验收: the four members of the team each fill their own department's part of
//! Zheng's acceptance on their own phone, signed in as themselves, and sign it there. The
//! office holds the parts until all four are in, then merges them into one acceptance that
//! it checks as a whole with the same validation as an acceptance made on one phone; the
//! household page shows who answered each section, each signature matching its part, and
//! the printed form names four people and their departments. A part that answers another
//! department's items is refused.

use anju_app::{FieldApp, SyncTrigger};
use anju_core::form::Answer;
use anju_core::model::{Department, SignatureMethod, SubmissionKind};
use anju_core::wire::RecordBody;
use anju_office::assign::{Target, assign};
use anju_office::db::OfficeDb;
use anju_office::services::views::{ReviewDecision, ReviewVerdict};
use anju_office::services::{
    FormLang, PersonalData, household, household_form_html, review_submission,
};
use anju_tests::field::{PHOTO_SLOTS, ZHENG, handwriting, zheng_answers, zheng_house};
use anju_tests::fixtures::{InProcessOffice, office_data};
use anju_tests::records;
use anju_tests::seed::{add_camera_photo, district_admin, household_on_device, member_app, near};
use chrono::{Duration, Utc};
use uuid::Uuid;

type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;
type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The team, in the order their parts reach the office: the 扶贫办's last.
const MEMBERS: [(&str, &str, Department, &str); 4] = [
    ("li", "李晓峰", Department::Reform, "sign_reform"),
    ("zhao", "赵国平", Department::Land, "sign_land"),
    ("sun", "孙志强", Department::Housing, "sign_housing"),
    ("chen", "陈立华", Department::Poverty, "sign_poverty"),
];

/// One member fills and submits their part on their own phone; returns the part's id.
fn fill_part(
    app: &FieldApp,
    zheng: Uuid,
    (login, name, department, slot): (&str, &str, Department, &str),
) -> Result<Uuid, BoxError> {
    let detail = app.household_detail(zheng)?;
    assert_eq!(detail.own_department, Some(department), "{login}");
    let view = app.open_draft(zheng, SubmissionKind::AcceptancePart)?;
    let form = view.form.clone();
    assert!(
        form.title
            .zh
            .ends_with(&format!("（{}部分）", department.label_zh())),
        "{}",
        form.title.zh
    );
    assert!(view.pin_signers.is_empty(), "{login} signs as who they are");
    let draft = view.draft.id;
    let mut revision = view.draft.revision;
    let deadline = Utc::now().date_naive() + Duration::days(20);
    for (key, answer) in zheng_answers(deadline) {
        if form.item(key).is_none() {
            continue;
        }
        // Each part lists the problems of its own items.
        let answer = match answer {
            Answer::Findings { items } => Answer::Findings {
                items: items
                    .into_iter()
                    .filter(|f| f.item.as_deref().is_some_and(|i| form.item(i).is_some()))
                    .collect(),
            },
            other => other,
        };
        revision = app
            .save_answer(draft, key, Some(answer), Some(revision))?
            .revision;
    }
    let fix = near(view.household.location.as_ref());
    let mut seed = 60;
    for (photo_slot, n) in PHOTO_SLOTS {
        if form.item(photo_slot).is_none() {
            continue;
        }
        for _ in 0..n {
            seed += 1;
            revision = add_camera_photo(app, draft, photo_slot, revision, seed, fix)?;
        }
    }
    if form.item("sign_household_head").is_some() {
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
    }
    // Another department's slot is not in this part.
    let other = MEMBERS
        .iter()
        .find(|m| m.2 != department)
        .map(|m| m.3)
        .ok_or("another slot")?;
    assert!(
        app.sign(
            draft,
            other,
            name,
            SignatureMethod::Handwritten,
            handwriting(2.0),
            Some(revision)
        )
        .is_err(),
        "{login} cannot sign {other}"
    );
    app.sign(
        draft,
        slot,
        name,
        SignatureMethod::Handwritten,
        handwriting(2.0),
        Some(revision),
    )?;
    Ok(app.submit_draft(draft)?.submission_id)
}

fn acceptances(db: &OfficeDb, zheng: Uuid) -> Result<u32, BoxError> {
    Ok(db.connection().query_row(
        "SELECT count(*) FROM live_submissions WHERE household_id = ?1 AND kind = 'acceptance'",
        [zheng.to_string()],
        |r| r.get(0),
    )?)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_members_fill_their_parts_on_their_own_phones_and_the_office_merges_them() -> TestResult
{
    let office_dir = tempfile::tempdir()?;
    office_data(office_dir.path())?;
    {
        let mut db = OfficeDb::open(office_dir.path())?;
        let number: String = db.connection().query_row(
            "SELECT number FROM households WHERE head_name = ?1",
            [ZHENG],
            |r| r.get(0),
        )?;
        for (login, ..) in &MEMBERS[1..] {
            assign(&mut db, login, &Target::Households(vec![number.clone()]))?;
        }
    }
    let office = InProcessOffice::start(office_dir.path()).await?;
    let mut devices = Vec::new();
    let mut parts = Vec::new();
    for member in MEMBERS {
        let dir = tempfile::tempdir()?;
        let app = member_app(dir.path(), &office.url(), member.0).await?;
        let zheng = household_on_device(&app, ZHENG)?;
        if member.2 == Department::Reform {
            // A part sent twice: the later one counts, and the page lists it once.
            fill_part(&app, zheng, member)?;
        }
        parts.push((fill_part(&app, zheng, member)?, zheng));
        let report = app.sync_now(SyncTrigger::Manual, |_| {}).await?;
        assert!(
            report.rejected.is_empty(),
            "{}: {:?}",
            member.0,
            report.rejected
        );
        assert!(report.held.is_empty(), "{}: {:?}", member.0, report.held);
        let db = OfficeDb::open(office_dir.path())?;
        let merged = acceptances(&db, zheng)?;
        if member.2 == Department::Poverty {
            assert_eq!(merged, 1, "the fourth part completes the acceptance");
        } else {
            assert_eq!(merged, 0, "no acceptance before every part is in");
            // The household page says whose parts are in and whose are not.
            let pending = household(&db, &district_admin(&db)?, &zheng.to_string())?
                .pending_parts
                .ok_or("the parts sent so far are on the household page")?;
            assert_eq!(pending.parts.len(), devices.len() + 1);
            assert!(pending.parts.iter().all(|p| p.merge_problem.is_none()));
            assert!(pending.missing.contains(&Department::Poverty));
            assert!(!pending.missing.contains(&member.2));
        }
        devices.push((dir, app));
    }
    let zheng = parts[0].1;
    let db = OfficeDb::open(office_dir.path())?;
    let admin = district_admin(&db)?;
    let detail = household(&db, &admin, &zheng.to_string())?;
    assert!(detail.pending_parts.is_none(), "nothing waits once merged");
    // The parts are evidence, not visits: the page lists the merged acceptance only.
    for (part, _) in &parts {
        assert!(detail.submissions.iter().all(|s| s.id != part.to_string()));
    }
    let acceptance = detail
        .submissions
        .iter()
        .find(|s| s.kind == SubmissionKind::Acceptance)
        .ok_or("the merged acceptance is on the page")?;
    assert_eq!(acceptance.inspector, "chen", "the 扶贫办 leads");
    assert!(
        acceptance.review.is_none(),
        "it waits for the district's review"
    );
    assert!(acceptance.judgement.is_some(), "judged as any acceptance");
    let answered: Vec<String> = acceptance
        .sections
        .iter()
        .filter_map(|s| s.answered_by.as_ref().map(|t| t.zh.clone()))
        .collect();
    for (login, name, department, _) in MEMBERS {
        let expected = format!(
            "{name}（{}）· 账号 {login} · 本人设备分工填写",
            department.label_zh()
        );
        assert!(answered.contains(&expected), "{expected} in {answered:?}");
    }
    assert!(
        acceptance.signatures.len() >= 5 && acceptance.signatures.iter().all(|s| s.matches_form),
        "each signature matches its part: {:?}",
        acceptance
            .signatures
            .iter()
            .map(|s| (&s.slot, s.matches_form))
            .collect::<Vec<_>>()
    );
    // The drainage problem li's parts found is on the household: each part li sent raised
    // it (the finding of a part sent again is not withdrawn; as with an acceptance sent
    // again), and the merged acceptance raises no other.
    let drainage: Vec<_> = detail
        .findings
        .iter()
        .filter(|f| f.item.as_deref() == Some("move_in_drainage"))
        .collect();
    assert_eq!(drainage.len(), 2, "{:?}", detail.findings);
    assert!(drainage.iter().all(|f| f.events[0].by == "li"));
    let html = household_form_html(
        &db,
        &admin,
        &zheng.to_string(),
        &|sha| sha.to_string(),
        PersonalData::Masked,
        FormLang::Zh,
    )?
    .html;
    for (_, name, department, _) in MEMBERS {
        let printed = format!("{name}（{}，本人登录设备分工填写）", department.label_zh());
        assert!(html.contains(&printed), "the form prints {printed}");
    }
    assert!(
        !html.contains("账号"),
        "a printed form names people, not logins"
    );

    // A part that answers another department's items is refused, whatever the device says.
    let blobs = vec!["a".repeat(64), "b".repeat(64)];
    let mut forged = records::acceptance(zheng, 4, "li", &blobs, zheng_house())?;
    forged.kind = SubmissionKind::AcceptancePart;
    let problem = anju_office::decide::check_record(
        db.connection(),
        &RecordBody::Submission(forged),
        Utc::now(),
    )?
    .ok_or("the office refuses a part with another department's answers")?;
    assert!(problem.field.starts_with("answers."), "{problem:?}");
    assert!(problem.zh.contains("表单中没有此项"), "{problem:?}");

    // The district returns it; 住建局 makes its part again, and the office merges the new
    // part with the others' latest into a new acceptance.
    let merged_id = acceptance.id.clone();
    drop(detail);
    let mut db = OfficeDb::open(office_dir.path())?;
    review_submission(
        &mut db,
        &admin,
        &merged_id,
        &ReviewDecision {
            decision: ReviewVerdict::Returned,
            note: Some("住建局部分需重新核查屋面".into()),
        },
    )?;
    let (_, sun) = &devices[2];
    sun.sync_now(SyncTrigger::Manual, |_| {}).await?;
    fill_part(sun, zheng, MEMBERS[2])?;
    let report = sun.sync_now(SyncTrigger::Manual, |_| {}).await?;
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    assert_eq!(
        acceptances(&db, zheng)?,
        2,
        "a second acceptance from the new part"
    );
    let detail = household(&db, &admin, &zheng.to_string())?;
    let again = detail
        .submissions
        .iter()
        .find(|s| s.kind == SubmissionKind::Acceptance && s.id != merged_id)
        .ok_or("the new acceptance")?;
    assert!(again.review.is_none());
    assert!(again.signatures.iter().all(|s| s.matches_form));
    office.stop().await?;
    Ok(())
}

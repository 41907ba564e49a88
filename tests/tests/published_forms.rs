//! Issue 15, forms published by the office: a new version of the acceptance form reaches
//! the device with a pull; a draft started on version 1 still submits as version 1, a new
//! draft starts on version 2 and asks what version 2 asks of its household; the office
//! checks each against its own version and prints each as it was filled.

use anju_app::{AppError, AppOptions, FieldApp, SyncTrigger};
use anju_core::form::{Answer, ItemKind, Problem, YesNo, acceptance_form_v2_sample};
use anju_core::model::SubmissionKind;
use anju_office::assign::{Target, assign};
use anju_office::db::OfficeDb;
use anju_office::services::{FormLang, PersonalData, Viewer, household_form_html};
use anju_store::HouseholdQuery;
use anju_tests::field::{ZHENG, zheng_answers};
use anju_tests::fixtures::{
    INSPECTOR, InProcessOffice, office_data, office_sql_writer, test_config,
};
use anju_tests::seed::{accept, add_camera_photo, near};
use chrono::{Duration, Utc};
use uuid::Uuid;

type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

fn app_in(dir: &std::path::Path) -> Result<FieldApp, AppError> {
    FieldApp::open(
        dir,
        AppOptions {
            sync: test_config(),
            background_sync: test_config(),
            ..AppOptions::field_defaults()
        },
    )
}

fn yes() -> Answer {
    Answer::YesNo {
        value: YesNo::Yes,
        note: None,
    }
}

fn household_id(
    app: &FieldApp,
    text: &str,
) -> Result<Uuid, Box<dyn std::error::Error + Send + Sync>> {
    let mut found = app
        .list_households(&HouseholdQuery {
            text: Some(text.into()),
            ..HouseholdQuery::default()
        })?
        .items;
    Ok(found.pop().ok_or("household on the device")?.id)
}

fn printed(
    office_dir: &std::path::Path,
    household: Uuid,
) -> Result<String, Box<dyn std::error::Error + Send + Sync>> {
    let db = OfficeDb::open(office_dir)?;
    let viewer = Viewer {
        user_id: String::new(),
        name: "admin".into(),
        role: anju_core::wire::Role::Admin,
        township: None,
    };
    let form = household_form_html(
        &db,
        &viewer,
        &household.to_string(),
        &|sha| sha.to_string(),
        PersonalData::Masked,
        FormLang::Zh,
    )?;
    Ok(form.html)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_published_form_reaches_the_device_and_each_draft_submits_on_its_own_version()
-> TestResult {
    let office_dir = tempfile::tempdir()?;
    office_data(office_dir.path())?;
    // li is given a household that bought its house (分散购房), which version 2 asks more of.
    let bought_number: String = office_sql_writer(office_dir.path())?.query_row(
        "SELECT number FROM households WHERE mode = 'scattered' AND kind = 'bought'
         ORDER BY number LIMIT 1",
        [],
        |r| r.get(0),
    )?;
    assign(
        &mut OfficeDb::open(office_dir.path())?,
        INSPECTOR,
        &Target::Households(vec![bought_number.clone()]),
    )?;
    let office = InProcessOffice::start(office_dir.path()).await?;
    let device_dir = tempfile::tempdir()?;
    let app = app_in(device_dir.path())?;
    app.sign_in(
        &office.url(),
        INSPECTOR,
        anju_tests::fixtures::DEMO_PASSWORD,
    )
    .await?;
    app.sync_now(SyncTrigger::Manual, |_| {}).await?;
    let zheng = household_id(&app, ZHENG)?;
    let bought = household_id(&app, &bought_number)?;

    // 郑怀圣's acceptance is begun on version 1, the only one there is.
    let begun = app.open_draft(zheng, SubmissionKind::Acceptance)?;
    assert_eq!(begun.draft.form_version, 1);
    app.save_answer(begun.draft.id, "target_registered", Some(yes()), None)?;

    // The district publishes version 2 while the office serves.
    let published = anju_office::forms::publish(
        &mut OfficeDb::open(office_dir.path())?,
        &serde_json::to_vec_pretty(&acceptance_form_v2_sample())?,
        "区扶贫开发办公室",
        Some("增加分散购房核实"),
        Utc::now(),
    )?;
    assert_eq!((published.version, published.latest), (2, true));
    app.sync_now(SyncTrigger::Manual, |_| {}).await?;

    // The draft begun keeps its version; a new one starts on version 2.
    let kept = app.open_draft(zheng, SubmissionKind::Acceptance)?;
    assert_eq!(kept.draft.form_version, 1);
    assert!(kept.form.item("bought_contract").is_none());
    let fresh = app.open_draft(bought, SubmissionKind::Acceptance)?;
    assert_eq!(fresh.draft.form_version, 2);
    assert!(!fresh.state.hidden.contains(&"bought_contract".to_string()));
    assert!(
        fresh
            .state
            .issues
            .iter()
            .any(|i| i.item == "bought_contract"),
        "version 2 asks a bought house for its contract: {:?}",
        fresh.state.issues
    );
    // The contract photo is shown under the contract item.
    assert!(
        fresh
            .evidence
            .iter()
            .any(|e| e.item == "bought_contract" && e.photo == "photo_bought_contract")
    );

    // 否 on the walls asks for a photo of the cracks; 是 again hides it, and its answer
    // goes in the same write.
    let draft = fresh.draft.id;
    let state = app.save_answer(
        draft,
        "quality_walls",
        Some(Answer::YesNo {
            value: YesNo::No,
            note: Some("东墙开裂".into()),
        }),
        None,
    )?;
    assert!(!state.hidden.contains(&"photo_wall_cracks".to_string()));
    let fix = near(fresh.household.location.as_ref());
    let revision = add_camera_photo(&app, draft, "photo_wall_cracks", state.revision, 900, fix)?;
    let state = app.save_answer(draft, "quality_walls", Some(yes()), Some(revision))?;
    assert!(state.hidden.contains(&"photo_wall_cracks".to_string()));
    let reopened = app.open_draft(bought, SubmissionKind::Acceptance)?;
    assert!(reopened.draft.answers.get("photo_wall_cracks").is_none());
    assert!(
        !reopened
            .state
            .issues
            .iter()
            .any(|i| i.item == "photo_wall_cracks")
    );

    // Both are finished and sent: version 1 for 郑怀圣, version 2 for the bought house.
    let deadline = Utc::now().date_naive() + Duration::days(20);
    let mut photo_seed = 40;
    let first = accept(
        &app,
        zheng,
        ZHENG,
        zheng_answers(deadline),
        &mut photo_seed,
        1.0,
    )?;
    let revision = add_camera_photo(
        &app,
        draft,
        "photo_bought_contract",
        reopened.draft.revision,
        901,
        fix,
    )?;
    assert!(revision > reopened.draft.revision);
    let head = reopened.household.head_name.clone();
    let mut answers = zheng_answers(deadline);
    answers.push(("bought_contract", yes()));
    answers.push(("bought_title", yes()));
    let second = accept(&app, bought, &head, answers, &mut photo_seed, 2.0)?;
    let report = app.sync_now(SyncTrigger::Manual, |_| {}).await?;
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);

    let conn = office_sql_writer(office_dir.path())?;
    let version_of = |id: Uuid| -> Result<u32, anju_sql::Error> {
        conn.query_row(
            "SELECT form_version FROM submissions WHERE id = ?1",
            [id.to_string()],
            |r| r.get(0),
        )
    };
    assert_eq!(version_of(first.submission_id)?, 1);
    assert_eq!(version_of(second.submission_id)?, 2);
    // Judged by the office, each against its version.
    let judged: u32 = conn.query_row(
        "SELECT count(*) FROM submission_checks WHERE submission_id IN (?1, ?2)",
        [
            first.submission_id.to_string(),
            second.submission_id.to_string(),
        ],
        |r| r.get(0),
    )?;
    assert_eq!(judged, 2);

    // Printed as filled: version 2's section for the bought house, none of it for 郑怀圣.
    let zheng_form = printed(office_dir.path(), zheng)?;
    assert!(zheng_form.contains("验收记录（第1版表单）"), "{zheng_form}");
    assert!(!zheng_form.contains("分散购房核实"));
    let bought_form = printed(office_dir.path(), bought)?;
    assert!(bought_form.contains("验收记录（第2版表单）"));
    assert!(bought_form.contains("分散购房核实"));
    assert!(bought_form.contains("购房合同已签订并备案"));
    // A version's hidden items are not printed as 未填.
    assert!(!bought_form.contains("墙体裂缝照片"));
    office.stop().await?;
    Ok(())
}

/// A device refuses to keep a published form that fails the checks (a damaged or hostile
/// office answer) and goes on with the versions it has.
#[test]
fn a_device_keeps_only_forms_that_pass_the_checks() -> TestResult {
    let dir = tempfile::tempdir()?;
    let mut store = anju_store::Store::open(dir.path())?;
    let good = acceptance_form_v2_sample();
    let mut bad = good.clone();
    bad.version = 3;
    for section in &mut bad.sections {
        for item in &mut section.items {
            if let ItemKind::Number { min, max, .. } = &mut item.kind {
                *min = 5.0;
                *max = 1.0;
            }
        }
    }
    let mut builtin_impostor = good.clone();
    builtin_impostor.version = 1;
    let refused = store.save_forms(&[good.clone(), bad, builtin_impostor])?;
    assert_eq!(refused.len(), 2, "{refused:?}");
    let catalog = store.form_catalog()?;
    assert_eq!(
        catalog
            .latest(anju_core::form::ACCEPTANCE_FORM_ID)
            .map(|f| f.version),
        Some(2)
    );
    assert_eq!(
        catalog.get(anju_core::form::ACCEPTANCE_FORM_ID, 1),
        Some(&anju_core::form::acceptance_form_v1())
    );
    // Validation of a missing item in version 2 says it in words.
    let issues = good.validate(
        &anju_core::form::FormAnswers::default(),
        &anju_core::form::FormContext {
            household_size: 4,
            today: Utc::now().date_naive(),
            policy: Default::default(),
            policy_context: Default::default(),
            policy_version: None,
            placement: None,
        },
    );
    assert!(
        issues
            .iter()
            .any(|i| i.item == "bought_contract" && i.problem == Problem::Missing)
    );
    Ok(())
}

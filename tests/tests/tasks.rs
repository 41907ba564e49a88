//! Issue 15, scheduled work. A visit the district plans (kind, household, inspector, due
//! date) reaches the inspector's device as a task, is done by the visit, and is red on both
//! sides once overdue. 整改复查: a finding the township marks 已整改 at the office produces a
//! re-check task on li's device, with its due date; the district cannot close the finding from the
//! desk without a written reason while the re-check is awaited; li confirms it in the field
//! with a photo; the district closes it; the household's timeline shows every step with
//! its evidence. A re-check that answers 否 sends the finding back to the township.

use anju_app::{FieldApp, SyncTrigger};
use anju_core::form::{Answer, YesNo};
use anju_core::model::{SignatureMethod, SubmissionKind};
use anju_office::db::OfficeDb;
use anju_office::services::timeline::{TimelineKind, TimelineTone};
use anju_office::services::{Viewer, household};
use anju_store::HouseholdQuery;
use anju_tests::field::{ZHENG, handwriting, zheng_answers};
use anju_tests::fixtures::{INSPECTOR, InProcessOffice, office_data};
use anju_tests::pages::Page;
use anju_tests::seed::{accept, add_camera_photo, household_on_device, inspector_app, near};
use chrono::{Duration, Utc};
use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;
type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// li does the re-check of `task`: 整改已到位 `value`, a photo, a note, the signature.
fn recheck(app: &FieldApp, task: Uuid, value: YesNo, note: &str) -> Result<Uuid, BoxError> {
    let view = app.open_task(task)?;
    assert_eq!(view.draft.kind, SubmissionKind::Recheck);
    let about = view.task.as_ref().ok_or("the draft shows its task")?;
    assert_eq!(about.finding_id, view.draft.finding_id);
    assert_eq!(about.visit, SubmissionKind::Recheck);
    let draft = view.draft.id;
    let mut revision = app
        .save_answer(
            draft,
            "rectified_on_site",
            Some(Answer::YesNo {
                value,
                note: (value == YesNo::No).then(|| note.to_string()),
            }),
            Some(view.draft.revision),
        )?
        .revision;
    revision = app
        .save_answer(
            draft,
            "recheck_note",
            Some(Answer::Text { value: note.into() }),
            Some(revision),
        )?
        .revision;
    let fix = near(view.household.location.as_ref());
    revision = add_camera_photo(app, draft, "photo_recheck", revision, 500, fix)?;
    app.sign(
        draft,
        "sign_inspector",
        "王扶贫",
        SignatureMethod::Handwritten,
        handwriting(3.0),
        Some(revision),
    )?;
    Ok(app.submit_draft(draft)?.submission_id)
}

/// The township user marks the household's open finding 已整改 with `note`; its id.
async fn township_rectifies(zhang: &Page, household: Uuid, note: &str) -> Result<String, BoxError> {
    let (_, list) = zhang.get("/api/office/findings?state=open").await?;
    let finding_id = list["rows"]
        .as_array()
        .ok_or("rows")?
        .iter()
        .find(|f| f["household_id"] == household.to_string())
        .and_then(|f| f["id"].as_str())
        .ok_or("the household's open finding")?
        .to_string();
    let (status, rectified) = zhang
        .post(
            &format!("/api/office/findings/{finding_id}/transition"),
            json!({"to": "rectified", "note": note}),
        )
        .await?;
    if status != StatusCode::OK {
        return Err(format!("rectifying answered {status}: {rectified}").into());
    }
    Ok(finding_id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rectified_finding_is_rechecked_in_the_field_before_the_district_closes_it() -> TestResult
{
    let office_dir = tempfile::tempdir()?;
    office_data(office_dir.path())?;
    let office = InProcessOffice::start(office_dir.path()).await?;
    let device_dir = tempfile::tempdir()?;
    let app = inspector_app(device_dir.path(), &office.url()).await?;
    let zheng = household_on_device(&app, ZHENG)?;
    // li's acceptance records a problem: the drainage (排水) is not done.
    let deadline = Utc::now().date_naive() + Duration::days(20);
    let mut seed = 10;
    accept(&app, zheng, ZHENG, zheng_answers(deadline), &mut seed, 1.0)?;
    let report = app.sync_now(SyncTrigger::Manual, |_| {}).await?;
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    assert!(app.tasks()?.is_empty());

    let zhang = Page::sign_in(&office.url(), "zhang").await?;
    let admin = Page::sign_in(&office.url(), "admin").await?;
    let (_, list) = zhang.get("/api/office/findings?state=open").await?;
    let finding = list["rows"]
        .as_array()
        .ok_or("rows")?
        .iter()
        .find(|f| f["household_id"] == zheng.to_string())
        .ok_or("the drainage finding")?
        .clone();
    let finding_id = finding["id"].as_str().ok_or("id")?.to_string();
    let transition = format!("/api/office/findings/{finding_id}/transition");

    // The township rectifies it, with a photo.
    let (status, stored) = zhang
        .upload(
            &format!("/api/office/findings/{finding_id}/evidence"),
            anju_tests::field::camera_jpeg(320, 240, 5)?,
            "drain.jpg",
        )
        .await?;
    assert_eq!(status, StatusCode::OK, "{stored}");
    let (status, rectified) = zhang
        .post(
            &transition,
            json!({"to": "rectified", "note": "排水沟已修通", "evidence_sha256": stored["sha256"]}),
        )
        .await?;
    assert_eq!(status, StatusCode::OK, "{rectified}");

    // li's device receives the re-check task, due in a week, with what the township did.
    app.sync_now(SyncTrigger::Manual, |_| {}).await?;
    let tasks = app.tasks()?;
    assert_eq!(tasks.len(), 1, "{tasks:?}");
    let task = &tasks[0];
    assert_eq!(
        task.task.finding_id.map(|f| f.to_string()),
        Some(finding_id.clone())
    );
    assert_eq!(task.head_name, ZHENG);
    assert_eq!(task.days_left, anju_core::tasks::RECHECK_DAYS);
    assert!(!task.overdue);
    assert_eq!(
        task.task.rectification_note.as_deref(),
        Some("排水沟已修通")
    );
    assert!(
        task.task
            .item_label
            .as_ref()
            .is_some_and(|l| !l.zh.is_empty())
    );

    // Meanwhile the district cannot close it from the desk without saying why.
    let (status, refused) = admin
        .post(&transition, json!({"to": "closed", "note": null}))
        .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert!(
        refused["message"]
            .as_str()
            .is_some_and(|m| m.contains("尚未经现场整改复查确认")),
        "{refused}"
    );
    assert_eq!(refused["field"], "note");

    // li re-checks on the spot: 整改已到位, with a photo from the same place.
    let task_id = task.task.id;
    let rechecked = recheck(&app, task_id, YesNo::Yes, "排水沟通畅")?;
    assert!(app.tasks()?[0].submitted);
    let report = app.sync_now(SyncTrigger::Manual, |_| {}).await?;
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    assert!(app.tasks()?.is_empty(), "a task done leaves the list");

    // Now the district closes it without a written reason.
    let (status, closed) = admin
        .post(&transition, json!({"to": "closed", "note": null}))
        .await?;
    assert_eq!(status, StatusCode::OK, "{closed}");
    assert_eq!(closed["state"], "closed");

    // The timeline: found at the acceptance, rectified with the township's photo,
    // re-checked with li's photo, closed.
    let page = household(
        &OfficeDb::open(office_dir.path())?,
        &Viewer {
            user_id: String::new(),
            name: "admin".into(),
            role: anju_core::wire::Role::Admin,
            township: None,
        },
        &zheng.to_string(),
    )?;
    let about: Vec<_> = page
        .timeline
        .iter()
        .filter(|e| {
            e.finding_id.as_deref() == Some(finding_id.as_str())
                || e.submission_id.as_deref() == Some(rechecked.to_string().as_str())
        })
        .collect();
    let kinds: Vec<TimelineKind> = about.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            TimelineKind::Finding,
            TimelineKind::FindingStep,
            TimelineKind::Visit,
            TimelineKind::FindingStep
        ],
        "{about:#?}"
    );
    assert_eq!(about[1].photos.len(), 1, "the township's photo");
    let visit = about[2];
    assert_eq!(visit.title.zh, "整改复查");
    assert_eq!(visit.tone, TimelineTone::Good);
    assert!(
        visit
            .detail
            .as_ref()
            .is_some_and(|d| d.zh.contains("复查确认整改到位")),
        "{visit:?}"
    );
    // The township's photo and li's, side by side.
    let labels: Vec<&str> = visit.photos.iter().map(|p| p.label.zh.as_str()).collect();
    assert_eq!(labels, ["乡镇整改照片", "复查照片（与原问题同一位置）"]);
    assert!(
        about[3].title.zh.starts_with("问题已销号"),
        "{:?}",
        about[3]
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recheck_that_finds_the_problem_sends_it_back_to_the_township() -> TestResult {
    let office_dir = tempfile::tempdir()?;
    office_data(office_dir.path())?;
    let office = InProcessOffice::start(office_dir.path()).await?;
    let device_dir = tempfile::tempdir()?;
    let app = inspector_app(device_dir.path(), &office.url()).await?;
    let zheng = household_on_device(&app, ZHENG)?;
    let deadline = Utc::now().date_naive() + Duration::days(20);
    let mut seed = 30;
    accept(&app, zheng, ZHENG, zheng_answers(deadline), &mut seed, 1.0)?;
    app.sync_now(SyncTrigger::Manual, |_| {}).await?;
    let zhang = Page::sign_in(&office.url(), "zhang").await?;
    let finding_id = township_rectifies(&zhang, zheng, "已整改").await?;
    app.sync_now(SyncTrigger::Manual, |_| {}).await?;
    let task = app.tasks()?.pop().ok_or("the re-check task")?;
    // A re-check cannot be begun without its task.
    assert!(app.open_draft(zheng, SubmissionKind::Recheck).is_err());
    recheck(&app, task.task.id, YesNo::No, "排水沟仍堵塞")?;
    let report = app.sync_now(SyncTrigger::Manual, |_| {}).await?;
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    let (_, back) = zhang.get("/api/office/findings?state=reopened").await?;
    let row = back["rows"]
        .as_array()
        .ok_or("rows")?
        .iter()
        .find(|f| f["id"] == finding_id.as_str())
        .ok_or("the finding is back with the township")?
        .clone();
    let last = row["events"]
        .as_array()
        .and_then(|e| e.last())
        .ok_or("events")?;
    assert_eq!(last["to"], "reopened");
    assert_eq!(last["note"], "整改复查未通过：排水沟仍堵塞");
    assert_eq!(last["by"], INSPECTOR);
    // The township rectifies again, and a new re-check is planned.
    let (status, _) = zhang
        .post(
            &format!("/api/office/findings/{finding_id}/transition"),
            json!({"to": "rectified", "note": "已疏通"}),
        )
        .await?;
    assert_eq!(status, StatusCode::OK);
    app.sync_now(SyncTrigger::Manual, |_| {}).await?;
    let again = app.tasks()?;
    assert_eq!(again.len(), 1);
    assert_ne!(again[0].task.id, task.task.id);
    // The district closes it from the desk, saying why: the awaited re-check leaves li's list.
    let admin = Page::sign_in(&office.url(), "admin").await?;
    let (status, closed) = admin
        .post(
            &format!("/api/office/findings/{finding_id}/transition"),
            json!({"to": "closed", "note": "乡镇整改照片清楚，免于复查"}),
        )
        .await?;
    assert_eq!(status, StatusCode::OK, "{closed}");
    app.sync_now(SyncTrigger::Manual, |_| {}).await?;
    assert!(app.tasks()?.is_empty(), "{:?}", app.tasks()?);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_planned_visit_reaches_the_inspector_and_is_done_by_the_visit() -> TestResult {
    let office_dir = tempfile::tempdir()?;
    office_data(office_dir.path())?;
    let office = InProcessOffice::start(office_dir.path()).await?;
    let device_dir = tempfile::tempdir()?;
    let app = inspector_app(device_dir.path(), &office.url()).await?;
    let admin = Page::sign_in(&office.url(), "admin").await?;
    let zhang = Page::sign_in(&office.url(), "zhang").await?;
    // A household li does not have yet: planning assigns it.
    let number: String = anju_tests::fixtures::office_sql_writer(office_dir.path())?.query_row(
        "SELECT h.number FROM households h
         WHERE NOT EXISTS (SELECT 1 FROM assignments a JOIN users u ON u.id = a.user_id
                           WHERE a.household_id = h.id AND u.name = ?1)
         ORDER BY h.number LIMIT 1",
        [INSPECTOR],
        |r| r.get(0),
    )?;
    assert!(
        !app.list_households(&HouseholdQuery::default())?
            .items
            .iter()
            .any(|h| h.number == number)
    );
    let due = anju_core::records::china_date(Utc::now()) + Duration::days(10);
    let plan = json!({
        "visit": "demolition", "inspector": INSPECTOR, "households": [number],
        "due_on": due, "instructions": "拆除后一周内核实，拍摄同一位置前后照片",
    });

    // Bad plans are refused with what is wrong.
    let (status, refused) = zhang
        .post(
            "/api/office/tasks",
            json!({"visit": "recheck", "inspector": INSPECTOR, "households": [number], "due_on": due}),
        )
        .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    let (status, refused) = admin
        .post(
            "/api/office/tasks",
            json!({"visit": "demolition", "inspector": "zhang", "households": [number], "due_on": due}),
        )
        .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert!(
        refused["message"]
            .as_str()
            .is_some_and(|m| m.contains("不是检查员"))
    );
    let (status, planned) = admin.post("/api/office/tasks", plan.clone()).await?;
    assert_eq!(status, StatusCode::OK, "{planned}");
    assert_eq!(planned["planned"], 1);
    // Planned twice, it is not doubled.
    let (_, again) = admin.post("/api/office/tasks", plan).await?;
    assert_eq!(again["planned"], 0);
    assert_eq!(again["already_open"], json!([number]));

    // li's device has the household and the task, with what the planner asks.
    app.sync_now(SyncTrigger::Manual, |_| {}).await?;
    let tasks = app.tasks()?;
    let task = tasks
        .iter()
        .find(|t| t.household_number == number)
        .ok_or("the planned visit on li's device")?;
    assert_eq!(task.task.visit, SubmissionKind::Demolition);
    assert_eq!(task.days_left, 10);
    assert_eq!(
        task.task.instructions.as_deref(),
        Some("拆除后一周内核实，拍摄同一位置前后照片")
    );
    assert!(
        task.task
            .planned_by
            .as_ref()
            .is_some_and(|p| !p.zh.is_empty() && p.zh != "admin")
    );
    let view = app.open_task(task.task.id)?;
    assert_eq!(view.draft.kind, SubmissionKind::Demolition);
    assert_eq!(view.task.as_ref().map(|t| t.id), Some(task.task.id));

    // The office lists it open, then done once li's visit arrives.
    let (_, page) = admin.get("/api/office/tasks").await?;
    let row = page["rows"]
        .as_array()
        .ok_or("rows")?
        .iter()
        .find(|r| r["household_number"] == number.as_str())
        .ok_or("the task at the office")?
        .clone();
    assert_eq!(
        (row["state"].as_str(), row["overdue"].as_bool()),
        (Some("open"), Some(false))
    );
    let draft = view.draft.id;
    let mut revision = view.draft.revision;
    let yes = Answer::YesNo {
        value: YesNo::Yes,
        note: None,
    };
    for (key, answer) in [
        (
            "old_house_place",
            Answer::Text {
                value: "原址".into(),
            },
        ),
        ("agreement_signed", yes.clone()),
        ("old_house_demolished", yes.clone()),
        ("rubble_cleared", yes),
    ] {
        revision = app
            .save_answer(draft, key, Some(answer), Some(revision))?
            .revision;
    }
    let fix = near(None);
    revision = add_camera_photo(&app, draft, "photo_before", revision, 600, fix)?;
    revision = add_camera_photo(&app, draft, "photo_after", revision, 601, fix)?;
    revision = app
        .sign(
            draft,
            "sign_household_head",
            &view.household.head_name,
            SignatureMethod::Handwritten,
            handwriting(1.0),
            Some(revision),
        )?
        .state
        .revision;
    app.sign(
        draft,
        "sign_inspector",
        "赵国土",
        SignatureMethod::Handwritten,
        handwriting(2.0),
        Some(revision),
    )?;
    app.submit_draft(draft)?;
    assert!(
        app.tasks()?
            .iter()
            .any(|t| t.task.id == task.task.id && t.submitted)
    );
    let report = app.sync_now(SyncTrigger::Manual, |_| {}).await?;
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    assert!(!app.tasks()?.iter().any(|t| t.task.id == task.task.id));
    let (_, page) = admin.get("/api/office/tasks").await?;
    let row = page["rows"]
        .as_array()
        .ok_or("rows")?
        .iter()
        .find(|r| r["id"] == task.task.id.to_string())
        .ok_or("the task at the office")?
        .clone();
    assert_eq!(row["state"], "done");

    // An overdue task is red on both sides.
    {
        let conn = anju_tests::fixtures::office_sql_writer(office_dir.path())?;
        let (_, planned) = (
            (),
            conn.execute(
                "UPDATE tasks SET due_on = '2026-01-05', state = 'open', done_at = NULL
                 WHERE id = ?1",
                [task.task.id.to_string()],
            )?,
        );
        assert_eq!(planned, 1);
    }
    let (_, page) = admin.get("/api/office/tasks").await?;
    assert!(page["overdue"].as_u64().is_some_and(|n| n >= 1), "{page}");
    app.sync_now(SyncTrigger::Manual, |_| {}).await?;
    let late = app
        .tasks()?
        .into_iter()
        .find(|t| t.task.id == task.task.id)
        .ok_or("the overdue task on the device")?;
    assert!(late.overdue && late.days_left < 0);
    Ok(())
}

/// 整改复查 beside the problem: a problem with the kitchen, which the acceptance photographed
/// (照片 厨房 is shown under 厨房可用), reaches li's re-check with that photo, to stand in the
/// same spot; a second phone of li's, which never held the photo, says it is elsewhere.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recheck_shows_the_problem_as_first_photographed() -> TestResult {
    let office_dir = tempfile::tempdir()?;
    office_data(office_dir.path())?;
    let office = InProcessOffice::start(office_dir.path()).await?;
    let device_dir = tempfile::tempdir()?;
    let app = inspector_app(device_dir.path(), &office.url()).await?;
    let zheng = household_on_device(&app, ZHENG)?;
    let deadline = Utc::now().date_naive() + Duration::days(20);
    // The kitchen, not the drainage, is the problem.
    let answers: Vec<(&str, Answer)> = zheng_answers(deadline)
        .into_iter()
        .map(|(key, answer)| match key {
            "move_in_drainage" => (
                key,
                Answer::YesNo {
                    value: YesNo::Yes,
                    note: None,
                },
            ),
            "move_in_kitchen" => (
                key,
                Answer::YesNo {
                    value: YesNo::No,
                    note: Some("灶台未砌".into()),
                },
            ),
            "findings" => (
                key,
                Answer::Findings {
                    items: vec![anju_core::form::FindingDraft {
                        description: "厨房可用：灶台未砌".into(),
                        item: Some("move_in_kitchen".into()),
                        deadline,
                    }],
                },
            ),
            _ => (key, answer),
        })
        .collect();
    let mut seed = 30;
    accept(&app, zheng, ZHENG, answers, &mut seed, 1.0)?;
    let report = app.sync_now(SyncTrigger::Manual, |_| {}).await?;
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    let kitchen_photo: String = {
        let db = OfficeDb::open(office_dir.path())?;
        let answers: String = db.connection().query_row(
            "SELECT answers_json FROM submissions WHERE household_id = ?1 AND kind = 'acceptance'",
            [zheng.to_string()],
            |r| r.get(0),
        )?;
        match serde_json::from_str::<anju_core::form::FormAnswers>(&answers)?.get("photo_kitchen") {
            Some(Answer::Photos { sha256 }) => sha256.first().cloned().ok_or("a kitchen photo")?,
            other => return Err(format!("photo_kitchen: {other:?}").into()),
        }
    };

    let zhang = Page::sign_in(&office.url(), "zhang").await?;
    township_rectifies(&zhang, zheng, "灶台已砌好").await?;

    app.sync_now(SyncTrigger::Manual, |_| {}).await?;
    let task = app.tasks()?.pop().ok_or("the re-check task")?;
    assert_eq!(
        task.task.original_photo_sha256.as_deref(),
        Some(kitchen_photo.as_str())
    );
    let view = app.open_task(task.task.id)?;
    let original = view
        .original_photo
        .as_ref()
        .ok_or("the re-check shows the problem's photo")?;
    assert_eq!(original.sha256, kitchen_photo);
    assert!(std::path::Path::new(&original.thumbnail_path).is_file());

    // li's second phone has the task but not the photo: the screen says so.
    let second_dir = tempfile::tempdir()?;
    let second = inspector_app(second_dir.path(), &office.url()).await?;
    let task = second
        .tasks()?
        .pop()
        .ok_or("the task on the second phone")?;
    assert_eq!(
        task.task.original_photo_sha256.as_deref(),
        Some(kitchen_photo.as_str())
    );
    assert!(second.open_task(task.task.id)?.original_photo.is_none());
    office.stop().await?;
    Ok(())
}

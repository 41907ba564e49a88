//! Issue 15, the old house: a 宅基地复垦核实 before the demolition is refused by the order
//! of things and says why; a 旧房拆除核实 with photos before and after from the same spot
//! moves the dashboard's 已拆除 column; a 宅基地复垦核实 then moves 已复垦, and its photo
//! after, taken elsewhere, is flagged to the reviewer, who returns it: 已复垦 is taken back.
//! The household's timeline at the office shows each visit with its evidence.

use anju_app::{FieldApp, SyncTrigger};
use anju_core::form::{Answer, YesNo};
use anju_core::location::{Fix, Position};
use anju_core::model::{SignatureMethod, SubmissionKind};
use anju_office::db::OfficeDb;
use anju_office::services::timeline::{TimelineKind, TimelineTone};
use anju_office::services::views::{MilestoneUpdate, TownshipProgress};
use anju_office::services::{dashboard, household, review_queue, update_milestones};
use anju_tests::field::{ZHENG, handwriting};
use anju_tests::fixtures::{InProcessOffice, office_data};
use anju_tests::seed::{add_camera_photo, admin_viewer, household_on_device, inspector_app};
use chrono::{Duration, Utc};
use uuid::Uuid;

type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;
type BoxError = Box<dyn std::error::Error + Send + Sync>;

fn yes() -> Answer {
    Answer::YesNo {
        value: YesNo::Yes,
        note: None,
    }
}

/// The old house, about 1.5 km from the new one: where both photos are taken.
fn at(latitude: f64, longitude: f64) -> Option<Fix> {
    Some(Fix::Position(Position {
        latitude,
        longitude,
        accuracy_m: 8.0,
        fixed_at: Utc::now(),
    }))
}

/// Fill and submit a check of the old house; `after` is where the photo after is taken.
fn check_old_house(
    app: &FieldApp,
    household: Uuid,
    kind: SubmissionKind,
    answers: &[(&str, Answer)],
    after: Option<Fix>,
    seed: u64,
) -> Result<Uuid, BoxError> {
    let view = app.open_draft(household, kind)?;
    assert_eq!(view.draft.form_id, kind.form_id());
    let draft = view.draft.id;
    let mut revision = view.draft.revision;
    for (key, answer) in answers {
        revision = app
            .save_answer(draft, key, Some(answer.clone()), Some(revision))?
            .revision;
    }
    let before = at(31.7800, 116.5300);
    revision = add_camera_photo(app, draft, "photo_before", revision, seed, before)?;
    revision = add_camera_photo(app, draft, "photo_after", revision, seed + 1, after)?;
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
    app.sign(
        draft,
        "sign_inspector",
        "赵国土",
        SignatureMethod::Handwritten,
        handwriting(2.0),
        Some(revision),
    )?;
    let outcome = app.submit_draft(draft)?;
    Ok(outcome.submission_id)
}

fn county(office_dir: &std::path::Path) -> Result<TownshipProgress, BoxError> {
    Ok(dashboard(&OfficeDb::open(office_dir)?, &admin_viewer())?.total)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checks_of_the_old_house_move_its_milestones_with_photos_from_the_same_spot() -> TestResult
{
    let office_dir = tempfile::tempdir()?;
    office_data(office_dir.path())?;
    let office = InProcessOffice::start(office_dir.path()).await?;
    let device_dir = tempfile::tempdir()?;
    let app = inspector_app(device_dir.path(), &office.url()).await?;
    let zheng = household_on_device(&app, ZHENG)?;
    let id = zheng.to_string();

    // The demolition agreement is signed a week ago, as the office records it.
    let signed = Utc::now().date_naive() - Duration::days(7);
    update_milestones(
        &mut OfficeDb::open(office_dir.path())?,
        &admin_viewer(),
        &id,
        &MilestoneUpdate {
            agreement_signed_on: Some(Some(signed)),
            ..MilestoneUpdate::default()
        },
    )?;
    let start = county(office_dir.path())?;

    // A reclamation checked before the house is down is kept, and moves nothing.
    let place = (
        "old_house_place",
        Answer::Text {
            value: "长岭村三组原址".into(),
        },
    );
    let reclamation_answers = [
        place.clone(),
        ("homestead_reclaimed", yes()),
        (
            "reclaimed_use",
            Answer::Choice {
                selected: vec!["farmland".into()],
            },
        ),
        ("reclaimed_area", Answer::Number { value: 126.5 }),
    ];
    let early = check_old_house(
        &app,
        zheng,
        SubmissionKind::Reclamation,
        &reclamation_answers,
        at(31.78003, 116.5300),
        70,
    )?;
    let report = app.sync_now(SyncTrigger::Manual, |_| {}).await?;
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    assert_eq!(county(office_dir.path())?.reclaimed, start.reclaimed);
    let page = household(&OfficeDb::open(office_dir.path())?, &admin_viewer(), &id)?;
    assert_eq!(page.old_house.reclaimed_on, None);
    let refused = page
        .timeline
        .iter()
        .find(|e| e.submission_id.as_deref() == Some(&early.to_string()))
        .ok_or("the early reclamation on the timeline")?;
    assert_eq!(refused.tone, TimelineTone::Warning);
    assert!(
        refused
            .detail
            .as_ref()
            .is_some_and(|d| d.zh.contains("宅基地须在旧房拆除后复垦")),
        "{refused:?}"
    );

    // The demolition, before and after from the same spot (about 3 m apart).
    let demolition = check_old_house(
        &app,
        zheng,
        SubmissionKind::Demolition,
        &[
            place.clone(),
            ("agreement_signed", yes()),
            ("old_house_demolished", yes()),
            ("rubble_cleared", yes()),
        ],
        at(31.78003, 116.5300),
        80,
    )?;
    let report = app.sync_now(SyncTrigger::Manual, |_| {}).await?;
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    let after_demolition = county(office_dir.path())?;
    assert_eq!(after_demolition.demolished, start.demolished + 1);
    let db = OfficeDb::open(office_dir.path())?;
    let page = household(&db, &admin_viewer(), &id)?;
    let today_china = anju_core::records::china_date(Utc::now());
    assert_eq!(page.old_house.demolished_on, Some(today_china));
    let visit = page
        .timeline
        .iter()
        .find(|e| e.submission_id.as_deref() == Some(&demolition.to_string()))
        .ok_or("the demolition on the timeline")?;
    assert_eq!(
        (visit.kind, visit.tone),
        (TimelineKind::Visit, TimelineTone::Good)
    );
    assert_eq!(visit.title.zh, "旧房拆除核实");
    assert!(visit.by.as_ref().is_some_and(|b| !b.zh.is_empty()));
    let labels: Vec<&str> = visit.photos.iter().map(|p| p.label.zh.as_str()).collect();
    assert_eq!(labels, ["拆除前（旧房原貌）", "拆除后（同一位置）"]);
    // Photos at the old house are not measured against the new house, and these two are
    // from the same spot: nothing for the reviewer.
    let queue = review_queue(&db, &admin_viewer())?;
    let item = queue
        .submissions
        .iter()
        .find(|s| s.submission_id == demolition.to_string())
        .ok_or("the demolition awaits review")?;
    assert_eq!(item.evidence_notes, Vec::new());
    // The agreement entered at the office is on the timeline; the demolition is not
    // repeated as an office entry, since the visit recorded it.
    assert!(
        page.timeline
            .iter()
            .any(|e| e.kind == TimelineKind::Milestone && e.title.zh == "签订旧房拆除协议")
    );
    assert!(
        !page
            .timeline
            .iter()
            .any(|e| e.title.zh.starts_with("旧房已拆除"))
    );
    // Oldest first.
    assert!(page.timeline.windows(2).all(|w| w[0].at <= w[1].at));

    // The reclamation now moves 已复垦; its photo after was taken about 110 m away.
    let reclamation = check_old_house(
        &app,
        zheng,
        SubmissionKind::Reclamation,
        &reclamation_answers,
        at(31.7810, 116.5300),
        90,
    )?;
    let report = app.sync_now(SyncTrigger::Manual, |_| {}).await?;
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    let end = county(office_dir.path())?;
    assert_eq!(end.reclaimed, start.reclaimed + 1);
    assert_eq!(end.demolished, after_demolition.demolished);
    let db = OfficeDb::open(office_dir.path())?;
    assert_eq!(
        household(&db, &admin_viewer(), &id)?.old_house.reclaimed_on,
        Some(today_china)
    );
    let queue = review_queue(&db, &admin_viewer())?;
    let item = queue
        .submissions
        .iter()
        .find(|s| s.submission_id == reclamation.to_string())
        .ok_or("the reclamation awaits review")?;
    assert!(
        item.evidence_notes
            .iter()
            .any(|n| n.zh.starts_with("前后照片不在同一位置：相距 11")),
        "{:?}",
        item.evidence_notes
    );
    // The district returns the reclamation (its photos were not from the same spot): 已复垦
    // is taken back, and the timeline says so.
    let admin_page = anju_tests::pages::Page::sign_in(&office.url(), "admin").await?;
    let (status, body) = admin_page
        .post(
            &format!("/api/office/review/{reclamation}"),
            serde_json::json!({"decision": "returned", "note": "前后照片不在同一位置，请重拍"}),
        )
        .await?;
    assert_eq!(status, reqwest::StatusCode::NO_CONTENT, "{body}");
    assert_eq!(county(office_dir.path())?.reclaimed, start.reclaimed);
    let page = household(&OfficeDb::open(office_dir.path())?, &admin_viewer(), &id)?;
    assert_eq!(page.old_house.reclaimed_on, None);
    assert_eq!(page.old_house.demolished_on, Some(today_china));
    let returned = page
        .timeline
        .iter()
        .find(|e| {
            e.kind == TimelineKind::Visit
                && e.submission_id.as_deref() == Some(&reclamation.to_string())
        })
        .ok_or("the returned reclamation on the timeline")?;
    assert_eq!(returned.tone, TimelineTone::Bad);
    assert!(
        returned
            .detail
            .as_ref()
            .is_some_and(|d| d.zh.starts_with("已退回，宅基地复垦不再据此计入")),
        "{returned:?}"
    );
    assert!(page.timeline.iter().any(|e| {
        e.kind == TimelineKind::Review
            && e.submission_id.as_deref() == Some(&reclamation.to_string())
            && e.detail
                .as_ref()
                .is_some_and(|d| d.zh == "前后照片不在同一位置，请重拍")
    }));

    // The device lists each visit under the household.
    let detail = app.household_detail(zheng)?;
    let kinds: Vec<SubmissionKind> = detail.inspections.iter().map(|i| i.kind).collect();
    assert_eq!(
        kinds
            .iter()
            .filter(|k| **k == SubmissionKind::Reclamation)
            .count(),
        2
    );
    assert!(kinds.contains(&SubmissionKind::Demolition));
    Ok(())
}

/// 入住核实 by li: 已实际入住 and the rest 是, a photo inside, both signatures.
fn check_move_in(app: &FieldApp, household: Uuid, seed: u64) -> Result<Uuid, BoxError> {
    let view = app.open_draft(household, SubmissionKind::MoveIn)?;
    assert_eq!(view.draft.form_id, "anju.move_in");
    let draft = view.draft.id;
    let mut revision = view.draft.revision;
    for key in ["moved_in", "water_power_used", "kitchen_toilet_used"] {
        revision = app
            .save_answer(draft, key, Some(yes()), Some(revision))?
            .revision;
    }
    let fix = anju_tests::seed::near(view.household.location.as_ref());
    revision = add_camera_photo(app, draft, "photo_living", revision, seed, fix)?;
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
    app.sign(
        draft,
        "sign_inspector",
        "李晓峰",
        SignatureMethod::Handwritten,
        handwriting(2.0),
        Some(revision),
    )?;
    Ok(app.submit_draft(draft)?.submission_id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_move_in_check_records_moving_in_only_after_the_acceptance_counts() -> TestResult {
    let office_dir = tempfile::tempdir()?;
    office_data(office_dir.path())?;
    let office = InProcessOffice::start(office_dir.path()).await?;
    let device_dir = tempfile::tempdir()?;
    let app = inspector_app(device_dir.path(), &office.url()).await?;
    let zheng = household_on_device(&app, ZHENG)?;
    let id = zheng.to_string();
    let start = county(office_dir.path())?;
    let mut seed = 200;
    let deadline = Utc::now().date_naive() + Duration::days(20);
    let acceptance = anju_tests::seed::accept(
        &app,
        zheng,
        ZHENG,
        anju_tests::field::zheng_answers(deadline),
        &mut seed,
        1.0,
    )?
    .submission_id;

    // Checked before the district approved the acceptance: kept, and it moves nothing.
    let early = check_move_in(&app, zheng, 300)?;
    let report = app.sync_now(SyncTrigger::Manual, |_| {}).await?;
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    let page = household(&OfficeDb::open(office_dir.path())?, &admin_viewer(), &id)?;
    assert_eq!(page.moved_in_on, None);
    let refused = page
        .timeline
        .iter()
        .find(|e| e.submission_id.as_deref() == Some(&early.to_string()))
        .ok_or("the early move-in check on the timeline")?;
    assert!(
        refused
            .detail
            .as_ref()
            .is_some_and(|d| d.zh.contains("先验收、后入住")),
        "{refused:?}"
    );

    // The district approves the acceptance; the next move-in check records 已入住.
    let admin_page = anju_tests::pages::Page::sign_in(&office.url(), "admin").await?;
    let (status, body) = admin_page
        .post(
            &format!("/api/office/review/{acceptance}"),
            serde_json::json!({"decision": "approved", "note": null}),
        )
        .await?;
    assert!(status.is_success(), "{status} {body}");
    let moved = check_move_in(&app, zheng, 301)?;
    let report = app.sync_now(SyncTrigger::Manual, |_| {}).await?;
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    let page = household(&OfficeDb::open(office_dir.path())?, &admin_viewer(), &id)?;
    let today_china = anju_core::records::china_date(Utc::now());
    assert_eq!(page.moved_in_on, Some(today_china));
    assert_eq!(
        page.row.status,
        anju_core::verdict::HouseholdStatus::MovedIn
    );
    assert_eq!(county(office_dir.path())?.moved_in, start.moved_in + 1);
    let visit = page
        .timeline
        .iter()
        .find(|e| e.submission_id.as_deref() == Some(&moved.to_string()))
        .ok_or("the move-in check on the timeline")?;
    assert_eq!(
        (visit.title.zh.as_str(), visit.tone),
        ("入住核实", TimelineTone::Good)
    );
    assert!(
        visit
            .detail
            .as_ref()
            .is_some_and(|d| d.zh == format!("据此记录入住：{today_china}")),
        "{visit:?}"
    );
    // The office's own entry for the date is not repeated.
    assert!(
        !page
            .timeline
            .iter()
            .any(|e| e.kind == TimelineKind::Milestone && e.title.zh.starts_with("入住"))
    );
    Ok(())
}

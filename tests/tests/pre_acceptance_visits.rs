//! Issue 15, the visits before the district's acceptance. The district plans a 面积丈量督查
//! for li; she measures a house being built that has grown past its cap, offline, on the
//! form of its own, and the office raises 面积超标 while the house can still be changed. She
//! also makes the township's 乡镇初验 of another house; its verdict shows on that house's
//! timeline. Both forms are published with the others, and the task is done by the visit.

use anju_app::SyncTrigger;
use anju_core::form::{Answer, TownshipVerdict, YesNo};
use anju_core::model::SubmissionKind;
use anju_core::verdict::FindingOrigin;
use anju_office::db::OfficeDb;
use anju_office::services::tasks::{VisitPlan, plan_visits, tasks_page};
use anju_office::services::timeline::{TimelineKind, TimelineTone};
use anju_office::services::{household, today};
use anju_tests::field::house;
use anju_tests::fixtures::{InProcessOffice, office_data};
use anju_tests::seed::{district_admin, inspector_app, submit_visit};
use uuid::Uuid;

type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

fn yes_no(value: YesNo, note: Option<&str>) -> Answer {
    Answer::YesNo {
        value,
        note: note.map(str::to_string),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_area_inspection_finds_a_house_over_its_cap_and_a_township_check_passes_one()
-> TestResult {
    let office_dir = tempfile::tempdir()?;
    office_data(office_dir.path())?;
    // Two households of li's township that have had no visit yet.
    let (first, first_number, second): (String, String, String) = {
        let db = OfficeDb::open(office_dir.path())?;
        db.connection().query_row(
            "WITH fresh AS (SELECT h.id, h.number
                 FROM households h JOIN townships t ON t.id = h.township_id
                 WHERE t.name = '东河口镇'
                   AND NOT EXISTS (SELECT 1 FROM submissions s WHERE s.household_id = h.id))
             SELECT f.id, f.number, (SELECT max(id) FROM fresh)
             FROM fresh f ORDER BY f.id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?
    };
    assert_ne!(first, second);
    {
        let mut db = OfficeDb::open(office_dir.path())?;
        let admin = district_admin(&db)?;
        let planned = plan_visits(
            &mut db,
            &admin,
            &VisitPlan {
                visit: SubmissionKind::AreaInspection,
                inspector: "li".into(),
                households: vec![first_number.clone()],
                due_on: today(),
                instructions: Some("五月面积丈量督查".into()),
            },
        )?;
        assert_eq!(planned.planned, 1);
        // Both forms are published with the others, version 1.
        let forms = anju_office::forms::form_catalog(db.connection())?;
        for kind in [
            SubmissionKind::AreaInspection,
            SubmissionKind::TownshipCheck,
        ] {
            assert!(forms.get(kind.form_id(), 1).is_some(), "{}", kind.code());
        }
    }

    let office = InProcessOffice::start(office_dir.path()).await?;
    let device_dir = tempfile::tempdir()?;
    let app = inspector_app(device_dir.path(), &office.url()).await?;
    let (first, second) = (Uuid::parse_str(&first)?, Uuid::parse_str(&second)?);
    assert_eq!(app.household_detail(first)?.area_inspection_draft, None);

    // An area inspection is not complete without its measurement.
    let incomplete = app.open_draft(first, SubmissionKind::AreaInspection)?;
    assert_eq!(
        app.household_detail(first)?.area_inspection_draft,
        Some(incomplete.draft.id)
    );
    let refused = app
        .submit_draft(incomplete.draft.id)
        .err()
        .ok_or("an area inspection without its measurement is not complete")?;
    assert!(
        refused
            .issues()
            .iter()
            .any(|i| i.item == "area_measurement"),
        "{:?}",
        refused.issues()
    );
    // 20 × 20 m: past any household's cap.
    submit_visit(
        &app,
        first,
        SubmissionKind::AreaInspection,
        &[
            (
                "area_measurement",
                Answer::Area {
                    measurement: house(20_000, 20_000),
                },
            ),
            (
                "built_as_approved",
                yes_no(YesNo::No, Some("比批准户型多建一间")),
            ),
        ],
        "photo_measuring",
        7,
    )?;
    // The 乡镇初验 of the second house: finished, sound, 9.6 × 10 m, passed.
    let township_check = submit_visit(
        &app,
        second,
        SubmissionKind::TownshipCheck,
        &[
            ("house_completed", yes_no(YesNo::Yes, None)),
            ("structure_sound", yes_no(YesNo::Yes, None)),
            ("utilities_connected", yes_no(YesNo::Yes, None)),
            (
                "area_measurement",
                Answer::Area {
                    measurement: house(6_000, 5_000),
                },
            ),
            (
                "township_verdict",
                Answer::Choice {
                    selected: vec![TownshipVerdict::Pass.code().into()],
                },
            ),
        ],
        "photo_front",
        8,
    )?;
    let report = app.sync_now(SyncTrigger::Manual, |_| {}).await?;
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    assert!(report.held.is_empty(), "{:?}", report.held);
    assert_eq!(app.household_detail(first)?.area_inspection_draft, None);

    let db = OfficeDb::open(office_dir.path())?;
    let admin = district_admin(&db)?;
    // 面积超标, raised by the inspection while the house is built.
    let detail = household(&db, &admin, &first.to_string())?;
    let over = detail
        .findings
        .iter()
        .find(|f| f.origin == FindingOrigin::AreaOverCap)
        .ok_or("the office raises 面积超标 from the area inspection")?;
    assert!(
        over.description.contains("面积超标"),
        "{}",
        over.description
    );
    let entry = detail
        .timeline
        .iter()
        .find(|e| e.kind == TimelineKind::Visit && e.title.zh == "面积丈量督查")
        .ok_or("the timeline shows the inspection")?;
    assert_eq!(entry.tone, TimelineTone::Bad, "over its cap");
    assert!(!entry.photos.is_empty(), "with its photo");
    // The planned task is done by the visit.
    let tasks = tasks_page(&db, &admin)?;
    let task = tasks
        .rows
        .iter()
        .find(|t| t.household_id == first.to_string() && t.visit == SubmissionKind::AreaInspection)
        .ok_or("the task is listed")?;
    assert_eq!(task.state, "done");

    // The 乡镇初验's verdict, on the submission and the timeline.
    let detail = household(&db, &admin, &second.to_string())?;
    let submission = detail
        .submissions
        .iter()
        .find(|s| s.id == township_check.to_string())
        .ok_or("the township check is on the household page")?;
    assert_eq!(submission.township_verdict, Some(TownshipVerdict::Pass));
    assert!(submission.area.is_some(), "its area is assessed");
    let entry = detail
        .timeline
        .iter()
        .find(|e| e.kind == TimelineKind::Visit && e.title.zh == "乡镇初验")
        .ok_or("the timeline shows the township check")?;
    assert_eq!(entry.tone, TimelineTone::Good);
    let said = entry.detail.as_ref().map(|d| d.zh.as_str()).unwrap_or("");
    assert!(said.starts_with("初验结论：初验合格"), "{said}");
    assert!(
        detail
            .findings
            .iter()
            .all(|f| f.origin != FindingOrigin::AreaOverCap),
        "30 m² is within the cap"
    );
    office.stop().await?;
    Ok(())
}

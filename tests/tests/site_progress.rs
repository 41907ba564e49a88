//! Issue 15, site records. A concentrated site has its 包保责任人 and a monthly progress plan
//! at the office; li's 开工放线 and 建设进度 visits to its households, made offline on her
//! phone on forms of their own, set the site's actual progress; the office shows it against
//! the plan (behind in red), and each household's timeline shows the visits.

use anju_app::SyncTrigger;
use anju_core::construction::{ConstructionStage, Guarantor, PlanMonth};
use anju_core::form::{Answer, YesNo};
use anju_core::model::SubmissionKind;
use anju_office::db::OfficeDb;
use anju_office::services::site_visits::site_visits;
use anju_office::services::sites::{SiteRecordUpdate, set_site_record, sites_page};
use anju_office::services::views::{ReviewDecision, ReviewVerdict};
use anju_office::services::{Viewer, household, review_submission, today};
use anju_tests::fixtures::{InProcessOffice, office_data};
use anju_tests::seed::{admin_viewer, inspector_app, submit_visit};
use uuid::Uuid;

type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

fn yes() -> Answer {
    Answer::YesNo {
        value: YesNo::Yes,
        note: None,
    }
}

fn stage(stage: ConstructionStage) -> Answer {
    Answer::Choice {
        selected: vec![stage.code().into()],
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn construction_visits_set_a_sites_progress_against_its_plan() -> TestResult {
    let office_dir = tempfile::tempdir()?;
    office_data(office_dir.path())?;
    // Two households of one site of li's township.
    let (site_id, site_name, first, second, size): (String, String, String, String, u32) = {
        let db = OfficeDb::open(office_dir.path())?;
        db.connection().query_row(
            "SELECT s.id, s.name, min(h.id), max(h.id), count(*)
             FROM sites s JOIN townships t ON t.id = s.township_id
             JOIN households h ON h.site_id = s.id
             WHERE t.name = '东河口镇'
             GROUP BY s.id, s.name HAVING count(*) >= 2
             ORDER BY s.name LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )?
    };
    // The district records who answers for the site and its plan: 60 % by this month's end.
    let this_month = today().format("%Y-%m").to_string();
    {
        let mut db = OfficeDb::open(office_dir.path())?;
        let refused = set_site_record(
            &mut db,
            &admin_viewer(),
            &site_id,
            &SiteRecordUpdate {
                guarantor: None,
                plan: vec![
                    PlanMonth {
                        month: this_month.clone(),
                        planned_percent: 60,
                    },
                    PlanMonth {
                        month: "2099-01".into(),
                        planned_percent: 40,
                    },
                ],
            },
        )
        .err()
        .ok_or("a plan that falls back is refused")?;
        assert!(refused.to_string().contains("进度只增不减"), "{refused}");
        set_site_record(
            &mut db,
            &admin_viewer(),
            &site_id,
            &SiteRecordUpdate {
                guarantor: Some(Guarantor {
                    name: "周建民".into(),
                    unit: Some("东河口镇人民政府".into()),
                    phone: Some("0564-3312345".into()),
                }),
                plan: vec![PlanMonth {
                    month: this_month.clone(),
                    planned_percent: 60,
                }],
            },
        )?;
    }

    let office = InProcessOffice::start(office_dir.path()).await?;
    let device_dir = tempfile::tempdir()?;
    let app = inspector_app(device_dir.path(), &office.url()).await?;
    let (first, second) = (Uuid::parse_str(&first)?, Uuid::parse_str(&second)?);
    let detail = app.household_detail(first)?;
    assert_eq!(detail.groundbreaking_draft, None);

    // 开工放线, then 建设进度 at 主体封顶, on the first house; the second is at 主体施工.
    submit_visit(
        &app,
        first,
        SubmissionKind::Groundbreaking,
        &[
            ("laid_out_as_planned", yes()),
            ("area_within_plan", yes()),
            ("construction_started", yes()),
        ],
        "photo_layout",
        1,
    )?;
    let incomplete = app.open_draft(first, SubmissionKind::Progress)?;
    let refused = app
        .submit_draft(incomplete.draft.id)
        .err()
        .ok_or("a progress check without its stage is not complete")?;
    assert!(
        refused
            .issues()
            .iter()
            .any(|i| i.item == "construction_stage")
    );
    let roofed_visit = submit_visit(
        &app,
        first,
        SubmissionKind::Progress,
        &[
            ("construction_stage", stage(ConstructionStage::Roofed)),
            ("quality_on_site", yes()),
        ],
        "photo_progress",
        2,
    )?;
    submit_visit(
        &app,
        second,
        SubmissionKind::Progress,
        &[
            ("construction_stage", stage(ConstructionStage::Structure)),
            ("quality_on_site", yes()),
        ],
        "photo_progress",
        3,
    )?;
    let report = app.sync_now(SyncTrigger::Manual, |_| {}).await?;
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    assert!(report.held.is_empty(), "{:?}", report.held);

    let db = OfficeDb::open(office_dir.path())?;
    let page = sites_page(&db, &admin_viewer())?;
    let row = page
        .rows
        .iter()
        .find(|r| r.id == site_id)
        .ok_or("the site is listed")?;
    assert_eq!(row.name, site_name);
    assert_eq!(
        row.guarantor.as_ref().map(|g| g.name.as_str()),
        Some("周建民")
    );
    assert_eq!(row.planned_percent, Some(60));
    assert_eq!(row.progress.households, size);
    assert_eq!(row.progress.reported, 2);
    let expected = (70 + 50) / size;
    assert_eq!(row.progress.percent, expected);
    assert_eq!(
        row.gap,
        Some(i32::try_from(expected)? - 60),
        "actual minus planned"
    );
    assert!(row.behind, "far behind its plan");
    assert_eq!(row.last_visit_on, Some(today()));
    let roofed = row
        .stages
        .iter()
        .find(|s| s.stage == ConstructionStage::Roofed)
        .ok_or("a count per stage")?;
    assert_eq!(roofed.households, 1);
    assert!(page.behind >= 1);

    // The household's timeline shows both visits.
    let detail = household(&db, &admin_viewer(), &first.to_string())?;
    let titles: Vec<&str> = detail
        .timeline
        .iter()
        .map(|e| e.title.zh.as_str())
        .collect();
    assert!(titles.iter().any(|t| t.contains("开工放线")), "{titles:?}");
    assert!(titles.iter().any(|t| t.contains("建设进度")), "{titles:?}");

    // The site's timeline: its three visits, newest first, each with its household, who made
    // it, the stage it found and its photo; another township's user does not see it.
    let timeline = site_visits(&db, &admin_viewer(), &site_id)?;
    assert_eq!(timeline.name, site_name);
    assert_eq!(timeline.visits.len(), 3, "{:?}", timeline.visits);
    assert!(timeline.damaged.is_empty() && !timeline.more);
    assert!(
        timeline.visits.windows(2).all(|w| w[0].at >= w[1].at),
        "newest first"
    );
    let roofed = timeline
        .visits
        .iter()
        .find(|v| v.submission_id == roofed_visit.to_string())
        .ok_or("the 主体封顶 visit")?;
    assert_eq!(roofed.kind, SubmissionKind::Progress);
    assert_eq!(
        roofed.stage.as_ref().map(|s| s.zh.as_str()),
        Some(ConstructionStage::Roofed.label_zh())
    );
    assert_eq!(roofed.household_id, first.to_string());
    assert!(roofed.photo_url.is_some() && roofed.by.zh.starts_with("李晓峰"));
    let elsewhere = Viewer {
        township: Some(db.connection().query_row(
            "SELECT id, name FROM townships WHERE name <> '东河口镇' ORDER BY name LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?),
        role: anju_core::wire::Role::Township,
        ..admin_viewer()
    };
    assert!(site_visits(&db, &elsewhere, &site_id).is_err());

    // The district returns the 主体封顶 visit: the house is back at its 开工放线 (基础施工).
    let mut db = db;
    let reviewer = Viewer {
        user_id: db.connection().query_row(
            "SELECT id FROM users WHERE name = 'admin'",
            [],
            |r| r.get(0),
        )?,
        ..admin_viewer()
    };
    review_submission(
        &mut db,
        &reviewer,
        &roofed_visit.to_string(),
        &ReviewDecision {
            decision: ReviewVerdict::Returned,
            note: Some("照片不是该户房屋，请重新检查".into()),
        },
    )?;
    let page = sites_page(&db, &admin_viewer())?;
    let row = page
        .rows
        .iter()
        .find(|r| r.id == site_id)
        .ok_or("the site is listed")?;
    assert_eq!(row.progress.percent, (20 + 50) / size);
    assert_ne!((20 + 50) / size, (70 + 50) / size, "the check can fail");
    office.stop().await?;
    Ok(())
}

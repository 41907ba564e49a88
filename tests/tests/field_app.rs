//! The field app's whole job through `anju_app::FieldApp` (what the Tauri commands call),
//! against a real office server: sign in, pull, find 郑怀圣, fill and sign the form,
//! submit, sync, and find every record and file at the office as the device made them.

use anju_app::{AppError, AppOptions, FieldApp, IncomingPhoto, SyncTrigger};
use anju_core::form::{Answer, YesNo};
use anju_core::model::{SignatureMethod, SubmissionKind};
use anju_store::HouseholdQuery;
use anju_tests::field::{
    PHOTO_SLOTS, ZHENG, ZHENG_BUILT_M2, camera_jpeg, handwriting, zheng_answers, zheng_house,
};
use anju_tests::fixtures::{INSPECTOR, InProcessOffice, OfficeHoldings, office_data, test_config};
use anju_tests::seed::sign_as_inspectors;
use chrono::{Duration, Utc};

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_inspector_accepts_zheng_huaishengs_house_and_the_office_gets_it_all() -> TestResult {
    let office_dir = tempfile::tempdir()?;
    office_data(office_dir.path())?;
    let office = InProcessOffice::start(office_dir.path()).await?;
    let device_dir = tempfile::tempdir()?;
    let app = app_in(device_dir.path())?;

    // First start: nothing signed in, then sign in and pull.
    assert!(app.app_info()?.session.is_none());
    let wrong = app.sign_in(&office.url(), INSPECTOR, "wrong").await;
    assert_eq!(
        wrong.as_ref().map_err(|e| e.code()).err(),
        Some("wrong_password")
    );
    let session = app
        .sign_in(
            &office.url(),
            INSPECTOR,
            anju_tests::fixtures::DEMO_PASSWORD,
        )
        .await?;
    assert_eq!(session.user.name, INSPECTOR);
    let report = app.sync_now(SyncTrigger::Manual, |_| {}).await?;
    assert_eq!(report.households_pulled, 14);

    let all = app.list_households(&HouseholdQuery::default())?;
    assert_eq!(all.counts.total, 14);
    assert_eq!(all.counts.to_inspect, 14);
    let found = app.list_households(&HouseholdQuery {
        text: Some(ZHENG.into()),
        ..HouseholdQuery::default()
    })?;
    assert_eq!(found.items.len(), 1);
    assert_eq!(found.total_matching, 1);
    let zheng = &found.items[0];
    assert_eq!((zheng.size, zheng.village.as_str()), (4, "长岭村"));

    // The form, answer by answer, as the screens save them.
    let view = app.open_draft(zheng.id, SubmissionKind::Acceptance)?;
    assert_eq!(view.household.head_name, ZHENG);
    assert!(!view.state.issues.is_empty());
    let draft = view.draft.id;
    let mut revision = view.draft.revision;
    let deadline = Utc::now().date_naive() + Duration::days(15);
    for (key, answer) in zheng_answers(deadline) {
        revision = app
            .save_answer(draft, key, Some(answer), Some(revision))?
            .revision;
    }
    // A save from a stale copy is refused, not applied.
    let stale = app.save_answer(
        draft,
        "funding_self_yuan",
        Some(Answer::Number { value: 1.0 }),
        Some(revision - 1),
    );
    assert_eq!(stale.err().map(|e| e.code()), Some("stale_revision"));
    let unknown = app.save_answer(draft, "no_such_item", None, Some(revision));
    assert_eq!(unknown.err().map(|e| e.code()), Some("invalid"));

    // The area as the editor shows it.
    let check = app.assess_area(zheng.id, &zheng_house())?;
    let assessment = check.assessment.ok_or("assessed")?;
    assert_eq!(assessment.built_area.to_m2_string(), ZHENG_BUILT_M2);
    assert_eq!(assessment.per_person_m2, "24.45");
    assert!(!assessment.is_over());
    let empty = app.assess_area(zheng.id, &Default::default())?;
    assert!(empty.assessment.is_none());
    assert!(empty.error.unwrap_or_default().contains("至少要测量"));

    // Photos: a corrupt file is refused by name and changes nothing; real ones are
    // watermarked, kept with a thumbnail and added to their slot.
    let corrupt = app.add_photo(IncomingPhoto {
        draft_id: draft,
        slot: "photo_front",
        expected_revision: Some(revision),
        bytes: b"\xFF\xD8\xFF\xE0 not really a photo",
    });
    assert_eq!(corrupt.err().map(|e| e.code()), Some("bad_photo"));
    let mut photos = Vec::new();
    let mut seed = 0;
    for (slot, count) in PHOTO_SLOTS {
        for _ in 0..count {
            seed += 1;
            let added = app.add_photo(IncomingPhoto {
                draft_id: draft,
                slot,
                expected_revision: Some(revision),
                bytes: &camera_jpeg(640, 480, seed)?,
            })?;
            revision = added.state.revision;
            assert!(std::path::Path::new(&added.photo.thumbnail_path).is_file());
            assert_ne!(added.photo.thumbnail_path, added.photo.path);
            assert!(added.photo.watermark_lines[0].contains(ZHENG));
            photos.push(added.photo);
        }
    }
    let full = app.add_photo(IncomingPhoto {
        draft_id: draft,
        slot: "photo_front",
        expected_revision: Some(revision),
        bytes: &camera_jpeg(640, 480, 99)?,
    });
    assert!(full.is_ok(), "a second front photo fits (max 3)");
    let extra = full?.photo;
    revision = app
        .remove_photo(draft, "photo_front", &extra.sha256, None)?
        .revision;

    // Signatures: the household head by hand, each inspector; a change afterwards makes
    // them stale until signed again.
    let head = app.sign(
        draft,
        "sign_household_head",
        ZHENG,
        SignatureMethod::Handwritten,
        handwriting(0.0),
        Some(revision),
    )?;
    revision = head.state.revision;
    assert!(std::path::Path::new(&head.signature.image_path).is_file());
    let thumbprint_for_inspector = app.sign_thumbprint(
        draft,
        "sign_reform",
        INSPECTOR,
        &camera_jpeg(320, 240, 7)?,
        Some(revision),
    );
    assert_eq!(
        thumbprint_for_inspector.err().map(|e| e.code()),
        Some("invalid")
    );
    revision = sign_as_inspectors(&app, draft, revision, 1.0)?;
    let changed = app.save_answer(
        draft,
        "funding_self_yuan",
        Some(Answer::Number { value: 12_000.0 }),
        Some(revision),
    )?;
    assert!(changed.signatures.iter().all(|s| s.signed && s.stale));
    let refused = app.submit_draft(draft);
    let refused = refused
        .err()
        .ok_or("a stale signature must stop submitting")?;
    assert_eq!(refused.code(), "incomplete");
    assert!(
        refused
            .issues()
            .iter()
            .any(|i| i.item == "sign_household_head")
    );
    // The relative signs this time, on the head's behalf.
    revision = app
        .sign(
            draft,
            "sign_household_head",
            "郑小明",
            SignatureMethod::Proxy {
                signer_name: "郑小明".into(),
                relation: "子".into(),
            },
            handwriting(9.0),
            Some(changed.revision),
        )?
        .state
        .revision;
    sign_as_inspectors(&app, draft, revision, 5.0)?;
    let reopened = app.open_draft(zheng.id, SubmissionKind::Acceptance)?;
    assert!(
        reopened.state.issues.is_empty(),
        "{:?}",
        reopened.state.issues
    );
    assert_eq!(reopened.photos.len(), 8);
    assert_eq!(reopened.signatures.len(), 5);

    // Submit, sync, and the office has it all.
    let outcome = app.submit_draft(draft)?;
    assert_eq!(outcome.submission_id, draft);
    // 8 photos, 5 signatures, the submission, 1 finding.
    assert_eq!(outcome.records_waiting, 15);
    let findings = app.list_findings()?;
    assert_eq!(findings.len(), 1);
    assert!(!findings[0].overdue && !findings[0].synced);
    let status = app.sync_status()?;
    assert_eq!(status.pending.records, 15);
    assert_eq!(status.pending.drafts, 0);

    let mut phases = std::sync::Mutex::new(Vec::new());
    let report = app
        .sync_now(SyncTrigger::Manual, |p| {
            if let Ok(mut seen) = phases.lock() {
                seen.push(p.phase);
            }
        })
        .await?;
    assert_eq!(report.accepted, 15);
    assert!(report.rejected.is_empty() && report.held.is_empty());
    let phases = phases.get_mut().map(std::mem::take).unwrap_or_default();
    assert_eq!(phases.last(), Some(&anju_sync::Phase::Done));
    assert_eq!(app.sync_status()?.pending.records, 0);
    assert!(app.list_findings()?[0].synced);

    let holdings = OfficeHoldings::read(office_dir.path())?;
    let records = holdings.record_map()?;
    assert!(records.contains_key(&("submission".to_string(), draft.to_string())));
    for photo in &photos {
        let on_device = std::fs::read(&photo.path)?;
        assert_eq!(
            holdings.blobs.get(&photo.sha256),
            Some(&(on_device.len() as u64))
        );
    }
    assert!(!holdings.blobs.contains_key(&extra.sha256));
    let detail = app.household_detail(zheng.id)?;
    assert_eq!(detail.inspections.len(), 1);
    assert!(detail.inspections[0].synced);
    assert_eq!(
        detail.inspections[0].built_area_m2.as_deref(),
        Some(ZHENG_BUILT_M2)
    );
    assert_eq!(
        detail.recorded_area.map(|r| r.built_area.to_m2_string()),
        Some(ZHENG_BUILT_M2.to_string())
    );
    let signatures = holdings
        .records
        .iter()
        .filter(|(kind, _, _)| kind == "signature")
        .count();
    assert_eq!(signatures, 5);

    // A spot check of the same house: the recorded area is there to compare with.
    let spot = app.open_draft(zheng.id, SubmissionKind::SpotCheck)?;
    assert_eq!(spot.form.id, "anju.spot_check");

    // Nothing waits, so signing out needs no confirmation; the spot-check draft does.
    let refused = app.sign_out(false).await;
    assert_eq!(refused.err().map(|e| e.code()), Some("unsynced_work"));
    app.discard_draft(spot.draft.id)?;
    let out = app.sign_out(false).await?;
    assert!(out.office_confirmed);
    assert!(!app.app_info()?.session.map(|s| s.signed_in).unwrap_or(true));
    office.stop().await?;
    Ok(())
}

#[tokio::test]
async fn a_draft_survives_reopening_the_app() -> TestResult {
    let office_dir = tempfile::tempdir()?;
    office_data(office_dir.path())?;
    let office = InProcessOffice::start(office_dir.path()).await?;
    let device_dir = tempfile::tempdir()?;
    let zheng_id;
    {
        let app = app_in(device_dir.path())?;
        app.sign_in(
            &office.url(),
            INSPECTOR,
            anju_tests::fixtures::DEMO_PASSWORD,
        )
        .await?;
        app.sync_now(SyncTrigger::Manual, |_| {}).await?;
        let found = app.list_households(&HouseholdQuery {
            text: Some(ZHENG.into()),
            ..HouseholdQuery::default()
        })?;
        zheng_id = found.items[0].id;
        let view = app.open_draft(zheng_id, SubmissionKind::Acceptance)?;
        app.save_answer(
            view.draft.id,
            "move_in_water",
            Some(Answer::YesNo {
                value: YesNo::No,
                note: Some("水管未接".into()),
            }),
            Some(view.draft.revision),
        )?;
    }
    let app = app_in(device_dir.path())?;
    let view = app.open_draft(zheng_id, SubmissionKind::Acceptance)?;
    assert_eq!(
        view.draft.answers.get("move_in_water"),
        Some(&Answer::YesNo {
            value: YesNo::No,
            note: Some("水管未接".into()),
        })
    );
    let counts = app.list_households(&HouseholdQuery::default())?.counts;
    assert_eq!(counts.draft, 1);
    office.stop().await?;
    Ok(())
}

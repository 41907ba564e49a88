//! `FieldApp` on a device without an office: a household put into its store as a pull
//! would, a sign-in as the sync engine keeps it, and the screens' calls on them.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use anju_app::{AppOptions, CommandError, FieldApp, IncomingPhoto};
use anju_core::id_number::compose;
use anju_core::location::PhotoSource;
use anju_core::model::{Household, PlacementKind, PlacementMode, SubmissionKind};
use anju_core::wire::{Role, UserInfo};
use anju_store::Store;
use chrono::NaiveDate;
use mozjpeg::{ColorSpace, Compress};
use uuid::Uuid;

const INSPECTOR: &str = "li";

fn household() -> Household {
    let birth = NaiveDate::from_ymd_opt(1956, 3, 1).unwrap();
    Household {
        id: Uuid::now_v7(),
        number: "T00001".into(),
        head_name: "郑怀圣".into(),
        id_number: compose("341502", birth, 17).unwrap(),
        size: 3,
        members: vec![],
        phone: None,
        township: "东河口镇".into(),
        village: "长岭村".into(),
        site: None,
        mode: PlacementMode::Scattered,
        kind: PlacementKind::SelfBuilt,
        location: None,
    }
}

/// A device holding `household`, signed in as [`INSPECTOR`].
fn device(dir: &std::path::Path, household: &Household) -> FieldApp {
    {
        let mut store = Store::open(dir).unwrap();
        store
            .upsert_households(std::slice::from_ref(household), &[], 1)
            .unwrap();
        let user = UserInfo {
            name: INSPECTOR.into(),
            role: Role::Inspector,
            department: None,
            township: None,
            full_name: None,
        };
        store
            .set_sync_value(
                anju_sync::state::USER,
                &serde_json::to_string(&user).unwrap(),
            )
            .unwrap();
        store
            .set_sync_value(anju_sync::state::SERVER_URL, "http://office.invalid")
            .unwrap();
        store
            .set_sync_value(anju_sync::state::DEVICE_ID, &Uuid::now_v7().to_string())
            .unwrap();
    }
    FieldApp::open(dir, AppOptions::field_defaults()).unwrap()
}

fn camera_jpeg(width: usize, height: usize) -> Vec<u8> {
    let pixels: Vec<u8> = (0..width * height)
        .flat_map(|i| {
            let (x, y) = (i % width, i / width);
            [(x * 255 / width) as u8, (y * 255 / height) as u8, 120]
        })
        .collect();
    let mut compress = Compress::new(ColorSpace::JCS_RGB);
    compress.set_size(width, height);
    compress.set_quality(90.0);
    let mut started = compress.start_compress(Vec::new()).unwrap();
    started.write_scanlines(&pixels).unwrap();
    started.finish().unwrap()
}

fn database(dir: &std::path::Path) -> rusqlite::Connection {
    rusqlite::Connection::open(dir.join(anju_store::DATABASE_FILE)).unwrap()
}

fn photo_rows(dir: &std::path::Path) -> i64 {
    database(dir)
        .query_row("SELECT count(*) FROM photos", [], |row| row.get(0))
        .unwrap()
}

#[test]
fn a_photo_is_added_whole_or_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let h = household();
    let app = device(dir.path(), &h);
    let draft = app.open_draft(h.id, SubmissionKind::Acceptance).unwrap();
    let jpeg = camera_jpeg(640, 480);
    let incoming = IncomingPhoto {
        draft_id: draft.draft.id,
        slot: "photo_front",
        expected_revision: Some(draft.draft.revision),
        bytes: &jpeg,
        fix: None,
        source: PhotoSource::Camera,
    };

    // The step after the photo's row fails: keeping its thumbnail and watermark.
    database(dir.path())
        .execute_batch(
            "CREATE TRIGGER failing_extras BEFORE UPDATE OF thumbnail_sha256 ON photos
             BEGIN SELECT RAISE(ABORT, 'injected failure'); END;",
        )
        .unwrap();
    let error = app.add_photo(incoming.clone()).unwrap_err();
    assert!(error.to_string().contains("injected failure"), "{error}");
    assert_eq!(photo_rows(dir.path()), 0, "no photo row without its extras");
    let unchanged = app.open_draft(h.id, SubmissionKind::Acceptance).unwrap();
    assert_eq!(unchanged.draft.revision, draft.draft.revision);
    assert!(unchanged.draft.answers.get("photo_front").is_none());
    assert!(unchanged.photos.is_empty());

    // Without the failure the same call keeps it all: the row, its extras, the slot.
    database(dir.path())
        .execute_batch("DROP TRIGGER failing_extras")
        .unwrap();
    let added = app.add_photo(incoming).unwrap();
    assert_eq!(photo_rows(dir.path()), 1);
    assert_eq!(added.state.revision, draft.draft.revision + 1);
    assert_ne!(added.photo.thumbnail_path, added.photo.path);
    assert!(std::path::Path::new(&added.photo.thumbnail_path).is_file());
    assert!(!added.photo.watermark_lines.is_empty());
    let reopened = app.open_draft(h.id, SubmissionKind::Acceptance).unwrap();
    assert_eq!(reopened.photos, vec![added.photo]);
}

#[test]
fn an_incomplete_form_is_refused_with_what_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let h = household();
    let app = device(dir.path(), &h);
    let draft = app.open_draft(h.id, SubmissionKind::Acceptance).unwrap();
    let error = app.submit_draft(draft.draft.id).unwrap_err();
    assert_eq!(error.code(), "incomplete");
    let issues = error.issues();
    assert!(issues.len() > 20, "{}", issues.len());
    assert!(issues.iter().any(|i| i.item == "area_measurement"));
    assert_eq!(
        error.to_string(),
        format!(
            "表单尚未填完，不能提交：{} / the form is not complete: {} problem(s)",
            issues[0],
            issues.len()
        )
    );
    assert!(error.to_string().contains("未填写"), "{error}");
    let shown = CommandError::from(&error);
    assert_eq!(shown.issues.len(), issues.len());
    // Nothing changed: the draft is still there and nothing waits to go.
    let reopened = app.open_draft(h.id, SubmissionKind::Acceptance).unwrap();
    assert_eq!(reopened.draft, draft.draft);
    let pending = app.sync_status().unwrap().pending;
    assert_eq!((pending.records, pending.drafts), (0, 1));
}

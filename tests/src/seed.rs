//! Field results made the way inspectors make them: through `FieldApp` (what the field
//! app's screens call) against a running office, then synced. Used by the office pages'
//! end-to-end test and by `scripts/run` for a demo office with something to look at.

use std::path::Path;

use anju_app::{AppError, AppOptions, FieldApp, IncomingPhoto, SubmitOutcome, SyncTrigger};
use anju_core::area::HouseMeasurement;
use anju_core::form::{Answer, YesNo};
use anju_core::location::{Coordinates, Fix, NoFixReason, Position};
use anju_core::model::{SignatureMethod, SubmissionKind};
use anju_store::HouseholdQuery;
use chrono::{Duration, Utc};
use uuid::Uuid;

use crate::field::{INSPECTOR_SLOTS, PHOTO_SLOTS, camera_jpeg, handwriting, house, zheng_answers};
use crate::fixtures::{DEMO_PASSWORD, INSPECTOR};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What was made.
#[derive(Debug, Clone, Default)]
pub struct Seeded {
    /// Household numbers accepted.
    pub accepted: Vec<String>,
    /// Of those, the ones whose built area is over the limit.
    pub over_cap: Vec<String>,
    /// Of those, the ones re-measured by a spot check.
    pub spot_checked: Vec<String>,
    /// Findings recorded in all.
    pub findings: usize,
}

/// The inspector `li` accepts the first `count` of their households (every second one
/// with a drainage finding, the second one over the area limit), re-measures the first
/// `spot_checks` of them, and syncs it all to the office at `url`.
pub async fn field_results(
    url: &str,
    device_dir: &Path,
    count: usize,
    spot_checks: usize,
) -> Result<Seeded, BoxError> {
    let app = FieldApp::open(device_dir, AppOptions::field_defaults())?;
    app.sign_in(url, INSPECTOR, DEMO_PASSWORD).await?;
    app.sync_now(SyncTrigger::Manual, |_| {}).await?;
    let mut households = app
        .list_households(&HouseholdQuery {
            limit: Some(500),
            ..HouseholdQuery::default()
        })?
        .items;
    households.sort_by(|a, b| a.number.cmp(&b.number));
    let mut seeded = Seeded::default();
    let deadline = Utc::now().date_naive() + Duration::days(20);
    let mut photo_seed = 100;
    for (index, household) in households.iter().take(count).enumerate() {
        // 25 m² a person is the limit: the second house is far over it.
        let (length, width) = if index == 1 {
            (14_000, 12_000)
        } else {
            (2_300 * i64::from(household.size), 9_000)
        };
        let answers = zheng_answers(deadline).into_iter().map(|(key, answer)| {
            let answer = match key {
                "target_people_present" => Answer::Number {
                    value: f64::from(household.size),
                },
                "area_measurement" => Answer::Area {
                    measurement: house(length, width),
                },
                "move_in_drainage" if index % 2 == 1 => Answer::YesNo {
                    value: YesNo::Yes,
                    note: None,
                },
                "findings" if index % 2 == 1 => Answer::Findings { items: vec![] },
                _ => answer,
            };
            (key, answer)
        });
        if index % 2 == 0 {
            seeded.findings += 1;
        }
        accept(
            &app,
            household.id,
            &household.head_name,
            answers,
            &mut photo_seed,
            index as f32,
        )?;
        seeded.accepted.push(household.number.clone());
        if index == 1 {
            seeded.over_cap.push(household.number.clone());
        }
    }
    // Spot checks re-measure a little differently: within 3% but for the last one.
    for (index, household) in households.iter().take(spot_checks.min(count)).enumerate() {
        let base = if index == 1 {
            14_000
        } else {
            2_300 * i64::from(household.size)
        };
        let length = if index + 1 == spot_checks {
            base - 800
        } else {
            base + 100
        };
        let width = if index == 1 { 12_000 } else { 9_000 };
        photo_seed += 1;
        spot_check(
            &app,
            household.id,
            INSPECTOR,
            house(length, width),
            photo_seed,
        )?;
        seeded.spot_checked.push(household.number.clone());
    }
    let report = app.sync_now(SyncTrigger::Manual, |_| {}).await?;
    if !report.rejected.is_empty() || !report.held.is_empty() {
        return Err(format!(
            "the office did not take every record: rejected {:?}, held {:?}",
            report.rejected, report.held
        )
        .into());
    }
    Ok(seeded)
}

/// The district office reviews as it does at its desk: it approves the first `approve`
/// acceptances waiting for review (oldest first). Returns how many it approved.
pub async fn district_review(url: &str, approve: usize) -> Result<usize, BoxError> {
    let admin = crate::pages::Page::sign_in(url, "admin").await?;
    let (status, queue) = admin.get("/api/office/review").await?;
    if !status.is_success() {
        return Err(format!("the review queue answered {status}: {queue}").into());
    }
    let waiting: Vec<String> = queue["submissions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|item| item["kind"] == "acceptance")
        .filter_map(|item| item["submission_id"].as_str().map(str::to_string))
        .take(approve)
        .collect();
    for id in &waiting {
        let (status, answer) = admin
            .post(
                &format!("/api/office/review/{id}"),
                serde_json::json!({"decision": "approved", "note": null}),
            )
            .await?;
        if !status.is_success() {
            return Err(format!("approving {id} answered {status}: {answer}").into());
        }
    }
    Ok(waiting.len())
}

/// A spot check (抽查复核) through the field app's commands: the re-measured house, a
/// photo of the front, no findings, the inspector's signature; submitted, not synced.
pub fn spot_check(
    app: &FieldApp,
    household_id: Uuid,
    inspector: &str,
    measurement: HouseMeasurement,
    photo_seed: u64,
) -> Result<(), BoxError> {
    let view = app.open_draft(household_id, SubmissionKind::SpotCheck)?;
    let draft = view.draft.id;
    let mut revision = view.draft.revision;
    revision = app
        .save_answer(
            draft,
            "area_measurement",
            Some(Answer::Area { measurement }),
            Some(revision),
        )?
        .revision;
    let fix = near(view.household.location.as_ref());
    revision = add_camera_photo(app, draft, "photo_front", revision, photo_seed, fix)?;
    revision = app
        .save_answer(
            draft,
            "findings",
            Some(Answer::Findings { items: vec![] }),
            Some(revision),
        )?
        .revision;
    app.sign(
        draft,
        "sign_inspector",
        inspector,
        SignatureMethod::Handwritten,
        handwriting(11.0),
        Some(revision),
    )?;
    app.submit_draft(draft)?;
    Ok(())
}

/// An acceptance of a household made as the screens make it: `answers` saved one by one,
/// camera photos in every slot (`photo_seed` counts them), the household head's signature
/// and the inspectors' drawn by hand (`stroke_seed` varies the strokes), then submitted.
pub fn accept<'a>(
    app: &FieldApp,
    household: Uuid,
    head_name: &str,
    answers: impl IntoIterator<Item = (&'a str, Answer)>,
    photo_seed: &mut u64,
    stroke_seed: f32,
) -> Result<SubmitOutcome, BoxError> {
    let view = app.open_draft(household, SubmissionKind::Acceptance)?;
    let draft = view.draft.id;
    let mut revision = view.draft.revision;
    for (key, answer) in answers {
        revision = app
            .save_answer(draft, key, Some(answer), Some(revision))?
            .revision;
    }
    let fix = near(view.household.location.as_ref());
    for (slot, n) in PHOTO_SLOTS {
        for _ in 0..n {
            *photo_seed += 1;
            revision = add_camera_photo(app, draft, slot, revision, *photo_seed, fix)?;
        }
    }
    revision = app
        .sign(
            draft,
            "sign_household_head",
            head_name,
            SignatureMethod::Handwritten,
            handwriting(stroke_seed),
            Some(revision),
        )?
        .state
        .revision;
    sign_as_inspectors(app, draft, revision, stroke_seed + 3.0)?;
    Ok(app.submit_draft(draft)?)
}

/// Where a phone at the house would say it is: about 20 m north of the roster's
/// coordinates, to 10 m; no fix when the roster has none (the signal was not there).
pub fn near(house: Option<&Coordinates>) -> Option<Fix> {
    Some(match house {
        Some(house) => Fix::Position(Position {
            latitude: house.latitude + 0.000_18,
            longitude: house.longitude,
            accuracy_m: 10.0,
            fixed_at: Utc::now(),
        }),
        None => Fix::NoFix {
            reason: NoFixReason::Unavailable,
        },
    })
}

/// A camera-like photo of 800 × 600 into a slot, taken where `fix` says; returns the
/// draft's revision after.
pub fn add_camera_photo(
    app: &FieldApp,
    draft: Uuid,
    slot: &str,
    revision: i64,
    seed: u64,
    fix: Option<Fix>,
) -> Result<i64, BoxError> {
    Ok(app
        .add_photo(IncomingPhoto {
            draft_id: draft,
            slot,
            expected_revision: Some(revision),
            bytes: &camera_jpeg(800, 600, seed)?,
            fix,
            source: anju_core::location::PhotoSource::Camera,
        })?
        .state
        .revision)
}

/// Each department's inspector signs by hand; returns the draft's revision after. A
/// department whose member is in the team on this device (the demo's 验收组) confirms with
/// the member's demo PIN; one with none signs with a typed name.
pub fn sign_as_inspectors(
    app: &FieldApp,
    draft: Uuid,
    mut revision: i64,
    seed: f32,
) -> Result<i64, AppError> {
    let team = app.team()?;
    for (index, (slot, name)) in INSPECTOR_SLOTS.iter().enumerate() {
        let strokes = handwriting(index as f32 + seed);
        let member = team.as_ref().and_then(|t| {
            t.members
                .iter()
                .find(|m| Some(m.department) == slot_department(slot))
        });
        let pin = member.and_then(|m| demo_pin(&m.account));
        revision = match (member, pin) {
            (Some(member), Some(pin)) => {
                app.sign_with_pin(draft, slot, &member.account, pin, strokes, Some(revision))?
            }
            _ => app.sign(
                draft,
                slot,
                name,
                SignatureMethod::Handwritten,
                strokes,
                Some(revision),
            )?,
        }
        .state
        .revision;
    }
    Ok(revision)
}

/// The department whose inspector signs an acceptance slot (`sign_poverty` …).
pub fn slot_department(slot: &str) -> Option<anju_core::model::Department> {
    anju_core::model::Department::from_code(slot.strip_prefix("sign_")?)
}

/// The demo team's member for a department (li for 发改委) and their PIN.
pub fn demo_member(
    department: anju_core::model::Department,
) -> Option<(&'static str, &'static str)> {
    let account = if department == anju_core::model::Department::Reform {
        "li"
    } else {
        anju_office::demo::DEMO_TEAM_MEMBERS
            .iter()
            .find(|(_, d, _)| *d == department)
            .map(|(login, ..)| *login)?
    };
    Some((account, demo_pin(account)?))
}

/// A demo team member's PIN (`anju_office::demo::DEMO_PINS`).
pub fn demo_pin(account: &str) -> Option<&'static str> {
    anju_office::demo::DEMO_PINS
        .iter()
        .find(|(login, _)| *login == account)
        .map(|(_, pin)| *pin)
}

/// A field app in `dir` with the tests' short sync timeouts, signed in as li at the office
/// at `url` and synced.
pub async fn inspector_app(dir: &Path, url: &str) -> Result<FieldApp, BoxError> {
    member_app(dir, url, INSPECTOR).await
}

/// A field app in `dir` signed in as `login` (a demo user) at the office at `url`, synced.
pub async fn member_app(dir: &Path, url: &str, login: &str) -> Result<FieldApp, BoxError> {
    let app = FieldApp::open(
        dir,
        AppOptions {
            sync: crate::fixtures::test_config(),
            background_sync: crate::fixtures::test_config(),
            ..AppOptions::field_defaults()
        },
    )?;
    app.sign_in(url, login, DEMO_PASSWORD).await?;
    app.sync_now(SyncTrigger::Manual, |_| {}).await?;
    Ok(app)
}

/// The household on the device that `text` (a name or a number) finds.
pub fn household_on_device(app: &FieldApp, text: &str) -> Result<Uuid, BoxError> {
    Ok(app
        .list_households(&HouseholdQuery {
            text: Some(text.into()),
            ..HouseholdQuery::default()
        })?
        .items
        .pop()
        .ok_or_else(|| format!("{text} on the device"))?
        .id)
}

/// The district admin as the office's services see them, without a user id: for reading
/// pages, not for anything recorded under their name.
pub fn admin_viewer() -> anju_office::services::Viewer {
    anju_office::services::Viewer {
        user_id: String::new(),
        name: "admin".into(),
        role: anju_core::wire::Role::Admin,
        township: None,
    }
}

/// The district admin with their user id, for what the office records under their name
/// (reviews, plans).
pub fn district_admin(
    db: &anju_office::db::OfficeDb,
) -> Result<anju_office::services::Viewer, BoxError> {
    let user_id: String =
        db.connection()
            .query_row("SELECT id FROM users WHERE name = 'admin'", [], |r| {
                r.get(0)
            })?;
    Ok(anju_office::services::Viewer {
        user_id,
        ..admin_viewer()
    })
}

/// One inspector's visit of `kind` through the field app's commands: `answers`, a camera
/// photo in `photo_slot`, li's signature; submitted, not synced.
pub fn submit_visit(
    app: &FieldApp,
    household: Uuid,
    kind: SubmissionKind,
    answers: &[(&str, Answer)],
    photo_slot: &str,
    seed: u64,
) -> Result<Uuid, BoxError> {
    let view = app.open_draft(household, kind)?;
    if view.draft.form_id != kind.form_id() {
        return Err(format!("a {} draft on form {}", kind.code(), view.draft.form_id).into());
    }
    if !view.pin_signers.is_empty() {
        return Err("one inspector signs this visit by hand".into());
    }
    let draft = view.draft.id;
    let mut revision = view.draft.revision;
    for (key, answer) in answers {
        revision = app
            .save_answer(draft, key, Some(answer.clone()), Some(revision))?
            .revision;
    }
    revision = add_camera_photo(app, draft, photo_slot, revision, seed, None)?;
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

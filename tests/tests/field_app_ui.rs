//! The real field app, end to end, as an inspector uses it: `anju-field` under Xvfb,
//! driven through tauri-driver and WebKitWebDriver, against a real `anju-office serve`
//! with the demo data on loopback. Screenshots of each screen go to
//! `artifacts/field-app/`.
//!
//! These need the built app, Xvfb, WebKitWebDriver and tauri-driver, which `scripts/test`
//! installs and builds before it runs them (`--ignored`); run alone they say what is missing.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use anju_tests::field::{INSPECTOR_SLOTS, PHOTO_SLOTS, ZHENG, camera_files};
use anju_tests::fixtures::{
    DEMO_PASSWORD, INSPECTOR, OfficeHoldings, OfficeProcess, TOWNSHIP, office_data,
};
use anju_tests::real_app::{Display, RealApp, sync_in_app};
use anju_tests::seed::{demo_member, slot_department};
use anju_tests::webdriver::WebDriver;
use rusqlite::OpenFlags;
use serde_json::json;

type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

const SUPERVISOR: &str = "zhou";

const SCREEN: Duration = Duration::from_secs(60);
const SHORT: Duration = Duration::from_secs(20);

fn testid(id: &str) -> String {
    format!("[data-testid=\"{id}\"]")
}

async fn click(wd: &WebDriver, id: &str) -> TestResult {
    wd.click_css(&testid(id), SHORT).await
}

/// Type into the input (or textarea) inside the element with this test id.
async fn fill(wd: &WebDriver, id: &str, text: &str) -> TestResult {
    let css = format!("{0} input, {0} textarea", testid(id));
    wd.type_into(&css, text, SHORT).await
}

async fn wait_saved(wd: &WebDriver) -> TestResult {
    wd.wait_until(
        "every change saved",
        "const s = document.querySelector('[data-testid=\"save-state\"]');
         return s && s.dataset.state === 'saved';",
        vec![],
        SHORT,
    )
    .await
    .map(|_| ())
}

async fn sign_in(app: &mut RealApp, office_url: &str, prefix: &str) -> TestResult {
    let wd = &app.wd;
    wd.wait_route("sign-in", SCREEN).await?;
    fill(wd, "server-url", office_url).await?;
    fill(wd, "user-name", INSPECTOR).await?;
    fill(wd, "password", DEMO_PASSWORD).await?;
    app.screenshot(prefix, "sign-in").await?;
    click(&app.wd, "sign-in-button").await?;
    app.wd.wait_route("households", SCREEN).await?;
    app.wd
        .wait_until(
            "the 14 households of 东河口镇 are listed",
            "return document.querySelectorAll('[data-testid=\"household-item\"]').length === 14;",
            vec![],
            SCREEN,
        )
        .await?;
    Ok(())
}

/// Search the households list for 郑怀圣 until only he is listed.
async fn search_zheng(wd: &WebDriver) -> TestResult {
    fill(wd, "household-search", ZHENG).await?;
    wd.wait_until(
        "only 郑怀圣 is listed",
        "const items = document.querySelectorAll('[data-testid=\"household-item\"]');
         return items.length === 1 && items[0].textContent.includes(arguments[0]);",
        vec![json!(ZHENG)],
        SHORT,
    )
    .await?;
    Ok(())
}

/// Sync in the app, then open 郑怀圣's household page from the households list.
async fn sync_and_open_zheng(wd: &WebDriver) -> TestResult {
    sync_in_app(wd).await?;
    click(wd, "tab-households").await?;
    wd.wait_route("households", SHORT).await?;
    search_zheng(wd).await?;
    click(wd, "household-item").await?;
    wd.wait_route("household", SHORT).await?;
    Ok(())
}

async fn open_zheng(app: &mut RealApp, prefix: &str) -> TestResult {
    search_zheng(&app.wd).await?;
    app.screenshot(prefix, "search").await?;
    click(&app.wd, "household-item").await?;
    app.wd.wait_route("household", SHORT).await?;
    app.screenshot(prefix, "household").await?;
    Ok(())
}

/// The yes/no answers: every check passes but the drainage.
const YES: [&str; 18] = [
    "target_registered",
    "target_members_match",
    "quality_walls",
    "quality_roof",
    "quality_doors_windows",
    "move_in_water",
    "move_in_power",
    "move_in_road",
    "move_in_kitchen",
    "move_in_toilet",
    "move_in_rooms",
    "move_in_keys",
    "move_in_living",
    "site_no_geohazard",
    "site_no_flood",
    "site_access",
    "old_house_agreement",
    "old_house_demolished",
];

async fn draw_signature(wd: &WebDriver, seed: i64) -> TestResult {
    let canvas = wd.wait_for(&testid("signature-canvas"), SHORT).await?;
    // The pad slides up from the bottom: sign once it has come to rest on the screen.
    wd.wait_until(
        "the signature pad is open and still",
        "const c = document.querySelector('[data-testid=\"signature-canvas\"]');
         if (!c) return false;
         const r = c.getBoundingClientRect();
         const key = `${r.top},${r.height}`;
         const still = window.__anjuPadRect === key;
         window.__anjuPadRect = key;
         return still && r.top >= 0 && r.bottom <= window.innerHeight && r.width > 300;",
        vec![],
        SHORT,
    )
    .await?;
    // A wavy line left to right, and a second stroke: positions relative to the centre.
    let first: Vec<(i64, i64)> = (0..24)
        .map(|i| (-150 + i * 12, ((i + seed) % 5 - 2) * 12))
        .collect();
    wd.drag(&canvas, &first).await?;
    wd.drag(&canvas, &[(-40, -30), (0, 10), (40, 30)]).await?;
    click(wd, "signature-confirm").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the built field app, Xvfb and tauri-driver: scripts/test runs it"]
async fn the_inspector_does_the_whole_job_in_the_real_app() -> TestResult {
    let office_dir = tempfile::tempdir()?;
    office_data(office_dir.path())?;
    {
        // A supervisor who re-measures in the same township, on their own phone.
        let mut db = anju_office::db::OfficeDb::open(office_dir.path())?;
        anju_office::users::add_user(
            &db,
            SUPERVISOR,
            anju_core::wire::Role::Inspector,
            Some(anju_core::model::Department::Housing),
            None,
            DEMO_PASSWORD,
        )?;
        anju_office::assign::assign(
            &mut db,
            SUPERVISOR,
            &anju_office::assign::Target::Township(TOWNSHIP.into()),
        )?;
    }
    let office = OfficeProcess::spawn(office_dir.path(), "127.0.0.1:0")?;
    let device_dir = tempfile::tempdir()?;
    let display = Display::start()?;
    let mut app = RealApp::launch(&display, device_dir.path(), Some(&office.url())).await?;
    let mut result = whole_job(&mut app, &office, office_dir.path(), device_dir.path()).await;
    if result.is_ok() {
        result = a_supervisor_re_measures_on_another_device(&mut app, &office.url()).await;
    }
    if result.is_ok() {
        result = a_new_policy_reaches_the_app(&mut app, office_dir.path()).await;
    }
    if result.is_err() {
        let _ = app.screenshot("job", "FAILED").await;
    }
    app.close().await?;
    result
}

async fn whole_job(
    app: &mut RealApp,
    office: &OfficeProcess,
    office_dir: &Path,
    device_dir: &Path,
) -> TestResult {
    let prefix = "job";
    let photos_dir = tempfile::tempdir()?;
    sign_in(app, &office.url(), prefix).await?;
    app.screenshot(prefix, "households").await?;
    open_zheng(app, prefix).await?;
    click(&app.wd, "start-acceptance").await?;
    app.wd.wait_route("form", SCREEN).await?;
    app.screenshot(prefix, "form").await?;

    let wd = &app.wd;
    for key in YES {
        click(wd, &format!("item-{key}-yes")).await?;
    }
    click(wd, "item-move_in_drainage-no").await?;
    fill(wd, "item-move_in_drainage-note", "屋后排水沟未修通").await?;
    click(wd, "item-move_in_drainage-record-finding").await?;
    click(wd, "item-old_house_reclaimed-not_applicable").await?;
    fill(wd, "item-target_people_present", "4").await?;
    fill(wd, "item-funding_self_yuan", "10000").await?;
    click(wd, "item-quality_structure-opt-brick_concrete").await?;
    click(wd, "item-quality_safety_grade-opt-a").await?;
    click(wd, "item-opinion_satisfaction-opt-satisfied").await?;
    fill(wd, "item-opinion_text", "新房宽敞，希望尽快修好排水沟").await?;
    wait_saved(wd).await?;

    // The area: 10.00 × 9.60 m at 3.00 m storey height for 4 people.
    click(wd, "area-add-part").await?;
    fill(wd, "area-part-0-label", "一层主体").await?;
    fill(wd, "area-part-0-length", "10").await?;
    fill(wd, "area-part-0-width", "9.6").await?;
    fill(wd, "area-part-0-height", "3.0").await?;
    wd.wait_until(
        "the built area is 96.00 m², within the cap",
        "const b = document.querySelector('[data-testid=\"area-built\"]');
         const v = document.querySelector('[data-testid=\"area-verdict\"]');
         return b && b.textContent.includes('96.00') && v && v.dataset.over === 'false';",
        vec![],
        SHORT,
    )
    .await?;
    let per_person = wd.wait_for(&testid("area-per-person"), SHORT).await?;
    assert!(wd.text(&per_person).await?.contains("24.00"));
    // The demo district's policy (version 2) came with the first pull.
    let policy = wd.wait_for(&testid("area-policy"), SHORT).await?;
    assert!(wd.text(&policy).await?.contains("第2版"));
    wait_saved(wd).await?;
    let area = wd.wait_for(&testid("item-area_measurement"), SHORT).await?;
    wd.scroll_into_view(&area).await?;
    app.screenshot(prefix, "area").await?;

    // Photos through the camera's file input.
    let wd = &app.wd;
    let names: Vec<String> = PHOTO_SLOTS
        .iter()
        .flat_map(|(slot, n)| (0..*n).map(move |i| format!("{slot}-{i}")))
        .collect();
    let name_refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let files = camera_files(photos_dir.path(), &name_refs)?;
    let mut next = files.iter();
    for (slot, n) in PHOTO_SLOTS {
        for have in 1..=n {
            let input = wd
                .wait_for(&testid(&format!("photo-input-{slot}")), SHORT)
                .await?;
            let file = next.next().ok_or("a file per photo")?;
            wd.send_keys(&input, &file.display().to_string()).await?;
            wd.wait_until(
                &format!("{slot} shows {have} thumbnail(s)"),
                "return document.querySelectorAll(`[data-testid=\"item-${arguments[0]}\"] [data-testid=\"photo-thumb\"]`).length === arguments[1];",
                vec![json!(slot), json!(have)],
                SCREEN,
            )
            .await?;
        }
    }
    wait_saved(wd).await?;
    let photos = wd.wait_for(&testid("item-photo_rooms"), SHORT).await?;
    wd.scroll_into_view(&photos).await?;
    app.screenshot(prefix, "photos").await?;

    // Signatures on the pad: the head of household, then each inspector.
    let wd = &app.wd;
    click(wd, "sign-open-sign_household_head").await?;
    app.screenshot(prefix, "signature-pad").await?;
    draw_signature(&app.wd, 0).await?;
    let wd = &app.wd;
    wd.wait_for(&testid("signature-image-sign_household_head"), SCREEN)
        .await?;
    // Each department's slot is confirmed by its member of the 验收组 with their own PIN,
    // checked on the phone; the first member mistypes theirs once.
    for (index, (slot, _)) in INSPECTOR_SLOTS.iter().enumerate() {
        let wd = &app.wd;
        let department = slot_department(slot).ok_or("a department's slot")?;
        let (_, pin) = demo_member(department).ok_or("a demo member")?;
        click(wd, &format!("sign-open-{slot}")).await?;
        wd.wait_for(&testid("pin-signer"), SHORT).await?;
        if index == 0 {
            fill(wd, "signer-pin", "111112").await?;
            draw_signature(wd, index as i64 + 1).await?;
            wd.wait_until(
                "the wrong PIN is refused on the phone",
                "return [...document.querySelectorAll('.pad-body [role=alert]')]
                   .some(e => e.textContent.includes('PIN') && /4/.test(e.textContent));",
                vec![],
                SCREEN,
            )
            .await?;
            app.screenshot(prefix, "wrong-pin").await?;
            let wd = &app.wd;
            fill(wd, "signer-pin", pin).await?;
            click(wd, "signature-confirm").await?;
        } else {
            fill(wd, "signer-pin", pin).await?;
            draw_signature(wd, index as i64 + 1).await?;
        }
        let wd = &app.wd;
        wd.wait_for(&testid(&format!("signature-image-{slot}")), SCREEN)
            .await?;
    }
    let wd = &app.wd;
    wait_saved(wd).await?;
    wd.wait_until(
        "the signature pad has closed",
        "return ![...document.querySelectorAll('.van-popup, .van-overlay')]
           .some(e => getComputedStyle(e).display !== 'none');",
        vec![],
        SHORT,
    )
    .await?;
    let signed = wd.wait_for(&testid("item-sign_housing"), SHORT).await?;
    wd.scroll_into_view(&signed).await?;
    app.screenshot(prefix, "signed").await?;

    // The outline jumps to a section and shows every section complete.
    let wd = &app.wd;
    click(wd, "form-outline-open").await?;
    wd.wait_for(&testid("form-outline"), SHORT).await?;
    let incomplete = wd
        .execute(
            "return [...document.querySelectorAll('[data-testid^=\"outline-section-\"]')]
               .filter(e => e.dataset.missing === 'true').map(e => e.dataset.testid);",
            vec![],
        )
        .await?;
    assert_eq!(incomplete, json!([]), "every section is complete");
    // The sheet slides up: tap the section once it has come to rest.
    wd.wait_until(
        "the outline is open and still",
        "const o = document.querySelector('[data-testid=\"outline-section-target\"]');
         if (!o) return false;
         const r = o.getBoundingClientRect();
         const key = `${r.top},${r.height}`;
         const still = window.__anjuOutlineRect === key;
         window.__anjuOutlineRect = key;
         return still && r.top >= 0 && r.bottom <= window.innerHeight;",
        vec![],
        SHORT,
    )
    .await?;
    app.screenshot(prefix, "outline").await?;
    let wd = &app.wd;
    click(wd, "outline-section-target").await?;
    wd.wait_until(
        "the first section is at the top of the screen",
        "const s = document.querySelector('[data-testid=\"item-target_registered\"]');
         if (!s) return false;
         const r = s.getBoundingClientRect();
         return r.top >= 0 && r.top < window.innerHeight / 2;",
        vec![],
        SHORT,
    )
    .await?;

    // Submit through the summary: nothing missing, the area within the cap, the drainage
    // as the problem, the photos and the five signatures, then 提交; then sync.
    click(wd, "submit-form").await?;
    let summary = wd.wait_for(&testid("submit-summary"), SHORT).await?;
    assert_eq!(
        wd.execute(
            "const s = document.querySelector('[data-testid=\"submit-summary\"]');
             const v = document.querySelector('[data-testid=\"summary-verdict\"]');
             const a = document.querySelector('[data-testid=\"summary-area\"]');
             return [s.dataset.missing, v && v.dataset.verdict, a && a.dataset.over,
                     document.querySelectorAll('[data-testid=\"summary-photo\"]').length,
                     document.querySelectorAll('[data-testid^=\"summary-signature-\"][data-signed=\"true\"]').length];",
            vec![],
        )
        .await?,
        json!(["0", "problems", "false", 8, 5])
    );
    assert!(wd.text(&summary).await?.contains("排水"));
    app.screenshot(prefix, "summary").await?;
    let wd = &app.wd;
    click(wd, "summary-submit").await?;
    wd.wait_for(&testid("submit-done"), SCREEN).await?;
    app.screenshot(prefix, "submitted").await?;
    let wd = &app.wd;
    wd.click_css(".van-nav-bar__left", SHORT).await?;
    wd.wait_route("household", SHORT).await?;
    wd.click_css(".van-nav-bar__left", SHORT).await?;
    wd.wait_route("households", SHORT).await?;
    sync_in_app(wd).await?;
    wd.wait_until(
        "the sync screen says nothing waits",
        "const p = document.querySelector('[data-testid=\"sync-pending\"]');
         return p && !document.querySelector('[data-testid=\"sync-progress\"]');",
        vec![],
        SHORT,
    )
    .await?;
    app.screenshot(prefix, "synced").await?;
    let wd = &app.wd;
    click(wd, "tab-findings").await?;
    wd.wait_route("findings", SHORT).await?;
    wd.wait_for(&testid("finding-item"), SHORT).await?;
    app.screenshot(prefix, "findings").await?;

    // What arrived at the office is what the device made: the submission with its hash,
    // every photo and signature image byte for byte.
    let device = rusqlite::Connection::open_with_flags(
        device_dir.join(anju_store::DATABASE_FILE),
        OpenFlags::SQLITE_OPEN_READ_ONLY,
    )?;
    let (submission_id, submission_hash): (String, String) =
        device.query_row("SELECT id, content_sha256 FROM submissions", [], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })?;
    let holdings = OfficeHoldings::read(office_dir)?;
    let records = holdings.record_map()?;
    assert_eq!(
        records.get(&("submission".to_string(), submission_id.clone())),
        Some(&submission_hash)
    );
    let mut evidence: BTreeSet<String> = BTreeSet::new();
    let mut stmt = device.prepare("SELECT sha256 FROM photos")?;
    for sha in stmt.query_map([], |row| row.get::<_, String>(0))? {
        evidence.insert(sha?);
    }
    assert_eq!(evidence.len(), 8);
    let mut stmt = device.prepare("SELECT image_sha256 FROM signatures")?;
    let mut signatures = 0;
    for sha in stmt.query_map([], |row| row.get::<_, String>(0))? {
        evidence.insert(sha?);
        signatures += 1;
    }
    assert_eq!(signatures, 5);
    for sha in &evidence {
        let on_device = std::fs::read(
            device_dir
                .join(anju_store::BLOB_DIR)
                .join(&sha[..2])
                .join(sha),
        )?;
        let at_office = std::fs::read(
            office_dir
                .join(anju_office::db::BLOB_DIR)
                .join(&sha[..2])
                .join(sha),
        )?;
        assert_eq!(on_device, at_office, "blob {sha}");
    }
    let signature_records = records
        .keys()
        .filter(|(kind, _)| kind == "signature")
        .count();
    assert_eq!(signature_records, 5);
    let findings = records.keys().filter(|(kind, _)| kind == "finding").count();
    assert_eq!(findings, 1);
    Ok(())
}

/// The supervisor's device knows the area the inspector's acceptance recorded and
/// re-measures; the inspector's app then shows that spot check as another device's.
async fn a_supervisor_re_measures_on_another_device(
    app: &mut RealApp,
    office_url: &str,
) -> TestResult {
    use anju_app::{AppOptions, FieldApp, SyncTrigger};
    let prefix = "job";
    let supervisor_dir = tempfile::tempdir()?;
    let supervisor = FieldApp::open(supervisor_dir.path(), AppOptions::field_defaults())?;
    supervisor
        .sign_in(office_url, SUPERVISOR, DEMO_PASSWORD)
        .await?;
    supervisor.sync_now(SyncTrigger::Manual, |_| {}).await?;
    let zheng = supervisor
        .list_households(&anju_store::HouseholdQuery {
            text: Some(ZHENG.into()),
            ..anju_store::HouseholdQuery::default()
        })?
        .items
        .into_iter()
        .next()
        .ok_or("the supervisor has 郑怀圣")?;
    let before = supervisor.household_detail(zheng.id)?;
    let recorded = before
        .recorded_area
        .ok_or("the supervisor's device knows the recorded area")?;
    // The area the inspector's real app entered (10.00 × 9.60 m).
    assert_eq!(recorded.built_area.to_m2_string(), "96.00");
    assert!(
        before
            .inspections
            .iter()
            .all(|i| !i.on_this_device && i.inspector == INSPECTOR)
    );
    anju_tests::seed::spot_check(
        &supervisor,
        zheng.id,
        SUPERVISOR,
        anju_tests::field::house(10_100, 9_600),
        900,
    )?;
    let report = supervisor.sync_now(SyncTrigger::Manual, |_| {}).await?;
    assert!(
        report.rejected.is_empty() && report.held.is_empty(),
        "{report:?}"
    );

    // The inspector's app, synced again, shows both inspections.
    let wd = &app.wd;
    sync_and_open_zheng(wd).await?;
    wd.wait_until(
        "the supervisor's spot check is listed as another device's",
        "const rows = [...document.querySelectorAll('[data-testid=\"inspection\"]')];
         return rows.length === 2
             && rows[0].dataset.device === 'other' && rows[0].textContent.includes(arguments[0])
             && rows[1].dataset.device === 'this';",
        vec![json!(SUPERVISOR)],
        SHORT,
    )
    .await?;
    let first = app.wd.wait_for(&testid("inspection"), SHORT).await?;
    app.wd.scroll_into_view(&first).await?;
    app.screenshot(prefix, "household-spot-check-from-another-device")
        .await?;

    // The township rectifies li's drainage finding at the office; the app shows it.
    let http = reqwest::Client::new();
    let signed_in = http
        .post(format!("{office_url}/api/office/login"))
        .header("X-Anju-Office", "1")
        .json(&json!({"name": "zhang", "password": DEMO_PASSWORD}))
        .send()
        .await?;
    let cookie = signed_in
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|c| c.split(';').next())
        .ok_or("zhang's session cookie")?
        .to_string();
    let findings = app.wd.invoke("list_findings", json!({})).await?;
    let finding_id = findings[0]["finding"]["id"]
        .as_str()
        .ok_or("li's finding")?
        .to_string();
    let rectified = http
        .post(format!(
            "{office_url}/api/office/findings/{finding_id}/transition"
        ))
        .header("X-Anju-Office", "1")
        .header("Cookie", &cookie)
        .json(&json!({"to": "rectified", "note": "排水沟已修通", "evidence_sha256": null}))
        .send()
        .await?;
    assert_eq!(rectified.status(), reqwest::StatusCode::OK);
    let wd = &app.wd;
    wd.click_css(".van-nav-bar__left", SHORT).await?;
    wd.wait_route("households", SHORT).await?;
    sync_in_app(wd).await?;
    click(wd, "tab-findings").await?;
    wd.wait_route("findings", SHORT).await?;
    wd.wait_until(
        "the finding shows the office's state and note",
        "const note = document.querySelector('[data-testid=\"finding-office-note\"]');
         return note && note.textContent.includes('排水沟已修通')
             && document.body.textContent.includes('已整改');",
        vec![],
        SHORT,
    )
    .await?;
    app.screenshot(prefix, "findings-rectified-at-the-office")
        .await?;
    Ok(())
}

/// The district sets a new policy with the command line (4-person households at most
/// 90 m² in all); after its next sync the app assesses 郑怀圣's house by it: the cap it
/// shows changes, with the rule's name and the version, and the 96 m² house is over.
async fn a_new_policy_reaches_the_app(app: &mut RealApp, office_dir: &Path) -> TestResult {
    let prefix = "job";
    let office = anju_tests::fixtures::office_binary()?;
    let shown = std::process::Command::new(&office)
        .arg("--data")
        .arg(office_dir)
        .args(["policy", "show"])
        .output()?;
    assert!(
        shown.status.success(),
        "{}",
        String::from_utf8_lossy(&shown.stderr)
    );
    let mut file: serde_json::Value = serde_json::from_slice(&shown.stdout)?;
    file["effective_from"] = serde_json::Value::Null;
    file["policy"]["area_caps"]["rules"]
        .as_array_mut()
        .ok_or("rules")?
        .push(json!({
            "name": "四人户总面积不超过90平方米", "household_size": {"min": 4, "max": 4},
            "cap": {"kind": "total", "m2": "90"}
        }));
    let policy_dir = tempfile::tempdir()?;
    let path = policy_dir.path().join("policy.json");
    std::fs::write(&path, serde_json::to_vec_pretty(&file)?)?;
    let set = std::process::Command::new(&office)
        .arg("--data")
        .arg(office_dir)
        .arg("policy")
        .arg("set")
        .arg(&path)
        .args(["--by", "金安区扶贫办"])
        .output()?;
    assert!(
        set.status.success(),
        "{}",
        String::from_utf8_lossy(&set.stderr)
    );
    assert!(String::from_utf8_lossy(&set.stdout).contains("version 3"));

    let wd = &app.wd;
    wd.click_css(".van-nav-bar__left", SHORT).await.ok();
    click(wd, "tab-households").await?;
    wd.wait_route("households", SHORT).await?;
    sync_and_open_zheng(wd).await?;
    // The office's word on the acceptance the app sent: waiting for the district's review.
    wd.wait_until(
        "the household shows where it stands at the office",
        "const o = document.querySelector('[data-testid=\"household-office\"]');
         return o && o.dataset.status === 'awaiting_review' && o.textContent.includes('待审核');",
        vec![],
        SHORT,
    )
    .await?;
    click(wd, "start-spot-check").await?;
    wd.wait_route("form", SCREEN).await?;
    click(wd, "area-add-part").await?;
    fill(wd, "area-part-0-label", "一层主体").await?;
    fill(wd, "area-part-0-length", "10").await?;
    fill(wd, "area-part-0-width", "9.6").await?;
    fill(wd, "area-part-0-height", "3.0").await?;
    wd.wait_until(
        "the cap is the new policy's: 90.00 m² for a household of 4, by version 3, and 96 m² is over",
        "const cap = document.querySelector('[data-testid=\"area-cap\"]');
         const policy = document.querySelector('[data-testid=\"area-policy\"]');
         const v = document.querySelector('[data-testid=\"area-verdict\"]');
         return cap && cap.textContent.includes('90.00') && cap.textContent.includes('四人户总面积不超过90平方米')
             && policy && policy.dataset.version === '3' && v && v.dataset.over === 'true';",
        vec![],
        SHORT,
    )
    .await?;
    let cap = app.wd.wait_for(&testid("area-cap"), SHORT).await?;
    app.wd.scroll_into_view(&cap).await?;
    app.screenshot(prefix, "area-under-the-new-policy").await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the built field app, Xvfb and tauri-driver: scripts/test runs it"]
async fn killing_the_app_while_filling_the_form_loses_nothing() -> TestResult {
    let prefix = "kill";
    let office_dir = tempfile::tempdir()?;
    office_data(office_dir.path())?;
    let office = OfficeProcess::spawn(office_dir.path(), "127.0.0.1:0")?;
    let device_dir = tempfile::tempdir()?;
    let display = Display::start()?;
    let mut app = RealApp::launch(&display, device_dir.path(), Some(&office.url())).await?;
    sign_in(&mut app, &office.url(), prefix).await?;
    open_zheng(&mut app, prefix).await?;
    click(&app.wd, "start-acceptance").await?;
    app.wd.wait_route("form", SCREEN).await?;

    let wd = &app.wd;
    click(wd, "item-target_registered-yes").await?;
    click(wd, "item-move_in_water-no").await?;
    fill(wd, "item-move_in_water-note", "自来水管还没接到屋里").await?;
    fill(wd, "item-target_people_present", "4").await?;
    click(wd, "area-add-part").await?;
    fill(wd, "area-part-0-label", "一层主体").await?;
    fill(wd, "area-part-0-length", "12").await?;
    fill(wd, "area-part-0-width", "8.5").await?;
    fill(wd, "area-part-0-height", "2.9").await?;
    fill(wd, "item-opinion_text", "希望早日通水").await?;
    wait_saved(wd).await?;
    app.screenshot(prefix, "before-kill").await?;

    let killed = app.kill_app()?;
    assert!(killed >= 1, "the app process was found and killed");
    app.restart().await?;
    let wd = &app.wd;
    wd.wait_route("households", SCREEN).await?;
    // The household is a draft now, and its form comes back with every answer.
    wd.wait_until(
        "one household is a draft",
        "const c = document.querySelector('[data-testid=\"status-count-draft\"]');
         return c && c.textContent.trim() === '1';",
        vec![],
        SCREEN,
    )
    .await?;
    open_zheng(&mut app, prefix).await?;
    click(&app.wd, "start-acceptance").await?;
    let wd = &app.wd;
    wd.wait_route("form", SCREEN).await?;
    let note_css = format!("{} textarea", testid("item-move_in_water-note"));
    wd.wait_until(
        "the note typed before the kill is back",
        "const n = document.querySelector(arguments[0]);
         return n && n.value === arguments[1];",
        vec![json!(note_css), json!("自来水管还没接到屋里")],
        SCREEN,
    )
    .await?;
    let opinion = wd
        .wait_for(&format!("{} textarea", testid("item-opinion_text")), SHORT)
        .await?;
    let value = wd
        .execute(
            "return arguments[0].value;",
            vec![json!({"element-6066-11e4-a52e-4f735466cecf": opinion.0})],
        )
        .await?;
    assert_eq!(value, json!("希望早日通水"));
    wd.wait_until(
        "the area editor shows the measured part",
        "const b = document.querySelector('[data-testid=\"area-built\"]');
         return b && b.textContent.includes('102.00');",
        vec![],
        SCREEN,
    )
    .await?;
    // And the draft itself, read through the app's command.
    let household = wd
        .invoke(
            "list_households",
            json!({"query": {"text": ZHENG, "township": null, "site": null, "status": null,
                             "with_open_findings": false, "limit": null, "offset": null}}),
        )
        .await?;
    let id = household["items"][0]["id"]
        .as_str()
        .ok_or("household id")?
        .to_string();
    let view = wd
        .invoke(
            "open_draft",
            json!({"householdId": id, "kind": "acceptance"}),
        )
        .await?;
    let answers = &view["draft"]["answers"];
    assert_eq!(answers["target_registered"]["value"], json!("yes"));
    assert_eq!(
        answers["move_in_water"]["note"],
        json!("自来水管还没接到屋里")
    );
    assert_eq!(
        answers["target_people_present"]["value"].as_f64(),
        Some(4.0)
    );
    assert_eq!(
        answers["area_measurement"]["measurement"]["parts"][0]["shape"]["length_mm"],
        json!(12000)
    );
    app.screenshot(prefix, "after-restart").await?;

    // The inspector throws this draft away: asked to confirm, then it is gone.
    let wd = &app.wd;
    click(wd, "discard-draft").await?;
    wd.click_css(".van-dialog__confirm", SHORT).await?;
    wd.wait_route("household", SHORT).await?;
    let detail = wd
        .invoke("household_detail", json!({"householdId": id}))
        .await?;
    assert!(detail["acceptance_draft"].is_null(), "{detail}");
    assert_eq!(detail["status"], json!("to_inspect"));
    app.close().await?;
    drop(office);
    assert!(Path::new(&device_dir.path().join(anju_store::DATABASE_FILE)).is_file());
    Ok(())
}

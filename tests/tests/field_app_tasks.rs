//! Issue 15 in the real field app: the 任务 tab lists what the office planned for li, a
//! re-check of a rectified finding and a planned 旧房拆除核实 past its due date (red), and a
//! task opens its form with what is to be checked. Screenshots go to `artifacts/field-app/`.
//!
//! These need the built app, Xvfb, WebKitWebDriver and tauri-driver, which `scripts/test`
//! installs and builds before it runs them (`--ignored`).

use std::time::Duration;

use anju_app::SyncTrigger;
use anju_tests::field::{ZHENG, zheng_answers};
use anju_tests::fixtures::{
    DEMO_PASSWORD, INSPECTOR, OfficeProcess, office_data, office_sql_writer,
};
use anju_tests::pages::Page;
use anju_tests::real_app::{Display, RealApp, sync_in_app};
use anju_tests::seed::{accept, household_on_device, inspector_app};
use chrono::Utc;
use reqwest::StatusCode;
use serde_json::json;

type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

const SCREEN: Duration = Duration::from_secs(60);
const SHORT: Duration = Duration::from_secs(20);

fn testid(id: &str) -> String {
    format!("[data-testid=\"{id}\"]")
}

async fn fill(wd: &anju_tests::webdriver::WebDriver, id: &str, text: &str) -> TestResult {
    wd.type_into(&format!("{} input", testid(id)), text, SHORT)
        .await
}

/// li's acceptance of 郑怀圣 (with its drainage problem) from another phone, the township's
/// 已整改, and a demolition check the district planned for a neighbour, now overdue.
async fn the_office_plans(office: &OfficeProcess, office_dir: &std::path::Path) -> TestResult {
    let other_phone = tempfile::tempdir()?;
    let app = inspector_app(other_phone.path(), &office.url()).await?;
    let zheng = household_on_device(&app, ZHENG)?;
    let mut seed = 70;
    let deadline = Utc::now().date_naive() + chrono::Duration::days(20);
    accept(&app, zheng, ZHENG, zheng_answers(deadline), &mut seed, 1.0)?;
    let report = app.sync_now(SyncTrigger::Manual, |_| {}).await?;
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);

    let zhang = Page::sign_in(&office.url(), "zhang").await?;
    let (_, list) = zhang.get("/api/office/findings?state=open").await?;
    let finding = list["rows"]
        .as_array()
        .ok_or("rows")?
        .iter()
        .find(|f| f["household_id"] == zheng.to_string())
        .and_then(|f| f["id"].as_str())
        .ok_or("the drainage finding")?
        .to_string();
    let (status, body) = zhang
        .post(
            &format!("/api/office/findings/{finding}/transition"),
            json!({"to": "rectified", "note": "排水沟已修通"}),
        )
        .await?;
    assert_eq!(status, StatusCode::OK, "{body}");

    let neighbour: String = office_sql_writer(office_dir)?.query_row(
        "SELECT h.number FROM households h JOIN assignments a ON a.household_id = h.id
         JOIN users u ON u.id = a.user_id
         WHERE u.name = ?1 AND h.head_name <> ?2 ORDER BY h.number LIMIT 1",
        [INSPECTOR, ZHENG],
        |r| r.get(0),
    )?;
    let admin = Page::sign_in(&office.url(), "admin").await?;
    let due = anju_core::records::china_date(Utc::now());
    let (status, body) = admin
        .post(
            "/api/office/tasks",
            json!({"visit": "demolition", "inspector": INSPECTOR, "households": [neighbour],
                   "due_on": due, "instructions": "拆除后核实，拍摄同一位置前后照片"}),
        )
        .await?;
    assert_eq!(status, StatusCode::OK, "{body}");
    // It was due three days ago.
    office_sql_writer(office_dir)?.execute(
        "UPDATE tasks SET due_on = ?1 WHERE kind = 'visit'",
        [(due - chrono::Duration::days(3)).to_string()],
    )?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the built field app, Xvfb and tauri-driver: scripts/test runs it"]
async fn the_task_list_shows_rechecks_and_planned_visits_in_the_real_app() -> TestResult {
    let office_dir = tempfile::tempdir()?;
    office_data(office_dir.path())?;
    let office = OfficeProcess::spawn(office_dir.path(), "127.0.0.1:0")?;
    the_office_plans(&office, office_dir.path()).await?;
    let device = tempfile::tempdir()?;
    let display = Display::start()?;
    let mut app = RealApp::launch(&display, device.path(), Some(&office.url())).await?;
    let result = the_task_list(&mut app).await;
    if result.is_err() {
        let _ = app.screenshot("tasks", "FAILED").await;
    }
    app.close().await?;
    result
}

async fn the_task_list(app: &mut RealApp) -> TestResult {
    let prefix = "tasks";
    let wd = &app.wd;
    wd.wait_route("sign-in", SCREEN).await?;
    fill(wd, "password", DEMO_PASSWORD).await?;
    wd.click_css(&testid("sign-in-button"), SHORT).await?;
    wd.wait_route("households", SCREEN).await?;
    sync_in_app(wd).await?;

    wd.click_css(&testid("tab-tasks"), SHORT).await?;
    wd.wait_route("tasks", SHORT).await?;
    wd.wait_until(
        "both tasks are listed",
        "return document.querySelectorAll('[data-testid=\"task-item\"]').length === 2;",
        vec![],
        SCREEN,
    )
    .await?;
    // The overdue demolition check first and red; the re-check with what the township did.
    let listed = wd
        .execute(
            "return [...document.querySelectorAll('[data-testid=\"task-item\"]')].map((i) => ({
                 visit: i.querySelector('[data-testid=\"task-visit\"]').dataset.visit,
                 overdue: i.classList.contains('overdue'),
                 due: i.querySelector('[data-testid=\"task-due\"]')?.textContent.trim(),
                 text: i.textContent }));",
            vec![],
        )
        .await?;
    assert_eq!(listed[0]["visit"], "demolition", "{listed}");
    assert_eq!(listed[0]["overdue"], true, "{listed}");
    assert_eq!(listed[0]["due"], "逾期 3 天", "{listed}");
    assert!(
        listed[0]["text"]
            .as_str()
            .is_some_and(|t| t.contains("拆除后核实，拍摄同一位置前后照片")),
        "{listed}"
    );
    assert_eq!(listed[1]["visit"], "recheck", "{listed}");
    assert_eq!(listed[1]["overdue"], false, "{listed}");
    assert!(
        listed[1]["text"]
            .as_str()
            .is_some_and(|t| t.contains("乡镇整改情况：排水沟已修通")),
        "{listed}"
    );
    app.screenshot(prefix, "list").await?;

    // The re-check opens its own form, saying what is to be checked.
    let wd = &app.wd;
    wd.execute(
        "document.querySelectorAll('[data-testid=\"task-item\"]')[1].click();",
        vec![],
    )
    .await?;
    wd.wait_route("form", SCREEN).await?;
    wd.wait_for(&testid("recheck-of"), SCREEN).await?;
    let header = wd
        .execute(
            "return [document.querySelector('[data-testid=\"recheck-of\"]').textContent,
                     document.querySelector('[data-testid=\"form-title\"]').textContent];",
            vec![],
        )
        .await?;
    assert!(
        header[0]
            .as_str()
            .is_some_and(|t| t.contains("复查问题：") && t.contains("排水沟已修通")),
        "{header}"
    );
    assert!(
        header[1].as_str().is_some_and(|t| t.contains("整改复查表")),
        "{header}"
    );
    wd.wait_for(&testid("item-rectified_on_site"), SHORT)
        .await?;
    app.screenshot(prefix, "recheck-form").await?;
    Ok(())
}

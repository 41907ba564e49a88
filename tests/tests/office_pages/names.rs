//! Real names on official records (issue 13): pages, exports and printed forms name the
//! office's people 姓名（单位/部门）, never by their login; the Chinese form is all Chinese
//! and the English one English; a user without a name shows their login, marked.

use std::io::Cursor;

use anju_tests::fixtures::{InProcessOffice, office_data};
use anju_tests::pages::Page;
use anju_tests::seed::field_results;
use calamine::{Reader, Xlsx};
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::TestResult;

/// The demo's inspector `li` and admin `admin`, as records name them.
const LI: &str = "李晓峰（区发改委）";
const LI_EN: &str = "李晓峰 (区发改委)";
const ADMIN: &str = "王建国（区易地扶贫搬迁办公室）";

fn rows_of(xlsx: Vec<u8>) -> Result<Vec<Vec<String>>, Box<dyn std::error::Error + Send + Sync>> {
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(xlsx))?;
    let sheet = book.worksheet_range_at(0).ok_or("a sheet")??;
    Ok(sheet
        .rows()
        .map(|row| row.iter().map(|c| c.to_string()).collect())
        .collect())
}

/// The text a reader of the page sees: no style, no tags, entities read.
fn visible_text(html: &str) -> String {
    let mut text = String::new();
    let mut rest = html;
    // The style sheet is not read by anyone.
    if let (Some(start), Some(end)) = (rest.find("<style>"), rest.find("</style>")) {
        text.push_str(&rest[..start]);
        rest = &rest[end..];
    }
    text.push_str(rest);
    let mut out = String::new();
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
}

/// Runs of three or more Latin letters: English words (units are m², ids are digits,
/// the standard's name GB/T has two-letter runs).
fn english_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut run = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_alphabetic() {
            run.push(c);
        } else {
            if run.len() >= 3 {
                words.push(run.clone());
            }
            run.clear();
        }
    }
    words
}

fn first_text<'a>(value: &'a Value, lang: &str) -> &'a str {
    value[lang].as_str().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn official_records_name_people_not_logins() -> TestResult {
    let office_dir = tempfile::tempdir()?;
    office_data(office_dir.path())?;
    let office = InProcessOffice::start(office_dir.path()).await?;
    let device = tempfile::tempdir()?;
    let seeded = field_results(&office.url(), device.path(), 2, 0).await?;
    let url = office.url();
    let admin = Page::sign_in(&url, "admin").await?;

    // The session names the user.
    let (_, session) = admin.get("/api/office/session").await?;
    assert_eq!(session["name"], "admin");
    assert_eq!(first_text(&session["display"], "zh"), ADMIN);

    // The review queue names the inspector; the admin approves the first acceptance.
    let (_, queue) = admin.get("/api/office/review").await?;
    let pending = queue["submissions"].as_array().ok_or("submissions")?;
    assert!(!pending.is_empty());
    for item in pending {
        assert_eq!(item["inspector"], "li");
        assert_eq!(first_text(&item["inspector_display"], "zh"), LI);
        assert_eq!(first_text(&item["inspector_display"], "en"), LI_EN);
    }
    let first_item = pending
        .iter()
        .find(|i| i["household_number"] == seeded.accepted[0].as_str())
        .ok_or("the first acceptance")?;
    let household = first_item["household_id"].as_str().ok_or("id")?.to_string();
    let (status, answer) = admin
        .post(
            &format!(
                "/api/office/review/{}",
                first_item["submission_id"].as_str().unwrap_or("")
            ),
            json!({"decision": "approved", "note": null}),
        )
        .await?;
    assert!(status.is_success(), "{answer}");

    // A household: its list row, its detail with the inspector and the reviewer.
    let (_, page) = admin.get("/api/office/households?limit=500").await?;
    let row = page["rows"]
        .as_array()
        .ok_or("rows")?
        .iter()
        .find(|r| r["id"] == household.as_str())
        .ok_or("the household's row")?;
    assert_eq!(first_text(&row["inspectors_display"][0], "zh"), LI);
    let (_, detail) = admin
        .get(&format!("/api/office/households/{household}"))
        .await?;
    let submission = &detail["submissions"][0];
    assert_eq!(first_text(&submission["inspector_display"], "zh"), LI);
    assert_eq!(first_text(&submission["review"]["by_display"], "zh"), ADMIN);
    let (_, places) = admin.get("/api/office/places").await?;
    // Every inspector by name (li's team members too), li among them.
    let inspectors = places["inspectors"].as_array().ok_or("inspectors")?;
    assert!(
        inspectors
            .iter()
            .any(|i| first_text(&i["display"], "zh") == LI),
        "{inspectors:?}"
    );

    // The Chinese printed form: all Chinese, the office's people by name.
    let (status, html) = admin
        .bytes(&format!("/api/office/forms/{household}"))
        .await?;
    assert_eq!(status, StatusCode::OK);
    let html = String::from_utf8(html)?;
    assert!(
        html.contains(&format!("<th>检查员</th><td>{LI}</td>")),
        "{html}"
    );
    assert!(html.contains(&format!("{ADMIN} · 审核通过")), "{html}");
    let text = visible_text(&html);
    assert!(!text.contains("national rule"), "{text}");
    assert_eq!(english_words(&text), Vec::<String>::new(), "{text}");
    // The check itself is able to fail.
    assert_eq!(
        english_words("上限（国家标准 / national rule）= 25 m²"),
        ["national", "rule"]
    );

    // The English form: English labels, the same people (their names are theirs).
    let (status, html) = admin
        .bytes(&format!("/api/office/forms/{household}?lang=en"))
        .await?;
    assert_eq!(status, StatusCode::OK);
    let html = String::from_utf8(html)?;
    let text = visible_text(&html);
    for english in [
        "acceptance supervision form",
        "Head of household",
        "Inspector",
        "Built area",
        "Signatures",
        "Problems and rectification",
    ] {
        assert!(text.contains(english), "{english}: {text}");
    }
    assert!(
        html.contains(&format!("<th>Inspector</th><td>{LI_EN}</td>")),
        "{html}"
    );
    for chinese in ["验收监督表", "户主", "检查员", "签字确认", "国家标准"] {
        assert!(
            !text.contains(chinese),
            "{chinese} in the English form: {text}"
        );
    }
    let (status, refused) = admin
        .get(&format!("/api/office/forms/{household}?lang=fr"))
        .await?;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");

    // Exports: the households' inspectors and the audit log's actors by name, the login
    // beside it in the log.
    let (_, xlsx) = admin.bytes("/api/office/exports/households.xlsx").await?;
    let households = rows_of(xlsx)?;
    let line = households
        .iter()
        .find(|r| r[0] == seeded.accepted[0])
        .ok_or("the household's line")?;
    assert_eq!(line[13], LI);
    let (_, xlsx) = admin.bytes("/api/office/exports/audit.xlsx").await?;
    let audit = rows_of(xlsx)?;
    assert!(
        audit[3..].iter().any(|r| r[1] == ADMIN && r[2] == "admin"),
        "{audit:?}"
    );
    let (_, log) = admin.get("/api/office/audit").await?;
    let entry = &log["entries"][0];
    assert_eq!(entry["actor"], "admin");
    assert_eq!(first_text(&entry["actor_display"], "zh"), ADMIN);

    // The users page: the admin renames the inspector; every record follows.
    let (status, users) = admin.get("/api/office/users").await?;
    assert_eq!(status, StatusCode::OK, "{users}");
    let li = users
        .as_array()
        .ok_or("users")?
        .iter()
        .find(|u| u["name"] == "li")
        .ok_or("li")?;
    assert_eq!(li["full_name"], "李晓峰");
    assert_eq!(li["title"], "科员");
    let (status, changed) = admin
        .post(
            "/api/office/users/li",
            json!({"full_name": "李某某", "organisation": "区住建局"}),
        )
        .await?;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(first_text(&changed["display"], "zh"), "李某某（区住建局）");
    assert_eq!(changed["title"], "科员", "a field left out stays");
    let (_, detail) = admin
        .get(&format!("/api/office/households/{household}"))
        .await?;
    assert_eq!(
        first_text(&detail["submissions"][0]["inspector_display"], "zh"),
        "李某某（区住建局）"
    );
    let (status, refused) = admin
        .post("/api/office/users/nobody", json!({"full_name": "某某"}))
        .await?;
    assert_eq!(status, StatusCode::NOT_FOUND, "{refused}");
    let (status, refused) = admin
        .post(
            "/api/office/users/li",
            json!({"full_name": "长".repeat(65)}),
        )
        .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    let (_, log) = admin.get("/api/office/audit?action=user_profile").await?;
    assert_eq!(log["entries"][0]["target"], "li");

    // A township user may not manage users.
    let zhang = Page::sign_in(&url, "zhang").await?;
    let (status, _) = zhang.get("/api/office/users").await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = zhang
        .post("/api/office/users/li", json!({"full_name": "张三"}))
        .await?;
    assert_eq!(status, StatusCode::FORBIDDEN);

    office.stop().await?;
    Ok(())
}

//! Personal data by need, and who did what: ID and phone numbers are masked on every page
//! and printed form unless someone asks (and the asking is recorded), and the audit log
//! holds the sign-ins, reveals, reviews, finding transitions and policy changes, for the
//! district admin alone.

use anju_tests::fixtures::{InProcessOffice, office_data};
use anju_tests::pages::Page;
use anju_tests::seed::field_results;
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::TestResult;

fn actions(log: &Value) -> Vec<(String, String, String)> {
    log["entries"]
        .as_array()
        .map(|entries| {
            entries
                .iter()
                .map(|e| {
                    let text = |k: &str| e[k].as_str().unwrap_or_default().to_string();
                    (text("action"), text("actor"), text("target"))
                })
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn personal_data_is_masked_revealed_on_request_and_every_step_is_in_the_audit_log()
-> TestResult {
    let office_dir = tempfile::tempdir()?;
    office_data(office_dir.path())?;
    let office = InProcessOffice::start(office_dir.path()).await?;
    let device = tempfile::tempdir()?;
    field_results(&office.url(), device.path(), 2, 1).await?;
    let url = office.url();
    let admin = Page::sign_in(&url, "admin").await?;
    let zhang = Page::sign_in(&url, "zhang").await?;

    // zhang's own household: masked on the page and on the printed form.
    let (_, own) = zhang.get("/api/office/households?limit=1").await?;
    let id = own["rows"][0]["id"]
        .as_str()
        .ok_or("a household")?
        .to_string();
    let (status, detail) = zhang.get(&format!("/api/office/households/{id}")).await?;
    assert_eq!(status, StatusCode::OK);
    let masked = detail["id_number"].as_str().ok_or("id_number")?;
    assert_eq!(masked.chars().count(), 18);
    assert_eq!(&masked[6..14], "********", "{masked}");
    let (_, form) = zhang.bytes(&format!("/api/office/forms/{id}")).await?;
    let form = String::from_utf8(form)?;
    assert!(
        form.contains(masked),
        "the printed form shows the masked number"
    );

    // Revealed on request: the whole number, which the form did not show.
    let (status, full) = zhang
        .post(&format!("/api/office/households/{id}/reveal"), json!({}))
        .await?;
    assert_eq!(status, StatusCode::OK, "{full}");
    let whole = full["id_number"].as_str().ok_or("id_number")?;
    assert_eq!(&whole[..6], &masked[..6]);
    assert_eq!(&whole[14..], &masked[14..]);
    assert!(
        whole.chars().all(|c| c.is_ascii_digit() || c == 'X'),
        "{whole}"
    );
    assert!(!form.contains(whole));
    // The form in full, asked for by name.
    let (status, full_form) = zhang
        .bytes(&format!("/api/office/forms/{id}?full=true"))
        .await?;
    assert_eq!(status, StatusCode::OK);
    assert!(String::from_utf8(full_form)?.contains(whole));

    // Not for a household of another township.
    let (_, elsewhere) = admin
        .get("/api/office/households?township=%E6%A4%BF%E6%A0%91%E9%95%87&limit=1")
        .await?;
    let other = elsewhere["rows"][0]["id"]
        .as_str()
        .ok_or("another township's")?;
    let (status, _) = zhang
        .post(&format!("/api/office/households/{other}/reveal"), json!({}))
        .await?;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // The district reviews an acceptance and changes a finding; each goes in the log.
    let (_, queue) = admin.get("/api/office/review").await?;
    let first = queue["submissions"][0]["submission_id"]
        .as_str()
        .ok_or("a submission to review")?
        .to_string();
    let (status, answer) = admin
        .post(
            &format!("/api/office/review/{first}"),
            json!({"decision": "returned", "note": "照片不清"}),
        )
        .await?;
    assert_eq!(status, StatusCode::NO_CONTENT, "{answer}");

    // The log is the admin's alone.
    let (status, _) = zhang.get("/api/office/audit").await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, log) = admin.get("/api/office/audit").await?;
    assert_eq!(status, StatusCode::OK, "{log}");
    let seen = actions(&log);
    let has = |action: &str, actor: &str, target: &str| {
        seen.iter().any(|(a, who, what)| {
            a == action && who == actor && (target.is_empty() || what == target)
        })
    };
    assert!(has("sign_in", "zhang", ""), "{seen:?}");
    assert!(has("sign_in", "admin", ""), "{seen:?}");
    assert!(has("reveal", "zhang", &id), "{seen:?}");
    assert!(has("export_full", "zhang", &id), "{seen:?}");
    assert!(has("review", "admin", &first), "{seen:?}");
    assert!(
        !has("reveal", "zhang", other),
        "a refused reveal is no reveal"
    );
    // Newest first, and a filter by action.
    let (_, reveals) = admin.get("/api/office/audit?action=reveal").await?;
    assert_eq!(actions(&reveals).len(), 1);
    let (status, _) = admin.get("/api/office/audit?action=nonsense").await?;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // And as a spreadsheet.
    let (status, xlsx) = admin.bytes("/api/office/exports/audit.xlsx").await?;
    assert_eq!(status, StatusCode::OK);
    assert!(xlsx.starts_with(b"PK"));
    let (status, _) = zhang.bytes("/api/office/exports/audit.xlsx").await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    office.stop().await?;
    Ok(())
}

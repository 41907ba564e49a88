//! One damaged record never takes a list down: rows written wrong (by an older version,
//! by hand, by a damaged disk) are shown as damaged with their id while everything else
//! loads, in the pages, the exports and the pull; `anju-office damaged` sets them aside
//! with a reason, without editing a submission.

use anju_tests::fixtures::{DEMO_PASSWORD, INSPECTOR, InProcessOffice, office_data};
use anju_tests::pages::Page;
use anju_tests::records::SyncClient;
use anju_tests::seed::field_results;
use reqwest::StatusCode;
use serde_json::Value;

type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

fn damaged_ids(list: &Value) -> Vec<String> {
    list.as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d["id"].as_str().map(str::to_string))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_row_is_shown_as_such_and_the_rest_loads() -> TestResult {
    let dir = tempfile::tempdir()?;
    office_data(dir.path())?;
    let office = InProcessOffice::start(dir.path()).await?;
    let device = tempfile::tempdir()?;
    let seeded = field_results(&office.url(), device.path(), 3, 0).await?;
    let admin = Page::sign_in(&office.url(), "admin").await?;

    // Damage a submission (its time no longer reads back), a finding (its deadline), and a
    // household (its ID number and members), as a disk or a hand edit might.
    let (submission, household, finding, other) = {
        let conn = anju_tests::fixtures::office_sql_writer(dir.path())?;
        let (submission, household): (String, String) = conn.query_row(
            "SELECT s.id, s.household_id FROM submissions s JOIN households h ON h.id = s.household_id
             WHERE h.number = ?1",
            [&seeded.accepted[0]],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        // Submissions are immutable; only damage gets past the trigger.
        conn.execute_batch(match conn.backend() {
            anju_sql::Backend::Sqlite => "DROP TRIGGER submissions_are_immutable",
            anju_sql::Backend::Postgres => "DROP TRIGGER submissions_are_immutable ON submissions",
        })?;
        conn.execute(
            "UPDATE submissions SET device_time = '+12345-01-01T00:00:00+00:00',
                 trusted_time = NULL, answers_json = '{\"broken' WHERE id = ?1",
            [&submission],
        )?;
        let finding: String = conn.query_row(
            "SELECT id FROM findings WHERE household_id <> ?1 ORDER BY id LIMIT 1",
            [&household],
            |r| r.get(0),
        )?;
        conn.execute(
            "UPDATE findings SET deadline = 'soon' WHERE id = ?1",
            [&finding],
        )?;
        let other: String = conn.query_row(
            "SELECT id FROM households WHERE number = ?1",
            [&seeded.accepted[2]],
            |r| r.get(0),
        )?;
        conn.execute(
            "UPDATE households SET id_number = 'X', members_json = '[' WHERE id = ?1",
            [&other],
        )?;
        (submission, household, finding, other)
    };

    // The lists load, naming what they cannot show.
    let (status, page) = admin
        .get(&format!("/api/office/households/{household}"))
        .await?;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(
        damaged_ids(&page["damaged"]).contains(&submission),
        "{page}"
    );
    let (status, queue) = admin.get("/api/office/review").await?;
    assert_eq!(status, StatusCode::OK);
    assert!(damaged_ids(&queue["damaged"]).contains(&submission));
    assert_eq!(
        queue["submissions"].as_array().map(Vec::len),
        Some(2),
        "the other acceptances are listed"
    );
    let (status, findings) = admin.get("/api/office/findings").await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        damaged_ids(&findings["damaged"]),
        std::slice::from_ref(&finding)
    );
    assert!(!findings["rows"].as_array().ok_or("rows")?.is_empty());
    let (status, page) = admin
        .get(&format!("/api/office/households/{other}"))
        .await?;
    assert_eq!(status, StatusCode::OK);
    assert!(damaged_ids(&page["damaged"]).contains(&other));
    for path in [
        "/api/office/dashboard",
        "/api/office/households?limit=500",
        "/api/office/exports/households.xlsx",
        "/api/office/exports/findings.xlsx",
        "/api/office/exports/townships.xlsx",
    ] {
        let (status, body) = admin.bytes(path).await?;
        assert_eq!(
            status,
            StatusCode::OK,
            "{path}: {}",
            String::from_utf8_lossy(&body)
        );
    }
    let (status, _) = admin
        .bytes(&format!("/api/office/forms/{household}"))
        .await?;
    assert_eq!(status, StatusCode::OK, "the form prints what can be read");
    // The inspector's pull leaves out what it cannot read and sends the rest.
    let li = SyncClient::sign_in(&office.url(), INSPECTOR, DEMO_PASSWORD).await?;
    let (status, pulled) = li.pull().await?;
    assert_eq!(status, StatusCode::OK, "{pulled}");
    let sent: Vec<&str> = pulled["households"]
        .as_array()
        .ok_or("households")?
        .iter()
        .filter_map(|h| h["id"].as_str())
        .collect();
    assert_eq!(sent.len(), 13, "14 assigned, 1 unreadable");
    assert!(!sent.contains(&other.as_str()));

    // Set aside from the command line: out of the lists and counts, rows unchanged.
    {
        let mut db = anju_office::db::OfficeDb::open(dir.path())?;
        let found = anju_office::damaged::scan(&db)?;
        let kinds: Vec<(&str, &str)> = found
            .iter()
            .map(|d| (d.kind.as_str(), d.id.as_str()))
            .collect();
        assert!(
            kinds.contains(&("submission", submission.as_str())),
            "{found:?}"
        );
        assert!(kinds.contains(&("finding", finding.as_str())), "{found:?}");
        assert!(kinds.contains(&("household", other.as_str())), "{found:?}");
        let set_aside = anju_office::damaged::quarantine_all(&mut db, "测试")?;
        assert_eq!(set_aside.len(), 3, "{set_aside:?}");
        let answers: String = db.connection().query_row(
            "SELECT answers_json FROM submissions WHERE id = ?1",
            [&submission],
            |r| r.get(0),
        )?;
        assert_eq!(answers, "{\"broken", "the submission is kept as it is");
    }
    let (_, queue) = admin.get("/api/office/review").await?;
    assert!(damaged_ids(&queue["damaged"]).is_empty());
    let (_, findings) = admin.get("/api/office/findings").await?;
    assert!(damaged_ids(&findings["damaged"]).is_empty());
    let (_, board) = admin.get("/api/office/dashboard").await?;
    assert_eq!(board["set_aside"], 3);
    let (_, pulled) = li.pull().await?;
    assert_eq!(
        pulled["assigned_count"], 13,
        "a household set aside is not assigned out"
    );
    office.stop().await?;
    Ok(())
}

//! Batch approval of the records that raise nothing, the roster template read back and
//! imported, an empty roster file refused as empty, and the households no inspector has.

use std::io::Cursor;

use anju_tests::fixtures::{InProcessOffice, office_data};
use anju_tests::pages::Page;
use anju_tests::seed::field_results;
use calamine::{Reader, Xlsx};
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::TestResult;

fn ids(queue: &Value, raises_nothing: bool) -> Vec<String> {
    queue["submissions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|s| s["raises_nothing"] == raises_nothing)
        .filter_map(|s| s["submission_id"].as_str().map(str::to_string))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_approves_only_what_raises_nothing() -> TestResult {
    let office_dir = tempfile::tempdir()?;
    office_data(office_dir.path())?;
    let office = InProcessOffice::start(office_dir.path()).await?;
    let device = tempfile::tempdir()?;
    // Every second household has a drainage finding; the second is over the area cap.
    field_results(&office.url(), device.path(), 4, 0).await?;
    let admin = Page::sign_in(&office.url(), "admin").await?;
    let zhang = Page::sign_in(&office.url(), "zhang").await?;

    let (_, queue) = admin.get("/api/office/review").await?;
    let clean = ids(&queue, true);
    let raising = ids(&queue, false);
    assert!(!clean.is_empty(), "{queue}");
    assert!(!raising.is_empty(), "{queue}");

    // Bounded: more than 200 ids are refused as a whole, as is an empty list.
    let many: Vec<String> = (0..201).map(|i| format!("s{i}")).collect();
    let (status, error) = admin
        .post(
            "/api/office/reviews/approve-batch",
            json!({"submission_ids": many}),
        )
        .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
    assert!(
        error["message"]
            .as_str()
            .unwrap_or_default()
            .contains("200")
    );
    let (status, _) = admin
        .post(
            "/api/office/reviews/approve-batch",
            json!({"submission_ids": []}),
        )
        .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // Only the district approves.
    let (status, error) = zhang
        .post(
            "/api/office/reviews/approve-batch",
            json!({"submission_ids": clean}),
        )
        .await?;
    assert_eq!(status, StatusCode::FORBIDDEN, "{error}");

    let mut asked = clean.clone();
    asked.push(raising[0].clone());
    asked.push("no-such-submission".into());
    asked.push(clean[0].clone());
    let (status, answer) = admin
        .post(
            "/api/office/reviews/approve-batch",
            json!({"submission_ids": asked}),
        )
        .await?;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let approved: Vec<&str> = answer["approved"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(
        approved,
        clean.iter().map(String::as_str).collect::<Vec<_>>()
    );
    let refused = answer["refused"].as_array().ok_or("refused")?;
    assert_eq!(refused.len(), 2, "{answer}");
    assert_eq!(refused[0]["submission_id"], raising[0].as_str());
    assert_eq!(refused[0]["code"], "raises_something");
    assert_eq!(refused[1]["code"], "not_waiting");

    // The approved ones left the queue and were logged; the one that raises something waits.
    let (_, after) = admin.get("/api/office/review").await?;
    assert!(ids(&after, true).is_empty(), "{after}");
    assert_eq!(ids(&after, false), raising);
    let (_, log) = admin.get("/api/office/audit?action=review").await?;
    let logged = log["entries"].as_array().map_or(0, Vec::len);
    assert_eq!(logged, clean.len(), "{log}");
    drop(office);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_template_imports_an_empty_file_is_empty_and_unassigned_households_are_counted()
-> TestResult {
    let office_dir = tempfile::tempdir()?;
    office_data(office_dir.path())?;
    let office = InProcessOffice::start(office_dir.path()).await?;
    let admin = Page::sign_in(&office.url(), "admin").await?;

    let (status, template) = admin.bytes("/api/office/roster/template.xlsx").await?;
    assert_eq!(status, StatusCode::OK);
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(template.clone()))?;
    let sheet = book.worksheet_range_at(0).ok_or("a sheet")??;
    let rows: Vec<Vec<String>> = sheet
        .rows()
        .map(|row| row.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(rows.len(), 2, "{rows:?}");
    for header in [
        "乡镇",
        "村",
        "户主姓名",
        "身份证号",
        "家庭人口",
        "安置方式",
        "安置点",
    ] {
        assert!(rows[0].iter().any(|h| h == header), "{header} in {rows:?}");
    }
    let (status, preview) = admin
        .upload("/api/office/import/preview", template, "template.xlsx")
        .await?;
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert_eq!(preview["valid_rows"], 1, "{preview}");
    assert_eq!(preview["errors"], json!([]));

    // Each group says how many of its households no inspector has; assigning a whole
    // township to an inspector leaves none of it unassigned.
    let unassigned = |overview: &Value, township: &str| -> u64 {
        overview["sites"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|s| s["township"] == township)
            .map(|s| s["unassigned"].as_u64().unwrap_or(0))
            .sum()
    };
    let (_, before) = admin.get("/api/office/assignments").await?;
    let sites = before["sites"].as_array().ok_or("sites")?;
    for site in sites {
        assert!(
            site["unassigned"].as_u64() <= site["households"].as_u64(),
            "{site}"
        );
    }
    let township = sites
        .iter()
        .find(|s| s["unassigned"].as_u64() > Some(0))
        .and_then(|s| s["township"].as_str())
        .ok_or("a township with unassigned households")?
        .to_string();
    let (_, places) = admin.get("/api/office/places").await?;
    let inspector = places["inspectors"][0]["name"]
        .as_str()
        .ok_or("an inspector")?
        .to_string();
    let (status, changed) = admin
        .post(
            "/api/office/assignments",
            json!({"inspector": inspector, "township": township, "site": null,
                   "households": [], "unassign": false}),
        )
        .await?;
    assert_eq!(status, StatusCode::OK, "{changed}");
    let (_, after) = admin.get("/api/office/assignments").await?;
    assert_eq!(unassigned(&after, &township), 0, "{after}");

    for (bytes, name) in [
        (Vec::new(), "empty.csv"),
        (
            "乡镇,村,户主姓名,身份证号,家庭人口,安置方式\n"
                .as_bytes()
                .to_vec(),
            "headers.csv",
        ),
    ] {
        let (status, error) = admin
            .upload("/api/office/import/preview", bytes, name)
            .await?;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
        assert_eq!(error["error"], "roster_empty", "{name}: {error}");
    }
    drop(office);
    Ok(())
}

/// A photo taken far from the house is for a person to weigh: the review queue says where
/// it was taken, and such a record is never approved in a batch.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_photo_far_from_the_house_keeps_a_record_out_of_a_batch() -> TestResult {
    let office_dir = tempfile::tempdir()?;
    office_data(office_dir.path())?;
    let office = InProcessOffice::start(office_dir.path()).await?;
    let device = tempfile::tempdir()?;
    field_results(&office.url(), device.path(), 4, 0).await?;
    let admin = Page::sign_in(&office.url(), "admin").await?;
    let (_, queue) = admin.get("/api/office/review").await?;
    // The seeded phone stood about 20 m from each house: nothing to note.
    let clean: Vec<&Value> = queue["submissions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|s| s["raises_nothing"] == true)
        .collect();
    let db = anju_tests::fixtures::office_sql_writer(office_dir.path())?;
    // A clean record of a household the roster gave coordinates (not every one has them).
    let mut first = None;
    for item in &clean {
        assert_eq!(item["evidence_notes"], json!([]), "{item}");
        let household = item["household_id"].as_str().unwrap_or_default();
        let placed: bool = db.query_row(
            "SELECT latitude IS NOT NULL FROM households WHERE id = ?1",
            [household],
            |row| row.get(0),
        )?;
        if placed && first.is_none() {
            first = Some(*item);
        }
    }
    let first = first.ok_or(format!("a clean record of a placed household: {queue}"))?;
    let household = first["household_id"].as_str().ok_or("a household")?;
    let submission = first["submission_id"].as_str().ok_or("a submission")?;

    // The roster is corrected: the house is 1.1 km from where the photos were taken.
    let moved = db.execute(
        "UPDATE households SET latitude = latitude + 0.01 WHERE id = ?1",
        [household],
    )?;
    assert_eq!(moved, 1);
    let (_, queue) = admin.get("/api/office/review").await?;
    let item = queue["submissions"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|s| s["submission_id"] == submission)
        .ok_or("still waiting")?;
    assert_eq!(item["raises_nothing"], false, "{item}");
    let note = item["evidence_notes"][0]["zh"].as_str().unwrap_or_default();
    assert!(note.contains("照片位置距房屋"), "{item}");
    let (status, answer) = admin
        .post(
            "/api/office/reviews/approve-batch",
            json!({"submission_ids": [submission]}),
        )
        .await?;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["approved"], json!([]), "{answer}");
    assert_eq!(answer["refused"][0]["code"], "raises_something", "{answer}");
    Ok(())
}

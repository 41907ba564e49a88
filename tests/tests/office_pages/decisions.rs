//! The office's own decisions: 面积超标 closed by a spot check within the cap, and a new
//! policy version judging the day's acceptances again.

use anju_tests::fixtures::{InProcessOffice, office_data};
use anju_tests::pages::Page;
use anju_tests::seed::field_results;
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::TestResult;

/// An office with the demo, and li's field results on `count` households made on a device.
struct WithResults {
    office: InProcessOffice,
    device: tempfile::TempDir,
    seeded: anju_tests::seed::Seeded,
    admin: Page,
    _office_dir: tempfile::TempDir,
}

async fn with_results(
    count: usize,
) -> Result<WithResults, Box<dyn std::error::Error + Send + Sync>> {
    let office_dir = tempfile::tempdir()?;
    office_data(office_dir.path())?;
    let office = InProcessOffice::start(office_dir.path()).await?;
    let device = tempfile::tempdir()?;
    let seeded = field_results(&office.url(), device.path(), count, 0).await?;
    let admin = Page::sign_in(&office.url(), "admin").await?;
    Ok(WithResults {
        office,
        device,
        seeded,
        admin,
        _office_dir: office_dir,
    })
}

/// The households list's row of a household, by its number.
async fn row_of(
    admin: &Page,
    number: &str,
) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
    let (_, page) = admin
        .get(&format!("/api/office/households?q={number}"))
        .await?;
    Ok(page["rows"][0].clone())
}

/// 面积超标 closes by itself when a spot check re-measures the house within the cap: the
/// re-measure is the evidence, and the household is no longer 不合格.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spot_check_within_the_cap_closes_the_area_finding() -> TestResult {
    use anju_app::{AppOptions, FieldApp, SyncTrigger};
    let WithResults {
        office,
        device,
        seeded,
        admin,
        _office_dir: _data,
    } = with_results(2).await?;
    let row = row_of(&admin, &seeded.over_cap[0]).await?;
    let id = row["id"]
        .as_str()
        .ok_or("the over-limit household")?
        .to_string();
    let area_findings = |detail: &Value| -> Vec<Value> {
        detail["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|f| f["origin"] == "area_over_cap")
            .cloned()
            .collect()
    };
    let (_, detail) = admin.get(&format!("/api/office/households/{id}")).await?;
    assert_eq!(area_findings(&detail).len(), 1);
    assert_eq!(area_findings(&detail)[0]["state"], "open");
    let acceptance = detail["submissions"][0]["id"]
        .as_str()
        .ok_or("id")?
        .to_string();
    let (status, _) = admin
        .post(
            &format!("/api/office/review/{acceptance}"),
            json!({"decision": "approved", "note": null}),
        )
        .await?;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, detail) = admin.get(&format!("/api/office/households/{id}")).await?;
    assert_eq!(detail["row"]["status"], "failed");

    // The supervisor re-measures: 9.2 m × 9 m for the household, within 25 m² a person.
    let li = FieldApp::open(device.path(), AppOptions::field_defaults())?;
    let household = uuid::Uuid::parse_str(&id)?;
    let size = row["size"].as_u64().ok_or("size")? as i64;
    anju_tests::seed::spot_check(
        &li,
        household,
        "li",
        anju_tests::field::house(2_300 * size, 9_000),
        800,
    )?;
    li.sync_now(SyncTrigger::Manual, |_| {}).await?;
    let (_, detail) = admin.get(&format!("/api/office/households/{id}")).await?;
    let [closed] = area_findings(&detail)
        .try_into()
        .map_err(|_| "one area finding")?;
    assert_eq!(closed["state"], "closed");
    let last = closed["events"]
        .as_array()
        .and_then(|e| e.last())
        .ok_or("its closing event")?;
    assert!(
        last["note"]
            .as_str()
            .unwrap_or_default()
            .starts_with("抽查复核实测建筑面积"),
        "{last}"
    );
    assert_eq!(last["by"], "li");
    assert_eq!(
        detail["row"]["over_cap"], false,
        "the latest measurement is within"
    );
    assert_eq!(detail["row"]["verdict"], "pass_after_rectification");
    assert_eq!(detail["row"]["accepted"], true);
    office.stop().await?;
    Ok(())
}

/// A new policy version in force today judges today's acceptances again: a house within the
/// old cap but over the new one becomes 不合格, with 面积超标 raised once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_policy_judges_the_days_acceptances_again() -> TestResult {
    let WithResults {
        office,
        seeded,
        admin,
        device: _device,
        _office_dir: _data,
    } = with_results(1).await?;
    let row = row_of(&admin, &seeded.accepted[0]).await?;
    let id = row["id"].as_str().ok_or("the household")?.to_string();
    let size = row["size"].as_u64().ok_or("size")?;
    let (_, detail) = admin.get(&format!("/api/office/households/{id}")).await?;
    assert_eq!(detail["row"]["over_cap"], false);
    assert_eq!(detail["submissions"][0]["judgement"]["policy_version"], 2);

    // 20 m² a person from today: the house (23 m² a person) is now over.
    let (_, policy) = admin.get("/api/office/policy").await?;
    let mut file: Value =
        serde_json::from_str(policy["versions"][0]["file"].as_str().ok_or("file")?)?;
    file["effective_from"] = Value::Null;
    file["policy"]["area_caps"]["rules"] = json!([
        {"name": "国家标准", "cap": {"kind": "per_person", "m2": "25"}},
        {"name": "本区人均不超过20平方米", "province": "安徽省", "cap": {"kind": "per_person", "m2": "20"}}
    ]);
    for _ in 0..2 {
        // Set twice: the second version judges again, and raises nothing new.
        let (status, set) = admin
            .post(
                "/api/office/policy",
                json!({"file": file.to_string(), "dry_run": false}),
            )
            .await?;
        assert_eq!(status, StatusCode::OK, "{set}");
    }
    let (_, detail) = admin.get(&format!("/api/office/households/{id}")).await?;
    assert_eq!(detail["submissions"][0]["judgement"]["policy_version"], 4);
    assert_eq!(detail["row"]["over_cap"], true, "{size} people, 20 m² each");
    assert_eq!(detail["row"]["verdict"], "fail");
    let raised: Vec<&Value> = detail["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["origin"] == "area_over_cap")
        .collect();
    assert_eq!(raised.len(), 1, "raised once");
    assert!(
        raised[0]["description"]
            .as_str()
            .unwrap_or_default()
            .contains("本区人均不超过20平方米"),
        "{}",
        raised[0]
    );
    office.stop().await?;
    Ok(())
}

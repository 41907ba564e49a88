//! Issue 15: 帮扶措施. A township records a household's measures and whether it is able to
//! develop an industry project; the household page says what it lacks; the report gives
//! the shortfall per township; bad input is refused with what is wrong, and a township
//! cannot touch another's households.

use anju_tests::fixtures::{InProcessOffice, TOWNSHIP, office_data};
use anju_tests::pages::Page;
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::TestResult;

fn township<'a>(report: &'a Value, name: &str) -> Option<&'a Value> {
    report["rows"]
        .as_array()?
        .iter()
        .find(|r| r["township"] == name)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn support_measures_are_recorded_and_the_shortfall_reported_per_township() -> TestResult {
    let office_dir = tempfile::tempdir()?;
    office_data(office_dir.path())?;
    let office = InProcessOffice::start(office_dir.path()).await?;
    let admin = Page::sign_in(&office.url(), "admin").await?;
    let zhang = Page::sign_in(&office.url(), "zhang").await?;

    // The county: every household counted once, the total the sum of the townships.
    let (status, county) = admin.get("/api/office/support").await?;
    assert_eq!(status, StatusCode::OK, "{county}");
    let rows = county["rows"].as_array().ok_or("rows")?;
    assert!(rows.len() > 1);
    let sum = |key: &str| rows.iter().filter_map(|r| r[key].as_u64()).sum::<u64>();
    for key in [
        "households",
        "measures",
        "meeting",
        "short_of_five",
        "without_industry",
    ] {
        assert_eq!(county["total"][key].as_u64(), Some(sum(key)), "{key}");
    }
    assert_eq!(county["total"]["households"], 121);
    assert!(county["total"]["short_of_five"].as_u64().unwrap_or(0) > 0);
    // A township user sees their own township only.
    let (_, own) = zhang.get("/api/office/support").await?;
    assert_eq!(own["rows"].as_array().map(Vec::len), Some(1));
    let before = township(&own, TOWNSHIP)
        .ok_or("the township's row")?
        .clone();

    // A household of the township short of five measures.
    let (_, list) = zhang.get("/api/office/households?limit=200").await?;
    let mut short = None;
    for row in list["rows"].as_array().ok_or("rows")? {
        let id = row["id"].as_str().ok_or("id")?;
        let (_, page) = zhang.get(&format!("/api/office/households/{id}")).await?;
        if page["support"]["shortfall"]["missing"]
            .as_u64()
            .unwrap_or(0)
            > 0
        {
            short = Some((id.to_string(), page["support"].clone()));
            break;
        }
    }
    let (id, support) = short.ok_or("a household short of measures")?;
    assert!(
        support["shortfall_text"]["zh"]
            .as_str()
            .is_some_and(|t| t.starts_with("尚缺")),
        "{support}"
    );
    let add = format!("/api/office/households/{id}/support");

    // Refused: no description, a start in the future.
    let (status, refused) = zhang
        .post(
            &add,
            json!({"category": "industry", "description": "  ", "started_on": null}),
        )
        .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert!(
        refused["message"]
            .as_str()
            .is_some_and(|m| m.contains("请写明帮扶措施的内容"))
    );
    let (status, refused) = zhang
        .post(
            &add,
            json!({"category": "industry", "description": "养殖", "started_on": "2099-01-01"}),
        )
        .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    let (status, _) = zhang
        .post(
            &add,
            json!({"category": "nonsense", "description": "x", "started_on": null}),
        )
        .await?;
    assert!(status.is_client_error());

    // Able to develop, and measures added until the requirement is met.
    let (status, now) = zhang
        .post(
            &format!("/api/office/households/{id}/able-to-develop"),
            json!({"able": true}),
        )
        .await?;
    assert_eq!(status, StatusCode::OK, "{now}");
    let mut now = now;
    let mut n = 0;
    while now["shortfall"]["missing"].as_u64().unwrap_or(0) > 0
        || now["shortfall"]["needs_industry"] == true
    {
        let category = if now["shortfall"]["needs_industry"] == true {
            "industry"
        } else {
            "employment"
        };
        let (status, next) = zhang
            .post(
                &add,
                json!({"category": category, "description": format!("措施{n}"), "started_on": null}),
            )
            .await?;
        assert_eq!(status, StatusCode::OK, "{next}");
        now = next;
        n += 1;
        assert!(n < 10, "the requirement is met within a few measures");
    }
    assert_eq!(now["shortfall_text"]["zh"], "已达要求");
    let added = now["measures"]
        .as_array()
        .and_then(|m| m.last())
        .ok_or("the measure added")?
        .clone();
    // Recorded by a person, named as records name them.
    assert!(
        added["recorded_by"]["zh"]
            .as_str()
            .is_some_and(|name| !name.is_empty() && name != "zhang")
    );
    let (_, after) = zhang.get("/api/office/support").await?;
    let after = township(&after, TOWNSHIP).ok_or("the row")?;
    assert_eq!(
        after["meeting"].as_u64(),
        before["meeting"].as_u64().map(|m| m + 1)
    );

    // Taking one back makes it short again; a measure that is not there is a 404.
    let measure = added["id"].as_str().ok_or("id")?;
    let remove = format!("/api/office/households/{id}/support/{measure}/remove");
    let (status, back) = zhang.post(&remove, json!({})).await?;
    assert_eq!(status, StatusCode::OK, "{back}");
    assert_eq!(
        back["measures"].as_array().map(Vec::len),
        Some(now["measures"].as_array().map_or(0, Vec::len) - 1)
    );
    let (status, _) = zhang.post(&remove, json!({})).await?;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Another township's household is not zhang's to change.
    let (_, all) = admin.get("/api/office/households?limit=200").await?;
    let other = all["rows"]
        .as_array()
        .ok_or("rows")?
        .iter()
        .find(|r| r["township"] != TOWNSHIP)
        .and_then(|r| r["id"].as_str())
        .ok_or("another township's household")?;
    let (status, _) = zhang
        .post(
            &format!("/api/office/households/{other}/support"),
            json!({"category": "health", "description": "x", "started_on": null}),
        )
        .await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    Ok(())
}

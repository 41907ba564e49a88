//! Issue 15: the forms page. Every office user reads the versions, a preview and a diff;
//! only the district office publishes, checked first; a refused file says what is wrong
//! and where, and publishing is in the audit log.

use anju_core::form::acceptance_form_v2_sample;
use anju_tests::fixtures::{InProcessOffice, office_data};
use anju_tests::pages::Page;
use reqwest::StatusCode;
use serde_json::json;

use super::TestResult;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_district_publishes_a_form_version_and_everyone_reads_it() -> TestResult {
    let office_dir = tempfile::tempdir()?;
    office_data(office_dir.path())?;
    let office = InProcessOffice::start(office_dir.path()).await?;
    let admin = Page::sign_in(&office.url(), "admin").await?;
    let zhang = Page::sign_in(&office.url(), "zhang").await?;

    // Version 1 of each form is built in.
    let (status, page) = zhang.get("/api/office/form-versions").await?;
    assert_eq!(status, StatusCode::OK, "{page}");
    let versions = page["versions"].as_array().ok_or("versions")?;
    // Acceptance, spot check, the old house's two checks, the re-check, the move-in check,
    // 开工放线, 建设进度, 面积丈量督查 and 乡镇初验.
    let builtin = anju_core::form::PUBLISHABLE_FORMS.len();
    assert_eq!(builtin, 10);
    assert_eq!(versions.len(), builtin, "{page}");
    assert!(
        versions
            .iter()
            .all(|v| v["builtin"] == true && v["version"] == 1)
    );

    let file = serde_json::to_string_pretty(&acceptance_form_v2_sample())?;
    // A township user may not publish.
    let (status, refused) = zhang
        .post(
            "/api/office/form-versions",
            json!({"file": file, "dry_run": true}),
        )
        .await?;
    assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");

    // A damaged file is refused with what is wrong and where; nothing is published.
    let mut broken = acceptance_form_v2_sample();
    broken.sections[0].items[0].relevant = Some(anju_core::form::Condition::Answered {
        item: "quality_walls".into(),
        is: anju_core::form::YesNo::No,
    });
    let (status, refused) = admin
        .post(
            "/api/office/form-versions",
            json!({"file": serde_json::to_string(&broken)?, "dry_run": false}),
        )
        .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(refused["error"], "form_refused");
    assert_eq!(refused["field"], "file");
    let message = refused["message"].as_str().ok_or("message")?;
    assert!(
        message.contains("sections[0].items[0]") && message.contains("不是本项之前的项目"),
        "{message}"
    );
    let (status, refused) = admin
        .post(
            "/api/office/form-versions",
            json!({"file": "{\"id\": ", "dry_run": true}),
        )
        .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert!(
        refused["message"].as_str().unwrap_or("").contains("第1行"),
        "{refused}"
    );

    // Checked first: the changes and the preview, nothing published.
    let (status, checked) = admin
        .post(
            "/api/office/form-versions",
            json!({"file": file, "dry_run": true}),
        )
        .await?;
    assert_eq!(status, StatusCode::OK, "{checked}");
    assert!(checked["published"].is_null());
    let changes = checked["changes"].as_array().ok_or("changes")?;
    assert!(
        changes
            .iter()
            .any(|c| c["change"] == "added" && c["item"] == "bought_contract")
    );
    let (_, page) = admin.get("/api/office/form-versions").await?;
    // A dry run publishes nothing.
    assert_eq!(page["versions"].as_array().map(Vec::len), Some(builtin));

    // Published, by the admin's official name.
    let (status, done) = admin
        .post(
            "/api/office/form-versions",
            json!({"file": file, "note": "增加分散购房核实", "dry_run": false}),
        )
        .await?;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["published"]["version"], 2);
    let by = done["published"]["published_by"]
        .as_str()
        .ok_or("published_by")?;
    assert!(
        !by.is_empty() && by != "admin",
        "a record names people, not logins: {by}"
    );
    // The same file again is not a new version.
    let (status, again) = admin
        .post(
            "/api/office/form-versions",
            json!({"file": file, "dry_run": false}),
        )
        .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{again}");
    assert!(
        again["message"]
            .as_str()
            .unwrap_or("")
            .contains("版本号应为3"),
        "{again}"
    );

    // Everyone reads the new version, its preview and the diff.
    let (_, page) = zhang.get("/api/office/form-versions").await?;
    let latest: Vec<_> = page["versions"]
        .as_array()
        .ok_or("versions")?
        .iter()
        .filter(|v| v["latest"] == true)
        .map(|v| (v["form_id"].clone(), v["version"].clone()))
        .collect();
    assert!(
        latest.contains(&(json!("anju.acceptance"), json!(2))),
        "{page}"
    );
    let (status, preview) = zhang
        .get("/api/office/form-versions/anju.acceptance/2")
        .await?;
    assert_eq!(status, StatusCode::OK);
    let contract = preview["items"]
        .as_array()
        .ok_or("items")?
        .iter()
        .find(|i| i["key"] == "bought_contract")
        .ok_or("bought_contract in the preview")?;
    assert!(
        contract["shown_when"]["zh"]
            .as_str()
            .unwrap_or("")
            .contains("分散安置、购买"),
        "{contract}"
    );
    let (status, diff) = zhang
        .get("/api/office/form-versions/anju.acceptance/diff/1/2")
        .await?;
    assert_eq!(status, StatusCode::OK);
    assert!(diff.as_array().is_some_and(|d| !d.is_empty()));
    let (status, _) = zhang
        .get("/api/office/form-versions/anju.acceptance/7")
        .await?;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Publishing is in the audit log.
    let (_, audit) = admin.get("/api/office/audit?action=form_publish").await?;
    assert!(audit.to_string().contains("anju.acceptance v2"), "{audit}");
    office.stop().await?;
    Ok(())
}

//! What devices learn from the office about each other and about the office's decisions.

use anju_tests::fixtures::{DEMO_PASSWORD, InProcessOffice, office_data};
use anju_tests::pages::Page;
use anju_tests::seed::field_results;
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::TestResult;

/// Devices learn from the office what another device recorded (the area an acceptance
/// recorded, for a supervisor's spot check to compare with), that the office returned an
/// acceptance, which then no longer counts on any device, and where rectification stands.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn devices_learn_other_devices_inspections_returns_and_rectification() -> TestResult {
    use anju_app::{AppOptions, FieldApp, SyncTrigger};
    use anju_core::model::HouseholdStatus;
    use anju_store::HouseholdQuery;

    let office_dir = tempfile::tempdir()?;
    office_data(office_dir.path())?;
    {
        let db = anju_office::db::OfficeDb::open(office_dir.path())?;
        anju_office::users::add_user(
            &db,
            "zhou",
            anju_core::wire::Role::Inspector,
            Some(anju_core::model::Department::Housing),
            None,
            DEMO_PASSWORD,
        )?;
    }
    let office = InProcessOffice::start(office_dir.path()).await?;
    let url = office.url();
    let li_device = tempfile::tempdir()?;
    let seeded = field_results(&url, li_device.path(), 2, 0).await?;
    assert_eq!(seeded.accepted.len(), 2);

    // The supervisor zhou is given the accepted households, as a drawn sample would be.
    let admin = Page::sign_in(&url, "admin").await?;
    let (status, changed) = admin
        .post(
            "/api/office/assignments",
            json!({"inspector": "zhou", "township": null, "site": null,
                   "households": seeded.accepted, "unassign": false}),
        )
        .await?;
    assert_eq!(status, StatusCode::OK, "{changed}");
    let zhou_device = tempfile::tempdir()?;
    let zhou = FieldApp::open(zhou_device.path(), AppOptions::field_defaults())?;
    zhou.sign_in(&url, "zhou", DEMO_PASSWORD).await?;
    zhou.sync_now(SyncTrigger::Manual, |_| {}).await?;
    let li = FieldApp::open(li_device.path(), AppOptions::field_defaults())?;

    let all = HouseholdQuery {
        limit: Some(50),
        ..HouseholdQuery::default()
    };
    let mut households = zhou.list_households(&all)?.items;
    households.sort_by(|a, b| a.number.cmp(&b.number));
    assert_eq!(
        households
            .iter()
            .map(|h| h.number.clone())
            .collect::<Vec<_>>(),
        seeded.accepted
    );
    for household in &households {
        let seen_by_zhou = zhou.household_detail(household.id)?;
        let seen_by_li = li.household_detail(household.id)?;
        assert_eq!(
            seen_by_zhou.status,
            HouseholdStatus::ToInspect,
            "another device's acceptance is not zhou's spot check"
        );
        let recorded = seen_by_zhou
            .recorded_area
            .clone()
            .ok_or("a recorded area")?;
        assert_eq!(
            Some(&recorded),
            seen_by_li.recorded_area.as_ref(),
            "zhou's device knows the area li's device recorded"
        );
        let [inspection] = seen_by_zhou.inspections.as_slice() else {
            return Err(format!("one inspection: {:?}", seen_by_zhou.inspections).into());
        };
        assert_eq!(inspection.inspector, "li");
        assert!(!inspection.on_this_device && !inspection.returned);
        assert_eq!(inspection.submission_id, recorded.submission_id);
        assert_eq!(
            inspection.built_area_m2.as_deref(),
            Some(recorded.built_area.to_m2_string().as_str())
        );
        assert_eq!(
            inspection.verdict_over,
            seen_by_li.inspections[0].verdict_over
        );
        let [own] = seen_by_li.inspections.as_slice() else {
            return Err("li has one inspection".into());
        };
        assert!(own.on_this_device && own.synced && !own.returned);
    }
    // The second house is the one over the limit.
    assert_eq!(
        zhou.household_detail(households[1].id)?.inspections[0].verdict_over,
        Some(true)
    );

    // zhou re-measures the first house; the office compares it with li's acceptance.
    let recorded = zhou
        .household_detail(households[0].id)?
        .recorded_area
        .ok_or("a recorded area")?;
    anju_tests::seed::spot_check(
        &zhou,
        households[0].id,
        "zhou",
        anju_tests::field::house(2_300 * i64::from(households[0].size) + 100, 9_000),
        700,
    )?;
    zhou.sync_now(SyncTrigger::Manual, |_| {}).await?;
    let page = format!("/api/office/households/{}", households[0].id);
    let (_, at_office) = admin.get(&page).await?;
    assert_eq!(
        at_office["spot_check"]["recorded_m2"],
        json!(recorded.built_area.to_m2_string())
    );
    assert_eq!(at_office["spot_check"]["within_tolerance"], true);

    // The office returns the first acceptance: both devices learn it on their next sync.
    let returned = recorded.submission_id;
    let (status, _) = admin
        .post(
            &format!("/api/office/review/{returned}"),
            json!({"decision": "returned", "note": "面积需复核 / re-measure the area"}),
        )
        .await?;
    assert_eq!(status, StatusCode::NO_CONTENT);
    zhou.sync_now(SyncTrigger::Manual, |_| {}).await?;
    li.sync_now(SyncTrigger::Manual, |_| {}).await?;
    let (_, at_office) = admin.get(&page).await?;
    assert_eq!(
        at_office["spot_check"],
        Value::Null,
        "a returned acceptance is no area to compare with"
    );
    let zhou_sees = zhou.household_detail(households[0].id)?;
    let [spot_check, acceptance] = zhou_sees.inspections.as_slice() else {
        return Err(format!("two inspections: {:?}", zhou_sees.inspections).into());
    };
    assert!(spot_check.on_this_device && !spot_check.returned);
    assert!(acceptance.returned && !acceptance.on_this_device);
    assert_eq!(
        zhou_sees.recorded_area, None,
        "a returned acceptance records no area"
    );
    // zhou's own spot check keeps the household synced on zhou's device.
    assert_eq!(zhou_sees.status, HouseholdStatus::Synced);
    let li_sees = li.household_detail(households[0].id)?;
    let [by_zhou, own] = li_sees.inspections.as_slice() else {
        return Err(format!("two inspections: {:?}", li_sees.inspections).into());
    };
    assert!(!by_zhou.on_this_device && by_zhou.inspector == "zhou");
    assert!(own.on_this_device && own.returned);
    assert_eq!(
        own.return_note.as_deref(),
        Some("面积需复核 / re-measure the area"),
        "li's device says why"
    );
    assert_eq!(li_sees.recorded_area, None);
    assert_eq!(
        li_sees.status,
        HouseholdStatus::ToInspect,
        "the household is back on li's list to accept again"
    );
    // Rectification at the office reaches the inspector's device: the township rectifies
    // li's drainage finding, the district office closes it.
    let zhang = Page::sign_in(&url, "zhang").await?;
    let finding = li
        .list_findings()?
        .into_iter()
        .find(|f| f.household_number == households[0].number)
        .ok_or("li's finding on the first household")?
        .finding;
    assert_eq!(finding.state, anju_core::model::FindingState::Open);
    assert_eq!(li.household_detail(households[0].id)?.open_findings, 1);
    let transition = format!("/api/office/findings/{}/transition", finding.id);
    let (status, body) = zhang
        .post(
            &transition,
            json!({"to": "rectified", "note": "排水沟已修通", "evidence_sha256": null}),
        )
        .await?;
    assert_eq!(status, StatusCode::OK, "{body}");
    li.sync_now(SyncTrigger::Manual, |_| {}).await?;
    let state_on_li = |app: &FieldApp| -> Result<_, Box<dyn std::error::Error + Send + Sync>> {
        Ok(app
            .list_findings()?
            .into_iter()
            .find(|f| f.finding.id == finding.id)
            .ok_or("the finding")?
            .finding
            .state)
    };
    assert_eq!(state_on_li(&li)?, anju_core::model::FindingState::Rectified);
    let rectified = li
        .list_findings()?
        .into_iter()
        .find(|f| f.finding.id == finding.id)
        .ok_or("the finding")?;
    assert_eq!(rectified.office_note.as_deref(), Some("排水沟已修通"));
    assert_eq!(li.household_detail(households[0].id)?.open_findings, 0);
    // Closed from the desk before the re-check: the district says why (整改复查 is
    // tests/tests/rechecks.rs).
    let (status, body) = admin
        .post(
            &transition,
            json!({"to": "closed", "note": "整改照片清楚，免于复查", "evidence_sha256": null}),
        )
        .await?;
    assert_eq!(status, StatusCode::OK, "{body}");
    li.sync_now(SyncTrigger::Manual, |_| {}).await?;
    assert_eq!(state_on_li(&li)?, anju_core::model::FindingState::Closed);
    // The office page says the same.
    let (_, at_office) = admin.get(&page).await?;
    assert!(
        at_office["findings"].as_array().is_some_and(|f| f
            .iter()
            .any(|f| f["id"] == json!(finding.id.to_string()) && f["state"] == "closed")),
        "{at_office}"
    );

    // The other household is as it was.
    let untouched = zhou.household_detail(households[1].id)?;
    assert!(untouched.recorded_area.is_some() && !untouched.inspections[0].returned);
    office.stop().await?;
    Ok(())
}

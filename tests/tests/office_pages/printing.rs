//! A township's forms printed as a job of the office: in volumes (one village at a time,
//! at most 200 households each), zipped, with its progress asked for by any page of the
//! user who started it, so that closing the tab does not stop it.

use std::io::{Cursor, Read};
use std::time::{Duration, Instant};

use anju_tests::fixtures::{InProcessOffice, TOWNSHIP, office_data};
use anju_tests::pages::Page;
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::TestResult;

fn township_id(places: &Value, name: &str) -> Option<String> {
    places["townships"]
        .as_array()?
        .iter()
        .find(|t| t["name"] == name)?["id"]
        .as_str()
        .map(str::to_string)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_townships_forms_print_in_volumes_as_a_job_that_outlives_the_page() -> TestResult {
    let office_dir = tempfile::tempdir()?;
    office_data(office_dir.path())?;
    let office = InProcessOffice::start(office_dir.path()).await?;
    let url = office.url();
    let admin = Page::sign_in(&url, "admin").await?;
    let (_, places) = admin.get("/api/office/places").await?;
    let own = township_id(&places, TOWNSHIP).ok_or("东河口镇")?;
    let other = township_id(&places, "椿树镇").ok_or("椿树镇")?;

    // zhang starts the job for their township, then closes the page.
    let id = {
        let zhang = Page::sign_in(&url, "zhang").await?;
        let (status, refused) = zhang
            .post("/api/office/print-jobs", json!({"township": other}))
            .await?;
        assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
        let (status, job) = zhang
            .post("/api/office/print-jobs", json!({"township": own}))
            .await?;
        assert_eq!(status, StatusCode::OK, "{job}");
        assert_eq!(job["households"], 14);
        assert_eq!(job["township"], TOWNSHIP);
        assert!(job["volumes_total"].as_u64().is_some_and(|n| n >= 1));
        job["id"].as_str().ok_or("an id")?.to_string()
    };

    // Another page of zhang's follows it to the end.
    let zhang = Page::sign_in(&url, "zhang").await?;
    let deadline = Instant::now() + Duration::from_secs(300);
    let job = loop {
        let (status, job) = zhang.get(&format!("/api/office/print-jobs/{id}")).await?;
        assert_eq!(status, StatusCode::OK, "{job}");
        match job["state"].as_str() {
            Some("done") => break job,
            Some("failed") => return Err(format!("the job failed: {job}").into()),
            _ => {}
        }
        assert!(Instant::now() < deadline, "the job never finished: {job}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    assert_eq!(job["volumes_done"], job["volumes_total"]);
    let (_, listed) = zhang.get("/api/office/print-jobs").await?;
    assert!(
        listed
            .as_array()
            .is_some_and(|jobs| jobs.iter().any(|j| j["id"] == id.as_str()))
    );

    // The ZIP: one PDF per volume, named by village.
    let download = job["download"].as_str().ok_or("a download")?;
    let (status, zip) = zhang.bytes(download).await?;
    assert_eq!(status, StatusCode::OK);
    let mut archive = zip::ZipArchive::new(Cursor::new(zip))?;
    assert_eq!(
        archive.len() as u64,
        job["volumes_total"].as_u64().unwrap_or(0)
    );
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i)?;
        let name = entry.name()?.to_string();
        assert!(name.starts_with(&format!("{:03}-", i + 1)), "{name}");
        assert!(name.ends_with("村.pdf"), "{name}");
        let mut head = [0u8; 4];
        entry.read_exact(&mut head)?;
        assert_eq!(&head, b"%PDF");
    }

    // Nobody else's: another township's user cannot see it; the district admin can.
    let (status, _) = admin.get(&format!("/api/office/print-jobs/{id}")).await?;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = zhang.get("/api/office/print-jobs/not-a-job").await?;
    assert_eq!(status, StatusCode::NOT_FOUND);
    office.stop().await?;
    Ok(())
}

/// The job's view, asked of `page` until it is done.
async fn follow(page: &Page, id: &str) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        let (status, job) = page.get(&format!("/api/office/print-jobs/{id}")).await?;
        assert_eq!(status, StatusCode::OK, "{job}");
        match job["state"].as_str() {
            Some("done") => return Ok(job),
            Some("failed") => return Err(format!("the job failed: {job}").into()),
            _ => {}
        }
        assert!(Instant::now() < deadline, "the job never finished: {job}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// Two office processes on one database and one blob store, behind a load balancer: a
/// job started through one is followed, listed and downloaded through the other, which
/// never printed it, also after the first has stopped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_started_at_one_office_process_is_followed_and_downloaded_at_another() -> TestResult {
    let office_dir = tempfile::tempdir()?;
    office_data(office_dir.path())?;
    let first = InProcessOffice::start(office_dir.path()).await?;
    let second = InProcessOffice::start(office_dir.path()).await?;
    let at_first = Page::sign_in(&first.url(), "zhang").await?;
    let at_second = Page::sign_in(&second.url(), "zhang").await?;
    let (_, places) = at_first.get("/api/office/places").await?;
    let own = township_id(&places, TOWNSHIP).ok_or("东河口镇")?;

    let (status, job) = at_first
        .post(
            "/api/office/print-jobs",
            json!({"township": own, "lang": "en"}),
        )
        .await?;
    assert_eq!(status, StatusCode::OK, "{job}");
    let id = job["id"].as_str().ok_or("an id")?.to_string();
    // The second process knows the job at once, and lists it.
    let (status, seen) = at_second
        .get(&format!("/api/office/print-jobs/{id}"))
        .await?;
    assert_eq!(status, StatusCode::OK, "{seen}");
    assert_eq!(seen["households"], 14);
    let (_, listed) = at_second.get("/api/office/print-jobs").await?;
    assert!(
        listed
            .as_array()
            .is_some_and(|jobs| jobs.iter().any(|j| j["id"] == id.as_str())),
        "{listed}"
    );
    let done = follow(&at_second, &id).await?;
    assert_eq!(done["volumes_done"], done["volumes_total"]);
    assert!(
        done["file_name"]
            .as_str()
            .is_some_and(|n| n.ends_with("(14 households).zip")),
        "{done}"
    );

    // The printing process goes away; the other serves the ZIP from the blob store.
    first.stop().await?;
    let download = done["download"].as_str().ok_or("a download")?;
    let (status, zip) = at_second.bytes(download).await?;
    assert_eq!(status, StatusCode::OK);
    let mut archive = zip::ZipArchive::new(Cursor::new(zip))?;
    assert_eq!(
        archive.len() as u64,
        done["volumes_total"].as_u64().unwrap_or(0)
    );
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i)?;
        let mut head = [0u8; 4];
        entry.read_exact(&mut head)?;
        assert_eq!(&head, b"%PDF");
    }
    // Nothing of the job is left in the data folder's scratch space.
    let scratch = std::fs::read_dir(office_dir.path().join("prints"))?.count();
    assert_eq!(
        scratch, 0,
        "the volumes and the ZIP are in the blob store only"
    );
    second.stop().await?;
    Ok(())
}

//! Office benchmarks of issue 12. Prints figures; asserts only that the work was done
//! (statuses, counts), never how fast.
//!
//! - `county`: an office at 1,000, 10,000 and 100,000 households (a generated roster
//!   imported through the pages, as the district would): the import, the dashboard, each
//!   list page, each export, a township's printed forms (HTML), and a device's pull of
//!   1,000 households alone and while the households export runs.
//! - `load`: sign-ins per second, pushes per second and the dashboard's p99, each with
//!   and without a flood of sign-ins with unknown names from one address running.
//!
//!     cargo run --release -p anju-tests --example bench_office [-- county|load|quick]
//!
//! `quick` runs the county at 1,000 and 10,000 only.

use std::time::{Duration, Instant};

use anju_core::id_number::compose;
use anju_tests::fixtures::{DEMO_PASSWORD, Device, INSPECTOR, InProcessOffice, office_data};
use anju_tests::pages::{Page, status_and_json};
use anju_tests::records::SyncClient;
use chrono::{NaiveDate, Utc};
use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

const TOWNSHIPS: [&str; 9] = [
    "椿树镇",
    "马头镇",
    "东桥镇",
    "三十铺镇",
    "横塘岗乡",
    "张店镇",
    "东河口镇",
    "翁墩乡",
    "木厂镇",
];

const SURNAMES: &str = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许";
const GIVEN: &str =
    "安邦昌德恩芳刚海华建杰金俊兰丽林明娜宁平强荣瑞珊涛伟文霞祥新秀燕阳英勇玉云珍志忠";

/// A name for household `i` (names carry no digits).
fn name_of(i: usize) -> String {
    let surnames: Vec<char> = SURNAMES.chars().collect();
    let given: Vec<char> = GIVEN.chars().collect();
    let mut name = String::new();
    name.push(surnames[i % surnames.len()]);
    name.push(given[(i / surnames.len()) % given.len()]);
    name.push(given[(i / (surnames.len() * given.len())) % given.len()]);
    name
}

/// A roster CSV of `count` households spread over the demo's townships.
fn roster_csv(count: usize) -> Result<Vec<u8>, BoxError> {
    let first = NaiveDate::from_ymd_opt(1940, 1, 1).ok_or("a date")?;
    let mut csv = String::from("乡镇,村,户主姓名,身份证号,家庭人口,安置方式,联系电话\n");
    for i in 0..count {
        let township = TOWNSHIPS[i % TOWNSHIPS.len()];
        let birth = first + chrono::Duration::days((i % 20_000) as i64);
        // 6xx sequence numbers: never those of the demo's households.
        let sequence = 600 + (i / 20_000) as u16;
        let id = compose("341502", birth, sequence).ok_or("an ID number")?;
        csv.push_str(&format!(
            "{township},{township}{}村,{},{id},{},分散安置,1380000{:04}\n",
            GIVEN.chars().nth(i % 40).unwrap_or('新'),
            name_of(i),
            1 + i % 6,
            i % 10_000
        ));
    }
    Ok(csv.into_bytes())
}

/// Time `n` GETs of `path`; the median and the largest.
async fn timed_get(
    page: &Page,
    path: &str,
    n: usize,
) -> Result<(Duration, Duration, usize), BoxError> {
    let mut times = Vec::with_capacity(n);
    let mut bytes = 0;
    for _ in 0..n {
        let started = Instant::now();
        let (status, body) = page.bytes(path).await?;
        times.push(started.elapsed());
        if status != StatusCode::OK {
            return Err(format!("{path}: {status}: {}", String::from_utf8_lossy(&body)).into());
        }
        bytes = body.len();
    }
    times.sort();
    Ok((times[times.len() / 2], times[times.len() - 1], bytes))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

async fn pull_thousand(li: &SyncClient) -> Result<(Duration, usize), BoxError> {
    let started = Instant::now();
    let response = li
        .http
        .get(format!("{}/api/v1/pull?limit=1000", li.base))
        .bearer_auth(&li.token)
        .send()
        .await?;
    let status = response.status();
    let body: serde_json::Value = response.json().await?;
    if status != StatusCode::OK {
        return Err(format!("pull: {status}: {body}").into());
    }
    let households = body["households"].as_array().map_or(0, Vec::len);
    Ok((started.elapsed(), households))
}

async fn county(count: usize) -> Result<(), BoxError> {
    let dir = tempfile::tempdir()?;
    office_data(dir.path())?;
    let office = InProcessOffice::start(dir.path()).await?;
    let url = office.url();
    let admin = Page::sign_in(&url, "admin").await?;
    let roster = roster_csv(count)?;
    let started = Instant::now();
    let (status, preview) = admin
        .upload(
            "/api/office/import/preview?create_places=true",
            roster.clone(),
            "county.csv",
        )
        .await?;
    let preview_time = started.elapsed();
    if status != StatusCode::OK || preview["valid_rows"] != count {
        return Err(format!("preview: {status}: {}", preview["errors"][0]).into());
    }
    let started = Instant::now();
    let (status, done) = admin
        .upload(
            "/api/office/import?create_places=true",
            roster.clone(),
            "county.csv",
        )
        .await?;
    let import_time = started.elapsed();
    if status != StatusCode::OK || done["imported"] != true {
        return Err(format!("import: {status}: {done}").into());
    }
    println!(
        "\n== {count} households (+121 of the demo), roster {:.1} MB: preview {:.2} s, import {:.2} s",
        roster.len() as f64 / 1e6,
        preview_time.as_secs_f64(),
        import_time.as_secs_f64()
    );
    // li gets the whole of 东河口镇 (about a ninth of the county).
    let li_token = SyncClient::sign_in(&url, "admin", DEMO_PASSWORD).await?;
    let (status, assigned) = status_and_json(
        li_token
            .http
            .post(format!("{url}/api/v1/admin/assignments"))
            .bearer_auth(&li_token.token)
            .json(&json!({"inspector": INSPECTOR, "township": "东河口镇"})),
    )
    .await?;
    if status != StatusCode::OK {
        return Err(format!("assign: {status}: {assigned}").into());
    }
    let zhang = Page::sign_in(&url, "zhang").await?;
    let (_, places) = admin.get("/api/office/places").await?;
    let township_id = places["townships"]
        .as_array()
        .and_then(|ts| ts.iter().find(|t| t["name"] == "东河口镇"))
        .and_then(|t| t["id"].as_str())
        .ok_or("东河口镇's id")?
        .to_string();
    let rows: [(&str, &Page, String); 12] = [
        ("dashboard (admin)", &admin, "/api/office/dashboard".into()),
        (
            "dashboard (township user)",
            &zhang,
            "/api/office/dashboard".into(),
        ),
        (
            "households, page 1 (admin)",
            &admin,
            "/api/office/households".into(),
        ),
        (
            "households, page 1 (township user)",
            &zhang,
            "/api/office/households".into(),
        ),
        (
            "households, search by name",
            &admin,
            "/api/office/households?q=%E9%83%91%E5%AE%89".into(),
        ),
        (
            "households, page 100 of 50 (admin)",
            &admin,
            "/api/office/households?offset=4950".into(),
        ),
        (
            "old houses, page 1",
            &admin,
            "/api/office/old-houses".into(),
        ),
        ("findings", &admin, "/api/office/findings".into()),
        ("assignments", &admin, "/api/office/assignments".into()),
        ("review queue", &admin, "/api/office/review".into()),
        (
            "townships.xlsx",
            &admin,
            "/api/office/exports/townships.xlsx".into(),
        ),
        (
            "findings.xlsx",
            &admin,
            "/api/office/exports/findings.xlsx".into(),
        ),
    ];
    for (what, page, path) in &rows {
        let (median, max, bytes) = timed_get(page, path, 5).await?;
        println!(
            "  {what:<38} median {:>8.1} ms  max {:>8.1} ms  {:>9} bytes",
            ms(median),
            ms(max),
            bytes
        );
    }
    let (median, max, bytes) = timed_get(&admin, "/api/office/exports/households.xlsx", 3).await?;
    println!(
        "  {:<38} median {:>8.1} ms  max {:>8.1} ms  {:>9} bytes",
        "households.xlsx (every household)",
        ms(median),
        ms(max),
        bytes
    );
    let (median, _, bytes) = timed_get(
        &zhang,
        &format!("/api/office/forms/township/{township_id}"),
        1,
    )
    .await?;
    println!(
        "  {:<38} {:>8.1} ms for {:.1} MB of HTML ({} households)",
        "a township's forms (HTML)",
        ms(median),
        bytes as f64 / 1e6,
        count / 9 + 14
    );
    // A device's pull of 1,000 households, alone and while the export runs.
    let li = SyncClient::sign_in(&url, INSPECTOR, DEMO_PASSWORD).await?;
    let (alone, got) = pull_thousand(&li).await?;
    let export = {
        let admin = Page::sign_in(&url, "admin").await?;
        tokio::spawn(async move {
            let started = Instant::now();
            let answer = admin.bytes("/api/office/exports/households.xlsx").await;
            (answer.map(|(s, _)| s), started.elapsed())
        })
    };
    tokio::time::sleep(Duration::from_millis(20)).await;
    let mut during = Vec::new();
    while !export.is_finished() || during.is_empty() {
        during.push(pull_thousand(&li).await?.0);
    }
    let (status, export_time) = export.await?;
    if status? != StatusCode::OK {
        return Err("the export failed".into());
    }
    during.sort();
    println!(
        "  pull of {got} households: alone {:.1} ms; during the households export ({:.2} s): median {:.1} ms, max {:.1} ms over {} pulls",
        ms(alone),
        export_time.as_secs_f64(),
        ms(during[during.len() / 2]),
        ms(during[during.len() - 1]),
        during.len()
    );
    office.stop().await?;
    Ok(())
}

fn client_from(last: u8) -> Result<reqwest::Client, BoxError> {
    Ok(reqwest::Client::builder()
        .local_address(std::net::IpAddr::from([127, 0, 0, last]))
        .build()?)
}

/// Sign in from many addresses until `duration` ends; the sign-ins per second.
async fn sign_ins_per_second(url: &str, duration: Duration) -> Result<f64, BoxError> {
    let started = Instant::now();
    let mut tasks = Vec::new();
    for worker in 0..4u8 {
        let client = client_from(20 + worker)?;
        let url = url.to_string();
        tasks.push(tokio::spawn(async move {
            let mut done = 0u32;
            while started.elapsed() < duration {
                let response = client
                    .post(format!("{url}/api/v1/login"))
                    .json(&json!({"user": INSPECTOR, "password": DEMO_PASSWORD, "device_id": Uuid::now_v7()}))
                    .send()
                    .await;
                if response.is_ok_and(|r| r.status() == StatusCode::OK) {
                    done += 1;
                }
            }
            done
        }));
    }
    let mut total = 0;
    for task in tasks {
        total += task.await?;
    }
    Ok(f64::from(total) / started.elapsed().as_secs_f64())
}

/// The dashboard's p50 and p99 over `n` requests.
async fn dashboard_p99(admin: &Page, n: usize) -> Result<(Duration, Duration), BoxError> {
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let started = Instant::now();
        let (status, _) = admin.get("/api/office/dashboard").await?;
        if status != StatusCode::OK {
            return Err(format!("dashboard: {status}").into());
        }
        times.push(started.elapsed());
    }
    times.sort();
    Ok((times[n / 2], times[(n - 1) * 99 / 100]))
}

/// Pushes of spot checks from one device: submissions per second of the push phase.
async fn pushes_per_second(url: &str, count: u64) -> Result<f64, BoxError> {
    let config = anju_sync::SyncConfig::default();
    let device = Device::new()?;
    device.login(&config, url, INSPECTOR).await?;
    device.sync(&config).await?;
    let households = device.household_ids()?;
    let clock = anju_core::clock::unanchored_reading(Utc::now());
    for i in 0..count {
        let household = households[i as usize % households.len()];
        device.spot_check(
            household,
            &[anju_tests::fixtures::photo_bytes(i, 2_000)],
            0,
            clock,
        )?;
    }
    let started = Instant::now();
    device.sync(&config).await?;
    Ok(count as f64 / started.elapsed().as_secs_f64())
}

/// A flood of sign-ins with unknown names from 127.0.0.9, 16 at a time, until stopped.
fn flood(
    url: &str,
    stop: tokio::sync::watch::Receiver<bool>,
) -> Result<tokio::task::JoinHandle<(u32, u32)>, BoxError> {
    let client = client_from(9)?;
    let url = url.to_string();
    Ok(tokio::spawn(async move {
        let mut tasks = Vec::new();
        for worker in 0..16 {
            let client = client.clone();
            let url = url.clone();
            let stop = stop.clone();
            tasks.push(tokio::spawn(async move {
                let (mut refused, mut slowed) = (0u32, 0u32);
                let mut i = 0u64;
                while !*stop.borrow() {
                    i += 1;
                    let response = client
                        .post(format!("{url}/api/v1/login"))
                        .json(&json!({"user": format!("nobody-{worker}-{i}"), "password": "x", "device_id": Uuid::now_v7()}))
                        .send()
                        .await;
                    match response.map(|r| r.status()) {
                        Ok(StatusCode::TOO_MANY_REQUESTS) => slowed += 1,
                        Ok(_) => refused += 1,
                        Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
                    }
                }
                (refused, slowed)
            }));
        }
        let mut total = (0, 0);
        for task in tasks {
            if let Ok((r, s)) = task.await {
                total = (total.0 + r, total.1 + s);
            }
        }
        total
    }))
}

async fn load() -> Result<(), BoxError> {
    let dir = tempfile::tempdir()?;
    office_data(dir.path())?;
    let office = InProcessOffice::start(dir.path()).await?;
    let url = office.url();
    let admin = Page::sign_in(&url, "admin").await?;
    println!("\n== load (the demo office)");
    let quiet_signins = sign_ins_per_second(&url, Duration::from_secs(5)).await?;
    let (quiet_p50, quiet_p99) = dashboard_p99(&admin, 200).await?;
    let quiet_pushes = pushes_per_second(&url, 300).await?;
    println!(
        "  without a flood: {quiet_signins:.1} sign-ins/s; dashboard p50 {:.1} ms, p99 {:.1} ms; {quiet_pushes:.0} spot checks pushed/s",
        ms(quiet_p50),
        ms(quiet_p99)
    );
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let flooding = flood(&url, stopped)?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let flood_signins = sign_ins_per_second(&url, Duration::from_secs(5)).await?;
    let (flood_p50, flood_p99) = dashboard_p99(&admin, 200).await?;
    let flood_pushes = pushes_per_second(&url, 300).await?;
    let _ = stop.send(true);
    let (refused, slowed) = flooding.await?;
    println!(
        "  during a flood of unknown names from one address ({} attempts: {refused} refused with 401, {slowed} slowed with 429): {flood_signins:.1} sign-ins/s from others; dashboard p50 {:.1} ms, p99 {:.1} ms; {flood_pushes:.0} spot checks pushed/s",
        refused + slowed,
        ms(flood_p50),
        ms(flood_p99)
    );
    office.stop().await?;
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let has = |a: &str| args.iter().any(|x| x == a);
    let everything = !has("county") && !has("load");
    println!(
        "anju office benchmarks ({} cores; office in-process)",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    if everything || has("county") {
        for count in [1_000, 10_000, 100_000] {
            if has("quick") && count > 10_000 {
                continue;
            }
            county(count).await?;
        }
    }
    if everything || has("load") {
        load().await?;
    }
    Ok(())
}

//! Cold start of the real field app to its household list, with 10,000 households on the
//! device: from asking tauri-driver for a session (which starts `anju-field`) until the list
//! shows its first rows and the count 10000. Prints the figures of each run and the median.
//!
//! ```sh
//! cargo build --release -p anju-field
//! ANJU_FIELD_BIN=target/release/anju-field cargo run --release -p anju-tests --example bench_field_start
//! ```
//! Needs Xvfb, WebKitWebDriver and tauri-driver (scripts/test installs them).

use std::time::{Duration, Instant};

use anju_core::IdNumber;
use anju_core::model::{Household, Member, PlacementKind, PlacementMode};
use anju_store::Store;
use anju_tests::real_app::{Display, RealApp};
use chrono::NaiveDate;
use uuid::Uuid;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

const HOUSEHOLDS: usize = 10_000;
const RUNS: usize = 5;

fn households() -> Result<Vec<Household>, BoxError> {
    let townships = [
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
    let birth = NaiveDate::from_ymd_opt(1970, 1, 1).ok_or("date")?;
    (0..HOUSEHOLDS)
        .map(|i| {
            let id_number = IdNumber::parse(
                anju_core::id_number::compose(
                    "341502",
                    birth + chrono::Duration::days((i / 900) as i64),
                    (i % 900) as u16 + 1,
                )
                .ok_or("id number")?
                .as_str(),
            )?;
            Ok(Household {
                id: Uuid::now_v7(),
                number: format!("{:02}{:05}", i % 9 + 1, i),
                head_name: format!("户主{i}"),
                id_number,
                size: (i % 6) as u32 + 1,
                members: vec![Member {
                    name: format!("户主{i}"),
                    relation: "户主".into(),
                    id_number: None,
                }],
                phone: None,
                township: townships[i % 9].to_string(),
                village: format!("第{}村", i % 40),
                site: None,
                mode: PlacementMode::Scattered,
                kind: PlacementKind::SelfBuilt,
                location: None,
            })
        })
        .collect()
}

/// A device with the households and a kept sign-in (the app opens on its list).
fn device(dir: &std::path::Path) -> Result<(), BoxError> {
    let mut store = Store::open(dir)?;
    store.upsert_households(&households()?, &[], 1)?;
    store.set_sync_value(anju_sync::state::SERVER_URL, "http://127.0.0.1:9")?;
    store.set_sync_value(anju_sync::state::DEVICE_ID, &Uuid::now_v7().to_string())?;
    store.set_sync_value(
        anju_sync::state::USER,
        r#"{"name":"li","role":"inspector","department":"reform","township":null}"#,
    )?;
    store.set_sync_value(anju_sync::state::TOKEN, "benchmark-token")?;
    Ok(())
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), BoxError> {
    let data = tempfile::tempdir()?;
    device(data.path())?;
    let display = Display::start()?;
    let mut figures = Vec::new();
    for run in 1..=RUNS {
        let start = Instant::now();
        let app = RealApp::launch(&display, data.path(), None).await?;
        let session = start.elapsed();
        app.wd
            .wait_until(
                "the list with 10000 households",
                "const c = document.querySelector('[data-testid=\"status-count-all\"]');
                 return c && c.textContent.trim() === '10000'
                   && document.querySelectorAll('[data-testid=\"household-item\"]').length > 0;",
                vec![],
                Duration::from_secs(120),
            )
            .await?;
        let listed = start.elapsed();
        let rows = app
            .wd
            .execute(
                "return document.querySelectorAll('[data-testid=\"household-item\"]').length;",
                vec![],
            )
            .await?;
        println!(
            "run {run}: window and page loaded {:.0} ms, household list shown {:.0} ms ({rows} rows rendered of {HOUSEHOLDS})",
            session.as_secs_f64() * 1000.0,
            listed.as_secs_f64() * 1000.0
        );
        figures.push(listed);
        app.close().await?;
    }
    figures.sort();
    let median = figures[figures.len() / 2];
    println!(
        "cold_start_to_list_ms median={:.0} min={:.0} max={:.0} households={HOUSEHOLDS}",
        median.as_secs_f64() * 1000.0,
        figures[0].as_secs_f64() * 1000.0,
        figures[figures.len() - 1].as_secs_f64() * 1000.0
    );
    Ok(())
}

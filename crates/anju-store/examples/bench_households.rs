//! How fast the device store is with a county's worth of households on a phone-sized
//! budget: loading them, searching by name and ID number, counting by status.
//!
//!     cargo run --release -p anju-store --example bench_households [-- COUNT]
//!
//! Prints figures; asserts nothing about time (speed targets are not tests).

use std::time::{Duration, Instant};

use anju_core::id_number::compose;
use anju_core::model::{Household, PlacementKind, PlacementMode};
use anju_store::{HouseholdQuery, Store};
use chrono::NaiveDate;
use uuid::Uuid;

fn households(count: u32) -> Vec<Household> {
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
    let first = NaiveDate::from_ymd_opt(1940, 1, 1).unwrap_or_default();
    (0..count)
        .filter_map(|i| {
            let township = townships[(i % 9) as usize];
            let birth = first + chrono::Duration::days(i64::from(i % 20_000));
            let id_number = compose("341502", birth, (i / 20_000) as u16 % 1000)?;
            Some(Household {
                id: Uuid::now_v7(),
                number: format!("{:02}{:05}", i % 9 + 1, i),
                head_name: if i == count / 2 {
                    "郑怀圣".into()
                } else {
                    format!("户主{i:06}")
                },
                id_number,
                size: 1 + i % 6,
                members: vec![],
                phone: None,
                township: township.into(),
                village: format!("{}第{}村", township, i % 40),
                site: None,
                mode: PlacementMode::Scattered,
                kind: PlacementKind::SelfBuilt,
                location: None,
            })
        })
        .collect()
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    median(
        (0..runs)
            .map(|_| {
                let start = Instant::now();
                std::hint::black_box(f());
                start.elapsed()
            })
            .collect(),
    )
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let count: u32 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000);
    let dir = tempfile::tempdir()?;
    let mut store = Store::open(dir.path())?;
    let all = households(count);

    let start = Instant::now();
    store.upsert_households(&all, &[], 1)?;
    let load = start.elapsed();

    let by_name = HouseholdQuery {
        text: Some("郑怀圣".into()),
        ..Default::default()
    };
    let by_id = HouseholdQuery {
        text: Some(all[all.len() / 3].id_number.to_string()),
        ..Default::default()
    };
    let first_page = HouseholdQuery {
        limit: Some(50),
        ..Default::default()
    };
    let township_page = HouseholdQuery {
        township: Some("东河口镇".into()),
        limit: Some(50),
        ..Default::default()
    };
    assert_eq!(store.search(&by_name)?.len(), 1);
    assert_eq!(store.search(&by_id)?.len(), 1);

    let search_name = time(21, || store.search(&by_name));
    let search_id = time(21, || store.search(&by_id));
    let page = time(21, || store.search(&first_page));
    let township = time(21, || store.search(&township_page));
    let counts = time(21, || store.count_by_status(&HouseholdQuery::default()));
    let size = std::fs::metadata(dir.path().join(anju_store::DATABASE_FILE))?.len()
        + std::fs::metadata(
            dir.path()
                .join(format!("{}-wal", anju_store::DATABASE_FILE)),
        )
        .map_or(0, |m| m.len());

    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!("households on the device : {count}");
    println!(
        "load (one transaction)   : {:.0} ms ({:.0} households/s)",
        ms(load),
        f64::from(count) / load.as_secs_f64()
    );
    println!(
        "search by name           : {:.2} ms (median of 21)",
        ms(search_name)
    );
    println!("search by ID number      : {:.2} ms", ms(search_id));
    println!("first page of 50         : {:.2} ms", ms(page));
    println!("township page of 50      : {:.2} ms", ms(township));
    println!("counts by status         : {:.2} ms", ms(counts));
    println!("database size            : {:.1} MB", size as f64 / 1e6);
    Ok(())
}

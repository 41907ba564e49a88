//! Work for the benchmarks: synthetic households for an office, and an inspector's day of
//! field results on a device.

use anju_core::id_number::compose;
use anju_core::model::{PlacementKind, PlacementMode};
use anju_office::db::NewHousehold;
use chrono::{NaiveDate, Utc};
use uuid::Uuid;

use crate::fixtures::{self, Device};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// `count` scattered households spread over `townships`, each with a valid ID number.
pub fn synthetic_households(count: usize, townships: &[&str]) -> Vec<NewHousehold> {
    let first = NaiveDate::from_ymd_opt(1940, 1, 1).unwrap_or_default();
    (0..count)
        .filter_map(|i| {
            let township = townships.get(i % townships.len().max(1))?;
            let birth = first + chrono::Duration::days((i % 20_000) as i64);
            let id_number = compose("341502", birth, (i / 20_000) as u16 % 1000)?;
            Some(NewHousehold {
                id: Uuid::now_v7(),
                head_name: format!("户主{i:06}"),
                id_number,
                size: 1 + (i % 6) as u32,
                members: Vec::new(),
                phone: Some(format!("1380000{:04}", i % 10_000)),
                township: township.to_string(),
                village: format!("{township}第{}村", i % 40),
                site: None,
                mode: PlacementMode::Scattered,
                kind: PlacementKind::SelfBuilt,
                location: None,
            })
        })
        .collect()
}

/// A day's work on one device: 20 spot checks, 15 photos of 300 KB (the other 5 checks
/// carry a 20 KB photo, as the form needs one), a signature each, a finding on every
/// fourth. The bytes of photos it made.
pub fn days_work(device: &Device, seed: u64) -> Result<u64, BoxError> {
    let households = device.household_ids()?;
    let clock = anju_core::clock::unanchored_reading(Utc::now());
    let mut payload = 0;
    for i in 0..20u64 {
        let size = if i < 15 { 300_000 } else { 20_000 };
        let photo = fixtures::photo_bytes(seed * 1000 + i, size);
        payload += photo.len() as u64;
        device.spot_check(
            households[i as usize % households.len()],
            &[photo],
            usize::from(i % 4 == 0),
            clock,
        )?;
    }
    Ok(payload)
}

//! A province: three office processes on one PostgreSQL database and one S3 bucket (Garage),
//! behind a load balancer that sends each connection to one of them at random. Devices
//! that sync through it end with exactly what one office would hold: every record once,
//! with its hash, no conflicts, every blob whole in the bucket, no server error, and each
//! office answering the same pull.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use std::collections::BTreeMap;

use anju_core::model::ClockReading;
use anju_office::blob_target::BlobLocation;
use anju_office::db::DatabaseLocation;
use anju_office::http::ServeOptions;
use anju_office::s3_blobs::S3BlobStore;
use anju_office::s3_blobs::test_garage::TestGarage;
use anju_office::storage::BlobStore;
use anju_tests::balancer::Balancer;
use anju_tests::fixtures::{
    Device, INSPECTOR, InProcessOffice, OfficeHoldings, metric, metrics, photo_bytes, test_config,
    token_of,
};
use chrono::Utc;

const OFFICES: usize = 3;
const DEVICES: usize = 4;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn devices_switching_between_three_offices_get_what_one_office_gives() {
    let Some(server) = anju_office::testing::postgres_server() else {
        return;
    };
    let Some(garage) = TestGarage::start_or_skip() else {
        return;
    };
    let url = anju_sql::testing::fresh_postgres_database(&server).unwrap();
    let bucket = garage.config_with_prefix("province/blobs");
    {
        let mut db = anju_office::db::OfficeDb::create_postgres(&url).unwrap();
        anju_office::demo::load(&mut db).unwrap();
        anju_office::demo::load_users(&mut db).unwrap();
    }
    // Each process has a data folder of its own (TLS files, print jobs), nothing shared
    // but the database and the bucket.
    let folders: Vec<_> = (0..OFFICES).map(|_| tempfile::tempdir().unwrap()).collect();
    let mut offices = Vec::new();
    for folder in &folders {
        let mut options = ServeOptions::new(folder.path().to_path_buf());
        options.database = DatabaseLocation::Postgres(url.clone());
        options.blobs = BlobLocation::S3(bucket.clone());
        offices.push(InProcessOffice::start_with(options).await.unwrap());
    }
    let balancer = Balancer::start(offices.iter().map(|o| o.addr).collect(), 7)
        .await
        .unwrap();

    let config = test_config();
    let mut devices = Vec::new();
    for d in 0..DEVICES {
        let device = Device::new().unwrap();
        device
            .login(&config, &balancer.url(), INSPECTOR)
            .await
            .unwrap();
        device.sync(&config).await.unwrap();
        let households = device.household_ids().unwrap();
        assert_eq!(households.len(), 14);
        for k in 0..3 {
            let photos: Vec<Vec<u8>> = (0..2)
                .map(|p| photo_bytes((d * 100 + k * 10 + p) as u64, 30_000 + 7_000 * p))
                .collect();
            let clock = ClockReading {
                device_time: Utc::now(),
                trusted_time: None,
                offset_ms: None,
            };
            device
                .spot_check(
                    households[(d * 3 + k) % households.len()],
                    &photos,
                    1,
                    clock,
                )
                .unwrap();
        }
        devices.push(device);
    }
    // All at once.
    let syncs = devices.iter().map(|device| device.sync(&config));
    for report in futures_util::future::join_all(syncs).await {
        let report = report.unwrap();
        assert!(report.rejected.is_empty() && report.held.is_empty());
    }
    assert!(
        balancer
            .sent
            .iter()
            .all(|n| n.load(std::sync::atomic::Ordering::Relaxed) > 0),
        "every office served some requests"
    );

    // Exactly the devices' records, once each.
    let mut made = BTreeMap::new();
    for device in &devices {
        made.extend(device.records().unwrap());
    }
    let data = tempfile::tempdir().unwrap();
    anju_office::db::remember_database_url(data.path(), &url).unwrap();
    let holdings = OfficeHoldings::read(data.path()).unwrap();
    assert_eq!(holdings.record_map().unwrap(), made);
    assert_eq!(holdings.conflicts, 0);
    // Every blob whole in the bucket, its hash checked on the way out.
    let blobs = S3BlobStore::new(&bucket, anju_core::wire::MAX_BLOB_BYTES).unwrap();
    for device in &devices {
        for sha in device.blobs().unwrap().keys() {
            let bytes = blobs.read(sha).await.unwrap();
            assert_eq!(&anju_core::hash::sha256_hex(&bytes), sha);
        }
    }
    // No office failed a request, and each answers the same pull.
    let token = token_of(&devices[0]).unwrap();
    let mut pulls = Vec::new();
    for office in &offices {
        let counters = metrics(&office.url(), &token).await.unwrap();
        assert_eq!(metric(&counters, "responses_5xx").unwrap(), 0, "{counters}");
        let pull: serde_json::Value = reqwest::Client::new()
            .get(format!("{}/api/v1/pull?cursor=0&limit=500", office.url()))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        pulls.push((pull["assigned_digest"].clone(), pull["next_cursor"].clone()));
    }
    assert!(pulls.windows(2).all(|w| w[0] == w[1]), "{pulls:?}");
    drop(balancer);
    for office in offices {
        office.stop().await.unwrap();
    }
}

//! A county against a province on the same machine: SQLite + a blob folder against
//! PostgreSQL + a Garage bucket, for the first pull of 100,000 households, 1,000 pushes,
//! 20 devices at once on one office, and 20 devices spread over 3 office processes behind
//! a load balancer. Prints figures; asserts only that the work was really done.
//!
//!     scripts/bench-province [quick]
//!
//! (which starts PostgreSQL and runs this with ANJU_TEST_POSTGRES set; Garage is started
//! here). `quick` pulls 10,000 households instead of 100,000.

use std::sync::Arc;
use std::time::Instant;

use anju_core::model::Department;
use anju_core::wire::Role;
use anju_office::assign::{Target, assign};
use anju_office::blob_target::BlobLocation;
use anju_office::db::{DatabaseLocation, OfficeDb};
use anju_office::http::ServeOptions;
use anju_office::s3_blobs::S3Config;
use anju_office::s3_blobs::test_garage::TestGarage;
use anju_sync::SyncConfig;
use anju_tests::balancer::Balancer;
use anju_tests::fixtures::{self, Device, InProcessOffice};
use anju_tests::workload::{days_work, synthetic_households};
use chrono::Utc;
use uuid::Uuid;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

const TOWNSHIPS: [&str; 4] = ["椿树镇", "马头镇", "东桥镇", "东河口镇"];

/// Where an office under test keeps its records and blobs.
#[derive(Clone)]
enum Backend {
    County,
    Province { server: String, bucket: S3Config },
}

impl Backend {
    fn name(&self) -> &'static str {
        match self {
            Backend::County => "SQLite + folder",
            Backend::Province { .. } => "PostgreSQL + Garage",
        }
    }

    /// A new, empty office: its data folder and how to serve it.
    fn new_office(&self) -> Result<(tempfile::TempDir, DatabaseLocation, BlobLocation), BoxError> {
        let dir = tempfile::tempdir()?;
        Ok(match self {
            Backend::County => (
                DatabaseLocation::Sqlite(dir.path().to_path_buf()),
                BlobLocation::Folder(dir.path().join(anju_office::db::BLOB_DIR)),
            ),
            Backend::Province { server, bucket } => {
                let url = anju_sql::testing::fresh_postgres_database(server)?;
                let mut bucket = bucket.clone();
                bucket.prefix = format!("bench-{}", Uuid::now_v7().simple());
                (DatabaseLocation::Postgres(url), BlobLocation::S3(bucket))
            }
        })
        .map(|(db, blobs)| (dir, db, blobs))
    }
}

fn options(dir: &std::path::Path, db: &DatabaseLocation, blobs: &BlobLocation) -> ServeOptions {
    let mut options = ServeOptions::new(dir.to_path_buf());
    options.database = db.clone();
    options.blobs = blobs.clone();
    options
}

async fn first_pull(backend: &Backend, count: usize) -> Result<(), BoxError> {
    let (dir, db, blobs) = backend.new_office()?;
    let started = Instant::now();
    {
        let mut office = OfficeDb::create_at(&db)?;
        office.insert_households(
            "bench",
            None,
            &synthetic_households(count, &TOWNSHIPS),
            &mut Uuid::now_v7,
        )?;
        anju_office::users::add_user(
            &office,
            "li",
            Role::Inspector,
            Some(Department::Reform),
            None,
            fixtures::DEMO_PASSWORD,
        )?;
        for township in TOWNSHIPS {
            assign(&mut office, "li", &Target::Township(township.to_string()))?;
        }
    }
    let loaded = started.elapsed().as_secs_f64();
    let office = InProcessOffice::start_with(options(dir.path(), &db, &blobs)).await?;
    let config = SyncConfig::default();
    let device = Device::new()?;
    device.login(&config, &office.url(), "li").await?;
    let started = Instant::now();
    let report = device.sync(&config).await?;
    let seconds = started.elapsed().as_secs_f64();
    assert_eq!(report.households_pulled as usize, count);
    println!(
        "{:<20} first pull of {count} households: {seconds:6.2} s ({:>6.0} households/s); loading them into the office took {loaded:.1} s",
        backend.name(),
        count as f64 / seconds
    );
    office.stop().await?;
    Ok(())
}

/// A demo office on the backend, with `inspectors` inspectors of 6 households each.
fn demo_office(
    backend: &Backend,
    inspectors: usize,
) -> Result<(tempfile::TempDir, DatabaseLocation, BlobLocation), BoxError> {
    let (dir, db, blobs) = backend.new_office()?;
    let mut office = OfficeDb::create_at(&db)?;
    anju_office::demo::load(&mut office)?;
    anju_office::demo::load_users(&mut office)?;
    let all = office.households(None)?;
    for d in 0..inspectors {
        let name = format!("inspector{d:02}");
        anju_office::users::add_user(
            &office,
            &name,
            Role::Inspector,
            Some(Department::Housing),
            None,
            fixtures::DEMO_PASSWORD,
        )?;
        let mine: Vec<String> = all
            .iter()
            .skip(d * 6)
            .take(6)
            .map(|h| h.number.clone())
            .collect();
        assign(&mut office, &name, &Target::Households(mine))?;
    }
    Ok((dir, db, blobs))
}

async fn push_thousand(backend: &Backend) -> Result<(), BoxError> {
    let (dir, db, blobs) = demo_office(backend, 0)?;
    let office = InProcessOffice::start_with(options(dir.path(), &db, &blobs)).await?;
    let config = SyncConfig::default();
    let device = Device::new()?;
    device.login(&config, &office.url(), "li").await?;
    device.sync(&config).await?;
    let households = device.household_ids()?;
    let clock = anju_core::clock::unanchored_reading(Utc::now());
    for i in 0..1000u64 {
        let household = households[i as usize % households.len()];
        device.spot_check(household, &[fixtures::photo_bytes(i, 2_000)], 0, clock)?;
    }
    let records = device.store().pending_outbox()?.len();
    let started = Instant::now();
    let report = device.sync(&config).await?;
    let seconds = started.elapsed().as_secs_f64();
    assert_eq!(report.accepted as usize, records);
    println!(
        "{:<20} 1,000 pushed submissions ({records} records and 1,000 blobs of 2 KB): {seconds:6.2} s, {:.0} records/s",
        backend.name(),
        records as f64 / seconds
    );
    office.stop().await?;
    Ok(())
}

async fn twenty_devices(backend: &Backend, processes: usize) -> Result<(), BoxError> {
    let (dir, db, blobs) = demo_office(backend, 20)?;
    let mut offices = Vec::new();
    let mut folders = Vec::new();
    for p in 0..processes {
        // The first process has the data folder (SQLite's database file is there); the
        // others a folder of their own for what is theirs alone (TLS, print files).
        let folder = if p == 0 {
            dir.path().to_path_buf()
        } else {
            let own = tempfile::tempdir()?;
            let path = own.path().to_path_buf();
            folders.push(own);
            path
        };
        offices.push(InProcessOffice::start_with(options(&folder, &db, &blobs)).await?);
    }
    let balancer = Balancer::start(offices.iter().map(|o| o.addr).collect(), 11).await?;
    let url = balancer.url();
    let config = SyncConfig::default();
    let mut devices = Vec::new();
    let mut payload = 0;
    for d in 0..20u64 {
        let device = Device::new()?;
        device
            .login(&config, &url, &format!("inspector{d:02}"))
            .await?;
        device.sync(&config).await?;
        payload += days_work(&device, d)?;
        devices.push(Arc::new(device));
    }
    let records: usize = devices
        .iter()
        .map(|d| d.store().pending_outbox().map_or(0, |o| o.len()))
        .sum();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for device in &devices {
        let device = Arc::clone(device);
        let config = config.clone();
        tasks.push(tokio::spawn(async move {
            let started = Instant::now();
            let result = device.sync(&config).await;
            (result, started.elapsed().as_secs_f64())
        }));
    }
    let mut per_device = Vec::new();
    for task in tasks {
        let (result, seconds) = task.await?;
        assert!(result?.rejected.is_empty());
        per_device.push(seconds);
    }
    let wall = started.elapsed().as_secs_f64();
    per_device.sort_by(f64::total_cmp);
    println!(
        "{:<20} 20 devices at once on {processes} office process(es), {records} records and {:.1} MB of photos: {wall:6.2} s wall, {:.1} MB/s; device sync p50 {:.2} s, max {:.2} s",
        backend.name(),
        payload as f64 / 1e6,
        payload as f64 / 1e6 / wall,
        per_device[per_device.len() / 2],
        per_device[per_device.len() - 1],
    );
    drop(balancer);
    for office in offices {
        office.stop().await?;
    }
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let quick = std::env::args().any(|a| a == "quick");
    let server = std::env::var(anju_sql::testing::POSTGRES_ENV)
        .map_err(|_| "ANJU_TEST_POSTGRES is not set: run scripts/bench-province")?;
    let garage = TestGarage::start()?;
    let backends = [
        Backend::County,
        Backend::Province {
            server,
            bucket: garage.config_with_prefix("bench"),
        },
    ];
    println!(
        "anju: a county (SQLite + folder) against a province (PostgreSQL + Garage), {} cores, offices in-process",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    let households = if quick { 10_000 } else { 100_000 };
    for backend in &backends {
        first_pull(backend, households).await?;
    }
    for backend in &backends {
        push_thousand(backend).await?;
    }
    for backend in &backends {
        twenty_devices(backend, 1).await?;
        twenty_devices(backend, 3).await?;
    }
    Ok(())
}

//! Sync benchmarks: first pull of 10,000 and 100,000 households, push of 1,000
//! submissions and a new device's pull of their history, 20 devices at once, and bytes
//! on the wire. Prints figures; asserts only that the work was really done (counts),
//! never how fast.
//!
//!     cargo build --release -p anju-office
//!     ANJU_OFFICE_BIN=target/release/anju-office \
//!         cargo run --release -p anju-tests --example bench_sync [-- quick]
//!
//! `quick` skips the 100,000-household pull.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anju_core::model::{Department, Household};
use anju_core::wire::Role;
use anju_office::assign::{Target, assign};
use anju_office::db::OfficeDb;
use anju_sync::{CancellationToken, Phase, SyncConfig};
use anju_tests::fixtures::{self, Device, InProcessOffice, OfficeProcess};
use anju_tests::proxy::Proxy;
use anju_tests::workload::{days_work, synthetic_households};
use chrono::Utc;
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

/// An office holding `count` households, all assigned to inspector `li`.
fn big_office(count: usize) -> Result<tempfile::TempDir, BoxError> {
    let dir = tempfile::tempdir()?;
    let mut db = OfficeDb::create(dir.path())?;
    db.insert_households(
        "bench",
        None,
        &synthetic_households(count, &TOWNSHIPS),
        &mut Uuid::now_v7,
    )?;
    anju_office::users::add_user(
        &db,
        "li",
        Role::Inspector,
        Some(Department::Reform),
        None,
        fixtures::DEMO_PASSWORD,
    )?;
    for township in TOWNSHIPS {
        assign(&mut db, "li", &Target::Township(township.to_string()))?;
    }
    Ok(dir)
}

fn file_size(path: &std::path::Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

fn device_db_bytes(device: &Device) -> u64 {
    let db = device.dir.path().join(anju_store::DATABASE_FILE);
    file_size(&db) + file_size(&db.with_extension("sqlite3-wal"))
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1_000_000.0
}

async fn first_pull(count: usize) -> Result<(), BoxError> {
    let office_dir = big_office(count)?;
    let office = InProcessOffice::start(office_dir.path()).await?;
    let proxy = Proxy::start(office.addr).await?;
    // One request per connection, so that the proxy's byte counts are final when read.
    let config = SyncConfig {
        pool_max_idle_per_host: 0,
        ..SyncConfig::default()
    };
    let device = Device::new()?;
    device.login(&config, &proxy.url(), "li").await?;
    let started = Instant::now();
    let report = device.sync(&config).await?;
    let seconds = started.elapsed().as_secs_f64();
    let on_device = device.household_ids()?.len();
    assert_eq!(on_device, count, "every household arrived");
    proxy.idle().await;
    println!(
        "first pull of {count:>7} households: {seconds:6.2} s ({:>7.0} households/s), {} pages, device database {:.1} MB, {:.1} MB down / {:.2} MB up on the wire",
        count as f64 / seconds,
        count.div_ceil(config.pull_limit as usize),
        mb(device_db_bytes(&device)),
        mb(proxy.bytes_down()),
        mb(proxy.bytes_up()),
    );
    assert_eq!(report.households_pulled as usize, count);
    office.stop().await?;
    Ok(())
}

/// Wall time of each phase of one sync, from its progress reports.
type PhaseLog = Arc<std::sync::Mutex<Vec<(Phase, Instant)>>>;

fn phase_timer() -> (PhaseLog, impl Fn(anju_sync::Progress)) {
    let phases = Arc::new(std::sync::Mutex::new(Vec::<(Phase, Instant)>::new()));
    let sink = Arc::clone(&phases);
    let progress = move |p: anju_sync::Progress| {
        let mut seen = sink.lock().unwrap_or_else(|e| e.into_inner());
        if seen.last().map(|(phase, _)| *phase) != Some(p.phase) {
            seen.push((p.phase, Instant::now()));
        }
    };
    (phases, progress)
}

fn phase_span(phases: &[(Phase, Instant)], phase: Phase) -> Option<Duration> {
    let start = phases.iter().position(|(p, _)| *p == phase)?;
    let end = phases.get(start + 1).map(|(_, t)| *t)?;
    Some(end - phases[start].1)
}

async fn push_thousand() -> Result<(), BoxError> {
    let office_dir = tempfile::tempdir()?;
    fixtures::office_data(office_dir.path())?;
    let office = InProcessOffice::start(office_dir.path()).await?;
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
    let (phases, progress) = phase_timer();
    let started = Instant::now();
    let report =
        anju_sync::sync(&device.store, &config, progress, CancellationToken::new()).await?;
    let total = started.elapsed();
    let phases = phases.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let push = phase_span(&phases, Phase::Push).unwrap_or(total);
    let upload = phase_span(&phases, Phase::Upload).unwrap_or_default();
    assert_eq!(report.accepted as usize, records);
    println!(
        "push of 1000 submissions ({records} records: submissions, photo and signature metadata): push phase {:.2} s = {:.0} submissions/s, {:.0} records/s; blobs before it {:.2} s; whole sync {:.2} s",
        push.as_secs_f64(),
        1000.0 / push.as_secs_f64(),
        records as f64 / push.as_secs_f64(),
        upload.as_secs_f64(),
        total.as_secs_f64()
    );
    // A new device of li's pulls the same households, with the office's history of those
    // 1,000 inspections.
    let second = Device::new()?;
    second.login(&config, &office.url(), "li").await?;
    let started = Instant::now();
    second.sync(&config).await?;
    let pulled = started.elapsed();
    let mut known = 0;
    for household in &households {
        known += second.store().office_inspections(*household)?.len();
    }
    assert_eq!(known, 1000, "the history of every inspection arrived");
    println!(
        "a new device's first pull of {} households with the office's history of {known} inspections: {:.0} ms",
        households.len(),
        pulled.as_secs_f64() * 1000.0
    );
    office.stop().await?;
    Ok(())
}

/// Resident memory of a process (`VmRSS`, now, or `VmHWM`, the peak), from /proc (Linux).
fn rss_mb(pid: u32, field: &str) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

async fn twenty_devices() -> Result<(), BoxError> {
    let office_dir = tempfile::tempdir()?;
    fixtures::office_data(office_dir.path())?;
    {
        let mut db = OfficeDb::open(office_dir.path())?;
        let all = db.households(None)?;
        for d in 0..20 {
            let name = format!("inspector{d:02}");
            anju_office::users::add_user(
                &db,
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
                .map(|h: &Household| h.number.clone())
                .collect();
            assign(&mut db, &name, &Target::Households(mine))?;
        }
    }
    let server = OfficeProcess::spawn(office_dir.path(), "127.0.0.1:0")?;
    let url = server.url();
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
    // Measure the pushing only, not the 20 password checks before it (argon2id takes
    // 19 MiB each): writing 5 to clear_refs resets the peak, VmHWM (Linux).
    let _ = std::fs::write(format!("/proc/{}/clear_refs", server.pid()), "5");
    let resident_before = rss_mb(server.pid(), "VmRSS:").unwrap_or(f64::NAN);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for device in &devices {
        let device = Arc::clone(device);
        let config = config.clone();
        tasks.push(tokio::spawn(async move {
            let started = Instant::now();
            let result = device.sync(&config).await;
            (result, started.elapsed())
        }));
    }
    let mut per_device = Vec::new();
    for task in tasks {
        let (result, elapsed) = task.await?;
        let report = result?;
        assert!(report.rejected.is_empty());
        per_device.push(elapsed.as_secs_f64());
    }
    let wall = started.elapsed().as_secs_f64();
    per_device.sort_by(f64::total_cmp);
    let token = fixtures::token_of(&devices[0])?;
    let metrics = fixtures::metrics(&url, &token).await?;
    println!(
        "20 devices at once, each 20 submissions + 15 photos of 300 KB ({records} records, {:.1} MB of photos): {wall:.2} s wall, {:.1} MB/s, {:.0} records/s; device sync p50 {:.2} s, max {:.2} s; server request latency p50 {} ms, p99 {} ms; server memory {:.0} MB before, peak {:.0} MB during; 5xx answers {}",
        mb(payload),
        mb(payload) / wall,
        records as f64 / wall,
        per_device[per_device.len() / 2],
        per_device[per_device.len() - 1],
        metrics["latency_ms_p50"],
        metrics["latency_ms_p99"],
        resident_before,
        rss_mb(server.pid(), "VmHWM:").unwrap_or(f64::NAN),
        metrics["responses_5xx"],
    );
    Ok(())
}

async fn wire_overhead() -> Result<(), BoxError> {
    let office_dir = tempfile::tempdir()?;
    fixtures::office_data(office_dir.path())?;
    let office = InProcessOffice::start(office_dir.path()).await?;
    let proxy = Proxy::start(office.addr).await?;
    let config = SyncConfig::default();
    let device = Device::new()?;
    device.login(&config, &proxy.url(), "li").await?;
    device.sync(&config).await?;
    proxy.idle().await;
    let (up_before, down_before) = (proxy.bytes_up(), proxy.bytes_down());
    let blobs = days_work(&device, 7)?;
    // The record bodies as they go on the wire (JSON), for the payload.
    let records: u64 = {
        let store = device.store();
        let mut total = 0u64;
        for entry in store.pending_outbox()? {
            total += serde_json::to_vec(&store.outbox_record(&entry)?)?.len() as u64;
        }
        total
    };
    device.sync(&config).await?;
    proxy.idle().await;
    let wire = proxy.bytes_up() - up_before + proxy.bytes_down() - down_before;
    let payload = blobs + records;
    println!(
        "bytes on the wire for a day's work: {:.2} MB on the wire / {:.2} MB payload (photos {:.2} MB + records {:.3} MB) = {:.3}",
        mb(wire),
        mb(payload),
        mb(blobs),
        mb(records),
        wire as f64 / payload as f64
    );

    // A cut at 50% of a 300 KB photo upload: what is sent again?
    let photo = fixtures::photo_bytes(99, 300_000);
    let households = device.household_ids()?;
    device.spot_check(
        households[0],
        std::slice::from_ref(&photo),
        0,
        anju_core::clock::unanchored_reading(Utc::now()),
    )?;
    let sig_and_photo_blobs: u64 = {
        let store = device.store();
        let mut total = 0;
        for entry in store.pending_outbox()? {
            if let anju_core::wire::RecordBody::Signature(s) = store.outbox_record(&entry)? {
                total += store.blob_bytes(&s.signature.image_sha256)?.len() as u64;
            }
        }
        total + photo.len() as u64
    };
    let token = fixtures::token_of(&device)?;
    let received_before = fixtures::metric(
        &fixtures::metrics(&office.url(), &token).await?,
        "blob_bytes_received",
    )?;
    proxy.schedule([anju_tests::proxy::Rule::prefix(
        "PUT /api/v1/blobs/",
        anju_tests::proxy::Fault::CutRequestBody(150_000),
    )]);
    let mut cut_config = config.clone();
    cut_config.initial_backoff = Duration::from_millis(10);
    device.sync(&cut_config).await?;
    let received = fixtures::metric(
        &fixtures::metrics(&office.url(), &token).await?,
        "blob_bytes_received",
    )? - received_before;
    println!(
        "a cut at 50% of a 300 KB photo upload: the office received {received} blob bytes for {sig_and_photo_blobs} bytes of blobs, so {} bytes were sent again",
        received.saturating_sub(sig_and_photo_blobs)
    );
    office.stop().await?;
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let quick = std::env::args().any(|a| a == "quick");
    println!(
        "anju sync benchmarks ({} cores; office in-process unless said)",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    first_pull(10_000).await?;
    if !quick {
        first_pull(100_000).await?;
    }
    push_thousand().await?;
    twenty_devices().await?;
    wire_overhead().await?;
    Ok(())
}

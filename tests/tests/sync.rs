//! The device's sync engine against the real office server, on loopback: through a
//! proxy that cuts, drops, duplicates and delays; across a SIGKILL of the office
//! process; with households unassigned and a device copy that drifted; with a device
//! clock that is wrong.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::{Arc, Mutex};

use anju_core::model::ClockReading;
use anju_core::wire::{HEADER_BLOB_OFFSET, RecordStatus};
use anju_office::assign::{Target, assign, unassign};
use anju_office::db::OfficeDb;
use anju_store::HouseholdQuery;
use anju_sync::{CancellationToken, DeviceClock, Phase, Progress, SyncConfig, SyncError};
use anju_tests::fixtures::{
    Device, INSPECTOR, InProcessOffice, OfficeHoldings, OfficeProcess, TOWNSHIP, metric, metrics,
    office_data, office_integrity, photo_bytes, test_config, token_of,
};
use anju_tests::proxy::{Fault, Proxy, Rule};
use chrono::Utc;
use proptest::prelude::*;
use uuid::Uuid;

type RecordKeys = BTreeSet<(String, String)>;

fn now_reading() -> ClockReading {
    ClockReading {
        device_time: Utc::now(),
        trusted_time: None,
        offset_ms: None,
    }
}

/// Copy an office data folder (no server running on it), and its PostgreSQL database
/// when it has one.
fn copy_office(from: &Path, to: &Path) {
    anju_office::testing::copy_database(from, to);
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file()
            && entry.file_name() != anju_office::db::DATABASE_URL_FILE
        {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

/// The office holds exactly the device's records and blobs: same ids, same hashes, no
/// record twice, no conflicts; and the device has every record acknowledged.
fn assert_office_matches(device: &Device, office_data: &Path) {
    let office = OfficeHoldings::read(office_data).unwrap();
    let stored = office.record_map().expect("no record stored twice");
    let made = device.records().unwrap();
    assert_eq!(
        stored, made,
        "the office holds exactly the device's records"
    );
    assert_eq!(office.conflicts, 0);
    let acknowledged = device.acknowledged().unwrap();
    let all: BTreeSet<_> = made.keys().cloned().collect();
    assert_eq!(acknowledged, all, "every record is acknowledged");
    assert!(device.store().pending_outbox().unwrap().is_empty());
    assert_eq!(
        office.blobs,
        device.blobs().unwrap(),
        "same blobs, same bytes"
    );
}

fn household_ids(office: &Path) -> Vec<anju_core::model::Household> {
    OfficeDb::open(office)
        .unwrap()
        .households(Some(TOWNSHIP))
        .unwrap()
}

// -- random fault schedules ----------------------------------------------------------------

#[derive(Debug, Clone)]
struct Work {
    /// (household index, photo sizes, findings)
    submissions: Vec<(usize, Vec<usize>, usize)>,
    push_batch: usize,
    faults: Vec<Fault>,
}

fn fault() -> impl Strategy<Value = Fault> {
    prop_oneof![
        // Sizes mostly within the requests and answers of a sync, so that most cuts cut.
        (0usize..400).prop_map(Fault::CutRequest),
        (0usize..60_000).prop_map(Fault::CutRequestBody),
        (0usize..400).prop_map(Fault::CutResponse),
        Just(Fault::DropResponse),
        Just(Fault::Duplicate),
        (0u64..25).prop_map(|ms| Fault::Delay(std::time::Duration::from_millis(ms))),
        Just(Fault::Pass),
    ]
}

fn work() -> impl Strategy<Value = Work> {
    (
        prop::collection::vec(
            (
                0usize..14,
                prop::collection::vec(500usize..150_000, 1..=3),
                0usize..=2,
            ),
            1..=4,
        ),
        1usize..=6,
        prop::collection::vec(fault(), 0..=10),
    )
        .prop_map(|(submissions, push_batch, faults)| Work {
            submissions,
            push_batch,
            faults,
        })
}

async fn faulty_sync(template: &Path, work: Work, seed: u64) {
    let office_dir = tempfile::tempdir().unwrap();
    copy_office(template, office_dir.path());
    let office = InProcessOffice::start(office_dir.path()).await.unwrap();
    let proxy = Proxy::start(office.addr).await.unwrap();
    let device = Device::new().unwrap();
    let mut config = test_config();
    config.push_batch = work.push_batch;
    config.max_attempts = work.faults.len() as u32 + 3;

    device
        .login(&config, &proxy.url(), INSPECTOR)
        .await
        .unwrap();
    device.sync(&config).await.unwrap();
    let households = device.household_ids().unwrap();
    assert_eq!(households.len(), 14);
    for (i, (household, photos, findings)) in work.submissions.iter().enumerate() {
        let photos: Vec<Vec<u8>> = photos
            .iter()
            .enumerate()
            .map(|(j, len)| photo_bytes(seed * 1000 + (i * 10 + j) as u64, *len))
            .collect();
        device
            .spot_check(households[*household], &photos, *findings, now_reading())
            .unwrap();
    }

    proxy.schedule(work.faults.iter().cloned().map(Rule::any));
    let report = device
        .sync(&config)
        .await
        .unwrap_or_else(|e| panic!("sync failed: {e}\nconnections: {:#?}", proxy.connections()));
    proxy.idle().await; // replays finished too

    assert_office_matches(&device, office_dir.path());
    assert_eq!(
        report.accepted + report.duplicates,
        device.records().unwrap().len() as u64
    );
    assert!(report.rejected.is_empty() && report.held.is_empty());
    let token = token_of(&device).unwrap();
    let counters = metrics(&office.url(), &token).await.unwrap();
    assert_eq!(metric(&counters, "responses_5xx").unwrap(), 0, "{counters}");
    // Every blob byte reached the office exactly once: nothing re-sent after a cut.
    let blob_bytes: u64 = device.blobs().unwrap().values().sum();
    assert_eq!(
        metric(&counters, "blob_bytes_received").unwrap(),
        blob_bytes,
        "{counters}"
    );
    drop(proxy);
    office.stop().await.unwrap();
}

#[test]
fn random_fault_schedules_lose_nothing_and_store_nothing_twice() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let template = tempfile::tempdir().unwrap();
    office_data(template.path()).unwrap();
    let config = ProptestConfig {
        // ANJU_FAULT_CASES=500 for a longer hunt.
        cases: std::env::var("ANJU_FAULT_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(32),
        max_shrink_iters: 32,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    proptest!(config, |(work in work(), seed in any::<u32>())| {
        runtime.block_on(faulty_sync(template.path(), work, u64::from(seed)));
    });
}

// -- a cut in the middle of a blob -----------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blob_cut_at_half_resumes_without_sending_a_byte_twice() {
    let office_dir = tempfile::tempdir().unwrap();
    office_data(office_dir.path()).unwrap();
    let office = InProcessOffice::start(office_dir.path()).await.unwrap();
    let proxy = Proxy::start(office.addr).await.unwrap();
    let device = Device::new().unwrap();
    let config = test_config();
    device
        .login(&config, &proxy.url(), INSPECTOR)
        .await
        .unwrap();
    device.sync(&config).await.unwrap();
    let household = device.household_ids().unwrap()[0];
    let photo = photo_bytes(7, 400_000);
    device
        .spot_check(household, std::slice::from_ref(&photo), 1, now_reading())
        .unwrap();
    let sha = anju_core::hash::sha256_hex(&photo);
    let put = format!("PUT /api/v1/blobs/{sha} ");
    proxy.schedule([Rule::prefix(&put, Fault::CutRequestBody(200_000))]);

    let seen: Arc<Mutex<Vec<Progress>>> = Arc::default();
    let log = seen.clone();
    let report = anju_sync::sync(
        &device.store,
        &config,
        move |p| log.lock().unwrap().push(p),
        CancellationToken::new(),
    )
    .await
    .unwrap();
    proxy.idle().await;
    assert_eq!(proxy.pending(), 0, "the cut happened");

    let puts: Vec<_> = proxy
        .connections()
        .into_iter()
        .filter(|c| c.request_line().starts_with(put.trim_end()))
        .collect();
    assert_eq!(puts.len(), 2, "{puts:#?}");
    assert_eq!(puts[0].header(HEADER_BLOB_OFFSET), Some("0"));
    assert_eq!(puts[0].body_bytes_up(), 200_000);
    // The second try starts where the office stopped and sends only the rest.
    assert_eq!(puts[1].header(HEADER_BLOB_OFFSET), Some("200000"));
    assert_eq!(puts[1].body_bytes_up(), 200_000);

    let token = token_of(&device).unwrap();
    let counters = metrics(&office.url(), &token).await.unwrap();
    let blob_bytes: u64 = device.blobs().unwrap().values().sum();
    assert_eq!(
        metric(&counters, "blob_bytes_received").unwrap(),
        blob_bytes
    );
    assert_eq!(metric(&counters, "responses_5xx").unwrap(), 0);
    assert_office_matches(&device, office_dir.path());
    assert_eq!(report.blobs_uploaded, 2); // the photo and the signature image
    assert!(report.retries >= 1);

    // Progress went through the phases in order and ended complete.
    let seen = seen.lock().unwrap().clone();
    let phases: Vec<Phase> = seen.iter().map(|p| p.phase).collect();
    let mut order = phases.clone();
    order.dedup();
    assert_eq!(
        order,
        [
            Phase::Clock,
            Phase::Upload,
            Phase::Push,
            Phase::Pull,
            Phase::Done
        ]
    );
    let last = seen.last().unwrap();
    assert_eq!(last.records_total, 4); // photo, signature, submission, finding
    assert_eq!(last.records_done, 4);
    assert_eq!(last.bytes_total, blob_bytes);
    assert_eq!(last.bytes_done, blob_bytes);
    drop(proxy);
    office.stop().await.unwrap();
}

// -- SIGKILL of the office process ------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_the_office_mid_push_loses_nothing_and_stores_nothing_twice() {
    let office_dir = tempfile::tempdir().unwrap();
    office_data(office_dir.path()).unwrap();
    let data = office_dir.path().to_path_buf();
    let first = tokio::task::spawn_blocking({
        let data = data.clone();
        move || OfficeProcess::spawn(&data, "127.0.0.1:0")
    })
    .await
    .unwrap()
    .unwrap();
    let addr = first.addr;
    let url = first.url();

    let device = Device::new().unwrap();
    let config = SyncConfig {
        push_batch: 4,
        max_attempts: 60,
        ..test_config()
    };
    device.login(&config, &url, INSPECTOR).await.unwrap();
    device.sync(&config).await.unwrap();
    let households = device.household_ids().unwrap();
    for (i, household) in households.iter().enumerate() {
        for round in 0..2 {
            let photo = photo_bytes((i * 2 + round) as u64, 3_000);
            device
                .spot_check(*household, &[photo], 1, now_reading())
                .unwrap();
        }
    }
    let total = device.records().unwrap().len();
    assert_eq!(total, 14 * 2 * 4);

    // When 40 records are acknowledged, SIGKILL the office (while the engine goes on
    // pushing), then start it again on the same data and port.
    let (kill_tx, kill_rx) = std::sync::mpsc::channel::<()>();
    let killer = tokio::task::spawn_blocking({
        let data = data.clone();
        let mut process = first;
        move || {
            kill_rx.recv().unwrap();
            process.kill().unwrap();
            drop(process);
            OfficeProcess::spawn(&data, &addr.to_string()).unwrap()
        }
    });
    let acknowledged_at_kill: Mutex<Option<RecordKeys>> = Mutex::default();
    let kill_tx = Mutex::new(Some(kill_tx));
    let report = anju_sync::sync(
        &device.store,
        &config,
        |p| {
            if p.phase == Phase::Push
                && p.records_done >= 40
                && let Some(tx) = kill_tx.lock().unwrap().take()
            {
                *acknowledged_at_kill.lock().unwrap() = Some(device.acknowledged().unwrap());
                tx.send(()).unwrap();
            }
        },
        CancellationToken::new(),
    )
    .await
    .unwrap();
    let mut second = killer.await.unwrap();
    assert!(report.retries >= 1, "the sync noticed the office was gone");

    let token = token_of(&device).unwrap();
    let counters = metrics(&second.url(), &token).await.unwrap();
    assert_eq!(metric(&counters, "responses_5xx").unwrap(), 0);
    assert!(metric(&counters, "records_accepted").unwrap() > 0);
    let status = second.terminate().unwrap();
    assert!(status.success(), "{status:?}");

    assert_office_matches(&device, &data);
    assert!(office_integrity(&data).unwrap().is_empty());
    assert_eq!(report.accepted + report.duplicates, total as u64);
    // Whatever was acknowledged when the office died is there after the restart.
    let before_kill = acknowledged_at_kill.lock().unwrap().take().unwrap();
    assert!(before_kill.len() >= 40);
    let stored = OfficeHoldings::read(&data).unwrap().record_map().unwrap();
    assert!(before_kill.iter().all(|key| stored.contains_key(key)));
}

// -- tombstones and digest drift ---------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tombstones_remove_households_and_a_drifted_copy_is_pulled_again() {
    let office_dir = tempfile::tempdir().unwrap();
    office_data(office_dir.path()).unwrap();
    let office = InProcessOffice::start(office_dir.path()).await.unwrap();
    let device = Device::new().unwrap();
    let config = SyncConfig {
        pull_limit: 5, // several pages
        ..test_config()
    };
    device
        .login(&config, &office.url(), INSPECTOR)
        .await
        .unwrap();
    let report = device.sync(&config).await.unwrap();
    assert_eq!(report.households_pulled, 14);
    assert!(report.digest_matches && !report.full_repull);
    let all = household_ids(office_dir.path());
    let ids: Vec<Uuid> = {
        let mut ids: Vec<Uuid> = all.iter().map(|h| h.id).collect();
        ids.sort();
        ids
    };
    assert_eq!(device.household_ids().unwrap(), ids);

    // A has a draft on the device; B has nothing; both are taken away from li.
    let a = &all[0];
    let b = &all[1];
    device
        .store()
        .open_draft(a.id, anju_core::model::SubmissionKind::SpotCheck)
        .unwrap();
    {
        let mut db = OfficeDb::open(office_dir.path()).unwrap();
        let taken = unassign(
            &mut db,
            INSPECTOR,
            &Target::Households(vec![a.number.clone(), b.number.clone()]),
        )
        .unwrap();
        assert_eq!(taken, 2);
    }
    let report = device.sync(&config).await.unwrap();
    let on_device = device.household_ids().unwrap();
    assert!(!on_device.contains(&b.id), "B is gone");
    assert!(
        on_device.contains(&a.id),
        "A stays while its draft is there"
    );
    assert_eq!(on_device.len(), 13);
    assert_eq!(report.households_kept, vec![a.id]);
    assert_eq!(report.households_removed, 1);
    assert_eq!(report.assigned_count, 12);
    assert!(report.digest_matches && !report.full_repull);

    // Once the draft is thrown away, A goes at the next sync.
    let draft = device
        .store()
        .draft_for(a.id, anju_core::model::SubmissionKind::SpotCheck)
        .unwrap()
        .unwrap();
    device.store().discard_draft(draft.id).unwrap();
    let report = device.sync(&config).await.unwrap();
    assert!(report.households_kept.is_empty());
    assert_eq!(device.household_ids().unwrap().len(), 12);
    assert!(!device.household_ids().unwrap().contains(&a.id));

    // The device's copy drifts: a household row disappears (a restored backup). The
    // digest differs, the device pulls everything again and has it back.
    let c = all[5].id;
    {
        let conn =
            rusqlite::Connection::open(device.dir.path().join(anju_store::DATABASE_FILE)).unwrap();
        let deleted = conn
            .execute("DELETE FROM households WHERE id = ?1", [c.to_string()])
            .unwrap();
        assert_eq!(deleted, 1);
    }
    assert_eq!(device.household_ids().unwrap().len(), 11);
    let report = device.sync(&config).await.unwrap();
    assert!(report.full_repull);
    assert!(report.digest_matches);
    assert!(device.household_ids().unwrap().contains(&c));
    assert_eq!(device.household_ids().unwrap().len(), 12);

    // A household the office never assigned appears on the device (another account's
    // leftovers): the full pull drops it.
    let stranger = household_ids_of_other_township(office_dir.path());
    device
        .store()
        .upsert_households(std::slice::from_ref(&stranger), &[], 0)
        .unwrap();
    let report = device.sync(&config).await.unwrap();
    assert!(report.full_repull && report.digest_matches);
    assert!(!device.household_ids().unwrap().contains(&stranger.id));

    // Assigned again, B comes back.
    {
        let mut db = OfficeDb::open(office_dir.path()).unwrap();
        assign(
            &mut db,
            INSPECTOR,
            &Target::Households(vec![b.number.clone()]),
        )
        .unwrap();
    }
    let report = device.sync(&config).await.unwrap();
    assert!(device.household_ids().unwrap().contains(&b.id));
    assert!(report.digest_matches && !report.full_repull);
    assert_eq!(report.assigned_count, 13);
    office.stop().await.unwrap();
}

fn household_ids_of_other_township(office: &Path) -> anju_core::model::Household {
    OfficeDb::open(office)
        .unwrap()
        .households(None)
        .unwrap()
        .into_iter()
        .find(|h| h.township != TOWNSHIP)
        .unwrap()
}

// -- refused records ---------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_records_are_kept_aside_and_the_rest_go_through() {
    let office_dir = tempfile::tempdir().unwrap();
    office_data(office_dir.path()).unwrap();
    let office = InProcessOffice::start(office_dir.path()).await.unwrap();
    let device = Device::new().unwrap();
    let config = test_config();
    device
        .login(&config, &office.url(), INSPECTOR)
        .await
        .unwrap();
    device.sync(&config).await.unwrap();
    let all = household_ids(office_dir.path());
    let (taken, kept) = (&all[2], &all[3]);
    device
        .spot_check(taken.id, &[photo_bytes(1, 2_000)], 1, now_reading())
        .unwrap();
    device
        .spot_check(kept.id, &[photo_bytes(2, 2_000)], 1, now_reading())
        .unwrap();
    {
        let mut db = OfficeDb::open(office_dir.path()).unwrap();
        unassign(
            &mut db,
            INSPECTOR,
            &Target::Households(vec![taken.number.clone()]),
        )
        .unwrap();
    }
    let report = device.sync(&config).await.unwrap();
    // The photo blob is content-addressed and goes up; its records are refused.
    assert_eq!(report.accepted, 4);
    assert_eq!(report.rejected.len(), 4);
    assert!(report.rejected.iter().all(|r| r.household_id == taken.id
        && r.status == RecordStatus::Forbidden
        && r.code == 403
        && r.message.contains(" / ")));
    let rejected = {
        let store = device.store();
        assert!(store.pending_outbox().unwrap().is_empty());
        let rejected = store.rejected_outbox().unwrap();
        assert_eq!(rejected.len(), 4);
        assert!(rejected.iter().all(|(_, code)| *code == 403));
        // The refused household stays on the device with its work, for review.
        assert!(store.household(taken.id).unwrap().is_some());
        assert_eq!(report.households_kept, vec![taken.id]);
        assert_eq!(store.submissions_for(taken.id).unwrap().len(), 1);
        rejected
    };
    let stored = OfficeHoldings::read(office_dir.path())
        .unwrap()
        .record_map()
        .unwrap();
    assert_eq!(stored.len(), 4);
    for (entry, _) in &rejected {
        let key = (entry.kind.code().to_string(), entry.record_id.clone());
        assert!(!stored.contains_key(&key), "{key:?} was refused yet stored");
    }
    office.stop().await.unwrap();
}

// -- sign-in -----------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_device_is_asked_to_sign_in_again_and_keeps_its_work() {
    let office_dir = tempfile::tempdir().unwrap();
    office_data(office_dir.path()).unwrap();
    let office = InProcessOffice::start(office_dir.path()).await.unwrap();
    let device = Device::new().unwrap();
    let config = test_config();

    let wrong = anju_sync::login(
        &device.store,
        &config,
        &anju_sync::Credentials {
            server_url: &office.url(),
            user: INSPECTOR,
            password: "wrong",
            device_id: device.id,
            device_name: None,
        },
        CancellationToken::new(),
    )
    .await
    .unwrap_err();
    assert!(matches!(wrong, SyncError::WrongPassword { .. }), "{wrong}");
    assert!(matches!(
        device.sync(&config).await,
        Err(SyncError::NotSignedIn)
    ));

    let session = device
        .login(&config, &office.url(), INSPECTOR)
        .await
        .unwrap();
    assert_eq!(session.user.name, INSPECTOR);
    assert_eq!(session.user.role, anju_core::wire::Role::Inspector);
    device.sync(&config).await.unwrap();
    let household = device.household_ids().unwrap()[0];
    device
        .spot_check(household, &[photo_bytes(3, 1_000)], 0, now_reading())
        .unwrap();
    let pending = device.store().pending_outbox().unwrap().len();

    {
        let db = OfficeDb::open(office_dir.path()).unwrap();
        anju_office::users::revoke(&db, INSPECTOR).unwrap();
    }
    let error = device.sync(&config).await.unwrap_err();
    assert!(error.needs_sign_in(), "{error}");
    let text = error.to_string();
    assert!(
        text.contains("请重新登录") && text.contains("sign in again"),
        "{text}"
    );
    assert_eq!(device.store().pending_outbox().unwrap().len(), pending);

    device
        .login(&config, &office.url(), INSPECTOR)
        .await
        .unwrap();
    device.sync(&config).await.unwrap();
    assert_office_matches(&device, office_dir.path());

    // Signing out revokes the token on the office and forgets it here.
    assert!(
        anju_sync::logout(&device.store, &config, CancellationToken::new())
            .await
            .unwrap()
    );
    assert!(matches!(
        device.sync(&config).await,
        Err(SyncError::NotSignedIn)
    ));
    let saved = anju_sync::saved_session(&device.store()).unwrap().unwrap();
    assert!(!saved.signed_in);
    assert_eq!(saved.user.name, INSPECTOR);
    office.stop().await.unwrap();
}

/// A phone left in a drawer for longer than a device's idle time: its sign-in has expired,
/// it asks for the password again, and what it had not sent yet goes after that.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_sign_in_asks_for_the_password_and_keeps_unsynced_work() {
    let office_dir = tempfile::tempdir().unwrap();
    office_data(office_dir.path()).unwrap();
    let office = InProcessOffice::start(office_dir.path()).await.unwrap();
    let device = Device::new().unwrap();
    let config = test_config();
    device
        .login(&config, &office.url(), INSPECTOR)
        .await
        .unwrap();
    device.sync(&config).await.unwrap();
    let household = device.household_ids().unwrap()[0];
    device
        .spot_check(household, &[photo_bytes(4, 1_000)], 0, now_reading())
        .unwrap();
    let pending = device.store().pending_outbox().unwrap().len();
    assert!(pending > 0);
    {
        let db = anju_tests::fixtures::office_sql_writer(office_dir.path()).unwrap();
        let long_ago = (chrono::Utc::now() - chrono::Duration::days(31)).to_rfc3339();
        db.execute("UPDATE device_tokens SET last_seen_at = ?1", [long_ago])
            .unwrap();
    }
    let error = device.sync(&config).await.unwrap_err();
    assert!(error.needs_sign_in(), "{error}");
    let text = error.to_string();
    assert!(
        text.contains("登录已过期") && text.contains("expired"),
        "{text}"
    );
    assert_eq!(device.store().pending_outbox().unwrap().len(), pending);
    device
        .login(&config, &office.url(), INSPECTOR)
        .await
        .unwrap();
    device.sync(&config).await.unwrap();
    assert!(device.store().pending_outbox().unwrap().is_empty());
    assert_office_matches(&device, office_dir.path());
    office.stop().await.unwrap();
}

/// Over HTTPS with the office's own certificate: the device trusts the certificate it met
/// at its first sign-in, and when another office answers at the same address with another
/// certificate (someone on the Wi-Fi, say), it refuses to talk to it, keeps its work, and
/// says which codes differ. Signing out forgets the certificate, so a real change can be
/// accepted after the codes were compared.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_device_pins_the_offices_certificate_and_refuses_another() {
    use anju_office::http::ServeOptions;
    let office_dir = tempfile::tempdir().unwrap();
    office_data(office_dir.path()).unwrap();
    let serve_with_new_certificate = |address: String| {
        let dir = office_dir.path().to_path_buf();
        async move {
            let _ = std::fs::remove_dir_all(dir.join("tls"));
            let (cert, key) = anju_office::tls::make_self_signed(&dir, &[]).unwrap();
            let tls = anju_office::tls::load(&cert, &key).unwrap();
            let code = anju_office::tls::short_code(&tls.fingerprint);
            let mut options = ServeOptions::new(dir);
            options.tls = Some(tls);
            (
                InProcessOffice::start_on(options, &address).await.unwrap(),
                code,
            )
        }
    };
    let (office, first_code) = serve_with_new_certificate("127.0.0.1:0".into()).await;
    let address = office.addr.to_string();
    let url = format!("https://{address}");
    let device = Device::new().unwrap();
    let config = test_config();
    let session = device.login(&config, &url, INSPECTOR).await.unwrap();
    assert_eq!(
        session.certificate_code.as_deref(),
        Some(first_code.as_str())
    );
    device.sync(&config).await.unwrap();
    let household = device.household_ids().unwrap()[0];
    device
        .spot_check(household, &[photo_bytes(5, 1_000)], 0, now_reading())
        .unwrap();
    let pending = device.store().pending_outbox().unwrap().len();
    office.stop().await.unwrap();

    // Another certificate at the same address.
    let (impostor, second_code) = serve_with_new_certificate(address.clone()).await;
    assert_ne!(first_code, second_code);
    let error = device.sync(&config).await.unwrap_err();
    assert!(
        matches!(error, SyncError::CertificateChanged { .. }),
        "{error}"
    );
    let text = error.to_string();
    assert!(
        text.contains(&first_code) && text.contains(&second_code) && text.contains("冒充"),
        "{text}"
    );
    assert_eq!(device.store().pending_outbox().unwrap().len(), pending);
    // Signing in again to the same address does not accept it either.
    let again = device.login(&config, &url, INSPECTOR).await.unwrap_err();
    assert!(
        matches!(again, SyncError::CertificateChanged { .. }),
        "{again}"
    );

    // The office says it changed its certificate: sign out, sign in, compare the codes.
    anju_sync::logout(&device.store, &config, CancellationToken::new())
        .await
        .unwrap();
    let session = device.login(&config, &url, INSPECTOR).await.unwrap();
    assert_eq!(
        session.certificate_code.as_deref(),
        Some(second_code.as_str())
    );
    device.sync(&config).await.unwrap();
    assert!(device.store().pending_outbox().unwrap().is_empty());
    impostor.stop().await.unwrap();
}

// -- cancellation ------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_sync_keeps_what_was_acknowledged_and_finishes_later() {
    let office_dir = tempfile::tempdir().unwrap();
    office_data(office_dir.path()).unwrap();
    let office = InProcessOffice::start(office_dir.path()).await.unwrap();
    let device = Device::new().unwrap();
    let config = SyncConfig {
        push_batch: 3,
        ..test_config()
    };
    device
        .login(&config, &office.url(), INSPECTOR)
        .await
        .unwrap();
    device.sync(&config).await.unwrap();
    for (i, household) in device.household_ids().unwrap().iter().take(5).enumerate() {
        device
            .spot_check(
                *household,
                &[photo_bytes(i as u64, 5_000)],
                1,
                now_reading(),
            )
            .unwrap();
    }
    let total = device.records().unwrap().len();

    let cancel = CancellationToken::new();
    let trigger = cancel.clone();
    let error = anju_sync::sync(
        &device.store,
        &config,
        move |p| {
            if p.records_done >= 3 {
                trigger.cancel();
            }
        },
        cancel,
    )
    .await
    .unwrap_err();
    assert!(matches!(error, SyncError::Cancelled), "{error}");
    assert!(error.to_string().contains("cancelled"));
    let acknowledged = device.acknowledged().unwrap();
    assert!(!acknowledged.is_empty() && acknowledged.len() < total);
    let stored = OfficeHoldings::read(office_dir.path())
        .unwrap()
        .record_map()
        .unwrap();
    for key in &acknowledged {
        assert!(
            stored.contains_key(key),
            "{key:?} acknowledged but not stored"
        );
    }

    // Cancelled before it started: nothing happens.
    let cancelled = CancellationToken::new();
    cancelled.cancel();
    assert!(matches!(
        anju_sync::sync(&device.store, &config, |_| {}, cancelled).await,
        Err(SyncError::Cancelled)
    ));

    device.sync(&config).await.unwrap();
    assert_office_matches(&device, office_dir.path());
    office.stop().await.unwrap();
}

// -- the trusted clock -------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_clock_ten_minutes_fast_is_flagged_on_its_records() {
    let office_dir = tempfile::tempdir().unwrap();
    office_data(office_dir.path()).unwrap();
    let office = InProcessOffice::start(office_dir.path()).await.unwrap();

    let fast = Device::new().unwrap();
    let clock = DeviceClock::shifted(chrono::Duration::minutes(10));
    let config = SyncConfig {
        clock: clock.clone(),
        ..test_config()
    };
    let session = fast.login(&config, &office.url(), INSPECTOR).await.unwrap();
    assert!((session.clock_offset_ms - 600_000).abs() < 60_000);
    let report = fast.sync(&config).await.unwrap();
    assert!(report.clock_is_off);
    assert!(
        (report.clock_offset_ms - 600_000).abs() < 60_000,
        "{}",
        report.clock_offset_ms
    );

    // A record made now carries the device time, the office-anchored time and the offset.
    let reading = anju_sync::trusted_reading(&fast.store(), clock.now()).unwrap();
    assert!(reading.clock_is_off());
    let trusted = reading.trusted_time.unwrap();
    assert!((trusted - Utc::now()).num_seconds().abs() < 60);
    let household = fast.household_ids().unwrap()[0];
    let submission = fast
        .spot_check(household, &[photo_bytes(9, 1_000)], 0, reading)
        .unwrap();
    fast.sync(&config).await.unwrap();

    // The office has the record's own clock reading and the offset it saw at the push.
    let db = OfficeDb::open(office_dir.path()).unwrap();
    let (offset, push_offset): (Option<i64>, Option<i64>) = db
        .connection()
        .query_row(
            "SELECT clock_offset_ms, push_offset_ms FROM submissions WHERE id = ?1",
            [submission.id.to_string()],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .unwrap();
    assert!((offset.unwrap() - 600_000).abs() < 60_000);
    assert!((push_offset.unwrap() - 600_000).abs() < 60_000);

    // A device with a right clock is not flagged.
    let right = Device::new().unwrap();
    let config = test_config();
    right
        .login(&config, &office.url(), INSPECTOR)
        .await
        .unwrap();
    let report = right.sync(&config).await.unwrap();
    assert!(!report.clock_is_off);
    let reading = anju_sync::trusted_reading(&right.store(), Utc::now()).unwrap();
    assert!(!reading.clock_is_off());
    assert!(reading.trusted_time.is_some());
    let counts = right
        .store()
        .count_by_status(&HouseholdQuery::default())
        .unwrap();
    assert_eq!(counts.total, 14);
    office.stop().await.unwrap();
}

// -- a photo file missing on the device ----------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_photo_file_holds_its_household_and_never_half_syncs() {
    let office_dir = tempfile::tempdir().unwrap();
    office_data(office_dir.path()).unwrap();
    let office = InProcessOffice::start(office_dir.path()).await.unwrap();
    let device = Device::new().unwrap();
    let config = test_config();
    device
        .login(&config, &office.url(), INSPECTOR)
        .await
        .unwrap();
    device.sync(&config).await.unwrap();
    let households = device.household_ids().unwrap();
    let photo = photo_bytes(11, 8_000);
    device
        .spot_check(
            households[0],
            std::slice::from_ref(&photo),
            1,
            now_reading(),
        )
        .unwrap();
    device
        .spot_check(households[1], &[photo_bytes(12, 8_000)], 1, now_reading())
        .unwrap();
    let sha = anju_core::hash::sha256_hex(&photo);
    let path = device.store().blob_path(&sha).unwrap();
    std::fs::remove_file(&path).unwrap();

    let report = device.sync(&config).await.unwrap();
    // The other household's work goes; this one's waits whole: the photo record (its
    // file is gone) and everything after it, submission and finding included, so the
    // office never has a submission without its photo.
    assert_eq!(report.accepted, 4);
    let held: Vec<_> = report.held.iter().map(|h| h.household_id).collect();
    assert_eq!(held, vec![households[0]; 4]);
    assert!(
        report.held[0].reason.contains("missing"),
        "{:?}",
        report.held
    );
    let stored = OfficeHoldings::read(office_dir.path())
        .unwrap()
        .record_map()
        .unwrap();
    assert_eq!(stored.len(), 4);
    let pending = device.store().pending_outbox().unwrap();
    assert_eq!(pending.len(), 4);
    assert!(
        pending
            .iter()
            .all(|e| e.attempts == 1 && e.last_error.is_some())
    );

    // The file is back (restored from a backup): everything goes.
    device.store().put_blob(&photo).unwrap();
    let report = device.sync(&config).await.unwrap();
    assert_eq!(report.accepted, 4);
    assert!(report.held.is_empty());
    assert_office_matches(&device, office_dir.path());
    office.stop().await.unwrap();
}

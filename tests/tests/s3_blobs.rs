//! The office's photos in a real Garage bucket: the blob contract from outside the office
//! crate, and a device's sync through two office processes that share the bucket, the
//! upload cut in the middle at the first and finished at the second.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use anju_core::model::ClockReading;
use anju_core::wire::{HEADER_BLOB_OFFSET, MAX_BLOB_BYTES};
use anju_office::app::router;
use anju_office::http::{AppState, ServeOptions};
use anju_office::s3_blobs::contract;
use anju_office::s3_blobs::test_garage::{GarageBackend, TestGarage};
use anju_office::s3_blobs::{S3BlobStore, S3Config};
use anju_office::storage::BlobStore;
use anju_tests::fixtures::{
    Device, INSPECTOR, metric, metrics, office_data, photo_bytes, test_config, token_of,
};
use anju_tests::proxy::{Fault, Proxy, Rule};
use chrono::Utc;
use tokio::net::{TcpListener, TcpStream};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_blob_contract_holds_in_a_garage_bucket() {
    let Some(garage) = TestGarage::start_or_skip() else {
        return;
    };
    let backend = GarageBackend {
        garage: &garage,
        run: "from-tests".to_string(),
    };
    contract::run_all(&backend).await;
}

/// An office process's server over the shared data folder, its blobs in the bucket.
struct Office {
    addr: SocketAddr,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl Office {
    async fn start(data: &Path, bucket: &S3Config) -> Self {
        let options = ServeOptions::new(data.to_path_buf());
        let mut state = AppState::open_with(&options).unwrap();
        state.blobs = Arc::new(S3BlobStore::new(bucket, MAX_BLOB_BYTES).unwrap());
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(anju_office::listen::serve_connections(
            listener,
            router(state),
            options.limits,
            None,
            async move {
                let _ = stopped.await;
            },
        ));
        Self { addr, _stop: stop }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

/// One address for the device that forwards each new connection to the upstream chosen
/// at that moment: a load balancer in front of the office processes.
struct Switch {
    addr: SocketAddr,
    to: Arc<AtomicUsize>,
}

impl Switch {
    async fn start(upstreams: Vec<SocketAddr>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let to = Arc::new(AtomicUsize::new(0));
        let chosen = Arc::clone(&to);
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let upstream = upstreams[chosen.load(Ordering::SeqCst)];
                tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
            }
        });
        Self { addr, to }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_cut_at_one_office_process_is_finished_at_another() {
    let Some(garage) = TestGarage::start_or_skip() else {
        return;
    };
    let bucket = garage.config_with_prefix("township/blobs");
    let data = tempfile::tempdir().unwrap();
    office_data(data.path()).unwrap();
    let first = Office::start(data.path(), &bucket).await;
    let second = Office::start(data.path(), &bucket).await;
    // The device → the switch → (a proxy that cuts → the first) or (the second).
    let proxy = Proxy::start(first.addr).await.unwrap();
    let switch = Switch::start(vec![proxy.addr(), second.addr]).await;

    let device = Device::new().unwrap();
    let config = test_config();
    device
        .login(&config, &switch.url(), INSPECTOR)
        .await
        .unwrap();
    device.sync(&config).await.unwrap();
    let household = device.household_ids().unwrap()[0];
    let photo = photo_bytes(11, 400_000);
    let clock = ClockReading {
        device_time: Utc::now(),
        trusted_time: None,
        offset_ms: None,
    };
    device
        .spot_check(household, std::slice::from_ref(&photo), 1, clock)
        .unwrap();
    let sha = anju_core::hash::sha256_hex(&photo);
    let put = format!("PUT /api/v1/blobs/{sha} ");
    proxy.schedule([Rule::prefix(&put, Fault::CutRequestBody(200_000))]);

    // One try only: the first process keeps what came before the cut.
    let once = anju_sync::SyncConfig {
        max_attempts: 1,
        ..test_config()
    };
    assert!(device.sync(&once).await.is_err(), "the cut ends this sync");
    let shared = S3BlobStore::new(&bucket, MAX_BLOB_BYTES).unwrap();
    let mut held = shared.state(&sha).await.unwrap();
    for _ in 0..100 {
        if held.offset == 200_000 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        held = shared.state(&sha).await.unwrap();
    }
    assert_eq!((held.offset, held.complete), (200_000, false));

    // The first process is gone from the device's view; the second goes on from the bucket.
    switch.to.store(1, Ordering::SeqCst);
    device.sync(&config).await.unwrap();
    let puts: Vec<_> = proxy
        .connections()
        .into_iter()
        .filter(|c| c.request_line().starts_with(put.trim_end()))
        .collect();
    assert_eq!(puts.len(), 1, "only the cut request went to the first");
    assert_eq!(puts[0].header(HEADER_BLOB_OFFSET), Some("0"));

    let token = token_of(&device).unwrap();
    let counters = metrics(&second.url(), &token).await.unwrap();
    let blob_bytes: u64 = device.blobs().unwrap().values().sum();
    // The second received the rest of the photo and the signature image, nothing twice.
    assert_eq!(
        metric(&counters, "blob_bytes_received").unwrap(),
        blob_bytes - 200_000
    );
    assert_eq!(metric(&counters, "responses_5xx").unwrap(), 0);
    for (sha, size) in device.blobs().unwrap() {
        let stored = shared.read(&sha).await.unwrap();
        assert_eq!(stored.len() as u64, size, "{sha}");
    }
    assert_eq!(shared.read(&sha).await.unwrap(), photo);
    assert_eq!(
        shared.sweep(chrono::Duration::zero()).await.unwrap(),
        Default::default(),
        "no staging left behind"
    );
}

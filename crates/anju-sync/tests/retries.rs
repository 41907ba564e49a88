//! The engine against a scripted office that fails on purpose: what it retries, what it
//! stops on, and what it says. (The real office is in `tests/tests/sync.rs`.)

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anju_core::wire::{PullResponse, assigned_digest};
use anju_store::Store;
use anju_sync::{CancellationToken, SyncConfig, SyncError, state, sync};
use chrono::Utc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

type Answer = (u16, Vec<(&'static str, String)>, String);
type Script = dyn Fn(&str, usize) -> Answer + Send + Sync;

/// A one-request-per-connection HTTP server answering `script(request line, n-th time
/// this request line was seen)`. Counts the requests it saw.
async fn scripted(script: Arc<Script>) -> (SocketAddr, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let log = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut request = Vec::new();
            let mut buf = [0u8; 4096];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&buf[..n]),
                }
            }
            let text = String::from_utf8_lossy(&request).to_string();
            let line = text.lines().next().unwrap_or("").to_string();
            let mut parts = line.split_whitespace();
            let method = parts.next().unwrap_or("");
            let path = parts.next().unwrap_or("").split('?').next().unwrap_or("");
            let key = format!("{method} {path}");
            let nth = {
                let mut seen = log.lock().unwrap();
                seen.push(key.clone());
                seen.iter().filter(|l| **l == key).count()
            };
            let (status, headers, body) = script(&key, nth);
            let mut answer = format!(
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n",
                body.len()
            );
            for (name, value) in headers {
                answer.push_str(&format!("{name}: {value}\r\n"));
            }
            answer.push_str("\r\n");
            answer.push_str(&body);
            let _ = stream.write_all(answer.as_bytes()).await;
            let _ = stream.shutdown().await;
        }
    });
    (addr, seen)
}

fn health(protocol: u32) -> String {
    serde_json::json!({
        "status": "ok", "server_time": Utc::now(), "version": "test", "protocol": protocol
    })
    .to_string()
}

fn empty_page() -> String {
    serde_json::to_string(&PullResponse {
        households: vec![],
        tombstones: vec![],
        history: vec![],
        next_cursor: 0,
        has_more: false,
        assigned_count: 0,
        assigned_digest: Some(assigned_digest(&[])),
        server_time: Utc::now(),
        policies: vec![],
        forms: vec![],
        tasks: vec![],
        team: None,
    })
    .unwrap()
}

fn error(code: &str) -> String {
    serde_json::json!({"error": code, "message": "办公室说 / the office says", "field": null})
        .to_string()
}

fn signed_in_store(addr: SocketAddr) -> (tempfile::TempDir, Mutex<Store>) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    store
        .set_sync_value(state::SERVER_URL, &format!("http://{addr}"))
        .unwrap();
    store.set_sync_value(state::TOKEN, "secret").unwrap();
    store
        .set_sync_value(state::DEVICE_ID, &uuid::Uuid::now_v7().to_string())
        .unwrap();
    (dir, Mutex::new(store))
}

fn config() -> SyncConfig {
    SyncConfig {
        max_attempts: 4,
        initial_backoff: Duration::from_millis(1),
        max_backoff: Duration::from_millis(5),
        pool_max_idle_per_host: 0,
        ..SyncConfig::default()
    }
}

#[tokio::test]
async fn server_errors_and_slow_downs_are_retried() {
    let (addr, seen) = scripted(Arc::new(|line: &str, nth| match line {
        "GET /api/v1/health" if nth <= 2 => (503, vec![], error("unavailable")),
        "GET /api/v1/health" => (200, vec![], health(1)),
        "GET /api/v1/pull" if nth == 1 => {
            (429, vec![("retry-after", "0".into())], error("slow_down"))
        }
        "GET /api/v1/pull" if nth == 2 => (408, vec![], error("timeout")),
        "GET /api/v1/pull" => (200, vec![], empty_page()),
        _ => (404, vec![], error("not_found")),
    }))
    .await;
    let (_dir, store) = signed_in_store(addr);
    let report = sync(&store, &config(), |_| {}, CancellationToken::new())
        .await
        .unwrap();
    assert_eq!(report.retries, 4);
    assert!(report.digest_matches);
    assert_eq!(seen.lock().unwrap().len(), 6);
    // The anchor was stored.
    assert!(
        anju_sync::load_anchor(&store.lock().unwrap())
            .unwrap()
            .is_some()
    );
}

#[tokio::test]
async fn retries_end_with_a_plain_message() {
    let (addr, seen) = scripted(Arc::new(|_: &str, _| (500, vec![], error("internal")))).await;
    let (_dir, store) = signed_in_store(addr);
    let error = sync(&store, &config(), |_| {}, CancellationToken::new())
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            SyncError::Server {
                status: 500,
                attempts: 4,
                ..
            }
        ),
        "{error:?}"
    );
    let text = error.to_string();
    assert!(
        text.contains("稍后再同步") && text.contains("sync again later"),
        "{text}"
    );
    assert!(text.contains("the office says"), "{text}");
    assert!(error.is_transient());
    assert_eq!(seen.lock().unwrap().len(), 4);
}

#[tokio::test]
async fn a_long_retry_after_stops_instead_of_waiting() {
    let (addr, _) = scripted(Arc::new(|_: &str, _| {
        (
            429,
            vec![("retry-after", "3600".into())],
            error("slow_down"),
        )
    }))
    .await;
    let (_dir, store) = signed_in_store(addr);
    let error = sync(&store, &config(), |_| {}, CancellationToken::new())
        .await
        .unwrap_err();
    assert!(
        matches!(error, SyncError::RateLimited { retry_after } if retry_after == Duration::from_secs(3600)),
        "{error:?}"
    );
}

#[tokio::test]
async fn refusals_are_not_retried() {
    let (addr, seen) = scripted(Arc::new(|line: &str, _| match line {
        "GET /api/v1/health" => (200, vec![], health(1)),
        _ => (403, vec![], error("forbidden_role")),
    }))
    .await;
    let (_dir, store) = signed_in_store(addr);
    let error = sync(&store, &config(), |_| {}, CancellationToken::new())
        .await
        .unwrap_err();
    assert!(matches!(error, SyncError::Forbidden { .. }), "{error:?}");
    assert!(error.to_string().contains("ask the office"));
    assert_eq!(seen.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn another_protocol_version_asks_for_an_update() {
    let (addr, _) = scripted(Arc::new(|_: &str, _| (200, vec![], health(2)))).await;
    let (_dir, store) = signed_in_store(addr);
    let error = sync(&store, &config(), |_| {}, CancellationToken::new())
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            SyncError::ProtocolVersion {
                server: 2,
                device: 1
            }
        ),
        "{error:?}"
    );
    assert!(error.to_string().contains("update the app"));
}

/// A port nothing listens on.
fn closed_port() -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    addr
}

#[tokio::test]
async fn an_unreachable_office_is_tried_again_and_each_wait_is_told() {
    let (_dir, store) = signed_in_store(closed_port());
    let told = Mutex::new(Vec::new());
    let error = sync(
        &store,
        &config(),
        |p| told.lock().unwrap().push(p),
        CancellationToken::new(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(error, SyncError::Unreachable { attempts: 4, .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("服务器无法连接"));
    assert!(error.to_string().contains("check the server address"));
    assert!(error.is_transient());
    // The screen heard of each wait: which try failed, of how many, and when the next is.
    let waits: Vec<_> = told
        .lock()
        .unwrap()
        .iter()
        .filter_map(|p| p.retry)
        .collect();
    assert_eq!(
        waits.iter().map(|w| w.failures).collect::<Vec<_>>(),
        [1, 2, 3]
    );
    assert!(waits.iter().all(|w| w.max_attempts == 4 && w.unreachable));
    assert!(waits.iter().all(|w| w.next_at <= Utc::now()));
}

#[tokio::test]
async fn a_retry_that_goes_through_clears_the_wait() {
    let (addr, _seen) = scripted(Arc::new(|line: &str, nth| match line {
        "GET /api/v1/health" if nth == 1 => (503, vec![], error("unavailable")),
        "GET /api/v1/health" => (200, vec![], health(1)),
        _ => (200, vec![], empty_page()),
    }))
    .await;
    let (_dir, store) = signed_in_store(addr);
    let told = Mutex::new(Vec::new());
    sync(
        &store,
        &config(),
        |p| told.lock().unwrap().push(p),
        CancellationToken::new(),
    )
    .await
    .unwrap();
    let told = told.lock().unwrap();
    let first_wait = told.iter().position(|p| p.retry.is_some()).unwrap();
    assert_eq!(told[first_wait].retry.map(|r| r.failures), Some(1));
    assert!(told[first_wait + 1..].iter().all(|p| p.retry.is_none()));
}

fn credentials(server_url: &str) -> anju_sync::Credentials<'_> {
    anju_sync::Credentials {
        server_url,
        user: "li",
        password: "secret",
        device_id: uuid::Uuid::now_v7(),
        device_name: None,
    }
}

/// Issue 13: a sign-in to a closed port says so at once instead of retrying for 50 s.
#[tokio::test]
async fn a_sign_in_to_a_closed_port_is_unreachable_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = Mutex::new(Store::open(dir.path()).unwrap());
    let url = format!("http://{}", closed_port());
    // The field app's settings: 8 tries, backoff up to 30 s.
    let started = std::time::Instant::now();
    let error = anju_sync::login(
        &store,
        &SyncConfig::default(),
        &credentials(&url),
        CancellationToken::new(),
    )
    .await
    .unwrap_err();
    println!("sign-in to a closed port failed in {:?}", started.elapsed());
    assert!(
        matches!(error, SyncError::Unreachable { attempts: 1, .. }),
        "{error:?}"
    );
    assert!(error.to_string().starts_with("服务器无法连接"), "{error}");
    assert!(started.elapsed() < Duration::from_secs(10));
}

/// A local black hole: a listener with a backlog of one that never accepts, its queue
/// filled, so that a further connection attempt gets no answer at all (Linux drops the
/// SYN), like an address nothing routes to. (10.255.255.1 cannot serve here: the test
/// machine's network answers for any outside address.)
async fn black_hole() -> (
    tokio::net::TcpListener,
    Vec<tokio::net::TcpStream>,
    SocketAddr,
) {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(1).unwrap();
    let addr = listener.local_addr().unwrap();
    let mut queued = Vec::new();
    for _ in 0..8 {
        match tokio::time::timeout(
            Duration::from_millis(300),
            tokio::net::TcpStream::connect(addr),
        )
        .await
        {
            Ok(Ok(stream)) => queued.push(stream),
            _ => break,
        }
    }
    (listener, queued, addr)
}

/// Issue 13: an address that never answers is given up after the sign-in's connect
/// timeout (at most 5 s), whatever the sync's own timeout, and said to be unreachable.
#[tokio::test]
async fn a_sign_in_to_a_black_hole_is_unreachable_within_the_connect_timeout() {
    let patient = SyncConfig {
        connect_timeout: Duration::from_secs(60),
        ..SyncConfig::default()
    };
    assert!(patient.for_sign_in().connect_timeout <= Duration::from_secs(5));
    let (_listener, _queued, addr) = black_hole().await;
    let dir = tempfile::tempdir().unwrap();
    let store = Mutex::new(Store::open(dir.path()).unwrap());
    let url = format!("http://{addr}");
    let started = std::time::Instant::now();
    let error = anju_sync::login(
        &store,
        &patient,
        &credentials(&url),
        CancellationToken::new(),
    )
    .await
    .unwrap_err();
    println!(
        "sign-in to a black hole failed in {:?}: {error}",
        started.elapsed()
    );
    assert!(
        matches!(error, SyncError::Unreachable { attempts: 1, .. }),
        "{error:?}"
    );
    assert!(error.to_string().starts_with("服务器无法连接"), "{error}");
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[tokio::test]
async fn not_signed_in_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let store = Mutex::new(Store::open(dir.path()).unwrap());
    let error = sync(&store, &config(), |_| {}, CancellationToken::new())
        .await
        .unwrap_err();
    assert!(matches!(error, SyncError::NotSignedIn));
    assert!(error.needs_sign_in());
    assert!(error.to_string().contains("sign in first"));
}

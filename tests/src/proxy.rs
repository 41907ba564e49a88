//! A fault-injecting TCP proxy for the sync tests: it sits between the device and the
//! office on loopback and, connection by connection, cuts, drops, duplicates or delays.
//!
//! Each new connection reads the request head from the client, then takes the first rule
//! of the schedule whose [`Match`] fits it (the schedule is consumed; when it is empty,
//! connections pass through untouched). The device tests turn keep-alive off
//! (`pool_max_idle_per_host = 0`) so that one connection carries one request.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

/// What to do to one connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Forward everything.
    Pass,
    /// Close both sides once this many bytes (head included) went client → server.
    CutRequest(usize),
    /// Close both sides once this many bytes of the request body went client → server.
    CutRequestBody(usize),
    /// Close both sides once this many bytes went server → client.
    CutResponse(usize),
    /// Forward the whole request, let the server answer it in full, then close the
    /// client's side without sending it a byte of the answer.
    DropResponse,
    /// Forward normally and, once the request is complete, send the same bytes to the
    /// server again on a fresh connection (racing the original), discarding its answer.
    Duplicate,
    /// Wait this long before forwarding anything.
    Delay(Duration),
}

/// Which connections a rule applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Match {
    Any,
    /// The request line starts with this, e.g. `"PUT /api/v1/blobs/"`.
    Prefix(String),
}

impl Match {
    fn fits(&self, head: &[u8]) -> bool {
        match self {
            Self::Any => true,
            Self::Prefix(prefix) => head.starts_with(prefix.as_bytes()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub matcher: Match,
    pub fault: Fault,
}

impl Rule {
    pub fn any(fault: Fault) -> Self {
        Self {
            matcher: Match::Any,
            fault,
        }
    }

    pub fn prefix(prefix: &str, fault: Fault) -> Self {
        Self {
            matcher: Match::Prefix(prefix.to_string()),
            fault,
        }
    }
}

/// What happened on one connection, for the tests to check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionLog {
    /// The request head as the client sent it (request line and headers).
    pub head: String,
    pub fault: Fault,
    /// Bytes forwarded client → server, head included.
    pub bytes_up: u64,
    /// Bytes forwarded server → client.
    pub bytes_down: u64,
}

impl ConnectionLog {
    pub fn request_line(&self) -> &str {
        self.head.lines().next().unwrap_or("")
    }

    /// A request header's value (names compared without case).
    pub fn header(&self, name: &str) -> Option<&str> {
        header_value(&self.head, name)
    }

    /// Bytes of the request body forwarded to the server.
    pub fn body_bytes_up(&self) -> u64 {
        self.bytes_up.saturating_sub(self.head.len() as u64 + 4)
    }
}

#[derive(Default)]
struct Shared {
    schedule: Mutex<VecDeque<Rule>>,
    log: Mutex<Vec<ConnectionLog>>,
    bytes_up: AtomicU64,
    bytes_down: AtomicU64,
    replays: AtomicU64,
    active: AtomicUsize,
    quiet: Notify,
}

/// Counts a connection task as active until dropped.
struct Active(Arc<Shared>);

impl Active {
    fn new(shared: &Arc<Shared>) -> Self {
        shared.active.fetch_add(1, Ordering::SeqCst);
        Self(shared.clone())
    }
}

impl Drop for Active {
    fn drop(&mut self) {
        if self.0.active.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.quiet.notify_waiters();
        }
    }
}

/// The proxy; it stops when dropped.
pub struct Proxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: CancellationToken,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

impl Proxy {
    /// Listen on `127.0.0.1:0` and forward to `upstream`.
    pub async fn start(upstream: SocketAddr) -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::default());
        let stop = CancellationToken::new();
        let (accept_shared, accept_stop) = (shared.clone(), stop.clone());
        tokio::spawn(async move {
            loop {
                let accepted = tokio::select! {
                    () = accept_stop.cancelled() => break,
                    accepted = listener.accept() => accepted,
                };
                let Ok((client, _)) = accepted else { continue };
                let active = Active::new(&accept_shared);
                let (shared, stop) = (accept_shared.clone(), accept_stop.clone());
                tokio::spawn(async move {
                    tokio::select! {
                        () = stop.cancelled() => {}
                        () = connection(client, upstream, shared.clone()) => {}
                    }
                    drop(active);
                });
            }
        });
        Ok(Self { addr, shared, stop })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Add rules to the end of the schedule.
    pub fn schedule(&self, rules: impl IntoIterator<Item = Rule>) {
        lock(&self.shared.schedule).extend(rules);
    }

    /// Rules not yet used.
    pub fn pending(&self) -> usize {
        lock(&self.shared.schedule).len()
    }

    pub fn clear(&self) {
        lock(&self.shared.schedule).clear();
    }

    pub fn bytes_up(&self) -> u64 {
        self.shared.bytes_up.load(Ordering::SeqCst)
    }

    pub fn bytes_down(&self) -> u64 {
        self.shared.bytes_down.load(Ordering::SeqCst)
    }

    /// Requests sent a second time by [`Fault::Duplicate`].
    pub fn replays(&self) -> u64 {
        self.shared.replays.load(Ordering::SeqCst)
    }

    /// Every finished connection, in the order they finished.
    pub fn connections(&self) -> Vec<ConnectionLog> {
        lock(&self.shared.log).clone()
    }

    /// Wait until no connection (nor replay) is in progress.
    pub async fn idle(&self) {
        loop {
            let notified = self.shared.quiet.notified();
            if self.shared.active.load(Ordering::SeqCst) == 0 {
                return;
            }
            notified.await;
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

fn header_value<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().skip(1).find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.trim()
            .eq_ignore_ascii_case(name)
            .then_some(value.trim())
    })
}

/// Where the first complete HTTP/1.1 message in `buf` ends, if it is complete. A
/// response to HEAD (or a 204/304) has no body; a response without length ends at EOF
/// (`None` here).
pub fn message_end(buf: &[u8], is_response: bool, head_request: bool) -> Option<usize> {
    let head_end = find(buf, b"\r\n\r\n")? + 4;
    let head = String::from_utf8_lossy(&buf[..head_end]);
    if is_response {
        let status: u16 = head
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        if head_request || status == 204 || status == 304 || (100..200).contains(&status) {
            return Some(head_end);
        }
    }
    let chunked = header_value(&head, "transfer-encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
    if chunked {
        let mut at = head_end;
        loop {
            let line_end = at + find(&buf[at..], b"\r\n")?;
            let size_text = String::from_utf8_lossy(&buf[at..line_end]);
            let size_text = size_text.split(';').next().unwrap_or("").trim().to_string();
            let size = usize::from_str_radix(&size_text, 16).ok()?;
            at = line_end + 2;
            if size == 0 {
                // Trailers, then an empty line.
                loop {
                    let end = at + find(&buf[at..], b"\r\n")?;
                    let empty = end == at;
                    at = end + 2;
                    if empty {
                        return Some(at);
                    }
                }
            }
            at += size + 2;
            if at > buf.len() {
                return None;
            }
        }
    }
    match header_value(&head, "content-length").and_then(|v| v.parse::<usize>().ok()) {
        Some(length) => (buf.len() >= head_end + length).then_some(head_end + length),
        None if is_response => None,
        None => Some(head_end),
    }
}

async fn connection(mut client: TcpStream, upstream: SocketAddr, shared: Arc<Shared>) {
    // Read the request head to choose the rule.
    let mut first = Vec::new();
    let mut buf = vec![0u8; 16 * 1024];
    while find(&first, b"\r\n\r\n").is_none() && first.len() < 64 * 1024 {
        match client.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => first.extend_from_slice(&buf[..n]),
        }
    }
    if first.is_empty() {
        return;
    }
    let head_len = find(&first, b"\r\n\r\n").unwrap_or(first.len());
    let head = String::from_utf8_lossy(&first[..head_len]).to_string();
    let fault = {
        let mut schedule = lock(&shared.schedule);
        let index = schedule.iter().position(|rule| rule.matcher.fits(&first));
        index
            .and_then(|i| schedule.remove(i))
            .map_or(Fault::Pass, |rule| rule.fault)
    };
    if let Fault::Delay(wait) = fault {
        tokio::time::sleep(wait).await;
    }
    let Ok(server) = TcpStream::connect(upstream).await else {
        return; // the office is down: the client sees the connection close
    };
    let head_request = head.starts_with("HEAD ");
    let (up_limit, down_limit) = match fault {
        Fault::CutRequest(n) => (Some(n), None),
        Fault::CutRequestBody(n) => (Some(head_len + 4 + n), None),
        Fault::CutResponse(n) => (None, Some(n)),
        _ => (None, None),
    };
    let (client_read, client_write) = client.into_split();
    let (server_read, server_write) = server.into_split();
    let kill = CancellationToken::new();
    let up_count = Arc::new(AtomicU64::new(0));
    let down_count = Arc::new(AtomicU64::new(0));
    let replay = matches!(fault, Fault::Duplicate).then(|| (upstream, shared.clone()));
    let up = pump_up(
        first,
        client_read,
        server_write,
        up_limit,
        kill.clone(),
        up_count.clone(),
        replay,
        head_request,
    );
    let down = async {
        if fault == Fault::DropResponse {
            swallow(server_read, head_request, &kill).await;
            drop(client_write);
            kill.cancel();
        } else {
            pump(server_read, client_write, down_limit, &kill, &down_count).await;
        }
    };
    let ((), ()) = tokio::join!(up, down);
    let (bytes_up, bytes_down) = (
        up_count.load(Ordering::SeqCst),
        down_count.load(Ordering::SeqCst),
    );
    shared.bytes_up.fetch_add(bytes_up, Ordering::SeqCst);
    shared.bytes_down.fetch_add(bytes_down, Ordering::SeqCst);
    lock(&shared.log).push(ConnectionLog {
        head,
        fault,
        bytes_up,
        bytes_down,
    });
}

/// Forward client → server: the bytes already read first, then the rest. Records the
/// request for a replay, which it sends once the request is complete.
#[allow(clippy::too_many_arguments)]
async fn pump_up(
    first: Vec<u8>,
    mut from: OwnedReadHalf,
    mut to: OwnedWriteHalf,
    limit: Option<usize>,
    kill: CancellationToken,
    count: Arc<AtomicU64>,
    replay: Option<(SocketAddr, Arc<Shared>)>,
    head_request: bool,
) {
    let mut recorded = Vec::new();
    let mut replayer: Option<tokio::task::JoinHandle<()>> = None;
    let mut sent = 0usize;
    let mut chunk = first;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        if !chunk.is_empty() {
            let allowed = limit.map_or(chunk.len(), |l| chunk.len().min(l.saturating_sub(sent)));
            if to.write_all(&chunk[..allowed]).await.is_err() {
                kill.cancel();
                break;
            }
            sent += allowed;
            count.fetch_add(allowed as u64, Ordering::SeqCst);
            if limit.is_some_and(|l| sent >= l) {
                // Let the bytes reach the server before the cut.
                let _ = to.flush().await;
                kill.cancel();
                break;
            }
            if let Some((upstream, shared)) = &replay
                && replayer.is_none()
            {
                recorded.extend_from_slice(&chunk[..allowed]);
                if let Some(end) = message_end(&recorded, false, false) {
                    recorded.truncate(end);
                    let request = std::mem::take(&mut recorded);
                    let (upstream, shared) = (*upstream, shared.clone());
                    let active = Active::new(&shared);
                    replayer = Some(tokio::spawn(async move {
                        send_again(upstream, &request, head_request).await;
                        shared.replays.fetch_add(1, Ordering::SeqCst);
                        drop(active);
                    }));
                }
            }
        }
        let read = tokio::select! {
            () = kill.cancelled() => break,
            read = from.read(&mut buf) => read,
        };
        match read {
            Ok(0) | Err(_) => {
                let _ = to.shutdown().await;
                break;
            }
            Ok(n) => chunk = buf[..n].to_vec(),
        }
    }
    drop(to);
    if let Some(replayer) = replayer {
        let _ = replayer.await;
    }
}

/// Forward one direction, closing both once `limit` bytes went through.
async fn pump(
    mut from: OwnedReadHalf,
    mut to: OwnedWriteHalf,
    limit: Option<usize>,
    kill: &CancellationToken,
    count: &AtomicU64,
) {
    let mut buf = vec![0u8; 64 * 1024];
    let mut sent = 0usize;
    loop {
        let read = tokio::select! {
            () = kill.cancelled() => break,
            read = from.read(&mut buf) => read,
        };
        let n = match read {
            Ok(0) | Err(_) => {
                let _ = to.shutdown().await;
                break;
            }
            Ok(n) => n,
        };
        let allowed = limit.map_or(n, |l| n.min(l.saturating_sub(sent)));
        if to.write_all(&buf[..allowed]).await.is_err() {
            kill.cancel();
            break;
        }
        sent += allowed;
        count.fetch_add(allowed as u64, Ordering::SeqCst);
        if limit.is_some_and(|l| sent >= l) {
            let _ = to.flush().await;
            kill.cancel();
            break;
        }
    }
}

/// Read the server's whole answer and throw it away.
async fn swallow(mut from: OwnedReadHalf, head_request: bool, kill: &CancellationToken) {
    let mut answer = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    while message_end(&answer, true, head_request).is_none() {
        let read = tokio::select! {
            () = kill.cancelled() => return,
            read = from.read(&mut buf) => read,
        };
        match read {
            Ok(0) | Err(_) => return,
            Ok(n) => answer.extend_from_slice(&buf[..n]),
        }
    }
}

/// Send a recorded request on a fresh connection and read its answer to the end.
async fn send_again(upstream: SocketAddr, request: &[u8], head_request: bool) {
    let Ok(stream) = TcpStream::connect(upstream).await else {
        return;
    };
    let (read, mut write) = stream.into_split();
    if write.write_all(request).await.is_err() {
        return;
    }
    let never = CancellationToken::new();
    let _ =
        tokio::time::timeout(Duration::from_secs(30), swallow(read, head_request, &never)).await;
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn message_ends_are_found() {
        let get = b"GET /x HTTP/1.1\r\nhost: a\r\n\r\n";
        assert_eq!(message_end(get, false, false), Some(get.len()));
        assert_eq!(message_end(&get[..10], false, false), None);
        let post = b"POST /x HTTP/1.1\r\ncontent-length: 5\r\n\r\nhello";
        assert_eq!(message_end(post, false, false), Some(post.len()));
        assert_eq!(message_end(&post[..post.len() - 1], false, false), None);
        let chunked = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n3\r\nabc\r\n0\r\n\r\n";
        assert_eq!(message_end(chunked, true, false), Some(chunked.len()));
        assert_eq!(
            message_end(&chunked[..chunked.len() - 2], true, false),
            None
        );
        let head = b"HTTP/1.1 200 OK\r\ncontent-length: 99\r\n\r\n";
        assert_eq!(message_end(head, true, true), Some(head.len()));
        assert_eq!(message_end(head, true, false), None);
        let no_length = b"HTTP/1.1 200 OK\r\n\r\nabc";
        assert_eq!(message_end(no_length, true, false), None);
    }

    /// An upstream that answers every request with a fixed body and, when a connection
    /// ends, says how many bytes it received on it.
    async fn upstream() -> (SocketAddr, tokio::sync::mpsc::UnboundedReceiver<u64>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let tx = tx.clone();
                tokio::spawn(async move {
                    let mut request = Vec::new();
                    let mut buf = [0u8; 4096];
                    loop {
                        match stream.read(&mut buf).await {
                            Ok(0) | Err(_) => break,
                            Ok(n) => request.extend_from_slice(&buf[..n]),
                        }
                        if message_end(&request, false, false).is_some() {
                            let _ = stream.write_all(RESPONSE).await;
                            let _ = stream.shutdown().await;
                            break;
                        }
                    }
                    let _ = tx.send(request.len() as u64);
                });
            }
        });
        (addr, rx)
    }

    async fn exchange(proxy: &Proxy, request: &[u8]) -> Vec<u8> {
        let mut stream = TcpStream::connect(proxy.addr()).await.unwrap();
        stream.write_all(request).await.unwrap();
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer).await;
        answer
    }

    const RESPONSE: &[u8] = b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\n0123456789";
    const REQUEST: &[u8] =
        b"POST /api/v1/push HTTP/1.1\r\ncontent-length: 20\r\n\r\nabcdefghijklmnopqrst";

    #[tokio::test]
    async fn faults_follow_the_schedule_then_it_passes_through() {
        let (addr, mut received) = upstream().await;
        let proxy = Proxy::start(addr).await.unwrap();
        proxy.schedule([
            Rule::any(Fault::CutRequestBody(7)),
            Rule::any(Fault::CutResponse(20)),
            Rule::any(Fault::DropResponse),
            Rule::prefix("GET ", Fault::Duplicate),
        ]);
        let whole = REQUEST.len() as u64;
        let head_len = whole - 20;

        // Cut after 7 body bytes: the server gets exactly those, the client nothing.
        assert!(exchange(&proxy, REQUEST).await.is_empty());
        assert_eq!(received.recv().await, Some(head_len + 7));

        // Cut the answer after 20 bytes.
        let cut = exchange(&proxy, REQUEST).await;
        assert_eq!(cut.len(), 20);
        assert_eq!(received.recv().await, Some(whole));

        // The server answers in full; the client gets none of it.
        assert!(exchange(&proxy, REQUEST).await.is_empty());
        assert_eq!(received.recv().await, Some(whole));

        // The GET rule waits for a GET; a POST passes.
        assert!(exchange(&proxy, REQUEST).await.ends_with(b"0123456789"));
        assert_eq!(received.recv().await, Some(whole));
        assert_eq!(proxy.pending(), 1);
        let get = b"GET /api/v1/health HTTP/1.1\r\nhost: x\r\n\r\n";
        assert!(exchange(&proxy, get).await.ends_with(b"0123456789"));
        // The request and its replay both reach the server.
        assert_eq!(received.recv().await, Some(get.len() as u64));
        assert_eq!(received.recv().await, Some(get.len() as u64));
        proxy.idle().await;
        assert_eq!(proxy.replays(), 1);
        assert_eq!(proxy.pending(), 0);

        let log = proxy.connections();
        assert_eq!(log.len(), 5);
        let first = log
            .iter()
            .find(|c| c.fault == Fault::CutRequestBody(7))
            .unwrap();
        assert_eq!(first.body_bytes_up(), 7);
        assert_eq!(first.request_line(), "POST /api/v1/push HTTP/1.1");
        assert_eq!(first.header("Content-Length"), Some("20"));
        assert_eq!(
            proxy.bytes_up(),
            head_len + 7 + 3 * whole + get.len() as u64
        );
        assert_eq!(proxy.bytes_down(), 20 + 2 * RESPONSE.len() as u64);
    }
}

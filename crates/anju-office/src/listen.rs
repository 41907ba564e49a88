//! Accepting connections with limits: how many at once, how many from one address, how
//! long a client may take to send its headers (or sit idle between requests), and TLS.
//!
//! A connection past a limit is closed as soon as it is accepted, so that idle or slow
//! sockets cannot use up the office's file descriptors; one address cannot take more
//! than its share.

use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tower::ServiceExt;

/// The limits on connections. The defaults suit a county office; tests shorten the times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServeLimits {
    /// A request's headers must arrive within this, counted from when the connection
    /// starts waiting for them: it is also how long a connection may sit idle.
    pub header_timeout: Duration,
    /// The longest pause between two parts of a request body.
    pub body_timeout: Duration,
    /// A TLS handshake must finish within this.
    pub handshake_timeout: Duration,
    /// Connections open at once, from everyone.
    pub max_connections: usize,
    /// Connections open at once from one address (and so requests in flight: one per
    /// HTTP/1.1 connection).
    pub max_per_client: usize,
}

impl Default for ServeLimits {
    fn default() -> Self {
        Self {
            header_timeout: Duration::from_secs(20),
            body_timeout: Duration::from_secs(30),
            handshake_timeout: Duration::from_secs(10),
            max_connections: 1024,
            max_per_client: 32,
        }
    }
}

/// Open connections, in all and per address.
#[derive(Default)]
struct Open {
    total: usize,
    by_client: HashMap<IpAddr, usize>,
}

/// A connection's place; dropping it gives the place back.
struct Slot {
    open: Arc<Mutex<Open>>,
    client: IpAddr,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        open.total = open.total.saturating_sub(1);
        if let Some(count) = open.by_client.get_mut(&self.client) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                open.by_client.remove(&self.client);
            }
        }
    }
}

fn take_slot(open: &Arc<Mutex<Open>>, client: IpAddr, limits: &ServeLimits) -> Option<Slot> {
    let mut guard = open.lock().unwrap_or_else(|p| p.into_inner());
    let mine = guard.by_client.get(&client).copied().unwrap_or(0);
    if guard.total >= limits.max_connections || mine >= limits.max_per_client {
        return None;
    }
    guard.total += 1;
    *guard.by_client.entry(client).or_default() += 1;
    Some(Slot {
        open: Arc::clone(open),
        client,
    })
}

/// Serve `app` on `listener` (with TLS when `tls` is given) until `shutdown`, then let
/// the requests in flight finish (up to 30 s).
pub async fn serve_connections(
    listener: tokio::net::TcpListener,
    app: Router,
    limits: ServeLimits,
    tls: Option<tokio_rustls::TlsAcceptor>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let open = Arc::new(Mutex::new(Open::default()));
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(error) => {
                    // Out of file descriptors and the like: wait a little, do not spin.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Some(slot) = take_slot(&open, peer.ip(), &limits) else {
            tracing::debug!(%peer, "connection refused: over the limit");
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let tls = tls.clone();
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            let _slot = slot;
            let service =
                hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
                    request.extensions_mut().insert(ConnectInfo(peer));
                    app.clone().oneshot(request.map(axum::body::Body::new))
                });
            let mut http = hyper::server::conn::http1::Builder::new();
            http.timer(TokioTimer::new())
                .header_read_timeout(limits.header_timeout)
                .keep_alive(true);
            match tls {
                None => {
                    let connection = http.serve_connection(TokioIo::new(stream), service);
                    let _ = watcher.watch(connection).await;
                }
                Some(acceptor) => {
                    let handshake =
                        tokio::time::timeout(limits.handshake_timeout, acceptor.accept(stream))
                            .await;
                    let Ok(Ok(stream)) = handshake else {
                        return;
                    };
                    let connection = http.serve_connection(TokioIo::new(stream), service);
                    let _ = watcher.watch(connection).await;
                }
            }
        });
    }
    drop(listener);
    let _ = tokio::time::timeout(Duration::from_secs(30), graceful.shutdown()).await;
    Ok(())
}

/// The address a request came from (the connection's peer; `0.0.0.0` when the request
/// did not come through [`serve_connections`], as in tests that call the router).
pub fn client_address(extensions: &axum::http::Extensions) -> IpAddr {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
        .unwrap_or(IpAddr::from([0, 0, 0, 0]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_limited_per_client_and_in_all_and_given_back() {
        let limits = ServeLimits {
            max_connections: 3,
            max_per_client: 2,
            ..ServeLimits::default()
        };
        let open = Arc::new(Mutex::new(Open::default()));
        let a = IpAddr::from([127, 0, 0, 2]);
        let b = IpAddr::from([127, 0, 0, 3]);
        let first = take_slot(&open, a, &limits).unwrap();
        let _second = take_slot(&open, a, &limits).unwrap();
        assert!(
            take_slot(&open, a, &limits).is_none(),
            "a third from one address"
        );
        let _third = take_slot(&open, b, &limits).unwrap();
        assert!(take_slot(&open, b, &limits).is_none(), "a fourth in all");
        drop(first);
        assert!(take_slot(&open, a, &limits).is_some());
    }
}

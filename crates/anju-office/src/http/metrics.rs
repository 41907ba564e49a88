//! Counters for `/api/v1/metrics`: requests by status class, blob bytes, records, and
//! latencies over the most recent requests.

use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use serde::{Deserialize, Serialize};

use super::AppState;

/// Counters for `/api/v1/metrics`; tests check that no request ever got a 5xx.
#[derive(Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MetricsSnapshot {
    pub requests: u64,
    pub responses_2xx: u64,
    pub responses_4xx: u64,
    pub responses_5xx: u64,
    pub blob_bytes_received: u64,
    pub records_accepted: u64,
    pub records_duplicate: u64,
    pub records_refused: u64,
    /// Request latencies over the most recent requests (up to 100,000), in milliseconds.
    pub latency_ms_p50: f64,
    pub latency_ms_p99: f64,
    pub latency_ms_max: f64,
}

/// How many recent latencies the metrics keep.
const LATENCY_WINDOW: usize = 100_000;

#[derive(Default)]
pub struct Metrics {
    latencies_us: std::sync::Mutex<std::collections::VecDeque<u32>>,
    requests: AtomicU64,
    responses_2xx: AtomicU64,
    responses_4xx: AtomicU64,
    responses_5xx: AtomicU64,
    pub(crate) blob_bytes_received: AtomicU64,
    pub(crate) records_accepted: AtomicU64,
    pub(crate) records_duplicate: AtomicU64,
    pub(crate) records_refused: AtomicU64,
}

impl Metrics {
    fn record_latency(&self, elapsed: std::time::Duration) {
        let micros = u32::try_from(elapsed.as_micros()).unwrap_or(u32::MAX);
        let mut window = self.latencies_us.lock().unwrap_or_else(|p| p.into_inner());
        if window.len() == LATENCY_WINDOW {
            window.pop_front();
        }
        window.push_back(micros);
    }

    pub fn snapshot(&self) -> MetricsSnapshot {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let mut sorted: Vec<u32> = self
            .latencies_us
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .copied()
            .collect();
        sorted.sort_unstable();
        let quantile = |q: f64| {
            if sorted.is_empty() {
                return 0.0;
            }
            let index = ((sorted.len() - 1) as f64 * q).round() as usize;
            f64::from(sorted[index.min(sorted.len() - 1)]) / 1000.0
        };
        MetricsSnapshot {
            latency_ms_p50: quantile(0.5),
            latency_ms_p99: quantile(0.99),
            latency_ms_max: quantile(1.0),
            requests: get(&self.requests),
            responses_2xx: get(&self.responses_2xx),
            responses_4xx: get(&self.responses_4xx),
            responses_5xx: get(&self.responses_5xx),
            blob_bytes_received: get(&self.blob_bytes_received),
            records_accepted: get(&self.records_accepted),
            records_duplicate: get(&self.records_duplicate),
            records_refused: get(&self.records_refused),
        }
    }
}

/// Count every answer by its status class, and how long it took.
pub(crate) async fn count_responses(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    state.metrics.requests.fetch_add(1, Ordering::Relaxed);
    let started = std::time::Instant::now();
    let response = next.run(request).await;
    state.metrics.record_latency(started.elapsed());
    let counter = match response.status().as_u16() {
        200..=299 => &state.metrics.responses_2xx,
        400..=499 => &state.metrics.responses_4xx,
        500..=599 => &state.metrics.responses_5xx,
        _ => return response,
    };
    counter.fetch_add(1, Ordering::Relaxed);
    response
}

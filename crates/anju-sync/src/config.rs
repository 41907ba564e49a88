//! How the engine talks to the office: retries, timeouts, batch sizes, the device clock.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

/// The device's wall clock. The real one by default; tests (and a demo of a phone set
/// wrong) may shift it.
#[derive(Clone)]
pub struct DeviceClock(Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>);

impl DeviceClock {
    /// The system clock.
    pub fn system() -> Self {
        Self(Arc::new(Utc::now))
    }

    /// The system clock shifted by `offset` (positive: the device is fast).
    pub fn shifted(offset: chrono::Duration) -> Self {
        Self(Arc::new(move || Utc::now() + offset))
    }

    pub fn from_fn(now: impl Fn() -> DateTime<Utc> + Send + Sync + 'static) -> Self {
        Self(Arc::new(now))
    }

    pub fn now(&self) -> DateTime<Utc> {
        (self.0)()
    }
}

impl Default for DeviceClock {
    fn default() -> Self {
        Self::system()
    }
}

impl fmt::Debug for DeviceClock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DeviceClock({})", self.now().to_rfc3339())
    }
}

/// The longest a sign-in waits for a connection: an address that does not answer (a
/// wrong one, or no network) is reported within 5 s, not after a minute of spinning.
pub const SIGN_IN_CONNECT_TIMEOUT: Duration = Duration::from_secs(4);

/// Settings of the sync engine. `Default` is what the field app uses.
#[derive(Debug, Clone)]
pub struct SyncConfig {
    /// Tries of one request (or one blob upload that makes no progress) before giving up.
    pub max_attempts: u32,
    /// The first wait after a retryable failure; doubles with every further failure.
    pub initial_backoff: Duration,
    /// The longest wait between two tries.
    pub max_backoff: Duration,
    /// The longest `Retry-After` the engine waits out; a longer one stops the sync.
    pub max_retry_after: Duration,
    /// Whole-request limit for JSON requests, and the limit of any one read.
    pub request_timeout: Duration,
    pub connect_timeout: Duration,
    /// A blob upload may take `request_timeout` plus its size at this rate (bytes/s).
    pub min_upload_rate: u64,
    /// Records per push request (the office takes at most 500).
    pub push_batch: usize,
    /// Bytes of records per push request (the office takes at most 16 MiB).
    pub push_bytes: usize,
    /// Households per pull page.
    pub pull_limit: u32,
    /// Idle connections kept per host; 0 makes every request use a fresh connection.
    pub pool_max_idle_per_host: usize,
    /// How often progress is reported while a blob is being sent.
    pub progress_interval: Duration,
    /// The device's wall clock.
    pub clock: DeviceClock,
}

impl Default for SyncConfig {
    fn default() -> Self {
        Self {
            max_attempts: 8,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(120),
            request_timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            min_upload_rate: 4 * 1024,
            push_batch: anju_core::wire::MAX_PUSH_RECORDS,
            push_bytes: 4 * 1024 * 1024,
            pull_limit: anju_core::wire::DEFAULT_PULL_LIMIT,
            pool_max_idle_per_host: 4,
            progress_interval: Duration::from_millis(200),
            clock: DeviceClock::system(),
        }
    }
}

impl SyncConfig {
    /// The wait before try `attempt + 1` after `attempt` failed tries (1-based):
    /// exponential, capped, with "equal jitter" (between half and all of it) so that many
    /// devices cut off at once do not come back at once.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let exponent = attempt.saturating_sub(1).min(20);
        let full = self
            .initial_backoff
            .saturating_mul(1u32 << exponent)
            .min(self.max_backoff);
        let millis = u64::try_from(full.as_millis()).unwrap_or(u64::MAX);
        let half = millis / 2;
        Duration::from_millis(half + fastrand::u64(0..=millis - half))
    }

    /// The settings of a sign-in: the connect timeout at most [`SIGN_IN_CONNECT_TIMEOUT`].
    /// (A failure to connect is not tried again at sign-in: the inspector is there to
    /// check the address or the network.)
    pub fn for_sign_in(&self) -> Self {
        Self {
            connect_timeout: self.connect_timeout.min(SIGN_IN_CONNECT_TIMEOUT),
            ..self.clone()
        }
    }

    pub(crate) fn effective_push_batch(&self) -> usize {
        self.push_batch.clamp(1, anju_core::wire::MAX_PUSH_RECORDS)
    }

    pub(crate) fn effective_push_bytes(&self) -> usize {
        // Leave room for the envelope (device id, time, brackets).
        self.push_bytes
            .clamp(1024, anju_core::wire::MAX_PUSH_BYTES - 4096)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_caps_and_jitters() {
        let config = SyncConfig {
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(1000),
            ..SyncConfig::default()
        };
        for _ in 0..200 {
            let first = config.backoff(1);
            assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
            let third = config.backoff(3);
            assert!(third >= Duration::from_millis(200) && third <= Duration::from_millis(400));
            let late = config.backoff(40);
            assert!(late >= Duration::from_millis(500) && late <= Duration::from_millis(1000));
        }
        // The jitter spreads the waits.
        let waits: std::collections::BTreeSet<_> = (0..50).map(|_| config.backoff(4)).collect();
        assert!(waits.len() > 1);
    }

    #[test]
    fn a_sign_in_waits_for_a_connection_at_most_5_seconds() {
        let slow = SyncConfig {
            connect_timeout: Duration::from_secs(60),
            ..SyncConfig::default()
        };
        assert!(slow.for_sign_in().connect_timeout <= Duration::from_secs(5));
        assert!(SyncConfig::default().for_sign_in().connect_timeout <= Duration::from_secs(5));
        let fast = SyncConfig {
            connect_timeout: Duration::from_millis(300),
            ..SyncConfig::default()
        };
        assert_eq!(
            fast.for_sign_in().connect_timeout,
            Duration::from_millis(300)
        );
    }

    #[test]
    fn a_shifted_clock_is_shifted() {
        let clock = DeviceClock::shifted(chrono::Duration::minutes(10));
        let diff = clock.now() - Utc::now();
        assert!(diff > chrono::Duration::minutes(9) && diff <= chrono::Duration::minutes(10));
    }

    #[test]
    fn batch_limits_stay_within_the_protocol() {
        let config = SyncConfig {
            push_batch: 10_000,
            push_bytes: usize::MAX,
            ..SyncConfig::default()
        };
        assert_eq!(config.effective_push_batch(), 500);
        assert!(config.effective_push_bytes() < anju_core::wire::MAX_PUSH_BYTES);
    }
}

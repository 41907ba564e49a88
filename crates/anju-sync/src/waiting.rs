//! Waiting between tries: a request tried again with backoff after retryable failures, every
//! wait told to the screen (the try, the time of the next, whether the office was out of
//! reach), and all of it cancellable.

use std::future::Future;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio_util::sync::CancellationToken;

use crate::api::{ApiResult, Failure, RetryKind};
use crate::config::SyncConfig;
use crate::error::SyncError;
use crate::report::{Progress, RetryWait};

/// Run `future` unless `cancel` fires first.
pub(crate) async fn cancellable<F: Future>(
    cancel: &CancellationToken,
    future: F,
) -> Result<F::Output, SyncError> {
    tokio::select! {
        biased;
        () = cancel.cancelled() => Err(SyncError::Cancelled),
        output = future => Ok(output),
    }
}

pub(crate) async fn pause(cancel: &CancellationToken, wait: Duration) -> Result<(), SyncError> {
    cancellable(cancel, tokio::time::sleep(wait)).await
}

/// Run one request, trying again after retryable failures with backoff and jitter (or
/// after the office's `Retry-After`).
/// `waiting` hears of every wait before a new try, and `None` when a request went
/// through after failures, so that the screen shows the try, its time and a way to stop.
pub(crate) async fn retrying<T, Fut, W: Fn(Option<RetryWait>)>(
    config: &SyncConfig,
    cancel: &CancellationToken,
    retries: &mut u64,
    waiting: &W,
    mut op: impl FnMut() -> Fut,
) -> Result<T, SyncError>
where
    Fut: Future<Output = ApiResult<T>>,
{
    let mut failures = 0u32;
    loop {
        match cancellable(cancel, op()).await? {
            Ok(value) => {
                if failures > 0 {
                    waiting(None);
                }
                return Ok(value);
            }
            Err(Failure::Fatal(error)) => return Err(error),
            Err(Failure::Retry { kind, after }) => {
                failures += 1;
                if failures >= config.max_attempts.max(1) {
                    return Err(kind.into_error(failures));
                }
                tracing::info!(attempt = failures, reason = %kind.describe(), "retrying");
                *retries += 1;
                let wait = after.unwrap_or_else(|| config.backoff(failures));
                waiting(Some(retry_wait(config, failures, wait, &kind)));
                pause(cancel, wait).await?;
            }
        }
    }
}

/// Tells the screen of a wait before a new try, from where the sync is at `now`.
pub(crate) fn waiting<P: Fn(Progress)>(
    progress: &P,
    now: Progress,
) -> impl Fn(Option<RetryWait>) + '_ {
    move |retry| progress(Progress { retry, ..now })
}

/// What the screen is told while a failed request waits for its next try.
pub(crate) fn retry_wait(
    config: &SyncConfig,
    failures: u32,
    wait: Duration,
    kind: &RetryKind,
) -> RetryWait {
    RetryWait {
        failures,
        max_attempts: config.max_attempts.max(1),
        next_at: chrono::Duration::from_std(wait)
            .ok()
            .and_then(|wait| Utc::now().checked_add_signed(wait))
            .unwrap_or(DateTime::<Utc>::MAX_UTC),
        unreachable: matches!(kind, RetryKind::Unreachable(_)),
    }
}

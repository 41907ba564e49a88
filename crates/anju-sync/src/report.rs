//! What a sync tells the app as it goes ([`Progress`]) and when it ends ([`SyncReport`]).

use anju_core::wire::{RecordStatus, UserInfo};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Reaching the office and reading its clock.
    Clock,
    /// Sending photos and signature images.
    Upload,
    /// Sending records.
    Push,
    /// Receiving households.
    Pull,
    Done,
}

/// Where a sync is, reported as it goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Progress {
    pub phase: Phase,
    /// Records the office has answered for good (stored or refused) in this sync.
    pub records_done: u64,
    /// Records waiting when the sync started.
    pub records_total: u64,
    /// Bytes of blobs the office holds, of those this sync needs.
    pub bytes_done: u64,
    pub bytes_total: u64,
    pub households_pulled: u64,
    /// Set while the engine waits to try a failed request again; `None` once a request
    /// goes through.
    pub retry: Option<RetryWait>,
}

/// A request failed and will be tried again: which try comes next, of how many, when,
/// and why the last one failed ("中文 / English").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RetryWait {
    /// Failed tries so far (1 after the first failure).
    pub failures: u32,
    /// Tries in all before the sync gives up.
    pub max_attempts: u32,
    /// When the next try starts.
    pub next_at: DateTime<Utc>,
    /// The connection could not be made at all (a wrong address, no network).
    pub unreachable: bool,
}

/// A record the office refused for good (kept on the device, marked rejected).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RejectedRecord {
    pub seq: i64,
    pub kind: String,
    pub record_id: String,
    pub household_id: Uuid,
    pub status: RecordStatus,
    pub code: u16,
    /// The office's reason, in Chinese and English.
    pub message: String,
}

/// A record that could not be sent this time and stays waiting (a photo file missing on
/// the device, a blob the office would not take, a record damaged on the device).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HeldRecord {
    pub seq: i64,
    pub kind: String,
    pub record_id: String,
    pub household_id: Uuid,
    /// Why, in Chinese and English.
    pub reason: String,
}

/// The outcome of one sync that ran to the end.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SyncReport {
    /// The office's user this device is signed in as.
    pub user: Option<UserInfo>,
    /// Records stored by the office now.
    pub accepted: u64,
    /// Records the office already had (a retry of an answer lost on the way).
    pub duplicates: u64,
    pub rejected: Vec<RejectedRecord>,
    pub held: Vec<HeldRecord>,
    /// Blobs sent in this sync (wholly or the rest of them).
    pub blobs_uploaded: u64,
    /// Blobs the office already had whole.
    pub blobs_present: u64,
    /// Bytes of blob content handed to the network (a cut may lose some on the way; those
    /// are sent again from where the office stopped).
    pub blob_bytes_sent: u64,
    /// Households received (added or changed), tombstones not counted.
    pub households_pulled: u64,
    /// Households dropped because the office no longer assigns them.
    pub households_removed: u64,
    /// Households no longer assigned but kept because work on them is not yet synced.
    pub households_kept: Vec<Uuid>,
    /// The device's copy differed from the office's assigned set and was pulled again whole.
    pub full_repull: bool,
    /// The device's households matched the office's assigned-set digest at the end (also
    /// true when the office sent no digest). Households kept only for their unsynced
    /// work are left out of the comparison.
    pub digest_matches: bool,
    pub assigned_count: u64,
    /// device − office at this sync, in milliseconds (positive: the device is fast).
    pub clock_offset_ms: i64,
    /// Whether that offset is more than the tolerance (5 minutes): shown to the user.
    pub clock_is_off: bool,
    pub server_time: Option<DateTime<Utc>>,
    /// Requests tried again after a retryable failure.
    pub retries: u64,
}

//! Signing in and out, and one sync: clock, blobs, records, households.

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use anju_core::clock::{BootClock, ClockAnchor};
use anju_core::model::ClockReading;
use anju_core::wire::{self, LoginRequest, PROTOCOL_VERSION, PushRecord, RecordStatus, UserInfo};
use anju_store::{OutboxEntry, Store, StoreError};
use chrono::{DateTime, Utc};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::api::{Api, ApiResult, Failure, RetryKind};
use crate::clock::{boot_clock, save_anchor};
use crate::config::SyncConfig;
use crate::error::SyncError;
use crate::report::{HeldRecord, Phase, Progress, RejectedRecord, SyncReport};
use crate::state;
use crate::waiting::{cancellable, pause, retry_wait, retrying, waiting};

mod pull;

/// What signing in needs.
#[derive(Debug, Clone)]
pub struct Credentials<'a> {
    /// The office server, e.g. `http://192.168.1.10:8080`.
    pub server_url: &'a str,
    pub user: &'a str,
    pub password: &'a str,
    /// The device's own id (UUIDv7 made at first start).
    pub device_id: Uuid,
    pub device_name: Option<&'a str>,
}

/// A signed-in device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub server_url: String,
    pub token: String,
    pub user: UserInfo,
    pub device_id: Uuid,
    pub server_time: DateTime<Utc>,
    /// device − office at sign-in, in milliseconds.
    pub clock_offset_ms: i64,
    /// The code of the office's certificate now trusted (HTTPS only): the inspector
    /// compares it with the one the office pages show.
    pub certificate_code: Option<String>,
}

fn lock(store: &Mutex<Store>) -> MutexGuard<'_, Store> {
    // A panic while the lock was held cannot leave SQLite half-written (every write is a
    // transaction), so a poisoned lock is still a usable store.
    store.lock().unwrap_or_else(PoisonError::into_inner)
}

fn with_store<T>(
    store: &Mutex<Store>,
    f: impl FnOnce(&mut Store) -> Result<T, StoreError>,
) -> Result<T, SyncError> {
    Ok(f(&mut lock(store))?)
}

/// A boot-clock reading for the middle of a request, from readings before and after.
fn boot_between(before: Option<BootClock>, after: Option<BootClock>) -> Option<BootClock> {
    match (before, after) {
        (Some(before), Some(after)) if before.boot_id == after.boot_id => Some(BootClock {
            uptime_ms: before.uptime_ms + (after.uptime_ms - before.uptime_ms) / 2,
            boot_id: after.boot_id,
        }),
        (_, after) => after,
    }
}

/// Sign in to the office: keeps the token, the server's address, the device id, the
/// user and the clock anchor in the store. Signing in as another user or to another
/// office starts the household pull over (the digest check then drops what is not theirs).
pub async fn login(
    store: &Mutex<Store>,
    config: &SyncConfig,
    credentials: &Credentials<'_>,
    cancel: CancellationToken,
) -> Result<Session, SyncError> {
    // The certificate pinned for this office, if it is the one signed in to before.
    let pinned = {
        let s = lock(store);
        let same_office = state::value(&s, state::SERVER_URL)?
            .is_some_and(|url| Some(url) == crate::api::normalise_url(credentials.server_url).ok());
        if same_office {
            state::value(&s, state::PINNED_CERTIFICATE)?
        } else {
            None
        }
    };
    let config = &config.for_sign_in();
    let api = Api::new(config, credentials.server_url, None, pinned)?;
    let request = LoginRequest {
        user: credentials.user.to_string(),
        password: credentials.password.to_string(),
        device_id: credentials.device_id,
        device_name: credentials.device_name.map(str::to_string),
    };
    let mut retries = 0;
    let clock = &config.clock;
    let (answer, sent, received, boot) = retrying(config, &cancel, &mut retries, &|_| {}, || {
        let (api, request) = (&api, &request);
        async move {
            let boot_before = boot_clock();
            let sent = clock.now();
            let answer = api.login(request).await.map_err(|failure| match failure {
                Failure::Fatal(SyncError::Unauthorized { message, .. }) => {
                    Failure::Fatal(SyncError::WrongPassword { message })
                }
                Failure::Fatal(SyncError::RateLimited { retry_after })
                | Failure::Retry {
                    kind: RetryKind::RateLimited(retry_after),
                    ..
                } => Failure::Fatal(SyncError::TooManyAttempts { retry_after }),
                // Said at once: the inspector is there to check the address or move to
                // where the network is, instead of watching a spinner.
                Failure::Retry {
                    kind: RetryKind::Unreachable(detail),
                    ..
                } => Failure::Fatal(SyncError::Unreachable {
                    attempts: 1,
                    detail,
                }),
                other => other,
            })?;
            let received = clock.now();
            Ok((
                answer,
                sent,
                received,
                boot_between(boot_before, boot_clock()),
            ))
        }
    })
    .await?;
    let anchor = ClockAnchor::from_contact(answer.server_time, sent, received, boot);
    let server_url = crate::api::normalise_url(credentials.server_url)?;
    let certificate = api.certificate();
    with_store(store, |s| {
        let previous = state::saved_session(s)?;
        let same_account =
            previous.is_some_and(|p| p.server_url == server_url && p.user.name == answer.user.name);
        if !same_account {
            s.set_sync_value(state::PULL_CURSOR, "0")?;
        }
        s.set_sync_value(state::SERVER_URL, &server_url)?;
        s.set_sync_value(state::DEVICE_ID, &credentials.device_id.to_string())?;
        s.set_sync_value(state::USER, &serde_json::to_string(&answer.user)?)?;
        s.set_sync_value(state::TOKEN, &answer.token)?;
        s.set_sync_value(
            state::PINNED_CERTIFICATE,
            &certificate.clone().unwrap_or_default(),
        )?;
        save_anchor(s, &anchor)
    })?;
    Ok(Session {
        certificate_code: certificate.as_deref().map(crate::pinning::short_code),
        server_url,
        token: answer.token,
        user: answer.user,
        device_id: credentials.device_id,
        server_time: answer.server_time,
        clock_offset_ms: anchor.offset_ms(),
    })
}

/// A member of the signed-in inspector's 验收组 sets their PIN with their own password,
/// online, once: the office keeps the verifier, and this device keeps the team it answers
/// with, so the member can confirm offline at once. Tried once: a wrong password is not
/// tried again, and a network failure is said at once, with the member there to try again.
pub async fn set_team_pin(
    store: &Mutex<Store>,
    config: &SyncConfig,
    request: &wire::TeamPinRequest,
) -> Result<anju_core::team::Team, SyncError> {
    let (url, token, pinned) = {
        let s = lock(store);
        (
            state::value(&s, state::SERVER_URL)?,
            state::value(&s, state::TOKEN)?.filter(|t| !t.is_empty()),
            state::value(&s, state::PINNED_CERTIFICATE)?,
        )
    };
    let (Some(url), Some(token)) = (url, token) else {
        return Err(SyncError::NotSignedIn);
    };
    let config = &config.for_sign_in();
    let api = Api::new(config, &url, Some(token), pinned)?;
    let team = api
        .set_team_pin(request)
        .await
        .map_err(|failure| match failure {
            // The member's password was wrong: the device's own sign-in is still good.
            Failure::Fatal(SyncError::Unauthorized { code, message })
                if code == "bad_credentials" =>
            {
                SyncError::WrongPassword { message }
            }
            Failure::Fatal(SyncError::RateLimited { retry_after })
            | Failure::Retry {
                kind: RetryKind::RateLimited(retry_after),
                ..
            } => SyncError::TooManyAttempts { retry_after },
            Failure::Fatal(error) => error,
            Failure::Retry { kind, .. } => kind.into_error(1),
        })?;
    if let Some(problem) = with_store(store, |s| s.save_team(Some(&team)))? {
        return Err(SyncError::Store(StoreError::Corrupt { what: problem }));
    }
    Ok(team)
}

/// Sign out: the office revokes this device's token and the device forgets it. Unsynced
/// work stays. Answers whether the office confirmed (the token is forgotten either way).
pub async fn logout(
    store: &Mutex<Store>,
    config: &SyncConfig,
    cancel: CancellationToken,
) -> Result<bool, SyncError> {
    let (url, token) = {
        let s = lock(store);
        (
            state::value(&s, state::SERVER_URL)?,
            state::value(&s, state::TOKEN)?,
        )
    };
    let (Some(url), Some(token)) = (url, token) else {
        return Ok(false);
    };
    let pinned = state::value(&lock(store), state::PINNED_CERTIFICATE)?;
    let api = Api::new(config, &url, Some(token), pinned)?;
    let mut retries = 0;
    let confirmed = match retrying(config, &cancel, &mut retries, &|_| {}, || api.logout()).await {
        Ok(()) | Err(SyncError::Unauthorized { .. }) => true,
        Err(SyncError::Cancelled) => return Err(SyncError::Cancelled),
        Err(error) => {
            tracing::warn!(%error, "the office did not confirm the sign-out");
            false
        }
    };
    // Signing out also forgets the office's certificate: the next sign-in meets it anew
    // (after the office has changed its certificate, say, and the codes were compared).
    with_store(store, |s| {
        s.set_sync_value(state::TOKEN, "")?;
        s.set_sync_value(state::PINNED_CERTIFICATE, "")
    })?;
    Ok(confirmed)
}

/// One whole sync: the office's clock, the blobs of every waiting record, the records
/// (in outbox order), then the households. See `docs/sync-protocol.md`.
///
/// Retryable failures are tried again with backoff; anything else stops the sync with a
/// [`SyncError`]. `cancel` stops it at any point. Whatever the office acknowledged before
/// a stop is marked synced; nothing else is.
pub async fn sync(
    store: &Mutex<Store>,
    config: &SyncConfig,
    progress: impl Fn(Progress),
    cancel: CancellationToken,
) -> Result<SyncReport, SyncError> {
    let (url, token, device_id, user, pinned) = {
        let s = lock(store);
        (
            state::value(&s, state::SERVER_URL)?,
            state::value(&s, state::TOKEN)?,
            state::value(&s, state::DEVICE_ID)?.and_then(|d| Uuid::parse_str(&d).ok()),
            state::saved_session(&s)?.map(|session| session.user),
            state::value(&s, state::PINNED_CERTIFICATE)?,
        )
    };
    let (Some(url), Some(token), Some(device_id)) = (url, token, device_id) else {
        return Err(SyncError::NotSignedIn);
    };
    let mut engine = Engine {
        store,
        config,
        api: Api::new(config, &url, Some(token), pinned)?,
        device_id,
        progress: &progress,
        cancel: &cancel,
        now: Progress {
            phase: Phase::Clock,
            records_done: 0,
            records_total: 0,
            bytes_done: 0,
            bytes_total: 0,
            households_pulled: 0,
            retry: None,
        },
        report: SyncReport {
            user,
            ..SyncReport::default()
        },
        blocked: HashMap::new(),
    };
    engine.run().await?;
    Ok(engine.report)
}

/// A blob the waiting records need, as the device has it.
struct LocalBlob {
    sha256: String,
    path: Option<PathBuf>,
    size: Option<u64>,
}

struct Engine<'a, P> {
    store: &'a Mutex<Store>,
    config: &'a SyncConfig,
    api: Api,
    device_id: Uuid,
    progress: &'a P,
    cancel: &'a CancellationToken,
    now: Progress,
    report: SyncReport,
    /// Households with a record held in this sync: the first such record's seq.
    blocked: HashMap<Uuid, i64>,
}

const WAITING: &str = "等待该户更早的记录先同步 / waits for an earlier record of this household";

/// A record ready to go, with what it needs.
struct Outgoing {
    entry: OutboxEntry,
    record: PushRecord,
    blobs: Vec<String>,
    bytes: usize,
}

impl<P: Fn(Progress)> Engine<'_, P> {
    fn tell(&self) {
        (self.progress)(self.now);
    }

    fn set_phase(&mut self, phase: Phase) {
        self.now.phase = phase;
        self.tell();
    }

    async fn run(&mut self) -> Result<(), SyncError> {
        self.set_phase(Phase::Clock);
        self.clock().await?;

        self.set_phase(Phase::Upload);
        let (outgoing, held) = self.prepare()?;
        let failed_blobs = self.upload_all(&outgoing).await?;

        self.set_phase(Phase::Push);
        self.hold(held)?;
        let mut ready = Vec::new();
        for item in outgoing {
            if let Some(reason) = item.blobs.iter().find_map(|b| failed_blobs.get(b)) {
                self.hold(vec![(item.entry, reason.clone())])?;
            } else if self.waits(&item.entry) {
                self.hold(vec![(item.entry, WAITING.into())])?;
            } else {
                ready.push(item);
            }
        }
        self.push_all(ready).await?;

        self.set_phase(Phase::Pull);
        self.pull().await?;

        with_store(self.store, |s| {
            s.set_sync_value(state::LAST_SYNC, &Utc::now().to_rfc3339())
        })?;
        self.set_phase(Phase::Done);
        Ok(())
    }

    // -- clock -----------------------------------------------------------------------

    async fn clock(&mut self) -> Result<(), SyncError> {
        let api = &self.api;
        let clock = &self.config.clock;
        let waiting = waiting(self.progress, self.now);
        let (health, sent, received, boot) = retrying(
            self.config,
            self.cancel,
            &mut self.report.retries,
            &waiting,
            || async move {
                let boot_before = boot_clock();
                let sent = clock.now();
                let health = api.health().await?;
                let received = clock.now();
                Ok((
                    health,
                    sent,
                    received,
                    boot_between(boot_before, boot_clock()),
                ))
            },
        )
        .await?;
        if health.protocol != PROTOCOL_VERSION {
            return Err(SyncError::ProtocolVersion {
                server: health.protocol,
                device: PROTOCOL_VERSION,
            });
        }
        let anchor = ClockAnchor::from_contact(health.server_time, sent, received, boot);
        with_store(self.store, |s| save_anchor(s, &anchor))?;
        self.report.clock_offset_ms = anchor.offset_ms();
        self.report.clock_is_off = anchor.offset_ms().abs() > ClockReading::TOLERANCE_MS;
        self.report.server_time = Some(health.server_time);
        Ok(())
    }

    // -- what to send ----------------------------------------------------------------

    /// Every waiting record with its body; the ones the device cannot read are held.
    #[allow(clippy::type_complexity)]
    fn prepare(&mut self) -> Result<(Vec<Outgoing>, Vec<(OutboxEntry, String)>), SyncError> {
        let store = lock(self.store);
        let entries = store.pending_outbox()?;
        self.now.records_total = entries.len() as u64;
        let mut outgoing = Vec::with_capacity(entries.len());
        let mut held = Vec::new();
        for entry in entries {
            match store.outbox_record(&entry) {
                Ok(body) => {
                    let blobs = body.referenced_blobs();
                    let record = PushRecord {
                        content_sha256: entry.content_sha256.clone(),
                        body,
                    };
                    let bytes = serde_json::to_vec(&record).map(|v| v.len()).unwrap_or(0);
                    outgoing.push(Outgoing {
                        entry,
                        record,
                        blobs,
                        bytes,
                    });
                }
                Err(error) => held.push((entry, error.to_string())),
            }
        }
        Ok((outgoing, held))
    }

    /// Keep these records waiting, noting why. Later records of the same household wait
    /// too: a finding must not reach the office before the submission it belongs to.
    fn hold(&mut self, held: Vec<(OutboxEntry, String)>) -> Result<(), SyncError> {
        if held.is_empty() {
            return Ok(());
        }
        let mut store = lock(self.store);
        for (entry, reason) in held {
            store.note_attempt_failed(entry.seq, &reason)?;
            let first = self.blocked.entry(entry.household_id).or_insert(entry.seq);
            *first = (*first).min(entry.seq);
            self.report.held.push(HeldRecord {
                seq: entry.seq,
                kind: entry.kind.code().to_string(),
                record_id: entry.record_id,
                household_id: entry.household_id,
                reason,
            });
        }
        Ok(())
    }

    /// An earlier record of this entry's household is held in this sync.
    fn waits(&self, entry: &OutboxEntry) -> bool {
        self.blocked
            .get(&entry.household_id)
            .is_some_and(|first| *first < entry.seq)
    }

    fn local_blob(&self, sha256: &str) -> LocalBlob {
        let path = lock(self.store).blob_path(sha256).ok();
        let size = path
            .as_ref()
            .and_then(|p| std::fs::metadata(p).ok())
            .filter(std::fs::Metadata::is_file)
            .map(|m| m.len());
        LocalBlob {
            sha256: sha256.to_string(),
            path,
            size,
        }
    }

    // -- blobs -----------------------------------------------------------------------

    /// Upload every blob the records need. Answers the blobs that cannot go (with why);
    /// the records naming them wait.
    async fn upload_all(
        &mut self,
        outgoing: &[Outgoing],
    ) -> Result<HashMap<String, String>, SyncError> {
        let mut seen = BTreeSet::new();
        let mut blobs = Vec::new();
        for item in outgoing {
            for sha in &item.blobs {
                if seen.insert(sha.clone()) {
                    blobs.push(self.local_blob(sha));
                }
            }
        }
        self.now.bytes_total = blobs.iter().filter_map(|b| b.size).sum();
        self.tell();
        let mut failed = HashMap::new();
        for blob in &blobs {
            if let Err(reason) = self.upload(blob).await? {
                failed.insert(blob.sha256.clone(), reason);
            }
        }
        Ok(failed)
    }

    /// Upload one blob: HEAD for what the office holds, PUT the rest; after a cut, HEAD
    /// again and go on from there. `Ok(Err(reason))`: this blob cannot go, the rest can.
    async fn upload(&mut self, blob: &LocalBlob) -> Result<Result<(), String>, SyncError> {
        let mut failures = 0u32;
        let mut best_offset: Option<u64> = None;
        let mut done_before = self.now.bytes_done;
        loop {
            let attempt: ApiResult<bool> = async {
                let state = cancellable(self.cancel, self.api.head_blob(&blob.sha256)).await??;
                if state.complete {
                    return Ok(true);
                }
                let (Some(path), Some(size)) = (&blob.path, blob.size) else {
                    return Err(Failure::Fatal(SyncError::Blob {
                        sha256: blob.sha256.clone(),
                        reason: "本机缺少该文件 / the file is missing on this device".into(),
                    }));
                };
                if state.offset > size {
                    return Err(Failure::Fatal(SyncError::Protocol {
                        what: format!(
                            "the office holds {} bytes of {}, which has {size}",
                            state.offset, blob.sha256
                        ),
                    }));
                }
                if best_offset.is_some_and(|best| state.offset > best) {
                    // The last try got bytes through: it does not count against the blob.
                    failures = 0;
                }
                best_offset = Some(best_offset.map_or(state.offset, |b| b.max(state.offset)));
                self.now.bytes_done = done_before + state.offset;
                self.tell();
                let sent = Arc::new(AtomicU64::new(0));
                let put = self
                    .api
                    .put_blob(&blob.sha256, path, state.offset, size, sent.clone());
                tokio::pin!(put);
                let mut ticker = tokio::time::interval(self.config.progress_interval);
                let result = loop {
                    tokio::select! {
                        biased;
                        () = self.cancel.cancelled() => {
                            self.report.blob_bytes_sent += sent.load(Ordering::Relaxed);
                            return Err(Failure::Fatal(SyncError::Cancelled));
                        }
                        result = &mut put => break result,
                        _ = ticker.tick() => {
                            self.now.bytes_done =
                                done_before + state.offset + sent.load(Ordering::Relaxed);
                            self.tell();
                        }
                    }
                };
                self.report.blob_bytes_sent += sent.load(Ordering::Relaxed);
                match result? {
                    state if state.complete => Ok(false),
                    _ => Err(Failure::Retry {
                        kind: RetryKind::Incomplete,
                        after: Some(Duration::ZERO),
                    }),
                }
            }
            .await;
            match attempt {
                Ok(present) => {
                    if present && best_offset.is_none() {
                        self.report.blobs_present += 1;
                    } else {
                        self.report.blobs_uploaded += 1;
                    }
                    done_before += blob.size.unwrap_or(0);
                    self.now.bytes_done = done_before;
                    self.tell();
                    return Ok(Ok(()));
                }
                Err(Failure::Fatal(error)) => {
                    return match error {
                        SyncError::Blob { .. }
                        | SyncError::TooLarge { .. }
                        | SyncError::Refused { .. }
                        | SyncError::Protocol { .. } => {
                            self.now.bytes_done = done_before + blob.size.unwrap_or(0);
                            Ok(Err(error.to_string()))
                        }
                        other => Err(other),
                    };
                }
                Err(Failure::Retry { kind, after }) => {
                    if matches!(kind, RetryKind::HashMismatch) {
                        // The office threw its copy away. If ours is damaged, sending it
                        // again cannot help.
                        if let Err(error) = lock(self.store).blob_bytes(&blob.sha256) {
                            return Ok(Err(error.to_string()));
                        }
                    }
                    failures += 1;
                    if failures >= self.config.max_attempts.max(1) {
                        return Err(kind.into_error(failures));
                    }
                    tracing::info!(blob = %blob.sha256, attempt = failures, reason = %kind.describe(), "blob upload retry");
                    self.report.retries += 1;
                    let wait = after.unwrap_or_else(|| self.config.backoff(failures));
                    if !wait.is_zero() {
                        (self.progress)(Progress {
                            retry: Some(retry_wait(self.config, failures, wait, &kind)),
                            ..self.now
                        });
                    }
                    pause(self.cancel, wait).await?;
                }
            }
        }
    }

    // -- records ---------------------------------------------------------------------

    async fn push_all(&mut self, ready: Vec<Outgoing>) -> Result<(), SyncError> {
        let max_records = self.config.effective_push_batch();
        let max_bytes = self.config.effective_push_bytes();
        let mut batch: Vec<Outgoing> = Vec::new();
        let mut batch_bytes = 0usize;
        for item in ready {
            if self.waits(&item.entry) {
                self.hold(vec![(item.entry, WAITING.into())])?;
                continue;
            }
            if !batch.is_empty()
                && (batch.len() >= max_records || batch_bytes + item.bytes > max_bytes)
            {
                self.push_batch(std::mem::take(&mut batch)).await?;
                batch_bytes = 0;
            }
            batch_bytes += item.bytes + 1;
            batch.push(item);
        }
        if !batch.is_empty() {
            self.push_batch(batch).await?;
        }
        Ok(())
    }

    async fn push_batch(&mut self, batch: Vec<Outgoing>) -> Result<(), SyncError> {
        let mut pending = batch;
        let mut missing_rounds = 0u32;
        while !pending.is_empty() {
            let answer = match self.push_once(&pending).await {
                Ok(answer) => answer,
                Err(error) => {
                    if !matches!(error, SyncError::Cancelled) {
                        let reason = error.to_string();
                        let mut store = lock(self.store);
                        for item in &pending {
                            store.note_attempt_failed(item.entry.seq, &reason)?;
                        }
                    }
                    return Err(error);
                }
            };
            if answer.results.len() != pending.len()
                || answer
                    .results
                    .iter()
                    .zip(&pending)
                    .any(|(result, item)| result.id != item.record.body.id())
            {
                return Err(SyncError::Protocol {
                    what: format!(
                        "push answered {} results for {} records, or out of order",
                        answer.results.len(),
                        pending.len()
                    ),
                });
            }
            let mut stored = Vec::new();
            let mut again = Vec::new();
            let mut missing: BTreeSet<String> = BTreeSet::new();
            {
                let mut store = lock(self.store);
                for (result, item) in answer.results.into_iter().zip(pending) {
                    match result.status {
                        RecordStatus::Accepted => {
                            self.report.accepted += 1;
                            stored.push(item.entry.seq);
                        }
                        RecordStatus::Duplicate => {
                            self.report.duplicates += 1;
                            stored.push(item.entry.seq);
                        }
                        RecordStatus::MissingBlob => {
                            if result.missing_blobs.is_empty() {
                                missing.extend(item.blobs.iter().cloned());
                            } else {
                                missing.extend(result.missing_blobs.iter().cloned());
                            }
                            again.push(item);
                        }
                        // Its submission was refused for now (say, a blob was missing):
                        // try again once that has gone through.
                        RecordStatus::MissingDependency => again.push(item),
                        RecordStatus::Conflict
                        | RecordStatus::Forbidden
                        | RecordStatus::UnknownHousehold
                        | RecordStatus::Invalid => {
                            let message = result.message.unwrap_or_else(|| {
                                format!("办公室拒收 / refused by the office: {:?}", result.status)
                            });
                            store.reject(item.entry.seq, result.code, &message)?;
                            self.now.records_done += 1;
                            self.report.rejected.push(RejectedRecord {
                                seq: item.entry.seq,
                                kind: item.entry.kind.code().to_string(),
                                record_id: item.entry.record_id,
                                household_id: item.entry.household_id,
                                status: result.status,
                                code: result.code,
                                message,
                            });
                        }
                    }
                }
                store.acknowledge(&stored)?;
            }
            self.now.records_done += stored.len() as u64;
            self.tell();
            pending = again;
            if pending.is_empty() {
                break;
            }
            // The office lacks blobs these records name: send them, then try again.
            missing_rounds += 1;
            if missing_rounds >= self.config.max_attempts.max(1) {
                let reason = format!(
                    "办公室仍缺少照片或签名文件 / the office still lacks a blob: {}",
                    missing.iter().cloned().collect::<Vec<_>>().join(", ")
                );
                self.hold(
                    pending
                        .into_iter()
                        .map(|i| (i.entry, reason.clone()))
                        .collect(),
                )?;
                return Ok(());
            }
            self.report.retries += 1;
            let mut failed = HashMap::new();
            for sha in &missing {
                let blob = self.local_blob(sha);
                self.now.bytes_total += blob.size.unwrap_or(0);
                if let Err(reason) = self.upload(&blob).await? {
                    failed.insert(sha.clone(), reason);
                }
            }
            let mut still = Vec::new();
            let mut held = Vec::new();
            for item in pending {
                match item.blobs.iter().find_map(|b| failed.get(b)) {
                    Some(reason) => held.push((item.entry, reason.clone())),
                    None => still.push(item),
                }
            }
            self.hold(held)?;
            pending = still;
            if !pending.is_empty() && missing_rounds > 1 {
                // The office said it had them all last time too: give it a moment.
                pause(self.cancel, self.config.backoff(missing_rounds - 1)).await?;
            }
        }
        Ok(())
    }

    async fn push_once(&mut self, pending: &[Outgoing]) -> Result<wire::PushResponse, SyncError> {
        let api = &self.api;
        let clock = &self.config.clock;
        let device_id = self.device_id;
        let records: Vec<&PushRecord> = pending.iter().map(|item| &item.record).collect();
        let records = &records;
        let waiting = waiting(self.progress, self.now);
        retrying(
            self.config,
            self.cancel,
            &mut self.report.retries,
            &waiting,
            || async move {
                let body = serde_json::to_vec(&PushRequestRef {
                    device_id,
                    device_time: clock.now(),
                    records,
                })
                .map_err(|e| {
                    Failure::Fatal(SyncError::Protocol {
                        what: format!("cannot encode the push: {e}"),
                    })
                })?;
                api.push(body).await
            },
        )
        .await
        .inspect(|answer| {
            tracing::debug!(offset_ms = answer.clock_offset_ms, "push answered");
        })
    }
}
/// [`anju_core::wire::PushRequest`] over borrowed records (the same JSON).
#[derive(serde::Serialize)]
struct PushRequestRef<'a> {
    device_id: Uuid,
    device_time: DateTime<Utc>,
    records: &'a [&'a PushRecord],
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The app runs a sync on a runtime's worker threads: its future must be `Send`.
    #[allow(dead_code)]
    fn sync_is_send(store: &Mutex<Store>, config: &SyncConfig) {
        fn is_send<T: Send>(_: &T) {}
        let future = sync(store, config, |_| {}, CancellationToken::new());
        is_send(&future);
        let credentials = Credentials {
            server_url: "http://127.0.0.1:1",
            user: "li",
            password: "x",
            device_id: Uuid::nil(),
            device_name: None,
        };
        let future = login(store, config, &credentials, CancellationToken::new());
        is_send(&future);
    }

    #[test]
    fn the_borrowed_push_request_is_the_wire_push_request() {
        let finding = anju_core::model::Finding {
            id: Uuid::now_v7(),
            household_id: Uuid::now_v7(),
            submission_id: None,
            item: None,
            description: "门窗未安装".into(),
            deadline: chrono::NaiveDate::from_ymd_opt(2017, 9, 30).unwrap_or_default(),
            state: anju_core::model::FindingState::Open,
        };
        let body = wire::RecordBody::Finding(finding);
        let record = PushRecord {
            content_sha256: body.content_sha256().unwrap_or_default(),
            body,
        };
        let device_id = Uuid::now_v7();
        let device_time = Utc::now();
        let borrowed = serde_json::to_value(PushRequestRef {
            device_id,
            device_time,
            records: &[&record],
        })
        .ok();
        let owned = serde_json::to_value(wire::PushRequest {
            device_id,
            device_time,
            records: vec![record],
        })
        .ok();
        assert!(owned.is_some());
        assert_eq!(borrowed, owned);
    }

    #[test]
    fn the_boot_clock_midpoint_is_taken_within_one_boot() {
        let clock = |id: &str, ms| BootClock {
            boot_id: id.into(),
            uptime_ms: ms,
        };
        assert_eq!(
            boot_between(Some(clock("a", 1000)), Some(clock("a", 3000))),
            Some(clock("a", 2000))
        );
        assert_eq!(
            boot_between(Some(clock("a", 1000)), Some(clock("b", 10))),
            Some(clock("b", 10))
        );
        assert_eq!(boot_between(None, None), None);
    }
}

//! The office's storage behind two interfaces, so that the HTTP handlers do not know
//! where data lives: [`OfficeStore`] for the sync API's records and [`BlobStore`] for
//! photos and signature images (a folder, or an S3-compatible bucket: `s3_blobs`), over
//! one [`OfficeDatabase`] (SQLite or PostgreSQL through `anju-sql`) that the office's
//! services use too.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anju_core::hash::{is_sha256_hex, sha256_hex};
use anju_core::wire::{BlobState, PullResponse, PushRecord, RecordResult};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures_util::{Stream, StreamExt};
use tokio::io::AsyncWriteExt;
use uuid::Uuid;

use crate::audit::AuditEntry;
use crate::db::{DatabaseLocation, OfficeDb, OfficeDbError};
use crate::users::{self, AuthUser, TokenIdle, TokenKind, TokenState, UserError};
use crate::{assign, sync_db};

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error(transparent)]
    Db(#[from] OfficeDbError),
    #[error(transparent)]
    User(#[from] UserError),
    #[error(transparent)]
    Assign(#[from] assign::AssignError),
    #[error("存储任务中断 / a storage task stopped: {0}")]
    Task(String),
}

/// Records: users, tokens, households, pushes.
#[async_trait]
pub trait OfficeStore: Send + Sync + 'static {
    /// The user of a name and their password hash (a read).
    async fn sign_in_candidate(
        &self,
        name: String,
    ) -> Result<Option<(AuthUser, String)>, StorageError>;
    /// A new token for a user who gave the right password.
    async fn issue_token(
        &self,
        user: AuthUser,
        device_id: Uuid,
        device_name: Option<String>,
        kind: TokenKind,
    ) -> Result<String, StorageError>;
    /// Whom a token belongs to; its use is recorded (coarsely) for its idle expiry.
    async fn user_for_token(&self, token: String) -> Result<TokenState, StorageError>;
    async fn revoke_token(&self, token: String) -> Result<(), StorageError>;
    /// Remove tokens long expired or revoked, and failed sign-ins long forgotten; how many
    /// tokens.
    async fn prune_tokens(&self) -> Result<usize, StorageError>;
    /// `Err(retry_at)` when a sign-in of `name` from `address` must wait (a read; the
    /// counts are shared by every office process on the database).
    async fn sign_in_wait(
        &self,
        name: String,
        address: std::net::IpAddr,
        now: DateTime<Utc>,
    ) -> Result<Result<(), DateTime<Utc>>, StorageError>;
    /// Count a wrong password, in one write transaction (two processes counting at once
    /// lose neither); the lockouts it starts.
    async fn sign_in_failed(
        &self,
        name: String,
        address: std::net::IpAddr,
        now: DateTime<Utc>,
    ) -> Result<Vec<crate::throttle::Lockout>, StorageError>;
    /// A right password: the name's count from the address starts again; whether it had
    /// been locked out.
    async fn sign_in_succeeded(
        &self,
        name: String,
        address: std::net::IpAddr,
    ) -> Result<bool, StorageError>;
    /// Append to the audit log.
    async fn audit(&self, entry: AuditEntry) -> Result<(), StorageError>;
    async fn pull(
        &self,
        user: AuthUser,
        cursor: i64,
        limit: u32,
    ) -> Result<PullResponse, StorageError>;
    /// Checks that need no blobs; `Some` is the record's final answer.
    async fn precheck(
        &self,
        user: AuthUser,
        records: Vec<PushRecord>,
    ) -> Result<Vec<Option<RecordResult>>, StorageError>;
    async fn store_record(
        &self,
        user: AuthUser,
        device_id: Uuid,
        record: PushRecord,
        push_offset_ms: i64,
    ) -> Result<RecordResult, StorageError>;
    async fn record_contact(
        &self,
        user: AuthUser,
        device_id: Uuid,
        device_time: DateTime<Utc>,
        server_time: DateTime<Utc>,
    ) -> Result<i64, StorageError>;
    async fn users(&self) -> Result<Vec<AuthUser>, StorageError>;
    async fn assign(
        &self,
        inspector: String,
        target: assign::Target,
    ) -> Result<usize, StorageError>;
}

/// Connections that only read, opened as needed up to a bound, each used by one blocking
/// thread at a time. SQLite in WAL mode lets them read while the writer writes.
pub struct ReaderPool {
    location: DatabaseLocation,
    idle: Mutex<Vec<OfficeDb>>,
    permits: tokio::sync::Semaphore,
}

/// How many readers at most: enough for the cores and a few waiting on the disk.
pub fn default_readers() -> usize {
    std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(2, 8)
        * 2
}

impl ReaderPool {
    pub fn new(location: &DatabaseLocation, size: usize) -> Self {
        Self {
            location: location.clone(),
            idle: Mutex::new(Vec::new()),
            permits: tokio::sync::Semaphore::new(size.max(1)),
        }
    }

    pub async fn with<T: Send + 'static, E: From<StorageError> + Send + 'static>(
        &self,
        f: impl FnOnce(&mut OfficeDb) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| E::from(StorageError::Task(e.to_string())))?;
        let pooled = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let db = pooled;
        let location = self.location.clone();
        let (db, result) = tokio::task::spawn_blocking(move || {
            let mut db = match db {
                Some(db) => db,
                None => match OfficeDb::open_reader_at(&location) {
                    Ok(db) => db,
                    Err(e) => return (None, Err(E::from(StorageError::Db(e)))),
                },
            };
            let result = f(&mut db);
            (Some(db), result)
        })
        .await
        .map_err(|e| E::from(StorageError::Task(e.to_string())))?;
        // A connection the server closed is not kept.
        if let Some(db) = db.filter(OfficeDb::is_usable) {
            self.idle.lock().unwrap_or_else(|p| p.into_inner()).push(db);
        }
        result
    }
}

/// A PostgreSQL server that restarted closed the writer's connection: connect again.
fn reconnect_if_closed(db: &mut OfficeDb) -> Result<(), crate::db::OfficeDbError> {
    if !db.is_usable() {
        *db = OfficeDb::open_reader_at(&db.location().clone())?;
    }
    Ok(())
}

/// The office database: one writing connection behind a mutex and a pool of readers, each
/// used from a blocking thread, on SQLite or PostgreSQL (where several processes' writers
/// follow one another through the write lock every transaction takes). Nothing CPU-heavy
/// (password hashing, files) runs while the writer is held.
#[derive(Clone)]
pub struct OfficeDatabase {
    writer: Arc<Mutex<OfficeDb>>,
    readers: Arc<ReaderPool>,
}

impl OfficeDatabase {
    pub fn new(db: OfficeDb) -> Self {
        let readers = Arc::new(ReaderPool::new(db.location(), default_readers()));
        Self {
            writer: Arc::new(Mutex::new(db)),
            readers,
        }
    }

    /// Run `f` on a blocking thread with the writer.
    pub async fn with<T: Send + 'static, E: From<StorageError> + Send + 'static>(
        &self,
        f: impl FnOnce(&mut OfficeDb) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E> {
        let writer = Arc::clone(&self.writer);
        tokio::task::spawn_blocking(move || {
            // A panic while holding the lock cannot leave a half-done transaction behind
            // (the database rolls it back), so a poisoned lock is still safe to use.
            let mut guard = writer
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            reconnect_if_closed(&mut guard).map_err(|e| E::from(StorageError::Db(e)))?;
            f(&mut guard)
        })
        .await
        .map_err(|e| E::from(StorageError::Task(e.to_string())))?
    }

    /// Run `f` on a blocking thread with a reader (on SQLite it cannot write).
    pub async fn read<T: Send + 'static, E: From<StorageError> + Send + 'static>(
        &self,
        f: impl FnOnce(&mut OfficeDb) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E> {
        self.readers.with(f).await
    }
}

/// The sync API's records in the office database. Each push record is its own short
/// transaction.
pub struct SqlOfficeStore {
    database: OfficeDatabase,
    idle: TokenIdle,
}

impl SqlOfficeStore {
    pub fn new(db: OfficeDb, idle: TokenIdle) -> Self {
        Self {
            database: OfficeDatabase::new(db),
            idle,
        }
    }

    /// The same database, for the office's services.
    pub fn database(&self) -> OfficeDatabase {
        self.database.clone()
    }

    async fn with<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut OfficeDb) -> Result<T, StorageError> + Send + 'static,
    ) -> Result<T, StorageError> {
        self.database.with(f).await
    }

    async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut OfficeDb) -> Result<T, StorageError> + Send + 'static,
    ) -> Result<T, StorageError> {
        self.database.read(f).await
    }
}

#[async_trait]
impl OfficeStore for SqlOfficeStore {
    async fn sign_in_candidate(
        &self,
        name: String,
    ) -> Result<Option<(AuthUser, String)>, StorageError> {
        self.read(move |db| Ok(users::sign_in_candidate(db, &name)?))
            .await
    }

    async fn issue_token(
        &self,
        user: AuthUser,
        device_id: Uuid,
        device_name: Option<String>,
        kind: TokenKind,
    ) -> Result<String, StorageError> {
        self.with(move |db| {
            Ok(users::issue_token(
                db,
                &user,
                device_id,
                device_name.as_deref(),
                kind,
                Utc::now(),
            )?)
        })
        .await
    }

    async fn user_for_token(&self, token: String) -> Result<TokenState, StorageError> {
        let idle = self.idle;
        let lookup = token.clone();
        let state = self
            .read(move |db| Ok(users::user_for_token(db, &lookup, Utc::now(), &idle)?))
            .await?;
        if let TokenState::Valid { touch: true, .. } = state {
            self.with(move |db| Ok(users::touch_token(db, &token, Utc::now())?))
                .await?;
        }
        Ok(state)
    }

    async fn prune_tokens(&self) -> Result<usize, StorageError> {
        let idle = self.idle;
        self.with(move |db| {
            crate::login_failures::forget_old(db.connection(), Utc::now())
                .map_err(OfficeDbError::from)?;
            Ok(users::prune_tokens(db, Utc::now(), &idle)?)
        })
        .await
    }

    async fn sign_in_wait(
        &self,
        name: String,
        address: std::net::IpAddr,
        now: DateTime<Utc>,
    ) -> Result<Result<(), DateTime<Utc>>, StorageError> {
        self.read(move |db| {
            let mut ledger = crate::login_failures::SqlLedger(db.connection());
            Ok(crate::throttle::check(&mut ledger, &name, address, now)
                .map_err(OfficeDbError::from)?)
        })
        .await
    }

    async fn sign_in_failed(
        &self,
        name: String,
        address: std::net::IpAddr,
        now: DateTime<Utc>,
    ) -> Result<Vec<crate::throttle::Lockout>, StorageError> {
        self.with(move |db| {
            let tx = db
                .connection_mut()
                .transaction_with_behavior(anju_sql::TransactionBehavior::Immediate)
                .map_err(OfficeDbError::from)?;
            let lockouts = crate::throttle::failed(
                &mut crate::login_failures::SqlLedger(&tx),
                &name,
                address,
                now,
            )
            .map_err(OfficeDbError::from)?;
            tx.commit().map_err(OfficeDbError::from)?;
            Ok(lockouts)
        })
        .await
    }

    async fn sign_in_succeeded(
        &self,
        name: String,
        address: std::net::IpAddr,
    ) -> Result<bool, StorageError> {
        self.with(move |db| {
            let mut ledger = crate::login_failures::SqlLedger(db.connection());
            Ok(crate::throttle::succeeded(&mut ledger, &name, address)
                .map_err(OfficeDbError::from)?)
        })
        .await
    }

    async fn audit(&self, entry: AuditEntry) -> Result<(), StorageError> {
        self.with(move |db| {
            crate::audit::record(db.connection(), &entry, Utc::now())
                .map_err(|e| StorageError::Db(e.into()))
        })
        .await
    }

    async fn revoke_token(&self, token: String) -> Result<(), StorageError> {
        self.with(move |db| Ok(users::revoke_token(db, &token)?))
            .await
    }

    async fn pull(
        &self,
        user: AuthUser,
        cursor: i64,
        limit: u32,
    ) -> Result<PullResponse, StorageError> {
        self.read(move |db| Ok(sync_db::pull(db, &user.id, cursor, limit)?))
            .await
    }

    async fn precheck(
        &self,
        user: AuthUser,
        records: Vec<PushRecord>,
    ) -> Result<Vec<Option<RecordResult>>, StorageError> {
        // Checking is reading (and the CPU work of validation): a reader, so that the
        // writer is held only to store.
        self.read(move |db| {
            let now = Utc::now();
            records
                .iter()
                .map(|r| sync_db::precheck(db, &user, r, now).map_err(StorageError::from))
                .collect()
        })
        .await
    }

    async fn store_record(
        &self,
        user: AuthUser,
        device_id: Uuid,
        record: PushRecord,
        push_offset_ms: i64,
    ) -> Result<RecordResult, StorageError> {
        self.with(move |db| {
            Ok(sync_db::store_record(
                db,
                &user,
                device_id,
                &record,
                push_offset_ms,
            )?)
        })
        .await
    }

    async fn record_contact(
        &self,
        user: AuthUser,
        device_id: Uuid,
        device_time: DateTime<Utc>,
        server_time: DateTime<Utc>,
    ) -> Result<i64, StorageError> {
        self.with(move |db| {
            Ok(sync_db::record_contact(
                db,
                &user,
                device_id,
                device_time,
                server_time,
            )?)
        })
        .await
    }

    async fn users(&self) -> Result<Vec<AuthUser>, StorageError> {
        self.with(|db| Ok(users::list_users(db)?)).await
    }

    async fn assign(
        &self,
        inspector: String,
        target: assign::Target,
    ) -> Result<usize, StorageError> {
        self.with(move |db| Ok(assign::assign(db, &inspector, &target)?))
            .await
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    #[error("“{0}”不是有效的SHA-256 / '{0}' is not a SHA-256 (64 lower-case hex digits)")]
    BadHash(String),
    #[error(
        "文件过大：{length} 字节，上限 {limit} 字节 / the file is too large: {length} bytes, at most {limit}"
    )]
    TooLarge { length: u64, limit: u64 },
    #[error(
        "续传位置不符：办公室已有 {have} 字节，请求从 {asked} 开始 / wrong resume offset: the office has {have} bytes, the request starts at {asked}"
    )]
    OffsetMismatch { have: u64, asked: u64 },
    #[error("数据超出声明长度 {length} / more bytes than the declared length {length}")]
    Overflow { length: u64 },
    #[error(
        "上传完成但内容的SHA-256为 {actual}，与 {expected} 不符，已丢弃，请重新上传 / the upload is complete but hashes to {actual}, not {expected}: discarded, upload it again"
    )]
    HashMismatch { expected: String, actual: String },
    #[error("连接中断，已保存 {have} 字节 / the connection broke; {have} bytes are kept")]
    Interrupted { have: u64 },
    #[error(
        "未完成的上传已达 {pending} 字节，再加 {more} 字节将超过每个用户 {limit} 字节的上限：请先完成或等待过期的上传被清理 / unfinished uploads hold {pending} bytes; {more} more would pass the limit of {limit} bytes per user: finish them first, or wait until stale ones are swept"
    )]
    PendingQuota { pending: u64, more: u64, limit: u64 },
    #[error(
        "未完成的上传已有 {uploads} 个，每个用户最多 {limit} 个：请先完成或等待过期的上传被清理 / {uploads} uploads are unfinished, at most {limit} per user: finish them first, or wait until stale ones are swept"
    )]
    PendingUploads { uploads: u32, limit: u32 },
    #[error(
        "办公室服务器磁盘已满，请稍后重试；已收到的内容不会丢失 / the office's disk is full: try again later; what was received is kept"
    )]
    DiskFull,
    #[error("文件存储错误 / blob storage error: {0}")]
    Io(std::io::Error),
}

impl From<std::io::Error> for BlobError {
    fn from(error: std::io::Error) -> Self {
        if error.kind() == std::io::ErrorKind::StorageFull {
            Self::DiskFull
        } else {
            Self::Io(error)
        }
    }
}

/// What a sweep of stale uploads removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct SweepReport {
    pub removed: u64,
    pub bytes: u64,
}

/// A pending upload with no progress for this long is removed.
pub const PENDING_UPLOAD_EXPIRY: chrono::Duration = chrono::Duration::hours(24);
/// The most bytes of unfinished uploads one user may hold.
pub const MAX_PENDING_BYTES_PER_USER: u64 = 512 << 20;
/// The most unfinished uploads one user may hold (a device uploads one at a time).
pub const MAX_PENDING_UPLOADS_PER_USER: u32 = 1000;

/// Photos and signature images, content-addressed by SHA-256, uploaded resumably.
#[async_trait]
pub trait BlobStore: Send + Sync + 'static {
    async fn state(&self, sha256: &str) -> Result<BlobState, BlobError>;
    /// Append the bytes of `body` at `offset` of a blob of `length` bytes, for the user
    /// `uploader` (whose unfinished uploads may not pass [`MAX_PENDING_BYTES_PER_USER`]).
    async fn append(
        &self,
        sha256: &str,
        offset: u64,
        length: u64,
        uploader: &str,
        body: std::pin::Pin<Box<dyn Stream<Item = Result<bytes::Bytes, String>> + Send>>,
        on_bytes: &(dyn Fn(u64) + Send + Sync),
    ) -> Result<BlobState, BlobError>;
    async fn read(&self, sha256: &str) -> Result<Vec<u8>, BlobError>;
    /// Remove unfinished uploads that made no progress for `older_than`.
    async fn sweep(&self, older_than: chrono::Duration) -> Result<SweepReport, BlobError>;
    /// Store the file at `source` whole as the blob `sha256`, a piece at a time and hashed
    /// as it goes, visible only once complete and checked: for files the office makes
    /// itself (a print job's ZIP), which the upload limit does not bound and which may be
    /// far larger than memory should hold. One that is there already is left as it is.
    async fn put_file(&self, sha256: &str, source: &Path) -> Result<(), BlobError>;
    /// A complete blob's length and its bytes a piece at a time, for one too large to
    /// read whole. Its hash was checked when it was stored, not again as it streams.
    async fn open(&self, sha256: &str) -> Result<(u64, BlobStream), BlobError>;
    /// Forget a complete blob (a swept print job's ZIP); one that is not there is no error.
    async fn remove(&self, sha256: &str) -> Result<(), BlobError>;
}

/// A blob's bytes, a piece at a time.
pub type BlobStream = std::pin::Pin<Box<dyn Stream<Item = Result<bytes::Bytes, BlobError>> + Send>>;

/// Where a complete blob lives in a blob folder; `None` for a name that is no SHA-256.
pub fn complete_blob_path(root: &Path, sha256: &str) -> Option<PathBuf> {
    is_sha256_hex(sha256).then(|| root.join(&sha256[0..2]).join(sha256))
}

/// Blobs in a folder: `ab/<sha256>` when complete, `partial/<sha256>` while uploading.
pub struct FolderBlobStore {
    root: PathBuf,
    /// One upload per blob at a time (a retried request may overlap a dying one).
    locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    limit: u64,
    /// The most bytes of unfinished uploads one user may hold.
    pending_quota: u64,
    /// The most unfinished uploads one user may hold.
    pending_uploads: u32,
}

impl FolderBlobStore {
    pub fn new(root: &Path, limit: u64) -> std::io::Result<Self> {
        std::fs::create_dir_all(root.join("partial"))?;
        Ok(Self {
            root: root.to_path_buf(),
            locks: Mutex::new(HashMap::new()),
            limit,
            pending_quota: MAX_PENDING_BYTES_PER_USER,
            pending_uploads: MAX_PENDING_UPLOADS_PER_USER,
        })
    }

    /// The same with other limits of unfinished uploads per user: bytes, and how many.
    pub fn with_pending_limits(mut self, bytes: u64, uploads: u32) -> Self {
        self.pending_quota = bytes;
        self.pending_uploads = uploads;
        self
    }

    fn paths(&self, sha256: &str) -> Result<(PathBuf, PathBuf), BlobError> {
        let complete = complete_blob_path(&self.root, sha256)
            .ok_or_else(|| BlobError::BadHash(sha256.to_string()))?;
        Ok((complete, self.root.join("partial").join(sha256)))
    }

    /// The file that names who started an unfinished upload.
    fn owner_path(&self, sha256: &str) -> PathBuf {
        self.root.join("partial").join(format!("{sha256}.by"))
    }

    /// The bytes and number of unfinished uploads `uploader` holds, other than `except`. Linear in
    /// the unfinished uploads, which the quota and the sweep keep few.
    async fn pending_bytes(&self, uploader: &str, except: &str) -> Result<(u64, u32), BlobError> {
        let mut total: u64 = 0;
        let mut count: u32 = 0;
        let mut dir = tokio::fs::read_dir(self.root.join("partial")).await?;
        while let Some(entry) = dir.next_entry().await? {
            let name = entry.file_name();
            let Some(sha) = name.to_str().and_then(|n| n.strip_suffix(".by")) else {
                continue;
            };
            if sha == except {
                continue;
            }
            let owner = tokio::fs::read_to_string(entry.path())
                .await
                .unwrap_or_default();
            if owner == uploader {
                total = total.saturating_add(file_len(&self.root.join("partial").join(sha)).await?);
                count = count.saturating_add(1);
            }
        }
        Ok((total, count))
    }

    fn lock_for(&self, sha256: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self.locks.lock().unwrap_or_else(|p| p.into_inner());
        // Forget locks nobody holds, so the map does not grow without end.
        locks.retain(|_, lock| Arc::strong_count(lock) > 1);
        Arc::clone(locks.entry(sha256.to_string()).or_default())
    }
}

async fn file_len(path: &Path) -> std::io::Result<u64> {
    match tokio::fs::metadata(path).await {
        Ok(meta) => Ok(meta.len()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(0),
        Err(e) => Err(e),
    }
}

#[async_trait]
impl BlobStore for FolderBlobStore {
    async fn state(&self, sha256: &str) -> Result<BlobState, BlobError> {
        let (complete, partial) = self.paths(sha256)?;
        // An upload cut a moment ago may still be writing what it received: wait for it,
        // so the offset given is the one a resumed upload will find.
        let lock = self.lock_for(sha256);
        let _guard = lock.lock().await;
        if tokio::fs::try_exists(&complete).await? {
            return Ok(BlobState {
                offset: file_len(&complete).await?,
                complete: true,
            });
        }
        Ok(BlobState {
            offset: file_len(&partial).await?,
            complete: false,
        })
    }

    async fn append(
        &self,
        sha256: &str,
        offset: u64,
        length: u64,
        uploader: &str,
        mut body: std::pin::Pin<Box<dyn Stream<Item = Result<bytes::Bytes, String>> + Send>>,
        on_bytes: &(dyn Fn(u64) + Send + Sync),
    ) -> Result<BlobState, BlobError> {
        let (complete, partial) = self.paths(sha256)?;
        if length > self.limit {
            return Err(BlobError::TooLarge {
                length,
                limit: self.limit,
            });
        }
        let lock = self.lock_for(sha256);
        let _guard = lock.lock().await;
        if tokio::fs::try_exists(&complete).await? {
            return Ok(BlobState {
                offset: length,
                complete: true,
            });
        }
        let have = file_len(&partial).await?;
        if have != offset {
            return Err(BlobError::OffsetMismatch {
                have,
                asked: offset,
            });
        }
        let (pending, uploads) = self.pending_bytes(uploader, sha256).await?;
        let more = length - have.min(length);
        if have == 0 && uploads >= self.pending_uploads {
            return Err(BlobError::PendingUploads {
                uploads,
                limit: self.pending_uploads,
            });
        }
        if pending.saturating_add(length) > self.pending_quota {
            return Err(BlobError::PendingQuota {
                pending,
                more,
                limit: self.pending_quota,
            });
        }
        if have == 0 {
            tokio::fs::write(self.owner_path(sha256), uploader).await?;
        }
        let mut file = tokio::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&partial)
            .await?;
        let mut written = have;
        let mut interrupted = false;
        while let Some(chunk) = body.next().await {
            let Ok(chunk) = chunk else {
                interrupted = true;
                break;
            };
            if written + chunk.len() as u64 > length {
                // Keep what fits the declared length; the rest is an error of the client.
                file.flush().await?;
                return Err(BlobError::Overflow { length });
            }
            file.write_all(&chunk).await?;
            written += chunk.len() as u64;
            on_bytes(chunk.len() as u64);
        }
        file.flush().await?;
        file.sync_data().await?;
        drop(file);
        if interrupted {
            return Err(BlobError::Interrupted { have: written });
        }
        if written < length {
            return Ok(BlobState {
                offset: written,
                complete: false,
            });
        }
        let bytes = tokio::fs::read(&partial).await?;
        let actual = sha256_hex(&bytes);
        let _ = tokio::fs::remove_file(self.owner_path(sha256)).await;
        if actual != sha256 {
            tokio::fs::remove_file(&partial).await?;
            return Err(BlobError::HashMismatch {
                expected: sha256.to_string(),
                actual,
            });
        }
        if let Some(dir) = complete.parent() {
            tokio::fs::create_dir_all(dir).await?;
        }
        tokio::fs::rename(&partial, &complete).await?;
        Ok(BlobState {
            offset: length,
            complete: true,
        })
    }

    async fn read(&self, sha256: &str) -> Result<Vec<u8>, BlobError> {
        let (complete, _) = self.paths(sha256)?;
        Ok(tokio::fs::read(&complete).await?)
    }

    async fn put_file(&self, sha256: &str, source: &Path) -> Result<(), BlobError> {
        let (complete, _) = self.paths(sha256)?;
        crate::blob_files::put_file(&self.root.join("partial"), &complete, sha256, source).await
    }

    async fn open(&self, sha256: &str) -> Result<(u64, BlobStream), BlobError> {
        let (complete, _) = self.paths(sha256)?;
        crate::blob_files::open(&complete).await
    }

    async fn remove(&self, sha256: &str) -> Result<(), BlobError> {
        let (complete, _) = self.paths(sha256)?;
        crate::blob_files::remove(&complete).await
    }

    async fn sweep(&self, older_than: chrono::Duration) -> Result<SweepReport, BlobError> {
        let cutoff = std::time::SystemTime::now()
            .checked_sub(older_than.to_std().unwrap_or_default())
            .unwrap_or(std::time::UNIX_EPOCH);
        let mut report = SweepReport::default();
        let mut dir = tokio::fs::read_dir(self.root.join("partial")).await?;
        while let Some(entry) = dir.next_entry().await? {
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            let sha = name.strip_suffix(".by").unwrap_or(name);
            if !is_sha256_hex(sha) {
                continue;
            }
            let data = self.root.join("partial").join(sha);
            // An upload in progress holds its lock: leave it.
            let lock = self.lock_for(sha);
            let Ok(_guard) = lock.try_lock() else {
                continue;
            };
            let modified = match tokio::fs::metadata(&data).await {
                Ok(meta) => meta.modified()?,
                // An owner file left without its upload.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    let _ = tokio::fs::remove_file(self.owner_path(sha)).await;
                    continue;
                }
                Err(e) => return Err(e.into()),
            };
            if modified < cutoff {
                let len = file_len(&data).await?;
                tokio::fs::remove_file(&data).await?;
                let _ = tokio::fs::remove_file(self.owner_path(sha)).await;
                report.removed += 1;
                report.bytes = report.bytes.saturating_add(len);
            }
        }
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(
        bytes: &[u8],
    ) -> std::pin::Pin<Box<dyn Stream<Item = Result<bytes::Bytes, String>> + Send>> {
        let chunk = bytes::Bytes::copy_from_slice(bytes);
        Box::pin(futures_util::stream::once(async move { Ok(chunk) }))
    }

    #[tokio::test]
    async fn unfinished_uploads_are_capped_per_user_and_swept_when_stale() {
        let dir = tempfile::tempdir().unwrap();
        let store = FolderBlobStore::new(dir.path(), 1 << 20)
            .unwrap()
            .with_pending_limits(100, 1000);
        let blob = |n: u8| (vec![n; 80], sha256_hex(&[n; 80]));
        let (first, first_sha) = blob(1);
        let (_, second_sha) = blob(2);
        // Half of the first: pending 40 of 80.
        let state = store
            .append(&first_sha, 0, 80, "li", body(&first[..40]), &|_| {})
            .await
            .unwrap();
        assert_eq!((state.offset, state.complete), (40, false));
        // Another 80 would hold 120 > 100: refused, for li only.
        let refused = store
            .append(&second_sha, 0, 80, "li", body(&[2; 10]), &|_| {})
            .await;
        assert!(
            matches!(
                refused,
                Err(BlobError::PendingQuota {
                    pending: 40,
                    limit: 100,
                    ..
                })
            ),
            "{refused:?}"
        );
        let other = store
            .append(&second_sha, 0, 80, "wang", body(&[2; 10]), &|_| {})
            .await
            .unwrap();
        assert_eq!(other.offset, 10);
        // Nothing is stale yet.
        assert_eq!(
            store.sweep(chrono::Duration::hours(24)).await.unwrap(),
            SweepReport::default()
        );
        // Many small unfinished uploads are bounded by their number too.
        let many = FolderBlobStore::new(&dir.path().join("many"), 1 << 20)
            .unwrap()
            .with_pending_limits(1 << 20, 20);
        for n in 0..20u32 {
            let sha = sha256_hex(&n.to_le_bytes());
            many.append(&sha, 0, 80, "li", body(&[0; 1]), &|_| {})
                .await
                .unwrap();
        }
        let past = many
            .append(
                &sha256_hex(b"one more"),
                0,
                80,
                "li",
                body(&[0; 1]),
                &|_| {},
            )
            .await;
        assert!(
            matches!(past, Err(BlobError::PendingUploads { .. })),
            "{past:?}"
        );
        // Everything is stale for a sweep of zero age: both unfinished uploads go.
        let report = store.sweep(chrono::Duration::zero()).await.unwrap();
        assert_eq!(
            report,
            SweepReport {
                removed: 2,
                bytes: 50
            }
        );
        assert_eq!(store.state(&first_sha).await.unwrap().offset, 0);
        // li may upload again, and a finished upload holds no quota.
        let done = store
            .append(&first_sha, 0, 80, "li", body(&first), &|_| {})
            .await
            .unwrap();
        assert!(done.complete);
        let again = store
            .append(&second_sha, 0, 80, "li", body(&[2; 10]), &|_| {})
            .await
            .unwrap();
        assert_eq!(again.offset, 10);
        assert_eq!(
            std::fs::read_dir(dir.path().join("partial"))
                .unwrap()
                .count(),
            2,
            "data and owner of the second"
        );
    }

    #[test]
    fn a_full_disk_is_its_own_error() {
        let full = BlobError::from(std::io::Error::from(std::io::ErrorKind::StorageFull));
        assert!(matches!(full, BlobError::DiskFull));
        assert!(full.to_string().contains("disk is full"));
    }
}

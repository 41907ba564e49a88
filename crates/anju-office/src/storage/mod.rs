//! The office's storage behind two interfaces, so that the HTTP handlers do not know
//! where data lives: [`OfficeStore`] for the sync API's records and [`BlobStore`] for
//! photos and signature images (a folder, or an S3-compatible bucket: `s3_blobs`), over
//! one [`OfficeDatabase`] (SQLite or PostgreSQL through `anju-sql`) that the office's
//! services use too.

use std::path::{Path, PathBuf};

use anju_core::hash::is_sha256_hex;
use anju_core::wire::{BlobState, PullResponse, PushRecord, RecordResult};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures_util::Stream;
use uuid::Uuid;

use crate::assign;
use crate::audit::AuditEntry;
use crate::db::OfficeDbError;
use crate::users::{AuthUser, TokenKind, TokenState, UserError};

mod database;
mod folder;
mod sql_store;

pub use database::{OfficeDatabase, ReaderPool, default_readers};
pub use folder::FolderBlobStore;
pub use sql_store::SqlOfficeStore;

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
    /// The 验收组 a user belongs to, as their device receives it.
    async fn team_of(&self, user_id: String)
    -> Result<Option<anju_core::team::Team>, StorageError>;
    /// Keep a member's new PIN verifier.
    async fn set_pin_verifier(
        &self,
        user_id: String,
        verifier: String,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError>;
    async fn assign(
        &self,
        inspector: String,
        target: assign::Target,
    ) -> Result<usize, StorageError>;
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

//! What every handler is given: the application's state, opened from the serve options.

use std::path::PathBuf;
use std::sync::Arc;

use anju_core::wire::MAX_BLOB_BYTES;

use super::Metrics;
use crate::db::{BLOB_DIR, OfficeDb, OfficeDbError};
use crate::listen::ServeLimits;
use crate::storage::{BlobStore, FolderBlobStore, OfficeDatabase, OfficeStore, SqlOfficeStore};
use crate::throttle::LoginThrottle;
use crate::tls::OfficeTls;
use crate::users::TokenIdle;
use crate::work::{CpuPool, JobQueue};

/// Why the office could not open its storage or serve.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error(transparent)]
    Db(#[from] OfficeDbError),
    #[error("服务器错误 / server error: {0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Blobs(#[from] crate::s3_blobs::S3ConfigError),
}

/// What every handler is given: the storage interfaces, the built pages, the counters and
/// the queues for heavy work.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn OfficeStore>,
    /// The office database, for the services.
    pub db: OfficeDatabase,
    /// The built office pages (`ui/dist-office`), if there are any.
    pub pages_dir: Option<PathBuf>,
    pub blobs: Arc<dyn BlobStore>,
    pub metrics: Arc<Metrics>,
    pub throttle: Arc<LoginThrottle>,
    /// CPU-heavy work: password hashing, reading uploads, writing exports.
    pub cpu: CpuPool,
    /// Printing to PDF: a browser per job, so few at once and a short queue. Per process
    /// on purpose: it bounds this machine's CPU and memory, which other processes do not
    /// share (the office-wide limit of print jobs is counted in the database).
    pub printer: JobQueue,
    /// Reading an uploaded roster: one at a time (an old `.xls` may take up to about 1 GB
    /// while it is read), a short queue.
    pub roster_reader: JobQueue,
    pub limits: ServeLimits,
    /// The certificate's fingerprint when the office serves HTTPS.
    pub tls_fingerprint: Option<String>,
    /// A township's forms printed in volumes, in the background (their state in the
    /// database, this process's scratch folder and name).
    pub print_jobs: Arc<crate::print_jobs::PrintJobs>,
}

/// How `serve` runs: where the data is, the connection limits, TLS, token idle times.
#[derive(Clone)]
pub struct ServeOptions {
    /// TLS files, print jobs, and the blob folder and SQLite database unless told otherwise.
    pub data_dir: PathBuf,
    /// Where the records are: SQLite in `data_dir` unless a PostgreSQL URL was given.
    pub database: crate::db::DatabaseLocation,
    /// Where photos and signatures are: `data_dir/blobs` unless a bucket was given.
    pub blobs: crate::blob_target::BlobLocation,
    pub limits: ServeLimits,
    pub tls: Option<OfficeTls>,
    pub token_idle: TokenIdle,
    /// How often stale uploads are swept and dead tokens pruned.
    pub maintenance_every: std::time::Duration,
    /// How long an unfinished upload may go without progress before it is swept.
    pub upload_expiry: chrono::Duration,
}

impl ServeOptions {
    pub fn new(data_dir: PathBuf) -> Self {
        Self {
            database: crate::db::DatabaseLocation::Sqlite(data_dir.clone()),
            blobs: crate::blob_target::BlobLocation::Folder(data_dir.join(BLOB_DIR)),
            data_dir,
            limits: ServeLimits::default(),
            tls: None,
            token_idle: TokenIdle::default(),
            maintenance_every: std::time::Duration::from_secs(3600),
            upload_expiry: crate::storage::PENDING_UPLOAD_EXPIRY,
        }
    }
}

/// PDF jobs printing at once, and waiting.
pub const PDF_JOBS_RUNNING: usize = 2;
pub const PDF_JOBS_WAITING: usize = 8;

impl AppState {
    /// The default storage: SQLite and a blob folder under the data directory.
    pub fn open(data_dir: &std::path::Path) -> Result<Self, ServerError> {
        Self::open_with(&ServeOptions::new(data_dir.to_path_buf()))
    }

    pub fn open_with(options: &ServeOptions) -> Result<Self, ServerError> {
        let data_dir = &options.data_dir;
        let db = OfficeDb::open_at(&options.database)?;
        let store = SqlOfficeStore::new(db, options.token_idle);
        Ok(Self {
            db: store.database(),
            pages_dir: default_pages_dir(),
            store: Arc::new(store),
            blobs: match &options.blobs {
                crate::blob_target::BlobLocation::Folder(dir) => {
                    Arc::new(FolderBlobStore::new(dir, MAX_BLOB_BYTES)?)
                }
                crate::blob_target::BlobLocation::S3(config) => {
                    Arc::new(crate::s3_blobs::S3BlobStore::new(config, MAX_BLOB_BYTES)?)
                }
            },
            metrics: Arc::new(Metrics::default()),
            throttle: Arc::new(LoginThrottle::default()),
            cpu: CpuPool::default(),
            printer: JobQueue::new(PDF_JOBS_RUNNING, PDF_JOBS_WAITING),
            roster_reader: JobQueue::new(1, 4),
            limits: options.limits,
            tls_fingerprint: options.tls.as_ref().map(|t| t.fingerprint.clone()),
            print_jobs: Arc::new(crate::print_jobs::PrintJobs::new(data_dir)?),
        })
    }
}

/// `ui/dist-office` of the source tree the binary was built from, when it is there;
/// `ANJU_OFFICE_PAGES` overrides it.
pub fn default_pages_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("ANJU_OFFICE_PAGES") {
        return Some(PathBuf::from(dir));
    }
    let built = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../ui/dist-office"));
    built.join("index.html").is_file().then_some(built)
}

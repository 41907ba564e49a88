//! Where the office keeps photos and signature images: a folder (a county on one machine)
//! or an S3-compatible bucket (a province, several office processes); and the same as the
//! target of `anju-office migrate --blobs`.

use std::path::{Path, PathBuf};

use anju_core::hash::sha256_hex;

use crate::move_up::BlobTarget;
use crate::s3_blobs::{S3BlobStore, S3Config, S3ConfigError};
use crate::storage::BlobStore;
use crate::storage::complete_blob_path;

/// A blob folder laid out as the office's (`ab/<sha256>`).
pub struct FolderTarget(pub PathBuf);

impl BlobTarget for FolderTarget {
    fn has_checked(&self, sha256: &str) -> Result<bool, String> {
        let path = complete_blob_path(&self.0, sha256).ok_or("not a SHA-256")?;
        match std::fs::read(&path) {
            Ok(bytes) => Ok(sha256_hex(&bytes) == sha256),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e.to_string()),
        }
    }

    fn put(&self, sha256: &str, bytes: Vec<u8>) -> Result<(), String> {
        let path = complete_blob_path(&self.0, sha256).ok_or("not a SHA-256")?;
        let parent = path.parent().ok_or("no folder")?;
        std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
        // Written whole under another name first: a blob file is complete or absent.
        let partial = path.with_extension("partial");
        std::fs::write(&partial, bytes).map_err(|e| e.to_string())?;
        std::fs::rename(&partial, &path).map_err(|e| e.to_string())
    }
}

/// Where blobs are.
#[derive(Debug, Clone)]
pub enum BlobLocation {
    Folder(PathBuf),
    /// `s3://bucket/prefix`, with the endpoint, region and keys from the environment.
    S3(S3Config),
}

impl BlobLocation {
    /// `s3://…` is a bucket (its settings from the environment); anything else a folder;
    /// nothing is the data folder's `blobs/`.
    pub fn parse(spec: Option<&str>, data_dir: &Path) -> Result<Self, S3ConfigError> {
        match spec {
            Some(url) if url.starts_with("s3://") => Ok(Self::S3(S3Config::from_url_and_env(url)?)),
            Some(dir) => Ok(Self::Folder(PathBuf::from(dir))),
            None => Ok(Self::Folder(data_dir.join(crate::db::BLOB_DIR))),
        }
    }

    /// For messages: the folder, or the bucket and prefix (never the keys).
    pub fn describe(&self) -> String {
        match self {
            Self::Folder(dir) => dir.display().to_string(),
            Self::S3(config) => format!(
                "s3://{}/{} at {}",
                config.bucket, config.prefix, config.endpoint
            ),
        }
    }
}

/// A bucket as a [`BlobTarget`], driven from synchronous code by a runtime of its own.
pub struct S3Target {
    store: S3BlobStore,
    runtime: tokio::runtime::Runtime,
}

impl S3Target {
    pub fn new(config: &S3Config) -> Result<Self, String> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        let store =
            S3BlobStore::new(config, anju_core::wire::MAX_BLOB_BYTES).map_err(|e| e.to_string())?;
        Ok(Self { store, runtime })
    }
}

impl S3Target {
    /// A blob's bytes, their hash checked by the store.
    pub fn read_bytes(&self, sha256: &str) -> Result<Vec<u8>, String> {
        self.runtime
            .block_on(self.store.read(sha256))
            .map_err(|e| e.to_string())
    }
}

impl BlobTarget for S3Target {
    fn has_checked(&self, sha256: &str) -> Result<bool, String> {
        if !self
            .runtime
            .block_on(self.store.has_complete(sha256))
            .map_err(|e| e.to_string())?
        {
            return Ok(false);
        }
        // Read back: the store checks the hash of what it returns.
        match self.runtime.block_on(self.store.read(sha256)) {
            Ok(bytes) => Ok(sha256_hex(&bytes) == sha256),
            Err(e) => Err(e.to_string()),
        }
    }

    fn put(&self, sha256: &str, bytes: Vec<u8>) -> Result<(), String> {
        self.runtime
            .block_on(self.store.put_complete(sha256, &bytes))
            .map_err(|e| e.to_string())
    }
}

/// The target `spec` names: `s3://bucket/prefix` or a folder.
pub fn open(spec: &str) -> Result<Box<dyn BlobTarget>, crate::move_up::MoveError> {
    let location = BlobLocation::parse(Some(spec), Path::new(".")).map_err(|e| {
        crate::move_up::MoveError::Blob {
            sha256: String::new(),
            problem: e.to_string(),
        }
    })?;
    Ok(match location {
        BlobLocation::Folder(dir) => Box::new(FolderTarget(dir)),
        BlobLocation::S3(config) => {
            Box::new(
                S3Target::new(&config).map_err(|problem| crate::move_up::MoveError::Blob {
                    sha256: String::new(),
                    problem,
                })?,
            )
        }
    })
}

/// Where blobs are read from, each checked against its hash.
pub trait BlobSource {
    /// The blob's bytes, `None` when it is not there; an error for bytes that do not match
    /// their hash or cannot be read.
    fn read_checked(&self, sha256: &str) -> Result<Option<Vec<u8>>, String>;
}

impl BlobSource for FolderTarget {
    fn read_checked(&self, sha256: &str) -> Result<Option<Vec<u8>>, String> {
        let path = complete_blob_path(&self.0, sha256).ok_or("not a SHA-256")?;
        match std::fs::read(&path) {
            Ok(bytes) if sha256_hex(&bytes) == sha256 => Ok(Some(bytes)),
            Ok(_) => Err("内容与哈希不符 / its content does not match its hash".into()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.to_string()),
        }
    }
}

impl BlobSource for S3Target {
    fn read_checked(&self, sha256: &str) -> Result<Option<Vec<u8>>, String> {
        let there = self
            .runtime
            .block_on(self.store.has_complete(sha256))
            .map_err(|e| e.to_string())?;
        if !there {
            return Ok(None);
        }
        self.read_bytes(sha256).map(Some)
    }
}

/// Both ends of a blob store: read checked, and written.
pub trait BlobEnds: BlobSource + BlobTarget {}
impl<T: BlobSource + BlobTarget> BlobEnds for T {}

/// Open a blob store for reading and writing from synchronous code.
pub fn open_ends(location: &BlobLocation) -> Result<Box<dyn BlobEnds>, String> {
    Ok(match location {
        BlobLocation::Folder(dir) => Box::new(FolderTarget(dir.clone())),
        BlobLocation::S3(config) => Box::new(S3Target::new(config)?),
    })
}

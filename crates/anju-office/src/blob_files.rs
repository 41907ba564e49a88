//! Whole files the office makes itself (a print job's ZIP) in a blob folder: copied in
//! pieces under a temporary name, hashed on the way, and renamed into place only when the
//! hash is right, so a reader never sees half a file; served as a stream. The bucket's
//! counterpart is in [`crate::s3_blobs`].

use std::path::Path;

use futures_util::StreamExt;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::storage::{BlobError, BlobStream};

/// How much of a file is held at once while it is copied or hashed.
pub const PIECE: usize = 1 << 20;

/// Copy `source` to the complete blob `complete` through a temporary file in `scratch`.
pub async fn put_file(
    scratch: &Path,
    complete: &Path,
    sha256: &str,
    source: &Path,
) -> Result<(), BlobError> {
    if tokio::fs::try_exists(complete).await? {
        return Ok(());
    }
    // Not a hash, so the sweep of unfinished uploads and the quotas pass it by.
    let temp = scratch.join(format!(".whole-{}", uuid::Uuid::now_v7()));
    let copied = copy_hashed(source, &temp).await;
    let outcome = match copied {
        Ok(actual) if actual == sha256 => match complete.parent() {
            Some(dir) => match tokio::fs::create_dir_all(dir).await {
                Ok(()) => tokio::fs::rename(&temp, complete)
                    .await
                    .map_err(BlobError::from),
                Err(e) => Err(e.into()),
            },
            None => Err(BlobError::BadHash(sha256.to_string())),
        },
        Ok(actual) => Err(BlobError::HashMismatch {
            expected: sha256.to_string(),
            actual,
        }),
        Err(e) => Err(e),
    };
    if outcome.is_err() {
        let _ = tokio::fs::remove_file(&temp).await;
    }
    outcome
}

async fn copy_hashed(source: &Path, temp: &Path) -> Result<String, BlobError> {
    let mut from = tokio::fs::File::open(source).await?;
    let mut to = tokio::fs::File::create(temp).await?;
    let mut hasher = Sha256::new();
    let mut piece = vec![0u8; PIECE];
    loop {
        let n = from.read(&mut piece).await?;
        if n == 0 {
            break;
        }
        hasher.update(&piece[..n]);
        to.write_all(&piece[..n]).await?;
    }
    to.flush().await?;
    to.sync_all().await?;
    Ok(hex::encode(hasher.finalize()))
}

/// The SHA-256 and length of a file, read a piece at a time (on a blocking thread).
pub fn hash_file(path: &Path) -> std::io::Result<(String, u64)> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut piece = vec![0u8; PIECE];
    let mut length: u64 = 0;
    loop {
        let n = std::io::Read::read(&mut file, &mut piece)?;
        if n == 0 {
            break;
        }
        hasher.update(&piece[..n]);
        length = length.saturating_add(n as u64);
    }
    Ok((hex::encode(hasher.finalize()), length))
}

/// A complete blob's length and bytes.
pub async fn open(complete: &Path) -> Result<(u64, BlobStream), BlobError> {
    let file = tokio::fs::File::open(complete).await?;
    let length = file.metadata().await?.len();
    let stream = tokio_util::io::ReaderStream::with_capacity(file, 64 * 1024)
        .map(|piece| piece.map_err(BlobError::from));
    Ok((length, Box::pin(stream)))
}

/// Remove a complete blob; a missing one is no error.
pub async fn remove(complete: &Path) -> Result<(), BlobError> {
    match tokio::fs::remove_file(complete).await {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e.into()),
    }
}

//! Blobs in a folder: a county's office on one machine.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anju_core::hash::{is_sha256_hex, sha256_hex};
use anju_core::wire::BlobState;
use async_trait::async_trait;
use futures_util::{Stream, StreamExt};
use tokio::io::AsyncWriteExt;

use super::{
    BlobError, BlobStore, BlobStream, MAX_PENDING_BYTES_PER_USER, MAX_PENDING_UPLOADS_PER_USER,
    SweepReport, complete_blob_path,
};

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

//! Photos and signature images in an S3-compatible bucket (Garage), for an office of
//! several processes: [`S3BlobStore`] keeps the contract of
//! [`FolderBlobStore`](crate::storage::FolderBlobStore) with no upload state in memory, so
//! any process may continue an upload another began.
//!
//! Client: `object_store` (Apache Arrow) rather than `aws-sdk-s3` or `opendal`. It is small
//! with only its S3 part and ring signing enabled, maintained, speaks to any S3-compatible
//! endpoint over plain HTTP on loopback, and lists with sizes and modification times, which
//! is all this needs. The AWS SDK is far larger; opendal brings a layer of its own over the
//! same S3 calls.
//!
//! Layout under `<prefix>/`:
//! - `blobs/<ab>/<sha256>`: a complete blob, written once its SHA-256 was checked;
//! - `staging/<sha256>/<offset:020>`: the bytes one request brought, starting at `offset`;
//! - `staging/<sha256>/by-<uploader>`: who began the upload, for the per-user quotas.
//!
//! Why staging objects rather than S3 multipart uploads: parts of a multipart upload must be
//! at least 5 MiB (but the last), while a device resumes a photo of a few MB in pieces of any
//! size; and a multipart upload's parts cannot be read back to hash them before completing.
//! A staging chunk is an ordinary object: any process lists them, and the contiguous run
//! from 0 is the upload's offset.
//!
//! Two processes at once: chunks are named by their offset and hold the blob's bytes at that
//! offset; the finished object is named by its hash and written only after its hash was
//! checked. So two requests racing on one upload can at worst store the same bytes twice,
//! overwrite a chunk with another of the same bytes, or finish the blob twice with the same
//! content; a chunk with other bytes (a lying client) makes the hash fail and the upload is
//! discarded, as in the folder. The answer a client gets may be an offset a little off from
//! what it expected, which the resumable protocol already handles (HEAD and go on).
//! Nothing relies on conditional writes (`If-None-Match: *`): Garage 2.5 accepts the header
//! and overwrites anyway (tried).

mod config;
#[cfg(any(test, feature = "test-servers"))]
pub mod contract;
#[cfg(any(test, feature = "test-servers"))]
pub mod test_garage;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use anju_core::hash::{is_sha256_hex, sha256_hex};
use anju_core::wire::BlobState;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures_util::{Stream, StreamExt, TryStreamExt};
use object_store::aws::AmazonS3Builder;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload, RetryConfig, WriteMultipart};

pub use config::{S3Config, S3ConfigError};

use crate::storage::{
    BlobError, BlobStore, MAX_PENDING_BYTES_PER_USER, MAX_PENDING_UPLOADS_PER_USER, SweepReport,
};

/// Blobs in a bucket; see the module's documentation.
pub struct S3BlobStore {
    store: Arc<dyn ObjectStore>,
    /// `<prefix>/blobs` and `<prefix>/staging`.
    blobs: Path,
    staging: Path,
    limit: u64,
    pending_quota: u64,
    pending_uploads: u32,
}

/// One unfinished upload as the staging objects show it.
#[derive(Debug, Default)]
struct Upload {
    /// Offset → size of each chunk.
    chunks: BTreeMap<u64, u64>,
    /// Owner tags (see [`owner_tag`]); more than one only after a race.
    owners: Vec<String>,
    objects: Vec<Path>,
    newest: Option<DateTime<Utc>>,
    bytes: u64,
}

impl Upload {
    /// How many bytes from 0 on the chunks hold without a gap.
    fn contiguous(&self) -> u64 {
        let mut end: u64 = 0;
        while let Some(&size) = self.chunks.get(&end) {
            match end.checked_add(size) {
                Some(next) if size > 0 => end = next,
                _ => break,
            }
        }
        end
    }
}

/// A user name as it appears in an object name: hex, so any name is a safe key; a hash
/// for names long enough to make keys too long (S3 allows 1024 bytes).
fn owner_tag(uploader: &str) -> String {
    if uploader.len() <= 200 {
        hex::encode(uploader)
    } else {
        format!("h{}", sha256_hex(uploader.as_bytes()))
    }
}

/// `(<sha256>, <name>)` of `<staging>/<sha256>/<name>`.
fn staging_name(location: &Path, staging: &Path) -> Option<(String, String)> {
    let mut parts = location.prefix_match(staging)?;
    let (Some(sha), Some(name), None) = (parts.next(), parts.next(), parts.next()) else {
        return None;
    };
    is_sha256_hex(sha.as_ref()).then(|| (sha.as_ref().to_string(), name.as_ref().to_string()))
}

fn s3_error(error: object_store::Error) -> BlobError {
    // Keeps NotFound a NotFound, as the folder's read answers for a missing blob.
    BlobError::Io(std::io::Error::from(error))
}

fn is_not_found(error: &object_store::Error) -> bool {
    matches!(error, object_store::Error::NotFound { .. })
}

fn check_hash(sha256: &str) -> Result<(), BlobError> {
    if is_sha256_hex(sha256) {
        Ok(())
    } else {
        Err(BlobError::BadHash(sha256.to_string()))
    }
}

/// What a request's body brought.
struct Received {
    bytes: Vec<u8>,
    interrupted: bool,
    overflow: bool,
}

impl S3BlobStore {
    /// A store in the bucket of `config`, for blobs of at most `limit` bytes.
    pub fn new(config: &S3Config, limit: u64) -> Result<Self, S3ConfigError> {
        // reqwest is built with rustls and no crypto of its own: ring, as the rest of the
        // office uses. Installing fails harmlessly when a provider is there already.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let prefix = config.prefix_path()?;
        let store = AmazonS3Builder::new()
            .with_bucket_name(&config.bucket)
            .with_region(&config.region)
            .with_endpoint(&config.endpoint)
            .with_allow_http(config.endpoint.starts_with("http://"))
            .with_access_key_id(&config.access_key_id)
            .with_secret_access_key(&config.secret_access_key)
            // Garage and most self-hosted stores name the bucket in the path.
            .with_virtual_hosted_style_request(false)
            // A device waits for the answer: a few quick retries, not minutes of them.
            .with_retry(RetryConfig {
                max_retries: 3,
                retry_timeout: Duration::from_secs(30),
                ..RetryConfig::default()
            })
            .build()
            .map_err(|e| S3ConfigError::Client(e.to_string()))?;
        Ok(Self::with_store(Arc::new(store), &prefix, limit))
    }

    fn with_store(store: Arc<dyn ObjectStore>, prefix: &Path, limit: u64) -> Self {
        Self {
            store,
            blobs: prefix.clone().join("blobs"),
            staging: prefix.clone().join("staging"),
            limit,
            pending_quota: MAX_PENDING_BYTES_PER_USER,
            pending_uploads: MAX_PENDING_UPLOADS_PER_USER,
        }
    }

    /// The same with other limits of unfinished uploads per user: bytes, and how many.
    pub fn with_pending_limits(mut self, bytes: u64, uploads: u32) -> Self {
        self.pending_quota = bytes;
        self.pending_uploads = uploads;
        self
    }

    fn blob_path(&self, sha256: &str) -> Path {
        self.blobs.clone().join(&sha256[0..2]).join(sha256)
    }

    fn staging_dir(&self, sha256: &str) -> Path {
        self.staging.clone().join(sha256)
    }

    fn chunk_path(&self, sha256: &str, offset: u64) -> Path {
        self.staging_dir(sha256).join(format!("{offset:020}"))
    }

    fn owner_path(&self, sha256: &str, tag: &str) -> Path {
        self.staging_dir(sha256).join(format!("by-{tag}"))
    }

    /// Whether the complete blob is in the bucket.
    pub async fn has_complete(&self, sha256: &str) -> Result<bool, BlobError> {
        check_hash(sha256)?;
        Ok(self.complete_size(sha256).await?.is_some())
    }

    async fn complete_size(&self, sha256: &str) -> Result<Option<u64>, BlobError> {
        match self.store.head(&self.blob_path(sha256)).await {
            Ok(meta) => Ok(Some(meta.size)),
            Err(e) if is_not_found(&e) => Ok(None),
            Err(e) => Err(s3_error(e)),
        }
    }

    /// Store a whole blob at once (moving a blob folder into the bucket): its hash is
    /// checked, and storing one that is there already does nothing.
    pub async fn put_complete(&self, sha256: &str, bytes: &[u8]) -> Result<(), BlobError> {
        check_hash(sha256)?;
        let length = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
        if length > self.limit {
            return Err(BlobError::TooLarge {
                length,
                limit: self.limit,
            });
        }
        let actual = sha256_hex(bytes);
        if actual != sha256 {
            return Err(BlobError::HashMismatch {
                expected: sha256.to_string(),
                actual,
            });
        }
        if self.complete_size(sha256).await?.is_some() {
            return Ok(());
        }
        self.store
            .put(
                &self.blob_path(sha256),
                PutPayload::from(bytes::Bytes::copy_from_slice(bytes)),
            )
            .await
            .map_err(s3_error)?;
        Ok(())
    }

    /// The unfinished uploads under `under` (all of staging, or one blob's folder), by hash.
    /// Linear in the staging objects, which the quotas and the sweep keep few.
    async fn uploads(&self, under: &Path) -> Result<BTreeMap<String, Upload>, BlobError> {
        let mut uploads: BTreeMap<String, Upload> = BTreeMap::new();
        let mut listing = self.store.list(Some(under));
        while let Some(meta) = listing.try_next().await.map_err(s3_error)? {
            let Some((sha, name)) = staging_name(&meta.location, &self.staging) else {
                continue;
            };
            let upload = uploads.entry(sha).or_default();
            if let Some(tag) = name.strip_prefix("by-") {
                upload.owners.push(tag.to_string());
            } else if let Ok(offset) = name.parse::<u64>() {
                upload.chunks.insert(offset, meta.size);
                upload.bytes = upload.bytes.saturating_add(meta.size);
            }
            upload.newest = upload.newest.max(Some(meta.last_modified));
            upload.objects.push(meta.location);
        }
        Ok(uploads)
    }

    async fn upload(&self, sha256: &str) -> Result<Upload, BlobError> {
        Ok(self
            .uploads(&self.staging_dir(sha256))
            .await?
            .remove(sha256)
            .unwrap_or_default())
    }

    async fn delete_all(&self, paths: Vec<Path>) -> Result<(), BlobError> {
        let paths = futures_util::stream::iter(paths.into_iter().map(Ok)).boxed();
        let mut deleted = self.store.delete_stream(paths);
        while let Some(result) = deleted.next().await {
            match result {
                // Another process removed it first: just as good.
                Err(e) if !is_not_found(&e) => return Err(s3_error(e)),
                _ => {}
            }
        }
        Ok(())
    }

    /// Remove an upload's staging objects, listed afresh so that a late chunk goes too.
    async fn discard(&self, sha256: &str) -> Result<(), BlobError> {
        let upload = self.upload(sha256).await?;
        self.delete_all(upload.objects).await
    }

    /// The bytes and number of unfinished uploads `uploader` holds, other than `except`.
    fn pending(uploads: &BTreeMap<String, Upload>, uploader: &str, except: &str) -> (u64, u32) {
        let tag = owner_tag(uploader);
        uploads
            .iter()
            .filter(|(sha, upload)| sha.as_str() != except && upload.owners.contains(&tag))
            .fold((0u64, 0u32), |(bytes, count), (_, upload)| {
                (bytes.saturating_add(upload.bytes), count.saturating_add(1))
            })
    }

    /// Store the bytes received at `offset` as a chunk. Listed again first: when another
    /// request stored some of these bytes meanwhile, only the rest is written, after them.
    async fn put_chunk(&self, sha256: &str, offset: u64, bytes: Vec<u8>) -> Result<(), BlobError> {
        let bytes = bytes::Bytes::from(bytes);
        let len = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
        let end = offset.saturating_add(len);
        let have = self.upload(sha256).await?.contiguous();
        let start = if have > offset && have < end {
            have
        } else if have >= end {
            return Ok(());
        } else {
            offset
        };
        let skip = usize::try_from(start - offset).unwrap_or(usize::MAX);
        let rest = bytes.slice(skip.min(bytes.len())..);
        self.store
            .put(&self.chunk_path(sha256, start), PutPayload::from(rest))
            .await
            .map_err(s3_error)?;
        Ok(())
    }

    /// Read the body, at most up to `length`: what came before an overflow or a broken
    /// connection is kept, as the folder keeps it.
    async fn receive(
        offset: u64,
        length: u64,
        mut body: std::pin::Pin<Box<dyn Stream<Item = Result<bytes::Bytes, String>> + Send>>,
        on_bytes: &(dyn Fn(u64) + Send + Sync),
    ) -> Received {
        let room = length.saturating_sub(offset);
        // Reserve for a photo, not for whatever length a client declares.
        let reserve = usize::try_from(room.min(1 << 20)).unwrap_or(0);
        let mut received = Received {
            bytes: Vec::with_capacity(reserve),
            interrupted: false,
            overflow: false,
        };
        while let Some(chunk) = body.next().await {
            let Ok(chunk) = chunk else {
                received.interrupted = true;
                break;
            };
            let have = u64::try_from(received.bytes.len()).unwrap_or(u64::MAX);
            let chunk_len = u64::try_from(chunk.len()).unwrap_or(u64::MAX);
            if have.saturating_add(chunk_len) > room {
                received.overflow = true;
                break;
            }
            received.bytes.extend_from_slice(&chunk);
            on_bytes(chunk_len);
        }
        received
    }

    /// The upload has reached `length`: join its chunks, check the hash, store the blob and
    /// remove the staging objects. `None` when a chunk went away meanwhile (another process
    /// finished or swept the upload): the caller answers with the state as it is then.
    async fn finish(
        &self,
        sha256: &str,
        length: u64,
        upload: &Upload,
    ) -> Result<Option<BlobState>, BlobError> {
        // `length` is at most `limit`, checked before anything was received.
        let mut joined = Vec::with_capacity(usize::try_from(length).unwrap_or(0));
        let mut at: u64 = 0;
        while at < length {
            let Some(&size) = upload.chunks.get(&at).filter(|size| **size > 0) else {
                return Ok(None);
            };
            // A chunk may run past `length` only if another client declared a longer
            // blob; its bytes past ours are not read.
            let take = size.min(length - at);
            let bytes = match self
                .store
                .get_range(&self.chunk_path(sha256, at), 0..take)
                .await
            {
                Ok(bytes) => bytes,
                Err(e) if is_not_found(&e) => return Ok(None),
                Err(e) => return Err(s3_error(e)),
            };
            if u64::try_from(bytes.len()).ok() != Some(take) {
                // Overwritten by a shorter chunk meanwhile.
                return Ok(None);
            }
            joined.extend_from_slice(&bytes);
            at = at.saturating_add(take);
        }
        let actual = sha256_hex(&joined);
        if actual != sha256 {
            self.discard(sha256).await?;
            return Err(BlobError::HashMismatch {
                expected: sha256.to_string(),
                actual,
            });
        }
        // Content-addressed: another process writing the same object writes the same bytes.
        self.store
            .put(
                &self.blob_path(sha256),
                PutPayload::from(bytes::Bytes::from(joined)),
            )
            .await
            .map_err(s3_error)?;
        self.discard(sha256).await?;
        Ok(Some(BlobState {
            offset: length,
            complete: true,
        }))
    }

    /// The state as the bucket shows it now.
    async fn current_state(&self, sha256: &str) -> Result<BlobState, BlobError> {
        if let Some(size) = self.complete_size(sha256).await? {
            return Ok(BlobState {
                offset: size,
                complete: true,
            });
        }
        Ok(BlobState {
            offset: self.upload(sha256).await?.contiguous(),
            complete: false,
        })
    }
}

#[async_trait]
impl BlobStore for S3BlobStore {
    async fn state(&self, sha256: &str) -> Result<BlobState, BlobError> {
        check_hash(sha256)?;
        self.current_state(sha256).await
    }

    async fn append(
        &self,
        sha256: &str,
        offset: u64,
        length: u64,
        uploader: &str,
        body: std::pin::Pin<Box<dyn Stream<Item = Result<bytes::Bytes, String>> + Send>>,
        on_bytes: &(dyn Fn(u64) + Send + Sync),
    ) -> Result<BlobState, BlobError> {
        check_hash(sha256)?;
        if length > self.limit {
            return Err(BlobError::TooLarge {
                length,
                limit: self.limit,
            });
        }
        if self.complete_size(sha256).await?.is_some() {
            return Ok(BlobState {
                offset: length,
                complete: true,
            });
        }
        // One listing of all staging: this upload's offset, and the uploader's others.
        let mut uploads = self.uploads(&self.staging).await?;
        let this = uploads.remove(sha256).unwrap_or_default();
        let have = this.contiguous();
        if have != offset {
            return Err(BlobError::OffsetMismatch {
                have,
                asked: offset,
            });
        }
        let (pending, count) = Self::pending(&uploads, uploader, sha256);
        let more = length - have.min(length);
        if have == 0 && count >= self.pending_uploads {
            return Err(BlobError::PendingUploads {
                uploads: count,
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
            // Whoever starts an upload owns it, as the folder's `.by` file is rewritten.
            let tag = owner_tag(uploader);
            self.store
                .put(
                    &self.owner_path(sha256, &tag),
                    PutPayload::from(uploader.to_string()),
                )
                .await
                .map_err(s3_error)?;
            let others: Vec<Path> = this
                .owners
                .iter()
                .filter(|other| **other != tag)
                .map(|other| self.owner_path(sha256, other))
                .collect();
            self.delete_all(others).await?;
        }
        let received = Self::receive(offset, length, body, on_bytes).await;
        let got = u64::try_from(received.bytes.len()).unwrap_or(u64::MAX);
        if got > 0 {
            self.put_chunk(sha256, offset, received.bytes).await?;
        }
        if received.overflow {
            return Err(BlobError::Overflow { length });
        }
        if received.interrupted {
            return Err(BlobError::Interrupted {
                have: offset.saturating_add(got),
            });
        }
        if let Some(size) = self.complete_size(sha256).await? {
            // Another process finished the blob meanwhile, and may have removed the staging
            // objects before this request's chunk was written: remove it, or it would wait
            // for the sweep. (A process finishing later lists and removes it itself.)
            self.discard(sha256).await?;
            return Ok(BlobState {
                offset: size,
                complete: true,
            });
        }
        let upload = self.upload(sha256).await?;
        let have = upload.contiguous();
        if have < length {
            // Another process may have finished the blob between the check above and this
            // listing, and removed the staging objects (this request's chunk with them): it
            // writes the blob before it removes them, so the blob says so now. Without this
            // look, such a request answered offset 0 for a finished blob.
            if let Some(size) = self.complete_size(sha256).await? {
                self.discard(sha256).await?;
                return Ok(BlobState {
                    offset: size,
                    complete: true,
                });
            }
            return Ok(BlobState {
                offset: have,
                complete: false,
            });
        }
        match self.finish(sha256, length, &upload).await? {
            Some(state) => Ok(state),
            None => self.current_state(sha256).await,
        }
    }

    async fn read(&self, sha256: &str) -> Result<Vec<u8>, BlobError> {
        check_hash(sha256)?;
        let got = self
            .store
            .get(&self.blob_path(sha256))
            .await
            .map_err(s3_error)?;
        if got.meta.size > self.limit {
            return Err(BlobError::TooLarge {
                length: got.meta.size,
                limit: self.limit,
            });
        }
        let mut bytes = Vec::with_capacity(usize::try_from(got.meta.size).unwrap_or(0));
        let mut stream = got.into_stream();
        while let Some(piece) = stream.try_next().await.map_err(s3_error)? {
            // Never more than `limit`, whatever the listing said.
            let total = u64::try_from(bytes.len().saturating_add(piece.len())).unwrap_or(u64::MAX);
            if total > self.limit {
                return Err(BlobError::TooLarge {
                    length: total,
                    limit: self.limit,
                });
            }
            bytes.extend_from_slice(&piece);
        }
        let actual = sha256_hex(&bytes);
        if actual != sha256 {
            // Not the upload's mismatch (nothing to upload again): damage in the bucket.
            return Err(BlobError::Io(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!(
                    "存储桶中的文件已损坏：SHA-256 为 {actual}，应为 {sha256} / the stored blob is damaged: it hashes to {actual}, not {sha256}"
                ),
            )));
        }
        Ok(bytes)
    }

    async fn sweep(&self, older_than: chrono::Duration) -> Result<SweepReport, BlobError> {
        // A negative age is no age, as the folder takes it.
        let age = older_than.max(chrono::Duration::zero());
        let cutoff = Utc::now()
            .checked_sub_signed(age)
            .unwrap_or(DateTime::<Utc>::MIN_UTC);
        let mut report = SweepReport::default();
        for (_, upload) in self.uploads(&self.staging).await? {
            if upload.newest.is_some_and(|newest| newest < cutoff) {
                let bytes = upload.bytes;
                self.delete_all(upload.objects).await?;
                report.removed = report.removed.saturating_add(1);
                report.bytes = report.bytes.saturating_add(bytes);
            }
        }
        Ok(report)
    }

    async fn put_file(&self, sha256: &str, source: &std::path::Path) -> Result<(), BlobError> {
        check_hash(sha256)?;
        if self.complete_size(sha256).await?.is_some() {
            return Ok(());
        }
        // A multipart upload: the object appears under its hash only when completed,
        // which happens only after the whole file hashed right. Memory: a few parts.
        let upload = self
            .store
            .put_multipart(&self.blob_path(sha256))
            .await
            .map_err(s3_error)?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, WHOLE_FILE_PART);
        match copy_hashed(source, &mut writer).await {
            Ok(actual) if actual == sha256 => {
                writer.finish().await.map_err(s3_error)?;
                Ok(())
            }
            Ok(actual) => {
                let _ = writer.abort().await;
                Err(BlobError::HashMismatch {
                    expected: sha256.to_string(),
                    actual,
                })
            }
            Err(e) => {
                let _ = writer.abort().await;
                Err(e)
            }
        }
    }

    async fn open(&self, sha256: &str) -> Result<(u64, crate::storage::BlobStream), BlobError> {
        check_hash(sha256)?;
        let got = self
            .store
            .get(&self.blob_path(sha256))
            .await
            .map_err(s3_error)?;
        let length = got.meta.size;
        Ok((length, Box::pin(got.into_stream().map_err(s3_error))))
    }

    async fn remove(&self, sha256: &str) -> Result<(), BlobError> {
        check_hash(sha256)?;
        match self.store.delete(&self.blob_path(sha256)).await {
            Ok(()) => Ok(()),
            Err(e) if is_not_found(&e) => Ok(()),
            Err(e) => Err(s3_error(e)),
        }
    }
}

/// The part size of a whole file's multipart upload (S3 asks at least 5 MiB but the last).
const WHOLE_FILE_PART: usize = 8 << 20;

/// Read `source` into `writer` a piece at a time, at most two parts in flight; its SHA-256.
async fn copy_hashed(
    source: &std::path::Path,
    writer: &mut WriteMultipart,
) -> Result<String, BlobError> {
    use sha2::Digest;
    use tokio::io::AsyncReadExt;
    let mut file = tokio::fs::File::open(source).await?;
    let mut hasher = sha2::Sha256::new();
    let mut piece = vec![0u8; crate::blob_files::PIECE];
    loop {
        let n = file.read(&mut piece).await?;
        if n == 0 {
            break;
        }
        hasher.update(&piece[..n]);
        writer.wait_for_capacity(2).await.map_err(s3_error)?;
        writer.write(&piece[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

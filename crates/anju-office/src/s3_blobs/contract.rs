//! One contract for every [`BlobStore`]: the same cases run against the folder and against
//! a bucket, so that the office answers a device alike whichever holds its photos.
//!
//! A [`Backend`] opens stores over fresh storage, one per case; opening a case again gives
//! another handle on the same storage, standing for another office process where the
//! backend allows several (a bucket does, a folder is one process's: it gives itself again).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use anju_core::hash::sha256_hex;
use anju_core::wire::BlobState;
use async_trait::async_trait;
use futures_util::Stream;

use crate::storage::{BlobError, BlobStore, FolderBlobStore, SweepReport};

/// The limits a case's store is opened with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub blob: u64,
    pub pending_bytes: u64,
    pub pending_uploads: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            blob: 1 << 20,
            pending_bytes: 1 << 20,
            pending_uploads: 1000,
        }
    }
}

#[async_trait]
pub trait Backend: Send + Sync {
    /// A store over the storage of `case` (empty the first time).
    async fn open(&self, case: &str, limits: Limits) -> Arc<dyn BlobStore>;
}

/// Blob folders in a temporary folder, one per case.
pub struct FolderBackend {
    dir: tempfile::TempDir,
    stores: Mutex<HashMap<String, Arc<FolderBlobStore>>>,
}

impl FolderBackend {
    pub fn new() -> std::io::Result<Self> {
        Ok(Self {
            dir: tempfile::tempdir()?,
            stores: Mutex::new(HashMap::new()),
        })
    }
}

#[async_trait]
impl Backend for FolderBackend {
    async fn open(&self, case: &str, limits: Limits) -> Arc<dyn BlobStore> {
        let mut stores = self.stores.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(store) = stores.get(case) {
            return Arc::clone(store) as Arc<dyn BlobStore>;
        }
        let store = FolderBlobStore::new(&self.dir.path().join(case), limits.blob)
            .or_panic("a blob folder")
            .with_pending_limits(limits.pending_bytes, limits.pending_uploads);
        let store = Arc::new(store);
        stores.insert(case.to_string(), Arc::clone(&store));
        store
    }
}

/// Test code without `unwrap` (this module is also built for other crates' tests, where
/// the lint allows no exception): the value, or a panic that says what failed.
pub trait OrPanic<T> {
    fn or_panic(self, what: &str) -> T;
}

impl<T, E: std::fmt::Debug> OrPanic<T> for Result<T, E> {
    fn or_panic(self, what: &str) -> T {
        match self {
            Ok(value) => value,
            Err(e) => panic!("{what}: {e:?}"),
        }
    }
}

type Body = std::pin::Pin<Box<dyn Stream<Item = Result<bytes::Bytes, String>> + Send>>;

/// A request body in the given pieces.
pub fn body(pieces: &[&[u8]]) -> Body {
    let pieces: Vec<Result<bytes::Bytes, String>> = pieces
        .iter()
        .map(|p| Ok(bytes::Bytes::copy_from_slice(p)))
        .collect();
    Box::pin(futures_util::stream::iter(pieces))
}

/// A body whose connection breaks after `pieces`.
pub fn broken_body(pieces: &[&[u8]]) -> Body {
    let mut items: Vec<Result<bytes::Bytes, String>> = pieces
        .iter()
        .map(|p| Ok(bytes::Bytes::copy_from_slice(p)))
        .collect();
    items.push(Err("connection reset".to_string()));
    Box::pin(futures_util::stream::iter(items))
}

/// Bytes that differ from blob to blob.
pub fn blob(seed: u8, len: usize) -> (Vec<u8>, String) {
    let bytes: Vec<u8> = (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect();
    let sha = sha256_hex(&bytes);
    (bytes, sha)
}

fn state(offset: u64, complete: bool) -> BlobState {
    BlobState { offset, complete }
}

fn same(a: &BlobState, b: &BlobState) -> bool {
    (a.offset, a.complete) == (b.offset, b.complete)
}

#[track_caller]
fn assert_state(got: &BlobState, want: BlobState, what: &str) {
    assert!(
        same(got, &want),
        "{what}: got offset {} complete {}, want {} {}",
        got.offset,
        got.complete,
        want.offset,
        want.complete
    );
}

/// Every case, one after another; each says its name first, so a failure is placed.
pub async fn run_all(backend: &dyn Backend) {
    eprintln!("contract: resumes_in_three_chunks_across_processes");
    resumes_in_three_chunks_across_processes(backend).await;
    eprintln!("contract: a_wrong_offset_is_refused_with_the_offset_held");
    a_wrong_offset_is_refused_with_the_offset_held(backend).await;
    eprintln!("contract: a_hash_mismatch_discards_the_upload");
    a_hash_mismatch_discards_the_upload(backend).await;
    eprintln!("contract: bad_names_sizes_and_missing_blobs");
    bad_names_sizes_and_missing_blobs(backend).await;
    eprintln!("contract: what_came_before_a_break_or_an_overflow_is_kept");
    what_came_before_a_break_or_an_overflow_is_kept(backend).await;
    eprintln!("contract: stale_uploads_are_swept");
    stale_uploads_are_swept(backend).await;
    eprintln!("contract: unfinished_uploads_are_capped_per_user");
    unfinished_uploads_are_capped_per_user(backend).await;
    eprintln!("contract: concurrent_appends_of_the_same_chunk_do_not_corrupt");
    concurrent_appends_of_the_same_chunk_do_not_corrupt(backend).await;
    eprintln!("contract: whole_files_are_stored_streamed_and_removed");
    whole_files_are_stored_streamed_and_removed(backend).await;
}

/// A file the office made (a print job's ZIP) is stored whole, past the upload limit and
/// in several pieces, read back as a stream by another process, and removed; a file whose
/// hash is not the name leaves nothing.
pub async fn whole_files_are_stored_streamed_and_removed(backend: &dyn Backend) {
    use futures_util::TryStreamExt;
    let limits = Limits {
        blob: 1000,
        ..Limits::default()
    };
    let first = backend.open("whole", limits).await;
    let second = backend.open("whole", limits).await;
    let dir = tempfile::tempdir().or_panic("a temporary folder");
    // Larger than the upload limit and than a piece read at once.
    let (bytes, sha) = blob(9, crate::blob_files::PIECE * 2 + 333);
    let file = dir.path().join("print.zip");
    std::fs::write(&file, &bytes).or_panic("the file");
    let (_, other) = blob(10, 10);
    let wrong = first.put_file(&other, &file).await;
    assert!(
        matches!(wrong, Err(BlobError::HashMismatch { .. })),
        "{wrong:?}"
    );
    assert!(!first.state(&other).await.or_panic("HEAD").complete);
    first.put_file(&sha, &file).await.or_panic("put_file");
    first.put_file(&sha, &file).await.or_panic("put_file again");
    let (length, stream) = second.open(&sha).await.or_panic("open");
    assert_eq!(length, bytes.len() as u64);
    let pieces: Vec<bytes::Bytes> = stream.try_collect().await.or_panic("the stream");
    assert_eq!(pieces.concat(), bytes, "the bytes stored");
    second.remove(&sha).await.or_panic("remove");
    second.remove(&sha).await.or_panic("remove what is gone");
    let gone = first.open(&sha).await;
    assert!(
        matches!(&gone, Err(BlobError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound),
        "{:?}",
        gone.err()
    );
    assert!(matches!(
        first.put_file("nope", &file).await,
        Err(BlobError::BadHash(_))
    ));
}

pub async fn resumes_in_three_chunks_across_processes(backend: &dyn Backend) {
    let first = backend.open("resume", Limits::default()).await;
    let second = backend.open("resume", Limits::default()).await;
    let (bytes, sha) = blob(1, 300);
    let counted = std::sync::atomic::AtomicU64::new(0);
    let count = |n: u64| {
        counted.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
    };
    assert_state(
        &first.state(&sha).await.or_panic("HEAD"),
        state(0, false),
        "nothing yet",
    );
    let one = first
        .append(
            &sha,
            0,
            300,
            "li",
            body(&[&bytes[..60], &bytes[60..100]]),
            &count,
        )
        .await
        .or_panic("first chunk");
    assert_state(&one, state(100, false), "after the first chunk");
    // The other process sees the offset and goes on from it.
    assert_state(
        &second.state(&sha).await.or_panic("HEAD"),
        state(100, false),
        "HEAD elsewhere",
    );
    let two = second
        .append(&sha, 100, 300, "li", body(&[&bytes[100..200]]), &count)
        .await
        .or_panic("second chunk");
    assert_state(&two, state(200, false), "after the second chunk");
    assert_state(
        &first.state(&sha).await.or_panic("HEAD"),
        state(200, false),
        "HEAD back",
    );
    let three = first
        .append(&sha, 200, 300, "li", body(&[&bytes[200..]]), &count)
        .await
        .or_panic("last chunk");
    assert_state(&three, state(300, true), "complete");
    assert_eq!(counted.load(std::sync::atomic::Ordering::Relaxed), 300);
    for store in [&first, &second] {
        assert_state(
            &store.state(&sha).await.or_panic("HEAD"),
            state(300, true),
            "HEAD done",
        );
        assert_eq!(store.read(&sha).await.or_panic("read"), bytes);
    }
    // Sending a complete blob again is answered as complete, whatever the offset.
    let again = second
        .append(&sha, 0, 300, "li", body(&[&bytes]), &|_| {})
        .await
        .or_panic("again");
    assert_state(&again, state(300, true), "again");
}

pub async fn a_wrong_offset_is_refused_with_the_offset_held(backend: &dyn Backend) {
    let store = backend.open("offset", Limits::default()).await;
    let (bytes, sha) = blob(2, 200);
    store
        .append(&sha, 0, 200, "li", body(&[&bytes[..100]]), &|_| {})
        .await
        .or_panic("first half");
    for asked in [0, 50, 150] {
        let wrong = store
            .append(
                &sha,
                asked,
                200,
                "li",
                body(&[&bytes[asked as usize..]]),
                &|_| {},
            )
            .await;
        assert!(
            matches!(wrong, Err(BlobError::OffsetMismatch { have: 100, asked: a }) if a == asked),
            "{asked}: {wrong:?}"
        );
    }
    assert_state(
        &store.state(&sha).await.or_panic("HEAD"),
        state(100, false),
        "unchanged",
    );
    let rest = store
        .append(&sha, 100, 200, "li", body(&[&bytes[100..]]), &|_| {})
        .await
        .or_panic("second half");
    assert_state(&rest, state(200, true), "complete");
}

pub async fn a_hash_mismatch_discards_the_upload(backend: &dyn Backend) {
    let store = backend.open("mismatch", Limits::default()).await;
    let (bytes, sha) = blob(3, 100);
    let mut wrong = bytes.clone();
    wrong[70] ^= 1;
    store
        .append(&sha, 0, 100, "li", body(&[&wrong[..50]]), &|_| {})
        .await
        .or_panic("first half");
    let refused = store
        .append(&sha, 50, 100, "li", body(&[&wrong[50..]]), &|_| {})
        .await;
    let actual = sha256_hex(&wrong);
    assert!(
        matches!(&refused, Err(BlobError::HashMismatch { expected, actual: a }) if *expected == sha && *a == actual),
        "{refused:?}"
    );
    assert_state(
        &store.state(&sha).await.or_panic("HEAD"),
        state(0, false),
        "discarded",
    );
    assert!(store.read(&sha).await.is_err(), "nothing to read");
    let good = store
        .append(&sha, 0, 100, "li", body(&[&bytes]), &|_| {})
        .await
        .or_panic("again, right");
    assert_state(&good, state(100, true), "complete");
    assert_eq!(store.read(&sha).await.or_panic("read"), bytes);
}

pub async fn bad_names_sizes_and_missing_blobs(backend: &dyn Backend) {
    let limits = Limits {
        blob: 1000,
        ..Limits::default()
    };
    let store = backend.open("names", limits).await;
    for bad in ["ABC", "../../etc/passwd", &"A".repeat(64), ""] {
        assert!(
            matches!(store.state(bad).await, Err(BlobError::BadHash(_))),
            "{bad}"
        );
        assert!(
            matches!(store.read(bad).await, Err(BlobError::BadHash(_))),
            "{bad}"
        );
        let append = store.append(bad, 0, 1, "li", body(&[b"x"]), &|_| {}).await;
        assert!(matches!(append, Err(BlobError::BadHash(_))), "{bad}");
    }
    let (_, sha) = blob(4, 10);
    assert_state(
        &store.state(&sha).await.or_panic("HEAD"),
        state(0, false),
        "absent",
    );
    let missing = store.read(&sha).await;
    assert!(
        matches!(&missing, Err(BlobError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound),
        "{missing:?}"
    );
    let large = store
        .append(&sha, 0, 1001, "li", body(&[b"x"]), &|_| {})
        .await;
    assert!(
        matches!(
            large,
            Err(BlobError::TooLarge {
                length: 1001,
                limit: 1000
            })
        ),
        "{large:?}"
    );
    let huge = store
        .append(&sha, u64::MAX, u64::MAX, "li", body(&[b"x"]), &|_| {})
        .await;
    assert!(matches!(huge, Err(BlobError::TooLarge { .. })), "{huge:?}");
    // The empty blob is a blob.
    let empty = sha256_hex(b"");
    let done = store
        .append(&empty, 0, 0, "li", body(&[]), &|_| {})
        .await
        .or_panic("empty blob");
    assert_state(&done, state(0, true), "empty");
    assert_eq!(
        store.read(&empty).await.or_panic("read empty"),
        Vec::<u8>::new()
    );
}

pub async fn what_came_before_a_break_or_an_overflow_is_kept(backend: &dyn Backend) {
    let store = backend.open("broken", Limits::default()).await;
    let (bytes, sha) = blob(5, 100);
    let broke = store
        .append(
            &sha,
            0,
            100,
            "li",
            broken_body(&[&bytes[..20], &bytes[20..50]]),
            &|_| {},
        )
        .await;
    assert!(
        matches!(broke, Err(BlobError::Interrupted { have: 50 })),
        "{broke:?}"
    );
    assert_state(
        &store.state(&sha).await.or_panic("HEAD"),
        state(50, false),
        "kept",
    );
    // 30 fit, the next 30 would pass the declared length.
    let over = store
        .append(
            &sha,
            50,
            100,
            "li",
            body(&[&bytes[50..80], &[0; 30]]),
            &|_| {},
        )
        .await;
    assert!(
        matches!(over, Err(BlobError::Overflow { length: 100 })),
        "{over:?}"
    );
    assert_state(
        &store.state(&sha).await.or_panic("HEAD"),
        state(80, false),
        "what fit",
    );
    let rest = store
        .append(&sha, 80, 100, "li", body(&[&bytes[80..]]), &|_| {})
        .await
        .or_panic("rest");
    assert_state(&rest, state(100, true), "complete");
    assert_eq!(store.read(&sha).await.or_panic("read"), bytes);
}

pub async fn stale_uploads_are_swept(backend: &dyn Backend) {
    let store = backend.open("sweep", Limits::default()).await;
    let (first, first_sha) = blob(6, 80);
    let (second, second_sha) = blob(7, 80);
    let (done, done_sha) = blob(8, 30);
    store
        .append(&first_sha, 0, 80, "li", body(&[&first[..40]]), &|_| {})
        .await
        .or_panic("first");
    store
        .append(&second_sha, 0, 80, "wang", body(&[&second[..10]]), &|_| {})
        .await
        .or_panic("second");
    store
        .append(&done_sha, 0, 30, "li", body(&[&done]), &|_| {})
        .await
        .or_panic("complete");
    assert_eq!(
        store
            .sweep(chrono::Duration::hours(24))
            .await
            .or_panic("sweep"),
        SweepReport::default(),
        "nothing is a day old"
    );
    assert_state(
        &store.state(&first_sha).await.or_panic("HEAD"),
        state(40, false),
        "kept",
    );
    // Timestamps may be in whole milliseconds (or seconds, rounded down): let one pass.
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    assert_eq!(
        store
            .sweep(chrono::Duration::zero())
            .await
            .or_panic("sweep"),
        SweepReport {
            removed: 2,
            bytes: 50
        }
    );
    for sha in [&first_sha, &second_sha] {
        assert_state(
            &store.state(sha).await.or_panic("HEAD"),
            state(0, false),
            "swept",
        );
    }
    assert_eq!(
        store.read(&done_sha).await.or_panic("read"),
        done,
        "complete blobs stay"
    );
    assert_eq!(
        store
            .sweep(chrono::Duration::zero())
            .await
            .or_panic("sweep"),
        SweepReport::default(),
        "nothing left"
    );
}

pub async fn unfinished_uploads_are_capped_per_user(backend: &dyn Backend) {
    let limits = Limits {
        pending_bytes: 100,
        ..Limits::default()
    };
    let store = backend.open("quota-bytes", limits).await;
    let (first, first_sha) = blob(9, 80);
    let (second, second_sha) = blob(10, 80);
    store
        .append(&first_sha, 0, 80, "li", body(&[&first[..40]]), &|_| {})
        .await
        .or_panic("first");
    // Another 80 would hold 120 > 100: refused, for li only.
    let refused = store
        .append(&second_sha, 0, 80, "li", body(&[&second[..10]]), &|_| {})
        .await;
    assert!(
        matches!(
            refused,
            Err(BlobError::PendingQuota {
                pending: 40,
                more: 80,
                limit: 100
            })
        ),
        "{refused:?}"
    );
    let other = store
        .append(&second_sha, 0, 80, "wang", body(&[&second[..10]]), &|_| {})
        .await
        .or_panic("wang");
    assert_state(&other, state(10, false), "wang's");
    // Finishing frees li's quota.
    store
        .append(&first_sha, 40, 80, "li", body(&[&first[40..]]), &|_| {})
        .await
        .or_panic("first, rest");
    let (third, third_sha) = blob(11, 80);
    let now = store
        .append(&third_sha, 0, 80, "li", body(&[&third[..10]]), &|_| {})
        .await
        .or_panic("li again");
    assert_state(&now, state(10, false), "li again");

    let limits = Limits {
        pending_uploads: 3,
        ..Limits::default()
    };
    let many = backend.open("quota-count", limits).await;
    let mut started = Vec::new();
    for n in 0..3u8 {
        let (bytes, sha) = blob(20 + n, 80);
        many.append(&sha, 0, 80, "li", body(&[&bytes[..1]]), &|_| {})
            .await
            .or_panic("a small upload");
        started.push((bytes, sha));
    }
    let (more, more_sha) = blob(30, 80);
    let past = many
        .append(&more_sha, 0, 80, "li", body(&[&more[..1]]), &|_| {})
        .await;
    assert!(
        matches!(
            past,
            Err(BlobError::PendingUploads {
                uploads: 3,
                limit: 3
            })
        ),
        "{past:?}"
    );
    // Going on with one already begun is not a new upload.
    let (bytes, sha) = &started[0];
    let on = many
        .append(sha, 1, 80, "li", body(&[&bytes[1..2]]), &|_| {})
        .await
        .or_panic("going on");
    assert_state(&on, state(2, false), "going on");
}

pub async fn concurrent_appends_of_the_same_chunk_do_not_corrupt(backend: &dyn Backend) {
    let a = backend.open("concurrent", Limits::default()).await;
    let b = backend.open("concurrent", Limits::default()).await;
    for seed in 40..45u8 {
        let (bytes, sha) = blob(seed, 2000);
        // Both send the first half at once, then both the second half at once, as a device
        // retrying a request that was not dead after all.
        for (from, to) in [(0u64, 1000u64), (1000, 2000)] {
            let piece = &bytes[from as usize..to as usize];
            let (ra, rb) = tokio::join!(
                a.append(&sha, from, 2000, "li", body(&[piece]), &|_| {}),
                b.append(&sha, from, 2000, "li", body(&[piece]), &|_| {}),
            );
            for result in [ra, rb] {
                match result {
                    Ok(s) => assert!(s.offset >= to, "{seed} {from}: {}", s.offset),
                    // The other one got there first.
                    Err(BlobError::OffsetMismatch { have, .. }) => {
                        assert!(have >= to, "{seed} {from}: have {have}");
                    }
                    Err(e) => panic!("{seed} {from}: {e:?}"),
                }
            }
        }
        for store in [&a, &b] {
            assert_state(
                &store.state(&sha).await.or_panic("HEAD"),
                state(2000, true),
                "done",
            );
            assert_eq!(store.read(&sha).await.or_panic("read"), bytes, "{seed}");
        }
    }
    assert_eq!(
        a.sweep(chrono::Duration::zero()).await.or_panic("sweep"),
        SweepReport::default(),
        "no staging left behind"
    );
}

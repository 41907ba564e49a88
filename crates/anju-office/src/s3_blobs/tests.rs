//! The blob contract against the folder and against a real Garage, and what only the
//! bucket does: refusing a damaged object, storing whole blobs.

use anju_core::hash::sha256_hex;
use object_store::ObjectStoreExt;

use super::contract::{self, FolderBackend};
use super::test_garage::{GarageBackend, TestGarage};
use super::*;

#[tokio::test]
async fn the_folder_keeps_the_blob_contract() {
    let backend = FolderBackend::new().unwrap();
    contract::run_all(&backend).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bucket_keeps_the_blob_contract() {
    let Some(garage) = TestGarage::start_or_skip() else {
        return;
    };
    let backend = GarageBackend {
        garage: &garage,
        run: "contract".to_string(),
    };
    contract::run_all(&backend).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_object_is_refused_and_whole_blobs_are_stored_once() {
    let Some(garage) = TestGarage::start_or_skip() else {
        return;
    };
    let store = S3BlobStore::new(&garage.config_with_prefix("office/one"), 1000).unwrap();
    let (bytes, sha) = contract::blob(1, 500);
    assert!(!store.has_complete(&sha).await.unwrap());
    let wrong = store.put_complete(&sha, &bytes[1..]).await;
    assert!(
        matches!(wrong, Err(BlobError::HashMismatch { .. })),
        "{wrong:?}"
    );
    let large = store
        .put_complete(&sha256_hex(&[0; 1001]), &[0; 1001])
        .await;
    assert!(
        matches!(large, Err(BlobError::TooLarge { .. })),
        "{large:?}"
    );
    store.put_complete(&sha, &bytes).await.unwrap();
    store.put_complete(&sha, &bytes).await.unwrap();
    assert!(store.has_complete(&sha).await.unwrap());
    assert_eq!(store.read(&sha).await.unwrap(), bytes);
    let head = store.state(&sha).await.unwrap();
    assert_eq!((head.offset, head.complete), (500, true));
    // Where the blob lives, named so a person can find it in the bucket.
    let path = Path::from(format!("office/one/blobs/{}/{sha}", &sha[..2]));
    assert_eq!(store.blob_path(&sha), path);

    // Damage in the bucket (a disk, a hand): refused, not served.
    let mut damaged = bytes.clone();
    damaged[3] ^= 0x40;
    store
        .store
        .put(&path, PutPayload::from(damaged))
        .await
        .unwrap();
    let refused = store.read(&sha).await;
    assert!(
        matches!(&refused, Err(BlobError::Io(e)) if e.kind() == std::io::ErrorKind::InvalidData
            && e.to_string().contains("damaged")),
        "{refused:?}"
    );
    // Longer than any blob may be: refused before it is read.
    store
        .store
        .put(&path, PutPayload::from(vec![0u8; 1001]))
        .await
        .unwrap();
    assert!(matches!(
        store.read(&sha).await,
        Err(BlobError::TooLarge {
            length: 1001,
            limit: 1000
        })
    ));

    // Another prefix is another office: it sees none of it.
    let other = S3BlobStore::new(&garage.config_with_prefix("office/two"), 1000).unwrap();
    assert!(!other.has_complete(&sha).await.unwrap());
}

#[tokio::test]
async fn an_unreachable_bucket_is_an_error_not_a_hang() {
    // Nothing listens on port 9 of loopback (discard, not run): the connection is refused.
    let config = S3Config {
        bucket: "anju".to_string(),
        prefix: String::new(),
        endpoint: "http://127.0.0.1:9".to_string(),
        region: "garage".to_string(),
        access_key_id: "GK0".to_string(),
        secret_access_key: "s".to_string(),
    };
    let store = S3BlobStore::new(&config, 1000).unwrap();
    let started = std::time::Instant::now();
    let state = store.state(&sha256_hex(b"x")).await;
    assert!(matches!(state, Err(BlobError::Io(_))), "{state:?}");
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
}

#[test]
fn the_offset_is_the_run_of_chunks_from_zero() {
    let upload = |chunks: &[(u64, u64)]| Upload {
        chunks: chunks.iter().copied().collect(),
        ..Upload::default()
    };
    assert_eq!(upload(&[]).contiguous(), 0);
    assert_eq!(
        upload(&[(0, 10), (10, 5), (20, 5)]).contiguous(),
        15,
        "a gap"
    );
    assert_eq!(upload(&[(10, 5)]).contiguous(), 0, "nothing at 0");
    // A chunk overlapping the run (a late request) is not on it.
    assert_eq!(upload(&[(0, 10), (5, 10), (10, 2)]).contiguous(), 12);
    assert_eq!(
        upload(&[(0, 0)]).contiguous(),
        0,
        "an empty chunk ends the run"
    );
    assert_eq!(
        upload(&[(0, u64::MAX), (u64::MAX, 1)]).contiguous(),
        u64::MAX,
        "no overflow"
    );
}

#[test]
fn any_user_name_makes_a_safe_object_name() {
    assert_eq!(owner_tag("li"), "6c69");
    assert_eq!(owner_tag("李/../x"), hex::encode("李/../x"));
    let long = "名".repeat(300);
    assert_eq!(owner_tag(&long).len(), 65);
    assert_ne!(owner_tag(&long), owner_tag(&"名".repeat(301)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chunk_with_other_bytes_fails_the_hash_and_the_upload_starts_over() {
    let Some(garage) = TestGarage::start_or_skip() else {
        return;
    };
    let store = S3BlobStore::new(&garage.config_with_prefix("liar"), 1000).unwrap();
    let (bytes, sha) = contract::blob(3, 300);
    let state = |s: &BlobState| (s.offset, s.complete);
    let first = store
        .append(
            &sha,
            0,
            300,
            "li",
            contract::body(&[&bytes[..100]]),
            &|_| {},
        )
        .await
        .unwrap();
    assert_eq!(state(&first), (100, false));
    // Another request (a broken client, a bad proxy) stores other bytes at 100.
    store
        .store
        .put(
            &store.chunk_path(&sha, 100),
            PutPayload::from(vec![0u8; 50]),
        )
        .await
        .unwrap();
    // The bucket counts them: the honest client is told where the run ends.
    let resumed = store
        .append(
            &sha,
            100,
            300,
            "li",
            contract::body(&[&bytes[100..]]),
            &|_| {},
        )
        .await;
    assert!(
        matches!(
            resumed,
            Err(BlobError::OffsetMismatch {
                have: 150,
                asked: 100
            })
        ),
        "{resumed:?}"
    );
    let finished = store
        .append(
            &sha,
            150,
            300,
            "li",
            contract::body(&[&bytes[150..]]),
            &|_| {},
        )
        .await;
    assert!(
        matches!(&finished, Err(BlobError::HashMismatch { expected, .. }) if *expected == sha),
        "{finished:?}"
    );
    // Nothing of it is kept: not the blob, not a staging object.
    assert_eq!(state(&store.state(&sha).await.unwrap()), (0, false));
    assert!(store.upload(&sha).await.unwrap().objects.is_empty());
    let again = store
        .append(&sha, 0, 300, "li", contract::body(&[&bytes]), &|_| {})
        .await
        .unwrap();
    assert_eq!(state(&again), (300, true));
    assert_eq!(store.read(&sha).await.unwrap(), bytes);
}

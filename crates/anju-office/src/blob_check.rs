//! Every photo and signature image the records name, checked in the blob store (after a
//! restore, a move, or a disk's trouble), and copied to another store (a backup, or back
//! from one).

use anju_sql::Connection;

use crate::blob_target::BlobSource;
use crate::move_up::BlobTarget;

/// What a check or a copy found.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BlobCheck {
    /// Blobs the records name.
    pub named: u64,
    /// Read back whole, their hash right.
    pub good: u64,
    /// Named but not in the store.
    pub missing: Vec<String>,
    /// In the store, but damaged or unreadable: (hash, why).
    pub damaged: Vec<(String, String)>,
    /// Copied to the target (a copy only).
    pub copied: u64,
}

impl BlobCheck {
    pub fn is_whole(&self) -> bool {
        self.missing.is_empty() && self.damaged.is_empty()
    }
}

/// Every blob hash the records name: photos, signature images, findings' evidence.
pub fn named_blobs(conn: &Connection) -> anju_sql::Result<Vec<String>> {
    let mut stmt = conn.prepare(
        "SELECT sha256 FROM photos
         UNION SELECT image_sha256 FROM signatures
         UNION SELECT evidence_sha256 FROM finding_events WHERE evidence_sha256 IS NOT NULL
         ORDER BY 1",
    )?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    rows.collect()
}

/// Read every named blob from `source`, checking its hash; with a `target`, copy each good
/// one that the target does not hold yet. `progress` hears how many were looked at.
pub fn check_blobs(
    conn: &Connection,
    source: &dyn BlobSource,
    target: Option<&dyn BlobTarget>,
    progress: &mut dyn FnMut(u64),
) -> anju_sql::Result<BlobCheck> {
    let mut check = BlobCheck::default();
    for sha256 in named_blobs(conn)? {
        check.named += 1;
        match source.read_checked(&sha256) {
            Ok(Some(bytes)) => {
                check.good += 1;
                if let Some(target) = target {
                    match target.has_checked(&sha256) {
                        Ok(true) => {}
                        Ok(false) => match target.put(&sha256, bytes) {
                            Ok(()) => check.copied += 1,
                            Err(why) => check.damaged.push((sha256.clone(), why)),
                        },
                        Err(why) => check.damaged.push((sha256.clone(), why)),
                    }
                }
            }
            Ok(None) => check.missing.push(sha256),
            Err(why) => check.damaged.push((sha256, why)),
        }
        progress(check.named);
    }
    Ok(check)
}

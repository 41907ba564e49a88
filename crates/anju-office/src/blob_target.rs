//! Where `anju-office migrate --blobs` puts the blobs: a folder, or an object store.

use std::path::PathBuf;

use anju_core::hash::sha256_hex;

use crate::move_up::BlobTarget;
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

/// The target `spec` names: a folder path for now.
pub fn open(spec: &str) -> Result<Box<dyn BlobTarget>, crate::move_up::MoveError> {
    Ok(Box::new(FolderTarget(PathBuf::from(spec))))
}

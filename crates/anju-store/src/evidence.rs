//! Evidence: the files (photos, signature images) stored by their SHA-256, the photos'
//! metadata and what the app shows beside a photo, and the signatures of a submission.
//! A photo's rows are written through a [`StoreTx`], so that the photo, its extras and its
//! place in a draft can commit together; the `Store` methods are each one transaction.

use std::io::Write;
use std::path::{Path, PathBuf};

use anju_core::hash::{is_sha256_hex, sha256_hex};
use anju_core::model::{ClockReading, PhotoMeta, SignatureMeta};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::households::household_exists;
use crate::rows::{CAMERA_TIME_FORMAT, PHOTO_COLUMNS, read_photo};
use crate::{Result, Store, StoreError, StoreTx, io_error, now};

/// What a photo file arrives with, besides its bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct NewPhoto {
    pub household_id: Uuid,
    pub slot: String,
    pub width: u32,
    pub height: u32,
    pub taken: ClockReading,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    /// The device's fix (or why none); `latitude`/`longitude` are taken from it when given.
    pub fix: Option<anju_core::location::Fix>,
    pub source: Option<anju_core::location::PhotoSource>,
    pub camera_time: Option<chrono::NaiveDateTime>,
}

/// What the app shows beside a photo, kept on the device only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoExtras {
    pub thumbnail_sha256: Option<String>,
    pub original_sha256: Option<String>,
    pub watermark_lines: Vec<String>,
}

impl Store {
    /// Where the blob (photo or signature image) with this hash lives, whether or not it
    /// exists. Only a well-formed hash makes a path, so no input can leave the folder.
    pub fn blob_path(&self, sha256: &str) -> Result<PathBuf> {
        blob_path(&self.blob_dir, sha256)
    }

    /// Store bytes under their SHA-256 and return it. The file is written to a temporary
    /// name, flushed and renamed, so a crash leaves either the whole file or none.
    pub fn put_blob(&self, bytes: &[u8]) -> Result<String> {
        put_blob(&self.blob_dir, bytes)
    }

    /// Read a blob back, checking that the file still has its hash.
    pub fn blob_bytes(&self, sha256: &str) -> Result<Vec<u8>> {
        let path = self.blob_path(sha256)?;
        let bytes = std::fs::read(&path).map_err(io_error(&path))?;
        if sha256_hex(&bytes) != sha256 {
            return Err(StoreError::Corrupt {
                what: format!("file {} no longer matches its hash", path.display()),
            });
        }
        Ok(bytes)
    }

    pub fn has_blob(&self, sha256: &str) -> bool {
        self.blob_path(sha256).is_ok_and(|p| p.is_file())
    }

    /// Keep the thumbnail, the original's hash and the watermark lines of a photo.
    pub fn set_photo_extras(&mut self, sha256: &str, extras: &PhotoExtras) -> Result<()> {
        self.write(|tx| tx.set_photo_extras(sha256, extras))
    }

    pub fn photo_extras(&self, sha256: &str) -> Result<Option<PhotoExtras>> {
        let row: Option<(Option<String>, Option<String>, Option<String>)> = self
            .conn
            .query_row(
                "SELECT thumbnail_sha256, original_sha256, watermark_json FROM photos
                 WHERE sha256 = ?1",
                [sha256],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )
            .optional()?;
        row.map(|(thumbnail_sha256, original_sha256, watermark)| {
            Ok(PhotoExtras {
                thumbnail_sha256,
                original_sha256,
                watermark_lines: match watermark {
                    Some(json) => serde_json::from_str(&json)?,
                    None => Vec::new(),
                },
            })
        })
        .transpose()
    }

    /// Store a (processed) photo file under its SHA-256 and record its metadata. Adding
    /// the same bytes again returns the existing record.
    pub fn add_photo(&mut self, bytes: &[u8], photo: NewPhoto) -> Result<PhotoMeta> {
        self.write(|tx| tx.add_photo(bytes, photo))
    }

    pub fn photo(&self, sha256: &str) -> Result<Option<PhotoMeta>> {
        photo_row(&self.conn, sha256)
    }
}

impl StoreTx<'_> {
    /// As [`Store::put_blob`]: the file is written at once, whatever becomes of the
    /// transaction.
    pub fn put_blob(&self, bytes: &[u8]) -> Result<String> {
        put_blob(self.blob_dir(), bytes)
    }

    /// As [`Store::add_photo`]: the file is written at once, the row with the transaction.
    pub fn add_photo(&mut self, bytes: &[u8], photo: NewPhoto) -> Result<PhotoMeta> {
        let conn = self.conn();
        if !household_exists(conn, photo.household_id)? {
            return Err(StoreError::UnknownHousehold(photo.household_id));
        }
        let sha256 = put_blob(self.blob_dir(), bytes)?;
        // The fix's coordinates are repeated in the plain columns, for older readers.
        let at = photo.fix.as_ref().and_then(|fix| fix.position().copied());
        let meta = PhotoMeta {
            sha256: sha256.clone(),
            household_id: photo.household_id,
            slot: photo.slot,
            bytes: bytes.len() as u64,
            width: photo.width,
            height: photo.height,
            taken: photo.taken,
            latitude: at.map(|p| p.latitude).or(photo.latitude),
            longitude: at.map(|p| p.longitude).or(photo.longitude),
            fix: photo.fix,
            source: photo.source,
            camera_time: photo.camera_time,
        };
        conn.execute(
            "INSERT INTO photos (sha256, household_id, slot, bytes, width, height, device_time,
                 trusted_time, clock_offset_ms, latitude, longitude, created_at, fix_json, source,
                 camera_time)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
             ON CONFLICT (sha256) DO NOTHING",
            params![
                meta.sha256,
                meta.household_id.to_string(),
                meta.slot,
                meta.bytes as i64,
                meta.width,
                meta.height,
                meta.taken.device_time.to_rfc3339(),
                meta.taken.trusted_time.map(|t| t.to_rfc3339()),
                meta.taken.offset_ms,
                meta.latitude,
                meta.longitude,
                now().to_rfc3339(),
                meta.fix.as_ref().map(serde_json::to_string).transpose()?,
                meta.source.map(|s| s.code()),
                meta.camera_time
                    .map(|t| t.format(CAMERA_TIME_FORMAT).to_string()),
            ],
        )?;
        photo_row(conn, &sha256)?.ok_or(StoreError::MissingPhoto(sha256))
    }

    /// As [`Store::set_photo_extras`].
    pub fn set_photo_extras(&mut self, sha256: &str, extras: &PhotoExtras) -> Result<()> {
        let changed = self.conn().execute(
            "UPDATE photos SET thumbnail_sha256 = ?1, original_sha256 = ?2, watermark_json = ?3
             WHERE sha256 = ?4",
            params![
                extras.thumbnail_sha256,
                extras.original_sha256,
                serde_json::to_string(&extras.watermark_lines)?,
                sha256
            ],
        )?;
        if changed == 0 {
            return Err(StoreError::MissingPhoto(sha256.to_string()));
        }
        Ok(())
    }

    /// As [`Store::photo`], seeing what this transaction wrote.
    pub fn photo(&self, sha256: &str) -> Result<Option<PhotoMeta>> {
        photo_row(self.conn(), sha256)
    }
}

fn blob_path(blob_dir: &Path, sha256: &str) -> Result<PathBuf> {
    if !is_sha256_hex(sha256) {
        return Err(StoreError::BadHash(sha256.to_string()));
    }
    Ok(blob_dir.join(&sha256[0..2]).join(sha256))
}

fn put_blob(blob_dir: &Path, bytes: &[u8]) -> Result<String> {
    let sha256 = sha256_hex(bytes);
    let path = blob_path(blob_dir, &sha256)?;
    if path.exists() {
        return Ok(sha256);
    }
    let dir = path.parent().unwrap_or(blob_dir).to_path_buf();
    std::fs::create_dir_all(&dir).map_err(io_error(&dir))?;
    let temporary = dir.join(format!("{sha256}.partial"));
    let mut file = std::fs::File::create(&temporary).map_err(io_error(&temporary))?;
    file.write_all(bytes).map_err(io_error(&temporary))?;
    file.sync_all().map_err(io_error(&temporary))?;
    std::fs::rename(&temporary, &path).map_err(io_error(&path))?;
    Ok(sha256)
}

fn photo_row(conn: &Connection, sha256: &str) -> Result<Option<PhotoMeta>> {
    conn.query_row(
        &format!("SELECT {PHOTO_COLUMNS} FROM photos WHERE sha256 = ?1"),
        [sha256],
        |row| Ok(read_photo(row)),
    )
    .optional()?
    .transpose()
}

pub(crate) fn insert_signature(
    tx: &Connection,
    household_id: Uuid,
    slot: &str,
    signature: &SignatureMeta,
) -> Result<()> {
    tx.execute(
        "INSERT INTO signatures (id, household_id, slot, signer_name, method_json, image_sha256,
             signed_content_sha256, signed_at, signer_json)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (id) DO NOTHING",
        params![
            signature.id.to_string(),
            household_id.to_string(),
            slot,
            signature.signer_name,
            serde_json::to_string(&signature.method)?,
            signature.image_sha256,
            signature.signed_content_sha256,
            signature.signed_at.to_rfc3339(),
            signature
                .signer
                .as_ref()
                .map(serde_json::to_string)
                .transpose()?,
        ],
    )?;
    Ok(())
}

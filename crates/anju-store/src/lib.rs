//! The field device's database.
//!
//! Holds the households assigned to the inspector (pulled from the office), the drafts
//! being filled (every change written in its own transaction, so killing the app loses
//! nothing typed), the submissions (immutable: submitting turns a draft into a submission
//! plus its outbox entries in one transaction), photo and signature metadata (the files
//! are named by their SHA-256), findings, the outbox and the sync state.

use std::io::Write;
use std::path::{Path, PathBuf};

use anju_core::form::{FormAnswers, FormIssue};
use anju_core::hash::{HashError, is_sha256_hex, sha256_hex};
use anju_core::model::{
    ClockReading, Finding, Household, HouseholdStatus, PhotoMeta, SignatureMeta, Submission,
    SubmissionKind,
};
use anju_db::{DbError, Migration};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The device migrations, embedded at build time. A test checks this list against the
/// files in `migrations/device/`.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "init",
        sql: include_str!("../../../migrations/device/0001_init.sql"),
    },
    Migration {
        version: 2,
        name: "field_app",
        sql: include_str!("../../../migrations/device/0002_field_app.sql"),
    },
    Migration {
        version: 3,
        name: "office_history",
        sql: include_str!("../../../migrations/device/0003_office_history.sql"),
    },
    Migration {
        version: 4,
        name: "office_notes",
        sql: include_str!("../../../migrations/device/0004_office_notes.sql"),
    },
    Migration {
        version: 5,
        name: "policies",
        sql: include_str!("../../../migrations/device/0005_policies.sql"),
    },
    Migration {
        version: 6,
        name: "locations",
        sql: include_str!("../../../migrations/device/0006_locations.sql"),
    },
];

pub const DATABASE_FILE: &str = "anju-field.sqlite3";
/// Photos and signature images, each named by its SHA-256.
pub const BLOB_DIR: &str = "blobs";

mod drafts;
mod findings;
mod households;
mod outbox;
mod policies;

pub use findings::FindingRow;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("数据库错误 / database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("文件 {path} 读写失败 / cannot read or write {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("记录内容无法编码 / a record cannot be encoded: {0}")]
    Encoding(#[from] serde_json::Error),
    #[error(transparent)]
    Hash(#[from] HashError),
    #[error("本机没有该户（{0}） / household {0} is not on this device")]
    UnknownHousehold(Uuid),
    #[error(
        "草稿 {0} 不存在（可能已提交） / draft {0} does not exist (it may have been submitted)"
    )]
    UnknownDraft(Uuid),
    #[error(
        "本程序不认识表单 {form_id} 第{version}版 / this program does not know form {form_id} version {version}"
    )]
    UnknownForm { form_id: String, version: u32 },
    #[error(
        "草稿已在别处修改（版本{expected}，现为{actual}），请刷新 / the draft was changed elsewhere (revision {expected}, now {actual}): reload it"
    )]
    StaleRevision { expected: i64, actual: i64 },
    #[error("表单尚未填完，不能提交：{} / the form is not complete: {count} problem(s)", .issues.first().map(|i| i.to_string()).unwrap_or_default())]
    Incomplete {
        count: usize,
        issues: Vec<FormIssue>,
    },
    #[error("表单引用了本机没有的照片 {0} / the form names a photo this device does not have: {0}")]
    MissingPhoto(String),
    #[error("照片标识 {0} 不是有效的 SHA-256 / {0} is not a SHA-256")]
    BadHash(String),
    #[error(
        "该户有尚未同步的记录，不能移除 / the household has records not yet synced: it cannot be removed"
    )]
    UnsyncedWork,
    #[error("已保存的记录损坏（{what}） / a stored record is damaged ({what})")]
    Corrupt { what: String },
}

type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A household as listed on the device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HouseholdSummary {
    pub id: Uuid,
    pub number: String,
    pub head_name: String,
    pub id_number: String,
    pub size: u32,
    pub township: String,
    pub village: String,
    pub site: Option<String>,
    pub status: HouseholdStatus,
    /// Where the office says the household stands (`pending`, `awaiting_review`,
    /// `accepted`…, the codes of `anju_core::verdict::HouseholdStatus`), as last pulled.
    pub office_status: Option<String>,
    pub open_findings: u32,
}

/// What to list: every field narrows the list.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HouseholdQuery {
    /// Part of a name, ID number, village, site, township or household number.
    pub text: Option<String>,
    pub township: Option<String>,
    pub site: Option<String>,
    pub status: Option<HouseholdStatus>,
    pub with_open_findings: bool,
    pub limit: Option<u32>,
    pub offset: Option<u32>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StatusCounts {
    pub total: u32,
    pub to_inspect: u32,
    pub draft: u32,
    pub submitted: u32,
    pub synced: u32,
    pub with_open_findings: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Draft {
    pub id: Uuid,
    pub household_id: Uuid,
    pub kind: SubmissionKind,
    pub form_id: String,
    pub form_version: u32,
    pub answers: FormAnswers,
    /// Grows by one with every saved change.
    pub revision: i64,
    pub updated_at: DateTime<Utc>,
}

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    Photo,
    Signature,
    Submission,
    Finding,
}

impl RecordKind {
    pub fn code(self) -> &'static str {
        match self {
            Self::Photo => "photo",
            Self::Signature => "signature",
            Self::Submission => "submission",
            Self::Finding => "finding",
        }
    }

    fn from_code(code: &str) -> Option<Self> {
        match code {
            "photo" => Some(Self::Photo),
            "signature" => Some(Self::Signature),
            "submission" => Some(Self::Submission),
            "finding" => Some(Self::Finding),
            _ => None,
        }
    }
}

/// One record waiting for the office.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxEntry {
    pub seq: i64,
    pub kind: RecordKind,
    pub record_id: String,
    pub household_id: Uuid,
    pub content_sha256: String,
    pub attempts: u32,
    pub last_error: Option<String>,
}

/// What the device holds that the office does not have yet.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PendingWork {
    /// Records in the outbox not yet acknowledged (photos, signatures, submissions, findings).
    pub records: u32,
    pub photos: u32,
    pub submissions: u32,
    /// Forms being filled (not submitted, so not waiting to sync yet).
    pub drafts: u32,
    /// Records the office refused for good, kept for review.
    pub rejected: u32,
}

/// What the app shows beside a photo, kept on the device only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoExtras {
    pub thumbnail_sha256: Option<String>,
    pub original_sha256: Option<String>,
    pub watermark_lines: Vec<String>,
}

pub struct Store {
    conn: Connection,
    blob_dir: PathBuf,
}

fn now() -> DateTime<Utc> {
    Utc::now()
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.display().to_string(),
        source,
    }
}

fn parse_uuid(text: &str, what: &str) -> Result<Uuid> {
    Uuid::parse_str(text).map_err(|_| StoreError::Corrupt {
        what: format!("{what}: {text}"),
    })
}

fn parse_time(text: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| StoreError::Corrupt {
            what: format!("time {text}"),
        })
}

impl Store {
    /// Open the store in `dir` (the app's data directory), creating it if needed.
    pub fn open(dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir).map_err(io_error(dir))?;
        let blob_dir = dir.join(BLOB_DIR);
        std::fs::create_dir_all(&blob_dir).map_err(io_error(&blob_dir))?;
        let mut conn = anju_db::open(&dir.join(DATABASE_FILE))?;
        anju_db::migrate(&mut conn, MIGRATIONS)?;
        Ok(Self { conn, blob_dir })
    }

    /// Where the blob (photo or signature image) with this hash lives, whether or not it
    /// exists. Only a well-formed hash makes a path, so no input can leave the folder.
    pub fn blob_path(&self, sha256: &str) -> Result<PathBuf> {
        if !is_sha256_hex(sha256) {
            return Err(StoreError::BadHash(sha256.to_string()));
        }
        Ok(self.blob_dir.join(&sha256[0..2]).join(sha256))
    }

    /// Store bytes under their SHA-256 and return it. The file is written to a temporary
    /// name, flushed and renamed, so a crash leaves either the whole file or none.
    pub fn put_blob(&self, bytes: &[u8]) -> Result<String> {
        let sha256 = sha256_hex(bytes);
        let path = self.blob_path(&sha256)?;
        if path.exists() {
            return Ok(sha256);
        }
        let dir = path.parent().unwrap_or(&self.blob_dir).to_path_buf();
        std::fs::create_dir_all(&dir).map_err(io_error(&dir))?;
        let temporary = dir.join(format!("{sha256}.partial"));
        let mut file = std::fs::File::create(&temporary).map_err(io_error(&temporary))?;
        file.write_all(bytes).map_err(io_error(&temporary))?;
        file.sync_all().map_err(io_error(&temporary))?;
        std::fs::rename(&temporary, &path).map_err(io_error(&path))?;
        Ok(sha256)
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

    pub fn integrity_problems(&self) -> Result<Vec<String>> {
        Ok(anju_db::integrity_problems(&self.conn)?)
    }

    // -- for the field app's screens --------------------------------------------------

    /// Keep the thumbnail, the original's hash and the watermark lines of a photo.
    pub fn set_photo_extras(&mut self, sha256: &str, extras: &PhotoExtras) -> Result<()> {
        let changed = self.conn.execute(
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

    /// How much waits for the office, and how many forms are being filled.
    pub fn pending_work(&self) -> Result<PendingWork> {
        Ok(self.conn.query_row(
            "SELECT
                (SELECT count(*) FROM outbox WHERE acknowledged_at IS NULL AND rejected_at IS NULL),
                (SELECT count(*) FROM outbox WHERE acknowledged_at IS NULL AND rejected_at IS NULL
                     AND record_kind = 'photo'),
                (SELECT count(*) FROM outbox WHERE acknowledged_at IS NULL AND rejected_at IS NULL
                     AND record_kind = 'submission'),
                (SELECT count(*) FROM drafts),
                (SELECT count(*) FROM outbox WHERE rejected_at IS NOT NULL)",
            [],
            |row| {
                Ok(PendingWork {
                    records: row.get(0)?,
                    photos: row.get(1)?,
                    submissions: row.get(2)?,
                    drafts: row.get(3)?,
                    rejected: row.get(4)?,
                })
            },
        )?)
    }

    /// Whether the office has acknowledged this record.
    pub fn is_acknowledged(&self, kind: RecordKind, record_id: &str) -> Result<bool> {
        Ok(self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM outbox WHERE record_kind = ?1 AND record_id = ?2
                                AND acknowledged_at IS NOT NULL)",
            params![kind.code(), record_id],
            |row| row.get(0),
        )?)
    }

    // -- sync state ------------------------------------------------------------------

    pub fn sync_value(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT value FROM sync_state WHERE key = ?1",
                [key],
                |row| row.get(0),
            )
            .optional()?)
    }

    pub fn set_sync_value(&mut self, key: &str, value: &str) -> Result<()> {
        self.conn.execute(
            "INSERT INTO sync_state (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }
}

fn insert_signature(
    tx: &rusqlite::Transaction<'_>,
    household_id: Uuid,
    slot: &str,
    signature: &SignatureMeta,
) -> Result<()> {
    tx.execute(
        "INSERT INTO signatures (id, household_id, slot, signer_name, method_json, image_sha256,
             signed_content_sha256, signed_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
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
        ],
    )?;
    Ok(())
}

/// The key of `sync_state` under which the sync engine keeps the signed-in user (JSON
/// with their `name`): a household's status counts that user's work from any device.
pub const SIGNED_IN_USER_KEY: &str = "user";

/// Recompute a household's status from its drafts, outbox, submissions (less those the
/// office returned), the office's record of the signed-in user's inspections, and the
/// findings (this device's and those the office sent).
fn refresh_status(conn: &Connection, household_id: Uuid) -> Result<()> {
    // Cached: a pull of 10,000 households runs this 10,000 times in one transaction, and
    // parsing it each time was a sixth of the load.
    conn.prepare_cached(
        "UPDATE households SET
            status = CASE
                WHEN EXISTS (SELECT 1 FROM drafts WHERE household_id = ?1) THEN 'draft'
                WHEN EXISTS (SELECT 1 FROM outbox WHERE household_id = ?1
                             AND acknowledged_at IS NULL) THEN 'submitted'
                -- What the office returned (退回) does not count: the household is to
                -- inspect again.
                WHEN EXISTS (SELECT 1 FROM submissions s WHERE s.household_id = ?1
                             AND NOT EXISTS (SELECT 1 FROM office_inspections o
                                             WHERE o.submission_id = s.id AND o.returned))
                     THEN 'synced'
                -- The signed-in user's own work, whichever device made it (a replacement
                -- phone). Another person's inspection does not do it: a supervisor's
                -- spot check still waits after someone else's acceptance.
                WHEN EXISTS (SELECT 1 FROM office_inspections o WHERE o.household_id = ?1
                             AND NOT o.returned
                             AND o.inspector = (SELECT json_extract(value, '$.name')
                                                FROM sync_state WHERE key = ?2))
                     THEN 'synced'
                ELSE 'to_inspect'
            END,
            open_findings = (SELECT count(*) FROM findings f
                             LEFT JOIN office_findings office ON office.finding_id = f.id
                             WHERE f.household_id = ?1
                               AND coalesce(office.state, f.state) IN ('open', 'reopened'))
                          -- Findings made on another device or raised by the office.
                          + (SELECT count(*) FROM office_findings office
                             WHERE office.household_id = ?1
                               AND office.state IN ('open', 'reopened')
                               AND office.description IS NOT NULL
                               AND office.deadline IS NOT NULL
                               AND NOT EXISTS (SELECT 1 FROM findings f
                                               WHERE f.id = office.finding_id))
         WHERE id = ?1",
    )?
    .execute(params![household_id.to_string(), SIGNED_IN_USER_KEY])?;
    Ok(())
}

fn read_household(row: &Row<'_>) -> Result<Household> {
    let id: String = row.get(0)?;
    let id_number: String = row.get(3)?;
    let members: String = row.get(5)?;
    let mode: String = row.get(10)?;
    let kind: String = row.get(11)?;
    Ok(Household {
        id: parse_uuid(&id, "household id")?,
        number: row.get(1)?,
        head_name: row.get(2)?,
        id_number: anju_core::IdNumber::parse(&id_number).map_err(|e| StoreError::Corrupt {
            what: e.to_string(),
        })?,
        size: row.get(4)?,
        members: serde_json::from_str(&members)?,
        phone: row.get(6)?,
        township: row.get(7)?,
        village: row.get(8)?,
        site: row.get(9)?,
        mode: anju_core::model::PlacementMode::from_code(&mode).ok_or(StoreError::Corrupt {
            what: format!("placement mode {mode}"),
        })?,
        kind: anju_core::model::PlacementKind::from_code(&kind).ok_or(StoreError::Corrupt {
            what: format!("placement kind {kind}"),
        })?,
        location: match (
            row.get::<_, Option<f64>>(12)?,
            row.get::<_, Option<f64>>(13)?,
        ) {
            (Some(latitude), Some(longitude)) => Some(
                anju_core::location::Coordinates::new(latitude, longitude).map_err(|e| {
                    StoreError::Corrupt {
                        what: e.to_string(),
                    }
                })?,
            ),
            _ => None,
        },
    })
}

fn read_kind(code: &str) -> Result<SubmissionKind> {
    SubmissionKind::from_code(code).ok_or(StoreError::Corrupt {
        what: format!("submission kind {code}"),
    })
}

fn read_draft(row: &Row<'_>) -> Result<Draft> {
    let id: String = row.get(0)?;
    let household: String = row.get(1)?;
    let kind: String = row.get(2)?;
    let answers: String = row.get(5)?;
    let updated: String = row.get(7)?;
    Ok(Draft {
        id: parse_uuid(&id, "draft id")?,
        household_id: parse_uuid(&household, "household id")?,
        kind: read_kind(&kind)?,
        form_id: row.get(3)?,
        form_version: row.get(4)?,
        answers: serde_json::from_str(&answers)?,
        revision: row.get(6)?,
        updated_at: parse_time(&updated)?,
    })
}

fn read_clock(device: &str, trusted: Option<String>, offset: Option<i64>) -> Result<ClockReading> {
    Ok(ClockReading {
        device_time: parse_time(device)?,
        trusted_time: trusted.as_deref().map(parse_time).transpose()?,
        offset_ms: offset,
    })
}

fn read_submission(row: &Row<'_>) -> Result<Submission> {
    let id: String = row.get(0)?;
    let household: String = row.get(1)?;
    let kind: String = row.get(2)?;
    let answers: String = row.get(6)?;
    let device: String = row.get(7)?;
    Ok(Submission {
        id: parse_uuid(&id, "submission id")?,
        household_id: parse_uuid(&household, "household id")?,
        kind: read_kind(&kind)?,
        form_id: row.get(3)?,
        form_version: row.get(4)?,
        inspector: row.get(5)?,
        answers: serde_json::from_str(&answers)?,
        clock: read_clock(&device, row.get(8)?, row.get(9)?)?,
        policy_version: row.get(10)?,
        recorded_area: row
            .get::<_, Option<String>>(11)?
            .map(|json| serde_json::from_str(&json))
            .transpose()?,
        position: row
            .get::<_, Option<String>>(12)?
            .map(|json| serde_json::from_str(&json))
            .transpose()?,
    })
}

/// The columns [`read_photo`] reads, from `photos`.
pub(crate) const PHOTO_COLUMNS: &str = "sha256, household_id, slot, bytes, width, height,
    device_time, trusted_time, clock_offset_ms, latitude, longitude, fix_json, source,
    camera_time";

fn read_photo(row: &Row<'_>) -> Result<PhotoMeta> {
    let household: String = row.get(1)?;
    let device: String = row.get(6)?;
    Ok(PhotoMeta {
        sha256: row.get(0)?,
        household_id: parse_uuid(&household, "household id")?,
        slot: row.get(2)?,
        bytes: row.get::<_, i64>(3)?.max(0) as u64,
        width: row.get(4)?,
        height: row.get(5)?,
        taken: read_clock(&device, row.get(7)?, row.get(8)?)?,
        latitude: row.get(9)?,
        longitude: row.get(10)?,
        fix: row
            .get::<_, Option<String>>(11)?
            .map(|json| serde_json::from_str(&json))
            .transpose()?,
        source: row
            .get::<_, Option<String>>(12)?
            .map(|code| {
                anju_core::location::PhotoSource::from_code(&code).ok_or(StoreError::Corrupt {
                    what: format!("photo source {code}"),
                })
            })
            .transpose()?,
        camera_time: row
            .get::<_, Option<String>>(13)?
            .map(|text| {
                chrono::NaiveDateTime::parse_from_str(&text, CAMERA_TIME_FORMAT).map_err(|e| {
                    StoreError::Corrupt {
                        what: format!("camera time {text}: {e}"),
                    }
                })
            })
            .transpose()?,
    })
}

pub(crate) const CAMERA_TIME_FORMAT: &str = "%Y-%m-%dT%H:%M:%S";

/// The columns [`read_finding`] reads, from `findings f`: the record as it was made and
/// is sent.
const FINDING_COLUMNS: &str =
    "f.id, f.household_id, f.submission_id, f.item, f.description, f.deadline, f.state";
/// The same with the office's state over the device's, from `findings f` left-joined with
/// `office_findings office`: what the lists show.
const SHOWN_FINDING_COLUMNS: &str = "f.id, f.household_id, f.submission_id, f.item,
    f.description, f.deadline, coalesce(office.state, f.state)";

fn read_finding(row: &Row<'_>) -> Result<Finding> {
    let id: String = row.get(0)?;
    let household: String = row.get(1)?;
    let submission: Option<String> = row.get(2)?;
    let deadline: String = row.get(5)?;
    let state: String = row.get(6)?;
    Ok(Finding {
        id: parse_uuid(&id, "finding id")?,
        household_id: parse_uuid(&household, "finding household")?,
        submission_id: submission
            .as_deref()
            .map(|s| parse_uuid(s, "finding submission"))
            .transpose()?,
        item: row.get(3)?,
        description: row.get(4)?,
        deadline: deadline.parse().map_err(|_| StoreError::Corrupt {
            what: format!("finding deadline {deadline}"),
        })?,
        state: serde_json::from_value(serde_json::Value::String(state))?,
    })
}

/// The columns [`read_outbox_entry`] reads.
const OUTBOX_COLUMNS: &str =
    "seq, record_kind, record_id, household_id, content_sha256, attempts, last_error";

fn read_outbox_entry(row: &Row<'_>) -> Result<OutboxEntry> {
    let kind: String = row.get(1)?;
    let household: String = row.get(3)?;
    Ok(OutboxEntry {
        seq: row.get(0)?,
        kind: RecordKind::from_code(&kind).ok_or(StoreError::Corrupt {
            what: format!("outbox kind {kind}"),
        })?,
        record_id: row.get(2)?,
        household_id: parse_uuid(&household, "outbox household")?,
        content_sha256: row.get(4)?,
        attempts: row.get(5)?,
        last_error: row.get(6)?,
    })
}

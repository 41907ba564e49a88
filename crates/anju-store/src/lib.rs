//! The field device's database.
//!
//! Holds the households assigned to the inspector (pulled from the office), the drafts
//! being filled (every change written in its own transaction, so killing the app loses
//! nothing typed), the submissions (immutable: submitting turns a draft into a submission
//! plus its outbox entries in one transaction), photo and signature metadata (the files
//! are named by their SHA-256), findings, the outbox and the sync state.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use anju_core::area::Area;
use anju_core::form::{Answer, FormAnswers, FormContext, FormIssue, FormSchema, form_by_id};
use anju_core::hash::{HashError, content_sha256, is_sha256_hex, sha256_hex};
use anju_core::model::{
    ClockReading, Finding, FindingState, Household, HouseholdStatus, PhotoMeta, SignatureMeta,
    SignatureMethod, Submission, SubmissionKind,
};
use anju_core::wire::{HouseholdHistory, OfficeInspection, RecordBody, SignatureRecord};
use anju_db::{DbError, Migration};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};
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
];

pub const DATABASE_FILE: &str = "anju-field.sqlite3";
/// Photos and signature images, each named by its SHA-256.
pub const BLOB_DIR: &str = "blobs";

mod policies;

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

/// A finding with the household it is about, for the findings list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FindingRow {
    pub finding: Finding,
    pub head_name: String,
    pub household_number: String,
    pub township: String,
    pub village: String,
    /// The office has acknowledged it.
    pub synced: bool,
    /// The note of the office's latest rectification step, as last pulled.
    pub office_note: Option<String>,
    /// When the office last moved it.
    pub office_changed_at: Option<DateTime<Utc>>,
    /// Raised by the office itself (面积超标, a critical item), not by this device.
    pub raised_by_office: bool,
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

/// Lower-case text for the one-column search; ID numbers are normalised like typed input.
fn search_text(household: &Household) -> String {
    [
        household.head_name.as_str(),
        household.id_number.as_str(),
        household.village.as_str(),
        household.site.as_deref().unwrap_or(""),
        household.township.as_str(),
        household.number.as_str(),
    ]
    .join(" ")
    .to_lowercase()
}

/// Escape `%`, `_` and `\` for a LIKE pattern.
fn like_pattern(text: &str) -> String {
    let mut pattern = String::from("%");
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
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

    // -- households ------------------------------------------------------------------

    /// Insert or update households pulled from the office, with the office's history of
    /// them, in one transaction, and work out each one's status again. `history` holds the
    /// inspections (from any device) and finding states; a household without an entry has
    /// none, and what the device held before is replaced.
    pub fn upsert_households(
        &mut self,
        households: &[Household],
        history: &[HouseholdHistory],
        server_seq: i64,
    ) -> Result<usize> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let pulled_at = now().to_rfc3339();
        {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO households (id, number, head_name, id_number, size, members_json,
                     phone, township, village, site, mode, kind, search_text, server_seq, pulled_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
                 ON CONFLICT (id) DO UPDATE SET
                     number = excluded.number, head_name = excluded.head_name,
                     id_number = excluded.id_number, size = excluded.size,
                     members_json = excluded.members_json, phone = excluded.phone,
                     township = excluded.township, village = excluded.village,
                     site = excluded.site, mode = excluded.mode, kind = excluded.kind,
                     search_text = excluded.search_text, server_seq = excluded.server_seq,
                     pulled_at = excluded.pulled_at,
                     -- The office's standing comes again with the history, if it has one.
                     office_status = NULL, office_verdict = NULL",
            )?;
            for h in households {
                stmt.execute(params![
                    h.id.to_string(),
                    h.number,
                    h.head_name,
                    h.id_number.as_str(),
                    h.size,
                    serde_json::to_string(&h.members)?,
                    h.phone,
                    h.township,
                    h.village,
                    h.site,
                    h.mode.code(),
                    h.kind.code(),
                    search_text(h),
                    server_seq,
                    pulled_at,
                ])?;
            }
            let mut clear =
                tx.prepare_cached("DELETE FROM office_inspections WHERE household_id = ?1")?;
            let mut clear_findings =
                tx.prepare_cached("DELETE FROM office_findings WHERE household_id = ?1")?;
            for h in households {
                clear.execute([h.id.to_string()])?;
                clear_findings.execute([h.id.to_string()])?;
            }
            let pulled: std::collections::HashSet<Uuid> = households.iter().map(|h| h.id).collect();
            let mut insert = tx.prepare_cached(
                "INSERT INTO office_inspections (submission_id, household_id, kind, inspector,
                     made_at, built_area_quarter_mm2, over_limit, returned, pulled_at,
                     return_note)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                 ON CONFLICT (submission_id) DO UPDATE SET
                     household_id = excluded.household_id, kind = excluded.kind,
                     inspector = excluded.inspector, made_at = excluded.made_at,
                     built_area_quarter_mm2 = excluded.built_area_quarter_mm2,
                     over_limit = excluded.over_limit, returned = excluded.returned,
                     pulled_at = excluded.pulled_at, return_note = excluded.return_note",
            )?;
            // History of a household not in this page would have nothing to hang on.
            for entry in history.iter().filter(|e| pulled.contains(&e.household_id)) {
                for i in &entry.inspections {
                    let quarter_mm2 = i
                        .built_area
                        .map(|a| i64::try_from(a.quarter_mm2()))
                        .transpose()
                        .map_err(|_| StoreError::Corrupt {
                            what: format!("built area of submission {}", i.submission_id),
                        })?;
                    insert.execute(params![
                        i.submission_id.to_string(),
                        entry.household_id.to_string(),
                        i.kind.code(),
                        i.inspector,
                        i.made_at.to_rfc3339(),
                        quarter_mm2,
                        i.over_limit,
                        i.returned,
                        pulled_at,
                        i.return_note,
                    ])?;
                }
            }
            let mut insert = tx.prepare_cached(
                "INSERT INTO office_findings (finding_id, household_id, state, changed_at,
                     pulled_at, note, origin, description, deadline)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                 ON CONFLICT (finding_id) DO UPDATE SET
                     household_id = excluded.household_id, state = excluded.state,
                     changed_at = excluded.changed_at, pulled_at = excluded.pulled_at,
                     note = excluded.note, origin = excluded.origin,
                     description = excluded.description, deadline = excluded.deadline",
            )?;
            let mut standing = tx.prepare_cached(
                "UPDATE households SET office_status = ?2, office_verdict = ?3 WHERE id = ?1",
            )?;
            for entry in history.iter().filter(|e| pulled.contains(&e.household_id)) {
                for f in &entry.findings {
                    insert.execute(params![
                        f.finding_id.to_string(),
                        entry.household_id.to_string(),
                        f.state.code(),
                        f.changed_at.to_rfc3339(),
                        pulled_at,
                        f.note,
                        f.origin.code(),
                        f.description,
                        f.deadline.map(|d| d.to_string()),
                    ])?;
                }
                if let Some(office) = &entry.standing {
                    standing.execute(params![
                        entry.household_id.to_string(),
                        office.status.code(),
                        office.verdict.map(|v| v.code()),
                    ])?;
                }
            }
        }
        for h in households {
            refresh_status(&tx, h.id)?;
        }
        tx.commit()?;
        Ok(households.len())
    }

    /// What the office holds of a household's inspections, oldest first.
    pub fn office_inspections(&self, household_id: Uuid) -> Result<Vec<OfficeInspection>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT submission_id, kind, inspector, made_at, built_area_quarter_mm2,
                    over_limit, returned, return_note
             FROM office_inspections WHERE household_id = ?1 ORDER BY made_at, submission_id",
        )?;
        let rows = stmt
            .query_map([household_id.to_string()], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, String>(3)?,
                    row.get::<_, Option<i64>>(4)?,
                    row.get::<_, Option<bool>>(5)?,
                    row.get::<_, bool>(6)?,
                    row.get::<_, Option<String>>(7)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(
                |(id, kind, inspector, made_at, quarter_mm2, over_limit, returned, return_note)| {
                    Ok(OfficeInspection {
                        submission_id: parse_uuid(&id, "office inspection id")?,
                        kind: read_kind(&kind)?,
                        inspector,
                        made_at: parse_time(&made_at)?,
                        built_area: quarter_mm2.map(|q| Area::from_quarter_mm2(i128::from(q))),
                        over_limit,
                        returned,
                        return_note,
                    })
                },
            )
            .collect()
    }

    /// Drop a household the office no longer assigns to this inspector, unless work on it
    /// has not reached the office yet (then it stays until it has).
    pub fn remove_household(&mut self, id: Uuid) -> Result<bool> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let key = id.to_string();
        let pending: i64 = tx.query_row(
            "SELECT (SELECT count(*) FROM outbox WHERE household_id = ?1 AND acknowledged_at IS NULL)
                  + (SELECT count(*) FROM drafts WHERE household_id = ?1)",
            [&key],
            |row| row.get(0),
        )?;
        if pending > 0 {
            return Err(StoreError::UnsyncedWork);
        }
        // Synced records stay as the device's own copy unless the household goes; then
        // its dependants go with it.
        for table in [
            "outbox",
            "findings",
            "signatures",
            "photos",
            "office_inspections",
            "office_findings",
        ] {
            tx.execute(
                &format!("DELETE FROM {table} WHERE household_id = ?1"),
                [&key],
            )?;
        }
        tx.execute_batch("DROP TRIGGER IF EXISTS submissions_are_kept")?;
        let deleted_submissions =
            tx.execute("DELETE FROM submissions WHERE household_id = ?1", [&key]);
        // Put the guard back whatever happened, inside the same transaction.
        tx.execute_batch(
            "CREATE TRIGGER submissions_are_kept BEFORE DELETE ON submissions
             BEGIN SELECT RAISE(ABORT, 'submissions are never deleted'); END;",
        )?;
        deleted_submissions?;
        let removed = tx.execute("DELETE FROM households WHERE id = ?1", [&key])?;
        tx.commit()?;
        Ok(removed > 0)
    }

    pub fn household(&self, id: Uuid) -> Result<Option<Household>> {
        self.conn
            .query_row(
                "SELECT id, number, head_name, id_number, size, members_json, phone, township,
                        village, site, mode, kind
                 FROM households WHERE id = ?1",
                [id.to_string()],
                |row| Ok(read_household(row)),
            )
            .optional()?
            .transpose()
    }

    fn has_household(&self, id: Uuid) -> Result<bool> {
        Ok(self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM households WHERE id = ?1)",
            [id.to_string()],
            |row| row.get(0),
        )?)
    }

    /// Where the office says the household stands, as last pulled: its status and the
    /// verdict of its acceptance (`None` before the office said anything).
    pub fn office_standing(
        &self,
        id: Uuid,
    ) -> Result<
        Option<(
            anju_core::verdict::HouseholdStatus,
            Option<anju_core::verdict::AcceptanceVerdict>,
        )>,
    > {
        let row: Option<(Option<String>, Option<String>)> = self
            .conn
            .query_row(
                "SELECT office_status, office_verdict FROM households WHERE id = ?1",
                [id.to_string()],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?;
        Ok(row.and_then(|(status, verdict)| {
            let status = anju_core::verdict::HouseholdStatus::from_code(&status?)?;
            Some((
                status,
                verdict.and_then(|v| anju_core::verdict::AcceptanceVerdict::from_code(&v)),
            ))
        }))
    }

    pub fn household_status(&self, id: Uuid) -> Result<HouseholdStatus> {
        let code: Option<String> = self
            .conn
            .query_row(
                "SELECT status FROM households WHERE id = ?1",
                [id.to_string()],
                |row| row.get(0),
            )
            .optional()?;
        let code = code.ok_or(StoreError::UnknownHousehold(id))?;
        HouseholdStatus::from_code(&code).ok_or(StoreError::Corrupt {
            what: format!("status {code}"),
        })
    }

    fn where_clause(query: &HouseholdQuery) -> (String, Vec<String>) {
        let mut conditions = Vec::new();
        let mut values = Vec::new();
        if let Some(text) = query
            .text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            // Typed ID numbers are normalised (full-width digits, lower-case x).
            let normalised = anju_core::id_number::normalise(text).to_lowercase();
            values.push(like_pattern(&normalised));
            conditions.push(format!("search_text LIKE ?{} ESCAPE '\\'", values.len()));
        }
        if let Some(township) = &query.township {
            values.push(township.clone());
            conditions.push(format!("township = ?{}", values.len()));
        }
        if let Some(site) = &query.site {
            values.push(site.clone());
            conditions.push(format!("site = ?{}", values.len()));
        }
        if let Some(status) = query.status {
            values.push(status.code().to_string());
            conditions.push(format!("status = ?{}", values.len()));
        }
        if query.with_open_findings {
            conditions.push("open_findings > 0".to_string());
        }
        let clause = if conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conditions.join(" AND "))
        };
        (clause, values)
    }

    /// The households matching `query`, by township, village and household number.
    pub fn search(&self, query: &HouseholdQuery) -> Result<Vec<HouseholdSummary>> {
        let (clause, values) = Self::where_clause(query);
        let sql = format!(
            "SELECT id, number, head_name, id_number, size, township, village, site, status,
                    open_findings
             FROM households {clause}
             ORDER BY township, village, number
             LIMIT {} OFFSET {}",
            query.limit.map_or(-1, i64::from),
            query.offset.unwrap_or(0)
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(values.iter()), |row| {
            Ok((
                row.get::<_, String>(0)?,
                HouseholdSummary {
                    id: Uuid::nil(),
                    number: row.get(1)?,
                    head_name: row.get(2)?,
                    id_number: row.get(3)?,
                    size: row.get(4)?,
                    township: row.get(5)?,
                    village: row.get(6)?,
                    site: row.get(7)?,
                    status: HouseholdStatus::ToInspect,
                    open_findings: row.get(9)?,
                },
                row.get::<_, String>(8)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, mut summary, status) = row?;
            summary.id = parse_uuid(&id, "household id")?;
            summary.status = HouseholdStatus::from_code(&status).ok_or(StoreError::Corrupt {
                what: format!("status {status}"),
            })?;
            out.push(summary);
        }
        Ok(out)
    }

    /// How many households match the whole query (limit and offset aside).
    pub fn count(&self, query: &HouseholdQuery) -> Result<u32> {
        let (clause, values) = Self::where_clause(query);
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT count(*) FROM households {clause}"))?;
        Ok(stmt.query_row(rusqlite::params_from_iter(values.iter()), |row| row.get(0))?)
    }

    /// The household's open (or reopened) findings, as its list row shows them.
    pub fn open_findings(&self, id: Uuid) -> Result<u32> {
        self.conn
            .query_row(
                "SELECT open_findings FROM households WHERE id = ?1",
                [id.to_string()],
                |row| row.get(0),
            )
            .optional()?
            .ok_or(StoreError::UnknownHousehold(id))
    }

    /// How many households match the text and place filters, by status.
    pub fn count_by_status(&self, query: &HouseholdQuery) -> Result<StatusCounts> {
        let filter = HouseholdQuery {
            status: None,
            with_open_findings: false,
            ..query.clone()
        };
        let (clause, values) = Self::where_clause(&filter);
        let sql = format!(
            "SELECT count(*),
                    count(*) FILTER (WHERE status = 'to_inspect'),
                    count(*) FILTER (WHERE status = 'draft'),
                    count(*) FILTER (WHERE status = 'submitted'),
                    count(*) FILTER (WHERE status = 'synced'),
                    count(*) FILTER (WHERE open_findings > 0)
             FROM households {clause}"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        Ok(
            stmt.query_row(rusqlite::params_from_iter(values.iter()), |row| {
                Ok(StatusCounts {
                    total: row.get(0)?,
                    to_inspect: row.get(1)?,
                    draft: row.get(2)?,
                    submitted: row.get(3)?,
                    synced: row.get(4)?,
                    with_open_findings: row.get(5)?,
                })
            })?,
        )
    }

    /// The townships and, per township, the sites on the device, for the filters.
    pub fn places(&self) -> Result<BTreeMap<String, Vec<String>>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT DISTINCT township, site FROM households ORDER BY township, site",
        )?;
        let mut places: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let rows = stmt.query_map([], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, Option<String>>(1)?))
        })?;
        for row in rows {
            let (township, site) = row?;
            let sites = places.entry(township).or_default();
            if let Some(site) = site {
                sites.push(site);
            }
        }
        Ok(places)
    }

    // -- drafts ----------------------------------------------------------------------

    /// The open draft of this kind for the household, or a new empty one.
    pub fn open_draft(&mut self, household_id: Uuid, kind: SubmissionKind) -> Result<Draft> {
        if let Some(draft) = self.draft_for(household_id, kind)? {
            return Ok(draft);
        }
        if !self.has_household(household_id)? {
            return Err(StoreError::UnknownHousehold(household_id));
        }
        let form = match kind {
            SubmissionKind::Acceptance => anju_core::form::acceptance_form_v1(),
            SubmissionKind::SpotCheck => anju_core::form::spot_check_form_v1(),
        };
        let id = Uuid::now_v7();
        let at = now().to_rfc3339();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO drafts (id, household_id, kind, form_id, form_version, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
            params![
                id.to_string(),
                household_id.to_string(),
                kind.code(),
                form.id,
                form.version,
                at
            ],
        )?;
        refresh_status(&tx, household_id)?;
        tx.commit()?;
        self.draft(id)
    }

    pub fn draft(&self, id: Uuid) -> Result<Draft> {
        self.conn
            .query_row(
                "SELECT id, household_id, kind, form_id, form_version, answers_json, revision, updated_at
                 FROM drafts WHERE id = ?1",
                [id.to_string()],
                |row| Ok(read_draft(row)),
            )
            .optional()?
            .ok_or(StoreError::UnknownDraft(id))?
    }

    pub fn draft_for(&self, household_id: Uuid, kind: SubmissionKind) -> Result<Option<Draft>> {
        self.conn
            .query_row(
                "SELECT id, household_id, kind, form_id, form_version, answers_json, revision, updated_at
                 FROM drafts WHERE household_id = ?1 AND kind = ?2",
                params![household_id.to_string(), kind.code()],
                |row| Ok(read_draft(row)),
            )
            .optional()?
            .transpose()
    }

    /// Save one answer (or clear it with `None`) in its own transaction. With
    /// `expected_revision`, a write based on an older copy of the draft is refused
    /// instead of silently undoing a newer change.
    pub fn save_answer(
        &mut self,
        draft_id: Uuid,
        key: &str,
        answer: Option<Answer>,
        expected_revision: Option<i64>,
    ) -> Result<Draft> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (answers_json, revision): (String, i64) = tx
            .query_row(
                "SELECT answers_json, revision FROM drafts WHERE id = ?1",
                [draft_id.to_string()],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?
            .ok_or(StoreError::UnknownDraft(draft_id))?;
        if let Some(expected) = expected_revision
            && expected != revision
        {
            return Err(StoreError::StaleRevision {
                expected,
                actual: revision,
            });
        }
        let mut answers: FormAnswers = serde_json::from_str(&answers_json)?;
        match answer {
            Some(answer) => answers.set(key, answer),
            None => {
                answers.remove(key);
            }
        }
        tx.execute(
            "UPDATE drafts SET answers_json = ?1, revision = revision + 1, updated_at = ?2
             WHERE id = ?3",
            params![
                serde_json::to_string(&answers)?,
                now().to_rfc3339(),
                draft_id.to_string()
            ],
        )?;
        tx.commit()?;
        self.draft(draft_id)
    }

    /// Throw a draft away (the inspector chose to), leaving its photos on disk for reuse.
    pub fn discard_draft(&mut self, draft_id: Uuid) -> Result<()> {
        let draft = self.draft(draft_id)?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute("DELETE FROM drafts WHERE id = ?1", [draft_id.to_string()])?;
        refresh_status(&tx, draft.household_id)?;
        tx.commit()?;
        Ok(())
    }

    // -- evidence --------------------------------------------------------------------

    /// Store a (processed) photo file under its SHA-256 and record its metadata. Adding
    /// the same bytes again returns the existing record.
    pub fn add_photo(&mut self, bytes: &[u8], photo: NewPhoto) -> Result<PhotoMeta> {
        if !self.has_household(photo.household_id)? {
            return Err(StoreError::UnknownHousehold(photo.household_id));
        }
        let sha256 = self.put_blob(bytes)?;
        let meta = PhotoMeta {
            sha256: sha256.clone(),
            household_id: photo.household_id,
            slot: photo.slot,
            bytes: bytes.len() as u64,
            width: photo.width,
            height: photo.height,
            taken: photo.taken,
            latitude: photo.latitude,
            longitude: photo.longitude,
        };
        self.conn.execute(
            "INSERT INTO photos (sha256, household_id, slot, bytes, width, height, device_time,
                 trusted_time, clock_offset_ms, latitude, longitude, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
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
            ],
        )?;
        self.photo(&sha256)?.ok_or(StoreError::MissingPhoto(sha256))
    }

    pub fn photo(&self, sha256: &str) -> Result<Option<PhotoMeta>> {
        self.conn
            .query_row(
                "SELECT sha256, household_id, slot, bytes, width, height, device_time,
                        trusted_time, clock_offset_ms, latitude, longitude
                 FROM photos WHERE sha256 = ?1",
                [sha256],
                |row| Ok(read_photo(row)),
            )
            .optional()?
            .transpose()
    }

    // -- submitting ------------------------------------------------------------------

    /// Turn a complete draft into an immutable submission. In one transaction: the
    /// submission, its signatures and findings, and an outbox entry for each photo,
    /// signature, the submission and each finding (in the order the office needs them:
    /// evidence first). The draft is gone afterwards; its id is the submission's id.
    pub fn submit(
        &mut self,
        draft_id: Uuid,
        inspector: &str,
        clock: ClockReading,
        ctx: &FormContext,
    ) -> Result<Submission> {
        let draft = self.draft(draft_id)?;
        let form: FormSchema = form_by_id(&draft.form_id, draft.form_version).ok_or_else(|| {
            StoreError::UnknownForm {
                form_id: draft.form_id.clone(),
                version: draft.form_version,
            }
        })?;
        let issues = form.validate(&draft.answers, ctx);
        if !issues.is_empty() {
            return Err(StoreError::Incomplete {
                count: issues.len(),
                issues,
            });
        }
        // The figures the device gives under its policy, for the office to check.
        let recorded_area = draft
            .answers
            .measurement()
            .map(|measurement| {
                anju_core::area::assess(
                    measurement,
                    ctx.household_size,
                    &ctx.policy,
                    &ctx.policy_context,
                )
                .map(|assessment| anju_core::records::recorded_area(&assessment))
            })
            .transpose()
            .map_err(|e| StoreError::Incomplete {
                count: 1,
                issues: vec![anju_core::form::FormIssue {
                    section: "area".into(),
                    item: "area_measurement".into(),
                    item_label: anju_core::form::Text::new("实测建筑面积", "Measured built area"),
                    problem: anju_core::form::Problem::AreaInvalid {
                        message: e.to_string(),
                    },
                }],
            })?;
        let submission = Submission {
            id: draft.id,
            household_id: draft.household_id,
            kind: draft.kind,
            form_id: draft.form_id.clone(),
            form_version: draft.form_version,
            inspector: inspector.to_string(),
            answers: draft.answers.clone(),
            clock,
            policy_version: ctx.policy_version,
            recorded_area,
        };
        let content = content_sha256(&submission)?;
        let household = draft.household_id.to_string();
        let at = now().to_rfc3339();

        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let enqueue = |kind: RecordKind, id: &str, sha: &str| -> Result<()> {
            tx.execute(
                "INSERT INTO outbox (record_kind, record_id, household_id, content_sha256, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (record_kind, record_id) DO NOTHING",
                params![kind.code(), id, household, sha, at],
            )?;
            Ok(())
        };
        for answer in draft.answers.0.values() {
            if let Answer::Photos { sha256 } = answer {
                for sha in sha256 {
                    // The entry's hash is the content hash of the photo's metadata (what
                    // goes on the wire), not the file's hash (which is its id).
                    let meta = tx
                        .query_row(
                            "SELECT sha256, household_id, slot, bytes, width, height, device_time,
                                    trusted_time, clock_offset_ms, latitude, longitude
                             FROM photos WHERE sha256 = ?1",
                            [sha],
                            |row| Ok(read_photo(row)),
                        )
                        .optional()?
                        .ok_or_else(|| StoreError::MissingPhoto(sha.clone()))??;
                    enqueue(RecordKind::Photo, sha, &content_sha256(&meta)?)?;
                }
            }
        }
        for (slot, answer) in &draft.answers.0 {
            if let Answer::Signature { signature } = answer {
                insert_signature(&tx, draft.household_id, slot, signature)?;
                let record = SignatureRecord {
                    household_id: draft.household_id,
                    signature: signature.clone(),
                };
                enqueue(
                    RecordKind::Signature,
                    &signature.id.to_string(),
                    &content_sha256(&record)?,
                )?;
            }
        }
        tx.execute(
            "INSERT INTO submissions (id, household_id, kind, form_id, form_version, inspector,
                 answers_json, content_sha256, device_time, trusted_time, clock_offset_ms, created_at,
                 policy_version, recorded_area_json)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            params![
                submission.id.to_string(),
                household,
                submission.kind.code(),
                submission.form_id,
                submission.form_version,
                submission.inspector,
                serde_json::to_string(&submission.answers)?,
                content,
                clock.device_time.to_rfc3339(),
                clock.trusted_time.map(|t| t.to_rfc3339()),
                clock.offset_ms,
                at,
                submission.policy_version,
                submission
                    .recorded_area
                    .as_ref()
                    .map(serde_json::to_string)
                    .transpose()?,
            ],
        )?;
        enqueue(RecordKind::Submission, &submission.id.to_string(), &content)?;
        if let Some(Answer::Findings { items }) = draft.answers.get("findings") {
            for draft_finding in items {
                let finding = Finding {
                    id: Uuid::now_v7(),
                    household_id: draft.household_id,
                    submission_id: Some(submission.id),
                    item: draft_finding.item.clone(),
                    description: draft_finding.description.clone(),
                    deadline: draft_finding.deadline,
                    state: FindingState::Open,
                };
                tx.execute(
                    "INSERT INTO findings (id, household_id, submission_id, item, description,
                         deadline, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    params![
                        finding.id.to_string(),
                        household,
                        submission.id.to_string(),
                        finding.item,
                        finding.description,
                        finding.deadline.to_string(),
                        at
                    ],
                )?;
                enqueue(
                    RecordKind::Finding,
                    &finding.id.to_string(),
                    &content_sha256(&finding)?,
                )?;
            }
        }
        tx.execute("DELETE FROM drafts WHERE id = ?1", [draft_id.to_string()])?;
        refresh_status(&tx, draft.household_id)?;
        tx.commit()?;
        Ok(submission)
    }

    pub fn submissions_for(&self, household_id: Uuid) -> Result<Vec<Submission>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, household_id, kind, form_id, form_version, inspector, answers_json,
                    device_time, trusted_time, clock_offset_ms, policy_version, recorded_area_json
             FROM submissions WHERE household_id = ?1 ORDER BY created_at, id",
        )?;
        let rows = stmt.query_map([household_id.to_string()], |row| Ok(read_submission(row)))?;
        let mut out = Vec::new();
        for row in rows {
            out.push(row??);
        }
        Ok(out)
    }

    pub fn submission(&self, id: Uuid) -> Result<Option<(Submission, String)>> {
        self.conn
            .query_row(
                "SELECT id, household_id, kind, form_id, form_version, inspector, answers_json,
                        device_time, trusted_time, clock_offset_ms, policy_version,
                        recorded_area_json, content_sha256
                 FROM submissions WHERE id = ?1",
                [id.to_string()],
                |row| {
                    let sha: String = row.get(12)?;
                    Ok(read_submission(row).map(|s| (s, sha)))
                },
            )
            .optional()?
            .transpose()
    }

    // -- outbox ----------------------------------------------------------------------

    /// Everything not yet acknowledged by the office, oldest first.
    pub fn pending_outbox(&self) -> Result<Vec<OutboxEntry>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {OUTBOX_COLUMNS} FROM outbox
             WHERE acknowledged_at IS NULL AND rejected_at IS NULL ORDER BY seq"
        ))?;
        let rows = stmt.query_map([], |row| Ok(read_outbox_entry(row)))?;
        let mut out = Vec::new();
        for row in rows {
            out.push(row??);
        }
        Ok(out)
    }

    /// Record a failed attempt, keeping the entry pending.
    pub fn note_attempt_failed(&mut self, seq: i64, error: &str) -> Result<()> {
        self.conn.execute(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ?1 WHERE seq = ?2",
            params![error, seq],
        )?;
        Ok(())
    }

    /// The office confirmed these entries: mark them and update the households' status.
    pub fn acknowledge(&mut self, seqs: &[i64]) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let at = now().to_rfc3339();
        let mut households = std::collections::BTreeSet::new();
        for seq in seqs {
            let household: Option<String> = tx
                .query_row(
                    "UPDATE outbox SET acknowledged_at = ?1, last_error = NULL
                     WHERE seq = ?2 AND acknowledged_at IS NULL RETURNING household_id",
                    params![at, seq],
                    |row| row.get(0),
                )
                .optional()?;
            if let Some(household) = household {
                households.insert(household);
            }
        }
        for household in households {
            refresh_status(&tx, parse_uuid(&household, "outbox household")?)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The body of an outbox entry as it goes on the wire, checked against the hash that
    /// was recorded when the entry was made (a changed or damaged record is refused).
    pub fn outbox_record(&self, entry: &OutboxEntry) -> Result<RecordBody> {
        let body = match entry.kind {
            RecordKind::Photo => RecordBody::Photo(
                self.photo(&entry.record_id)?
                    .ok_or_else(|| StoreError::MissingPhoto(entry.record_id.clone()))?,
            ),
            RecordKind::Submission => {
                let id = parse_uuid(&entry.record_id, "outbox submission")?;
                let (submission, _) = self.submission(id)?.ok_or_else(|| StoreError::Corrupt {
                    what: format!("outbox names a missing submission {id}"),
                })?;
                RecordBody::Submission(submission)
            }
            RecordKind::Signature => {
                RecordBody::Signature(self.signature_record(&entry.record_id)?)
            }
            RecordKind::Finding => RecordBody::Finding(self.finding(&entry.record_id)?),
        };
        if body.content_sha256()? != entry.content_sha256 {
            return Err(StoreError::Corrupt {
                what: format!(
                    "{} {} no longer matches the hash it had when submitted",
                    entry.kind.code(),
                    entry.record_id
                ),
            });
        }
        Ok(body)
    }

    fn signature_record(&self, id: &str) -> Result<SignatureRecord> {
        self.conn
            .query_row(
                "SELECT household_id, slot, signer_name, method_json, image_sha256,
                        signed_content_sha256, signed_at
                 FROM signatures WHERE id = ?1",
                [id],
                |row| {
                    Ok((
                        row.get::<_, String>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, String>(2)?,
                        row.get::<_, String>(3)?,
                        row.get::<_, String>(4)?,
                        row.get::<_, String>(5)?,
                        row.get::<_, String>(6)?,
                    ))
                },
            )
            .optional()?
            .ok_or_else(|| StoreError::Corrupt {
                what: format!("outbox names a missing signature {id}"),
            })
            .and_then(
                |(household, slot, signer_name, method, image, content, at)| {
                    let method: SignatureMethod = serde_json::from_str(&method)?;
                    Ok(SignatureRecord {
                        household_id: parse_uuid(&household, "signature household")?,
                        signature: SignatureMeta {
                            id: parse_uuid(id, "signature id")?,
                            slot,
                            signer_name,
                            method,
                            image_sha256: image,
                            signed_content_sha256: content,
                            signed_at: parse_time(&at)?,
                        },
                    })
                },
            )
    }

    fn finding(&self, id: &str) -> Result<Finding> {
        self.conn
            .query_row(
                &format!("SELECT {FINDING_COLUMNS} FROM findings f WHERE f.id = ?1"),
                [id],
                |row| Ok(read_finding(row)),
            )
            .optional()?
            .ok_or_else(|| StoreError::Corrupt {
                what: format!("outbox names a missing finding {id}"),
            })?
    }

    /// The office refused this entry for good: keep it, out of the queue, with the reason.
    pub fn reject(&mut self, seq: i64, code: u16, message: &str) -> Result<()> {
        self.conn.execute(
            "UPDATE outbox SET rejected_at = ?1, rejection_code = ?2, last_error = ?3,
                 attempts = attempts + 1
             WHERE seq = ?4",
            params![now().to_rfc3339(), code, message, seq],
        )?;
        Ok(())
    }

    /// Entries the office refused, for the inspector and the office to look at.
    pub fn rejected_outbox(&self) -> Result<Vec<(OutboxEntry, u16)>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {OUTBOX_COLUMNS}, rejection_code FROM outbox
             WHERE rejected_at IS NOT NULL ORDER BY seq"
        ))?;
        let rows = stmt.query_map([], |row| {
            Ok((read_outbox_entry(row), row.get::<_, u16>(7)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (entry, code) = row?;
            out.push((entry?, code));
        }
        Ok(out)
    }

    /// The ids of every household on the device (for the assigned-set digest).
    pub fn household_ids(&self) -> Result<Vec<Uuid>> {
        let mut stmt = self.conn.prepare_cached("SELECT id FROM households")?;
        let rows = stmt.query_map([], |row| row.get::<_, String>(0))?;
        let mut out = Vec::new();
        for row in rows {
            out.push(parse_uuid(&row?, "household id")?);
        }
        Ok(out)
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

    /// Every finding on the device with its household, in the state the office's
    /// rectification has it (as last pulled): open and reopened ones first, then by deadline.
    pub fn findings_list(&self) -> Result<Vec<FindingRow>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {SHOWN_FINDING_COLUMNS}, h.head_name, h.number, h.township, h.village,
                    EXISTS (SELECT 1 FROM outbox o WHERE o.record_kind = 'finding'
                            AND o.record_id = f.id AND o.acknowledged_at IS NOT NULL),
                    office.note, office.changed_at
             FROM findings f JOIN households h ON h.id = f.household_id
             LEFT JOIN office_findings office ON office.finding_id = f.id
             ORDER BY CASE WHEN coalesce(office.state, f.state) IN ('open', 'reopened')
                           THEN 0 ELSE 1 END,
                      f.deadline, f.created_at"
        ))?;
        let rows = stmt.query_map([], |row| {
            Ok((
                read_finding(row),
                row.get::<_, String>(7)?,
                row.get::<_, String>(8)?,
                row.get::<_, String>(9)?,
                row.get::<_, String>(10)?,
                row.get::<_, bool>(11)?,
                row.get::<_, Option<String>>(12)?,
                row.get::<_, Option<String>>(13)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (
                finding,
                head_name,
                household_number,
                township,
                village,
                synced,
                office_note,
                office_changed_at,
            ) = row?;
            out.push(FindingRow {
                finding: finding?,
                head_name,
                household_number,
                township,
                village,
                synced,
                office_note,
                office_changed_at: office_changed_at.as_deref().map(parse_time).transpose()?,
                raised_by_office: false,
            });
        }
        out.extend(self.findings_raised_by_office()?);
        Ok(out)
    }

    /// The findings the office raised on this device's households (面积超标, a critical
    /// item): the device learns them with the household's history.
    fn findings_raised_by_office(&self) -> Result<Vec<FindingRow>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT o.finding_id, o.household_id, o.state, o.description, o.deadline, o.note,
                    o.changed_at, o.origin, h.head_name, h.number, h.township, h.village
             FROM office_findings o JOIN households h ON h.id = o.household_id
             WHERE o.origin <> 'inspector' AND o.description IS NOT NULL
               AND o.deadline IS NOT NULL
             ORDER BY o.deadline, o.changed_at",
        )?;
        let rows = stmt.query_map([], |row| {
            Ok((
                [
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, String>(3)?,
                    row.get::<_, String>(4)?,
                ],
                row.get::<_, Option<String>>(5)?,
                row.get::<_, String>(6)?,
                row.get::<_, String>(7)?,
                [
                    row.get::<_, String>(8)?,
                    row.get::<_, String>(9)?,
                    row.get::<_, String>(10)?,
                    row.get::<_, String>(11)?,
                ],
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let ([id, household, state, description, deadline], note, changed_at, origin, place) =
                row?;
            let [head_name, household_number, township, village] = place;
            out.push(FindingRow {
                finding: Finding {
                    id: parse_uuid(&id, "finding id")?,
                    household_id: parse_uuid(&household, "household id")?,
                    submission_id: None,
                    item: (origin == "area_over_cap").then(|| "area_measurement".to_string()),
                    description,
                    deadline: deadline.parse().map_err(|_| StoreError::Corrupt {
                        what: format!("deadline of office finding {id}"),
                    })?,
                    state: FindingState::from_code(&state).ok_or_else(|| StoreError::Corrupt {
                        what: format!("state of office finding {id}"),
                    })?,
                },
                head_name,
                household_number,
                township,
                village,
                synced: true,
                office_note: note,
                office_changed_at: Some(parse_time(&changed_at)?),
                raised_by_office: true,
            });
        }
        Ok(out)
    }

    /// The findings a submission made.
    pub fn findings_of_submission(&self, submission_id: Uuid) -> Result<u32> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM findings WHERE submission_id = ?1",
            [submission_id.to_string()],
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

/// Recompute a household's status from its drafts, outbox, submissions (less those the
/// office returned) and findings.
fn refresh_status(conn: &Connection, household_id: Uuid) -> Result<()> {
    conn.execute(
        "UPDATE households SET
            status = CASE
                WHEN EXISTS (SELECT 1 FROM drafts WHERE household_id = ?1) THEN 'draft'
                WHEN EXISTS (SELECT 1 FROM outbox WHERE household_id = ?1
                             AND acknowledged_at IS NULL) THEN 'submitted'
                -- The status is this device's work: another device's inspection does
                -- not do a supervisor's spot check. What the office returned (退回) does
                -- not count: the household is to inspect again.
                WHEN EXISTS (SELECT 1 FROM submissions s WHERE s.household_id = ?1
                             AND NOT EXISTS (SELECT 1 FROM office_inspections o
                                             WHERE o.submission_id = s.id AND o.returned))
                     THEN 'synced'
                ELSE 'to_inspect'
            END,
            open_findings = (SELECT count(*) FROM findings f
                             LEFT JOIN office_findings office ON office.finding_id = f.id
                             WHERE f.household_id = ?1
                               AND coalesce(office.state, f.state) IN ('open', 'reopened'))
         WHERE id = ?1",
        [household_id.to_string()],
    )?;
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
    })
}

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
    })
}

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

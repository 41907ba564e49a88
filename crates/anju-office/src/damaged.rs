//! Rows that cannot be read (written by an older version, edited by hand, damaged on disk)
//! are found and set aside here, with the reason. The pages already show such a row as
//! damaged and load the rest; setting it aside (`anju-office damaged quarantine`) also
//! keeps it out of the lists, the counts, the decisions and the pull. Nothing is edited or
//! deleted: a submission stays exactly as it arrived.

use anju_sql::{OptionalExtension, params};
use chrono::Utc;
use serde::Serialize;

use crate::db::{OfficeDb, OfficeDbError};
use crate::services::{Cells, cell, stored_time};

/// A row that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DamagedRecord {
    /// `household`, `submission`, `finding`, `photo`, `signature`, `policy`, `conflict`.
    pub kind: String,
    pub id: String,
    pub reason: String,
    /// Already set aside.
    pub quarantined: bool,
}

/// The kinds of record that can be set aside, and the table each lives in.
pub const KINDS: [(&str, &str, &str); 5] = [
    ("household", "households", "id"),
    ("submission", "submissions", "id"),
    ("finding", "findings", "id"),
    ("photo", "photos", "sha256"),
    ("signature", "signatures", "id"),
];

#[derive(Debug, thiserror::Error)]
pub enum DamagedError {
    #[error(transparent)]
    Db(#[from] OfficeDbError),
    #[error(
        "未知的记录类型“{0}”（household、submission、finding、photo、signature） / unknown kind '{0}' (household, submission, finding, photo, signature)"
    )]
    UnknownKind(String),
    #[error("没有{kind}记录“{id}” / there is no {kind} '{id}'")]
    NoSuchRecord { kind: String, id: String },
    #[error("请写明搁置的原因 / give the reason for setting it aside")]
    NoReason,
}

impl From<anju_sql::Error> for DamagedError {
    fn from(error: anju_sql::Error) -> Self {
        Self::Db(OfficeDbError::Sql(error))
    }
}

fn rows(db: &OfficeDb, sql: &str, columns: usize) -> Result<Vec<Cells>, OfficeDbError> {
    let mut stmt = db.connection().prepare(sql)?;
    let rows = stmt
        .query_map([], |r| Ok(Cells::read(r, 0..columns)))?
        .collect::<anju_sql::Result<Vec<_>>>()?;
    Ok(rows)
}

fn time(cells: &Cells, index: usize, what: &str) -> Result<(), String> {
    cells.parse(index, what, stored_time).map(|_| ())
}

/// Every row that cannot be read, by kind, with why.
pub fn scan(db: &OfficeDb) -> Result<Vec<DamagedRecord>, OfficeDbError> {
    let quarantined: std::collections::BTreeSet<(String, String)> = db
        .connection()
        .prepare("SELECT record_kind, record_id FROM quarantine")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<anju_sql::Result<_>>()?;
    let mut found = Vec::new();
    let mut report = |kind: &str, id: Option<String>, reason: String| {
        let id = id.unwrap_or_else(|| "?".into());
        found.push(DamagedRecord {
            quarantined: quarantined.contains(&(kind.to_string(), id.clone())),
            kind: kind.to_string(),
            id,
            reason,
        });
    };

    // Households, as the pull sends them.
    let sql = format!(
        "SELECT {} {}",
        crate::db::HOUSEHOLD_COLUMNS,
        crate::db::HOUSEHOLD_JOINS
    );
    let mut stmt = db.connection().prepare(&sql)?;
    let households = stmt
        .query_map([], |r| {
            Ok((cell(r, 0), crate::db::read_household(r, 0).map(|_| ())))
        })?
        .collect::<anju_sql::Result<Vec<_>>>()?;
    for (id, read) in households {
        if let Err(e) = read {
            report("household", id, e.to_string());
        }
    }

    // Submissions, as the pages and the office's judgement read them.
    let sql = format!(
        "SELECT {} FROM submissions s",
        crate::services::submission::SUBMISSION_COLUMNS
    );
    let mut stmt = db.connection().prepare(&sql)?;
    let submissions = stmt
        .query_map([], crate::services::submission::read_submission)?
        .collect::<anju_sql::Result<Vec<_>>>()?;
    let forms = crate::forms::form_catalog(db.connection())?;
    for raw in submissions {
        let id = raw.id();
        let read = raw
            .parse()
            .and_then(|s| s.schema(&forms).and_then(|_| s.to_submission()));
        if let Err(e) = read {
            report("submission", Some(id), e.to_string());
        }
    }

    for row in rows(
        db,
        "SELECT id, deadline, state, origin, created_at, updated_at FROM findings",
        6,
    )? {
        let check = || -> Result<(), String> {
            row.parse(1, "deadline", |t| t.parse::<chrono::NaiveDate>().ok())?;
            row.parse(2, "state", anju_core::model::FindingState::from_code)?;
            row.parse(3, "origin", anju_core::verdict::FindingOrigin::from_code)?;
            time(&row, 4, "created_at")?;
            time(&row, 5, "updated_at")
        };
        if let Err(reason) = check() {
            report("finding", row.get(0), reason);
        }
    }

    for row in rows(
        db,
        "SELECT sha256, device_time, trusted_time FROM photos",
        3,
    )? {
        let check = || -> Result<(), String> {
            time(&row, 1, "device_time")?;
            row.parse_optional(2, "trusted_time", stored_time)?;
            Ok(())
        };
        if let Err(reason) = check() {
            report("photo", row.get(0), reason);
        }
    }

    for row in rows(db, "SELECT id, method_json, signed_at FROM signatures", 3)? {
        let check = || -> Result<(), String> {
            serde_json::from_str::<anju_core::model::SignatureMethod>(
                &row.get(1).unwrap_or_default(),
            )
            .map_err(|e| format!("method: {e}"))?;
            time(&row, 2, "signed_at")
        };
        if let Err(reason) = check() {
            report("signature", row.get(0), reason);
        }
    }

    for row in rows(
        db,
        "SELECT version, effective_from, set_by, set_at, policy_json FROM policies",
        5,
    )? {
        let version = row.get(0).and_then(|v| v.parse().ok()).unwrap_or(0);
        if let Err(reason) = crate::decide::read_policy_row(
            version,
            &row.get(1).unwrap_or_default(),
            row.get(2).unwrap_or_default(),
            &row.get(3).unwrap_or_default(),
            &row.get(4).unwrap_or_default(),
        ) {
            report("policy", row.get(0), reason);
        }
    }
    Ok(found)
}

/// Set one record aside with a reason. Households, submissions, findings, photos and
/// signatures can be; a record set aside before stays so, with its first reason.
pub fn quarantine(
    db: &mut OfficeDb,
    kind: &str,
    id: &str,
    reason: &str,
    by: &str,
) -> Result<bool, DamagedError> {
    let Some((_, table, key)) = KINDS.iter().find(|(k, _, _)| *k == kind) else {
        return Err(DamagedError::UnknownKind(kind.to_string()));
    };
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(DamagedError::NoReason);
    }
    let tx = db
        .connection_mut()
        .transaction_with_behavior(anju_sql::TransactionBehavior::Immediate)?;
    // The household whose standing may change; a household is its own.
    let household_column = if kind == "household" {
        key
    } else {
        "household_id"
    };
    let household: Option<String> = tx
        .query_row(
            &format!("SELECT {household_column} FROM {table} WHERE {key} = ?1"),
            [id],
            |r| r.get(0),
        )
        .optional()?;
    let Some(household) = household else {
        return Err(DamagedError::NoSuchRecord {
            kind: kind.to_string(),
            id: id.to_string(),
        });
    };
    let added = tx.execute(
        "INSERT INTO quarantine (record_kind, record_id, reason, quarantined_by, quarantined_at)
         VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
        params![kind, id, reason, by, Utc::now().to_rfc3339()],
    )?;
    // What counted may no longer: the household's standing is worked out again.
    crate::decide::refresh_household(&tx, &household, Utc::now())?;
    tx.commit()?;
    Ok(added > 0)
}

/// Set aside every damaged row [`scan`] finds that can be, each with its reason.
pub fn quarantine_all(db: &mut OfficeDb, by: &str) -> Result<Vec<DamagedRecord>, DamagedError> {
    let mut set_aside = Vec::new();
    for record in scan(db)? {
        if record.quarantined || !KINDS.iter().any(|(k, _, _)| *k == record.kind) {
            continue;
        }
        if quarantine(db, &record.kind, &record.id, &record.reason, by)? {
            set_aside.push(record);
        }
    }
    Ok(set_aside)
}

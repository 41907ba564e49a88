//! A county grows into a province: `anju-office migrate --to postgres://… [--blobs s3://…]`
//! copies a SQLite office and its blob folder to PostgreSQL (and an object store).
//!
//! - Tables are copied in the order their references need, in batches, each batch one
//!   transaction on the target with `ON CONFLICT DO NOTHING`: a run that stopped half-way
//!   (a dropped connection, Ctrl-C) is run again and copies only what is missing.
//! - The office being copied should be stopped (or at least not written to): rows that
//!   change after they were copied are not copied again. The check at the end says so.
//! - Derived data (each household's standing, the judgement of each submission) is copied
//!   as it was and worked out again when the target is first opened.
//! - Then every table's rows are counted on both sides, and every blob is read back from
//!   the target and its SHA-256 checked.

use std::collections::BTreeMap;
use std::path::Path;

use anju_core::hash::{is_sha256_hex, sha256_hex};
use anju_sql::{Connection, Value, params_from_iter};

use crate::db::{OfficeDb, OfficeDbError};

/// The office's tables, in an order where each row's references are copied before it.
/// A test checks this against the tables the SQLite migrations make.
pub const TABLES_IN_ORDER: &[&str] = &[
    "settings",
    "townships",
    "villages",
    "sites",
    "imports",
    "households",
    "users",
    "device_tokens",
    "assignments",
    "unassignments",
    "sync_sequence",
    "submissions",
    "photos",
    "signatures",
    "findings",
    "conflicts",
    "devices",
    "submission_reviews",
    "finding_events",
    "samples",
    "sample_households",
    "policies",
    "submission_checks",
    "household_states",
    "quarantine",
    "audit_log",
    "login_failures",
    "print_jobs",
    "forms",
    "old_house_visits",
    "tasks",
    "support_measures",
    "teams",
    "team_members",
    "construction_visits",
    "site_plans",
    "acceptance_parts",
    "acceptance_merges",
    "integration_tokens",
    "integration_token_townships",
    // Last: copying the records above makes the target's triggers log changes of their
    // own, which the source's log (and its sequence) then replace, so that a system's
    // cursor reads on where it was.
    "read_changes",
    "read_sequence",
];

/// Tables whose rows the target may already have and the source's replace, with the key
/// they conflict on.
const REPLACED: &[(&str, &str)] = &[
    ("sync_sequence", "id"),
    ("read_changes", "feed, record_id"),
    ("read_sequence", "id"),
];
/// Identity columns whose sequences must continue after the copied values.
const IDENTITIES: &[(&str, &str)] = &[("conflicts", "id"), ("audit_log", "seq")];
/// Rows per transaction on the target.
const BATCH: usize = 500;

#[derive(Debug, thiserror::Error)]
pub enum MoveError {
    #[error(transparent)]
    Db(#[from] OfficeDbError),
    #[error("数据库错误 / database error: {0}")]
    Sql(#[from] anju_sql::Error),
    #[error("只能从 SQLite 办公室迁出 / only a SQLite office can be moved up")]
    SourceNotSqlite,
    #[error("目标必须是 PostgreSQL（postgres://…） / the target must be PostgreSQL (postgres://…)")]
    TargetNotPostgres,
    #[error("源数据库中有迁移不认识的表 {0} / the source has a table the move does not know: {0}")]
    UnknownTable(String),
    #[error(
        "{table}：源有 {source_rows} 行，目标有 {target_rows} 行 / {table}: {source_rows} rows in the source, {target_rows} in the target"
    )]
    CountMismatch {
        table: String,
        source_rows: u64,
        target_rows: u64,
    },
    #[error("照片或签名 {sha256}：{problem} / blob {sha256}: {problem}")]
    Blob { sha256: String, problem: String },
    #[error("文件错误 / file error: {0}")]
    Io(#[from] std::io::Error),
}

/// What a move did, table by table and for the blobs.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MoveReport {
    /// Rows now in each table on both sides (verified equal).
    pub tables: BTreeMap<String, u64>,
    /// Rows this run added (0 for a table an earlier run finished).
    pub copied: BTreeMap<String, u64>,
    pub blobs_checked: u64,
    pub blobs_copied: u64,
    pub blob_bytes_copied: u64,
}

fn count(conn: &Connection, table: &str) -> Result<u64, MoveError> {
    let n: i64 = conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?;
    Ok(u64::try_from(n).unwrap_or_default())
}

fn columns(source: &Connection, table: &str) -> Result<Vec<String>, MoveError> {
    let mut stmt = source.prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))?;
    let names = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<anju_sql::Result<Vec<_>>>()?;
    Ok(names)
}

/// Check that every table of the source is one the move knows.
fn known_tables(source: &Connection) -> Result<(), MoveError> {
    let mut stmt = source.prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table'
         AND name NOT IN ('sqlite_sequence', 'schema_migrations')",
    )?;
    let names = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<anju_sql::Result<Vec<_>>>()?;
    match names
        .into_iter()
        .find(|n| !TABLES_IN_ORDER.contains(&n.as_str()))
    {
        Some(unknown) => Err(MoveError::UnknownTable(unknown)),
        None => Ok(()),
    }
}

/// Copy one table; rows the target has are left as they are (except [`REPLACED`]).
fn copy_table(
    source: &Connection,
    target: &mut Connection,
    table: &str,
    progress: &mut dyn FnMut(&str, u64),
) -> Result<u64, MoveError> {
    let columns = columns(source, table)?;
    let list = columns.join(", ");
    let placeholders: Vec<String> = (1..=columns.len()).map(|i| format!("?{i}")).collect();
    let replaced = REPLACED.iter().find(|(name, _)| *name == table);
    let conflict = if let Some((_, key)) = replaced {
        let updates: Vec<String> = columns
            .iter()
            .map(|c| format!("{c} = excluded.{c}"))
            .collect();
        let ours: Vec<String> = columns.iter().map(|c| format!("{table}.{c}")).collect();
        let theirs: Vec<String> = columns.iter().map(|c| format!("excluded.{c}")).collect();
        // Counted as copied only when it changed.
        format!(
            "ON CONFLICT ({key}) DO UPDATE SET {} WHERE ({}) IS DISTINCT FROM ({})",
            updates.join(", "),
            ours.join(", "),
            theirs.join(", ")
        )
    } else {
        "ON CONFLICT DO NOTHING".into()
    };
    let insert = format!(
        "INSERT INTO {table} ({list}) VALUES ({}) {conflict}",
        placeholders.join(", ")
    );
    let mut stmt = source.prepare(&format!("SELECT {list} FROM {table} ORDER BY rowid"))?;
    let mut rows = stmt.query([])?;
    let mut copied = 0u64;
    let mut seen = 0u64;
    let mut batch: Vec<Vec<Value>> = Vec::with_capacity(BATCH);
    loop {
        let row = rows.next()?;
        let done = row.is_none();
        if let Some(row) = row {
            let values = (0..columns.len())
                .map(|i| row.get::<_, Value>(i))
                .collect::<anju_sql::Result<Vec<_>>>()?;
            batch.push(values);
        }
        if batch.len() >= BATCH || (done && !batch.is_empty()) {
            let tx = target.transaction()?;
            for values in batch.drain(..) {
                copied += tx.execute(&insert, params_from_iter(values))? as u64;
                seen += 1;
            }
            tx.commit()?;
            progress(table, seen);
        }
        if done {
            break;
        }
    }
    Ok(copied)
}

/// Copy the SQLite office `source` into the PostgreSQL database at `target_url`, then check
/// that both hold the same number of rows in every table. `progress` hears (table, rows so
/// far).
pub fn copy_records(
    source: &OfficeDb,
    target_url: &str,
    progress: &mut dyn FnMut(&str, u64),
) -> Result<MoveReport, MoveError> {
    let source = source.connection();
    if source.backend() != anju_sql::Backend::Sqlite {
        return Err(MoveError::SourceNotSqlite);
    }
    if !(target_url.starts_with("postgres://") || target_url.starts_with("postgresql://")) {
        return Err(MoveError::TargetNotPostgres);
    }
    known_tables(source)?;
    // The schema only: the office's own start would make a policy and standings of its
    // own before the source's arrive.
    let mut target = Connection::connect_postgres(target_url)?;
    anju_sql::migrate_postgres(&mut target, crate::db::POSTGRES_MIGRATIONS)?;
    let mut report = MoveReport::default();
    for table in TABLES_IN_ORDER {
        let copied = copy_table(source, &mut target, table, progress)?;
        report.copied.insert((*table).to_string(), copied);
    }
    for (table, column) in IDENTITIES {
        target.execute_batch(&format!(
            "SELECT setval(pg_get_serial_sequence('{table}', '{column}'),
                           coalesce((SELECT max({column}) FROM {table}), 0) + 1, false)"
        ))?;
    }
    for table in TABLES_IN_ORDER {
        let (source_rows, target_rows) = (count(source, table)?, count(&target, table)?);
        if source_rows != target_rows {
            return Err(MoveError::CountMismatch {
                table: (*table).to_string(),
                source_rows,
                target_rows,
            });
        }
        report.tables.insert((*table).to_string(), source_rows);
    }
    Ok(report)
}

/// Where the blobs go: the object store, or a folder.
pub trait BlobTarget {
    /// Whether a complete blob of this hash is there, its content checked.
    fn has_checked(&self, sha256: &str) -> Result<bool, String>;
    /// Store a blob whose hash the caller checked.
    fn put(&self, sha256: &str, bytes: Vec<u8>) -> Result<(), String>;
}

/// Copy every complete blob under `folder` (`ab/<sha256>`) to `target`, each checked
/// against its name before and read back checked after; a run again copies what is
/// missing. `progress` hears the blobs done so far.
pub fn copy_blobs(
    folder: &Path,
    target: &dyn BlobTarget,
    report: &mut MoveReport,
    progress: &mut dyn FnMut(u64),
) -> Result<(), MoveError> {
    if !folder.is_dir() {
        return Ok(());
    }
    for shard in std::fs::read_dir(folder)? {
        let shard = shard?.path();
        let is_shard = shard
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.len() == 2);
        if !shard.is_dir() || !is_shard {
            continue; // partial/: unfinished uploads are not copied
        }
        for file in std::fs::read_dir(&shard)? {
            let path = file?.path();
            let Some(sha256) = path
                .file_name()
                .and_then(|n| n.to_str())
                .map(str::to_string)
            else {
                continue;
            };
            if !is_sha256_hex(&sha256) {
                continue;
            }
            let problem = |problem: String| MoveError::Blob {
                sha256: sha256.clone(),
                problem,
            };
            if !target.has_checked(&sha256).map_err(problem)? {
                let bytes = std::fs::read(&path)?;
                if sha256_hex(&bytes) != sha256 {
                    return Err(problem(
                        "文件内容与名称不符，未复制 / its content does not match its name; not copied"
                            .into(),
                    ));
                }
                let len = bytes.len() as u64;
                target.put(&sha256, bytes).map_err(problem)?;
                if !target.has_checked(&sha256).map_err(problem)? {
                    return Err(problem(
                        "复制后读回的内容不符 / read back after the copy, it does not match".into(),
                    ));
                }
                report.blobs_copied += 1;
                report.blob_bytes_copied = report.blob_bytes_copied.saturating_add(len);
            }
            report.blobs_checked += 1;
            progress(report.blobs_checked);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_move_knows_every_table_the_migrations_make() {
        let dir = tempfile::tempdir().unwrap();
        let db = OfficeDb::create(dir.path()).unwrap();
        known_tables(db.connection()).unwrap();
        for table in TABLES_IN_ORDER {
            count(db.connection(), table).unwrap();
        }
    }
}

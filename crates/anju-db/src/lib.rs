//! SQLite plumbing shared by the device store and the office database.
//!
//! - [`open`] sets the pragmas every Anju database relies on: WAL (readers do not block
//!   the writer, a crash never corrupts), foreign keys, a busy timeout.
//! - [`migrate`] applies numbered SQL migrations that the caller embeds at build time
//!   (`include_str!`), each in its own transaction. The checksum of each applied migration
//!   is stored, so a landed migration that was edited afterwards is refused instead of
//!   silently leaving databases in different shapes.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use sha2::{Digest, Sha256};

/// One embedded migration: `0001_init.sql` is version 1, named `init`.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("无法打开数据库 {path} / cannot open the database {path}: {source}")]
    Open {
        path: String,
        source: rusqlite::Error,
    },
    #[error("数据库迁移 {version:04}_{name} 失败 / migration {version:04}_{name} failed: {source}")]
    MigrationFailed {
        version: i64,
        name: String,
        source: rusqlite::Error,
    },
    #[error(
        "数据库迁移 {version:04} 在应用后被修改过（校验和不符），拒绝继续 / migration {version:04} was edited after it was applied (checksum differs): refusing to go on"
    )]
    MigrationEdited { version: i64 },
    #[error(
        "数据库版本 {found} 比本程序认识的 {known} 新：请升级程序 / the database is at version {found}, newer than this program knows ({known}): upgrade the program"
    )]
    DatabaseTooNew { found: i64, known: i64 },
    #[error("迁移列表有误 / the migration list is wrong: {0}")]
    BadMigrationList(String),
    #[error("数据库错误 / database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

/// Open (creating if needed) a database file with Anju's pragmas.
pub fn open(path: &Path) -> Result<Connection, DbError> {
    let conn = Connection::open(path).map_err(|source| DbError::Open {
        path: path.display().to_string(),
        source,
    })?;
    configure(&conn)?;
    Ok(conn)
}

/// An in-memory database with the same pragmas (WAL does not apply), for tests.
pub fn open_in_memory() -> Result<Connection, DbError> {
    let conn = Connection::open_in_memory()?;
    configure(&conn)?;
    Ok(conn)
}

fn configure(conn: &Connection) -> Result<(), DbError> {
    // SQLite's default page cache is 2 MiB. A device with 10,000 households has about
    // 9 MB of tables and indexes, and a pull refreshes every household's status in one
    // transaction: with the default, dirty pages spilled to the WAL and were read back
    // (309,000 `pread`s for one load of 10,000, against 1,000 with 16 MiB). The cache
    // grows only as pages are used, so a small database pays nothing for the ceiling.
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    // journal_mode returns a row, so it is queried rather than executed.
    let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
    conn.execute_batch(
        "PRAGMA foreign_keys = ON;
         PRAGMA synchronous = NORMAL;
         PRAGMA cache_size = -16384;",
    )?;
    Ok(())
}

fn checksum(sql: &str) -> String {
    hex::encode(Sha256::digest(sql.as_bytes()))
}

/// Check that a migration list is numbered 1, 2, 3… without gaps.
pub fn check_migration_list(migrations: &[Migration]) -> Result<(), DbError> {
    for (index, migration) in migrations.iter().enumerate() {
        let expected = index as i64 + 1;
        if migration.version != expected {
            return Err(DbError::BadMigrationList(format!(
                "position {index} holds version {}, expected {expected}",
                migration.version
            )));
        }
    }
    Ok(())
}

/// Apply every migration not yet applied, each in one transaction. Returns how many ran.
pub fn migrate(conn: &mut Connection, migrations: &[Migration]) -> Result<usize, DbError> {
    check_migration_list(migrations)?;
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version    INTEGER PRIMARY KEY,
            name       TEXT NOT NULL,
            sha256     TEXT NOT NULL,
            applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
        )",
    )?;
    let newest: Option<i64> =
        conn.query_row("SELECT max(version) FROM schema_migrations", [], |row| {
            row.get(0)
        })?;
    let known = migrations.len() as i64;
    if let Some(found) = newest
        && found > known
    {
        return Err(DbError::DatabaseTooNew { found, known });
    }
    let mut applied = 0;
    for migration in migrations {
        let stored: Option<String> = conn
            .query_row(
                "SELECT sha256 FROM schema_migrations WHERE version = ?1",
                [migration.version],
                |row| row.get(0),
            )
            .optional()?;
        let sum = checksum(migration.sql);
        match stored {
            Some(stored) if stored == sum => continue,
            Some(_) => {
                return Err(DbError::MigrationEdited {
                    version: migration.version,
                });
            }
            None => {}
        }
        let failed = |source| DbError::MigrationFailed {
            version: migration.version,
            name: migration.name.to_string(),
            source,
        };
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(failed)?;
        tx.execute_batch(migration.sql).map_err(failed)?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name, sha256) VALUES (?1, ?2, ?3)",
            params![migration.version, migration.name, sum],
        )
        .map_err(failed)?;
        tx.commit().map_err(failed)?;
        applied += 1;
    }
    Ok(applied)
}

/// `PRAGMA integrity_check` and `foreign_key_check`: the problems found, empty when sound.
pub fn integrity_problems(conn: &Connection) -> Result<Vec<String>, DbError> {
    let mut problems = Vec::new();
    let mut stmt = conn.prepare("PRAGMA integrity_check")?;
    for row in stmt.query_map([], |row| row.get::<_, String>(0))? {
        let row = row?;
        if row != "ok" {
            problems.push(row);
        }
    }
    let mut stmt = conn.prepare("PRAGMA foreign_key_check")?;
    for row in stmt.query_map([], |row| {
        Ok(format!(
            "foreign key: table {} row {:?} -> {}",
            row.get::<_, String>(0)?,
            row.get::<_, Option<i64>>(1)?,
            row.get::<_, String>(2)?
        ))
    })? {
        problems.push(row?);
    }
    Ok(problems)
}

/// The names of the `NNNN_name.sql` files in a migrations folder, sorted; tests compare
/// this with the embedded list so that a file added without embedding it fails a test.
pub fn migration_files(dir: &Path) -> std::io::Result<Vec<String>> {
    let mut names: Vec<String> = std::fs::read_dir(dir)?
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".sql"))
        .collect();
    names.sort();
    Ok(names)
}

/// `0001_init.sql` for a migration.
pub fn migration_file_name(migration: &Migration) -> String {
    format!("{:04}_{}.sql", migration.version, migration.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIRST: Migration = Migration {
        version: 1,
        name: "init",
        sql: "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL);",
    };
    const SECOND: Migration = Migration {
        version: 2,
        name: "add_w",
        sql: "ALTER TABLE t ADD COLUMN w INTEGER;",
    };

    #[test]
    fn applies_once_and_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = open(&dir.path().join("a.sqlite3")).unwrap();
        assert_eq!(migrate(&mut conn, &[FIRST]).unwrap(), 1);
        assert_eq!(migrate(&mut conn, &[FIRST, SECOND]).unwrap(), 1);
        assert_eq!(migrate(&mut conn, &[FIRST, SECOND]).unwrap(), 0);
        conn.execute("INSERT INTO t (v, w) VALUES ('a', 1)", [])
            .unwrap();
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        assert!(integrity_problems(&conn).unwrap().is_empty());
    }

    #[test]
    fn a_database_keeps_a_device_worth_of_pages_in_its_cache() {
        let dir = tempfile::tempdir().unwrap();
        let conn = open(&dir.path().join("a.sqlite3")).unwrap();
        let kib: i64 = conn
            .query_row("PRAGMA cache_size", [], |row| row.get(0))
            .unwrap();
        // Negative means KiB: 16 MiB, more than 10,000 households take.
        assert_eq!(kib, -16384);
    }

    #[test]
    fn a_failed_migration_leaves_nothing_behind() {
        let mut conn = open_in_memory().unwrap();
        let broken = Migration {
            version: 2,
            name: "broken",
            sql: "CREATE TABLE u (id INTEGER); THIS IS NOT SQL;",
        };
        let err = migrate(&mut conn, &[FIRST, broken]).unwrap_err();
        assert!(
            matches!(err, DbError::MigrationFailed { version: 2, .. }),
            "{err}"
        );
        // The first one stays applied, the broken one left no table behind.
        let tables: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name = 'u'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(tables, 0);
        assert_eq!(migrate(&mut conn, &[FIRST]).unwrap(), 0);
    }

    #[test]
    fn an_edited_migration_is_refused() {
        let mut conn = open_in_memory().unwrap();
        migrate(&mut conn, &[FIRST]).unwrap();
        let edited = Migration {
            sql: "CREATE TABLE t (id INTEGER PRIMARY KEY);",
            ..FIRST
        };
        let err = migrate(&mut conn, &[edited]).unwrap_err();
        assert!(matches!(err, DbError::MigrationEdited { version: 1 }));
        assert!(err.to_string().contains("edited"));
    }

    #[test]
    fn a_newer_database_is_refused() {
        let mut conn = open_in_memory().unwrap();
        migrate(&mut conn, &[FIRST, SECOND]).unwrap();
        let err = migrate(&mut conn, &[FIRST]).unwrap_err();
        assert!(matches!(
            err,
            DbError::DatabaseTooNew { found: 2, known: 1 }
        ));
    }

    #[test]
    fn gaps_in_the_list_are_refused() {
        let mut conn = open_in_memory().unwrap();
        let err = migrate(&mut conn, &[SECOND]).unwrap_err();
        assert!(matches!(err, DbError::BadMigrationList(_)));
    }
}

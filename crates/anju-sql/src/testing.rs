//! For tests that run the same story on every backend: whether PostgreSQL was asked for,
//! and a fresh database on the test server that `scripts/test` started.

use std::sync::atomic::{AtomicU32, Ordering};

use crate::{Connection, Error, Result};

/// `postgres` runs the office's tests on PostgreSQL; anything else (or nothing) on SQLite.
pub const BACKEND_ENV: &str = "ANJU_TEST_BACKEND";
/// A URL of a PostgreSQL server's `postgres` database where tests may create databases.
pub const POSTGRES_ENV: &str = "ANJU_TEST_POSTGRES";

/// Whether this test run is on PostgreSQL.
pub fn postgres_requested() -> bool {
    std::env::var(BACKEND_ENV).is_ok_and(|b| b.eq_ignore_ascii_case("postgres"))
}

/// The test server's URL; `None` (and a line on stderr) when there is none outside CI,
/// where a test that needs it skips. In CI a missing server is an error.
pub fn postgres_server() -> Option<String> {
    match std::env::var(POSTGRES_ENV) {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("CI").is_ok() => panic!(
            "{POSTGRES_ENV} is not set: run the tests through scripts/test, which starts PostgreSQL"
        ),
        _ => {
            eprintln!(
                "{POSTGRES_ENV} is not set: PostgreSQL test skipped (scripts/test starts one)"
            );
            None
        }
    }
}

/// A new, empty database on the server at `server_url`; its URL.
pub fn fresh_postgres_database(server_url: &str) -> Result<String> {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let name = format!(
        "anju_t{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        nanos
    );
    let admin = Connection::connect_postgres(server_url)?;
    admin.execute_batch(&format!("CREATE DATABASE {name}"))?;
    let (base, _) = server_url
        .rsplit_once('/')
        .ok_or_else(|| Error::Connect(format!("{server_url} names no database")))?;
    Ok(format!("{base}/{name}"))
}

//! For tests that run the office's stories on every backend: a data folder whose records
//! are in SQLite, or, when `ANJU_TEST_BACKEND=postgres`, in a fresh PostgreSQL database on
//! the server `scripts/test` started (the folder's `database.url` names it).

use std::path::Path;

pub use anju_sql::testing::{postgres_requested, postgres_server};

/// Point the data folder `dir` at a fresh PostgreSQL database when this run is on
/// PostgreSQL; leave it to SQLite otherwise. Panics when PostgreSQL was asked for and
/// cannot be had: a test must not quietly run on the other backend.
pub fn prepare_data_dir(dir: &Path) {
    if !postgres_requested() {
        return;
    }
    let server = anju_sql::testing::postgres_server()
        .unwrap_or_else(|| panic!("ANJU_TEST_BACKEND=postgres needs ANJU_TEST_POSTGRES"));
    let url = anju_sql::testing::fresh_postgres_database(&server)
        .unwrap_or_else(|e| panic!("cannot create a test database on {server}: {e}"));
    std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    std::fs::write(dir.join(crate::db::DATABASE_URL_FILE), url)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
}

/// A temporary data folder, prepared as [`prepare_data_dir`] says.
pub fn data_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("no temporary folder: {e}"));
    prepare_data_dir(dir.path());
    dir
}

/// When the data folder `from` keeps its records on PostgreSQL, make `to` keep a copy of
/// them in a new database (made from the first as a template: nothing may be connected
/// to it meanwhile).
pub fn copy_database(from: &Path, to: &Path) {
    let crate::db::DatabaseLocation::Postgres(url) = crate::db::DatabaseLocation::of_data_dir(from)
    else {
        return;
    };
    let (server, template) = url
        .rsplit_once('/')
        .unwrap_or_else(|| panic!("{url} names no database"));
    // PostgreSQL cuts names at 63 bytes: the copy's is short.
    let copy = format!("anju_c{}", uuid::Uuid::now_v7().simple());
    let admin = anju_sql::Connection::connect_postgres(&format!("{server}/postgres"))
        .unwrap_or_else(|e| panic!("{server}: {e}"));
    admin
        .execute_batch(&format!("CREATE DATABASE {copy} TEMPLATE {template}"))
        .unwrap_or_else(|e| panic!("cannot copy {template}: {e}"));
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("{}: {e}", to.display()));
    std::fs::write(
        to.join(crate::db::DATABASE_URL_FILE),
        format!("{server}/{copy}"),
    )
    .unwrap_or_else(|e| panic!("{}: {e}", to.display()));
}

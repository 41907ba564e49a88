//! Where an office's records are: SQLite in its data folder, or a PostgreSQL database the
//! command line or the data folder's `database.url` names.

use std::path::{Path, PathBuf};

/// Where the office's records are: SQLite in a data folder (a county on one machine), or
/// PostgreSQL (a province, several office processes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseLocation {
    Sqlite(PathBuf),
    Postgres(String),
}

impl DatabaseLocation {
    /// `postgres://…` (or `postgresql://…`) is PostgreSQL; anything else a data folder.
    /// Without one, the data folder's own [`DATABASE_URL_FILE`] says, or SQLite in it.
    pub fn parse(database: Option<&str>, data_dir: &Path) -> Self {
        match database {
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Self::Postgres(url.to_string())
            }
            Some(path) => Self::Sqlite(PathBuf::from(path)),
            None => Self::of_data_dir(data_dir),
        }
    }

    /// Where the office of a data folder keeps its records: on the PostgreSQL server its
    /// [`DATABASE_URL_FILE`] names, or in SQLite in the folder.
    pub fn of_data_dir(data_dir: &Path) -> Self {
        match std::fs::read_to_string(data_dir.join(DATABASE_URL_FILE)) {
            Ok(url) if !url.trim().is_empty() => Self::Postgres(url.trim().to_string()),
            _ => Self::Sqlite(data_dir.to_path_buf()),
        }
    }

    /// For messages: the folder, or the server and database without the password.
    pub fn describe(&self) -> String {
        match self {
            Self::Sqlite(dir) => dir.join(DATABASE_FILE).display().to_string(),
            Self::Postgres(url) => redact_url(url),
        }
    }
}

/// Write the URL of the office's PostgreSQL database into the data folder `dir`, readable
/// by the office's user only (it may hold a password).
pub fn remember_database_url(dir: &Path, url: &str) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join(DATABASE_URL_FILE);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    std::io::Write::write_all(&mut options.open(&path)?, format!("{url}\n").as_bytes())
}

/// A database URL without its password, for logs and messages.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    match rest.split_once('@') {
        Some((credentials, host)) => {
            let user = credentials.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}:***@{host}")
        }
        None => url.to_string(),
    }
}

pub const DATABASE_FILE: &str = "anju-office.sqlite3";
/// In a data folder, the URL of the PostgreSQL database that holds its office's records
/// (written by `anju-office init --database URL`; readable by the office's user only).
pub const DATABASE_URL_FILE: &str = "database.url";
pub const BLOB_DIR: &str = "blobs";

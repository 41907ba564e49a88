//! The field device's database.
//!
//! Holds the households assigned to the inspector (pulled from the office), the drafts
//! being filled (every change written in its own transaction, so killing the app loses
//! nothing typed), the submissions (immutable: submitting turns a draft into a submission
//! plus its outbox entries in one transaction), photo and signature metadata (the files
//! are named by their SHA-256), findings, the outbox and the sync state.
//!
//! One file per concern: `households`, `drafts`, `evidence` (files, photos, signatures),
//! `submit`, `findings`, `forms`, `outbox`, `policies`, `sync_state`; `transaction` writes several
//! rows as one ([`Store::write`]), `rows` turns rows back into models, `error` says what
//! can go wrong.

use std::path::{Path, PathBuf};

use anju_db::Migration;
use chrono::{DateTime, Utc};
use rusqlite::Connection;

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
    Migration {
        version: 7,
        name: "forms",
        sql: include_str!("../../../migrations/device/0007_forms.sql"),
    },
    Migration {
        version: 8,
        name: "visit_kinds",
        sql: include_str!("../../../migrations/device/0008_visit_kinds.sql"),
    },
    Migration {
        version: 9,
        name: "rechecks",
        sql: include_str!("../../../migrations/device/0009_rechecks.sql"),
    },
    Migration {
        version: 10,
        name: "move_in_checks",
        sql: include_str!("../../../migrations/device/0010_move_in_checks.sql"),
    },
    Migration {
        version: 11,
        name: "teams",
        sql: include_str!("../../../migrations/device/0011_teams.sql"),
    },
    Migration {
        version: 12,
        name: "construction_visits",
        sql: include_str!("../../../migrations/device/0012_construction_visits.sql"),
    },
    Migration {
        version: 13,
        name: "township_and_area_visits",
        sql: include_str!("../../../migrations/device/0013_township_and_area_visits.sql"),
    },
    Migration {
        version: 14,
        name: "pin_boot_clock",
        sql: include_str!("../../../migrations/device/0014_pin_boot_clock.sql"),
    },
];

pub const DATABASE_FILE: &str = "anju-field.sqlite3";
/// Photos and signature images, each named by its SHA-256.
pub const BLOB_DIR: &str = "blobs";

mod drafts;
mod error;
mod evidence;
mod findings;
mod forms;
mod households;
mod outbox;
mod policies;
mod rows;
mod submit;
mod sync_state;
mod tasks;
mod team;
mod transaction;

pub use drafts::Draft;
pub use error::StoreError;
pub use evidence::{NewPhoto, PhotoExtras};
pub use findings::FindingRow;
pub use households::{HouseholdQuery, HouseholdSummary, StatusCounts};
pub use outbox::{OutboxEntry, PendingWork, RecordKind};
pub use submit::SubmissionDetails;
pub use sync_state::SIGNED_IN_USER_KEY;
pub use transaction::StoreTx;

use error::Result;

pub struct Store {
    conn: Connection,
    blob_dir: PathBuf,
}

pub(crate) fn now() -> DateTime<Utc> {
    Utc::now()
}

pub(crate) fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.display().to_string(),
        source,
    }
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

    pub fn integrity_problems(&self) -> Result<Vec<String>> {
        Ok(anju_db::integrity_problems(&self.conn)?)
    }
}

//! The office's SQLite database under `--data DIR`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anju_core::IdNumber;
use anju_core::model::{Household, Member, PlacementKind, PlacementMode};
use anju_db::{DbError, Migration};
use anju_sql::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};
use chrono::Utc;
use serde::Serialize;
use uuid::Uuid;

/// The office migrations, embedded at build time. A test checks this list against the
/// files in `migrations/office/`.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "init",
        sql: include_str!("../../../../migrations/office/0001_init.sql"),
    },
    Migration {
        version: 2,
        name: "sync",
        sql: include_str!("../../../../migrations/office/0002_sync.sql"),
    },
    Migration {
        version: 3,
        name: "office_pages",
        sql: include_str!("../../../../migrations/office/0003_office_pages.sql"),
    },
    Migration {
        version: 4,
        name: "accepted_view",
        sql: include_str!("../../../../migrations/office/0004_accepted_view.sql"),
    },
    Migration {
        version: 5,
        name: "office_decides",
        sql: include_str!("../../../../migrations/office/0005_office_decides.sql"),
    },
    Migration {
        version: 6,
        name: "security",
        sql: include_str!("../../../../migrations/office/0006_security.sql"),
    },
    Migration {
        version: 7,
        name: "county_indexes",
        sql: include_str!("../../../../migrations/office/0007_county_indexes.sql"),
    },
    Migration {
        version: 8,
        name: "user_names",
        sql: include_str!("../../../../migrations/office/0008_user_names.sql"),
    },
    Migration {
        version: 9,
        name: "locations",
        sql: include_str!("../../../../migrations/office/0009_locations.sql"),
    },
    Migration {
        version: 10,
        name: "login_failures",
        sql: include_str!("../../../../migrations/office/0010_login_failures.sql"),
    },
    Migration {
        version: 11,
        name: "print_jobs",
        sql: include_str!("../../../../migrations/office/0011_print_jobs.sql"),
    },
    Migration {
        version: 12,
        name: "forms",
        sql: include_str!("../../../../migrations/office/0012_forms.sql"),
    },
    Migration {
        version: 13,
        name: "old_house_visits",
        sql: include_str!("../../../../migrations/office/0013_old_house_visits.sql"),
    },
    Migration {
        version: 14,
        name: "rechecks",
        sql: include_str!("../../../../migrations/office/0014_rechecks.sql"),
    },
    Migration {
        version: 15,
        name: "planned_visits",
        sql: include_str!("../../../../migrations/office/0015_planned_visits.sql"),
    },
    Migration {
        version: 16,
        name: "support_measures",
        sql: include_str!("../../../../migrations/office/0016_support_measures.sql"),
    },
    Migration {
        version: 17,
        name: "move_in_checks",
        sql: include_str!("../../../../migrations/office/0017_move_in_checks.sql"),
    },
    Migration {
        version: 18,
        name: "teams",
        sql: include_str!("../../../../migrations/office/0018_teams.sql"),
    },
    Migration {
        version: 19,
        name: "construction",
        sql: include_str!("../../../../migrations/office/0019_construction.sql"),
    },
    Migration {
        version: 20,
        name: "township_and_area_visits",
        sql: include_str!("../../../../migrations/office/0020_township_and_area_visits.sql"),
    },
    Migration {
        version: 21,
        name: "integration_tokens",
        sql: include_str!("../../../../migrations/office/0021_integration_tokens.sql"),
    },
];

/// The PostgreSQL schema, its own migrations (`migrations/office-postgres/`): the same
/// tables and invariants as the SQLite ones above, in PostgreSQL's types.
pub const POSTGRES_MIGRATIONS: &[anju_sql::PgMigration] = &[
    anju_sql::PgMigration {
        version: 1,
        name: "schema",
        sql: include_str!("../../../../migrations/office-postgres/0001_schema.sql"),
    },
    anju_sql::PgMigration {
        version: 2,
        name: "login_failures",
        sql: include_str!("../../../../migrations/office-postgres/0002_login_failures.sql"),
    },
    anju_sql::PgMigration {
        version: 3,
        name: "print_jobs",
        sql: include_str!("../../../../migrations/office-postgres/0003_print_jobs.sql"),
    },
    anju_sql::PgMigration {
        version: 4,
        name: "forms",
        sql: include_str!("../../../../migrations/office-postgres/0004_forms.sql"),
    },
    anju_sql::PgMigration {
        version: 5,
        name: "old_house_visits",
        sql: include_str!("../../../../migrations/office-postgres/0005_old_house_visits.sql"),
    },
    anju_sql::PgMigration {
        version: 6,
        name: "rechecks",
        sql: include_str!("../../../../migrations/office-postgres/0006_rechecks.sql"),
    },
    anju_sql::PgMigration {
        version: 7,
        name: "planned_visits",
        sql: include_str!("../../../../migrations/office-postgres/0007_planned_visits.sql"),
    },
    anju_sql::PgMigration {
        version: 8,
        name: "support_measures",
        sql: include_str!("../../../../migrations/office-postgres/0008_support_measures.sql"),
    },
    anju_sql::PgMigration {
        version: 9,
        name: "move_in_checks",
        sql: include_str!("../../../../migrations/office-postgres/0009_move_in_checks.sql"),
    },
    anju_sql::PgMigration {
        version: 10,
        name: "teams",
        sql: include_str!("../../../../migrations/office-postgres/0010_teams.sql"),
    },
    anju_sql::PgMigration {
        version: 11,
        name: "construction",
        sql: include_str!("../../../../migrations/office-postgres/0011_construction.sql"),
    },
    anju_sql::PgMigration {
        version: 12,
        name: "township_and_area_visits",
        sql: include_str!(
            "../../../../migrations/office-postgres/0012_township_and_area_visits.sql"
        ),
    },
    anju_sql::PgMigration {
        version: 13,
        name: "integration_tokens",
        sql: include_str!("../../../../migrations/office-postgres/0013_integration_tokens.sql"),
    },
];

mod location;

pub use location::{
    BLOB_DIR, DATABASE_FILE, DATABASE_URL_FILE, DatabaseLocation, redact_url, remember_database_url,
};

#[derive(Debug, thiserror::Error)]
pub enum OfficeDbError {
    /// Opening or migrating a SQLite database failed (the driver's error as text: no
    /// driver type leaves the storage layer).
    #[error("{0}")]
    Setup(String),
    #[error("数据库错误 / database error: {0}")]
    Sql(#[from] anju_sql::Error),
    #[error("无法打开数据库 {location} / cannot open the database {location}: {message}")]
    Open { location: String, message: String },
    #[error("无法创建数据目录 {path} / cannot create the data folder {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "{path} 中还没有办公室数据库：请先运行 anju-office init / there is no office database in {path}: run `anju-office init` first"
    )]
    NotInitialised { path: String },
    #[error(
        "{path} 中的数据库已有 {households} 户，演示数据只能载入空库：请换一个 --data 目录 / the database in {path} already holds {households} households; demo data loads only into an empty one: use another --data folder"
    )]
    NotEmpty { path: String, households: u64 },
    #[error("记录无法编码 / a record cannot be encoded: {0}")]
    Encoding(#[from] serde_json::Error),
    #[error("已保存的记录损坏（{0}） / a stored record is damaged ({0})")]
    Corrupt(String),
}

impl From<DbError> for OfficeDbError {
    fn from(error: DbError) -> Self {
        Self::Setup(error.to_string())
    }
}

type Result<T, E = OfficeDbError> = std::result::Result<T, E>;

/// A concentrated site a new household moves into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSite {
    pub name: String,
    pub newly_built: bool,
    pub kind: PlacementKind,
}

/// A household to add, from the demo data or an imported roster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewHousehold {
    pub id: Uuid,
    pub head_name: String,
    pub id_number: IdNumber,
    pub size: u32,
    pub members: Vec<Member>,
    pub phone: Option<String>,
    pub township: String,
    pub village: String,
    pub site: Option<NewSite>,
    pub mode: PlacementMode,
    pub kind: PlacementKind,
    /// The house's (or its site's) coordinates, when the roster gives them.
    pub location: Option<anju_core::location::Coordinates>,
}

/// What one import added, per township in the programme's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    pub import_id: Uuid,
    pub per_township: Vec<(String, u32, u32)>,
    pub households: u32,
    pub people: u32,
}

/// A household already in the database, for duplicate messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExistingHousehold {
    pub head_name: String,
    pub township: String,
    pub number: String,
}

pub struct OfficeDb {
    pub(crate) conn: Connection,
    location: DatabaseLocation,
    /// Figures worked out from the whole county, kept while the database is unchanged
    /// (readers only: see [`OfficeDb::cached`]).
    figures: Option<std::cell::RefCell<FigureCache>>,
}

/// What [`OfficeDb::cached`] keeps: by key, the `data_version` it was computed at.
#[derive(Default)]
struct FigureCache {
    entries: std::collections::HashMap<String, (i64, Box<dyn std::any::Any + Send>)>,
}

/// The most figures kept per connection (keys are a scope and a day).
const MAX_CACHED_FIGURES: usize = 64;

impl OfficeDb {
    /// Create (or upgrade) the database of the data folder `dir`.
    pub fn create(dir: &Path) -> Result<Self> {
        for path in [dir.to_path_buf(), dir.join(BLOB_DIR)] {
            std::fs::create_dir_all(&path).map_err(|source| OfficeDbError::DataDir {
                path: path.display().to_string(),
                source,
            })?;
        }
        if let DatabaseLocation::Postgres(url) = DatabaseLocation::of_data_dir(dir) {
            return Self::create_postgres(&url);
        }
        let mut conn = anju_db::open(&dir.join(DATABASE_FILE))?;
        // The office acknowledges pushes: a commit must survive a power cut too.
        conn.execute_batch("PRAGMA synchronous = FULL")
            .map_err(anju_sql::Error::from)?;
        anju_db::migrate(&mut conn, MIGRATIONS)?;
        Self::brought_up_to_date(
            Connection::from_sqlite(conn),
            DatabaseLocation::Sqlite(dir.to_path_buf()),
        )
    }

    /// Connect to the office's PostgreSQL database and bring its schema up to date (the
    /// first office process to start migrates it; the others wait, then find it done).
    pub fn create_postgres(url: &str) -> Result<Self> {
        let mut conn = Connection::connect_postgres(url).map_err(|e| OfficeDbError::Open {
            location: redact_url(url),
            message: e.to_string(),
        })?;
        anju_sql::migrate_postgres(&mut conn, POSTGRES_MIGRATIONS)?;
        Self::brought_up_to_date(conn, DatabaseLocation::Postgres(url.to_string()))
    }

    fn brought_up_to_date(conn: Connection, location: DatabaseLocation) -> Result<Self> {
        let mut db = Self {
            conn,
            location,
            figures: None,
        };
        // A policy, a judgement of every submission and each household's standing.
        crate::decide::bring_up_to_date(&mut db)?;
        Ok(db)
    }

    /// Open the database at `location`, upgrading its schema; a data folder that was never
    /// initialised is refused.
    pub fn open_at(location: &DatabaseLocation) -> Result<Self> {
        match location {
            DatabaseLocation::Sqlite(dir) => Self::open(dir),
            DatabaseLocation::Postgres(url) => Self::create_postgres(url),
        }
    }

    /// Create (or upgrade) the database at `location`.
    pub fn create_at(location: &DatabaseLocation) -> Result<Self> {
        match location {
            DatabaseLocation::Sqlite(dir) => Self::create(dir),
            DatabaseLocation::Postgres(url) => Self::create_postgres(url),
        }
    }

    /// Open an existing database; refuses a folder that was never initialised.
    pub fn open(dir: &Path) -> Result<Self> {
        if let location @ DatabaseLocation::Postgres(_) = DatabaseLocation::of_data_dir(dir) {
            return Self::open_at(&location);
        }
        if !dir.join(DATABASE_FILE).is_file() {
            return Err(OfficeDbError::NotInitialised {
                path: dir.display().to_string(),
            });
        }
        Self::create(dir)
    }

    /// Another connection that only reads (the office pages and the pull, in parallel
    /// with the writer: WAL lets SQLite's readers see the last commit). On PostgreSQL a
    /// connection of the pool, with no schema work.
    pub fn open_reader_at(location: &DatabaseLocation) -> Result<Self> {
        match location {
            DatabaseLocation::Sqlite(dir) => Self::open_reader(dir),
            DatabaseLocation::Postgres(url) => Ok(Self {
                conn: Connection::connect_postgres(url).map_err(|e| OfficeDbError::Open {
                    location: redact_url(url),
                    message: e.to_string(),
                })?,
                location: location.clone(),
                // No figure cache: PostgreSQL has no cheap "did anyone commit" counter.
                figures: None,
            }),
        }
    }

    pub fn open_reader(dir: &Path) -> Result<Self> {
        if let location @ DatabaseLocation::Postgres(_) = DatabaseLocation::of_data_dir(dir) {
            return Self::open_reader_at(&location);
        }
        if !dir.join(DATABASE_FILE).is_file() {
            return Err(OfficeDbError::NotInitialised {
                path: dir.display().to_string(),
            });
        }
        let conn = anju_db::open(&dir.join(DATABASE_FILE))?;
        conn.execute_batch("PRAGMA query_only = ON")
            .map_err(anju_sql::Error::from)?;
        Ok(Self {
            conn: Connection::from_sqlite(conn),
            location: DatabaseLocation::Sqlite(dir.to_path_buf()),
            figures: Some(std::cell::RefCell::new(FigureCache::default())),
        })
    }

    pub fn location(&self) -> &DatabaseLocation {
        &self.location
    }

    /// The data folder of a SQLite office; `None` on PostgreSQL.
    pub fn dir(&self) -> Option<&Path> {
        match &self.location {
            DatabaseLocation::Sqlite(dir) => Some(dir),
            DatabaseLocation::Postgres(_) => None,
        }
    }

    /// Whether the connection can still be used (a pool drops one that cannot).
    pub fn is_usable(&self) -> bool {
        self.conn.is_usable()
    }

    /// `compute`'s answer for `key`, worked out again only when the database changed since
    /// (`PRAGMA data_version` moves when any other connection, of any process, commits).
    /// Only a reader keeps answers: a connection's own commits do not move its version.
    pub(crate) fn cached<T, E>(
        &self,
        key: &str,
        compute: impl FnOnce(&Self) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E>
    where
        T: Clone + Send + 'static,
        E: From<anju_sql::Error>,
    {
        let Some(figures) = &self.figures else {
            return compute(self);
        };
        let version: i64 = self
            .conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))?;
        if let Some((at, value)) = figures.borrow().entries.get(key)
            && *at == version
            && let Some(value) = value.downcast_ref::<T>()
        {
            return Ok(value.clone());
        }
        let value = compute(self)?;
        let mut figures = figures.borrow_mut();
        if figures.entries.len() >= MAX_CACHED_FIGURES {
            figures.entries.clear();
        }
        figures
            .entries
            .insert(key.to_string(), (version, Box::new(value.clone())));
        Ok(value)
    }

    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// The connection itself (tests read and write the office's tables through it).
    pub fn into_connection(self) -> Connection {
        self.conn
    }

    pub fn connection_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }

    pub fn integrity_problems(&self) -> Result<Vec<String>> {
        match self.conn.sqlite() {
            Some(conn) => Ok(anju_db::integrity_problems(conn)?),
            // PostgreSQL checks its pages itself (data checksums, amcheck); the office's
            // own checks of every record are `anju-office damaged`.
            None => Ok(Vec::new()),
        }
    }

    pub fn household_count(&self) -> Result<u64> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM households", [], |row| row.get(0))?)
    }

    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |row| {
                row.get(0)
            })
            .optional()?)
    }

    pub fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        self.conn.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }

    /// The households of one township (or all), in township order, as the domain type
    /// that the devices receive.
    pub fn households(&self, township: Option<&str>) -> Result<Vec<Household>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {HOUSEHOLD_COLUMNS} {HOUSEHOLD_JOINS}
             WHERE ?1 IS NULL OR t.name = ?1
             ORDER BY t.sort_order, h.number"
        ))?;
        let rows = stmt.query_map([township], |row| Ok(read_household(row, 0)))?;
        let mut out = Vec::new();
        for row in rows {
            out.push(row??);
        }
        Ok(out)
    }

    /// Refuse to load demo data on top of real data.
    pub fn ensure_empty(&self) -> Result<()> {
        let households = self.household_count()?;
        if households > 0 {
            return Err(OfficeDbError::NotEmpty {
                path: self.location.describe(),
                households,
            });
        }
        Ok(())
    }

    /// Every township, village and site the office knows, by name.
    pub fn known_places(&self) -> Result<anju_core::places::KnownPlaces> {
        let mut known = anju_core::places::KnownPlaces::default();
        let mut stmt = self.conn.prepare_cached("SELECT name FROM townships")?;
        for name in stmt.query_map([], |r| r.get::<_, String>(0))? {
            known.townships.insert(name?);
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT t.name, v.name FROM villages v JOIN townships t ON t.id = v.township_id",
        )?;
        for row in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))? {
            let (township, village) = row?;
            known.villages.entry(township).or_default().insert(village);
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT t.name, s.name FROM sites s JOIN townships t ON t.id = s.township_id",
        )?;
        for row in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))? {
            let (township, site) = row?;
            known.sites.entry(township).or_default().insert(site);
        }
        Ok(known)
    }

    /// Which of these ID numbers are already registered, and to whom.
    pub fn existing_id_numbers<'a>(
        &self,
        id_numbers: impl IntoIterator<Item = &'a IdNumber>,
    ) -> Result<BTreeMap<IdNumber, ExistingHousehold>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT h.head_name, t.name, h.number FROM households h
             JOIN townships t ON t.id = h.township_id WHERE h.id_number = ?1",
        )?;
        let mut found = BTreeMap::new();
        for id in id_numbers {
            let existing = stmt
                .query_row([id.as_str()], |row| {
                    Ok(ExistingHousehold {
                        head_name: row.get(0)?,
                        township: row.get(1)?,
                        number: row.get(2)?,
                    })
                })
                .optional()?;
            if let Some(existing) = existing {
                found.insert(id.clone(), existing);
            }
        }
        Ok(found)
    }

    /// Register townships in this order before any household names them, so that the
    /// tables follow the programme's order rather than the order households arrive in.
    pub fn register_townships(
        &mut self,
        names: &[&str],
        next_id: &mut dyn FnMut() -> Uuid,
    ) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        for name in names {
            township_id(&tx, name, next_id)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Add households, creating townships, villages and sites on the way, all in one
    /// transaction: either every household is added or none is. `next_id` makes the ids
    /// of new places and of the import (`Uuid::now_v7`, or a seeded source for demo data).
    pub fn insert_households(
        &mut self,
        source: &str,
        file_sha256: Option<&str>,
        households: &[NewHousehold],
        next_id: &mut dyn FnMut() -> Uuid,
    ) -> Result<ImportSummary> {
        let import_id = next_id();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let at = Utc::now().to_rfc3339();
        let people: u32 = households.iter().map(|h| h.size).sum();
        tx.execute(
            "INSERT INTO imports (id, source, file_sha256, households, people, imported_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                import_id.to_string(),
                source,
                file_sha256,
                households.len() as i64,
                people,
                at
            ],
        )?;
        let mut per_township: BTreeMap<(i64, String), (u32, u32)> = BTreeMap::new();
        let mut numbering: std::collections::HashMap<String, (i64, i64)> =
            std::collections::HashMap::new();
        for household in households {
            let township = township_id(&tx, &household.township, next_id)?;
            let village = village_id(&tx, &township, &household.village, next_id)?;
            let site = match &household.site {
                Some(site) => Some(site_id(&tx, &township, &village, site, next_id)?),
                None => None,
            };
            // Counted once per township and import, not per household: a county roster
            // has 100,000 rows.
            let (order, in_township) = match numbering.get_mut(&township) {
                Some(entry) => entry,
                None => {
                    let first: (i64, i64) = tx.query_row(
                        "SELECT t.sort_order,
                                (SELECT count(*) FROM households WHERE township_id = t.id)
                         FROM townships t WHERE t.id = ?1",
                        [&township],
                        |row| Ok((row.get(0)?, row.get(1)?)),
                    )?;
                    numbering.entry(township.clone()).or_insert(first)
                }
            };
            *in_township += 1;
            let order = *order;
            // 户编号: two digits of township order, then the sequence within the township
            // (four digits, more when a township has more households).
            let number = format!("{:02}{:04}", order, in_township);
            tx.execute(
                "INSERT INTO households (id, number, head_name, id_number, size, members_json,
                     phone, township_id, village_id, site_id, mode, kind, import_id, created_at,
                     latitude, longitude)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
                params![
                    household.id.to_string(),
                    number,
                    household.head_name,
                    household.id_number.as_str(),
                    household.size,
                    serde_json::to_string(&household.members)?,
                    household.phone,
                    township,
                    village,
                    site,
                    household.mode.code(),
                    household.kind.code(),
                    import_id.to_string(),
                    at,
                    household.location.map(|c| c.latitude),
                    household.location.map(|c| c.longitude),
                ],
            )?;
            let entry = per_township
                .entry((order, household.township.clone()))
                .or_default();
            entry.0 += 1;
            entry.1 += household.size;
        }
        tx.commit()?;
        Ok(ImportSummary {
            import_id,
            per_township: per_township
                .into_iter()
                .map(|((_, name), (h, p))| (name, h, p))
                .collect(),
            households: households.len() as u32,
            people,
        })
    }
}

fn township_id(
    tx: &Transaction<'_>,
    name: &str,
    next_id: &mut dyn FnMut() -> Uuid,
) -> Result<String> {
    let existing: Option<String> = tx
        .query_row("SELECT id FROM townships WHERE name = ?1", [name], |row| {
            row.get(0)
        })
        .optional()?;
    if let Some(id) = existing {
        return Ok(id);
    }
    let id = next_id().to_string();
    tx.execute(
        "INSERT INTO townships (id, name, sort_order, created_at)
         VALUES (?1, ?2, (SELECT coalesce(max(sort_order), 0) + 1 FROM townships), ?3)",
        params![id, name, Utc::now().to_rfc3339()],
    )?;
    Ok(id)
}

fn village_id(
    tx: &Transaction<'_>,
    township: &str,
    name: &str,
    next_id: &mut dyn FnMut() -> Uuid,
) -> Result<String> {
    let existing: Option<String> = tx
        .query_row(
            "SELECT id FROM villages WHERE township_id = ?1 AND name = ?2",
            [township, name],
            |row| row.get(0),
        )
        .optional()?;
    if let Some(id) = existing {
        return Ok(id);
    }
    let id = next_id().to_string();
    tx.execute(
        "INSERT INTO villages (id, township_id, name) VALUES (?1, ?2, ?3)",
        params![id, township, name],
    )?;
    Ok(id)
}

fn site_id(
    tx: &Transaction<'_>,
    township: &str,
    village: &str,
    site: &NewSite,
    next_id: &mut dyn FnMut() -> Uuid,
) -> Result<String> {
    let existing: Option<String> = tx
        .query_row(
            "SELECT id FROM sites WHERE township_id = ?1 AND name = ?2",
            [township, site.name.as_str()],
            |row| row.get(0),
        )
        .optional()?;
    if let Some(id) = existing {
        return Ok(id);
    }
    let id = next_id().to_string();
    tx.execute(
        "INSERT INTO sites (id, township_id, village_id, name, newly_built, kind)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            id,
            township,
            village,
            site.name,
            site.newly_built,
            site.kind.code()
        ],
    )?;
    Ok(id)
}

/// The default data folder: the user's data directory, `anju-office` in it.
pub fn default_data_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("cn", "Anju", "anju-office").map(|d| d.data_dir().to_path_buf())
}

/// The columns [`read_household`] reads, and the joins they need.
pub(crate) const HOUSEHOLD_COLUMNS: &str = "h.id, h.number, h.head_name, h.id_number, h.size,
    h.members_json, h.phone, t.name, v.name, s.name, h.mode, h.kind, h.latitude, h.longitude";
pub(crate) const HOUSEHOLD_JOINS: &str = "FROM households h
    JOIN townships t ON t.id = h.township_id
    JOIN villages v ON v.id = h.village_id
    LEFT JOIN sites s ON s.id = h.site_id";

/// A household from [`HOUSEHOLD_COLUMNS`], starting at column `first`.
pub(crate) fn read_household(row: &anju_sql::Row<'_>, first: usize) -> Result<Household> {
    let text = |i: usize| row.get::<_, String>(first + i);
    let number = text(1)?;
    let corrupt = |what: &str| OfficeDbError::Corrupt(format!("household {number}: {what}"));
    Ok(Household {
        id: Uuid::parse_str(&text(0)?).map_err(|_| corrupt("id"))?,
        head_name: text(2)?,
        id_number: IdNumber::parse(&text(3)?).map_err(|e| corrupt(&e.to_string()))?,
        size: row.get(first + 4)?,
        members: serde_json::from_str(&text(5)?)?,
        phone: row.get(first + 6)?,
        township: text(7)?,
        village: text(8)?,
        site: row.get(first + 9)?,
        mode: PlacementMode::from_code(&text(10)?).ok_or_else(|| corrupt("placement mode"))?,
        kind: PlacementKind::from_code(&text(11)?).ok_or_else(|| corrupt("placement kind"))?,
        location: match (
            row.get::<_, Option<f64>>(first + 12)?,
            row.get::<_, Option<f64>>(first + 13)?,
        ) {
            (Some(latitude), Some(longitude)) => Some(
                anju_core::location::Coordinates::new(latitude, longitude)
                    .map_err(|e| corrupt(&e.to_string()))?,
            ),
            _ => None,
        },
        number,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(folder: &str) -> Vec<String> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../migrations")
            .join(folder);
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".sql"))
            .collect();
        names.sort();
        names
    }

    #[test]
    fn the_embedded_migrations_are_the_files_of_both_folders() {
        let sqlite: Vec<String> = MIGRATIONS
            .iter()
            .map(|m| format!("{:04}_{}.sql", m.version, m.name))
            .collect();
        assert_eq!(sqlite, files("office"));
        let postgres: Vec<String> = POSTGRES_MIGRATIONS
            .iter()
            .map(|m| format!("{:04}_{}.sql", m.version, m.name))
            .collect();
        assert_eq!(postgres, files("office-postgres"));
    }

    #[test]
    fn a_reader_keeps_figures_until_anyone_commits() {
        let dir = tempfile::tempdir().unwrap();
        let writer = OfficeDb::create(dir.path()).unwrap();
        let reader = OfficeDb::open_reader(dir.path()).unwrap();
        let count = |db: &OfficeDb| -> anju_sql::Result<i64> {
            db.conn
                .query_row("SELECT count(*) FROM settings", [], |r| r.get(0))
        };
        let computed = std::cell::Cell::new(0);
        let cached = |db: &OfficeDb| {
            db.cached("settings", |db| {
                computed.set(computed.get() + 1);
                count(db)
            })
        };
        let first = cached(&reader).unwrap();
        assert_eq!(cached(&reader).unwrap(), first);
        assert_eq!(computed.get(), 1, "the second read is kept");
        writer.set_setting("cache-test", "1").unwrap();
        assert_eq!(
            cached(&reader).unwrap(),
            first + 1,
            "a commit elsewhere is seen"
        );
        assert_eq!(computed.get(), 2);
        // The writer keeps nothing: its own commits would not move its version.
        let on_writer = || writer.cached("settings", count).unwrap();
        let before = on_writer();
        writer.set_setting("cache-test-2", "1").unwrap();
        assert_eq!(on_writer(), before + 1);
    }
}

//! An office (in-process or as the real `anju-office` process) and a device with work to
//! sync, and what each holds, for the end-to-end tests.

use std::collections::{BTreeMap, BTreeSet};
use std::io::BufRead;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use anju_core::area::{AreaRule, HouseMeasurement, MeasuredPart, Shape};
use anju_core::form::{Answer, FindingDraft, FormContext, form_by_id};
use anju_core::hash::sha256_hex;
use anju_core::model::{ClockReading, SignatureMeta, SignatureMethod, Submission, SubmissionKind};
use anju_core::policy::{PolicyContext, PolicyTable};
use anju_core::records::check_before_submitting;
use anju_office::db::OfficeDb;
use anju_store::{NewPhoto, Store, SubmissionDetails};
use anju_sync::SyncConfig;
use chrono::{Duration as Days, Utc};
use uuid::Uuid;

pub use anju_office::demo::DEMO_PASSWORD;

/// The demo inspector (assigned all 14 households of 东河口镇).
pub const INSPECTOR: &str = "li";
pub const TOWNSHIP: &str = "东河口镇";

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Make an office data folder with the demo households and users.
/// When the run is on PostgreSQL (`ANJU_TEST_BACKEND=postgres`), the folder's records
/// are in a fresh database on the test server.
pub fn office_data(dir: &Path) -> Result<(), BoxError> {
    anju_office::testing::prepare_data_dir(dir);
    let mut db = OfficeDb::create(dir)?;
    anju_office::demo::load(&mut db)?;
    anju_office::demo::load_users(&mut db)?;
    Ok(())
}

/// Settings for tests: tiny waits, no idle connections (so that behind the proxy one
/// connection carries one request), many tries.
pub fn test_config() -> SyncConfig {
    SyncConfig {
        max_attempts: 12,
        initial_backoff: Duration::from_millis(2),
        max_backoff: Duration::from_millis(40),
        request_timeout: Duration::from_secs(20),
        connect_timeout: Duration::from_secs(5),
        pool_max_idle_per_host: 0,
        progress_interval: Duration::from_millis(20),
        ..SyncConfig::default()
    }
}

/// The office server running inside the test process.
pub struct InProcessOffice {
    pub addr: SocketAddr,
    pub data: PathBuf,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<Result<(), anju_office::http::ServerError>>>,
}

impl InProcessOffice {
    pub async fn start(data: &Path) -> Result<Self, BoxError> {
        Self::start_with(anju_office::http::ServeOptions::new(data.to_path_buf())).await
    }

    /// The same with every option of `serve`.
    pub async fn start_with(options: anju_office::http::ServeOptions) -> Result<Self, BoxError> {
        Self::start_on(options, "127.0.0.1:0").await
    }

    /// The same on a given address (to stand where another office stood).
    pub async fn start_on(
        options: anju_office::http::ServeOptions,
        address: &str,
    ) -> Result<Self, BoxError> {
        let listener = tokio::net::TcpListener::bind(address).await?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let data = options.data_dir.clone();
        let task = tokio::spawn(anju_office::app::serve_with(
            listener,
            options,
            async move {
                let _ = stopped.await;
            },
        ));
        Ok(Self {
            addr,
            data,
            stop: Some(stop),
            task: Some(task),
        })
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Shut down gracefully and report how the server ended.
    pub async fn stop(mut self) -> Result<(), BoxError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await??;
        }
        Ok(())
    }
}

impl Drop for InProcessOffice {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// The `anju-office` binary of this build: `<target>/debug/anju-office`. `cargo test
/// --workspace` builds it (the office crate has tests of its own); when it is missing,
/// this builds it.
pub fn office_binary() -> Result<PathBuf, BoxError> {
    // Benchmarks point this at the release build.
    if let Some(binary) = std::env::var_os("ANJU_OFFICE_BIN") {
        return Ok(PathBuf::from(binary));
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    let binary = target
        .join("debug")
        .join(format!("anju-office{}", std::env::consts::EXE_SUFFIX));
    if !binary.is_file() {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let status = std::process::Command::new(cargo)
            .args(["build", "-p", "anju-office", "--bin", "anju-office"])
            .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(".."))
            .status()?;
        if !status.success() || !binary.is_file() {
            return Err(format!("cannot build {}", binary.display()).into());
        }
    }
    Ok(binary)
}

/// The office as a separate process (`anju-office --data DIR serve --listen ADDR`).
pub struct OfficeProcess {
    pub addr: SocketAddr,
    child: std::process::Child,
}

impl OfficeProcess {
    /// Start it and wait for its `listening on http://ADDR` line.
    pub fn spawn(data: &Path, listen: &str) -> Result<Self, BoxError> {
        Self::spawn_with(data, listen, &[], None)
    }

    /// The same with more `serve` options, and at most `open_files` file descriptors
    /// (`ulimit -n`) when given.
    pub fn spawn_with(
        data: &Path,
        listen: &str,
        options: &[&str],
        open_files: Option<u32>,
    ) -> Result<Self, BoxError> {
        let binary = office_binary()?;
        let mut command = match open_files {
            Some(limit) => {
                let mut sh = std::process::Command::new("sh");
                sh.arg("-c")
                    .arg(format!("ulimit -n {limit} && exec \"$0\" \"$@\""))
                    .arg(&binary);
                sh
            }
            None => std::process::Command::new(&binary),
        };
        let mut child = command
            .arg("--data")
            .arg(data)
            .args(["serve", "--listen", listen])
            .args(options)
            .env("RUST_LOG", "warn")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::inherit())
            .spawn()?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut line = String::new();
        std::io::BufReader::new(stdout).read_line(&mut line)?;
        let addr = line
            .trim()
            .strip_prefix("listening on http://")
            .ok_or_else(|| format!("unexpected first line: {line:?}"))?
            .parse()?;
        Ok(Self { addr, child })
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL (no shutdown, no flush) and wait for it to be gone.
    pub fn kill(&mut self) -> Result<(), BoxError> {
        self.child.kill()?;
        self.child.wait()?;
        Ok(())
    }

    /// SIGTERM: the graceful way.
    pub fn terminate(&mut self) -> Result<std::process::ExitStatus, BoxError> {
        let status = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()?;
        if !status.success() {
            return Err("kill -TERM failed".into());
        }
        Ok(self.child.wait()?)
    }
}

impl Drop for OfficeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Deterministic bytes standing for a processed photo.
pub fn photo_bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut bytes = vec![0u8; len];
    rng.fill(&mut bytes);
    bytes
}

/// A device: its own folder and store.
pub struct Device {
    pub dir: tempfile::TempDir,
    pub store: Mutex<Store>,
    pub id: Uuid,
}

impl Device {
    pub fn new() -> Result<Self, BoxError> {
        let dir = tempfile::tempdir()?;
        let store = Store::open(dir.path())?;
        Ok(Self {
            dir,
            store: Mutex::new(store),
            id: Uuid::now_v7(),
        })
    }

    pub fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        self.store
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub async fn login(
        &self,
        config: &SyncConfig,
        url: &str,
        user: &str,
    ) -> Result<anju_sync::Session, anju_sync::SyncError> {
        anju_sync::login(
            &self.store,
            config,
            &anju_sync::Credentials {
                server_url: url,
                user,
                password: DEMO_PASSWORD,
                device_id: self.id,
                device_name: Some("测试手机"),
            },
            anju_sync::CancellationToken::new(),
        )
        .await
    }

    pub async fn sync(
        &self,
        config: &SyncConfig,
    ) -> Result<anju_sync::SyncReport, anju_sync::SyncError> {
        anju_sync::sync(
            &self.store,
            config,
            |_| {},
            anju_sync::CancellationToken::new(),
        )
        .await
    }

    /// The households on the device, sorted.
    pub fn household_ids(&self) -> Result<Vec<Uuid>, BoxError> {
        let mut ids = self.store().household_ids()?;
        ids.sort();
        Ok(ids)
    }

    /// Fill and submit a spot check of `household`: `photos` as its house-front photos
    /// (1 to 3), an inspector's signature (its image a blob too) and `findings`
    /// problems. Makes `photos + 1 + 1 + findings` outbox records.
    pub fn spot_check(
        &self,
        household: Uuid,
        photos: &[Vec<u8>],
        findings: usize,
        clock: ClockReading,
    ) -> Result<Submission, BoxError> {
        let mut store = self.store();
        let size = store
            .household(household)?
            .ok_or("household not on the device")?
            .size;
        let draft = store.open_draft(household, SubmissionKind::SpotCheck)?;
        let mut hashes = Vec::new();
        for bytes in photos {
            let meta = store.add_photo(
                bytes,
                NewPhoto {
                    household_id: household,
                    slot: "photo_front".into(),
                    width: 1600,
                    height: 1200,
                    taken: clock,
                    latitude: Some(32.1),
                    longitude: Some(112.9),
                    fix: None,
                    source: None,
                    camera_time: None,
                },
            )?;
            hashes.push(meta.sha256);
        }
        store.save_answer(
            draft.id,
            "photo_front",
            Some(Answer::Photos { sha256: hashes }),
            None,
        )?;
        store.save_answer(
            draft.id,
            "area_measurement",
            Some(Answer::Area {
                measurement: house(),
            }),
            None,
        )?;
        let today = Utc::now().date_naive();
        let items = (0..findings)
            .map(|i| FindingDraft {
                description: format!("问题{i}：墙面开裂 / wall cracked"),
                item: Some("area_measurement".into()),
                deadline: today + Days::days(30),
            })
            .collect();
        store.save_answer(draft.id, "findings", Some(Answer::Findings { items }), None)?;
        let signed = store.draft(draft.id)?.answers.signable_sha256()?;
        let image = format!("签名 {} {}", draft.id, household).into_bytes();
        let image_sha256 = store.put_blob(&image)?;
        store.save_answer(
            draft.id,
            "sign_inspector",
            Some(Answer::Signature {
                signature: SignatureMeta {
                    id: Uuid::now_v7(),
                    slot: "sign_inspector".into(),
                    signer_name: "李".into(),
                    method: SignatureMethod::Handwritten,
                    image_sha256,
                    signed_content_sha256: signed,
                    signed_at: Utc::now(),
                    signer: None,
                },
            }),
            None,
        )?;
        let ctx = FormContext {
            household_size: size,
            today,
            policy: PolicyTable::default(),
            policy_context: PolicyContext::default(),
            policy_version: None,
            placement: None,
        };
        // The signed-in inspector makes the record (the office checks it).
        let inspector = anju_sync::saved_session(&store)?
            .map_or_else(|| INSPECTOR.to_string(), |session| session.user.name);
        // Checked as the field app checks it before the store keeps it.
        let draft = store.draft(draft.id)?;
        let form = form_by_id(&draft.form_id, draft.form_version).ok_or("unknown form")?;
        let recorded_area = check_before_submitting(&form, &draft.answers, &ctx)
            .map_err(|issues| format!("the spot check is not complete: {issues:?}"))?;
        Ok(store.submit(
            draft.id,
            draft.revision,
            SubmissionDetails {
                inspector,
                clock,
                policy_version: ctx.policy_version,
                recorded_area,
                position: None,
            },
        )?)
    }

    /// Every record the device made: (kind, id) → content hash, from its outbox.
    pub fn records(&self) -> Result<BTreeMap<(String, String), String>, BoxError> {
        let conn = read_only(&self.dir.path().join(anju_store::DATABASE_FILE))?;
        let mut stmt = conn.prepare("SELECT record_kind, record_id, content_sha256 FROM outbox")?;
        let rows = stmt.query_map([], |row| Ok(((row.get(0)?, row.get(1)?), row.get(2)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The records the office acknowledged.
    pub fn acknowledged(&self) -> Result<BTreeSet<(String, String)>, BoxError> {
        let conn = read_only(&self.dir.path().join(anju_store::DATABASE_FILE))?;
        let mut stmt = conn.prepare(
            "SELECT record_kind, record_id FROM outbox WHERE acknowledged_at IS NOT NULL",
        )?;
        let rows = stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The blobs (photos, signature images) on the device: hash → size.
    pub fn blobs(&self) -> Result<BTreeMap<String, u64>, BoxError> {
        blob_files(&self.dir.path().join(anju_store::BLOB_DIR))
    }
}

fn house() -> HouseMeasurement {
    HouseMeasurement {
        parts: vec![MeasuredPart {
            label: "一层主体".into(),
            storey: 1,
            shape: Shape::Rectangle {
                length_mm: 9_000,
                width_mm: 8_000,
            },
            voids: vec![],
            rule: AreaRule::Storey { height_mm: 3_000 },
        }],
    }
}

/// The device's database, read-only.
fn read_only(path: &Path) -> Result<rusqlite::Connection, BoxError> {
    Ok(rusqlite::Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?)
}

/// A connection to the office database of the data folder `data`, on whichever backend
/// it is (SQLite in the folder, or the PostgreSQL database its `database.url` names), for
/// tests that look at, or damage, its rows.
pub fn office_sql(data: &Path) -> Result<anju_sql::Connection, BoxError> {
    Ok(OfficeDb::open_reader(data)?.into_connection())
}

/// A writable connection to the office database of `data` (SQLite: not query-only).
pub fn office_sql_writer(data: &Path) -> Result<anju_sql::Connection, BoxError> {
    match anju_office::db::DatabaseLocation::of_data_dir(data) {
        anju_office::db::DatabaseLocation::Postgres(url) => {
            Ok(anju_sql::Connection::connect_postgres(&url)?)
        }
        anju_office::db::DatabaseLocation::Sqlite(_) => {
            let conn = rusqlite::Connection::open(data.join(anju_office::db::DATABASE_FILE))?;
            // The office is running: wait for its writer rather than fail.
            conn.busy_timeout(Duration::from_secs(10))?;
            Ok(anju_sql::Connection::from_sqlite(conn))
        }
    }
}

/// Complete blob files under `root/ab/<sha256>`, each checked against its name.
fn blob_files(root: &Path) -> Result<BTreeMap<String, u64>, BoxError> {
    let mut out = BTreeMap::new();
    if !root.is_dir() {
        return Ok(out);
    }
    for shard in std::fs::read_dir(root)? {
        let shard = shard?.path();
        let Some(name) = shard.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if !shard.is_dir() || name.len() != 2 {
            continue; // e.g. the office's partial/ folder
        }
        for file in std::fs::read_dir(&shard)? {
            let path = file?.path();
            let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            if name.ends_with(".partial") {
                continue;
            }
            let bytes = std::fs::read(&path)?;
            if sha256_hex(&bytes) != name {
                return Err(format!("{} does not match its hash", path.display()).into());
            }
            out.insert(name.to_string(), bytes.len() as u64);
        }
    }
    Ok(out)
}

/// What the office stores, for comparison with a device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficeHoldings {
    /// (kind, id, content hash) of every stored record, duplicates included if any.
    pub records: Vec<(String, String, String)>,
    /// Complete blobs: hash → size.
    pub blobs: BTreeMap<String, u64>,
    /// Records kept aside as conflicts.
    pub conflicts: u64,
}

impl OfficeHoldings {
    pub fn read(data: &Path) -> Result<Self, BoxError> {
        let conn = office_sql(data)?;
        let mut records = Vec::new();
        for (kind, sql) in [
            ("photo", "SELECT sha256, content_sha256 FROM photos"),
            ("signature", "SELECT id, content_sha256 FROM signatures"),
            ("submission", "SELECT id, content_sha256 FROM submissions"),
            (
                "finding",
                "SELECT id, content_sha256 FROM findings WHERE content_sha256 IS NOT NULL",
            ),
        ] {
            let mut stmt = conn.prepare(sql)?;
            let rows = stmt.query_map([], |row| {
                Ok((
                    kind.to_string(),
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                ))
            })?;
            for row in rows {
                records.push(row?);
            }
        }
        records.sort();
        let conflicts = conn.query_row("SELECT count(*) FROM conflicts", [], |row| row.get(0))?;
        Ok(Self {
            records,
            blobs: blob_files(&data.join(anju_office::db::BLOB_DIR))?,
            conflicts,
        })
    }

    /// (kind, id) → hash, refusing duplicates.
    pub fn record_map(&self) -> Result<BTreeMap<(String, String), String>, BoxError> {
        let mut map = BTreeMap::new();
        for (kind, id, hash) in &self.records {
            if map
                .insert((kind.clone(), id.clone()), hash.clone())
                .is_some()
            {
                return Err(format!("{kind} {id} is stored twice").into());
            }
        }
        Ok(map)
    }
}

/// `PRAGMA integrity_check` of a SQLite office database (empty when sound; PostgreSQL
/// checks its own pages).
pub fn office_integrity(data: &Path) -> Result<Vec<String>, BoxError> {
    Ok(OfficeDb::open_reader(data)?.integrity_problems()?)
}

/// The office's `/api/v1/metrics`, read with the device's token.
pub async fn metrics(url: &str, token: &str) -> Result<serde_json::Value, BoxError> {
    let response = reqwest::Client::new()
        .get(format!("{url}/api/v1/metrics"))
        .bearer_auth(token)
        .send()
        .await?
        .error_for_status()?;
    Ok(response.json().await?)
}

/// The token a device keeps after signing in.
pub fn token_of(device: &Device) -> Result<String, BoxError> {
    device
        .store()
        .sync_value(anju_sync::state::TOKEN)?
        .filter(|t| !t.is_empty())
        .ok_or_else(|| "the device is not signed in".into())
}

/// A metric as a number.
pub fn metric(metrics: &serde_json::Value, name: &str) -> Result<u64, BoxError> {
    metrics[name]
        .as_u64()
        .ok_or_else(|| format!("no metric {name} in {metrics}").into())
}

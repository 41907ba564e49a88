//! A real single-node Garage in a temporary folder, for tests: started by the code, with a
//! bucket `anju` and a key allowed to use it, and killed when dropped.
//!
//! The `garage` binary is `$ANJU_GARAGE`, or `garage` on the `PATH`, or
//! `~/.cargo/bin/garage` (`scripts/test` installs it there). Without one, a test skips with a
//! message, except in CI (`CI` set), where it fails: a check that was never run is not a pass.

use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use std::sync::Arc;

use async_trait::async_trait;

use super::contract::{Backend, Limits, OrPanic};
use super::{S3BlobStore, S3Config};
use crate::storage::BlobStore;

#[derive(Debug, thiserror::Error)]
pub enum GarageError {
    #[error(
        "garage not installed: set ANJU_GARAGE, or put garage 2.5 on the PATH (cargo install garage --locked --version 2.5.0)"
    )]
    NotInstalled,
    #[error("garage test server: {0}")]
    Failed(String),
}

fn failed(what: impl std::fmt::Display) -> GarageError {
    GarageError::Failed(what.to_string())
}

/// A running Garage; the process is killed on drop and its folder removed.
pub struct TestGarage {
    child: Child,
    binary: PathBuf,
    config_file: PathBuf,
    /// Everything Garage keeps, and its log.
    dir: tempfile::TempDir,
    /// The bucket `anju` at the root; give each test its own `prefix`.
    pub config: S3Config,
}

/// Where the garage binary is, if anywhere.
pub fn garage_binary() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("ANJU_GARAGE").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(path));
    }
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("garage"))
            .find(|candidate| candidate.is_file())
    });
    on_path.or_else(|| {
        let home = std::env::var_os("HOME")?;
        let candidate = Path::new(&home).join(".cargo/bin/garage");
        candidate.is_file().then_some(candidate)
    })
}

/// Three free ports, held open together while chosen so that they differ.
fn free_ports() -> Result<[u16; 3], GarageError> {
    let bind = || TcpListener::bind("127.0.0.1:0").map_err(failed);
    let held = [bind()?, bind()?, bind()?];
    let mut ports = [0u16; 3];
    for (port, listener) in ports.iter_mut().zip(&held) {
        *port = listener.local_addr().map_err(failed)?.port();
    }
    Ok(ports)
}

impl TestGarage {
    /// Start a Garage, or say why not. Without a garage binary: in CI this panics, otherwise
    /// it prints "garage not installed: skipped" and gives `None`.
    pub fn start_or_skip() -> Option<Self> {
        match Self::start() {
            Ok(garage) => Some(garage),
            Err(GarageError::NotInstalled) if std::env::var_os("CI").is_none() => {
                eprintln!("garage not installed: skipped");
                None
            }
            Err(e) => panic!("{e}"),
        }
    }

    /// Start a single-node Garage with the bucket `anju` and a key for it.
    pub fn start() -> Result<Self, GarageError> {
        let binary = garage_binary().ok_or(GarageError::NotInstalled)?;
        let dir = tempfile::tempdir().map_err(failed)?;
        let [rpc, s3, admin] = free_ports()?;
        let mut secret = [0u8; 32];
        getrandom::fill(&mut secret).map_err(failed)?;
        let root = dir.path().display().to_string();
        let toml = format!(
            r#"metadata_dir = "{root}/meta"
data_dir = "{root}/data"
db_engine = "sqlite"
replication_factor = 1
rpc_bind_addr = "127.0.0.1:{rpc}"
rpc_public_addr = "127.0.0.1:{rpc}"
rpc_secret = "{secret}"

[s3_api]
s3_region = "garage"
api_bind_addr = "127.0.0.1:{s3}"
root_domain = ".s3.garage.localhost"

[admin]
api_bind_addr = "127.0.0.1:{admin}"
"#,
            secret = hex::encode(secret),
        );
        let config_file = dir.path().join("garage.toml");
        std::fs::write(&config_file, toml).map_err(failed)?;
        let log = std::fs::File::create(dir.path().join("garage.log")).map_err(failed)?;
        let log_err = log.try_clone().map_err(failed)?;
        let child = Command::new(&binary)
            .arg("-c")
            .arg(&config_file)
            .arg("server")
            .env("RUST_LOG", "garage=warn")
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_err)
            .spawn()
            .map_err(|e| failed(format!("{}: {e}", binary.display())))?;
        let mut garage = Self {
            child,
            binary,
            config_file,
            dir,
            config: S3Config {
                bucket: "anju".to_string(),
                prefix: String::new(),
                endpoint: format!("http://127.0.0.1:{s3}"),
                region: "garage".to_string(),
                access_key_id: String::new(),
                secret_access_key: String::new(),
            },
        };
        garage
            .set_up()
            .map_err(|e| failed(format!("{e}\n{}", garage.log_tail())))?;
        Ok(garage)
    }

    /// The layout of one node, the bucket and the key, each retried while the node starts.
    fn set_up(&mut self) -> Result<(), GarageError> {
        let status = self.retry(&["status"])?;
        let node = node_id(&status)
            .ok_or_else(|| failed(format!("no node id in `garage status`:\n{status}")))?;
        self.retry(&["layout", "assign", "-z", "dc1", "-c", "1G", &node])?;
        self.retry(&["layout", "apply", "--version", "1"])?;
        self.retry(&["bucket", "create", "anju"])?;
        let key = self.retry(&["key", "create", "anju-key"])?;
        let (id, secret) =
            key_of(&key).ok_or_else(|| failed(format!("no key in `garage key create`:\n{key}")))?;
        self.config.access_key_id = id;
        self.config.secret_access_key = secret;
        self.retry(&[
            "bucket", "allow", "--read", "--write", "--owner", "anju", "--key", "anju-key",
        ])?;
        // The S3 port listens once the node runs; wait for it as for the rest.
        let address = self
            .config
            .endpoint
            .trim_start_matches("http://")
            .to_string();
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(&address).is_err() {
            if Instant::now() > deadline {
                return Err(failed(format!("the S3 API at {address} never answered")));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(())
    }

    /// `garage -c FILE <args>` until it succeeds (a starting node refuses for a while).
    fn retry(&mut self, args: &[&str]) -> Result<String, GarageError> {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(Some(exit)) = self.child.try_wait() {
                return Err(failed(format!("garage server exited: {exit}")));
            }
            let out = Command::new(&self.binary)
                .arg("-c")
                .arg(&self.config_file)
                .args(args)
                .stdin(Stdio::null())
                .output()
                .map_err(failed)?;
            if out.status.success() {
                return Ok(String::from_utf8_lossy(&out.stdout).into_owned());
            }
            if Instant::now() > deadline {
                return Err(failed(format!(
                    "`garage {}` failed: {}{}",
                    args.join(" "),
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr)
                )));
            }
            std::thread::sleep(Duration::from_millis(300));
        }
    }

    /// The end of the server's log, for an error message.
    pub fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(self.dir.path().join("garage.log")).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }

    /// The same bucket under another prefix.
    pub fn config_with_prefix(&self, prefix: &str) -> S3Config {
        S3Config {
            prefix: prefix.to_string(),
            ..self.config.clone()
        }
    }
}

impl Drop for TestGarage {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::io::stderr().flush();
    }
}

/// Stores in one Garage bucket for the contract suite, each case under its own prefix
/// `<run>/<case>`: opening a case again is another office process on the same objects.
pub struct GarageBackend<'a> {
    pub garage: &'a TestGarage,
    pub run: String,
}

#[async_trait]
impl Backend for GarageBackend<'_> {
    async fn open(&self, case: &str, limits: Limits) -> Arc<dyn BlobStore> {
        let config = self
            .garage
            .config_with_prefix(&format!("{}/{case}", self.run));
        let store = S3BlobStore::new(&config, limits.blob)
            .or_panic("an S3 store")
            .with_pending_limits(limits.pending_bytes, limits.pending_uploads);
        Arc::new(store)
    }
}

/// The id of the first node `garage status` lists: the first word of the first line after
/// the header that starts with `ID`, a hex string.
fn node_id(status: &str) -> Option<String> {
    let mut lines = status
        .lines()
        .skip_while(|line| !line.trim_start().starts_with("ID"));
    lines.next()?;
    lines
        .filter_map(|line| line.split_whitespace().next())
        .find(|word| word.len() >= 8 && word.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(str::to_string)
}

/// `Key ID: GK…` and `Secret key: …` from `garage key create`.
fn key_of(output: &str) -> Option<(String, String)> {
    let field = |name: &str| {
        output.lines().find_map(|line| {
            let (label, value) = line.split_once(':')?;
            (label.trim().eq_ignore_ascii_case(name)).then(|| value.trim().to_string())
        })
    };
    let id = field("Key ID").filter(|id| id.starts_with("GK"))?;
    let secret = field("Secret key").filter(|s| !s.is_empty())?;
    Some((id, secret))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_node_and_the_key_are_read_from_garages_answers() {
        let status = "==== HEALTHY NODES ====\nID                Hostname  Address         Tags  Zone  Capacity          DataAvail  Version\n563e1ac825ee3323  box       127.0.0.1:3901  NO ROLE ASSIGNED                          v2.5.0\n";
        assert_eq!(node_id(status).as_deref(), Some("563e1ac825ee3323"));
        let key = "==== ACCESS KEY INFORMATION ====\nKey ID:              GK3515373e4c851ebaad366558\nKey name:            anju-key\nSecret key:          7d37d093435a41f2aab8f13c19ba067d9776c90215f56614adad6ece597dbb34\nCreated:             2026-12-05 15:00:00\n";
        assert_eq!(
            key_of(key),
            Some((
                "GK3515373e4c851ebaad366558".to_string(),
                "7d37d093435a41f2aab8f13c19ba067d9776c90215f56614adad6ece597dbb34".to_string()
            ))
        );
    }
}

//! The real field app under a virtual display: Xvfb, tauri-driver (which starts
//! WebKitWebDriver, which starts `anju-field`), and a WebDriver session on it. Each app
//! gets its own data folder through `ANJU_FIELD_DATA`.

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::webdriver::WebDriver;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The built field app: `ANJU_FIELD_BIN`, else `target/debug/anju-field`.
pub fn app_binary() -> Result<PathBuf, BoxError> {
    let path = match std::env::var_os("ANJU_FIELD_BIN") {
        Some(path) => PathBuf::from(path),
        None => workspace_root().join("target/debug/anju-field"),
    };
    if !path.is_file() {
        return Err(format!(
            "the field app is not built at {} (scripts/test builds it; or set ANJU_FIELD_BIN)",
            path.display()
        )
        .into());
    }
    Ok(path.canonicalize()?)
}

fn tauri_driver() -> Result<PathBuf, BoxError> {
    if let Some(path) = std::env::var_os("TAURI_DRIVER") {
        return Ok(PathBuf::from(path));
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    let candidate = home.join(".cargo/bin/tauri-driver");
    if candidate.is_file() {
        return Ok(candidate);
    }
    Ok(PathBuf::from("tauri-driver"))
}

/// Where screenshots of the app are kept for people to look at.
pub fn artifacts_dir() -> Result<PathBuf, BoxError> {
    let dir = workspace_root().join("artifacts/field-app");
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

fn free_port() -> Result<u16, BoxError> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// A child in a process group of its own: dropping it kills the whole group (tauri-driver
/// leaves WebKitWebDriver and the app behind otherwise).
struct Reaped(Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.0.id())])
            .stderr(Stdio::null())
            .status();
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// An X server of our own.
pub struct Display {
    _xvfb: Reaped,
    pub name: String,
}

impl Display {
    pub fn start() -> Result<Self, BoxError> {
        let number = (90..200)
            .find(|n| !Path::new(&format!("/tmp/.X{n}-lock")).exists())
            .ok_or("no free X display number")?;
        let name = format!(":{number}");
        let xvfb = Command::new("Xvfb")
            .args([&name, "-screen", "0", "1280x1024x24", "-nolisten", "tcp"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start Xvfb: {e}"))?;
        let xvfb = Reaped(xvfb);
        let socket = format!("/tmp/.X11-unix/X{number}");
        let start = Instant::now();
        while !Path::new(&socket).exists() {
            if start.elapsed() > Duration::from_secs(10) {
                return Err("Xvfb did not start".into());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(Self { _xvfb: xvfb, name })
    }
}

/// The app with a WebDriver session on it.
pub struct RealApp {
    pub data: PathBuf,
    pub app: PathBuf,
    pub driver_url: String,
    pub wd: WebDriver,
    driver: Reaped,
    server_url: Option<String>,
    display: String,
    shots: usize,
}

fn spawn_driver(
    display: &str,
    data: &Path,
    server_url: Option<&str>,
) -> Result<(Reaped, String), BoxError> {
    let port = free_port()?;
    let native = free_port()?;
    let mut command = Command::new(tauri_driver()?);
    command.process_group(0);
    command
        .args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native.to_string(),
        ])
        .env("DISPLAY", display)
        .env("ANJU_FIELD_DATA", data)
        .env("WEBKIT_DISABLE_DMABUF_RENDERER", "1")
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
    if let Some(url) = server_url {
        command
            .env("ANJU_FIELD_SERVER", url)
            .env("ANJU_FIELD_USER", "li");
    }
    let child = command
        .spawn()
        .map_err(|e| format!("cannot start tauri-driver (cargo install tauri-driver): {e}"))?;
    let child = Reaped(child);
    let url = format!("http://127.0.0.1:{port}");
    // tauri-driver listens first, then starts WebKitWebDriver on the native port: a
    // session asked for before that one listens is dropped.
    let start = Instant::now();
    for listening in [port, native] {
        while std::net::TcpStream::connect(("127.0.0.1", listening)).is_err() {
            if start.elapsed() > Duration::from_secs(30) {
                return Err(format!("tauri-driver: nothing listens on port {listening}").into());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    Ok((child, url))
}

impl RealApp {
    /// Start the app on `display` with its data in `data`; `server_url` prefills sign-in.
    pub async fn launch(
        display: &Display,
        data: &Path,
        server_url: Option<&str>,
    ) -> Result<Self, BoxError> {
        let app = app_binary()?;
        let (driver, driver_url) = spawn_driver(&display.name, data, server_url)?;
        let wd = WebDriver::start(&driver_url, &app.display().to_string()).await?;
        Ok(Self {
            data: data.to_path_buf(),
            app,
            driver_url,
            wd,
            driver,
            server_url: server_url.map(str::to_string),
            display: display.name.clone(),
            shots: 0,
        })
    }

    /// The process ids of this app (its binary, with its data folder).
    pub fn app_pids(&self) -> Vec<u32> {
        let wanted = format!("ANJU_FIELD_DATA={}", self.data.display());
        let mut pids = Vec::new();
        let Ok(entries) = std::fs::read_dir("/proc") else {
            return pids;
        };
        for entry in entries.flatten() {
            let Some(pid) = entry
                .file_name()
                .to_str()
                .and_then(|n| n.parse::<u32>().ok())
            else {
                continue;
            };
            let exe = std::fs::read_link(entry.path().join("exe")).ok();
            if exe.as_deref() != Some(self.app.as_path()) {
                continue;
            }
            let environ = std::fs::read(entry.path().join("environ")).unwrap_or_default();
            if environ
                .split(|b| *b == 0)
                .any(|var| var == wanted.as_bytes())
            {
                pids.push(pid);
            }
        }
        pids
    }

    /// SIGKILL the app, as a phone's system does to an app in the background.
    pub fn kill_app(&self) -> Result<usize, BoxError> {
        let pids = self.app_pids();
        for pid in &pids {
            Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status()?;
        }
        let start = Instant::now();
        while !self.app_pids().is_empty() {
            if start.elapsed() > Duration::from_secs(10) {
                return Err("the app did not die".into());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(pids.len())
    }

    /// After a kill: a fresh driver and session, the same data folder.
    pub async fn restart(&mut self) -> Result<(), BoxError> {
        let _ = self.wd.quit().await;
        let (driver, url) = spawn_driver(&self.display, &self.data, self.server_url.as_deref())?;
        self.driver = driver;
        self.driver_url = url;
        self.wd = WebDriver::start(&self.driver_url, &self.app.display().to_string()).await?;
        Ok(())
    }

    /// Save a screenshot as `artifacts/field-app/<prefix>-NN-<name>.png`.
    pub async fn screenshot(&mut self, prefix: &str, name: &str) -> Result<PathBuf, BoxError> {
        self.shots += 1;
        let png = self.wd.screenshot().await?;
        let path = artifacts_dir()?.join(format!("{prefix}-{:02}-{name}.png", self.shots));
        std::fs::write(&path, png)?;
        Ok(path)
    }

    pub async fn close(self) -> Result<(), BoxError> {
        let _ = self.wd.quit().await;
        drop(self.driver);
        Ok(())
    }
}

/// Sync from the app's sync screen and wait until a sync newer than the last has finished
/// with no record left waiting. A background sync still running (begun before what the
/// test wants pulled) is waited out first, so that the one waited for starts after.
pub async fn sync_in_app(wd: &WebDriver) -> Result<(), BoxError> {
    const LONG: Duration = Duration::from_secs(60);
    const SHORT: Duration = Duration::from_secs(20);
    let start = Instant::now();
    while wd.invoke("sync_status", serde_json::json!({})).await?["running"] == true {
        if start.elapsed() > LONG {
            return Err("a background sync does not end".into());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let before = wd.invoke("sync_status", serde_json::json!({})).await?["last_sync"].clone();
    wd.click_css("[data-testid=\"tab-sync\"]", SHORT).await?;
    wd.wait_route("sync", SHORT).await?;
    wd.click_css("[data-testid=\"sync-now\"]", SHORT).await?;
    let start = Instant::now();
    loop {
        let status = wd.invoke("sync_status", serde_json::json!({})).await?;
        if status["running"] == false
            && status["pending"]["records"] == 0
            && !status["last_sync"].is_null()
            && status["last_sync"] != before
        {
            return Ok(());
        }
        if start.elapsed() > LONG {
            return Err(format!("the sync did not finish: {status}").into());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

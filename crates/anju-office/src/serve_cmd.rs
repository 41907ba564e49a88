//! `anju-office serve`: its options, TLS or (only on loopback, or when asked) plain HTTP.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anju_office::db::DatabaseLocation;
use anju_office::http::ServeOptions;
use anju_office::listen::ServeLimits;
use anju_office::users::TokenIdle;
use anyhow::{Context, Result, bail};
use clap::Args;

#[derive(Args)]
pub struct ServeArgs {
    /// Address to listen on, e.g. 0.0.0.0:8443; port 0 picks a free one.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: String,
    /// Log as JSON lines instead of text.
    #[arg(long)]
    json_logs: bool,
    /// The TLS certificate chain (PEM). Without it, DIR/tls/office.crt from
    /// `init --self-signed` is used when it is there.
    #[arg(long, requires = "tls_key", value_name = "FILE")]
    tls_cert: Option<PathBuf>,
    /// The TLS private key (PEM).
    #[arg(long, requires = "tls_cert", value_name = "FILE")]
    tls_key: Option<PathBuf>,
    /// Serve plain HTTP on an address other than loopback: passwords, tokens, ID
    /// numbers and photos then cross the network readable by anyone on it.
    #[arg(long)]
    insecure_http: bool,
    /// Days a device's sign-in may go unused before it must sign in again.
    #[arg(long, default_value_t = 30)]
    device_token_idle_days: u32,
    /// Hours an office-page session may go unused.
    #[arg(long, default_value_t = 12)]
    page_session_idle_hours: u32,
    /// Seconds a client has to send a request's headers (and may sit idle between requests).
    #[arg(long, default_value_t = 20)]
    header_timeout_secs: u64,
    /// Seconds a request body may pause between two parts.
    #[arg(long, default_value_t = 30)]
    body_timeout_secs: u64,
    /// Connections open at once, from everyone.
    #[arg(long, default_value_t = 1024)]
    max_connections: usize,
    /// Connections open at once from one address.
    #[arg(long, default_value_t = 32)]
    max_per_client: usize,
    /// Seconds between sweeps of stale uploads and dead tokens.
    #[arg(long, default_value_t = 3600)]
    maintenance_secs: u64,
    /// Hours an unfinished upload may go without progress before it is swept.
    #[arg(long, default_value_t = 24)]
    upload_expiry_hours: u32,
}

fn tls_files(dir: &Path, args: &ServeArgs) -> Option<(PathBuf, PathBuf)> {
    if let (Some(cert), Some(key)) = (&args.tls_cert, &args.tls_key) {
        return Some((cert.clone(), key.clone()));
    }
    if args.insecure_http {
        return None;
    }
    let (cert, key) = anju_office::tls::self_signed_paths(dir);
    (cert.is_file() && key.is_file()).then_some((cert, key))
}

pub fn serve(
    dir: &Path,
    database: &DatabaseLocation,
    blobs: anju_office::blob_target::BlobLocation,
    args: &ServeArgs,
) -> Result<()> {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,tower_http=info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if args.json_logs {
        builder.json().init();
    } else {
        builder.init();
    }
    if matches!(database, DatabaseLocation::Sqlite(_))
        && !dir.join(anju_office::db::DATABASE_FILE).is_file()
    {
        bail!(
            "{} 中还没有办公室数据库：请先运行 anju-office init / there is no office database in {}: run `anju-office init` first",
            dir.display(),
            dir.display()
        );
    }
    let tls = match tls_files(dir, args) {
        Some((cert, key)) => Some(anju_office::tls::load(&cert, &key)?),
        None => None,
    };
    let mut options = ServeOptions::new(dir.to_path_buf());
    options.database = database.clone();
    let blobs_described = blobs.describe();
    options.blobs = blobs;
    options.limits = ServeLimits {
        header_timeout: Duration::from_secs(args.header_timeout_secs.max(1)),
        body_timeout: Duration::from_secs(args.body_timeout_secs.max(1)),
        max_connections: args.max_connections.max(1),
        max_per_client: args.max_per_client.max(1),
        ..ServeLimits::default()
    };
    options.token_idle = TokenIdle {
        device: chrono::Duration::days(args.device_token_idle_days.into()),
        pages: chrono::Duration::hours(args.page_session_idle_hours.into()),
    };
    options.maintenance_every = Duration::from_secs(args.maintenance_secs.max(1));
    options.upload_expiry = chrono::Duration::hours(args.upload_expiry_hours.into());
    let fingerprint = tls.as_ref().map(|t| t.fingerprint.clone());
    options.tls = tls;
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(&args.listen)
            .await
            .with_context(|| format!("cannot listen on {}", args.listen))?;
        let address: SocketAddr = listener.local_addr()?;
        if fingerprint.is_none() && !address.ip().is_loopback() && !args.insecure_http {
            bail!(
                "不在本机地址上时须用 HTTPS：请给出 --tls-cert 和 --tls-key，或先运行 anju-office init --self-signed；确需明文请加 --insecure-http / off loopback the office serves HTTPS only: give --tls-cert and --tls-key, or run `anju-office init --self-signed` first; add --insecure-http to serve plain HTTP anyway"
            );
        }
        let scheme = if fingerprint.is_some() { "https" } else { "http" };
        let stop = shutdown_signal();
        // The first line of standard output: scripts and tests read the port from it.
        say!("listening on {scheme}://{address}");
        if let Some(print) = &fingerprint {
            say!(
                "certificate fingerprint {print} (code {})",
                anju_office::tls::short_code(print)
            );
        }
        use std::io::Write;
        std::io::stdout().flush()?;
        tracing::info!(%address, data = %dir.display(), database = %database.describe(), blobs = %blobs_described, "anju-office serving");
        anju_office::app::serve_with(listener, options, stop).await?;
        tracing::info!("anju-office stopped");
        Ok(())
    })
}

/// The stop signals (SIGTERM, Ctrl-C), their handlers installed now: a stop sent as soon as
/// the address is printed must stop the office gracefully, not kill it before the handler
/// exists (a test caught exactly that). The future ends at the first signal.
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let signals = {
        use tokio::signal::unix::{SignalKind, signal};
        signal(SignalKind::terminate())
            .ok()
            .zip(signal(SignalKind::interrupt()).ok())
    };
    async move {
        #[cfg(unix)]
        if let Some((mut terminate, mut interrupt)) = signals {
            tokio::select! {
                _ = terminate.recv() => {}
                _ = interrupt.recv() => {}
            }
            return;
        }
        let _ = tokio::signal::ctrl_c().await;
    }
}

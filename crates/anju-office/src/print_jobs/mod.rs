//! Printing to PDF: one form now (through the printer's short queue), or a township's
//! forms as a job of its own, in volumes, zipped. A job runs in the office, not in the
//! browser: closing the tab does not stop it, the page asks how far it is, and its ZIP is
//! kept for a day. Each volume holds at most 200 households, so a job's memory is one
//! volume's, whatever the township's size.
//!
//! Several office processes share one database and one blob store: a job's state is a row
//! of `print_jobs` ([`table`]) and its ZIP a blob, so any process answers its progress and
//! serves its ZIP, and the limit of unfinished jobs holds for the whole office. Only the
//! printing itself is the process's own: its volumes are written to `<data>/prints/<id>/`
//! and zipped there, then the ZIP is stored in the blob store a piece at a time.

pub mod table;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use axum::http::{StatusCode, header};
use chrono::{DateTime, Utc};
use serde::Serialize;
use ts_rs::TS;
use uuid::Uuid;

use crate::http::{AppError, AppState, PDF_JOBS_RUNNING, PDF_JOBS_WAITING};
use crate::services::{self, FormHtml, FormLang, PersonalData};
use crate::storage::{BlobStream, StorageError};
use crate::users::AuthUser;

/// How long one PDF may take.
pub const PDF_TIMEOUT: Duration = Duration::from_secs(180);
/// Print jobs not yet finished, in the whole office (every process: counted in the table).
pub const MAX_ACTIVE_JOBS: usize = 4;
/// How long a finished job's ZIP is kept.
pub const KEEP_JOBS: chrono::Duration = chrono::Duration::hours(24);

/// Where a print job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PrintJobState {
    /// Waiting for the printer.
    Queued,
    Printing,
    Done,
    Failed,
}

/// A print job as the page sees it.
#[derive(Debug, Clone, Serialize, TS, utoipa::ToSchema)]
pub struct PrintJobView {
    pub id: String,
    pub township: String,
    pub state: PrintJobState,
    pub households: u32,
    pub volumes_total: u32,
    pub volumes_done: u32,
    /// The volume being printed now.
    pub current: Option<String>,
    /// Why it failed, "中文 / English".
    pub error: Option<String>,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    /// Where the ZIP is, once done.
    pub download: Option<String>,
    /// The ZIP's name.
    pub file_name: String,
}

/// This process's part of the office's print jobs: where it prints, and its name in the
/// table's `claimed_by`.
pub struct PrintJobs {
    root: PathBuf,
    process: String,
}

impl PrintJobs {
    pub fn new(data_dir: &Path) -> std::io::Result<Self> {
        let root = data_dir.join("prints");
        std::fs::create_dir_all(&root)?;
        Ok(Self {
            root,
            // Unique per start, so a restarted process does not take its old jobs for live.
            process: format!("pid {} {}", std::process::id(), Uuid::now_v7()),
        })
    }

    fn zip_path(&self, id: &str) -> PathBuf {
        self.root.join(format!("{id}.zip"))
    }
}

/// Whose jobs a user sees: their own; the district admin every job (`None`).
fn owner(user: &AuthUser) -> Option<String> {
    (user.role != anju_core::wire::Role::Admin).then(|| user.id.clone())
}

fn db_error(error: anju_sql::Error) -> AppError {
    AppError::from(StorageError::Db(error.into()))
}

/// Run `f` with the writer (on a blocking thread).
async fn write<T: Send + 'static>(
    state: &AppState,
    f: impl FnOnce(&mut anju_sql::Connection) -> anju_sql::Result<T> + Send + 'static,
) -> Result<T, AppError> {
    state
        .db
        .with(move |db| f(db.connection_mut()).map_err(db_error))
        .await
}

/// Run `f` with a reader.
async fn read<T: Send + 'static>(
    state: &AppState,
    f: impl FnOnce(&anju_sql::Connection) -> anju_sql::Result<T> + Send + 'static,
) -> Result<T, AppError> {
    state
        .db
        .read(move |db| f(db.connection()).map_err(db_error))
        .await
}

/// A job the user may see (their own; the district admin sees every job).
pub async fn view(
    state: &AppState,
    id: String,
    user: &AuthUser,
) -> Result<Option<PrintJobView>, AppError> {
    let owner = owner(user);
    read(state, move |conn| {
        table::get(conn, &id, owner.as_deref(), Utc::now())
    })
    .await
    .map(|found| found.map(|(view, _)| view))
}

/// The user's jobs, newest first.
pub async fn list(state: &AppState, user: &AuthUser) -> Result<Vec<PrintJobView>, AppError> {
    let owner = owner(user);
    read(state, move |conn| {
        table::list(conn, owner.as_deref(), Utc::now())
    })
    .await
}

/// The ZIP of a finished job the user may see: its name, length and bytes.
pub async fn zip_of(
    state: &AppState,
    id: String,
    user: &AuthUser,
) -> Result<Option<(String, u64, BlobStream)>, AppError> {
    let owner = owner(user);
    let found = read(state, move |conn| {
        table::get(conn, &id, owner.as_deref(), Utc::now())
    })
    .await?;
    let Some((view, Some(sha256))) = found else {
        return Ok(None);
    };
    if view.state != PrintJobState::Done {
        return Ok(None);
    }
    match state.blobs.open(&sha256).await {
        Ok((length, bytes)) => Ok(Some((view.file_name, length, bytes))),
        Err(crate::storage::BlobError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
            Ok(None)
        }
        Err(e) => Err(AppError::internal(e)),
    }
}

/// Fail jobs whose process stopped, forget jobs finished more than [`KEEP_JOBS`] ago and
/// their ZIPs, and this process's scratch files of jobs no longer printing; how many jobs
/// were forgotten.
pub async fn sweep(state: &AppState, now: DateTime<Utc>) -> Result<usize, AppError> {
    let (forgotten, unused) = write(state, move |conn| {
        table::fail_lost(conn, now)?;
        table::forget_finished(conn, now - KEEP_JOBS)
    })
    .await?;
    for sha in unused {
        if let Err(error) = state.blobs.remove(&sha).await {
            tracing::warn!(%error, sha, "removing an old print job's ZIP failed");
        }
    }
    let root = state.print_jobs.root.clone();
    let mut entries = tokio::fs::read_dir(&root)
        .await
        .map_err(AppError::internal)?;
    while let Ok(Some(entry)) = entries.next_entry().await {
        let name = entry.file_name().to_string_lossy().to_string();
        let id = name.strip_suffix(".zip").unwrap_or(&name).to_string();
        let in_use = read(state, move |conn| table::unfinished(conn, &id)).await?;
        if !in_use {
            let path = entry.path();
            let _ = tokio::fs::remove_dir_all(&path).await;
            let _ = tokio::fs::remove_file(&path).await;
        }
    }
    Ok(forgotten)
}

fn busy() -> AppError {
    AppError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "printer_busy",
        format!(
            "正在打印的PDF已达上限（{PDF_JOBS_RUNNING} 份打印、{PDF_JOBS_WAITING} 份排队），请稍后再试 / the PDF printer is full ({PDF_JOBS_RUNNING} printing, {PDF_JOBS_WAITING} waiting): try again shortly"
        ),
    )
    .header(header::RETRY_AFTER, 30)
}

/// Print a form page to PDF: its images read from the blob store, Chromium on a blocking
/// thread, in the printer's queue. With `wait`, a full queue is waited out (a job);
/// without, it is a 503 at once (a person at the page).
pub async fn print(state: &AppState, form: FormHtml, wait: bool) -> Result<Vec<u8>, AppError> {
    let turn = loop {
        match state.printer.enter().await {
            Some(turn) => break turn,
            None if wait => tokio::time::sleep(Duration::from_millis(500)).await,
            None => return Err(busy()),
        }
    };
    let mut images = Vec::new();
    for sha in &form.images {
        if let Ok(bytes) = state.blobs.read(sha).await {
            images.push((sha.clone(), bytes));
        }
    }
    let printed =
        tokio::task::spawn_blocking(move || services::print_pdf(&form.html, &images, PDF_TIMEOUT))
            .await
            .map_err(AppError::internal)?
            .map_err(|e| match e {
                services::PdfError::NoBrowser => AppError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "no_pdf_printer",
                    e.to_string(),
                ),
                other => AppError::internal(other),
            });
    drop(turn);
    printed
}

/// Start printing a township's forms in volumes; answers at once with the job.
pub async fn start(
    state: &AppState,
    user: AuthUser,
    township: String,
    personal: PersonalData,
    lang: FormLang,
) -> Result<PrintJobView, AppError> {
    // The volumes first: this checks the user's right to the township, and says how much.
    let township_id = township.clone();
    let (name, volumes) = crate::http::read(state, user.clone(), move |db, viewer| {
        services::township_volumes(db, viewer, &township)
    })
    .await?;
    let id = Uuid::now_v7().to_string();
    let households = volumes.iter().map(|v| v.household_ids.len()).sum::<usize>();
    let view = PrintJobView {
        id: id.clone(),
        township: name.clone(),
        state: PrintJobState::Queued,
        households: u32::try_from(households).unwrap_or(u32::MAX),
        volumes_total: u32::try_from(volumes.len()).unwrap_or(u32::MAX),
        volumes_done: 0,
        current: None,
        error: None,
        started_at: Utc::now(),
        finished_at: None,
        download: None,
        file_name: match lang {
            FormLang::Zh => format!("{name}验收监督表（{households} 户）.zip"),
            FormLang::En => format!("{name} acceptance forms ({households} households).zip"),
        },
    };
    let job = table::NewJob {
        id: id.clone(),
        township_id,
        view: view.clone(),
        requested_by: user.id.clone(),
        lang,
        personal,
        claimed_by: state.print_jobs.process.clone(),
    };
    let room = write(state, move |conn| {
        table::insert_if_room(conn, &job, Utc::now(), MAX_ACTIVE_JOBS)
    })
    .await?;
    if let Err(active) = room {
        return Err(AppError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "print_jobs_busy",
            format!(
                "已有 {active} 个打印任务在进行，请等其完成后再试 / {active} print jobs are running: try again when one is done"
            ),
        )
        .header(header::RETRY_AFTER, 60));
    }
    let state = state.clone();
    tokio::spawn(async move {
        let beating = tokio::spawn(beat(state.clone(), id.clone()));
        let outcome = run(&state, &user, &id, volumes, personal, lang).await;
        beating.abort();
        let jobs = &state.print_jobs;
        let _ = tokio::fs::remove_dir_all(jobs.root.join(&id)).await;
        let _ = tokio::fs::remove_file(jobs.zip_path(&id)).await;
        let claimant = jobs.process.clone();
        let finished = match outcome {
            Ok((sha256, bytes)) => {
                write(&state, move |conn| {
                    table::done(conn, &id, &claimant, &sha256, bytes, Utc::now()).map(|_| ())
                })
                .await
            }
            Err(error) => {
                let message = error.message().to_string();
                write(&state, move |conn| {
                    table::failed(conn, &id, &claimant, &message, Utc::now())
                })
                .await
            }
        };
        // Unwritten, the job shows as failed once its heartbeat is stale.
        if let Err(error) = finished {
            tracing::warn!(
                error = error.message(),
                "recording a print job's end failed"
            );
        }
    });
    Ok(view)
}

/// Say now and then that this process is still printing the job `id`, so that no other
/// process takes it for lost; between volumes, a volume may take minutes.
async fn beat(state: AppState, id: String) {
    let mut ticker = tokio::time::interval(table::HEARTBEAT_EVERY);
    ticker.tick().await;
    loop {
        ticker.tick().await;
        let (id, claimant) = (id.clone(), state.print_jobs.process.clone());
        let beaten = write(&state, move |conn| {
            table::heartbeat(conn, &id, &claimant, Utc::now())
        })
        .await;
        if let Err(error) = beaten {
            tracing::warn!(error = error.message(), "a print job's heartbeat failed");
        }
    }
}

/// The job is no longer this process's to print (another found it lost meanwhile).
fn taken_over() -> AppError {
    AppError::new(StatusCode::CONFLICT, "print_job_lost", table::LOST)
}

/// Print each volume in turn into the job's folder, zip them, and store the ZIP as a
/// blob; its SHA-256 and length.
async fn run(
    state: &AppState,
    user: &AuthUser,
    id: &str,
    volumes: Vec<services::Volume>,
    personal: PersonalData,
    lang: FormLang,
) -> Result<(String, u64), AppError> {
    let jobs = &state.print_jobs;
    let dir = jobs.root.join(id);
    tokio::fs::create_dir_all(&dir)
        .await
        .map_err(AppError::internal)?;
    let mut files = Vec::with_capacity(volumes.len());
    for (index, volume) in volumes.into_iter().enumerate() {
        let (job, claimant, current) = (id.to_string(), jobs.process.clone(), volume.title.clone());
        let done = u32::try_from(index).unwrap_or(u32::MAX);
        let ours = write(state, move |conn| {
            table::progress(conn, &job, &claimant, Some(&current), done, Utc::now())
        })
        .await?;
        if !ours {
            return Err(taken_over());
        }
        let title = volume.title.clone();
        let form = crate::http::read(state, user.clone(), move |db, viewer| {
            services::forms_html(
                db,
                viewer,
                &title,
                &volume.household_ids,
                &services::pdf_image_src,
                personal,
                lang,
            )
        })
        .await?;
        let pdf = print(state, form, true).await?;
        let name = format!("{:03}-{}.pdf", index + 1, volume.title);
        tokio::fs::write(dir.join(&name), &pdf)
            .await
            .map_err(AppError::internal)?;
        files.push(name);
    }
    let zip_path = jobs.zip_path(id);
    let (folder, out) = (dir.clone(), zip_path.clone());
    let (sha256, bytes) = tokio::task::spawn_blocking(move || {
        zip_folder(&folder, &files, &out)?;
        crate::blob_files::hash_file(&out)
    })
    .await
    .map_err(AppError::internal)?
    .map_err(AppError::internal)?;
    state
        .blobs
        .put_file(&sha256, &zip_path)
        .await
        .map_err(AppError::internal)?;
    Ok((sha256, bytes))
}

/// The PDFs in one ZIP, stored as they are (PDFs do not shrink), read one at a time.
fn zip_folder(folder: &Path, files: &[String], out: &Path) -> std::io::Result<()> {
    let file = std::fs::File::create(out)?;
    let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(file));
    let stored = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .large_file(true);
    for name in files {
        zip.start_file(name.as_str(), stored)
            .map_err(std::io::Error::other)?;
        let mut source = std::fs::File::open(folder.join(name))?;
        std::io::copy(&mut source, &mut zip)?;
    }
    zip.finish().map_err(std::io::Error::other)?.flush()?;
    Ok(())
}

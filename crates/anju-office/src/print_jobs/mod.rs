//! Printing to PDF: one form now (through the printer's short queue), or a township's
//! forms as a job of its own, in volumes, zipped. A job runs in the office, not in the
//! browser: closing the tab does not stop it, the page asks how far it is, and its ZIP is
//! kept for a day. Each volume holds at most 200 households, so a job's memory is one
//! volume's, whatever the township's size.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{StatusCode, header};
use chrono::{DateTime, Utc};
use serde::Serialize;
use ts_rs::TS;
use uuid::Uuid;

use crate::pages::{self, FormHtml, FormLang, PersonalData};
use crate::server::{AppError, AppState, PDF_JOBS_RUNNING, PDF_JOBS_WAITING};
use crate::users::AuthUser;

/// How long one PDF may take.
pub const PDF_TIMEOUT: Duration = Duration::from_secs(180);
/// Print jobs not yet finished, in the whole office.
pub const MAX_ACTIVE_JOBS: usize = 4;
/// How long a finished job's ZIP is kept.
pub const KEEP_JOBS: chrono::Duration = chrono::Duration::hours(24);

/// Where a print job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PrintJobState {
    /// Waiting for the printer.
    Queued,
    Printing,
    Done,
    Failed,
}

/// A print job as the page sees it.
#[derive(Debug, Clone, Serialize, TS)]
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

struct Job {
    view: PrintJobView,
    owner: String,
}

/// The office's print jobs.
pub struct PrintJobs {
    root: PathBuf,
    jobs: Mutex<HashMap<String, Job>>,
}

impl PrintJobs {
    pub fn new(data_dir: &Path) -> std::io::Result<Self> {
        let root = data_dir.join("prints");
        std::fs::create_dir_all(&root)?;
        Ok(Self {
            root,
            jobs: Mutex::new(HashMap::new()),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Job>> {
        self.jobs.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn update(&self, id: &str, f: impl FnOnce(&mut PrintJobView)) {
        if let Some(job) = self.lock().get_mut(id) {
            f(&mut job.view);
        }
    }

    /// A job the user may see (their own; the district admin sees every job).
    pub fn view(&self, id: &str, user: &AuthUser) -> Option<PrintJobView> {
        let jobs = self.lock();
        let job = jobs.get(id)?;
        (job.owner == user.id || user.role == anju_core::wire::Role::Admin)
            .then(|| job.view.clone())
    }

    /// The user's jobs, newest first.
    pub fn list(&self, user: &AuthUser) -> Vec<PrintJobView> {
        let mut jobs: Vec<PrintJobView> = self
            .lock()
            .values()
            .filter(|j| j.owner == user.id || user.role == anju_core::wire::Role::Admin)
            .map(|j| j.view.clone())
            .collect();
        jobs.sort_by_key(|j| std::cmp::Reverse(j.started_at));
        jobs
    }

    /// The ZIP of a finished job the user may see.
    pub fn zip_of(&self, id: &str, user: &AuthUser) -> Option<(PathBuf, String)> {
        let view = self.view(id, user)?;
        (view.state == PrintJobState::Done).then(|| (self.zip_path(id), view.file_name))
    }

    fn zip_path(&self, id: &str) -> PathBuf {
        self.root.join(format!("{id}.zip"))
    }

    /// Forget jobs finished more than [`KEEP_JOBS`] ago, and their files.
    pub fn sweep(&self, now: DateTime<Utc>) -> usize {
        let old: Vec<String> = self
            .lock()
            .iter()
            .filter(|(_, j)| j.view.finished_at.is_some_and(|t| now - t > KEEP_JOBS))
            .map(|(id, _)| id.clone())
            .collect();
        for id in &old {
            let _ = std::fs::remove_file(self.zip_path(id));
            let _ = std::fs::remove_dir_all(self.root.join(id));
            self.lock().remove(id);
        }
        old.len()
    }
}

fn busy() -> AppError {
    AppError::new(
        StatusCode::SERVICE_UNAVAILABLE,
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
        tokio::task::spawn_blocking(move || pages::print_pdf(&form.html, &images, PDF_TIMEOUT))
            .await
            .map_err(AppError::internal)?
            .map_err(|e| match e {
                pages::PdfError::NoBrowser => AppError::new(
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
    let jobs = Arc::clone(&state.print_jobs);
    let active = jobs
        .lock()
        .values()
        .filter(|j| {
            matches!(
                j.view.state,
                PrintJobState::Queued | PrintJobState::Printing
            )
        })
        .count();
    if active >= MAX_ACTIVE_JOBS {
        return Err(AppError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "print_jobs_busy",
            format!(
                "已有 {active} 个打印任务在进行，请等其完成后再试 / {active} print jobs are running: try again when one is done"
            ),
        )
        .header(header::RETRY_AFTER, 60));
    }
    // The volumes first: this checks the user's right to the township, and says how much.
    let (name, volumes) = crate::web::read(state, user.clone(), move |db, viewer| {
        pages::township_volumes(db, viewer, &township)
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
    jobs.lock().insert(
        id.clone(),
        Job {
            view: view.clone(),
            owner: user.id.clone(),
        },
    );
    let state = state.clone();
    tokio::spawn(async move {
        let outcome = run(&state, &user, &id, volumes, personal, lang).await;
        let jobs = &state.print_jobs;
        match outcome {
            Ok(()) => jobs.update(&id, |v| {
                v.state = PrintJobState::Done;
                v.current = None;
                v.finished_at = Some(Utc::now());
                v.download = Some(format!("/api/office/print-jobs/{id}/download"));
            }),
            Err(error) => {
                let _ = std::fs::remove_dir_all(jobs.root.join(&id));
                jobs.update(&id, |v| {
                    v.state = PrintJobState::Failed;
                    v.current = None;
                    v.finished_at = Some(Utc::now());
                    v.error = Some(error.message().to_string());
                });
            }
        }
    });
    Ok(view)
}

/// Print each volume in turn into the job's folder, then zip them.
async fn run(
    state: &AppState,
    user: &AuthUser,
    id: &str,
    volumes: Vec<pages::Volume>,
    personal: PersonalData,
    lang: FormLang,
) -> Result<(), AppError> {
    let jobs = &state.print_jobs;
    let dir = jobs.root.join(id);
    tokio::fs::create_dir_all(&dir)
        .await
        .map_err(AppError::internal)?;
    let mut files = Vec::with_capacity(volumes.len());
    for (index, volume) in volumes.into_iter().enumerate() {
        jobs.update(id, |v| {
            v.state = PrintJobState::Printing;
            v.current = Some(volume.title.clone());
        });
        let title = volume.title.clone();
        let form = crate::web::read(state, user.clone(), move |db, viewer| {
            pages::forms_html(
                db,
                viewer,
                &title,
                &volume.household_ids,
                &pages::pdf_image_src,
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
        jobs.update(id, |v| v.volumes_done += 1);
    }
    let zip_path = jobs.zip_path(id);
    let folder = dir.clone();
    tokio::task::spawn_blocking(move || zip_folder(&folder, &files, &zip_path))
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::internal)?;
    let _ = tokio::fs::remove_dir_all(&dir).await;
    Ok(())
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

//! [`FieldApp`]: the device's database, photo pipeline and sync engine behind the screens.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

use anju_core::area::{self, AreaAssessment, AreaError, HouseMeasurement};
use anju_core::district_policy::PolicyHistory;
use anju_core::model::SignatureMethod;
use anju_core::policy::{PolicyContext, PolicyTable};
use anju_core::records::{china_date, made_at};
use anju_media::{PhotoOptions, PhotoProcessor};
use anju_store::{Store, SubmissionDetails};
use anju_sync::{CancellationToken, Credentials, Progress, SyncConfig, SyncReport};
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use crate::autosync::Schedule;
use crate::error::{AppError, CommandError};
use crate::views::*;

mod drafts;
mod households;
mod tasks;
mod team;

type Result<T, E = AppError> = std::result::Result<T, E>;

const LANGUAGE_KEY: &str = "ui_language";
const LAST_USER_KEY: &str = "last_user";

/// How the app is started.
#[derive(Debug, Clone, Default)]
pub struct AppOptions {
    /// Prefills the sign-in screen, e.g. the demo office started by `scripts/run`.
    pub suggested_server_url: Option<String>,
    pub suggested_user: Option<String>,
    /// The engine's settings for a sync the inspector starts.
    pub sync: SyncConfig,
    /// For background tries: few attempts, short timeouts, so an office out of reach is
    /// noticed quickly and quietly.
    pub background_sync: SyncConfig,
    pub photos: PhotoOptions,
}

impl AppOptions {
    pub fn field_defaults() -> Self {
        let background_sync = SyncConfig {
            max_attempts: 2,
            connect_timeout: std::time::Duration::from_secs(4),
            ..SyncConfig::default()
        };
        Self {
            background_sync,
            ..Self::default()
        }
    }
}

/// A photo arriving from the camera or the gallery, with where it goes.
#[derive(Debug, Clone)]
pub struct IncomingPhoto<'a> {
    pub draft_id: Uuid,
    pub slot: &'a str,
    pub expected_revision: Option<i64>,
    pub bytes: &'a [u8],
    /// The webview's position fix when the photo was taken, or why it had none; `None` when
    /// the caller did not ask (the watermark then says plain 无定位).
    pub fix: Option<anju_core::location::Fix>,
    pub source: anju_core::location::PhotoSource,
}

/// A signature about to be saved into its slot.
struct NewSignature<'a> {
    slot: &'a str,
    signer_name: &'a str,
    method: SignatureMethod,
    image_sha256: String,
    signed_content_sha256: String,
    /// The team member who confirmed it with their PIN, for a department's slot.
    signer: Option<anju_core::model::SignerIdentity>,
}

#[derive(Debug, Default)]
struct SyncRuntime {
    running: bool,
    progress: Option<Progress>,
    last_report: Option<SyncReport>,
    last_error: Option<CommandError>,
    schedule: Schedule,
    /// Stops the sync that runs, if one does.
    cancel: Option<CancellationToken>,
}

/// Which settings a sync runs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncTrigger {
    /// The inspector pressed 同步 (or just signed in).
    Manual,
    /// The background loop.
    Background,
}

pub struct FieldApp {
    data_dir: PathBuf,
    store: Mutex<Store>,
    photos: Mutex<Option<PhotoProcessor>>,
    runtime: Mutex<SyncRuntime>,
    options: AppOptions,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // Every store write is a transaction, so a panic elsewhere cannot leave it half-done.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Today in China by the device's best clock (the office's time when it has it).
fn today(store: &Store) -> Result<NaiveDate> {
    let now = anju_sync::trusted_reading(store, Utc::now())?;
    Ok(china_date(made_at(&now)))
}

/// The district's policy in force on a day as the office sent it, or the national
/// default on a device that has not pulled one yet (then no version is recorded).
pub(crate) struct PolicyInForce {
    pub version: Option<u32>,
    pub table: PolicyTable,
    pub context: PolicyContext,
    /// ‰ of the recorded area within which a re-measure agrees with it.
    pub tolerance_permille: u32,
}

impl PolicyInForce {
    fn on(policies: &PolicyHistory, day: NaiveDate) -> Self {
        let tolerance_permille = policies.spot_check_tolerance_on(day);
        match policies.in_force(day) {
            Some(version) => Self {
                version: Some(version.version),
                table: version.policy.area_caps.clone(),
                context: version.policy.context(),
                tolerance_permille,
            },
            None => Self {
                version: None,
                table: PolicyTable::default(),
                context: PolicyContext::default(),
                tolerance_permille,
            },
        }
    }

    fn assess(
        &self,
        measurement: &HouseMeasurement,
        household_size: u32,
    ) -> Result<AreaAssessment, AreaError> {
        area::assess(measurement, household_size, &self.table, &self.context)
    }
}

fn path_text(path: &Path) -> String {
    path.display().to_string()
}

impl FieldApp {
    /// Open (or create) the device's data in `data_dir`.
    pub fn open(data_dir: &Path, options: AppOptions) -> Result<Self> {
        let mut store = Store::open(data_dir)?;
        if store.sync_value(anju_sync::state::DEVICE_ID)?.is_none() {
            // The device's own id is born here, on first start.
            store.set_sync_value(anju_sync::state::DEVICE_ID, &Uuid::now_v7().to_string())?;
        }
        Ok(Self {
            data_dir: data_dir.to_path_buf(),
            store: Mutex::new(store),
            photos: Mutex::new(None),
            runtime: Mutex::new(SyncRuntime::default()),
            options,
        })
    }

    /// The folder of photos and signature images: the only one the webview may read.
    pub fn blob_dir(&self) -> PathBuf {
        self.data_dir.join(anju_store::BLOB_DIR)
    }

    fn store(&self) -> MutexGuard<'_, Store> {
        lock(&self.store)
    }

    fn device_id(&self, store: &Store) -> Result<Uuid> {
        let text = store.sync_value(anju_sync::state::DEVICE_ID)?;
        Ok(text
            .and_then(|t| Uuid::parse_str(&t).ok())
            .unwrap_or_else(Uuid::now_v7))
    }

    fn session(&self, store: &Store) -> Result<Option<SessionInfo>> {
        Ok(anju_sync::saved_session(store)?.map(|saved| SessionInfo {
            server_url: saved.server_url,
            user: saved.user,
            signed_in: saved.signed_in,
            device_id: saved.device_id,
            certificate_code: saved.certificate_code,
        }))
    }

    // -- start, sign-in, settings ----------------------------------------------------

    pub fn app_info(&self) -> Result<AppInfo> {
        let store = self.store();
        let session = self.session(&store)?;
        let language = store
            .sync_value(LANGUAGE_KEY)?
            .filter(|l| l == "en" || l == "zh-CN")
            .unwrap_or_else(|| "zh-CN".to_string());
        let suggested_server_url = session
            .as_ref()
            .map(|s| s.server_url.clone())
            .or_else(|| self.options.suggested_server_url.clone());
        let suggested_user = store
            .sync_value(LAST_USER_KEY)?
            .or_else(|| self.options.suggested_user.clone());
        Ok(AppInfo {
            version: env!("CARGO_PKG_VERSION").to_string(),
            data_dir: path_text(&self.data_dir),
            session,
            suggested_server_url,
            suggested_user,
            language,
        })
    }

    pub fn set_language(&self, language: &str) -> Result<()> {
        if language != "zh-CN" && language != "en" {
            return Err(AppError::invalid(
                format!("不支持的语言“{language}”：可选 zh-CN 或 en"),
                format!("unsupported language '{language}': choose zh-CN or en"),
            ));
        }
        self.store().set_sync_value(LANGUAGE_KEY, language)?;
        Ok(())
    }

    pub async fn sign_in(
        &self,
        server_url: &str,
        user: &str,
        password: &str,
    ) -> Result<SessionInfo> {
        let user = user.trim();
        if user.is_empty() || password.is_empty() {
            return Err(AppError::invalid(
                "请输入用户名和密码",
                "enter the user name and the password",
            ));
        }
        let device_id = self.device_id(&self.store())?;
        let credentials = Credentials {
            server_url: server_url.trim(),
            user,
            password,
            device_id,
            device_name: Some("anju-field"),
        };
        let session = anju_sync::login(
            &self.store,
            &self.options.sync,
            &credentials,
            CancellationToken::new(),
        )
        .await?;
        self.store().set_sync_value(LAST_USER_KEY, user)?;
        {
            let mut runtime = lock(&self.runtime);
            runtime.last_error = None;
            runtime.schedule.signed_in(Utc::now());
        }
        Ok(SessionInfo {
            server_url: session.server_url,
            user: session.user,
            signed_in: true,
            device_id: session.device_id,
            certificate_code: session.certificate_code,
        })
    }

    /// Sign out. Unsynced work stays on the device either way, but it can only leave it
    /// after someone signs in again, so without `force` the inspector is told first.
    pub async fn sign_out(&self, force: bool) -> Result<SignOutOutcome> {
        let pending = self.store().pending_work()?;
        if !force && (pending.records > 0 || pending.drafts > 0) {
            return Err(AppError::UnsyncedWork {
                records: pending.records,
                drafts: pending.drafts,
            });
        }
        let office_confirmed =
            anju_sync::logout(&self.store, &self.options.sync, CancellationToken::new()).await?;
        lock(&self.runtime).schedule.signed_out();
        Ok(SignOutOutcome { office_confirmed })
    }

    // -- submitting ------------------------------------------------------------------

    pub fn submit_draft(&self, draft_id: Uuid) -> Result<SubmitOutcome> {
        self.submit_draft_at(draft_id, None)
    }

    /// Submit, recording the device's position at submit time (or why it had none).
    pub fn submit_draft_at(
        &self,
        draft_id: Uuid,
        position: Option<anju_core::location::Fix>,
    ) -> Result<SubmitOutcome> {
        if let Some(Err(error)) = position.as_ref().map(anju_core::location::Fix::check) {
            return Err(AppError::invalid(
                format!("定位无效：{error}"),
                format!("the position is invalid: {error}"),
            ));
        }
        let outcome = {
            let mut store = self.store();
            let draft = store.draft(draft_id)?;
            let household = self.household(&store, draft.household_id)?;
            let ctx = self.form_context(&store, &household)?;
            let inspector = self.inspector_name(&store)?;
            if inspector.is_empty() {
                return Err(AppError::NotSignedIn);
            }
            // The form is checked here; the store keeps what it is given, provided the
            // draft is still the one checked.
            let recorded_area = anju_core::records::check_before_submitting(
                &Self::form_of(&store, &draft)?,
                &draft.answers,
                &ctx,
            )
            .map_err(|issues| AppError::Incomplete { issues })?;
            let clock = anju_sync::trusted_reading(&store, Utc::now())?;
            let submission = store.submit(
                draft.id,
                draft.revision,
                SubmissionDetails {
                    inspector,
                    clock,
                    policy_version: ctx.policy_version,
                    recorded_area,
                    position,
                },
            )?;
            SubmitOutcome {
                submission_id: submission.id,
                records_waiting: store.pending_work()?.records,
            }
        };
        lock(&self.runtime).schedule.nudge(Utc::now());
        Ok(outcome)
    }

    // -- findings --------------------------------------------------------------------

    pub fn list_findings(&self) -> Result<Vec<FindingView>> {
        let store = self.store();
        let today = today(&store)?;
        Ok(store
            .findings_list()?
            .into_iter()
            .map(|row| {
                let overdue = row.finding.is_overdue(today);
                FindingView {
                    days_overdue: if overdue {
                        (today - row.finding.deadline).num_days()
                    } else {
                        0
                    },
                    overdue,
                    finding: row.finding,
                    head_name: row.head_name,
                    household_number: row.household_number,
                    township: row.township,
                    village: row.village,
                    synced: row.synced,
                    office_note: row.office_note,
                    office_changed_at: row.office_changed_at,
                    raised_by_office: row.raised_by_office,
                    on_this_device: row.on_this_device,
                }
            })
            .collect())
    }

    // -- sync ------------------------------------------------------------------------

    pub fn sync_status(&self) -> Result<SyncStatus> {
        let (pending, last_sync, signed_in) = {
            let store = self.store();
            let last_sync = store
                .sync_value(anju_sync::state::LAST_SYNC)?
                .and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
                .map(|t| t.with_timezone(&Utc));
            let signed_in = anju_sync::saved_session(&store)?.is_some_and(|s| s.signed_in);
            (store.pending_work()?, last_sync, signed_in)
        };
        let runtime = lock(&self.runtime);
        Ok(SyncStatus {
            running: runtime.running,
            last_sync,
            pending,
            last_report: runtime.last_report.clone(),
            last_error: runtime.last_error.clone(),
            progress: runtime.progress,
            next_try_at: runtime.schedule.next_try(),
            failed_tries: runtime.schedule.failures(),
            signed_in,
        })
    }

    /// Stop the sync that runs (the inspector pressed 取消). What the office confirmed
    /// stays synced; the sync ends with [`anju_sync::SyncError::Cancelled`]. Returns
    /// whether one was running.
    pub fn cancel_sync(&self) -> bool {
        let runtime = lock(&self.runtime);
        match &runtime.cancel {
            Some(cancel) if runtime.running => {
                cancel.cancel();
                true
            }
            _ => false,
        }
    }

    /// Whether the background loop should start a sync now.
    pub fn background_sync_due(&self, now: DateTime<Utc>) -> bool {
        let signed_in = anju_sync::saved_session(&self.store())
            .ok()
            .flatten()
            .is_some_and(|s| s.signed_in);
        let runtime = lock(&self.runtime);
        signed_in && !runtime.running && runtime.schedule.is_due(now)
    }

    /// One whole sync. `progress` hears every step. Only one runs at a time.
    pub async fn sync_now(
        &self,
        trigger: SyncTrigger,
        progress: impl Fn(Progress),
    ) -> Result<SyncReport> {
        let cancel = CancellationToken::new();
        {
            let mut runtime = lock(&self.runtime);
            if runtime.running {
                return Err(AppError::SyncRunning);
            }
            runtime.running = true;
            runtime.progress = None;
            runtime.cancel = Some(cancel.clone());
        }
        let config = match trigger {
            SyncTrigger::Manual => &self.options.sync,
            SyncTrigger::Background => &self.options.background_sync,
        };
        let result = anju_sync::sync(
            &self.store,
            config,
            |step| {
                lock(&self.runtime).progress = Some(step);
                progress(step);
            },
            cancel,
        )
        .await;
        let work_left = self
            .store()
            .pending_work()
            .map(|p| p.records > 0)
            .unwrap_or(true);
        let mut runtime = lock(&self.runtime);
        runtime.running = false;
        runtime.cancel = None;
        let now = Utc::now();
        match result {
            Ok(report) => {
                runtime
                    .schedule
                    .succeeded(now, work_left && !report.held.is_empty());
                runtime.last_error = None;
                runtime.last_report = Some(report.clone());
                Ok(report)
            }
            Err(error) => {
                runtime.schedule.failed(now, error.needs_sign_in());
                let error = AppError::Sync(error);
                runtime.last_error = Some(CommandError::from(&error));
                Err(error)
            }
        }
    }
}

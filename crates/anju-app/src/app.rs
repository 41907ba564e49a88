//! [`FieldApp`]: the device's database, photo pipeline and sync engine behind the screens.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

use anju_core::area::{self, AreaAssessment, AreaError, HouseMeasurement};
use anju_core::district_policy::PolicyHistory;
use anju_core::form::{Answer, FormAnswers, FormContext, FormSchema, ItemKind, Text, form_by_id};
use anju_core::model::{Household, SignatureMeta, SignatureMethod, SubmissionKind};
use anju_core::office::compare_areas;
use anju_core::policy::{PolicyContext, PolicyTable};
use anju_core::records::{china_date, made_at};
use anju_media::{
    ClockStatus, PhotoOptions, PhotoProcessor, ProcessedPhoto, Signature, SignatureRecord,
    SignatureStyle, Watermark,
};
use anju_store::{Draft, HouseholdQuery, NewPhoto, PhotoExtras, RecordKind, Store, StoreError};
use anju_sync::{CancellationToken, Credentials, Progress, SyncConfig, SyncReport};
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use crate::autosync::Schedule;
use crate::error::{AppError, CommandError};
use crate::views::*;

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

/// A photo arriving from the camera, with where it goes.
#[derive(Debug, Clone)]
pub struct IncomingPhoto<'a> {
    pub draft_id: Uuid,
    pub slot: &'a str,
    pub expected_revision: Option<i64>,
    pub bytes: &'a [u8],
}

/// A signature about to be saved into its slot.
struct NewSignature<'a> {
    slot: &'a str,
    signer_name: &'a str,
    method: SignatureMethod,
    image_sha256: String,
    signed_content_sha256: String,
}

#[derive(Debug, Default)]
struct SyncRuntime {
    running: bool,
    progress: Option<Progress>,
    last_report: Option<SyncReport>,
    last_error: Option<CommandError>,
    schedule: Schedule,
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

    // -- households ------------------------------------------------------------------

    pub fn list_households(&self, query: &HouseholdQuery) -> Result<HouseholdPage> {
        let store = self.store();
        let items = store.search(query)?;
        let counts = store.count_by_status(query)?;
        Ok(HouseholdPage {
            items,
            counts,
            total_matching: store.count(query)?,
        })
    }

    pub fn places(&self) -> Result<Vec<PlaceFilter>> {
        Ok(self
            .store()
            .places()?
            .into_iter()
            .map(|(township, sites)| PlaceFilter { township, sites })
            .collect())
    }

    fn household(&self, store: &Store, id: Uuid) -> Result<Household> {
        store.household(id)?.ok_or(AppError::UnknownHousehold(id))
    }

    /// Every inspection of the household, this device's and the office's record of the
    /// others', and the area the latest acceptance that counts recorded.
    fn inspections(
        store: &Store,
        household: &Household,
    ) -> Result<(Vec<InspectionSummary>, Option<RecordedArea>)> {
        let id = household.id;
        let office = store.office_inspections(id)?;
        // The office's word on each returned submission, this device's included.
        let returned: BTreeMap<Uuid, Option<String>> = office
            .iter()
            .filter(|i| i.returned)
            .map(|i| (i.submission_id, i.return_note.clone()))
            .collect();
        let mut inspections = Vec::new();
        // (when, area, submission) of every acceptance that counts, local or not.
        let mut acceptances = Vec::new();
        let policies = store.policies()?;
        for submission in store.submissions_for(id)? {
            let made_at = made_at(&submission.clock);
            // Each assessed by the policy in force on the day it was made.
            let assessment = submission.answers.measurement().and_then(|measurement| {
                PolicyInForce::on(&policies, china_date(made_at))
                    .assess(measurement, household.size)
                    .ok()
            });
            let is_returned = returned.contains_key(&submission.id);
            if submission.kind == SubmissionKind::Acceptance
                && !is_returned
                && let Some(assessment) = &assessment
            {
                acceptances.push((made_at, assessment.built_area, submission.id));
            }
            inspections.push(InspectionSummary {
                submission_id: submission.id,
                kind: submission.kind,
                inspector: submission.inspector.clone(),
                made_at,
                built_area_m2: assessment.as_ref().map(|a| a.built_area.to_m2_string()),
                verdict_over: assessment.as_ref().map(|a| a.is_over()),
                synced: store
                    .is_acknowledged(RecordKind::Submission, &submission.id.to_string())?,
                findings: store.findings_of_submission(submission.id)?,
                on_this_device: true,
                returned: is_returned,
                return_note: returned.get(&submission.id).cloned().flatten(),
            });
        }
        let local: BTreeSet<Uuid> = inspections.iter().map(|i| i.submission_id).collect();
        for other in office
            .into_iter()
            .filter(|i| !local.contains(&i.submission_id))
        {
            if other.kind == SubmissionKind::Acceptance
                && !other.returned
                && let Some(area) = other.built_area
            {
                acceptances.push((other.made_at, area, other.submission_id));
            }
            inspections.push(InspectionSummary {
                submission_id: other.submission_id,
                kind: other.kind,
                inspector: other.inspector,
                made_at: other.made_at,
                built_area_m2: other.built_area.map(|a| a.to_m2_string()),
                verdict_over: other.over_limit,
                synced: true,
                findings: 0,
                on_this_device: false,
                returned: other.returned,
                return_note: other.return_note,
            });
        }
        let recorded_area = acceptances
            .into_iter()
            .max_by_key(|(made_at, _, submission_id)| (*made_at, *submission_id))
            .map(|(made_at, built_area, submission_id)| RecordedArea {
                submission_id,
                built_area,
                made_at,
            });
        Ok((inspections, recorded_area))
    }

    pub fn household_detail(&self, id: Uuid) -> Result<HouseholdDetail> {
        let store = self.store();
        let household = self.household(&store, id)?;
        let status = store.household_status(id)?;
        let standing = store.office_standing(id)?;
        let open_findings = store.open_findings(id)?;
        let (mut inspections, recorded_area) = Self::inspections(&store, &household)?;
        // Newest first.
        inspections.sort_by_key(|i| std::cmp::Reverse((i.made_at, i.submission_id)));
        Ok(HouseholdDetail {
            household,
            status,
            open_findings,
            inspections,
            acceptance_draft: store
                .draft_for(id, SubmissionKind::Acceptance)?
                .map(|d| d.id),
            spot_check_draft: store
                .draft_for(id, SubmissionKind::SpotCheck)?
                .map(|d| d.id),
            recorded_area,
            office: standing.map(|(status, verdict)| OfficeStandingView {
                status: status.code().to_string(),
                status_label: Text::new(status.label_zh(), status.label_en()),
                verdict: verdict.map(|v| v.code().to_string()),
                verdict_label: verdict.map(|v| Text::new(v.label_zh(), v.label_en())),
            }),
        })
    }

    // -- drafts ----------------------------------------------------------------------

    fn form_of(draft: &Draft) -> Result<FormSchema> {
        form_by_id(&draft.form_id, draft.form_version).ok_or_else(|| {
            AppError::Store(StoreError::UnknownForm {
                form_id: draft.form_id.clone(),
                version: draft.form_version,
            })
        })
    }

    fn form_context(&self, store: &Store, household: &Household) -> Result<FormContext> {
        let today = today(store)?;
        let policy = PolicyInForce::on(&store.policies()?, today);
        Ok(FormContext {
            household_size: household.size,
            today,
            policy: policy.table,
            policy_context: policy.context,
            policy_version: policy.version,
        })
    }

    fn draft_state(&self, store: &Store, draft: &Draft) -> Result<DraftState> {
        let form = Self::form_of(draft)?;
        let household = self.household(store, draft.household_id)?;
        let ctx = self.form_context(store, &household)?;
        let issues = form.validate(&draft.answers, &ctx);
        let current = draft
            .answers
            .signable_sha256()
            .map_err(|e| AppError::Store(StoreError::Hash(e)))?;
        let signatures = form
            .items()
            .filter(|(_, item)| matches!(item.kind, ItemKind::Signature { .. }))
            .map(|(_, item)| match draft.answers.get(&item.key) {
                Some(Answer::Signature { signature }) => SignatureState {
                    slot: item.key.clone(),
                    signed: true,
                    stale: signature.signed_content_sha256 != current,
                },
                _ => SignatureState {
                    slot: item.key.clone(),
                    signed: false,
                    stale: false,
                },
            })
            .collect();
        Ok(DraftState {
            draft_id: draft.id,
            revision: draft.revision,
            updated_at: draft.updated_at,
            issues: issues.iter().map(FormIssueView::from).collect(),
            progress: form.progress(&draft.answers),
            signatures,
        })
    }

    fn photo_view(&self, store: &Store, sha256: &str) -> Result<Option<PhotoView>> {
        let Some(meta) = store.photo(sha256)? else {
            return Ok(None);
        };
        let extras = store.photo_extras(sha256)?.unwrap_or(PhotoExtras {
            thumbnail_sha256: None,
            original_sha256: None,
            watermark_lines: Vec::new(),
        });
        let path = store.blob_path(sha256)?;
        let thumbnail_path = match &extras.thumbnail_sha256 {
            Some(thumb) => store.blob_path(thumb)?,
            None => path.clone(),
        };
        Ok(Some(PhotoView {
            sha256: meta.sha256,
            slot: meta.slot,
            path: path_text(&path),
            thumbnail_path: path_text(&thumbnail_path),
            width: meta.width,
            height: meta.height,
            taken: meta.taken,
            watermark_lines: extras.watermark_lines,
        }))
    }

    fn signature_view(&self, store: &Store, meta: &SignatureMeta) -> Result<SignatureView> {
        Ok(SignatureView {
            meta: meta.clone(),
            image_path: path_text(&store.blob_path(&meta.image_sha256)?),
        })
    }

    fn draft_view(&self, store: &Store, draft: Draft) -> Result<DraftView> {
        let form = Self::form_of(&draft)?;
        let household = self.household(store, draft.household_id)?;
        let mut photos = Vec::new();
        let mut signatures = Vec::new();
        for answer in draft.answers.0.values() {
            match answer {
                Answer::Photos { sha256 } => {
                    for sha in sha256 {
                        photos.extend(self.photo_view(store, sha)?);
                    }
                }
                Answer::Signature { signature } => {
                    signatures.push(self.signature_view(store, signature)?)
                }
                _ => {}
            }
        }
        let state = self.draft_state(store, &draft)?;
        let inspector = anju_sync::saved_session(store)?.map(|s| s.user);
        Ok(DraftView {
            draft,
            form,
            household,
            photos,
            signatures,
            state,
            inspector,
        })
    }

    pub fn open_draft(&self, household_id: Uuid, kind: SubmissionKind) -> Result<DraftView> {
        let mut store = self.store();
        let draft = store.open_draft(household_id, kind)?;
        self.draft_view(&store, draft)
    }

    fn check_item<'f>(form: &'f FormSchema, key: &str) -> Result<&'f anju_core::form::Item> {
        form.item(key).map(|(_, item)| item).ok_or_else(|| {
            AppError::invalid(
                format!("表单中没有“{key}”这一项"),
                format!("the form has no item '{key}'"),
            )
        })
    }

    pub fn save_answer(
        &self,
        draft_id: Uuid,
        key: &str,
        answer: Option<Answer>,
        expected_revision: Option<i64>,
    ) -> Result<DraftState> {
        let mut store = self.store();
        let draft = store.draft(draft_id)?;
        Self::check_item(&Self::form_of(&draft)?, key)?;
        let draft = store.save_answer(draft_id, key, answer, expected_revision)?;
        self.draft_state(&store, &draft)
    }

    pub fn discard_draft(&self, draft_id: Uuid) -> Result<()> {
        Ok(self.store().discard_draft(draft_id)?)
    }

    /// The area engine's verdict on a measurement as it is typed.
    pub fn assess_area(
        &self,
        household_id: Uuid,
        measurement: &HouseMeasurement,
    ) -> Result<AreaCheck> {
        let store = self.store();
        let household = self.household(&store, household_id)?;
        let policy = PolicyInForce::on(&store.policies()?, today(&store)?);
        Ok(match policy.assess(measurement, household.size) {
            Ok(assessment) => {
                // A re-measure is compared as the office compares it, with its tolerance.
                let (_, recorded) = Self::inspections(&store, &household)?;
                AreaCheck {
                    comparison: recorded.map(|r| {
                        compare_areas(
                            r.built_area,
                            assessment.built_area,
                            policy.tolerance_permille,
                        )
                    }),
                    assessment: Some(assessment),
                    error: None,
                    policy_version: policy.version,
                }
            }
            Err(error) => AreaCheck {
                assessment: None,
                error: Some(error.to_string()),
                policy_version: policy.version,
                comparison: None,
            },
        })
    }

    // -- photos ----------------------------------------------------------------------

    fn inspector_name(&self, store: &Store) -> Result<String> {
        Ok(anju_sync::saved_session(store)?
            .map(|s| s.user.name)
            .unwrap_or_default())
    }

    /// Watermark and shrink a camera file for `household`, outside the store's lock.
    fn process_camera_file(
        &self,
        household: &Household,
        inspector: String,
        taken: &anju_core::model::ClockReading,
        bytes: &[u8],
    ) -> Result<ProcessedPhoto> {
        let (captured_at, clock) = ClockStatus::of(taken);
        let watermark = Watermark {
            head_of_household: household.head_name.clone(),
            township: household.township.clone(),
            village: household.village.clone(),
            household_number: household.number.clone(),
            captured_at,
            clock,
            gps: None,
            inspector,
        };
        let mut processor = lock(&self.photos);
        if processor.is_none() {
            *processor =
                Some(PhotoProcessor::new(self.options.photos.clone()).map_err(AppError::Photo)?);
        }
        match processor.as_mut() {
            Some(processor) => processor
                .process(bytes, Some(&watermark))
                .map_err(AppError::Photo),
            None => Err(AppError::invalid(
                "照片处理器未就绪",
                "the photo processor is not ready",
            )),
        }
    }

    fn check_slot(form: &FormSchema, slot: &str) -> Result<u32> {
        match Self::check_item(form, slot)?.kind {
            ItemKind::Photos { max, .. } => Ok(max),
            _ => Err(AppError::invalid(
                format!("“{slot}”不是照片项"),
                format!("'{slot}' is not a photo item"),
            )),
        }
    }

    /// Process a camera file, keep it, and add it to the draft's photo slot.
    pub fn add_photo(&self, photo: IncomingPhoto<'_>) -> Result<PhotoAdded> {
        let (household, inspector, taken, draft) = {
            let store = self.store();
            let draft = Self::checked_draft(&store, photo.draft_id, photo.expected_revision)?;
            let max = Self::check_slot(&Self::form_of(&draft)?, photo.slot)?;
            let have = match draft.answers.get(photo.slot) {
                Some(Answer::Photos { sha256 }) => sha256.len(),
                _ => 0,
            };
            if have >= max as usize {
                return Err(AppError::invalid(
                    format!("此项最多{max}张照片，请先删除一张"),
                    format!("this item takes at most {max} photos: delete one first"),
                ));
            }
            let household = self.household(&store, draft.household_id)?;
            let taken = anju_sync::trusted_reading(&store, Utc::now())?;
            (household, self.inspector_name(&store)?, taken, draft)
        };
        let processed = self.process_camera_file(&household, inspector, &taken, photo.bytes)?;

        let mut store = self.store();
        let meta = store.add_photo(
            &processed.evidence_jpeg,
            NewPhoto {
                household_id: household.id,
                slot: photo.slot.to_string(),
                width: processed.meta.width,
                height: processed.meta.height,
                taken,
                // The webview gives no position yet: the watermark says 无定位.
                latitude: None,
                longitude: None,
            },
        )?;
        let thumbnail = store.put_blob(&processed.thumbnail_jpeg)?;
        store.set_photo_extras(
            &meta.sha256,
            &PhotoExtras {
                thumbnail_sha256: Some(thumbnail),
                original_sha256: Some(processed.meta.original_sha256.clone()),
                watermark_lines: processed
                    .watermark
                    .as_ref()
                    .map(|w| w.lines.clone())
                    .unwrap_or_default(),
            },
        )?;
        let mut list = match draft.answers.get(photo.slot) {
            Some(Answer::Photos { sha256 }) => sha256.clone(),
            _ => Vec::new(),
        };
        if !list.contains(&meta.sha256) {
            list.push(meta.sha256.clone());
        }
        let draft = store.save_answer(
            draft.id,
            photo.slot,
            Some(Answer::Photos { sha256: list }),
            Some(draft.revision),
        )?;
        let view = self
            .photo_view(&store, &meta.sha256)?
            .ok_or_else(|| AppError::Store(StoreError::MissingPhoto(meta.sha256.clone())))?;
        Ok(PhotoAdded {
            photo: view,
            state: self.draft_state(&store, &draft)?,
        })
    }

    pub fn remove_photo(
        &self,
        draft_id: Uuid,
        slot: &str,
        sha256: &str,
        expected_revision: Option<i64>,
    ) -> Result<DraftState> {
        let mut store = self.store();
        let draft = store.draft(draft_id)?;
        Self::check_slot(&Self::form_of(&draft)?, slot)?;
        let mut list = match draft.answers.get(slot) {
            Some(Answer::Photos { sha256 }) => sha256.clone(),
            _ => Vec::new(),
        };
        list.retain(|s| s != sha256);
        let answer = (!list.is_empty()).then_some(Answer::Photos { sha256: list });
        let draft = store.save_answer(draft_id, slot, answer, expected_revision)?;
        self.draft_state(&store, &draft)
    }

    // -- signatures ------------------------------------------------------------------

    fn check_signature_slot(form: &FormSchema, slot: &str) -> Result<anju_core::form::SignerRole> {
        match Self::check_item(form, slot)?.kind {
            ItemKind::Signature { signer } => Ok(signer),
            _ => Err(AppError::invalid(
                format!("“{slot}”不是签字项"),
                format!("'{slot}' is not a signature item"),
            )),
        }
    }

    fn check_signer(
        role: anju_core::form::SignerRole,
        signer_name: &str,
        method: &SignatureMethod,
    ) -> Result<()> {
        if signer_name.trim().is_empty() {
            return Err(AppError::invalid(
                "请填写签字人姓名",
                "enter the signer's name",
            ));
        }
        let for_head = matches!(role, anju_core::form::SignerRole::HouseholdHead);
        if !for_head && !matches!(method, SignatureMethod::Handwritten) {
            return Err(AppError::invalid(
                "验收人须本人手写签字",
                "an inspector signs by hand, in person",
            ));
        }
        if let SignatureMethod::Proxy {
            signer_name,
            relation,
        } = method
            && (signer_name.trim().is_empty() || relation.trim().is_empty())
        {
            return Err(AppError::invalid(
                "代签须填写代签人姓名及与户主关系",
                "a proxy signature needs the signer's name and relation to the head",
            ));
        }
        Ok(())
    }

    fn save_signature(
        &self,
        store: &mut Store,
        draft: &Draft,
        new: NewSignature<'_>,
    ) -> Result<Signed> {
        let reading = anju_sync::trusted_reading(store, Utc::now())?;
        let meta = SignatureMeta {
            id: Uuid::now_v7(),
            slot: new.slot.to_string(),
            signer_name: new.signer_name.trim().to_string(),
            method: new.method,
            image_sha256: new.image_sha256,
            signed_content_sha256: new.signed_content_sha256,
            signed_at: reading.trusted_time.unwrap_or(reading.device_time),
        };
        let saved = store.save_answer(
            draft.id,
            new.slot,
            Some(Answer::Signature {
                signature: meta.clone(),
            }),
            Some(draft.revision),
        )?;
        Ok(Signed {
            signature: self.signature_view(store, &meta)?,
            state: self.draft_state(store, &saved)?,
        })
    }

    fn signable(answers: &FormAnswers) -> Result<String> {
        answers
            .signable_sha256()
            .map_err(|e| AppError::Store(StoreError::Hash(e)))
    }

    fn checked_draft(
        store: &Store,
        draft_id: Uuid,
        expected_revision: Option<i64>,
    ) -> Result<Draft> {
        let draft = store.draft(draft_id)?;
        if let Some(expected) = expected_revision
            && expected != draft.revision
        {
            return Err(StoreError::StaleRevision {
                expected,
                actual: draft.revision,
            }
            .into());
        }
        Ok(draft)
    }

    /// Sign a slot by hand (the signer, or a relative for the household head): the strokes
    /// are drawn to a PNG bound to the form's content as it is now.
    pub fn sign(
        &self,
        draft_id: Uuid,
        slot: &str,
        signer_name: &str,
        method: SignatureMethod,
        signature: Signature,
        expected_revision: Option<i64>,
    ) -> Result<Signed> {
        let mut store = self.store();
        let draft = Self::checked_draft(&store, draft_id, expected_revision)?;
        let role = Self::check_signature_slot(&Self::form_of(&draft)?, slot)?;
        if matches!(method, SignatureMethod::Thumbprint) {
            return Err(AppError::invalid(
                "按手印请拍摄手印照片",
                "a thumbprint is a photo: take one",
            ));
        }
        Self::check_signer(role, signer_name, &method)?;
        let signable = Self::signable(&draft.answers)?;
        let (record, png) = SignatureRecord::sign(signature, &signable, &SignatureStyle::default())
            .map_err(AppError::Signature)?;
        let image = store.put_blob(&png)?;
        debug_assert_eq!(image, record.png_sha256);
        self.save_signature(
            &mut store,
            &draft,
            NewSignature {
                slot,
                signer_name,
                method,
                image_sha256: image,
                signed_content_sha256: signable,
            },
        )
    }

    /// The household head's thumbprint (按手印), photographed: the watermarked photo is the
    /// signature's image.
    pub fn sign_thumbprint(
        &self,
        draft_id: Uuid,
        slot: &str,
        signer_name: &str,
        bytes: &[u8],
        expected_revision: Option<i64>,
    ) -> Result<Signed> {
        let (household, inspector, taken) = {
            let store = self.store();
            let draft = Self::checked_draft(&store, draft_id, expected_revision)?;
            let role = Self::check_signature_slot(&Self::form_of(&draft)?, slot)?;
            Self::check_signer(role, signer_name, &SignatureMethod::Thumbprint)?;
            if !matches!(role, anju_core::form::SignerRole::HouseholdHead) {
                return Err(AppError::invalid(
                    "只有户主可以按手印",
                    "only the household head may sign with a thumbprint",
                ));
            }
            (
                self.household(&store, draft.household_id)?,
                self.inspector_name(&store)?,
                anju_sync::trusted_reading(&store, Utc::now())?,
            )
        };
        let processed = self.process_camera_file(&household, inspector, &taken, bytes)?;
        let mut store = self.store();
        let draft = Self::checked_draft(&store, draft_id, expected_revision)?;
        let signable = Self::signable(&draft.answers)?;
        let image = store.put_blob(&processed.evidence_jpeg)?;
        self.save_signature(
            &mut store,
            &draft,
            NewSignature {
                slot,
                signer_name,
                method: SignatureMethod::Thumbprint,
                image_sha256: image,
                signed_content_sha256: signable,
            },
        )
    }

    // -- submitting ------------------------------------------------------------------

    pub fn submit_draft(&self, draft_id: Uuid) -> Result<SubmitOutcome> {
        let outcome = {
            let mut store = self.store();
            let draft = store.draft(draft_id)?;
            let household = self.household(&store, draft.household_id)?;
            let ctx = self.form_context(&store, &household)?;
            let inspector = self.inspector_name(&store)?;
            if inspector.is_empty() {
                return Err(AppError::NotSignedIn);
            }
            let clock = anju_sync::trusted_reading(&store, Utc::now())?;
            let submission = store.submit(draft_id, &inspector, clock, &ctx)?;
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
            signed_in,
        })
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
        {
            let mut runtime = lock(&self.runtime);
            if runtime.running {
                return Err(AppError::SyncRunning);
            }
            runtime.running = true;
            runtime.progress = None;
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
            CancellationToken::new(),
        )
        .await;
        let work_left = self
            .store()
            .pending_work()
            .map(|p| p.records > 0)
            .unwrap_or(true);
        let mut runtime = lock(&self.runtime);
        runtime.running = false;
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

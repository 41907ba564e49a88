//! The field app's Tauri shell: each command parses its arguments, calls one method of
//! [`anju_app::FieldApp`] and maps the error. Nothing here decides anything.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anju_app::{
    AppError, AppInfo, AppOptions, AreaCheck, CommandError, DraftState, DraftView, FieldApp,
    FindingView, HouseholdDetail, HouseholdPage, IncomingPhoto, PhotoAdded, PlaceFilter,
    SessionInfo, SignOutOutcome, Signed, SubmitOutcome, SyncStatus, SyncTrigger, TaskView,
    TeamView,
};
use anju_core::area::HouseMeasurement;
use anju_core::form::Answer;
use anju_core::location::{Fix, PhotoSource};
use anju_core::model::{SignatureMethod, SubmissionKind};
use anju_media::Signature;
use anju_store::HouseholdQuery;
use tauri::ipc::{InvokeBody, Request};
use tauri::{AppHandle, Emitter, Manager, State};
use uuid::Uuid;

type App<'a> = State<'a, Arc<FieldApp>>;
type Answered<T> = Result<T, CommandError>;

/// Where the device's data lives: `ANJU_FIELD_DATA` (tests, several devices on one
/// machine) or the platform's app data folder.
fn data_dir(app: &AppHandle) -> anyhow::Result<PathBuf> {
    if let Some(dir) = std::env::var_os("ANJU_FIELD_DATA") {
        return Ok(PathBuf::from(dir));
    }
    Ok(app.path().app_data_dir()?)
}

fn env_text(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// Run store and photo work off the async threads.
async fn blocking<T: Send + 'static>(
    app: &Arc<FieldApp>,
    work: impl FnOnce(&FieldApp) -> Result<T, AppError> + Send + 'static,
) -> Answered<T> {
    let app = Arc::clone(app);
    tauri::async_runtime::spawn_blocking(move || work(&app).map_err(CommandError::from))
        .await
        .map_err(|error| CommandError {
            code: "internal".into(),
            message: format!("内部错误 / internal error: {error}"),
            issues: Vec::new(),
        })?
}

fn bad_request(zh: &str, en: &str) -> CommandError {
    CommandError::from(AppError::invalid(zh, en))
}

fn header<'r>(request: &'r Request<'_>, name: &str) -> Option<&'r str> {
    request.headers().get(name).and_then(|v| v.to_str().ok())
}

fn uuid_header(request: &Request<'_>, name: &str) -> Answered<Uuid> {
    header(request, name)
        .and_then(|v| Uuid::parse_str(v).ok())
        .ok_or_else(|| {
            bad_request(
                &format!("缺少或无效的 {name}"),
                &format!("{name} is missing or not a UUID"),
            )
        })
}

fn revision_header(request: &Request<'_>) -> Option<i64> {
    header(request, "anju-expected-revision").and_then(|v| v.parse().ok())
}

/// `anju-fix`: the webview's fix as the JSON of `anju_core::location::Fix`, URI-encoded;
/// absent when the front end did not ask for a position.
fn fix_header(request: &Request<'_>) -> Answered<Option<Fix>> {
    let raw = decoded_header(request, "anju-fix");
    if raw.is_empty() {
        return Ok(None);
    }
    serde_json::from_str(&raw).map(Some).map_err(|error| {
        bad_request(
            &format!("anju-fix 无效：{error}"),
            &format!("anju-fix is invalid: {error}"),
        )
    })
}

/// `anju-source`: `camera` (the default) or `gallery`.
fn source_header(request: &Request<'_>) -> Answered<PhotoSource> {
    match header(request, "anju-source") {
        None | Some("") => Ok(PhotoSource::Camera),
        Some(code) => PhotoSource::from_code(code).ok_or_else(|| {
            bad_request(
                &format!("anju-source 无效：{code}"),
                &format!("anju-source is invalid: {code}"),
            )
        }),
    }
}

fn decoded_header(request: &Request<'_>, name: &str) -> String {
    let raw = header(request, name).unwrap_or_default();
    percent_decode(raw)
}

/// Header values are ASCII; names in Chinese arrive percent-encoded.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(byte) = u8::from_str_radix(&text[i + 1..i + 3], 16)
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn raw_body<'r>(request: &'r Request<'_>) -> Answered<&'r [u8]> {
    match request.body() {
        InvokeBody::Raw(bytes) => Ok(bytes),
        InvokeBody::Json(_) => Err(bad_request(
            "照片须以原始字节发送",
            "the photo must be sent as raw bytes",
        )),
    }
}

#[tauri::command]
async fn app_info(app: App<'_>) -> Answered<AppInfo> {
    blocking(&app, |a| a.app_info()).await
}

#[tauri::command]
async fn sign_in(
    app: App<'_>,
    server_url: String,
    user: String,
    password: String,
) -> Answered<SessionInfo> {
    Ok(app.sign_in(&server_url, &user, &password).await?)
}

#[tauri::command]
async fn sign_out(app: App<'_>, force: bool) -> Answered<SignOutOutcome> {
    Ok(app.sign_out(force).await?)
}

#[tauri::command]
async fn set_language(app: App<'_>, language: String) -> Answered<()> {
    blocking(&app, move |a| a.set_language(&language)).await
}

#[tauri::command]
async fn list_households(app: App<'_>, query: HouseholdQuery) -> Answered<HouseholdPage> {
    blocking(&app, move |a| a.list_households(&query)).await
}

#[tauri::command]
async fn places(app: App<'_>) -> Answered<Vec<PlaceFilter>> {
    blocking(&app, |a| a.places()).await
}

#[tauri::command]
async fn household_detail(app: App<'_>, household_id: Uuid) -> Answered<HouseholdDetail> {
    blocking(&app, move |a| a.household_detail(household_id)).await
}

#[tauri::command]
async fn open_draft(app: App<'_>, household_id: Uuid, kind: SubmissionKind) -> Answered<DraftView> {
    blocking(&app, move |a| a.open_draft(household_id, kind)).await
}

#[tauri::command]
async fn list_tasks(app: App<'_>) -> Answered<Vec<TaskView>> {
    blocking(&app, move |a| a.tasks()).await
}

#[tauri::command]
async fn open_task(app: App<'_>, task_id: Uuid) -> Answered<DraftView> {
    blocking(&app, move |a| a.open_task(task_id)).await
}

#[tauri::command]
async fn save_answer(
    app: App<'_>,
    draft_id: Uuid,
    key: String,
    answer: Option<Answer>,
    expected_revision: Option<i64>,
) -> Answered<DraftState> {
    blocking(&app, move |a| {
        a.save_answer(draft_id, &key, answer, expected_revision)
    })
    .await
}

#[tauri::command]
async fn assess_area(
    app: App<'_>,
    household_id: Uuid,
    measurement: HouseMeasurement,
) -> Answered<AreaCheck> {
    blocking(&app, move |a| a.assess_area(household_id, &measurement)).await
}

#[tauri::command]
async fn add_photo(app: App<'_>, request: Request<'_>) -> Answered<PhotoAdded> {
    let draft_id = uuid_header(&request, "anju-draft-id")?;
    let slot = decoded_header(&request, "anju-slot");
    let expected_revision = revision_header(&request);
    let fix = fix_header(&request)?;
    let source = source_header(&request)?;
    let bytes = raw_body(&request)?.to_vec();
    blocking(&app, move |a| {
        a.add_photo(IncomingPhoto {
            draft_id,
            slot: &slot,
            expected_revision,
            bytes: &bytes,
            fix,
            source,
        })
    })
    .await
}

#[tauri::command]
async fn remove_photo(
    app: App<'_>,
    draft_id: Uuid,
    slot: String,
    sha256: String,
    expected_revision: Option<i64>,
) -> Answered<DraftState> {
    blocking(&app, move |a| {
        a.remove_photo(draft_id, &slot, &sha256, expected_revision)
    })
    .await
}

#[tauri::command]
async fn sign(
    app: App<'_>,
    draft_id: Uuid,
    slot: String,
    signer_name: String,
    method: SignatureMethod,
    signature: Signature,
    expected_revision: Option<i64>,
) -> Answered<Signed> {
    blocking(&app, move |a| {
        a.sign(
            draft_id,
            &slot,
            &signer_name,
            method,
            signature,
            expected_revision,
        )
    })
    .await
}

#[tauri::command]
async fn sign_with_pin(
    app: App<'_>,
    draft_id: Uuid,
    slot: String,
    account: String,
    pin: String,
    signature: Signature,
    expected_revision: Option<i64>,
) -> Answered<Signed> {
    blocking(&app, move |a| {
        a.sign_with_pin(
            draft_id,
            &slot,
            &account,
            &pin,
            signature,
            expected_revision,
        )
    })
    .await
}

#[tauri::command]
async fn team(app: App<'_>) -> Answered<Option<TeamView>> {
    blocking(&app, move |a| a.team()).await
}

#[tauri::command]
async fn set_member_pin(
    app: App<'_>,
    account: String,
    password: String,
    pin: String,
) -> Answered<TeamView> {
    Ok(app.set_member_pin(&account, &password, &pin).await?)
}

#[tauri::command]
async fn sign_thumbprint(app: App<'_>, request: Request<'_>) -> Answered<Signed> {
    let draft_id = uuid_header(&request, "anju-draft-id")?;
    let slot = decoded_header(&request, "anju-slot");
    let signer_name = decoded_header(&request, "anju-signer-name");
    let expected_revision = revision_header(&request);
    let bytes = raw_body(&request)?.to_vec();
    blocking(&app, move |a| {
        a.sign_thumbprint(draft_id, &slot, &signer_name, &bytes, expected_revision)
    })
    .await
}

#[tauri::command]
async fn submit_draft(
    app: App<'_>,
    draft_id: Uuid,
    position: Option<Fix>,
) -> Answered<SubmitOutcome> {
    blocking(&app, move |a| a.submit_draft_at(draft_id, position)).await
}

#[tauri::command]
async fn discard_draft(app: App<'_>, draft_id: Uuid) -> Answered<()> {
    blocking(&app, move |a| a.discard_draft(draft_id)).await
}

#[tauri::command]
async fn list_findings(app: App<'_>) -> Answered<Vec<FindingView>> {
    blocking(&app, |a| a.list_findings()).await
}

#[tauri::command]
async fn sync_status(app: App<'_>) -> Answered<SyncStatus> {
    blocking(&app, |a| a.sync_status()).await
}

async fn run_sync(
    app: Arc<FieldApp>,
    handle: AppHandle,
    trigger: SyncTrigger,
) -> Result<anju_sync::SyncReport, AppError> {
    let emitter = handle.clone();
    let result = app
        .sync_now(trigger, move |progress| {
            let _ = emitter.emit("sync-progress", progress);
        })
        .await;
    if let Ok(status) = app.sync_status() {
        let _ = handle.emit("sync-status", status);
    }
    result
}

#[tauri::command]
async fn sync_now(app: App<'_>, handle: AppHandle) -> Answered<anju_sync::SyncReport> {
    let app = Arc::clone(&app);
    Ok(run_sync(app, handle, SyncTrigger::Manual).await?)
}

/// Stops the sync that runs (manual or background); whether one was running.
#[tauri::command]
async fn cancel_sync(app: App<'_>) -> Answered<bool> {
    Ok(app.cancel_sync())
}

/// Tries a sync whenever the schedule says so: soon after new work, then with a growing
/// pause while the office is out of reach.
fn start_background_sync(app: Arc<FieldApp>, handle: AppHandle) {
    tauri::async_runtime::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_secs(3)).await;
            if app.background_sync_due(chrono::Utc::now())
                && let Err(error) =
                    run_sync(Arc::clone(&app), handle.clone(), SyncTrigger::Background).await
            {
                tracing::info!(%error, "background sync did not finish");
            }
        }
    });
}

fn setup(app: &mut tauri::App) -> anyhow::Result<()> {
    let handle = app.handle().clone();
    let dir = data_dir(&handle)?;
    let options = AppOptions {
        suggested_server_url: env_text("ANJU_FIELD_SERVER"),
        suggested_user: env_text("ANJU_FIELD_USER"),
        ..AppOptions::field_defaults()
    };
    let field = Arc::new(FieldApp::open(&dir, options)?);
    // The webview may read photo and signature files, and nothing else on the device.
    app.asset_protocol_scope()
        .allow_directory(field.blob_dir(), true)?;
    tracing::info!(data = %dir.display(), "field app data");
    start_background_sync(Arc::clone(&field), handle);
    app.manage(field);
    allow_geolocation(app);
    Ok(())
}

/// Photos and submissions record where they were made (navigator.geolocation). WebKitGTK
/// refuses a page's request for the position unless the app grants it; on Android wry asks
/// for the location permission itself, and iOS asks the user with the Info.plist's reason.
#[cfg(target_os = "linux")]
fn allow_geolocation(app: &tauri::App) {
    use webkit2gtk::glib::prelude::ObjectExt;
    use webkit2gtk::{GeolocationPermissionRequest, PermissionRequestExt, WebViewExt};
    let Some(window) = app.get_webview_window("main") else {
        return;
    };
    let outcome = window.with_webview(|webview| {
        webview.inner().connect_permission_request(|_, request| {
            if request.is::<GeolocationPermissionRequest>() {
                request.allow();
                true
            } else {
                // Anything else (camera, microphone, notifications) keeps WebKit's default.
                false
            }
        });
    });
    if let Err(error) = outcome {
        tracing::warn!(%error, "cannot answer geolocation requests: photos will say 无定位");
    }
}

#[cfg(not(target_os = "linux"))]
fn allow_geolocation(_app: &tauri::App) {}

#[cfg_attr(mobile, tauri::mobile_entry_point)]
pub fn run() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .try_init();
    let result = tauri::Builder::default()
        .setup(|app| setup(app).map_err(Into::into))
        .invoke_handler(tauri::generate_handler![
            app_info,
            sign_in,
            sign_out,
            set_language,
            list_households,
            places,
            household_detail,
            open_draft,
            list_tasks,
            open_task,
            save_answer,
            assess_area,
            add_photo,
            remove_photo,
            sign,
            sign_with_pin,
            team,
            set_member_pin,
            sign_thumbprint,
            submit_draft,
            discard_draft,
            list_findings,
            sync_status,
            sync_now,
            cancel_sync,
        ])
        .run(tauri::generate_context!());
    if let Err(error) = result {
        eprintln!("安居验收无法启动 / the field app cannot start: {error}");
        std::process::exit(1);
    }
}

#[cfg(test)]
mod tests {
    use super::percent_decode;

    #[test]
    fn names_in_headers_are_decoded() {
        assert_eq!(percent_decode("%E9%83%91%E6%80%80%E5%9C%A3"), "郑怀圣");
        assert_eq!(percent_decode("plain"), "plain");
        assert_eq!(percent_decode("bad%zz"), "bad%zz");
        assert_eq!(percent_decode("end%4"), "end%4");
    }
}

//! The office pages over HTTP: `/api/office/…` (see `docs/office-pages-api.md`) and the
//! built pages themselves at `/`. Handlers parse, call `pages`, and map the error.

use std::path::PathBuf;

use axum::Json;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequestParts, Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header, request::Parts};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::Utc;
use serde::Deserialize;
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};
use uuid::Uuid;

use crate::audit::{AuditAction, AuditEntry};
use crate::pages::views::*;
use crate::pages::{self, PageError, Viewer};
use crate::server::{ApiJson, AppError, AppState, ClientAddr, not_found};
use crate::signin::SignIn;
use crate::users::{AuthUser, LoginOutcome, TokenKind, TokenState};

/// The cookie that carries an office page's sign-in token.
pub const SESSION_COOKIE: &str = "anju_office";
/// Pages send this on every request that changes something: a page of another site
/// cannot, without a CORS preflight that the office never answers.
pub const PAGE_HEADER: &str = "x-anju-office";
const SESSION_SECONDS: u32 = 12 * 3600;
/// The largest roster or evidence photo accepted (the handlers check it, with a clear answer).
const MAX_UPLOAD: usize = 20 * 1024 * 1024;

/// `ui/dist-office` of the source tree the binary was built from, when it is there;
/// `ANJU_OFFICE_PAGES` overrides it.
pub fn default_pages_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("ANJU_OFFICE_PAGES") {
        return Some(PathBuf::from(dir));
    }
    let built = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../ui/dist-office"));
    built.join("index.html").is_file().then_some(built)
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/office/login", post(login))
        .route("/api/office/logout", post(logout))
        .route("/api/office/session", get(session))
        .route("/api/office/dashboard", get(dashboard))
        .route("/api/office/places", get(places))
        .route("/api/office/households", get(households))
        .route("/api/office/households/{id}", get(household))
        .route("/api/office/households/{id}/milestones", post(milestones))
        .route("/api/office/households/{id}/reveal", post(reveal))
        .route("/api/office/review", get(review))
        .route("/api/office/review/{id}", post(review_decision))
        .route("/api/office/conflicts/{id}", post(conflict_decision))
        .route("/api/office/findings", get(findings))
        .route(
            "/api/office/findings/{id}/transition",
            post(finding_transition),
        )
        .route("/api/office/findings/{id}/evidence", post(finding_evidence))
        .route("/api/office/assignments", get(assignments).post(assign))
        .route("/api/office/samples", get(samples).post(draw_sample))
        .route("/api/office/samples/{id}", get(sample))
        .route("/api/office/samples/{id}/assign", post(assign_sample))
        .route("/api/office/import/preview", post(import_preview))
        .route("/api/office/import", post(import_commit))
        .route("/api/office/old-houses", get(old_houses))
        .route("/api/office/policy", get(policy).post(set_policy))
        .route("/api/office/blobs/{sha256}", get(blob))
        .route("/api/office/exports/{name}", get(export))
        .route("/api/office/audit", get(audit_log))
        .route("/api/office/tls", get(tls_identity))
        .route(
            "/api/office/print-jobs",
            get(print_jobs).post(start_print_job),
        )
        .route("/api/office/print-jobs/{id}", get(print_job))
        .route(
            "/api/office/print-jobs/{id}/download",
            get(print_job_download),
        )
        .route("/api/office/forms/{id}", get(form))
        .route("/api/office/forms/township/{id}", get(township_forms))
        .layer(middleware::from_fn(require_page_header))
        // Well above the uploads' own limit, so that their check answers (in JSON) first.
        .layer(axum::extract::DefaultBodyLimit::max(4 * MAX_UPLOAD))
}

async fn require_page_header(request: Request, next: Next) -> Response {
    let safe = matches!(*request.method(), Method::GET | Method::HEAD);
    if !safe && !request.headers().contains_key(PAGE_HEADER) {
        return AppError::new(
            StatusCode::FORBIDDEN,
            "missing_page_header",
            "请求缺少 X-Anju-Office 头，请从办公室页面操作 / the request lacks the X-Anju-Office header: act from the office pages",
        )
        .into_response();
    }
    next.run(request).await
}

pub(crate) fn page_error(error: PageError) -> AppError {
    let status = match &error {
        e if e.is_forbidden() => StatusCode::FORBIDDEN,
        PageError::NotFound { .. } => StatusCode::NOT_FOUND,
        PageError::StaleFinding(_) | PageError::AlreadyReviewed { .. } => StatusCode::CONFLICT,
        PageError::Import(e) if e.over_limit().is_some() => StatusCode::PAYLOAD_TOO_LARGE,
        PageError::Db(_) | PageError::Xlsx(_) | PageError::Storage(_) => {
            return AppError::internal(error);
        }
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let field = error.field();
    let answer = AppError::new(status, error.code(), error.to_string());
    match field {
        Some(field) => answer.field(field),
        None => answer,
    }
}

/// The signed-in office user: the session cookie, or a Bearer token.
pub struct OfficeUser(pub AuthUser, pub String);

fn cookie_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_string())
        .filter(|v| !v.is_empty())
}

impl FromRequestParts<AppState> for OfficeUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let bearer = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(|t| t.trim().to_string());
        let token = bearer
            .or_else(|| cookie_token(&parts.headers))
            .ok_or_else(AppError::unauthorized)?;
        match state.store.user_for_token(token.clone()).await? {
            TokenState::Valid { user, .. } => Ok(Self(user, token)),
            TokenState::Expired => Err(AppError::token_expired()),
            _ => Err(AppError::unauthorized()),
        }
    }
}

/// Run a page function that only reads, on a reader (in parallel with other pages, the
/// devices' pulls and the writer).
async fn read<T: Send + 'static>(
    state: &AppState,
    user: AuthUser,
    f: impl FnOnce(&mut crate::db::OfficeDb, &Viewer) -> pages::Result<T> + Send + 'static,
) -> Result<T, AppError> {
    state
        .pages
        .read(move |db| {
            let viewer = Viewer::of(db, &user)?;
            f(db, &viewer)
        })
        .await
        .map_err(page_error)
}

/// Run a page function that writes, with the writer.
async fn run<T: Send + 'static>(
    state: &AppState,
    user: AuthUser,
    f: impl FnOnce(&mut crate::db::OfficeDb, &Viewer) -> pages::Result<T> + Send + 'static,
) -> Result<T, AppError> {
    state
        .pages
        .with(move |db| {
            let viewer = Viewer::of(db, &user)?;
            f(db, &viewer)
        })
        .await
        .map_err(page_error)
}

fn session_view(user: &AuthUser) -> OfficeSession {
    OfficeSession {
        name: user.name.clone(),
        role: user.role,
        township: user.township.clone(),
        server_time: Utc::now(),
    }
}

/// The session cookie; `Secure` when the office serves HTTPS.
fn session_cookie(token: &str, max_age: u32, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age}{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("anju_office=; Path=/; Max-Age=0"))
}

async fn login(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    ApiJson(request): ApiJson<OfficeLogin>,
) -> Result<Response, AppError> {
    let outcome = crate::signin::sign_in(
        &state.store,
        &state.throttle,
        &state.cpu,
        SignIn {
            name: request.name,
            password: request.password,
            device_id: Uuid::now_v7(),
            device_name: Some("office pages".into()),
            kind: TokenKind::Pages,
            client,
        },
    )
    .await?;
    match outcome {
        LoginOutcome::Success { token, user } => {
            if user.role == anju_core::wire::Role::Inspector {
                state.store.revoke_token(token).await?;
                return Err(page_error(PageError::InspectorRole));
            }
            let mut response = Json(session_view(&user)).into_response();
            response.headers_mut().insert(
                header::SET_COOKIE,
                session_cookie(&token, SESSION_SECONDS, state.tls_fingerprint.is_some()),
            );
            Ok(response)
        }
        refused => Err(crate::server::login_refused(refused)),
    }
}

async fn logout(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    OfficeUser(user, token): OfficeUser,
) -> Result<Response, AppError> {
    state.store.revoke_token(token).await?;
    state
        .store
        .audit(AuditEntry::by(&user, AuditAction::SignOut).client(client.to_string()))
        .await?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        session_cookie("", 0, state.tls_fingerprint.is_some()),
    );
    Ok(response)
}

async fn session(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
) -> Result<Json<OfficeSession>, AppError> {
    let view = session_view(&user);
    // An inspector's token is refused here like everywhere in the pages.
    read(&state, user, |_, _| Ok(())).await?;
    Ok(Json(view))
}

async fn dashboard(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
) -> Result<Json<Dashboard>, AppError> {
    read(&state, user, |db, v| pages::dashboard(db, v))
        .await
        .map(Json)
}

async fn places(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
) -> Result<Json<Places>, AppError> {
    read(&state, user, |db, v| pages::places(db, v))
        .await
        .map(Json)
}

/// A query string parsed with a clear error.
fn query<T: serde::de::DeserializeOwned + Default>(raw: Option<&str>) -> Result<T, AppError> {
    match raw {
        None | Some("") => Ok(T::default()),
        Some(raw) => serde_urlencoded::from_str(raw).map_err(|e| {
            AppError::new(
                StatusCode::BAD_REQUEST,
                "invalid_query",
                format!("查询参数有误：{e} / the query is wrong: {e}"),
            )
        }),
    }
}

async fn households(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
) -> Result<Json<HouseholdPage>, AppError> {
    let filter: HouseholdFilter = query(raw.as_deref())?;
    read(&state, user, move |db, v| pages::households(db, v, &filter))
        .await
        .map(Json)
}

async fn household(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
    Path(id): Path<String>,
) -> Result<Json<HouseholdDetail>, AppError> {
    read(&state, user, move |db, v| pages::household(db, v, &id))
        .await
        .map(Json)
}

/// A household's ID and phone numbers in full; who asked is recorded.
async fn reveal(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
    Path(id): Path<String>,
) -> Result<Json<RevealedPersonalData>, AppError> {
    let actor = user.clone();
    run(&state, user, move |db, v| {
        let full = pages::personal_data(db, v, &id)?;
        let entry = AuditEntry::by(&actor, AuditAction::Reveal).target(id.clone());
        crate::audit::record(db.connection(), &entry, Utc::now())?;
        Ok(full)
    })
    .await
    .map(Json)
}

async fn milestones(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
    Path(id): Path<String>,
    ApiJson(update): ApiJson<MilestoneUpdate>,
) -> Result<Json<HouseholdDetail>, AppError> {
    run(&state, user, move |db, v| {
        pages::update_milestones(db, v, &id, &update)
    })
    .await
    .map(Json)
}

async fn review(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
) -> Result<Json<ReviewQueue>, AppError> {
    read(&state, user, |db, v| pages::review_queue(db, v))
        .await
        .map(Json)
}

async fn review_decision(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
    Path(id): Path<String>,
    ApiJson(decision): ApiJson<ReviewDecision>,
) -> Result<StatusCode, AppError> {
    let actor = user.clone();
    run(&state, user, move |db, v| {
        pages::review_submission(db, v, &id, &decision)?;
        let entry = AuditEntry::by(&actor, AuditAction::Review)
            .target(id.clone())
            .detail(format!(
                "{}{}",
                decision.decision.code(),
                decision
                    .note
                    .as_deref()
                    .map(|n| format!("：{n}"))
                    .unwrap_or_default()
            ));
        Ok(crate::audit::record(db.connection(), &entry, Utc::now())?)
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn conflict_decision(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
    Path(id): Path<String>,
    ApiJson(decision): ApiJson<ConflictDecision>,
) -> Result<StatusCode, AppError> {
    let id: i64 = id.parse().map_err(|_| {
        AppError::new(
            StatusCode::BAD_REQUEST,
            "invalid_id",
            format!("冲突编号须为整数：{id} / a conflict id is a whole number: {id}"),
        )
    })?;
    let actor = user.clone();
    run(&state, user, move |db, v| {
        pages::decide_conflict(db, v, id, &decision)?;
        let keep = match decision.keep {
            ConflictKeep::Stored => "stored",
            ConflictKeep::Incoming => "incoming",
        };
        let entry = AuditEntry::by(&actor, AuditAction::ConflictDecision)
            .target(id.to_string())
            .detail(format!("{keep}：{}", decision.note));
        Ok(crate::audit::record(db.connection(), &entry, Utc::now())?)
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn findings(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
) -> Result<Json<FindingList>, AppError> {
    let filter: FindingFilter = query(raw.as_deref())?;
    read(&state, user, move |db, v| pages::findings(db, v, &filter))
        .await
        .map(Json)
}

async fn finding_transition(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
    Path(id): Path<String>,
    ApiJson(transition): ApiJson<FindingTransition>,
) -> Result<Json<FindingRow>, AppError> {
    if let Some(sha) = &transition.evidence_sha256
        && !matches!(state.blobs.state(sha).await, Ok(b) if b.complete)
    {
        return Err(AppError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "evidence_missing",
            "整改照片尚未上传完成，请重新上传 / the evidence photo has not been uploaded: upload it again",
        )
        .field("evidence_sha256"));
    }
    let actor = user.clone();
    run(&state, user, move |db, v| {
        let row = pages::transition_finding(db, v, &id, &transition)?;
        let entry = AuditEntry::by(&actor, AuditAction::FindingTransition)
            .target(id.clone())
            .detail(format!(
                "{}{}",
                transition.to.code(),
                transition
                    .note
                    .as_deref()
                    .map(|n| format!("：{n}"))
                    .unwrap_or_default()
            ));
        crate::audit::record(db.connection(), &entry, Utc::now())?;
        Ok(row)
    })
    .await
    .map(Json)
}

/// What kind of image the bytes are, by their first bytes.
fn image_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else {
        None
    }
}

async fn finding_evidence(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<EvidenceStored>, AppError> {
    let uploader = user.id.clone();
    // The finding must be one this user may act on.
    read(&state, user, move |db, v| {
        let household: Option<String> =
            rusqlite::OptionalExtension::optional(db.connection().query_row(
                "SELECT household_id FROM findings WHERE id = ?1",
                [&id],
                |r| r.get(0),
            ))?;
        match household {
            Some(h) => v.check_household(db, &h),
            None => Err(PageError::NotFound {
                what_zh: "问题",
                what_en: "finding",
                id,
            }),
        }
    })
    .await?;
    if body.len() > MAX_UPLOAD {
        return Err(too_large("整改照片 / the evidence photo"));
    }
    if body.is_empty() || image_type(&body).is_none() {
        return Err(AppError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "not_an_image",
            "整改照片须为 JPEG 或 PNG 图片 / the evidence must be a JPEG or PNG image",
        ));
    }
    let sha = anju_core::hash::sha256_hex(&body);
    let length = body.len() as u64;
    let stream = futures_util::stream::once(async move { Ok::<_, String>(body) });
    let done = state
        .blobs
        .append(&sha, 0, length, &uploader, Box::pin(stream), &|_| {})
        .await;
    match done {
        Ok(_) => Ok(Json(EvidenceStored { sha256: sha })),
        // Already there from an earlier upload of the same picture.
        Err(_) if matches!(state.blobs.state(&sha).await, Ok(b) if b.complete) => {
            Ok(Json(EvidenceStored { sha256: sha }))
        }
        Err(e) => Err(AppError::internal(e)),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct TownshipQuery {
    township: Option<String>,
}

async fn assignments(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
) -> Result<Json<AssignmentOverview>, AppError> {
    let q: TownshipQuery = query(raw.as_deref())?;
    read(&state, user, move |db, v| {
        pages::assignments(db, v, q.township.as_deref())
    })
    .await
    .map(Json)
}

async fn assign(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
    ApiJson(request): ApiJson<BulkAssignment>,
) -> Result<Json<Changed>, AppError> {
    run(&state, user, move |db, v| {
        pages::assign_bulk(db, v, &request)
    })
    .await
    .map(Json)
}

async fn samples(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
) -> Result<Json<Vec<SampleSummary>>, AppError> {
    read(&state, user, |db, v| pages::samples(db, v))
        .await
        .map(Json)
}

async fn draw_sample(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
    ApiJson(request): ApiJson<SampleRequest>,
) -> Result<Json<SampleView>, AppError> {
    run(&state, user, move |db, v| {
        pages::draw_sample(db, v, &request)
    })
    .await
    .map(Json)
}

async fn sample(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
    Path(id): Path<String>,
) -> Result<Json<SampleView>, AppError> {
    read(&state, user, move |db, v| pages::sample(db, v, &id))
        .await
        .map(Json)
}

async fn assign_sample(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<SampleAssign>,
) -> Result<Json<Changed>, AppError> {
    run(&state, user, move |db, v| {
        pages::assign_sample(db, v, &id, &request.inspector)
    })
    .await
    .map(Json)
}

fn too_large(what: &str) -> AppError {
    let (zh, en) = what.split_once(" / ").unwrap_or((what, what));
    AppError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "too_large",
        format!(
            "{zh}超过 {} MB / {en} is over {} MB",
            MAX_UPLOAD / 1024 / 1024,
            MAX_UPLOAD / 1024 / 1024
        ),
    )
}

fn file_name(headers: &HeaderMap) -> String {
    headers
        .get("x-file-name")
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            percent_encoding::percent_decode_str(v)
                .decode_utf8_lossy()
                .into_owned()
        })
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "upload".into())
}

/// `?create_places=true`: the places the roster names that the office does not know are
/// new, as a person confirmed.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
struct ImportQuery {
    create_places: bool,
}

async fn import(
    state: AppState,
    user: AuthUser,
    headers: HeaderMap,
    raw: Option<String>,
    body: Bytes,
    commit: bool,
) -> Result<Json<ImportPreview>, AppError> {
    if body.len() > MAX_UPLOAD {
        return Err(too_large("名册文件 / the roster file"));
    }
    let q: ImportQuery = query(raw.as_deref())?;
    let name = file_name(&headers);
    // Only the district imports: say so before reading the file.
    read(&state, user.clone(), |_, v| v.require_admin()).await?;
    // Reading and checking the file is the heavy part: on the CPU pool, without the
    // database, so that nobody waits for it.
    let file = name.clone();
    let upload = state
        .cpu
        .run(move || pages::read_roster_upload(&body, &file))
        .await
        .map_err(AppError::internal)?
        .map_err(page_error)?;
    let actor = user.clone();
    let preview = run(&state, user, move |db, v| {
        let preview = pages::import_roster(db, v, upload, commit, q.create_places)?;
        if preview.imported {
            let entry = AuditEntry::by(&actor, AuditAction::Import)
                .target(name.clone())
                .detail(format!("{} 户 / households", preview.valid_rows));
            crate::audit::record(db.connection(), &entry, Utc::now())?;
        }
        Ok(preview)
    })
    .await?;
    Ok(Json(preview))
}

async fn import_preview(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
    headers: HeaderMap,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
    body: Bytes,
) -> Result<Json<ImportPreview>, AppError> {
    import(state, user, headers, raw, body, false).await
}

async fn import_commit(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
    headers: HeaderMap,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
    body: Bytes,
) -> Result<Json<ImportPreview>, AppError> {
    import(state, user, headers, raw, body, true).await
}

async fn policy(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
) -> Result<Json<PolicyPage>, AppError> {
    read(&state, user, |db, v| pages::policy_page(db, v))
        .await
        .map(Json)
}

async fn set_policy(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
    ApiJson(update): ApiJson<PolicyUpdate>,
) -> Result<Json<PolicyView>, AppError> {
    let actor = user.clone();
    run(&state, user, move |db, v| {
        let view = pages::set_policy(db, v, &update)?;
        let entry = AuditEntry::by(&actor, AuditAction::PolicyChange)
            .target(format!("v{}", view.version))
            .detail(format!(
                "自 {} 起施行 / in force from {}",
                view.effective_from, view.effective_from
            ));
        crate::audit::record(db.connection(), &entry, Utc::now())?;
        Ok(view)
    })
    .await
    .map(Json)
}

async fn old_houses(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
) -> Result<Json<OldHouseReport>, AppError> {
    let filter: OldHouseFilter = query(raw.as_deref())?;
    read(&state, user, move |db, v| pages::old_houses(db, v, &filter))
        .await
        .map(Json)
}

async fn blob(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
    Path(sha): Path<String>,
) -> Result<Response, AppError> {
    let key = sha.clone();
    read(&state, user, move |db, v| pages::check_blob(db, v, &key)).await?;
    let bytes = state.blobs.read(&sha).await.map_err(|_| {
        AppError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("没有这个文件：{sha} / no such file: {sha}"),
        )
    })?;
    let content_type = image_type(&bytes).unwrap_or("application/octet-stream");
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (
                header::CACHE_CONTROL,
                "private, max-age=31536000, immutable",
            ),
        ],
        bytes,
    )
        .into_response())
}

fn attachment(
    bytes: Vec<u8>,
    content_type: &'static str,
    ascii_name: &str,
    name: &str,
) -> Response {
    let encoded = percent_encoding::utf8_percent_encode(name, percent_encoding::NON_ALPHANUMERIC);
    let disposition = format!("attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{encoded}");
    let mut response = ([(header::CONTENT_TYPE, content_type)], bytes).into_response();
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

async fn export(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
    Path(name): Path<String>,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
) -> Result<Response, AppError> {
    let today = pages::today();
    let (bytes, ascii, zh) = match name.as_str() {
        "townships.xlsx" => (
            read(&state, user, |db, v| pages::townships_xlsx(db, v)).await?,
            format!("townships-{today}.xlsx"),
            format!("乡镇验收进度-{today}.xlsx"),
        ),
        "households.xlsx" => {
            let filter: HouseholdFilter = query(raw.as_deref())?;
            (
                read(&state, user, move |db, v| {
                    pages::households_xlsx(db, v, &filter)
                })
                .await?,
                format!("households-{today}.xlsx"),
                format!("住户验收情况-{today}.xlsx"),
            )
        }
        "findings.xlsx" => {
            let filter: FindingFilter = query(raw.as_deref())?;
            (
                read(&state, user, move |db, v| {
                    pages::findings_xlsx(db, v, &filter)
                })
                .await?,
                format!("findings-{today}.xlsx"),
                format!("问题整改台账-{today}.xlsx"),
            )
        }
        "audit.xlsx" => (
            read(&state, user, |db, v| pages::audit_xlsx(db, v)).await?,
            format!("audit-{today}.xlsx"),
            format!("审计日志-{today}.xlsx"),
        ),
        other => {
            return Err(AppError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                format!(
                    "没有报表“{other}”：有 townships.xlsx、households.xlsx、findings.xlsx、audit.xlsx / no export '{other}': there are townships.xlsx, households.xlsx, findings.xlsx, audit.xlsx"
                ),
            ));
        }
    };
    Ok(attachment(bytes, XLSX, &ascii, &zh))
}

fn html(page: String) -> Response {
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], page).into_response()
}

/// Which forms a request prints.
#[derive(Clone, Copy)]
enum Forms {
    Household,
    Township,
}

/// A form page as HTML (pictures from the API), or with `.pdf` at the end of the id, printed.
/// `?full=true`: ID and phone numbers in full (recorded in the audit log).
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct FormQuery {
    full: bool,
}

async fn forms(
    state: &AppState,
    user: AuthUser,
    id: String,
    which: Forms,
    raw: Option<String>,
) -> Result<Response, AppError> {
    let q: FormQuery = query(raw.as_deref())?;
    let (id, pdf) = match id.strip_suffix(".pdf") {
        Some(id) => (id.to_string(), true),
        None => (id, false),
    };
    let personal = if q.full {
        pages::PersonalData::Full
    } else {
        pages::PersonalData::Masked
    };
    if q.full {
        // Recorded before the form is made: asking is what is recorded.
        let what = match which {
            Forms::Household => "household",
            Forms::Township => "township",
        };
        let entry = AuditEntry::by(&user, AuditAction::ExportFull)
            .target(id.clone())
            .detail(format!("printed form ({what})"));
        state.store.audit(entry).await?;
    }
    let form = read(state, user, move |db, v| {
        let src: &dyn Fn(&str) -> String = if pdf {
            &pages::pdf_image_src
        } else {
            &pages::blob_url
        };
        match which {
            Forms::Household => pages::household_form_html(db, v, &id, src, personal),
            Forms::Township => pages::township_forms_html(db, v, &id, src, personal),
        }
    })
    .await?;
    if !pdf {
        return Ok(html(form.html));
    }
    let name = format!("{}.pdf", form.title);
    let ascii = match which {
        Forms::Household => "acceptance-form.pdf",
        Forms::Township => "township-forms.pdf",
    };
    let bytes = crate::print_jobs::print(state, form, false).await?;
    Ok(attachment(bytes, "application/pdf", ascii, &name))
}

async fn form(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
    Path(id): Path<String>,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
) -> Result<Response, AppError> {
    forms(&state, user, id, Forms::Household, raw).await
}

async fn township_forms(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
    Path(id): Path<String>,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
) -> Result<Response, AppError> {
    forms(&state, user, id, Forms::Township, raw).await
}

/// `?action=&before=`: one kind of entry, older than a cursor.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct AuditQuery {
    action: Option<String>,
    before: Option<i64>,
}

/// The audit log, newest first, a page at a time (the district admin only).
async fn audit_log(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
) -> Result<Json<AuditPage>, AppError> {
    let q: AuditQuery = query(raw.as_deref())?;
    let action = match q.action.as_deref() {
        None | Some("") => None,
        Some(code) => Some(crate::audit::AuditAction::from_code(code).ok_or_else(|| {
            AppError::new(
                StatusCode::BAD_REQUEST,
                "invalid_query",
                format!("没有操作类型“{code}” / no action '{code}'"),
            )
            .field("action")
        })?),
    };
    read(&state, user, move |db, v| {
        pages::audit_page(db, v, action, q.before)
    })
    .await
    .map(Json)
}

/// The certificate people compare with what a device pinned.
async fn tls_identity(
    State(state): State<AppState>,
    OfficeUser(..): OfficeUser,
) -> Json<TlsIdentity> {
    Json(TlsIdentity {
        code: state.tls_fingerprint.as_deref().map(crate::tls::short_code),
        fingerprint: state.tls_fingerprint.clone(),
    })
}

/// Print a township's forms in volumes, as a job of its own.
async fn start_print_job(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
    ApiJson(request): ApiJson<PrintJobRequest>,
) -> Result<Json<crate::print_jobs::PrintJobView>, AppError> {
    let personal = if request.full {
        let entry = AuditEntry::by(&user, AuditAction::ExportFull)
            .target(request.township.clone())
            .detail("printed forms in volumes");
        state.store.audit(entry).await?;
        pages::PersonalData::Full
    } else {
        pages::PersonalData::Masked
    };
    crate::print_jobs::start(&state, user, request.township, personal)
        .await
        .map(Json)
}

async fn print_jobs(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
) -> Json<Vec<crate::print_jobs::PrintJobView>> {
    Json(state.print_jobs.list(&user))
}

fn no_print_job(id: &str) -> AppError {
    AppError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        format!("没有这个打印任务（或尚未完成）：{id} / no such print job (or not finished): {id}"),
    )
}

async fn print_job(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
    Path(id): Path<String>,
) -> Result<Json<crate::print_jobs::PrintJobView>, AppError> {
    state
        .print_jobs
        .view(&id, &user)
        .map(Json)
        .ok_or_else(|| no_print_job(&id))
}

/// The job's ZIP, streamed from disk.
async fn print_job_download(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (path, name) = state
        .print_jobs
        .zip_of(&id, &user)
        .ok_or_else(|| no_print_job(&id))?;
    let file = tokio::fs::File::open(&path)
        .await
        .map_err(|_| no_print_job(&id))?;
    let length = file.metadata().await.map_err(AppError::internal)?.len();
    let body = Body::from_stream(tokio_util::io::ReaderStream::new(file));
    let encoded = percent_encoding::utf8_percent_encode(&name, percent_encoding::NON_ALPHANUMERIC);
    let mut response = (
        [
            (header::CONTENT_TYPE, "application/zip".to_string()),
            (header::CONTENT_LENGTH, length.to_string()),
        ],
        body,
    )
        .into_response();
    if let Ok(value) = HeaderValue::from_str(&format!(
        "attachment; filename=\"township-forms.zip\"; filename*=UTF-8''{encoded}"
    )) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

const NOT_BUILT: &str = "<!doctype html><meta charset=utf-8><title>安居验收</title>\
<h1>办公室页面尚未构建 / the office pages are not built</h1>\
<p>在 ui/ 中运行 <code>npm run build:office</code>，或用 ANJU_OFFICE_PAGES 指定构建目录。 / \
Run <code>npm run build:office</code> in ui/, or point ANJU_OFFICE_PAGES at the built folder.</p>";

/// Everything not an API route: the pages (with their router's paths), or the API's 404.
pub async fn pages_or_not_found(State(state): State<AppState>, request: Request) -> Response {
    if request.uri().path().starts_with("/api/") {
        return not_found(request).await.into_response();
    }
    match &state.pages_dir {
        Some(dir) => {
            let service = ServeDir::new(dir).fallback(ServeFile::new(dir.join("index.html")));
            match service.oneshot(request).await {
                Ok(response) => response.map(Body::new),
                Err(e) => AppError::internal(e).into_response(),
            }
        }
        None => (StatusCode::OK, html(NOT_BUILT.to_string())).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_session_cookie_is_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; anju_office=tok; b=2"),
        );
        assert_eq!(cookie_token(&headers).as_deref(), Some("tok"));
        headers.insert(header::COOKIE, HeaderValue::from_static("anju_office="));
        assert_eq!(cookie_token(&headers), None);
    }

    #[test]
    fn file_names_are_percent_decoded() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-file-name",
            HeaderValue::from_static("%E5%90%8D%E5%86%8C.csv"),
        );
        assert_eq!(file_name(&headers), "名册.csv");
        assert_eq!(file_name(&HeaderMap::new()), "upload");
    }
}

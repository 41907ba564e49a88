//! The sync API under `/api/v1`: its routes and handlers and their OpenAPI document.
//! Handlers parse, call the storage interfaces, and map errors to JSON answers that say
//! what is wrong and where (`crate::http`).

use std::sync::Arc;
use std::sync::atomic::Ordering;

use anju_core::wire::{
    ApiError, BlobState, HEADER_BLOB_COMPLETE, HEADER_BLOB_LENGTH, HEADER_BLOB_OFFSET, Health,
    LoginRequest, LoginResponse, MAX_BLOB_BYTES, MAX_PULL_LIMIT, MAX_PUSH_RECORDS,
    PROTOCOL_VERSION, PullResponse, PushRecord, PushRequest, PushResponse, RecordResult,
    RecordStatus, Role, TeamPinRequest, UserInfo,
};
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use chrono::Utc;
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) mod contract;

use crate::assign::Target;
use crate::http::{
    ApiJson, AppError, AppState, Authenticated, ClientAddr, MetricsSnapshot, login_refused,
    require_role,
};
use crate::signin::SignIn;
use crate::storage::BlobError;
use crate::users::{AuthUser, LoginOutcome, TokenKind};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Anju office API",
        description = "安居验收 · 乡镇办公室同步接口 / the township office's sync API. See docs/sync-protocol.md."
    ),
    components(schemas(ApiError, BlobState, UserInfo, RecordResult, RecordStatus))
)]
struct ApiDoc;

/// The sync API's routes and their OpenAPI document (the application merges them with the
/// pages' routes: `app::router`).
pub(crate) fn routes() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health))
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(pull))
        .routes(routes!(push))
        .routes(routes!(blob_head, blob_put))
        .routes(routes!(metrics))
        .routes(routes!(team_pin))
        .routes(routes!(admin_users))
        .routes(routes!(admin_assign))
        .split_for_parts()
}

/// Whether the office is up, and its time (devices anchor their clock on it).
#[utoipa::path(get, path = "/api/v1/health", responses((status = 200, body = Health)))]
async fn health() -> Json<Health> {
    Json(Health {
        status: "ok".into(),
        server_time: Utc::now(),
        version: env!("CARGO_PKG_VERSION").into(),
        protocol: PROTOCOL_VERSION,
    })
}

/// Sign in a device; the answer's token goes in `Authorization: Bearer`.
#[utoipa::path(post, path = "/api/v1/login", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401, body = ApiError), (status = 429, body = ApiError)))]
async fn login(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    ApiJson(request): ApiJson<LoginRequest>,
) -> Result<Json<LoginResponse>, AppError> {
    let outcome = crate::signin::sign_in(
        &state.store,
        &state.throttle,
        &state.cpu,
        SignIn {
            name: request.user,
            password: request.password,
            device_id: request.device_id,
            device_name: request.device_name,
            kind: TokenKind::Device,
            client,
        },
    )
    .await?;
    match outcome {
        LoginOutcome::Success { token, user } => Ok(Json(LoginResponse {
            token,
            user: user.info(),
            server_time: Utc::now(),
        })),
        refused => Err(login_refused(refused)),
    }
}

/// Sign this device out: its token stops working.
#[utoipa::path(post, path = "/api/v1/logout", responses((status = 204), (status = 401, body = ApiError)), security(("bearer" = [])))]
async fn logout(
    State(state): State<AppState>,
    Authenticated(_, token): Authenticated,
) -> Result<StatusCode, AppError> {
    state.store.revoke_token(token).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The pull cursor and page size.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // documents the query; parsed by hand for precise errors
struct PullQuery {
    /// The `next_cursor` of the last page received; 0 for everything.
    #[param(minimum = 0)]
    cursor: Option<i64>,
    /// Households per page, at most 5000.
    #[param(minimum = 1, maximum = 5000)]
    limit: Option<u32>,
}

fn parse_pull_query(raw: Option<String>) -> Result<(i64, u32), AppError> {
    let mut cursor = 0i64;
    let mut limit = anju_core::wire::DEFAULT_PULL_LIMIT;
    for pair in raw.unwrap_or_default().split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let bad = |what: &str| {
            AppError::new(
                StatusCode::BAD_REQUEST,
                "invalid_query",
                format!("参数 {key}=“{value}”无效 / query parameter {key}='{value}' is not valid: {what}"),
            )
            .field(key.to_string())
        };
        match key {
            "cursor" => {
                cursor = value
                    .parse()
                    .map_err(|_| bad("须为非负整数 / must be a whole number ≥ 0"))?;
                if cursor < 0 {
                    return Err(bad("须为非负整数 / must be a whole number ≥ 0"));
                }
            }
            "limit" => {
                limit = value.parse().map_err(|_| {
                    bad("须为1到5000的整数 / must be a whole number from 1 to 5000")
                })?;
                if !(1..=MAX_PULL_LIMIT).contains(&limit) {
                    return Err(bad(
                        "须为1到5000的整数 / must be a whole number from 1 to 5000",
                    ));
                }
            }
            _ => return Err(bad("未知参数 / unknown parameter")),
        }
    }
    Ok((cursor, limit))
}

/// The changes to the inspector's households since a cursor, one page.
#[utoipa::path(get, path = "/api/v1/pull", params(PullQuery),
    responses((status = 200, body = PullResponse), (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 403, body = ApiError)),
    security(("bearer" = [])))]
async fn pull(
    State(state): State<AppState>,
    Authenticated(user, _): Authenticated,
    RawQuery(query): RawQuery,
) -> Result<Json<PullResponse>, AppError> {
    require_role(&user, Role::Inspector)?;
    let (cursor, limit) = parse_pull_query(query)?;
    Ok(Json(state.store.pull(user, cursor, limit).await?))
}

/// Push immutable records; one result per record.
#[utoipa::path(post, path = "/api/v1/push", request_body = PushRequest,
    responses((status = 200, body = PushResponse, description = "every record stored"),
        (status = 403, body = PushResponse), (status = 404, body = PushResponse), (status = 409, body = PushResponse),
        (status = 422, body = PushResponse), (status = 424, body = PushResponse),
        (status = 400, body = ApiError), (status = 413, body = ApiError)),
    security(("bearer" = [])))]
async fn push(
    State(state): State<AppState>,
    Authenticated(user, _): Authenticated,
    ApiJson(request): ApiJson<PushRequest>,
) -> Result<Response, AppError> {
    require_role(&user, Role::Inspector)?;
    if request.records.len() > MAX_PUSH_RECORDS {
        return Err(AppError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_many_records",
            format!(
                "一次最多 {MAX_PUSH_RECORDS} 条记录，此次 {} 条 / at most {MAX_PUSH_RECORDS} records per push, this one has {}",
                request.records.len(),
                request.records.len()
            ),
        )
        .field("records"));
    }
    if let Err(problem) = anju_core::records::check_push_time(request.device_time) {
        return Err(AppError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_device_time",
            format!("{} / {}", problem.zh, problem.en),
        )
        .field("device_time"));
    }
    let server_time = Utc::now();
    let offset = state
        .store
        .record_contact(
            user.clone(),
            request.device_id,
            request.device_time,
            server_time,
        )
        .await?;
    let prechecks = state
        .store
        .precheck(user.clone(), request.records.clone())
        .await?;
    let mut results = Vec::with_capacity(request.records.len());
    for (index, (record, precheck)) in request.records.into_iter().zip(prechecks).enumerate() {
        let mut result = match precheck {
            Some(result) => result,
            None => {
                store_if_blobs_present(&state, &user, request.device_id, record, offset).await?
            }
        };
        // The field of a refused record, as a path into the whole request.
        if let Some(field) = result.field.take() {
            result.field = Some(format!("records[{index}].{field}"));
        }
        let counter = match result.status {
            RecordStatus::Accepted => &state.metrics.records_accepted,
            RecordStatus::Duplicate => &state.metrics.records_duplicate,
            _ => &state.metrics.records_refused,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        results.push(result);
    }
    let response = PushResponse {
        results,
        server_time,
        clock_offset_ms: offset,
    };
    let status = StatusCode::from_u16(response.http_status()).unwrap_or(StatusCode::OK);
    Ok((status, Json(response)).into_response())
}

async fn store_if_blobs_present(
    state: &AppState,
    user: &AuthUser,
    device_id: uuid::Uuid,
    record: PushRecord,
    offset: i64,
) -> Result<RecordResult, AppError> {
    let mut missing = Vec::new();
    for blob in record.body.referenced_blobs() {
        let complete = match state.blobs.state(&blob).await {
            Ok(s) => s.complete,
            Err(BlobError::BadHash(_)) => false,
            Err(e) => return Err(AppError::internal(e)),
        };
        if !complete {
            missing.push(blob);
        }
    }
    if !missing.is_empty() {
        return Ok(RecordResult {
            kind: record.body.kind().to_string(),
            id: record.body.id(),
            status: RecordStatus::MissingBlob,
            code: RecordStatus::MissingBlob.code(),
            message: Some(format!(
                "缺少 {} 个文件，请先上传 / {} file(s) are missing: upload them first",
                missing.len(),
                missing.len()
            )),
            missing_blobs: missing,
            field: None,
        });
    }
    Ok(state
        .store
        .store_record(user.clone(), device_id, record, offset)
        .await?)
}

fn blob_headers(state: BlobState) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(HEADER_BLOB_OFFSET, HeaderValue::from(state.offset));
    headers.insert(
        HEADER_BLOB_COMPLETE,
        HeaderValue::from_static(if state.complete { "1" } else { "0" }),
    );
    headers
}

fn blob_error(error: BlobError) -> AppError {
    match error {
        BlobError::BadHash(_) => {
            AppError::new(StatusCode::BAD_REQUEST, "bad_hash", error.to_string()).field("sha256")
        }
        BlobError::TooLarge { .. } => AppError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "blob_too_large",
            error.to_string(),
        ),
        BlobError::OffsetMismatch { have, .. } => {
            AppError::new(StatusCode::CONFLICT, "offset_mismatch", error.to_string())
                .header(HeaderName::from_static(HEADER_BLOB_OFFSET), have)
                .header(HeaderName::from_static(HEADER_BLOB_COMPLETE), 0)
        }
        BlobError::Overflow { .. } => AppError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "blob_overflow",
            error.to_string(),
        ),
        BlobError::HashMismatch { .. } => AppError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "hash_mismatch",
            error.to_string(),
        )
        .header(HeaderName::from_static(HEADER_BLOB_OFFSET), 0)
        .header(HeaderName::from_static(HEADER_BLOB_COMPLETE), 0),
        // The client went away mid-upload; nobody reads this answer.
        BlobError::Interrupted { have } => {
            AppError::new(StatusCode::BAD_REQUEST, "interrupted", error.to_string())
                .header(HeaderName::from_static(HEADER_BLOB_OFFSET), have)
        }
        BlobError::PendingQuota { .. } | BlobError::PendingUploads { .. } => AppError::new(
            StatusCode::INSUFFICIENT_STORAGE,
            "pending_uploads_over_quota",
            error.to_string(),
        ),
        BlobError::DiskFull => AppError::new(
            StatusCode::INSUFFICIENT_STORAGE,
            "disk_full",
            error.to_string(),
        )
        .header(header::RETRY_AFTER, 300),
        BlobError::Io(e) => AppError::internal(e),
    }
}

/// How many bytes of a blob the office holds (`anju-blob-offset`, `anju-blob-complete`).
#[utoipa::path(head, path = "/api/v1/blobs/{sha256}", params(("sha256" = String, Path, description = "SHA-256, lower-case hex", pattern = "^[0-9a-f]{64}$")),
    responses((status = 200, headers(("anju-blob-offset" = u64), ("anju-blob-complete" = String))), (status = 400), (status = 401), (status = 403, body = ApiError)),
    security(("bearer" = [])))]
async fn blob_head(
    State(state): State<AppState>,
    Authenticated(user, _): Authenticated,
    Path(sha256): Path<String>,
) -> Result<(StatusCode, HeaderMap), AppError> {
    require_role(&user, Role::Inspector)?;
    let blob = state.blobs.state(&sha256).await.map_err(blob_error)?;
    Ok((StatusCode::OK, blob_headers(blob)))
}

fn header_u64(headers: &HeaderMap, name: &'static str) -> Result<u64, AppError> {
    let value = headers.get(name).ok_or_else(|| {
        AppError::new(
            StatusCode::BAD_REQUEST,
            "missing_header",
            format!("缺少请求头 {name} / the header {name} is missing"),
        )
        .field(name)
    })?;
    value
        .to_str()
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| {
            AppError::new(
                StatusCode::BAD_REQUEST,
                "invalid_header",
                format!(
                    "请求头 {name} 须为非负整数 / the header {name} must be a whole number ≥ 0"
                ),
            )
            .field(name)
        })
}

/// Upload (the rest of) a blob from `anju-blob-offset`; `anju-blob-length` is its size.
#[utoipa::path(put, path = "/api/v1/blobs/{sha256}", params(("sha256" = String, Path, description = "SHA-256, lower-case hex", pattern = "^[0-9a-f]{64}$"),
        ("anju-blob-offset" = u64, Header, description = "Where this part starts: the office's offset from HEAD", minimum = 0),
        ("anju-blob-length" = u64, Header, description = "The whole blob's size in bytes", minimum = 0, maximum = 26_214_400)),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, description = "complete and verified"), (status = 200, description = "already complete"),
        (status = 400, body = ApiError, description = "a header missing or not a number, or the upload broken off"),
        (status = 403, body = ApiError), (status = 507, body = ApiError, description = "the user's unfinished uploads are over their quota, or the disk is full"),
        (status = 202, description = "stored so far; not complete"), (status = 409, body = ApiError), (status = 413, body = ApiError),
        (status = 422, body = ApiError)),
    security(("bearer" = [])))]
async fn blob_put(
    State(state): State<AppState>,
    Authenticated(user, _): Authenticated,
    Path(sha256): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, AppError> {
    // Only those who push records upload their evidence.
    require_role(&user, Role::Inspector)?;
    let before = state.blobs.state(&sha256).await.map_err(blob_error)?;
    let offset = header_u64(&headers, HEADER_BLOB_OFFSET)?;
    let length = header_u64(&headers, HEADER_BLOB_LENGTH)?;
    if length > MAX_BLOB_BYTES {
        return Err(blob_error(BlobError::TooLarge {
            length,
            limit: MAX_BLOB_BYTES,
        }));
    }
    if before.complete {
        return Ok((StatusCode::OK, blob_headers(before)).into_response());
    }
    let stream = body
        .into_data_stream()
        .map(|chunk| chunk.map_err(|e| e.to_string()))
        .boxed();
    let metrics = Arc::clone(&state.metrics);
    let counted = move |n: u64| {
        metrics.blob_bytes_received.fetch_add(n, Ordering::Relaxed);
    };
    let after = state
        .blobs
        .append(&sha256, offset, length, &user.id, stream, &counted)
        .await
        .map_err(blob_error)?;
    let status = if after.complete {
        StatusCode::CREATED
    } else {
        StatusCode::ACCEPTED
    };
    Ok((status, blob_headers(after)).into_response())
}

/// Counters: requests by status class, blob bytes, records.
#[utoipa::path(get, path = "/api/v1/metrics", responses((status = 200, body = MetricsSnapshot), (status = 401, body = ApiError)),
    security(("bearer" = [])))]
async fn metrics(
    State(state): State<AppState>,
    Authenticated(..): Authenticated,
) -> Json<MetricsSnapshot> {
    Json(state.metrics.snapshot())
}

/// A member of the signed-in inspector's 验收组 sets their confirmation PIN with their own
/// password; the answer is the team with the member's new verifier.
#[utoipa::path(post, path = "/api/v1/team/pin", request_body = TeamPinRequest,
    responses((status = 200, body = anju_core::team::Team), (status = 401, body = ApiError),
        (status = 403, body = ApiError), (status = 422, body = ApiError), (status = 429, body = ApiError)),
    security(("bearer" = [])))]
async fn team_pin(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    Authenticated(user, _): Authenticated,
    ApiJson(request): ApiJson<TeamPinRequest>,
) -> Result<Json<anju_core::team::Team>, AppError> {
    use crate::team_pin::{PinOutcome, TeamPinError, set_member_pin};
    let outcome = set_member_pin(
        &state.store,
        &state.throttle,
        &state.cpu,
        &user,
        request,
        client,
    )
    .await
    .map_err(|error| match error {
        TeamPinError::Storage(e) => AppError::from(e),
        TeamPinError::Pin(e) => {
            AppError::new(StatusCode::UNPROCESSABLE_ENTITY, "bad_pin", e.to_string()).field("pin")
        }
        e @ (TeamPinError::NoTeam | TeamPinError::NotTeammate(_)) => {
            AppError::new(StatusCode::FORBIDDEN, "not_teammate", e.to_string()).field("member")
        }
        e @ TeamPinError::Hash(_) => AppError::internal(e),
    })?;
    match outcome {
        PinOutcome::Set(team) => Ok(Json(team)),
        PinOutcome::WrongPassword => Err(login_refused(LoginOutcome::Refused).field("password")),
        PinOutcome::Throttled { retry_at } => {
            Err(login_refused(LoginOutcome::Throttled { retry_at }))
        }
    }
}

/// The office's users (admin only).
#[utoipa::path(get, path = "/api/v1/admin/users", responses((status = 200, body = Vec<UserInfo>), (status = 403, body = ApiError)),
    security(("bearer" = [])))]
async fn admin_users(
    State(state): State<AppState>,
    Authenticated(user, _): Authenticated,
) -> Result<Json<Vec<UserInfo>>, AppError> {
    require_role(&user, Role::Admin)?;
    Ok(Json(
        state
            .store
            .users()
            .await?
            .iter()
            .map(AuthUser::info)
            .collect(),
    ))
}

/// Assign households to an inspector by township, site or ID numbers (admin only).
#[derive(Debug, Deserialize, Serialize, utoipa::ToSchema)]
pub struct AssignRequest {
    pub inspector: String,
    pub township: Option<String>,
    pub site: Option<String>,
    pub households: Option<Vec<String>>,
}

#[derive(Debug, Deserialize, Serialize, utoipa::ToSchema)]
pub struct AssignResponse {
    pub assigned: usize,
}

#[utoipa::path(post, path = "/api/v1/admin/assignments", request_body = AssignRequest,
    responses((status = 200, body = AssignResponse), (status = 403, body = ApiError),
        (status = 404, body = ApiError, description = "no such inspector, township, site or household"),
        (status = 409, body = ApiError, description = "a site name more than one township has: name the township"),
        (status = 422, body = ApiError, description = "not exactly one of township, site, households; or not an inspector")),
    security(("bearer" = [])))]
async fn admin_assign(
    State(state): State<AppState>,
    Authenticated(user, _): Authenticated,
    ApiJson(request): ApiJson<AssignRequest>,
) -> Result<Json<AssignResponse>, AppError> {
    require_role(&user, Role::Admin)?;
    let target = match (request.township, request.site, request.households) {
        (Some(t), None, None) => Target::Township(t),
        (township, Some(name), None) => Target::Site { name, township },
        (None, None, Some(h)) if !h.is_empty() => Target::Households(h),
        _ => {
            return Err(AppError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_assignment",
                "须且只能给出 township、site、households 之一 / give exactly one of township, site, households",
            ));
        }
    };
    let assigned = state.store.assign(request.inspector, target).await?;
    Ok(Json(AssignResponse { assigned }))
}

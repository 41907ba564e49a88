//! The office pages over HTTP: `/api/office/…` (see `docs/office-pages-api.md`) and the
//! built pages themselves at `/`. Handlers parse, call `services`, and map the error.

use axum::Json;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde::Deserialize;
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::audit::{AuditAction, AuditEntry};
use crate::http::{
    ApiJson, AppError, AppState, ClientAddr, OfficeUser, login_refused, not_found, page_error,
    read, require_page_header, run, session_cookie,
};
use crate::services::views::*;
use crate::services::{self, PageError};
use crate::signin::SignIn;
use crate::users::{AuthUser, LoginOutcome, TokenKind};
use anju_core::wire::ApiError;

mod files;
mod integrations;
mod people;
mod screens;

use files::*;
use integrations::*;
use people::*;
use screens::*;

const SESSION_SECONDS: u32 = 12 * 3600;
/// The largest roster or evidence photo accepted (the handlers check it, with a clear answer).
const MAX_UPLOAD: usize = 20 * 1024 * 1024;

/// The pages' routes and their OpenAPI document (merged with the sync API's by
/// `app::router`). Each handler's `#[utoipa::path]` is where its route is defined.
pub(crate) fn routes() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, doc) = OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(session))
        .routes(routes!(dashboard))
        .routes(routes!(places))
        .routes(routes!(households))
        .routes(routes!(household))
        .routes(routes!(milestones))
        .routes(routes!(reveal))
        .routes(routes!(review))
        .routes(routes!(review_decision))
        .routes(routes!(approve_batch))
        .routes(routes!(conflict_decision))
        .routes(routes!(findings))
        .routes(routes!(finding_transition))
        .routes(routes!(finding_evidence))
        .routes(routes!(assignments, assign))
        .routes(routes!(samples, draw_sample))
        .routes(routes!(sample))
        .routes(routes!(assign_sample))
        .routes(routes!(import_preview))
        .routes(routes!(import_commit))
        .routes(routes!(roster_template))
        .routes(routes!(old_houses))
        .routes(routes!(tasks, plan_visits))
        .routes(routes!(support_report))
        .routes(routes!(add_support))
        .routes(routes!(remove_support))
        .routes(routes!(able_to_develop))
        .routes(routes!(policy, set_policy))
        .routes(routes!(form_versions, publish_form))
        .routes(routes!(form_preview))
        .routes(routes!(form_changes))
        .routes(routes!(blob))
        .routes(routes!(export))
        .routes(routes!(audit_log))
        .routes(routes!(tls_identity))
        .routes(routes!(users_list))
        .routes(routes!(teams_list, team_set))
        .routes(routes!(sites))
        .routes(routes!(site_record))
        .routes(routes!(site_visits))
        .routes(routes!(user_profile))
        .routes(routes!(print_jobs, start_print_job))
        .routes(routes!(print_job))
        .routes(routes!(print_job_download))
        .routes(routes!(form))
        .routes(routes!(township_forms))
        .routes(routes!(integration_tokens, integration_token_create))
        .routes(routes!(integration_token_revoke))
        .split_for_parts();
    let router = router
        .layer(middleware::from_fn(require_page_header))
        // Well above the uploads' own limit, so that their check answers (in JSON) first.
        .layer(axum::extract::DefaultBodyLimit::max(4 * MAX_UPLOAD));
    (router, doc)
}

/// The session as the pages show it, with the user's name as official records give it.
async fn session_view(state: &AppState, user: &AuthUser) -> Result<OfficeSession, AppError> {
    let login = user.name.clone();
    let display = state
        .db
        .read(move |db| Ok::<_, PageError>(crate::names::Names::load(db.connection())?.of(&login)))
        .await
        .map_err(page_error)?;
    Ok(OfficeSession {
        display,
        name: user.name.clone(),
        role: user.role,
        township: user.township.clone(),
        server_time: Utc::now(),
    })
}

#[utoipa::path(post, path = "/api/office/login", operation_id = "office_login", tag = "pages", request_body = OfficeLogin, responses((status = 200, body = OfficeSession, description = "signed in; the session cookie is set"), (status = 401, body = ApiError), (status = 403, body = ApiError, description = "an inspector signs in on the phone, not here"), (status = 429, body = ApiError)))]
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
            let mut response = Json(session_view(&state, &user).await?).into_response();
            response.headers_mut().insert(
                header::SET_COOKIE,
                session_cookie(&token, SESSION_SECONDS, state.tls_fingerprint.is_some()),
            );
            Ok(response)
        }
        refused => Err(login_refused(refused)),
    }
}

#[utoipa::path(post, path = "/api/office/logout", operation_id = "office_logout", tag = "pages", responses((status = 204, description = "signed out; the cookie is cleared")), security(("office_cookie" = []), ("bearer" = [])))]
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

#[utoipa::path(get, path = "/api/office/session", tag = "pages", responses((status = 200, body = OfficeSession)), security(("office_cookie" = []), ("bearer" = [])))]
async fn session(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
) -> Result<Json<OfficeSession>, AppError> {
    // An inspector's token is refused here like everywhere in the pages.
    read(&state, user.clone(), |_, _| Ok(())).await?;
    Ok(Json(session_view(&state, &user).await?))
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

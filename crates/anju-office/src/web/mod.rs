//! The office pages over HTTP: `/api/office/…` (see `docs/office-pages-api.md`) and the
//! built pages themselves at `/`. Handlers parse, call `services`, and map the error.

use axum::Json;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::Utc;
use serde::Deserialize;
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};
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
        .route("/api/office/reviews/approve-batch", post(approve_batch))
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
        .route("/api/office/roster/template.xlsx", get(roster_template))
        .route("/api/office/old-houses", get(old_houses))
        .route("/api/office/tasks", get(tasks).post(plan_visits))
        .route("/api/office/support", get(support_report))
        .route("/api/office/households/{id}/support", post(add_support))
        .route(
            "/api/office/households/{id}/support/{measure}/remove",
            post(remove_support),
        )
        .route(
            "/api/office/households/{id}/able-to-develop",
            post(able_to_develop),
        )
        .route("/api/office/policy", get(policy).post(set_policy))
        .route(
            "/api/office/form-versions",
            get(form_versions).post(publish_form),
        )
        .route(
            "/api/office/form-versions/{form}/{version}",
            get(form_preview),
        )
        .route(
            "/api/office/form-versions/{form}/diff/{from}/{to}",
            get(form_changes),
        )
        .route("/api/office/blobs/{sha256}", get(blob))
        .route("/api/office/exports/{name}", get(export))
        .route("/api/office/audit", get(audit_log))
        .route("/api/office/tls", get(tls_identity))
        .route("/api/office/users", get(users_list))
        .route("/api/office/teams", get(teams_list).post(team_set))
        .route("/api/office/sites", get(sites))
        .route("/api/office/sites/{id}", post(site_record))
        .route("/api/office/sites/{id}/visits", get(site_visits))
        .route("/api/office/users/{name}", post(user_profile))
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
        .route(
            "/api/office/integration-tokens",
            get(integration_tokens).post(integration_token_create),
        )
        .route(
            "/api/office/integration-tokens/{id}/revoke",
            post(integration_token_revoke),
        )
        .layer(middleware::from_fn(require_page_header))
        // Well above the uploads' own limit, so that their check answers (in JSON) first.
        .layer(axum::extract::DefaultBodyLimit::max(4 * MAX_UPLOAD))
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

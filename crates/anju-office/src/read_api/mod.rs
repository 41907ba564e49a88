//! The read API for the district's other systems (`/api/read/v1/…`): households,
//! acceptances and findings, each incrementally by cursor, read with an integration token
//! (`Authorization: Bearer`) scoped to townships. Read-only: every route is a `GET`.
//!
//! - `tokens`: the tokens themselves (made, listed, revoked, looked up; only the SHA-256
//!   of a secret is kept);
//! - `feeds`: the pages of the three feeds over `read_changes`;
//! - `admin`: the district admin's services over the tokens (the office pages' 数据接口
//!   and `anju-office integration-token`), audited.
//!
//! Handlers parse the query, call one feed, and map its error to an `ApiError`.

use anju_core::wire::ApiError;
use axum::extract::{FromRequestParts, RawQuery, State};
use axum::http::{StatusCode, request::Parts};
use axum::{Json, Router};
use chrono::Utc;
use serde::Deserialize;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub mod admin;
pub mod feeds;
pub mod tokens;

use feeds::{
    DEFAULT_LIMIT, MAX_LIMIT, PageRequest, ReadAcceptancePage, ReadFindingPage, ReadHouseholdPage,
};
use tokens::{IntegrationClient, TokenLookup};

use crate::db::OfficeDbError;
use crate::http::{AppError, AppState};
use crate::storage::StorageError;

/// Why a read could not be answered: the office's own failure (a 500).
#[derive(Debug, thiserror::Error)]
pub enum ReadApiError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Db(#[from] OfficeDbError),
    #[error(transparent)]
    Tokens(#[from] tokens::IntegrationError),
}

impl From<ReadApiError> for AppError {
    fn from(error: ReadApiError) -> Self {
        AppError::internal(error)
    }
}

struct IntegrationScheme;

impl Modify for IntegrationScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "integration",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "数据接口令牌（区县管理员在“数据接口”页面或用 anju-office integration-token create 创建） / an integration token (made by the district admin on the 数据接口 page or with `anju-office integration-token create`)",
                    ))
                    .build(),
            ),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    modifiers(&IntegrationScheme),
    components(schemas(ApiError, feeds::ReadDamaged, feeds::ReadReviewState)),
    tags((name = "read", description = "数据接口 / the read API for other systems: households, acceptances and findings by cursor. See docs/api.md."))
)]
struct ReadApiDoc;

/// The read API's routes and their OpenAPI document (the application merges both:
/// `app::router`).
pub(crate) fn routes() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ReadApiDoc::openapi())
        .routes(routes!(households))
        .routes(routes!(acceptances))
        .routes(routes!(findings))
        .split_for_parts()
}

/// The system reading: its integration token, checked.
pub struct Integration(pub IntegrationClient);

impl FromRequestParts<AppState> for Integration {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let secret = crate::http::bearer_token(&parts.headers).ok_or_else(|| {
            AppError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "缺少数据接口令牌：请在 Authorization: Bearer 中提供 / no integration token: send it as Authorization: Bearer",
            )
        })?;
        let now = Utc::now();
        let found = state
            .db
            .read(move |db| tokens::lookup(db, &secret, now).map_err(ReadApiError::from))
            .await?;
        match found {
            TokenLookup::Valid(client) => {
                if client.touch {
                    let id = client.id.clone();
                    // Not worth failing a read for: logged, and tried on a later one.
                    if let Err(error) = state
                        .db
                        .with(move |db| tokens::touch(db, &id, now).map_err(ReadApiError::from))
                        .await
                    {
                        tracing::warn!(%error, "cannot record an integration token's use");
                    }
                }
                Ok(Self(client))
            }
            TokenLookup::Revoked => Err(AppError::new(
                StatusCode::UNAUTHORIZED,
                "token_revoked",
                "此数据接口令牌已被撤销，请向区县管理员申请新令牌 / this integration token was revoked: ask the district admin for a new one",
            )),
            TokenLookup::UserToken => Err(AppError::new(
                StatusCode::FORBIDDEN,
                "not_an_integration_token",
                "这是用户的登录令牌，数据接口只接受数据接口令牌 / this is a person's sign-in token; the read API takes integration tokens only",
            )),
            TokenLookup::Unknown => Err(AppError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "数据接口令牌无效 / the integration token is not valid",
            )),
        }
    }
}

/// A feed's cursor and page size.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // documents the query; parsed by hand for precise errors
struct FeedQuery {
    /// The `next_cursor` of the last page read; 0 (or left out) for everything.
    #[param(minimum = 0)]
    cursor: Option<i64>,
    /// Records per page, 1–5000; 500 when left out.
    #[param(minimum = 1, maximum = 5000)]
    limit: Option<u32>,
}

/// The cursor and page size of a query string, or a 400 that names the parameter.
pub(crate) fn parse_query(raw: Option<&str>) -> Result<PageRequest, AppError> {
    let mut page = PageRequest {
        cursor: 0,
        limit: DEFAULT_LIMIT,
    };
    for pair in raw.unwrap_or_default().split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let shown: String = value.chars().take(40).collect();
        let bad = |what: &str| {
            AppError::new(
                StatusCode::BAD_REQUEST,
                "invalid_query",
                format!("参数 {key}=“{shown}”无效：{what}"),
            )
            .field(key.chars().take(40).collect::<String>())
        };
        match key {
            "cursor" => match value.parse::<i64>() {
                Ok(cursor) if cursor >= 0 => page.cursor = cursor,
                _ => {
                    return Err(bad(
                        "须为上一页的 next_cursor（非负整数） / query parameter cursor is not valid: it must be the next_cursor of the last page, a whole number ≥ 0",
                    ));
                }
            },
            "limit" => match value.parse::<u32>() {
                Ok(limit) if (1..=MAX_LIMIT).contains(&limit) => page.limit = limit,
                _ => {
                    return Err(bad(
                        "须为1到5000的整数 / query parameter limit is not valid: it must be a whole number from 1 to 5000",
                    ));
                }
            },
            _ => {
                return Err(bad(
                    "未知参数，只接受 cursor 和 limit / unknown query parameter: only cursor and limit are taken",
                ));
            }
        }
    }
    Ok(page)
}

/// Households of the token's townships changed after the cursor: a new one, a move in, a
/// milestone, a change of where it stands.
#[utoipa::path(get, path = "/api/read/v1/households", tag = "read", operation_id = "read_households", params(FeedQuery),
    responses(
        (status = 200, body = ReadHouseholdPage, description = "一页住户 / one page of households"),
        (status = 400, body = ApiError, description = "cursor 或 limit 无效 / cursor or limit not valid"),
        (status = 401, body = ApiError, description = "没有令牌、令牌无效或已撤销 / no token, not a valid one, or revoked"),
        (status = 403, body = ApiError, description = "用户的登录令牌不能读数据接口 / a person's sign-in token cannot read the read API"),
        (status = 500, body = ApiError, description = "办公室服务器出错 / the office failed")),
    security(("integration" = [])))]
async fn households(
    State(state): State<AppState>,
    Integration(client): Integration,
    RawQuery(query): RawQuery,
) -> Result<Json<ReadHouseholdPage>, AppError> {
    let page = parse_query(query.as_deref())?;
    let townships = client.townships;
    Ok(Json(
        state
            .db
            .read(move |db| feeds::households(db, &townships, page).map_err(ReadApiError::from))
            .await?,
    ))
}

/// Submissions (acceptances, spot checks and the other visits) of the token's townships
/// changed after the cursor: received, reviewed (approved, returned), judged, or their
/// verdict moved.
#[utoipa::path(get, path = "/api/read/v1/acceptances", tag = "read", operation_id = "read_acceptances", params(FeedQuery),
    responses(
        (status = 200, body = ReadAcceptancePage, description = "一页验收记录 / one page of submissions"),
        (status = 400, body = ApiError, description = "cursor 或 limit 无效 / cursor or limit not valid"),
        (status = 401, body = ApiError, description = "没有令牌、令牌无效或已撤销 / no token, not a valid one, or revoked"),
        (status = 403, body = ApiError, description = "用户的登录令牌不能读数据接口 / a person's sign-in token cannot read the read API"),
        (status = 500, body = ApiError, description = "办公室服务器出错 / the office failed")),
    security(("integration" = [])))]
async fn acceptances(
    State(state): State<AppState>,
    Integration(client): Integration,
    RawQuery(query): RawQuery,
) -> Result<Json<ReadAcceptancePage>, AppError> {
    let page = parse_query(query.as_deref())?;
    let townships = client.townships;
    Ok(Json(
        state
            .db
            .read(move |db| feeds::acceptances(db, &townships, page).map_err(ReadApiError::from))
            .await?,
    ))
}

/// Findings of the token's townships changed after the cursor: raised, rectified,
/// closed, reopened; each with its history.
#[utoipa::path(get, path = "/api/read/v1/findings", tag = "read", operation_id = "read_findings", params(FeedQuery),
    responses(
        (status = 200, body = ReadFindingPage, description = "一页问题 / one page of findings"),
        (status = 400, body = ApiError, description = "cursor 或 limit 无效 / cursor or limit not valid"),
        (status = 401, body = ApiError, description = "没有令牌、令牌无效或已撤销 / no token, not a valid one, or revoked"),
        (status = 403, body = ApiError, description = "用户的登录令牌不能读数据接口 / a person's sign-in token cannot read the read API"),
        (status = 500, body = ApiError, description = "办公室服务器出错 / the office failed")),
    security(("integration" = [])))]
async fn findings(
    State(state): State<AppState>,
    Integration(client): Integration,
    RawQuery(query): RawQuery,
) -> Result<Json<ReadFindingPage>, AppError> {
    let page = parse_query(query.as_deref())?;
    let townships = client.townships;
    Ok(Json(
        state
            .db
            .read(move |db| feeds::findings(db, &townships, page).map_err(ReadApiError::from))
            .await?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_is_checked_with_a_clear_message() {
        assert_eq!(
            parse_query(None).unwrap(),
            PageRequest {
                cursor: 0,
                limit: DEFAULT_LIMIT
            }
        );
        assert_eq!(
            parse_query(Some("cursor=12&limit=5000")).unwrap(),
            PageRequest {
                cursor: 12,
                limit: 5000
            }
        );
        for bad in [
            "cursor=",
            "limit=",
            "cursor=-1",
            "cursor=x",
            "limit=0",
            "limit=5001",
            "limit=1.5",
            "page=2",
        ] {
            let error = parse_query(Some(bad)).unwrap_err();
            assert!(
                error.message().contains(" / "),
                "{bad}: {}",
                error.message()
            );
        }
    }
}

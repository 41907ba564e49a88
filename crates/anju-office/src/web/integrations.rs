//! 数据接口: the district admin lists, makes and revokes the integration tokens other
//! systems read the read API with (`read_api`). A new token's secret is in the answer to
//! its making, and nowhere else, ever.

use super::*;
use crate::read_api::admin;
use crate::read_api::tokens::{IntegrationTokenCreated, IntegrationTokenRow, NewIntegrationToken};

#[utoipa::path(get, path = "/api/office/integration-tokens", tag = "pages", responses((status = 200, body = Vec<IntegrationTokenRow>, description = "每个数据接口令牌，从不含密钥 / every integration token, never a secret"), (status = 403, body = ApiError, description = "只有区县管理员 / the district admin only")), security(("office_cookie" = []), ("bearer" = [])))]
pub(super) async fn integration_tokens(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
) -> Result<Json<Vec<IntegrationTokenRow>>, AppError> {
    read(&state, user, |db, v| admin::tokens_page(db, v))
        .await
        .map(Json)
}

#[utoipa::path(post, path = "/api/office/integration-tokens", tag = "pages", request_body = NewIntegrationToken, responses((status = 200, body = IntegrationTokenCreated, description = "令牌及其密钥（仅此一次） / the token and its secret, shown this once"), (status = 403, body = ApiError, description = "只有区县管理员 / the district admin only"), (status = 422, body = ApiError, description = "名称为空或过长、没有乡镇、乡镇不存在 / no name or too long, no township, an unknown township")), security(("office_cookie" = []), ("bearer" = [])))]
pub(super) async fn integration_token_create(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    OfficeUser(user, _): OfficeUser,
    ApiJson(new): ApiJson<NewIntegrationToken>,
) -> Result<Json<IntegrationTokenCreated>, AppError> {
    run(&state, user, move |db, v| {
        admin::create_token(db, v, &new, Some(client.to_string()))
    })
    .await
    .map(Json)
}

#[utoipa::path(post, path = "/api/office/integration-tokens/{id}/revoke", tag = "pages", params(("id" = String, Path, description = "令牌的 id / the token's id")), responses((status = 200, body = IntegrationTokenRow, description = "已撤销 / revoked"), (status = 403, body = ApiError, description = "只有区县管理员 / the district admin only"), (status = 404, body = ApiError, description = "没有此令牌 / no such token")), security(("office_cookie" = []), ("bearer" = [])))]
pub(super) async fn integration_token_revoke(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    OfficeUser(user, _): OfficeUser,
    Path(id): Path<String>,
) -> Result<Json<IntegrationTokenRow>, AppError> {
    run(&state, user, move |db, v| {
        admin::revoke_token(db, v, &id, Some(client.to_string()))
    })
    .await
    .map(Json)
}

//! 数据接口: the district admin lists, makes and revokes the integration tokens other
//! systems read the read API with (`read_api`). A new token's secret is in the answer to
//! its making, and nowhere else, ever.

use super::*;
use crate::read_api::admin;
use crate::read_api::tokens::{IntegrationTokenCreated, IntegrationTokenRow, NewIntegrationToken};

pub(super) async fn integration_tokens(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
) -> Result<Json<Vec<IntegrationTokenRow>>, AppError> {
    read(&state, user, |db, v| admin::tokens_page(db, v))
        .await
        .map(Json)
}

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

//! The users page: the district admin sets how official records name each user.

use super::*;
use crate::services::{UserProfileUpdate, UserRow};

#[utoipa::path(get, path = "/api/office/users", tag = "pages", responses((status = 200, body = Vec<UserRow>)), security(("office_cookie" = []), ("bearer" = [])))]
pub(super) async fn users_list(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
) -> Result<Json<Vec<UserRow>>, AppError> {
    read(&state, user, |db, v| services::users_page(db, v))
        .await
        .map(Json)
}

#[utoipa::path(post, path = "/api/office/users/{name}", tag = "pages", params(("name" = String, Path, description = "登录名 / the login")), request_body = UserProfileUpdate, responses((status = 200, body = UserRow)), security(("office_cookie" = []), ("bearer" = [])))]
pub(super) async fn user_profile(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    OfficeUser(user, _): OfficeUser,
    Path(name): Path<String>,
    ApiJson(update): ApiJson<UserProfileUpdate>,
) -> Result<Json<UserRow>, AppError> {
    let actor = user.clone();
    run(&state, user, move |db, v| {
        let row = services::update_user_profile(db, v, &name, &update)?;
        let entry = AuditEntry::by(&actor, AuditAction::UserProfile)
            .target(name.clone())
            .client(client.to_string())
            .detail(row.display.zh.clone());
        crate::audit::record(db.connection(), &entry, Utc::now())?;
        Ok(row)
    })
    .await
    .map(Json)
}

#[utoipa::path(get, path = "/api/office/teams", tag = "pages", responses((status = 200, body = Vec<crate::teams::TeamView>)), security(("office_cookie" = []), ("bearer" = [])))]
pub(super) async fn teams_list(
    State(state): State<AppState>,
    OfficeUser(user, _): OfficeUser,
) -> Result<Json<Vec<crate::teams::TeamView>>, AppError> {
    read(&state, user, |db, v| services::teams_page(db, v))
        .await
        .map(Json)
}

#[utoipa::path(post, path = "/api/office/teams", tag = "pages", request_body = crate::teams::TeamSetting, responses((status = 200, body = crate::teams::TeamView)), security(("office_cookie" = []), ("bearer" = [])))]
pub(super) async fn team_set(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    OfficeUser(user, _): OfficeUser,
    ApiJson(setting): ApiJson<crate::teams::TeamSetting>,
) -> Result<Json<crate::teams::TeamView>, AppError> {
    let actor = user.clone();
    run(&state, user, move |db, v| {
        let team = services::set_team(db, v, &setting)?;
        let members: Vec<String> = team
            .members
            .iter()
            .map(|m| {
                format!(
                    "{}（{}）",
                    m.full_name.as_deref().unwrap_or(&m.account),
                    m.department
                )
            })
            .collect();
        let entry = AuditEntry::by(&actor, AuditAction::TeamSet)
            .target(team.name.clone())
            .client(client.to_string())
            .detail(members.join("、"));
        crate::audit::record(db.connection(), &entry, Utc::now())?;
        Ok(team)
    })
    .await
    .map(Json)
}

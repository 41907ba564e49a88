//! The users as the district admin manages them: logins with their 姓名, 单位/部门 and
//! 职务, which official records show instead of the login (`names`). Accounts themselves
//! (passwords, roles) are made with `anju-office user add`.

use anju_core::form::Text;
use anju_core::wire::Role;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{PageError, Result, Viewer};
use crate::db::{OfficeDb, OfficeDbError};
use crate::names::{self, Profile, ProfileUpdate};
use crate::users::{self, UserError};

/// One user on the admin's users table.
#[derive(Debug, Clone, Serialize, TS, utoipa::ToSchema)]
pub struct UserRow {
    /// The login: shown here, where accounts are managed, and nowhere on records.
    pub name: String,
    pub role: Role,
    /// A `Department` code (inspectors).
    pub department: Option<String>,
    pub township: Option<String>,
    pub full_name: Option<String>,
    pub organisation: Option<String>,
    pub title: Option<String>,
    /// How records name them: 姓名（单位/部门）, or the login marked as having no name.
    pub display: Text,
}

/// A user's 姓名, 单位/部门 and 职务: a field left out stays; an empty one is cleared.
#[derive(Debug, Clone, Default, Deserialize, TS, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct UserProfileUpdate {
    #[ts(optional)]
    pub full_name: Option<String>,
    #[ts(optional)]
    pub organisation: Option<String>,
    #[ts(optional)]
    pub title: Option<String>,
}

fn page_error(error: UserError) -> PageError {
    match error {
        UserError::NoSuchUser(name) => PageError::NotFound {
            what_zh: "用户",
            what_en: "user",
            id: name,
        },
        UserError::Db(e) => PageError::Db(e),
        UserError::Sql(e) => PageError::Db(OfficeDbError::Sql(e)),
        other => PageError::Invalid(other.to_string()),
    }
}

fn row(user: users::AuthUser, profile: Profile) -> UserRow {
    UserRow {
        display: names::display(&user.name, &profile),
        name: user.name,
        role: user.role,
        department: user.department.map(|d| d.code().to_string()),
        township: user.township,
        full_name: profile.full_name,
        organisation: profile.organisation,
        title: profile.title,
    }
}

/// Every user with their profile (the district admin only).
pub fn users_page(db: &OfficeDb, viewer: &Viewer) -> Result<Vec<UserRow>> {
    viewer.require_admin()?;
    let list = users::list_users(db).map_err(page_error)?;
    let names = names::Names::load(db.connection())?;
    Ok(list
        .into_iter()
        .map(|user| {
            let profile = names.profile(&user.name).cloned().unwrap_or_default();
            row(user, profile)
        })
        .collect())
}

/// Set a user's 姓名, 单位/部门 or 职务 (the district admin only). The caller records it.
pub fn update_user_profile(
    db: &OfficeDb,
    viewer: &Viewer,
    login: &str,
    update: &UserProfileUpdate,
) -> Result<UserRow> {
    viewer.require_admin()?;
    let user = users::user(db, login)
        .map_err(page_error)?
        .ok_or_else(|| page_error(UserError::NoSuchUser(login.to_string())))?;
    let profile = names::update_profile(
        db,
        login,
        &ProfileUpdate {
            full_name: update.full_name.clone(),
            organisation: update.organisation.clone(),
            title: update.title.clone(),
        },
    )
    .map_err(page_error)?;
    Ok(row(user, profile))
}

/// 验收组: every team with its members and whose PIN is set (the district admin only).
pub fn teams_page(db: &OfficeDb, viewer: &Viewer) -> Result<Vec<crate::teams::TeamView>> {
    viewer.require_admin()?;
    crate::teams::teams(db.connection()).map_err(team_error)
}

/// Make a team or give it new members (the district admin only). The caller records it.
pub fn set_team(
    db: &mut OfficeDb,
    viewer: &Viewer,
    setting: &crate::teams::TeamSetting,
) -> Result<crate::teams::TeamView> {
    viewer.require_admin()?;
    crate::teams::set_team(db, setting, chrono::Utc::now()).map_err(team_error)
}

fn team_error(error: crate::teams::TeamAdminError) -> PageError {
    use crate::teams::TeamAdminError;
    match error {
        TeamAdminError::Db(e) => PageError::Db(e),
        TeamAdminError::Sql(e) => PageError::Db(OfficeDbError::Sql(e)),
        TeamAdminError::NoSuchUser(name) => PageError::NotFound {
            what_zh: "用户",
            what_en: "user",
            id: name,
        },
        other => PageError::Invalid(other.to_string()),
    }
}

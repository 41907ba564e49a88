//! The district admin's services over integration tokens: list, make (the secret shown
//! once), revoke. Used by the office pages' 数据接口 (`web::integrations`) and by
//! `anju-office integration-token`; making and revoking are recorded in the audit log.

use chrono::Utc;

use super::tokens::{
    self, IntegrationError, IntegrationTokenCreated, IntegrationTokenRow, NewIntegrationToken,
};
use crate::audit::{AuditAction, AuditEntry};
use crate::db::{OfficeDb, OfficeDbError};
use crate::services::{PageError, Result, Viewer};

fn page_error(error: IntegrationError) -> PageError {
    match error {
        IntegrationError::NotFound(id) => PageError::NotFound {
            what_zh: "数据接口令牌",
            what_en: "integration token",
            id,
        },
        IntegrationError::Db(e) => PageError::Db(e),
        IntegrationError::Random(e) => PageError::Db(OfficeDbError::Setup(e)),
        other => PageError::Invalid(other.to_string()),
    }
}

fn entry(viewer: &Viewer, action: AuditAction, client: Option<String>) -> AuditEntry {
    AuditEntry {
        actor: viewer.name.clone(),
        user_id: (!viewer.user_id.is_empty()).then(|| viewer.user_id.clone()),
        client,
        action,
        target: None,
        detail: String::new(),
    }
}

fn townships_text(token: &IntegrationTokenRow) -> String {
    token
        .townships
        .iter()
        .map(|t| t.name.as_str())
        .collect::<Vec<_>>()
        .join("、")
}

/// Every integration token, the newest first (the district admin only).
pub fn tokens_page(db: &OfficeDb, viewer: &Viewer) -> Result<Vec<IntegrationTokenRow>> {
    viewer.require_admin()?;
    tokens::list(db).map_err(page_error)
}

/// Make a token (the district admin only); the answer holds its secret, shown once.
pub fn create_token(
    db: &mut OfficeDb,
    viewer: &Viewer,
    new: &NewIntegrationToken,
    client: Option<String>,
) -> Result<IntegrationTokenCreated> {
    viewer.require_admin()?;
    let now = Utc::now();
    let made = tokens::create(db, new, &viewer.name, now).map_err(page_error)?;
    let mut audit = entry(viewer, AuditAction::IntegrationTokenCreate, client);
    audit.target = Some(made.token.id.clone());
    audit.detail = format!("{}：{}", made.token.name, townships_text(&made.token));
    crate::audit::record(db.connection(), &audit, now)?;
    Ok(made)
}

/// Revoke a token (the district admin only): its next read is a 401.
pub fn revoke_token(
    db: &mut OfficeDb,
    viewer: &Viewer,
    id: &str,
    client: Option<String>,
) -> Result<IntegrationTokenRow> {
    viewer.require_admin()?;
    let now = Utc::now();
    let token = tokens::revoke(db, id, now).map_err(page_error)?;
    let mut audit = entry(viewer, AuditAction::IntegrationTokenRevoke, client);
    audit.target = Some(token.id.clone());
    audit.detail = format!("{}：{}", token.name, townships_text(&token));
    crate::audit::record(db.connection(), &audit, now)?;
    Ok(token)
}

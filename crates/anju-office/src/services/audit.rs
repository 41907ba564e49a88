//! The audit log page (the district admin only).

use crate::audit::{self, AuditAction};
use crate::db::OfficeDb;

use super::views::{AuditActionOption, AuditPage};
use super::{Result, Viewer};

/// Entries per page.
pub const AUDIT_PAGE: u32 = 100;

pub fn audit_page(
    db: &OfficeDb,
    viewer: &Viewer,
    action: Option<AuditAction>,
    before: Option<i64>,
) -> Result<AuditPage> {
    viewer.require_admin()?;
    let entries = audit::list(db.connection(), action, before, AUDIT_PAGE)?;
    let next_before = (entries.len() == AUDIT_PAGE as usize)
        .then(|| entries.last().map(|e| e.seq))
        .flatten();
    Ok(AuditPage {
        entries,
        next_before,
        actions: AuditAction::ALL
            .into_iter()
            .map(|a| AuditActionOption {
                code: a.code().to_string(),
                label: a.label_zh().to_string(),
            })
            .collect(),
    })
}

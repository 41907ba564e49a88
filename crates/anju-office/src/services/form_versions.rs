//! The forms page: every version of every form, a version previewed as the phone shows
//! it, what changed between two, and publishing a new one (the district office only),
//! checked first without saving if asked.

use anju_core::form::{FormChange, kind_text};
use chrono::Utc;

use super::views::{FormPreview, FormPublish, FormPublished, FormsPage, PreviewItem};
use super::{PageError, Result, Viewer};
use crate::db::OfficeDb;
use crate::forms::{self, PublishError};

impl From<PublishError> for PageError {
    fn from(error: PublishError) -> Self {
        match error {
            PublishError::Db(e) => PageError::Db(e),
            other => PageError::Form(other),
        }
    }
}

fn not_found(form_id: &str, version: u32) -> PageError {
    PageError::NotFound {
        what_zh: "表单版本",
        what_en: "form version",
        id: format!(
            "{} v{version}",
            form_id.chars().take(40).collect::<String>()
        ),
    }
}

/// Every version; any office user may read them.
pub fn forms_page(db: &OfficeDb, _viewer: &Viewer) -> Result<FormsPage> {
    Ok(FormsPage {
        versions: forms::form_versions(db.connection())?,
    })
}

/// One version with what the phone shows beside each item: its kind in words and when
/// it is asked.
pub fn form_preview(
    db: &OfficeDb,
    _viewer: &Viewer,
    form_id: &str,
    version: u32,
) -> Result<FormPreview> {
    let form = forms::form_version(db.connection(), form_id, version)?
        .ok_or_else(|| not_found(form_id, version))?;
    Ok(preview(form))
}

fn preview(form: anju_core::form::FormSchema) -> FormPreview {
    let items = form
        .items()
        .map(|(_, item)| PreviewItem {
            key: item.key.clone(),
            kind: kind_text(&item.kind),
            shown_when: item.relevant.as_ref().map(|c| c.describe(&form)),
        })
        .collect();
    FormPreview { form, items }
}

/// What changed from `from` to `to`.
pub fn form_changes(
    db: &OfficeDb,
    _viewer: &Viewer,
    form_id: &str,
    from: u32,
    to: u32,
) -> Result<Vec<FormChange>> {
    if let Some(changes) = forms::form_diff(db.connection(), form_id, from, to)? {
        return Ok(changes);
    }
    // Name the version that is missing.
    let missing = match forms::form_version(db.connection(), form_id, from)? {
        None => from,
        Some(_) => to,
    };
    Err(not_found(form_id, missing))
}

/// Checks a form file and, unless it is a dry run, publishes it as the next version.
/// The record names who published it as official records do: 姓名（单位/部门）.
pub fn publish_form(
    db: &mut OfficeDb,
    viewer: &Viewer,
    update: &FormPublish,
) -> Result<FormPublished> {
    viewer.require_admin()?;
    if update.dry_run {
        let (form, changes) = forms::check_form_file(db.connection(), update.file.as_bytes())?;
        return Ok(FormPublished {
            preview: preview(form),
            changes,
            published: None,
        });
    }
    let who = crate::names::Names::load(db.connection())?.of(&viewer.name);
    let published = forms::publish_checked(
        db,
        update.file.as_bytes(),
        &who.zh,
        update.note.as_deref(),
        Utc::now(),
    )?;
    Ok(FormPublished {
        preview: preview(published.form),
        changes: published.changes,
        published: Some(published.info),
    })
}

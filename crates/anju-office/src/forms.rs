//! The forms the district publishes: every version kept (none is ever changed), read once
//! per set of versions, a new one published from a form file after the same checks a
//! device makes, and the latest of each sent to devices with the last page of a pull.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use anju_core::form::{
    FormCatalog, FormChange, FormFileError, FormSchema, Text, diff, parse_form_file,
};
use anju_core::hash::content_sha256;
use anju_sql::{Connection, params};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::db::{OfficeDb, OfficeDbError};

/// The longest name of who publishes, and of the note beside a version.
pub const MAX_PUBLISHER_CHARS: usize = 50;
pub const MAX_NOTE_CHARS: usize = 500;

/// One version of a form as the office lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
pub struct FormVersionInfo {
    pub form_id: String,
    pub version: u32,
    pub title: Text,
    /// Items in the version, all sections counted.
    pub items: u32,
    /// The SHA-256 of the version's canonical JSON: what a device's copy must match.
    pub sha256: String,
    /// Built into every device and office (version 1 of each form).
    pub builtin: bool,
    /// The newest version of its form: what a new draft starts on.
    pub latest: bool,
    /// A name or department, as on official records; `None` for a built-in version.
    pub published_by: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
    pub note: Option<String>,
}

/// Why a version was not published.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error(transparent)]
    File(#[from] FormFileError),
    #[error(
        "版本号应为{expected}（{form_id}现有最新为第{latest}版），文件写的是{found} / the version must be {expected} (the latest of {form_id} is {latest}), the file says {found}"
    )]
    WrongVersion {
        form_id: String,
        latest: u32,
        expected: u32,
        found: u32,
    },
    #[error("与第{latest}版相同，无需发布 / the same as version {latest}: nothing to publish")]
    Unchanged { latest: u32 },
    #[error(
        "请写明发布人（姓名或部门，最多{MAX_PUBLISHER_CHARS}字） / say who publishes it (a name or department, at most {MAX_PUBLISHER_CHARS} characters)"
    )]
    NoPublisher,
    #[error(
        "说明过长：最多{MAX_NOTE_CHARS}字 / the note is too long: at most {MAX_NOTE_CHARS} characters"
    )]
    NoteTooLong,
    #[error(transparent)]
    Db(#[from] OfficeDbError),
}

impl From<anju_sql::Error> for PublishError {
    fn from(error: anju_sql::Error) -> Self {
        Self::Db(OfficeDbError::Sql(error))
    }
}

/// Published versions never change, so a database's catalog read once stands until
/// another is published: kept by database file and (count, highest version).
type CatalogCache = HashMap<String, ((u32, u32), Arc<FormCatalog>)>;
static CATALOG_CACHE: LazyLock<Mutex<CatalogCache>> = LazyLock::new(Default::default);

struct StoredForm {
    schema: FormSchema,
    sha256: String,
    published_by: String,
    published_at: DateTime<Utc>,
    note: Option<String>,
}

/// Every published version. A row that cannot be read (or whose form no longer passes
/// the checks) is left out and logged: one damaged row never takes the catalog down.
fn stored_forms(conn: &Connection) -> Result<Vec<StoredForm>, OfficeDbError> {
    let mut stmt = conn.prepare_cached(
        "SELECT form_id, version, schema_json, sha256, published_by, published_at, note
         FROM forms ORDER BY form_id, version",
    )?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, u32>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, Option<String>>(6)?,
            ))
        })?
        .collect::<anju_sql::Result<Vec<_>>>()?;
    let mut forms = Vec::new();
    for (form_id, version, json, sha256, published_by, published_at, note) in rows {
        let read = parse_form_file(json.as_bytes())
            .map_err(|e| e.to_string())
            .and_then(|schema| {
                if schema.id == form_id && schema.version == version {
                    Ok(schema)
                } else {
                    Err(format!(
                        "the row says {form_id} {version}, its JSON another"
                    ))
                }
            })
            .and_then(|schema| {
                let at = DateTime::parse_from_rfc3339(&published_at)
                    .map_err(|_| format!("published_at {published_at}"))?;
                Ok((schema, at.with_timezone(&Utc)))
            });
        match read {
            Ok((schema, published_at)) => forms.push(StoredForm {
                schema,
                sha256,
                published_by,
                published_at,
                note,
            }),
            Err(reason) => {
                tracing::warn!(form_id, version, %reason, "a published form cannot be read")
            }
        }
    }
    Ok(forms)
}

/// The built-in forms and every published version, read once per set of versions.
pub fn form_catalog(conn: &Connection) -> Result<Arc<FormCatalog>, OfficeDbError> {
    let key: (u32, u32) = conn.query_row(
        "SELECT count(*), coalesce(max(version), 0) FROM forms",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let file = conn.location();
    if let Some(file) = &file {
        let cache = CATALOG_CACHE.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((cached, catalog)) = cache.get(file)
            && *cached == key
        {
            return Ok(Arc::clone(catalog));
        }
    }
    let catalog = Arc::new(FormCatalog::with_published(
        stored_forms(conn)?.into_iter().map(|f| f.schema),
    ));
    if let Some(file) = file {
        CATALOG_CACHE
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(file, (key, Arc::clone(&catalog)));
    }
    Ok(catalog)
}

/// The latest published version of each form, for a device's pull: versions built in
/// are not sent (every device has them).
pub fn latest_published(conn: &Connection) -> Result<Vec<FormSchema>, OfficeDbError> {
    let catalog = form_catalog(conn)?;
    let mut ids: Vec<&str> = catalog.all().map(|f| f.id.as_str()).collect();
    ids.dedup();
    Ok(ids
        .into_iter()
        .filter_map(|id| catalog.latest(id))
        .filter(|f| !FormCatalog::is_builtin(&f.id, f.version))
        .cloned()
        .collect())
}

fn item_count(form: &FormSchema) -> u32 {
    u32::try_from(form.items().count()).unwrap_or(u32::MAX)
}

/// Every version of every form, built-in ones first within each form, oldest first.
pub fn form_versions(conn: &Connection) -> Result<Vec<FormVersionInfo>, OfficeDbError> {
    let mut list = Vec::new();
    for form in FormCatalog::builtin().all() {
        list.push(FormVersionInfo {
            form_id: form.id.clone(),
            version: form.version,
            title: form.title.clone(),
            items: item_count(form),
            sha256: content_sha256(form).unwrap_or_default(),
            builtin: true,
            latest: false,
            published_by: None,
            published_at: None,
            note: None,
        });
    }
    for stored in stored_forms(conn)? {
        list.push(FormVersionInfo {
            form_id: stored.schema.id.clone(),
            version: stored.schema.version,
            title: stored.schema.title.clone(),
            items: item_count(&stored.schema),
            sha256: stored.sha256,
            builtin: false,
            latest: false,
            published_by: Some(stored.published_by),
            published_at: Some(stored.published_at),
            note: stored.note,
        });
    }
    list.sort_by(|a, b| (&a.form_id, a.version).cmp(&(&b.form_id, b.version)));
    for i in 0..list.len() {
        let next_is_same_form = list
            .get(i + 1)
            .is_some_and(|n| n.form_id == list[i].form_id);
        list[i].latest = !next_is_same_form;
    }
    Ok(list)
}

/// One version, as published.
pub fn form_version(
    conn: &Connection,
    form_id: &str,
    version: u32,
) -> Result<Option<FormSchema>, OfficeDbError> {
    Ok(form_catalog(conn)?.get(form_id, version).cloned())
}

/// What changed from version `from` to version `to` of a form; `None` when either is
/// unknown.
pub fn form_diff(
    conn: &Connection,
    form_id: &str,
    from: u32,
    to: u32,
) -> Result<Option<Vec<FormChange>>, OfficeDbError> {
    let catalog = form_catalog(conn)?;
    Ok(
        match (catalog.get(form_id, from), catalog.get(form_id, to)) {
            (Some(old), Some(new)) => Some(diff(old, new)),
            _ => None,
        },
    )
}

/// The checked form a file would publish, with what it changes against the latest
/// version: nothing is written (the office page's preview before it publishes).
pub fn check_form_file(
    conn: &Connection,
    bytes: &[u8],
) -> Result<(FormSchema, Vec<FormChange>), PublishError> {
    let form = parse_form_file(bytes)?;
    let catalog = form_catalog(conn)?;
    // Every publishable form has its built-in version 1.
    let latest = catalog
        .latest(&form.id)
        .ok_or_else(|| OfficeDbError::Corrupt(format!("no version of {}", form.id)))?;
    let expected = latest.version.saturating_add(1);
    if form.version != expected {
        return Err(PublishError::WrongVersion {
            form_id: form.id.clone(),
            latest: latest.version,
            expected,
            found: form.version,
        });
    }
    let changes = diff(latest, &form);
    if changes.is_empty() {
        return Err(PublishError::Unchanged {
            latest: latest.version,
        });
    }
    Ok((form, changes))
}

/// A version just published: its record, the form, and what it changed against the
/// version before.
pub struct Published {
    pub info: FormVersionInfo,
    pub form: FormSchema,
    pub changes: Vec<FormChange>,
}

/// Publishes a form file as the next version of its form. Devices receive it with their
/// next pull; drafts already started keep their version.
pub fn publish(
    db: &mut OfficeDb,
    bytes: &[u8],
    published_by: &str,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> Result<FormVersionInfo, PublishError> {
    publish_checked(db, bytes, published_by, note, now).map(|p| p.info)
}

/// As [`publish`], with the checked form and its changes (read once, in the transaction).
pub fn publish_checked(
    db: &mut OfficeDb,
    bytes: &[u8],
    published_by: &str,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Published, PublishError> {
    let published_by = published_by.trim();
    if published_by.is_empty() || published_by.chars().count() > MAX_PUBLISHER_CHARS {
        return Err(PublishError::NoPublisher);
    }
    let note = note.map(str::trim).filter(|n| !n.is_empty());
    if note.is_some_and(|n| n.chars().count() > MAX_NOTE_CHARS) {
        return Err(PublishError::NoteTooLong);
    }
    let tx = db
        .connection_mut()
        .transaction_with_behavior(anju_sql::TransactionBehavior::Immediate)?;
    // Checked inside the write transaction: two offices publishing at once cannot both
    // take the same number.
    let (form, changes) = check_form_file(&tx, bytes)?;
    let sha256 = content_sha256(&form).map_err(|e| OfficeDbError::Corrupt(e.to_string()))?;
    let json = serde_json::to_string(&form).map_err(|e| OfficeDbError::Corrupt(e.to_string()))?;
    tx.execute(
        "INSERT INTO forms (form_id, version, schema_json, sha256, note, published_by, published_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            form.id,
            form.version,
            json,
            sha256,
            note,
            published_by,
            now.to_rfc3339()
        ],
    )?;
    tx.commit()?;
    let info = FormVersionInfo {
        form_id: form.id.clone(),
        version: form.version,
        title: form.title.clone(),
        items: item_count(&form),
        sha256,
        builtin: false,
        latest: true,
        published_by: Some(published_by.to_string()),
        published_at: Some(now),
        note: note.map(str::to_string),
    };
    Ok(Published {
        info,
        form,
        changes,
    })
}

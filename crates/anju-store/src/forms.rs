//! The forms the district published, as the device received them: every version kept, so
//! that a draft started on one submits on it, offline, whatever was published since.

use anju_core::form::{FormCatalog, FormSchema};
use chrono::Utc;
use rusqlite::{OptionalExtension, params};

use crate::{Result, Store};

impl Store {
    /// Keep the versions the office sent. Each is checked as the office checked it before
    /// publishing (a damaged one is not kept, and the device goes on with what it has). A
    /// version the device holds already is rewritten only when it differs (a device signed
    /// in to another office) and no draft is filled against it.
    pub fn save_forms(&mut self, forms: &[FormSchema]) -> Result<Vec<String>> {
        let mut refused = Vec::new();
        if forms.is_empty() {
            return Ok(refused);
        }
        let tx = self.conn.transaction()?;
        {
            let mut known = tx.prepare_cached(
                "SELECT schema_json FROM forms WHERE form_id = ?1 AND version = ?2",
            )?;
            let mut in_use = tx.prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM drafts WHERE form_id = ?1 AND form_version = ?2)",
            )?;
            let mut upsert = tx.prepare_cached(
                "INSERT INTO forms (form_id, version, schema_json, pulled_at)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (form_id, version) DO UPDATE SET
                     schema_json = excluded.schema_json, pulled_at = excluded.pulled_at",
            )?;
            let pulled_at = Utc::now().to_rfc3339();
            for form in forms {
                let problems = form.definition_problems();
                if !problems.is_empty() || FormCatalog::is_builtin(&form.id, form.version) {
                    refused.push(format!("{} v{}", form.id, form.version));
                    continue;
                }
                let json = serde_json::to_string(form)?;
                let held: Option<String> = known
                    .query_row(params![form.id, form.version], |r| r.get(0))
                    .optional()?;
                match held {
                    Some(held) if held == json => continue,
                    Some(_)
                        if in_use.query_row(params![form.id, form.version], |r| r.get(0))? =>
                    {
                        continue;
                    }
                    _ => {}
                }
                upsert.execute(params![form.id, form.version, json, pulled_at])?;
            }
        }
        tx.commit()?;
        Ok(refused)
    }

    /// The built-in forms and every version received. A row that cannot be read is left
    /// out: a new draft then starts on the newest version that can.
    pub fn form_catalog(&self) -> Result<FormCatalog> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT schema_json FROM forms ORDER BY form_id, version")?;
        let rows = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(FormCatalog::with_published(rows.iter().filter_map(
            |json| serde_json::from_str::<FormSchema>(json).ok(),
        )))
    }
}

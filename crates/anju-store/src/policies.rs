//! The district's policy as the device received it: every version, kept so that the
//! device assesses with the one in force on the day, offline.

use anju_core::district_policy::{PolicyHistory, PolicyVersion};
use chrono::Utc;
use rusqlite::params;

use crate::{Result, Store};

impl Store {
    /// Keep the versions the office sent (all of them, on every pull). A version the
    /// office sent before is replaced by the office's copy, which never changes.
    pub fn save_policies(&mut self, versions: &[PolicyVersion]) -> Result<()> {
        if versions.is_empty() {
            return Ok(());
        }
        let tx = self.conn.transaction()?;
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO policies (version, effective_from, version_json, pulled_at)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (version) DO UPDATE SET effective_from = excluded.effective_from,
                     version_json = excluded.version_json, pulled_at = excluded.pulled_at",
            )?;
            let pulled_at = Utc::now().to_rfc3339();
            for version in versions {
                insert.execute(params![
                    version.version,
                    version.effective_from.to_string(),
                    serde_json::to_string(version)?,
                    pulled_at
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Every version received; empty before the first pull from an office that sends them.
    /// A row that cannot be read is left out: the national default then applies.
    pub fn policies(&self) -> Result<PolicyHistory> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT version_json FROM policies ORDER BY version")?;
        let rows = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(PolicyHistory::new(
            rows.iter()
                .filter_map(|json| serde_json::from_str(json).ok())
                .collect(),
        ))
    }
}

//! The district's policy as the device received it: every version, kept so that the
//! device assesses with the one in force on the day, offline.

use anju_core::district_policy::{PolicyHistory, PolicyVersion};
use chrono::Utc;
use rusqlite::params;

use crate::{Result, Store};

impl Store {
    /// Keep the versions the office sent (all of them, on every pull page). A version never
    /// changes once set, so only versions the device does not hold yet are written: a page
    /// without a new version writes nothing.
    pub fn save_policies(&mut self, versions: &[PolicyVersion]) -> Result<()> {
        // (A device signed in to another office may hold other versions of the same number:
        // those are replaced, compared by their whole text.)
        let known: std::collections::BTreeMap<u32, String> = self
            .conn
            .prepare_cached("SELECT version, version_json FROM policies")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut new = Vec::new();
        for version in versions {
            let json = serde_json::to_string(version)?;
            if known.get(&version.version) != Some(&json) {
                new.push((version, json));
            }
        }
        if new.is_empty() {
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
            for (version, json) in new {
                insert.execute(params![
                    version.version,
                    version.effective_from.to_string(),
                    json,
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

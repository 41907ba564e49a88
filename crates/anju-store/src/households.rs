//! The households assigned to this device as the office sends them, with the office's
//! record of their inspections and standing, the searches of the households screen, and
//! each household's status, worked out again after every write that moves it
//! (`refresh_status`).

use std::collections::BTreeMap;

use anju_core::area::Area;
use anju_core::model::{Household, HouseholdStatus};
use anju_core::wire::{HouseholdHistory, OfficeInspection};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::rows::{parse_time, parse_uuid, read_household, read_kind};
use crate::sync_state::SIGNED_IN_USER_KEY;
use crate::{Result, Store, StoreError, now};

/// A household as listed on the device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HouseholdSummary {
    pub id: Uuid,
    pub number: String,
    pub head_name: String,
    pub id_number: String,
    pub size: u32,
    pub township: String,
    pub village: String,
    pub site: Option<String>,
    pub status: HouseholdStatus,
    /// Where the office says the household stands (`pending`, `awaiting_review`,
    /// `accepted`…, the codes of `anju_core::verdict::HouseholdStatus`), as last pulled.
    pub office_status: Option<String>,
    pub open_findings: u32,
}

/// What to list: every field narrows the list.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HouseholdQuery {
    /// Part of a name, ID number, village, site, township or household number.
    pub text: Option<String>,
    pub township: Option<String>,
    pub site: Option<String>,
    pub status: Option<HouseholdStatus>,
    pub with_open_findings: bool,
    pub limit: Option<u32>,
    pub offset: Option<u32>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StatusCounts {
    pub total: u32,
    pub to_inspect: u32,
    pub draft: u32,
    pub submitted: u32,
    pub synced: u32,
    pub with_open_findings: u32,
}

/// Lower-case text for the one-column search; ID numbers are normalised like typed input.
fn search_text(household: &Household) -> String {
    [
        household.head_name.as_str(),
        household.id_number.as_str(),
        household.village.as_str(),
        household.site.as_deref().unwrap_or(""),
        household.township.as_str(),
        household.number.as_str(),
    ]
    .join(" ")
    .to_lowercase()
}

/// Escape `%`, `_` and `\` for a LIKE pattern.
fn like_pattern(text: &str) -> String {
    let mut pattern = String::from("%");
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

impl Store {
    /// Insert or update households pulled from the office, with the office's history of
    /// them, in one transaction, and work out each one's status again. `history` holds the
    /// inspections (from any device) and finding states; a household without an entry has
    /// none, and what the device held before is replaced.
    pub fn upsert_households(
        &mut self,
        households: &[Household],
        history: &[HouseholdHistory],
        server_seq: i64,
    ) -> Result<usize> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let pulled_at = now().to_rfc3339();
        {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO households (id, number, head_name, id_number, size, members_json,
                     phone, township, village, site, mode, kind, search_text, server_seq, pulled_at,
                     latitude, longitude)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                     ?17)
                 ON CONFLICT (id) DO UPDATE SET
                     number = excluded.number, head_name = excluded.head_name,
                     id_number = excluded.id_number, size = excluded.size,
                     members_json = excluded.members_json, phone = excluded.phone,
                     township = excluded.township, village = excluded.village,
                     site = excluded.site, mode = excluded.mode, kind = excluded.kind,
                     search_text = excluded.search_text, server_seq = excluded.server_seq,
                     pulled_at = excluded.pulled_at,
                     latitude = excluded.latitude, longitude = excluded.longitude,
                     -- The office's standing comes again with the history, if it has one.
                     office_status = NULL, office_verdict = NULL",
            )?;
            for h in households {
                stmt.execute(params![
                    h.id.to_string(),
                    h.number,
                    h.head_name,
                    h.id_number.as_str(),
                    h.size,
                    serde_json::to_string(&h.members)?,
                    h.phone,
                    h.township,
                    h.village,
                    h.site,
                    h.mode.code(),
                    h.kind.code(),
                    search_text(h),
                    server_seq,
                    pulled_at,
                    h.location.map(|c| c.latitude),
                    h.location.map(|c| c.longitude),
                ])?;
            }
            let mut clear =
                tx.prepare_cached("DELETE FROM office_inspections WHERE household_id = ?1")?;
            let mut clear_findings =
                tx.prepare_cached("DELETE FROM office_findings WHERE household_id = ?1")?;
            for h in households {
                clear.execute([h.id.to_string()])?;
                clear_findings.execute([h.id.to_string()])?;
            }
            let pulled: std::collections::HashSet<Uuid> = households.iter().map(|h| h.id).collect();
            let mut insert = tx.prepare_cached(
                "INSERT INTO office_inspections (submission_id, household_id, kind, inspector,
                     made_at, built_area_quarter_mm2, over_limit, returned, pulled_at,
                     return_note)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                 ON CONFLICT (submission_id) DO UPDATE SET
                     household_id = excluded.household_id, kind = excluded.kind,
                     inspector = excluded.inspector, made_at = excluded.made_at,
                     built_area_quarter_mm2 = excluded.built_area_quarter_mm2,
                     over_limit = excluded.over_limit, returned = excluded.returned,
                     pulled_at = excluded.pulled_at, return_note = excluded.return_note",
            )?;
            // History of a household not in this page would have nothing to hang on.
            for entry in history.iter().filter(|e| pulled.contains(&e.household_id)) {
                for i in &entry.inspections {
                    let quarter_mm2 = i
                        .built_area
                        .map(|a| i64::try_from(a.quarter_mm2()))
                        .transpose()
                        .map_err(|_| StoreError::Corrupt {
                            what: format!("built area of submission {}", i.submission_id),
                        })?;
                    insert.execute(params![
                        i.submission_id.to_string(),
                        entry.household_id.to_string(),
                        i.kind.code(),
                        i.inspector,
                        i.made_at.to_rfc3339(),
                        quarter_mm2,
                        i.over_limit,
                        i.returned,
                        pulled_at,
                        i.return_note,
                    ])?;
                }
            }
            let mut insert = tx.prepare_cached(
                "INSERT INTO office_findings (finding_id, household_id, state, changed_at,
                     pulled_at, note, origin, description, deadline)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                 ON CONFLICT (finding_id) DO UPDATE SET
                     household_id = excluded.household_id, state = excluded.state,
                     changed_at = excluded.changed_at, pulled_at = excluded.pulled_at,
                     note = excluded.note, origin = excluded.origin,
                     description = excluded.description, deadline = excluded.deadline",
            )?;
            let mut standing = tx.prepare_cached(
                "UPDATE households SET office_status = ?2, office_verdict = ?3 WHERE id = ?1",
            )?;
            for entry in history.iter().filter(|e| pulled.contains(&e.household_id)) {
                for f in &entry.findings {
                    insert.execute(params![
                        f.finding_id.to_string(),
                        entry.household_id.to_string(),
                        f.state.code(),
                        f.changed_at.to_rfc3339(),
                        pulled_at,
                        f.note,
                        f.origin.code(),
                        f.description,
                        f.deadline.map(|d| d.to_string()),
                    ])?;
                }
                if let Some(office) = &entry.standing {
                    standing.execute(params![
                        entry.household_id.to_string(),
                        office.status.code(),
                        office.verdict.map(|v| v.code()),
                    ])?;
                }
            }
        }
        for h in households {
            refresh_status(&tx, h.id)?;
        }
        tx.commit()?;
        Ok(households.len())
    }

    /// What the office holds of a household's inspections, oldest first.
    pub fn office_inspections(&self, household_id: Uuid) -> Result<Vec<OfficeInspection>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT submission_id, kind, inspector, made_at, built_area_quarter_mm2,
                    over_limit, returned, return_note
             FROM office_inspections WHERE household_id = ?1 ORDER BY made_at, submission_id",
        )?;
        let rows = stmt
            .query_map([household_id.to_string()], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, String>(3)?,
                    row.get::<_, Option<i64>>(4)?,
                    row.get::<_, Option<bool>>(5)?,
                    row.get::<_, bool>(6)?,
                    row.get::<_, Option<String>>(7)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(
                |(id, kind, inspector, made_at, quarter_mm2, over_limit, returned, return_note)| {
                    Ok(OfficeInspection {
                        submission_id: parse_uuid(&id, "office inspection id")?,
                        kind: read_kind(&kind)?,
                        inspector,
                        made_at: parse_time(&made_at)?,
                        built_area: quarter_mm2.map(|q| Area::from_quarter_mm2(i128::from(q))),
                        over_limit,
                        returned,
                        return_note,
                    })
                },
            )
            .collect()
    }

    /// Drop a household the office no longer assigns to this inspector, unless work on it
    /// has not reached the office yet (then it stays until it has).
    pub fn remove_household(&mut self, id: Uuid) -> Result<bool> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let key = id.to_string();
        let pending: i64 = tx.query_row(
            "SELECT (SELECT count(*) FROM outbox WHERE household_id = ?1 AND acknowledged_at IS NULL)
                  + (SELECT count(*) FROM drafts WHERE household_id = ?1)",
            [&key],
            |row| row.get(0),
        )?;
        if pending > 0 {
            return Err(StoreError::UnsyncedWork);
        }
        // Synced records stay as the device's own copy unless the household goes; then
        // its dependants go with it.
        for table in [
            "outbox",
            "findings",
            "signatures",
            "photos",
            "office_inspections",
            "office_findings",
        ] {
            tx.execute(
                &format!("DELETE FROM {table} WHERE household_id = ?1"),
                [&key],
            )?;
        }
        tx.execute_batch("DROP TRIGGER IF EXISTS submissions_are_kept")?;
        let deleted_submissions =
            tx.execute("DELETE FROM submissions WHERE household_id = ?1", [&key]);
        // Put the guard back whatever happened, inside the same transaction.
        tx.execute_batch(
            "CREATE TRIGGER submissions_are_kept BEFORE DELETE ON submissions
             BEGIN SELECT RAISE(ABORT, 'submissions are never deleted'); END;",
        )?;
        deleted_submissions?;
        let removed = tx.execute("DELETE FROM households WHERE id = ?1", [&key])?;
        tx.commit()?;
        Ok(removed > 0)
    }

    pub fn household(&self, id: Uuid) -> Result<Option<Household>> {
        self.conn
            .query_row(
                "SELECT id, number, head_name, id_number, size, members_json, phone, township,
                        village, site, mode, kind, latitude, longitude
                 FROM households WHERE id = ?1",
                [id.to_string()],
                |row| Ok(read_household(row)),
            )
            .optional()?
            .transpose()
    }

    pub(crate) fn has_household(&self, id: Uuid) -> Result<bool> {
        household_exists(&self.conn, id)
    }

    /// Where the office says the household stands, as last pulled: its status and the
    /// verdict of its acceptance (`None` before the office said anything).
    pub fn office_standing(
        &self,
        id: Uuid,
    ) -> Result<
        Option<(
            anju_core::verdict::HouseholdStatus,
            Option<anju_core::verdict::AcceptanceVerdict>,
        )>,
    > {
        let row: Option<(Option<String>, Option<String>)> = self
            .conn
            .query_row(
                "SELECT office_status, office_verdict FROM households WHERE id = ?1",
                [id.to_string()],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?;
        Ok(row.and_then(|(status, verdict)| {
            let status = anju_core::verdict::HouseholdStatus::from_code(&status?)?;
            Some((
                status,
                verdict.and_then(|v| anju_core::verdict::AcceptanceVerdict::from_code(&v)),
            ))
        }))
    }

    pub fn household_status(&self, id: Uuid) -> Result<HouseholdStatus> {
        let code: Option<String> = self
            .conn
            .query_row(
                "SELECT status FROM households WHERE id = ?1",
                [id.to_string()],
                |row| row.get(0),
            )
            .optional()?;
        let code = code.ok_or(StoreError::UnknownHousehold(id))?;
        HouseholdStatus::from_code(&code).ok_or(StoreError::Corrupt {
            what: format!("status {code}"),
        })
    }

    fn where_clause(query: &HouseholdQuery) -> (String, Vec<String>) {
        let mut conditions = Vec::new();
        let mut values = Vec::new();
        if let Some(text) = query
            .text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            // Typed ID numbers are normalised (full-width digits, lower-case x).
            let normalised = anju_core::id_number::normalise(text).to_lowercase();
            values.push(like_pattern(&normalised));
            conditions.push(format!("search_text LIKE ?{} ESCAPE '\\'", values.len()));
        }
        if let Some(township) = &query.township {
            values.push(township.clone());
            conditions.push(format!("township = ?{}", values.len()));
        }
        if let Some(site) = &query.site {
            values.push(site.clone());
            conditions.push(format!("site = ?{}", values.len()));
        }
        if let Some(status) = query.status {
            values.push(status.code().to_string());
            conditions.push(format!("status = ?{}", values.len()));
        }
        if query.with_open_findings {
            conditions.push("open_findings > 0".to_string());
        }
        let clause = if conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conditions.join(" AND "))
        };
        (clause, values)
    }

    /// The households matching `query`, by township, village and household number.
    pub fn search(&self, query: &HouseholdQuery) -> Result<Vec<HouseholdSummary>> {
        let (clause, values) = Self::where_clause(query);
        let sql = format!(
            "SELECT id, number, head_name, id_number, size, township, village, site, status,
                    open_findings, office_status
             FROM households {clause}
             ORDER BY township, village, number
             LIMIT {} OFFSET {}",
            query.limit.map_or(-1, i64::from),
            query.offset.unwrap_or(0)
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(values.iter()), |row| {
            Ok((
                row.get::<_, String>(0)?,
                HouseholdSummary {
                    id: Uuid::nil(),
                    number: row.get(1)?,
                    head_name: row.get(2)?,
                    id_number: row.get(3)?,
                    size: row.get(4)?,
                    township: row.get(5)?,
                    village: row.get(6)?,
                    site: row.get(7)?,
                    status: HouseholdStatus::ToInspect,
                    office_status: row.get(10)?,
                    open_findings: row.get(9)?,
                },
                row.get::<_, String>(8)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, mut summary, status) = row?;
            summary.id = parse_uuid(&id, "household id")?;
            summary.status = HouseholdStatus::from_code(&status).ok_or(StoreError::Corrupt {
                what: format!("status {status}"),
            })?;
            out.push(summary);
        }
        Ok(out)
    }

    /// How many households match the whole query (limit and offset aside).
    pub fn count(&self, query: &HouseholdQuery) -> Result<u32> {
        let (clause, values) = Self::where_clause(query);
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT count(*) FROM households {clause}"))?;
        Ok(stmt.query_row(rusqlite::params_from_iter(values.iter()), |row| row.get(0))?)
    }

    /// The household's open (or reopened) findings, as its list row shows them.
    pub fn open_findings(&self, id: Uuid) -> Result<u32> {
        self.conn
            .query_row(
                "SELECT open_findings FROM households WHERE id = ?1",
                [id.to_string()],
                |row| row.get(0),
            )
            .optional()?
            .ok_or(StoreError::UnknownHousehold(id))
    }

    /// How many households match the text and place filters, by status.
    pub fn count_by_status(&self, query: &HouseholdQuery) -> Result<StatusCounts> {
        let filter = HouseholdQuery {
            status: None,
            with_open_findings: false,
            ..query.clone()
        };
        let (clause, values) = Self::where_clause(&filter);
        let sql = format!(
            "SELECT count(*),
                    count(*) FILTER (WHERE status = 'to_inspect'),
                    count(*) FILTER (WHERE status = 'draft'),
                    count(*) FILTER (WHERE status = 'submitted'),
                    count(*) FILTER (WHERE status = 'synced'),
                    count(*) FILTER (WHERE open_findings > 0)
             FROM households {clause}"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        Ok(
            stmt.query_row(rusqlite::params_from_iter(values.iter()), |row| {
                Ok(StatusCounts {
                    total: row.get(0)?,
                    to_inspect: row.get(1)?,
                    draft: row.get(2)?,
                    submitted: row.get(3)?,
                    synced: row.get(4)?,
                    with_open_findings: row.get(5)?,
                })
            })?,
        )
    }

    /// The townships and, per township, the sites on the device, for the filters.
    pub fn places(&self) -> Result<BTreeMap<String, Vec<String>>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT DISTINCT township, site FROM households ORDER BY township, site",
        )?;
        let mut places: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let rows = stmt.query_map([], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, Option<String>>(1)?))
        })?;
        for row in rows {
            let (township, site) = row?;
            let sites = places.entry(township).or_default();
            if let Some(site) = site {
                sites.push(site);
            }
        }
        Ok(places)
    }
}

pub(crate) fn household_exists(conn: &Connection, id: Uuid) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM households WHERE id = ?1)",
        [id.to_string()],
        |row| row.get(0),
    )?)
}

/// Recompute a household's status from its drafts, outbox, submissions (less those the
/// office returned), the office's record of the signed-in user's inspections, and the
/// findings (this device's and those the office sent).
pub(crate) fn refresh_status(conn: &Connection, household_id: Uuid) -> Result<()> {
    // Cached: a pull of 10,000 households runs this 10,000 times in one transaction, and
    // parsing it each time was a sixth of the load.
    conn.prepare_cached(
        "UPDATE households SET
            status = CASE
                WHEN EXISTS (SELECT 1 FROM drafts WHERE household_id = ?1) THEN 'draft'
                WHEN EXISTS (SELECT 1 FROM outbox WHERE household_id = ?1
                             AND acknowledged_at IS NULL) THEN 'submitted'
                -- What the office returned (退回) does not count: the household is to
                -- inspect again.
                WHEN EXISTS (SELECT 1 FROM submissions s WHERE s.household_id = ?1
                             AND NOT EXISTS (SELECT 1 FROM office_inspections o
                                             WHERE o.submission_id = s.id AND o.returned))
                     THEN 'synced'
                -- The signed-in user's own work, whichever device made it (a replacement
                -- phone). Another person's inspection does not do it: a supervisor's
                -- spot check still waits after someone else's acceptance.
                WHEN EXISTS (SELECT 1 FROM office_inspections o WHERE o.household_id = ?1
                             AND NOT o.returned
                             AND o.inspector = (SELECT json_extract(value, '$.name')
                                                FROM sync_state WHERE key = ?2))
                     THEN 'synced'
                ELSE 'to_inspect'
            END,
            open_findings = (SELECT count(*) FROM findings f
                             LEFT JOIN office_findings office ON office.finding_id = f.id
                             WHERE f.household_id = ?1
                               AND coalesce(office.state, f.state) IN ('open', 'reopened'))
                          -- Findings made on another device or raised by the office.
                          + (SELECT count(*) FROM office_findings office
                             WHERE office.household_id = ?1
                               AND office.state IN ('open', 'reopened')
                               AND office.description IS NOT NULL
                               AND office.deadline IS NOT NULL
                               AND NOT EXISTS (SELECT 1 FROM findings f
                                               WHERE f.id = office.finding_id))
         WHERE id = ?1",
    )?
    .execute(params![household_id.to_string(), SIGNED_IN_USER_KEY])?;
    Ok(())
}

//! The findings list: the device's own findings in the state the office's rectification
//! has them, and the findings the device knows only from the office's record: those the
//! office raised itself (面积超标, a critical item) and those made on another device of
//! the inspector (a replacement phone).

use anju_core::model::{Finding, FindingState};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::rows::{SHOWN_FINDING_COLUMNS, parse_time, parse_uuid, read_finding};
use crate::{Result, Store, StoreError};

/// A finding with the household it is about, for the findings list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FindingRow {
    pub finding: Finding,
    pub head_name: String,
    pub household_number: String,
    pub township: String,
    pub village: String,
    /// The office has acknowledged it.
    pub synced: bool,
    /// The note of the office's latest rectification step, as last pulled.
    pub office_note: Option<String>,
    /// When the office last moved it.
    pub office_changed_at: Option<DateTime<Utc>>,
    /// Raised by the office itself (面积超标, a critical item), not by an inspector.
    pub raised_by_office: bool,
    /// Made on this device; false for one known only from the office's record.
    pub on_this_device: bool,
}

impl Store {
    /// Every finding on the device with its household, in the state the office's
    /// rectification has it (as last pulled): open and reopened ones first, then by deadline.
    pub fn findings_list(&self) -> Result<Vec<FindingRow>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {SHOWN_FINDING_COLUMNS}, h.head_name, h.number, h.township, h.village,
                    EXISTS (SELECT 1 FROM outbox o WHERE o.record_kind = 'finding'
                            AND o.record_id = f.id AND o.acknowledged_at IS NOT NULL),
                    office.note, office.changed_at
             FROM findings f JOIN households h ON h.id = f.household_id
             LEFT JOIN office_findings office ON office.finding_id = f.id
             ORDER BY CASE WHEN coalesce(office.state, f.state) IN ('open', 'reopened')
                           THEN 0 ELSE 1 END,
                      f.deadline, f.created_at"
        ))?;
        let rows = stmt.query_map([], |row| {
            Ok((
                read_finding(row),
                row.get::<_, String>(7)?,
                row.get::<_, String>(8)?,
                row.get::<_, String>(9)?,
                row.get::<_, String>(10)?,
                row.get::<_, bool>(11)?,
                row.get::<_, Option<String>>(12)?,
                row.get::<_, Option<String>>(13)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (
                finding,
                head_name,
                household_number,
                township,
                village,
                synced,
                office_note,
                office_changed_at,
            ) = row?;
            out.push(FindingRow {
                finding: finding?,
                head_name,
                household_number,
                township,
                village,
                synced,
                office_note,
                office_changed_at: office_changed_at.as_deref().map(parse_time).transpose()?,
                raised_by_office: false,
                on_this_device: true,
            });
        }
        out.extend(self.findings_from_office()?);
        // Open and reopened first, then by deadline, whichever device made them.
        out.sort_by_key(|row| {
            (
                !matches!(
                    row.finding.state,
                    FindingState::Open | FindingState::Reopened
                ),
                row.finding.deadline,
            )
        });
        Ok(out)
    }

    /// The findings on this device's households that it knows only from the office's
    /// record, which comes with each household's history: the office's own (面积超标, a
    /// critical item) and those the inspector made on another device.
    fn findings_from_office(&self) -> Result<Vec<FindingRow>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT o.finding_id, o.household_id, o.state, o.description, o.deadline, o.note,
                    o.changed_at, o.origin, h.head_name, h.number, h.township, h.village
             FROM office_findings o JOIN households h ON h.id = o.household_id
             WHERE o.description IS NOT NULL AND o.deadline IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM findings f WHERE f.id = o.finding_id)
             ORDER BY o.deadline, o.changed_at",
        )?;
        let rows = stmt.query_map([], |row| {
            Ok((
                [
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, String>(3)?,
                    row.get::<_, String>(4)?,
                ],
                row.get::<_, Option<String>>(5)?,
                row.get::<_, String>(6)?,
                row.get::<_, String>(7)?,
                [
                    row.get::<_, String>(8)?,
                    row.get::<_, String>(9)?,
                    row.get::<_, String>(10)?,
                    row.get::<_, String>(11)?,
                ],
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let ([id, household, state, description, deadline], note, changed_at, origin, place) =
                row?;
            let [head_name, household_number, township, village] = place;
            out.push(FindingRow {
                finding: Finding {
                    id: parse_uuid(&id, "finding id")?,
                    household_id: parse_uuid(&household, "household id")?,
                    submission_id: None,
                    item: (origin == "area_over_cap").then(|| "area_measurement".to_string()),
                    description,
                    deadline: deadline.parse().map_err(|_| StoreError::Corrupt {
                        what: format!("deadline of office finding {id}"),
                    })?,
                    state: FindingState::from_code(&state).ok_or_else(|| StoreError::Corrupt {
                        what: format!("state of office finding {id}"),
                    })?,
                },
                head_name,
                household_number,
                township,
                village,
                synced: true,
                office_note: note,
                office_changed_at: Some(parse_time(&changed_at)?),
                raised_by_office: origin != "inspector",
                on_this_device: false,
            });
        }
        Ok(out)
    }

    /// The findings a submission made.
    pub fn findings_of_submission(&self, submission_id: Uuid) -> Result<u32> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM findings WHERE submission_id = ?1",
            [submission_id.to_string()],
            |row| row.get(0),
        )?)
    }
}

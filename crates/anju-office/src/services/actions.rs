//! What the pages change: milestones, reviews, conflict decisions, finding states,
//! assignments, samples and roster imports. Each change is one transaction.

use std::collections::{BTreeMap, BTreeSet};

use anju_core::form::Text;
use anju_core::hash::is_sha256_hex;
use anju_core::model::FindingState;
use anju_core::office::{check_close_after_recheck, check_move_in, check_transition};
use anju_core::verdict::{FindingOrigin, HouseholdStatus};
use anju_core::wire::RecordBody;
use anju_sql::{OptionalExtension, TransactionBehavior, params};
use chrono::{NaiveDate, Utc};
use uuid::Uuid;

use super::findings::findings_where;
use super::query::{household, old_house_of};
use super::submission::parse_time;
use super::views::*;
use super::{PageError, Result, Viewer, today};
use crate::assign::{self, Target};
use crate::db::OfficeDb;
use crate::decide;

pub(super) fn now() -> String {
    Utc::now().to_rfc3339()
}

pub(super) fn trimmed(note: Option<&str>) -> Option<String> {
    note.map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_string)
}

pub fn update_milestones(
    db: &mut OfficeDb,
    viewer: &Viewer,
    household_id: &str,
    update: &MilestoneUpdate,
) -> Result<HouseholdDetail> {
    viewer.check_household(db, household_id)?;
    let (moved_in, mut old) = old_house_of(db, household_id)?;
    let moved_in = update.moved_in_on.unwrap_or(moved_in);
    if let Some(v) = update.agreement_signed_on {
        old.agreement_signed_on = v;
    }
    if let Some(v) = update.demolished_on {
        old.demolished_on = v;
    }
    if let Some(v) = update.reclaimed_on {
        old.reclaimed_on = v;
    }
    let today = today();
    old.validate(today)?;
    let (accepted, status): (bool, String) = db
        .connection()
        .query_row(
            "SELECT accepted, status FROM household_states WHERE household_id = ?1",
            [household_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .unwrap_or((false, "pending".into()));
    let status = HouseholdStatus::from_code(&status).unwrap_or(HouseholdStatus::Pending);
    check_move_in(moved_in, accepted, status, today)?;
    let text = |d: Option<NaiveDate>| d.map(|d| d.to_string());
    let tx = db
        .connection_mut()
        .transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.execute(
        "UPDATE households SET moved_in_at = ?2, agreement_signed_on = ?3, demolished_on = ?4,
             reclaimed_on = ?5 WHERE id = ?1",
        params![
            household_id,
            text(moved_in),
            text(old.agreement_signed_on),
            text(old.demolished_on),
            text(old.reclaimed_on)
        ],
    )?;
    decide::refresh_household(&tx, household_id, Utc::now())?;
    tx.commit()?;
    household(db, viewer, household_id)
}

fn submission_household(db: &OfficeDb, submission_id: &str) -> Result<String> {
    db.connection()
        .query_row(
            "SELECT household_id FROM submissions WHERE id = ?1",
            [submission_id],
            |r| r.get(0),
        )
        .optional()?
        .ok_or_else(|| PageError::NotFound {
            what_zh: "提交记录",
            what_en: "submission",
            id: submission_id.to_string(),
        })
}

pub fn review_submission(
    db: &mut OfficeDb,
    viewer: &Viewer,
    submission_id: &str,
    decision: &ReviewDecision,
) -> Result<()> {
    // The acceptance is the district's: its review decides what counts.
    viewer.require_admin()?;
    let household_id = submission_household(db, submission_id)?;
    viewer.check_household(db, &household_id)?;
    let quarantined: bool = db.connection().query_row(
        "SELECT EXISTS (SELECT 1 FROM quarantine WHERE record_kind = 'submission'
             AND record_id = ?1)",
        [submission_id],
        |r| r.get(0),
    )?;
    if quarantined {
        return Err(PageError::Invalid(
            "此记录已因损坏而搁置，不能审核 / this record was set aside as damaged: it cannot be reviewed".into(),
        ));
    }
    let note = trimmed(decision.note.as_deref());
    if decision.decision == ReviewVerdict::Returned && note.is_none() {
        return Err(PageError::Invalid(
            "退回须写明原因 / a returned submission needs the reason".into(),
        ));
    }
    let earlier: Option<(String, String, String)> = db
        .connection()
        .query_row(
            "SELECT r.decision, u.name, r.reviewed_at FROM submission_reviews r
             JOIN users u ON u.id = r.reviewed_by WHERE r.submission_id = ?1",
            [submission_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    if let Some((decision, by, at)) = earlier {
        // The reviewer as records name them, not their login.
        let by = crate::names::Names::load(db.connection())?.of(&by).zh;
        return Err(PageError::AlreadyReviewed { decision, by, at });
    }
    let tx = db
        .connection_mut()
        .transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.execute(
        "INSERT INTO submission_reviews (id, submission_id, decision, note, reviewed_by, reviewed_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            Uuid::now_v7().to_string(),
            submission_id,
            decision.decision.code(),
            note,
            viewer.user_id,
            now()
        ],
    )?;
    if decision.decision == ReviewVerdict::Returned {
        decide::close_raised_findings_of(&tx, submission_id, &viewer.user_id, Utc::now())?;
        // A returned check of the old house no longer stands for 已拆除 / 已复垦, nor a
        // returned building visit for its stage.
        decide::visit_returned(&tx, submission_id)?;
        decide::construction_visit_returned(&tx, submission_id)?;
    }
    decide::refresh_household(&tx, &household_id, Utc::now())?;
    // The household's devices learn on their next pull that it was returned.
    assign::touch_household(&tx, &household_id)?;
    tx.commit()?;
    Ok(())
}

/// The stored record a conflict is about, in the shape the device sent, for side by side.
fn stored_body(db: &OfficeDb, kind: &str, id: &str) -> Result<serde_json::Value> {
    let conn = db.connection();
    match kind {
        "submission" => {
            let Some(stored) = submission_by_id(db, id)? else {
                return Ok(serde_json::Value::Null);
            };
            let body = stored.to_submission()?;
            Ok(serde_json::to_value(RecordBody::Submission(body))?)
        }
        _ => {
            // Other records: the stored row's columns as they are.
            let (table, key) = match kind {
                "photo" => ("photos", "sha256"),
                "signature" => ("signatures", "id"),
                "finding" => ("findings", "id"),
                _ => return Ok(serde_json::Value::Null),
            };
            let mut stmt = conn.prepare(&format!("SELECT * FROM {table} WHERE {key} = ?1"))?;
            let names: Vec<String> = stmt.column_names().iter().map(|n| n.to_string()).collect();
            let row = stmt
                .query_row([id], |r| {
                    let mut map = serde_json::Map::new();
                    for (i, name) in names.iter().enumerate() {
                        let value = match r.get_ref(i)? {
                            anju_sql::ValueRef::Null => serde_json::Value::Null,
                            anju_sql::ValueRef::Integer(n) => n.into(),
                            anju_sql::ValueRef::Real(f) => f.into(),
                            anju_sql::ValueRef::Text(t) => {
                                let text = String::from_utf8_lossy(t).into_owned();
                                match name.strip_suffix("_json") {
                                    Some(_) => serde_json::from_str(&text)
                                        .unwrap_or(serde_json::Value::String(text)),
                                    None => serde_json::Value::String(text),
                                }
                            }
                            anju_sql::ValueRef::Blob(_) => "(binary)".into(),
                        };
                        map.insert(name.clone(), value);
                    }
                    Ok(serde_json::Value::Object(map))
                })
                .optional()?;
            Ok(serde_json::json!({ "kind": kind, "body": row }))
        }
    }
}

fn submission_by_id(
    db: &OfficeDb,
    id: &str,
) -> Result<Option<super::submission::StoredSubmission>> {
    db.connection()
        .query_row(
            &format!(
                "SELECT {} FROM submissions s WHERE s.id = ?1",
                super::submission::SUBMISSION_COLUMNS
            ),
            [id],
            super::submission::read_submission,
        )
        .optional()?
        .map(super::submission::RawSubmission::parse)
        .transpose()
}

/// Leaves of a JSON value by path (`answers.area_measurement.measurement.parts[0]…`).
fn leaves(value: &serde_json::Value, path: String, out: &mut BTreeMap<String, String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                leaves(v, p, out);
            }
        }
        serde_json::Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                leaves(v, format!("{path}[{i}]"), out);
            }
        }
        other => {
            out.insert(path, other.to_string());
        }
    }
}

pub(crate) fn differences(
    stored: &serde_json::Value,
    incoming: &serde_json::Value,
) -> Vec<Difference> {
    let (mut a, mut b) = (BTreeMap::new(), BTreeMap::new());
    leaves(stored, String::new(), &mut a);
    leaves(incoming, String::new(), &mut b);
    let paths: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    paths
        .into_iter()
        .filter_map(|path| {
            let (s, i) = (a.get(path), b.get(path));
            (s != i).then(|| Difference {
                path: path.clone(),
                stored: s.cloned().unwrap_or_else(|| "—".into()),
                incoming: i.cloned().unwrap_or_else(|| "—".into()),
            })
        })
        .collect()
}

pub(crate) fn open_conflicts(db: &OfficeDb, viewer: &Viewer) -> Result<Vec<ConflictView>> {
    let mut stmt = db.connection().prepare_cached(
        "SELECT c.id, c.record_kind, c.record_id, c.body_json, u.name, c.device_id, c.received_at,
                h.id, h.number
         FROM conflicts c JOIN users u ON u.id = c.user_id
         LEFT JOIN households h ON h.id = json_extract(c.body_json, '$.body.household_id')
         WHERE c.decision IS NULL AND (?1 IS NULL OR h.township_id = ?1)
         ORDER BY c.received_at, c.id",
    )?;
    let raw = stmt
        .query_map([viewer.scope()], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, Option<String>>(7)?,
                r.get::<_, Option<String>>(8)?,
            ))
        })?
        .collect::<anju_sql::Result<Vec<_>>>()?;
    let names = crate::names::Names::load(db.connection())?;
    raw.into_iter()
        .map(
            |(id, kind, record_id, body, user, device_id, received, household_id, number)| {
                let incoming: serde_json::Value = serde_json::from_str(&body)?;
                let stored = stored_body(db, &kind, &record_id)?;
                Ok(ConflictView {
                    differences: differences(&stored, &incoming),
                    stored: serde_json::to_string_pretty(&stored)?,
                    incoming: serde_json::to_string_pretty(&incoming)?,
                    id,
                    record_kind: kind,
                    record_id,
                    household_id,
                    household_number: number,
                    user_display: names.of(&user),
                    user,
                    device_id,
                    received_at: parse_time(&received, "conflict")?,
                })
            },
        )
        .collect()
}

/// Record what a person decided. The stored record stays as it is either way (records are
/// immutable); "incoming" marks the household for a new visit and keeps the decision.
pub fn decide_conflict(
    db: &mut OfficeDb,
    viewer: &Viewer,
    conflict_id: i64,
    decision: &ConflictDecision,
) -> Result<()> {
    let found: Option<(Option<String>, Option<String>)> = db
        .connection()
        .query_row(
            "SELECT json_extract(body_json, '$.body.household_id'), decision FROM conflicts
             WHERE id = ?1",
            [conflict_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((household, decided)) = found else {
        return Err(PageError::NotFound {
            what_zh: "冲突记录",
            what_en: "conflict",
            id: conflict_id.to_string(),
        });
    };
    // Which copy of a record stands is the district's decision, like the review.
    viewer.require_admin()?;
    if let Some(household) = household {
        viewer.check_household(db, &household)?;
    }
    if decided.is_some() {
        return Err(PageError::Invalid(
            "此冲突已有决定 / this conflict was already decided".into(),
        ));
    }
    let Some(note) = trimmed(Some(&decision.note)) else {
        return Err(PageError::Invalid(
            "请写明决定的理由 / write the reason for the decision".into(),
        ));
    };
    let keep = match decision.keep {
        ConflictKeep::Stored => "stored",
        ConflictKeep::Incoming => "incoming",
    };
    db.connection().execute(
        "UPDATE conflicts SET decision = ?2, decision_note = ?3, decided_by = ?4, decided_at = ?5
         WHERE id = ?1",
        params![conflict_id, keep, note, viewer.user_id, now()],
    )?;
    Ok(())
}

pub fn transition_finding(
    db: &mut OfficeDb,
    viewer: &Viewer,
    finding_id: &str,
    transition: &FindingTransition,
) -> Result<FindingRow> {
    let found: Option<(String, String, String)> = db
        .connection()
        .query_row(
            "SELECT household_id, state, origin FROM live_findings WHERE id = ?1",
            [finding_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let Some((household, state, origin)) = found else {
        return Err(PageError::NotFound {
            what_zh: "问题",
            what_en: "finding",
            id: finding_id.to_string(),
        });
    };
    viewer.check_household(db, &household)?;
    let from = FindingState::from_code(&state).unwrap_or(FindingState::Open);
    let origin = FindingOrigin::from_code(&origin).unwrap_or(FindingOrigin::Inspector);
    let note = trimmed(transition.note.as_deref());
    check_transition(origin, from, transition.to, viewer.role, note.as_deref())?;
    let rechecked = decide::recheck_confirmed(db.connection(), finding_id)?;
    check_close_after_recheck(origin, from, transition.to, rechecked, note.as_deref())?;
    if let Some(sha) = &transition.evidence_sha256
        && !is_sha256_hex(sha)
    {
        return Err(PageError::Invalid(format!(
            "整改照片标识不是SHA-256：{sha} / the evidence id is not a SHA-256: {sha}"
        )));
    }
    let tx = db
        .connection_mut()
        .transaction_with_behavior(TransactionBehavior::Immediate)?;
    let at = now();
    // Only from the state this user saw: another change meanwhile is refused.
    let changed = tx.execute(
        "UPDATE findings SET state = ?2, updated_at = ?3 WHERE id = ?1 AND state = ?4",
        params![finding_id, transition.to.code(), at, from.code()],
    )?;
    if changed == 0 {
        let now_state: String = tx.query_row(
            "SELECT state FROM findings WHERE id = ?1",
            [finding_id],
            |r| r.get(0),
        )?;
        return Err(PageError::StaleFinding(
            FindingState::from_code(&now_state).unwrap_or(FindingState::Open),
        ));
    }
    tx.execute(
        "INSERT INTO finding_events (id, finding_id, from_state, to_state, note, evidence_sha256,
             user_id, at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            Uuid::now_v7().to_string(),
            finding_id,
            from.code(),
            transition.to.code(),
            note,
            transition.evidence_sha256,
            viewer.user_id,
            at
        ],
    )?;
    if transition.to == FindingState::Rectified {
        // 整改复查: the household's inspector confirms it in the field.
        decide::plan_recheck(&tx, &household, finding_id, &viewer.user_id, Utc::now())?;
    } else {
        // Closed from the desk, or sent back: a re-check still awaited is not needed.
        decide::cancel_rechecks(&tx, finding_id, Utc::now())?;
    }
    decide::refresh_household(&tx, &household, Utc::now())?;
    // The inspector's device learns on its next pull where rectification stands.
    assign::touch_household(&tx, &household)?;
    tx.commit()?;
    findings_where(
        db,
        viewer,
        "f.id = ?2",
        &[anju_sql::Value::Text(finding_id.to_string())],
    )?
    .0
    .into_iter()
    .next()
    .ok_or_else(|| PageError::NotFound {
        what_zh: "问题",
        what_en: "finding",
        id: finding_id.to_string(),
    })
}

pub fn assign_bulk(
    db: &mut OfficeDb,
    viewer: &Viewer,
    request: &BulkAssignment,
) -> Result<Changed> {
    let township = request
        .township
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let site = request
        .site
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let households: Vec<String> = request
        .households
        .iter()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .collect();
    let target = match (township, site, households.is_empty()) {
        (Some(t), None, true) => {
            viewer.township_filter(db, Some(t))?;
            Target::Township(t.to_string())
        }
        (township, Some(s), true) => {
            // A township user's site is looked for in their own township only.
            let township = match township {
                Some(t) => {
                    viewer.township_filter(db, Some(t))?;
                    Some(t.to_string())
                }
                None => viewer.township.as_ref().map(|(_, name)| name.clone()),
            };
            Target::Site {
                name: s.to_string(),
                township,
            }
        }
        (None, None, false) => {
            for h in &households {
                let id: Option<String> = db
                    .connection()
                    .query_row(
                        "SELECT id FROM households WHERE number = ?1 OR id_number = ?1",
                        [h],
                        |r| r.get(0),
                    )
                    .optional()?;
                match id {
                    Some(id) => viewer.check_household(db, &id)?,
                    None => return Err(assign::AssignError::NoSuchHousehold(h.clone()).into()),
                }
            }
            Target::Households(households)
        }
        _ => {
            return Err(PageError::Invalid(
                "请只选一种范围：乡镇、安置点或住户编号 / give one scope: a township, a site or household numbers".into(),
            ));
        }
    };
    let changed = if request.unassign {
        assign::unassign(db, &request.inspector, &target)?
    } else {
        assign::assign(db, &request.inspector, &target)?
    };
    Ok(Changed {
        changed: changed as u32,
    })
}

fn new_place_view(place: anju_core::places::NewPlace) -> NewPlace {
    NewPlace {
        kind: Text::new(place.kind.label_zh(), place.kind.label_en()),
        name: place.name,
        township: place.township,
        row: place.row as u32,
    }
}

/// An uploaded roster, read and its rows checked before the database is taken.
pub struct RosterUpload {
    file_kind: String,
    rows: u32,
    checked: std::result::Result<crate::import::CheckedRoster, crate::import::ImportError>,
}

/// Read an uploaded roster and check its rows: no database, so it runs outside the lock.
/// A file that cannot be read at all is an error; bad rows are kept for the preview.
pub fn read_roster_upload(bytes: &[u8], file_name: &str) -> Result<RosterUpload> {
    let table = crate::roster_file::read_roster_bytes(bytes, file_name)
        .map_err(crate::import::ImportError::from)?;
    let rows = u32::try_from(table.rows.len()).unwrap_or(u32::MAX);
    // An XLSX is a ZIP; anything else the reader took is CSV text.
    let file_kind = if bytes.starts_with(b"PK") {
        "XLSX"
    } else {
        "CSV"
    }
    .to_string();
    let checked = crate::import::check_table(table, anju_core::hash::sha256_hex(bytes), file_name);
    Ok(RosterUpload {
        file_kind,
        rows,
        checked,
    })
}

/// Check (and with `commit`, import) an uploaded roster. Only the district office imports.
/// Places the office does not know are refused unless `create_places` confirms them.
pub fn import_roster(
    db: &mut OfficeDb,
    viewer: &Viewer,
    upload: RosterUpload,
    commit: bool,
    create_places: bool,
) -> Result<ImportPreview> {
    viewer.require_admin()?;
    let RosterUpload {
        file_kind,
        rows,
        checked,
    } = upload;
    let options = crate::import::ImportOptions {
        dry_run: !commit,
        create_places,
    };
    match checked.and_then(|checked| crate::import::import_read_roster(db, checked, options)) {
        Ok(outcome) => Ok(ImportPreview {
            file_kind,
            rows,
            valid_rows: outcome.summary.households,
            by_township: outcome
                .summary
                .per_township
                .into_iter()
                .map(|(township, households, people)| ImportTownship {
                    township,
                    households,
                    people,
                })
                .collect(),
            errors: Vec::new(),
            imported: commit,
            new_places: outcome.new_places.into_iter().map(new_place_view).collect(),
        }),
        Err(crate::import::ImportError::Invalid {
            errors, new_places, ..
        }) => {
            let bad_rows: BTreeSet<usize> = errors.iter().map(|e| e.row).collect();
            Ok(ImportPreview {
                file_kind,
                rows,
                valid_rows: rows.saturating_sub(bad_rows.len() as u32),
                by_township: Vec::new(),
                errors: errors
                    .into_iter()
                    .map(|e| ImportRowError {
                        row: e.row as u32,
                        column: Some(e.column).filter(|c| !c.is_empty()),
                        message: e.reason,
                    })
                    .collect(),
                imported: false,
                new_places: new_places.into_iter().map(new_place_view).collect(),
            })
        }
        Err(other) => Err(other.into()),
    }
}

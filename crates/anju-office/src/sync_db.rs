//! The office side of pull and push, on SQLite.

use anju_core::district_policy::PolicyHistory;
use anju_core::model::{FindingState, Household};
use anju_core::records::RecordProblem;
use anju_core::verdict::{AcceptanceVerdict, FindingOrigin, HouseholdStatus};
use anju_core::wire::{
    HouseholdHistory, OfficeFinding, OfficeInspection, OfficeStanding, PullResponse, PushRecord,
    RecordBody, RecordResult, RecordStatus, assigned_digest,
};
use anju_sql::{OptionalExtension, Transaction, TransactionBehavior, params};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::db::{HOUSEHOLD_COLUMNS, HOUSEHOLD_JOINS, OfficeDb, OfficeDbError, read_household};
use crate::services::{Cells, stored_time};
use crate::users::AuthUser;

/// A household set aside as damaged is not sent, nor counted in the assigned set.
const NOT_SET_ASIDE: &str = "NOT EXISTS (SELECT 1 FROM quarantine q
    WHERE q.record_kind = 'household' AND q.record_id = a.household_id)";

/// One page of the changes to `user_id`'s households after `cursor`.
pub fn pull(
    db: &OfficeDb,
    user_id: &str,
    cursor: i64,
    limit: u32,
) -> Result<PullResponse, OfficeDbError> {
    let limit = i64::from(limit.max(1));
    let mut stmt = db.conn.prepare_cached(&format!(
        "SELECT a.seq, {HOUSEHOLD_COLUMNS} {HOUSEHOLD_JOINS}
         JOIN assignments a ON a.household_id = h.id
         WHERE a.user_id = ?1 AND a.seq > ?2 AND {NOT_SET_ASIDE}
         ORDER BY a.seq LIMIT ?3"
    ))?;
    let rows = stmt.query_map(params![user_id, cursor, limit + 1], |row| {
        Ok(row
            .get::<_, i64>(0)
            .map(|seq| (seq, read_household(row, 1))))
    })?;
    let mut changes: Vec<(i64, Change)> = Vec::new();
    for row in rows {
        let (seq, household) = row??;
        match household {
            Ok(household) => changes.push((seq, Change::Upsert(Box::new(household)))),
            // A row that cannot be read is not sent; the rest of the page is.
            Err(error) => {
                tracing::warn!(%error, "an assigned household cannot be read: not sent");
                changes.push((seq, Change::Skipped));
            }
        }
    }
    let mut stmt = db.conn.prepare_cached(
        "SELECT seq, household_id FROM unassignments
         WHERE user_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
    )?;
    let rows = stmt.query_map(params![user_id, cursor, limit + 1], |row| {
        Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?))
    })?;
    for row in rows {
        let (seq, id) = row?;
        let id = Uuid::parse_str(&id)
            .map_err(|_| OfficeDbError::Corrupt(format!("unassignment household {id}")))?;
        changes.push((seq, Change::Tombstone(id)));
    }
    changes.sort_by_key(|(seq, _)| *seq);
    let has_more = changes.len() as i64 > limit;
    changes.truncate(limit as usize);
    let next_cursor = changes.last().map_or(cursor, |(seq, _)| *seq);

    let mut households = Vec::new();
    let mut tombstones = Vec::new();
    for (_, change) in changes {
        match change {
            Change::Upsert(h) => households.push(*h),
            Change::Tombstone(id) => tombstones.push(id),
            Change::Skipped => {}
        }
    }
    let assigned_count: u64 = db.conn.query_row(
        &format!("SELECT count(*) FROM assignments a WHERE a.user_id = ?1 AND {NOT_SET_ASIDE}"),
        [user_id],
        |r| r.get(0),
    )?;
    // The digest reads every assigned id: only on the last page.
    let digest = if has_more {
        None
    } else {
        let mut stmt = db.conn.prepare_cached(&format!(
            "SELECT a.household_id FROM assignments a WHERE a.user_id = ?1 AND {NOT_SET_ASIDE}"
        ))?;
        let ids = stmt
            .query_map([user_id], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        let ids: Vec<Uuid> = ids
            .iter()
            .filter_map(|id| Uuid::parse_str(id).ok())
            .collect();
        Some(assigned_digest(&ids))
    };
    let policies = crate::decide::policy_history(&db.conn)?;
    let history = history_of(db, &households, &policies)?;
    Ok(PullResponse {
        households,
        tombstones,
        history,
        next_cursor,
        has_more,
        assigned_count,
        assigned_digest: digest,
        server_time: Utc::now(),
        policies: policies.versions().to_vec(),
        forms: if has_more {
            Vec::new()
        } else {
            crate::forms::latest_published(&db.conn)?
        },
        tasks: if has_more {
            Vec::new()
        } else {
            crate::decide::tasks_for(&db.conn, user_id)?
        },
        team: if has_more {
            None
        } else {
            crate::teams::team_of(&db.conn, user_id)?
        },
    })
}

fn stored_uuid(id: &str, what: &str) -> Result<Uuid, OfficeDbError> {
    Uuid::parse_str(id).map_err(|_| OfficeDbError::Corrupt(format!("{what} {id}")))
}

/// What the office holds of these households: the inspections from any device and the
/// findings' states, in two queries.
fn history_of(
    db: &OfficeDb,
    households: &[Household],
    policies: &PolicyHistory,
) -> Result<Vec<HouseholdHistory>, OfficeDbError> {
    use crate::services::submission::{SUBMISSION_COLUMNS, read_submission};
    if households.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = households.iter().map(|h| h.id.to_string()).collect();
    let mut stmt = db.conn.prepare_cached(&format!(
        "SELECT {SUBMISSION_COLUMNS} FROM live_submissions s
         WHERE s.household_id IN (SELECT value FROM json_each(?1))
         ORDER BY coalesce(s.trusted_time, s.device_time), s.id"
    ))?;
    let rows = stmt
        .query_map([serde_json::to_string(&ids)?], read_submission)?
        .collect::<Result<Vec<_>, _>>()?;
    let mut by_household: std::collections::BTreeMap<Uuid, Vec<OfficeInspection>> =
        std::collections::BTreeMap::new();
    let sizes: std::collections::HashMap<Uuid, u32> =
        households.iter().map(|h| (h.id, h.size)).collect();
    for raw in rows {
        // A damaged submission is left out of the history; the rest is sent.
        let id = raw.id();
        let stored = match raw.parse() {
            Ok(stored) => stored,
            Err(error) => {
                tracing::warn!(submission = %id, %error, "a submission cannot be read: not sent");
                continue;
            }
        };
        let Ok(household_id) = Uuid::parse_str(&stored.household_id) else {
            continue;
        };
        let kind = stored.submission_kind();
        let assessment =
            stored.assessment(sizes.get(&household_id).copied().unwrap_or(1), policies);
        by_household
            .entry(household_id)
            .or_default()
            .push(OfficeInspection {
                submission_id: stored_uuid(&stored.id, "submission")?,
                kind,
                inspector: stored.inspector.clone(),
                made_at: stored.trusted_time.unwrap_or(stored.device_time),
                built_area: assessment.as_ref().map(|a| a.built_area),
                over_limit: assessment.as_ref().map(|a| a.is_over()),
                returned: stored.returned,
                return_note: stored.return_note.clone(),
            });
    }
    let mut stmt = db.conn.prepare_cached(
        "SELECT f.id, f.household_id, f.state, f.updated_at,
                (SELECT e.note FROM finding_events e WHERE e.finding_id = f.id
                 ORDER BY e.at DESC LIMIT 1),
                f.origin, f.description, f.deadline
         FROM live_findings f
         WHERE f.household_id IN (SELECT value FROM json_each(?1))
         ORDER BY f.created_at, f.id",
    )?;
    let rows = stmt
        .query_map([serde_json::to_string(&ids)?], |row| {
            Ok(Cells::read(row, 0..8))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut findings: std::collections::BTreeMap<Uuid, Vec<OfficeFinding>> =
        std::collections::BTreeMap::new();
    for cells in rows {
        match office_finding(&cells) {
            Some((household, finding)) => findings.entry(household).or_default().push(finding),
            None => tracing::warn!(finding = cells.id(), "a finding cannot be read: not sent"),
        }
    }
    let mut standings = standings_of(db, &ids)?;
    // A household of the page without an entry has nothing at the office.
    Ok(households
        .iter()
        .filter_map(|h| {
            let inspections = by_household.remove(&h.id).unwrap_or_default();
            let findings = findings.remove(&h.id).unwrap_or_default();
            let standing = standings.remove(&h.id);
            (!inspections.is_empty() || !findings.is_empty() || standing.is_some()).then_some(
                HouseholdHistory {
                    household_id: h.id,
                    inspections,
                    findings,
                    standing,
                },
            )
        })
        .collect())
}

/// A finding of the office's record from its cells; `None` when it cannot be read.
fn office_finding(cells: &Cells) -> Option<(Uuid, OfficeFinding)> {
    let household = Uuid::parse_str(&cells.get(1)?).ok()?;
    let origin = FindingOrigin::from_code(&cells.get(5)?)?;
    Some((
        household,
        OfficeFinding {
            finding_id: Uuid::parse_str(&cells.get(0)?).ok()?,
            state: FindingState::from_code(&cells.get(2)?)?,
            changed_at: stored_time(&cells.get(3)?)?,
            note: cells.get(4),
            origin,
            // Sent for every finding: the office's own, and the inspector's for their
            // other devices (a replacement phone has none of its words).
            description: cells.get(6),
            deadline: cells.get(7).and_then(|d| d.parse().ok()),
        },
    ))
}

/// Where these households stand at the office.
fn standings_of(
    db: &OfficeDb,
    ids: &[String],
) -> Result<std::collections::BTreeMap<Uuid, OfficeStanding>, OfficeDbError> {
    let mut stmt = db.conn.prepare_cached(
        "SELECT household_id, status, verdict, accepted FROM household_states
         WHERE household_id IN (SELECT value FROM json_each(?1))",
    )?;
    let rows = stmt
        .query_map([serde_json::to_string(ids)?], |row| {
            Ok(Cells::read(row, 0..4))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows
        .into_iter()
        .filter_map(|cells| {
            Some((
                Uuid::parse_str(&cells.get(0)?).ok()?,
                OfficeStanding {
                    status: HouseholdStatus::from_code(&cells.get(1)?)?,
                    verdict: cells.get(2).and_then(|v| AcceptanceVerdict::from_code(&v)),
                    accepted: cells.flag(3),
                },
            ))
        })
        .collect())
}

enum Change {
    Upsert(Box<Household>),
    Tombstone(Uuid),
    /// An assigned household whose row cannot be read: its sequence still moves the cursor.
    Skipped,
}

fn result(record: &PushRecord, status: RecordStatus, message: Option<String>) -> RecordResult {
    RecordResult {
        kind: record.body.kind().to_string(),
        id: record.body.id(),
        status,
        code: status.code(),
        message,
        missing_blobs: Vec::new(),
        field: None,
    }
}

/// A record refused for what it holds: the problem with its field (relative to the body).
fn invalid(record: &PushRecord, problem: &RecordProblem) -> RecordResult {
    RecordResult {
        field: Some(format!("body.{}", problem.field)),
        ..result(
            record,
            RecordStatus::Invalid,
            Some(format!("{} / {}", problem.zh, problem.en)),
        )
    }
}

/// Checks that need no blob store: the content hash, the household, the assignment, and
/// everything the record holds (`anju_core::records`, through [`crate::decide`]).
/// `None` means the record may go on to be stored.
pub fn precheck(
    db: &OfficeDb,
    user: &AuthUser,
    record: &PushRecord,
    now: DateTime<Utc>,
) -> Result<Option<RecordResult>, OfficeDbError> {
    let computed = match record.body.content_sha256() {
        Ok(computed) => computed,
        Err(error) => {
            return Ok(Some(result(
                record,
                RecordStatus::Invalid,
                Some(error.to_string()),
            )));
        }
    };
    if computed != record.content_sha256 {
        return Ok(Some(result(
            record,
            RecordStatus::Invalid,
            Some(format!(
                "内容与 content_sha256 不符（按内容算得 {computed}） / the body does not match content_sha256 (the body hashes to {computed})"
            )),
        )));
    }
    if let RecordBody::Submission(s) = &record.body
        && s.inspector != user.name
    {
        return Ok(Some(RecordResult {
            field: Some("body.inspector".into()),
            ..result(
                record,
                RecordStatus::Invalid,
                Some(format!(
                    "提交记录的检查员“{}”不是登录用户“{}” / the submission's inspector '{}' is not the signed-in user '{}'",
                    s.inspector.chars().take(50).collect::<String>(),
                    user.name,
                    s.inspector.chars().take(50).collect::<String>(),
                    user.name
                )),
            )
        }));
    }
    let household = record.body.household_id().to_string();
    let exists: bool = db.conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM households WHERE id = ?1)",
        [&household],
        |r| r.get(0),
    )?;
    if !exists {
        return Ok(Some(result(
            record,
            RecordStatus::UnknownHousehold,
            Some(format!(
                "没有住户 {household} / there is no household {household}"
            )),
        )));
    }
    let assigned: bool = db.conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM assignments WHERE user_id = ?1 AND household_id = ?2)",
        params![user.id, household],
        |r| r.get(0),
    )?;
    if !assigned {
        return Ok(Some(result(
            record,
            RecordStatus::Forbidden,
            Some(format!(
                "住户 {household} 未分配给 {}：请乡镇办公室分配 / household {household} is not assigned to {}: ask the office to assign it",
                user.name, user.name
            )),
        )));
    }
    if let Some(problem) = crate::decide::check_record(&db.conn, &record.body, now)? {
        return Ok(Some(invalid(record, &problem)));
    }
    Ok(None)
}

/// Store one record in its own transaction: accepted, duplicate or conflict.
pub fn store_record(
    db: &mut OfficeDb,
    user: &AuthUser,
    device_id: Uuid,
    record: &PushRecord,
    push_offset_ms: i64,
) -> Result<RecordResult, OfficeDbError> {
    let tx = db
        .conn
        .transaction_with_behavior(TransactionBehavior::Immediate)?;
    let id = record.body.id();
    let (table, key) = match &record.body {
        RecordBody::Photo(_) => ("photos", "sha256"),
        RecordBody::Signature(_) => ("signatures", "id"),
        RecordBody::Submission(_) => ("submissions", "id"),
        RecordBody::Finding(_) => ("findings", "id"),
    };
    let stored: Option<Option<String>> = tx
        .query_row(
            &format!("SELECT content_sha256 FROM {table} WHERE {key} = ?1"),
            [&id],
            |r| r.get(0),
        )
        .optional()?;
    let outcome = match stored {
        Some(stored) if stored.as_deref() == Some(record.content_sha256.as_str()) => {
            result(record, RecordStatus::Duplicate, None)
        }
        Some(stored) => {
            tx.execute(
                "INSERT INTO conflicts (record_kind, record_id, content_sha256, stored_sha256,
                     body_json, user_id, device_id, received_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT (record_kind, record_id, content_sha256) DO NOTHING",
                params![
                    record.body.kind(),
                    id,
                    record.content_sha256,
                    stored.unwrap_or_default(),
                    serde_json::to_string(&record.body)?,
                    user.id,
                    device_id.to_string(),
                    Utc::now().to_rfc3339()
                ],
            )?;
            result(
                record,
                RecordStatus::Conflict,
                Some(format!(
                    "{} {id} 已以不同内容存在：新内容已留待人工核对，未覆盖 / {} {id} is already stored with other content: the new one is kept aside for review, nothing was overwritten",
                    record.body.kind(),
                    record.body.kind()
                )),
            )
        }
        None => match missing_submission(&tx, &record.body)? {
            Some(submission) => result(
                record,
                RecordStatus::MissingDependency,
                Some(format!(
                    "此问题所属的验收记录 {submission} 尚未收到，请先发送它 / the submission {submission} this finding belongs to has not arrived: send it first"
                )),
            ),
            None => match belongs_elsewhere(&tx, &record.body)? {
                Some(problem) => invalid(record, &problem),
                None => {
                    insert(&tx, user, device_id, record, push_offset_ms)?;
                    result(record, RecordStatus::Accepted, None)
                }
            },
        },
    };
    tx.commit()?;
    Ok(outcome)
}

/// A finding whose submission arrived since the precheck must belong with it.
fn belongs_elsewhere(
    tx: &Transaction<'_>,
    body: &RecordBody,
) -> Result<Option<RecordProblem>, OfficeDbError> {
    match body {
        RecordBody::Finding(finding) => crate::decide::finding_against_its_submission(tx, finding),
        _ => Ok(None),
    }
}

/// A finding names its submission; the office must hold that first.
fn missing_submission(
    tx: &Transaction<'_>,
    body: &RecordBody,
) -> Result<Option<Uuid>, OfficeDbError> {
    let RecordBody::Finding(finding) = body else {
        return Ok(None);
    };
    let Some(submission) = finding.submission_id else {
        return Ok(None);
    };
    let stored: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM submissions WHERE id = ?1)",
        [submission.to_string()],
        |r| r.get(0),
    )?;
    Ok((!stored).then_some(submission))
}

fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339()
}

fn insert(
    tx: &Transaction<'_>,
    user: &AuthUser,
    device_id: Uuid,
    record: &PushRecord,
    push_offset_ms: i64,
) -> Result<(), OfficeDbError> {
    let now = time(Utc::now());
    match &record.body {
        RecordBody::Photo(p) => {
            tx.execute(
                "INSERT INTO photos (sha256, household_id, slot, bytes, width, height, device_time,
                     trusted_time, clock_offset_ms, latitude, longitude, content_sha256,
                     received_by, received_at, fix_json, source, camera_time)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                     ?17)",
                params![
                    p.sha256,
                    p.household_id.to_string(),
                    p.slot,
                    p.bytes as i64,
                    p.width,
                    p.height,
                    time(p.taken.device_time),
                    p.taken.trusted_time.map(time),
                    p.taken.offset_ms,
                    p.latitude,
                    p.longitude,
                    record.content_sha256,
                    user.name,
                    now,
                    p.fix.as_ref().map(serde_json::to_string).transpose()?,
                    p.source.map(|s| s.code()),
                    p.camera_time
                        .map(|t| t.format(crate::decide::CAMERA_TIME_FORMAT).to_string()),
                ],
            )?;
        }
        RecordBody::Signature(s) => {
            tx.execute(
                "INSERT INTO signatures (id, household_id, slot, signer_name, method_json,
                     image_sha256, signed_content_sha256, signed_at, content_sha256,
                     received_by, received_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                params![
                    s.signature.id.to_string(),
                    s.household_id.to_string(),
                    s.signature.slot,
                    s.signature.signer_name,
                    serde_json::to_string(&s.signature.method)?,
                    s.signature.image_sha256,
                    s.signature.signed_content_sha256,
                    time(s.signature.signed_at),
                    record.content_sha256,
                    user.name,
                    now
                ],
            )?;
        }
        RecordBody::Submission(s) => {
            tx.execute(
                "INSERT INTO submissions (id, household_id, kind, form_id, form_version, inspector,
                     answers_json, content_sha256, device_time, trusted_time, clock_offset_ms,
                     received_at, device_id, received_by, push_offset_ms, policy_version,
                     recorded_area_json, position_json, finding_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                     ?17, ?18, ?19)",
                params![
                    s.id.to_string(),
                    s.household_id.to_string(),
                    s.kind.code(),
                    s.form_id,
                    s.form_version,
                    s.inspector,
                    serde_json::to_string(&s.answers)?,
                    record.content_sha256,
                    time(s.clock.device_time),
                    s.clock.trusted_time.map(time),
                    s.clock.offset_ms,
                    now,
                    device_id.to_string(),
                    user.name,
                    push_offset_ms,
                    s.policy_version,
                    s.recorded_area
                        .as_ref()
                        .map(serde_json::to_string)
                        .transpose()?,
                    s.position.as_ref().map(serde_json::to_string).transpose()?,
                    s.finding_id.map(|id| id.to_string()),
                ],
            )?;
            crate::decide::after_submission(tx, s, &user.id, Utc::now())?;
            // Every device that has the household learns of it on its next pull.
            crate::assign::touch_household(tx, &s.household_id.to_string())?;
        }
        RecordBody::Finding(f) => {
            tx.execute(
                "INSERT INTO findings (id, household_id, submission_id, item, description,
                     deadline, state, created_at, updated_at, content_sha256, received_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9, ?10)",
                params![
                    f.id.to_string(),
                    f.household_id.to_string(),
                    f.submission_id.map(|id| id.to_string()),
                    f.item,
                    f.description,
                    f.deadline.to_string(),
                    f.state.code(),
                    now,
                    record.content_sha256,
                    user.name
                ],
            )?;
            crate::decide::after_finding(tx, f, Utc::now())?;
            crate::assign::touch_household(tx, &f.household_id.to_string())?;
        }
    }
    Ok(())
}

/// Remember a device's contact and its clock offset.
pub fn record_contact(
    db: &OfficeDb,
    user: &AuthUser,
    device_id: Uuid,
    device_time: DateTime<Utc>,
    server_time: DateTime<Utc>,
) -> Result<i64, OfficeDbError> {
    let offset = (device_time - server_time).num_milliseconds();
    db.conn.execute(
        "INSERT INTO devices (device_id, user_id, last_device_time, last_server_time, last_offset_ms, pushes)
         VALUES (?1, ?2, ?3, ?4, ?5, 1)
         ON CONFLICT (device_id) DO UPDATE SET user_id = excluded.user_id,
             last_device_time = excluded.last_device_time,
             last_server_time = excluded.last_server_time,
             last_offset_ms = excluded.last_offset_ms, pushes = devices.pushes + 1",
        params![
            device_id.to_string(),
            user.id,
            time(device_time),
            time(server_time),
            offset
        ],
    )?;
    Ok(offset)
}

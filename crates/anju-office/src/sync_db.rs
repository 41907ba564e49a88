//! The office side of pull and push, on SQLite.

use anju_core::form::form_by_id;
use anju_core::model::{FindingState, Household, SubmissionKind};
use anju_core::wire::{
    HouseholdHistory, OfficeFinding, OfficeInspection, PullResponse, PushRecord, RecordBody,
    RecordResult, RecordStatus, assigned_digest,
};
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Transaction, TransactionBehavior, params};
use uuid::Uuid;

use crate::db::{HOUSEHOLD_COLUMNS, HOUSEHOLD_JOINS, OfficeDb, OfficeDbError, read_household};
use crate::users::AuthUser;

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
         WHERE a.user_id = ?1 AND a.seq > ?2
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
        changes.push((seq, Change::Upsert(Box::new(household?))));
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
        }
    }
    let assigned_count: u64 = db.conn.query_row(
        "SELECT count(*) FROM assignments WHERE user_id = ?1",
        [user_id],
        |r| r.get(0),
    )?;
    // The digest reads every assigned id: only on the last page.
    let digest = if has_more {
        None
    } else {
        let mut stmt = db
            .conn
            .prepare_cached("SELECT household_id FROM assignments WHERE user_id = ?1")?;
        let ids = stmt
            .query_map([user_id], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        let ids: Vec<Uuid> = ids
            .iter()
            .filter_map(|id| Uuid::parse_str(id).ok())
            .collect();
        Some(assigned_digest(&ids))
    };
    let history = history_of(db, &households)?;
    Ok(PullResponse {
        households,
        tombstones,
        history,
        next_cursor,
        has_more,
        assigned_count,
        assigned_digest: digest,
        server_time: Utc::now(),
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
) -> Result<Vec<HouseholdHistory>, OfficeDbError> {
    use crate::pages::submission::{SUBMISSION_COLUMNS, read_submission};
    if households.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = households.iter().map(|h| h.id.to_string()).collect();
    let mut stmt = db.conn.prepare_cached(&format!(
        "SELECT {SUBMISSION_COLUMNS} FROM submissions s
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
        let stored = raw
            .parse()
            .map_err(|e| OfficeDbError::Corrupt(format!("submission: {e}")))?;
        let household_id = stored_uuid(&stored.household_id, "submission household")?;
        let kind = SubmissionKind::from_code(&stored.kind)
            .ok_or_else(|| OfficeDbError::Corrupt(format!("submission kind {}", stored.kind)))?;
        let assessment = stored.assessment(sizes.get(&household_id).copied().unwrap_or(0));
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
                 ORDER BY e.at DESC LIMIT 1)
         FROM findings f
         WHERE f.household_id IN (SELECT value FROM json_each(?1))
         ORDER BY f.created_at, f.id",
    )?;
    let rows = stmt
        .query_map([serde_json::to_string(&ids)?], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, Option<String>>(4)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut findings: std::collections::BTreeMap<Uuid, Vec<OfficeFinding>> =
        std::collections::BTreeMap::new();
    for (id, household_id, state, changed_at, note) in rows {
        findings
            .entry(stored_uuid(&household_id, "finding household")?)
            .or_default()
            .push(OfficeFinding {
                finding_id: stored_uuid(&id, "finding")?,
                state: FindingState::from_code(&state)
                    .ok_or_else(|| OfficeDbError::Corrupt(format!("finding state {state}")))?,
                changed_at: DateTime::parse_from_rfc3339(&changed_at)
                    .map(|t| t.with_timezone(&Utc))
                    .map_err(|_| OfficeDbError::Corrupt(format!("finding time {changed_at}")))?,
                note,
            });
    }
    // A household of the page without an entry has nothing at the office.
    Ok(households
        .iter()
        .filter_map(|h| {
            let inspections = by_household.remove(&h.id).unwrap_or_default();
            let findings = findings.remove(&h.id).unwrap_or_default();
            (!inspections.is_empty() || !findings.is_empty()).then_some(HouseholdHistory {
                household_id: h.id,
                inspections,
                findings,
            })
        })
        .collect())
}

enum Change {
    Upsert(Box<Household>),
    Tombstone(Uuid),
}

fn result(record: &PushRecord, status: RecordStatus, message: Option<String>) -> RecordResult {
    RecordResult {
        kind: record.body.kind().to_string(),
        id: record.body.id(),
        status,
        code: status.code(),
        message,
        missing_blobs: Vec::new(),
    }
}

/// Checks that need no blob store: the content hash, the household, the assignment.
/// `None` means the record may go on to be stored.
pub fn precheck(
    db: &OfficeDb,
    user: &AuthUser,
    record: &PushRecord,
) -> Result<Option<RecordResult>, OfficeDbError> {
    let computed = record
        .body
        .content_sha256()
        .map_err(|e| OfficeDbError::Corrupt(e.to_string()))?;
    if computed != record.content_sha256 {
        return Ok(Some(result(
            record,
            RecordStatus::Invalid,
            Some(format!(
                "内容与 content_sha256 不符（按内容算得 {computed}） / the body does not match content_sha256 (the body hashes to {computed})"
            )),
        )));
    }
    if let Some(problem) = content_problem(&record.body, user) {
        return Ok(Some(result(record, RecordStatus::Invalid, Some(problem))));
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
    Ok(None)
}

/// What is wrong with a record's content that its hash cannot catch.
fn content_problem(body: &RecordBody, user: &AuthUser) -> Option<String> {
    match body {
        RecordBody::Submission(s) => {
            if s.inspector != user.name {
                return Some(format!(
                    "提交记录的检查员“{}”不是登录用户“{}” / the submission's inspector '{}' is not the signed-in user '{}'",
                    s.inspector, user.name, s.inspector, user.name
                ));
            }
            let Some(form) = form_by_id(&s.form_id, s.form_version) else {
                return Some(format!(
                    "未知表单 {} 第{}版 / unknown form {} version {}",
                    s.form_id, s.form_version, s.form_id, s.form_version
                ));
            };
            let expected = match s.kind {
                SubmissionKind::Acceptance => anju_core::form::ACCEPTANCE_FORM_ID,
                SubmissionKind::SpotCheck => anju_core::form::SPOT_CHECK_FORM_ID,
            };
            (form.id != expected).then(|| {
                format!(
                    "表单 {} 与类型 {} 不符 / form {} does not fit kind {}",
                    form.id,
                    s.kind.code(),
                    form.id,
                    s.kind.code()
                )
            })
        }
        RecordBody::Photo(p) => (!anju_core::hash::is_sha256_hex(&p.sha256))
            .then(|| "照片标识不是SHA-256 / the photo id is not a SHA-256".to_string()),
        RecordBody::Signature(s) => (!anju_core::hash::is_sha256_hex(&s.signature.image_sha256))
            .then(|| {
                "签字图像标识不是SHA-256 / the signature image id is not a SHA-256".to_string()
            }),
        RecordBody::Finding(f) => f
            .description
            .trim()
            .is_empty()
            .then(|| "问题描述为空 / the finding has no description".to_string()),
    }
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
            None => {
                insert(&tx, user, device_id, record, push_offset_ms)?;
                result(record, RecordStatus::Accepted, None)
            }
        },
    };
    tx.commit()?;
    Ok(outcome)
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
                     received_by, received_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
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
                    now
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
                     received_at, device_id, received_by, push_offset_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
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
                    push_offset_ms
                ],
            )?;
            // Every device that has the household learns of it on its next pull.
            crate::assign::touch_household(tx, &s.household_id.to_string())?;
        }
        RecordBody::Finding(f) => {
            let state = serde_json::to_value(f.state)?;
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
                    state.as_str().unwrap_or("open"),
                    now,
                    record.content_sha256,
                    user.name
                ],
            )?;
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
             last_offset_ms = excluded.last_offset_ms, pushes = pushes + 1",
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

//! Submitting: a draft becomes an immutable submission and its outbox entries in one
//! transaction; and the submissions kept on the device. Whether the form is complete is
//! the caller's to check (`anju_core::records::check_before_submitting`): the store keeps
//! what it is given, and only makes sure it is the draft that was checked.

use anju_core::form::Answer;
use anju_core::hash::content_sha256;
use anju_core::location::Fix;
use anju_core::model::{ClockReading, Finding, FindingState, RecordedArea, Submission};
use anju_core::wire::SignatureRecord;
use rusqlite::{OptionalExtension, params};
use uuid::Uuid;

use crate::evidence::insert_signature;
use crate::households::refresh_status;
use crate::outbox::RecordKind;
use crate::rows::read_submission;
use crate::{Result, Store, StoreError, now};

/// What a submission records besides the draft's answers: who made it, when and where, and
/// the area figures under the policy its form was checked with.
#[derive(Debug, Clone, PartialEq)]
pub struct SubmissionDetails {
    pub inspector: String,
    pub clock: ClockReading,
    /// The version of the district's policy the form was checked under; `None` on a device
    /// that never received one.
    pub policy_version: Option<u32>,
    /// The figures the device gives under that policy, for the office to check.
    pub recorded_area: Option<RecordedArea>,
    /// The device's position at submit time, or why it had none.
    pub position: Option<Fix>,
}

impl Store {
    /// Turn a checked draft into an immutable submission. `checked_revision` is the
    /// revision of the draft whose form the caller checked: a draft changed since is
    /// refused ([`StoreError::StaleRevision`]) rather than submitted unchecked. In one
    /// transaction: the submission, its signatures and findings, and an outbox entry for
    /// each photo, signature, the submission and each finding (in the order the office
    /// needs them: evidence first). The draft is gone afterwards; its id is the
    /// submission's id.
    pub fn submit(
        &mut self,
        draft_id: Uuid,
        checked_revision: i64,
        details: SubmissionDetails,
    ) -> Result<Submission> {
        self.write(|store_tx| {
            let draft = store_tx.draft(draft_id)?;
            if draft.revision != checked_revision {
                return Err(StoreError::StaleRevision {
                    expected: checked_revision,
                    actual: draft.revision,
                });
            }
            let clock = details.clock;
            let submission = Submission {
                id: draft.id,
                household_id: draft.household_id,
                kind: draft.kind,
                form_id: draft.form_id.clone(),
                form_version: draft.form_version,
                inspector: details.inspector,
                answers: draft.answers.clone(),
                clock,
                policy_version: details.policy_version,
                recorded_area: details.recorded_area,
                position: details.position,
                finding_id: draft.finding_id,
            };
            let content = content_sha256(&submission)?;
            let household = draft.household_id.to_string();
            let at = now().to_rfc3339();
            let tx = store_tx.conn();
            let enqueue = |kind: RecordKind, id: &str, sha: &str| -> Result<()> {
                tx.execute(
                    "INSERT INTO outbox (record_kind, record_id, household_id, content_sha256, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (record_kind, record_id) DO NOTHING",
                    params![kind.code(), id, household, sha, at],
                )?;
                Ok(())
            };
            for answer in draft.answers.0.values() {
                if let Answer::Photos { sha256 } = answer {
                    for sha in sha256 {
                        // The entry's hash is the content hash of the photo's metadata (what
                        // goes on the wire), not the file's hash (which is its id).
                        let meta = store_tx
                            .photo(sha)?
                            .ok_or_else(|| StoreError::MissingPhoto(sha.clone()))?;
                        enqueue(RecordKind::Photo, sha, &content_sha256(&meta)?)?;
                    }
                }
            }
            for (slot, answer) in &draft.answers.0 {
                if let Answer::Signature { signature } = answer {
                    insert_signature(tx, draft.household_id, slot, signature)?;
                    let record = SignatureRecord {
                        household_id: draft.household_id,
                        signature: signature.clone(),
                    };
                    enqueue(
                        RecordKind::Signature,
                        &signature.id.to_string(),
                        &content_sha256(&record)?,
                    )?;
                }
            }
            tx.execute(
                "INSERT INTO submissions (id, household_id, kind, form_id, form_version, inspector,
                     answers_json, content_sha256, device_time, trusted_time, clock_offset_ms, created_at,
                     policy_version, recorded_area_json, position_json, finding_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
                params![
                    submission.id.to_string(),
                    household,
                    submission.kind.code(),
                    submission.form_id,
                    submission.form_version,
                    submission.inspector,
                    serde_json::to_string(&submission.answers)?,
                    content,
                    clock.device_time.to_rfc3339(),
                    clock.trusted_time.map(|t| t.to_rfc3339()),
                    clock.offset_ms,
                    at,
                    submission.policy_version,
                    submission
                        .recorded_area
                        .as_ref()
                        .map(serde_json::to_string)
                        .transpose()?,
                    submission
                        .position
                        .as_ref()
                        .map(serde_json::to_string)
                        .transpose()?,
                    submission.finding_id.map(|id| id.to_string()),
                ],
            )?;
            enqueue(RecordKind::Submission, &submission.id.to_string(), &content)?;
            if let Some(Answer::Findings { items }) = draft.answers.get("findings") {
                for draft_finding in items {
                    let finding = Finding {
                        id: Uuid::now_v7(),
                        household_id: draft.household_id,
                        submission_id: Some(submission.id),
                        item: draft_finding.item.clone(),
                        description: draft_finding.description.clone(),
                        deadline: draft_finding.deadline,
                        state: FindingState::Open,
                    };
                    tx.execute(
                        "INSERT INTO findings (id, household_id, submission_id, item, description,
                             deadline, created_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                        params![
                            finding.id.to_string(),
                            household,
                            submission.id.to_string(),
                            finding.item,
                            finding.description,
                            finding.deadline.to_string(),
                            at
                        ],
                    )?;
                    enqueue(
                        RecordKind::Finding,
                        &finding.id.to_string(),
                        &content_sha256(&finding)?,
                    )?;
                }
            }
            tx.execute("DELETE FROM drafts WHERE id = ?1", [draft_id.to_string()])?;
            refresh_status(tx, draft.household_id)?;
            Ok(submission)
        })
    }

    pub fn submissions_for(&self, household_id: Uuid) -> Result<Vec<Submission>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, household_id, kind, form_id, form_version, inspector, answers_json,
                    device_time, trusted_time, clock_offset_ms, policy_version, recorded_area_json,
                    position_json, finding_id
             FROM submissions WHERE household_id = ?1 ORDER BY created_at, id",
        )?;
        let rows = stmt.query_map([household_id.to_string()], |row| Ok(read_submission(row)))?;
        let mut out = Vec::new();
        for row in rows {
            out.push(row??);
        }
        Ok(out)
    }

    pub fn submission(&self, id: Uuid) -> Result<Option<(Submission, String)>> {
        self.conn
            .query_row(
                "SELECT id, household_id, kind, form_id, form_version, inspector, answers_json,
                        device_time, trusted_time, clock_offset_ms, policy_version,
                        recorded_area_json, position_json, content_sha256, finding_id
                 FROM submissions WHERE id = ?1",
                [id.to_string()],
                |row| {
                    let sha: String = row.get(13)?;
                    Ok(read_submission(row).map(|s| (s, sha)))
                },
            )
            .optional()?
            .transpose()
    }
}

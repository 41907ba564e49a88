//! Submitting: a complete draft becomes an immutable submission and its outbox entries in
//! one transaction; and the submissions kept on the device.

use anju_core::form::{Answer, FormContext, FormSchema, form_by_id};
use anju_core::hash::content_sha256;
use anju_core::model::{ClockReading, Finding, FindingState, Submission};
use anju_core::wire::SignatureRecord;
use rusqlite::{OptionalExtension, TransactionBehavior, params};
use uuid::Uuid;

use crate::evidence::insert_signature;
use crate::households::refresh_status;
use crate::outbox::RecordKind;
use crate::rows::{PHOTO_COLUMNS, read_photo, read_submission};
use crate::{Result, Store, StoreError, now};

impl Store {
    /// Turn a complete draft into an immutable submission. In one transaction: the
    /// submission, its signatures and findings, and an outbox entry for each photo,
    /// signature, the submission and each finding (in the order the office needs them:
    /// evidence first). The draft is gone afterwards; its id is the submission's id.
    pub fn submit(
        &mut self,
        draft_id: Uuid,
        inspector: &str,
        clock: ClockReading,
        ctx: &FormContext,
    ) -> Result<Submission> {
        self.submit_at(draft_id, inspector, clock, ctx, None)
    }

    /// As [`Store::submit`], recording the device's position at submit time (or why none).
    pub fn submit_at(
        &mut self,
        draft_id: Uuid,
        inspector: &str,
        clock: ClockReading,
        ctx: &FormContext,
        position: Option<anju_core::location::Fix>,
    ) -> Result<Submission> {
        let draft = self.draft(draft_id)?;
        let form: FormSchema = form_by_id(&draft.form_id, draft.form_version).ok_or_else(|| {
            StoreError::UnknownForm {
                form_id: draft.form_id.clone(),
                version: draft.form_version,
            }
        })?;
        let issues = form.validate(&draft.answers, ctx);
        if !issues.is_empty() {
            return Err(StoreError::Incomplete {
                count: issues.len(),
                issues,
            });
        }
        // The figures the device gives under its policy, for the office to check.
        let recorded_area = draft
            .answers
            .measurement()
            .map(|measurement| {
                anju_core::area::assess(
                    measurement,
                    ctx.household_size,
                    &ctx.policy,
                    &ctx.policy_context,
                )
                .map(|assessment| anju_core::records::recorded_area(&assessment))
            })
            .transpose()
            .map_err(|e| StoreError::Incomplete {
                count: 1,
                issues: vec![anju_core::form::FormIssue {
                    section: "area".into(),
                    item: "area_measurement".into(),
                    item_label: anju_core::form::Text::new("实测建筑面积", "Measured built area"),
                    problem: anju_core::form::Problem::AreaInvalid {
                        message: e.to_string(),
                    },
                }],
            })?;
        let submission = Submission {
            id: draft.id,
            household_id: draft.household_id,
            kind: draft.kind,
            form_id: draft.form_id.clone(),
            form_version: draft.form_version,
            inspector: inspector.to_string(),
            answers: draft.answers.clone(),
            clock,
            policy_version: ctx.policy_version,
            recorded_area,
            position,
        };
        let content = content_sha256(&submission)?;
        let household = draft.household_id.to_string();
        let at = now().to_rfc3339();

        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
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
                    let meta = tx
                        .query_row(
                            &format!("SELECT {PHOTO_COLUMNS} FROM photos WHERE sha256 = ?1"),
                            [sha],
                            |row| Ok(read_photo(row)),
                        )
                        .optional()?
                        .ok_or_else(|| StoreError::MissingPhoto(sha.clone()))??;
                    enqueue(RecordKind::Photo, sha, &content_sha256(&meta)?)?;
                }
            }
        }
        for (slot, answer) in &draft.answers.0 {
            if let Answer::Signature { signature } = answer {
                insert_signature(&tx, draft.household_id, slot, signature)?;
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
                 policy_version, recorded_area_json, position_json)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
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
        refresh_status(&tx, draft.household_id)?;
        tx.commit()?;
        Ok(submission)
    }

    pub fn submissions_for(&self, household_id: Uuid) -> Result<Vec<Submission>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, household_id, kind, form_id, form_version, inspector, answers_json,
                    device_time, trusted_time, clock_offset_ms, policy_version, recorded_area_json,
                    position_json
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
                        recorded_area_json, position_json, content_sha256
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

//! Drafts being filled (every answer saved in its own transaction), their photos, and
//! submitting one: the draft becomes an immutable submission and its outbox entries in
//! one transaction.

use anju_core::form::{Answer, FormAnswers, FormContext, FormSchema, form_by_id};
use anju_core::hash::content_sha256;
use anju_core::model::{
    ClockReading, Finding, FindingState, PhotoMeta, Submission, SubmissionKind,
};
use anju_core::wire::SignatureRecord;
use rusqlite::{OptionalExtension, TransactionBehavior, params};
use uuid::Uuid;

use crate::{
    Draft, NewPhoto, PHOTO_COLUMNS, RecordKind, Result, Store, StoreError, insert_signature, now,
    read_draft, read_photo, read_submission, refresh_status,
};

impl Store {
    /// The open draft of this kind for the household, or a new empty one.
    pub fn open_draft(&mut self, household_id: Uuid, kind: SubmissionKind) -> Result<Draft> {
        if let Some(draft) = self.draft_for(household_id, kind)? {
            return Ok(draft);
        }
        if !self.has_household(household_id)? {
            return Err(StoreError::UnknownHousehold(household_id));
        }
        let form = match kind {
            SubmissionKind::Acceptance => anju_core::form::acceptance_form_v1(),
            SubmissionKind::SpotCheck => anju_core::form::spot_check_form_v1(),
        };
        let id = Uuid::now_v7();
        let at = now().to_rfc3339();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO drafts (id, household_id, kind, form_id, form_version, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
            params![
                id.to_string(),
                household_id.to_string(),
                kind.code(),
                form.id,
                form.version,
                at
            ],
        )?;
        refresh_status(&tx, household_id)?;
        tx.commit()?;
        self.draft(id)
    }

    pub fn draft(&self, id: Uuid) -> Result<Draft> {
        self.conn
            .query_row(
                "SELECT id, household_id, kind, form_id, form_version, answers_json, revision, updated_at
                 FROM drafts WHERE id = ?1",
                [id.to_string()],
                |row| Ok(read_draft(row)),
            )
            .optional()?
            .ok_or(StoreError::UnknownDraft(id))?
    }

    pub fn draft_for(&self, household_id: Uuid, kind: SubmissionKind) -> Result<Option<Draft>> {
        self.conn
            .query_row(
                "SELECT id, household_id, kind, form_id, form_version, answers_json, revision, updated_at
                 FROM drafts WHERE household_id = ?1 AND kind = ?2",
                params![household_id.to_string(), kind.code()],
                |row| Ok(read_draft(row)),
            )
            .optional()?
            .transpose()
    }

    /// Save one answer (or clear it with `None`) in its own transaction. With
    /// `expected_revision`, a write based on an older copy of the draft is refused
    /// instead of silently undoing a newer change.
    pub fn save_answer(
        &mut self,
        draft_id: Uuid,
        key: &str,
        answer: Option<Answer>,
        expected_revision: Option<i64>,
    ) -> Result<Draft> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (answers_json, revision): (String, i64) = tx
            .query_row(
                "SELECT answers_json, revision FROM drafts WHERE id = ?1",
                [draft_id.to_string()],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?
            .ok_or(StoreError::UnknownDraft(draft_id))?;
        if let Some(expected) = expected_revision
            && expected != revision
        {
            return Err(StoreError::StaleRevision {
                expected,
                actual: revision,
            });
        }
        let mut answers: FormAnswers = serde_json::from_str(&answers_json)?;
        match answer {
            Some(answer) => answers.set(key, answer),
            None => {
                answers.remove(key);
            }
        }
        tx.execute(
            "UPDATE drafts SET answers_json = ?1, revision = revision + 1, updated_at = ?2
             WHERE id = ?3",
            params![
                serde_json::to_string(&answers)?,
                now().to_rfc3339(),
                draft_id.to_string()
            ],
        )?;
        tx.commit()?;
        self.draft(draft_id)
    }

    /// Throw a draft away (the inspector chose to), leaving its photos on disk for reuse.
    pub fn discard_draft(&mut self, draft_id: Uuid) -> Result<()> {
        let draft = self.draft(draft_id)?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute("DELETE FROM drafts WHERE id = ?1", [draft_id.to_string()])?;
        refresh_status(&tx, draft.household_id)?;
        tx.commit()?;
        Ok(())
    }

    // -- evidence --------------------------------------------------------------------

    /// Store a (processed) photo file under its SHA-256 and record its metadata. Adding
    /// the same bytes again returns the existing record.
    pub fn add_photo(&mut self, bytes: &[u8], photo: NewPhoto) -> Result<PhotoMeta> {
        if !self.has_household(photo.household_id)? {
            return Err(StoreError::UnknownHousehold(photo.household_id));
        }
        let sha256 = self.put_blob(bytes)?;
        // The fix's coordinates are repeated in the plain columns, for older readers.
        let at = photo.fix.as_ref().and_then(|fix| fix.position().copied());
        let meta = PhotoMeta {
            sha256: sha256.clone(),
            household_id: photo.household_id,
            slot: photo.slot,
            bytes: bytes.len() as u64,
            width: photo.width,
            height: photo.height,
            taken: photo.taken,
            latitude: at.map(|p| p.latitude).or(photo.latitude),
            longitude: at.map(|p| p.longitude).or(photo.longitude),
            fix: photo.fix,
            source: photo.source,
            camera_time: photo.camera_time,
        };
        self.conn.execute(
            "INSERT INTO photos (sha256, household_id, slot, bytes, width, height, device_time,
                 trusted_time, clock_offset_ms, latitude, longitude, created_at, fix_json, source,
                 camera_time)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
             ON CONFLICT (sha256) DO NOTHING",
            params![
                meta.sha256,
                meta.household_id.to_string(),
                meta.slot,
                meta.bytes as i64,
                meta.width,
                meta.height,
                meta.taken.device_time.to_rfc3339(),
                meta.taken.trusted_time.map(|t| t.to_rfc3339()),
                meta.taken.offset_ms,
                meta.latitude,
                meta.longitude,
                now().to_rfc3339(),
                meta.fix.as_ref().map(serde_json::to_string).transpose()?,
                meta.source.map(|s| s.code()),
                meta.camera_time
                    .map(|t| t.format(crate::CAMERA_TIME_FORMAT).to_string()),
            ],
        )?;
        self.photo(&sha256)?.ok_or(StoreError::MissingPhoto(sha256))
    }

    pub fn photo(&self, sha256: &str) -> Result<Option<PhotoMeta>> {
        self.conn
            .query_row(
                &format!("SELECT {PHOTO_COLUMNS} FROM photos WHERE sha256 = ?1"),
                [sha256],
                |row| Ok(read_photo(row)),
            )
            .optional()?
            .transpose()
    }

    // -- submitting ------------------------------------------------------------------

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

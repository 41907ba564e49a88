//! Drafts being filled: every answer saved in its own transaction, with a revision that
//! refuses a write from a stale copy.

use anju_core::form::{Answer, FormAnswers};
use anju_core::model::SubmissionKind;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::households::refresh_status;
use crate::rows::read_draft;
use crate::{Result, Store, StoreError, StoreTx, now};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Draft {
    pub id: Uuid,
    pub household_id: Uuid,
    pub kind: SubmissionKind,
    pub form_id: String,
    pub form_version: u32,
    pub answers: FormAnswers,
    /// Grows by one with every saved change.
    pub revision: i64,
    pub updated_at: DateTime<Utc>,
    /// The finding a 整改复查 re-checks.
    pub finding_id: Option<Uuid>,
}

impl Store {
    /// The open draft of this kind for the household, or a new empty one.
    pub fn open_draft(&mut self, household_id: Uuid, kind: SubmissionKind) -> Result<Draft> {
        if kind == SubmissionKind::Recheck {
            return Err(StoreError::RecheckNeedsTask);
        }
        self.open_draft_about(household_id, kind, None)
    }

    /// The open draft of this kind for the household, or a new one about `finding` (a
    /// 整改复查 names the finding it re-checks).
    pub(crate) fn open_draft_about(
        &mut self,
        household_id: Uuid,
        kind: SubmissionKind,
        finding: Option<Uuid>,
    ) -> Result<Draft> {
        if let Some(draft) = self.draft_for(household_id, kind)? {
            if draft.finding_id != finding {
                return Err(StoreError::OtherRecheckOpen);
            }
            return Ok(draft);
        }
        if !self.has_household(household_id)? {
            return Err(StoreError::UnknownHousehold(household_id));
        }
        // A new draft starts on the newest version the district published.
        let form_id = kind.form_id();
        let catalog = self.form_catalog()?;
        let form = catalog
            .latest(form_id)
            .ok_or_else(|| StoreError::UnknownForm {
                form_id: form_id.to_string(),
                version: 1,
            })?;
        let id = Uuid::now_v7();
        let at = now().to_rfc3339();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO drafts (id, household_id, kind, form_id, form_version, created_at, updated_at,
                 finding_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7)",
            params![
                id.to_string(),
                household_id.to_string(),
                kind.code(),
                form.id,
                form.version,
                at,
                finding.map(|f| f.to_string())
            ],
        )?;
        refresh_status(&tx, household_id)?;
        tx.commit()?;
        self.draft(id)
    }

    pub fn draft(&self, id: Uuid) -> Result<Draft> {
        draft_row(&self.conn, id)
    }

    pub fn draft_for(&self, household_id: Uuid, kind: SubmissionKind) -> Result<Option<Draft>> {
        self.conn
            .query_row(
                "SELECT id, household_id, kind, form_id, form_version, answers_json, revision, updated_at,
                        finding_id
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
        self.write(|tx| tx.save_answer(draft_id, key, answer, expected_revision))
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
}

impl StoreTx<'_> {
    /// As [`Store::save_answer`], within this transaction.
    pub fn save_answer(
        &mut self,
        draft_id: Uuid,
        key: &str,
        answer: Option<Answer>,
        expected_revision: Option<i64>,
    ) -> Result<Draft> {
        let conn = self.conn();
        let (answers_json, revision): (String, i64) = conn
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
        conn.execute(
            "UPDATE drafts SET answers_json = ?1, revision = revision + 1, updated_at = ?2
             WHERE id = ?3",
            params![
                serde_json::to_string(&answers)?,
                now().to_rfc3339(),
                draft_id.to_string()
            ],
        )?;
        draft_row(conn, draft_id)
    }

    /// As [`Store::draft`], seeing what this transaction wrote.
    pub fn draft(&self, id: Uuid) -> Result<Draft> {
        draft_row(self.conn(), id)
    }
}

fn draft_row(conn: &Connection, id: Uuid) -> Result<Draft> {
    conn.query_row(
        "SELECT id, household_id, kind, form_id, form_version, answers_json, revision, updated_at,
                        finding_id
         FROM drafts WHERE id = ?1",
        [id.to_string()],
        |row| Ok(read_draft(row)),
    )
    .optional()?
    .ok_or(StoreError::UnknownDraft(id))?
}

//! The outbox: what waits for the office, what it acknowledged, what it refused for good,
//! and each record's body as it goes on the wire, checked against its recorded hash.

use anju_core::model::{Finding, SignatureMeta, SignatureMethod};
use anju_core::wire::{RecordBody, SignatureRecord};
use rusqlite::{OptionalExtension, TransactionBehavior, params};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::households::refresh_status;
use crate::rows::{
    FINDING_COLUMNS, OUTBOX_COLUMNS, parse_time, parse_uuid, read_finding, read_outbox_entry,
};
use crate::{Result, Store, StoreError, now};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    Photo,
    Signature,
    Submission,
    Finding,
}

impl RecordKind {
    pub fn code(self) -> &'static str {
        match self {
            Self::Photo => "photo",
            Self::Signature => "signature",
            Self::Submission => "submission",
            Self::Finding => "finding",
        }
    }

    pub(crate) fn from_code(code: &str) -> Option<Self> {
        match code {
            "photo" => Some(Self::Photo),
            "signature" => Some(Self::Signature),
            "submission" => Some(Self::Submission),
            "finding" => Some(Self::Finding),
            _ => None,
        }
    }
}

/// One record waiting for the office.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxEntry {
    pub seq: i64,
    pub kind: RecordKind,
    pub record_id: String,
    pub household_id: Uuid,
    pub content_sha256: String,
    pub attempts: u32,
    pub last_error: Option<String>,
}

/// What the device holds that the office does not have yet.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PendingWork {
    /// Records in the outbox not yet acknowledged (photos, signatures, submissions, findings).
    pub records: u32,
    pub photos: u32,
    pub submissions: u32,
    /// Forms being filled (not submitted, so not waiting to sync yet).
    pub drafts: u32,
    /// Records the office refused for good, kept for review.
    pub rejected: u32,
}

impl Store {
    /// How much waits for the office, and how many forms are being filled.
    pub fn pending_work(&self) -> Result<PendingWork> {
        Ok(self.conn.query_row(
            "SELECT
                (SELECT count(*) FROM outbox WHERE acknowledged_at IS NULL AND rejected_at IS NULL),
                (SELECT count(*) FROM outbox WHERE acknowledged_at IS NULL AND rejected_at IS NULL
                     AND record_kind = 'photo'),
                (SELECT count(*) FROM outbox WHERE acknowledged_at IS NULL AND rejected_at IS NULL
                     AND record_kind = 'submission'),
                (SELECT count(*) FROM drafts),
                (SELECT count(*) FROM outbox WHERE rejected_at IS NOT NULL)",
            [],
            |row| {
                Ok(PendingWork {
                    records: row.get(0)?,
                    photos: row.get(1)?,
                    submissions: row.get(2)?,
                    drafts: row.get(3)?,
                    rejected: row.get(4)?,
                })
            },
        )?)
    }

    /// Whether the office has acknowledged this record.
    pub fn is_acknowledged(&self, kind: RecordKind, record_id: &str) -> Result<bool> {
        Ok(self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM outbox WHERE record_kind = ?1 AND record_id = ?2
                                AND acknowledged_at IS NOT NULL)",
            params![kind.code(), record_id],
            |row| row.get(0),
        )?)
    }

    /// Everything not yet acknowledged by the office, oldest first.
    pub fn pending_outbox(&self) -> Result<Vec<OutboxEntry>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {OUTBOX_COLUMNS} FROM outbox
             WHERE acknowledged_at IS NULL AND rejected_at IS NULL ORDER BY seq"
        ))?;
        let rows = stmt.query_map([], |row| Ok(read_outbox_entry(row)))?;
        let mut out = Vec::new();
        for row in rows {
            out.push(row??);
        }
        Ok(out)
    }

    /// Record a failed attempt, keeping the entry pending.
    pub fn note_attempt_failed(&mut self, seq: i64, error: &str) -> Result<()> {
        self.conn.execute(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ?1 WHERE seq = ?2",
            params![error, seq],
        )?;
        Ok(())
    }

    /// The office confirmed these entries: mark them and update the households' status.
    pub fn acknowledge(&mut self, seqs: &[i64]) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let at = now().to_rfc3339();
        let mut households = std::collections::BTreeSet::new();
        for seq in seqs {
            let household: Option<String> = tx
                .query_row(
                    "UPDATE outbox SET acknowledged_at = ?1, last_error = NULL
                     WHERE seq = ?2 AND acknowledged_at IS NULL RETURNING household_id",
                    params![at, seq],
                    |row| row.get(0),
                )
                .optional()?;
            if let Some(household) = household {
                households.insert(household);
            }
        }
        for household in households {
            refresh_status(&tx, parse_uuid(&household, "outbox household")?)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The body of an outbox entry as it goes on the wire, checked against the hash that
    /// was recorded when the entry was made (a changed or damaged record is refused).
    pub fn outbox_record(&self, entry: &OutboxEntry) -> Result<RecordBody> {
        let body = match entry.kind {
            RecordKind::Photo => RecordBody::Photo(
                self.photo(&entry.record_id)?
                    .ok_or_else(|| StoreError::MissingPhoto(entry.record_id.clone()))?,
            ),
            RecordKind::Submission => {
                let id = parse_uuid(&entry.record_id, "outbox submission")?;
                let (submission, _) = self.submission(id)?.ok_or_else(|| StoreError::Corrupt {
                    what: format!("outbox names a missing submission {id}"),
                })?;
                RecordBody::Submission(submission)
            }
            RecordKind::Signature => {
                RecordBody::Signature(self.signature_record(&entry.record_id)?)
            }
            RecordKind::Finding => RecordBody::Finding(self.finding(&entry.record_id)?),
        };
        if body.content_sha256()? != entry.content_sha256 {
            return Err(StoreError::Corrupt {
                what: format!(
                    "{} {} no longer matches the hash it had when submitted",
                    entry.kind.code(),
                    entry.record_id
                ),
            });
        }
        Ok(body)
    }

    fn signature_record(&self, id: &str) -> Result<SignatureRecord> {
        self.conn
            .query_row(
                "SELECT household_id, slot, signer_name, method_json, image_sha256,
                        signed_content_sha256, signed_at, signer_json
                 FROM signatures WHERE id = ?1",
                [id],
                |row| {
                    Ok((
                        row.get::<_, String>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, String>(2)?,
                        row.get::<_, String>(3)?,
                        row.get::<_, String>(4)?,
                        row.get::<_, String>(5)?,
                        row.get::<_, String>(6)?,
                        row.get::<_, Option<String>>(7)?,
                    ))
                },
            )
            .optional()?
            .ok_or_else(|| StoreError::Corrupt {
                what: format!("outbox names a missing signature {id}"),
            })
            .and_then(
                |(household, slot, signer_name, method, image, content, at, signer)| {
                    let method: SignatureMethod = serde_json::from_str(&method)?;
                    let signer = signer.as_deref().map(serde_json::from_str).transpose()?;
                    Ok(SignatureRecord {
                        household_id: parse_uuid(&household, "signature household")?,
                        signature: SignatureMeta {
                            id: parse_uuid(id, "signature id")?,
                            slot,
                            signer_name,
                            method,
                            image_sha256: image,
                            signed_content_sha256: content,
                            signed_at: parse_time(&at)?,
                            signer,
                        },
                    })
                },
            )
    }

    fn finding(&self, id: &str) -> Result<Finding> {
        self.conn
            .query_row(
                &format!("SELECT {FINDING_COLUMNS} FROM findings f WHERE f.id = ?1"),
                [id],
                |row| Ok(read_finding(row)),
            )
            .optional()?
            .ok_or_else(|| StoreError::Corrupt {
                what: format!("outbox names a missing finding {id}"),
            })?
    }

    /// The office refused this entry for good: keep it, out of the queue, with the reason.
    pub fn reject(&mut self, seq: i64, code: u16, message: &str) -> Result<()> {
        self.conn.execute(
            "UPDATE outbox SET rejected_at = ?1, rejection_code = ?2, last_error = ?3,
                 attempts = attempts + 1
             WHERE seq = ?4",
            params![now().to_rfc3339(), code, message, seq],
        )?;
        Ok(())
    }

    /// Entries the office refused, for the inspector and the office to look at.
    pub fn rejected_outbox(&self) -> Result<Vec<(OutboxEntry, u16)>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {OUTBOX_COLUMNS}, rejection_code FROM outbox
             WHERE rejected_at IS NOT NULL ORDER BY seq"
        ))?;
        let rows = stmt.query_map([], |row| {
            Ok((read_outbox_entry(row), row.get::<_, u16>(7)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (entry, code) = row?;
            out.push((entry?, code));
        }
        Ok(out)
    }

    /// The ids of every household on the device (for the assigned-set digest).
    pub fn household_ids(&self) -> Result<Vec<Uuid>> {
        let mut stmt = self.conn.prepare_cached("SELECT id FROM households")?;
        let rows = stmt.query_map([], |row| row.get::<_, String>(0))?;
        let mut out = Vec::new();
        for row in rows {
            out.push(parse_uuid(&row?, "household id")?);
        }
        Ok(out)
    }
}

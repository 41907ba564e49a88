//! Reading rows back into the models: every column list here goes with the function that
//! reads it, and a value the database should never hold is reported as
//! [`StoreError::Corrupt`] rather than guessed at.

use anju_core::model::{ClockReading, Finding, Household, PhotoMeta, Submission, SubmissionKind};
use chrono::{DateTime, Utc};
use rusqlite::Row;
use uuid::Uuid;

use crate::{Draft, OutboxEntry, RecordKind, Result, StoreError};

pub(crate) fn parse_uuid(text: &str, what: &str) -> Result<Uuid> {
    Uuid::parse_str(text).map_err(|_| StoreError::Corrupt {
        what: format!("{what}: {text}"),
    })
}

pub(crate) fn parse_time(text: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| StoreError::Corrupt {
            what: format!("time {text}"),
        })
}

pub(crate) fn read_household(row: &Row<'_>) -> Result<Household> {
    let id: String = row.get(0)?;
    let id_number: String = row.get(3)?;
    let members: String = row.get(5)?;
    let mode: String = row.get(10)?;
    let kind: String = row.get(11)?;
    Ok(Household {
        id: parse_uuid(&id, "household id")?,
        number: row.get(1)?,
        head_name: row.get(2)?,
        id_number: anju_core::IdNumber::parse(&id_number).map_err(|e| StoreError::Corrupt {
            what: e.to_string(),
        })?,
        size: row.get(4)?,
        members: serde_json::from_str(&members)?,
        phone: row.get(6)?,
        township: row.get(7)?,
        village: row.get(8)?,
        site: row.get(9)?,
        mode: anju_core::model::PlacementMode::from_code(&mode).ok_or(StoreError::Corrupt {
            what: format!("placement mode {mode}"),
        })?,
        kind: anju_core::model::PlacementKind::from_code(&kind).ok_or(StoreError::Corrupt {
            what: format!("placement kind {kind}"),
        })?,
        location: match (
            row.get::<_, Option<f64>>(12)?,
            row.get::<_, Option<f64>>(13)?,
        ) {
            (Some(latitude), Some(longitude)) => Some(
                anju_core::location::Coordinates::new(latitude, longitude).map_err(|e| {
                    StoreError::Corrupt {
                        what: e.to_string(),
                    }
                })?,
            ),
            _ => None,
        },
    })
}

pub(crate) fn read_kind(code: &str) -> Result<SubmissionKind> {
    SubmissionKind::from_code(code).ok_or(StoreError::Corrupt {
        what: format!("submission kind {code}"),
    })
}

pub(crate) fn read_draft(row: &Row<'_>) -> Result<Draft> {
    let id: String = row.get(0)?;
    let household: String = row.get(1)?;
    let kind: String = row.get(2)?;
    let answers: String = row.get(5)?;
    let updated: String = row.get(7)?;
    Ok(Draft {
        id: parse_uuid(&id, "draft id")?,
        household_id: parse_uuid(&household, "household id")?,
        kind: read_kind(&kind)?,
        form_id: row.get(3)?,
        form_version: row.get(4)?,
        answers: serde_json::from_str(&answers)?,
        revision: row.get(6)?,
        updated_at: parse_time(&updated)?,
        finding_id: row
            .get::<_, Option<String>>("finding_id")?
            .map(|id| parse_uuid(&id, "finding id"))
            .transpose()?,
    })
}

pub(crate) fn read_clock(
    device: &str,
    trusted: Option<String>,
    offset: Option<i64>,
) -> Result<ClockReading> {
    Ok(ClockReading {
        device_time: parse_time(device)?,
        trusted_time: trusted.as_deref().map(parse_time).transpose()?,
        offset_ms: offset,
    })
}

pub(crate) fn read_submission(row: &Row<'_>) -> Result<Submission> {
    let id: String = row.get(0)?;
    let household: String = row.get(1)?;
    let kind: String = row.get(2)?;
    let answers: String = row.get(6)?;
    let device: String = row.get(7)?;
    Ok(Submission {
        id: parse_uuid(&id, "submission id")?,
        household_id: parse_uuid(&household, "household id")?,
        kind: read_kind(&kind)?,
        form_id: row.get(3)?,
        form_version: row.get(4)?,
        inspector: row.get(5)?,
        answers: serde_json::from_str(&answers)?,
        clock: read_clock(&device, row.get(8)?, row.get(9)?)?,
        policy_version: row.get(10)?,
        recorded_area: row
            .get::<_, Option<String>>(11)?
            .map(|json| serde_json::from_str(&json))
            .transpose()?,
        position: row
            .get::<_, Option<String>>(12)?
            .map(|json| serde_json::from_str(&json))
            .transpose()?,
        finding_id: row
            .get::<_, Option<String>>("finding_id")?
            .map(|id| parse_uuid(&id, "finding id"))
            .transpose()?,
    })
}

/// The columns [`read_photo`] reads, from `photos`.
pub(crate) const PHOTO_COLUMNS: &str = "sha256, household_id, slot, bytes, width, height,
    device_time, trusted_time, clock_offset_ms, latitude, longitude, fix_json, source,
    camera_time";

pub(crate) fn read_photo(row: &Row<'_>) -> Result<PhotoMeta> {
    let household: String = row.get(1)?;
    let device: String = row.get(6)?;
    Ok(PhotoMeta {
        sha256: row.get(0)?,
        household_id: parse_uuid(&household, "household id")?,
        slot: row.get(2)?,
        bytes: row.get::<_, i64>(3)?.max(0) as u64,
        width: row.get(4)?,
        height: row.get(5)?,
        taken: read_clock(&device, row.get(7)?, row.get(8)?)?,
        latitude: row.get(9)?,
        longitude: row.get(10)?,
        fix: row
            .get::<_, Option<String>>(11)?
            .map(|json| serde_json::from_str(&json))
            .transpose()?,
        source: row
            .get::<_, Option<String>>(12)?
            .map(|code| {
                anju_core::location::PhotoSource::from_code(&code).ok_or(StoreError::Corrupt {
                    what: format!("photo source {code}"),
                })
            })
            .transpose()?,
        camera_time: row
            .get::<_, Option<String>>(13)?
            .map(|text| {
                chrono::NaiveDateTime::parse_from_str(&text, CAMERA_TIME_FORMAT).map_err(|e| {
                    StoreError::Corrupt {
                        what: format!("camera time {text}: {e}"),
                    }
                })
            })
            .transpose()?,
    })
}

pub(crate) const CAMERA_TIME_FORMAT: &str = "%Y-%m-%dT%H:%M:%S";

/// The columns [`read_finding`] reads, from `findings f`: the record as it was made and
/// is sent.
pub(crate) const FINDING_COLUMNS: &str =
    "f.id, f.household_id, f.submission_id, f.item, f.description, f.deadline, f.state";
/// The same with the office's state over the device's, from `findings f` left-joined with
/// `office_findings office`: what the lists show.
pub(crate) const SHOWN_FINDING_COLUMNS: &str = "f.id, f.household_id, f.submission_id, f.item,
    f.description, f.deadline, coalesce(office.state, f.state)";

pub(crate) fn read_finding(row: &Row<'_>) -> Result<Finding> {
    let id: String = row.get(0)?;
    let household: String = row.get(1)?;
    let submission: Option<String> = row.get(2)?;
    let deadline: String = row.get(5)?;
    let state: String = row.get(6)?;
    Ok(Finding {
        id: parse_uuid(&id, "finding id")?,
        household_id: parse_uuid(&household, "finding household")?,
        submission_id: submission
            .as_deref()
            .map(|s| parse_uuid(s, "finding submission"))
            .transpose()?,
        item: row.get(3)?,
        description: row.get(4)?,
        deadline: deadline.parse().map_err(|_| StoreError::Corrupt {
            what: format!("finding deadline {deadline}"),
        })?,
        state: serde_json::from_value(serde_json::Value::String(state))?,
    })
}

/// The columns [`read_outbox_entry`] reads.
pub(crate) const OUTBOX_COLUMNS: &str =
    "seq, record_kind, record_id, household_id, content_sha256, attempts, last_error";

pub(crate) fn read_outbox_entry(row: &Row<'_>) -> Result<OutboxEntry> {
    let kind: String = row.get(1)?;
    let household: String = row.get(3)?;
    Ok(OutboxEntry {
        seq: row.get(0)?,
        kind: RecordKind::from_code(&kind).ok_or(StoreError::Corrupt {
            what: format!("outbox kind {kind}"),
        })?,
        record_id: row.get(2)?,
        household_id: parse_uuid(&household, "outbox household")?,
        content_sha256: row.get(4)?,
        attempts: row.get(5)?,
        last_error: row.get(6)?,
    })
}

//! The district's policy at the office: every version kept (none is ever changed), read
//! once per set of versions, and a new one set from a policy file, after which the
//! submissions from its date on are judged again.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use anju_core::district_policy::{PolicyFile, PolicyHistory, PolicyVersion};
use anju_core::records::{china_date, made_at};
use anju_sql::{Connection, OptionalExtension, params};
use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::{Result, after_submission, stored_submission, time};
use crate::db::{OfficeDb, OfficeDbError};

/// The setting where offices before policies kept their sampling rule.
const LEGACY_SAMPLE_RULE: &str = "sample_rule";

/// Versions are immutable, so the versions of a database read once stand until another is
/// set: kept by database file and (count, highest version), which a new version changes.
type PolicyCache = HashMap<String, ((u32, u32), Arc<PolicyHistory>)>;
static POLICY_CACHE: LazyLock<Mutex<PolicyCache>> = LazyLock::new(Default::default);

/// Every policy version the office set. A row that cannot be read is left out (and
/// listed by `anju-office damaged`). Read once per set of versions: a push checks many
/// records against them.
pub fn policy_history(conn: &Connection) -> Result<Arc<PolicyHistory>> {
    let key: (u32, u32) = conn.query_row(
        "SELECT count(*), coalesce(max(version), 0) FROM policies",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let file = conn.location();
    if let Some(file) = &file {
        let cache = POLICY_CACHE.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((cached, history)) = cache.get(file)
            && *cached == key
        {
            return Ok(Arc::clone(history));
        }
    }
    let history = Arc::new(read_policy_history(conn)?);
    if let Some(file) = file {
        POLICY_CACHE
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(file, (key, Arc::clone(&history)));
    }
    Ok(history)
}

fn read_policy_history(conn: &Connection) -> Result<PolicyHistory> {
    let mut stmt = conn.prepare_cached(
        "SELECT version, effective_from, set_by, set_at, policy_json FROM policies",
    )?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, u32>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
            ))
        })?
        .collect::<anju_sql::Result<Vec<_>>>()?;
    let mut versions = Vec::new();
    for (version, effective, set_by, set_at, json) in rows {
        match read_policy_row(version, &effective, set_by, &set_at, &json) {
            Ok(v) => versions.push(v),
            Err(reason) => tracing::warn!(version, %reason, "a policy version cannot be read"),
        }
    }
    Ok(PolicyHistory::new(versions))
}

pub(crate) fn read_policy_row(
    version: u32,
    effective: &str,
    set_by: String,
    set_at: &str,
    json: &str,
) -> std::result::Result<PolicyVersion, String> {
    Ok(PolicyVersion {
        version,
        effective_from: effective
            .parse()
            .map_err(|_| format!("effective_from {effective}"))?,
        set_by,
        set_at: DateTime::parse_from_rfc3339(set_at)
            .map_err(|_| format!("set_at {set_at}"))?
            .with_timezone(&Utc),
        policy: serde_json::from_str(json).map_err(|e| e.to_string())?,
    })
}

fn insert_policy(conn: &Connection, version: &PolicyVersion) -> Result<()> {
    conn.execute(
        "INSERT INTO policies (version, effective_from, policy_json, set_by, set_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            version.version,
            version.effective_from.to_string(),
            serde_json::to_string(&version.policy)?,
            version.set_by,
            time(version.set_at)
        ],
    )?;
    Ok(())
}

/// Version 1 for an office that has none: the default policy, with the sampling rule the
/// office had configured before policies existed.
pub fn ensure_policy(conn: &Connection) -> Result<()> {
    let any: bool = conn.query_row("SELECT EXISTS (SELECT 1 FROM policies)", [], |r| r.get(0))?;
    if any {
        return Ok(());
    }
    let mut initial = PolicyVersion::initial(Utc::now());
    let legacy: Option<String> = conn
        .query_row(
            "SELECT value FROM settings WHERE key = ?1",
            [LEGACY_SAMPLE_RULE],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(rule) = legacy.and_then(|json| serde_json::from_str(&json).ok()) {
        initial.policy.sampling = rule;
    }
    insert_policy(conn, &initial)
}

/// The policy an office starts with, in force since the programme began, set when the
/// office is created (the demo's, or an import's from its district). Only before any
/// submission has arrived: after that a new version takes effect from its own date.
pub fn set_founding_policy(
    conn: &Connection,
    policy: &anju_core::district_policy::DistrictPolicy,
    set_by: &str,
) -> Result<PolicyVersion> {
    policy
        .check()
        .map_err(|e| OfficeDbError::Corrupt(e.to_string()))?;
    let submissions: bool =
        conn.query_row("SELECT EXISTS (SELECT 1 FROM submissions)", [], |r| {
            r.get(0)
        })?;
    if submissions {
        return Err(OfficeDbError::Corrupt(
            "已有验收记录：新政策须从今天起生效 / submissions have arrived: a new policy takes effect from today".into(),
        ));
    }
    let latest: u32 =
        conn.query_row("SELECT coalesce(max(version), 0) FROM policies", [], |r| {
            r.get(0)
        })?;
    let version = PolicyVersion {
        version: latest + 1,
        effective_from: anju_core::district_policy::programme_start(),
        set_by: set_by.to_string(),
        set_at: Utc::now(),
        policy: policy.clone(),
    };
    insert_policy(conn, &version)?;
    Ok(version)
}

/// Why a new policy version was refused.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error(transparent)]
    File(#[from] anju_core::district_policy::PolicyFileError),
    #[error(
        "生效日期{effective}早于今天（{today}）：新政策不能追溯既往 / the effective date {effective} is before today ({today}): a new policy does not reach back"
    )]
    Retroactive {
        effective: NaiveDate,
        today: NaiveDate,
    },
    #[error("请写明设定人（姓名或部门） / say who sets the policy (a name or department)")]
    NoSetter,
    #[error(transparent)]
    Db(#[from] OfficeDbError),
}

impl From<anju_sql::Error> for PolicyError {
    fn from(error: anju_sql::Error) -> Self {
        Self::Db(OfficeDbError::Sql(error))
    }
}

/// The version a policy file's text would become if set now: checked (who sets it, its
/// date not before today) and numbered after the latest. Nothing is written.
pub fn next_version(
    conn: &Connection,
    text: &str,
    set_by: &str,
    now: DateTime<Utc>,
) -> std::result::Result<PolicyVersion, PolicyError> {
    let file = PolicyFile::parse(text)?;
    let set_by = set_by.trim();
    if set_by.is_empty() {
        return Err(PolicyError::NoSetter);
    }
    let today = china_date(now);
    let effective = file.effective_from.unwrap_or(today);
    if effective < today {
        return Err(PolicyError::Retroactive { effective, today });
    }
    let latest: u32 =
        conn.query_row("SELECT coalesce(max(version), 0) FROM policies", [], |r| {
            r.get(0)
        })?;
    Ok(PolicyVersion {
        version: latest + 1,
        effective_from: effective,
        set_by: set_by.to_string(),
        set_at: now,
        policy: file.policy,
    })
}

/// Set a new version of the policy from a policy file's text. It takes effect on its
/// `effective_from` (today if absent, never earlier); submissions of that day on are
/// judged again by it.
pub fn set_policy(
    db: &mut OfficeDb,
    text: &str,
    set_by: &str,
    now: DateTime<Utc>,
) -> std::result::Result<PolicyVersion, PolicyError> {
    let tx = db
        .connection_mut()
        .transaction_with_behavior(anju_sql::TransactionBehavior::Immediate)?;
    let version = next_version(&tx, text, set_by, now)?;
    insert_policy(&tx, &version)?;
    rejudge_since(&tx, version.effective_from, now)?;
    tx.commit()?;
    Ok(version)
}

/// Judge again the submissions made on or after `date` (a new version took effect).
fn rejudge_since(conn: &Connection, date: NaiveDate, now: DateTime<Utc>) -> Result<()> {
    // A day's margin on the UTC text: the China date is checked on the parsed time.
    let from = (date - Duration::days(1)).to_string();
    let ids: Vec<String> = conn
        .prepare(
            "SELECT id FROM live_submissions
             WHERE coalesce(trusted_time, device_time) >= ?1",
        )?
        .query_map([from], |r| r.get(0))?
        .collect::<anju_sql::Result<_>>()?;
    for id in ids {
        let Some(submission) = stored_submission(conn, &id)? else {
            continue;
        };
        if china_date(made_at(&submission.clock)) < date {
            continue;
        }
        // Judged again, with the findings the new version calls for (raised once only).
        after_submission(conn, &submission, "", now)?;
    }
    Ok(())
}

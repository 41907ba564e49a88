//! The office as the authority: it checks every record a device sends with the same code
//! the device uses (`anju_core::records`), judges each submission by the district's
//! policy in force on its date, raises 面积超标 and critical-item findings, closes 面积超标
//! when a spot check re-measures within the cap, and keeps each household's standing
//! (`household_states`) after every change that moves it.
//!
//! The rules are `anju_core::verdict`, `::judgement` and `::records`; this module gathers
//! their inputs from the database and stores what they say.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use anju_core::area::Area;
use anju_core::district_policy::{PolicyFile, PolicyHistory, PolicyVersion};
use anju_core::form::{Answer, FormSchema, form_by_id};
use anju_core::judgement::{SubmissionJudgement, judge_submission};
use anju_core::model::{Finding, FindingState, Submission, SubmissionKind};
use anju_core::records::{self, RecordProblem, TimeBounds, china_date, made_at};
use anju_core::verdict::{
    AcceptanceVerdict, FindingOrigin, FindingStanding, HouseholdStatus, LatestAcceptance, Review,
    VerdictInputs, acceptance_verdict, counts_as_accepted,
};
use anju_core::wire::RecordBody;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use uuid::Uuid;

use crate::db::{OfficeDb, OfficeDbError};

type Result<T, E = OfficeDbError> = std::result::Result<T, E>;

fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339()
}

// ---------------------------------------------------------------------------------------
// The policy
// ---------------------------------------------------------------------------------------

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
    let file = conn.path().filter(|p| !p.is_empty()).map(str::to_string);
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
        .collect::<rusqlite::Result<Vec<_>>>()?;
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

impl From<rusqlite::Error> for PolicyError {
    fn from(error: rusqlite::Error) -> Self {
        Self::Db(OfficeDbError::Sqlite(error))
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
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
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
        .collect::<rusqlite::Result<_>>()?;
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

// ---------------------------------------------------------------------------------------
// Checking what arrives
// ---------------------------------------------------------------------------------------

/// What is wrong with a pushed record, if anything: the problem with its field (a path
/// into the record's `body`).
pub fn check_record(
    conn: &Connection,
    body: &RecordBody,
    now: DateTime<Utc>,
) -> Result<Option<RecordProblem>> {
    let bounds = TimeBounds::at(now);
    let problem = match body {
        RecordBody::Photo(photo) => records::check_photo(photo, &bounds).err(),
        RecordBody::Signature(record) => {
            records::check_signature(&record.signature, &bounds, "signature").err()
        }
        RecordBody::Finding(finding) => match records::check_finding(finding) {
            Err(problem) => Some(problem),
            Ok(()) => finding_against_its_submission(conn, finding)?,
        },
        RecordBody::Submission(submission) => {
            let size: Option<u32> = conn
                .query_row(
                    "SELECT size FROM households WHERE id = ?1",
                    [submission.household_id.to_string()],
                    |r| r.get(0),
                )
                .optional()?;
            // An unknown household is answered as such by the caller.
            let Some(size) = size else { return Ok(None) };
            let policies = policy_history(conn)?;
            let ctx = records::SubmissionContext {
                household_size: size,
                policies: &policies,
                bounds,
            };
            records::check_submission(submission, &ctx)
                .err()
                .and_then(|problems| problems.into_iter().next())
        }
    };
    Ok(problem)
}

/// A finding belongs to its submission's household, and its item is an item of that
/// submission's form. A submission that has not arrived yet is checked when it does.
pub fn finding_against_its_submission(
    conn: &Connection,
    finding: &Finding,
) -> Result<Option<RecordProblem>> {
    let Some(submission) = finding.submission_id else {
        return Ok(None);
    };
    let stored: Option<(String, String, u32)> = conn
        .query_row(
            "SELECT household_id, form_id, form_version FROM submissions WHERE id = ?1",
            [submission.to_string()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let Some((household, form_id, version)) = stored else {
        return Ok(None);
    };
    if household != finding.household_id.to_string() {
        return Ok(Some(RecordProblem {
            field: "submission_id".into(),
            zh: format!("问题所属的验收记录{submission}是另一户的"),
            en: format!("the submission {submission} of this finding is another household's"),
        }));
    }
    if let (Some(item), Some(form)) = (&finding.item, form_by_id(&form_id, version))
        && form.item(item).is_none()
    {
        return Ok(Some(RecordProblem {
            field: "item".into(),
            zh: format!("表单{form_id}第{version}版没有“{item}”项"),
            en: format!("form {form_id} version {version} has no item '{item}'"),
        }));
    }
    Ok(None)
}

// ---------------------------------------------------------------------------------------
// After a record is stored
// ---------------------------------------------------------------------------------------

/// A stored submission as the device sent it. A row that cannot be read is `None` (and
/// listed by `anju-office damaged`).
fn stored_submission(conn: &Connection, id: &str) -> Result<Option<Submission>> {
    use crate::pages::submission::{SUBMISSION_COLUMNS, read_submission};
    let raw = conn
        .query_row(
            &format!("SELECT {SUBMISSION_COLUMNS} FROM submissions s WHERE s.id = ?1"),
            [id],
            read_submission,
        )
        .optional()?;
    let Some(raw) = raw else {
        return Ok(None);
    };
    match raw.parse().and_then(|stored| stored.to_submission()) {
        Ok(submission) => Ok(Some(submission)),
        Err(reason) => {
            tracing::warn!(submission = id, %reason, "a stored submission cannot be read");
            Ok(None)
        }
    }
}

fn store_judgement(
    conn: &Connection,
    submission: &Submission,
    judgement: &SubmissionJudgement,
    now: DateTime<Utc>,
) -> Result<()> {
    let quarters = |area: Area| i64::try_from(area.quarter_mm2()).ok();
    let assessment = judgement.assessment.as_ref();
    conn.execute(
        "INSERT INTO submission_checks (submission_id, policy_version, device_policy_version,
             built_area_quarter_mm2, cap_quarter_mm2, cap_rule, over_cap, critical_failures_json,
             people_found, people_registered, policy_mismatch_zh, policy_mismatch_en, checked_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
         ON CONFLICT (submission_id) DO UPDATE SET policy_version = excluded.policy_version,
             device_policy_version = excluded.device_policy_version,
             built_area_quarter_mm2 = excluded.built_area_quarter_mm2,
             cap_quarter_mm2 = excluded.cap_quarter_mm2, cap_rule = excluded.cap_rule,
             over_cap = excluded.over_cap, critical_failures_json = excluded.critical_failures_json,
             people_found = excluded.people_found, people_registered = excluded.people_registered,
             policy_mismatch_zh = excluded.policy_mismatch_zh,
             policy_mismatch_en = excluded.policy_mismatch_en, checked_at = excluded.checked_at",
        params![
            submission.id.to_string(),
            judgement.policy_version,
            judgement.device_policy_version,
            assessment.and_then(|a| quarters(a.built_area)),
            assessment.and_then(|a| quarters(a.cap.total)),
            assessment.map(|a| a.cap.rule_name.clone()),
            judgement.over_cap(),
            serde_json::to_string(&judgement.critical_failures)?,
            judgement.people_found,
            judgement.people_registered,
            judgement.policy_mismatch.as_ref().map(|t| t.zh.clone()),
            judgement.policy_mismatch.as_ref().map(|t| t.en.clone()),
            time(now)
        ],
    )?;
    Ok(())
}

/// The Chinese half of a bilingual rule name ("中文 / English").
fn chinese(text: &str) -> &str {
    text.split(" / ").next().unwrap_or(text)
}

/// A finding the office raises itself.
struct RaisedFinding {
    household_id: String,
    submission_id: String,
    item: String,
    description: String,
    deadline: NaiveDate,
    origin: FindingOrigin,
}

/// Raise a finding, once: a submission judged again (a new policy version, an office
/// brought up to date) does not raise what it raised before, whatever became of it.
fn raise(conn: &Connection, finding: &RaisedFinding, now: DateTime<Utc>) -> Result<()> {
    let raised_before: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM findings WHERE submission_id = ?1 AND origin = ?2
             AND item = ?3)",
        params![finding.submission_id, finding.origin.code(), finding.item],
        |r| r.get(0),
    )?;
    if raised_before {
        return Ok(());
    }
    conn.execute(
        "INSERT INTO findings (id, household_id, submission_id, item, description, deadline,
             state, created_at, updated_at, origin, critical)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'open', ?7, ?7, ?8, 1)",
        params![
            Uuid::now_v7().to_string(),
            finding.household_id,
            finding.submission_id,
            finding.item,
            finding.description,
            finding.deadline.to_string(),
            time(now),
            finding.origin.code()
        ],
    )?;
    Ok(())
}

fn unresolved_area_finding(conn: &Connection, household_id: &str) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM live_findings WHERE household_id = ?1
             AND origin = 'area_over_cap' AND state <> 'closed')",
        [household_id],
        |r| r.get(0),
    )?)
}

/// How an answer to a critical item reads, for the finding's description.
fn answer_label(form: &FormSchema, item: &str, answer: Option<&Answer>) -> String {
    let Some((_, item)) = form.item(item) else {
        return String::new();
    };
    let value = answer.map_or_else(String::new, |answer| {
        crate::pages::submission::answer_text(&item.kind, answer, None)
            .0
            .zh
    });
    format!("关键项不合格：{}为“{value}”", item.label.zh)
}

/// What follows a new submission: its judgement, the findings the office raises, 面积超标
/// closed by a spot check within the cap, and the household's standing.
pub fn after_submission(
    conn: &Connection,
    submission: &Submission,
    user_id: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let household = submission.household_id.to_string();
    let size: u32 = conn.query_row(
        "SELECT size FROM households WHERE id = ?1",
        [&household],
        |r| r.get(0),
    )?;
    let policies = policy_history(conn)?;
    let Some(judgement) = judge_submission(submission, size, &policies) else {
        return refresh_household(conn, &household, now).map(|_| ());
    };
    store_judgement(conn, submission, &judgement, now)?;
    let rectification_days = policies
        .version(judgement.policy_version)
        .map_or(30, |v| v.policy.rectification_days);
    let made_on = china_date(made_at(&submission.clock));
    let deadline = made_on + Duration::days(i64::from(rectification_days));
    if let Some(assessment) = &judgement.assessment {
        let over = assessment.is_over();
        if over && !unresolved_area_finding(conn, &household)? {
            let by = assessment.built_area - assessment.cap.total;
            raise(
                conn,
                &RaisedFinding {
                    household_id: household.clone(),
                    submission_id: submission.id.to_string(),
                    item: "area_measurement".into(),
                    description: format!(
                        "面积超标：建筑面积{}，超过上限{}（{}）{}",
                        assessment.built_area,
                        assessment.cap.total,
                        chinese(&assessment.cap.rule_name),
                        by
                    ),
                    deadline,
                    origin: FindingOrigin::AreaOverCap,
                },
                now,
            )?;
        }
        // The event names who closed it: the spot check's inspector (always a user, since
        // only a signed-in inspector pushes).
        if !over && submission.kind == SubmissionKind::SpotCheck && !user_id.is_empty() {
            close_area_findings(conn, &household, submission, assessment, user_id, now)?;
        }
    }
    if submission.kind == SubmissionKind::Acceptance && !judgement.critical_failures.is_empty() {
        // The inspector's own findings on an item cover it; the office raises the rest.
        let recorded: Vec<String> = match submission.answers.get("findings") {
            Some(Answer::Findings { items }) => {
                items.iter().filter_map(|f| f.item.clone()).collect()
            }
            _ => Vec::new(),
        };
        let form = form_by_id(&submission.form_id, submission.form_version);
        for item in &judgement.critical_failures {
            if recorded.contains(item) {
                continue;
            }
            let description = form
                .as_ref()
                .map(|f| answer_label(f, item, submission.answers.get(item)))
                .unwrap_or_else(|| format!("关键项不合格：{item}"));
            raise(
                conn,
                &RaisedFinding {
                    household_id: household.clone(),
                    submission_id: submission.id.to_string(),
                    item: item.clone(),
                    description,
                    deadline,
                    origin: FindingOrigin::CriticalItem,
                },
                now,
            )?;
        }
    }
    refresh_household(conn, &household, now).map(|_| ())
}

/// A spot check within the cap closes 面积超标: the re-measure is the evidence.
fn close_area_findings(
    conn: &Connection,
    household: &str,
    spot_check: &Submission,
    assessment: &anju_core::area::AreaAssessment,
    user_id: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let open: Vec<(String, String)> = conn
        .prepare_cached(
            "SELECT id, state FROM live_findings WHERE household_id = ?1
             AND origin = 'area_over_cap' AND state <> 'closed'",
        )?
        .query_map([household], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let note = format!(
        "抽查复核实测建筑面积{}，未超过上限{}（{}），据此销号",
        assessment.built_area,
        assessment.cap.total,
        chinese(&assessment.cap.rule_name)
    );
    let because = Some(spot_check.id.to_string());
    close_findings(conn, &open, &note, user_id, because.as_deref(), now)
}

/// Close these findings (id, state), each with an event that says why, by whom and, when a
/// submission was the reason, which.
fn close_findings(
    conn: &Connection,
    findings: &[(String, String)],
    note: &str,
    user_id: &str,
    submission_id: Option<&str>,
    now: DateTime<Utc>,
) -> Result<()> {
    for (id, from) in findings {
        conn.execute(
            "UPDATE findings SET state = 'closed', updated_at = ?2 WHERE id = ?1",
            params![id, time(now)],
        )?;
        conn.execute(
            "INSERT INTO finding_events (id, finding_id, from_state, to_state, note,
                 evidence_sha256, user_id, at, submission_id)
             VALUES (?1, ?2, ?3, 'closed', ?4, NULL, ?5, ?6, ?7)",
            params![
                Uuid::now_v7().to_string(),
                id,
                from,
                note,
                user_id,
                time(now),
                submission_id
            ],
        )?;
    }
    Ok(())
}

/// What follows a new finding from a device: it is critical when it is about a critical
/// item its submission failed.
pub fn after_finding(conn: &Connection, finding: &Finding, now: DateTime<Utc>) -> Result<()> {
    if let (Some(item), Some(submission)) = (&finding.item, finding.submission_id) {
        let failures: Option<String> = conn
            .query_row(
                "SELECT critical_failures_json FROM submission_checks WHERE submission_id = ?1",
                [submission.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        let failures: Vec<String> = failures
            .and_then(|json| serde_json::from_str(&json).ok())
            .unwrap_or_default();
        if failures.contains(item) {
            conn.execute(
                "UPDATE findings SET critical = 1 WHERE id = ?1",
                [finding.id.to_string()],
            )?;
        }
    }
    refresh_household(conn, &finding.household_id.to_string(), now).map(|_| ())
}

/// When the district returns an acceptance, the findings the office raised for it go
/// with it: they are closed, saying why.
pub fn close_raised_findings_of(
    conn: &Connection,
    submission_id: &str,
    user_id: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let open: Vec<(String, String)> = conn
        .prepare_cached(
            "SELECT id, state FROM findings WHERE submission_id = ?1
             AND origin <> 'inspector' AND state <> 'closed'",
        )?
        .query_map([submission_id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    close_findings(
        conn,
        &open,
        "所属验收记录已退回，随之销号",
        user_id,
        Some(submission_id),
        now,
    )
}

// ---------------------------------------------------------------------------------------
// Standing
// ---------------------------------------------------------------------------------------

/// Work out where a household stands now and store it.
pub fn refresh_household(
    conn: &Connection,
    household_id: &str,
    now: DateTime<Utc>,
) -> Result<HouseholdStatus> {
    let moved_in: bool = conn
        .query_row(
            "SELECT moved_in_at IS NOT NULL FROM households WHERE id = ?1",
            [household_id],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(false);
    /// The latest acceptance that counts: id, when made, approved, over the cap, failures.
    type Latest = (String, String, bool, Option<bool>, Option<String>);
    let latest: Option<Latest> = conn
        .query_row(
            "SELECT s.id, coalesce(s.trusted_time, s.device_time),
                    EXISTS (SELECT 1 FROM submission_reviews r
                            WHERE r.submission_id = s.id AND r.decision = 'approved'),
                    c.over_cap, c.critical_failures_json
             FROM accepted_submissions s
             LEFT JOIN submission_checks c ON c.submission_id = s.id
             WHERE s.household_id = ?1
             ORDER BY coalesce(s.trusted_time, s.device_time) DESC, s.id DESC LIMIT 1",
            [household_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .optional()?;
    let findings: Vec<FindingStanding> = conn
        .prepare_cached(
            "SELECT item, origin, critical, state FROM live_findings WHERE household_id = ?1",
        )?
        .query_map([household_id], |r| {
            Ok((
                r.get::<_, Option<String>>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, bool>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?
        .map(|row| {
            row.map(|(item, origin, critical, state)| FindingStanding {
                item,
                origin: FindingOrigin::from_code(&origin).unwrap_or(FindingOrigin::Inspector),
                critical,
                state: FindingState::from_code(&state).unwrap_or(FindingState::Open),
            })
        })
        .collect::<rusqlite::Result<_>>()?;
    let unresolved = findings
        .iter()
        .filter(|f| f.state != FindingState::Closed)
        .count() as u32;
    let over_cap: bool = conn
        .query_row(
            "SELECT c.over_cap FROM live_submissions s
             JOIN submission_checks c ON c.submission_id = s.id
             WHERE s.household_id = ?1 AND c.built_area_quarter_mm2 IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM submission_reviews r
                               WHERE r.submission_id = s.id AND r.decision = 'returned')
             ORDER BY coalesce(s.trusted_time, s.device_time) DESC, s.id DESC LIMIT 1",
            [household_id],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(false);
    let (acceptance, verdict, accepted, accepted_at) = match &latest {
        None => (None, None, false, None),
        Some((id, made, approved, over, failures)) => {
            let failures: Vec<String> = failures
                .as_deref()
                .and_then(|json| serde_json::from_str(json).ok())
                .unwrap_or_default();
            let verdict = acceptance_verdict(&VerdictInputs {
                area_over_cap: over.unwrap_or(false),
                critical_failures: &failures,
                findings: &findings,
            });
            let review = if *approved {
                Review::Approved
            } else {
                Review::Pending
            };
            let accepted = counts_as_accepted(review, verdict);
            (
                Some((id.clone(), LatestAcceptance { review, verdict })),
                Some(verdict),
                accepted,
                accepted.then(|| made.clone()),
            )
        }
    };
    let status = HouseholdStatus::of(acceptance.as_ref().map(|(_, l)| *l), unresolved, moved_in);
    conn.execute(
        "INSERT INTO household_states (household_id, status, verdict, accepted, acceptance_id,
             accepted_at, over_cap, unresolved_findings, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (household_id) DO UPDATE SET status = excluded.status,
             verdict = excluded.verdict, accepted = excluded.accepted,
             acceptance_id = excluded.acceptance_id, accepted_at = excluded.accepted_at,
             over_cap = excluded.over_cap, unresolved_findings = excluded.unresolved_findings,
             updated_at = excluded.updated_at",
        params![
            household_id,
            status.code(),
            verdict.map(AcceptanceVerdict::code),
            accepted,
            acceptance.map(|(id, _)| id),
            accepted_at,
            over_cap,
            unresolved,
            time(now)
        ],
    )?;
    Ok(status)
}

/// On start: a policy for an office that has none, a judgement for every submission
/// that has none (an office upgraded from before judgements), and every household's
/// standing. One transaction.
pub fn bring_up_to_date(db: &mut OfficeDb) -> Result<()> {
    let now = Utc::now();
    let tx = db
        .connection_mut()
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    ensure_policy(&tx)?;
    let unjudged: Vec<String> = tx
        .prepare(
            "SELECT s.id FROM live_submissions s
             WHERE NOT EXISTS (SELECT 1 FROM submission_checks c WHERE c.submission_id = s.id)
             ORDER BY coalesce(s.trusted_time, s.device_time), s.id",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for id in &unjudged {
        let Some(submission) = stored_submission(&tx, id)? else {
            continue;
        };
        let user: Option<String> = tx
            .query_row(
                "SELECT u.id FROM users u WHERE u.name = ?1",
                [&submission.inspector],
                |r| r.get(0),
            )
            .optional()?;
        after_submission(&tx, &submission, user.as_deref().unwrap_or(""), now)?;
    }
    let stale: Vec<String> = tx
        .prepare(
            "SELECT h.id FROM households h
             WHERE NOT EXISTS (SELECT 1 FROM household_states st WHERE st.household_id = h.id)
               AND (EXISTS (SELECT 1 FROM submissions s WHERE s.household_id = h.id)
                    OR EXISTS (SELECT 1 FROM findings f WHERE f.household_id = h.id)
                    OR h.moved_in_at IS NOT NULL)",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for id in &stale {
        refresh_household(&tx, id, now)?;
    }
    tx.commit()?;
    Ok(())
}

//! The office as the authority: it checks every record a device sends with the same code
//! the device uses (`anju_core::records`), judges each submission by the district's
//! policy in force on its date, raises 面积超标 and critical-item findings, closes 面积超标
//! when a spot check re-measures within the cap, and keeps each household's standing
//! (`household_states`) after every change that moves it.
//!
//! The rules are `anju_core::verdict`, `::judgement` and `::records`; this module gathers
//! their inputs from the database and stores what they say.

use anju_core::area::Area;
use anju_core::form::{Answer, FormSchema};
use anju_core::judgement::{SubmissionJudgement, judge_submission};
use anju_core::model::{
    Finding, Placement, PlacementKind, PlacementMode, Submission, SubmissionKind,
};
use anju_core::records::{self, RecordProblem, TimeBounds, china_date, made_at};
use anju_core::verdict::FindingOrigin;
use anju_core::wire::RecordBody;
use anju_sql::{Connection, OptionalExtension, params};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use uuid::Uuid;

use crate::db::OfficeDbError;

mod location;
mod old_house;
mod parts;
mod policy;
mod recheck;
mod standing;
mod tasks;

pub use location::{CAMERA_TIME_FORMAT, PhotoFlags, PhotoPlace, read_place};

pub use old_house::visit_returned;
pub(crate) use policy::read_policy_row;
pub use policy::{
    PolicyError, ensure_policy, next_version, policy_history, set_founding_policy, set_policy,
};
pub use recheck::{cancel_rechecks, plan_recheck, recheck_confirmed};
pub use standing::{bring_up_to_date, refresh_household};
pub use tasks::tasks_for;

type Result<T, E = OfficeDbError> = std::result::Result<T, E>;

fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339()
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
            let household: Option<(u32, String, String)> = conn
                .query_row(
                    "SELECT size, mode, kind FROM households WHERE id = ?1",
                    [submission.household_id.to_string()],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            // An unknown household is answered as such by the caller.
            let Some((size, mode, kind)) = household else {
                return Ok(None);
            };
            let placement = PlacementMode::from_code(&mode)
                .zip(PlacementKind::from_code(&kind))
                .map(|(mode, kind)| Placement { mode, kind });
            let policies = policy_history(conn)?;
            let forms = crate::forms::form_catalog(conn)?;
            // A part is the part of its sender's department (the push checked the sender
            // is the submission's inspector).
            let part_department = if submission.kind == SubmissionKind::AcceptancePart {
                conn.query_row(
                    "SELECT department FROM users WHERE name = ?1",
                    [&submission.inspector],
                    |r| r.get::<_, Option<String>>(0),
                )
                .optional()?
                .flatten()
                .and_then(|code| anju_core::model::Department::from_code(&code))
            } else {
                None
            };
            let ctx = records::SubmissionContext {
                household_size: size,
                policies: &policies,
                bounds,
                forms: &forms,
                placement,
                part_department,
            };
            match records::check_submission(submission, &ctx) {
                Err(problems) => problems.into_iter().next(),
                Ok(_) => match recheck::recheck_problem(conn, submission)? {
                    Some(problem) => Some(problem),
                    None => crate::teams::signer_problem(conn, submission)?,
                },
            }
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
    let Some(item) = &finding.item else {
        return Ok(None);
    };
    let forms = crate::forms::form_catalog(conn)?;
    if let Some(form) = forms.get(&form_id, version)
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
    use crate::services::submission::{SUBMISSION_COLUMNS, read_submission};
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
        crate::services::submission::answer_text(&item.kind, answer, None)
            .0
            .zh
    });
    format!("关键项不合格：{}为“{value}”", item.label.zh)
}

/// A building visit the district returned no longer says where its house stands; the one
/// before it does again.
pub fn construction_visit_returned(conn: &Connection, submission_id: &str) -> Result<()> {
    conn.execute(
        "DELETE FROM construction_visits WHERE submission_id = ?1",
        [submission_id],
    )?;
    Ok(())
}

/// What follows a new submission: its judgement, the findings the office raises, 面积超标
/// closed by a spot check within the cap, and the household's standing.
pub fn after_submission(
    conn: &Connection,
    submission: &Submission,
    user_id: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    if submission.kind == SubmissionKind::AcceptancePart {
        return parts::part_arrived(conn, submission, user_id, now);
    }
    let household = submission.household_id.to_string();
    if let Some((step, _)) = anju_core::visits::MilestoneStep::checked_by(submission.kind) {
        old_house::record_visit(conn, submission, step, now)?;
    }
    if submission.kind == SubmissionKind::Recheck {
        recheck::record_recheck(conn, submission, user_id, now)?;
    }
    if let Some(stage) = anju_core::construction::stage_of(submission) {
        conn.execute(
            "INSERT INTO construction_visits (submission_id, household_id, stage, visited_on,
                 recorded_at)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (submission_id) DO NOTHING",
            params![
                submission.id.to_string(),
                household,
                stage.code(),
                china_date(made_at(&submission.clock)).to_string(),
                time(now)
            ],
        )?;
    }
    tasks::visit_arrived(conn, submission, now)?;
    let size: u32 = conn.query_row(
        "SELECT size FROM households WHERE id = ?1",
        [&household],
        |r| r.get(0),
    )?;
    let policies = policy_history(conn)?;
    let forms = crate::forms::form_catalog(conn)?;
    let Some(judgement) = judge_submission(submission, size, &policies, &forms) else {
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
        let form = forms.get(&submission.form_id, submission.form_version);
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
        .collect::<anju_sql::Result<_>>()?;
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
        .collect::<anju_sql::Result<_>>()?;
    close_findings(
        conn,
        &open,
        "所属验收记录已退回，随之销号",
        user_id,
        Some(submission_id),
        now,
    )
}

//! 整改复查 as the office decides it: the township's 已整改 plans a re-check task for the
//! household's inspector; the re-check that arrives does the task, and either confirms the
//! rectification (then the district closes the finding without a written reason) or sends
//! the finding back to the township.

use anju_core::form::{Answer, RECTIFIED_ITEM, Text, YesNo};
use anju_core::model::Submission;
use anju_core::records::china_date;
use anju_core::tasks::RECHECK_DAYS;
use anju_sql::{Connection, OptionalExtension, params};
use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::{Result, time};

/// Whether the latest re-check task of a finding was done and confirmed the rectification.
pub fn recheck_confirmed(conn: &Connection, finding_id: &str) -> Result<bool> {
    let outcome: Option<Option<String>> = conn
        .query_row(
            "SELECT outcome FROM tasks WHERE finding_id = ?1 AND kind = 'recheck'
               AND state <> 'cancelled'
             ORDER BY created_at DESC, id DESC LIMIT 1",
            [finding_id],
            |r| r.get(0),
        )
        .optional()?;
    Ok(outcome.flatten().as_deref() == Some("confirmed"))
}

/// The township reported `finding_id` rectified: a re-check task for the household's
/// inspector (none when the household has none: the district assigns it), due in
/// [`RECHECK_DAYS`]. An open re-check of the same finding is replaced.
pub fn plan_recheck(
    conn: &Connection,
    household_id: &str,
    finding_id: &str,
    created_by: &str,
    now: DateTime<Utc>,
) -> Result<String> {
    conn.execute(
        "UPDATE tasks SET state = 'cancelled', done_at = ?2
         WHERE finding_id = ?1 AND kind = 'recheck' AND state = 'open'",
        params![finding_id, time(now)],
    )?;
    // The inspector the household was assigned to last.
    let assignee: Option<String> = conn
        .query_row(
            "SELECT a.user_id FROM assignments a JOIN users u ON u.id = a.user_id
             WHERE a.household_id = ?1 AND u.role = 'inspector'
             ORDER BY a.seq DESC LIMIT 1",
            [household_id],
            |r| r.get(0),
        )
        .optional()?;
    let id = Uuid::now_v7().to_string();
    let due = china_date(now) + Duration::days(RECHECK_DAYS);
    conn.execute(
        "INSERT INTO tasks (id, kind, visit_kind, household_id, finding_id, assignee_id, due_on,
             state, created_at, created_by)
         VALUES (?1, 'recheck', 'recheck', ?2, ?3, ?4, ?5, 'open', ?6, ?7)",
        params![
            id,
            household_id,
            finding_id,
            assignee,
            due.to_string(),
            time(now),
            (!created_by.is_empty()).then_some(created_by)
        ],
    )?;
    Ok(id)
}

/// The finding no longer waits for a re-check (closed from the desk, or sent back): its
/// open re-check task is cancelled, and leaves the inspector's list at the next pull.
pub fn cancel_rechecks(conn: &Connection, finding_id: &str, now: DateTime<Utc>) -> Result<()> {
    conn.execute(
        "UPDATE tasks SET state = 'cancelled', done_at = ?2
         WHERE finding_id = ?1 AND kind = 'recheck' AND state = 'open'",
        params![finding_id, time(now)],
    )?;
    Ok(())
}

/// A re-check arrived: it does the finding's open task (or records one done, when it came
/// without a task), and a 否 sends a rectified finding back to the township.
pub(super) fn record_recheck(
    conn: &Connection,
    submission: &Submission,
    user_id: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let Some(finding) = submission.finding_id.map(|id| id.to_string()) else {
        return Ok(());
    };
    let confirmed = matches!(
        submission.answers.get(RECTIFIED_ITEM),
        Some(Answer::YesNo {
            value: YesNo::Yes,
            ..
        })
    );
    let outcome = if confirmed {
        "confirmed"
    } else {
        "not_rectified"
    };
    let submission_id = submission.id.to_string();
    let done = conn.execute(
        "UPDATE tasks SET state = 'done', outcome = ?2, submission_id = ?3, done_at = ?4
         WHERE id = (SELECT id FROM tasks WHERE finding_id = ?1 AND kind = 'recheck'
                     AND state = 'open' ORDER BY created_at DESC, id DESC LIMIT 1)",
        params![finding, outcome, submission_id, time(now)],
    )?;
    if done == 0 {
        conn.execute(
            "INSERT INTO tasks (id, kind, visit_kind, household_id, finding_id, assignee_id, due_on,
                 state, outcome, submission_id, created_at, done_at)
             VALUES (?1, 'recheck', 'recheck', ?2, ?3, ?4, ?5, 'done', ?6, ?7, ?8, ?8)",
            params![
                Uuid::now_v7().to_string(),
                submission.household_id.to_string(),
                finding,
                (!user_id.is_empty()).then_some(user_id),
                china_date(now).to_string(),
                outcome,
                submission_id,
                time(now)
            ],
        )?;
    }
    if !confirmed && !user_id.is_empty() {
        let note = match submission.answers.get("recheck_note") {
            Some(Answer::Text { value }) if !value.trim().is_empty() => {
                format!("整改复查未通过：{}", value.trim())
            }
            _ => "整改复查未通过".to_string(),
        };
        let reopened = conn.execute(
            "UPDATE findings SET state = 'reopened', updated_at = ?2
             WHERE id = ?1 AND state = 'rectified'",
            params![finding, time(now)],
        )?;
        if reopened > 0 {
            conn.execute(
                "INSERT INTO finding_events (id, finding_id, from_state, to_state, note,
                     evidence_sha256, user_id, at, submission_id)
                 VALUES (?1, ?2, 'rectified', 'reopened', ?3, NULL, ?4, ?5, ?6)",
                params![
                    Uuid::now_v7().to_string(),
                    finding,
                    note,
                    user_id,
                    time(now),
                    submission_id
                ],
            )?;
        }
    }
    Ok(())
}

/// A re-check names a finding of its own household.
pub fn recheck_problem(
    conn: &Connection,
    submission: &Submission,
) -> Result<Option<anju_core::records::RecordProblem>> {
    let Some(finding) = submission.finding_id else {
        return Ok(None);
    };
    let household: Option<String> = conn
        .query_row(
            "SELECT household_id FROM findings WHERE id = ?1",
            [finding.to_string()],
            |r| r.get(0),
        )
        .optional()?;
    let problem = match household {
        None => Some(Text {
            zh: format!("办公室没有要复查的问题{finding}"),
            en: format!("the office has no finding {finding} to re-check"),
        }),
        Some(h) if h != submission.household_id.to_string() => Some(Text {
            zh: format!("要复查的问题{finding}是另一户的"),
            en: format!("the finding {finding} to re-check is another household's"),
        }),
        Some(_) => None,
    };
    Ok(problem.map(|t| anju_core::records::RecordProblem {
        field: "finding_id".into(),
        zh: t.zh,
        en: t.en,
    }))
}

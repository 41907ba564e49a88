//! Where each household stands (`household_states`): worked out again after every change
//! that moves it, and for every household when the office opens.

use anju_core::model::FindingState;
use anju_core::verdict::{
    AcceptanceVerdict, FindingOrigin, FindingStanding, HouseholdStatus, LatestAcceptance, Review,
    VerdictInputs, acceptance_verdict, counts_as_accepted,
};
use anju_sql::{Connection, OptionalExtension, params};
use chrono::{DateTime, Utc};

use super::{Result, after_submission, ensure_policy, stored_submission, time};
use crate::db::OfficeDb;

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
        .collect::<anju_sql::Result<_>>()?;
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
        .transaction_with_behavior(anju_sql::TransactionBehavior::Immediate)?;
    ensure_policy(&tx)?;
    let unjudged: Vec<String> = tx
        .prepare(
            "SELECT s.id FROM live_submissions s
             WHERE NOT EXISTS (SELECT 1 FROM submission_checks c WHERE c.submission_id = s.id)
             ORDER BY coalesce(s.trusted_time, s.device_time), s.id",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<anju_sql::Result<_>>()?;
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
        .collect::<anju_sql::Result<_>>()?;
    for id in &stale {
        refresh_household(&tx, id, now)?;
    }
    tx.commit()?;
    Ok(())
}

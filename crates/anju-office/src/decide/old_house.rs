//! A visit that moves a milestone (旧房拆除核实, 宅基地复垦核实, 入住核实) as the office decides
//! it: a visit that confirms the step records the household's 已拆除 / 已复垦 / 已入住 on the
//! visit's date, in the order `anju_core::visits` sets (入住 only once accepted); what each visit did is kept (`old_house_visits`) so
//! the household's timeline can say why a visit moved nothing.

use anju_core::model::Submission;
use anju_core::office::OldHouse;
use anju_core::records::{china_date, made_at};
use anju_core::visits::{MilestoneStep, StepOutcome, confirmed_step, record_step};
use anju_sql::{Connection, OptionalExtension, params};
use chrono::{DateTime, NaiveDate, Utc};

use super::{Result, time};

fn date(text: Option<String>) -> Option<NaiveDate> {
    text.and_then(|t| t.parse().ok())
}

/// Record what `submission`, a visit checking `step`, does to its household. Once per
/// submission: a submission pushed again changes nothing.
pub(super) fn record_visit(
    conn: &Connection,
    submission: &Submission,
    step: MilestoneStep,
    now: DateTime<Utc>,
) -> Result<()> {
    let id = submission.id.to_string();
    let seen: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM old_house_visits WHERE submission_id = ?1)",
        [&id],
        |r| r.get(0),
    )?;
    if seen {
        return Ok(());
    }
    let household = submission.household_id.to_string();
    let visited_on = china_date(made_at(&submission.clock));
    let mut reason: Option<(String, String)> = None;
    let outcome = if confirmed_step(submission) != Some(step) {
        "not_confirmed"
    } else if step == MilestoneStep::MovedIn {
        match move_in(conn, &household, visited_on, china_date(now))? {
            Ok(None) => "recorded",
            Ok(Some(on)) => {
                reason = Some((
                    format!("入住已于{on}记录，日期不变"),
                    format!("the move-in was recorded on {on} already; the date stays"),
                ));
                "already"
            }
            Err(refused) => {
                let text = refused.to_string();
                let (zh, en) = text.split_once(" / ").unwrap_or((&text, &text));
                reason = Some((zh.to_string(), en.to_string()));
                "refused"
            }
        }
    } else {
        let old: Option<OldHouse> = conn
            .query_row(
                "SELECT agreement_signed_on, demolished_on, reclaimed_on FROM households
                 WHERE id = ?1",
                [&household],
                |r| {
                    Ok(OldHouse {
                        agreement_signed_on: date(r.get(0)?),
                        demolished_on: date(r.get(1)?),
                        reclaimed_on: date(r.get(2)?),
                    })
                },
            )
            .optional()?;
        let old = old.unwrap_or_default();
        match record_step(old, step, visited_on, china_date(now)) {
            Ok(StepOutcome::Recorded(new)) => {
                conn.execute(
                    "UPDATE households SET demolished_on = ?2, reclaimed_on = ?3 WHERE id = ?1",
                    params![
                        household,
                        new.demolished_on.map(|d| d.to_string()),
                        new.reclaimed_on.map(|d| d.to_string())
                    ],
                )?;
                "recorded"
            }
            Ok(StepOutcome::AlreadyRecorded(on)) => {
                let label = step.label();
                reason = Some((
                    format!("{}已于{on}记录，日期不变", label.zh),
                    format!(
                        "the {} was recorded on {on} already; the date stays",
                        label.en
                    ),
                ));
                "already"
            }
            Err(refused) => {
                let text = refused.to_string();
                let (zh, en) = text.split_once(" / ").unwrap_or((&text, &text));
                reason = Some((zh.to_string(), en.to_string()));
                "refused"
            }
        }
    };
    let (reason_zh, reason_en) = reason.unzip();
    conn.execute(
        "INSERT INTO old_house_visits (submission_id, household_id, step, visited_on, outcome,
             reason_zh, reason_en, decided_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            id,
            household,
            step.code(),
            visited_on.to_string(),
            outcome,
            reason_zh,
            reason_en,
            time(now)
        ],
    )?;
    Ok(())
}

/// 先验收、后入住: 已入住 on `on` when the acceptance counts; `Ok(Some(date))` when a move-in
/// was recorded before (it stays), the refusal when the household is not accepted yet.
fn move_in(
    conn: &Connection,
    household: &str,
    on: NaiveDate,
    today: NaiveDate,
) -> Result<Result<Option<NaiveDate>, anju_core::office::MilestoneError>> {
    let moved: Option<String> = conn.query_row(
        "SELECT moved_in_at FROM households WHERE id = ?1",
        [household],
        |r| r.get(0),
    )?;
    if let Some(earlier) = date(moved) {
        return Ok(Ok(Some(earlier)));
    }
    let (accepted, status): (bool, String) = conn
        .query_row(
            "SELECT accepted, status FROM household_states WHERE household_id = ?1",
            [household],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .unwrap_or((false, "pending".into()));
    let status = anju_core::verdict::HouseholdStatus::from_code(&status)
        .unwrap_or(anju_core::verdict::HouseholdStatus::Pending);
    if let Err(refused) = anju_core::office::check_move_in(Some(on), accepted, status, today) {
        return Ok(Err(refused));
    }
    conn.execute(
        "UPDATE households SET moved_in_at = ?2 WHERE id = ?1",
        params![household, on.to_string()],
    )?;
    Ok(Ok(None))
}

/// The district returned (退回) a visit to the old house: a date it recorded is taken back,
/// unless a later step rests on it (a reclamation after the demolition): then the date
/// stays for the office to correct on the household page. Says whether a date was taken
/// back.
pub fn visit_returned(conn: &Connection, submission_id: &str) -> Result<bool> {
    let recorded: Option<(String, String, String)> = conn
        .query_row(
            "SELECT household_id, step, visited_on FROM old_house_visits
             WHERE submission_id = ?1 AND outcome = 'recorded'",
            [submission_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let Some((household, step, on)) = recorded else {
        return Ok(false);
    };
    let taken_back = match MilestoneStep::from_code(&step) {
        Some(MilestoneStep::Demolished) => conn.execute(
            "UPDATE households SET demolished_on = NULL
             WHERE id = ?1 AND demolished_on = ?2 AND reclaimed_on IS NULL",
            params![household, on],
        )?,
        Some(MilestoneStep::Reclaimed) => conn.execute(
            "UPDATE households SET reclaimed_on = NULL WHERE id = ?1 AND reclaimed_on = ?2",
            params![household, on],
        )?,
        Some(MilestoneStep::MovedIn) => conn.execute(
            "UPDATE households SET moved_in_at = NULL WHERE id = ?1 AND moved_in_at = ?2",
            params![household, on],
        )?,
        None => 0,
    };
    Ok(taken_back > 0)
}

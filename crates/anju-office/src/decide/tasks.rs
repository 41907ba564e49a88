//! Tasks as the devices receive them, and done as visits arrive: a planned visit is done by
//! a submission of its kind for its household; a re-check by the re-check of its finding
//! (`recheck`).

use anju_core::model::{Submission, SubmissionKind};
use anju_core::tasks::{MAX_TASKS_PER_PULL, Task, check_task};
use anju_sql::{Connection, params};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{Result, time};
use crate::names::Names;

/// A visit arrived: the open planned visits of its kind to its household are done.
pub(super) fn visit_arrived(
    conn: &Connection,
    submission: &Submission,
    now: DateTime<Utc>,
) -> Result<()> {
    if submission.kind == SubmissionKind::Recheck {
        return Ok(());
    }
    conn.execute(
        "UPDATE tasks SET state = 'done', submission_id = ?3, done_at = ?4
         WHERE kind = 'visit' AND state = 'open' AND household_id = ?1 AND visit_kind = ?2",
        params![
            submission.household_id.to_string(),
            submission.kind.code(),
            submission.id.to_string(),
            time(now)
        ],
    )?;
    Ok(())
}

/// The open tasks of an inspector, soonest due first, as their device receives them.
pub fn tasks_for(conn: &Connection, user_id: &str) -> Result<Vec<Task>> {
    let mut stmt = conn.prepare_cached(
        "SELECT t.id, t.household_id, t.visit_kind, t.finding_id, t.due_on, t.created_at,
                t.instructions, (SELECT u.name FROM users u WHERE u.id = t.created_by),
                f.description, f.item,
                (SELECT e.note FROM finding_events e WHERE e.finding_id = f.id
                   AND e.to_state = 'rectified' ORDER BY e.at DESC LIMIT 1),
                s.form_id, s.form_version, s.answers_json
         FROM tasks t
         LEFT JOIN findings f ON f.id = t.finding_id
         LEFT JOIN submissions s ON s.id = f.submission_id
         WHERE t.assignee_id = ?1 AND t.state = 'open'
         ORDER BY t.due_on, t.id
         LIMIT ?2",
    )?;
    let rows: Vec<crate::services::cells::Cells> = stmt
        .query_map(params![user_id, MAX_TASKS_PER_PULL as i64], |r| {
            Ok(crate::services::cells::Cells::read(r, 0..14))
        })?
        .collect::<anju_sql::Result<_>>()?;
    let forms = crate::forms::form_catalog(conn)?;
    let names = Names::load(conn)?;
    let mut tasks = Vec::with_capacity(rows.len());
    for cells in rows {
        // A task that cannot be read is left out of the list rather than failing the pull.
        match read_task(&cells, &forms, &names) {
            Ok(task) if check_task(&task).is_ok() => tasks.push(task),
            Ok(task) => tracing::warn!(task = %task.id, "a task that fails its check is not sent"),
            Err(reason) => tracing::warn!(task = %cells.id(), %reason, "a task cannot be read"),
        }
    }
    Ok(tasks)
}

fn read_task(
    cells: &crate::services::cells::Cells,
    forms: &anju_core::form::FormCatalog,
    names: &Names,
) -> std::result::Result<Task, String> {
    let uuid = |i: usize, what: &str| cells.parse(i, what, |t| Uuid::parse_str(t).ok());
    let form = cells
        .get(11)
        .zip(cells.get(12).and_then(|v| v.parse().ok()))
        .and_then(|(id, version)| forms.get(&id, version));
    let item_label = cells
        .get(9)
        .and_then(|key| form?.item(&key).map(|(_, i)| i.label.clone()));
    // The problem as first photographed, when the finding's item had a photo under it.
    let original_photo_sha256 = cells.get(9).and_then(|key| {
        let answers: anju_core::form::FormAnswers = serde_json::from_str(&cells.get(13)?).ok()?;
        anju_core::form::first_evidence_photo(form?, &answers, &key)
    });
    Ok(Task {
        id: uuid(0, "id")?,
        household_id: uuid(1, "household")?,
        visit: cells.parse(2, "visit_kind", SubmissionKind::from_code)?,
        finding_id: cells.parse_optional(3, "finding", |t| Uuid::parse_str(t).ok())?,
        due_on: cells.parse(4, "due_on", |t| t.parse().ok())?,
        created_at: cells.parse(5, "created_at", |t| {
            DateTime::parse_from_rfc3339(t)
                .ok()
                .map(|t| t.with_timezone(&Utc))
        })?,
        instructions: cells.get(6),
        planned_by: cells.get(7).map(|login| names.of(&login)),
        finding_description: cells.get(8),
        item_label,
        rectification_note: cells.get(10),
        original_photo_sha256,
    })
}

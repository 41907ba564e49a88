//! The findings list (整改台账): every finding in the viewer's townships with its whole
//! history, what the viewer may do with it, and how long is left; a damaged one is named
//! while the rest load.

use std::collections::BTreeMap;

use anju_core::form::{FormCatalog, Text};
use anju_core::model::FindingState;
use anju_core::office::{allowed_transitions, days_left};
use anju_core::verdict::FindingOrigin;
use anju_sql::{Connection, Value, params_from_iter};
use chrono::NaiveDate;

use super::cells::{Cells, stored_time};
use super::submission::parse_time;
use super::views::{DamagedRow, FindingEvent, FindingFilter, FindingList, FindingRow};
use super::{PageError, Result, Viewer, blob_url, today};
use crate::db::OfficeDb;
use crate::names::Names;

/// Who raised a finding the office's checks raised (面积超标, a critical item).
const OFFICE_RAISED: &str = "办公室（自动）";

fn state_of(code: &str) -> FindingState {
    FindingState::from_code(code).unwrap_or(FindingState::Open)
}

/// The events of these findings, by finding, in one query.
fn finding_events(
    conn: &Connection,
    finding_ids: &[&str],
    names: &Names,
) -> Result<BTreeMap<String, Vec<FindingEvent>>> {
    let mut stmt = conn.prepare_cached(
        "SELECT e.finding_id, e.at, u.name, e.from_state, e.to_state, e.note, e.evidence_sha256
         FROM finding_events e JOIN users u ON u.id = e.user_id
         WHERE e.finding_id IN (SELECT value FROM json_each(?1))
         ORDER BY e.at, e.id",
    )?;
    let raw = stmt
        .query_map([serde_json::to_string(finding_ids)?], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, Option<String>>(6)?,
            ))
        })?
        .collect::<anju_sql::Result<Vec<_>>>()?;
    let mut events: BTreeMap<String, Vec<FindingEvent>> = BTreeMap::new();
    for (finding, at, by, from, to, note, evidence) in raw {
        events.entry(finding).or_default().push(FindingEvent {
            at: parse_time(&at, "finding event")?,
            by_display: names.of(&by),
            by,
            from: from.as_deref().map(state_of),
            to: state_of(&to),
            note,
            evidence_url: evidence.as_deref().map(blob_url),
        });
    }
    Ok(events)
}

/// Findings in the viewer's townships that match `condition` (its parameters from `?2`),
/// and the ones that cannot be read.
pub(crate) fn findings_where(
    db: &OfficeDb,
    viewer: &Viewer,
    condition: &str,
    args: &[Value],
) -> Result<(Vec<FindingRow>, Vec<DamagedRow>)> {
    let conn = db.connection();
    let mut given = Vec::new();
    if viewer.scope().is_some() {
        given.push(1);
    }
    if matches!(args.first(), Some(Value::Text(_))) {
        given.push(2);
    }
    let mut stmt = conn.prepare_cached(&super::scoped(
        &format!(
            "SELECT f.id, f.household_id, h.number, h.head_name, t.name, f.item, f.description,
                f.deadline, f.state, f.created_at, f.updated_at, s.form_id, s.form_version,
                CASE WHEN f.origin <> 'inspector' THEN '{OFFICE_RAISED}'
                     ELSE coalesce(s.inspector,
                                   (SELECT u.name FROM users u WHERE u.id = f.received_by), '—')
                END,
                f.origin, f.critical,
                (SELECT k.state || '|' || coalesce(k.outcome, '') || '|' || k.due_on || '|'
                        || coalesce((SELECT u.name FROM users u WHERE u.id = k.assignee_id), '')
                 FROM tasks k WHERE k.finding_id = f.id AND k.state <> 'cancelled'
                 ORDER BY k.created_at DESC, k.id DESC LIMIT 1)
         FROM live_findings f
         JOIN households h ON h.id = f.household_id
         JOIN townships t ON t.id = h.township_id
         LEFT JOIN submissions s ON s.id = f.submission_id
         WHERE (?1 IS NULL OR h.township_id = ?1) AND {condition}
         ORDER BY f.state IN ('closed'), f.deadline, h.number"
        ),
        &given,
    ))?;
    let mut all_args = vec![
        viewer
            .scope()
            .map_or(Value::Null, |s| Value::Text(s.to_string())),
    ];
    all_args.extend(args.iter().cloned());
    let raw: Vec<Cells> = stmt
        .query_map(params_from_iter(all_args.iter()), |r| {
            Ok(Cells::read(r, 0..17))
        })?
        .collect::<anju_sql::Result<Vec<_>>>()?;
    let today = today();
    let ids: Vec<String> = raw.iter().filter_map(|row| row.get(0)).collect();
    let id_refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let names = Names::load(conn)?;
    let forms = crate::forms::form_catalog(conn)?;
    let mut history = finding_events(conn, &id_refs, &names)?;
    let mut rows = Vec::with_capacity(raw.len());
    let mut damaged = Vec::new();
    for cells in raw {
        let events = history.remove(&cells.id()).unwrap_or_default();
        match finding_row(&cells, events, viewer, today, &names, &forms) {
            Ok(row) => rows.push(row),
            Err(reason) => damaged.push(DamagedRow {
                kind: "finding".into(),
                id: cells.id(),
                reason,
            }),
        }
    }
    Ok((rows, damaged))
}

/// One finding row from its cells and its history after its birth, or why it cannot be
/// shown.
fn finding_row(
    cells: &Cells,
    history: Vec<FindingEvent>,
    viewer: &Viewer,
    today: NaiveDate,
    names: &Names,
    forms: &FormCatalog,
) -> std::result::Result<FindingRow, String> {
    let deadline: NaiveDate = cells.parse(7, "deadline", |t| t.parse().ok())?;
    let state = cells.parse(8, "state", FindingState::from_code)?;
    let origin = cells.parse(14, "origin", FindingOrigin::from_code)?;
    let created_at = cells.parse(9, "created_at", stored_time)?;
    let item = cells.get(5);
    let form = cells
        .get(11)
        .zip(cells.parse_optional(12, "form version", |v| v.parse::<u32>().ok())?);
    let item_label = match (&item, form) {
        (Some(key), Some((form, version))) => forms
            .get(&form, version)
            .and_then(|f| f.item(key).map(|(_, i)| i.label.clone())),
        _ => None,
    };
    // The finding's birth is the first line of its history: raised by an inspector, or
    // by the office's own checks.
    let by = cells.get(13).unwrap_or_else(|| "—".into());
    let by_display = if origin == FindingOrigin::Inspector {
        names.of(&by)
    } else {
        Text::new(OFFICE_RAISED, "the office (automatic)")
    };
    let mut events = vec![FindingEvent {
        at: created_at,
        by_display,
        by,
        from: None,
        to: FindingState::Open,
        note: None,
        evidence_url: None,
    }];
    events.extend(history);
    let recheck = cells
        .get(16)
        .and_then(|task| recheck_status(&task, today, names));
    Ok(FindingRow {
        recheck_overdue: recheck.as_ref().is_some_and(|(_, overdue)| *overdue),
        recheck: recheck.map(|(text, _)| text),
        origin,
        critical: cells.flag(15),
        events,
        allowed: allowed_transitions(origin, state, viewer.role),
        overdue: state.is_unresolved() && today > deadline,
        days_left: days_left(deadline, today),
        created_at,
        updated_at: cells.parse(10, "updated_at", stored_time)?,
        id: cells.id(),
        household_id: cells.text(1, "household")?,
        household_number: cells.text(2, "household number")?,
        head_name: cells.text(3, "head_name")?,
        township: cells.text(4, "township")?,
        description: cells.text(6, "description")?,
        item,
        item_label,
        deadline,
        state,
    })
}

/// Where the finding's latest 整改复查 stands (`state|outcome|due_on|assignee`), and
/// whether it is overdue.
fn recheck_status(task: &str, today: NaiveDate, names: &Names) -> Option<(Text, bool)> {
    let mut parts = task.splitn(4, '|');
    let (state, outcome, due, assignee) =
        (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    match (state, outcome) {
        ("done", "confirmed") => Some((
            Text::new(
                "复查已确认整改到位",
                "re-checked: the rectification is done",
            ),
            false,
        )),
        ("done", _) => Some((
            Text::new("复查未通过", "re-checked: the problem remains"),
            false,
        )),
        ("open", _) => {
            let due: NaiveDate = due.parse().ok()?;
            let overdue = due < today;
            let who = if assignee.is_empty() {
                Text::new("未指派检查员", "no inspector assigned")
            } else {
                names.of(assignee)
            };
            let (zh, en) = if overdue {
                ("复查逾期", "re-check overdue")
            } else {
                ("待复查", "re-check due")
            };
            Some((
                Text {
                    zh: format!("{zh}：{}，期限{due}", who.zh),
                    en: format!("{en}: {}, by {due}", who.en),
                },
                overdue,
            ))
        }
        _ => None,
    }
}

pub fn findings(db: &OfficeDb, viewer: &Viewer, filter: &FindingFilter) -> Result<FindingList> {
    let township = viewer.township_filter(db, filter.township.as_deref())?;
    let state = filter
        .state
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    if let Some(state) = state
        && FindingState::from_code(state).is_none()
    {
        return Err(PageError::Invalid(format!(
            "未知的整改状态“{state}” / unknown state '{state}' (open, rectified, closed, reopened)"
        )));
    }
    let origin = filter
        .origin
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    if let Some(origin) = origin
        && FindingOrigin::from_code(origin).is_none()
    {
        return Err(PageError::Invalid(format!(
            "未知的问题来源“{origin}” / unknown origin '{origin}' (inspector, area_over_cap, critical_item)"
        )));
    }
    let overdue = filter.overdue.unwrap_or(false);
    let (rows, damaged) = findings_where(
        db,
        viewer,
        "(?2 IS NULL OR h.township_id = ?2) AND (?3 IS NULL OR f.state = ?3)
         AND (?4 = 0 OR (f.state IN ('open', 'reopened') AND f.deadline < ?5))
         AND (?6 IS NULL OR f.origin = ?6)",
        &[
            township.map_or(Value::Null, Value::Text),
            state.map_or(Value::Null, |s| Value::Text(s.to_string())),
            Value::Integer(i64::from(overdue)),
            Value::Text(today().to_string()),
            origin.map_or(Value::Null, |o| Value::Text(o.to_string())),
        ],
    )?;
    Ok(FindingList { rows, damaged })
}

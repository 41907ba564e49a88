//! What the pages read.

use std::collections::BTreeMap;

use anju_core::form::{Text, form_by_id};
use anju_core::model::{FindingState, Member as CoreMember, PlacementKind, PlacementMode};
use anju_core::office::{HouseholdStatus, OldHouse, allowed_transitions, compare_areas, days_left};
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params, params_from_iter, types::Value};

use super::submission::{
    RawSubmission, SUBMISSION_COLUMN_COUNT, SUBMISSION_COLUMNS, parse_time, photo_rows,
    read_submission, recorded_and_remeasured, submission_view, submissions_of,
};
use super::views::*;
use super::{PageError, Result, Viewer, blob_url, today};
use crate::db::OfficeDb;
use crate::report::TOTAL_LABEL;

fn date(text: Option<String>) -> Option<NaiveDate> {
    // Dates are written by this module as YYYY-MM-DD; older rows may hold a timestamp.
    text.and_then(|t| t.get(..10).and_then(|d| d.parse().ok()))
}

/// The per-township table for the viewer's townships, with its total.
pub(crate) fn township_table(
    db: &OfficeDb,
    viewer: &Viewer,
) -> Result<(Vec<TownshipProgress>, TownshipProgress)> {
    let today = today().to_string();
    let mut stmt = db.connection().prepare_cached(
        "SELECT t.id, t.name,
                count(h.id),
                coalesce(sum(h.size), 0),
                count(h.id) FILTER (WHERE EXISTS (
                    SELECT 1 FROM accepted_submissions s WHERE s.household_id = h.id)),
                count(h.moved_in_at),
                count(h.agreement_signed_on),
                count(h.demolished_on),
                count(h.reclaimed_on),
                coalesce(sum((SELECT count(*) FROM findings f
                     WHERE f.household_id = h.id AND f.state IN ('open', 'reopened'))), 0),
                coalesce(sum((SELECT count(*) FROM findings f
                     WHERE f.household_id = h.id AND f.state IN ('open', 'reopened')
                       AND f.deadline < ?2)), 0)
         FROM townships t LEFT JOIN households h ON h.township_id = t.id
         WHERE ?1 IS NULL OR t.id = ?1
         GROUP BY t.id
         ORDER BY t.sort_order",
    )?;
    let rows = stmt
        .query_map(params![viewer.scope(), today], |r| {
            Ok(TownshipProgress {
                township_id: r.get(0)?,
                township: r.get(1)?,
                households: r.get(2)?,
                people: r.get(3)?,
                accepted: r.get(4)?,
                moved_in: r.get(5)?,
                agreement_signed: r.get(6)?,
                demolished: r.get(7)?,
                reclaimed: r.get(8)?,
                open_findings: r.get(9)?,
                overdue_findings: r.get(10)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut total = TownshipProgress {
        township: TOTAL_LABEL.to_string(),
        ..TownshipProgress::default()
    };
    for r in &rows {
        total.households += r.households;
        total.people += r.people;
        total.accepted += r.accepted;
        total.moved_in += r.moved_in;
        total.agreement_signed += r.agreement_signed;
        total.demolished += r.demolished;
        total.reclaimed += r.reclaimed;
        total.open_findings += r.open_findings;
        total.overdue_findings += r.overdue_findings;
    }
    Ok((rows, total))
}

/// Cumulative progress per day, from the first event to today.
fn timeline(db: &OfficeDb, viewer: &Viewer) -> Result<Vec<ProgressPoint>> {
    let mut stmt = db.connection().prepare_cached(
        "SELECT (SELECT min(coalesce(s.trusted_time, s.device_time)) FROM accepted_submissions s
                 WHERE s.household_id = h.id),
                h.moved_in_at, h.agreement_signed_on, h.demolished_on, h.reclaimed_on
         FROM households h WHERE ?1 IS NULL OR h.township_id = ?1",
    )?;
    let mut events: BTreeMap<NaiveDate, [u32; 5]> = BTreeMap::new();
    let rows = stmt.query_map([viewer.scope()], |r| {
        Ok([r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?])
    })?;
    for row in rows {
        let row: [Option<String>; 5] = row?;
        for (i, text) in row.into_iter().enumerate() {
            if let Some(day) = date(text) {
                events.entry(day).or_default()[i] += 1;
            }
        }
    }
    let mut running = [0u32; 5];
    let mut points: Vec<ProgressPoint> = events
        .into_iter()
        .map(|(day, counts)| {
            for (total, n) in running.iter_mut().zip(counts) {
                *total += n;
            }
            ProgressPoint {
                date: day,
                accepted: running[0],
                moved_in: running[1],
                agreement_signed: running[2],
                demolished: running[3],
                reclaimed: running[4],
            }
        })
        .collect();
    let today = today();
    if points.last().is_some_and(|p| p.date < today) {
        let mut last = points[points.len() - 1].clone();
        last.date = today;
        points.push(last);
    }
    Ok(points)
}

fn count(conn: &Connection, sql: &str, scope: Option<&str>) -> Result<u32> {
    Ok(conn.query_row(sql, [scope], |r| r.get(0))?)
}

const PENDING_REVIEW: &str = "SELECT count(*) FROM submissions s
     JOIN households h ON h.id = s.household_id
     WHERE (?1 IS NULL OR h.township_id = ?1)
       AND NOT EXISTS (SELECT 1 FROM submission_reviews r WHERE r.submission_id = s.id)";
const OPEN_CONFLICTS: &str = "SELECT count(*) FROM conflicts c
     WHERE c.decision IS NULL AND (?1 IS NULL OR EXISTS (
         SELECT 1 FROM households h WHERE h.township_id = ?1
           AND h.id = json_extract(c.body_json, '$.body.household_id')))";

pub fn dashboard(db: &OfficeDb, viewer: &Viewer) -> Result<Dashboard> {
    let (rows, total) = township_table(db, viewer)?;
    Ok(Dashboard {
        rows,
        total,
        timeline: timeline(db, viewer)?,
        pending_review: count(db.connection(), PENDING_REVIEW, viewer.scope())?,
        conflicts: count(db.connection(), OPEN_CONFLICTS, viewer.scope())?,
        today: today(),
    })
}

pub fn places(db: &OfficeDb, viewer: &Viewer) -> Result<Places> {
    let conn = db.connection();
    let townships = conn
        .prepare_cached(
            "SELECT id, name FROM townships WHERE ?1 IS NULL OR id = ?1 ORDER BY sort_order",
        )?
        .query_map([viewer.scope()], |r| {
            Ok(TownshipRef {
                id: r.get(0)?,
                name: r.get(1)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let sites = conn
        .prepare_cached(
            "SELECT s.id, s.name, s.township_id, count(h.id) FROM sites s
             JOIN townships t ON t.id = s.township_id
             LEFT JOIN households h ON h.site_id = s.id
             WHERE ?1 IS NULL OR s.township_id = ?1
             GROUP BY s.id ORDER BY t.sort_order, s.name",
        )?
        .query_map([viewer.scope()], |r| {
            Ok(SiteRef {
                id: r.get(0)?,
                name: r.get(1)?,
                township_id: r.get(2)?,
                households: r.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let inspectors = conn
        .prepare_cached(
            "SELECT name, department FROM users WHERE role = 'inspector' ORDER BY name",
        )?
        .query_map([], |r| {
            Ok(InspectorRef {
                name: r.get(0)?,
                department: r.get(1)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Places {
        townships,
        sites,
        inspectors,
        sample_rule: super::configured_rule(db)?,
    })
}

/// The columns of a household row; `?1` is the viewer's township (or NULL).
const ROW_SELECT: &str = "WITH base AS (
    SELECT h.id, h.number, h.head_name, h.size, t.name AS township, v.name AS village,
           s.name AS site, h.mode, h.kind, h.id_number, t.sort_order,
           (SELECT min(coalesce(sub.trusted_time, sub.device_time)) FROM accepted_submissions sub
             WHERE sub.household_id = h.id) AS accepted_at,
           (SELECT count(*) FROM findings f
             WHERE f.household_id = h.id AND f.state IN ('open', 'reopened')) AS open_findings,
           h.moved_in_at,
           (SELECT group_concat(u.name, ',') FROM assignments a JOIN users u ON u.id = a.user_id
             WHERE a.household_id = h.id) AS inspectors
    FROM households h
    JOIN townships t ON t.id = h.township_id
    JOIN villages v ON v.id = h.village_id
    LEFT JOIN sites s ON s.id = h.site_id
    WHERE ?1 IS NULL OR h.township_id = ?1
), rows AS (
    SELECT *, CASE WHEN moved_in_at IS NOT NULL THEN 'moved_in'
                   WHEN accepted_at IS NULL THEN 'pending'
                   WHEN open_findings > 0 THEN 'rectifying'
                   ELSE 'accepted' END AS status
    FROM base
)";
const ROW_COLUMNS: &str = "id, number, head_name, size, township, village, site, mode, kind,
    status, accepted_at, open_findings, inspectors";

fn read_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(HouseholdRow, Option<String>)> {
    let kind: String = r.get(8)?;
    let status: String = r.get(9)?;
    let inspectors: Option<String> = r.get(12)?;
    let accepted_at: Option<String> = r.get(10)?;
    let number: String = r.get(1)?;
    let mode: String = r.get(7)?;
    // The table's CHECK constraints allow only known codes.
    let corrupt = |what: &str| {
        rusqlite::Error::FromSqlConversionFailure(
            7,
            rusqlite::types::Type::Text,
            format!("household {number}: unknown {what}").into(),
        )
    };
    let kind = PlacementKind::from_code(&kind).ok_or_else(|| corrupt("kind"))?;
    let mode = match mode.as_str() {
        "concentrated" => PlacementMode::Concentrated,
        "scattered" => PlacementMode::Scattered,
        _ => return Err(corrupt("mode")),
    };
    let kind_label = Text::new(kind.label_zh(), kind.label_en());
    Ok((
        HouseholdRow {
            id: r.get(0)?,
            number,
            head_name: r.get(2)?,
            size: r.get(3)?,
            township: r.get(4)?,
            village: r.get(5)?,
            site: r.get(6)?,
            mode,
            kind,
            kind_label,
            status: HouseholdStatus::from_code(&status).unwrap_or(HouseholdStatus::Pending),
            accepted_at: None,
            open_findings: r.get(11)?,
            inspectors: inspectors
                .map(|s| s.split(',').map(str::to_string).collect())
                .unwrap_or_default(),
        },
        accepted_at,
    ))
}

fn finish_row((mut row, accepted_at): (HouseholdRow, Option<String>)) -> Result<HouseholdRow> {
    row.accepted_at = accepted_at
        .as_deref()
        .map(|t| parse_time(t, "accepted_at"))
        .transpose()?;
    Ok(row)
}

pub const MAX_PAGE: u32 = 500;

/// The households the viewer may see that match the filter, a page of them.
pub fn households(
    db: &OfficeDb,
    viewer: &Viewer,
    filter: &HouseholdFilter,
) -> Result<HouseholdPage> {
    let township = viewer.township_filter(db, filter.township.as_deref())?;
    if let Some(status) = filter.status.as_deref().filter(|s| !s.is_empty())
        && HouseholdStatus::from_code(status).is_none()
    {
        return Err(PageError::Invalid(format!(
            "未知的状态“{status}” / unknown status '{status}' (pending, accepted, rectifying, moved_in)"
        )));
    }
    if let Some(mode) = filter.mode.as_deref().filter(|s| !s.is_empty())
        && mode != "concentrated"
        && mode != "scattered"
    {
        return Err(PageError::Invalid(format!(
            "未知的安置方式“{mode}” / unknown placement mode '{mode}' (concentrated, scattered)"
        )));
    }
    let empty_none = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let q = empty_none(&filter.q).map(|q| format!("%{}%", q.replace(['%', '_'], "")));
    let where_clause = "WHERE (?2 IS NULL OR site = ?2) AND (?3 IS NULL OR mode = ?3)
          AND (?4 IS NULL OR status = ?4)
          AND (?5 IS NULL OR head_name LIKE ?5 OR number LIKE ?5 OR id_number LIKE ?5)";
    let args: Vec<Value> = vec![
        township.map_or(Value::Null, Value::Text),
        empty_none(&filter.site).map_or(Value::Null, Value::Text),
        empty_none(&filter.mode).map_or(Value::Null, Value::Text),
        empty_none(&filter.status).map_or(Value::Null, Value::Text),
        q.map_or(Value::Null, Value::Text),
    ];
    let conn = db.connection();
    let total: u32 = conn.query_row(
        &format!("{ROW_SELECT} SELECT count(*) FROM rows {where_clause}"),
        params_from_iter(args.iter()),
        |r| r.get(0),
    )?;
    let limit = filter.limit.unwrap_or(50).clamp(1, MAX_PAGE);
    let offset = filter.offset.unwrap_or(0);
    let mut page_args = args;
    page_args.push(Value::Integer(i64::from(limit)));
    page_args.push(Value::Integer(i64::from(offset)));
    let mut stmt = conn.prepare_cached(&format!(
        "{ROW_SELECT} SELECT {ROW_COLUMNS} FROM rows {where_clause}
         ORDER BY sort_order, number LIMIT ?6 OFFSET ?7"
    ))?;
    let raw = stmt
        .query_map(params_from_iter(page_args.iter()), read_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(HouseholdPage {
        total,
        rows: raw.into_iter().map(finish_row).collect::<Result<_>>()?,
    })
}

/// Every household the viewer may see that matches the filter (for exports).
pub fn all_households(
    db: &OfficeDb,
    viewer: &Viewer,
    filter: &HouseholdFilter,
) -> Result<Vec<HouseholdRow>> {
    let mut filter = filter.clone();
    let mut out = Vec::new();
    filter.offset = Some(0);
    filter.limit = Some(MAX_PAGE);
    loop {
        let page = households(db, viewer, &filter)?;
        let got = page.rows.len() as u32;
        out.extend(page.rows);
        if got < MAX_PAGE {
            return Ok(out);
        }
        filter.offset = Some(filter.offset.unwrap_or(0) + got);
    }
}

fn row_by_id(db: &OfficeDb, id: &str) -> Result<HouseholdRow> {
    let raw = db
        .connection()
        .query_row(
            &format!("{ROW_SELECT} SELECT {ROW_COLUMNS} FROM rows WHERE id = ?2"),
            params![Option::<String>::None, id],
            read_row,
        )
        .optional()?
        .ok_or_else(|| PageError::NotFound {
            what_zh: "住户",
            what_en: "household",
            id: id.to_string(),
        })?;
    finish_row(raw)
}

pub(crate) fn old_house_of(
    db: &OfficeDb,
    household_id: &str,
) -> Result<(Option<NaiveDate>, OldHouse)> {
    Ok(db.connection().query_row(
        "SELECT moved_in_at, agreement_signed_on, demolished_on, reclaimed_on FROM households
         WHERE id = ?1",
        [household_id],
        |r| {
            Ok((
                date(r.get(0)?),
                OldHouse {
                    agreement_signed_on: date(r.get(1)?),
                    demolished_on: date(r.get(2)?),
                    reclaimed_on: date(r.get(3)?),
                },
            ))
        },
    )?)
}

pub fn household(db: &OfficeDb, viewer: &Viewer, id: &str) -> Result<HouseholdDetail> {
    viewer.check_household(db, id)?;
    let row = row_by_id(db, id)?;
    let conn = db.connection();
    let (id_number, phone, members_json): (String, Option<String>, String) = conn.query_row(
        "SELECT id_number, phone, members_json FROM households WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let members: Vec<CoreMember> = serde_json::from_str(&members_json)?;
    let (moved_in_on, old_house) = old_house_of(db, id)?;
    let stored = submissions_of(conn, id)?;
    let photos = photo_rows(conn, id)?;
    let submissions = stored
        .iter()
        .map(|s| submission_view(conn, s, row.size, &photos))
        .collect::<Result<Vec<_>>>()?;
    let spot_check = match recorded_and_remeasured(&stored, row.size) {
        (Some(recorded), Some(remeasured)) => Some(compare_areas(recorded, remeasured)),
        _ => None,
    };
    let findings = findings_where(
        db,
        viewer,
        "f.household_id = ?2",
        &[Value::Text(id.to_string())],
    )?;
    Ok(HouseholdDetail {
        id_number,
        phone,
        members: members
            .into_iter()
            .map(|m| Member {
                name: m.name,
                relation: m.relation,
            })
            .collect(),
        moved_in_on,
        old_house,
        submissions,
        findings,
        spot_check,
        row,
    })
}

fn state_of(code: &str) -> FindingState {
    FindingState::from_code(code).unwrap_or(FindingState::Open)
}

/// The events of these findings, by finding, in one query.
fn finding_events(
    conn: &Connection,
    finding_ids: &[&str],
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
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut events: BTreeMap<String, Vec<FindingEvent>> = BTreeMap::new();
    for (finding, at, by, from, to, note, evidence) in raw {
        events.entry(finding).or_default().push(FindingEvent {
            at: parse_time(&at, "finding event")?,
            by,
            from: from.as_deref().map(state_of),
            to: state_of(&to),
            note,
            evidence_url: evidence.as_deref().map(blob_url),
        });
    }
    Ok(events)
}

/// Findings in the viewer's townships that match `condition` (its parameters from `?2`).
pub(crate) fn findings_where(
    db: &OfficeDb,
    viewer: &Viewer,
    condition: &str,
    args: &[Value],
) -> Result<Vec<FindingRow>> {
    let conn = db.connection();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT f.id, f.household_id, h.number, h.head_name, t.name, f.item, f.description,
                f.deadline, f.state, f.created_at, f.updated_at, s.form_id, s.form_version,
                coalesce(s.inspector, (SELECT u.name FROM users u WHERE u.id = f.received_by), '—')
         FROM findings f
         JOIN households h ON h.id = f.household_id
         JOIN townships t ON t.id = h.township_id
         LEFT JOIN submissions s ON s.id = f.submission_id
         WHERE (?1 IS NULL OR h.township_id = ?1) AND {condition}
         ORDER BY f.state IN ('closed'), f.deadline, h.number"
    ))?;
    let mut all_args = vec![
        viewer
            .scope()
            .map_or(Value::Null, |s| Value::Text(s.to_string())),
    ];
    all_args.extend(args.iter().cloned());
    let raw = stmt
        .query_map(params_from_iter(all_args.iter()), |r| {
            Ok((
                [
                    r.get::<_, String>(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                ],
                r.get::<_, Option<String>>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, String>(7)?,
                r.get::<_, String>(8)?,
                r.get::<_, String>(9)?,
                r.get::<_, String>(10)?,
                r.get::<_, Option<String>>(11)?,
                r.get::<_, Option<u32>>(12)?,
                r.get::<_, String>(13)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let today = today();
    let ids: Vec<&str> = raw.iter().map(|row| row.0[0].as_str()).collect();
    let mut history = finding_events(conn, &ids)?;
    raw.into_iter()
        .map(
            |(
                [id, household_id, number, head_name, township],
                item,
                description,
                deadline,
                state,
                created,
                updated,
                form_id,
                form_version,
                found_by,
            )| {
                let deadline: NaiveDate = deadline.parse().map_err(|_| {
                    PageError::Invalid(format!("finding {id}: deadline {deadline}"))
                })?;
                let state = state_of(&state);
                let item_label = match (&item, form_id, form_version) {
                    (Some(key), Some(form), Some(version)) => form_by_id(&form, version)
                        .and_then(|f| f.item(key).map(|(_, i)| i.label.clone())),
                    _ => None,
                };
                let created_at = parse_time(&created, "finding created_at")?;
                // The finding's birth is the first line of its history.
                let mut events = vec![FindingEvent {
                    at: created_at,
                    by: found_by,
                    from: None,
                    to: FindingState::Open,
                    note: None,
                    evidence_url: None,
                }];
                events.extend(history.remove(&id).unwrap_or_default());
                Ok(FindingRow {
                    events,
                    allowed: allowed_transitions(state, viewer.role),
                    overdue: state.is_unresolved() && today > deadline,
                    days_left: days_left(deadline, today),
                    created_at,
                    updated_at: parse_time(&updated, "finding updated_at")?,
                    id,
                    household_id,
                    household_number: number,
                    head_name,
                    township,
                    item,
                    item_label,
                    description,
                    deadline,
                    state,
                })
            },
        )
        .collect()
}

pub fn findings(db: &OfficeDb, viewer: &Viewer, filter: &FindingFilter) -> Result<Vec<FindingRow>> {
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
    let overdue = filter.overdue.unwrap_or(false);
    findings_where(
        db,
        viewer,
        "(?2 IS NULL OR h.township_id = ?2) AND (?3 IS NULL OR f.state = ?3)
         AND (?4 = 0 OR (f.state IN ('open', 'reopened') AND f.deadline < ?5))",
        &[
            township.map_or(Value::Null, Value::Text),
            state.map_or(Value::Null, |s| Value::Text(s.to_string())),
            Value::Integer(i64::from(overdue)),
            Value::Text(today().to_string()),
        ],
    )
}

pub fn review_queue(db: &OfficeDb, viewer: &Viewer) -> Result<ReviewQueue> {
    let conn = db.connection();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {SUBMISSION_COLUMNS}, h.number, h.head_name, t.name, h.size,
                (SELECT count(*) FROM findings f WHERE f.submission_id = s.id)
         FROM submissions s
         JOIN households h ON h.id = s.household_id
         JOIN townships t ON t.id = h.township_id
         WHERE (?1 IS NULL OR h.township_id = ?1)
           AND NOT EXISTS (SELECT 1 FROM submission_reviews r WHERE r.submission_id = s.id)
         ORDER BY s.received_at, s.id"
    ))?;
    type Pending = (RawSubmission, String, String, String, u32, u32);
    let raw: Vec<Pending> = stmt
        .query_map([viewer.scope()], |r| {
            let n = SUBMISSION_COLUMN_COUNT;
            Ok((
                read_submission(r)?,
                r.get(n)?,
                r.get(n + 1)?,
                r.get(n + 2)?,
                r.get(n + 3)?,
                r.get(n + 4)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut submissions = Vec::new();
    for (raw, number, head_name, township, size, findings) in raw {
        let s = raw.parse()?;
        let kind = s.submission_kind();
        submissions.push(ReviewItem {
            over_cap: s.assessment(size).is_some_and(|a| a.is_over()),
            submission_id: s.id,
            household_id: s.household_id,
            household_number: number,
            head_name,
            township,
            kind,
            inspector: s.inspector,
            received_at: s.received_at,
            findings,
        });
    }
    Ok(ReviewQueue {
        submissions,
        conflicts: super::actions::open_conflicts(db, viewer)?,
    })
}

pub fn assignments(
    db: &OfficeDb,
    viewer: &Viewer,
    township: Option<&str>,
) -> Result<AssignmentOverview> {
    let township = viewer.township_filter(db, township)?;
    let conn = db.connection();
    let mut stmt = conn.prepare_cached(
        "SELECT t.name, s.name, count(DISTINCT h.id), u.name, count(DISTINCT a.household_id)
         FROM households h
         JOIN townships t ON t.id = h.township_id
         LEFT JOIN sites s ON s.id = h.site_id
         LEFT JOIN assignments a ON a.household_id = h.id
         LEFT JOIN users u ON u.id = a.user_id
         WHERE ?1 IS NULL OR h.township_id = ?1
         GROUP BY t.id, s.id, u.id
         ORDER BY t.sort_order, s.name IS NULL, s.name, u.name",
    )?;
    let raw = stmt
        .query_map([township.as_deref()], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, u32>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, u32>(4)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    // The household count of a group comes from its rows without an inspector filter.
    let totals: BTreeMap<(String, Option<String>), u32> = conn
        .prepare_cached(
            "SELECT t.name, s.name, count(*) FROM households h
             JOIN townships t ON t.id = h.township_id LEFT JOIN sites s ON s.id = h.site_id
             WHERE ?1 IS NULL OR h.township_id = ?1 GROUP BY t.id, s.id",
        )?
        .query_map([township.as_deref()], |r| {
            Ok(((r.get(0)?, r.get(1)?), r.get(2)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut sites: Vec<AssignmentSite> = Vec::new();
    for (township, site, _, inspector, assigned) in raw {
        let households = totals
            .get(&(township.clone(), site.clone()))
            .copied()
            .unwrap_or(0);
        let same = sites
            .last()
            .is_some_and(|s| s.township == township && s.site == site);
        if !same {
            sites.push(AssignmentSite {
                township,
                site,
                households,
                assigned: Vec::new(),
            });
        }
        if let (Some(inspector), Some(last)) = (inspector, sites.last_mut()) {
            last.assigned.push(InspectorCount {
                inspector,
                households: assigned,
            });
        }
    }
    Ok(AssignmentOverview { sites })
}

pub fn old_houses(
    db: &OfficeDb,
    viewer: &Viewer,
    township: Option<&str>,
) -> Result<OldHouseReport> {
    let township = viewer.township_filter(db, township)?;
    let (rows, _) = township_table(db, viewer)?;
    let townships = rows
        .into_iter()
        .filter(|r| township.is_none() || r.township_id == township)
        .collect();
    let mut stmt = db.connection().prepare_cached(
        "SELECT h.id, h.number, h.head_name, t.name, h.agreement_signed_on, h.demolished_on,
                h.reclaimed_on
         FROM households h JOIN townships t ON t.id = h.township_id
         WHERE ?1 IS NULL OR h.township_id = ?1
         ORDER BY t.sort_order, h.number",
    )?;
    let households = stmt
        .query_map([township], |r| {
            Ok(OldHouseRow {
                household_id: r.get(0)?,
                number: r.get(1)?,
                head_name: r.get(2)?,
                township: r.get(3)?,
                old_house: OldHouse {
                    agreement_signed_on: date(r.get(4)?),
                    demolished_on: date(r.get(5)?),
                    reclaimed_on: date(r.get(6)?),
                },
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(OldHouseReport {
        townships,
        households,
    })
}

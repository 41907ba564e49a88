//! What the pages read.

use std::collections::BTreeMap;

use anju_core::form::Text;
use anju_core::model::{Member as CoreMember, PlacementKind, PlacementMode};
use anju_core::office::{OldHouse, compare_areas};
use anju_core::verdict::{AcceptanceVerdict, HouseholdStatus};
use anju_sql::{Connection, OptionalExtension, Value, params, params_from_iter};
use chrono::NaiveDate;

use super::cells::{Cells, stored_time};
use super::findings::findings_where;
use super::submission::{
    RawSubmission, SUBMISSION_COLUMN_COUNT, SUBMISSION_COLUMNS, photo_rows, read_submission,
    recorded_and_remeasured, submission_view, submissions_of,
};
use super::views::*;
use super::{PageError, Result, Viewer, scoped, today};
use crate::db::OfficeDb;
use crate::decide;
use crate::names::Names;
use crate::report::TOTAL_LABEL;

fn date(text: Option<String>) -> Option<NaiveDate> {
    // Dates are written by this module as YYYY-MM-DD; older rows may hold a timestamp.
    text.and_then(|t| t.get(..10).and_then(|d| d.parse().ok()))
}

/// The per-township table for the viewer's townships, with its total. One pass over the
/// households with their standing and a per-household count of findings.
pub(crate) fn township_table(
    db: &OfficeDb,
    viewer: &Viewer,
) -> Result<(Vec<TownshipProgress>, TownshipProgress)> {
    // Worked out once per change of the database and day, not once per page view.
    let key = format!(
        "township_table {} {}",
        viewer.scope().unwrap_or("*"),
        today()
    );
    db.cached(&key, |db| township_table_now(db, viewer))
}

fn township_table_now(
    db: &OfficeDb,
    viewer: &Viewer,
) -> Result<(Vec<TownshipProgress>, TownshipProgress)> {
    let today = today().to_string();
    let mut stmt = db.connection().prepare_cached(
        "SELECT t.id, t.name,
                count(h.id),
                coalesce(sum(h.size), 0),
                count(h.id) FILTER (WHERE h.mode = 'concentrated'),
                coalesce(sum(h.size) FILTER (WHERE h.mode = 'concentrated'), 0),
                count(h.id) FILTER (WHERE h.mode = 'scattered' AND h.kind <> 'bought'),
                coalesce(sum(h.size) FILTER (WHERE h.mode = 'scattered' AND h.kind <> 'bought'), 0),
                count(h.id) FILTER (WHERE h.mode = 'scattered' AND h.kind = 'bought'),
                coalesce(sum(h.size) FILTER (WHERE h.mode = 'scattered' AND h.kind = 'bought'), 0),
                count(h.id) FILTER (WHERE st.accepted = 1),
                count(h.id) FILTER (WHERE st.status = 'awaiting_review'),
                count(h.id) FILTER (WHERE st.status = 'failed'),
                count(h.id) FILTER (WHERE st.over_cap = 1),
                count(h.moved_in_at),
                count(h.agreement_signed_on),
                count(h.demolished_on),
                count(h.reclaimed_on),
                coalesce(sum(fs.unresolved), 0),
                coalesce(sum(fs.overdue), 0)
         FROM townships t
         LEFT JOIN households h ON h.township_id = t.id
         LEFT JOIN household_states st ON st.household_id = h.id
         LEFT JOIN (SELECT household_id,
                           count(*) FILTER (WHERE state IN ('open', 'reopened')) AS unresolved,
                           count(*) FILTER (WHERE state IN ('open', 'reopened')
                                              AND deadline < ?2) AS overdue
                    FROM live_findings GROUP BY household_id) fs ON fs.household_id = h.id
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
                concentrated_households: r.get(4)?,
                concentrated_people: r.get(5)?,
                self_built_households: r.get(6)?,
                self_built_people: r.get(7)?,
                bought_households: r.get(8)?,
                bought_people: r.get(9)?,
                accepted: r.get(10)?,
                awaiting_review: r.get(11)?,
                failed: r.get(12)?,
                over_cap: r.get(13)?,
                moved_in: r.get(14)?,
                agreement_signed: r.get(15)?,
                demolished: r.get(16)?,
                reclaimed: r.get(17)?,
                open_findings: r.get(18)?,
                overdue_findings: r.get(19)?,
            })
        })?
        .collect::<anju_sql::Result<Vec<_>>>()?;
    let mut total = TownshipProgress {
        township: TOTAL_LABEL.to_string(),
        ..TownshipProgress::default()
    };
    for r in &rows {
        total.households += r.households;
        total.people += r.people;
        total.concentrated_households += r.concentrated_households;
        total.concentrated_people += r.concentrated_people;
        total.self_built_households += r.self_built_households;
        total.self_built_people += r.self_built_people;
        total.bought_households += r.bought_households;
        total.bought_people += r.bought_people;
        total.accepted += r.accepted;
        total.awaiting_review += r.awaiting_review;
        total.failed += r.failed;
        total.over_cap += r.over_cap;
        total.moved_in += r.moved_in;
        total.agreement_signed += r.agreement_signed;
        total.demolished += r.demolished;
        total.reclaimed += r.reclaimed;
        total.open_findings += r.open_findings;
        total.overdue_findings += r.overdue_findings;
    }
    Ok((rows, total))
}

/// Cumulative progress per day, from the first event to today. An acceptance counts from
/// the day it was made, once it counts at all (approved, not 不合格).
fn timeline(db: &OfficeDb, viewer: &Viewer) -> Result<Vec<ProgressPoint>> {
    let key = format!("timeline {} {}", viewer.scope().unwrap_or("*"), today());
    db.cached(&key, |db| timeline_now(db, viewer))
}

fn timeline_now(db: &OfficeDb, viewer: &Viewer) -> Result<Vec<ProgressPoint>> {
    let mut stmt = db.connection().prepare_cached(&scoped(
        "SELECT CASE WHEN st.accepted = 1 THEN st.accepted_at END,
                h.moved_in_at, h.agreement_signed_on, h.demolished_on, h.reclaimed_on
         FROM households h LEFT JOIN household_states st ON st.household_id = h.id
         WHERE ?1 IS NULL OR h.township_id = ?1",
        if viewer.scope().is_some() { &[1] } else { &[] },
    ))?;
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
    let given: &[usize] = if scope.is_some() { &[1] } else { &[] };
    Ok(conn.query_row(&scoped(sql, given), [scope], |r| r.get(0))?)
}

const PENDING_REVIEW: &str = "SELECT count(*) FROM live_submissions s
     JOIN households h ON h.id = s.household_id
     WHERE (?1 IS NULL OR h.township_id = ?1)
       AND NOT EXISTS (SELECT 1 FROM submission_reviews r WHERE r.submission_id = s.id)";
const OPEN_CONFLICTS: &str = "SELECT count(*) FROM conflicts c
     WHERE c.decision IS NULL AND (?1 IS NULL OR EXISTS (
         SELECT 1 FROM households h WHERE h.township_id = ?1
           AND h.id = json_extract(c.body_json, '$.body.household_id')))";

pub fn dashboard(db: &OfficeDb, viewer: &Viewer) -> Result<Dashboard> {
    let (rows, total) = township_table(db, viewer)?;
    let set_aside: u32 = db
        .connection()
        .query_row("SELECT count(*) FROM quarantine", [], |r| r.get(0))?;
    Ok(Dashboard {
        rows,
        total,
        timeline: timeline(db, viewer)?,
        pending_review: count(db.connection(), PENDING_REVIEW, viewer.scope())?,
        conflicts: count(db.connection(), OPEN_CONFLICTS, viewer.scope())?,
        today: today(),
        set_aside,
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
        .collect::<anju_sql::Result<Vec<_>>>()?;
    let sites = conn
        .prepare_cached(
            "SELECT s.id, s.name, s.township_id, count(h.id) FROM sites s
             JOIN townships t ON t.id = s.township_id
             LEFT JOIN households h ON h.site_id = s.id
             WHERE ?1 IS NULL OR s.township_id = ?1
             GROUP BY s.id, t.id ORDER BY t.sort_order, s.name",
        )?
        .query_map([viewer.scope()], |r| {
            Ok(SiteRef {
                id: r.get(0)?,
                name: r.get(1)?,
                township_id: r.get(2)?,
                households: r.get(3)?,
            })
        })?
        .collect::<anju_sql::Result<Vec<_>>>()?;
    let inspectors = conn
        .prepare_cached(
            "SELECT name, department FROM users WHERE role = 'inspector' ORDER BY name",
        )?
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get(1)?)))?
        .collect::<anju_sql::Result<Vec<_>>>()?;
    let names = Names::load(conn)?;
    let inspectors = inspectors
        .into_iter()
        .map(|(name, department)| InspectorRef {
            display: names.of(&name),
            name,
            department,
        })
        .collect();
    Ok(Places {
        townships,
        sites,
        inspectors,
        sample_rule: super::configured_rule(db)?,
    })
}

/// The columns [`household_row`] reads, for the households of `FROM households h` with
/// the joins of [`ROW_JOINS`].
const ROW_COLUMNS: &str = "h.id, h.number, h.head_name, h.size, t.name, v.name, s.name,
    h.mode, h.kind, coalesce(st.status, 'pending'), st.accepted_at, st.verdict,
    coalesce(st.accepted, 0), coalesce(st.over_cap, 0),
    (SELECT count(*) FROM live_findings f
      WHERE f.household_id = h.id AND f.state IN ('open', 'reopened')),
    (SELECT group_concat(u.name, ',') FROM assignments a JOIN users u ON u.id = a.user_id
      WHERE a.household_id = h.id)";
const ROW_JOINS: &str = "FROM households h
    JOIN townships t ON t.id = h.township_id
    JOIN villages v ON v.id = h.village_id
    LEFT JOIN sites s ON s.id = h.site_id
    LEFT JOIN household_states st ON st.household_id = h.id";

fn read_raw_row(row: &anju_sql::Row<'_>) -> anju_sql::Result<Cells> {
    Ok(Cells::read(row, 0..16))
}

/// A household row, or why it cannot be shown.
/// Its inspectors are named as official records name them (`names`).
fn household_row(cells: Cells, names: &Names) -> std::result::Result<HouseholdRow, DamagedRow> {
    let mut row = checked_household_row(&cells).map_err(|reason| DamagedRow {
        kind: "household".into(),
        id: cells.id(),
        reason,
    })?;
    row.inspectors_display = names.all(&row.inspectors);
    Ok(row)
}

fn checked_household_row(cells: &Cells) -> std::result::Result<HouseholdRow, String> {
    let count = |i: usize, what: &str| cells.parse(i, what, |t| t.parse::<u32>().ok());
    let kind = cells.parse(8, "placement kind", PlacementKind::from_code)?;
    Ok(HouseholdRow {
        id: cells.id(),
        number: cells.text(1, "number")?,
        head_name: cells.text(2, "head_name")?,
        size: count(3, "size")?,
        township: cells.text(4, "township")?,
        village: cells.text(5, "village")?,
        site: cells.get(6),
        mode: cells.parse(7, "placement mode", PlacementMode::from_code)?,
        kind,
        kind_label: Text::new(kind.label_zh(), kind.label_en()),
        status: cells.parse(9, "status", HouseholdStatus::from_code)?,
        verdict: cells.parse_optional(11, "verdict", AcceptanceVerdict::from_code)?,
        accepted: cells.flag(12),
        over_cap: cells.flag(13),
        accepted_at: cells.parse_optional(10, "accepted_at", stored_time)?,
        open_findings: count(14, "open_findings")?,
        inspectors: cells
            .get(15)
            .map(|s| s.split(',').map(str::to_string).collect())
            .unwrap_or_default(),
        inspectors_display: Vec::new(),
    })
}

pub const MAX_PAGE: u32 = 500;

/// The filter's `WHERE` clause over [`ROW_JOINS`]; its arguments are `?1`–`?6`.
const ROW_FILTER: &str = "WHERE (?1 IS NULL OR h.township_id = ?1)
      AND (?2 IS NULL OR s.name = ?2) AND (?3 IS NULL OR h.mode = ?3)
      AND (?4 IS NULL OR coalesce(st.status, 'pending') = ?4)
      AND (?5 IS NULL OR h.head_name LIKE ?5 OR h.number LIKE ?5 OR h.id_number LIKE ?5)
      AND (?6 IS NULL OR coalesce(st.over_cap, 0) = ?6)
      AND NOT EXISTS (SELECT 1 FROM quarantine q
                      WHERE q.record_kind = 'household' AND q.record_id = h.id)";

/// [`ROW_FILTER`] for a filter on the household alone (no site, status or 面积超标): the
/// same parameters, without the joins it does not need, so that counting and choosing a
/// page read the households and nothing else.
const HOUSEHOLD_ONLY_FILTER: &str = "WHERE (?1 IS NULL OR h.township_id = ?1)
      AND ?2 IS NULL AND (?3 IS NULL OR h.mode = ?3) AND ?4 IS NULL
      AND (?5 IS NULL OR h.head_name LIKE ?5 OR h.number LIKE ?5 OR h.id_number LIKE ?5)
      AND ?6 IS NULL
      AND NOT EXISTS (SELECT 1 FROM quarantine q
                      WHERE q.record_kind = 'household' AND q.record_id = h.id)";

/// The arguments `?1`–`?6` of [`ROW_FILTER`] for a filter, checked.
fn filter_args(db: &OfficeDb, viewer: &Viewer, filter: &HouseholdFilter) -> Result<Vec<Value>> {
    let township = viewer.township_filter(db, filter.township.as_deref())?;
    if let Some(status) = filter.status.as_deref().filter(|s| !s.is_empty())
        && HouseholdStatus::from_code(status).is_none()
    {
        let codes: Vec<&str> = HouseholdStatus::ALL.iter().map(|s| s.code()).collect();
        return Err(PageError::Invalid(format!(
            "未知的状态“{status}” / unknown status '{status}' ({})",
            codes.join(", ")
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
    Ok(vec![
        township.map_or(Value::Null, Value::Text),
        empty_none(&filter.site).map_or(Value::Null, Value::Text),
        empty_none(&filter.mode).map_or(Value::Null, Value::Text),
        empty_none(&filter.status).map_or(Value::Null, Value::Text),
        q.map_or(Value::Null, Value::Text),
        filter
            .over_cap
            .map_or(Value::Null, |over| Value::Integer(i64::from(over))),
    ])
}

/// The households the viewer may see that match the filter, a page of them. The page is
/// chosen first; its rows' counts are worked out for those rows only.
pub fn households(
    db: &OfficeDb,
    viewer: &Viewer,
    filter: &HouseholdFilter,
) -> Result<HouseholdPage> {
    let args = filter_args(db, viewer, filter)?;
    let conn = db.connection();
    let narrow: &[usize] = if matches!(args.first(), Some(Value::Text(_))) {
        &[1]
    } else {
        &[]
    };
    // Site, status and 面积超标 need the joins; anything else is the households' own.
    let household_only = [1, 3, 5]
        .iter()
        .all(|&i| matches!(args.get(i), Some(Value::Null)));
    let (from, condition) = if household_only {
        (
            "FROM households h JOIN townships t ON t.id = h.township_id",
            HOUSEHOLD_ONLY_FILTER,
        )
    } else {
        (ROW_JOINS, ROW_FILTER)
    };
    let total: u32 = conn.query_row(
        &scoped(&format!("SELECT count(*) {from} {condition}"), narrow),
        params_from_iter(args.iter()),
        |r| r.get(0),
    )?;
    let limit = filter.limit.unwrap_or(50).clamp(1, MAX_PAGE);
    let offset = filter.offset.unwrap_or(0);
    let mut page_args = args;
    page_args.push(Value::Integer(i64::from(limit)));
    page_args.push(Value::Integer(i64::from(offset)));
    let mut stmt = conn.prepare_cached(&scoped(
        &format!(
            "SELECT {ROW_COLUMNS} {ROW_JOINS}
             WHERE h.id IN (SELECT h.id {from} {condition}
                            ORDER BY t.sort_order, h.number LIMIT ?7 OFFSET ?8)
             ORDER BY t.sort_order, h.number"
        ),
        narrow,
    ))?;
    let raw = stmt
        .query_map(params_from_iter(page_args.iter()), read_raw_row)?
        .collect::<anju_sql::Result<Vec<_>>>()?;
    let names = Names::load(conn)?;
    let mut rows = Vec::with_capacity(raw.len());
    let mut damaged = Vec::new();
    for raw in raw {
        match household_row(raw, &names) {
            Ok(row) => rows.push(row),
            Err(bad) => damaged.push(bad),
        }
    }
    Ok(HouseholdPage {
        total,
        rows,
        damaged,
    })
}

/// Every household the viewer may see that matches the filter (for exports), handed to
/// `each` as it is read: one query, in the list's order, in constant memory. A damaged
/// row is left out (the pages list it). Returns how many rows were handed over.
pub fn for_each_household(
    db: &OfficeDb,
    viewer: &Viewer,
    filter: &HouseholdFilter,
    mut each: impl FnMut(HouseholdRow) -> Result<()>,
) -> Result<u32> {
    let args = filter_args(db, viewer, filter)?;
    let narrow: &[usize] = if matches!(args.first(), Some(Value::Text(_))) {
        &[1]
    } else {
        &[]
    };
    let names = Names::load(db.connection())?;
    let mut stmt = db.connection().prepare_cached(&scoped(
        &format!("SELECT {ROW_COLUMNS} {ROW_JOINS} {ROW_FILTER} ORDER BY t.sort_order, h.number"),
        narrow,
    ))?;
    let mut rows = stmt.query(params_from_iter(args.iter()))?;
    let mut handed: u32 = 0;
    while let Some(row) = rows.next()? {
        if let Ok(household) = household_row(read_raw_row(&row)?, &names) {
            each(household)?;
            handed = handed.saturating_add(1);
        }
    }
    Ok(handed)
}

fn row_by_id(db: &OfficeDb, id: &str) -> Result<HouseholdRow> {
    let raw = db
        .connection()
        .query_row(
            &format!("SELECT {ROW_COLUMNS} {ROW_JOINS} WHERE h.id = ?1"),
            params![id],
            read_raw_row,
        )
        .optional()?
        .ok_or_else(|| PageError::NotFound {
            what_zh: "住户",
            what_en: "household",
            id: id.to_string(),
        })?;
    household_row(raw, &Names::load(db.connection())?).map_err(|bad| {
        PageError::Db(crate::db::OfficeDbError::Corrupt(format!(
            "household {}: {}",
            bad.id, bad.reason
        )))
    })
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

/// A household's ID and phone numbers in full. The caller records who asked.
pub fn personal_data(db: &OfficeDb, viewer: &Viewer, id: &str) -> Result<RevealedPersonalData> {
    viewer.check_household(db, id)?;
    let (id_number, phone) = db.connection().query_row(
        "SELECT id_number, phone FROM households WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok(RevealedPersonalData { id_number, phone })
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
    let mut damaged = Vec::new();
    let members: Vec<CoreMember> = serde_json::from_str(&members_json).unwrap_or_else(|e| {
        damaged.push(DamagedRow {
            kind: "household".into(),
            id: id.to_string(),
            reason: format!("members: {e}"),
        });
        Vec::new()
    });
    let (moved_in_on, old_house) = old_house_of(db, id)?;
    let (stored, bad_submissions) = submissions_of(conn, id)?;
    damaged.extend(bad_submissions);
    let photos = photo_rows(conn, id)?;
    let policies = decide::policy_history(conn)?;
    let names = Names::load(conn)?;
    let mut submissions = Vec::with_capacity(stored.len());
    for s in &stored {
        match submission_view(conn, s, row.size, &photos, &policies, &names) {
            Ok(view) => submissions.push(view),
            Err(e) => damaged.push(DamagedRow {
                kind: "submission".into(),
                id: s.id.clone(),
                reason: e.to_string(),
            }),
        }
    }
    let tolerance = policies.spot_check_tolerance_on(today());
    let spot_check = match recorded_and_remeasured(&stored, row.size, &policies) {
        (Some(recorded), Some(remeasured)) => Some(compare_areas(recorded, remeasured, tolerance)),
        _ => None,
    };
    let (findings, bad_findings) = findings_where(
        db,
        viewer,
        "f.household_id = ?2",
        &[Value::Text(id.to_string())],
    )?;
    damaged.extend(bad_findings);
    let visits = super::timeline::old_house_visits(conn, id)?;
    let originals = super::timeline::original_photos(conn, id)?;
    let timeline = super::timeline::timeline(
        &submissions,
        &findings,
        moved_in_on,
        &old_house,
        &visits,
        &originals,
    );
    let support = super::support::household_support(db, viewer, id)?;
    let pending_parts = super::parts::pending_parts(conn, id, &names)?;
    Ok(HouseholdDetail {
        pending_parts,
        support,
        timeline,
        id_number: anju_core::id_number::mask_id_text(&id_number),
        phone: phone.as_deref().map(anju_core::id_number::mask_phone),
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
        damaged,
        row,
    })
}

pub fn review_queue(db: &OfficeDb, viewer: &Viewer) -> Result<ReviewQueue> {
    let conn = db.connection();
    let mut stmt = conn.prepare_cached(&scoped(
        &format!(
            "SELECT {SUBMISSION_COLUMNS}, h.number, h.head_name, t.name,
                (SELECT count(*) FROM findings f WHERE f.submission_id = s.id),
                st.acceptance_id, st.verdict
         FROM live_submissions s
         JOIN households h ON h.id = s.household_id
         JOIN townships t ON t.id = h.township_id
         LEFT JOIN household_states st ON st.household_id = h.id
         WHERE (?1 IS NULL OR h.township_id = ?1)
           AND NOT EXISTS (SELECT 1 FROM submission_reviews r WHERE r.submission_id = s.id)
         ORDER BY s.received_at, s.id"
        ),
        if viewer.scope().is_some() { &[1] } else { &[] },
    ))?;
    type Pending = (RawSubmission, Cells);
    let raw: Vec<Pending> = stmt
        .query_map([viewer.scope()], |r| {
            let n = SUBMISSION_COLUMN_COUNT;
            Ok((read_submission(r)?, Cells::read(r, n..n + 6)))
        })?
        .collect::<anju_sql::Result<Vec<_>>>()?;
    let names = Names::load(conn)?;
    let forms = crate::forms::form_catalog(conn)?;
    let mut submissions = Vec::new();
    let mut damaged = Vec::new();
    for (raw, household) in raw {
        let id = raw.id();
        let item = raw.parse().and_then(|s| {
            let schema = s.schema(&forms)?;
            let kind = s.submission_kind();
            // The verdict is the household's when this is the acceptance that counts.
            let verdict = (household.get(4).as_deref() == Some(s.id.as_str()))
                .then(|| {
                    household
                        .get(5)
                        .and_then(|v| AcceptanceVerdict::from_code(&v))
                })
                .flatten();
            // What the office made of it when it arrived (no form is assessed again).
            let judgement = super::submission::judgement(conn, &schema, &s.id)?;
            let findings = household.get(3).and_then(|n| n.parse().ok()).unwrap_or(0);
            let evidence_notes = super::submission::evidence_notes(conn, &s, &schema)?;
            Ok(ReviewItem {
                raises_nothing: evidence_notes.is_empty()
                    && super::batch::raises_nothing(findings, verdict, judgement.as_ref()),
                evidence_notes,
                over_cap: judgement.as_ref().is_some_and(|j| j.over_cap),
                judgement,
                verdict,
                submission_id: s.id,
                household_id: s.household_id,
                household_number: household.get(0).unwrap_or_default(),
                head_name: household.get(1).unwrap_or_default(),
                township: household.get(2).unwrap_or_default(),
                kind,
                inspector_display: names.of(&s.inspector),
                inspector: s.inspector,
                received_at: s.received_at,
                findings,
            })
        });
        match item {
            Ok(item) => submissions.push(item),
            Err(e) => damaged.push(DamagedRow {
                kind: "submission".into(),
                id,
                reason: e.to_string(),
            }),
        }
    }
    Ok(ReviewQueue {
        submissions,
        conflicts: super::actions::open_conflicts(db, viewer)?,
        damaged,
    })
}

pub fn assignments(
    db: &OfficeDb,
    viewer: &Viewer,
    township: Option<&str>,
) -> Result<AssignmentOverview> {
    let township = viewer.township_filter(db, township)?;
    // A grouped pass over the county: kept until the database changes.
    let key = format!("assignments {}", township.as_deref().unwrap_or("*"));
    db.cached(&key, |db| assignments_now(db, township))
}

fn assignments_now(db: &OfficeDb, township: Option<String>) -> Result<AssignmentOverview> {
    let conn = db.connection();
    let mut stmt = conn.prepare_cached(&scoped(
        "SELECT t.name, s.name, count(DISTINCT h.id), u.name, count(DISTINCT a.household_id)
         FROM households h
         JOIN townships t ON t.id = h.township_id
         LEFT JOIN sites s ON s.id = h.site_id
         LEFT JOIN assignments a ON a.household_id = h.id
         LEFT JOIN users u ON u.id = a.user_id
         WHERE ?1 IS NULL OR h.township_id = ?1
         GROUP BY t.id, s.id, u.id
         ORDER BY t.sort_order, s.name IS NULL, s.name, u.name",
        if township.is_some() { &[1] } else { &[] },
    ))?;
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
        .collect::<anju_sql::Result<Vec<_>>>()?;
    // The household count of a group comes from its rows without an inspector filter.
    type Group = (String, Option<String>);
    let totals: BTreeMap<Group, (u32, u32)> = conn
        .prepare_cached(&scoped(
            "SELECT t.name, s.name, count(*), coalesce(sum(CASE WHEN NOT EXISTS
                 (SELECT 1 FROM assignments a WHERE a.household_id = h.id) THEN 1 ELSE 0 END), 0)
             FROM households h
             JOIN townships t ON t.id = h.township_id LEFT JOIN sites s ON s.id = h.site_id
             WHERE ?1 IS NULL OR h.township_id = ?1 GROUP BY t.id, s.id",
            if township.is_some() { &[1] } else { &[] },
        ))?
        .query_map([township.as_deref()], |r| {
            Ok(((r.get(0)?, r.get(1)?), (r.get(2)?, r.get(3)?)))
        })?
        .collect::<anju_sql::Result<_>>()?;
    let names = Names::load(conn)?;
    let mut sites: Vec<AssignmentSite> = Vec::new();
    for (township, site, _, inspector, assigned) in raw {
        let (households, unassigned) = totals
            .get(&(township.clone(), site.clone()))
            .copied()
            .unwrap_or((0, 0));
        let same = sites
            .last()
            .is_some_and(|s| s.township == township && s.site == site);
        if !same {
            sites.push(AssignmentSite {
                township,
                site,
                households,
                unassigned,
                assigned: Vec::new(),
            });
        }
        if let (Some(inspector), Some(last)) = (inspector, sites.last_mut()) {
            last.assigned.push(InspectorCount {
                inspector_display: names.of(&inspector),
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
    filter: &OldHouseFilter,
) -> Result<OldHouseReport> {
    let township = viewer.township_filter(db, filter.township.as_deref())?;
    let (rows, _) = township_table(db, viewer)?;
    let townships = rows
        .into_iter()
        .filter(|r| township.is_none() || r.township_id == township)
        .collect();
    let given: &[usize] = if township.is_some() { &[1] } else { &[] };
    let unfinished = filter.unfinished.unwrap_or(false);
    let conn = db.connection();
    let condition = "WHERE (?1 IS NULL OR h.township_id = ?1)
           AND (?2 = 0 OR h.reclaimed_on IS NULL)";
    let total: u32 = conn.query_row(
        &scoped(
            &format!("SELECT count(*) FROM households h {condition}"),
            given,
        ),
        params![township, unfinished],
        |r| r.get(0),
    )?;
    let limit = filter.limit.unwrap_or(20).clamp(1, MAX_PAGE);
    let offset = filter.offset.unwrap_or(0);
    let mut stmt = conn.prepare_cached(&scoped(
        &format!(
            "SELECT h.id, h.number, h.head_name, t.name, h.agreement_signed_on, h.demolished_on,
                    h.reclaimed_on
             FROM households h JOIN townships t ON t.id = h.township_id
             {condition}
             ORDER BY t.sort_order, h.number LIMIT ?3 OFFSET ?4"
        ),
        given,
    ))?;
    let households = stmt
        .query_map(params![township, unfinished, limit, offset], |r| {
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
        .collect::<anju_sql::Result<Vec<_>>>()?;
    Ok(OldHouseReport {
        townships,
        total,
        households,
    })
}

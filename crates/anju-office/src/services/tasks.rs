//! Planned work (任务): the district or a township plans visits (what kind, which
//! households, which inspector, by when); each becomes a task on the inspector's device and
//! is done when a visit of its kind to its household arrives. Re-checks (整改复查) are listed
//! here too, planned by the office itself.

use anju_core::model::SubmissionKind;
use anju_core::records::china_date;
use anju_core::tasks::MAX_INSTRUCTIONS_CHARS;
use anju_sql::{OptionalExtension, TransactionBehavior, params, params_from_iter};
use chrono::{Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

use super::cells::Cells;
use super::{PageError, Result, Viewer};
use crate::assign::{self, Target};
use crate::db::OfficeDb;
use crate::names::Names;
use anju_core::form::Text;

/// The most households one plan names.
pub const MAX_PLANNED_HOUSEHOLDS: usize = 500;
/// The furthest a due date may be.
pub const MAX_PLAN_DAYS: i64 = 366;
/// The most tasks the page lists.
const MAX_LISTED: i64 = 1000;

/// 布置走访: one kind of visit to these households by this inspector, by this date.
#[derive(Debug, Clone, Deserialize, TS, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VisitPlan {
    /// Any kind but `recheck`, which the office plans itself.
    pub visit: SubmissionKind,
    /// The inspector's login.
    pub inspector: String,
    /// Household numbers (户编号) or ID numbers.
    pub households: Vec<String>,
    pub due_on: NaiveDate,
    pub instructions: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS, utoipa::ToSchema)]
pub struct VisitsPlanned {
    pub planned: u32,
    /// Households that had this visit open already (not planned twice).
    pub already_open: Vec<String>,
}

#[derive(Debug, Clone, Serialize, TS, utoipa::ToSchema)]
pub struct TaskRow {
    pub id: String,
    pub visit: SubmissionKind,
    pub visit_label: Text,
    pub household_id: String,
    pub household_number: String,
    pub head_name: String,
    pub township: String,
    /// 姓名（单位）, or 未指派.
    pub assignee: Text,
    pub due_on: NaiveDate,
    /// `open`, `done` or `cancelled`.
    pub state: String,
    pub overdue: bool,
    pub days_left: i64,
    pub instructions: Option<String>,
    pub finding_description: Option<String>,
    /// For a done re-check: `confirmed` or `not_rectified`.
    pub outcome: Option<String>,
    pub planned_by: Option<Text>,
    pub done_at: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS, utoipa::ToSchema)]
pub struct TaskList {
    pub rows: Vec<TaskRow>,
    pub open: u32,
    pub overdue: u32,
    pub damaged: Vec<super::views::DamagedRow>,
}

fn invalid(zh: &str, en: &str) -> PageError {
    PageError::Invalid(format!("{zh} / {en}"))
}

/// Plan visits (the district for any household, a township for its own); the households
/// are assigned to the inspector if they were not, so the device has them.
pub fn plan_visits(db: &mut OfficeDb, viewer: &Viewer, plan: &VisitPlan) -> Result<VisitsPlanned> {
    if viewer.role == anju_core::wire::Role::Inspector {
        return Err(PageError::InspectorRole);
    }
    if plan.visit == SubmissionKind::Recheck {
        return Err(invalid(
            "整改复查由乡镇报已整改时自动布置",
            "re-checks are planned when the township reports a finding rectified",
        ));
    }
    if plan.visit == SubmissionKind::AcceptancePart {
        return Err(invalid(
            "分工验收随区级验收布置，不单独布置",
            "a department's part is planned with the acceptance, not on its own",
        ));
    }
    let today = china_date(Utc::now());
    if plan.due_on < today || plan.due_on > today + Duration::days(MAX_PLAN_DAYS) {
        return Err(invalid(
            &format!("完成期限须在今天（{today}）到一年之内"),
            &format!("the due date must be from today ({today}) to a year ahead"),
        ));
    }
    let instructions = plan
        .instructions
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty());
    if instructions.is_some_and(|t| t.chars().count() > MAX_INSTRUCTIONS_CHARS) {
        return Err(invalid(
            &format!("布置说明最多{MAX_INSTRUCTIONS_CHARS}字"),
            &format!("instructions are at most {MAX_INSTRUCTIONS_CHARS} characters"),
        ));
    }
    let keys: Vec<String> = plan
        .households
        .iter()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .collect();
    if keys.is_empty() || keys.len() > MAX_PLANNED_HOUSEHOLDS {
        return Err(invalid(
            &format!("请列出1到{MAX_PLANNED_HOUSEHOLDS}户"),
            &format!("list 1 to {MAX_PLANNED_HOUSEHOLDS} households"),
        ));
    }
    let inspector: Option<(String, String)> = db
        .connection()
        .query_row(
            "SELECT id, role FROM users WHERE name = ?1",
            [plan.inspector.trim()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((inspector_id, role)) = inspector else {
        return Err(invalid(
            &format!("没有用户“{}”", plan.inspector.trim()),
            &format!("no user '{}'", plan.inspector.trim()),
        ));
    };
    if role != "inspector" {
        return Err(invalid(
            &format!("“{}”不是检查员", plan.inspector.trim()),
            &format!("'{}' is not an inspector", plan.inspector.trim()),
        ));
    }
    // Every household exists and is the viewer's to plan.
    let mut ids = Vec::with_capacity(keys.len());
    for key in &keys {
        let id: Option<(String, String)> = db
            .connection()
            .query_row(
                "SELECT id, number FROM households WHERE number = ?1 OR id_number = ?2",
                params![key, anju_core::id_number::normalise(key)],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((id, number)) = id else {
            return Err(assign::AssignError::NoSuchHousehold(key.clone()).into());
        };
        viewer.check_household(db, &id)?;
        ids.push((id, number));
    }
    assign::assign(
        db,
        plan.inspector.trim(),
        &Target::Households(ids.iter().map(|(_, n)| n.clone()).collect()),
    )?;
    let now = Utc::now();
    let tx = db
        .connection_mut()
        .transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut planned = 0;
    let mut already_open = Vec::new();
    for (id, number) in &ids {
        let open: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM tasks WHERE household_id = ?1 AND visit_kind = ?2
                 AND kind = 'visit' AND state = 'open')",
            params![id, plan.visit.code()],
            |r| r.get(0),
        )?;
        if open {
            already_open.push(number.clone());
            continue;
        }
        tx.execute(
            "INSERT INTO tasks (id, kind, visit_kind, household_id, assignee_id, due_on, state,
                 instructions, created_at, created_by)
             VALUES (?1, 'visit', ?2, ?3, ?4, ?5, 'open', ?6, ?7, ?8)",
            params![
                Uuid::now_v7().to_string(),
                plan.visit.code(),
                id,
                inspector_id,
                plan.due_on.to_string(),
                instructions,
                now.to_rfc3339(),
                (!viewer.user_id.is_empty()).then_some(viewer.user_id.as_str())
            ],
        )?;
        // The inspector's device learns of it on its next pull.
        assign::touch_household(&tx, id)?;
        planned += 1;
    }
    tx.commit()?;
    Ok(VisitsPlanned {
        planned,
        already_open,
    })
}

/// The tasks of the viewer's townships: open ones first, soonest due first.
pub fn tasks_page(db: &OfficeDb, viewer: &Viewer) -> Result<TaskList> {
    let conn = db.connection();
    let sql = "SELECT t.id, t.visit_kind, t.household_id, h.number, h.head_name, tw.name,
                (SELECT u.name FROM users u WHERE u.id = t.assignee_id),
                t.due_on, t.state, t.instructions, f.description, t.outcome,
                (SELECT u.name FROM users u WHERE u.id = t.created_by), t.done_at
         FROM tasks t
         JOIN households h ON h.id = t.household_id
         JOIN townships tw ON tw.id = h.township_id
         LEFT JOIN findings f ON f.id = t.finding_id
         WHERE t.state <> 'cancelled' AND (?1 IS NULL OR h.township_id = ?1)
         ORDER BY t.state <> 'open', t.due_on, h.number
         LIMIT ?2";
    let given: &[usize] = if viewer.scope().is_some() { &[1] } else { &[] };
    let mut stmt = conn.prepare_cached(&super::scoped(sql, given))?;
    let scope = viewer.scope().map_or(anju_sql::Value::Null, |s| {
        anju_sql::Value::Text(s.to_string())
    });
    let raw: Vec<Cells> = stmt
        .query_map(
            params_from_iter([scope, anju_sql::Value::Integer(MAX_LISTED)].iter()),
            |r| Ok(Cells::read(r, 0..14)),
        )?
        .collect::<anju_sql::Result<_>>()?;
    let names = Names::load(conn)?;
    let today = china_date(Utc::now());
    let mut rows = Vec::new();
    let mut damaged = Vec::new();
    for cells in raw {
        match task_row(&cells, &names, today) {
            Ok(row) => rows.push(row),
            Err(reason) => damaged.push(super::views::DamagedRow {
                kind: "task".into(),
                id: cells.id(),
                reason,
            }),
        }
    }
    Ok(TaskList {
        open: rows.iter().filter(|r| r.state == "open").count() as u32,
        overdue: rows.iter().filter(|r| r.overdue).count() as u32,
        rows,
        damaged,
    })
}

fn task_row(
    cells: &Cells,
    names: &Names,
    today: NaiveDate,
) -> std::result::Result<TaskRow, String> {
    let visit = cells.parse(1, "visit_kind", SubmissionKind::from_code)?;
    let due_on: NaiveDate = cells.parse(7, "due_on", |t| t.parse().ok())?;
    let state = cells.text(8, "state")?;
    Ok(TaskRow {
        id: cells.id(),
        visit,
        visit_label: Text::new(visit.label_zh(), visit.label_en()),
        household_id: cells.text(2, "household")?,
        household_number: cells.text(3, "household number")?,
        head_name: cells.text(4, "head_name")?,
        township: cells.text(5, "township")?,
        assignee: cells.get(6).map_or_else(
            || Text::new("未指派", "not assigned"),
            |login| names.of(&login),
        ),
        overdue: state == "open" && due_on < today,
        days_left: (due_on - today).num_days(),
        due_on,
        state,
        instructions: cells.get(9),
        finding_description: cells.get(10),
        outcome: cells.get(11),
        planned_by: cells.get(12).map(|login| names.of(&login)),
        done_at: cells.get(13),
    })
}

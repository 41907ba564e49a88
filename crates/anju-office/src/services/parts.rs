//! 分工验收 on the household page: the parts of a team's acceptance that have come in and
//! wait for the others (or could not be merged, and why), so that the office sees who is
//! still to send theirs. A merged acceptance is on the page as any other.

use anju_core::form::Text;
use anju_core::model::Department;
use anju_sql::{Connection, OptionalExtension};
use chrono::{DateTime, Utc};
use serde::Serialize;
use ts_rs::TS;

use crate::db::OfficeDbError;
use crate::names::Names;

#[derive(Debug, Clone, PartialEq, Serialize, TS, utoipa::ToSchema)]
pub struct AcceptancePartView {
    pub submission_id: String,
    pub department: Department,
    pub department_label: Text,
    /// 姓名（单位）of the member who sent it.
    pub by: Text,
    pub form_version: u32,
    pub received_at: DateTime<Utc>,
    /// Why the parts could not be merged into one acceptance, when they could not.
    pub merge_problem: Option<Text>,
}

/// What a household's team has sent and the office has not merged yet; the departments
/// still to send are the others.
#[derive(Debug, Clone, PartialEq, Serialize, TS, utoipa::ToSchema)]
pub struct PendingParts {
    pub parts: Vec<AcceptancePartView>,
    pub missing: Vec<Department>,
}

pub(crate) fn pending_parts(
    conn: &Connection,
    household_id: &str,
    names: &Names,
) -> Result<Option<PendingParts>, OfficeDbError> {
    // Each department's latest part, when the office has not merged it (an earlier one it
    // replaced waits for nothing): at most four rows, however many parts a device sent.
    type Row = (String, String, u32, String, String, Option<String>, bool);
    let mut rows: Vec<Row> = Vec::new();
    for department in Department::ALL {
        let row: Option<Row> = conn
            .query_row(
                "SELECT p.submission_id, p.department, p.form_version, p.received_at,
                     s.inspector, p.merge_problem,
                     EXISTS (SELECT 1 FROM acceptance_merges m WHERE m.part_id = p.submission_id)
                 FROM acceptance_parts p JOIN submissions s ON s.id = p.submission_id
                 WHERE p.household_id = ?1 AND p.department = ?2
                 ORDER BY p.received_at DESC, p.submission_id DESC LIMIT 1",
                anju_sql::params![household_id, department.code()],
                |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                    ))
                },
            )
            .optional()?;
        rows.extend(row.filter(|row| !row.6));
    }
    rows.sort_by(|a, b| (&a.3, &a.0).cmp(&(&b.3, &b.0)));
    if rows.is_empty() {
        return Ok(None);
    }
    // A row that cannot be read is left out, not the page.
    let parts: Vec<AcceptancePartView> = rows
        .into_iter()
        .filter_map(|(id, department, version, at, inspector, problem, _)| {
            let department = Department::from_code(&department)?;
            Some(AcceptancePartView {
                submission_id: id,
                department,
                department_label: Text::new(department.label_zh(), department.label_en()),
                by: names.of(&inspector),
                form_version: version,
                received_at: DateTime::parse_from_rfc3339(&at).ok()?.with_timezone(&Utc),
                merge_problem: problem.map(|p| match p.split_once(" / ") {
                    Some((zh, en)) => Text::new(zh, en),
                    None => Text::new(&p, &p),
                }),
            })
        })
        .collect();
    let missing = Department::ALL
        .into_iter()
        .filter(|d| !parts.iter().any(|p| p.department == *d))
        .collect();
    Ok(Some(PendingParts { parts, missing }))
}

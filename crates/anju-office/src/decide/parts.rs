//! 分工验收 at the office: each member's part of a team's acceptance is kept as it came
//! (`acceptance_parts`, out of `live_submissions`); once the household has a part of every
//! department on one form version and one of them is new, the office merges the latest of
//! each into one acceptance (`anju_core::form::merge_parts`), checks it as a whole with the
//! same validation an acceptance on one phone gets, stores it as the household's acceptance
//! and treats it as any other that arrives. Parts that cannot be merged say why, on the
//! household's page.

use anju_core::form::{FormContext, check_merged, merge_parts};
use anju_core::model::{Department, Placement, PlacementKind, PlacementMode, Submission};
use anju_core::records::{china_date, made_at};
use anju_sql::{Connection, OptionalExtension, params};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{Result, policy_history, time};

/// The department a part is of: its sender's.
fn sender_department(conn: &Connection, inspector: &str) -> Result<Option<Department>> {
    Ok(conn
        .query_row(
            "SELECT department FROM users WHERE name = ?1",
            [inspector],
            |r| r.get::<_, Option<String>>(0),
        )
        .optional()?
        .flatten()
        .and_then(|code| Department::from_code(&code)))
}

/// A part arrived: keep it, and merge the household's parts if they are all there.
pub(super) fn part_arrived(
    conn: &Connection,
    part: &Submission,
    user_id: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    // The record check refused a part from a sender without a department.
    let Some(department) = sender_department(conn, &part.inspector)? else {
        return Ok(());
    };
    conn.execute(
        "INSERT INTO acceptance_parts (submission_id, household_id, department, form_version,
             received_at)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (submission_id) DO NOTHING",
        params![
            part.id.to_string(),
            part.household_id.to_string(),
            department.code(),
            part.form_version,
            time(now)
        ],
    )?;
    try_merge(conn, part, user_id, now)
}

fn try_merge(
    conn: &Connection,
    new_part: &Submission,
    user_id: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let household = new_part.household_id.to_string();
    // The latest part of each department on this version: one index seek each, however many
    // parts a device sends (`acceptance_parts_latest`).
    let mut latest: Vec<(Department, String, bool)> = Vec::new();
    for department in Department::ALL {
        let row: Option<(String, bool)> = conn
            .query_row(
                "SELECT p.submission_id,
                     EXISTS (SELECT 1 FROM acceptance_merges m WHERE m.part_id = p.submission_id)
                 FROM acceptance_parts p
                 WHERE p.household_id = ?1 AND p.form_version = ?2 AND p.department = ?3
                 ORDER BY p.received_at DESC, p.submission_id DESC LIMIT 1",
                params![household, new_part.form_version, department.code()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        if let Some((id, merged)) = row {
            latest.push((department, id, merged));
        }
    }
    // Every department, and something new since the last merge (a part corrected after the
    // district returned the acceptance merges again with the others' latest).
    if latest.len() < Department::ALL.len() || latest.iter().all(|(_, _, merged)| *merged) {
        return Ok(());
    }
    let mut parts: Vec<(Department, Submission)> = Vec::new();
    for (department, id, _) in &latest {
        // A part that cannot be read is listed by `anju-office damaged`; no merge without it.
        let Some(part) = super::stored_submission(conn, id)? else {
            return Ok(());
        };
        parts.push((*department, part));
    }
    let problem = match merged_acceptance(conn, &parts)? {
        Ok(merged) => {
            store_merged(conn, &merged, &parts, now)?;
            for (_, part) in &parts {
                conn.execute(
                    "INSERT INTO acceptance_merges (merged_id, part_id) VALUES (?1, ?2)",
                    params![merged.id.to_string(), part.id.to_string()],
                )?;
                conn.execute(
                    "UPDATE acceptance_parts SET merge_problem = NULL WHERE submission_id = ?1",
                    [part.id.to_string()],
                )?;
            }
            super::after_submission(conn, &merged, user_id, now)?;
            return Ok(());
        }
        Err(problem) => problem,
    };
    conn.execute(
        "UPDATE acceptance_parts SET merge_problem = ?2 WHERE submission_id = ?1",
        params![new_part.id.to_string(), problem],
    )?;
    Ok(())
}

/// The acceptance the parts make, or why they make none (zh / en).
fn merged_acceptance(
    conn: &Connection,
    parts: &[(Department, Submission)],
) -> Result<std::result::Result<Submission, String>> {
    let Some((_, lead)) = parts
        .iter()
        .find(|(d, _)| *d == anju_core::form::LEAD_DEPARTMENT)
    else {
        return Ok(Err(
            "缺少扶贫办的部分 / the poverty office's part is missing".into(),
        ));
    };
    let forms = crate::forms::form_catalog(conn)?;
    let Some(form) = forms.get(&lead.form_id, lead.form_version) else {
        return Ok(Err(format!(
            "未知表单第{}版 / unknown form version {}",
            lead.form_version, lead.form_version
        )));
    };
    let answers: Vec<(Department, &anju_core::form::FormAnswers)> =
        parts.iter().map(|(d, p)| (*d, &p.answers)).collect();
    let merged = match merge_parts(form, &answers) {
        Ok(merged) => merged,
        Err(error) => return Ok(Err(error.to_string())),
    };
    // The acceptance was complete when its last part was made; its area is the measuring
    // department's, with the policy version that department's device assessed it by.
    let Some((_, last)) = parts.iter().max_by_key(|(_, p)| made_at(&p.clock)) else {
        return Ok(Err("没有部分 / no parts".into()));
    };
    let measured = parts.iter().find(|(_, p)| p.recorded_area.is_some());
    let (size, mode, kind): (u32, String, String) = conn.query_row(
        "SELECT size, mode, kind FROM households WHERE id = ?1",
        [lead.household_id.to_string()],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let placement = PlacementMode::from_code(&mode)
        .zip(PlacementKind::from_code(&kind))
        .map(|(mode, kind)| Placement { mode, kind });
    let made_on = china_date(made_at(&last.clock));
    let policies = policy_history(conn)?;
    let Some(policy) = policies.in_force(made_on) else {
        return Ok(Err(
            "办公室没有任何政策版本 / the office has no policy at all".into(),
        ));
    };
    let ctx = FormContext {
        household_size: size,
        today: made_on,
        policy: policy.policy.area_caps.clone(),
        policy_context: policy.policy.context(),
        policy_version: Some(policy.version),
        placement,
    };
    let issues = check_merged(form, &merged, &ctx);
    if let Some(issue) = issues.first() {
        return Ok(Err(format!(
            "合并后{}：{} / merged, {}: {}",
            issue.item_label.zh,
            issue.problem.message_zh(),
            issue.item_label.en,
            issue.problem.message_en()
        )));
    }
    Ok(Ok(Submission {
        id: Uuid::now_v7(),
        household_id: lead.household_id,
        kind: anju_core::model::SubmissionKind::Acceptance,
        form_id: lead.form_id.clone(),
        form_version: lead.form_version,
        inspector: lead.inspector.clone(),
        answers: merged,
        clock: last.clock,
        policy_version: measured.and_then(|(_, p)| p.policy_version),
        recorded_area: measured.and_then(|(_, p)| p.recorded_area.clone()),
        position: lead.position,
        finding_id: None,
    }))
}

/// The merged acceptance, stored as the lead's device sent it would be.
fn store_merged(
    conn: &Connection,
    merged: &Submission,
    parts: &[(Department, Submission)],
    now: DateTime<Utc>,
) -> Result<()> {
    let lead = parts
        .iter()
        .find(|(d, _)| *d == anju_core::form::LEAD_DEPARTMENT)
        .map(|(_, p)| p.id.to_string())
        .unwrap_or_default();
    let content = anju_core::hash::content_sha256(merged)
        .map_err(|e| crate::db::OfficeDbError::Corrupt(e.to_string()))?;
    conn.execute(
        "INSERT INTO submissions (id, household_id, kind, form_id, form_version, inspector,
             answers_json, content_sha256, device_time, trusted_time, clock_offset_ms,
             received_at, device_id, received_by, push_offset_ms, policy_version,
             recorded_area_json, position_json, finding_id)
         SELECT ?1, household_id, 'acceptance', form_id, form_version, inspector, ?2, ?3, ?4,
             ?5, ?6, ?7, device_id, received_by, push_offset_ms, ?8, ?9, position_json, NULL
         FROM submissions WHERE id = ?10",
        params![
            merged.id.to_string(),
            serde_json::to_string(&merged.answers)?,
            content,
            time(merged.clock.device_time),
            merged.clock.trusted_time.map(time),
            merged.clock.offset_ms,
            time(now),
            merged.policy_version,
            merged
                .recorded_area
                .as_ref()
                .map(serde_json::to_string)
                .transpose()?,
            lead
        ],
    )?;
    Ok(())
}

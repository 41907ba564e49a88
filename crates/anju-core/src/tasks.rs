//! Work the office plans for an inspector, received on the device as a task list with due
//! dates: a visit of any kind to a household (planned by the district or the township), or
//! a 整改复查, planned by the office itself when the township reports a finding rectified.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::form::Text;
use crate::model::SubmissionKind;

/// Days an inspector has to re-check a rectification.
pub const RECHECK_DAYS: i64 = 7;

/// One task as the device receives it: everything the inspector needs to do it offline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Task {
    pub id: Uuid,
    /// The visit to make; a 整改复查 is `recheck` and names its finding.
    pub visit: SubmissionKind,
    pub household_id: Uuid,
    /// The finding to re-check, with what it was and the item it is about.
    pub finding_id: Option<Uuid>,
    pub finding_description: Option<String>,
    pub item_label: Option<Text>,
    /// What the township says it did (整改情况).
    pub rectification_note: Option<String>,
    /// The photo that showed the problem when it was found, to be set beside the re-check's
    /// (the device shows it when it holds it). Left out when there is none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub original_photo_sha256: Option<String>,
    /// What the planner asks (布置说明), and who planned it (姓名（单位）).
    pub instructions: Option<String>,
    pub planned_by: Option<Text>,
    pub due_on: NaiveDate,
    pub created_at: DateTime<Utc>,
}

impl Task {
    /// Past its due date (red on both sides).
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.due_on < today
    }
}

/// The most tasks one pull carries: a device's list stays readable, and a pull bounded.
pub const MAX_TASKS_PER_PULL: usize = 500;

/// The longest 布置说明 of a planned visit.
pub const MAX_INSTRUCTIONS_CHARS: usize = 500;

/// A task received from the office is checked before the device keeps it: a re-check names
/// its finding, nothing else does, and the texts are bounded.
pub fn check_task(task: &Task) -> Result<(), String> {
    let recheck = task.visit == SubmissionKind::Recheck;
    if recheck != task.finding_id.is_some() {
        return Err(format!("task {}: finding_id", task.id));
    }
    let too_long =
        |text: &Option<String>, max: usize| text.as_ref().is_some_and(|t| t.chars().count() > max);
    if recheck
        && task
            .finding_description
            .as_ref()
            .is_none_or(|d| d.trim().is_empty())
    {
        return Err(format!("task {}: finding_description", task.id));
    }
    if too_long(&task.finding_description, crate::form::MAX_FINDING_CHARS) {
        return Err(format!("task {}: finding_description", task.id));
    }
    if too_long(&task.rectification_note, 2000) {
        return Err(format!("task {}: rectification_note", task.id));
    }
    if too_long(&task.instructions, MAX_INSTRUCTIONS_CHARS) {
        return Err(format!("task {}: instructions", task.id));
    }
    if task
        .original_photo_sha256
        .as_deref()
        .is_some_and(|sha| !recheck || !crate::hash::is_sha256_hex(sha))
    {
        return Err(format!("task {}: original_photo_sha256", task.id));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recheck() -> Task {
        Task {
            id: Uuid::now_v7(),
            visit: SubmissionKind::Recheck,
            household_id: Uuid::now_v7(),
            finding_id: Some(Uuid::now_v7()),
            finding_description: Some("厨房可用：灶台未砌".into()),
            item_label: None,
            rectification_note: Some("灶台已砌好".into()),
            original_photo_sha256: Some("ab".repeat(32)),
            instructions: None,
            planned_by: None,
            due_on: NaiveDate::from_ymd_opt(2026, 12, 12).unwrap(),
            created_at: Utc::now(),
        }
    }

    #[test]
    fn a_task_names_a_problem_photo_only_for_a_recheck_and_only_by_its_hash() {
        assert_eq!(check_task(&recheck()), Ok(()));
        let no_photo = Task {
            original_photo_sha256: None,
            ..recheck()
        };
        assert_eq!(check_task(&no_photo), Ok(()));
        for bad in ["../../etc/passwd", "AB".repeat(32).as_str(), "ab"] {
            let task = Task {
                original_photo_sha256: Some(bad.into()),
                ..recheck()
            };
            assert!(check_task(&task).is_err(), "{bad}");
        }
        let planned = Task {
            visit: SubmissionKind::MoveIn,
            finding_id: None,
            finding_description: None,
            ..recheck()
        };
        assert!(
            check_task(&planned).is_err(),
            "a planned visit names no photo"
        );
    }
}

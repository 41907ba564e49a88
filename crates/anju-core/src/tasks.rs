//! Work the office plans for an inspector, received on the device as a task list with due
//! dates. The first kind is 整改复查: when the township reports a finding rectified, the
//! household's inspector is given a task to confirm it on the spot.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::form::Text;

/// Days an inspector has to re-check a rectification.
pub const RECHECK_DAYS: i64 = 7;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum TaskKind {
    /// 整改复查.
    Recheck,
}

impl TaskKind {
    pub fn code(self) -> &'static str {
        match self {
            Self::Recheck => "recheck",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        (code == "recheck").then_some(Self::Recheck)
    }
}

/// One task as the device receives it: everything the inspector needs to do it offline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Task {
    pub id: Uuid,
    pub kind: TaskKind,
    pub household_id: Uuid,
    /// The finding to re-check.
    pub finding_id: Uuid,
    /// What the problem was, and the item it is about.
    pub finding_description: String,
    pub item_label: Option<Text>,
    /// What the township says it did (整改情况).
    pub rectification_note: Option<String>,
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

/// A task received from the office is checked before the device keeps it.
pub fn check_task(task: &Task) -> Result<(), String> {
    if task.finding_description.trim().is_empty()
        || task.finding_description.chars().count() > crate::form::MAX_FINDING_CHARS
    {
        return Err(format!("task {}: finding_description", task.id));
    }
    if task
        .rectification_note
        .as_ref()
        .is_some_and(|n| n.chars().count() > 2000)
    {
        return Err(format!("task {}: rectification_note", task.id));
    }
    Ok(())
}

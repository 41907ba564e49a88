//! The inspector's task list (整改复查 …): what the office planned, with due dates, worked
//! offline; a task opens its form.

use uuid::Uuid;

use super::{FieldApp, Result, today};
use crate::views::{DraftView, TaskView};

impl FieldApp {
    /// The tasks, soonest due first, each with its household, how many days are left
    /// (negative: overdue), and whether it was begun or submitted here.
    pub fn tasks(&self) -> Result<Vec<TaskView>> {
        let store = self.store();
        let today = today(&store)?;
        let mut views = Vec::new();
        for task in store.tasks()? {
            // A task for a household no longer here is left out until the next pull.
            let Some(household) = store.household(task.household_id)? else {
                continue;
            };
            let draft = store
                .draft_for(task.household_id, task.visit)?
                .filter(|d| d.finding_id == task.finding_id);
            // Done here: the re-check of its finding, or a visit of its kind made since it
            // was planned.
            let submitted = store.submissions_for(task.household_id)?.iter().any(|s| {
                s.kind == task.visit
                    && match task.finding_id {
                        Some(finding) => s.finding_id == Some(finding),
                        None => anju_core::records::made_at(&s.clock) >= task.created_at,
                    }
            });
            views.push(TaskView {
                days_left: (task.due_on - today).num_days(),
                overdue: task.is_overdue(today),
                head_name: household.head_name,
                household_number: household.number,
                village: household.village,
                draft_id: draft.map(|d| d.id),
                submitted,
                task,
            });
        }
        Ok(views)
    }

    /// The task's form: its open draft, or a new one naming the finding it re-checks.
    pub fn open_task(&self, task_id: Uuid) -> Result<DraftView> {
        let mut store = self.store();
        let draft = store.open_task_draft(task_id)?;
        self.draft_view(&store, draft)
    }
}

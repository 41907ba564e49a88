//! The inspector's tasks from the office (整改复查 …), kept for work offline: each completed
//! pull replaces the list; a re-check is begun from its task.

use anju_core::tasks::{Task, check_task};
use chrono::Utc;
use rusqlite::{OptionalExtension, params};
use uuid::Uuid;

use crate::drafts::Draft;
use crate::{Result, Store, StoreError};

impl Store {
    /// Replace the task list with what the office sent; a task that fails its check, or
    /// whose household is not on this device, is left out and named.
    pub fn save_tasks(&mut self, tasks: &[Task]) -> Result<Vec<String>> {
        let mut refused = Vec::new();
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM tasks", [])?;
        {
            let mut has_household =
                tx.prepare_cached("SELECT EXISTS (SELECT 1 FROM households WHERE id = ?1)")?;
            let mut insert = tx.prepare_cached(
                "INSERT INTO tasks (id, household_id, finding_id, due_on, task_json, received_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (id) DO NOTHING",
            )?;
            let at = Utc::now().to_rfc3339();
            for task in tasks.iter().take(anju_core::tasks::MAX_TASKS_PER_PULL) {
                let here: bool =
                    has_household.query_row([task.household_id.to_string()], |r| r.get(0))?;
                if let Err(problem) = check_task(task) {
                    refused.push(problem);
                    continue;
                }
                if !here {
                    refused.push(format!("task {}: household not on this device", task.id));
                    continue;
                }
                insert.execute(params![
                    task.id.to_string(),
                    task.household_id.to_string(),
                    task.finding_id.map(|f| f.to_string()),
                    task.due_on.to_string(),
                    serde_json::to_string(task)?,
                    at
                ])?;
            }
        }
        tx.commit()?;
        Ok(refused)
    }

    /// The tasks, soonest due first. A row that cannot be read is left out.
    pub fn tasks(&self) -> Result<Vec<Task>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT task_json FROM tasks ORDER BY due_on, id")?;
        let rows = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows
            .iter()
            .filter_map(|json| serde_json::from_str(json).ok())
            .collect())
    }

    pub fn task(&self, id: Uuid) -> Result<Task> {
        let json: Option<String> = self
            .conn
            .query_row(
                "SELECT task_json FROM tasks WHERE id = ?1",
                [id.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        let json = json.ok_or(StoreError::UnknownTask(id))?;
        serde_json::from_str(&json).map_err(|e| StoreError::Corrupt {
            what: format!("task {id}: {e}"),
        })
    }

    /// The draft of a task's visit: the open one, or a new one (a re-check names its
    /// finding).
    pub fn open_task_draft(&mut self, task_id: Uuid) -> Result<Draft> {
        let task = self.task(task_id)?;
        self.open_draft_about(task.household_id, task.visit, task.finding_id)
    }
}

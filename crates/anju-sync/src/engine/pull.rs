//! The households part of a sync: every page from the saved cursor, each applied and its
//! cursor kept, the office's published policies and forms kept, and the assigned set checked
//! against the office's digest (a full pull again when they differ).

use std::collections::BTreeSet;

use anju_core::wire::{self, PullResponse};
use anju_store::StoreError;
use uuid::Uuid;

use super::{Engine, lock, with_store};
use crate::error::SyncError;
use crate::report::Progress;
use crate::state;
use crate::waiting::{retrying, waiting};

impl<P: Fn(Progress)> Engine<'_, P> {
    pub(super) async fn pull(&mut self) -> Result<(), SyncError> {
        let start = with_store(self.store, |s| state::cursor(s))?;
        let last = self.pull_from(start).await?;
        let Some(expected) = last.digest.clone() else {
            self.report.digest_matches = true;
            return Ok(());
        };
        if self.local_digest()? == expected {
            self.report.digest_matches = true;
            return Ok(());
        }
        // The device's copy drifted (a restored backup, a lost page, another account's
        // households): pull everything again, and drop what is not assigned.
        let full = if start == 0 {
            last
        } else {
            tracing::warn!("assigned-set digest differs: pulling every household again");
            self.report.full_repull = true;
            let full = self.pull_from(0).await?;
            if full.digest.is_none() {
                return Err(SyncError::Protocol {
                    what: "the last pull page has no assigned_digest".into(),
                });
            }
            full
        };
        let mut retained = with_store(self.store, |s| state::retained(s))?;
        let local = with_store(self.store, |s| s.household_ids())?;
        for id in local {
            if !full.assigned.contains(&id) {
                self.drop_household(id, &mut retained)?;
            }
        }
        with_store(self.store, |s| state::set_retained(s, &retained))?;
        self.report.households_kept = retained.iter().copied().collect();
        self.report.digest_matches = full.digest.as_deref() == Some(&self.local_digest()?);
        if !self.report.digest_matches {
            tracing::warn!("assigned-set digest still differs after a full pull");
        }
        Ok(())
    }

    /// The digest of the households the device holds as assigned (those kept only for
    /// their unsynced work are left out).
    fn local_digest(&self) -> Result<String, SyncError> {
        let s = lock(self.store);
        let retained = state::retained(&s)?;
        let ids = s.household_ids()?;
        Ok(wire::assigned_digest(
            ids.iter().filter(|id| !retained.contains(id)),
        ))
    }

    /// Remove a household the office no longer assigns, or keep it (retained) while work
    /// on it has not reached the office.
    fn drop_household(&mut self, id: Uuid, retained: &mut BTreeSet<Uuid>) -> Result<(), SyncError> {
        match lock(self.store).remove_household(id) {
            Ok(removed) => {
                if removed {
                    self.report.households_removed += 1;
                }
                retained.remove(&id);
                Ok(())
            }
            Err(StoreError::UnsyncedWork) => {
                retained.insert(id);
                Ok(())
            }
            Err(error) => Err(error.into()),
        }
    }

    /// Pull every page from `cursor`, storing the cursor after each page so that a cut
    /// goes on from there.
    async fn pull_from(&mut self, mut cursor: i64) -> Result<PullOutcome, SyncError> {
        let mut assigned: BTreeSet<Uuid> = BTreeSet::new();
        let limit = self.config.pull_limit.clamp(1, wire::MAX_PULL_LIMIT);
        loop {
            let api = &self.api;
            let waiting = waiting(self.progress, self.now);
            let page: PullResponse = retrying(
                self.config,
                self.cancel,
                &mut self.report.retries,
                &waiting,
                || api.pull(cursor, limit),
            )
            .await?;
            self.apply_page(&page)?;
            for household in &page.households {
                assigned.insert(household.id);
            }
            let fresh: BTreeSet<Uuid> = page.households.iter().map(|h| h.id).collect();
            for id in &page.tombstones {
                if !fresh.contains(id) {
                    assigned.remove(id);
                }
            }
            if page.has_more && page.next_cursor <= cursor {
                return Err(SyncError::Protocol {
                    what: format!("pull cursor did not move ({cursor})"),
                });
            }
            cursor = page.next_cursor;
            self.report.assigned_count = page.assigned_count;
            if !page.has_more {
                return Ok(PullOutcome {
                    digest: page.assigned_digest,
                    assigned,
                });
            }
        }
    }

    fn apply_page(&mut self, page: &PullResponse) -> Result<(), SyncError> {
        let fresh: BTreeSet<Uuid> = page.households.iter().map(|h| h.id).collect();
        let mut retained = with_store(self.store, |s| state::retained(s))?;
        if !page.households.is_empty() {
            with_store(self.store, |s| {
                s.upsert_households(&page.households, &page.history, page.next_cursor)
            })?;
        }
        // The district's policy comes with every page; the last one seen is kept.
        with_store(self.store, |s| s.save_policies(&page.policies))?;
        // Published forms come with the last page.
        let refused = with_store(self.store, |s| s.save_forms(&page.forms))?;
        if !refused.is_empty() {
            tracing::warn!(
                ?refused,
                "published forms that fail the checks were not kept"
            );
        }
        for id in &fresh {
            retained.remove(id);
        }
        // A household kept for its unsynced work goes once that work has synced.
        let waiting: Vec<Uuid> = retained.iter().copied().collect();
        for id in waiting.iter().chain(&page.tombstones) {
            if !fresh.contains(id) {
                self.drop_household(*id, &mut retained)?;
            }
        }
        // The inspector's tasks come whole with the last page, once its households are in.
        if !page.has_more {
            let refused = with_store(self.store, |s| s.save_tasks(&page.tasks))?;
            if !refused.is_empty() {
                tracing::warn!(?refused, "tasks that fail the checks were not kept");
            }
            // The team, with its members' PIN verifiers, comes whole with the last page.
            if let Some(problem) = with_store(self.store, |s| s.save_team(page.team.as_ref()))? {
                tracing::warn!(%problem, "a team that fails its check was not kept");
            }
        }
        with_store(self.store, |s| {
            state::set_retained(s, &retained)?;
            s.set_sync_value(state::PULL_CURSOR, &page.next_cursor.to_string())
        })?;
        self.report.households_kept = retained.into_iter().collect();
        self.report.households_pulled += page.households.len() as u64;
        self.now.households_pulled = self.report.households_pulled;
        self.tell();
        Ok(())
    }
}

struct PullOutcome {
    digest: Option<String>,
    /// The households assigned as these pages tell (complete when pulled from 0).
    assigned: BTreeSet<Uuid>,
}

//! The sync engine's small named values (`sync_state`): the sign-in, the pull cursor, the
//! clock anchor and the like. The store only keeps them; their meaning is `anju-sync`'s.

use rusqlite::{OptionalExtension, params};

use crate::{Result, Store};

/// The key of `sync_state` under which the sync engine keeps the signed-in user (JSON
/// with their `name`): a household's status counts that user's work from any device.
pub const SIGNED_IN_USER_KEY: &str = "user";

impl Store {
    pub fn sync_value(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT value FROM sync_state WHERE key = ?1",
                [key],
                |row| row.get(0),
            )
            .optional()?)
    }

    pub fn set_sync_value(&mut self, key: &str, value: &str) -> Result<()> {
        self.conn.execute(
            "INSERT INTO sync_state (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }
}

//! Several writes that stand or fall together: [`Store::write`] hands a [`StoreTx`] to a
//! closure and commits what it wrote only when the closure succeeds, so an error or a crash
//! half-way leaves none of it (a photo is never kept without its thumbnail, or out of its
//! draft's slot).
//!
//! Files are not in the transaction: they are written before the rows that name them,
//! under their SHA-256, so a file left by a write that failed is harmless (and reused when
//! the same bytes come again), while a row never names a file that is not there.

use std::path::Path;

use rusqlite::{Connection, Transaction, TransactionBehavior};

use crate::{Result, Store};

/// Writes in one SQLite transaction, open while a [`Store::write`] closure runs. It has
/// the row-writing methods of the store that take part (`add_photo`, `set_photo_extras`,
/// `save_answer`…) and reads that see what it wrote so far.
pub struct StoreTx<'store> {
    tx: Transaction<'store>,
    blob_dir: &'store Path,
}

impl StoreTx<'_> {
    pub(crate) fn conn(&self) -> &Connection {
        &self.tx
    }

    pub(crate) fn blob_dir(&self) -> &Path {
        self.blob_dir
    }
}

impl Store {
    /// Run `write` in one transaction: commit if it returns `Ok`, roll back if it returns
    /// `Err` (or panics). The transaction takes the write lock at once (`IMMEDIATE`), so it
    /// cannot fail later for want of it.
    pub fn write<T>(&mut self, write: impl FnOnce(&mut StoreTx<'_>) -> Result<T>) -> Result<T> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut store_tx = StoreTx {
            tx,
            blob_dir: &self.blob_dir,
        };
        let value = write(&mut store_tx)?;
        store_tx.tx.commit()?;
        Ok(value)
    }
}

//! The office database: one writer and a pool of readers, on SQLite or PostgreSQL.

use std::sync::{Arc, Mutex};

use super::StorageError;
use crate::db::{DatabaseLocation, OfficeDb};

/// Connections that only read, opened as needed up to a bound, each used by one blocking
/// thread at a time. SQLite in WAL mode lets them read while the writer writes.
pub struct ReaderPool {
    location: DatabaseLocation,
    idle: Mutex<Vec<OfficeDb>>,
    permits: tokio::sync::Semaphore,
}

/// How many readers at most: enough for the cores and a few waiting on the disk.
pub fn default_readers() -> usize {
    std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(2, 8)
        * 2
}

impl ReaderPool {
    pub fn new(location: &DatabaseLocation, size: usize) -> Self {
        Self {
            location: location.clone(),
            idle: Mutex::new(Vec::new()),
            permits: tokio::sync::Semaphore::new(size.max(1)),
        }
    }

    pub async fn with<T: Send + 'static, E: From<StorageError> + Send + 'static>(
        &self,
        f: impl FnOnce(&mut OfficeDb) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| E::from(StorageError::Task(e.to_string())))?;
        let pooled = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let db = pooled;
        let location = self.location.clone();
        let (db, result) = tokio::task::spawn_blocking(move || {
            let mut db = match db {
                Some(db) => db,
                None => match OfficeDb::open_reader_at(&location) {
                    Ok(db) => db,
                    Err(e) => return (None, Err(E::from(StorageError::Db(e)))),
                },
            };
            let result = f(&mut db);
            (Some(db), result)
        })
        .await
        .map_err(|e| E::from(StorageError::Task(e.to_string())))?;
        // A connection the server closed is not kept.
        if let Some(db) = db.filter(OfficeDb::is_usable) {
            self.idle.lock().unwrap_or_else(|p| p.into_inner()).push(db);
        }
        result
    }
}

/// A PostgreSQL server that restarted closed the writer's connection: connect again.
fn reconnect_if_closed(db: &mut OfficeDb) -> Result<(), crate::db::OfficeDbError> {
    if !db.is_usable() {
        *db = OfficeDb::open_reader_at(&db.location().clone())?;
    }
    Ok(())
}

/// The office database: one writing connection behind a mutex and a pool of readers, each
/// used from a blocking thread, on SQLite or PostgreSQL (where several processes' writers
/// follow one another through the write lock every transaction takes). Nothing CPU-heavy
/// (password hashing, files) runs while the writer is held.
#[derive(Clone)]
pub struct OfficeDatabase {
    writer: Arc<Mutex<OfficeDb>>,
    readers: Arc<ReaderPool>,
}

impl OfficeDatabase {
    pub fn new(db: OfficeDb) -> Self {
        let readers = Arc::new(ReaderPool::new(db.location(), default_readers()));
        Self {
            writer: Arc::new(Mutex::new(db)),
            readers,
        }
    }

    /// Run `f` on a blocking thread with the writer.
    pub async fn with<T: Send + 'static, E: From<StorageError> + Send + 'static>(
        &self,
        f: impl FnOnce(&mut OfficeDb) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E> {
        let writer = Arc::clone(&self.writer);
        tokio::task::spawn_blocking(move || {
            // A panic while holding the lock cannot leave a half-done transaction behind
            // (the database rolls it back), so a poisoned lock is still safe to use.
            let mut guard = writer
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            reconnect_if_closed(&mut guard).map_err(|e| E::from(StorageError::Db(e)))?;
            f(&mut guard)
        })
        .await
        .map_err(|e| E::from(StorageError::Task(e.to_string())))?
    }

    /// Run `f` on a blocking thread with a reader (on SQLite it cannot write).
    pub async fn read<T: Send + 'static, E: From<StorageError> + Send + 'static>(
        &self,
        f: impl FnOnce(&mut OfficeDb) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E> {
        self.readers.with(f).await
    }
}

//! CPU-heavy work (password hashing, reading an uploaded roster, writing an export) runs
//! on blocking threads, at most one per core at a time, and never while the database
//! is held: a flood of it slows itself, not the office.

use std::sync::Arc;

use tokio::sync::Semaphore;

#[derive(Clone)]
pub struct CpuPool {
    permits: Arc<Semaphore>,
}

impl Default for CpuPool {
    fn default() -> Self {
        Self::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
    }
}

impl CpuPool {
    pub fn new(threads: usize) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(threads.max(1))),
        }
    }

    /// Run `f` when a core is free; `Err` only if the task itself died.
    pub async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, String> {
        let _permit = self.permits.acquire().await.map_err(|e| e.to_string())?;
        tokio::task::spawn_blocking(f)
            .await
            .map_err(|e| e.to_string())
    }
}

/// A queue with a bounded number of jobs running and waiting (the PDF printer: each job
/// is a browser of its own). A job past the waiting room is refused at once.
#[derive(Clone)]
pub struct JobQueue {
    running: Arc<Semaphore>,
    admitted: Arc<Semaphore>,
}

/// A place in a [`JobQueue`]; dropping it frees the place.
pub struct QueueTicket {
    _admitted: tokio::sync::OwnedSemaphorePermit,
    _running: tokio::sync::OwnedSemaphorePermit,
}

impl JobQueue {
    pub fn new(running: usize, waiting: usize) -> Self {
        Self {
            running: Arc::new(Semaphore::new(running.max(1))),
            admitted: Arc::new(Semaphore::new(running.max(1) + waiting)),
        }
    }

    /// Wait for a turn; `None` when the queue is full.
    pub async fn enter(&self) -> Option<QueueTicket> {
        let admitted = Arc::clone(&self.admitted).try_acquire_owned().ok()?;
        let running = Arc::clone(&self.running).acquire_owned().await.ok()?;
        Some(QueueTicket {
            _admitted: admitted,
            _running: running,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_full_queue_refuses_and_a_finished_job_makes_room() {
        let queue = JobQueue::new(1, 1);
        let first = queue.enter().await.unwrap();
        let waiting = {
            let queue = queue.clone();
            tokio::spawn(async move { queue.enter().await.is_some() })
        };
        tokio::task::yield_now().await;
        // One running, one waiting: the third is refused.
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        assert!(queue.enter().await.is_none());
        drop(first);
        assert!(waiting.await.unwrap());
        assert!(queue.enter().await.is_some());
    }
}

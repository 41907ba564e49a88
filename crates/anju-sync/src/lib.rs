//! The field device's sync engine: the client side of the Anju sync protocol
//! (`docs/sync-protocol.md`).
//!
//! - [`login`] signs the device in and keeps the token, the office's address and the
//!   clock anchor in the store; [`logout`] gives the token back.
//! - [`sync`] does one whole sync: reads the office's clock, uploads the blobs the
//!   waiting records name (resuming after a cut, never sending a byte the office has),
//!   pushes the records in outbox order and in batches, and pulls the inspector's
//!   households (tombstones, assigned-set digest). Retryable failures are tried again
//!   with exponential backoff and jitter; anything else stops it with a [`SyncError`]
//!   that says in Chinese and English what is wrong and what to do. It reports
//!   [`Progress`] as it goes and stops at once when its `CancellationToken` fires.
//! - A record is marked synced only when the office acknowledged it; the device keeps
//!   its own copy.
//! - [`trusted_reading`] gives a record made now its device time, office-anchored time
//!   and offset.

mod api;
pub mod clock;
mod config;
mod engine;
mod error;
pub mod pinning;
mod report;
pub mod state;
mod waiting;

pub use clock::{boot_clock, load_anchor, trusted_reading};
pub use config::{DeviceClock, SIGN_IN_CONNECT_TIMEOUT, SyncConfig};
pub use engine::{Credentials, Session, login, logout, set_team_pin, sync};
pub use error::SyncError;
pub use report::{HeldRecord, Phase, Progress, RejectedRecord, RetryWait, SyncReport};
pub use state::{SavedSession, saved_session};
pub use tokio_util::sync::CancellationToken;

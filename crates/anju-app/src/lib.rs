//! What the field app's screens call, without Tauri: `src-tauri` wraps each method of
//! [`FieldApp`] in a thin command (`docs/field-app-commands.md`), so every rule behind the
//! screens is tested here without a webview.
//!
//! - sign-in and sign-out (warning about unsynced work), language;
//! - households: search, counts by status, filters, a household's history;
//! - drafts: every answer saved as it is made, photos through the evidence pipeline
//!   (watermarked, thumbnail, hashed), signatures drawn from strokes or photographed
//!   thumbprints, bound to the form's content; submitting;
//! - findings; sync by hand or in the background ([`autosync::Schedule`]), with progress.

mod app;
pub mod autosync;
pub mod bindings;
mod error;
mod views;

pub use app::{AppOptions, FieldApp, IncomingPhoto, SyncTrigger};
pub use error::{AppError, CommandError};
pub use views::*;

//! Running an office service for the user who asks: with their [`Viewer`], on a reader
//! or the writer, its error answered as JSON.

use super::{AppError, AppState, page_error};
use crate::services::{self, Viewer};
use crate::users::AuthUser;

/// Run a service that only reads, on a reader (in parallel with other pages, the
/// devices' pulls and the writer).
pub(crate) async fn read<T: Send + 'static>(
    state: &AppState,
    user: AuthUser,
    f: impl FnOnce(&mut crate::db::OfficeDb, &Viewer) -> services::Result<T> + Send + 'static,
) -> Result<T, AppError> {
    state
        .db
        .read(move |db| {
            let viewer = Viewer::of(db, &user)?;
            f(db, &viewer)
        })
        .await
        .map_err(page_error)
}

/// Run a service that writes, with the writer.
pub(crate) async fn run<T: Send + 'static>(
    state: &AppState,
    user: AuthUser,
    f: impl FnOnce(&mut crate::db::OfficeDb, &Viewer) -> services::Result<T> + Send + 'static,
) -> Result<T, AppError> {
    state
        .db
        .with(move |db| {
            let viewer = Viewer::of(db, &user)?;
            f(db, &viewer)
        })
        .await
        .map_err(page_error)
}

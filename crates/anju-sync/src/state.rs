//! The engine's small named values in the store's `sync_state`.

use std::collections::BTreeSet;

use anju_core::wire::UserInfo;
use anju_store::{Store, StoreError};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub const SERVER_URL: &str = "server_url";
pub const TOKEN: &str = "token";
pub const DEVICE_ID: &str = "device_id";
/// The store counts this user's work from any device in a household's status.
pub const USER: &str = anju_store::SIGNED_IN_USER_KEY;
pub const CLOCK_ANCHOR: &str = "clock_anchor";
pub const PULL_CURSOR: &str = "pull_cursor";
/// Households the office no longer assigns but that the device keeps because work on
/// them has not reached the office: left out of the assigned-set digest.
pub const RETAINED: &str = "retained_households";
pub const LAST_SYNC: &str = "last_sync";
/// SHA-256 of the office's certificate met at the first sign-in (HTTPS only).
pub const PINNED_CERTIFICATE: &str = "pinned_certificate";

/// What the device remembers of its sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedSession {
    pub server_url: String,
    pub device_id: Uuid,
    pub user: UserInfo,
    /// Whether a token is held (signed in); the token itself is not shown.
    pub signed_in: bool,
    /// The code of the office's certificate this device trusts (HTTPS), to compare with
    /// the one the office pages show.
    pub certificate_code: Option<String>,
}

pub(crate) fn value(store: &Store, key: &str) -> Result<Option<String>, StoreError> {
    Ok(store.sync_value(key)?.filter(|v| !v.is_empty()))
}

/// The sign-in kept on the device, if any.
pub fn saved_session(store: &Store) -> Result<Option<SavedSession>, StoreError> {
    let (Some(server_url), Some(device_id), Some(user)) = (
        value(store, SERVER_URL)?,
        value(store, DEVICE_ID)?,
        value(store, USER)?,
    ) else {
        return Ok(None);
    };
    let (Ok(device_id), Ok(user)) = (
        Uuid::parse_str(&device_id),
        serde_json::from_str::<UserInfo>(&user),
    ) else {
        return Ok(None);
    };
    Ok(Some(SavedSession {
        server_url,
        device_id,
        user,
        signed_in: value(store, TOKEN)?.is_some(),
        certificate_code: value(store, PINNED_CERTIFICATE)?.map(|f| crate::pinning::short_code(&f)),
    }))
}

pub(crate) fn cursor(store: &Store) -> Result<i64, StoreError> {
    Ok(value(store, PULL_CURSOR)?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0))
}

pub(crate) fn retained(store: &Store) -> Result<BTreeSet<Uuid>, StoreError> {
    Ok(value(store, RETAINED)?
        .and_then(|v| serde_json::from_str(&v).ok())
        .unwrap_or_default())
}

pub(crate) fn set_retained(store: &mut Store, ids: &BTreeSet<Uuid>) -> Result<(), StoreError> {
    store.set_sync_value(RETAINED, &serde_json::to_string(ids)?)
}

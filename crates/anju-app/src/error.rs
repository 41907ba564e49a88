//! What can go wrong behind a screen, and how it reaches the front end.

use anju_core::form::FormIssue;
use anju_media::MediaError;
use anju_store::StoreError;
use anju_sync::SyncError;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::views::FormIssueView;

/// Why a command failed. Every message is "中文 / English".
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Store(StoreError),
    #[error(transparent)]
    Sync(#[from] SyncError),
    #[error("照片无法使用：{0} / the photo cannot be used: {0}")]
    Photo(MediaError),
    #[error("签字无法保存：{0} / the signature cannot be saved: {0}")]
    Signature(MediaError),
    #[error("本机没有该户（{0}） / household {0} is not on this device")]
    UnknownHousehold(uuid::Uuid),
    #[error("{zh} / {en}")]
    Invalid { zh: String, en: String },
    /// The form has problems: submitting waits until it has none.
    #[error("表单尚未填完，不能提交：{} / the form is not complete: {} problem(s)", .issues.first().map(|i| i.to_string()).unwrap_or_default(), .issues.len())]
    Incomplete { issues: Vec<FormIssue> },
    #[error(
        "还有{records}条记录未同步、{drafts}份表单未提交；退出后须重新登录才能同步，记录仍保存在本机 / {records} record(s) are not synced and {drafts} form(s) not submitted: after signing out they wait on this device until someone signs in again"
    )]
    UnsyncedWork { records: u32, drafts: u32 },
    #[error("同步正在进行，请稍候 / a sync is already running: wait for it to finish")]
    SyncRunning,
    #[error(
        "本机尚未登录办公室服务器，请先登录 / this device is not signed in to the office: sign in first"
    )]
    NotSignedIn,
    #[error("PIN不正确，还可尝试{tries_left}次 / wrong PIN: {tries_left} tries left")]
    WrongPin { tries_left: u32 },
    #[error(
        "PIN错误次数过多，已锁定，请于{until}后再试 / too many wrong PINs: locked until {until}"
    )]
    PinLocked { until: String },
}

impl AppError {
    pub fn invalid(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self::Invalid {
            zh: zh.into(),
            en: en.into(),
        }
    }

    /// A stable code the front end can act on.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Store(StoreError::StaleRevision { .. }) => "stale_revision",
            Self::Store(StoreError::UnknownDraft(_)) => "not_found",
            Self::Store(StoreError::UnknownHousehold(_)) | Self::UnknownHousehold(_) => "not_found",
            Self::Store(_) => "store",
            Self::Sync(error) => sync_code(error),
            Self::Photo(_) => "bad_photo",
            Self::Signature(_) => "bad_signature",
            Self::Invalid { .. } => "invalid",
            Self::Incomplete { .. } => "incomplete",
            Self::UnsyncedWork { .. } => "unsynced_work",
            Self::SyncRunning => "sync_running",
            Self::NotSignedIn => "not_signed_in",
            Self::WrongPin { .. } => "wrong_pin",
            Self::PinLocked { .. } => "pin_locked",
        }
    }

    /// The form's problems, for `incomplete`.
    pub fn issues(&self) -> &[FormIssue] {
        match self {
            Self::Incomplete { issues } => issues,
            _ => &[],
        }
    }
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::UnknownHousehold(id) => Self::UnknownHousehold(id),
            other => Self::Store(other),
        }
    }
}

fn sync_code(error: &SyncError) -> &'static str {
    match error {
        SyncError::NotSignedIn => "not_signed_in",
        SyncError::BadServerUrl { .. } => "bad_server_url",
        SyncError::WrongPassword { .. } => "wrong_password",
        SyncError::TooManyAttempts { .. } => "too_many_attempts",
        SyncError::Unauthorized { .. } => "unauthorized",
        SyncError::Forbidden { .. } => "forbidden",
        SyncError::CertificateChanged { .. } => "certificate_changed",
        SyncError::Unreachable { .. } => "unreachable",
        SyncError::Network { .. } | SyncError::Timeout { .. } => "network",
        SyncError::Cancelled => "cancelled",
        SyncError::Store(_) => "store",
        _ => "sync",
    }
}

/// An error as the front end receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CommandError {
    pub code: String,
    /// What is wrong and what to do, "中文 / English".
    pub message: String,
    /// The form's problems, when `code` is `incomplete`.
    pub issues: Vec<FormIssueView>,
}

impl From<&AppError> for CommandError {
    fn from(error: &AppError) -> Self {
        Self {
            code: error.code().to_string(),
            message: error.to_string(),
            issues: error.issues().iter().map(FormIssueView::from).collect(),
        }
    }
}

impl From<AppError> for CommandError {
    fn from(error: AppError) -> Self {
        Self::from(&error)
    }
}

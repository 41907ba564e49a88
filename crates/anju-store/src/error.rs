//! What can go wrong in the device's database.

use anju_core::hash::HashError;
use anju_db::DbError;
use uuid::Uuid;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("数据库错误 / database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("文件 {path} 读写失败 / cannot read or write {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("记录内容无法编码 / a record cannot be encoded: {0}")]
    Encoding(#[from] serde_json::Error),
    #[error(transparent)]
    Hash(#[from] HashError),
    #[error("本机没有该户（{0}） / household {0} is not on this device")]
    UnknownHousehold(Uuid),
    #[error(
        "草稿 {0} 不存在（可能已提交） / draft {0} does not exist (it may have been submitted)"
    )]
    UnknownDraft(Uuid),
    #[error(
        "本程序不认识表单 {form_id} 第{version}版 / this program does not know form {form_id} version {version}"
    )]
    UnknownForm { form_id: String, version: u32 },
    #[error(
        "草稿已在别处修改（版本{expected}，现为{actual}），请刷新 / the draft was changed elsewhere (revision {expected}, now {actual}): reload it"
    )]
    StaleRevision { expected: i64, actual: i64 },
    #[error("表单引用了本机没有的照片 {0} / the form names a photo this device does not have: {0}")]
    MissingPhoto(String),
    #[error("照片标识 {0} 不是有效的 SHA-256 / {0} is not a SHA-256")]
    BadHash(String),
    #[error(
        "该户有尚未同步的记录，不能移除 / the household has records not yet synced: it cannot be removed"
    )]
    UnsyncedWork,
    #[error(
        "本机没有这项任务（{0}），可能已完成或已取消，请同步 / task {0} is not on this device: it may be done or cancelled; sync"
    )]
    UnknownTask(Uuid),
    #[error("整改复查须从任务清单开始 / a re-check starts from the task list")]
    RecheckNeedsTask,
    #[error(
        "该户另一项整改复查尚未提交，请先完成或放弃 / another re-check of this household is not submitted yet: finish or discard it first"
    )]
    OtherRecheckOpen,
    #[error("已保存的记录损坏（{what}） / a stored record is damaged ({what})")]
    Corrupt { what: String },
}

pub(crate) type Result<T, E = StoreError> = std::result::Result<T, E>;

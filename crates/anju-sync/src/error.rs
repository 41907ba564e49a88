//! What can stop a sync, each said in Chinese and English with what to do about it.

use std::time::Duration;

use anju_store::StoreError;

/// Why a sync (or a sign-in) stopped. Every message is "中文 / English" and ends with
/// what the inspector can do.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(
        "本机尚未登录办公室服务器，请先登录 / this device is not signed in to the office: sign in first"
    )]
    NotSignedIn,

    #[error(
        "服务器地址无效：{url}，请检查地址（如 http://192.168.1.10:8080） / not a valid server address: {url}; check it (e.g. http://192.168.1.10:8080)"
    )]
    BadServerUrl { url: String },

    #[error(
        "办公室服务器的证书与首次登录时不同（原 {pinned}，现 {presented}）：可能有人冒充办公室，请停止同步并与办公室核对证书核对码；确认办公室换了证书后，退出登录再重新登录 / the office's certificate is not the one met at the first sign-in (was {pinned}, now {presented}): someone may be pretending to be the office. Stop syncing and compare the certificate code with the office; once the office confirms it changed its certificate, sign out and sign in again"
    )]
    CertificateChanged { pinned: String, presented: String },

    #[error("用户名或密码错误，请重新输入 / wrong user name or password: try again ({message})")]
    WrongPassword { message: String },

    #[error(
        "登录失败次数过多，请{}秒后再试 / too many failed sign-ins: try again in {} s",
        retry_after.as_secs(),
        retry_after.as_secs()
    )]
    TooManyAttempts { retry_after: Duration },

    #[error(
        "登录已失效（{code}），请重新登录；未同步的记录都还在本机 / the sign-in is no longer valid ({code}): sign in again; unsynced work stays on this device. {message}"
    )]
    Unauthorized { code: String, message: String },

    #[error(
        "没有权限（{code}），请联系乡镇办公室分配任务或开通权限 / not allowed ({code}): ask the office to assign the household or grant the access. {message}"
    )]
    Forbidden { code: String, message: String },

    #[error(
        "文件或请求过大，办公室拒收（{code}），请重新拍摄或压缩后再提交 / the file or request is too large for the office ({code}): retake or shrink it. {message}"
    )]
    TooLarge { code: String, message: String },

    #[error(
        "办公室拒绝了请求（{status} {code}），请把此信息告知办公室 / the office refused the request ({status} {code}): tell the office. {message}"
    )]
    Refused {
        status: u16,
        code: String,
        message: String,
    },

    #[error(
        "请求过于频繁，办公室要求{}秒后再试，请稍后再同步 / the office asks to wait {} s: sync again later",
        retry_after.as_secs(),
        retry_after.as_secs()
    )]
    RateLimited { retry_after: Duration },

    #[error(
        "服务器无法连接（已尝试{attempts}次）：请检查服务器地址和网络，或到信号好的地方再试 / the server cannot be reached ({attempts} attempts): check the server address and the network, or try again where the signal is better ({detail})"
    )]
    Unreachable { attempts: u32, detail: String },

    #[error(
        "无法连接办公室服务器（已尝试{attempts}次），请检查网络或到信号好的地方再同步 / cannot reach the office server ({attempts} attempts): check the network and sync again: {detail}"
    )]
    Network { attempts: u32, detail: String },

    #[error(
        "办公室服务器响应超时（已尝试{attempts}次），请到信号好的地方再同步 / the office server did not answer in time ({attempts} attempts): sync again where the signal is better"
    )]
    Timeout { attempts: u32 },

    #[error(
        "办公室服务器出错（{status}，已尝试{attempts}次），请稍后再同步或联系办公室 / the office server failed ({status}, {attempts} attempts): sync again later or call the office. {message}"
    )]
    Server {
        status: u16,
        attempts: u32,
        message: String,
    },

    #[error(
        "办公室的回答无法识别（{what}），请更新应用或联系办公室 / the office's answer cannot be understood ({what}): update the app or call the office"
    )]
    Protocol { what: String },

    #[error(
        "办公室服务器的协议版本为{server}，本应用为{device}，请更新应用 / the office speaks protocol version {server}, this app {device}: update the app"
    )]
    ProtocolVersion { server: u32, device: u32 },

    #[error(
        "照片或签名文件 {sha256} 无法上传：{reason} / the photo or signature file {sha256} cannot be uploaded: {reason}"
    )]
    Blob { sha256: String, reason: String },

    #[error(
        "同步已取消；已被办公室确认的记录保持已同步，其余下次继续 / sync cancelled: everything the office confirmed stays synced, the rest goes next time"
    )]
    Cancelled,

    #[error("本机数据库出错，请联系技术支持 / the device database failed: call support. {0}")]
    Store(#[from] StoreError),

    #[error(
        "无法建立网络连接组件，请联系技术支持 / the network client cannot be set up: call support. {0}"
    )]
    Client(String),
}

impl SyncError {
    /// The inspector must sign in again before syncing.
    pub fn needs_sign_in(&self) -> bool {
        matches!(self, Self::NotSignedIn | Self::Unauthorized { .. })
    }

    /// Trying again later (with a better network) may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::Unreachable { .. }
                | Self::Network { .. }
                | Self::Timeout { .. }
                | Self::Server { .. }
                | Self::RateLimited { .. }
                | Self::Cancelled
        )
    }
}

//! Error answers and what every request's parts are read with: a JSON body with the path
//! of whatever is wrong in it, the signed-in user, the client's address, the role.

use super::*;

/// An error answer: status, stable code, bilingual message, where in the request.
#[derive(Debug)]
pub struct AppError {
    status: StatusCode,
    body: ApiError,
    headers: Vec<(HeaderName, HeaderValue)>,
}

impl AppError {
    pub(crate) fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            body: ApiError {
                error: code.to_string(),
                message: message.into(),
                field: None,
            },
            headers: Vec::new(),
        }
    }

    /// The message, "中文 / English".
    pub(crate) fn message(&self) -> &str {
        &self.body.message
    }

    pub(crate) fn field(mut self, field: impl Into<String>) -> Self {
        self.body.field = Some(field.into());
        self
    }

    pub(crate) fn header(mut self, name: HeaderName, value: impl ToString) -> Self {
        if let Ok(value) = HeaderValue::from_str(&value.to_string()) {
            self.headers.push((name, value));
        }
        self
    }

    pub(crate) fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "未登录或登录已失效，请重新登录 / not signed in, or the sign-in expired: sign in again",
        )
    }

    pub(crate) fn token_expired() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "token_expired",
            "长时间未使用，登录已过期，请重新输入密码；未同步的记录仍在设备上 / the sign-in expired after a long time unused: enter the password again; unsynced work stays on the device",
        )
    }

    pub(crate) fn internal(error: impl std::fmt::Display) -> Self {
        tracing::error!(%error, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            format!(
                "办公室服务器出错，请稍后重试 / the office server failed, try again later: {error}"
            ),
        )
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let code = HeaderValue::from_str(&self.body.error).ok();
        let mut response = (self.status, Json(self.body)).into_response();
        if let Some(code) = code {
            response
                .headers_mut()
                .insert(anju_core::wire::HEADER_ERROR_CODE, code);
        }
        for (name, value) in self.headers {
            response.headers_mut().insert(name, value);
        }
        response
    }
}

impl From<StorageError> for AppError {
    fn from(error: StorageError) -> Self {
        match error {
            StorageError::Assign(e) => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_assignment",
                e.to_string(),
            ),
            other => Self::internal(other),
        }
    }
}

/// A JSON body parsed with the path of whatever is wrong in it.
pub struct ApiJson<T>(pub T);

/// Read a JSON body of at most [`MAX_PUSH_BYTES`]. A larger one is read to its end
/// (up to [`DRAIN_LIMIT`]) and thrown away before the 413 goes out: a client still
/// sending would otherwise see a reset connection instead of the answer, and retry.
pub(super) async fn read_json_body(req: Request) -> Result<Vec<u8>, AppError> {
    let too_large = || {
        AppError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            format!(
                "请求过大：上限 {MAX_PUSH_BYTES} 字节，请分批发送 / the request is too large: at most {MAX_PUSH_BYTES} bytes, send it in smaller batches"
            ),
        )
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > DRAIN_LIMIT) {
        return Err(too_large());
    }
    let mut body = req.into_body().into_data_stream();
    let mut bytes = Vec::with_capacity(declared.unwrap_or(0).min(MAX_PUSH_BYTES));
    let mut total = 0usize;
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| {
            AppError::new(
                StatusCode::BAD_REQUEST,
                "unreadable_body",
                format!("无法读取请求 / cannot read the request: {e}"),
            )
        })?;
        total += chunk.len();
        if total > DRAIN_LIMIT {
            break;
        }
        if total <= MAX_PUSH_BYTES {
            bytes.extend_from_slice(&chunk);
        }
    }
    if total > MAX_PUSH_BYTES {
        return Err(too_large());
    }
    Ok(bytes)
}

/// The most of an oversized body read (and dropped) so that its sender gets the 413.
const DRAIN_LIMIT: usize = 4 * MAX_PUSH_BYTES;

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        if !is_json {
            return Err(AppError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "not_json",
                "请求须为 JSON（Content-Type: application/json） / the request body must be JSON (Content-Type: application/json)",
            ));
        }
        let bytes = read_json_body(req).await?;
        let deserializer = &mut serde_json::Deserializer::from_slice(&bytes);
        serde_path_to_error::deserialize(deserializer)
            .map(ApiJson)
            .map_err(|error| {
                let path = error.path().to_string();
                let inner = error.into_inner();
                let (status, code, zh) = match inner.classify() {
                    serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
                        (StatusCode::BAD_REQUEST, "invalid_json", "不是有效的JSON")
                    }
                    _ => (
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "invalid_field",
                        "字段有误",
                    ),
                };
                let at = if path == "." {
                    String::new()
                } else {
                    format!(" ({path})")
                };
                let mut err = AppError::new(status, code, format!("{zh}{at} / {inner}{at}"));
                if path != "." {
                    err = err.field(path);
                }
                err
            })
    }
}

/// The signed-in user of a request (Bearer token).
pub struct Authenticated(pub AuthUser, pub String);

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(AppError::unauthorized)?
            .to_string();
        match state.store.user_for_token(token.clone()).await? {
            TokenState::Valid { user, .. } => Ok(Self(user, token)),
            TokenState::Revoked => Err(AppError::new(
                StatusCode::UNAUTHORIZED,
                "token_revoked",
                "此设备的登录已被办公室撤销，请重新登录 / the office revoked this device's sign-in: sign in again",
            )),
            TokenState::Expired => Err(AppError::token_expired()),
            TokenState::Unknown => Err(AppError::unauthorized()),
        }
    }
}

/// The address a request came from.
pub struct ClientAddr(pub std::net::IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(crate::listen::client_address(&parts.extensions)))
    }
}

pub(super) fn require_role(user: &AuthUser, role: Role) -> Result<(), AppError> {
    if user.role == role {
        Ok(())
    } else {
        Err(AppError::new(
            StatusCode::FORBIDDEN,
            "forbidden_role",
            format!(
                "此操作需要{}权限，{}是{} / this needs the {} role; {} is {}",
                role.code(),
                user.name,
                user.role.code(),
                role.code(),
                user.name,
                user.role.code()
            ),
        ))
    }
}

//! Error answers: a status, a stable code, a bilingual message and where in the request,
//! as JSON; and how the storage's and the services' errors are answered.

use anju_core::wire::ApiError;
use axum::Json;
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::services::PageError;
use crate::storage::StorageError;

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
            StorageError::Assign(e) => match assign_status(&e) {
                Some((status, code)) => Self::new(status, code, e.to_string()),
                None => Self::internal(e),
            },
            other => Self::internal(other),
        }
    }
}

/// How both APIs answer a refused assignment; none for the office's own failure.
fn assign_status(error: &crate::assign::AssignError) -> Option<(StatusCode, &'static str)> {
    use crate::assign::AssignError;
    match error {
        AssignError::NoSuchUser(_)
        | AssignError::NoSuchTownship(_)
        | AssignError::NoSuchSite(_)
        | AssignError::NoSuchHousehold(_) => Some((StatusCode::NOT_FOUND, "not_found")),
        AssignError::AmbiguousSite { .. } => Some((StatusCode::CONFLICT, "ambiguous_site")),
        AssignError::NotAnInspector(_) => {
            Some((StatusCode::UNPROCESSABLE_ENTITY, "invalid_assignment"))
        }
        AssignError::User(_) | AssignError::Sql(_) => None,
    }
}

/// A service's error as an answer: who may not, what is not there, what changed since,
/// what is wrong in the request; the office's own failures are a 500.
pub(crate) fn page_error(error: PageError) -> AppError {
    let status = match &error {
        e if e.is_forbidden() => StatusCode::FORBIDDEN,
        PageError::NotFound { .. } => StatusCode::NOT_FOUND,
        PageError::StaleFinding(_) | PageError::AlreadyReviewed { .. } => StatusCode::CONFLICT,
        PageError::Import(e) if e.over_limit().is_some() => StatusCode::PAYLOAD_TOO_LARGE,
        PageError::Assign(e) => match assign_status(e) {
            Some((status, _)) => status,
            None => return AppError::internal(error),
        },
        PageError::Db(_) | PageError::Xlsx(_) | PageError::Storage(_) => {
            return AppError::internal(error);
        }
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let field = error.field();
    let answer = AppError::new(status, error.code(), error.to_string());
    match field {
        Some(field) => answer.field(field),
        None => answer,
    }
}

/// The API's answer to a route it does not have.
pub(crate) async fn not_found(request: Request) -> AppError {
    AppError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        format!(
            "没有这个接口：{} / no such route: {}",
            request.uri().path(),
            request.uri().path()
        ),
    )
}

/// The answer to a route asked with a method it does not take.
pub(crate) async fn method_not_allowed(request: Request) -> AppError {
    AppError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!(
            "{} 不支持 {} 方法 / {} does not take {}",
            request.uri().path(),
            request.method(),
            request.uri().path(),
            request.method()
        ),
    )
}

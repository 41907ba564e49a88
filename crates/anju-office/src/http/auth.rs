//! Who is asking: a device by its Bearer token, an office page by its session cookie (or
//! a Bearer token) and, when it changes something, the pages' header; the client's
//! address; the role an action needs; the answer to a sign-in refused.

use anju_core::wire::Role;
use axum::extract::{FromRequestParts, Request};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header, request::Parts};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::Utc;

use super::{AppError, AppState};
use crate::users::{AuthUser, LoginOutcome, TokenState};

/// The cookie that carries an office page's sign-in token.
pub const SESSION_COOKIE: &str = "anju_office";
/// Pages send this on every request that changes something: a page of another site
/// cannot, without a CORS preflight that the office never answers.
pub const PAGE_HEADER: &str = "x-anju-office";

/// The signed-in user of a request (Bearer token).
pub struct Authenticated(pub AuthUser, pub String);

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer_token(&parts.headers).ok_or_else(AppError::unauthorized)?;
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

/// The user has this role, or a 403 that names theirs.
pub(crate) fn require_role(user: &AuthUser, role: Role) -> Result<(), AppError> {
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

/// The answer to a sign-in that did not succeed (wrong password, or too many of them).
pub(crate) fn login_refused(outcome: LoginOutcome) -> AppError {
    match outcome {
        LoginOutcome::Throttled { retry_at } => {
            // Rounded up: a client that waits this long is never refused again for it.
            let millis = (retry_at - Utc::now()).num_milliseconds().max(1);
            let wait = (millis + 999) / 1000;
            AppError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_attempts",
                format!("密码错误次数过多，请{wait}秒后再试 / too many wrong passwords: try again in {wait} s"),
            )
            .header(header::RETRY_AFTER, wait)
        }
        _ => AppError::new(
            StatusCode::UNAUTHORIZED,
            "bad_credentials",
            "用户名或密码错误 / wrong user name or password",
        ),
    }
}

/// The signed-in office user: the session cookie, or a Bearer token.
pub struct OfficeUser(pub AuthUser, pub String);

/// The token of `Authorization: Bearer …`, if the header is one.
pub(crate) fn bearer_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
}

fn cookie_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_string())
        .filter(|v| !v.is_empty())
}

impl FromRequestParts<AppState> for OfficeUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        // A request that presents an Authorization header is judged by it alone: one that
        // is not a bearer token is refused even beside a valid session cookie.
        let token = if parts.headers.contains_key(header::AUTHORIZATION) {
            bearer_token(&parts.headers)
        } else {
            cookie_token(&parts.headers)
        }
        .ok_or_else(AppError::unauthorized)?;
        match state.store.user_for_token(token.clone()).await? {
            TokenState::Valid { user, .. } => Ok(Self(user, token)),
            TokenState::Expired => Err(AppError::token_expired()),
            _ => Err(AppError::unauthorized()),
        }
    }
}

/// The session cookie; `Secure` when the office serves HTTPS.
pub(crate) fn session_cookie(token: &str, max_age: u32, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age}{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("anju_office=; Path=/; Max-Age=0"))
}

/// Refuse a request that changes something without the pages' header.
pub(crate) async fn require_page_header(request: Request, next: Next) -> Response {
    let safe = matches!(*request.method(), Method::GET | Method::HEAD);
    if !safe && !request.headers().contains_key(PAGE_HEADER) {
        return AppError::new(
            StatusCode::FORBIDDEN,
            "missing_page_header",
            "请求缺少 X-Anju-Office 头，请从办公室页面操作 / the request lacks the X-Anju-Office header: act from the office pages",
        )
        .into_response();
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_session_cookie_is_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; anju_office=tok; b=2"),
        );
        assert_eq!(cookie_token(&headers).as_deref(), Some("tok"));
        headers.insert(header::COOKIE, HeaderValue::from_static("anju_office="));
        assert_eq!(cookie_token(&headers), None);
    }
}

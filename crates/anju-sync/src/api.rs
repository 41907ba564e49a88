//! One HTTP request per function, each answering either a value or a [`Failure`] that
//! says whether trying again may help. Retrying is the engine's business.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anju_core::wire::{
    API_PREFIX, ApiError, BlobState, HEADER_BLOB_COMPLETE, HEADER_BLOB_LENGTH, HEADER_BLOB_OFFSET,
    Health, LoginRequest, LoginResponse, PullResponse, PushResponse,
};
use futures_util::TryStreamExt;
use reqwest::header::{AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, HeaderMap, RETRY_AFTER};
use reqwest::{Method, StatusCode};
use tokio::io::{AsyncReadExt, AsyncSeekExt};

use crate::config::SyncConfig;
use crate::error::SyncError;

/// A failed request: worth another try (after `after`, if the office said), or not.
#[derive(Debug)]
pub(crate) enum Failure {
    Retry {
        kind: RetryKind,
        after: Option<Duration>,
    },
    Fatal(SyncError),
}

/// What went wrong in a request that may succeed later.
#[derive(Debug, Clone)]
pub(crate) enum RetryKind {
    /// No connection could be made (refused, no route, or none within the connect
    /// timeout): the address is wrong or the office is out of reach.
    Unreachable(String),
    Network(String),
    Timeout,
    Server {
        status: u16,
        message: String,
    },
    RateLimited(Duration),
    /// The office holds a different number of bytes of a blob than we thought.
    OffsetMismatch,
    /// The office found the whole blob's hash wrong and dropped it: start again.
    HashMismatch,
    /// The upload ended before the whole blob was there (the office kept what came).
    Incomplete,
}

impl RetryKind {
    /// The error to stop with when the tries run out.
    pub(crate) fn into_error(self, attempts: u32) -> SyncError {
        match self {
            Self::Unreachable(detail) => SyncError::Unreachable { attempts, detail },
            Self::Network(detail) => SyncError::Network { attempts, detail },
            Self::Timeout => SyncError::Timeout { attempts },
            Self::Server { status, message } => SyncError::Server {
                status,
                attempts,
                message,
            },
            Self::RateLimited(retry_after) => SyncError::RateLimited { retry_after },
            Self::OffsetMismatch => SyncError::Protocol {
                what: format!("blob offset kept changing ({attempts} attempts)"),
            },
            Self::HashMismatch => SyncError::Protocol {
                what: format!("blob hash refused {attempts} times"),
            },
            Self::Incomplete => SyncError::Protocol {
                what: format!("blob upload ended early {attempts} times"),
            },
        }
    }

    pub(crate) fn describe(&self) -> String {
        match self {
            Self::Unreachable(detail) => format!("服务器无法连接 / cannot connect: {detail}"),
            Self::Network(detail) => format!("网络中断 / network: {detail}"),
            Self::Timeout => "超时 / timeout".into(),
            Self::Server { status, message } => {
                format!("服务器 {status} / server {status}: {message}")
            }
            Self::RateLimited(after) => format!("稍后再试 / retry after {} s", after.as_secs()),
            Self::OffsetMismatch => "续传位置变化 / upload offset changed".into(),
            Self::HashMismatch => "文件校验失败，重传 / hash mismatch, sending again".into(),
            Self::Incomplete => "上传未完成，续传 / upload incomplete, resuming".into(),
        }
    }
}

pub(crate) type ApiResult<T> = Result<T, Failure>;

impl From<SyncError> for Failure {
    fn from(error: SyncError) -> Self {
        Self::Fatal(error)
    }
}

fn transport(error: &reqwest::Error) -> Failure {
    if error.is_builder() {
        return Failure::Fatal(SyncError::Client(error.to_string()));
    }
    let mut detail = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(inner) = source {
        detail.push_str(": ");
        detail.push_str(&inner.to_string());
        source = inner.source();
    }
    // Before `is_timeout`: a connect timeout is both, and it means "cannot reach".
    if error.is_connect() {
        return Failure::Retry {
            kind: RetryKind::Unreachable(detail),
            after: None,
        };
    }
    if error.is_timeout() {
        return Failure::Retry {
            kind: RetryKind::Timeout,
            after: None,
        };
    }
    // A connection reset, a cut in the middle of a body, a broken gzip stream: all may
    // go through next time.
    Failure::Retry {
        kind: RetryKind::Network(detail),
        after: None,
    }
}

/// `Retry-After` in seconds (the office sends seconds; an HTTP date is not used here).
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

fn header_u64(headers: &HeaderMap, name: &str) -> Option<u64> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

/// The office's error body, or a stand-in when the body is not one (an answer to `HEAD`
/// has none: its code is in the `anju-error` header).
pub(crate) fn api_error(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> ApiError {
    serde_json::from_slice::<ApiError>(body).unwrap_or_else(|_| {
        let error = headers
            .get(anju_core::wire::HEADER_ERROR_CODE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
            .unwrap_or_else(|| {
                status
                    .canonical_reason()
                    .unwrap_or("error")
                    .to_lowercase()
                    .replace(' ', "_")
            });
        let message = match error.as_str() {
            "token_expired" if body.is_empty() => {
                "长时间未使用，登录已过期 / the sign-in expired after a long time unused"
                    .to_string()
            }
            "token_revoked" if body.is_empty() => {
                "此设备的登录已被办公室撤销 / the office revoked this device's sign-in".to_string()
            }
            _ => String::from_utf8_lossy(body).chars().take(300).collect(),
        };
        ApiError {
            error,
            message,
            field: None,
        }
    })
}

/// Sort an answer that is not a success into retry-later or stop.
pub(crate) fn classify(
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
    config: &SyncConfig,
) -> Failure {
    let error = api_error(status, headers, body);
    let message = match &error.field {
        Some(field) => format!("{} [{field}]", error.message),
        None => error.message.clone(),
    };
    let code = error.error;
    match status.as_u16() {
        408 => Failure::Retry {
            kind: RetryKind::Timeout,
            after: None,
        },
        429 => {
            let after = retry_after(headers).unwrap_or(config.initial_backoff);
            if after > config.max_retry_after {
                Failure::Fatal(SyncError::RateLimited { retry_after: after })
            } else {
                Failure::Retry {
                    kind: RetryKind::RateLimited(after),
                    after: Some(after),
                }
            }
        }
        500..=599 => Failure::Retry {
            kind: RetryKind::Server {
                status: status.as_u16(),
                message,
            },
            after: retry_after(headers),
        },
        409 if code == "offset_mismatch" => Failure::Retry {
            kind: RetryKind::OffsetMismatch,
            after: Some(Duration::ZERO),
        },
        // The office saw the upload break off (its answer rarely arrives).
        400 if code == "interrupted" => Failure::Retry {
            kind: RetryKind::Network(message),
            after: None,
        },
        422 if code == "hash_mismatch" => Failure::Retry {
            kind: RetryKind::HashMismatch,
            after: Some(Duration::ZERO),
        },
        401 => Failure::Fatal(SyncError::Unauthorized { code, message }),
        403 => Failure::Fatal(SyncError::Forbidden { code, message }),
        413 => Failure::Fatal(SyncError::TooLarge { code, message }),
        status => Failure::Fatal(SyncError::Refused {
            status,
            code,
            message,
        }),
    }
}

/// The client of one office, with or without a token.
#[derive(Clone)]
/// A whole answer: status, headers and body.
struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: bytes::Bytes,
}

pub(crate) struct Api {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
    config: SyncConfig,
    /// What the TLS verifier saw (HTTPS only): the certificate, or a refused one.
    tls: std::sync::Arc<std::sync::Mutex<crate::pinning::Seen>>,
}

/// A normalised server address: `http(s)://host[:port]` without a trailing slash.
pub(crate) fn normalise_url(url: &str) -> Result<String, SyncError> {
    let trimmed = url.trim().trim_end_matches('/');
    let bad = || SyncError::BadServerUrl {
        url: url.to_string(),
    };
    let parsed = reqwest::Url::parse(trimmed).map_err(|_| bad())?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(bad());
    }
    Ok(trimmed.to_string())
}

impl Api {
    /// A client of the office at `server_url`. Over HTTPS it accepts only the certificate
    /// `pinned` (or, with none, the first it meets, which [`Api::certificate`] tells).
    pub(crate) fn new(
        config: &SyncConfig,
        server_url: &str,
        token: Option<String>,
        pinned: Option<String>,
    ) -> Result<Self, SyncError> {
        let base = normalise_url(server_url)?;
        let tls = std::sync::Arc::new(std::sync::Mutex::new(crate::pinning::Seen::default()));
        let mut builder = reqwest::Client::builder()
            .user_agent(concat!("anju-sync/", env!("CARGO_PKG_VERSION")))
            .gzip(true)
            .connect_timeout(config.connect_timeout)
            .read_timeout(config.request_timeout)
            .pool_max_idle_per_host(config.pool_max_idle_per_host);
        if base.starts_with("https://") {
            let tls_config = crate::pinning::client_config(pinned, std::sync::Arc::clone(&tls))
                .map_err(|e| SyncError::Client(e.to_string()))?;
            builder = builder.use_preconfigured_tls(tls_config);
        }
        let http = builder
            .build()
            .map_err(|e| SyncError::Client(e.to_string()))?;
        Ok(Self {
            http,
            base,
            token,
            config: config.clone(),
            tls,
        })
    }

    /// The fingerprint of the office's certificate this client met (HTTPS only).
    pub(crate) fn certificate(&self) -> Option<String> {
        self.tls
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .fingerprint
            .clone()
    }

    /// A transport failure, or the refusal of a certificate that is not the pinned one:
    /// that is never retried.
    fn transport_failure(&self, error: &reqwest::Error) -> Failure {
        let refused = self
            .tls
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .refused
            .clone();
        match refused {
            Some((pinned, presented)) => Failure::Fatal(SyncError::CertificateChanged {
                pinned: crate::pinning::short_code(&pinned),
                presented: crate::pinning::short_code(&presented),
            }),
            None => transport(error),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{API_PREFIX}{path}", self.base)
    }

    fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        let builder = self.http.request(method, self.url(path));
        match &self.token {
            Some(token) => builder.header(AUTHORIZATION, format!("Bearer {token}")),
            None => builder,
        }
    }

    /// Send and read the whole answer, whatever its status.
    async fn send(&self, builder: reqwest::RequestBuilder, timeout: Duration) -> ApiResult<Reply> {
        let response = builder
            .timeout(timeout)
            .send()
            .await
            .map_err(|e| self.transport_failure(&e))?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .bytes()
            .await
            .map_err(|e| self.transport_failure(&e))?;
        Ok(Reply {
            status,
            headers,
            body,
        })
    }

    /// Send, and turn any answer but a success into its failure.
    async fn send_ok(
        &self,
        builder: reqwest::RequestBuilder,
        timeout: Duration,
    ) -> ApiResult<Reply> {
        let reply = self.send(builder, timeout).await?;
        if !reply.status.is_success() {
            return Err(classify(
                reply.status,
                &reply.headers,
                &reply.body,
                &self.config,
            ));
        }
        Ok(reply)
    }

    /// Send, read the whole body, and decode JSON on success.
    async fn json<T: serde::de::DeserializeOwned>(
        &self,
        builder: reqwest::RequestBuilder,
    ) -> ApiResult<T> {
        let Reply { status, body, .. } = self.send_ok(builder, self.config.request_timeout).await?;
        serde_json::from_slice(&body).map_err(|e| {
            Failure::Fatal(SyncError::Protocol {
                what: format!("{status}: {e}"),
            })
        })
    }

    pub(crate) async fn health(&self) -> ApiResult<Health> {
        self.json(self.request(Method::GET, "/health")).await
    }

    pub(crate) async fn login(&self, request: &LoginRequest) -> ApiResult<LoginResponse> {
        self.json(self.request(Method::POST, "/login").json(request))
            .await
    }

    pub(crate) async fn logout(&self) -> ApiResult<()> {
        self.send_ok(
            self.request(Method::POST, "/logout"),
            self.config.request_timeout,
        )
        .await
        .map(|_| ())
    }

    pub(crate) async fn set_team_pin(
        &self,
        request: &anju_core::wire::TeamPinRequest,
    ) -> ApiResult<anju_core::team::Team> {
        self.json(self.request(Method::POST, "/team/pin").json(request))
            .await
    }

    pub(crate) async fn pull(&self, cursor: i64, limit: u32) -> ApiResult<PullResponse> {
        self.json(
            self.request(Method::GET, "/pull")
                .query(&[("cursor", cursor.to_string()), ("limit", limit.to_string())]),
        )
        .await
    }

    /// Push one batch. The office answers the per-record results with the status of the
    /// worst outcome (403, 404, 422, 409, 424), so any status whose body is a push answer
    /// is an answer; anything else is an error.
    pub(crate) async fn push(&self, body: Vec<u8>) -> ApiResult<PushResponse> {
        let request = self
            .request(Method::POST, "/push")
            .header(CONTENT_TYPE, "application/json")
            .body(body);
        let Reply {
            status,
            headers,
            body: bytes,
        } = self.send(request, self.config.request_timeout).await?;
        match serde_json::from_slice::<PushResponse>(&bytes) {
            Ok(answer) if status.is_success() || status.is_client_error() => Ok(answer),
            Ok(_) => Err(classify(status, &headers, &bytes, &self.config)),
            Err(e) if status.is_success() => Err(Failure::Fatal(SyncError::Protocol {
                what: format!("push {status}: {e}"),
            })),
            Err(_) => Err(classify(status, &headers, &bytes, &self.config)),
        }
    }

    pub(crate) async fn head_blob(&self, sha256: &str) -> ApiResult<BlobState> {
        let Reply { headers, .. } = self
            .send_ok(
                self.request(Method::HEAD, &format!("/blobs/{sha256}")),
                self.config.request_timeout,
            )
            .await?;
        let offset = header_u64(&headers, HEADER_BLOB_OFFSET).ok_or_else(|| {
            Failure::Fatal(SyncError::Protocol {
                what: format!("HEAD /blobs without {HEADER_BLOB_OFFSET}"),
            })
        })?;
        let complete = header_u64(&headers, HEADER_BLOB_COMPLETE) == Some(1);
        Ok(BlobState { offset, complete })
    }

    /// Send the blob's bytes from `offset` to the end, streamed from the file; `sent`
    /// counts the bytes handed to the connection as they go.
    pub(crate) async fn put_blob(
        &self,
        sha256: &str,
        path: &Path,
        offset: u64,
        total: u64,
        sent: Arc<AtomicU64>,
    ) -> ApiResult<BlobState> {
        let local = |e: std::io::Error| {
            Failure::Fatal(SyncError::Blob {
                sha256: sha256.to_string(),
                reason: format!("{}: {e}", path.display()),
            })
        };
        let mut file = tokio::fs::File::open(path).await.map_err(local)?;
        file.seek(std::io::SeekFrom::Start(offset))
            .await
            .map_err(local)?;
        let length = total.saturating_sub(offset);
        let stream = tokio_util::io::ReaderStream::with_capacity(file.take(length), 64 * 1024)
            .inspect_ok(move |chunk| {
                sent.fetch_add(chunk.len() as u64, Ordering::Relaxed);
            });
        let timeout = self.config.request_timeout
            + Duration::from_secs(length / self.config.min_upload_rate.max(1));
        let request = self
            .request(Method::PUT, &format!("/blobs/{sha256}"))
            .header(CONTENT_TYPE, "application/octet-stream")
            .header(CONTENT_LENGTH, length)
            .header(HEADER_BLOB_OFFSET, offset)
            .header(HEADER_BLOB_LENGTH, total)
            .body(reqwest::Body::wrap_stream(stream));
        let Reply { headers, .. } = self.send_ok(request, timeout).await?;
        Ok(BlobState {
            offset: header_u64(&headers, HEADER_BLOB_OFFSET).unwrap_or(total),
            complete: header_u64(&headers, HEADER_BLOB_COMPLETE).is_none_or(|v| v == 1),
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_answer_without_a_body_is_known_by_its_error_header() {
        let mut headers = HeaderMap::new();
        headers.insert(
            anju_core::wire::HEADER_ERROR_CODE,
            reqwest::header::HeaderValue::from_static("token_expired"),
        );
        let error = api_error(StatusCode::UNAUTHORIZED, &headers, b"");
        assert_eq!(error.error, "token_expired");
        assert!(error.message.contains("登录已过期"), "{}", error.message);
        let bare = api_error(StatusCode::UNAUTHORIZED, &HeaderMap::new(), b"");
        assert_eq!(bare.error, "unauthorized");
    }

    use super::*;
    use reqwest::header::HeaderValue;

    fn config() -> SyncConfig {
        SyncConfig {
            max_retry_after: Duration::from_secs(60),
            ..SyncConfig::default()
        }
    }

    fn body(code: &str) -> Vec<u8> {
        serde_json::to_vec(&ApiError {
            error: code.into(),
            message: "中文 / English".into(),
            field: Some("records[0]".into()),
        })
        .unwrap_or_default()
    }

    #[test]
    fn statuses_are_sorted_into_retry_and_stop() {
        let none = HeaderMap::new();
        let retry = |status: u16, code: &str| {
            matches!(
                classify(
                    StatusCode::from_u16(status).unwrap_or(StatusCode::IM_A_TEAPOT),
                    &none,
                    &body(code),
                    &config()
                ),
                Failure::Retry { .. }
            )
        };
        assert!(retry(500, "internal"));
        assert!(retry(503, "unavailable"));
        assert!(retry(408, "timeout"));
        assert!(retry(429, "slow_down"));
        assert!(retry(409, "offset_mismatch"));
        assert!(retry(422, "hash_mismatch"));
        assert!(!retry(409, "conflict"));
        assert!(!retry(401, "token_revoked"));
        assert!(!retry(403, "forbidden"));
        assert!(!retry(404, "not_found"));
        assert!(!retry(413, "blob_too_large"));
        assert!(!retry(400, "invalid_json"));
    }

    #[test]
    fn retry_after_is_honoured_and_bounded() {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        match classify(StatusCode::TOO_MANY_REQUESTS, &headers, b"", &config()) {
            Failure::Retry { after, .. } => assert_eq!(after, Some(Duration::from_secs(7))),
            Failure::Fatal(e) => panic!("{e}"),
        }
        headers.insert(RETRY_AFTER, HeaderValue::from_static("900"));
        match classify(StatusCode::TOO_MANY_REQUESTS, &headers, b"", &config()) {
            Failure::Fatal(SyncError::RateLimited { retry_after }) => {
                assert_eq!(retry_after, Duration::from_secs(900));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn stop_messages_are_bilingual_and_say_what_to_do() {
        let none = HeaderMap::new();
        let Failure::Fatal(error) = classify(
            StatusCode::UNAUTHORIZED,
            &none,
            &body("token_revoked"),
            &config(),
        ) else {
            panic!("401 must stop");
        };
        let text = error.to_string();
        assert!(
            text.contains("请重新登录") && text.contains("sign in again"),
            "{text}"
        );
        assert!(
            text.contains("token_revoked") && text.contains("中文 / English"),
            "{text}"
        );
        assert!(error.needs_sign_in());
        let Failure::Fatal(error) =
            classify(StatusCode::FORBIDDEN, &none, &body("forbidden"), &config())
        else {
            panic!("403 must stop");
        };
        assert!(error.to_string().contains("assign"), "{error}");
        let Failure::Fatal(error) =
            classify(StatusCode::PAYLOAD_TOO_LARGE, &none, b"<html>", &config())
        else {
            panic!("413 must stop");
        };
        assert!(error.to_string().contains("too large"), "{error}");
        assert!(error.to_string().contains("<html>"), "{error}");
    }

    #[test]
    fn server_addresses_are_checked() {
        assert_eq!(
            normalise_url(" http://127.0.0.1:8080/ ").ok().as_deref(),
            Some("http://127.0.0.1:8080")
        );
        assert!(normalise_url("ftp://office").is_err());
        assert!(normalise_url("office:8080").is_err());
        assert!(normalise_url("").is_err());
    }
}

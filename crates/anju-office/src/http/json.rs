//! The JSON body extractor: at most [`MAX_PUSH_BYTES`], and an answer that names the path
//! of whatever is wrong in it.

use anju_core::wire::MAX_PUSH_BYTES;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;

use super::AppError;

/// A JSON body parsed with the path of whatever is wrong in it.
pub struct ApiJson<T>(pub T);

/// Read a JSON body of at most [`MAX_PUSH_BYTES`]. A larger one is read to its end
/// (up to [`DRAIN_LIMIT`]) and thrown away before the 413 goes out: a client still
/// sending would otherwise see a reset connection instead of the answer, and retry.
async fn read_json_body(req: Request) -> Result<Vec<u8>, AppError> {
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
        let first = serde_path_to_error::deserialize(deserializer);
        // JSON has one kind of number: `3.0` is the whole number 3 (JSON Schema agrees, and
        // OpenAPI 3.1 clients may write it so), which serde refuses for an integer field.
        // Only a body refused as it was is read again with such numbers made integers, so a
        // body that parses is never rewritten.
        let parsed = match first {
            Err(error) if error.inner().classify() == serde_json::error::Category::Data => {
                match serde_json::from_slice::<serde_json::Value>(&bytes) {
                    Ok(mut value) => {
                        if whole_floats_as_integers(&mut value) {
                            serde_path_to_error::deserialize(value)
                        } else {
                            Err(error)
                        }
                    }
                    Err(_) => Err(error),
                }
            }
            other => other,
        };
        parsed.map(ApiJson).map_err(|error| {
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

/// Turn every whole number written with a fraction (`3.0`, `1e2`) into an integer, where it
/// fits one exactly; whether any was. Depth is bounded by serde_json's own recursion limit.
pub(crate) fn whole_floats_as_integers(value: &mut serde_json::Value) -> bool {
    use serde_json::Value;
    /// Beyond 2^53 a float is not exact, so it is left as it is.
    const EXACT: f64 = 9_007_199_254_740_992.0;
    match value {
        Value::Number(n) if n.is_f64() => {
            let Some(f) = n.as_f64() else { return false };
            if f.fract() == 0.0 && f.abs() <= EXACT {
                // In range by the check above, so the cast is exact.
                *value = Value::from(f as i64);
                true
            } else {
                false
            }
        }
        // Every item is visited (no short circuit): each whole float must be changed.
        Value::Array(items) => {
            let mut any = false;
            for item in items {
                any |= whole_floats_as_integers(item);
            }
            any
        }
        Value::Object(fields) => {
            let mut any = false;
            for item in fields.values_mut() {
                any |= whole_floats_as_integers(item);
            }
            any
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers_written_with_a_fraction_become_integers() {
        let mut value = serde_json::json!({"a": 3.0, "b": [1.5, 2e2, -0.0], "c": "4.0", "d": 7});
        assert!(whole_floats_as_integers(&mut value));
        assert_eq!(
            value,
            serde_json::json!({"a": 3, "b": [1.5, 200, 0], "c": "4.0", "d": 7})
        );
        let mut big = serde_json::json!(1e300);
        assert!(!whole_floats_as_integers(&mut big));
        let mut plain = serde_json::json!({"a": 1, "b": 0.25});
        assert!(!whole_floats_as_integers(&mut plain));
    }
}

//! The OpenAPI document as served: what the route registrations generate, with what every
//! operation of its kind can answer and what the generator cannot say. Each rule is general,
//! so that a route added later is described by it too:
//! - an operation that needs a token can answer 401, and 403 (`ApiError`) for another role;
//! - an operation that reads a JSON body can answer 400 (not JSON), 413 (too large), 415
//!   (not `application/json`) and 422 (a field wrong), each with `ApiError`; where it
//!   documents another body for 422 (a push's per-record results), either may come;
//! - a team member's PIN is six digits and none of `anju_core::team::too_simple_pins`;
//! - an assignment names exactly one target: a township, a site (with its township or
//!   not), or one or more households.

use serde_json::{Value, json};

const API_ERROR: &str = "#/components/schemas/ApiError";

/// The served document.
pub fn served(doc: &utoipa::openapi::OpenApi) -> Value {
    let mut doc = serde_json::to_value(doc).unwrap_or_else(|_| json!({}));
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut() {
            let Some(operations) = item.as_object_mut() else {
                continue;
            };
            for operation in operations.values_mut() {
                complete_responses(operation);
            }
        }
    }
    refine_pin(&mut doc);
    refine_assignment(&mut doc);
    doc
}

fn error_response(description: &str) -> Value {
    json!({
        "description": description,
        "content": {"application/json": {"schema": {"$ref": API_ERROR}}}
    })
}

fn complete_responses(operation: &mut Value) {
    let secured = operation
        .get("security")
        .and_then(Value::as_array)
        .is_some_and(|s| !s.is_empty());
    let reads_json = operation
        .pointer("/requestBody/content/application~1json")
        .is_some();
    let Some(responses) = operation
        .get_mut("responses")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    let add = |responses: &mut serde_json::Map<String, Value>, status: &str, description: &str| {
        responses
            .entry(status)
            .or_insert_with(|| error_response(description));
    };
    if secured {
        add(
            responses,
            "401",
            "没有或无效的令牌 / no token, or not a valid one",
        );
        add(
            responses,
            "403",
            "此操作不属于该用户的角色 / not for this user's role",
        );
        either_or_api_error(responses, "403");
    }
    if reads_json {
        add(
            responses,
            "400",
            "请求体不是有效的 JSON / the body is not valid JSON",
        );
        add(responses, "413", "请求体过大 / the body is too large");
        add(
            responses,
            "415",
            "请求须为 JSON / the body must be application/json",
        );
        add(responses, "422", "字段有误 / a field is wrong");
        either_or_api_error(responses, "422");
    }
}

/// A status that answers a body of its own (a push's results) may also come from the
/// extractors and the role check, with `ApiError`.
fn either_or_api_error(responses: &mut serde_json::Map<String, Value>, status: &str) {
    if let Some(schema) = responses
        .get_mut(status)
        .and_then(|r| r.pointer_mut("/content/application~1json/schema"))
        && schema.get("$ref").and_then(Value::as_str) != Some(API_ERROR)
    {
        let own = schema.take();
        *schema = json!({"oneOf": [own, {"$ref": API_ERROR}]});
    }
}

fn refine_pin(doc: &mut Value) {
    if let Some(pin) = doc.pointer_mut("/components/schemas/TeamPinRequest/properties/pin")
        && let Some(pin) = pin.as_object_mut()
    {
        pin.insert("pattern".into(), json!("^[0-9]{6}$"));
        pin.insert(
            "not".into(),
            json!({"enum": anju_core::team::too_simple_pins()}),
        );
    }
}

fn refine_assignment(doc: &mut Value) {
    if let Some(request) = doc
        .pointer_mut("/components/schemas/AssignRequest")
        .and_then(Value::as_object_mut)
    {
        request.insert(
            "oneOf".into(),
            json!([
                {"title": "by township", "required": ["township"], "properties": {
                    "township": {"type": "string"}, "site": {"type": "null"},
                    "households": {"type": "null"}}},
                {"title": "by site", "required": ["site"], "properties": {
                    "site": {"type": "string"}, "households": {"type": "null"}}},
                {"title": "by households", "required": ["households"], "properties": {
                    "households": {"type": "array", "minItems": 1},
                    "township": {"type": "null"}, "site": {"type": "null"}}}
            ]),
        );
    }
}

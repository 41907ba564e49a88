//! The OpenAPI document as served: what the route registrations generate, with what every
//! operation of its kind can answer and what the generator cannot say. Each rule is general,
//! so that a route added later is described by it too:
//! - an operation that needs a token can answer 401;
//! - an operation that reads a JSON body can answer 400 (not JSON), 413 (too large), 415
//!   (not `application/json`) and 422 (a field wrong), each with `ApiError`; where it
//!   documents another body for 422 (a push's per-record results), either may come;
//! - a team member's PIN is six digits and none of `anju_core::team::too_simple_pins`.

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
    let mut add = |status: &str, description: &str| {
        responses
            .entry(status)
            .or_insert_with(|| error_response(description));
    };
    if secured {
        add("401", "没有或无效的令牌 / no token, or not a valid one");
    }
    if reads_json {
        add("400", "请求体不是有效的 JSON / the body is not valid JSON");
        add("413", "请求体过大 / the body is too large");
        add("415", "请求须为 JSON / the body must be application/json");
        add("422", "字段有误 / a field is wrong");
        // A body of its own for 422 (a push's results) or the extractor's ApiError.
        if let Some(schema) = responses
            .get_mut("422")
            .and_then(|r| r.pointer_mut("/content/application~1json/schema"))
            && schema.get("$ref").and_then(Value::as_str) != Some(API_ERROR)
        {
            let own = schema.take();
            *schema = json!({"oneOf": [own, {"$ref": API_ERROR}]});
        }
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

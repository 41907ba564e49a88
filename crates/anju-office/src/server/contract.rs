//! The OpenAPI document as served: what the route registrations generate, with what every
//! operation of its kind can answer and what the generator cannot say. Each rule is general,
//! so that a route added later is described by it too:
//! - an operation that needs a token can answer 401, and 403 (`ApiError`) for another role;
//! - an operation that reads a JSON body can answer 400 (not JSON), 413 (too large), 415
//!   (not `application/json`) and 422 (a field wrong), each with `ApiError`; where it
//!   documents another body for 422 (a push's per-record results), either may come;
//! - an office pages' operation with parameters or a body can answer 404 (a record it
//!   names is not there) and 422 (a value the office's rules refuse: `services::PageError`),
//!   and one with query parameters or a numeric path segment 400 (not of its shape);
//! - every change through the pages' API carries the header `X-Anju-Office` (any value),
//!   which a cross-site form cannot send: without it the answer is 403;
//! - a date is `YYYY-MM-DD` (`format: date` with a pattern of real months and days; the
//!   29th of February is left out, as a pattern cannot know leap years);
//! - a pages' query parameter that names a state, an origin, a placement mode or an audit
//!   action takes the codes of its Rust enum (as the components list them), or "" for any;
//! - the security schemes: a sync token (`bearer`) and the pages' session cookie
//!   (`office_cookie`);
//! - links (OpenAPI `links`) say where an answer's values are used next: a sign-in's
//!   token in the pull and the sign-out, a page's cursor in the next pull, a listed
//!   household, finding, site, sample or print job in the operations on it; clients and
//!   schemathesis's stateful phase follow them;
//! - a team member's PIN is six digits and none of `anju_core::team::too_simple_pins`;
//! - an assignment names exactly one target: a township, a site (with its township or
//!   not), or one or more households.

use serde_json::{Value, json};

const API_ERROR: &str = "#/components/schemas/ApiError";
const PAGES_PREFIX: &str = "/api/office/";

/// The served document.
pub fn served(doc: &utoipa::openapi::OpenApi) -> Value {
    let mut doc = serde_json::to_value(doc).unwrap_or_else(|_| json!({}));
    let enums = QueryEnums::of(&doc);
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            let Some(operations) = item.as_object_mut() else {
                continue;
            };
            for (method, operation) in operations.iter_mut() {
                if path.starts_with(PAGES_PREFIX) {
                    if method != "get" {
                        add_page_header(operation);
                    }
                    refine_query_enums(operation, &enums);
                    complete_page_responses(operation);
                }
                complete_responses(operation);
            }
        }
    }
    add_security_schemes(&mut doc);
    pattern_dates(&mut doc);
    add_links(&mut doc);
    refine_pin(&mut doc);
    refine_assignment(&mut doc);
    refine_bulk_assignment(&mut doc);
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
                    "households": {"type": "array", "minItems": 1,
                        "items": {"type": "string", "minLength": 1}},
                    "township": {"type": "null"}, "site": {"type": "null"}}}
            ]),
        );
    }
}

fn complete_page_responses(operation: &mut Value) {
    let parameters: Vec<String> = operation
        .get("parameters")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|p| p.get("in").and_then(Value::as_str).map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let has_body = operation.get("requestBody").is_some();
    // A path segment that must be a number answers 400 when it is not.
    let typed_path = operation
        .get("parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(|p| {
            p.get("in").and_then(Value::as_str) == Some("path")
                && p.pointer("/schema/type").and_then(Value::as_str) != Some("string")
        });
    let Some(responses) = operation
        .get_mut("responses")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    if parameters.iter().any(|p| p == "query") || typed_path {
        responses.entry("400").or_insert_with(|| {
            error_response("查询参数有误 / the query string is not of this shape")
        });
    }
    if has_body || !parameters.is_empty() {
        responses
            .entry("404")
            .or_insert_with(|| error_response("所指的记录不存在 / a record it names is not there"));
        responses.entry("422").or_insert_with(|| {
            error_response("办公室的规则不接受这个值 / a value the office's rules refuse")
        });
    }
}

fn add_security_schemes(doc: &mut Value) {
    let Some(doc) = doc.as_object_mut() else {
        return;
    };
    let components = doc.entry("components").or_insert_with(|| json!({}));
    let Some(components) = components.as_object_mut() else {
        return;
    };
    // Beside the schemes a document of its own declares (the read API's `integration`).
    let schemes = components
        .entry("securitySchemes")
        .or_insert_with(|| json!({}));
    if let Some(schemes) = schemes.as_object_mut() {
        schemes.insert(
            "bearer".into(),
            json!({
                "type": "http", "scheme": "bearer",
                "description": "POST /api/v1/login 的令牌 / the token from POST /api/v1/login"
            }),
        );
        schemes.insert(
            "office_cookie".into(),
            json!({
                "type": "apiKey", "in": "cookie", "name": crate::http::SESSION_COOKIE,
                "description": "POST /api/office/login 设置的会话 / the session POST /api/office/login sets"
            }),
        );
    }
}

/// The header every change through the pages' API carries (`http::require_page_header`).
fn add_page_header(operation: &mut Value) {
    let Some(operation) = operation.as_object_mut() else {
        return;
    };
    // Said in words and in `x-anju-required-headers`, not as a header parameter: the
    // fuzzers treat a declared header set as closed and expect an unknown header refused.
    let note = "须带 X-Anju-Office 头（任意值，如 1），跨站表单无法发送；缺少则 403。 / Needs the X-Anju-Office header (any value, such as 1), which a cross-site form cannot send; without it, 403.";
    let description = match operation.get("description").and_then(Value::as_str) {
        Some(own) if !own.is_empty() => format!("{own}\n\n{note}"),
        _ => note.to_string(),
    };
    operation.insert("description".into(), json!(description));
    operation.insert(
        "x-anju-required-headers".into(),
        json!([crate::http::PAGE_HEADER]),
    );
    if let Some(responses) = operation
        .get_mut("responses")
        .and_then(Value::as_object_mut)
    {
        responses.entry("403").or_insert_with(|| {
            error_response("缺少 X-Anju-Office 头，或不属于该用户的角色 / no X-Anju-Office header, or not for this user's role")
        });
    }
}

/// The codes a query parameter takes, by its name, from the enums' own schemas.
struct QueryEnums(Vec<(&'static str, Vec<Value>)>);

impl QueryEnums {
    fn of(doc: &Value) -> Self {
        let codes = |schema: &str| -> Vec<Value> {
            let Some(schema) = doc.pointer(&format!("/components/schemas/{schema}")) else {
                return Vec::new();
            };
            let mut codes: Vec<Value> = Vec::new();
            let mut take = |s: &Value| {
                if let Some(list) = s.get("enum").and_then(Value::as_array) {
                    codes.extend(list.iter().cloned());
                }
                if let Some(one) = s.get("const") {
                    codes.push(one.clone());
                }
            };
            take(schema);
            for variant in schema
                .get("oneOf")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                take(variant);
            }
            if !codes.is_empty() {
                // An empty value is no filter.
                codes.push(json!(""));
            }
            codes
        };
        Self(vec![
            ("mode", codes("PlacementMode")),
            ("status", codes("HouseholdStatus")),
            ("state", codes("FindingState")),
            ("origin", codes("FindingOrigin")),
            ("action", {
                let mut codes: Vec<Value> = crate::audit::AuditAction::ALL
                    .iter()
                    .map(|a| json!(a.code()))
                    .collect();
                codes.push(json!(""));
                codes
            }),
        ])
    }
}

fn refine_query_enums(operation: &mut Value, enums: &QueryEnums) {
    for parameter in operation
        .get_mut("parameters")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
    {
        if parameter.get("in").and_then(Value::as_str) != Some("query") {
            continue;
        }
        let name = parameter.get("name").and_then(Value::as_str).unwrap_or("");
        if let Some((_, codes)) = enums.0.iter().find(|(n, c)| *n == name && !c.is_empty())
            && let Some(schema) = parameter.get_mut("schema")
        {
            *schema = json!({"type": ["string", "null"], "enum": codes});
        }
    }
}

/// The pages' assignment names its scope once: a township, a site, or households.
fn refine_bulk_assignment(doc: &mut Value) {
    if let Some(request) = doc
        .pointer_mut("/components/schemas/BulkAssignment")
        .and_then(Value::as_object_mut)
    {
        request.insert(
            "oneOf".into(),
            json!([
                {"title": "by township", "required": ["township"], "properties": {
                    "township": {"type": "string", "minLength": 1}, "site": {"type": "null"},
                    "households": {"type": "array", "maxItems": 0}}},
                {"title": "by site", "required": ["site"], "properties": {
                    "site": {"type": "string", "minLength": 1},
                    "households": {"type": "array", "maxItems": 0}}},
                {"title": "by households", "required": ["households"], "properties": {
                    "households": {"type": "array", "minItems": 1,
                        "items": {"type": "string", "minLength": 1}},
                    "township": {"type": "null"}, "site": {"type": "null"}}}
            ]),
        );
    }
}

/// `YYYY-MM-DD` with a month's real days (February to the 28th).
const DATE_PATTERN: &str = "^[0-9]{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))$";

fn pattern_dates(value: &mut Value) {
    match value {
        Value::Object(fields) => {
            if fields.get("format").and_then(Value::as_str) == Some("date")
                && !fields.contains_key("pattern")
            {
                fields.insert("pattern".into(), json!(DATE_PATTERN));
            }
            fields.values_mut().for_each(pattern_dates);
        }
        Value::Array(items) => items.iter_mut().for_each(pattern_dates),
        _ => {}
    }
}

/// One link: from an operation's 200 answer to another operation, with what it fills in.
struct Link {
    from: (&'static str, &'static str),
    name: &'static str,
    to: &'static str,
    description: &'static str,
    parameters: &'static [(&'static str, &'static str)],
}

const LINKS: &[Link] = &[
    Link {
        from: ("/api/read/v1/households", "get"),
        name: "NextPage",
        to: "read_households",
        description: "下一页：以 next_cursor 为 cursor / the next page: next_cursor as the cursor",
        parameters: &[("query.cursor", "$response.body#/next_cursor")],
    },
    Link {
        from: ("/api/read/v1/acceptances", "get"),
        name: "NextPage",
        to: "read_acceptances",
        description: "下一页：以 next_cursor 为 cursor / the next page: next_cursor as the cursor",
        parameters: &[("query.cursor", "$response.body#/next_cursor")],
    },
    Link {
        from: ("/api/read/v1/findings", "get"),
        name: "NextPage",
        to: "read_findings",
        description: "下一页：以 next_cursor 为 cursor / the next page: next_cursor as the cursor",
        parameters: &[("query.cursor", "$response.body#/next_cursor")],
    },
    Link {
        from: ("/api/v1/login", "post"),
        name: "PullWithToken",
        to: "pull",
        description: "用登录所得令牌拉取 / pull with the token the sign-in gave",
        parameters: &[("header.Authorization", "Bearer {$response.body#/token}")],
    },
    Link {
        from: ("/api/v1/login", "post"),
        name: "SignOut",
        to: "logout",
        description: "用该令牌注销 / sign that token out",
        parameters: &[("header.Authorization", "Bearer {$response.body#/token}")],
    },
    Link {
        from: ("/api/v1/pull", "get"),
        name: "NextPage",
        to: "pull",
        description: "下一页：以 next_cursor 为 cursor / the next page: next_cursor as the cursor",
        parameters: &[("query.cursor", "$response.body#/next_cursor")],
    },
    Link {
        from: ("/api/office/households", "get"),
        name: "Household",
        to: "household",
        description: "列表中的住户 / a listed household",
        parameters: &[("path.id", "$response.body#/rows/0/id")],
    },
    Link {
        from: ("/api/office/households", "get"),
        name: "Milestones",
        to: "milestones",
        description: "记录该户的搬迁节点 / record the household's milestones",
        parameters: &[("path.id", "$response.body#/rows/0/id")],
    },
    Link {
        from: ("/api/office/households", "get"),
        name: "Support",
        to: "add_support",
        description: "为该户添加帮扶措施 / add a support measure for it",
        parameters: &[("path.id", "$response.body#/rows/0/id")],
    },
    Link {
        from: ("/api/office/findings", "get"),
        name: "Transition",
        to: "finding_transition",
        description: "推进列表中的问题 / move a listed finding on",
        parameters: &[("path.id", "$response.body#/rows/0/id")],
    },
    Link {
        from: ("/api/office/findings", "get"),
        name: "Evidence",
        to: "finding_evidence",
        description: "为该问题上传整改照片 / upload its evidence photo",
        parameters: &[("path.id", "$response.body#/rows/0/id")],
    },
    Link {
        from: ("/api/office/sites", "get"),
        name: "SiteVisits",
        to: "site_visits",
        description: "安置点的检查记录 / the site's visits",
        parameters: &[("path.id", "$response.body#/rows/0/id")],
    },
    Link {
        from: ("/api/office/sites", "get"),
        name: "SiteRecord",
        to: "site_record",
        description: "改安置点的包保责任人和计划 / change its guarantor and plan",
        parameters: &[("path.id", "$response.body#/rows/0/id")],
    },
    Link {
        from: ("/api/office/samples", "post"),
        name: "Sample",
        to: "sample",
        description: "刚抽取的样本 / the sample just drawn",
        parameters: &[("path.id", "$response.body#/id")],
    },
    Link {
        from: ("/api/office/samples", "post"),
        name: "AssignSample",
        to: "assign_sample",
        description: "分配该样本 / assign it",
        parameters: &[("path.id", "$response.body#/id")],
    },
    Link {
        from: ("/api/office/print-jobs", "post"),
        name: "PrintJob",
        to: "print_job",
        description: "该打印任务的进度 / the job's progress",
        parameters: &[("path.id", "$response.body#/id")],
    },
    Link {
        from: ("/api/office/print-jobs", "post"),
        name: "PrintJobDownload",
        to: "print_job_download",
        description: "完成后下载 / its download when done",
        parameters: &[("path.id", "$response.body#/id")],
    },
];

fn add_links(doc: &mut Value) {
    for link in LINKS {
        let (path, method) = link.from;
        let pointer = format!(
            "/paths/{}/{method}/responses/200",
            path.replace('~', "~0").replace('/', "~1")
        );
        let Some(response) = doc.pointer_mut(&pointer).and_then(Value::as_object_mut) else {
            continue;
        };
        let links = response.entry("links").or_insert_with(|| json!({}));
        if let Some(links) = links.as_object_mut() {
            let parameters: serde_json::Map<String, Value> = link
                .parameters
                .iter()
                .map(|(name, expression)| (name.to_string(), json!(expression)))
                .collect();
            links.insert(
                link.name.into(),
                json!({
                    "operationId": link.to,
                    "description": link.description,
                    "parameters": parameters
                }),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    /// The two APIs' documents are merged by schema name, and the merge keeps one of two
    /// schemas that share a name: every name both use must mean the same type.
    #[test]
    fn the_two_apis_never_give_one_schema_name_to_two_types() {
        let (_, sync) = crate::server::routes();
        let (_, pages) = crate::web::routes();
        let schemas = |doc: &utoipa::openapi::OpenApi| -> serde_json::Map<String, Value> {
            serde_json::to_value(doc)
                .ok()
                .and_then(|d| d.pointer("/components/schemas").cloned())
                .and_then(|s| s.as_object().cloned())
                .unwrap_or_default()
        };
        let (sync, pages) = (schemas(&sync), schemas(&pages));
        assert!(
            sync.len() > 20 && pages.len() > 50,
            "{} {}",
            sync.len(),
            pages.len()
        );
        let mut shared = 0;
        for (name, schema) in &pages {
            if let Some(other) = sync.get(name) {
                assert_eq!(schema, other, "two types are named {name}");
                shared += 1;
            }
        }
        assert!(
            shared > 0,
            "the pages share anju-core's types with the sync API"
        );
        // The read API's too, against both.
        let (_, read) = crate::read_api::routes();
        for (name, schema) in &schemas(&read) {
            for other in [sync.get(name), pages.get(name)].into_iter().flatten() {
                assert_eq!(schema, other, "two types are named {name}");
            }
        }
    }

    /// Every link is attached to its operation's answer and names an operation there is.
    #[test]
    fn every_link_joins_two_operations_of_the_document() {
        let (_, mut doc) = crate::server::routes();
        let (_, pages) = crate::web::routes();
        doc.merge(pages);
        let (_, read) = crate::read_api::routes();
        doc.merge(read);
        let served = super::served(&doc);
        let mut ids = Vec::new();
        for item in served["paths"]
            .as_object()
            .into_iter()
            .flat_map(|p| p.values())
        {
            for operation in item.as_object().into_iter().flat_map(|o| o.values()) {
                if let Some(id) = operation["operationId"].as_str() {
                    ids.push(id.to_string());
                }
            }
        }
        for link in super::LINKS {
            let (path, method) = link.from;
            let placed = &served["paths"][path][method]["responses"]["200"]["links"][link.name];
            assert_eq!(
                placed["operationId"], link.to,
                "{path} {method} {}",
                link.name
            );
            assert!(
                ids.iter().any(|id| id == link.to),
                "no operation {}",
                link.to
            );
        }
    }

    /// The schemas' bounds written by hand (attributes take literals) are the code's own:
    /// read from the document, against the constants the code checks with.
    #[test]
    fn hand_written_bounds_match_the_constants() {
        let (_, doc) = crate::web::routes();
        let doc = super::served(&doc);
        let schema = |name: &str, field: &str, bound: &str| {
            doc["components"]["schemas"][name]["properties"][field][bound].as_u64()
        };
        let max = |n: usize| u64::try_from(n).ok();
        assert_eq!(
            schema("TeamSetting", "name", "maxLength"),
            max(anju_core::team::MAX_TEAM_NAME_CHARS)
        );
        assert_eq!(
            schema("TeamSetting", "members", "maxItems"),
            max(anju_core::team::MAX_TEAM_MEMBERS)
        );
        assert_eq!(
            schema("BatchApprove", "submission_ids", "maxItems"),
            max(crate::services::MAX_BATCH)
        );
    }
}

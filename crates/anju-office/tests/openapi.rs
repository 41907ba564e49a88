//! The OpenAPI document the office serves: it lists exactly the routes served, puts each
//! parameter where the server reads it, and agrees with the TypeScript bindings of the
//! same Rust types.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod support;

use anju_core::hash::sha256_hex;
use chrono::Utc;
use reqwest::StatusCode;
use serde_json::Value;
use support::Office;

/// A path with each `{parameter}` filled in with a value of no record.
fn fill_path_parameters(path: &str) -> String {
    let mut filled = String::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        filled.push_str(&rest[..start]);
        filled.push('1');
        rest = rest[start..]
            .find('}')
            .map_or("", |end| &rest[start + end + 1..]);
    }
    filled.push_str(rest);
    filled
}

#[tokio::test]
async fn health_and_the_openapi_document_match_the_routes() {
    let office = Office::start().await;
    let health: Value = office
        .http
        .get(office.at("/health"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["status"], "ok");
    let server_time: chrono::DateTime<Utc> =
        serde_json::from_value(health["server_time"].clone()).unwrap();
    assert!((Utc::now() - server_time).num_seconds().abs() < 60);

    let doc = office.openapi().await;
    let paths = doc["paths"].as_object().unwrap();
    let mut documented = Vec::new();
    for (path, item) in paths {
        for method in item.as_object().unwrap().keys() {
            documented.push(format!("{} {path}", method.to_uppercase()));
        }
    }
    documented.sort();
    // The office pages' API, then the sync API.
    let mut expected = vec![
        "GET /api/office/assignments",
        "GET /api/office/audit",
        "GET /api/office/blobs/{sha256}",
        "GET /api/office/dashboard",
        "GET /api/office/exports/{name}",
        "GET /api/office/findings",
        "GET /api/office/form-versions",
        "GET /api/office/form-versions/{form}/diff/{from}/{to}",
        "GET /api/office/form-versions/{form}/{version}",
        "GET /api/office/forms/township/{id}",
        "GET /api/office/forms/{id}",
        "GET /api/office/households",
        "GET /api/office/households/{id}",
        "GET /api/office/integration-tokens",
        "GET /api/office/old-houses",
        "GET /api/office/places",
        "GET /api/office/policy",
        "GET /api/office/print-jobs",
        "GET /api/office/print-jobs/{id}",
        "GET /api/office/print-jobs/{id}/download",
        "GET /api/office/review",
        "GET /api/office/roster/template.xlsx",
        "GET /api/office/samples",
        "GET /api/office/samples/{id}",
        "GET /api/office/session",
        "GET /api/office/sites",
        "GET /api/office/sites/{id}/visits",
        "GET /api/office/support",
        "GET /api/office/tasks",
        "GET /api/office/teams",
        "GET /api/office/tls",
        "GET /api/office/users",
        "POST /api/office/assignments",
        "POST /api/office/conflicts/{id}",
        "POST /api/office/findings/{id}/evidence",
        "POST /api/office/findings/{id}/transition",
        "POST /api/office/form-versions",
        "POST /api/office/households/{id}/able-to-develop",
        "POST /api/office/households/{id}/milestones",
        "POST /api/office/households/{id}/reveal",
        "POST /api/office/households/{id}/support",
        "POST /api/office/households/{id}/support/{measure}/remove",
        "POST /api/office/import",
        "POST /api/office/import/preview",
        "POST /api/office/integration-tokens",
        "POST /api/office/integration-tokens/{id}/revoke",
        "POST /api/office/login",
        "POST /api/office/logout",
        "POST /api/office/policy",
        "POST /api/office/print-jobs",
        "POST /api/office/review/{id}",
        "POST /api/office/reviews/approve-batch",
        "POST /api/office/samples",
        "POST /api/office/samples/{id}/assign",
        "POST /api/office/sites/{id}",
        "POST /api/office/tasks",
        "POST /api/office/teams",
        "POST /api/office/users/{name}",
        // The read API for other systems.
        "GET /api/read/v1/acceptances",
        "GET /api/read/v1/findings",
        "GET /api/read/v1/households",
        "GET /api/v1/admin/users",
        "GET /api/v1/health",
        "GET /api/v1/metrics",
        "GET /api/v1/pull",
        "HEAD /api/v1/blobs/{sha256}",
        "POST /api/v1/admin/assignments",
        "POST /api/v1/login",
        "POST /api/v1/logout",
        "POST /api/v1/push",
        "POST /api/v1/team/pin",
        "PUT /api/v1/blobs/{sha256}",
    ];
    expected.sort_unstable();
    assert_eq!(documented, expected);
    // Every documented route is really served (neither the API's "no such route" nor 405),
    // and a route that is not documented is not. A served route may still answer 404 for
    // a record it does not have.
    let mut token = office.login("admin").await;
    for entry in expected {
        let (method, path) = entry.split_once(' ').unwrap();
        let path = path.replace("{sha256}", &sha256_hex(b"x"));
        let path = fill_path_parameters(&path);
        let response = office
            .http
            .request(method.parse().unwrap(), format!("{}{path}", office.url))
            .bearer_auth(&token)
            .header("X-Anju-Office", "1")
            .send()
            .await
            .unwrap();
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{entry}: {body}");
        assert!(
            !(status == StatusCode::NOT_FOUND && body.contains("no such route")),
            "{entry}: {body}"
        );
        if path.ends_with("/logout") {
            token = office.login("admin").await;
        }
    }
    let missing = office
        .http
        .get(office.at("/nothing-here"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let body: Value = missing.json().await.unwrap();
    assert_eq!(body["error"], "not_found");
    let wrong_method = office.http.delete(office.at("/push")).send().await.unwrap();
    assert_eq!(wrong_method.status(), StatusCode::METHOD_NOT_ALLOWED);
    let body: Value = wrong_method.json().await.unwrap();
    assert_eq!(body["error"], "method_not_allowed");
    let token = office.login("admin").await;
    office.finish(&token).await;
}

/// A client generated from the document is right only if each parameter is where the
/// server reads it: `{name}` in a path is a path parameter and nothing else is one; the
/// pull's cursor and limit are in the query, with the bounds the server enforces; a
/// SHA-256 in a path has its pattern, so that `PUT /api/v1/blobs/0` is not valid.
#[tokio::test]
async fn the_openapi_parameters_are_where_the_server_reads_them() {
    let office = Office::start().await;
    let doc = office.openapi().await;
    for (path, item) in doc["paths"].as_object().unwrap() {
        let in_template: Vec<&str> = path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .collect();
        for (method, operation) in item.as_object().unwrap() {
            let parameters = operation["parameters"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let in_path: Vec<&str> = parameters
                .iter()
                .filter(|p| p["in"] == "path")
                .filter_map(|p| p["name"].as_str())
                .collect();
            assert_eq!(in_path, in_template, "{method} {path}: {parameters:?}");
            // What every operation of its kind can answer is documented.
            let responses = operation["responses"].as_object().unwrap();
            if operation["security"]
                .as_array()
                .is_some_and(|s| !s.is_empty())
            {
                assert!(responses.contains_key("401"), "{method} {path}");
            }
            if operation
                .pointer("/requestBody/content/application~1json")
                .is_some()
            {
                for status in ["400", "413", "415", "422"] {
                    assert!(responses.contains_key(status), "{method} {path} {status}");
                }
                let schema = &responses["422"]["content"]["application/json"]["schema"];
                let error = serde_json::json!({"$ref": "#/components/schemas/ApiError"});
                assert!(
                    schema == &error
                        || schema["oneOf"]
                            .as_array()
                            .is_some_and(|o| o.contains(&error)),
                    "{method} {path}: a wrong field answers ApiError: {schema}"
                );
            }
            for parameter in &parameters {
                if parameter["name"] == "sha256" {
                    assert_eq!(
                        parameter["schema"]["pattern"], "^[0-9a-f]{64}$",
                        "{method} {path}"
                    );
                }
            }
        }
    }
    let pull = doc["paths"]["/api/v1/pull"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .clone();
    let query = |name: &str| {
        pull.iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{name} in {pull:?}"))
            .clone()
    };
    assert_eq!(query("cursor")["in"], "query");
    assert_eq!(query("cursor")["schema"]["minimum"], 0);
    assert_eq!(query("limit")["in"], "query");
    assert_eq!(query("limit")["schema"]["minimum"], 1);
    assert_eq!(query("limit")["schema"]["maximum"], 5000);
    // A blob's part names where it starts and the whole size, in headers.
    let put = doc["paths"]["/api/v1/blobs/{sha256}"]["put"]["parameters"]
        .as_array()
        .unwrap();
    for header in ["anju-blob-offset", "anju-blob-length"] {
        assert!(
            put.iter()
                .any(|p| p["name"] == header && p["in"] == "header" && p["required"] == true),
            "{header} in {put:?}"
        );
    }
    // A team member's PIN: six digits, none of the too simple ones.
    let pin = &doc["components"]["schemas"]["TeamPinRequest"]["properties"]["pin"];
    assert_eq!(pin["pattern"], "^[0-9]{6}$");
    assert_eq!(pin["not"]["enum"].as_array().map(Vec::len), Some(20));
}

/// The property names of a ts-rs object type (`export type Name = { a: T, b?: U, };`),
/// each with whether it may be left out; `None` for any other shape (unions, aliases).
fn ts_properties(source: &str, name: &str) -> Option<Vec<(String, bool)>> {
    // Doc comments sit between the properties.
    let mut text = String::new();
    let mut rest = source;
    while let Some(start) = rest.find("/*") {
        text.push_str(&rest[..start]);
        rest = rest[start..]
            .find("*/")
            .map_or("", |end| &rest[start + end + 2..]);
    }
    text.push_str(rest);
    let body = text
        .split_once(&format!("export type {name} = "))?
        .1
        .trim_start();
    if !body.starts_with('{') {
        return None;
    }
    let mut depth = 0usize;
    let mut properties = Vec::new();
    let mut token = String::new();
    for c in body.chars() {
        match c {
            '{' | '[' | '(' | '<' => {
                depth += 1;
                token.clear();
            }
            '}' | ']' | ')' | '>' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    break;
                }
            }
            ':' if depth == 1 => {
                let key = token.trim();
                let (key, optional) = match key.strip_suffix('?') {
                    Some(key) => (key, true),
                    None => (key, false),
                };
                properties.push((key.trim_matches('"').to_string(), optional));
                token.clear();
            }
            ',' if depth == 1 => token.clear(),
            _ if depth == 1 => token.push(c),
            _ => {}
        }
    }
    Some(properties)
}

/// One definition of each wire type, two generators: the TypeScript the front ends are
/// typed with (ts-rs) and the OpenAPI document (utoipa) name the same properties, and a
/// property TypeScript may leave out is not one the document requires.
#[tokio::test]
async fn the_typescript_bindings_and_the_openapi_schemas_agree() {
    let office = Office::start().await;
    let doc = office.openapi().await;
    let ui = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui");
    let mut compared = 0;
    for (name, schema) in doc["components"]["schemas"].as_object().unwrap() {
        let Some(properties) = schema["properties"].as_object() else {
            continue;
        };
        let required: Vec<&str> = schema["required"]
            .as_array()
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        // The field app's bindings hold anju-core's types and its own views; the office's
        // hold the pages' views. The two front ends may each have a type of one name (the
        // field app's HouseholdDetail is not the office's): the document's type must be one
        // of them, exactly.
        let mut candidates = Vec::new();
        for dir in ["office/src/bindings", "src/bindings"] {
            let Ok(source) = std::fs::read_to_string(ui.join(dir).join(format!("{name}.ts")))
            else {
                continue;
            };
            if let Some(ts) = ts_properties(&source, name) {
                candidates.push((dir, ts));
            }
        }
        if candidates.is_empty() {
            continue;
        }
        let mut in_doc: Vec<&str> = properties.keys().map(String::as_str).collect();
        in_doc.sort_unstable();
        let matching = candidates.iter().find(|(_, ts)| {
            let mut in_ts: Vec<&str> = ts.iter().map(|(k, _)| k.as_str()).collect();
            in_ts.sort_unstable();
            in_ts == in_doc
        });
        let Some((_, ts)) = matching else {
            panic!(
                "no TypeScript {name} names the document's properties {in_doc:?}: {candidates:?}"
            );
        };
        for (key, optional) in ts {
            if *optional {
                assert!(
                    !required.contains(&key.as_str()),
                    "{name}.{key}: TypeScript may leave it out, the document requires it"
                );
            }
        }
        compared += 1;
    }
    // The object types the APIs share with a front end (the sync API's Household, Task,
    // Text…; the pages' every view); fewer would mean the comparison no longer finds them.
    assert!(compared >= 90, "only {compared} types compared");
}

/// Found by schemathesis (issue 16): the pages' API took a request whose Authorization
/// header was not a bearer token as signed in by the session cookie beside it. A request
/// that presents credentials is judged by them, as the document's security says.
#[tokio::test]
async fn an_authorization_header_that_is_not_a_bearer_token_is_refused_beside_a_session() {
    let office = Office::start().await;
    let signed_in = office
        .http
        .post(format!("{}/api/office/login", office.url))
        .header("X-Anju-Office", "1")
        .json(&serde_json::json!({"name": "zhang", "password": "anju-demo"}))
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), StatusCode::OK);
    let cookie = signed_in
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .unwrap()
        .to_string();
    let dashboard = format!("{}/api/office/dashboard", office.url);
    let with = |authorization: Option<&str>| {
        let mut request = office.http.get(&dashboard).header("cookie", &cookie);
        if let Some(value) = authorization {
            request = request.header("authorization", value);
        }
        request.send()
    };
    assert_eq!(with(None).await.unwrap().status(), StatusCode::OK);
    for wrong in [
        "Basic emhhbmc6YW5qdS1kZW1v",
        "Bearer ",
        "Bearer not-a-token",
        "token",
    ] {
        let response = with(Some(wrong)).await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{wrong}");
        let body: Value = response.json().await.unwrap();
        assert!(
            body["message"].as_str().is_some_and(|m| m.contains(" / ")),
            "{body}"
        );
    }
    let token = office.login("admin").await;
    office.finish(&token).await;
}

/// The office pages' client (`ui/office/src/api.ts`) names each route it calls as a string:
/// every one must be a route of the document, so that a route renamed or removed in Rust
/// fails here rather than in a user's browser. `${…}` in a path stands for a parameter.
#[tokio::test]
async fn every_route_the_office_pages_call_is_in_the_document() {
    let office = Office::start().await;
    let doc = office.openapi().await;
    let documented: Vec<Vec<String>> = doc["paths"]
        .as_object()
        .unwrap()
        .keys()
        .filter_map(|p| p.strip_prefix("/api/office"))
        .map(|p| p.split('/').map(str::to_string).collect())
        .collect();
    let client = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/office/src/api.ts"),
    )
    .unwrap();
    // Each string that opens with a slash: '/households', `/households/${id}/reveal`.
    let mut called = Vec::new();
    for quote in ["'", "`"] {
        let opening = format!("{quote}/");
        let mut rest = client.as_str();
        while let Some(start) = rest.find(&opening) {
            let after = &rest[start + 1..];
            let Some(end) = after.find(quote) else { break };
            let literal = &after[..end];
            if literal != "/api/office" && !literal.contains(' ') && !literal.contains('\n') {
                called.push(literal.to_string());
            }
            rest = &after[end + 1..];
        }
    }
    assert!(
        called.len() > 40,
        "only {} routes found in api.ts",
        called.len()
    );
    let segment_matches = |documented: &str, called: &str| {
        documented == called
            || (documented.starts_with('{') && documented.ends_with('}') && !called.is_empty())
            || (called.starts_with("${") && documented.starts_with('{'))
    };
    for path in &called {
        let segments: Vec<&str> = path.split('/').collect();
        let found = documented.iter().any(|d| {
            d.len() == segments.len() && d.iter().zip(&segments).all(|(d, c)| segment_matches(d, c))
        });
        assert!(
            found,
            "api.ts calls {path}, which the office does not document"
        );
    }
    let token = office.login("admin").await;
    office.finish(&token).await;
}

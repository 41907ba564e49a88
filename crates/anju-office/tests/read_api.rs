//! The read API over real HTTP on loopback (on SQLite, or PostgreSQL with
//! `ANJU_TEST_BACKEND=postgres`): an integration token reads only its townships'
//! households, acceptances and findings; paging by cursor gives every record exactly
//! once; a state change brings a record back after the cursor; revoked tokens, people's
//! tokens and bad queries are refused with a clear answer; the admin's page makes and
//! revokes tokens. No request may get a 5xx.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod support;

use std::collections::BTreeSet;

use anju_core::wire::RecordStatus;
use anju_office::db::OfficeDb;
use anju_office::read_api::admin;
use anju_office::read_api::tokens::NewIntegrationToken;
use anju_office::services::Viewer;
use chrono::Utc;
use reqwest::StatusCode;
use serde_json::{Value, json};
use support::{Office, finding};
use uuid::Uuid;

fn township_id(db: &OfficeDb, name: &str) -> String {
    db.connection()
        .query_row("SELECT id FROM townships WHERE name = ?1", [name], |r| {
            r.get(0)
        })
        .unwrap()
}

fn households_of(db: &OfficeDb, township: &str) -> BTreeSet<String> {
    db.households(Some(township))
        .unwrap()
        .into_iter()
        .map(|h| h.id.to_string())
        .collect()
}

fn token_for(office: &Office, name: &str, townships: &[&str]) -> String {
    let mut db = office.db();
    admin::create_token(
        &mut db,
        &Viewer::command_line(),
        &NewIntegrationToken {
            name: name.into(),
            townships: townships.iter().map(|t| t.to_string()).collect(),
        },
        None,
    )
    .unwrap()
    .secret
}

async fn read(office: &Office, token: &str, path: &str) -> (StatusCode, Value) {
    let response = office
        .http
        .get(format!("{}/api/read/v1/{path}", office.url))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap())
}

/// Every page of a feed from `cursor`, `limit` at a time: the items, and the last cursor.
async fn read_all(
    office: &Office,
    token: &str,
    feed: &str,
    cursor: i64,
    limit: u32,
) -> (Vec<Value>, i64) {
    let mut cursor = cursor;
    let mut items = Vec::new();
    for _ in 0..1000 {
        let (status, page) = read(
            office,
            token,
            &format!("{feed}?cursor={cursor}&limit={limit}"),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert!(page["damaged"].as_array().unwrap().is_empty(), "{page}");
        let got = page["items"].as_array().unwrap();
        assert!(got.len() <= limit as usize);
        let mut last = cursor;
        for item in got {
            let seq = item["seq"].as_i64().unwrap();
            assert!(seq > last, "in order after the cursor: {page}");
            last = seq;
        }
        items.extend(got.iter().cloned());
        let next = page["next_cursor"].as_i64().unwrap();
        assert!(next >= cursor);
        cursor = next;
        if !page["has_more"].as_bool().unwrap() {
            return (items, cursor);
        }
    }
    panic!("a feed that never ends");
}

fn ids(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_token_reads_its_townships_once_each_and_changes_again() {
    let office = Office::start().await;
    let token = token_for(&office, "扶贫监测系统", &["东河口镇"]);
    let (dhk, matou) = {
        let db = office.db();
        (households_of(&db, "东河口镇"), households_of(&db, "马头镇"))
    };
    assert!(dhk.len() > 5, "the demo's 东河口镇 has households");

    // Households: every one of the township, once, in pages of 5; none of another.
    let (items, cursor) = read_all(&office, &token, "households", 0, 5).await;
    let read_ids = ids(&items);
    assert_eq!(read_ids.len(), dhk.len(), "each exactly once");
    assert_eq!(read_ids.iter().cloned().collect::<BTreeSet<_>>(), dhk);
    assert!(
        items
            .iter()
            .all(|h| h["township"]["name"] == "东河口镇" && h["status"].is_string())
    );
    assert!(items[0].get("id_number").is_none(), "no ID numbers");
    // Nothing new: the same cursor, nothing more.
    let (status, page) = read(&office, &token, &format!("households?cursor={cursor}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["items"].as_array().unwrap().len(), 0);
    assert_eq!(page["next_cursor"].as_i64().unwrap(), cursor);

    // A household of each township moves in (the office works out their standing when
    // it next opens its database): ours comes again after the cursor, and only it.
    let moved = dhk.iter().next().unwrap().clone();
    let other = matou.iter().next().unwrap().clone();
    {
        let db = office.db();
        for (id, on) in [(&moved, "2017-11-20"), (&other, "2017-11-21")] {
            db.connection()
                .execute(
                    "UPDATE households SET moved_in_at = ?1 WHERE id = ?2",
                    [on, id.as_str()],
                )
                .unwrap();
        }
    }
    drop(office.db()); // standings brought up to date
    let (again, cursor_h) = read_all(&office, &token, "households", cursor, 500).await;
    assert_eq!(ids(&again), vec![moved.clone()]);
    assert_eq!(again[0]["moved_in_at"], "2017-11-20");
    assert_eq!(again[0]["status"], "moved_in");
    let (none, _) = read_all(&office, &token, "households", cursor_h, 500).await;
    assert!(none.is_empty(), "{none:?}");

    // Findings: li's in 东河口镇 is read, wang's in 马头镇 is not.
    let li = office.login("li").await;
    let wang = office.login("wang").await;
    let ours = finding(moved.parse().unwrap(), "门前道路未硬化");
    let theirs = finding(other.parse().unwrap(), "水电未入户");
    let (status, pushed) = office.push(&li, std::slice::from_ref(&ours)).await;
    assert_eq!(status, StatusCode::OK, "{pushed:?}");
    assert_eq!(pushed.results[0].status, RecordStatus::Accepted);
    let (status, _) = office.push(&wang, std::slice::from_ref(&theirs)).await;
    assert_eq!(status, StatusCode::OK);
    let (found, cursor_f) = read_all(&office, &token, "findings", 0, 1).await;
    assert_eq!(ids(&found), vec![ours.body.id()]);
    assert_eq!(found[0]["state"], "open");
    assert_eq!(found[0]["description"], "门前道路未硬化");

    // The township rectifies it on the pages: it comes again, with its history.
    let zhang = office.login("zhang").await;
    let response = office
        .http
        .post(format!(
            "{}/api/office/findings/{}/transition",
            office.url,
            ours.body.id()
        ))
        .bearer_auth(&zhang)
        .header("x-anju-office", "1")
        .json(&json!({"to": "rectified", "note": "已铺水泥路"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "{}",
        response.text().await.unwrap()
    );
    let (found, _) = read_all(&office, &token, "findings", cursor_f, 500).await;
    assert_eq!(ids(&found), vec![ours.body.id()]);
    assert_eq!(found[0]["state"], "rectified");
    let history = found[0]["history"].as_array().unwrap();
    let last = history.last().unwrap();
    assert_eq!(last["to_state"], "rectified");
    assert_eq!(last["by"], "zhang");
    assert!(last["at"].is_string());

    // Acceptances: one made in each township; ours is read, then read again once reviewed.
    let db = office.db();
    let insert = |household: &str| {
        let id = Uuid::now_v7().to_string();
        let now = Utc::now().to_rfc3339();
        db.connection()
            .execute(
                "INSERT INTO submissions (id, household_id, kind, form_id, form_version,
                     inspector, answers_json, content_sha256, device_time, received_at)
                 VALUES (?1, ?2, 'acceptance', 'anju.acceptance', 1, 'li', '{}', ?3, ?4, ?4)",
                anju_sql::params![id, household, "0".repeat(64), now],
            )
            .unwrap();
        id
    };
    let accepted = insert(&moved);
    insert(&other);
    let (got, cursor_a) = read_all(&office, &token, "acceptances", 0, 500).await;
    assert_eq!(ids(&got), vec![accepted.clone()]);
    assert_eq!(got[0]["state"], "pending_review");
    assert_eq!(got[0]["kind"], "acceptance");
    let admin_id: String = db
        .connection()
        .query_row("SELECT id FROM users WHERE name = 'admin'", [], |r| {
            r.get(0)
        })
        .unwrap();
    db.connection()
        .execute(
            "INSERT INTO submission_reviews (id, submission_id, decision, note, reviewed_by,
                 reviewed_at)
             VALUES (?1, ?2, 'returned', '面积未量', ?3, ?4)",
            anju_sql::params![
                Uuid::now_v7().to_string(),
                accepted,
                admin_id,
                Utc::now().to_rfc3339()
            ],
        )
        .unwrap();
    let (got, _) = read_all(&office, &token, "acceptances", cursor_a, 500).await;
    assert_eq!(ids(&got), vec![accepted.clone()]);
    assert_eq!(got[0]["state"], "returned");
    assert_eq!(got[0]["reviewed_by"], "admin");
    assert_eq!(got[0]["review_note"], "面积未量");
    drop(db);

    // A token of two townships reads both.
    let both = token_for(&office, "统计局", &["东河口镇", "马头镇"]);
    let (items, _) = read_all(&office, &both, "households", 0, 5000).await;
    assert_eq!(items.len(), dhk.len() + matou.len());

    // The token was used: the admin's list says when.
    let db = office.db();
    let listed = admin::tokens_page(&db, &Viewer::command_line()).unwrap();
    assert!(
        listed.iter().all(|t| t.last_used_at.is_some()),
        "{listed:?}"
    );
    drop(db);
    office.finish(&li).await;
}

#[tokio::test]
async fn refusals_are_clear() {
    let office = Office::start().await;
    let token = token_for(&office, "国土局系统", &["东河口镇"]);
    let li = office.login("li").await;

    // No token, an unknown one: 401.
    let response = office
        .http
        .get(format!("{}/api/read/v1/households", office.url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let (status, body) = read(&office, "anju_rt_nothing", "households").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    // A person's sign-in token: 403, saying why.
    let (status, body) = read(&office, &li, "findings").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"], "not_an_integration_token");
    // Bad cursors and limits: 400 naming the parameter, in both languages.
    for (query, field) in [
        ("cursor=-1", "cursor"),
        ("cursor=abc", "cursor"),
        ("limit=0", "limit"),
        ("limit=5001", "limit"),
        ("page=2", "page"),
        // Found by schemathesis: an empty value is not the default, it is not a number.
        ("limit=&cursor=0", "limit"),
        ("cursor=", "cursor"),
    ] {
        let (status, body) = read(&office, &token, &format!("acceptances?{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
        assert_eq!(body["error"], "invalid_query");
        assert_eq!(body["field"], field);
        assert!(body["message"].as_str().unwrap().contains(" / "), "{body}");
    }
    // Read-only: no other method.
    let response = office
        .http
        .post(format!("{}/api/read/v1/households", office.url))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);

    // The admin's page: a township user may not list or make tokens; the admin makes
    // one (its secret once) and revokes it, and it is refused at once.
    let zhang = office.login("zhang").await;
    let pages = |path: &str| format!("{}/api/office/{path}", office.url);
    let response = office
        .http
        .get(pages("integration-tokens"))
        .bearer_auth(&zhang)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let admin = office.login("admin").await;
    let response = office
        .http
        .post(pages("integration-tokens"))
        .bearer_auth(&admin)
        .header("x-anju-office", "1")
        .json(&json!({"name": "扶贫监测系统", "townships": []}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let db = office.db();
    let dhk = township_id(&db, "东河口镇");
    drop(db);
    let made: Value = office
        .http
        .post(pages("integration-tokens"))
        .bearer_auth(&admin)
        .header("x-anju-office", "1")
        .json(&json!({"name": "扶贫监测系统", "townships": [dhk]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let secret = made["secret"].as_str().unwrap().to_string();
    let id = made["token"]["id"].as_str().unwrap().to_string();
    assert_eq!(made["token"]["townships"][0]["name"], "东河口镇");
    let (status, _) = read(&office, &secret, "households?limit=1").await;
    assert_eq!(status, StatusCode::OK);
    let listed: Value = office
        .http
        .get(pages("integration-tokens"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 2);
    assert!(
        !listed.to_string().contains(&secret),
        "never the secret again"
    );
    let response = office
        .http
        .post(pages(&format!("integration-tokens/{id}/revoke")))
        .bearer_auth(&admin)
        .header("x-anju-office", "1")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let (status, body) = read(&office, &secret, "households").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"], "token_revoked");
    let response = office
        .http
        .post(pages("integration-tokens/no-such/revoke"))
        .bearer_auth(&admin)
        .header("x-anju-office", "1")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    // Both are in the audit log.
    let db = office.db();
    let audited: i64 = db
        .connection()
        .query_row(
            "SELECT count(*) FROM audit_log WHERE action IN
                 ('integration_token_create', 'integration_token_revoke') AND target = ?1",
            [&id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(audited, 2);
    drop(db);
    office.finish(&li).await;
}

#[tokio::test]
async fn the_read_api_is_in_the_openapi_document() {
    let office = Office::start().await;
    let li = office.login("li").await;
    let doc = office.openapi().await;
    assert_eq!(
        doc["components"]["securitySchemes"]["integration"]["scheme"],
        "bearer"
    );
    for feed in ["households", "acceptances", "findings"] {
        let op = &doc["paths"][format!("/api/read/v1/{feed}")]["get"];
        assert_eq!(op["security"][0]["integration"], json!([]), "{feed}");
        for status in ["200", "400", "401", "403"] {
            assert!(op["responses"][status].is_object(), "{feed} {status}");
        }
        let params = op["parameters"].as_array().unwrap();
        let limit = params.iter().find(|p| p["name"] == "limit").unwrap();
        assert_eq!(limit["in"], "query");
        assert_eq!(limit["schema"]["maximum"], 5000);
    }
    office.finish(&li).await;
}

#[test]
fn the_command_line_makes_lists_and_revokes_tokens() {
    use anju_office::read_api::tokens::{TokenLookup, lookup};
    let dir = anju_office::testing::data_dir();
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_anju-office"))
            .arg("--data")
            .arg(dir.path())
            .args(args)
            .env_remove("ANJU_OFFICE_DATA")
            .output()
            .unwrap()
    };
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    assert!(run(&["init", "--demo"]).status.success());
    let made = run(&[
        "integration-token",
        "create",
        "--name",
        "扶贫监测系统",
        "--township",
        "东河口镇",
        "--township",
        "马头镇",
    ]);
    assert!(made.status.success(), "{}", text(&made.stderr));
    // The secret alone on standard output, for scripts; the rest on standard error.
    let secret = text(&made.stdout).trim().to_string();
    assert!(
        secret.starts_with("anju_rt_") && !secret.contains('\n'),
        "{secret}"
    );
    assert!(text(&made.stderr).contains("只显示这一次"));
    let listed = run(&["integration-token", "list"]);
    let listed = text(&listed.stdout);
    assert!(
        listed.contains("扶贫监测系统\t马头镇,东河口镇\tanju-office"),
        "{listed}"
    );
    assert!(!listed.contains(&secret));
    let id = listed.split('\t').next().unwrap().to_string();
    let TokenLookup::Valid(client) =
        lookup(&OfficeDb::open(dir.path()).unwrap(), &secret, Utc::now()).unwrap()
    else {
        panic!("the token made on the command line is valid");
    };
    assert_eq!(client.townships.len(), 2);
    assert!(run(&["integration-token", "revoke", &id]).status.success());
    assert_eq!(
        lookup(&OfficeDb::open(dir.path()).unwrap(), &secret, Utc::now()).unwrap(),
        TokenLookup::Revoked
    );
    let refused = run(&[
        "integration-token",
        "create",
        "--name",
        "统计局",
        "--township",
        "不存在镇",
    ]);
    assert!(!refused.status.success());
    assert!(
        text(&refused.stderr).contains("没有乡镇“不存在镇”"),
        "{}",
        text(&refused.stderr)
    );
    assert!(
        !run(&["integration-token", "create", "--name", "统计局"])
            .status
            .success()
    );
    let db = OfficeDb::open(dir.path()).unwrap();
    let audited: i64 = db
        .connection()
        .query_row(
            "SELECT count(*) FROM audit_log WHERE action LIKE 'integration_token_%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(audited, 2);
}

//! The sync API over real HTTP on loopback: authorisation, idempotent pushes, resumable
//! blobs, pull pages and tombstones, and a clear 4xx for every kind of bad input. No
//! request in this file may get a 5xx: each test checks the server's counters at the end.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod support;

use anju_core::hash::sha256_hex;
use anju_core::model::{ClockReading, PhotoMeta};
use anju_core::wire::{
    HEADER_BLOB_COMPLETE, HEADER_BLOB_OFFSET, PushRecord, RecordBody, RecordStatus, assigned_digest,
};
use anju_office::assign::{Target, assign, unassign};
use anju_office::db::OfficeDb;
use chrono::Utc;
use reqwest::StatusCode;
use serde_json::{Value, json};
use support::{Office, finding};
use uuid::Uuid;

fn photo(household: Uuid, bytes: &[u8]) -> PushRecord {
    let body = RecordBody::Photo(PhotoMeta {
        sha256: sha256_hex(bytes),
        household_id: household,
        slot: "photo_front".into(),
        bytes: bytes.len() as u64,
        width: 1600,
        height: 1200,
        taken: ClockReading {
            device_time: Utc::now(),
            trusted_time: None,
            offset_ms: None,
        },
        latitude: None,
        longitude: None,
        fix: None,
        source: None,
        camera_time: None,
    });
    PushRecord {
        content_sha256: body.content_sha256().unwrap(),
        body,
    }
}

fn household_of(db: &OfficeDb, township: &str) -> Uuid {
    db.households(Some(township)).unwrap()[0].id
}

fn count(db: &OfficeDb, table: &str) -> i64 {
    db.connection()
        .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

#[tokio::test]
async fn logins_are_checked_throttled_and_revocable() {
    let office = Office::start().await;
    let bad = office
        .http
        .post(office.at("/login"))
        .json(&json!({"user": "li", "password": "wrong", "device_id": Uuid::now_v7()}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNAUTHORIZED);
    let body: Value = bad.json().await.unwrap();
    assert_eq!(body["error"], "bad_credentials");
    for _ in 0..4 {
        let r = office
            .http
            .post(office.at("/login"))
            .json(&json!({"user": "li", "password": "wrong", "device_id": Uuid::now_v7()}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    // The sixth attempt waits, even with the right password.
    let throttled = office
        .http
        .post(office.at("/login"))
        .json(&json!({"user": "li", "password": "anju-demo", "device_id": Uuid::now_v7()}))
        .send()
        .await
        .unwrap();
    assert_eq!(throttled.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(throttled.headers().get("retry-after").is_some());
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let token = office.login("li").await;

    // A token works until its user is revoked (a lost phone); then it is refused clearly.
    assert_eq!(office.pull(&token, 0, 100).await.households.len(), 14);
    anju_office::users::revoke(&office.db(), "li").unwrap();
    let refused = office
        .http
        .get(office.at("/pull"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"], "token_revoked");
    // Logging out revokes just that device.
    let fresh = office.login("li").await;
    let out = office
        .http
        .post(office.at("/logout"))
        .bearer_auth(&fresh)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    let after = office
        .http
        .get(office.at("/pull"))
        .bearer_auth(&fresh)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), StatusCode::UNAUTHORIZED);
    let none = office.http.get(office.at("/pull")).send().await.unwrap();
    assert_eq!(none.status(), StatusCode::UNAUTHORIZED);
    let admin = office.login("admin").await;
    office.finish(&admin).await;
}

#[tokio::test]
async fn inspectors_see_and_write_only_their_households() {
    let office = Office::start().await;
    let li = office.login("li").await;
    let wang = office.login("wang").await;
    let zhang = office.login("zhang").await;
    let db = office.db();
    let li_household = household_of(&db, "东河口镇");
    let wang_household = household_of(&db, "马头镇");

    let pulled = office.pull(&li, 0, 1000).await;
    assert_eq!(pulled.households.len(), 14);
    assert!(pulled.households.iter().all(|h| h.township == "东河口镇"));
    assert_eq!(office.pull(&wang, 0, 1000).await.households.len(), 24);

    // wang cannot write li's household; the record is refused, nothing stored.
    let (status, response) = office
        .push(&wang, &[finding(li_household, "门前道路未硬化")])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(response.results[0].status, RecordStatus::Forbidden);
    assert!(
        response.results[0]
            .message
            .as_deref()
            .unwrap()
            .contains("not assigned")
    );
    let (status, _) = office
        .push(&wang, &[finding(wang_household, "水未入户")])
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(count(&db, "findings"), 1);

    // A township user is not an inspector, and not an admin.
    for path in ["/pull", "/admin/users"] {
        let r = office
            .http
            .get(office.at(path))
            .bearer_auth(&zhang)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{path}");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"], "forbidden_role");
    }
    let r = office
        .http
        .post(office.at("/admin/assignments"))
        .bearer_auth(&zhang)
        .json(&json!({"inspector": "zhang", "township": "东河口镇"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = office
        .http
        .get(office.at("/admin/users"))
        .bearer_auth(&li)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // The admin can, and assigning through the API reaches li's next pull.
    let admin = office.login("admin").await;
    let users: Value = office
        .http
        .get(office.at("/admin/users"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // The demo's admin, zhang, li and li's three team members, and this test's user.
    assert_eq!(users.as_array().unwrap().len(), 7);
    let r = office
        .http
        .post(office.at("/admin/assignments"))
        .bearer_auth(&admin)
        .json(&json!({"inspector": "li", "township": "木厂镇"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let next = office.pull(&li, pulled.next_cursor, 1000).await;
    assert_eq!(next.households.len(), 2);
    assert!(next.households.iter().all(|h| h.township == "木厂镇"));
    // What is not there is 404, each with what was named; a request naming two targets or
    // none is 422.
    for (body, status, named) in [
        (
            json!({"inspector": "nobody", "township": "木厂镇"}),
            StatusCode::NOT_FOUND,
            "nobody",
        ),
        (
            json!({"inspector": "li", "township": "月球镇"}),
            StatusCode::NOT_FOUND,
            "月球镇",
        ),
        (
            json!({"inspector": "li", "site": "无此安置点"}),
            StatusCode::NOT_FOUND,
            "无此安置点",
        ),
        (
            json!({"inspector": "li", "households": ["999999"]}),
            StatusCode::NOT_FOUND,
            "999999",
        ),
        (
            json!({"inspector": "zhang", "township": "木厂镇"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "zhang",
        ),
        (
            json!({"inspector": "li", "township": "木厂镇", "households": ["1"]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "township",
        ),
        (
            json!({"inspector": "li"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "township",
        ),
    ] {
        let r = office
            .http
            .post(office.at("/admin/assignments"))
            .bearer_auth(&admin)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), status, "{body}");
        let answer: Value = r.json().await.unwrap();
        assert!(
            answer["message"].as_str().unwrap().contains(named),
            "{body}: {answer}"
        );
    }
    office.finish(&admin).await;
}

#[tokio::test]
async fn pushes_are_idempotent_and_conflicts_are_kept_aside() {
    let office = Office::start().await;
    let li = office.login("li").await;
    let db = office.db();
    let household = household_of(&db, "东河口镇");

    let record = finding(household, "水未入户");
    let (status, first) = office.push(&li, std::slice::from_ref(&record)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(first.results[0].status, RecordStatus::Accepted);
    // A retry of the same record (say, the answer was lost) is a no-op.
    let (status, again) = office.push(&li, std::slice::from_ref(&record)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again.results[0].status, RecordStatus::Duplicate);
    assert_eq!(count(&db, "findings"), 1);

    // The same id with different content is refused for that record and kept aside.
    let mut changed = record.clone();
    if let RecordBody::Finding(f) = &mut changed.body {
        f.description = "电未入户".into();
    }
    changed.content_sha256 = changed.body.content_sha256().unwrap();
    let other = finding(household, "卫生间未完工");
    let (status, response) = office.push(&li, &[changed, other]).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(response.results[0].status, RecordStatus::Conflict);
    assert_eq!(response.results[0].code, 409);
    assert_eq!(
        response.results[1].status,
        RecordStatus::Accepted,
        "the others still go through"
    );
    let stored: String = db
        .connection()
        .query_row(
            "SELECT description FROM findings WHERE id = ?1",
            [record.body.id()],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(stored, "水未入户", "never overwritten");
    assert_eq!(count(&db, "conflicts"), 1);

    // A photo record waits for its blob: 424 until the bytes are there.
    let bytes = vec![7u8; 50_000];
    let photo_record = photo(household, &bytes);
    let (status, response) = office.push(&li, std::slice::from_ref(&photo_record)).await;
    assert_eq!(status.as_u16(), 424);
    assert_eq!(response.results[0].missing_blobs, vec![sha256_hex(&bytes)]);
    assert!(RecordStatus::MissingBlob.is_retryable());
    let put = office
        .put_blob(&li, &sha256_hex(&bytes), 0, bytes.len() as u64, &bytes)
        .await;
    assert_eq!(put.status(), StatusCode::CREATED);
    let (status, response) = office.push(&li, &[photo_record]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(response.results[0].status, RecordStatus::Accepted);
    let devices: i64 = db
        .connection()
        .query_row("SELECT sum(pushes) FROM devices", [], |r| r.get(0))
        .unwrap();
    assert_eq!(devices, 5, "every push records the device's clock");
    office.finish(&li).await;
}

#[tokio::test]
async fn blobs_resume_where_they_were_cut() {
    let office = Office::start().await;
    let li = office.login("li").await;
    let bytes: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let sha = sha256_hex(&bytes);
    let total = bytes.len() as u64;

    let head = office
        .http
        .head(office.at(&format!("/blobs/{sha}")))
        .bearer_auth(&li)
        .send()
        .await
        .unwrap();
    assert_eq!(head.headers()[HEADER_BLOB_OFFSET], "0");
    // The first half arrives, then the connection ends.
    let half = 150_000usize;
    let r = office.put_blob(&li, &sha, 0, total, &bytes[..half]).await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    assert_eq!(r.headers()[HEADER_BLOB_OFFSET], half.to_string().as_str());
    let head = office
        .http
        .head(office.at(&format!("/blobs/{sha}")))
        .bearer_auth(&li)
        .send()
        .await
        .unwrap();
    assert_eq!(
        head.headers()[HEADER_BLOB_OFFSET],
        half.to_string().as_str()
    );
    assert_eq!(head.headers()[HEADER_BLOB_COMPLETE], "0");
    // Resuming from the wrong place is refused with the right place.
    let r = office.put_blob(&li, &sha, 0, total, &bytes).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert_eq!(r.headers()[HEADER_BLOB_OFFSET], half.to_string().as_str());
    let r = office
        .put_blob(&li, &sha, half as u64, total, &bytes[half..])
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    assert_eq!(r.headers()[HEADER_BLOB_COMPLETE], "1");
    // Again: already complete, nothing more stored.
    let r = office.put_blob(&li, &sha, 0, total, &bytes).await;
    assert_eq!(r.status(), StatusCode::OK);
    let metrics = office.metrics(&li).await;
    assert_eq!(
        metrics["blob_bytes_received"], total,
        "no byte was stored twice"
    );
    let stored = std::fs::read(office.dir.path().join("blobs").join(&sha[..2]).join(&sha)).unwrap();
    assert_eq!(sha256_hex(&stored), sha);

    // A blob whose bytes do not hash to its name is thrown away.
    let liar = sha256_hex(b"something else");
    let r = office.put_blob(&li, &liar, 0, 5, b"hello").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"], "hash_mismatch");
    let head = office
        .http
        .head(office.at(&format!("/blobs/{liar}")))
        .bearer_auth(&li)
        .send()
        .await
        .unwrap();
    assert_eq!(head.headers()[HEADER_BLOB_OFFSET], "0");
    office.finish(&li).await;
}

#[tokio::test]
async fn pulls_come_in_pages_with_tombstones_and_a_digest() {
    let office = Office::start().await;
    let li = office.login("li").await;
    let mut cursor = 0;
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let page = office.pull(&li, cursor, 5).await;
        pages += 1;
        assert!(page.households.len() <= 5);
        seen.extend(page.households.iter().map(|h| h.id));
        assert!(page.next_cursor >= cursor);
        cursor = page.next_cursor;
        if !page.has_more {
            assert_eq!(page.assigned_count, 14);
            assert_eq!(
                page.assigned_digest.as_deref(),
                Some(assigned_digest(&seen).as_str())
            );
            break;
        }
        assert!(page.assigned_digest.is_none());
    }
    assert_eq!((seen.len(), pages), (14, 3));
    // Nothing new: an empty page at the same cursor.
    let idle = office.pull(&li, cursor, 5).await;
    assert!(idle.households.is_empty() && idle.tombstones.is_empty());
    assert_eq!(idle.next_cursor, cursor);

    // Taking a household away sends a tombstone; giving it back sends it again.
    let mut db = office.db();
    let zheng = db
        .households(Some("东河口镇"))
        .unwrap()
        .into_iter()
        .find(|h| h.head_name == "郑怀圣")
        .unwrap();
    unassign(
        &mut db,
        "li",
        &Target::Households(vec![zheng.id_number.to_string()]),
    )
    .unwrap();
    let page = office.pull(&li, cursor, 5).await;
    assert_eq!(page.tombstones, vec![zheng.id]);
    assert_eq!(page.assigned_count, 13);
    let cursor = page.next_cursor;
    assign(
        &mut db,
        "li",
        &Target::Households(vec![zheng.number.clone()]),
    )
    .unwrap();
    let page = office.pull(&li, cursor, 5).await;
    assert_eq!(
        page.households.iter().map(|h| h.id).collect::<Vec<_>>(),
        vec![zheng.id]
    );
    assert!(page.tombstones.is_empty());
    office.finish(&li).await;
}

#[tokio::test]
async fn bad_input_gets_a_clear_4xx() {
    let office = Office::start().await;
    let li = office.login("li").await;
    let push = |body: &'static str| {
        office
            .http
            .post(office.at("/push"))
            .bearer_auth(&li)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    let check = |response: reqwest::Response, status: u16, code: &'static str| async move {
        assert_eq!(response.status().as_u16(), status, "{code}");
        let body: Value = response
            .json()
            .await
            .unwrap_or_else(|e| panic!("{code}: {e}"));
        assert_eq!(body["error"], code, "{body}");
        assert!(
            body["message"].as_str().unwrap().contains(" / "),
            "bilingual: {body}"
        );
        body
    };
    check(push("{\"device_id\": ").await.unwrap(), 400, "invalid_json").await;
    let body = check(
        push(r#"{"device_id": 5, "device_time": "2017-09-05T00:00:00Z", "records": []}"#)
            .await
            .unwrap(),
        422,
        "invalid_field",
    )
    .await;
    assert_eq!(body["field"], "device_id");
    let body = check(
        push(r#"{"device_id": "0190f0c0-0000-7000-8000-000000000001", "device_time": "2017-09-05T00:00:00Z", "records": [{"kind": "video", "content_sha256": "x", "body": {}}]}"#)
            .await
            .unwrap(),
        422,
        "invalid_field",
    )
    .await;
    assert!(
        body["message"].as_str().unwrap().contains("video"),
        "{body}"
    );
    let no_type = office
        .http
        .post(office.at("/push"))
        .bearer_auth(&li)
        .body("{}")
        .send()
        .await
        .unwrap();
    check(no_type, 415, "not_json").await;
    let huge = format!(
        r#"{{"device_id": "0190f0c0-0000-7000-8000-000000000001", "device_time": "2017-09-05T00:00:00Z", "records": [], "padding": "{}"}}"#,
        "x".repeat(17 * 1024 * 1024)
    );
    let r = office
        .http
        .post(office.at("/push"))
        .bearer_auth(&li)
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    check(r, 413, "body_too_large").await;
    let many: Vec<PushRecord> = (0..501)
        .map(|i| finding(Uuid::now_v7(), &format!("问题{i}")))
        .collect();
    let r = office
        .http
        .post(office.at("/push"))
        .bearer_auth(&li)
        .json(&json!({"device_id": Uuid::now_v7(), "device_time": Utc::now(), "records": many}))
        .send()
        .await
        .unwrap();
    check(r, 413, "too_many_records").await;

    // Per record: a wrong hash, a household that does not exist.
    let db = office.db();
    let mut lying = finding(household_of(&db, "东河口镇"), "水未入户");
    lying.content_sha256 = sha256_hex(b"not this");
    let (status, response) = office.push(&li, &[lying]).await;
    assert_eq!(status.as_u16(), 422);
    assert!(
        response.results[0]
            .message
            .as_deref()
            .unwrap()
            .contains("content_sha256")
    );
    let (status, response) = office
        .push(&li, &[finding(Uuid::now_v7(), "水未入户")])
        .await;
    assert_eq!(status.as_u16(), 404);
    assert_eq!(response.results[0].status, RecordStatus::UnknownHousehold);
    assert_eq!(count(&db, "findings"), 0);

    // Blobs: a name that is not a hash, missing headers, too large.
    let r = office.put_blob(&li, "not-a-hash", 0, 1, b"x").await;
    check(r, 400, "bad_hash").await;
    let r = office
        .http
        .put(office.at(&format!("/blobs/{}", sha256_hex(b"x"))))
        .bearer_auth(&li)
        .body("x")
        .send()
        .await
        .unwrap();
    check(r, 400, "missing_header").await;
    let r = office
        .put_blob(&li, &sha256_hex(b"x"), 0, 26 * 1024 * 1024, b"x")
        .await;
    check(r, 413, "blob_too_large").await;
    let r = office.put_blob(&li, &sha256_hex(b"xy"), 0, 1, b"xy").await;
    check(r, 422, "blob_overflow").await;

    // Query strings.
    for query in ["cursor=abc", "limit=0", "limit=99999", "colour=red"] {
        let r = office
            .http
            .get(office.at(&format!("/pull?{query}")))
            .bearer_auth(&li)
            .send()
            .await
            .unwrap();
        check(r, 400, "invalid_query").await;
    }
    office.finish(&li).await;
}

#[tokio::test]
async fn a_finding_before_its_submission_waits_for_it() {
    let office = Office::start().await;
    let li = office.login("li").await;
    let db = office.db();
    let household = household_of(&db, "东河口镇");
    let mut early = finding(household, "门前道路未硬化");
    if let RecordBody::Finding(f) = &mut early.body {
        f.submission_id = Some(Uuid::now_v7());
    }
    early.content_sha256 = early.body.content_sha256().unwrap();
    let (status, response) = office.push(&li, &[early]).await;
    assert_eq!(status.as_u16(), 424);
    assert_eq!(response.results[0].status, RecordStatus::MissingDependency);
    assert!(response.results[0].status.is_retryable());
    assert!(
        response.results[0]
            .message
            .as_deref()
            .unwrap()
            .contains("send it first")
    );
    assert_eq!(count(&db, "findings"), 0);
    office.finish(&li).await;
}

/// A device learns its inspector's 姓名 at sign-in, so a signature it prefills carries the
/// name official records use; a user without one has none (the device asks), never the login.
#[tokio::test]
async fn a_sign_in_tells_the_device_the_inspectors_real_name() {
    let office = Office::start().await;
    let sign_in = |user: &'static str| {
        office
            .http
            .post(office.at("/login"))
            .json(&json!({"user": user, "password": "anju-demo", "device_id": Uuid::now_v7()}))
            .send()
    };
    let li: Value = sign_in("li").await.unwrap().json().await.unwrap();
    assert_eq!(li["user"]["name"], "li");
    assert_eq!(li["user"]["full_name"], "李晓峰");
    let wang: Value = sign_in("wang").await.unwrap().json().await.unwrap();
    assert_eq!(wang["user"]["name"], "wang");
    assert!(wang["user"].get("full_name").is_none(), "{wang}");
}

//! What each role sees and may do in the office pages, end to end: the dashboard, the
//! households, rectification, review, 面积超标, conflicts, sampling, milestones, the roster
//! import, exports read back and the printed form.

use std::io::Cursor;

use anju_tests::fixtures::{DEMO_PASSWORD, InProcessOffice, TOWNSHIP, office_data};
use anju_tests::pages::Page;
use anju_tests::seed::field_results;
use calamine::{Reader, Xlsx};
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::TestResult;

/// Where a review queue item is reviewed.
fn review_path(item: &Value) -> String {
    format!(
        "/api/office/review/{}",
        item["submission_id"].as_str().unwrap_or("")
    )
}

fn rows_of(xlsx: Vec<u8>) -> Result<Vec<Vec<String>>, Box<dyn std::error::Error + Send + Sync>> {
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(xlsx))?;
    let sheet = book.worksheet_range_at(0).ok_or("a sheet")??;
    Ok(sheet
        .rows()
        .map(|row| row.iter().map(|c| c.to_string()).collect())
        .collect())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_office_pages_keep_each_user_to_their_rights() -> TestResult {
    let office_dir = tempfile::tempdir()?;
    office_data(office_dir.path())?;
    let office = InProcessOffice::start(office_dir.path()).await?;
    let device = tempfile::tempdir()?;
    let seeded = field_results(&office.url(), device.path(), 6, 2).await?;
    assert_eq!(seeded.accepted.len(), 6);
    let url = office.url();

    let admin = Page::sign_in(&url, "admin").await?;
    let zhang = Page::sign_in(&url, "zhang").await?;

    // Inspectors use the field app; a page request without its header is refused.
    let refused = reqwest::Client::new()
        .post(format!("{url}/api/office/login"))
        .header("X-Anju-Office", "1")
        .json(&json!({"name": "li", "password": DEMO_PASSWORD}))
        .send()
        .await?;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let no_header = reqwest::Client::new()
        .post(format!("{url}/api/office/samples"))
        .header("Cookie", &admin.cookie)
        .json(&json!({}))
        .send()
        .await?;
    assert_eq!(no_header.status(), StatusCode::FORBIDDEN);
    let (status, _) = Page {
        cookie: String::new(),
        ..Page::sign_in(&url, "admin").await?
    }
    .get("/api/office/dashboard")
    .await?;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // The dashboard: the source's totals, and the field results. Nothing is 已验收 until
    // the district has reviewed it; the over-limit house has raised 面积超标.
    let (status, board) = admin.get("/api/office/dashboard").await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(board["total"]["households"], 121);
    assert_eq!(board["total"]["people"], 340);
    assert_eq!(board["total"]["concentrated_households"], 44);
    assert_eq!(board["total"]["concentrated_people"], 134);
    assert_eq!(board["total"]["self_built_households"], 72);
    assert_eq!(board["total"]["self_built_people"], 191);
    assert_eq!(board["total"]["bought_households"], 5);
    assert_eq!(board["total"]["bought_people"], 15);
    assert_eq!(board["total"]["accepted"], 0, "nothing is reviewed yet");
    assert_eq!(board["total"]["awaiting_review"], 6);
    assert_eq!(board["total"]["over_cap"], 1);
    assert_eq!(
        board["total"]["open_findings"], 4,
        "3 drainage and 1 面积超标"
    );
    assert_eq!(board["rows"].as_array().map(Vec::len), Some(9));
    assert_eq!(
        board["pending_review"], 8,
        "6 acceptances and 2 spot checks"
    );
    let (_, own) = zhang.get("/api/office/dashboard").await?;
    assert_eq!(own["rows"].as_array().map(Vec::len), Some(1));
    assert_eq!(own["total"]["households"], 14);

    // A township user sees their own township's households only.
    let (_, page) = zhang.get("/api/office/households?limit=500").await?;
    assert_eq!(page["total"], 14);
    let rows = page["rows"].as_array().ok_or("rows")?;
    assert!(rows.iter().all(|r| r["township"] == TOWNSHIP));
    let (status, error) = zhang
        .get("/api/office/households?township=%E6%A4%BF%E6%A0%91%E9%95%87")
        .await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(error["error"], "other_township");
    let (_, elsewhere) = admin
        .get("/api/office/households?township=%E6%A4%BF%E6%A0%91%E9%95%87&limit=1")
        .await?;
    let other_id = elsewhere["rows"][0]["id"]
        .as_str()
        .ok_or("a household of 椿树镇")?;
    let (status, _) = zhang
        .get(&format!("/api/office/households/{other_id}"))
        .await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = zhang
        .bytes(&format!("/api/office/forms/{other_id}"))
        .await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Nor act as an admin: import rosters.
    let (status, error) = zhang
        .upload(
            "/api/office/import/preview",
            b"a,b\n1,2\n".to_vec(),
            "x.csv",
        )
        .await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(error["error"], "admin_only");

    // Filters and status: every submitted household waits for the district's review.
    let (_, waiting) = admin
        .get("/api/office/households?status=awaiting_review")
        .await?;
    assert_eq!(waiting["total"], 6);
    let (_, none) = admin.get("/api/office/households?status=accepted").await?;
    assert_eq!(none["total"], 0);
    let (status, bad) = admin.get("/api/office/households?status=done").await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad["message"].as_str().unwrap_or_default().contains("done"));

    // A household's page: inspections with photos, signatures and the area.
    let first = &rows
        .iter()
        .find(|r| r["number"] == seeded.accepted[0].as_str())
        .ok_or("the first accepted")?["id"];
    let first = first.as_str().ok_or("id")?;
    let (_, detail) = zhang
        .get(&format!("/api/office/households/{first}"))
        .await?;
    let inspections = detail["submissions"].as_array().ok_or("submissions")?;
    assert_eq!(inspections.len(), 2, "acceptance and spot check");
    assert_eq!(inspections[0]["photos"].as_array().map(Vec::len), Some(8));
    assert_eq!(
        inspections[0]["signatures"].as_array().map(Vec::len),
        Some(5)
    );
    assert!(inspections[0]["signatures"][0]["matches_form"].as_bool() == Some(true));
    assert_eq!(inspections[0]["area"]["over_cap"], false);
    assert_eq!(detail["spot_check"]["within_tolerance"], true);
    let photo = inspections[0]["photos"][0]["url"].as_str().ok_or("url")?;
    let (status, jpeg) = zhang.bytes(photo).await?;
    assert_eq!(status, StatusCode::OK);
    assert!(jpeg.starts_with(&[0xFF, 0xD8]));

    // Rectification: the township rectifies with evidence, the district closes.
    let (_, findings) = zhang.get("/api/office/findings").await?;
    let finding = findings["rows"]
        .as_array()
        .ok_or("findings")?
        .iter()
        .find(|f| f["origin"] == "inspector")
        .ok_or("an inspector's finding")?;
    let finding_id = finding["id"].as_str().ok_or("id")?;
    assert_eq!(finding["allowed"], json!(["rectified"]));
    let (status, error) = zhang
        .post(
            &format!("/api/office/findings/{finding_id}/transition"),
            json!({"to": "rectified", "note": " ", "evidence_sha256": null}),
        )
        .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
    let (status, _) = zhang
        .upload(
            &format!("/api/office/findings/{finding_id}/evidence"),
            b"not an image".to_vec(),
            "x.jpg",
        )
        .await?;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let evidence = anju_tests::field::camera_jpeg(320, 240, 5)?;
    let (status, stored) = zhang
        .upload(
            &format!("/api/office/findings/{finding_id}/evidence"),
            evidence,
            "e.jpg",
        )
        .await?;
    assert_eq!(status, StatusCode::OK);
    let (status, rectified) = zhang
        .post(
            &format!("/api/office/findings/{finding_id}/transition"),
            json!({"to": "rectified", "note": "排水沟已修通", "evidence_sha256": stored["sha256"]}),
        )
        .await?;
    assert_eq!(status, StatusCode::OK, "{rectified}");
    assert_eq!(rectified["state"], "rectified");
    assert_eq!(
        rectified["allowed"],
        json!([]),
        "the township cannot close it"
    );
    let (status, _) = zhang
        .post(
            &format!("/api/office/findings/{finding_id}/transition"),
            json!({"to": "closed", "note": null, "evidence_sha256": null}),
        )
        .await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, closed) = admin
        .post(
            &format!("/api/office/findings/{finding_id}/transition"),
            json!({"to": "closed", "note": "复查已通", "evidence_sha256": null}),
        )
        .await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(closed["state"], "closed");
    // Found (at the acceptance), rectified with its photo, closed.
    assert_eq!(closed["events"].as_array().map(Vec::len), Some(3));
    assert_eq!(closed["events"][0]["by"], "li");
    assert!(closed["events"][1]["evidence_url"].is_string());

    // An overdue finding stands out, and the overdue filter finds it.
    {
        let conn = anju_tests::fixtures::office_sql_writer(office_dir.path())?;
        conn.execute(
            "UPDATE findings SET deadline = '2026-01-05' WHERE id = (
                 SELECT id FROM findings WHERE state = 'open' ORDER BY id LIMIT 1)",
            [],
        )?;
    }
    let (_, overdue) = admin.get("/api/office/findings?overdue=true").await?;
    let overdue = overdue["rows"].as_array().ok_or("overdue")?;
    assert_eq!(overdue.len(), 1);
    assert_eq!(overdue[0]["overdue"], true);
    assert!(overdue[0]["days_left"].as_i64().unwrap_or(0) < 0);

    // Review is the district's: a township user reads the queue but cannot decide.
    let (_, queue) = zhang.get("/api/office/review").await?;
    let pending = queue["submissions"].as_array().ok_or("pending")?;
    assert_eq!(pending.len(), 8);
    assert!(pending.iter().any(|p| p["over_cap"] == true));
    let (status, error) = zhang
        .post(
            &review_path(&pending[0]),
            json!({"decision": "approved", "note": null}),
        )
        .await?;
    assert_eq!(status, StatusCode::FORBIDDEN, "{error}");
    assert_eq!(error["error"], "admin_only");
    let (status, _) = admin
        .post(
            &review_path(&pending[1]),
            json!({"decision": "returned", "note": null}),
        )
        .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        pending[0]["verdict"], "pass_after_rectification",
        "it has a finding"
    );
    let (status, _) = admin
        .post(
            &review_path(&pending[0]),
            json!({"decision": "approved", "note": null}),
        )
        .await?;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let again = review_path(&pending[0]);
    let (status, error) = admin
        .post(&again, json!({"decision": "returned", "note": "再看"}))
        .await?;
    assert_eq!(status, StatusCode::CONFLICT, "a second review is refused");
    assert_eq!(error["error"], "already_reviewed");
    let (_, board) = admin.get("/api/office/dashboard").await?;
    assert_eq!(board["total"]["accepted"], 1, "approved, and not 不合格");

    // The over-limit house: 不合格, with 面积超标 raised, even once approved; it is not
    // 已验收 anywhere and cannot move in.
    let over = pending
        .iter()
        .find(|p| p["kind"] == "acceptance" && p["over_cap"] == true)
        .ok_or("the over-limit acceptance")?;
    assert_eq!(over["household_number"], seeded.over_cap[0].as_str());
    assert_eq!(over["verdict"], "fail");
    assert_eq!(over["judgement"]["over_cap"], true);
    assert_eq!(over["judgement"]["policy_version"], 2, "the demo's policy");
    let (status, _) = admin
        .post(
            &review_path(over),
            json!({"decision": "approved", "note": null}),
        )
        .await?;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let over_id = over["household_id"].as_str().ok_or("household")?;
    let over_page = format!("/api/office/households/{over_id}");
    let (_, detail) = admin.get(&over_page).await?;
    assert_eq!(detail["row"]["status"], "failed");
    assert_eq!(detail["row"]["verdict"], "fail");
    assert_eq!(detail["row"]["accepted"], false);
    assert_eq!(detail["row"]["over_cap"], true);
    let area_finding = detail["findings"]
        .as_array()
        .ok_or("findings")?
        .iter()
        .find(|f| f["origin"] == "area_over_cap")
        .ok_or("面积超标 raised by the office")?
        .clone();
    assert_eq!(area_finding["critical"], true);
    assert!(
        area_finding["description"]
            .as_str()
            .unwrap_or_default()
            .starts_with("面积超标：建筑面积"),
        "{area_finding}"
    );
    assert_eq!(
        area_finding["allowed"],
        json!(["closed"]),
        "the district decides"
    );
    let (status, error) = admin
        .post(
            &format!("{over_page}/milestones"),
            json!({"moved_in_on": "2026-11-30"}),
        )
        .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        error["message"]
            .as_str()
            .unwrap_or_default()
            .contains("“不合格”"),
        "{error}"
    );
    let (_, board) = admin.get("/api/office/dashboard").await?;
    assert_eq!(board["total"]["accepted"], 1);
    assert_eq!(board["total"]["failed"], 1);
    // The dashboard's 面积超标 opens its list; the findings filter by who raised them.
    let (_, over_list) = admin.get("/api/office/households?over_cap=true").await?;
    assert_eq!(over_list["total"], 1);
    assert_eq!(over_list["rows"][0]["id"], over["household_id"]);
    let (_, raised) = admin
        .get("/api/office/findings?origin=area_over_cap")
        .await?;
    assert_eq!(raised["rows"].as_array().map(Vec::len), Some(1));
    let (status, _) = admin.get("/api/office/findings?origin=mystery").await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, xlsx) = admin.bytes("/api/office/exports/households.xlsx").await?;
    let listed = rows_of(xlsx)?;
    let row = listed
        .iter()
        .find(|r| r[0] == seeded.over_cap[0])
        .ok_or("the over-limit house in the export")?;
    assert_eq!(
        (row[8].as_str(), row[9].as_str(), row[10].as_str()),
        ("不合格", "不合格", "是")
    );
    // Only a re-measure within the cap or the district's written decision closes it.
    let area_transition = format!(
        "/api/office/findings/{}/transition",
        area_finding["id"].as_str().unwrap_or_default()
    );
    let (status, error) = zhang
        .post(
            &area_transition,
            json!({"to": "rectified", "note": "已拆除多余部分", "evidence_sha256": null}),
        )
        .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
    assert!(
        error["message"]
            .as_str()
            .unwrap_or_default()
            .contains("抽查复核")
    );
    let (status, _) = admin
        .post(
            &area_transition,
            json!({"to": "closed", "note": " ", "evidence_sha256": null}),
        )
        .await?;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a decision needs its reason"
    );
    let (status, decided) = admin
        .post(
            &area_transition,
            json!({"to": "closed", "note": "经区联席会议研究，多出部分为已拆除的附属用房，同意认定", "evidence_sha256": null}),
        )
        .await?;
    assert_eq!(status, StatusCode::OK, "{decided}");
    let (_, detail) = admin.get(&over_page).await?;
    assert_eq!(detail["row"]["verdict"], "pass_after_rectification");
    assert_eq!(detail["row"]["accepted"], true);
    let (_, board) = admin.get("/api/office/dashboard").await?;
    assert_eq!(board["total"]["accepted"], 2);
    assert_eq!(board["total"]["failed"], 0);

    // A returned acceptance no longer makes its household accepted.
    let returned = pending
        .iter()
        .find(|p| {
            p["kind"] == "acceptance"
                && p["household_number"] != seeded.accepted[0].as_str()
                && p["household_number"] != seeded.over_cap[0].as_str()
        })
        .ok_or("an acceptance to return")?;
    let (status, _) = admin
        .post(
            &review_path(returned),
            json!({"decision": "returned", "note": "面积记录有误，请复测"}),
        )
        .await?;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let returned_household = returned["household_id"].as_str().ok_or("household")?;
    let (_, detail) = zhang
        .get(&format!("/api/office/households/{returned_household}"))
        .await?;
    assert_eq!(detail["row"]["status"], "pending");
    assert_eq!(detail["submissions"][0]["review"]["decision"], "returned");
    let (status, error) = zhang
        .post(
            &format!("/api/office/households/{returned_household}/milestones"),
            json!({"moved_in_on": "2026-11-30"}),
        )
        .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error["field"], "moved_in_on");
    let (_, board) = zhang.get("/api/office/dashboard").await?;
    assert_eq!(board["total"]["accepted"], 2);
    let (_, queue) = zhang.get("/api/office/review").await?;
    assert_eq!(queue["submissions"].as_array().map(Vec::len), Some(5));

    // A conflicting copy of a submission is shown beside the stored one.
    let submission_id = pending[2]["submission_id"]
        .as_str()
        .ok_or("id")?
        .to_string();
    {
        let conn = anju_tests::fixtures::office_sql_writer(office_dir.path())?;
        let (household, answers, user): (String, String, String) = conn.query_row(
            "SELECT s.household_id, s.answers_json, u.id FROM submissions s, users u
             WHERE s.id = ?1 AND u.name = 'li'",
            [&submission_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        let mut answers: Value = serde_json::from_str(&answers)?;
        answers["funding_self_yuan"] = json!({"type": "number", "value": 99999.0});
        let body = json!({"kind": "submission", "body": {
            "id": submission_id, "household_id": household, "kind": "acceptance",
            "form_id": "anju.acceptance", "form_version": 1, "inspector": "li",
            "answers": answers, "clock": {"device_time": "2026-11-30T02:00:00Z",
            "trusted_time": null, "offset_ms": null}}});
        conn.execute(
            "INSERT INTO conflicts (record_kind, record_id, content_sha256, stored_sha256, body_json,
                 user_id, device_id, received_at)
             VALUES ('submission', ?1, 'x', 'y', ?2, ?3, 'device', '2026-12-01T00:00:00Z')",
            anju_sql::params![submission_id, body.to_string(), user],
        )?;
    }
    let (_, queue) = zhang.get("/api/office/review").await?;
    let conflict = &queue["conflicts"][0];
    let paths: Vec<&str> = conflict["differences"]
        .as_array()
        .ok_or("differences")?
        .iter()
        .filter_map(|d| d["path"].as_str())
        .collect();
    assert!(
        paths.contains(&"body.answers.funding_self_yuan.value"),
        "{paths:?}"
    );
    assert!(paths.contains(&"body.clock.device_time"), "{paths:?}");
    assert!(
        !paths.iter().any(|p| p.contains("area_measurement")),
        "{paths:?}"
    );
    let conflict_id = conflict["id"].as_i64().ok_or("conflict id")?;
    let (status, _) = zhang
        .post(
            &format!("/api/office/conflicts/{conflict_id}"),
            json!({"keep": "stored", "note": "以户主确认的为准"}),
        )
        .await?;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "which copy stands is the district's decision"
    );
    let (status, _) = admin
        .post(
            &format!("/api/office/conflicts/{conflict_id}"),
            json!({"keep": "stored", "note": ""}),
        )
        .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = admin
        .post(
            &format!("/api/office/conflicts/{conflict_id}"),
            json!({"keep": "stored", "note": "自筹资金以户主确认的为准"}),
        )
        .await?;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, queue) = zhang.get("/api/office/review").await?;
    assert_eq!(queue["conflicts"].as_array().map(Vec::len), Some(0));

    // Sampling: the same seed draws the same houses; a township user draws in their own.
    let draw = |seed: &str| json!({"township": null, "seed": seed, "rule": null, "note": "测试"});
    let (status, first_draw) = admin.post("/api/office/samples", draw("20261201")).await?;
    assert_eq!(status, StatusCode::OK, "{first_draw}");
    let (_, second_draw) = admin.post("/api/office/samples", draw("20261201")).await?;
    let drawn = |s: &Value| -> Vec<String> {
        s["sites"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|site| site["drawn"].as_array().cloned().unwrap_or_default())
            .filter_map(|h| h["number"].as_str().map(str::to_string))
            .collect()
    };
    assert!(!drawn(&first_draw).is_empty());
    assert_eq!(drawn(&first_draw), drawn(&second_draw));
    assert_eq!(first_draw["seed"], "20261201");
    assert!(first_draw["drawn_sites"].as_u64() >= Some(1));
    let (_, random) = admin.post("/api/office/samples", draw("")).await?;
    assert_ne!(random["seed"], "20261201");
    let (status, _) = admin.post("/api/office/samples", draw("-3")).await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = zhang.post("/api/office/samples", draw("1")).await?;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "spot checks are the district's"
    );
    let (_, history) = admin.get("/api/office/samples").await?;
    assert_eq!(history.as_array().map(Vec::len), Some(3));
    let (status, _) = zhang
        .get(&format!(
            "/api/office/samples/{}",
            first_draw["id"].as_str().unwrap_or("")
        ))
        .await?;
    assert_eq!(status, StatusCode::FORBIDDEN, "a county-wide sample");
    let (status, assigned) = admin
        .post(
            &format!(
                "/api/office/samples/{}/assign",
                first_draw["id"].as_str().unwrap_or("")
            ),
            json!({"inspector": "li"}),
        )
        .await?;
    assert_eq!(status, StatusCode::OK);
    assert!(assigned["changed"].as_u64().is_some());

    // Milestones: moving in needs an acceptance; the old house's steps come in order.
    let (_, pending_house) = zhang
        .get("/api/office/households?status=pending&limit=1")
        .await?;
    let pending_id = pending_house["rows"][0]["id"].as_str().ok_or("pending")?;
    let (status, error) = zhang
        .post(
            &format!("/api/office/households/{pending_id}/milestones"),
            json!({"moved_in_on": "2026-11-30"}),
        )
        .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        error["message"]
            .as_str()
            .unwrap_or_default()
            .contains("先验收")
    );
    let (status, moved) = zhang
        .post(
            &format!("/api/office/households/{first}/milestones"),
            json!({"moved_in_on": "2026-11-30"}),
        )
        .await?;
    assert_eq!(status, StatusCode::OK, "{moved}");
    assert_eq!(moved["row"]["status"], "moved_in");

    // Roster import: a preview names each bad row and imports nothing; a good file is
    // previewed, then imported.
    let id = |year: i32, seq: u16| {
        anju_core::id_number::compose(
            "341502",
            chrono::NaiveDate::from_ymd_opt(year, 3, 9).unwrap_or_default(),
            seq,
        )
        .map(|n| n.as_str().to_string())
        .unwrap_or_default()
    };
    let header = "乡镇,村,户主姓名,身份证号,家庭人口,联系电话,安置方式,安置类型,安置点";
    let bad = format!(
        "{header}\n马头镇,马头村,测试户甲,{},3,,分散安置,自建,\n马头镇,马头村,测试户乙,3415021980010112,4,,分散安置,自建,\n",
        id(1970, 901)
    );
    let (status, preview) = admin
        .upload(
            "/api/office/import/preview",
            bad.into_bytes(),
            "%E5%90%8D%E5%86%8C.csv",
        )
        .await?;
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert_eq!(preview["rows"], 2);
    assert_eq!(preview["valid_rows"], 1);
    assert_eq!(preview["errors"][0]["row"], 3);
    assert_eq!(preview["errors"][0]["column"], "身份证号");
    assert_eq!(preview["imported"], false);
    let (status, error) = admin
        .upload(
            "/api/office/import/preview",
            vec![b'a'; 21 * 1024 * 1024],
            "big.csv",
        )
        .await?;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(error["error"], "too_large");
    let good = format!(
        "{header}\n施桥镇,新安村,测试户甲,{},3,,分散安置,自建,\n马头镇,马头村,测试户丙,{},2,,分散,购买,\n",
        id(1970, 901),
        id(1981, 902)
    );
    // 施桥镇 is not a township of the office: refused with the name, until confirmed.
    let (_, preview) = admin
        .upload(
            "/api/office/import/preview",
            good.clone().into_bytes(),
            "roster.csv",
        )
        .await?;
    assert_eq!(preview["errors"][0]["row"], 2, "{preview}");
    assert_eq!(preview["errors"][0]["column"], "乡镇");
    assert!(
        preview["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .starts_with("未知乡镇“施桥镇”")
    );
    assert_eq!(preview["new_places"][0]["name"], "施桥镇");
    let (status, refused) = admin
        .upload(
            "/api/office/import",
            good.clone().into_bytes(),
            "roster.csv",
        )
        .await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(refused["imported"], false);
    let (_, preview) = admin
        .upload(
            "/api/office/import/preview?create_places=true",
            good.clone().into_bytes(),
            "roster.csv",
        )
        .await?;
    assert_eq!(preview["valid_rows"], 2);
    assert_eq!(preview["errors"].as_array().map(Vec::len), Some(0));
    assert_eq!(
        preview["new_places"].as_array().map(Vec::len),
        Some(2),
        "施桥镇 and 新安村"
    );
    let (_, board) = admin.get("/api/office/dashboard").await?;
    assert_eq!(
        board["total"]["households"], 121,
        "a preview writes nothing"
    );
    let (status, imported) = admin
        .upload(
            "/api/office/import?create_places=true",
            good.into_bytes(),
            "roster.csv",
        )
        .await?;
    assert_eq!(status, StatusCode::OK, "{imported}");
    assert_eq!(imported["imported"], true);
    let (_, board) = admin.get("/api/office/dashboard").await?;
    assert_eq!(board["total"]["households"], 123);
    assert_eq!(board["total"]["people"], 345);

    // Exports, read back.
    let (status, xlsx) = admin.bytes("/api/office/exports/townships.xlsx").await?;
    assert_eq!(status, StatusCode::OK);
    let table = rows_of(xlsx)?;
    let total = table
        .iter()
        .find(|r| r[0] == "合计")
        .ok_or("the total line")?;
    assert_eq!((total[1].as_str(), total[2].as_str()), ("123", "345"));
    let (_, xlsx) = zhang.bytes("/api/office/exports/households.xlsx").await?;
    let households = rows_of(xlsx)?;
    assert_eq!(
        households.len(),
        3 + 14,
        "title, blank, header and 14 households"
    );
    assert!(households[3..].iter().all(|r| r[3] == TOWNSHIP));
    let (_, xlsx) = admin
        .bytes("/api/office/exports/findings.xlsx?state=closed")
        .await?;
    let closed_rows = rows_of(xlsx)?;
    assert_eq!(closed_rows.len(), 5, "the drainage finding and 面积超标");
    assert!(closed_rows[3..].iter().all(|r| r[6] == "已销号"));

    // The printed form: HTML with the household, and a PDF.
    let (status, html) = zhang.bytes(&format!("/api/office/forms/{first}")).await?;
    assert_eq!(status, StatusCode::OK);
    let html = String::from_utf8(html)?;
    assert!(html.contains("易地扶贫搬迁安置房验收监督表") && html.contains("@page { size: A4"));
    assert!(html.contains(&seeded.accepted[0]));
    let (status, pdf) = zhang
        .bytes(&format!("/api/office/forms/{first}.pdf"))
        .await?;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&pdf));
    assert!(pdf.starts_with(b"%PDF"));

    office.stop().await?;
    Ok(())
}

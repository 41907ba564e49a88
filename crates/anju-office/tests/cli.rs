//! The `anju-office` binary driven as a user drives it: real processes, real files.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use anju_core::id_number::compose;
use chrono::NaiveDate;

const REPORT_HEADER: &str = "township,households,people,concentrated_households,\
concentrated_people,self_built_households,self_built_people,bought_households,bought_people,\
awaiting_review,accepted,failed,over_cap,moved_in,open_findings\n";

/// The source's table: 121 households and 340 people; concentrated 44/134, scattered
/// self-built 72/191, bought 5/15; nothing accepted yet.
const SOURCE_ROWS: &str = "\
椿树镇,7,24,2,7,5,17,0,0,0,0,0,0,0,0
马头镇,24,66,11,33,11,27,2,6,0,0,0,0,0,0
东桥镇,24,69,12,38,11,28,1,3,0,0,0,0,0,0
三十铺镇,10,29,3,9,7,20,0,0,0,0,0,0,0,0
横塘岗乡,25,63,10,28,14,32,1,3,0,0,0,0,0,0
张店镇,9,20,3,7,5,10,1,3,0,0,0,0,0,0
东河口镇,14,45,3,12,11,33,0,0,0,0,0,0,0,0
翁墩乡,6,20,0,0,6,20,0,0,0,0,0,0,0,0
木厂镇,2,4,0,0,2,4,0,0,0,0,0,0,0,0
合计,121,340,44,134,72,191,5,15,0,0,0,0,0,0
";

fn source_csv() -> String {
    format!("{REPORT_HEADER}{SOURCE_ROWS}")
}

fn office(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_anju-office"))
        .arg("--data")
        .arg(data)
        .args(args)
        .env_remove("ANJU_OFFICE_DATA")
        .output()
        .expect("the anju-office binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn ok(output: Output) -> String {
    assert!(
        output.status.success(),
        "failed: {}\n{}",
        stdout(&output),
        stderr(&output)
    );
    stdout(&output)
}

fn demo_office() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    ok(office(dir.path(), &["init", "--demo"]));
    dir
}

fn csv_report(data: &Path) -> String {
    ok(office(data, &["report", "townships", "--format", "csv"]))
}

fn id(day: i64, sequence: u16) -> String {
    let birth = NaiveDate::from_ymd_opt(1960, 1, 1).unwrap() + chrono::Duration::days(day);
    compose("341502", birth, sequence).unwrap().to_string()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

const HEADER: &str = "乡镇,村,户主姓名,身份证号,家庭人口,联系电话,安置方式,安置类型,安置点";

fn good_rows() -> String {
    format!(
        "{HEADER}\n\
         施桥镇,新安村,测试户甲,{},3,13800001111,分散安置,自建,\n\
         施桥镇,新安村,测试户乙,{},4,,集中安置,统规自建,新安村集中安置点\n\
         马头镇,马头村,测试户丙,{},2,0564-3300002,分散,购买,\n",
        id(10, 901),
        id(20, 902),
        id(30, 903)
    )
}

#[test]
fn the_demo_office_reproduces_the_source_table() {
    let dir = demo_office();
    assert_eq!(csv_report(dir.path()), source_csv());

    let table = ok(office(dir.path(), &["report", "townships"]));
    assert!(table.contains("东河口镇"), "{table}");
    let last = table.lines().last().unwrap();
    assert!(
        last.starts_with("合计") && last.contains("121") && last.contains("340"),
        "{last}"
    );

    assert!(
        table.lines().next().unwrap().contains("集中安置户"),
        "{table}"
    );

    let json: serde_json::Value = serde_json::from_str(&ok(office(
        dir.path(),
        &["report", "townships", "--format", "json"],
    )))
    .unwrap();
    assert_eq!(json["total"]["households"], 121);
    assert_eq!(json["total"]["people"], 340);
    assert_eq!(json["total"]["concentrated_households"], 44);
    assert_eq!(json["total"]["concentrated_people"], 134);
    assert_eq!(json["total"]["self_built_households"], 72);
    assert_eq!(json["total"]["self_built_people"], 191);
    assert_eq!(json["total"]["bought_households"], 5);
    assert_eq!(json["total"]["bought_people"], 15);
    assert_eq!(json["rows"].as_array().unwrap().len(), 9);
}

#[test]
fn demo_data_is_refused_on_top_of_existing_data() {
    let dir = demo_office();
    let again = office(dir.path(), &["init", "--demo"]);
    assert!(!again.status.success());
    assert!(
        stderr(&again).contains("already holds 121 households"),
        "{}",
        stderr(&again)
    );
    // A plain init on an existing database is harmless.
    ok(office(dir.path(), &["init"]));
    assert_eq!(csv_report(dir.path()), source_csv());
}

#[test]
fn reports_need_an_initialised_office() {
    let dir = tempfile::tempdir().unwrap();
    let output = office(&dir.path().join("nowhere"), &["report", "townships"]);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("anju-office init"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_good_utf8_roster_is_imported_and_reported_per_township() {
    let dir = demo_office();
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(good_rows().as_bytes());
    let file = write(dir.path(), "roster.csv", &bytes);
    // 施桥镇 is new to the office: refused until a person confirms it.
    let refused = office(dir.path(), &["import", file.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(1));
    let err = stderr(&refused);
    assert!(err.contains("row 2, 乡镇: 未知乡镇“施桥镇”"), "{err}");
    assert!(err.contains("--create-places"), "{err}");
    assert_eq!(csv_report(dir.path()), source_csv(), "nothing was imported");
    let out = ok(office(
        dir.path(),
        &["import", "--create-places", file.to_str().unwrap()],
    ));
    assert!(out.contains("施桥镇: 2 户 7 人"), "{out}");
    assert!(out.contains("新建乡镇 / new township: 施桥镇"), "{out}");
    assert!(
        out.contains("新建安置点 / new site: 施桥镇 新安村集中安置点"),
        "{out}"
    );
    assert!(out.contains("马头镇: 1 户 2 人"), "{out}");
    assert!(out.contains("合计 / total: 3 户 9 人"), "{out}");
    let report = csv_report(dir.path());
    assert!(report.contains("\n马头镇,25,68,"), "{report}");
    assert!(report.contains("\n施桥镇,2,7,"), "{report}");
    assert!(report.contains("\n合计,124,349,"), "{report}");

    // Importing the same file again: every row is a duplicate of the database.
    let again = office(
        dir.path(),
        &["import", "--create-places", file.to_str().unwrap()],
    );
    assert_eq!(again.status.code(), Some(1));
    let err = stderr(&again);
    for row in 2..=4 {
        assert!(
            err.contains(&format!("row {row}, 身份证号: 已在库中")),
            "{err}"
        );
    }
    assert_eq!(csv_report(dir.path()), report, "nothing changed");
}

#[test]
fn a_gbk_roster_from_chinese_excel_is_imported() {
    let dir = demo_office();
    let text = good_rows();
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(&text);
    assert!(!unmappable);
    let gbk = gbk.into_owned();
    assert!(std::str::from_utf8(&gbk).is_err(), "really not UTF-8");
    let file = write(dir.path(), "名单.csv", &gbk);
    let out = ok(office(
        dir.path(),
        &["import", "--create-places", file.to_str().unwrap()],
    ));
    assert!(out.contains("施桥镇: 2 户 7 人"), "{out}");
    assert!(csv_report(dir.path()).contains("\n合计,124,349,"));
}

#[test]
fn an_xlsx_roster_is_imported() {
    let dir = tempfile::tempdir().unwrap();
    ok(office(dir.path(), &["init"]));
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let rows: Vec<Vec<String>> = good_rows()
        .lines()
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            // People counts as numbers, the way Excel keeps them.
            if r > 0 && c == 4 {
                sheet
                    .write_number(r as u32, c as u16, cell.parse::<f64>().unwrap())
                    .unwrap();
            } else {
                sheet.write_string(r as u32, c as u16, cell).unwrap();
            }
        }
    }
    let file = dir.path().join("roster.xlsx");
    book.save(&file).unwrap();
    // An office without places: every one is new, and confirmed as such.
    let out = ok(office(
        dir.path(),
        &["import", "--create-places", file.to_str().unwrap()],
    ));
    assert!(out.contains("合计 / total: 3 户 9 人"), "{out}");
    assert_eq!(
        csv_report(dir.path()),
        format!(
            "{REPORT_HEADER}施桥镇,2,7,1,4,1,3,0,0,0,0,0,0,0,0\n\
             马头镇,1,2,0,0,0,0,1,2,0,0,0,0,0,0\n合计,3,9,1,4,1,3,1,2,0,0,0,0,0,0\n"
        )
    );
}

#[test]
fn a_misspelt_township_is_refused_and_does_not_change_the_totals() {
    let dir = demo_office();
    let text = format!(
        "{HEADER}\n\
         东河口,长岭村,测试户甲,{},3,,分散安置,自建,\n\
         东河口镇,长岭村,测试户乙,{},2,,分散安置,自建,\n",
        id(70, 907),
        id(80, 908)
    );
    let file = write(dir.path(), "typo.csv", text.as_bytes());
    for dry_run in [true, false] {
        let mut args = vec!["import"];
        if dry_run {
            args.push("--dry-run");
        }
        args.push(file.to_str().unwrap());
        let output = office(dir.path(), &args);
        assert_eq!(output.status.code(), Some(1));
        let err = stderr(&output);
        assert!(
            err.contains("row 2, 乡镇: 未知乡镇“东河口”，是否指“东河口镇”？"),
            "{err}"
        );
        assert!(!err.contains("row 3,"), "row 3 names a known place: {err}");
    }
    assert_eq!(csv_report(dir.path()), source_csv(), "no tenth township");
}

#[test]
fn a_roster_with_errors_is_refused_whole_with_every_bad_row_named() {
    let dir = demo_office();
    let bad_check_digit = {
        let good = id(40, 904);
        let last = if good.ends_with('1') { '2' } else { '1' };
        format!("{}{last}", &good[..17])
    };
    let text = format!(
        "{HEADER}\n\
         施桥镇,新安村,测试户甲,{},3,13800001111,分散安置,自建,\n\
         \n\
         施桥镇,新安村,测试户乙,{bad_check_digit},4,,分散安置,自建,\n\
         施桥镇,,测试户丙,{},0,123,分散安置,自建,\n\
         施桥镇,新安村,测试户丁,{},2,,集中安置,统规自建,\n\
         施桥镇,新安村,测试户戊,{},2,,分散安置,自建,\n",
        id(10, 901),
        id(50, 905),
        id(60, 906),
        id(10, 901),
    );
    let file = write(dir.path(), "bad.csv", text.as_bytes());
    let output = office(dir.path(), &["import", file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    // Row 3 is blank and skipped; the numbers stay those of the spreadsheet.
    for expected in [
        "row 4, 身份证号:",
        "row 5, 村:",
        "row 5, 家庭人口:",
        "row 5, 联系电话:",
        "row 6, 安置点:",
        "row 7, 身份证号:",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in:\n{err}");
    }
    assert!(err.contains("校验码"), "{err}");
    assert!(
        err.contains("第2行") || err.contains("row 2"),
        "duplicate names row 2: {err}"
    );
    assert!(!err.contains("row 2,"), "row 2 is good: {err}");
    assert!(!err.contains("row 3,"), "row 3 is blank: {err}");
    assert!(err.contains("nothing was imported"), "{err}");
    assert_eq!(csv_report(dir.path()), source_csv(), "nothing was imported");
}

#[test]
fn a_dry_run_writes_nothing() {
    let dir = demo_office();
    let file = write(dir.path(), "roster.csv", good_rows().as_bytes());
    let out = ok(office(
        dir.path(),
        &[
            "import",
            "--dry-run",
            "--create-places",
            file.to_str().unwrap(),
        ],
    ));
    assert!(out.contains("dry run"), "{out}");
    assert!(out.contains("新建乡镇 / new township: 施桥镇"), "{out}");
    assert!(out.contains("合计 / total: 3 户 9 人"), "{out}");
    assert_eq!(csv_report(dir.path()), source_csv());
}

#[test]
fn the_readme_example_roster_imports() {
    let dir = demo_office();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/roster-example.csv");
    let out = ok(office(
        dir.path(),
        &["import", "--create-places", example.to_str().unwrap()],
    ));
    assert!(out.contains("椿树镇: 2 户 7 人"), "{out}");
    assert!(out.contains("施桥镇: 2 户 7 人"), "{out}");
    assert!(
        out.contains("序号") && out.contains("备注"),
        "ignored columns are named: {out}"
    );
}

#[test]
fn files_that_are_not_rosters_get_a_clear_error() {
    let dir = demo_office();
    let pdf = write(
        dir.path(),
        "scan.pdf",
        b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n1 0 obj\n",
    );
    let output = office(dir.path(), &["import", pdf.to_str().unwrap()]);
    assert!(!output.status.success());
    assert!(stderr(&output).contains("scan.pdf"), "{}", stderr(&output));
    let missing = office(dir.path(), &["import", "/no/such/file.csv"]);
    assert!(!missing.status.success());
    assert!(
        stderr(&missing).contains("/no/such/file.csv"),
        "{}",
        stderr(&missing)
    );
    assert_eq!(csv_report(dir.path()), source_csv());
}

#[test]
fn the_policy_is_shown_set_and_refused_with_its_line() {
    let dir = demo_office();
    let shown = ok(office(dir.path(), &["policy", "show"]));
    let current: serde_json::Value = serde_json::from_str(&shown).unwrap();
    assert_eq!(current["version"], 2, "the demo's founding policy");
    assert_eq!(current["policy"]["province"], "安徽省");
    assert_eq!(current["policy"]["sampling"]["min_site_households"], 3);

    // What `show` prints is a policy file: set it again with a cap for 1–2 person households.
    let mut file: serde_json::Value = current.clone();
    file["effective_from"] = serde_json::Value::Null;
    file["policy"]["area_caps"]["rules"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({
            "name": "安徽省1–2人户总面积不超过50平方米", "province": "安徽省",
            "household_size": {"min": 1, "max": 2}, "cap": {"kind": "total", "m2": "50"}
        }));
    let path = write(
        dir.path(),
        "policy.json",
        serde_json::to_string_pretty(&file).unwrap().as_bytes(),
    );
    let out = ok(office(
        dir.path(),
        &[
            "policy",
            "set",
            path.to_str().unwrap(),
            "--by",
            "金安区扶贫办",
        ],
    ));
    assert!(out.contains("policy version 3 set"), "{out}");
    let all = ok(office(dir.path(), &["policy", "show", "--all"]));
    assert_eq!(all.lines().count(), 3, "{all}");
    assert!(
        all.lines().last().unwrap().contains("金安区扶贫办"),
        "{all}"
    );
    assert!(all.lines().last().unwrap().contains("in force"), "{all}");
    let v3: serde_json::Value =
        serde_json::from_str(&ok(office(dir.path(), &["policy", "show"]))).unwrap();
    assert_eq!(v3["version"], 3);

    // A typo is refused with its line, and nothing changes.
    let text = serde_json::to_string_pretty(&file)
        .unwrap()
        .replace("\"rectification_days\"", "\"rectification_dayz\"");
    let line = text
        .lines()
        .position(|l| l.contains("rectification_dayz"))
        .unwrap()
        + 1;
    let bad = write(dir.path(), "bad.json", text.as_bytes());
    let refused = office(dir.path(), &["policy", "set", bad.to_str().unwrap()]);
    assert!(!refused.status.success());
    let err = stderr(&refused);
    assert!(err.contains(&format!("line {line}")), "{err}");
    assert!(err.contains("rectification_dayz"), "{err}");
    let retroactive = write(
        dir.path(),
        "old.json",
        text.replace("rectification_dayz", "rectification_days")
            .replace(
                "\"effective_from\": null",
                "\"effective_from\": \"2020-01-01\"",
            )
            .as_bytes(),
    );
    let refused = office(
        dir.path(),
        &["policy", "set", retroactive.to_str().unwrap()],
    );
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("does not reach back"),
        "{}",
        stderr(&refused)
    );
    let all = ok(office(dir.path(), &["policy", "show", "--all"]));
    assert_eq!(all.lines().count(), 3, "{all}");
}

#[test]
fn damaged_rows_are_listed_and_set_aside_without_editing_them() {
    let dir = demo_office();
    ok(office(dir.path(), &["damaged", "list"]));
    let household: String = {
        let conn = rusqlite::Connection::open(dir.path().join("anju-office.sqlite3")).unwrap();
        let id: String = conn
            .query_row(
                "SELECT id FROM households ORDER BY number LIMIT 1",
                [],
                |r| r.get(0),
            )
            .unwrap();
        conn.execute(
            "UPDATE households SET members_json = '{broken' WHERE id = ?1",
            [&id],
        )
        .unwrap();
        id
    };
    let listed = ok(office(dir.path(), &["damaged", "list"]));
    assert!(
        listed.contains(&format!("household\t{household}\t")),
        "{listed}"
    );
    let out = ok(office(dir.path(), &["damaged", "quarantine"]));
    assert!(out.contains("set aside 1 record(s)"), "{out}");
    let listed = ok(office(dir.path(), &["damaged", "list"]));
    assert!(listed.contains("set aside"), "{listed}");
    let again = ok(office(dir.path(), &["damaged", "quarantine"]));
    assert!(again.contains("set aside 0 record(s)"), "{again}");
    let named = office(
        dir.path(),
        &[
            "damaged",
            "quarantine",
            "submission",
            "no-such-id",
            "--reason",
            "x",
        ],
    );
    assert!(!named.status.success());
    assert!(stderr(&named).contains("no-such-id"), "{}", stderr(&named));
}

fn office_with_stdin(data: &Path, args: &[&str], stdin: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_anju-office"))
        .arg("--data")
        .arg(data)
        .args(args)
        .env_remove("ANJU_OFFICE_DATA")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn users_and_assignments_from_the_command_line() {
    let dir = demo_office();
    let users = ok(office(dir.path(), &["user", "list"]));
    assert!(users.contains("li\tinspector\treform\t-"), "{users}");
    assert!(users.contains("zhang\ttownship\t-\t东河口镇"), "{users}");

    let added = office_with_stdin(
        dir.path(),
        &[
            "user",
            "add",
            "wang",
            "--role",
            "inspector",
            "--department",
            "housing",
        ],
        "a-long-password\n",
    );
    assert!(added.status.success(), "{}", stderr(&added));
    let weak = office_with_stdin(
        dir.path(),
        &["user", "add", "zhao", "--role", "admin"],
        "short\n",
    );
    assert!(!weak.status.success());
    assert!(stderr(&weak).contains("too short"), "{}", stderr(&weak));
    let no_township = office_with_stdin(
        dir.path(),
        &["user", "add", "sun", "--role", "township"],
        "a-long-password\n",
    );
    assert!(
        stderr(&no_township).contains("--township"),
        "{}",
        stderr(&no_township)
    );

    let out = ok(office(
        dir.path(),
        &["assign", "wang", "--township", "马头镇"],
    ));
    assert!(out.contains("assigned 24 household(s)"), "{out}");
    let out = ok(office(
        dir.path(),
        &["assign", "wang", "--site", "黄墩中心村集中安置点"],
    ));
    assert!(out.contains("assigned 4 household(s)"), "{out}");
    let out = ok(office(
        dir.path(),
        &["unassign", "wang", "--site", "黄墩中心村集中安置点"],
    ));
    assert!(out.contains("took 4 household(s)"), "{out}");
    let wrong = office(dir.path(), &["assign", "zhang", "--township", "马头镇"]);
    assert!(
        stderr(&wrong).contains("not an inspector"),
        "{}",
        stderr(&wrong)
    );
    let unknown = office(
        dir.path(),
        &["assign", "wang", "--household", "110105194912310021"],
    );
    assert!(!unknown.status.success());
    assert!(
        stderr(&unknown).contains("110105194912310021"),
        "{}",
        stderr(&unknown)
    );
    let none = office(dir.path(), &["assign", "wang"]);
    assert!(!none.status.success());

    let out = ok(office(dir.path(), &["user", "revoke", "li"]));
    assert!(out.contains("revoked 0 device sign-in(s) of li"), "{out}");
    let nobody = office(dir.path(), &["user", "revoke", "nobody"]);
    assert!(
        stderr(&nobody).contains("no user 'nobody'"),
        "{}",
        stderr(&nobody)
    );
}

#[test]
fn serve_starts_answers_and_stops_gracefully() {
    use std::io::{BufRead, BufReader};
    let dir = demo_office();
    let mut child = Command::new(env!("CARGO_BIN_EXE_anju-office"))
        .arg("--data")
        .arg(dir.path())
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let address = first
        .trim()
        .strip_prefix("listening on http://")
        .unwrap()
        .to_string();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let health: serde_json::Value = runtime.block_on(async {
        reqwest::get(format!("http://{address}/api/v1/health"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    });
    assert_eq!(health["status"], "ok");
    // SIGTERM: a graceful stop with exit status 0.
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    assert!(child.wait().unwrap().success());

    let uninitialised = tempfile::tempdir().unwrap();
    let refused = office(uninitialised.path(), &["serve", "--listen", "127.0.0.1:0"]);
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("anju-office init"),
        "{}",
        stderr(&refused)
    );
}

#[test]
fn users_have_real_names_on_records() {
    let dir = demo_office();
    let users = ok(office(dir.path(), &["user", "list"]));
    assert!(
        users.contains("li\tinspector\treform\t-\t李晓峰（区发改委）\t科员"),
        "{users}"
    );
    let added = office_with_stdin(
        dir.path(),
        &[
            "user",
            "add",
            "zhou",
            "--role",
            "inspector",
            "--department",
            "land",
            "--full-name",
            "周某某",
            "--organisation",
            "区自然资源局",
            "--title",
            "科员",
        ],
        "a-long-password\n",
    );
    assert!(added.status.success(), "{}", stderr(&added));
    // A user added without a name shows their login, marked, until one is set.
    let bare = office_with_stdin(
        dir.path(),
        &["user", "add", "qian", "--role", "admin"],
        "a-long-password\n",
    );
    assert!(bare.status.success(), "{}", stderr(&bare));
    let users = ok(office(dir.path(), &["user", "list"]));
    assert!(users.contains("周某某（区自然资源局）\t科员"), "{users}");
    assert!(users.contains("qian（未填姓名）"), "{users}");
    let out = ok(office(
        dir.path(),
        &[
            "user",
            "update",
            "qian",
            "--full-name",
            "钱某某",
            "--organisation",
            "区易地扶贫搬迁办公室",
        ],
    ));
    assert!(out.contains("钱某某（区易地扶贫搬迁办公室）"), "{out}");
    let missing = office(dir.path(), &["user", "update", "nobody", "--title", "x"]);
    assert!(!missing.status.success());
    assert!(
        stderr(&missing).contains("no user 'nobody'"),
        "{}",
        stderr(&missing)
    );
}

#[test]
fn a_reader_that_stops_early_ends_the_command_quietly() {
    // `anju-office report | head -1`: the reader goes away before the report is written.
    let dir = demo_office();
    let mut child = Command::new(env!("CARGO_BIN_EXE_anju-office"))
        .arg("--data")
        .arg(dir.path())
        .args(["report", "townships", "--format", "csv"])
        .env_remove("ANJU_OFFICE_DATA")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the anju-office binary runs");
    drop(child.stdout.take());
    let output = child.wait_with_output().expect("it ends");
    let said = stderr(&output);
    assert!(!said.contains("panicked"), "{said}");
    assert!(
        output.status.success(),
        "a closed pipe is not a failure: {:?} {said}",
        output.status
    );
}

//! The `anju-office` binary driven as a user drives it: real processes, real files.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use anju_core::id_number::compose;
use chrono::NaiveDate;

const SOURCE_CSV: &str = "\
township,households,people,accepted,moved_in,open_findings
椿树镇,7,24,0,0,0
马头镇,24,66,0,0,0
东桥镇,24,69,0,0,0
三十铺镇,10,29,0,0,0
横塘岗乡,25,63,0,0,0
张店镇,9,20,0,0,0
东河口镇,14,45,0,0,0
翁墩乡,6,20,0,0,0
木厂镇,2,4,0,0,0
合计,121,340,0,0,0
";

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
    assert_eq!(csv_report(dir.path()), SOURCE_CSV);

    let table = ok(office(dir.path(), &["report", "townships"]));
    assert!(table.contains("东河口镇"), "{table}");
    let last = table.lines().last().unwrap();
    assert!(
        last.starts_with("合计") && last.contains("121") && last.contains("340"),
        "{last}"
    );

    let json: serde_json::Value = serde_json::from_str(&ok(office(
        dir.path(),
        &["report", "townships", "--format", "json"],
    )))
    .unwrap();
    assert_eq!(json["total"]["households"], 121);
    assert_eq!(json["total"]["people"], 340);
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
    assert_eq!(csv_report(dir.path()), SOURCE_CSV);
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
    let out = ok(office(dir.path(), &["import", file.to_str().unwrap()]));
    assert!(out.contains("施桥镇: 2 户 7 人"), "{out}");
    assert!(out.contains("马头镇: 1 户 2 人"), "{out}");
    assert!(out.contains("合计 / total: 3 户 9 人"), "{out}");
    let report = csv_report(dir.path());
    assert!(report.contains("\n马头镇,25,68,"), "{report}");
    assert!(report.contains("\n施桥镇,2,7,"), "{report}");
    assert!(report.ends_with("合计,124,349,0,0,0\n"), "{report}");

    // Importing the same file again: every row is a duplicate of the database.
    let again = office(dir.path(), &["import", file.to_str().unwrap()]);
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
    let out = ok(office(dir.path(), &["import", file.to_str().unwrap()]));
    assert!(out.contains("施桥镇: 2 户 7 人"), "{out}");
    assert!(csv_report(dir.path()).ends_with("合计,124,349,0,0,0\n"));
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
    let out = ok(office(dir.path(), &["import", file.to_str().unwrap()]));
    assert!(out.contains("合计 / total: 3 户 9 人"), "{out}");
    assert_eq!(
        csv_report(dir.path()),
        "township,households,people,accepted,moved_in,open_findings\n\
         施桥镇,2,7,0,0,0\n马头镇,1,2,0,0,0\n合计,3,9,0,0,0\n"
    );
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
    assert_eq!(csv_report(dir.path()), SOURCE_CSV, "nothing was imported");
}

#[test]
fn a_dry_run_writes_nothing() {
    let dir = demo_office();
    let file = write(dir.path(), "roster.csv", good_rows().as_bytes());
    let out = ok(office(
        dir.path(),
        &["import", "--dry-run", file.to_str().unwrap()],
    ));
    assert!(out.contains("dry run"), "{out}");
    assert!(out.contains("合计 / total: 3 户 9 人"), "{out}");
    assert_eq!(csv_report(dir.path()), SOURCE_CSV);
}

#[test]
fn the_readme_example_roster_imports() {
    let dir = demo_office();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/roster-example.csv");
    let out = ok(office(dir.path(), &["import", example.to_str().unwrap()]));
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
    assert_eq!(csv_report(dir.path()), SOURCE_CSV);
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

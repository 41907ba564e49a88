//! Roster files in every shape a county office produces them, generated here rather
//! than committed as binaries: CSV in UTF-8 with a BOM, in GBK, Excel's UTF-16 "Unicode
//! text", and XLSX workbooks (with a title row, numbers, a sheet starting further down).

// The helpers outside #[test] functions build fixtures and may panic like the tests.
#![allow(clippy::unwrap_used)]

use anju_core::id_number::compose;
use anju_core::model::{PlacementKind, PlacementMode};
use anju_core::roster::{ID_STORED_AS_NUMBER, RosterTable, ValidRoster, validate};
use anju_office::roster_file::{FileKind, RosterFileError, read_roster, read_roster_bytes};
use chrono::NaiveDate;
use rust_xlsxwriter::{Format, Workbook, Worksheet};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2017, 9, 4).unwrap()
}

fn id(sequence: u16) -> String {
    let birth = NaiveDate::from_ymd_opt(1960, 1, 1).unwrap()
        + chrono::Duration::days(i64::from(sequence) * 97);
    compose("341502", birth, sequence).unwrap().to_string()
}

/// An ID number whose check character is X, to see it survive every format.
fn id_with_x() -> String {
    (100..1000).map(id).find(|i| i.ends_with('X')).unwrap()
}

const TITLE: &str = "金安区2017年易地扶贫搬迁户花名册";
const HEADERS: [&str; 11] = [
    "序号",
    "乡镇",
    "村",
    "户主姓名",
    "身份证号码",
    "家庭人口",
    "联系电话",
    "安置方式",
    "安置类型",
    "安置点",
    "备注",
];

/// The households of the sample roster, with `None` for the blank row between them.
fn households() -> Vec<Option<[String; 11]>> {
    let row = |cells: [&str; 11]| Some(cells.map(str::to_string));
    let (id1, id2, id3, id4, id5) = (id(1), id(2), id(3), id(4), id_with_x());
    vec![
        row([
            "1",
            "横塘岗乡",
            "黄墩村",
            "王大山",
            &id1,
            "4",
            "13805641234",
            "集中安置",
            "统规自建",
            "黄墩中心村",
            "养殖, 种植",
        ]),
        row([
            "2",
            "横塘岗乡",
            "黄墩村",
            "王小河",
            &id2,
            "3",
            "",
            "集中安置",
            "",
            "黄墩中心村",
            "",
        ]),
        None,
        row([
            "3",
            "东河口镇",
            "长岭村",
            "郑怀圣",
            &id3,
            "4",
            "0564-1234567",
            "分散安置",
            "自建",
            "/",
            "新房在村主干道旁",
        ]),
        row([
            "4",
            "东河口镇",
            "雪峰岭村",
            "高灿军",
            &id4,
            "2",
            "",
            "分散安置",
            "购买",
            "无",
            "",
        ]),
        row([
            "5",
            "木厂镇",
            "桃园村",
            "李秀英",
            &id5,
            "1",
            "139 0564 0000",
            "分散",
            "",
            "",
            "",
        ]),
    ]
}

/// The sample as delimited text, quoting fields that need it.
fn sample_text(delimiter: char, line_end: &str) -> String {
    let quote = |field: &str| {
        if field.contains(delimiter) || field.contains('"') {
            format!("\"{}\"", field.replace('"', "\"\""))
        } else {
            field.to_string()
        }
    };
    let mut lines = vec![TITLE.to_string(), HEADERS.join(&delimiter.to_string())];
    for household in households() {
        lines.push(match household {
            Some(cells) => cells
                .iter()
                .map(|c| quote(c))
                .collect::<Vec<_>>()
                .join(&delimiter.to_string()),
            None => String::new(),
        });
    }
    lines.join(line_end) + line_end
}

/// The sample as an XLSX workbook: a merged title, numbers for 序号 and 家庭人口, and the
/// ID numbers as text (or as numbers, the way a careless export stores them).
fn sample_xlsx(ids_as_numbers: bool) -> Vec<u8> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet
        .merge_range(0, 0, 0, 10, TITLE, &Format::new())
        .unwrap();
    write_row(
        sheet,
        1,
        &HEADERS.map(str::to_string),
        ids_as_numbers,
        false,
    );
    for (index, household) in households().into_iter().enumerate() {
        if let Some(cells) = household {
            write_row(sheet, 2 + index as u32, &cells, ids_as_numbers, true);
        }
    }
    workbook.save_to_buffer().unwrap()
}

fn write_row(sheet: &mut Worksheet, row: u32, cells: &[String], ids_as_numbers: bool, data: bool) {
    for (col, text) in cells.iter().enumerate() {
        let col = col as u16;
        let numeric = data && (col == 0 || col == 5 || (col == 4 && ids_as_numbers));
        if text.is_empty() {
            continue;
        } else if numeric {
            let number: f64 = text.trim_end_matches('X').parse().unwrap();
            sheet.write_number(row, col, number).unwrap();
        } else {
            sheet.write_string(row, col, text).unwrap();
        }
    }
}

/// What every format must decode to: the header row and each row's texts.
/// The header row, the headers, and each row's number and texts.
type Content = (usize, Vec<String>, Vec<(usize, Vec<String>)>);

fn content(table: &RosterTable) -> Content {
    (
        table.header_row,
        table.headers.clone(),
        table
            .rows
            .iter()
            .map(|r| {
                let mut texts: Vec<String> = r.cells.iter().map(|c| c.text.clone()).collect();
                while texts.last().is_some_and(String::is_empty) {
                    texts.pop();
                }
                (r.row, texts)
            })
            .collect(),
    )
}

fn check_sample(table: &RosterTable) -> ValidRoster {
    let valid = validate(table, today()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        valid.ignored_columns,
        vec!["序号".to_string(), "备注".to_string()]
    );
    let rows: Vec<usize> = valid.rows.iter().map(|r| r.row).collect();
    // Title on row 1, header on row 2, a blank row 5.
    assert_eq!(rows, vec![3, 4, 6, 7, 8]);
    assert_eq!(valid.rows[0].phone.as_deref(), Some("13805641234"));
    assert_eq!(valid.rows[1].kind, PlacementKind::UnifiedSelfBuilt);
    assert_eq!(valid.rows[2].phone.as_deref(), Some("0564-1234567"));
    assert_eq!(valid.rows[3].kind, PlacementKind::Bought);
    assert_eq!(valid.rows[3].site, None);
    assert_eq!(valid.rows[4].mode, PlacementMode::Scattered);
    assert_eq!(valid.rows[4].kind, PlacementKind::SelfBuilt);
    assert_eq!(valid.rows[4].id_number.as_str(), id_with_x());
    assert_eq!(valid.rows[4].size, 1);
    valid
}

#[test]
fn every_format_decodes_to_the_same_roster() {
    let utf8_bom = [
        b"\xef\xbb\xbf".as_slice(),
        sample_text(',', "\r\n").as_bytes(),
    ]
    .concat();
    let crlf = sample_text(',', "\r\n");
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(&crlf);
    assert!(!unmappable);
    let mut utf16 = vec![0xff, 0xfe];
    for unit in sample_text('\t', "\r\n").encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    let plain_utf8 = sample_text(',', "\n").into_bytes();
    let semicolons = sample_text(';', "\n").into_bytes();

    let reference = read_roster_bytes(&utf8_bom, "花名册.csv").unwrap();
    let expected = check_sample(&reference);
    assert_eq!(reference.header_row, 2);
    assert_eq!(reference.rows[0].cells[10].text, "养殖, 种植");

    let others: [(&str, Vec<u8>); 6] = [
        ("gbk.csv", gbk.into_owned()),
        ("unicode.txt", utf16),
        ("plain.csv", plain_utf8),
        ("semicolons.csv", semicolons),
        ("roster.xlsx", sample_xlsx(false)),
        // The name lies; the content decides.
        ("roster.csv", sample_xlsx(false)),
    ];
    for (name, bytes) in others {
        let table = read_roster_bytes(&bytes, name).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(content(&table), content(&reference), "{name}");
        assert_eq!(check_sample(&table), expected, "{name}");
    }
}

#[test]
fn xlsx_numbers_are_marked_and_lose_their_point_zero() {
    let table = read_roster_bytes(&sample_xlsx(false), "roster.xlsx").unwrap();
    let first = &table.rows[0].cells;
    assert_eq!((first[0].text.as_str(), first[0].was_number), ("1", true));
    assert_eq!((first[5].text.as_str(), first[5].was_number), ("4", true));
    assert_eq!(
        (first[4].text.as_str(), first[4].was_number),
        (id(1).as_str(), false)
    );
}

#[test]
fn an_id_column_stored_as_numbers_is_named_on_every_row() {
    let table = read_roster_bytes(&sample_xlsx(true), "roster.xlsx").unwrap();
    assert!(table.rows[0].cells[4].was_number);
    let errors = validate(&table, today()).unwrap_err();
    let lines: Vec<String> = errors.errors.iter().map(|e| e.to_string()).collect();
    let expected: Vec<String> = [3, 4, 6, 7, 8]
        .iter()
        .map(|row| format!("row {row}, 身份证号码: {ID_STORED_AS_NUMBER}"))
        .collect();
    assert_eq!(lines, expected);
}

#[test]
fn xlsx_rows_are_absolute_and_the_first_sheet_with_a_header_is_used() {
    let mut workbook = Workbook::new();
    let notes = workbook.add_worksheet();
    notes.set_name("说明").unwrap();
    notes.write_string(0, 0, "请按模板填写").unwrap();
    let sheet = workbook.add_worksheet();
    sheet.set_name("花名册").unwrap();
    // Nothing in rows 1–2 or column A: the data starts at C3.
    let headers = ["乡镇", "村", "户主姓名", "身份证号", "家庭人口", "安置方式"];
    for (col, header) in headers.iter().enumerate() {
        sheet.write_string(2, 2 + col as u16, *header).unwrap();
    }
    let cells = ["东河口镇", "长岭村", "郑怀圣", &id(3), "4", "分散安置"];
    for (col, text) in cells.iter().enumerate() {
        sheet.write_string(5, 2 + col as u16, *text).unwrap();
    }
    sheet.write_number(6, 6, 4.0).unwrap();
    sheet.write_string(6, 2, "东河口镇").unwrap();
    let bytes = workbook.save_to_buffer().unwrap();

    let table = read_roster_bytes(&bytes, "roster.xlsx").unwrap();
    assert_eq!(table.header_row, 3);
    assert_eq!(table.headers, headers.map(str::to_string).to_vec());
    let rows: Vec<usize> = table.rows.iter().map(|r| r.row).collect();
    assert_eq!(rows, vec![6, 7]);
    let errors = validate(&table, today()).unwrap_err().to_string();
    assert_eq!(
        errors,
        [
            "row 7, 村: 必填 / required",
            "row 7, 户主姓名: 必填 / required",
            "row 7, 身份证号: 必填 / required",
            "row 7, 安置方式: 必填 / required",
        ]
        .join("\n")
    );
}

#[test]
fn a_csv_with_bad_rows_reports_every_cell_with_its_row() {
    let (id3, id4, id5) = (id(3), id(4), id(5));
    let text = format!(
        "乡镇,村,户主姓名,身份证号码,人口数,联系电话,安置方式,安置类型,安置点\n\
         东河口镇,长岭村,郑怀圣,{id3},4,13805641234,分散安置,自建,/\n\
         \n\
         东河口镇,长岭村,张3,{id3},4人,,分散,,\n\
         ,,,,,,,,\n\
         横塘岗乡,黄墩村,王五,34150219700101001,25,1380564,集中安置,自建,\n\
         横塘岗乡,,王六,{id4},3,,搬迁,,\n\
         \n\
         木厂镇,桃园村,赵七,{id5},2,05641234567,分散安置,统规统建,黄墩中心村\n"
    );
    let table = read_roster_bytes(text.as_bytes(), "bad.csv").unwrap();
    let errors = validate(&table, today()).unwrap_err();
    let lines: Vec<String> = errors.errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(
        lines,
        vec![
            "row 4, 户主姓名: 户主姓名“张3”含有数字 / the name '张3' contains digits".to_string(),
            "row 4, 身份证号码: 与第2行重复 / duplicate of row 2".to_string(),
            "row 6, 身份证号码: 身份证号应为18位，实为17位 / the ID number must have 18 characters, this one has 17".to_string(),
            "row 6, 人口数: 家庭人口应在1到20之间，实为25 / the household size must be from 1 to 20, it is 25".to_string(),
            "row 6, 联系电话: 手机号应为11位，实为7位 / a mobile number has 11 digits, this one has 7".to_string(),
            "row 6, 安置类型: 安置类型“自建”与集中安置不符：集中安置可为购买、统规自建、统规统建 / placement kind 自建 does not go with 集中安置, which allows 购买, 统规自建, 统规统建".to_string(),
            "row 6, 安置点: 集中安置须填写安置点 / a concentrated household needs its site".to_string(),
            "row 7, 村: 必填 / required".to_string(),
            "row 7, 安置方式: 安置方式“搬迁”无法识别：应为集中安置或分散安置 / unknown placement mode '搬迁': expected 集中安置 (concentrated) or 分散安置 (scattered)".to_string(),
            "row 9, 安置类型: 安置类型“统规统建”与分散安置不符：分散安置可为自建、购买 / placement kind 统规统建 does not go with 分散安置, which allows 自建, 购买".to_string(),
            "row 9, 安置点: 分散安置不应有安置点（应为空、“/”或“无”），实为“黄墩中心村” / a scattered household has no site (leave it empty, '/' or '无'), found '黄墩中心村'".to_string(),
        ]
    );
}

#[test]
fn a_missing_column_is_named_at_the_header_row() {
    let text = format!(
        "说明：请勿修改表头\n乡镇,村,户主姓名,人口,安置方式\n东河口镇,长岭村,郑怀圣,4,分散\n{}",
        ""
    );
    let table = read_roster_bytes(text.as_bytes(), "a.csv").unwrap();
    assert_eq!(
        validate(&table, today()).unwrap_err().to_string(),
        "row 2, 身份证号: 缺少此列 / column missing"
    );
}

#[test]
fn a_quoted_field_over_two_lines_numbers_rows_by_their_first_line() {
    let text = format!(
        "乡镇,村,户主姓名,身份证号,家庭人口,安置方式,备注\n\
         东河口镇,长岭村,郑怀圣,{},4,分散,\"新房在\n村主干道旁\"\n\
         东河口镇,雪峰岭村,高灿军,{},2,分散,\n",
        id(3),
        id(4)
    );
    let table = read_roster_bytes(text.as_bytes(), "a.csv").unwrap();
    let rows: Vec<usize> = table.rows.iter().map(|r| r.row).collect();
    assert_eq!(rows, vec![2, 4]);
    assert_eq!(table.rows[0].cells[6].text, "新房在\n村主干道旁");
}

#[test]
fn extra_empty_cells_and_excel_text_formulas_are_harmless() {
    let text = format!(
        "乡镇,村,户主姓名,身份证号,家庭人口,安置方式\n东河口镇,长岭村,郑怀圣,=\"{}\",4,分散,,,\n",
        id(3)
    );
    let table = read_roster_bytes(text.as_bytes(), "a.csv").unwrap();
    assert_eq!(table.rows[0].cells.len(), 6);
    let valid = validate(&table, today()).unwrap();
    assert_eq!(valid.ignored_columns, Vec::<String>::new());
    assert_eq!(valid.rows[0].id_number.as_str(), id(3));
}

#[test]
fn utf16_without_a_bom_is_recognised() {
    let text = format!(
        "乡镇\t村\t户主姓名\t身份证号\t家庭人口\t安置方式\r\n东河口镇\t长岭村\t郑怀圣\t{}\t4\t分散\r\n",
        id(3)
    );
    let bytes: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let table = read_roster_bytes(&bytes, "a.txt").unwrap();
    assert_eq!(validate(&table, today()).unwrap().rows.len(), 1);
}

#[test]
fn undecodable_text_names_its_line() {
    let mut bytes = b"township,village,name,id,size,mode\r\nA,B,C,D,1,x\r\n".to_vec();
    bytes.extend_from_slice(b"A,B,\xff\xff,D,1,x\r\n");
    let error = read_roster_bytes(&bytes, "broken.csv").unwrap_err();
    assert!(
        matches!(
            error,
            RosterFileError::Encoding {
                line: 3,
                encoding: "GBK",
                ..
            }
        ),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(
        message.contains("第3行") && message.contains("line 3 of 'broken.csv'"),
        "{message}"
    );

    let mut bytes = vec![0xff, 0xfe];
    bytes.extend_from_slice(&[0x61, 0x00, 0x0a, 0x00, 0x00, 0xdc]);
    let error = read_roster_bytes(&bytes, "u16.txt").unwrap_err();
    assert!(
        matches!(
            error,
            RosterFileError::Encoding {
                line: 2,
                encoding: "UTF-16LE",
                ..
            }
        ),
        "{error:?}"
    );
}

#[test]
fn files_that_are_not_rosters_are_refused_by_name() {
    let refused = |bytes: &[u8]| match read_roster_bytes(bytes, "upload.xlsx") {
        Err(RosterFileError::NotARoster { file, found }) => {
            assert_eq!(file, "upload.xlsx");
            found
        }
        other => panic!("{other:?}"),
    };
    assert_eq!(
        refused(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"),
        FileKind::Pdf
    );
    assert_eq!(
        refused(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
        FileKind::Image
    );
    assert_eq!(refused(b"\xff\xd8\xff\xe0\x00\x10JFIF"), FileKind::Image);
    assert_eq!(
        refused(b"PK\x03\x04\x14\x00\x06\x00word/document.xml"),
        FileKind::OfficeDocument
    );
    assert_eq!(
        refused(b"PK\x03\x04\x14\x00\x00\x00data.txt"),
        FileKind::Archive
    );
    assert_eq!(refused(b"\x00\x01\x02\x03\x04"), FileKind::Binary);
    let message = read_roster_bytes(b"%PDF-1.7", "scan.pdf")
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("“scan.pdf”")
            && message.contains("'scan.pdf' is not a roster table (it looks like a PDF)"),
        "{message}"
    );
}

#[test]
fn a_broken_workbook_is_a_spreadsheet_error() {
    let mut bytes = vec![0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
    bytes.extend_from_slice(&[0; 504]);
    let error = read_roster_bytes(&bytes, "old.xls").unwrap_err();
    assert!(
        matches!(&error, RosterFileError::Spreadsheet { file, .. } if file == "old.xls"),
        "{error:?}"
    );
    let mut bytes = sample_xlsx(false);
    bytes.truncate(bytes.len() / 2);
    let error = read_roster_bytes(&bytes, "cut.xlsx").unwrap_err();
    assert!(
        matches!(&error, RosterFileError::Spreadsheet { file, .. } if file == "cut.xlsx"),
        "{error:?}"
    );
}

#[test]
fn empty_files_and_headerless_files() {
    for bytes in [b"".as_slice(), b"\xef\xbb\xbf", b" \r\n\r\n", b",,,\n,,\n"] {
        let error = read_roster_bytes(bytes, "empty.csv").unwrap_err();
        assert!(
            matches!(error, RosterFileError::EmptyFile { .. }),
            "{bytes:?}: {error:?}"
        );
    }
    let header_only =
        read_roster_bytes("乡镇,村,户主姓名,身份证号\n\n".as_bytes(), "h.csv").unwrap_err();
    assert!(
        matches!(header_only, RosterFileError::EmptyFile { .. }),
        "{header_only:?}"
    );

    let error = read_roster_bytes("姓名,年龄\n张三,40\n".as_bytes(), "people.csv").unwrap_err();
    assert!(matches!(error, RosterFileError::NoHeader { .. }));
    let message = error.to_string();
    assert!(message.starts_with("找不到表头"), "{message}");
    assert!(message.contains("no header row found in 'people.csv': expected columns such as 乡镇, 村, 户主姓名, 身份证号"), "{message}");

    // A header below ten non-blank rows is not looked for.
    let mut late = "说明\n".repeat(10);
    late.push_str(&sample_text(',', "\n"));
    let error = read_roster_bytes(late.as_bytes(), "late.csv").unwrap_err();
    assert!(
        matches!(error, RosterFileError::NoHeader { .. }),
        "{error:?}"
    );

    let mut workbook = Workbook::new();
    workbook.add_worksheet();
    let error = read_roster_bytes(&workbook.save_to_buffer().unwrap(), "blank.xlsx").unwrap_err();
    assert!(
        matches!(error, RosterFileError::EmptyFile { .. }),
        "{error:?}"
    );
}

#[test]
fn files_are_read_from_disk() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("花名册.xlsx");
    std::fs::write(&path, sample_xlsx(false)).unwrap();
    check_sample(&read_roster(&path).unwrap());

    let missing = dir.path().join("没有.csv");
    let error = read_roster(&missing).unwrap_err();
    assert!(
        matches!(&error, RosterFileError::Io { path, .. } if path == &missing),
        "{error:?}"
    );
    assert!(error.to_string().contains("没有.csv"), "{error}");
}

use super::*;
use crate::id_number::compose;
use proptest::prelude::*;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2017, 9, 4).unwrap()
}

fn id(sequence: u16) -> String {
    compose(
        "341502",
        NaiveDate::from_ymd_opt(1970, 1, 1).unwrap() + chrono::Duration::days(i64::from(sequence)),
        sequence,
    )
    .unwrap()
    .to_string()
}

const HEADERS: [&str; 9] = [
    "乡镇",
    "村",
    "户主姓名",
    "身份证号",
    "家庭人口",
    "联系电话",
    "安置方式",
    "安置类型",
    "安置点",
];

fn table(headers: &[&str], rows: &[&[&str]]) -> RosterTable {
    RosterTable {
        header_row: 1,
        headers: headers.iter().map(|h| h.to_string()).collect(),
        rows: rows
            .iter()
            .enumerate()
            .map(|(i, cells)| RosterRecord {
                row: i + 2,
                cells: cells.iter().map(|c| Cell::text(*c)).collect(),
            })
            .collect(),
    }
}

fn lines(result: Result<ValidRoster, RosterErrors>) -> Vec<String> {
    result
        .unwrap_err()
        .errors
        .iter()
        .map(|e| e.to_string())
        .collect()
}

/// A valid scattered row with the standard headers, one cell changed.
fn with(column: usize, value: &str) -> Vec<String> {
    let mut row: Vec<String> = [
        "东河口镇",
        "长岭村",
        "郑怀圣",
        &id(11),
        "4",
        "13805641234",
        "分散安置",
        "自建",
        "/",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    row[column] = value.to_string();
    row
}

fn one_row(row: Vec<String>) -> Result<ValidRoster, RosterErrors> {
    let cells: Vec<&str> = row.iter().map(String::as_str).collect();
    validate(&table(&HEADERS, &[&cells]), today())
}

fn error_of(column: usize, value: &str) -> String {
    let errors = one_row(with(column, value)).unwrap_err().errors;
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].column, HEADERS[column]);
    assert_eq!(errors[0].row, 2);
    errors[0].reason.clone()
}

#[test]
fn reads_a_valid_roster() {
    let id1 = id(1);
    let id2 = id(2);
    let valid = validate(
        &table(
            &HEADERS,
            &[
                &[
                    "横塘岗乡",
                    "黄墩村",
                    "王大山",
                    &id1,
                    "4",
                    "",
                    "集中安置",
                    "",
                    "黄墩中心村",
                ],
                &[
                    " 东河口镇 ",
                    "长岭村",
                    "郑怀圣\u{3000}",
                    &id2,
                    "3人",
                    "0564-1234567",
                    "分散",
                    "购买",
                    "无",
                ],
            ],
        ),
        today(),
    )
    .unwrap();
    assert_eq!(valid.ignored_columns, Vec::<String>::new());
    assert_eq!(valid.rows.len(), 2);
    let first = &valid.rows[0];
    assert_eq!(first.row, 2);
    assert_eq!(first.mode, PlacementMode::Concentrated);
    assert_eq!(first.kind, PlacementKind::UnifiedSelfBuilt);
    assert_eq!(first.site.as_deref(), Some("黄墩中心村"));
    assert_eq!(first.phone, None);
    let second = &valid.rows[1];
    assert_eq!(second.township, "东河口镇");
    assert_eq!(second.head_name, "郑怀圣");
    assert_eq!(second.size, 3);
    assert_eq!(second.kind, PlacementKind::Bought);
    assert_eq!(second.site, None);
    assert_eq!(second.phone.as_deref(), Some("0564-1234567"));
}

#[test]
fn headers_are_recognised_by_alias_case_and_spacing() {
    assert_eq!(Column::from_header(" 身份证号码 "), Some(Column::IdNumber));
    assert_eq!(Column::from_header("ID Number"), Some(Column::IdNumber));
    assert_eq!(Column::from_header("Head-Name"), Some(Column::HeadName));
    assert_eq!(Column::from_header("乡(镇)"), Some(Column::Township));
    assert_eq!(Column::from_header("乡（镇）"), Some(Column::Township));
    assert_eq!(Column::from_header("*户主姓名"), Some(Column::HeadName));
    assert_eq!(Column::from_header("ＰＨＯＮＥ"), Some(Column::Phone));
    assert_eq!(Column::from_header("Household Size"), Some(Column::Size));
    assert_eq!(Column::from_header("序号"), None);
    assert_eq!(Column::from_header(""), None);
    let cells: Vec<String> = ["序号", "乡镇", "村名", "姓名", "手机", "手机号"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(recognise_header(&cells), 4);
    for column in Column::ALL {
        for alias in column.headers() {
            assert_eq!(Column::from_header(alias), Some(column), "{alias}");
        }
    }
}

#[test]
fn any_column_order_and_unknown_columns_are_ignored() {
    let id1 = id(1);
    let valid = validate(
        &table(
            &[
                "序号",
                "安置方式",
                "身份证号码",
                "name",
                "size",
                "village",
                "township",
                "备注",
            ],
            &[&[
                "1",
                "分散安置",
                &id1,
                "李四",
                "4.0",
                "长岭村",
                "东河口镇",
                "养殖",
                "",
                "",
            ]],
        ),
        today(),
    )
    .unwrap();
    assert_eq!(
        valid.ignored_columns,
        vec!["序号".to_string(), "备注".to_string()]
    );
    assert_eq!(valid.rows[0].size, 4);
    assert_eq!(valid.rows[0].kind, PlacementKind::SelfBuilt);
    assert_eq!(valid.rows[0].id_number.as_str(), id1);
}

#[test]
fn data_without_a_header_is_reported_as_ignored() {
    let id1 = id(1);
    let mut t = table(
        &HEADERS,
        &[&[
            "东河口镇",
            "长岭村",
            "李四",
            &id1,
            "4",
            "",
            "分散安置",
            "",
            "",
            "",
            "备注",
        ]],
    );
    t.headers.push(String::new());
    let valid = validate(&t, today()).unwrap();
    assert_eq!(
        valid.ignored_columns,
        vec!["K列（无表头） / column K (no header)".to_string()]
    );
}

#[test]
fn missing_columns_are_reported_at_the_header_row() {
    let mut t = table(
        &["乡镇", "户主姓名", "安置方式"],
        &[&["东河口镇", "李四", "分散安置"]],
    );
    t.header_row = 3;
    t.rows[0].row = 4;
    assert_eq!(
        lines(validate(&t, today())),
        vec![
            "row 3, 村: 缺少此列 / column missing",
            "row 3, 身份证号: 缺少此列 / column missing",
            "row 3, 家庭人口: 缺少此列 / column missing",
        ]
    );
}

#[test]
fn a_repeated_column_is_an_error() {
    let mut headers = HEADERS.to_vec();
    headers.push("手机");
    let id1 = id(1);
    let errors = lines(validate(
        &table(
            &headers,
            &[&[
                "东河口镇",
                "长岭村",
                "李四",
                &id1,
                "4",
                "",
                "分散安置",
                "",
                "",
                "",
            ]],
        ),
        today(),
    ));
    assert_eq!(
        errors,
        vec!["row 1, 手机: 此列与F列“联系电话”重复 / this column repeats column F '联系电话'"]
    );
}

#[test]
fn required_cells() {
    for column in [0, 1, 2, 3, 4, 6] {
        assert_eq!(
            error_of(column, " "),
            "必填 / required",
            "{}",
            HEADERS[column]
        );
    }
    // Optional ones may be empty.
    assert!(one_row(with(5, "")).is_ok());
    assert!(one_row(with(7, "")).is_ok());
    assert!(one_row(with(8, "")).is_ok());
}

#[test]
fn head_names() {
    assert!(error_of(2, "张3").contains("contains digits"));
    assert!(error_of(2, "张３").contains("含有数字"));
    let long = "阿".repeat(21);
    assert!(error_of(2, &long).contains("21 characters, at most 20"));
    assert!(one_row(with(2, &"阿".repeat(20))).is_ok());
    assert!(one_row(with(2, "阿依古丽·买买提")).is_ok());
}

#[test]
fn id_numbers() {
    let reason = error_of(3, "34150219700101001");
    assert!(reason.contains("18") && reason.contains("17"), "{reason}");
    assert!(error_of(3, "341502197001010010").contains("校验码"));
    assert_eq!(error_of(3, "3.41502E+17"), ID_STORED_AS_NUMBER);
    // Full-width digits and a lowercase x are fine.
    let full_width: String = id(11)
        .chars()
        .map(|c| char::from_u32(c as u32 - '0' as u32 + '０' as u32).unwrap_or(c))
        .collect();
    assert!(one_row(with(3, &full_width)).is_ok());
}

#[test]
fn an_id_stored_as_a_number_is_named_as_such() {
    let mut t = table(
        &HEADERS,
        &[&with(3, "").iter().map(String::as_str).collect::<Vec<_>>()],
    );
    t.rows[0].cells[3] = Cell::number("341502197001120000");
    assert_eq!(
        lines(validate(&t, today())),
        vec![format!("row 2, 身份证号: {ID_STORED_AS_NUMBER}")]
    );
}

#[test]
fn household_sizes() {
    for ok in ["4", "４", "4人", "4口人", "4.0", "4.00", " 4 "] {
        assert_eq!(one_row(with(4, ok)).unwrap().rows[0].size, 4, "{ok}");
    }
    assert_eq!(one_row(with(4, "20")).unwrap().rows[0].size, 20);
    assert_eq!(one_row(with(4, "1")).unwrap().rows[0].size, 1);
    assert!(error_of(4, "0").contains("from 1 to 20, it is 0"));
    assert!(error_of(4, "21").contains("1到20之间，实为21"));
    assert!(error_of(4, "99999999999").contains("from 1 to 20"));
    assert!(error_of(4, "4.5").contains("whole number, found '4.5'"));
    assert!(error_of(4, "四").contains("整数"));
    assert!(error_of(4, "-3").contains("whole number"));
}

#[test]
fn phones() {
    let phone = |text: &str| one_row(with(5, text)).map(|v| v.rows[0].phone.clone());
    assert_eq!(phone("138 0564 1234"), Ok(Some("13805641234".into())));
    assert_eq!(phone("+86 138-0564-1234"), Ok(Some("13805641234".into())));
    assert_eq!(phone("0564-1234567"), Ok(Some("0564-1234567".into())));
    assert_eq!(phone("05641234567"), Ok(Some("0564-1234567".into())));
    assert_eq!(phone("(010)12345678"), Ok(Some("010-12345678".into())));
    assert_eq!(
        phone("０５６４－１２３４５６７"),
        Ok(Some("0564-1234567".into()))
    );
    assert!(error_of(5, "1380564123").contains("11 digits, this one has 10"));
    assert!(error_of(5, "5634567").contains("no area code"));
    assert!(error_of(5, "0564-12345").contains("7- or 8-digit"));
    assert!(error_of(5, "138abc").contains("'a'"));
    assert!(error_of(5, "13805641234/13905641234").contains("only one"));
    let mut t = table(
        &HEADERS,
        &[&with(5, "").iter().map(String::as_str).collect::<Vec<_>>()],
    );
    t.rows[0].cells[5] = Cell::number("5641234567");
    assert!(lines(validate(&t, today()))[0].contains("leading 0"));
}

#[test]
fn modes_kinds_and_sites() {
    assert!(error_of(6, "搬迁").contains("unknown placement mode '搬迁'"));
    assert!(error_of(7, "租房").contains("unknown placement kind '租房'"));
    assert_eq!(
        error_of(7, "统规统建"),
        "安置类型“统规统建”与分散安置不符：分散安置可为自建、购买 / placement kind 统规统建 does not go with 分散安置, which allows 自建, 购买"
    );
    assert!(error_of(8, "黄墩中心村").contains("found '黄墩中心村'"));
    for none in ["", "/", "无", " / "] {
        assert_eq!(one_row(with(8, none)).unwrap().rows[0].site, None);
    }
    // Concentrated needs a site and a fitting kind.
    let mut row = with(6, "集中安置");
    row[7] = String::new();
    assert_eq!(
        lines(one_row(row.clone())),
        vec!["row 2, 安置点: 集中安置须填写安置点 / a concentrated household needs its site"]
    );
    row[7] = "自建".into();
    row[8] = "黄墩中心村".into();
    assert!(
        lines(one_row(row.clone()))[0].starts_with("row 2, 安置类型: 安置类型“自建”与集中安置不符")
    );
    row[7] = "购买".into();
    assert_eq!(one_row(row).unwrap().rows[0].kind, PlacementKind::Bought);
}

#[test]
fn a_concentrated_row_without_a_site_column() {
    let id1 = id(1);
    let t = table(
        &["乡镇", "村", "户主姓名", "身份证号", "家庭人口", "安置方式"],
        &[&["东河口镇", "长岭村", "李四", &id1, "4", "集中安置"]],
    );
    assert_eq!(
        lines(validate(&t, today())),
        vec!["row 2, 安置点: 集中安置须填写安置点 / a concentrated household needs its site"]
    );
}

#[test]
fn duplicate_ids_point_at_the_first_row() {
    let id1 = id(1);
    let row: Vec<String> = with(3, &id1);
    let cells: Vec<&str> = row.iter().map(String::as_str).collect();
    let lowercase_twin = id1.to_lowercase();
    let mut twin = row.clone();
    twin[3] = lowercase_twin;
    let twin_cells: Vec<&str> = twin.iter().map(String::as_str).collect();
    let other = with(3, &id(2));
    let other_cells: Vec<&str> = other.iter().map(String::as_str).collect();
    assert_eq!(
        lines(validate(
            &table(&HEADERS, &[&cells, &other_cells, &twin_cells, &cells]),
            today()
        )),
        vec![
            "row 4, 身份证号: 与第2行重复 / duplicate of row 2",
            "row 5, 身份证号: 与第2行重复 / duplicate of row 2",
        ]
    );
}

#[test]
fn every_error_of_every_row_is_collected_in_order() {
    let id1 = id(1);
    let headers = [
        "户主姓名",
        "身份证号码",
        "乡镇",
        "村",
        "人口",
        "电话",
        "安置方式",
        "安置点",
    ];
    let mut t = table(
        &headers,
        &[
            &[
                "张3",
                "123",
                "东河口镇",
                "",
                "0",
                "12",
                "分散",
                "长岭安置点",
            ],
            &["李四", &id1, "东河口镇", "长岭村", "4", "", "分散", ""],
            &["", "", "", "", "", "", "", ""],
        ],
    );
    t.rows[1].row = 5;
    t.rows[2].row = 7;
    let errors = lines(validate(&t, today()));
    assert_eq!(
        errors,
        vec![
            "row 2, 户主姓名: 户主姓名“张3”含有数字 / the name '张3' contains digits",
            "row 2, 身份证号码: 身份证号应为18位，实为3位 / the ID number must have 18 characters, this one has 3",
            "row 2, 村: 必填 / required",
            "row 2, 人口: 家庭人口应在1到20之间，实为0 / the household size must be from 1 to 20, it is 0",
            "row 2, 电话: 手机号应为11位，实为2位 / a mobile number has 11 digits, this one has 2",
            "row 2, 安置点: 分散安置不应有安置点（应为空、“/”或“无”），实为“长岭安置点” / a scattered household has no site (leave it empty, '/' or '无'), found '长岭安置点'",
            "row 7, 户主姓名: 必填 / required",
            "row 7, 身份证号码: 必填 / required",
            "row 7, 乡镇: 必填 / required",
            "row 7, 村: 必填 / required",
            "row 7, 人口: 必填 / required",
            "row 7, 安置方式: 必填 / required",
        ]
    );
}

#[test]
fn office_errors_join_in_row_order() {
    let mut errors = RosterErrors {
        errors: vec![
            RowError {
                row: 2,
                column: "村".into(),
                reason: "a".into(),
            },
            RowError {
                row: 5,
                column: "村".into(),
                reason: "b".into(),
            },
        ],
    };
    errors.push(RowError {
        row: 2,
        column: "身份证号".into(),
        reason: "c".into(),
    });
    errors.push(RowError {
        row: 9,
        column: "身份证号".into(),
        reason: "d".into(),
    });
    let reasons: Vec<&str> = errors.errors.iter().map(|e| e.reason.as_str()).collect();
    assert_eq!(reasons, ["a", "c", "b", "d"]);
    assert_eq!(errors.to_string().lines().count(), 4);
    assert_eq!(errors.errors[1].to_string(), "row 2, 身份证号: c");
}

#[test]
fn column_letters() {
    assert_eq!(column_letter(0), "A");
    assert_eq!(column_letter(25), "Z");
    assert_eq!(column_letter(26), "AA");
    assert_eq!(column_letter(27), "AB");
    assert_eq!(column_letter(701), "ZZ");
    assert_eq!(column_letter(702), "AAA");
}

fn value() -> impl Strategy<Value = [String; 9]> {
    (
        prop::sample::select(vec!["东河口镇", "", "横塘岗乡"]),
        prop::sample::select(vec!["长岭村", "黄墩村", " "]),
        prop::sample::select(vec!["郑怀圣", "高灿军", "王5", ""]),
        prop_oneof![
            4 => (0u16..6).prop_map(id),
            1 => Just("123".to_string()),
        ],
        prop::sample::select(vec!["4", "2人", "0", "x"]),
        prop::sample::select(vec!["", "13805641234", "0564-1234567", "12"]),
        prop::sample::select(vec!["集中安置", "分散安置", "迁移"]),
        prop::sample::select(vec!["", "自建", "购买", "统规自建"]),
        prop::sample::select(vec!["", "/", "黄墩中心村"]),
    )
        .prop_map(|(a, b, c, d, e, f, g, h, i)| {
            [
                a.into(),
                b.into(),
                c.into(),
                d,
                e.into(),
                f.into(),
                g.into(),
                h.into(),
                i.into(),
            ]
        })
}

proptest! {
    #[test]
    fn column_order_does_not_matter(
        rows in prop::collection::vec(value(), 0..8),
        order in Just((0..10).collect::<Vec<usize>>()).prop_shuffle(),
    ) {
        let mut headers: Vec<String> = HEADERS.iter().map(|h| h.to_string()).collect();
        headers.push("备注".into());
        let original = RosterTable {
            header_row: 1,
            headers: headers.clone(),
            rows: rows
                .iter()
                .enumerate()
                .map(|(i, r)| RosterRecord {
                    row: i * 2 + 2,
                    cells: r.iter().map(|c| Cell::text(c.clone())).chain([Cell::text("x")]).collect(),
                })
                .collect(),
        };
        let shuffled = RosterTable {
            header_row: 1,
            headers: order.iter().map(|&i| headers[i].clone()).collect(),
            rows: original
                .rows
                .iter()
                .map(|r| RosterRecord {
                    row: r.row,
                    cells: order.iter().map(|&i| r.cells[i].clone()).collect(),
                })
                .collect(),
        };
        let a = validate(&original, today());
        let b = validate(&shuffled, today());
        match (a, b) {
            (Ok(a), Ok(b)) => prop_assert_eq!(a, b),
            (Err(a), Err(b)) => {
                let mut a = a.errors;
                let mut b = b.errors;
                // Within a row the order follows the file's columns.
                prop_assert!(b.windows(2).all(|w| w[0].row <= w[1].row));
                a.sort_by(|x, y| (x.row, &x.column).cmp(&(y.row, &y.column)));
                b.sort_by(|x, y| (x.row, &x.column).cmp(&(y.row, &y.column)));
                prop_assert_eq!(a, b);
            }
            (a, b) => prop_assert!(false, "{a:?} vs {b:?}"),
        }
    }
}

#[test]
fn coordinates_are_optional_and_checked() {
    let mut headers = HEADERS.to_vec();
    headers.extend(["纬度", "经度"]);
    let row = |lat: &str, lon: &str| {
        let mut cells = with(0, "东河口镇");
        cells.extend([lat.to_string(), lon.to_string()]);
        cells
    };
    let read = |cells: Vec<String>| {
        let cells: Vec<&str> = cells.iter().map(String::as_str).collect();
        validate(&table(&headers, &[&cells]), today())
    };
    let place = read(row("31.7650", "116.5100°E")).unwrap().rows[0].location;
    assert_eq!(
        place,
        Some(crate::location::Coordinates::new(31.765, 116.51).unwrap())
    );
    assert_eq!(read(row("", "")).unwrap().rows[0].location, None);
    let errors = lines(read(row("116.51", "31.765")));
    assert!(
        errors[0].contains("纬度") && errors[0].contains("swapped"),
        "{errors:?}"
    );
    let errors = lines(read(row("31.765", "")));
    assert!(
        errors[0].contains("经度") && errors[0].contains("needs"),
        "{errors:?}"
    );
    assert!(!lines(read(row("北", "116.5"))).is_empty());

    // One cell, either order; without the columns at all, no location.
    let mut headers = HEADERS.to_vec();
    headers.push("房屋坐标");
    for text in ["31.765,116.51", "116.51, 31.765", "31.765°N 116.51°E"] {
        let mut cells = with(0, "东河口镇");
        cells.push(text.to_string());
        let cells: Vec<&str> = cells.iter().map(String::as_str).collect();
        let rows = validate(&table(&headers, &[&cells]), today()).unwrap().rows;
        assert_eq!(
            rows[0].location,
            Some(crate::location::Coordinates::new(31.765, 116.51).unwrap()),
            "{text}"
        );
    }
    let mut cells = with(0, "东河口镇");
    cells.push("31.765".to_string());
    let cells: Vec<&str> = cells.iter().map(String::as_str).collect();
    let errors = lines(validate(&table(&headers, &[&cells]), today()));
    assert!(errors[0].contains("房屋坐标"), "{errors:?}");
    assert_eq!(one_row(with(0, "东河口镇")).unwrap().rows[0].location, None);
}

//! Well-formed `.xlsx` files whose sheets are generated (references up to XFD1048576,
//! repeated and odd cells, types and values) or whose XML is mutated, and the properties that
//! read them: a reference past the limits is `OverLimit` naming it, and only then.

use super::*;

/// Where a generated cell says it is.
#[derive(Debug, Clone)]
pub(super) enum Reference {
    /// `r="…"` naming this 0-based position.
    At { row: u32, column: u32 },
    /// `r="…"` with other text (lower case, no row, no column, junk).
    Text(String),
    /// No `r`: the reader counts from the previous cell.
    Missing,
}

/// What a generated cell holds, and how the sheet XML writes it.
#[derive(Debug, Clone)]
pub(super) enum Value {
    /// `<v>` of a number cell, well-formed.
    Number(String),
    /// `<v>` of a number cell that is not a number.
    BadNumber(String),
    Inline(String),
    /// `t="str"`, a formula's cached text.
    Formula(String),
    /// Index into the shared strings.
    Shared(u32),
    Bool(String),
    Error(String),
    Date(String),
    Empty,
}

#[derive(Debug, Clone)]
pub(super) struct GenCell {
    pub(super) reference: Reference,
    pub(super) value: Value,
    /// The cell element written this many times in a row.
    pub(super) repeat: usize,
}

pub(super) fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

impl GenCell {
    pub(super) fn xml(&self) -> String {
        let r = match &self.reference {
            Reference::At { row, column } => format!(r#" r="{}""#, cell_name(*row, *column)),
            Reference::Text(text) => format!(r#" r="{}""#, xml_escape(text)),
            Reference::Missing => String::new(),
        };
        let cell = |t: &str, inner: String| format!("<c{r}{t}>{inner}</c>");
        let v = |text: &str| format!("<v>{}</v>", xml_escape(text));
        let one = match &self.value {
            Value::Number(text) | Value::BadNumber(text) => cell("", v(text)),
            Value::Inline(text) => cell(
                r#" t="inlineStr""#,
                format!("<is><t>{}</t></is>", xml_escape(text)),
            ),
            Value::Formula(text) => cell(r#" t="str""#, format!("<f>A1</f>{}", v(text))),
            Value::Shared(index) => cell(r#" t="s""#, v(&index.to_string())),
            Value::Bool(text) => cell(r#" t="b""#, v(text)),
            Value::Error(text) => cell(r#" t="e""#, v(text)),
            Value::Date(text) => cell(r#" t="d""#, v(text)),
            Value::Empty => format!("<c{r}/>"),
        };
        one.repeat(self.repeat)
    }
}

/// Rows and columns of far cells: around the limits, anywhere, and Excel's last cell.
pub(super) fn far_row() -> impl Strategy<Value = u32> {
    let rows = MAX_ROSTER_ROWS;
    prop_oneof![
        2 => 0..12u32,
        2 => (rows - 2)..(rows + 2),
        1 => 0..1_048_576u32,
        1 => Just(1_048_575u32),
    ]
}

pub(super) fn far_column() -> impl Strategy<Value = u32> {
    let columns = MAX_ROSTER_COLUMNS;
    prop_oneof![
        2 => 0..8u32,
        2 => (columns - 2)..(columns + 2),
        1 => 0..16_384u32,
        1 => Just(16_383u32),
    ]
}

/// References the reader must reject or survive. Letters or digits past what a `u32`
/// holds are left out: calamine overflows on them (see
/// `crash_a_cell_reference_past_u32_overflows_in_calamine` below).
pub(super) fn odd_reference() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("A0".to_string()),
        Just("A".to_string()),
        Just("1".to_string()),
        Just("a1".to_string()),
        Just("XFE1".to_string()),
        Just("A1048577".to_string()),
        Just("ZZZZZ1".to_string()),
        Just("A4294967295".to_string()),
        Just("A1:B2".to_string()),
        Just("$A$1".to_string()),
        Just("Ａ1".to_string()),
        "[A-Z]{1,3}[0-9]{1,7}",
        "[A-Za-z0-9$:]{0,6}",
    ]
}

/// Where a cell of the roster's own size is, or says it is.
pub(super) fn near_reference(odd: bool) -> BoxedStrategy<Reference> {
    let at = (0..12u32, 0..8u32).prop_map(|(row, column)| Reference::At { row, column });
    if odd {
        prop_oneof![
            10 => at,
            1 => odd_reference().prop_map(Reference::Text),
            1 => Just(Reference::Missing),
        ]
        .boxed()
    } else {
        at.boxed()
    }
}

pub(super) fn far_reference() -> impl Strategy<Value = Reference> {
    (far_row(), far_column()).prop_map(|(row, column)| Reference::At { row, column })
}

pub(super) fn filled_value() -> BoxedStrategy<Value> {
    prop_oneof![
        prop::sample::select(vec!["1", "-0", "3.5", "1e308", "341502196001010011", "4"])
            .prop_map(|n| Value::Number(n.to_string())),
        prop::sample::select(vec![
            "乡镇",
            "村",
            "户主姓名",
            "身份证号",
            "x",
            " 东河口镇 "
        ])
        .prop_map(|t| Value::Inline(t.to_string())),
        (0..3u32).prop_map(Value::Shared),
    ]
    .boxed()
}

pub(super) fn any_value() -> BoxedStrategy<Value> {
    prop_oneof![
        6 => filled_value(),
        1 => Just(Value::Empty),
        1 => Just(Value::Inline("  ".to_string())),
        1 => prop::sample::select(vec!["", "abc", "1e999", "NaN", "--1", "0x10", "1,5"])
            .prop_map(|t| Value::BadNumber(t.to_string())),
        1 => "\\PC{0,12}".prop_map(Value::Inline),
        1 => "\\PC{0,12}".prop_map(Value::Formula),
        1 => prop_oneof![0..8u32, Just(u32::MAX)].prop_map(Value::Shared),
        1 => prop::sample::select(vec!["0", "1", "2", "true", ""]).prop_map(|t| Value::Bool(t.to_string())),
        1 => prop::sample::select(vec!["#DIV/0!", "#N/A", "#BOGUS", ""]).prop_map(|t| Value::Error(t.to_string())),
        1 => prop::sample::select(vec!["2017-09-04", "2017-09-04T10:00:00Z", "9999-99-99", "x", "-1"])
            .prop_map(|t| Value::Date(t.to_string())),
    ]
    .boxed()
}

pub(super) fn gen_cell(
    reference: impl Strategy<Value = Reference>,
    value: impl Strategy<Value = Value>,
) -> impl Strategy<Value = GenCell> {
    (
        reference,
        value,
        prop_oneof![8 => Just(1usize), 1 => 2..4usize, 1 => 500..3_000usize],
    )
        .prop_map(|(reference, value, repeat)| GenCell {
            reference,
            value,
            repeat,
        })
}

/// A generated sheet: its cells in document order, optionally the header in row 1 first.
#[derive(Debug, Clone)]
pub(super) struct GenSheet {
    pub(super) header: bool,
    pub(super) dimension: Option<String>,
    pub(super) cells: Vec<GenCell>,
}

impl GenSheet {
    pub(super) fn xml(&self) -> String {
        let mut xml = String::from(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#,
        );
        if let Some(dimension) = &self.dimension {
            xml.push_str(&format!(r#"<dimension ref="{}"/>"#, xml_escape(dimension)));
        }
        xml.push_str("<sheetData>");
        if self.header {
            xml.push_str(r#"<row r="1">"#);
            for (column, header) in HEADERS.iter().enumerate() {
                xml.push_str(&format!(
                    r#"<c r="{}" t="inlineStr"><is><t>{header}</t></is></c>"#,
                    cell_name(0, column as u32)
                ));
            }
            xml.push_str("</row>");
        }
        // Each cell in a row element of its own, numbered as the cell says.
        for cell in &self.cells {
            match &cell.reference {
                Reference::At { row, .. } => xml.push_str(&format!(r#"<row r="{}">"#, row + 1)),
                _ => xml.push_str("<row>"),
            }
            xml.push_str(&cell.xml());
            xml.push_str("</row>");
        }
        xml.push_str("</sheetData></worksheet>");
        xml
    }

    /// The first reference past the limits, in document order, as the error names it: a
    /// row's `r` (written before its cell) or a cell's. The reader scans every reference of
    /// every sheet before it parses any, blank cells' too. `None` if there is none; an odd
    /// reference (not a position) is not looked at.
    pub(super) fn first_reference_past_the_limits(&self) -> Option<RosterLimit> {
        // The dimension comes first, and is held to a sheet's own bounds.
        if let Some(limit) = self.dimension.as_deref().and_then(past_a_sheet) {
            return Some(limit);
        }
        self.cells.iter().find_map(|cell| match cell.reference {
            Reference::At { row, .. } if row >= MAX_ROSTER_ROWS => Some(RosterLimit::Rows {
                cell: (row + 1).to_string(),
            }),
            Reference::At { row, column } if column >= MAX_ROSTER_COLUMNS => {
                Some(RosterLimit::Columns {
                    cell: cell_name(row, column),
                })
            }
            _ => None,
        })
    }

    /// Whether every reference is a position and the dimension one the reader takes.
    pub(super) fn all_positions(&self) -> bool {
        self.dimension
            .as_ref()
            .is_none_or(|d| d == "A1" || d == "A1:XFD1048576")
            && self
                .cells
                .iter()
                .all(|c| matches!(c.reference, Reference::At { .. }))
    }
}

/// A part of a range (`A1:XFE1`) past a sheet's 1,048,576 rows or 16,384 columns, as the
/// reader names it.
pub(super) fn past_a_sheet(range: &str) -> Option<RosterLimit> {
    range.split(':').find_map(|part| {
        let letters = part.chars().take_while(char::is_ascii_alphabetic).count();
        let (column, row) = part.split_at(letters);
        if !row.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        let row_number = row
            .parse::<u64>()
            .unwrap_or(if row.is_empty() { 0 } else { u64::MAX });
        let column_number = column.bytes().fold(0u64, |n, b| {
            n.saturating_mul(26)
                .saturating_add(u64::from(b.to_ascii_uppercase() - b'A') + 1)
        });
        if row_number > 1_048_576 {
            Some(RosterLimit::Rows {
                cell: part.to_string(),
            })
        } else if column_number > 16_384 {
            Some(RosterLimit::Columns {
                cell: part.to_string(),
            })
        } else {
            None
        }
    })
}

/// Cells mostly within a roster's size, and up to three far ones among them.
/// With `odd`, some references are not positions.
pub(super) fn gen_sheet(value: BoxedStrategy<Value>, odd: bool) -> impl Strategy<Value = GenSheet> {
    let cells = (
        prop::collection::vec(gen_cell(near_reference(odd), value.clone()), 0..20),
        prop::collection::vec(gen_cell(far_reference(), value), 0..4),
    )
        .prop_flat_map(|(mut near, far)| {
            near.extend(far);
            Just(near).prop_shuffle()
        });
    (
        any::<bool>(),
        prop::option::weighted(
            0.2,
            prop_oneof![
                Just("A1:XFD1048576".to_string()),
                Just("A1".to_string()),
                odd_reference().prop_map(|r| format!("A1:{r}")),
            ],
        ),
        cells,
    )
        .prop_map(|(header, dimension, cells)| GenSheet {
            header,
            dimension,
            cells,
        })
}

/// A ZIP of the given entries, deflated.
pub(super) fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut out);
    for (name, content) in entries {
        let options = if *name == "mimetype" {
            zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Stored)
        } else {
            zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated)
        };
        zip.start_file(*name, options).unwrap();
        zip.write_all(content).unwrap();
    }
    zip.finish().unwrap();
    out.into_inner()
}

pub(super) const SHARED: [&str; 3] = ["乡镇", "  ", "黄墩村"];

/// The parts of an `.xlsx` with these sheets' XML (and shared strings), each part's text
/// given, so that a test can mutate one before zipping.
pub(super) fn xlsx_parts(sheets: &[String], shared: &[String]) -> Vec<(String, String)> {
    let mut content_types = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>"#,
    );
    let mut workbook = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>"#,
    );
    let mut rels = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>"#,
    );
    let mut parts = Vec::new();
    for (index, sheet) in sheets.iter().enumerate() {
        let n = index + 1;
        content_types.push_str(&format!(r#"<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#));
        workbook.push_str(&format!(
            r#"<sheet name="Sheet{n}" sheetId="{n}" r:id="rId{n}"/>"#
        ));
        rels.push_str(&format!(r#"<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{n}.xml"/>"#));
        parts.push((format!("xl/worksheets/sheet{n}.xml"), sheet.clone()));
    }
    content_types.push_str("</Types>");
    workbook.push_str("</sheets></workbook>");
    rels.push_str("</Relationships>");
    let strings: String = shared
        .iter()
        .map(|s| format!(r#"<si><t xml:space="preserve">{}</t></si>"#, xml_escape(s)))
        .collect();
    let shared_xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{0}" uniqueCount="{0}">{strings}</sst>"#,
        shared.len()
    );
    let root_rels = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
    let mut all = vec![
        ("[Content_Types].xml".to_string(), content_types),
        ("_rels/.rels".to_string(), root_rels.to_string()),
        ("xl/workbook.xml".to_string(), workbook),
        ("xl/_rels/workbook.xml.rels".to_string(), rels),
        ("xl/sharedStrings.xml".to_string(), shared_xml),
    ];
    all.extend(parts);
    all
}

pub(super) fn zip_parts(parts: &[(String, Vec<u8>)]) -> Vec<u8> {
    let entries: Vec<(&str, &[u8])> = parts
        .iter()
        .map(|(name, content)| (name.as_str(), content.as_slice()))
        .collect();
    zip_of(&entries)
}

pub(super) fn xlsx_of(sheets: &[GenSheet]) -> Vec<u8> {
    let shared: Vec<String> = SHARED.iter().map(|s| s.to_string()).collect();
    let xml: Vec<String> = sheets.iter().map(GenSheet::xml).collect();
    let parts: Vec<(String, Vec<u8>)> = xlsx_parts(&xml, &shared)
        .into_iter()
        .map(|(name, text)| (name, text.into_bytes()))
        .collect();
    zip_parts(&parts)
}

pub(super) fn limit_of(result: &Result<RosterTable, RosterFileError>) -> Option<&RosterLimit> {
    match result {
        Err(RosterFileError::OverLimit { limit, .. }) => Some(limit),
        _ => None,
    }
}

#[test]
fn far_cells_of_a_generated_xlsx_are_over_the_limit_exactly() {
    let tally = Tally::default();
    let exact = AtomicUsize::new(0);
    let strategy = prop::collection::vec(gen_sheet(filled_value(), false), 1..3);
    fuzz(4, strategy, |sheets| {
        let result = read_checked(&xlsx_of(&sheets))?;
        tally.count(&result);
        // Every sheet's references are scanned, in order, before any is parsed.
        let expected = sheets
            .iter()
            .find_map(GenSheet::first_reference_past_the_limits);
        match &expected {
            Some(limit) => prop_assert_eq!(limit_of(&result), Some(limit), "{:?}", result),
            None => prop_assert!(
                !matches!(
                    limit_of(&result),
                    Some(RosterLimit::Rows { .. } | RosterLimit::Columns { .. })
                ),
                "{:?}",
                result
            ),
        }
        if expected.is_some() || sheets.iter().all(GenSheet::all_positions) {
            exact.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    });
    let (tables, _, over_limit) = tally.get();
    if many_cases() {
        let cases = cases() as usize;
        assert!(
            exact.into_inner() * 2 >= cases,
            "too few cases with known positions"
        );
        assert!(over_limit * 10 >= cases, "only {over_limit} over a limit");
        assert!(tables * 20 >= cases, "only {tables} tables");
    }
}

#[test]
fn odd_cells_of_a_generated_xlsx_are_read_or_refused_cleanly() {
    let tally = Tally::default();
    let strategy = prop::collection::vec(gen_sheet(any_value(), true), 1..3);
    fuzz(5, strategy, |sheets| {
        tally.count(&read_checked(&xlsx_of(&sheets))?);
        Ok(())
    });
    let (tables, refusals, over_limit) = tally.get();
    if many_cases() {
        assert!(
            tables > 0 && refusals > 0 && over_limit > 0,
            "{:?}",
            tally.get()
        );
    }
}

#[test]
fn mutated_xml_in_a_well_formed_xlsx_is_read_or_refused_cleanly() {
    let tally = Tally::default();
    let strategy = (
        gen_sheet(any_value(), true),
        // Which part to mutate: the sheet most often.
        prop_oneof![4 => Just(5usize), 1 => 0..6usize],
        prop::collection::vec(mutation(), 1..5),
    );
    fuzz(6, strategy, |(sheet, part, mutations)| {
        let shared: Vec<String> = SHARED.iter().map(|s| s.to_string()).collect();
        let mut parts: Vec<(String, Vec<u8>)> = xlsx_parts(&[sheet.xml()], &shared)
            .into_iter()
            .map(|(name, text)| (name, text.into_bytes()))
            .collect();
        let content = std::mem::take(&mut parts[part].1);
        parts[part].1 = apply(content, &mutations);
        let bytes = zip_parts(&parts);
        // References calamine once overflowed on are refused before it reads them
        // (`crash_a_cell_reference_past_u32_overflows_in_calamine`): no input is set aside.
        tally.count(&read_checked(&bytes)?);
        Ok(())
    });
    let (tables, refusals, _) = tally.get();
    if many_cases() {
        assert!(tables > 0 && refusals > 0, "{:?}", tally.get());
    }
}

// ---------------------------------------------------------------------------------------
// Well-formed OpenDocument sheets with generated repeat counts: refused unread (calamine
// would expand them before any limit applies), whatever they would expand to
// ---------------------------------------------------------------------------------------

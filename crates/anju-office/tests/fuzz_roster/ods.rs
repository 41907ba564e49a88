//! OpenDocument spreadsheets, generated: refused unread whatever they hold, even one that
//! expands to millions of cells.

use super::*;

#[derive(Debug, Clone)]
pub(super) enum OdsValue {
    Empty,
    Text(String),
    Float(String),
}

#[derive(Debug, Clone)]
pub(super) struct OdsCell {
    /// `table:number-columns-repeated`.
    pub(super) repeat: u32,
    pub(super) value: OdsValue,
}

#[derive(Debug, Clone)]
pub(super) struct OdsRow {
    /// `table:number-rows-repeated`.
    pub(super) repeat: u32,
    pub(super) cells: Vec<OdsCell>,
}

pub(super) fn ods_xml(rows: &[OdsRow]) -> String {
    let mut xml = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="花名册">"#,
    );
    for row in rows {
        xml.push_str(&format!(
            r#"<table:table-row table:number-rows-repeated="{}">"#,
            row.repeat
        ));
        for cell in &row.cells {
            let repeat = format!(r#" table:number-columns-repeated="{}""#, cell.repeat);
            match &cell.value {
                OdsValue::Empty => xml.push_str(&format!("<table:table-cell{repeat}/>")),
                OdsValue::Text(text) => xml.push_str(&format!(
                    r#"<table:table-cell{repeat} office:value-type="string"><text:p>{}</text:p></table:table-cell>"#,
                    xml_escape(text)
                )),
                OdsValue::Float(value) => xml.push_str(&format!(
                    r#"<table:table-cell{repeat} office:value-type="float" office:value="{value}"><text:p>{value}</text:p></table:table-cell>"#
                )),
            }
        }
        xml.push_str("</table:table-row>");
    }
    xml.push_str("</table:table></office:spreadsheet></office:body></office:document-content>");
    xml
}

pub(super) fn ods_of(rows: &[OdsRow]) -> Vec<u8> {
    let manifest = r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;
    zip_of(&[
        (
            "mimetype",
            b"application/vnd.oasis.opendocument.spreadsheet",
        ),
        ("META-INF/manifest.xml", manifest.as_bytes()),
        ("content.xml", ods_xml(rows).as_bytes()),
    ])
}

pub(super) fn ods_value() -> impl Strategy<Value = OdsValue> {
    prop_oneof![
        2 => Just(OdsValue::Empty),
        2 => prop::sample::select(vec!["乡镇", "村", "户主姓名", "身份证号", "x"])
            .prop_map(|t| OdsValue::Text(t.to_string())),
        1 => Just(OdsValue::Text(" ".to_string())),
        1 => prop::sample::select(vec!["1", "4", "-0", "1e308", "341502196001010011"])
            .prop_map(|t| OdsValue::Float(t.to_string())),
    ]
}

/// Cells of a row, repeated up to past calamine's column bound.
pub(super) fn ods_cell() -> impl Strategy<Value = OdsCell> {
    let repeat = prop_oneof![
        3 => 1..4u32,
        1 => (MAX_ROSTER_COLUMNS - 3)..(MAX_ROSTER_COLUMNS + 3),
        1 => 1..20_000u32,
    ];
    (repeat, ods_value()).prop_map(|(repeat, value)| OdsCell { repeat, value })
}

/// Leading empty rows, then rows repeated a few times or up to past calamine's row bound.
pub(super) fn ods_rows() -> impl Strategy<Value = Vec<OdsRow>> {
    let leading = prop_oneof![
        3 => Just(0u32),
        3 => 1..5u32,
        1 => (MAX_ROSTER_ROWS - 3)..(MAX_ROSTER_ROWS + 3),
        1 => 1..1_048_000u32,
    ];
    let repeat = prop_oneof![4 => 1..4u32, 1 => 1..2_000_000u32];
    let row = (repeat, prop::collection::vec(ods_cell(), 0..8))
        .prop_map(|(repeat, cells)| OdsRow { repeat, cells });
    (leading, any::<bool>(), prop::collection::vec(row, 1..7)).prop_map(
        |(leading, header, mut rows)| {
            if header {
                let cells = HEADERS
                    .iter()
                    .map(|h| OdsCell {
                        repeat: 1,
                        value: OdsValue::Text(h.to_string()),
                    })
                    .collect();
                rows.insert(0, OdsRow { repeat: 1, cells });
            }
            if leading > 0 {
                let cells = vec![];
                rows.insert(
                    0,
                    OdsRow {
                        repeat: leading,
                        cells,
                    },
                );
            }
            rows
        },
    )
}

#[test]
fn generated_ods_files_are_refused_unread() {
    fuzz(7, ods_rows(), |rows| {
        let bytes = ods_of(&rows);
        let started = Instant::now();
        let result = read_checked(&bytes)?;
        prop_assert!(started.elapsed() < Duration::from_secs(1));
        prop_assert!(
            matches!(
                result,
                Err(RosterFileError::NotARoster {
                    found: FileKind::OpenDocumentSheet,
                    ..
                })
            ),
            "{:?}",
            result
        );
        Ok(())
    });
}

// ---------------------------------------------------------------------------------------
// The seeds are good, so that the mutations start from a roster
// ---------------------------------------------------------------------------------------

/// Peak resident memory of this process so far (Linux), in bytes.
fn peak_memory() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    let kb: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kb * 1024
}

/// calamine reads an `.ods` sheet whole, expanding every repeated filled cell (up to 16,384
/// columns and 100 million cells), before a reader could see the first cell and apply its
/// limits. This 1 KB file is one cell repeated across 16,384 columns and `rows` rows: read,
/// 600 rows took 1.2 GB and 2 s (debug build), and 6,100 rows (100 million cells, calamine's
/// own bound) would take about 12 GB. `ANJU_ODS_ROWS` sets the rows.
fn repeated_ods(rows: u32) -> Vec<u8> {
    ods_of(&[OdsRow {
        repeat: rows,
        cells: vec![OdsCell {
            repeat: 16_384,
            value: OdsValue::Text("x".into()),
        }],
    }])
}

/// Found while writing the `.ods` generator: such a file took gigabytes before the reader
/// refused it for its columns. `.ods` files are now refused unread.
#[test]
fn a_small_ods_that_expands_to_millions_of_cells_is_refused_unread() {
    let rows: u32 = std::env::var("ANJU_ODS_ROWS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(6_100);
    let bytes = repeated_ods(rows);
    let before = peak_memory();
    let started = Instant::now();
    let result = read_roster_bytes(&bytes, FILE);
    let (took, grew) = (started.elapsed(), peak_memory().saturating_sub(before));
    println!(
        "{} bytes, {rows} rows: {took:?}, peak memory +{} MB",
        bytes.len(),
        grew >> 20
    );
    assert!(
        matches!(
            result,
            Err(RosterFileError::NotARoster {
                found: FileKind::OpenDocumentSheet,
                ..
            })
        ),
        "{result:?}"
    );
    assert!(
        grew < 256 << 20,
        "reading {} bytes took {} MB",
        bytes.len(),
        grew >> 20
    );
    assert!(
        took < Duration::from_secs(2),
        "reading {} bytes took {took:?}",
        bytes.len()
    );
}

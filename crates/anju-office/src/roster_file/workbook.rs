//! Workbooks (`.xlsx`, `.xls`) read within the roster's limits.
//!
//! A hostile workbook can be tiny and still ask for the moon: two cells at `A1` and
//! `XFD1048576` make a dense range of 17 billion cells, and a ZIP of 2 MB can unpack to
//! gigabytes. So the ZIP is unpacked once into nothing, counting, before anything is
//! parsed; an `.xlsx` sheet is read cell by cell (never as a dense range); and every cell
//! is placed only after its row, column and the running count are checked.

use std::collections::BTreeMap;
use std::io::{Cursor, Read};

use std::time::Instant;

use anju_core::roster::{Cell, RosterTable};
use calamine::{Data, DataRef, Reader, Xls, Xlsx, open_workbook_from_rs};

use super::{
    Built, MAX_ROSTER_CELLS, MAX_ROSTER_COLUMNS, MAX_ROSTER_ROWS, MAX_UNPACKED_BYTES,
    MAX_ZIP_ENTRIES, NumberedRow, READ_TIME_BUDGET, RosterFileError, RosterLimit, build_table,
    trim,
};

/// Which reader a workbook needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum WorkbookKind {
    Xlsx,
    Xls,
}

/// The first worksheet of a workbook that has a header row.
pub(super) fn read_workbook(
    bytes: &[u8],
    file: String,
    kind: WorkbookKind,
) -> Result<RosterTable, RosterFileError> {
    let started = Instant::now();
    if kind != WorkbookKind::Xls {
        check_unpacked_size(bytes, &file)?;
    }
    // The reader's own panics (its arithmetic on hostile numbers, say) end as a refused
    // file, never as a crash: the references are scanned first, and this is the last guard.
    let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match kind {
        WorkbookKind::Xlsx => xlsx_sheets(bytes, &file, started),
        WorkbookKind::Xls => range_sheets::<Xls<_>>(bytes, &file, started),
    }));
    let sheets = match read {
        Ok(sheets) => sheets?,
        Err(_) => {
            return Err(RosterFileError::Spreadsheet {
                file,
                message: "表格结构有误，无法读取 / the spreadsheet's structure is broken".into(),
            });
        }
    };
    let mut first_error = None;
    let mut saw_data = false;
    for sheet in sheets {
        let rows = match sheet {
            Ok(sheet) => sheet.into_rows(&file)?,
            Err(error) => {
                first_error.get_or_insert(error);
                continue;
            }
        };
        match build_table(rows) {
            Built::Table(table) if table.rows.is_empty() => {
                return Err(RosterFileError::EmptyFile { file });
            }
            Built::Table(table) => return Ok(table),
            Built::NoHeader => saw_data = true,
            Built::Blank => {}
        }
    }
    Err(match first_error {
        Some(error) if !saw_data => error,
        _ if saw_data => RosterFileError::NoHeader { file },
        _ => RosterFileError::EmptyFile { file },
    })
}

fn spreadsheet_error(file: &str, error: &dyn std::fmt::Display) -> RosterFileError {
    RosterFileError::Spreadsheet {
        file: file.to_string(),
        message: error.to_string(),
    }
}

/// Unpack every entry of the ZIP into nothing, stopping at [`MAX_UNPACKED_BYTES`] in all:
/// the sizes a ZIP declares can lie, the bytes it inflates to cannot.
fn check_unpacked_size(bytes: &[u8], file: &str) -> Result<(), RosterFileError> {
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| spreadsheet_error(file, &e))?;
    if archive.len() > MAX_ZIP_ENTRIES {
        return Err(RosterLimit::ZipEntries {
            entries: archive.len(),
        }
        .on(file));
    }
    let mut total: u64 = 0;
    for index in 0..archive.len() {
        let entry = archive
            .by_index(index)
            .map_err(|e| spreadsheet_error(file, &e))?;
        let is_sheet = entry
            .name()
            .is_ok_and(|name| name.starts_with("xl/worksheets/"));
        let allowed = MAX_UNPACKED_BYTES - total;
        let mut limited = entry.take(allowed + 1);
        let mut scanner = is_sheet.then(ReferenceScanner::default);
        let mut buffer = vec![0u8; 64 * 1024];
        loop {
            let read = limited
                .read(&mut buffer)
                .map_err(|e| spreadsheet_error(file, &e))?;
            if read == 0 {
                break;
            }
            total = total.saturating_add(read as u64);
            if total > MAX_UNPACKED_BYTES {
                return Err(RosterLimit::Unpacked.on(file));
            }
            if let Some(scanner) = &mut scanner {
                scanner
                    .scan(&buffer[..read])
                    .map_err(|limit| limit.on(file))?;
            }
        }
    }
    Ok(())
}

/// The cell and row references of a worksheet's XML (`r="XFD1048576"`, `r='7'`,
/// `ref="A1:C9"`, in any case, with any spacing XML allows), checked as the bytes go by: a
/// cell or row (`r`) past the roster's rows or columns, or any reference (`ref` too) past
/// a sheet's 1,048,576 rows and 16,384 columns, refuses the file before it is parsed. The
/// spreadsheet reader adds such numbers up in 32 bits and panics or wraps past them.
#[derive(Default)]
struct ReferenceScanner {
    /// The end of the previous chunk, where an attribute may have begun.
    tail: Vec<u8>,
}

/// Kept from one chunk to the next: an attribute's name, `=` and spaces fit in it.
const REFERENCE_WINDOW: usize = 64;
/// The longest attribute value followed across chunks; a real reference has at most 21
/// characters (`XFD1048576:XFD1048576`).
const MAX_REFERENCE_BYTES: usize = 4096;
/// A sheet's own bounds.
const SHEET_ROWS: u64 = 1_048_576;
const SHEET_COLUMNS: u64 = 16_384;

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

fn is_name_char(b: Option<&u8>) -> bool {
    b.is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b':' | b'-' | b'.'))
}

impl ReferenceScanner {
    fn scan(&mut self, chunk: &[u8]) -> Result<(), RosterLimit> {
        let mut data = std::mem::take(&mut self.tail);
        data.extend_from_slice(chunk);
        let mut i = 0;
        let mut unfinished = None;
        while i + 1 < data.len() {
            if !(is_space(data[i]) && data[i + 1] == b'r') {
                i += 1;
                continue;
            }
            let name_len = if data[i + 1..].starts_with(b"ref") && !is_name_char(data.get(i + 4)) {
                3
            } else if !is_name_char(data.get(i + 2)) {
                1
            } else {
                i += 1;
                continue;
            };
            match attribute_value(&data, i + 1 + name_len) {
                Value::Found { start, end } => {
                    check_reference(&data[start..end], name_len == 1)?;
                    i = end;
                }
                Value::NotAnAttribute => i += 1,
                Value::Unfinished => {
                    unfinished = Some(i);
                    break;
                }
            }
        }
        self.tail = match unfinished {
            Some(start) if data.len() - start > MAX_REFERENCE_BYTES => {
                return Err(RosterLimit::Rows {
                    cell: String::from_utf8_lossy(&data[start..start + 24])
                        .trim()
                        .to_string(),
                });
            }
            Some(start) => data[start..].to_vec(),
            None => data[data.len().saturating_sub(REFERENCE_WINDOW)..].to_vec(),
        };
        Ok(())
    }
}

enum Value {
    Found { start: usize, end: usize },
    NotAnAttribute,
    Unfinished,
}

/// After an attribute's name at `at`: spaces, `=`, spaces, a quote, the value, the quote.
fn attribute_value(data: &[u8], mut at: usize) -> Value {
    let skip = |at: &mut usize| {
        while data.get(*at).copied().is_some_and(is_space) {
            *at += 1;
        }
    };
    skip(&mut at);
    match data.get(at) {
        None => return Value::Unfinished,
        Some(b'=') => at += 1,
        Some(_) => return Value::NotAnAttribute,
    }
    skip(&mut at);
    let quote = match data.get(at) {
        None => return Value::Unfinished,
        Some(q @ (b'"' | b'\'')) => *q,
        Some(_) => return Value::NotAnAttribute,
    };
    let start = at + 1;
    match data[start..].iter().position(|b| *b == quote) {
        Some(length) => Value::Found {
            start,
            end: start + length,
        },
        None => Value::Unfinished,
    }
}

/// A reference or a range of them: letters (the column, any case) then digits (the row).
/// `roster`: a cell or row of the sheet, held to the roster's limits; otherwise only to a
/// sheet's.
fn check_reference(value: &[u8], roster: bool) -> Result<(), RosterLimit> {
    for part in value.split(|b| *b == b':') {
        let part = part.trim_ascii();
        let letters = part.iter().take_while(|b| b.is_ascii_alphabetic()).count();
        let (column, row) = part.split_at(letters);
        if !row.iter().all(u8::is_ascii_digit) {
            continue;
        }
        let number = |digits: &[u8], base: u64, value: fn(u8) -> u64| {
            digits.iter().fold(0u64, |n, b| {
                n.saturating_mul(base).saturating_add(value(*b))
            })
        };
        let row_number = number(row, 10, |b| u64::from(b - b'0'));
        let column_number = number(column, 26, |b| u64::from(b.to_ascii_uppercase() - b'A') + 1);
        let (max_rows, max_columns) = if roster {
            (u64::from(MAX_ROSTER_ROWS), u64::from(MAX_ROSTER_COLUMNS))
        } else {
            (SHEET_ROWS, SHEET_COLUMNS)
        };
        let shown = || String::from_utf8_lossy(&part[..part.len().min(24)]).into_owned();
        if row_number > max_rows {
            return Err(RosterLimit::Rows { cell: shown() });
        }
        if column_number > max_columns {
            return Err(RosterLimit::Columns { cell: shown() });
        }
    }
    Ok(())
}

/// One worksheet's cells that hold something, by row, within the limits.
#[derive(Default)]
pub(super) struct SparseSheet {
    rows: BTreeMap<u32, Vec<(u32, Cell)>>,
    cells: usize,
}

impl SparseSheet {
    /// Place a cell at 0-based `(row, column)`.
    fn add(
        &mut self,
        row: u32,
        column: u32,
        cell: Cell,
        file: &str,
    ) -> Result<(), RosterFileError> {
        if cell.is_blank() {
            return Ok(());
        }
        if row >= MAX_ROSTER_ROWS {
            return Err(RosterLimit::Rows {
                cell: cell_name(row, column),
            }
            .on(file));
        }
        if column >= MAX_ROSTER_COLUMNS {
            return Err(RosterLimit::Columns {
                cell: cell_name(row, column),
            }
            .on(file));
        }
        self.cells += 1;
        if self.cells > MAX_ROSTER_CELLS {
            return Err(RosterLimit::Cells.on(file));
        }
        self.rows.entry(row).or_default().push((column, cell));
        Ok(())
    }

    /// The rows with their spreadsheet numbers, from the sheet's leftmost filled column
    /// (as a spreadsheet's used range starts), each as wide as its last cell. The width
    /// counts against the cell limit too, so a cell far to the right on every row cannot
    /// make the table large.
    fn into_rows(self, file: &str) -> Result<Vec<NumberedRow>, RosterFileError> {
        let left = self
            .rows
            .values()
            .flat_map(|cells| cells.iter().map(|(c, _)| *c))
            .min()
            .unwrap_or(0);
        let mut dense: usize = 0;
        let mut rows = Vec::with_capacity(self.rows.len());
        for (row, mut cells) in self.rows {
            for (column, _) in &mut cells {
                *column -= left;
            }
            let width = cells
                .iter()
                .map(|(c, _)| *c as usize + 1)
                .max()
                .unwrap_or(0);
            dense = dense.saturating_add(width);
            if dense > MAX_ROSTER_CELLS {
                return Err(RosterLimit::Cells.on(file));
            }
            let mut line = vec![Cell::default(); width];
            for (column, cell) in cells {
                line[column as usize] = cell;
            }
            rows.push((row as usize + 1, line));
        }
        Ok(rows)
    }
}

/// `A1`-style name of a 0-based cell position, for messages.
pub fn cell_name(row: u32, column: u32) -> String {
    let mut letters = Vec::new();
    let mut n = u64::from(column) + 1;
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        letters.push(char::from(b'A' + rem));
        n = (n - 1) / 26;
    }
    letters.reverse();
    format!(
        "{}{}",
        letters.into_iter().collect::<String>(),
        u64::from(row) + 1
    )
}

fn check_time(started: Instant, file: &str) -> Result<(), RosterFileError> {
    if started.elapsed() > READ_TIME_BUDGET {
        return Err(RosterLimit::Time.on(file));
    }
    Ok(())
}

type Sheets = Vec<Result<SparseSheet, RosterFileError>>;

/// Every sheet of an `.xlsx`, read cell by cell.
fn xlsx_sheets(bytes: &[u8], file: &str, started: Instant) -> Result<Sheets, RosterFileError> {
    let mut workbook: Xlsx<_> =
        open_workbook_from_rs(Cursor::new(bytes)).map_err(|e| spreadsheet_error(file, &e))?;
    let mut sheets = Vec::new();
    for name in workbook.sheet_names() {
        let mut reader = match workbook.worksheet_cells_reader(&name) {
            Ok(reader) => reader,
            Err(error) => {
                sheets.push(Err(spreadsheet_error(file, &error)));
                continue;
            }
        };
        let mut sheet = SparseSheet::default();
        let mut read: u64 = 0;
        let outcome = loop {
            match reader.next_cell() {
                Ok(Some(cell)) => {
                    let (row, column) = cell.get_position();
                    sheet.add(row, column, data_ref_cell(cell.get_value()), file)?;
                }
                Ok(None) => break Ok(sheet),
                Err(error) => break Err(spreadsheet_error(file, &error)),
            }
            read += 1;
            if read.is_multiple_of(4096) {
                check_time(started, file)?;
            }
        };
        sheets.push(outcome);
    }
    Ok(sheets)
}

/// Every sheet of an `.xls`. Its reader builds each sheet when the file is opened, within
/// the format's own bounds (65,536 × 256 cells: up to about 1 GB for a hostile file, which
/// is why imports are read one at a time); only the cells that hold something are taken
/// from there.
fn range_sheets<'a, R>(
    bytes: &'a [u8],
    file: &str,
    started: Instant,
) -> Result<Sheets, RosterFileError>
where
    R: Reader<Cursor<&'a [u8]>>,
    R::Error: std::fmt::Display,
{
    let mut workbook: R =
        open_workbook_from_rs(Cursor::new(bytes)).map_err(|e| spreadsheet_error(file, &e))?;
    let mut sheets = Vec::new();
    for name in workbook.sheet_names() {
        let range = match workbook.worksheet_range(&name) {
            Ok(range) => range,
            Err(error) => {
                sheets.push(Err(spreadsheet_error(file, &error)));
                continue;
            }
        };
        let mut sheet = SparseSheet::default();
        for (index, (row, column, data)) in range.used_cells().enumerate() {
            let (row, column) = (
                u32::try_from(row).unwrap_or(u32::MAX),
                u32::try_from(column).unwrap_or(u32::MAX),
            );
            // `used_cells` counts from the range's start; positions are absolute.
            let (start_row, start_column) = range.start().unwrap_or((0, 0));
            sheet.add(
                start_row.saturating_add(row),
                start_column.saturating_add(column),
                data_cell(data),
                file,
            )?;
            if index % 4096 == 4095 {
                check_time(started, file)?;
            }
        }
        sheets.push(Ok(sheet));
    }
    Ok(sheets)
}

/// A spreadsheet cell as text. Whole numbers lose Excel's `.0` (`4.0` → `4`) and are
/// marked as numbers, so that an ID number Excel stored as a number can be named.
pub(super) fn data_cell(data: &Data) -> Cell {
    match data {
        Data::Empty => Cell::default(),
        Data::String(text) => Cell::text(trim(text)),
        Data::Int(n) => Cell::number(n.to_string()),
        Data::Float(f) => Cell::number(float_text(*f)),
        Data::Bool(b) => Cell::text(if *b { "TRUE" } else { "FALSE" }),
        Data::DateTime(dt) if dt.is_datetime() => {
            let (year, month, day, hour, minute, second, _) = dt.to_ymd_hms_milli();
            if (hour, minute, second) == (0, 0, 0) {
                Cell::text(format!("{year:04}-{month:02}-{day:02}"))
            } else {
                Cell::text(format!(
                    "{year:04}-{month:02}-{day:02} {hour:02}:{minute:02}:{second:02}"
                ))
            }
        }
        Data::DateTime(dt) => Cell::number(float_text(dt.as_f64())),
        Data::DateTimeIso(text) | Data::DurationIso(text) => Cell::text(trim(text)),
        Data::Error(error) => Cell::text(error.to_string()),
    }
}

/// The same for a cell read by the `.xlsx` cell reader.
fn data_ref_cell(data: &DataRef<'_>) -> Cell {
    match data {
        DataRef::SharedString(text) => Cell::text(trim(text)),
        DataRef::String(text) => data_cell(&Data::String(text.clone())),
        DataRef::Int(n) => data_cell(&Data::Int(*n)),
        DataRef::Float(f) => data_cell(&Data::Float(*f)),
        DataRef::Bool(b) => data_cell(&Data::Bool(*b)),
        DataRef::DateTime(dt) => data_cell(&Data::DateTime(*dt)),
        DataRef::DateTimeIso(text) => Cell::text(trim(text)),
        DataRef::DurationIso(text) => Cell::text(trim(text)),
        DataRef::Error(error) => Cell::text(error.to_string()),
        DataRef::Empty => Cell::default(),
    }
}

pub(super) fn float_text(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 {
        // Exact for any whole f64; no exponent even past 1e15.
        format!("{f:.0}")
    } else {
        f.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_past_the_limits_are_found_across_chunks() {
        let mut scanner = ReferenceScanner::default();
        assert!(
            scanner
                .scan(br#"<row r="3"><c r="B3" t="s"><v>1</v></c></row><c r="A4"#)
                .is_ok()
        );
        // The reference began in the last chunk and ends in this one.
        let error = scanner.scan(br#"294967298"></c>"#).unwrap_err();
        assert!(
            matches!(error, RosterLimit::Rows { ref cell } if cell == "A4294967298"),
            "{error:?}"
        );
        let mut scanner = ReferenceScanner::default();
        assert!(matches!(
            scanner.scan(br#"<c r="MWLQKWV2">"#),
            Err(RosterLimit::Columns { .. })
        ));
        let mut scanner = ReferenceScanner::default();
        assert!(matches!(
            scanner.scan(br#"<row r="99999999999999999999999">"#),
            Err(RosterLimit::Rows { .. })
        ));
        // Other attributes and a sheet's own dimension are not cell references.
        let mut scanner = ReferenceScanner::default();
        assert!(
            scanner
                .scan(br#"<dimension ref="A1:XFD1048576"/><c r="C12" s="1">"#)
                .is_ok()
        );
    }

    #[test]
    fn cells_are_named_as_a_spreadsheet_names_them() {
        assert_eq!(cell_name(0, 0), "A1");
        assert_eq!(cell_name(9, 25), "Z10");
        assert_eq!(cell_name(0, 26), "AA1");
        assert_eq!(cell_name(1_048_575, 16_383), "XFD1048576");
    }
}

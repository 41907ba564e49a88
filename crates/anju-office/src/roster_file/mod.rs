//! Reading a household roster file into a [`RosterTable`] of strings, for
//! [`anju_core::roster::validate`].
//!
//! The format is found from the content, never from the file name:
//! - `PK\x03\x04` (a ZIP): an Excel workbook (`.xlsx`; an OpenDocument sheet is refused with
//!   a request to save it as `.xlsx`, because its reader expands repeated cells unbounded);
//! - `D0 CF 11 E0` (an OLE compound file): an old Excel workbook (`.xls`);
//! - anything else that is text: CSV or tab-separated text, in UTF-8 (with or without a
//!   BOM), UTF-16 with a BOM (Excel's "Unicode text"), or GBK/GB18030 (Excel's CSV on a
//!   Chinese Windows). The delimiter (comma, tab or semicolon) is the one that makes the
//!   most known headers appear; the full-width comma `，` is never a delimiter.
//!
//! Other content (a PDF, a picture, an archive, a Word file, an empty file) is refused with
//! an error that names the file.
//!
//! Row numbers are those a spreadsheet shows: 1-based, counting blank rows and rows above
//! the header. For a workbook they come from the cells' absolute positions, so a sheet
//! whose data starts at row 3 still reports row 3. For text they are the line on which a
//! record *starts*: a quoted field that spans several lines makes later records' numbers
//! the text lines a text editor shows, which are larger than the rows Excel would show.
//!
//! The header is the first row, among the first [`HEADER_SEARCH_ROWS`] non-blank rows, that
//! names at least [`MIN_HEADER_COLUMNS`] known columns; rows above it (a title) are dropped.
//! Blank rows are skipped (their numbers are kept by the rows after them).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anju_core::roster::{Cell, RosterRecord, RosterTable, recognise_header};
use encoding_rs::{DecoderResult, Encoding, GB18030, UTF_8, UTF_16BE, UTF_16LE};

mod workbook;

pub use workbook::cell_name;
use workbook::{WorkbookKind, read_workbook};

/// How many non-blank rows from the top may hold the header.
pub const HEADER_SEARCH_ROWS: usize = 10;
/// How many known columns make a row the header.
pub const MIN_HEADER_COLUMNS: usize = 3;

// The limits of a roster file. A county's roster of 100,000 households is about a tenth
// of each; a file past any of them is refused with the limit named.
/// The largest roster file read from disk.
pub const MAX_ROSTER_FILE_BYTES: u64 = 64 << 20;
/// Rows of a sheet (the spreadsheet's row number, blank rows included).
pub const MAX_ROSTER_ROWS: u32 = 200_000;
/// Columns of a sheet.
pub const MAX_ROSTER_COLUMNS: u32 = 64;
/// Cells of a sheet, counting each row as wide as its last filled cell.
pub const MAX_ROSTER_CELLS: usize = 4_000_000;
/// What the ZIP of an `.xlsx` may unpack to, all entries together.
pub const MAX_UNPACKED_BYTES: u64 = 128 << 20;
/// Entries in the ZIP of an `.xlsx`.
pub const MAX_ZIP_ENTRIES: usize = 10_000;
/// One record of a CSV file (a line, or several when a quoted field spans lines).
pub const MAX_LINE_BYTES: usize = 64 << 10;
/// How long reading one file may take.
pub const READ_TIME_BUDGET: Duration = Duration::from_secs(60);

/// Which limit a roster file went past.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RosterLimit {
    FileSize { bytes: u64 },
    Rows { cell: String },
    Columns { cell: String },
    Cells,
    Unpacked,
    ZipEntries { entries: usize },
    Line { line: usize },
    Time,
}

impl RosterLimit {
    /// A stable name, for the answer's code and for tests.
    pub fn code(&self) -> &'static str {
        match self {
            Self::FileSize { .. } => "file_size",
            Self::Rows { .. } => "rows",
            Self::Columns { .. } => "columns",
            Self::Cells => "cells",
            Self::Unpacked => "unpacked_size",
            Self::ZipEntries { .. } => "zip_entries",
            Self::Line { .. } => "line_length",
            Self::Time => "read_time",
        }
    }

    fn zh(&self) -> String {
        match self {
            Self::FileSize { bytes } => format!(
                "文件有 {bytes} 字节，上限 {} MB",
                MAX_ROSTER_FILE_BYTES >> 20
            ),
            Self::Rows { cell } => {
                format!("单元格 {cell} 超出 {MAX_ROSTER_ROWS} 行的上限")
            }
            Self::Columns { cell } => {
                format!("单元格 {cell} 超出 {MAX_ROSTER_COLUMNS} 列的上限")
            }
            Self::Cells => format!("单元格超过 {MAX_ROSTER_CELLS} 个的上限"),
            Self::Unpacked => format!(
                "解压后超过 {} MB 的上限（可能是压缩炸弹）",
                MAX_UNPACKED_BYTES >> 20
            ),
            Self::ZipEntries { entries } => {
                format!("压缩包内有 {entries} 个部件，上限 {MAX_ZIP_ENTRIES}")
            }
            Self::Line { line } => format!("第{line}行超过 {} KB 的上限", MAX_LINE_BYTES >> 10),
            Self::Time => format!("读取超过 {} 秒的上限", READ_TIME_BUDGET.as_secs()),
        }
    }

    fn en(&self) -> String {
        match self {
            Self::FileSize { bytes } => format!(
                "it has {bytes} bytes, at most {} MB",
                MAX_ROSTER_FILE_BYTES >> 20
            ),
            Self::Rows { cell } => {
                format!("cell {cell} is past the limit of {MAX_ROSTER_ROWS} rows")
            }
            Self::Columns { cell } => {
                format!("cell {cell} is past the limit of {MAX_ROSTER_COLUMNS} columns")
            }
            Self::Cells => format!("more than {MAX_ROSTER_CELLS} cells"),
            Self::Unpacked => format!(
                "it unpacks to more than {} MB (perhaps a zip bomb)",
                MAX_UNPACKED_BYTES >> 20
            ),
            Self::ZipEntries { entries } => {
                format!("its ZIP holds {entries} parts, at most {MAX_ZIP_ENTRIES}")
            }
            Self::Line { line } => {
                format!("line {line} is longer than {} KB", MAX_LINE_BYTES >> 10)
            }
            Self::Time => format!("reading took longer than {} s", READ_TIME_BUDGET.as_secs()),
        }
    }

    /// The error for `file`.
    pub fn on(self, file: &str) -> RosterFileError {
        RosterFileError::OverLimit {
            file: file.to_string(),
            zh: self.zh(),
            en: self.en(),
            limit: self,
        }
    }
}

/// Why a file could not be read as a roster. Messages are in Chinese, then English.
#[derive(Debug, thiserror::Error)]
pub enum RosterFileError {
    #[error("无法读取文件“{shown}”：{source} / cannot read the file '{shown}': {source}", shown = .path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "文件“{file}”不是花名册表格（看来是{zh}）：请提供Excel（.xlsx、.xls）或CSV文件 / the file '{file}' is not a roster table (it looks like {en}): give an Excel (.xlsx, .xls) or CSV file",
        zh = .found.label_zh(),
        en = .found.label_en()
    )]
    NotARoster { file: String, found: FileKind },
    #[error(
        "文件“{file}”第{line}行不是有效的{encoding}文本：请另存为“CSV UTF-8”后重试 / line {line} of '{file}' is not valid {encoding} text: save it as \"CSV UTF-8\" and try again"
    )]
    Encoding {
        file: String,
        line: usize,
        encoding: &'static str,
    },
    #[error(
        "无法读取表格文件“{file}”：{message} / cannot read the spreadsheet '{file}': {message}"
    )]
    Spreadsheet { file: String, message: String },
    #[error(
        "找不到表头：文件“{file}”的前{HEADER_SEARCH_ROWS}行中没有一行包含乡镇、村、户主姓名、身份证号等列名 / no header row found in '{file}': expected columns such as 乡镇, 村, 户主姓名, 身份证号 in one of the first {HEADER_SEARCH_ROWS} rows"
    )]
    NoHeader { file: String },
    #[error("文件“{file}”中没有任何户的数据 / the file '{file}' holds no household rows")]
    EmptyFile { file: String },
    #[error("文件“{file}”超出名册的限度：{zh} / the file '{file}' is over a roster limit: {en}")]
    OverLimit {
        file: String,
        limit: RosterLimit,
        zh: String,
        en: String,
    },
}

/// What a refused file appears to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Pdf,
    Image,
    Archive,
    /// A Word, PowerPoint or OpenDocument text file.
    OfficeDocument,
    /// An OpenDocument spreadsheet (`.ods`), which is not read: it is to be saved as `.xlsx`.
    OpenDocumentSheet,
    /// Binary content of no known kind.
    Binary,
}

impl FileKind {
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Pdf => "PDF文件",
            Self::Image => "图片",
            Self::Archive => "压缩包",
            Self::OfficeDocument => "Word、PowerPoint等文档",
            Self::OpenDocumentSheet => "OpenDocument表格（.ods），请另存为.xlsx",
            Self::Binary => "二进制文件",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Self::Pdf => "a PDF",
            Self::Image => "an image",
            Self::Archive => "an archive",
            Self::OfficeDocument => "a Word, PowerPoint or similar document",
            Self::OpenDocumentSheet => "an OpenDocument spreadsheet (.ods): save it as .xlsx",
            Self::Binary => "a binary file",
        }
    }
}

/// Read a roster file from disk.
pub fn read_roster(path: &Path) -> Result<RosterTable, RosterFileError> {
    let io = |source| RosterFileError::Io {
        path: path.to_path_buf(),
        source,
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    let size = std::fs::metadata(path).map_err(io)?.len();
    if size > MAX_ROSTER_FILE_BYTES {
        return Err(RosterLimit::FileSize { bytes: size }.on(&name));
    }
    let bytes = std::fs::read(path).map_err(io)?;
    read_roster_bytes(&bytes, &name)
}

/// Read a roster from the bytes of a file; `file_name` is only used in messages.
pub fn read_roster_bytes(bytes: &[u8], file_name: &str) -> Result<RosterTable, RosterFileError> {
    let file = file_name.to_string();
    if bytes.len() as u64 > MAX_ROSTER_FILE_BYTES {
        return Err(RosterLimit::FileSize {
            bytes: bytes.len() as u64,
        }
        .on(&file));
    }
    match sniff(bytes) {
        Content::Xlsx { surely: true } => read_workbook(bytes, file, WorkbookKind::Xlsx),
        Content::Xlsx { surely: false } => read_workbook(bytes, file.clone(), WorkbookKind::Xlsx)
            .map_err(|error| match error {
                RosterFileError::Spreadsheet { .. } => RosterFileError::NotARoster {
                    file,
                    found: FileKind::Archive,
                },
                other => other,
            }),
        Content::Xls => read_workbook(bytes, file, WorkbookKind::Xls),
        // calamine expands an .ods's repeated cells before any limit can apply (a 1 KB file
        // becomes gigabytes), so OpenDocument sheets are asked for as .xlsx instead.
        Content::Ods => Err(RosterFileError::NotARoster {
            file,
            found: FileKind::OpenDocumentSheet,
        }),
        Content::Refused(found) => Err(RosterFileError::NotARoster { file, found }),
        Content::Text => {
            let text = decode_text(bytes, &file)?;
            read_text(&text, file)
        }
    }
}

enum Content {
    /// `surely` is false for a ZIP that shows no sign of being a workbook.
    Xlsx {
        surely: bool,
    },
    Xls,
    Ods,
    Text,
    Refused(FileKind),
}

/// What the first bytes say the file is.
fn sniff(bytes: &[u8]) -> Content {
    const OLE: &[u8] = &[0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
    if bytes.starts_with(b"PK\x03\x04") {
        // Entry names are stored uncompressed in a ZIP's local headers.
        return if contains(bytes, b"xl/workbook") {
            Content::Xlsx { surely: true }
        } else if contains(bytes, b"opendocument.spreadsheet") {
            Content::Ods
        } else if contains(bytes, b"word/document")
            || contains(bytes, b"ppt/presentation")
            || contains(bytes, b"application/vnd.oasis.opendocument")
        {
            Content::Refused(FileKind::OfficeDocument)
        } else {
            // Perhaps a workbook with unusual part names; if not, an archive.
            Content::Xlsx { surely: false }
        };
    }
    if bytes.starts_with(OLE) {
        return Content::Xls;
    }
    let images: [&[u8]; 6] = [
        b"\x89PNG\r\n\x1a\n",
        b"\xff\xd8\xff",
        b"GIF87a",
        b"GIF89a",
        b"II*\x00",
        b"MM\x00*",
    ];
    if bytes.starts_with(b"%PDF") {
        Content::Refused(FileKind::Pdf)
    } else if images.iter().any(|magic| bytes.starts_with(magic))
        || (bytes.starts_with(b"RIFF") && bytes.get(8..12) == Some(b"WEBP"))
        || bytes.starts_with(b"BM") && bytes.len() > 14 && bytes.contains(&0)
    {
        Content::Refused(FileKind::Image)
    } else if bytes.starts_with(b"Rar!")
        || bytes.starts_with(b"7z\xbc\xaf\x27\x1c")
        || bytes.starts_with(b"\x1f\x8b")
        || bytes.starts_with(b"PK\x05\x06")
    {
        Content::Refused(FileKind::Archive)
    } else {
        Content::Text
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The text of a CSV or tab-separated file, in whichever encoding it was saved.
fn decode_text(bytes: &[u8], file: &str) -> Result<String, RosterFileError> {
    if let Some(rest) = bytes.strip_prefix(b"\xef\xbb\xbf") {
        return decode_strict(UTF_8, rest, file, "UTF-8");
    }
    if let Some(rest) = bytes.strip_prefix(b"\xff\xfe") {
        return decode_strict(UTF_16LE, rest, file, "UTF-16LE");
    }
    if let Some(rest) = bytes.strip_prefix(b"\xfe\xff") {
        return decode_strict(UTF_16BE, rest, file, "UTF-16BE");
    }
    if bytes.contains(&0) {
        return decode_utf16_without_bom(bytes, file);
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.to_string()),
        Err(error) => {
            let valid = &bytes[..error.valid_up_to()];
            if valid.is_ascii() {
                decode_strict(GB18030, bytes, file, "GBK")
            } else {
                // Chinese text already read as UTF-8: a damaged UTF-8 file, not GBK.
                Err(RosterFileError::Encoding {
                    file: file.to_string(),
                    line: line_of(valid),
                    encoding: "UTF-8",
                })
            }
        }
    }
}

/// UTF-16 without a BOM has a zero byte in every ASCII character (delimiters, line ends),
/// all on the same side; anything else with zero bytes is binary.
fn decode_utf16_without_bom(bytes: &[u8], file: &str) -> Result<String, RosterFileError> {
    let binary = || RosterFileError::NotARoster {
        file: file.to_string(),
        found: FileKind::Binary,
    };
    let zeros = |parity: usize| {
        bytes
            .iter()
            .enumerate()
            .filter(|(i, b)| **b == 0 && i % 2 == parity)
            .count()
    };
    let (even, odd) = (zeros(0), zeros(1));
    let encoding = if !bytes.len().is_multiple_of(2) {
        return Err(binary());
    } else if odd > even.saturating_mul(4) {
        UTF_16LE
    } else if even > odd.saturating_mul(4) {
        UTF_16BE
    } else {
        return Err(binary());
    };
    let text = decode_strict(encoding, bytes, file, encoding.name()).map_err(|_| binary())?;
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\r' | '\n'))
    {
        return Err(binary());
    }
    Ok(text)
}

/// The line (1-based) on which text ending with these bytes stands.
fn line_of(before: &[u8]) -> usize {
    before.iter().filter(|b| **b == b'\n').count() + 1
}

/// Decode without replacing anything: a malformed sequence is an error naming its line.
fn decode_strict(
    encoding: &'static Encoding,
    bytes: &[u8],
    file: &str,
    label: &'static str,
) -> Result<String, RosterFileError> {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let capacity = decoder
        .max_utf8_buffer_length_without_replacement(bytes.len())
        .unwrap_or(bytes.len().saturating_mul(3));
    let mut text = String::with_capacity(capacity);
    let mut rest = bytes;
    loop {
        let (result, read) = decoder.decode_to_string_without_replacement(rest, &mut text, true);
        rest = &rest[read..];
        match result {
            DecoderResult::InputEmpty => return Ok(text),
            DecoderResult::OutputFull => text.reserve(rest.len().saturating_mul(3).max(16)),
            DecoderResult::Malformed(_, _) => {
                return Err(RosterFileError::Encoding {
                    file: file.to_string(),
                    line: line_of(text.as_bytes()),
                    encoding: label,
                });
            }
        }
    }
}

/// A row with its spreadsheet row number.
type NumberedRow = (usize, Vec<Cell>);

/// CSV or tab-separated text to a table.
fn read_text(text: &str, file: String) -> Result<RosterTable, RosterFileError> {
    if text.trim().is_empty() {
        return Err(RosterFileError::EmptyFile { file });
    }
    let mut best: Option<(usize, Vec<NumberedRow>)> = None;
    for delimiter in [b',', b'\t', b';'] {
        let rows = parse_delimited(text, delimiter, &file)?;
        let score = header_score(&rows);
        if best
            .as_ref()
            .is_none_or(|(best_score, _)| score > *best_score)
        {
            best = Some((score, rows));
        }
    }
    let rows = best.map(|(_, rows)| rows).unwrap_or_default();
    match build_table(rows) {
        Built::Table(table) if table.rows.is_empty() => Err(RosterFileError::EmptyFile { file }),
        Built::Table(table) => Ok(table),
        Built::NoHeader => Err(RosterFileError::NoHeader { file }),
        Built::Blank => Err(RosterFileError::EmptyFile { file }),
    }
}

fn parse_delimited(
    text: &str,
    delimiter: u8,
    file: &str,
) -> Result<Vec<NumberedRow>, RosterFileError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let mut lines = LineCounter::new(text);
    let started = Instant::now();
    for record in reader.records() {
        let record = record.map_err(|error| RosterFileError::Encoding {
            file: file.to_string(),
            line: error
                .position()
                .map(|p| usize::try_from(p.line()).unwrap_or(usize::MAX))
                .unwrap_or(0),
            encoding: "UTF-8",
        })?;
        // The csv crate's own line count drifts on CRLF and blank lines: count ourselves.
        let start = record
            .position()
            .map(|p| usize::try_from(p.byte()).unwrap_or(usize::MAX))
            .unwrap_or(text.len());
        let line = lines.line_of_record_at(start);
        if record.as_slice().len() > MAX_LINE_BYTES {
            return Err(RosterLimit::Line { line }.on(file));
        }
        if record.len() > MAX_ROSTER_COLUMNS as usize {
            return Err(RosterLimit::Columns {
                cell: cell_name(
                    u32::try_from(line.saturating_sub(1)).unwrap_or(u32::MAX),
                    MAX_ROSTER_COLUMNS,
                ),
            }
            .on(file));
        }
        if rows.len() >= MAX_ROSTER_ROWS as usize {
            return Err(RosterLimit::Rows {
                cell: format!("A{line}"),
            }
            .on(file));
        }
        if rows.len() % 4096 == 4095 && started.elapsed() > READ_TIME_BUDGET {
            return Err(RosterLimit::Time.on(file));
        }
        rows.push((line, record.iter().map(text_cell).collect()));
    }
    Ok(rows)
}

/// Line numbers of byte offsets, for offsets that only grow.
struct LineCounter<'a> {
    text: &'a [u8],
    offset: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            text: text.as_bytes(),
            offset: 0,
            line: 1,
        }
    }

    /// The line on which a record whose reading began at `start` really starts: the
    /// reader begins before the blank lines it skips. `\r\n`, `\n` and `\r` each end a line.
    fn line_of_record_at(&mut self, start: usize) -> usize {
        let mut start = start.min(self.text.len());
        while matches!(self.text.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        while self.offset < start {
            match self.text[self.offset] {
                b'\n' => self.line += 1,
                b'\r' if self.text.get(self.offset + 1) != Some(&b'\n') => self.line += 1,
                _ => {}
            }
            self.offset += 1;
        }
        self.line
    }
}

/// A CSV field as a cell: trimmed, and Excel's `="0564…"` text trick undone.
fn text_cell(field: &str) -> Cell {
    let field = trim(field);
    let field = field
        .strip_prefix("=\"")
        .and_then(|f| f.strip_suffix('"'))
        .unwrap_or(field);
    Cell::text(trim(field))
}

fn trim(text: &str) -> &str {
    text.trim_matches(|c: char| c.is_whitespace() || matches!(c, '\u{feff}' | '\u{200b}'))
}

/// How many known headers the best of the first rows names.
fn header_score(rows: &[NumberedRow]) -> usize {
    rows.iter()
        .filter(|(_, cells)| !is_blank(cells))
        .take(HEADER_SEARCH_ROWS)
        .map(|(_, cells)| recognise_header(&texts(cells)))
        .max()
        .unwrap_or(0)
}

fn texts(cells: &[Cell]) -> Vec<String> {
    cells.iter().map(|c| c.text.clone()).collect()
}

fn is_blank(cells: &[Cell]) -> bool {
    cells.iter().all(Cell::is_blank)
}

enum Built {
    Table(RosterTable),
    NoHeader,
    /// Not a single non-blank row.
    Blank,
}

/// Find the header, drop what is above it and the blank rows below it.
fn build_table(rows: Vec<NumberedRow>) -> Built {
    let mut rows = rows
        .into_iter()
        .filter(|(_, cells)| !is_blank(cells))
        .peekable();
    if rows.peek().is_none() {
        return Built::Blank;
    }
    let mut header = None;
    for (row, cells) in rows.by_ref().take(HEADER_SEARCH_ROWS) {
        let headers = texts(&cells);
        if recognise_header(&headers) >= MIN_HEADER_COLUMNS {
            header = Some((row, headers));
            break;
        }
    }
    let Some((header_row, mut headers)) = header else {
        return Built::NoHeader;
    };
    while headers.last().is_some_and(|h| trim(h).is_empty()) {
        headers.pop();
    }
    let width = headers.len();
    let records = rows
        .map(|(row, mut cells)| {
            while cells.len() > width && cells.last().is_some_and(Cell::is_blank) {
                cells.pop();
            }
            RosterRecord { row, cells }
        })
        .collect();
    Built::Table(RosterTable {
        header_row,
        headers,
        rows: records,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_lose_their_point_zero() {
        use workbook::float_text;
        assert_eq!(float_text(4.0), "4");
        assert_eq!(float_text(4.5), "4.5");
        assert_eq!(float_text(-3.0), "-3");
        assert_eq!(float_text(341_502_197_503_089_000.0), "341502197503089024");
    }

    #[test]
    fn line_numbers_of_malformed_text() {
        let mut bytes = "乡镇,村\n".as_bytes().to_vec();
        bytes.extend_from_slice(b"a,b\n\xff\xfe");
        // Starts with UTF-8 Chinese, so it is a damaged UTF-8 file.
        match decode_text(&bytes, "x.csv") {
            Err(RosterFileError::Encoding { line, encoding, .. }) => {
                assert_eq!((line, encoding), (3, "UTF-8"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn excel_text_formula_is_undone() {
        assert_eq!(text_cell(" =\"0564-1234567\" ").text, "0564-1234567");
        assert_eq!(text_cell("=SUM(A1)").text, "=SUM(A1)");
    }
}

//! The household roster (花名册) a county exports from the national registry, as rules
//! with no I/O: which column is which, and whether each row is a household we can import.
//!
//! The file reader (`anju_office::roster_file`) turns a CSV or Excel file into a
//! [`RosterTable`] of trimmed strings; [`validate`] turns that table into
//! [`RosterRow`]s or into *every* problem it finds, each as `row N, COLUMN: REASON` where
//! `N` is the row number a spreadsheet shows and `COLUMN` the header as the file writes it.
//!
//! Columns are recognised by their Chinese header or an alias, in any order, ignoring case,
//! spaces, `_`/`-` and full-width forms ([`Column::headers`] is the one alias table).
//! Unknown columns are ignored and reported in [`ValidRoster::ignored_columns`].

use std::collections::HashMap;
use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::IdNumber;
use crate::model::{PlacementKind, PlacementMode};

/// The largest household the roster accepts.
pub const MAX_HOUSEHOLD_SIZE: u32 = 20;
/// The longest head-of-household name, in characters.
pub const MAX_NAME_CHARS: usize = 20;

/// The message for an ID number that Excel stored as a number.
pub const ID_STORED_AS_NUMBER: &str = "Excel把身份证号存成了数字，末几位已丢失：请把该列设为文本格式后重新录入 / Excel stored the ID number as a number and lost its last digits: format the column as text and enter it again";

/// One cell of the roster as the file holds it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Cell {
    pub text: String,
    /// The spreadsheet stored the cell as a number (Excel keeps 15 significant digits,
    /// so an 18-digit ID number stored this way has lost its last digits).
    pub was_number: bool,
}

impl Cell {
    /// A text cell.
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            was_number: false,
        }
    }

    /// A cell the spreadsheet stored as a number, already written out as text.
    pub fn number(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            was_number: true,
        }
    }

    /// True when the cell holds nothing but spaces.
    pub fn is_blank(&self) -> bool {
        clean(&self.text).is_empty()
    }
}

impl From<&str> for Cell {
    fn from(text: &str) -> Self {
        Self::text(text)
    }
}

/// A data row of the roster with its spreadsheet row number (1-based).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterRecord {
    pub row: usize,
    pub cells: Vec<Cell>,
}

/// A roster as read from a file: the header row and the non-blank rows below it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterTable {
    /// The spreadsheet row number of the header (1 unless a title sits above it).
    pub header_row: usize,
    pub headers: Vec<String>,
    pub rows: Vec<RosterRecord>,
}

/// The columns of a roster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Column {
    /// 乡镇
    Township,
    /// 村
    Village,
    /// 户主姓名
    HeadName,
    /// 身份证号
    IdNumber,
    /// 家庭人口
    Size,
    /// 联系电话
    Phone,
    /// 安置方式
    Mode,
    /// 安置类型
    Kind,
    /// 安置点
    Site,
    /// 纬度 of the house (or its site), WGS 84 degrees; optional, with 经度.
    Latitude,
    /// 经度
    Longitude,
    /// 房屋坐标: both in one cell, `31.7650,116.5100`.
    Coordinates,
}

impl Column {
    pub const ALL: [Column; 12] = [
        Self::Township,
        Self::Village,
        Self::HeadName,
        Self::IdNumber,
        Self::Size,
        Self::Phone,
        Self::Mode,
        Self::Kind,
        Self::Site,
        Self::Latitude,
        Self::Longitude,
        Self::Coordinates,
    ];

    /// The headers this column is known by; the first is the standard one.
    /// This is the only alias table: the file reader finds the header row with it too.
    pub fn headers(self) -> &'static [&'static str] {
        match self {
            Self::Township => &["乡镇", "乡镇名称", "乡（镇）", "乡镇（街道）", "township"],
            Self::Village => &["村", "行政村", "村名", "村委会", "村名称", "village"],
            Self::HeadName => &["户主姓名", "户主", "姓名", "head", "head_name", "name"],
            Self::IdNumber => &[
                "身份证号",
                "身份证号码",
                "户主身份证号",
                "户主身份证号码",
                "证件号码",
                "id_number",
                "id",
            ],
            Self::Size => &[
                "家庭人口",
                "人口数",
                "家庭人口数",
                "人口",
                "户人口数",
                "size",
                "people",
                "household_size",
            ],
            Self::Phone => &["联系电话", "电话", "手机", "手机号", "手机号码", "phone"],
            Self::Mode => &["安置方式", "mode", "placement"],
            Self::Kind => &["安置类型", "type", "kind"],
            Self::Site => &["安置点", "安置点名称", "site"],
            Self::Latitude => &["纬度", "房屋纬度", "北纬", "latitude", "lat"],
            Self::Longitude => &["经度", "房屋经度", "东经", "longitude", "lon", "lng"],
            Self::Coordinates => &["房屋坐标", "坐标", "经纬度", "coordinates", "location"],
        }
    }

    /// The standard Chinese header, used when the file lacks the column.
    pub fn label_zh(self) -> &'static str {
        self.headers()[0]
    }

    /// Whether every roster must have this column. 安置点 is needed only by concentrated
    /// households, so its absence is reported on those rows.
    pub fn is_required(self) -> bool {
        !matches!(
            self,
            Self::Phone
                | Self::Kind
                | Self::Site
                | Self::Latitude
                | Self::Longitude
                | Self::Coordinates
        )
    }

    /// Which column a header names, if any: case, spaces, `_`, `-`, a `*` marking a
    /// required field and full-width forms do not matter.
    pub fn from_header(header: &str) -> Option<Self> {
        let key = header_key(header);
        if key.is_empty() {
            return None;
        }
        Self::ALL.into_iter().find(|column| {
            column
                .headers()
                .iter()
                .any(|alias| header_key(alias) == key)
        })
    }
}

/// How many different known columns a row of cells names: the file reader takes the
/// first row with enough of them as the header.
pub fn recognise_header(cells: &[String]) -> usize {
    let mut seen: Vec<Column> = cells
        .iter()
        .filter_map(|c| Column::from_header(c))
        .collect();
    seen.sort();
    seen.dedup();
    seen.len()
}

/// A household that can be imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterRow {
    /// The spreadsheet row it came from.
    pub row: usize,
    pub township: String,
    pub village: String,
    pub head_name: String,
    pub id_number: IdNumber,
    pub size: u32,
    /// A mobile as 11 digits, a landline as `0564-1234567`.
    pub phone: Option<String>,
    pub mode: PlacementMode,
    pub kind: PlacementKind,
    /// The concentrated site, `None` when scattered.
    pub site: Option<String>,
    /// The house's (or its site's) coordinates, when the roster gives them.
    pub location: Option<crate::location::Coordinates>,
}

/// A roster with no errors.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidRoster {
    pub rows: Vec<RosterRow>,
    /// Headers of the columns that were not used, as the file writes them.
    pub ignored_columns: Vec<String>,
}

/// One problem with one cell (or with the header).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RowError {
    /// The spreadsheet row number.
    pub row: usize,
    /// The header as the file writes it, or the standard header of a missing column.
    pub column: String,
    /// What is wrong, in Chinese then English.
    pub reason: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "row {}, {}: {}", self.row, self.column, self.reason)
    }
}

/// Every problem of a roster, by row and then by column as the file orders them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub struct RosterErrors {
    pub errors: Vec<RowError>,
}

impl RosterErrors {
    /// Add an error after those of its row and of earlier rows, keeping the order.
    pub fn push(&mut self, error: RowError) {
        let at = self.errors.partition_point(|e| e.row <= error.row);
        self.errors.insert(at, error);
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    pub fn len(&self) -> usize {
        self.errors.len()
    }
}

impl fmt::Display for RosterErrors {
    /// One `row N, COLUMN: REASON` per line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, error) in self.errors.iter().enumerate() {
            if index > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

/// Check every row of the table; `today` bounds the birth dates in ID numbers.
pub fn validate(table: &RosterTable, today: NaiveDate) -> Result<ValidRoster, RosterErrors> {
    let mut collector = Collector::default();
    let layout = Layout::read(table, &mut collector);

    let mut rows = Vec::with_capacity(table.rows.len());
    let mut first_row_of_id: HashMap<IdNumber, usize> = HashMap::new();
    for record in &table.rows {
        let mut checker = RowChecker {
            layout: &layout,
            record,
            collector: &mut collector,
            first_row_of_id: &mut first_row_of_id,
        };
        if let Some(row) = checker.check(today) {
            rows.push(row);
        }
    }

    if collector.errors.is_empty() {
        Ok(ValidRoster {
            rows,
            ignored_columns: layout.ignored_columns(table),
        })
    } else {
        Err(collector.finish())
    }
}

/// Errors with the key they sort by: row, then the column's position in the file
/// (columns missing from the file come after, in [`Column::ALL`] order).
#[derive(Default)]
struct Collector {
    errors: Vec<(usize, usize, RowError)>,
}

impl Collector {
    fn add(&mut self, row: usize, position: usize, column: &str, reason: String) {
        self.errors.push((
            row,
            position,
            RowError {
                row,
                column: column.to_string(),
                reason,
            },
        ));
    }

    fn finish(mut self) -> RosterErrors {
        self.errors
            .sort_by_key(|(row, position, _)| (*row, *position));
        RosterErrors {
            errors: self.errors.into_iter().map(|(_, _, e)| e).collect(),
        }
    }
}

/// Sort position of a column the file does not have.
fn missing_position(column: Column) -> usize {
    let index = Column::ALL.iter().position(|c| *c == column).unwrap_or(0);
    usize::MAX / 2 + index
}

/// Where each known column sits in the file.
struct Layout {
    /// Column → (index in the row, header as written).
    found: HashMap<Column, (usize, String)>,
}

impl Layout {
    fn read(table: &RosterTable, collector: &mut Collector) -> Self {
        let mut found: HashMap<Column, (usize, String)> = HashMap::new();
        for (index, raw) in table.headers.iter().enumerate() {
            let header = clean(raw);
            let Some(column) = Column::from_header(header) else {
                continue;
            };
            match found.get(&column) {
                Some((first_index, first_header)) => {
                    let letter = column_letter(*first_index);
                    collector.add(
                        table.header_row,
                        index,
                        header,
                        format!(
                            "此列与{letter}列“{first_header}”重复 / this column repeats column {letter} '{first_header}'"
                        ),
                    );
                }
                None => {
                    found.insert(column, (index, header.to_string()));
                }
            }
        }
        for column in Column::ALL {
            if column.is_required() && !found.contains_key(&column) {
                collector.add(
                    table.header_row,
                    missing_position(column),
                    column.label_zh(),
                    "缺少此列 / column missing".to_string(),
                );
            }
        }
        Self { found }
    }

    /// Unknown headers, and columns with data but no header at all.
    fn ignored_columns(&self, table: &RosterTable) -> Vec<String> {
        let used: Vec<usize> = self.found.values().map(|(index, _)| *index).collect();
        let width = table
            .rows
            .iter()
            .map(|r| r.cells.len())
            .chain([table.headers.len()])
            .max()
            .unwrap_or(0);
        let mut ignored = Vec::new();
        for index in 0..width {
            if used.contains(&index) {
                continue;
            }
            let header = table.headers.get(index).map(|h| clean(h)).unwrap_or("");
            if !header.is_empty() {
                // A repeated header is an error, so anything left here is unknown.
                ignored.push(header.to_string());
            } else if table
                .rows
                .iter()
                .any(|r| r.cells.get(index).is_some_and(|c| !c.is_blank()))
            {
                let letter = column_letter(index);
                ignored.push(format!(
                    "{letter}列（无表头） / column {letter} (no header)"
                ));
            }
        }
        ignored
    }
}

struct RowChecker<'a> {
    layout: &'a Layout,
    record: &'a RosterRecord,
    collector: &'a mut Collector,
    /// Each valid ID number seen so far and the row it was first seen on.
    first_row_of_id: &'a mut HashMap<IdNumber, usize>,
}

impl RowChecker<'_> {
    /// The trimmed cell of a column, `None` when the file lacks the column.
    fn cell(&self, column: Column) -> Option<(&str, bool)> {
        let (index, _) = self.layout.found.get(&column)?;
        Some(
            self.record
                .cells
                .get(*index)
                .map(|c| (clean(&c.text), c.was_number))
                .unwrap_or(("", false)),
        )
    }

    fn error(&mut self, column: Column, reason: String) {
        let (position, header) = match self.layout.found.get(&column) {
            Some((index, header)) => (*index, header.as_str()),
            None => (missing_position(column), column.label_zh()),
        };
        self.collector
            .add(self.record.row, position, header, reason);
    }

    /// A required text cell; a missing column was reported at the header.
    fn required(&mut self, column: Column) -> Option<String> {
        let (text, _) = self.cell(column)?;
        if text.is_empty() {
            self.error(column, "必填 / required".to_string());
            return None;
        }
        Some(text.to_string())
    }

    fn check(&mut self, today: NaiveDate) -> Option<RosterRow> {
        let township = self.required(Column::Township);
        let village = self.required(Column::Village);
        let head_name = self.head_name();
        let id_number = self.id_number(today);
        let size = self.size();
        let phone = self.phone();
        let mode = self.mode();
        let kind = self.kind(mode);
        let site = self.site(mode);
        let location = self.location();
        Some(RosterRow {
            row: self.record.row,
            township: township?,
            village: village?,
            head_name: head_name?,
            id_number: id_number?,
            size: size?,
            phone: phone?,
            mode: mode?,
            kind: kind?,
            site: site?,
            location: location?,
        })
    }

    fn head_name(&mut self) -> Option<String> {
        let name = self.required(Column::HeadName)?;
        let length = name.chars().count();
        if length > MAX_NAME_CHARS {
            self.error(
                Column::HeadName,
                format!(
                    "户主姓名过长：{length}个字，最多{MAX_NAME_CHARS}个 / the name is too long: {length} characters, at most {MAX_NAME_CHARS}"
                ),
            );
            return None;
        }
        if name.chars().any(char::is_numeric) {
            self.error(
                Column::HeadName,
                format!("户主姓名“{name}”含有数字 / the name '{name}' contains digits"),
            );
            return None;
        }
        Some(name)
    }

    fn id_number(&mut self, today: NaiveDate) -> Option<IdNumber> {
        let (text, was_number) = self.cell(Column::IdNumber)?;
        if text.is_empty() {
            self.error(Column::IdNumber, "必填 / required".to_string());
            return None;
        }
        let digits = text.chars().filter(char::is_ascii_digit).count();
        if (was_number && digits > 15) || is_scientific(text) {
            self.error(Column::IdNumber, ID_STORED_AS_NUMBER.to_string());
            return None;
        }
        let id = match IdNumber::parse_as_of(text, today) {
            Ok(id) => id,
            Err(e) => {
                self.error(Column::IdNumber, e.to_string());
                return None;
            }
        };
        if let Some(&first) = self.first_row_of_id.get(&id) {
            self.error(
                Column::IdNumber,
                format!("与第{first}行重复 / duplicate of row {first}"),
            );
            return None;
        }
        self.first_row_of_id.insert(id.clone(), self.record.row);
        Some(id)
    }

    fn size(&mut self) -> Option<u32> {
        let text = self.required(Column::Size)?;
        match parse_size(&text) {
            Some(size) if (1..=MAX_HOUSEHOLD_SIZE).contains(&size) => Some(size),
            Some(size) => {
                self.error(
                    Column::Size,
                    format!(
                        "家庭人口应在1到{MAX_HOUSEHOLD_SIZE}之间，实为{size} / the household size must be from 1 to {MAX_HOUSEHOLD_SIZE}, it is {size}"
                    ),
                );
                None
            }
            None => {
                self.error(
                    Column::Size,
                    format!(
                        "家庭人口应为整数，实为“{text}” / the household size must be a whole number, found '{text}'"
                    ),
                );
                None
            }
        }
    }

    /// `Some(None)` when there is no phone, `None` when the phone is wrong.
    fn phone(&mut self) -> Option<Option<String>> {
        let Some((text, was_number)) = self.cell(Column::Phone) else {
            return Some(None);
        };
        if text.is_empty() {
            return Some(None);
        }
        match normalise_phone(text, was_number) {
            Ok(phone) => Some(Some(phone)),
            Err(reason) => {
                self.error(Column::Phone, reason);
                None
            }
        }
    }

    fn mode(&mut self) -> Option<PlacementMode> {
        let text = self.required(Column::Mode)?;
        let mode = PlacementMode::from_roster(&text);
        if mode.is_none() {
            self.error(
                Column::Mode,
                format!(
                    "安置方式“{text}”无法识别：应为集中安置或分散安置 / unknown placement mode '{text}': expected 集中安置 (concentrated) or 分散安置 (scattered)"
                ),
            );
        }
        mode
    }

    fn kind(&mut self, mode: Option<PlacementMode>) -> Option<PlacementKind> {
        let text = self.cell(Column::Kind).map(|(t, _)| t).unwrap_or("");
        if text.is_empty() {
            return mode.map(|mode| match mode {
                PlacementMode::Scattered => PlacementKind::SelfBuilt,
                PlacementMode::Concentrated => PlacementKind::UnifiedSelfBuilt,
            });
        }
        let Some(kind) = PlacementKind::from_roster(text) else {
            let text = text.to_string();
            self.error(
                Column::Kind,
                format!(
                    "安置类型“{text}”无法识别：应为自建、购买、统规自建或统规统建 / unknown placement kind '{text}': expected 自建, 购买, 统规自建 or 统规统建"
                ),
            );
            return None;
        };
        let mode = mode?;
        if !kind.fits(mode) {
            let fitting: Vec<&str> = PlacementKind::ALL
                .into_iter()
                .filter(|k| k.fits(mode))
                .map(PlacementKind::label_zh)
                .collect();
            let (kind_zh, mode_zh) = (kind.label_zh(), mode.label_zh());
            self.error(
                Column::Kind,
                format!(
                    "安置类型“{kind_zh}”与{mode_zh}不符：{mode_zh}可为{zh} / placement kind {kind_zh} does not go with {mode_zh}, which allows {en}",
                    zh = fitting.join("、"),
                    en = fitting.join(", "),
                ),
            );
            return None;
        }
        Some(kind)
    }

    /// `Some(None)` for a scattered household, `None` when the site is wrong or the
    /// mode unknown.
    fn site(&mut self, mode: Option<PlacementMode>) -> Option<Option<String>> {
        let text = self.cell(Column::Site).map(|(t, _)| t).unwrap_or("");
        let site = (!is_no_site(text)).then(|| text.to_string());
        match (mode?, site) {
            (PlacementMode::Concentrated, Some(site)) => Some(Some(site)),
            (PlacementMode::Concentrated, None) => {
                self.error(
                    Column::Site,
                    "集中安置须填写安置点 / a concentrated household needs its site".to_string(),
                );
                None
            }
            (PlacementMode::Scattered, None) => Some(None),
            (PlacementMode::Scattered, Some(site)) => {
                self.error(
                    Column::Site,
                    format!(
                        "分散安置不应有安置点（应为空、“/”或“无”），实为“{site}” / a scattered household has no site (leave it empty, '/' or '无'), found '{site}'"
                    ),
                );
                None
            }
        }
    }
}

/// Trim spaces of every kind, full-width and zero-width included.
fn clean(text: &str) -> &str {
    text.trim_matches(|c: char| c.is_whitespace() || matches!(c, '\u{feff}' | '\u{200b}'))
}

/// Full-width ASCII forms (`０`, `（`, `ｉｄ`) to ASCII.
fn half_width(c: char) -> char {
    match c {
        '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
        '\u{3000}' => ' ',
        other => other,
    }
}

/// The comparable form of a header.
fn header_key(header: &str) -> String {
    clean(header)
        .chars()
        .map(half_width)
        .filter(|c| !c.is_whitespace() && !matches!(c, '_' | '-' | '*' | ':'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Spreadsheet column letters: 0 → A, 26 → AA.
fn column_letter(index: usize) -> String {
    let mut n = index + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

/// What Excel writes for a long number it shows in scientific form, e.g. `3.41502E+17`.
fn is_scientific(text: &str) -> bool {
    let upper: String = text
        .chars()
        .map(half_width)
        .collect::<String>()
        .to_uppercase();
    let Some((mantissa, exponent)) = upper.split_once('E') else {
        return false;
    };
    let exponent = exponent.strip_prefix('+').unwrap_or(exponent);
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
        && !exponent.is_empty()
        && exponent.bytes().all(|b| b.is_ascii_digit())
}

fn parse_size(text: &str) -> Option<u32> {
    let text: String = text.chars().map(half_width).collect();
    let text = text.trim();
    let text = ["口人", "人", "口"]
        .iter()
        .find_map(|suffix| text.strip_suffix(suffix))
        .unwrap_or(text)
        .trim();
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    if int.is_empty()
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b == b'0')
    {
        return None;
    }
    // Anything too long for u32 is out of range anyway.
    Some(int.parse().unwrap_or(u32::MAX))
}

/// Values that mean "no site".
fn is_no_site(text: &str) -> bool {
    matches!(
        text,
        "" | "/" | "／" | "\\" | "无" | "-" | "--" | "—" | "——" | "－"
    )
}

/// A mobile as 11 digits, a landline as `area-number`; the error is the reason.
fn normalise_phone(raw: &str, was_number: bool) -> Result<String, String> {
    let text: String = raw.chars().map(half_width).collect();
    if text
        .chars()
        .any(|c| matches!(c, '/' | '、' | ',' | '，' | ';' | '；' | '|'))
    {
        return Err(format!(
            "联系电话只能填一个号码，实为“{raw}” / give only one phone number, found '{raw}'"
        ));
    }
    let mut digits: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '—' | '–' | '(' | ')'))
        .collect();
    if let Some(rest) = digits
        .strip_prefix("+86")
        .or_else(|| digits.strip_prefix("0086"))
    {
        digits = rest.to_string();
    }
    if let Some(bad) = digits.chars().find(|c| !c.is_ascii_digit()) {
        return Err(format!(
            "联系电话“{raw}”含有非数字字符“{bad}” / the phone number '{raw}' contains '{bad}', which is not a digit"
        ));
    }
    let length = digits.len();
    match digits.as_bytes().first() {
        Some(b'1') if length == 11 => Ok(digits),
        Some(b'1') => Err(format!(
            "手机号应为11位，实为{length}位 / a mobile number has 11 digits, this one has {length}"
        )),
        Some(b'0') => {
            // Area codes 010 and 02x have 3 digits, all others 4.
            let area_length = if matches!(digits.as_bytes().get(1), Some(b'1' | b'2')) {
                3
            } else {
                4
            };
            let local = length.saturating_sub(area_length);
            if (7..=8).contains(&local) {
                Ok(format!("{}-{}", &digits[..area_length], &digits[area_length..]))
            } else {
                Err(format!(
                    "固定电话“{raw}”应为区号加7或8位号码，如0564-1234567 / the landline '{raw}' needs an area code and a 7- or 8-digit number, e.g. 0564-1234567"
                ))
            }
        }
        _ if was_number => Err(
            "Excel把电话号码存成了数字，开头的0已丢失：请把该列设为文本格式后重新录入 / Excel stored the phone number as a number and dropped its leading 0: format the column as text and enter it again"
                .to_string(),
        ),
        _ if (7..=8).contains(&length) => Err(format!(
            "固定电话“{raw}”缺少区号，如0564-1234567 / the landline '{raw}' has no area code, e.g. 0564-1234567"
        )),
        _ => Err(format!(
            "联系电话“{raw}”不是11位手机号或带区号的固定电话 / the phone number '{raw}' is neither an 11-digit mobile nor a landline with its area code"
        )),
    }
}

mod coordinates;
#[cfg(test)]
mod tests;

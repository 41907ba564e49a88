//! The area engine: built area (建筑面积) as GB/T 50353-2013 defines it, computed from
//! the raw dimensions an inspector measures, with a trace a person can check on paper.
//!
//! # Exactness
//! Every length is a whole number of millimetres (`i64`). A rectangle's area is then a
//! whole number of mm², and a polygon's area by the shoelace formula a whole number of
//! half-mm²; the ½ coefficient halves that again. So every area here is held as a whole
//! number of **quarter-mm²** ([`Area`], an `i128`), and sums, differences, halves and the
//! comparison with the cap are exact: the sum of the parts never drifts from the whole.
//!
//! # Rounding
//! Areas are rounded only when shown: to 0.01 m², half-up (四舍五入, the surveying
//! convention; a half is rounded away from zero). The built area is the exact sum of the
//! counted parts, rounded once. Each part is also rounded on its own, so the shown parts
//! of an n-part house may add up to a figure that differs from the shown total by at most
//! n × 0.005 m²; the trace adds a note saying so only when that actually happens. The
//! verdict compares exact values, never rounded ones.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, Sub};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::policy::{AppliedCap, PolicyContext, PolicyError, PolicyTable};

/// The longest side, polygon span, height or width accepted: no part of a relocation
/// house is 200 m long, so longer is surely a typo (or a hostile record).
pub const MAX_DIMENSION_MM: i64 = 200_000;
/// Polygon corners must lie within this distance of the origin on either axis: a
/// house-sized box on a local grid, which keeps every product far from overflow.
pub const MAX_COORDINATE_MM: i64 = 1_000_000;
/// Corners of one outline: a house's outline has a few dozen at most, and the check that
/// no two edges cross looks at every pair, so this bounds its work (64² pairs).
pub const MAX_CORNERS: usize = 64;
/// Measured parts of one house.
pub const MAX_PARTS: usize = 60;
/// Cut-outs of one part.
pub const MAX_VOIDS_PER_PART: usize = 12;
/// The longest label of a part.
pub const MAX_LABEL_CHARS: usize = 40;
/// Storeys from 5 below ground to the 50th.
pub const MIN_STOREY: i32 = -5;
pub const MAX_STOREY: i32 = 50;
/// The largest area [`parse_square_metres`] accepts (1 km²), e.g. for caps.
pub const MAX_AREA_M2: i64 = 1_000_000;

/// Storey height from which a storey counts in full (3.0.1, 3.0.5).
pub const FULL_STOREY_HEIGHT_MM: i64 = 2_200;
/// Sloped-roof clear height from which the space counts in full (3.0.3).
pub const SLOPED_ROOF_FULL_CLEAR_HEIGHT_MM: i64 = 2_100;
/// Sloped-roof clear height from which the space counts half (3.0.3).
pub const SLOPED_ROOF_HALF_CLEAR_HEIGHT_MM: i64 = 1_200;
/// Width from which a canopy without columns counts half (3.0.16).
pub const CANTILEVER_CANOPY_MIN_WIDTH_MM: i64 = 2_100;

const QUARTERS_PER_MM2: i128 = 4;
/// 0.01 m² = 10,000 mm² = 40,000 quarter-mm².
const QUARTERS_PER_HUNDREDTH_M2: i128 = 40_000;
const QUARTERS_PER_M2: i128 = 4_000_000;
/// One quarter-mm² is 0.000 000 25 m², i.e. 25 units of 10⁻⁸ m²: eight decimals of m²
/// therefore always show an area exactly.
const EXACT_M2_DECIMALS: usize = 8;
const TEN_TO_THE_EXACT_DECIMALS: i128 = 100_000_000;
const HUNDRED_MILLIONTHS_PER_QUARTER: i128 = 25;
const STANDARD: &str = "GB/T 50353-2013";

// ---------------------------------------------------------------------------------------
// Area
// ---------------------------------------------------------------------------------------

/// An exact area: a whole number of quarter-mm² (see the module doc for why).
///
/// In JSON it is `{"quarter_mm2": 408000000, "m2": "102.00"}`: the exact count, and the
/// display string so that a front end never has to round by itself. Only `quarter_mm2`
/// is read back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(as = "AreaJson"))]
pub struct Area {
    quarter_mm2: i128,
}

/// The JSON shape of [`Area`], for the generated TypeScript types only.
#[cfg(feature = "ts")]
#[derive(ts_rs::TS)]
#[ts(rename = "Area")]
#[allow(dead_code)]
struct AreaJson {
    /// Exact count; fits a JavaScript number for every area the engine accepts.
    quarter_mm2: f64,
    /// For display: m² with 2 decimals, rounded half-up.
    m2: String,
}

impl Area {
    pub const ZERO: Area = Area { quarter_mm2: 0 };

    pub const fn from_quarter_mm2(quarter_mm2: i128) -> Self {
        Self { quarter_mm2 }
    }

    pub const fn from_mm2(mm2: i64) -> Self {
        Self {
            quarter_mm2: mm2 as i128 * QUARTERS_PER_MM2,
        }
    }

    /// `from_m2_hundredths(2500)` is 25.00 m². Caps are set this way.
    pub const fn from_m2_hundredths(hundredths: i64) -> Self {
        Self {
            quarter_mm2: hundredths as i128 * QUARTERS_PER_HUNDREDTH_M2,
        }
    }

    pub const fn quarter_mm2(self) -> i128 {
        self.quarter_mm2
    }

    pub const fn is_zero(self) -> bool {
        self.quarter_mm2 == 0
    }

    /// True when the area is a whole number of 0.01 m², i.e. shows exactly with 2 decimals.
    pub const fn is_whole_hundredths(self) -> bool {
        self.quarter_mm2 % QUARTERS_PER_HUNDREDTH_M2 == 0
    }

    /// The area in 0.01 m², rounded half-up (halves away from zero).
    pub fn to_m2_hundredths_rounded(self) -> i128 {
        div_round_half_up(self.quarter_mm2, QUARTERS_PER_HUNDREDTH_M2)
    }

    /// m² with exactly 2 decimals, rounded half-up: `"102.00"`.
    pub fn to_m2_string(self) -> String {
        format_hundredths(self.to_m2_hundredths_rounded())
    }

    /// m² exactly, without trailing zeros: `"25"`, `"37.5"`, `"0.00000025"`.
    pub fn to_m2_exact_string(self) -> String {
        let units = self.quarter_mm2 * HUNDRED_MILLIONTHS_PER_QUARTER;
        let sign = if units < 0 { "-" } else { "" };
        let units = units.unsigned_abs();
        let scale = TEN_TO_THE_EXACT_DECIMALS.unsigned_abs();
        let whole = units / scale;
        let fraction = units % scale;
        if fraction == 0 {
            return format!("{sign}{whole}");
        }
        let digits = format!("{fraction:0width$}", width = EXACT_M2_DECIMALS);
        format!("{sign}{whole}.{}", digits.trim_end_matches('0'))
    }

    /// For charts only: never compare or add these.
    pub fn as_m2_f64(self) -> f64 {
        self.quarter_mm2 as f64 / QUARTERS_PER_M2 as f64
    }

    /// The area `times` times over, e.g. a per-person cap for a household.
    pub fn times(self, times: u32) -> Self {
        Self {
            quarter_mm2: self.quarter_mm2 * i128::from(times),
        }
    }

    /// Half the area. Exact for every area built from millimetre shapes, whose quarter
    /// count is always even (a polygon's area is a whole number of half-mm²).
    fn halved(self) -> Self {
        Self {
            quarter_mm2: self.quarter_mm2 / 2,
        }
    }
}

impl Add for Area {
    type Output = Area;
    fn add(self, other: Area) -> Area {
        Area::from_quarter_mm2(self.quarter_mm2 + other.quarter_mm2)
    }
}

impl Sub for Area {
    type Output = Area;
    fn sub(self, other: Area) -> Area {
        Area::from_quarter_mm2(self.quarter_mm2 - other.quarter_mm2)
    }
}

impl Sum for Area {
    fn sum<I: Iterator<Item = Area>>(iter: I) -> Area {
        iter.fold(Area::ZERO, Add::add)
    }
}

impl<'a> Sum<&'a Area> for Area {
    fn sum<I: Iterator<Item = &'a Area>>(iter: I) -> Area {
        iter.copied().sum()
    }
}

impl fmt::Display for Area {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} m²", self.to_m2_string())
    }
}

// In JSON the count is an i64: serde cannot buffer i128 inside tagged enums, and any
// real area (up to 2.3 × 10¹² m²) fits; a front end reads it exactly up to 2.2 × 10⁹ m².
#[derive(Serialize)]
struct AreaJsonOut {
    quarter_mm2: i64,
    m2: String,
}

#[derive(Deserialize)]
struct AreaJsonIn {
    quarter_mm2: i64,
}

impl Serialize for Area {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let quarter_mm2 = i64::try_from(self.quarter_mm2).map_err(|_| {
            serde::ser::Error::custom(format!(
                "面积{} m²过大，无法写出 / the area {} m² is too large to write",
                self.to_m2_exact_string(),
                self.to_m2_exact_string()
            ))
        })?;
        AreaJsonOut {
            quarter_mm2,
            m2: self.to_m2_string(),
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Area {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        AreaJsonIn::deserialize(deserializer)
            .map(|a| Area::from_quarter_mm2(i128::from(a.quarter_mm2)))
    }
}

/// `numerator / denominator` rounded half away from zero; `denominator` > 0.
fn div_round_half_up(numerator: i128, denominator: i128) -> i128 {
    // Comparing 2·remainder with the denominator avoids any fractional step.
    let quotient = numerator.abs() / denominator;
    let remainder = numerator.abs() % denominator;
    let rounded = if 2 * remainder >= denominator {
        quotient + 1
    } else {
        quotient
    };
    if numerator < 0 { -rounded } else { rounded }
}

fn format_hundredths(hundredths: i128) -> String {
    let sign = if hundredths < 0 { "-" } else { "" };
    let magnitude = hundredths.unsigned_abs();
    format!("{sign}{}.{:02}", magnitude / 100, magnitude % 100)
}

/// Metres for display: 2 decimals, or 3 when the millimetre digit is not zero
/// (`12000` → `"12.00"`, `12345` → `"12.345"`), so nothing measured is hidden.
pub fn format_metres(mm: i64) -> String {
    let sign = if mm < 0 { "-" } else { "" };
    let magnitude = mm.unsigned_abs();
    let whole = magnitude / 1000;
    let fraction = magnitude % 1000;
    if fraction.is_multiple_of(10) {
        format!("{sign}{whole}.{:02}", fraction / 10)
    } else {
        format!("{sign}{whole}.{fraction:03}")
    }
}

// ---------------------------------------------------------------------------------------
// Parsing typed numbers
// ---------------------------------------------------------------------------------------

/// What kind of number was being read, for the error message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MeasureKind {
    /// A length in metres, to the millimetre.
    Length,
    /// An area in m², to 0.01 m².
    Area,
}

impl MeasureKind {
    fn zh(self) -> &'static str {
        match self {
            Self::Length => "长度",
            Self::Area => "面积",
        }
    }

    fn en(self) -> &'static str {
        match self {
            Self::Length => "length",
            Self::Area => "area",
        }
    }

    fn max_decimals(self) -> u32 {
        match self {
            Self::Length => 3,
            Self::Area => 2,
        }
    }

    fn precision_zh(self) -> &'static str {
        match self {
            Self::Length => "最多3位小数（精确到毫米，如12.345）",
            Self::Area => "最多2位小数（如37.55）",
        }
    }

    fn precision_en(self) -> &'static str {
        match self {
            Self::Length => "at most 3 decimals (millimetres, e.g. 12.345)",
            Self::Area => "at most 2 decimals (e.g. 37.55)",
        }
    }

    fn limit(self) -> &'static str {
        match self {
            Self::Length => "200 m",
            Self::Area => "1000000 m²",
        }
    }
}

/// Why a typed length or area could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseMeasureError {
    #[error("{}为空：请输入数字，如12.35 / the {} is empty: enter a number such as 12.35", .kind.zh(), .kind.en())]
    Empty { kind: MeasureKind },
    #[error("{}“{input}”是负数：不能小于0 / the {} '{input}' is negative: it cannot be below 0", .kind.zh(), .kind.en())]
    Negative { kind: MeasureKind, input: String },
    #[error("{}“{input}”中的“{found}”不是数字 / the {} '{input}' contains '{found}', which is not part of a number", .kind.zh(), .kind.en())]
    InvalidCharacter {
        kind: MeasureKind,
        input: String,
        found: char,
    },
    #[error("{}“{input}”小数位太多：{} / the {} '{input}' has too many decimals: {}", .kind.zh(), .kind.precision_zh(), .kind.en(), .kind.precision_en())]
    TooManyDecimals { kind: MeasureKind, input: String },
    #[error("{}“{input}”超过{}，可能输入有误 / the {} '{input}' is more than {}, probably a typo", .kind.zh(), .kind.limit(), .kind.en(), .kind.limit())]
    TooLarge { kind: MeasureKind, input: String },
}

/// Reads a length typed in metres into millimetres: `"12"`, `"12.3"`, `"12.345"`,
/// full-width `"１２．３５"`, with an optional `m`/`米` after it. Up to 3 decimals
/// (millimetres) and at most [`MAX_DIMENSION_MM`].
pub fn parse_metres(input: &str) -> Result<i64, ParseMeasureError> {
    let kind = MeasureKind::Length;
    let text = normalise_number_text(input);
    let text = strip_suffix(&text, &["m", "M", "米", "公尺"]);
    let mm = parse_fixed_point(text, kind.max_decimals())
        .map_err(|problem| problem.into_error(kind, input))?;
    match i64::try_from(mm) {
        Ok(mm) if mm <= MAX_DIMENSION_MM => Ok(mm),
        _ => Err(ParseMeasureError::TooLarge {
            kind,
            input: input.to_string(),
        }),
    }
}

/// Reads an area typed in m² exactly: `"25"`, `"37.5"`, `"37.55"`, with an optional
/// `m²`/`㎡`/`平方米` after it. Up to 2 decimals and at most [`MAX_AREA_M2`].
pub fn parse_square_metres(input: &str) -> Result<Area, ParseMeasureError> {
    let kind = MeasureKind::Area;
    let text = normalise_number_text(input);
    let text = strip_suffix(&text, &["m²", "m2", "M²", "M2", "㎡", "平方米", "平米"]);
    let hundredths = parse_fixed_point(text, kind.max_decimals())
        .map_err(|problem| problem.into_error(kind, input))?;
    match i64::try_from(hundredths) {
        Ok(h) if h <= MAX_AREA_M2 * 100 => Ok(Area::from_m2_hundredths(h)),
        _ => Err(ParseMeasureError::TooLarge {
            kind,
            input: input.to_string(),
        }),
    }
}

/// Full-width forms (typed with a Chinese input method) become ASCII, and the
/// ideographic full stop, which such methods produce for ".", becomes a decimal point.
fn normalise_number_text(input: &str) -> String {
    input
        .chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            '。' => '.',
            _ => c,
        })
        .collect::<String>()
}

fn strip_suffix<'a>(text: &'a str, suffixes: &[&str]) -> &'a str {
    let text = text.trim();
    for suffix in suffixes {
        if let Some(rest) = text.strip_suffix(suffix) {
            return rest.trim_end();
        }
    }
    text
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DecimalProblem {
    Empty,
    Negative,
    InvalidCharacter(char),
    TooManyDecimals,
    TooLarge,
}

impl DecimalProblem {
    fn into_error(self, kind: MeasureKind, input: &str) -> ParseMeasureError {
        let input = input.to_string();
        match self {
            Self::Empty => ParseMeasureError::Empty { kind },
            Self::Negative => ParseMeasureError::Negative { kind, input },
            Self::InvalidCharacter(found) => {
                ParseMeasureError::InvalidCharacter { kind, input, found }
            }
            Self::TooManyDecimals => ParseMeasureError::TooManyDecimals { kind, input },
            Self::TooLarge => ParseMeasureError::TooLarge { kind, input },
        }
    }
}

/// A non-negative decimal read exactly as a count of 10^-`decimals`.
fn parse_fixed_point(text: &str, decimals: u32) -> Result<i128, DecimalProblem> {
    // More integer digits than this is far beyond any limit, and keeps i128 safe.
    const MAX_INTEGER_DIGITS: usize = 18;
    let text = text.trim();
    if text.is_empty() {
        return Err(DecimalProblem::Empty);
    }
    if text.starts_with('-') || text.starts_with('−') {
        return Err(DecimalProblem::Negative);
    }
    let (whole, fraction) = match text.split_once('.') {
        Some((whole, fraction)) => (whole, fraction),
        None => (text, ""),
    };
    if let Some(bad) = whole
        .chars()
        .chain(fraction.chars())
        .find(|c| !c.is_ascii_digit())
    {
        return Err(DecimalProblem::InvalidCharacter(bad));
    }
    if whole.is_empty() && fraction.is_empty() {
        return Err(DecimalProblem::InvalidCharacter('.'));
    }
    let fraction = fraction.trim_end_matches('0');
    if fraction.len() > decimals as usize {
        return Err(DecimalProblem::TooManyDecimals);
    }
    let whole = whole.trim_start_matches('0');
    if whole.len() > MAX_INTEGER_DIGITS {
        return Err(DecimalProblem::TooLarge);
    }
    let digits = |s: &str| {
        s.bytes()
            .fold(0_i128, |acc, b| acc * 10 + i128::from(b - b'0'))
    };
    let padding = decimals as usize - fraction.len();
    Ok(digits(whole) * 10_i128.pow(decimals) + digits(fraction) * 10_i128.pow(padding as u32))
}

// ---------------------------------------------------------------------------------------
// Shapes
// ---------------------------------------------------------------------------------------

/// A corner of a polygon, in millimetres on any local grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Point {
    pub x_mm: i64,
    pub y_mm: i64,
}

impl Point {
    pub const fn new(x_mm: i64, y_mm: i64) -> Self {
        Self { x_mm, y_mm }
    }
}

/// The outline of a part (outer face of the external walls) or of a cut-out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Shape {
    Rectangle {
        length_mm: i64,
        width_mm: i64,
    },
    /// Corners in order around the outline, either way round, without repeating the
    /// first corner at the end.
    Polygon {
        points: Vec<Point>,
    },
}

/// Which side of a rectangle a message is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RectangleSide {
    Length,
    Width,
}

impl RectangleSide {
    fn zh(self) -> &'static str {
        match self {
            Self::Length => "长",
            Self::Width => "宽",
        }
    }

    fn en(self) -> &'static str {
        match self {
            Self::Length => "length",
            Self::Width => "width",
        }
    }
}

/// Why a shape is not a usable outline. Corners and edges are numbered from 1; edge k
/// runs from corner k to the next one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} / {}", self.zh(), self.en())]
pub enum ShapeError {
    SideNotPositive {
        side: RectangleSide,
        value_mm: i64,
    },
    SideTooLong {
        side: RectangleSide,
        value_mm: i64,
    },
    TooFewCorners {
        count: usize,
    },
    TooManyCorners {
        count: usize,
    },
    CornerOutOfRange {
        corner: usize,
        point: Point,
    },
    SpanTooLarge {
        span_mm: i64,
    },
    RepeatedCorner {
        corner: usize,
        next: usize,
    },
    ZeroArea,
    EdgesCross {
        first_edge: usize,
        second_edge: usize,
    },
}

impl ShapeError {
    /// The message in Chinese.
    pub fn zh(&self) -> String {
        match self {
            Self::SideNotPositive { side, value_mm } => format!(
                "矩形的{}为{} m：边长必须大于0",
                side.zh(),
                format_metres(*value_mm)
            ),
            Self::SideTooLong { side, value_mm } => format!(
                "矩形的{}为{} m，超过200 m，可能输入有误",
                side.zh(),
                format_metres(*value_mm)
            ),
            Self::TooFewCorners { count } => {
                format!("多边形只有{count}个角点，至少需要3个")
            }
            Self::TooManyCorners { count } => {
                format!("多边形有{count}个角点，最多{MAX_CORNERS}个")
            }
            Self::CornerOutOfRange { corner, point } => format!(
                "多边形第{corner}个角点({}, {})离原点超过1 km，请使用以房屋为原点的本地坐标",
                format_metres(point.x_mm),
                format_metres(point.y_mm)
            ),
            Self::SpanTooLarge { span_mm } => format!(
                "多边形跨度{} m，超过200 m，可能输入有误",
                format_metres(*span_mm)
            ),
            Self::RepeatedCorner { corner, next } => format!(
                "多边形第{corner}个与第{next}个角点重合：相邻角点不能相同（首个角点不必在末尾重复）"
            ),
            Self::ZeroArea => "多边形面积为0：所有角点在一条直线上".to_string(),
            Self::EdgesCross {
                first_edge,
                second_edge,
            } => {
                format!("多边形第{first_edge}条边与第{second_edge}条边相交或重叠：角点顺序可能有误")
            }
        }
    }

    /// The message in English.
    pub fn en(&self) -> String {
        match self {
            Self::SideNotPositive { side, value_mm } => format!(
                "the rectangle's {} is {} m: sides must be longer than 0",
                side.en(),
                format_metres(*value_mm)
            ),
            Self::SideTooLong { side, value_mm } => format!(
                "the rectangle's {} is {} m, more than 200 m, probably a typo",
                side.en(),
                format_metres(*value_mm)
            ),
            Self::TooFewCorners { count } => {
                format!("the polygon has {count} corners, at least 3 are needed")
            }
            Self::TooManyCorners { count } => {
                format!("the polygon has {count} corners, at most {MAX_CORNERS}")
            }
            Self::CornerOutOfRange { corner, point } => format!(
                "corner {corner} of the polygon, ({}, {}), is more than 1 km from the origin: use local coordinates around the house",
                format_metres(point.x_mm),
                format_metres(point.y_mm)
            ),
            Self::SpanTooLarge { span_mm } => format!(
                "the polygon spans {} m, more than 200 m, probably a typo",
                format_metres(*span_mm)
            ),
            Self::RepeatedCorner { corner, next } => format!(
                "corners {corner} and {next} of the polygon are the same point: neighbouring corners must differ (do not repeat the first corner at the end)"
            ),
            Self::ZeroArea => {
                "the polygon has zero area: all its corners lie on one line".to_string()
            }
            Self::EdgesCross {
                first_edge,
                second_edge,
            } => format!(
                "edges {first_edge} and {second_edge} of the polygon cross or overlap: the corners may be out of order"
            ),
        }
    }
}

impl Shape {
    /// The exact area, after checking the shape is a usable outline.
    pub fn area(&self) -> Result<Area, ShapeError> {
        match self {
            Self::Rectangle {
                length_mm,
                width_mm,
            } => {
                check_side(RectangleSide::Length, *length_mm)?;
                check_side(RectangleSide::Width, *width_mm)?;
                Ok(Area::from_quarter_mm2(
                    i128::from(*length_mm) * i128::from(*width_mm) * QUARTERS_PER_MM2,
                ))
            }
            // |Σ| is twice the area in mm², i.e. the area in half-mm²: ×2 gives quarters.
            Self::Polygon { points } => {
                Ok(Area::from_quarter_mm2(checked_doubled_area(points)? * 2))
            }
        }
    }

    /// Checks the shape without keeping its area.
    pub fn validate(&self) -> Result<(), ShapeError> {
        self.area().map(|_| ())
    }

    /// How the shape and its area read in the trace; `name_rectangle` is false for
    /// cut-outs, where "2.00 m × 1.00 m" says enough.
    fn describe(&self, area: Area, lang: TraceLanguage, name_rectangle: bool) -> String {
        match self {
            Self::Rectangle {
                length_mm,
                width_mm,
            } => {
                let name = match (name_rectangle, lang) {
                    (false, _) => "",
                    (true, TraceLanguage::Zh) => "矩形 ",
                    (true, TraceLanguage::En) => "rectangle ",
                };
                format!(
                    "{name}{} m × {} m = {} m²",
                    format_metres(*length_mm),
                    format_metres(*width_mm),
                    area.to_m2_string()
                )
            }
            Self::Polygon { points } => {
                let corners = points
                    .iter()
                    .map(|p| format!("({}, {})", format_metres(p.x_mm), format_metres(p.y_mm)))
                    .collect::<Vec<_>>()
                    .join(" ");
                // The shoelace sum |Σ(xᵢyᵢ₊₁ − xᵢ₊₁yᵢ)| is twice the area.
                let doubled = Area::from_quarter_mm2(area.quarter_mm2 * 2).to_m2_string();
                match lang {
                    TraceLanguage::Zh => format!(
                        "多边形（{}个角点：{corners}），鞋带公式 ½ × {doubled} = {} m²",
                        points.len(),
                        area.to_m2_string()
                    ),
                    TraceLanguage::En => format!(
                        "polygon ({} corners: {corners}), shoelace ½ × {doubled} = {} m²",
                        points.len(),
                        area.to_m2_string()
                    ),
                }
            }
        }
    }
}

fn check_side(side: RectangleSide, value_mm: i64) -> Result<(), ShapeError> {
    if value_mm <= 0 {
        Err(ShapeError::SideNotPositive { side, value_mm })
    } else if value_mm > MAX_DIMENSION_MM {
        Err(ShapeError::SideTooLong { side, value_mm })
    } else {
        Ok(())
    }
}

/// Twice the unsigned area of a valid simple polygon, in mm² (the shoelace sum).
fn checked_doubled_area(points: &[Point]) -> Result<i128, ShapeError> {
    let n = points.len();
    if n < 3 {
        return Err(ShapeError::TooFewCorners { count: n });
    }
    if n > MAX_CORNERS {
        return Err(ShapeError::TooManyCorners { count: n });
    }
    let limit = MAX_COORDINATE_MM.unsigned_abs();
    for (index, point) in points.iter().enumerate() {
        // unsigned_abs: i64::MIN has no positive counterpart.
        if point.x_mm.unsigned_abs() > limit || point.y_mm.unsigned_abs() > limit {
            return Err(ShapeError::CornerOutOfRange {
                corner: index + 1,
                point: *point,
            });
        }
    }
    let span = |coordinate: fn(&Point) -> i64| {
        let values = points.iter().map(coordinate);
        values.clone().max().unwrap_or(0) - values.min().unwrap_or(0)
    };
    let span_mm = span(|p| p.x_mm).max(span(|p| p.y_mm));
    if span_mm > MAX_DIMENSION_MM {
        return Err(ShapeError::SpanTooLarge { span_mm });
    }
    for index in 0..n {
        let next = (index + 1) % n;
        if points[index] == points[next] {
            return Err(ShapeError::RepeatedCorner {
                corner: index + 1,
                next: next + 1,
            });
        }
    }
    // All on one line is said as such, before it shows up as edges doubling back.
    if points
        .iter()
        .all(|&p| orientation(points[0], points[1], p) == 0)
    {
        return Err(ShapeError::ZeroArea);
    }
    if let Some((first, second)) = find_crossing_edges(points) {
        return Err(ShapeError::EdgesCross {
            first_edge: first + 1,
            second_edge: second + 1,
        });
    }
    // A simple polygon whose corners are not all on one line has a non-zero area.
    let doubled = shoelace_sum(points);
    if doubled == 0 {
        return Err(ShapeError::ZeroArea);
    }
    Ok(doubled.abs())
}

/// Σ (xᵢ·yᵢ₊₁ − xᵢ₊₁·yᵢ): twice the signed area, positive when anticlockwise.
fn shoelace_sum(points: &[Point]) -> i128 {
    let n = points.len();
    (0..n)
        .map(|i| {
            let a = points[i];
            let b = points[(i + 1) % n];
            i128::from(a.x_mm) * i128::from(b.y_mm) - i128::from(b.x_mm) * i128::from(a.y_mm)
        })
        .sum()
}

/// Sign of the turn a → b → c: 1 left, -1 right, 0 straight.
fn orientation(a: Point, b: Point, c: Point) -> i8 {
    let cross = i128::from(b.x_mm - a.x_mm) * i128::from(c.y_mm - a.y_mm)
        - i128::from(b.y_mm - a.y_mm) * i128::from(c.x_mm - a.x_mm);
    cross.signum() as i8
}

/// Whether `p`, known to be on the line through a and b, lies on the segment a–b.
fn within_segment(a: Point, b: Point, p: Point) -> bool {
    a.x_mm.min(b.x_mm) <= p.x_mm
        && p.x_mm <= a.x_mm.max(b.x_mm)
        && a.y_mm.min(b.y_mm) <= p.y_mm
        && p.y_mm <= a.y_mm.max(b.y_mm)
}

/// Whether the closed segments p1–p2 and q1–q2 share any point (touching counts).
fn segments_meet(p1: Point, p2: Point, q1: Point, q2: Point) -> bool {
    let d1 = orientation(q1, q2, p1);
    let d2 = orientation(q1, q2, p2);
    let d3 = orientation(p1, p2, q1);
    let d4 = orientation(p1, p2, q2);
    if d1 * d2 < 0 && d3 * d4 < 0 {
        return true;
    }
    (d1 == 0 && within_segment(q1, q2, p1))
        || (d2 == 0 && within_segment(q1, q2, p2))
        || (d3 == 0 && within_segment(p1, p2, q1))
        || (d4 == 0 && within_segment(p1, p2, q2))
}

/// The first pair of edges (0-based, edge i from corner i to i+1) that cross or overlap,
/// if any. O(n²) in the corners, which [`MAX_CORNERS`] bounds.
fn find_crossing_edges(points: &[Point]) -> Option<(usize, usize)> {
    let n = points.len();
    let edge = |i: usize| (points[i], points[(i + 1) % n]);
    // Neighbouring edges share a corner; they overlap only if the outline doubles back.
    for corner in 0..n {
        let before = points[(corner + n - 1) % n];
        let here = points[corner];
        let after = points[(corner + 1) % n];
        let dot = i128::from(before.x_mm - here.x_mm) * i128::from(after.x_mm - here.x_mm)
            + i128::from(before.y_mm - here.y_mm) * i128::from(after.y_mm - here.y_mm);
        if orientation(before, here, after) == 0 && dot > 0 {
            let previous_edge = (corner + n - 1) % n;
            return Some((previous_edge.min(corner), previous_edge.max(corner)));
        }
    }
    for i in 0..n {
        for j in (i + 2)..n {
            if i == 0 && j == n - 1 {
                continue;
            }
            let (p1, p2) = edge(i);
            let (q1, q2) = edge(j);
            if segments_meet(p1, p2, q1, q2) {
                return Some((i, j));
            }
        }
    }
    None
}

// ---------------------------------------------------------------------------------------
// Rules and coefficients
// ---------------------------------------------------------------------------------------

/// How much of a part's area counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Coefficient {
    Full,
    Half,
    None,
}

impl Coefficient {
    /// The counted area of `net`. Exact for every area made from millimetre shapes
    /// (their quarter-mm² count is even); an odd count, which no shape produces, would
    /// have its half rounded toward zero.
    pub fn apply(self, net: Area) -> Area {
        match self {
            Self::Full => net,
            Self::Half => net.halved(),
            Self::None => Area::ZERO,
        }
    }

    /// `"1"`, `"1/2"` or `"0"`.
    pub fn symbol(self) -> &'static str {
        match self {
            Self::Full => "1",
            Self::Half => "1/2",
            Self::None => "0",
        }
    }
}

/// The GB/T 50353-2013 rule that decides a part's coefficient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AreaRule {
    /// A storey (or a basement storey): structural storey height ≥ 2.20 m full, below half.
    Storey { height_mm: i64 },
    /// One band of a sloped-roof space by clear height: ≥ 2.10 m full, 1.20–2.10 m half,
    /// < 1.20 m none. Measure each band as its own part.
    SlopedRoof { clear_height_mm: i64 },
    /// Balcony inside the main structure: full.
    BalconyInside,
    /// Balcony outside the main structure: half.
    BalconyOutside,
    /// Canopy with columns: half.
    CanopyWithColumns,
    /// Canopy without columns: half when it reaches ≥ 2.10 m out from the wall, else none.
    CanopyCantilever { width_mm: i64 },
    /// External stair: half of its plan area, once for each storey it serves (enter one
    /// part per storey).
    ExternalStair,
    /// Open roof terrace: not counted.
    OpenTerrace,
}

/// The coefficient a rule gives, why, and the clause of the standard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RuleOutcome {
    pub coefficient: Coefficient,
    /// Clause number in GB/T 50353-2013, e.g. `"3.0.1"`.
    pub clause: String,
    /// E.g. `层高2.90 m ≥ 2.20 m，全计`.
    pub explanation_zh: String,
    /// E.g. `storey height 2.90 m ≥ 2.20 m: full`.
    pub explanation_en: String,
}

/// Why a rule's own figures are impossible.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} / {}", self.zh(), self.en())]
pub enum RuleInputError {
    StoreyHeightNotPositive { height_mm: i64 },
    ClearHeightNegative { clear_height_mm: i64 },
    CanopyWidthNotPositive { width_mm: i64 },
    DimensionTooLarge { value_mm: i64 },
}

impl RuleInputError {
    pub fn zh(&self) -> String {
        match self {
            Self::StoreyHeightNotPositive { height_mm } => {
                format!("层高为{} m：必须大于0", format_metres(*height_mm))
            }
            Self::ClearHeightNegative { clear_height_mm } => {
                format!("净高为{} m：不能小于0", format_metres(*clear_height_mm))
            }
            Self::CanopyWidthNotPositive { width_mm } => {
                format!("雨篷宽度为{} m：必须大于0", format_metres(*width_mm))
            }
            Self::DimensionTooLarge { value_mm } => format!(
                "高度或宽度{} m超过200 m，可能输入有误",
                format_metres(*value_mm)
            ),
        }
    }

    pub fn en(&self) -> String {
        match self {
            Self::StoreyHeightNotPositive { height_mm } => format!(
                "the storey height is {} m: it must be more than 0",
                format_metres(*height_mm)
            ),
            Self::ClearHeightNegative { clear_height_mm } => format!(
                "the clear height is {} m: it cannot be below 0",
                format_metres(*clear_height_mm)
            ),
            Self::CanopyWidthNotPositive { width_mm } => format!(
                "the canopy width is {} m: it must be more than 0",
                format_metres(*width_mm)
            ),
            Self::DimensionTooLarge { value_mm } => format!(
                "the height or width {} m is more than 200 m, probably a typo",
                format_metres(*value_mm)
            ),
        }
    }
}

impl AreaRule {
    /// The coefficient for a part on `storey` (≤ 0 is below ground, which only changes
    /// the clause cited for [`AreaRule::Storey`]).
    pub fn evaluate(&self, storey: i32) -> Result<RuleOutcome, RuleInputError> {
        let outcome = |coefficient, clause: &str, zh: String, en: String| RuleOutcome {
            coefficient,
            clause: clause.to_string(),
            explanation_zh: zh,
            explanation_en: en,
        };
        let too_large = |value_mm: i64| {
            if value_mm > MAX_DIMENSION_MM {
                Err(RuleInputError::DimensionTooLarge { value_mm })
            } else {
                Ok(())
            }
        };
        Ok(match *self {
            Self::Storey { height_mm } => {
                if height_mm <= 0 {
                    return Err(RuleInputError::StoreyHeightNotPositive { height_mm });
                }
                too_large(height_mm)?;
                let h = format_metres(height_mm);
                let limit = format_metres(FULL_STOREY_HEIGHT_MM);
                let (clause, what_zh, what_en) = if storey <= 0 {
                    ("3.0.5", "地下室层高", "basement storey height")
                } else {
                    ("3.0.1", "层高", "storey height")
                };
                if height_mm >= FULL_STOREY_HEIGHT_MM {
                    outcome(
                        Coefficient::Full,
                        clause,
                        format!("{what_zh}{h} m ≥ {limit} m，全计"),
                        format!("{what_en} {h} m ≥ {limit} m: full"),
                    )
                } else {
                    outcome(
                        Coefficient::Half,
                        clause,
                        format!("{what_zh}{h} m < {limit} m，计一半"),
                        format!("{what_en} {h} m < {limit} m: half"),
                    )
                }
            }
            Self::SlopedRoof { clear_height_mm } => {
                if clear_height_mm < 0 {
                    return Err(RuleInputError::ClearHeightNegative { clear_height_mm });
                }
                too_large(clear_height_mm)?;
                let h = format_metres(clear_height_mm);
                let full = format_metres(SLOPED_ROOF_FULL_CLEAR_HEIGHT_MM);
                let half = format_metres(SLOPED_ROOF_HALF_CLEAR_HEIGHT_MM);
                if clear_height_mm >= SLOPED_ROOF_FULL_CLEAR_HEIGHT_MM {
                    outcome(
                        Coefficient::Full,
                        "3.0.3",
                        format!("坡屋顶净高{h} m ≥ {full} m，全计"),
                        format!("sloped-roof clear height {h} m ≥ {full} m: full"),
                    )
                } else if clear_height_mm >= SLOPED_ROOF_HALF_CLEAR_HEIGHT_MM {
                    outcome(
                        Coefficient::Half,
                        "3.0.3",
                        format!("坡屋顶净高{half} m ≤ {h} m < {full} m，计一半"),
                        format!("sloped-roof clear height {half} m ≤ {h} m < {full} m: half"),
                    )
                } else {
                    outcome(
                        Coefficient::None,
                        "3.0.3",
                        format!("坡屋顶净高{h} m < {half} m，不计"),
                        format!("sloped-roof clear height {h} m < {half} m: not counted"),
                    )
                }
            }
            Self::BalconyInside => outcome(
                Coefficient::Full,
                "3.0.21",
                "主体结构内的阳台，全计".to_string(),
                "balcony inside the main structure: full".to_string(),
            ),
            Self::BalconyOutside => outcome(
                Coefficient::Half,
                "3.0.21",
                "主体结构外的阳台，计一半".to_string(),
                "balcony outside the main structure: half".to_string(),
            ),
            Self::CanopyWithColumns => outcome(
                Coefficient::Half,
                "3.0.16",
                "有柱雨篷，计一半".to_string(),
                "canopy with columns: half".to_string(),
            ),
            Self::CanopyCantilever { width_mm } => {
                if width_mm <= 0 {
                    return Err(RuleInputError::CanopyWidthNotPositive { width_mm });
                }
                too_large(width_mm)?;
                let w = format_metres(width_mm);
                let limit = format_metres(CANTILEVER_CANOPY_MIN_WIDTH_MM);
                if width_mm >= CANTILEVER_CANOPY_MIN_WIDTH_MM {
                    outcome(
                        Coefficient::Half,
                        "3.0.16",
                        format!("无柱雨篷宽{w} m ≥ {limit} m，计一半"),
                        format!("canopy without columns {w} m wide ≥ {limit} m: half"),
                    )
                } else {
                    outcome(
                        Coefficient::None,
                        "3.0.16",
                        format!("无柱雨篷宽{w} m < {limit} m，不计"),
                        format!("canopy without columns {w} m wide < {limit} m: not counted"),
                    )
                }
            }
            Self::ExternalStair => outcome(
                Coefficient::Half,
                "3.0.20",
                "室外楼梯并入所依附的自然层，计一半".to_string(),
                "external stair, counted with the storey it serves: half".to_string(),
            ),
            Self::OpenTerrace => outcome(
                Coefficient::None,
                "3.0.27",
                "露台，不计".to_string(),
                "open roof terrace: not counted".to_string(),
            ),
        })
    }
}

// ---------------------------------------------------------------------------------------
// Measurements and the assessment
// ---------------------------------------------------------------------------------------

/// Everything measured of one house: the raw dimensions of each part.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HouseMeasurement {
    pub parts: Vec<MeasuredPart>,
}

/// One measured part: a storey, a balcony, a stair, a band of roof space…
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MeasuredPart {
    /// What the inspector calls it, e.g. `一层主体`.
    pub label: String,
    /// 1 is the ground floor; 0 and below are below ground.
    pub storey: i32,
    /// Outer face of the external walls (or the plan of a balcony, stair, canopy…).
    pub shape: Shape,
    /// Cut-outs inside the shape that do not count: stairwells, courtyards.
    #[serde(default)]
    pub voids: Vec<Shape>,
    pub rule: AreaRule,
}

/// The language of a trace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TraceLanguage {
    Zh,
    En,
}

/// The assessed figures of one part. Areas are exact; show them with
/// [`Area::to_m2_string`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PartAssessment {
    /// 1-based position in the measurement.
    pub number: usize,
    pub label: String,
    pub storey: i32,
    pub gross: Area,
    pub voids: Area,
    pub net: Area,
    pub coefficient: Coefficient,
    pub counted: Area,
    pub rule: RuleOutcome,
}

/// Within the cap (equality is within) or over it, by an exact amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Verdict {
    Within { margin: Area },
    Over { by: Area },
}

impl Verdict {
    /// Exact comparison: `built ≤ cap` is within.
    pub fn compare(built: Area, cap: Area) -> Self {
        if built <= cap {
            Self::Within {
                margin: cap - built,
            }
        } else {
            Self::Over { by: built - cap }
        }
    }

    pub fn is_over(self) -> bool {
        matches!(self, Self::Over { .. })
    }
}

/// The whole calculation for one house and household.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AreaAssessment {
    pub parts: Vec<PartAssessment>,
    /// Exact sum of the counted areas.
    pub built_area: Area,
    pub household_size: u32,
    /// Built area per person in m², 2 decimals, rounded half-up from the exact quotient.
    pub per_person_m2: String,
    pub cap: AppliedCap,
    pub verdict: Verdict,
    /// The calculation, line by line, in Chinese.
    pub trace_zh: Vec<String>,
    /// The same calculation in English.
    pub trace_en: Vec<String>,
}

impl AreaAssessment {
    pub fn trace(&self, lang: TraceLanguage) -> &[String] {
        match lang {
            TraceLanguage::Zh => &self.trace_zh,
            TraceLanguage::En => &self.trace_en,
        }
    }

    pub fn is_over(&self) -> bool {
        self.verdict.is_over()
    }
}

/// Why a house could not be assessed. Parts and cut-outs are numbered from 1.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AreaError {
    #[error(
        "房屋没有任何测量部分：至少要测量一层主体 / the house has no measured parts: measure at least the main storey"
    )]
    NoParts,
    #[error("户人口数为0：至少应为1人 / the household size is 0: it must be at least 1")]
    HouseholdSizeZero,
    #[error(
        "房屋有{count}个测量部分，最多{MAX_PARTS}个 / the house has {count} measured parts, at most {MAX_PARTS}"
    )]
    TooManyParts { count: usize },
    #[error(
        "第{part}部分没有名称：请填写，如“一层主体” / part {part} has no label: enter one, e.g. '一层主体' (ground floor main body)"
    )]
    EmptyLabel { part: usize },
    #[error(
        "第{part}部分的名称过长：{length}字，最多{MAX_LABEL_CHARS}字 / part {part}: the label is too long: {length} characters, at most {MAX_LABEL_CHARS}"
    )]
    LabelTooLong { part: usize, length: usize },
    #[error(
        "第{part}部分“{label}”的楼层{storey}不在{MIN_STOREY}到{MAX_STOREY}之间 / part {part} '{label}': storey {storey} is not between {MIN_STOREY} and {MAX_STOREY}"
    )]
    StoreyOutOfRange {
        part: usize,
        label: String,
        storey: i32,
    },
    #[error(
        "第{part}部分“{label}”有{count}个扣除部分，最多{MAX_VOIDS_PER_PART}个 / part {part} '{label}' has {count} cut-outs, at most {MAX_VOIDS_PER_PART}"
    )]
    TooManyVoids {
        part: usize,
        label: String,
        count: usize,
    },
    #[error("第{part}部分“{label}”的外轮廓：{} / part {part} '{label}', outline: {}", .problem.zh(), .problem.en())]
    InvalidOutline {
        part: usize,
        label: String,
        problem: ShapeError,
    },
    #[error("第{part}部分“{label}”的第{void_number}个扣除部分：{} / part {part} '{label}', cut-out {void_number}: {}", .problem.zh(), .problem.en())]
    InvalidVoid {
        part: usize,
        label: String,
        void_number: usize,
        problem: ShapeError,
    },
    #[error("第{part}部分“{label}”的计算规则：{} / part {part} '{label}', area rule: {}", .problem.zh(), .problem.en())]
    InvalidRule {
        part: usize,
        label: String,
        problem: RuleInputError,
    },
    #[error("第{part}部分“{label}”的扣除面积{} m²大于其本身面积{} m² / part {part} '{label}': its cut-outs ({} m²) are larger than the part itself ({} m²)", .voids.to_m2_exact_string(), .gross.to_m2_exact_string(), .voids.to_m2_exact_string(), .gross.to_m2_exact_string())]
    VoidsExceedGross {
        part: usize,
        label: String,
        gross: Area,
        voids: Area,
    },
    #[error(transparent)]
    Policy(#[from] PolicyError),
}

/// A part's figures together with the areas of its cut-outs, for the trace.
struct AssessedPart<'a> {
    input: &'a MeasuredPart,
    void_areas: Vec<Area>,
    figures: PartAssessment,
}

fn assess_part(number: usize, part: &MeasuredPart) -> Result<AssessedPart<'_>, AreaError> {
    let label = part.label.trim();
    if label.is_empty() {
        return Err(AreaError::EmptyLabel { part: number });
    }
    let length = label.chars().count();
    if length > MAX_LABEL_CHARS {
        return Err(AreaError::LabelTooLong {
            part: number,
            length,
        });
    }
    if !(MIN_STOREY..=MAX_STOREY).contains(&part.storey) {
        return Err(AreaError::StoreyOutOfRange {
            part: number,
            label: label.to_string(),
            storey: part.storey,
        });
    }
    if part.voids.len() > MAX_VOIDS_PER_PART {
        return Err(AreaError::TooManyVoids {
            part: number,
            label: label.to_string(),
            count: part.voids.len(),
        });
    }
    let gross = part
        .shape
        .area()
        .map_err(|problem| AreaError::InvalidOutline {
            part: number,
            label: label.to_string(),
            problem,
        })?;
    let void_areas = part
        .voids
        .iter()
        .enumerate()
        .map(|(index, void)| {
            void.area().map_err(|problem| AreaError::InvalidVoid {
                part: number,
                label: label.to_string(),
                void_number: index + 1,
                problem,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let voids: Area = void_areas.iter().sum();
    if voids > gross {
        return Err(AreaError::VoidsExceedGross {
            part: number,
            label: label.to_string(),
            gross,
            voids,
        });
    }
    let rule = part
        .rule
        .evaluate(part.storey)
        .map_err(|problem| AreaError::InvalidRule {
            part: number,
            label: label.to_string(),
            problem,
        })?;
    let net = gross - voids;
    let counted = rule.coefficient.apply(net);
    Ok(AssessedPart {
        input: part,
        void_areas,
        figures: PartAssessment {
            number,
            label: label.to_string(),
            storey: part.storey,
            gross,
            voids,
            net,
            coefficient: rule.coefficient,
            counted,
            rule,
        },
    })
}

/// Assesses a house for a household: every part's counted area, the built area, the
/// cap from the policy table, the exact verdict and the trace.
pub fn assess(
    measurement: &HouseMeasurement,
    household_size: u32,
    policy: &PolicyTable,
    ctx: &PolicyContext,
) -> Result<AreaAssessment, AreaError> {
    if household_size == 0 {
        return Err(AreaError::HouseholdSizeZero);
    }
    if measurement.parts.is_empty() {
        return Err(AreaError::NoParts);
    }
    if measurement.parts.len() > MAX_PARTS {
        return Err(AreaError::TooManyParts {
            count: measurement.parts.len(),
        });
    }
    let assessed = measurement
        .parts
        .iter()
        .enumerate()
        .map(|(index, part)| assess_part(index + 1, part))
        .collect::<Result<Vec<_>, _>>()?;
    let built_area: Area = assessed.iter().map(|p| p.figures.counted).sum();
    let cap = policy.cap_for(ctx, household_size)?;
    let verdict = Verdict::compare(built_area, cap.total);
    let per_person_m2 = format_hundredths(div_round_half_up(
        built_area.quarter_mm2,
        QUARTERS_PER_HUNDREDTH_M2 * i128::from(household_size),
    ));
    let trace = |lang| {
        Trace {
            lang,
            parts: &assessed,
            built_area,
            household_size,
            per_person_m2: &per_person_m2,
            cap: &cap,
            verdict,
        }
        .lines()
    };
    let trace_zh = trace(TraceLanguage::Zh);
    let trace_en = trace(TraceLanguage::En);
    Ok(AreaAssessment {
        parts: assessed.into_iter().map(|p| p.figures).collect(),
        built_area,
        household_size,
        per_person_m2,
        cap,
        verdict,
        trace_zh,
        trace_en,
    })
}

// ---------------------------------------------------------------------------------------
// The trace
// ---------------------------------------------------------------------------------------

struct Trace<'a> {
    lang: TraceLanguage,
    parts: &'a [AssessedPart<'a>],
    built_area: Area,
    household_size: u32,
    per_person_m2: &'a str,
    cap: &'a AppliedCap,
    verdict: Verdict,
}

impl Trace<'_> {
    fn zh(&self) -> bool {
        self.lang == TraceLanguage::Zh
    }

    fn lines(&self) -> Vec<String> {
        let mut lines: Vec<String> = self.parts.iter().map(|p| self.part_line(p)).collect();
        lines.push(self.sum_line());
        if let Some(note) = self.rounding_note() {
            lines.push(note);
        }
        lines.push(self.per_person_line());
        lines.push(self.cap_line());
        lines.push(self.verdict_line());
        lines
    }

    fn part_line(&self, part: &AssessedPart<'_>) -> String {
        let figures = &part.figures;
        let zh = self.zh();
        let storey = match (zh, figures.storey) {
            (true, s) if s >= 1 => format!("第{s}层"),
            (true, s) => format!("第{s}层，地下"),
            (false, s) if s >= 1 => format!("storey {s}"),
            (false, s) => format!("storey {s}, below ground"),
        };
        let mut segments = vec![part.input.shape.describe(figures.gross, self.lang, true)];
        if !part.void_areas.is_empty() {
            let voids = part
                .input
                .voids
                .iter()
                .zip(&part.void_areas)
                .map(|(shape, area)| shape.describe(*area, self.lang, false))
                .collect::<Vec<_>>();
            let total = figures.voids.to_m2_string();
            segments.push(match (zh, voids.len()) {
                (true, 1) => format!("扣除 {}", voids.join("")),
                (true, _) => format!("扣除 {}，共 {total} m²", voids.join("，")),
                (false, 1) => format!("minus {}", voids.join("")),
                (false, _) => format!("minus {}, in all {total} m²", voids.join(", ")),
            });
            let net = figures.net.to_m2_string();
            segments.push(if zh {
                format!("净面积 {net} m²")
            } else {
                format!("net {net} m²")
            });
        }
        let rule = &figures.rule;
        let counted = figures.counted.to_m2_string();
        let symbol = figures.coefficient.symbol();
        segments.push(if zh {
            format!(
                "{} ×{symbol} = {counted} m²（{STANDARD} 第{}条）",
                rule.explanation_zh, rule.clause
            )
        } else {
            format!(
                "{} ×{symbol} = {counted} m² ({STANDARD} cl. {})",
                rule.explanation_en, rule.clause
            )
        });
        let label = &figures.label;
        let number = figures.number;
        if zh {
            format!("{number}. {label}（{storey}）：{}", segments.join("；"))
        } else {
            format!("{number}. {label} ({storey}): {}", segments.join("; "))
        }
    }

    fn sum_line(&self) -> String {
        let total = self.built_area.to_m2_string();
        let addends = self
            .parts
            .iter()
            .map(|p| p.figures.counted.to_m2_string())
            .collect::<Vec<_>>();
        let name = if self.zh() {
            "建筑面积"
        } else {
            "built area"
        };
        if addends.len() == 1 {
            format!("{name} = {total} m²")
        } else {
            format!("{name} = {} = {total} m²", addends.join(" + "))
        }
    }

    /// Said only when the shown parts do not add up to the shown total.
    fn rounding_note(&self) -> Option<String> {
        let shown_sum: i128 = self
            .parts
            .iter()
            .map(|p| p.figures.counted.to_m2_hundredths_rounded())
            .sum();
        let difference = self.built_area.to_m2_hundredths_rounded() - shown_sum;
        if difference == 0 {
            return None;
        }
        let difference = format_hundredths(difference.abs());
        Some(if self.zh() {
            format!(
                "注：各部分面积四舍五入到0.01 m²显示，建筑面积由精确值相加后只取整一次，故与上列显示值之和相差 {difference} m²"
            )
        } else {
            format!(
                "note: each part is shown rounded half-up to 0.01 m²; the built area is the exact sum rounded once, so it differs from the sum of the shown parts by {difference} m²"
            )
        })
    }

    fn people(&self) -> String {
        match (self.zh(), self.household_size) {
            (true, n) => format!("{n}人"),
            (false, 1) => "1 person".to_string(),
            (false, n) => format!("{n} people"),
        }
    }

    fn per_person_line(&self) -> String {
        let built = self.built_area.to_m2_string();
        let people = self.people();
        let per_person = self.per_person_m2;
        if self.zh() {
            format!("人均 = {built} m² ÷ {people} = {per_person} m²/人")
        } else {
            format!("per person = {built} m² ÷ {people} = {per_person} m²/person")
        }
    }

    fn cap_line(&self) -> String {
        let name = &self.cap.rule_name;
        let total = self.cap.total.to_m2_string();
        let people = self.people();
        match (self.zh(), self.cap.per_person) {
            (true, Some(each)) => format!(
                "上限（{name}）= {} m²/人 × {people} = {total} m²",
                each.to_m2_exact_string()
            ),
            (true, None) => format!("上限（{name}）= 全户 {total} m²"),
            (false, Some(each)) => format!(
                "cap ({name}) = {} m²/person × {people} = {total} m²",
                each.to_m2_exact_string()
            ),
            (false, None) => format!("cap ({name}) = {total} m² for the household"),
        }
    }

    fn verdict_line(&self) -> String {
        // A difference too small to show at 0.01 m² is shown exactly, so that "over by
        // 0.00" never appears.
        let amount = |area: Area| {
            if area.to_m2_hundredths_rounded() == 0 && !area.is_zero() {
                if self.zh() {
                    format!("{} m²（精确值，不足0.01 m²）", area.to_m2_exact_string())
                } else {
                    format!(
                        "{} m² (exact; less than 0.01 m²)",
                        area.to_m2_exact_string()
                    )
                }
            } else {
                format!("{} m²", area.to_m2_string())
            }
        };
        match (self.zh(), self.verdict) {
            (true, Verdict::Over { by }) => format!("结论：超标 {}", amount(by)),
            (true, Verdict::Within { margin }) => format!("结论：未超标，余 {}", amount(margin)),
            (false, Verdict::Over { by }) => {
                format!("verdict: over the limit by {}", amount(by))
            }
            (false, Verdict::Within { margin }) => {
                format!("verdict: within the limit, {} to spare", amount(margin))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{Cap, CapRule};
    use proptest::prelude::*;

    fn rect(length_mm: i64, width_mm: i64) -> Shape {
        Shape::Rectangle {
            length_mm,
            width_mm,
        }
    }

    fn polygon(points: &[(i64, i64)]) -> Shape {
        Shape::Polygon {
            points: points.iter().map(|&(x, y)| Point::new(x, y)).collect(),
        }
    }

    fn part(label: &str, storey: i32, shape: Shape, rule: AreaRule) -> MeasuredPart {
        MeasuredPart {
            label: label.to_string(),
            storey,
            shape,
            voids: vec![],
            rule,
        }
    }

    fn house(parts: Vec<MeasuredPart>) -> HouseMeasurement {
        HouseMeasurement { parts }
    }

    fn assess_default(measurement: &HouseMeasurement, size: u32) -> AreaAssessment {
        assess(
            measurement,
            size,
            &PolicyTable::default(),
            &PolicyContext::default(),
        )
        .unwrap()
    }

    fn outcome(rule: AreaRule) -> RuleOutcome {
        rule.evaluate(1).unwrap()
    }

    const L_SHAPE: [(i64, i64); 6] = [
        (0, 0),
        (12_000, 0),
        (12_000, 5_000),
        (6_000, 5_000),
        (6_000, 8_500),
        (0, 8_500),
    ];

    // --- Area and its display ------------------------------------------------------

    #[test]
    fn area_units_agree() {
        assert_eq!(Area::from_mm2(1).quarter_mm2(), 4);
        assert_eq!(Area::from_m2_hundredths(1), Area::from_mm2(10_000));
        assert_eq!(Area::from_m2_hundredths(2_500).to_m2_string(), "25.00");
        assert_eq!(Area::from_mm2(102_000_000).to_m2_string(), "102.00");
        assert_eq!(Area::from_mm2(1_000_000).as_m2_f64(), 1.0);
    }

    #[test]
    fn display_rounds_half_up_at_the_hundredth() {
        // 0.005 m² = 5,000 mm² rounds up; one quarter-mm² less rounds down.
        let half = Area::from_mm2(5_000);
        assert_eq!(half.to_m2_string(), "0.01");
        assert_eq!(
            Area::from_quarter_mm2(half.quarter_mm2() - 1).to_m2_string(),
            "0.00"
        );
        assert_eq!(Area::from_mm2(14_999).to_m2_string(), "0.01");
        assert_eq!(Area::from_mm2(15_000).to_m2_string(), "0.02");
        assert_eq!(Area::from_mm2(-5_000).to_m2_string(), "-0.01");
        assert_eq!(Area::from_mm2(-4_999).to_m2_string(), "0.00");
        assert_eq!(Area::from_mm2(123_454_999).to_m2_string(), "123.45");
        assert_eq!(Area::from_mm2(123_455_000).to_m2_string(), "123.46");
        assert_eq!(format!("{}", Area::from_mm2(3_600_000)), "3.60 m²");
    }

    #[test]
    fn exact_display_keeps_every_digit() {
        assert_eq!(Area::from_m2_hundredths(2_500).to_m2_exact_string(), "25");
        assert_eq!(Area::from_m2_hundredths(3_750).to_m2_exact_string(), "37.5");
        assert_eq!(
            Area::from_m2_hundredths(3_755).to_m2_exact_string(),
            "37.55"
        );
        assert_eq!(Area::from_quarter_mm2(1).to_m2_exact_string(), "0.00000025");
        assert_eq!(Area::from_mm2(-1).to_m2_exact_string(), "-0.000001");
        assert_eq!(Area::ZERO.to_m2_exact_string(), "0");
        assert!(Area::from_m2_hundredths(7).is_whole_hundredths());
        assert!(!Area::from_mm2(1).is_whole_hundredths());
    }

    #[test]
    fn area_arithmetic_and_order() {
        let a = Area::from_mm2(3);
        let b = Area::from_mm2(5);
        assert_eq!(a + b, Area::from_mm2(8));
        assert_eq!(b - a, Area::from_mm2(2));
        assert_eq!([a, b].iter().sum::<Area>(), Area::from_mm2(8));
        assert_eq!(vec![a, b].into_iter().sum::<Area>(), Area::from_mm2(8));
        assert!(a < b);
        assert_eq!(a.times(4), Area::from_mm2(12));
    }

    #[test]
    fn area_json_carries_exact_count_and_display() {
        let area = Area::from_mm2(102_000_000);
        let json = serde_json::to_value(area).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"quarter_mm2": 408_000_000, "m2": "102.00"})
        );
        let back: Area = serde_json::from_value(json).unwrap();
        assert_eq!(back, area);
        let only_count: Area = serde_json::from_str(r#"{"quarter_mm2": 2}"#).unwrap();
        assert_eq!(only_count, Area::from_quarter_mm2(2));
    }

    #[test]
    fn metres_display_shows_millimetres_only_when_present() {
        assert_eq!(format_metres(12_000), "12.00");
        assert_eq!(format_metres(8_500), "8.50");
        assert_eq!(format_metres(2_199), "2.199");
        assert_eq!(format_metres(0), "0.00");
        assert_eq!(format_metres(5), "0.005");
        assert_eq!(format_metres(-3_000), "-3.00");
    }

    // --- parse_metres ------------------------------------------------------------------

    #[test]
    fn parse_metres_accepts_what_people_type() {
        for (input, mm) in [
            ("12", 12_000),
            ("12.3", 12_300),
            ("12.35", 12_350),
            ("12.345", 12_345),
            ("12.3450", 12_345),
            ("0", 0),
            (" 0.5 ", 500),
            (".5", 500),
            ("12.", 12_000),
            ("007.5", 7_500),
            ("１２．３５", 12_350),
            ("12.35m", 12_350),
            ("12.35 m", 12_350),
            ("12.35M", 12_350),
            ("１２．３５ｍ", 12_350),
            ("12.35米", 12_350),
            ("12。35", 12_350),
            ("200", 200_000),
        ] {
            assert_eq!(parse_metres(input), Ok(mm), "{input}");
        }
    }

    #[test]
    fn parse_metres_refuses_with_a_reason() {
        let kind = MeasureKind::Length;
        assert_eq!(parse_metres(""), Err(ParseMeasureError::Empty { kind }));
        assert_eq!(parse_metres("  m"), Err(ParseMeasureError::Empty { kind }));
        assert!(matches!(
            parse_metres("-1"),
            Err(ParseMeasureError::Negative { .. })
        ));
        assert!(matches!(
            parse_metres("－1.5"),
            Err(ParseMeasureError::Negative { .. })
        ));
        assert!(matches!(
            parse_metres("12.3456"),
            Err(ParseMeasureError::TooManyDecimals { .. })
        ));
        assert_eq!(
            parse_metres("1a"),
            Err(ParseMeasureError::InvalidCharacter {
                kind,
                input: "1a".into(),
                found: 'a'
            })
        );
        assert!(matches!(
            parse_metres("1.2.3"),
            Err(ParseMeasureError::InvalidCharacter { found: '.', .. })
        ));
        assert!(matches!(
            parse_metres("."),
            Err(ParseMeasureError::InvalidCharacter { found: '.', .. })
        ));
        assert!(matches!(
            parse_metres("12mm"),
            Err(ParseMeasureError::InvalidCharacter { found: 'm', .. })
        ));
        assert!(matches!(
            parse_metres("1,5"),
            Err(ParseMeasureError::InvalidCharacter { found: ',', .. })
        ));
        assert!(matches!(
            parse_metres("1000.001"),
            Err(ParseMeasureError::TooLarge { .. })
        ));
        assert!(matches!(
            parse_metres("99999999999999999999999999"),
            Err(ParseMeasureError::TooLarge { .. })
        ));
    }

    #[test]
    fn parse_errors_quote_the_input_in_both_languages() {
        let message = parse_metres("12.3456").unwrap_err().to_string();
        assert!(message.contains("长度“12.3456”小数位太多"), "{message}");
        assert!(
            message.contains("the length '12.3456' has too many decimals"),
            "{message}"
        );
        let message = parse_metres("-2").unwrap_err().to_string();
        assert!(
            message.contains("负数") && message.contains("negative"),
            "{message}"
        );
        let message = parse_metres("").unwrap_err().to_string();
        assert!(
            message.contains("长度为空") && message.contains("is empty"),
            "{message}"
        );
    }

    #[test]
    fn parse_square_metres_is_exact_to_the_hundredth() {
        assert_eq!(
            parse_square_metres("25"),
            Ok(Area::from_m2_hundredths(2_500))
        );
        assert_eq!(
            parse_square_metres("37.5"),
            Ok(Area::from_m2_hundredths(3_750))
        );
        assert_eq!(
            parse_square_metres("37.55㎡"),
            Ok(Area::from_m2_hundredths(3_755))
        );
        assert_eq!(
            parse_square_metres("40 m²"),
            Ok(Area::from_m2_hundredths(4_000))
        );
        assert_eq!(
            parse_square_metres("40平方米"),
            Ok(Area::from_m2_hundredths(4_000))
        );
        assert!(matches!(
            parse_square_metres("37.555"),
            Err(ParseMeasureError::TooManyDecimals {
                kind: MeasureKind::Area,
                ..
            })
        ));
        assert!(matches!(
            parse_square_metres("1000000.01"),
            Err(ParseMeasureError::TooLarge { .. })
        ));
        let message = parse_square_metres("x").unwrap_err().to_string();
        assert!(
            message.contains("面积“x”") && message.contains("the area 'x'"),
            "{message}"
        );
    }

    // --- Shapes -----------------------------------------------------------------------

    #[test]
    fn rectangle_area_is_length_times_width() {
        assert_eq!(rect(12_000, 8_500).area(), Ok(Area::from_mm2(102_000_000)));
        assert_eq!(rect(1, 1).area(), Ok(Area::from_mm2(1)));
        assert_eq!(
            rect(MAX_DIMENSION_MM, MAX_DIMENSION_MM).area(),
            Ok(Area::from_mm2(40_000_000_000))
        );
    }

    #[test]
    fn rectangle_needs_positive_sane_sides() {
        assert_eq!(
            rect(0, 8_500).area(),
            Err(ShapeError::SideNotPositive {
                side: RectangleSide::Length,
                value_mm: 0
            })
        );
        assert_eq!(
            rect(12_000, -1).area(),
            Err(ShapeError::SideNotPositive {
                side: RectangleSide::Width,
                value_mm: -1
            })
        );
        assert_eq!(
            rect(MAX_DIMENSION_MM + 1, 1).area(),
            Err(ShapeError::SideTooLong {
                side: RectangleSide::Length,
                value_mm: MAX_DIMENSION_MM + 1
            })
        );
        let message = rect(0, 1).area().unwrap_err().to_string();
        assert_eq!(
            message,
            "矩形的长为0.00 m：边长必须大于0 / the rectangle's length is 0.00 m: sides must be longer than 0"
        );
    }

    #[test]
    fn l_shaped_polygon_either_way_round() {
        let area = Area::from_mm2(81_000_000); // 12 × 5 + 6 × 3.5
        assert_eq!(polygon(&L_SHAPE).area(), Ok(area));
        let mut reversed = L_SHAPE.to_vec();
        reversed.reverse();
        assert_eq!(polygon(&reversed).area(), Ok(area));
    }

    #[test]
    fn polygon_with_half_mm2_area_is_exact() {
        let triangle = polygon(&[(0, 0), (1, 0), (0, 1)]);
        assert_eq!(triangle.area(), Ok(Area::from_quarter_mm2(2)));
        assert_eq!(
            Coefficient::Half.apply(Area::from_quarter_mm2(2)),
            Area::from_quarter_mm2(1)
        );
    }

    #[test]
    fn collinear_corners_along_an_edge_are_allowed() {
        let square = polygon(&[(0, 0), (1_000, 0), (2_000, 0), (2_000, 2_000), (0, 2_000)]);
        assert_eq!(square.area(), Ok(Area::from_mm2(4_000_000)));
    }

    #[test]
    fn polygon_refusals_say_which_corner_or_edge() {
        assert_eq!(
            polygon(&[(0, 0), (1, 0)]).area(),
            Err(ShapeError::TooFewCorners { count: 2 })
        );
        assert_eq!(
            polygon(&[(0, 0), (1_000, 0), (1_000, 0), (0, 1_000)]).area(),
            Err(ShapeError::RepeatedCorner { corner: 2, next: 3 })
        );
        // Repeating the first corner at the end closes nothing: it is refused, with a hint.
        let closed = polygon(&[(0, 0), (1_000, 0), (0, 1_000), (0, 0)]);
        assert_eq!(
            closed.area(),
            Err(ShapeError::RepeatedCorner { corner: 4, next: 1 })
        );
        assert!(
            closed
                .area()
                .unwrap_err()
                .to_string()
                .contains("do not repeat the first corner")
        );
        assert_eq!(
            polygon(&[(0, 0), (1_000, 0), (3_000, 0)]).area(),
            Err(ShapeError::ZeroArea)
        );
        // A bow tie: edge 1 (corner 1→2) crosses edge 3 (corner 3→4).
        assert_eq!(
            polygon(&[(0, 0), (2_000, 2_000), (2_000, 0), (0, 3_000)]).area(),
            Err(ShapeError::EdgesCross {
                first_edge: 1,
                second_edge: 3
            })
        );
        // A spike doubling back along edge 1.
        assert_eq!(
            polygon(&[(0, 0), (4_000, 0), (2_000, 0), (2_000, 3_000)]).area(),
            Err(ShapeError::EdgesCross {
                first_edge: 1,
                second_edge: 2
            })
        );
        // Two squares touching at one corner (a figure eight through (1000, 1000)).
        let figure_eight = polygon(&[
            (0, 0),
            (1_000, 0),
            (1_000, 1_000),
            (2_000, 1_000),
            (2_000, 2_000),
            (1_000, 2_000),
            (1_000, 1_000),
            (0, 1_000),
        ]);
        assert!(matches!(
            figure_eight.area(),
            Err(ShapeError::EdgesCross { .. })
        ));
        assert_eq!(
            polygon(&[(0, 0), (MAX_COORDINATE_MM + 1, 0), (0, 1)]).area(),
            Err(ShapeError::CornerOutOfRange {
                corner: 2,
                point: Point::new(MAX_COORDINATE_MM + 1, 0)
            })
        );
        assert_eq!(
            polygon(&[(0, 0), (MAX_DIMENSION_MM + 1, 0), (0, 1)]).area(),
            Err(ShapeError::SpanTooLarge {
                span_mm: MAX_DIMENSION_MM + 1
            })
        );
        // A symmetric bow tie has zero signed area, but is still called a crossing.
        let message = polygon(&[(0, 0), (2_000, 2_000), (2_000, 0), (0, 2_000)])
            .area()
            .unwrap_err()
            .to_string();
        assert!(message.contains("第1条边与第3条边相交"), "{message}");
        assert!(
            message.contains("edges 1 and 3 of the polygon cross"),
            "{message}"
        );
    }

    // --- Rules at their thresholds -------------------------------------------------------

    #[test]
    fn storey_height_threshold_is_2200_inclusive() {
        let at = outcome(AreaRule::Storey { height_mm: 2_200 });
        assert_eq!(at.coefficient, Coefficient::Full);
        assert_eq!(at.clause, "3.0.1");
        assert_eq!(at.explanation_zh, "层高2.20 m ≥ 2.20 m，全计");
        assert_eq!(at.explanation_en, "storey height 2.20 m ≥ 2.20 m: full");
        let below = outcome(AreaRule::Storey { height_mm: 2_199 });
        assert_eq!(below.coefficient, Coefficient::Half);
        assert_eq!(below.explanation_zh, "层高2.199 m < 2.20 m，计一半");
        assert_eq!(below.explanation_en, "storey height 2.199 m < 2.20 m: half");
        assert_eq!(
            outcome(AreaRule::Storey { height_mm: 2_201 }).coefficient,
            Coefficient::Full
        );
        assert_eq!(
            outcome(AreaRule::Storey { height_mm: 1 }).coefficient,
            Coefficient::Half
        );
    }

    #[test]
    fn basement_storey_cites_its_own_clause() {
        let basement = AreaRule::Storey { height_mm: 2_100 }.evaluate(-1).unwrap();
        assert_eq!(basement.coefficient, Coefficient::Half);
        assert_eq!(basement.clause, "3.0.5");
        assert_eq!(basement.explanation_zh, "地下室层高2.10 m < 2.20 m，计一半");
        assert_eq!(
            AreaRule::Storey { height_mm: 2_200 }
                .evaluate(0)
                .unwrap()
                .coefficient,
            Coefficient::Full
        );
    }

    #[test]
    fn sloped_roof_thresholds_are_1200_and_2100_inclusive() {
        let coefficient = |h| outcome(AreaRule::SlopedRoof { clear_height_mm: h }).coefficient;
        assert_eq!(coefficient(0), Coefficient::None);
        assert_eq!(coefficient(1_199), Coefficient::None);
        assert_eq!(coefficient(1_200), Coefficient::Half);
        assert_eq!(coefficient(2_099), Coefficient::Half);
        assert_eq!(coefficient(2_100), Coefficient::Full);
        assert_eq!(coefficient(3_000), Coefficient::Full);
        let half = outcome(AreaRule::SlopedRoof {
            clear_height_mm: 1_500,
        });
        assert_eq!(half.clause, "3.0.3");
        assert_eq!(
            half.explanation_zh,
            "坡屋顶净高1.20 m ≤ 1.50 m < 2.10 m，计一半"
        );
        assert_eq!(
            outcome(AreaRule::SlopedRoof {
                clear_height_mm: 1_199
            })
            .explanation_en,
            "sloped-roof clear height 1.199 m < 1.20 m: not counted"
        );
        assert_eq!(
            outcome(AreaRule::SlopedRoof {
                clear_height_mm: 2_100
            })
            .explanation_zh,
            "坡屋顶净高2.10 m ≥ 2.10 m，全计"
        );
    }

    #[test]
    fn cantilever_canopy_threshold_is_2100_inclusive() {
        let below = outcome(AreaRule::CanopyCantilever { width_mm: 2_099 });
        assert_eq!(below.coefficient, Coefficient::None);
        assert_eq!(below.explanation_zh, "无柱雨篷宽2.099 m < 2.10 m，不计");
        let at = outcome(AreaRule::CanopyCantilever { width_mm: 2_100 });
        assert_eq!(at.coefficient, Coefficient::Half);
        assert_eq!(at.clause, "3.0.16");
        assert_eq!(
            at.explanation_en,
            "canopy without columns 2.10 m wide ≥ 2.10 m: half"
        );
    }

    #[test]
    fn fixed_rules_give_their_coefficients() {
        for (rule, coefficient, clause) in [
            (AreaRule::BalconyInside, Coefficient::Full, "3.0.21"),
            (AreaRule::BalconyOutside, Coefficient::Half, "3.0.21"),
            (AreaRule::CanopyWithColumns, Coefficient::Half, "3.0.16"),
            (AreaRule::ExternalStair, Coefficient::Half, "3.0.20"),
            (AreaRule::OpenTerrace, Coefficient::None, "3.0.27"),
        ] {
            let result = outcome(rule.clone());
            assert_eq!(result.coefficient, coefficient, "{rule:?}");
            assert_eq!(result.clause, clause, "{rule:?}");
            assert!(!result.explanation_zh.is_empty() && !result.explanation_en.is_empty());
        }
    }

    #[test]
    fn impossible_rule_figures_are_refused() {
        assert_eq!(
            AreaRule::Storey { height_mm: 0 }.evaluate(1),
            Err(RuleInputError::StoreyHeightNotPositive { height_mm: 0 })
        );
        assert_eq!(
            AreaRule::SlopedRoof {
                clear_height_mm: -1
            }
            .evaluate(3),
            Err(RuleInputError::ClearHeightNegative {
                clear_height_mm: -1
            })
        );
        assert_eq!(
            AreaRule::CanopyCantilever { width_mm: 0 }.evaluate(1),
            Err(RuleInputError::CanopyWidthNotPositive { width_mm: 0 })
        );
        assert_eq!(
            AreaRule::Storey {
                height_mm: MAX_DIMENSION_MM + 1
            }
            .evaluate(1),
            Err(RuleInputError::DimensionTooLarge {
                value_mm: MAX_DIMENSION_MM + 1
            })
        );
    }

    // --- The assessment and its trace ------------------------------------------------------

    /// The worked example: a 2-storey house for 4 people.
    fn two_storey_house() -> HouseMeasurement {
        house(vec![
            part(
                "一层主体",
                1,
                rect(12_000, 8_500),
                AreaRule::Storey { height_mm: 2_900 },
            ),
            part(
                "二层主体",
                2,
                rect(12_000, 8_500),
                AreaRule::Storey { height_mm: 2_100 },
            ),
            part("室外楼梯", 1, rect(3_000, 1_200), AreaRule::ExternalStair),
            part("露台", 2, rect(4_000, 3_000), AreaRule::OpenTerrace),
        ])
    }

    #[test]
    fn worked_example_every_number_by_hand() {
        // By hand: 102.00 ×1 + 102.00 ×½ + 3.60 ×½ + 12.00 ×0 = 102 + 51 + 1.8 + 0
        // = 154.80 m²; ÷ 4 = 38.70 m²/person; cap 25 × 4 = 100.00; over by 54.80.
        let result = assess_default(&two_storey_house(), 4);
        let counted: Vec<String> = result
            .parts
            .iter()
            .map(|p| p.counted.to_m2_string())
            .collect();
        assert_eq!(counted, ["102.00", "51.00", "1.80", "0.00"]);
        assert_eq!(result.parts[1].gross, Area::from_m2_hundredths(10_200));
        assert_eq!(result.parts[1].coefficient, Coefficient::Half);
        assert_eq!(result.parts[2].net, Area::from_m2_hundredths(360));
        assert_eq!(result.built_area, Area::from_m2_hundredths(15_480));
        assert_eq!(result.per_person_m2, "38.70");
        assert_eq!(result.cap.total, Area::from_m2_hundredths(10_000));
        assert_eq!(result.cap.per_person, Some(Area::from_m2_hundredths(2_500)));
        assert_eq!(
            result.verdict,
            Verdict::Over {
                by: Area::from_m2_hundredths(5_480)
            }
        );
        assert!(result.is_over());
        assert_eq!(
            result.trace(TraceLanguage::Zh),
            [
                "1. 一层主体（第1层）：矩形 12.00 m × 8.50 m = 102.00 m²；层高2.90 m ≥ 2.20 m，全计 ×1 = 102.00 m²（GB/T 50353-2013 第3.0.1条）",
                "2. 二层主体（第2层）：矩形 12.00 m × 8.50 m = 102.00 m²；层高2.10 m < 2.20 m，计一半 ×1/2 = 51.00 m²（GB/T 50353-2013 第3.0.1条）",
                "3. 室外楼梯（第1层）：矩形 3.00 m × 1.20 m = 3.60 m²；室外楼梯并入所依附的自然层，计一半 ×1/2 = 1.80 m²（GB/T 50353-2013 第3.0.20条）",
                "4. 露台（第2层）：矩形 4.00 m × 3.00 m = 12.00 m²；露台，不计 ×0 = 0.00 m²（GB/T 50353-2013 第3.0.27条）",
                "建筑面积 = 102.00 + 51.00 + 1.80 + 0.00 = 154.80 m²",
                "人均 = 154.80 m² ÷ 4人 = 38.70 m²/人",
                "上限（国家标准：人均住房建设面积不超过25平方米 / national rule: at most 25 m² of built area per person）= 25 m²/人 × 4人 = 100.00 m²",
                "结论：超标 54.80 m²",
            ]
        );
        assert_eq!(
            result.trace(TraceLanguage::En),
            [
                "1. 一层主体 (storey 1): rectangle 12.00 m × 8.50 m = 102.00 m²; storey height 2.90 m ≥ 2.20 m: full ×1 = 102.00 m² (GB/T 50353-2013 cl. 3.0.1)",
                "2. 二层主体 (storey 2): rectangle 12.00 m × 8.50 m = 102.00 m²; storey height 2.10 m < 2.20 m: half ×1/2 = 51.00 m² (GB/T 50353-2013 cl. 3.0.1)",
                "3. 室外楼梯 (storey 1): rectangle 3.00 m × 1.20 m = 3.60 m²; external stair, counted with the storey it serves: half ×1/2 = 1.80 m² (GB/T 50353-2013 cl. 3.0.20)",
                "4. 露台 (storey 2): rectangle 4.00 m × 3.00 m = 12.00 m²; open roof terrace: not counted ×0 = 0.00 m² (GB/T 50353-2013 cl. 3.0.27)",
                "built area = 102.00 + 51.00 + 1.80 + 0.00 = 154.80 m²",
                "per person = 154.80 m² ÷ 4 people = 38.70 m²/person",
                "cap (国家标准：人均住房建设面积不超过25平方米 / national rule: at most 25 m² of built area per person) = 25 m²/person × 4 people = 100.00 m²",
                "verdict: over the limit by 54.80 m²",
            ]
        );
    }

    #[test]
    fn voids_are_subtracted_and_shown() {
        let mut ground = part(
            "一层主体",
            1,
            rect(12_000, 8_500),
            AreaRule::Storey { height_mm: 2_900 },
        );
        ground.voids = vec![rect(2_000, 1_000)];
        let result = assess_default(&house(vec![ground.clone()]), 5);
        assert_eq!(result.parts[0].voids, Area::from_m2_hundredths(200));
        assert_eq!(result.parts[0].net, Area::from_m2_hundredths(10_000));
        assert_eq!(
            result.trace_zh[0],
            "1. 一层主体（第1层）：矩形 12.00 m × 8.50 m = 102.00 m²；扣除 2.00 m × 1.00 m = 2.00 m²；净面积 100.00 m²；层高2.90 m ≥ 2.20 m，全计 ×1 = 100.00 m²（GB/T 50353-2013 第3.0.1条）"
        );
        assert_eq!(result.trace_zh[1], "建筑面积 = 100.00 m²");
        assert_eq!(result.trace_zh[2], "人均 = 100.00 m² ÷ 5人 = 20.00 m²/人");
        assert_eq!(result.trace_zh[4], "结论：未超标，余 25.00 m²");
        assert_eq!(
            result.trace_en[4],
            "verdict: within the limit, 25.00 m² to spare"
        );

        ground
            .voids
            .push(polygon(&[(0, 0), (1_000, 0), (0, 1_000)]));
        let result = assess_default(&house(vec![ground]), 5);
        assert_eq!(result.parts[0].net, Area::from_m2_hundredths(9_950));
        assert!(
            result.trace_zh[0].contains(
                "扣除 2.00 m × 1.00 m = 2.00 m²，多边形（3个角点：(0.00, 0.00) (1.00, 0.00) (0.00, 1.00)），鞋带公式 ½ × 1.00 = 0.50 m²，共 2.50 m²；净面积 99.50 m²"
            ),
            "{}",
            result.trace_zh[0]
        );
        assert!(
            result.trace_en[0].contains("minus 2.00 m × 1.00 m = 2.00 m², polygon (3 corners"),
            "{}",
            result.trace_en[0]
        );
    }

    #[test]
    fn polygon_trace_shows_corners_and_shoelace() {
        let result = assess_default(
            &house(vec![part(
                "一层主体",
                1,
                polygon(&L_SHAPE),
                AreaRule::Storey { height_mm: 3_000 },
            )]),
            4,
        );
        assert_eq!(result.built_area, Area::from_m2_hundredths(8_100));
        assert_eq!(
            result.trace_zh[0],
            "1. 一层主体（第1层）：多边形（6个角点：(0.00, 0.00) (12.00, 0.00) (12.00, 5.00) (6.00, 5.00) (6.00, 8.50) (0.00, 8.50)），鞋带公式 ½ × 162.00 = 81.00 m²；层高3.00 m ≥ 2.20 m，全计 ×1 = 81.00 m²（GB/T 50353-2013 第3.0.1条）"
        );
        assert!(result.trace_en[0].contains("polygon (6 corners: (0.00, 0.00) (12.00, 0.00)"));
        assert!(result.trace_en[0].contains("shoelace ½ × 162.00 = 81.00 m²"));
        assert_eq!(
            result.verdict,
            Verdict::Within {
                margin: Area::from_m2_hundredths(1_900)
            }
        );
    }

    #[test]
    fn basement_is_labelled_in_the_trace() {
        let result = assess_default(
            &house(vec![part(
                "地下室",
                0,
                rect(5_000, 4_000),
                AreaRule::Storey { height_mm: 2_000 },
            )]),
            1,
        );
        assert!(result.trace_zh[0].starts_with("1. 地下室（第0层，地下）：矩形"));
        assert!(result.trace_en[0].starts_with("1. 地下室 (storey 0, below ground): rectangle"));
        assert_eq!(
            result.trace_en[2],
            "per person = 10.00 m² ÷ 1 person = 10.00 m²/person"
        );
    }

    #[test]
    fn equality_with_the_cap_is_within() {
        // 25.00 m² for one person: exactly the cap.
        let exact = house(vec![part(
            "一层主体",
            1,
            rect(5_000, 5_000),
            AreaRule::Storey { height_mm: 3_000 },
        )]);
        let result = assess_default(&exact, 1);
        assert_eq!(result.verdict, Verdict::Within { margin: Area::ZERO });
        assert_eq!(result.trace_zh.last().unwrap(), "结论：未超标，余 0.00 m²");
    }

    #[test]
    fn one_mm2_over_is_over_and_shown_exactly() {
        let mut parts = vec![part(
            "一层主体",
            1,
            rect(5_000, 5_000),
            AreaRule::Storey { height_mm: 3_000 },
        )];
        parts.push(part(
            "补量",
            1,
            rect(1, 1),
            AreaRule::Storey { height_mm: 3_000 },
        ));
        let result = assess_default(&house(parts), 1);
        assert_eq!(
            result.verdict,
            Verdict::Over {
                by: Area::from_mm2(1)
            }
        );
        assert_eq!(result.trace_zh[2], "建筑面积 = 25.00 + 0.00 = 25.00 m²");
        assert_eq!(
            result.trace_zh.last().unwrap(),
            "结论：超标 0.000001 m²（精确值，不足0.01 m²）"
        );
        assert_eq!(
            result.trace_en.last().unwrap(),
            "verdict: over the limit by 0.000001 m² (exact; less than 0.01 m²)"
        );
    }

    #[test]
    fn rounding_note_appears_only_when_shown_parts_do_not_add_up() {
        // Three parts of exactly 0.005 m² each: each shows as 0.01, the exact total
        // 0.015 shows as 0.02.
        let tiny = |label: &str| {
            part(
                label,
                1,
                rect(100, 50),
                AreaRule::Storey { height_mm: 3_000 },
            )
        };
        let result = assess_default(&house(vec![tiny("甲"), tiny("乙"), tiny("丙")]), 1);
        assert_eq!(result.built_area, Area::from_mm2(15_000));
        assert_eq!(
            result.trace_zh[3],
            "建筑面积 = 0.01 + 0.01 + 0.01 = 0.02 m²"
        );
        assert!(
            result.trace_zh[4].starts_with("注："),
            "{}",
            result.trace_zh[4]
        );
        assert!(result.trace_zh[4].ends_with("相差 0.01 m²"));
        assert!(result.trace_en[4].starts_with("note: "));
        assert_eq!(result.trace_zh.len(), 3 + 5);
        // The worked example adds up, so no note.
        let plain = assess_default(&two_storey_house(), 4);
        assert!(plain.trace_zh.iter().all(|line| !line.starts_with("注")));
        assert!(plain.trace_en.iter().all(|line| !line.starts_with("note")));
    }

    #[test]
    fn total_cap_for_small_households_overrides_the_national_rule() {
        let name = "示例省1–2人户定额：全户不超过40平方米 / example province: at most 40 m² for 1–2 people";
        let mut table = PolicyTable::default();
        table
            .push(
                CapRule::new(
                    name,
                    Cap::Total {
                        m2: Area::from_m2_hundredths(4_000),
                    },
                )
                .for_household_sizes(1, 2),
            )
            .unwrap();
        // 8.00 × 6.00 = 48.00 m²: within the national 2 × 25 = 50, over the 40 total.
        let small = house(vec![part(
            "一层主体",
            1,
            rect(8_000, 6_000),
            AreaRule::Storey { height_mm: 3_000 },
        )]);
        let national = assess_default(&small, 2);
        assert!(!national.is_over());
        let result = assess(&small, 2, &table, &PolicyContext::default()).unwrap();
        assert_eq!(result.cap.rule_name, name);
        assert_eq!(result.cap.per_person, None);
        assert_eq!(
            result.verdict,
            Verdict::Over {
                by: Area::from_m2_hundredths(800)
            }
        );
        assert_eq!(result.trace_zh[3], format!("上限（{name}）= 全户 40.00 m²"));
        assert_eq!(
            result.trace_en[3],
            format!("cap ({name}) = 40.00 m² for the household")
        );
        assert_eq!(result.trace_zh[4], "结论：超标 8.00 m²");
        // A 3-person household falls back to the national rule.
        let three = assess(&small, 3, &table, &PolicyContext::default()).unwrap();
        assert_eq!(three.cap.rule_name, crate::policy::NATIONAL_RULE_NAME);
    }

    #[test]
    fn province_rule_wins_for_that_province() {
        let mut table = PolicyTable::default();
        table
            .push(
                CapRule::new(
                    "甘肃省示例：人均20平方米",
                    Cap::PerPerson {
                        m2: Area::from_m2_hundredths(2_000),
                    },
                )
                .in_province("甘肃省"),
            )
            .unwrap();
        let gansu = PolicyContext {
            province: Some("甘肃省".into()),
            year: Some(2019),
        };
        let result = assess(&two_storey_house(), 4, &table, &gansu).unwrap();
        assert_eq!(result.cap.rule_name, "甘肃省示例：人均20平方米");
        assert_eq!(result.cap.total, Area::from_m2_hundredths(8_000));
        assert_eq!(
            result.trace_zh[6],
            "上限（甘肃省示例：人均20平方米）= 20 m²/人 × 4人 = 80.00 m²"
        );
        assert_eq!(result.trace_zh[7], "结论：超标 74.80 m²");
        let anhui = PolicyContext {
            province: Some("安徽省".into()),
            year: Some(2017),
        };
        let result = assess(&two_storey_house(), 4, &table, &anhui).unwrap();
        assert_eq!(result.cap.rule_name, crate::policy::NATIONAL_RULE_NAME);
    }

    #[test]
    fn house_errors_name_the_part() {
        let table = PolicyTable::default();
        let ctx = PolicyContext::default();
        assert_eq!(
            assess(&HouseMeasurement::default(), 4, &table, &ctx),
            Err(AreaError::NoParts)
        );
        assert_eq!(
            assess(&two_storey_house(), 0, &table, &ctx),
            Err(AreaError::HouseholdSizeZero)
        );

        let mut bad = two_storey_house();
        bad.parts[1].shape = rect(12_000, 0);
        let error = assess(&bad, 4, &table, &ctx).unwrap_err();
        assert_eq!(
            error.to_string(),
            "第2部分“二层主体”的外轮廓：矩形的宽为0.00 m：边长必须大于0 / part 2 '二层主体', outline: the rectangle's width is 0.00 m: sides must be longer than 0"
        );

        let mut bad = two_storey_house();
        bad.parts[0].voids = vec![rect(1_000, 1_000), polygon(&[(0, 0), (1, 1)])];
        let error = assess(&bad, 4, &table, &ctx).unwrap_err();
        assert!(matches!(
            error,
            AreaError::InvalidVoid {
                part: 1,
                void_number: 2,
                ..
            }
        ));
        let message = error.to_string();
        assert!(
            message.contains("第1部分“一层主体”的第2个扣除部分"),
            "{message}"
        );
        assert!(
            message.contains("part 1 '一层主体', cut-out 2"),
            "{message}"
        );

        let mut bad = two_storey_house();
        bad.parts[2].voids = vec![rect(3_000, 1_000), rect(1_000, 1_000)];
        let error = assess(&bad, 4, &table, &ctx).unwrap_err();
        assert_eq!(
            error,
            AreaError::VoidsExceedGross {
                part: 3,
                label: "室外楼梯".into(),
                gross: Area::from_m2_hundredths(360),
                voids: Area::from_m2_hundredths(400),
            }
        );
        assert_eq!(
            error.to_string(),
            "第3部分“室外楼梯”的扣除面积4 m²大于其本身面积3.6 m² / part 3 '室外楼梯': its cut-outs (4 m²) are larger than the part itself (3.6 m²)"
        );

        let mut bad = two_storey_house();
        bad.parts[3].rule = AreaRule::Storey { height_mm: -2_900 };
        let message = assess(&bad, 4, &table, &ctx).unwrap_err().to_string();
        assert!(
            message.contains("第4部分“露台”的计算规则：层高为-2.90 m"),
            "{message}"
        );
        assert!(
            message.contains("part 4 '露台', area rule: the storey height is -2.90 m"),
            "{message}"
        );

        let mut bad = two_storey_house();
        bad.parts[1].label = "  ".into();
        assert_eq!(
            assess(&bad, 4, &table, &ctx),
            Err(AreaError::EmptyLabel { part: 2 })
        );

        let empty_table = PolicyTable::new(vec![]).unwrap();
        assert!(matches!(
            assess(&two_storey_house(), 4, &empty_table, &ctx),
            Err(AreaError::Policy(PolicyError::NoMatchingRule { .. }))
        ));
    }

    #[test]
    fn voids_equal_to_the_whole_leave_nothing() {
        let mut whole = part(
            "天井",
            1,
            rect(2_000, 2_000),
            AreaRule::Storey { height_mm: 3_000 },
        );
        whole.voids = vec![rect(2_000, 2_000)];
        let result = assess_default(&house(vec![whole]), 1);
        assert_eq!(result.built_area, Area::ZERO);
    }

    #[test]
    fn measurement_json_is_tagged_for_the_front_end() {
        let json = r#"{"parts":[
            {"label":"一层主体","storey":1,
             "shape":{"kind":"rectangle","length_mm":12000,"width_mm":8500},
             "rule":{"kind":"storey","height_mm":2900}},
            {"label":"阳台","storey":2,
             "shape":{"kind":"polygon","points":[{"x_mm":0,"y_mm":0},{"x_mm":3000,"y_mm":0},{"x_mm":3000,"y_mm":1500}]},
             "voids":[],
             "rule":{"kind":"balcony_outside"}}
        ]}"#;
        let parsed: HouseMeasurement = serde_json::from_str(json).unwrap();
        assert_eq!(parsed.parts[0].voids, vec![]);
        assert_eq!(parsed.parts[1].rule, AreaRule::BalconyOutside);
        let back: HouseMeasurement =
            serde_json::from_str(&serde_json::to_string(&parsed).unwrap()).unwrap();
        assert_eq!(back, parsed);

        let result = assess_default(&two_storey_house(), 4);
        let value = serde_json::to_value(&result).unwrap();
        assert_eq!(value["verdict"]["kind"], "over");
        assert_eq!(value["verdict"]["by"]["m2"], "54.80");
        assert_eq!(value["parts"][1]["coefficient"], "half");
        assert_eq!(value["built_area"]["m2"], "154.80");
        let back: AreaAssessment = serde_json::from_value(value).unwrap();
        assert_eq!(back, result);
    }

    // --- Properties -------------------------------------------------------------------------

    fn convex_hull(mut points: Vec<Point>) -> Vec<Point> {
        points.sort_by_key(|p| (p.x_mm, p.y_mm));
        points.dedup();
        if points.len() < 3 {
            return points;
        }
        let turn = |o: Point, a: Point, b: Point| orientation(o, a, b);
        let mut lower: Vec<Point> = Vec::new();
        for &p in &points {
            while lower.len() >= 2 && turn(lower[lower.len() - 2], lower[lower.len() - 1], p) <= 0 {
                lower.pop();
            }
            lower.push(p);
        }
        let mut upper: Vec<Point> = Vec::new();
        for &p in points.iter().rev() {
            while upper.len() >= 2 && turn(upper[upper.len() - 2], upper[upper.len() - 1], p) <= 0 {
                upper.pop();
            }
            upper.push(p);
        }
        lower.pop();
        upper.pop();
        lower.extend(upper);
        lower
    }

    /// Strictly convex polygons: the hull of random points.
    fn convex_polygon() -> impl Strategy<Value = Vec<Point>> {
        prop::collection::vec((-50_000_i64..50_000, -50_000_i64..50_000), 3..24)
            .prop_map(|raw| convex_hull(raw.into_iter().map(|(x, y)| Point::new(x, y)).collect()))
            .prop_filter("hull of collinear points", |hull| hull.len() >= 3)
    }

    /// Star-shaped, often concave polygons: corners sorted by angle around the origin.
    fn star_polygon() -> impl Strategy<Value = Vec<Point>> {
        prop::collection::vec((0.0_f64..1.0, 1_000_i64..50_000), 3..16).prop_filter_map(
            "not a simple polygon after rounding",
            |mut corners| {
                corners.sort_by(|a, b| a.0.total_cmp(&b.0));
                let points: Vec<Point> = corners
                    .iter()
                    .map(|&(turn, radius)| {
                        let angle = turn * std::f64::consts::TAU;
                        Point::new(
                            (radius as f64 * angle.cos()).round() as i64,
                            (radius as f64 * angle.sin()).round() as i64,
                        )
                    })
                    .collect();
                checked_doubled_area(&points).ok().map(|_| points)
            },
        )
    }

    fn any_polygon() -> impl Strategy<Value = Vec<Point>> {
        prop_oneof![convex_polygon(), star_polygon()]
    }

    fn polygon_area(points: Vec<Point>) -> Result<Area, ShapeError> {
        Shape::Polygon { points }.area()
    }

    fn any_rule() -> impl Strategy<Value = AreaRule> {
        prop_oneof![
            (1_i64..4_000).prop_map(|height_mm| AreaRule::Storey { height_mm }),
            (0_i64..3_000).prop_map(|clear_height_mm| AreaRule::SlopedRoof { clear_height_mm }),
            Just(AreaRule::BalconyInside),
            Just(AreaRule::BalconyOutside),
            Just(AreaRule::CanopyWithColumns),
            (1_i64..3_000).prop_map(|width_mm| AreaRule::CanopyCantilever { width_mm }),
            Just(AreaRule::ExternalStair),
            Just(AreaRule::OpenTerrace),
        ]
    }

    /// A part: a rectangle with cut-outs of at most a third of each side (so they never
    /// exceed it), or a polygon.
    fn any_part() -> impl Strategy<Value = MeasuredPart> {
        let rectangle = (3_i64..30_000, 3_i64..30_000).prop_flat_map(|(length, width)| {
            let void = (1..=length / 3, 1..=width / 3).prop_map(|(l, w)| rect(l, w));
            (Just(rect(length, width)), prop::collection::vec(void, 0..3))
        });
        let outline = prop_oneof![
            rectangle,
            any_polygon().prop_map(|points| (Shape::Polygon { points }, vec![])),
        ];
        (outline, -1_i32..4, any_rule(), "[一二三]层[甲乙]?").prop_map(
            |((shape, voids), storey, rule, label)| MeasuredPart {
                label,
                storey,
                shape,
                voids,
                rule,
            },
        )
    }

    fn any_house() -> impl Strategy<Value = HouseMeasurement> {
        prop::collection::vec(any_part(), 1..8).prop_map(|parts| HouseMeasurement { parts })
    }

    proptest! {
        #[test]
        fn grid_of_rectangles_adds_up_to_the_whole(
            columns in prop::collection::vec(1_i64..20_000, 1..6),
            rows in prop::collection::vec(1_i64..20_000, 1..6),
            height_mm in 1_i64..4_000,
        ) {
            let length: i64 = columns.iter().sum();
            let width: i64 = rows.iter().sum();
            let whole = rect(length, width).area().unwrap();
            let mut pieces = Vec::new();
            let mut pieces_as_polygons = Area::ZERO;
            let mut x = 0;
            for &c in &columns {
                let mut y = 0;
                for &r in &rows {
                    pieces.push(rect(c, r));
                    pieces_as_polygons = pieces_as_polygons
                        + polygon(&[(x, y), (x + c, y), (x + c, y + r), (x, y + r)]).area().unwrap();
                    y += r;
                }
                x += c;
            }
            let sum: Area = pieces.iter().map(|p| p.area().unwrap()).sum();
            prop_assert_eq!(sum, whole);
            prop_assert_eq!(pieces_as_polygons, whole);
            // And through the engine, even with a half coefficient on every piece.
            let rule = AreaRule::Storey { height_mm };
            let one = house(vec![part("整体", 1, rect(length, width), rule.clone())]);
            let many = house(pieces.into_iter().map(|p| part("分块", 1, p, rule.clone())).collect());
            prop_assert_eq!(
                assess_default(&one, 3).built_area,
                assess_default(&many, 3).built_area
            );
        }

        #[test]
        fn fan_triangulation_adds_up_to_the_convex_polygon(points in convex_polygon()) {
            let whole = polygon_area(points.clone()).unwrap();
            let triangles: Area = (1..points.len() - 1)
                .map(|i| polygon_area(vec![points[0], points[i], points[i + 1]]).unwrap())
                .sum();
            prop_assert_eq!(triangles, whole);
            let halves: Area = (1..points.len() - 1)
                .map(|i| Coefficient::Half.apply(polygon_area(vec![points[0], points[i], points[i + 1]]).unwrap()))
                .sum();
            prop_assert_eq!(halves, Coefficient::Half.apply(whole));
        }

        #[test]
        fn polygon_area_is_unchanged_by_moving_turning_and_renumbering(
            points in any_polygon(),
            dx in -900_000_i64..900_000,
            dy in -900_000_i64..900_000,
            start in 0_usize..32,
        ) {
            let area = polygon_area(points.clone()).unwrap();
            let map = |f: &dyn Fn(Point) -> Point| points.iter().map(|&p| f(p)).collect::<Vec<_>>();
            prop_assert_eq!(polygon_area(map(&|p| Point::new(p.x_mm + dx, p.y_mm + dy))), Ok(area));
            prop_assert_eq!(polygon_area(map(&|p| Point::new(-p.y_mm, p.x_mm))), Ok(area));
            prop_assert_eq!(polygon_area(map(&|p| Point::new(-p.x_mm, -p.y_mm))), Ok(area));
            prop_assert_eq!(polygon_area(map(&|p| Point::new(p.y_mm, -p.x_mm))), Ok(area));
            let mut reversed = points.clone();
            reversed.reverse();
            prop_assert_eq!(polygon_area(reversed), Ok(area));
            let mut rotated_start = points.clone();
            rotated_start.rotate_left(start % points.len());
            prop_assert_eq!(polygon_area(rotated_start), Ok(area));
        }

        #[test]
        fn arbitrary_rotation_rounded_to_mm_stays_within_perimeter_times_1mm(
            points in any_polygon(),
            turn in 0.0_f64..1.0,
        ) {
            // Rounding moves each corner by δ ≤ √2/2 mm. Moving corners by eᵢ changes the
            // shoelace sum by Σ eᵢ × (pᵢ₊₁ − pᵢ₋₁) + Σ eᵢ × eᵢ₊₁, so the area changes by at
            // most δ·P + n·δ²/2 = 0.71·P + n/4 mm². Corners are ≥ 1 mm apart, so P ≥ n mm
            // and that is below P × 1 mm. (f64 error at these sizes is ~1e-9 mm.)
            let area = polygon_area(points.clone()).unwrap();
            let angle = turn * std::f64::consts::TAU;
            let (sin, cos) = angle.sin_cos();
            let turned: Vec<Point> = points
                .iter()
                .map(|p| {
                    let (x, y) = (p.x_mm as f64, p.y_mm as f64);
                    Point::new((x * cos - y * sin).round() as i64, (x * sin + y * cos).round() as i64)
                })
                .collect();
            let perimeter_mm: f64 = (0..points.len())
                .map(|i| {
                    let (a, b) = (points[i], points[(i + 1) % points.len()]);
                    ((b.x_mm - a.x_mm) as f64).hypot((b.y_mm - a.y_mm) as f64)
                })
                .sum();
            // Rounding may, rarely, fold a very thin polygon; the signed sum still measures it.
            let turned_quarters = shoelace_sum(&turned).abs() * 2;
            let change_mm2 = (turned_quarters - area.quarter_mm2()).abs() as f64 / 4.0;
            prop_assert!(
                change_mm2 <= perimeter_mm,
                "area changed by {} mm², perimeter {} mm", change_mm2, perimeter_mm
            );
        }

        #[test]
        fn built_area_is_the_sum_of_counted_parts(house in any_house(), size in 1_u32..12) {
            let result = assess_default(&house, size);
            let sum: Area = result.parts.iter().map(|p| p.counted).sum();
            prop_assert_eq!(result.built_area, sum);
            for (input, figures) in house.parts.iter().zip(&result.parts) {
                let gross = input.shape.area().unwrap();
                let voids: Area = input.voids.iter().map(|v| v.area().unwrap()).sum();
                prop_assert_eq!(figures.gross, gross);
                prop_assert_eq!(figures.voids, voids);
                prop_assert_eq!(figures.net + voids, gross);
                prop_assert_eq!(figures.counted, figures.coefficient.apply(figures.net));
                match figures.coefficient {
                    Coefficient::Full => prop_assert_eq!(figures.counted, figures.net),
                    Coefficient::Half => prop_assert_eq!(figures.counted + figures.counted, figures.net),
                    Coefficient::None => prop_assert_eq!(figures.counted, Area::ZERO),
                }
            }
            // Parts, the sum, an optional rounding note, per person, cap, verdict.
            let shown: i128 = result.parts.iter().map(|p| p.counted.to_m2_hundredths_rounded()).sum();
            let note = usize::from(shown != result.built_area.to_m2_hundredths_rounded());
            prop_assert_eq!(result.trace_zh.len(), house.parts.len() + 4 + note);
            prop_assert_eq!(result.trace_en.len(), result.trace_zh.len());
            // The note's promise: shown parts stray from the shown total by ≤ n × 0.005 m².
            prop_assert!(
                (shown - result.built_area.to_m2_hundredths_rounded()).abs() * 2
                    <= house.parts.len() as i128
            );
        }

        #[test]
        fn verdict_is_over_exactly_when_built_exceeds_the_cap(
            house in any_house(),
            size in 1_u32..8,
            per_person in prop::option::of(1_i64..5_000),
            nudge in -3_i64..=3,
        ) {
            let built = assess_default(&house, size).built_area;
            // Caps near the built area, to hit the boundary, or a random per-person cap.
            let cap = match per_person {
                Some(hundredths) => Cap::PerPerson { m2: Area::from_m2_hundredths(hundredths) },
                None => {
                    let near = i64::try_from(built.to_m2_hundredths_rounded()).unwrap() + nudge;
                    Cap::Total { m2: Area::from_m2_hundredths(near.max(1)) }
                }
            };
            let table = PolicyTable::new(vec![CapRule::new("测试上限 / test cap", cap)]).unwrap();
            let result = assess(&house, size, &table, &PolicyContext::default()).unwrap();
            prop_assert_eq!(result.built_area, built);
            prop_assert_eq!(result.verdict.is_over(), built > result.cap.total);
            match result.verdict {
                Verdict::Over { by } => prop_assert_eq!(built - result.cap.total, by),
                Verdict::Within { margin } => prop_assert_eq!(result.cap.total - built, margin),
            }
            let last = result.trace_zh.last().unwrap();
            prop_assert_eq!(last.starts_with("结论：超标"), result.is_over());
        }

        #[test]
        fn verdict_compare_is_exact(built in -1_000_000_i128..1_000_000, cap in -1_000_000_i128..1_000_000) {
            let verdict = Verdict::compare(Area::from_quarter_mm2(built), Area::from_quarter_mm2(cap));
            prop_assert_eq!(verdict.is_over(), built > cap);
        }

        #[test]
        fn parse_metres_reads_back_what_format_metres_writes(mm in 0_i64..=MAX_DIMENSION_MM) {
            prop_assert_eq!(parse_metres(&format_metres(mm)), Ok(mm));
            prop_assert_eq!(parse_metres(&format!("{} m", format_metres(mm))), Ok(mm));
        }

        #[test]
        fn display_rounding_matches_half_up_on_the_exact_value(quarters in -10_000_000_000_i128..10_000_000_000) {
            let area = Area::from_quarter_mm2(quarters);
            let hundredths = area.to_m2_hundredths_rounded();
            // |exact − shown| ≤ 0.005 m², with exact halves going away from zero.
            let difference = quarters - hundredths * QUARTERS_PER_HUNDREDTH_M2;
            prop_assert!(difference.abs() * 2 <= QUARTERS_PER_HUNDREDTH_M2);
            if difference.abs() * 2 == QUARTERS_PER_HUNDREDTH_M2 {
                prop_assert_eq!(hundredths.signum(), quarters.signum());
            }
            let exact = area.to_m2_exact_string();
            prop_assert_eq!(
                exact.parse::<f64>().unwrap(),
                quarters as f64 / QUARTERS_PER_M2 as f64
            );
        }
    }
}

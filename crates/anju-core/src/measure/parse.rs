//! Numbers as inspectors type them (full-width digits, 米, ㎡, a Chinese full stop), read
//! exactly to millimetres and areas.

use super::{Area, MAX_AREA_M2, MAX_DIMENSION_MM};

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

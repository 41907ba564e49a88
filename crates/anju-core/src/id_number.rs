//! Resident ID numbers (居民身份证号码) as GB 11643-1999 defines them.
//!
//! 18 characters: a 6-digit administrative region code, an 8-digit birth date (YYYYMMDD),
//! a 3-digit sequence code (odd for men, even for women) and a check digit computed with
//! ISO 7064 MOD 11-2, where 10 is written `X`.
//!
//! Input typed on a phone or exported from Excel is normalised first: surrounding spaces
//! are dropped, full-width digits (`０`–`９`) become ASCII, and `x`/`ｘ`/`Ｘ` become `X`.
//! Every rejection names what is wrong and where.

use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// Weights of the first 17 digits in the MOD 11-2 check.
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// The check character for each remainder 0..=10.
const CHECK_CHARS: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// Province-level codes in use (the first two digits of the region code).
const PROVINCE_CODES: [u8; 34] = [
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52,
    53, 54, 61, 62, 63, 64, 65, 71, 81, 82,
];

/// A valid, normalised 18-character ID number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "string"))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IdNumber(String);

/// Why a string is not a valid ID number. Messages are in Chinese, then English.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdNumberError {
    #[error("身份证号为空 / the ID number is empty")]
    Empty,
    #[error(
        "身份证号应为18位，实为{length}位 / the ID number must have 18 characters, this one has {length}"
    )]
    WrongLength { length: usize },
    #[error(
        "身份证号第{position}位“{found}”不是数字{x_hint} / character {position} of the ID number, '{found}', is not a digit{x_hint_en}",
        x_hint = if *position == 18 { "或X" } else { "" },
        x_hint_en = if *position == 18 { " or X" } else { "" }
    )]
    InvalidCharacter { position: usize, found: char },
    #[error(
        "身份证号前6位地区码“{code}”无效（省级代码{province}不存在） / the region code '{code}' (first 6 digits) is not valid: there is no province {province}"
    )]
    InvalidRegion { code: String, province: String },
    #[error(
        "身份证号第7–14位出生日期“{digits}”不是有效日期 / the birth date '{digits}' (digits 7–14) is not a real date"
    )]
    InvalidBirthDate { digits: String },
    #[error(
        "身份证号出生日期{date}不在合理范围（1900年至今） / the birth date {date} is outside 1900 to today"
    )]
    BirthDateOutOfRange { date: NaiveDate },
    #[error(
        "身份证号校验码错误：第18位应为“{expected}”，实为“{found}”（可能有数字输错） / wrong check digit: the 18th character should be '{expected}', it is '{found}' (a digit may be mistyped)"
    )]
    WrongCheckDigit { expected: char, found: char },
}

impl IdNumber {
    /// Normalise and validate, with "today" taken from the system clock for the
    /// birth-date range check.
    pub fn parse(input: &str) -> Result<Self, IdNumberError> {
        Self::parse_as_of(input, chrono::Utc::now().date_naive())
    }

    /// Normalise and validate; birth dates after `today` are refused.
    pub fn parse_as_of(input: &str, today: NaiveDate) -> Result<Self, IdNumberError> {
        let normalised = normalise(input);
        if normalised.is_empty() {
            return Err(IdNumberError::Empty);
        }
        let chars: Vec<char> = normalised.chars().collect();
        if chars.len() != 18 {
            return Err(IdNumberError::WrongLength {
                length: chars.len(),
            });
        }
        for (index, &c) in chars.iter().enumerate() {
            let ok = c.is_ascii_digit() || (index == 17 && c == 'X');
            if !ok {
                return Err(IdNumberError::InvalidCharacter {
                    position: index + 1,
                    found: c,
                });
            }
        }
        let province: u8 = normalised[0..2].parse().unwrap_or(0);
        if !PROVINCE_CODES.contains(&province) {
            return Err(IdNumberError::InvalidRegion {
                code: normalised[0..6].to_string(),
                province: normalised[0..2].to_string(),
            });
        }
        let birth_digits = &normalised[6..14];
        let birth = NaiveDate::parse_from_str(birth_digits, "%Y%m%d").map_err(|_| {
            IdNumberError::InvalidBirthDate {
                digits: birth_digits.to_string(),
            }
        })?;
        if birth.year() < 1900 || birth > today {
            return Err(IdNumberError::BirthDateOutOfRange { date: birth });
        }
        let expected = check_char(&normalised[0..17]).ok_or(IdNumberError::InvalidCharacter {
            position: 1,
            found: chars[0],
        })?;
        let found = chars[17];
        if expected != found {
            return Err(IdNumberError::WrongCheckDigit { expected, found });
        }
        Ok(Self(normalised))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The 6-digit administrative region code.
    pub fn region_code(&self) -> &str {
        &self.0[0..6]
    }

    pub fn birth_date(&self) -> Option<NaiveDate> {
        NaiveDate::parse_from_str(&self.0[6..14], "%Y%m%d").ok()
    }

    /// GB 11643: an odd sequence code is a man, an even one a woman.
    pub fn is_male(&self) -> bool {
        self.0
            .as_bytes()
            .get(16)
            .is_some_and(|digit| (digit - b'0') % 2 == 1)
    }

    /// The number with the middle hidden, for lists shown on a phone in public.
    pub fn masked(&self) -> String {
        format!("{}********{}", &self.0[0..6], &self.0[14..18])
    }
}

/// An ID number as stored, its middle hidden (the first 6 and last 4 characters kept), for
/// people who do not need the whole number. Works on any text, so that a damaged value
/// is hidden too.
pub fn mask_id_text(text: &str) -> String {
    mask_middle(text, 6, 4)
}

/// A phone number with its middle hidden: `139****5678`.
pub fn mask_phone(text: &str) -> String {
    mask_middle(text, 3, 4)
}

fn mask_middle(text: &str, head: usize, tail: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= head + tail {
        return "*".repeat(chars.len());
    }
    let mut out: String = chars[..head].iter().collect();
    out.push_str(&"*".repeat(chars.len() - head - tail));
    out.extend(&chars[chars.len() - tail..]);
    out
}

#[cfg(test)]
mod mask_tests {
    use super::*;

    #[test]
    fn the_middle_is_hidden_whatever_the_text() {
        assert_eq!(mask_id_text("341502197503089024"), "341502********9024");
        assert_eq!(mask_phone("13912345678"), "139****5678");
        assert_eq!(mask_phone("0564-1234567"), "056*****4567");
        assert_eq!(mask_id_text("12345"), "*****");
        assert_eq!(
            mask_id_text("坏了的号码坏了的号码坏了"),
            "坏了的号码坏**号码坏了"
        );
    }
}

impl fmt::Display for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for IdNumber {
    type Error = IdNumberError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<IdNumber> for String {
    fn from(value: IdNumber) -> Self {
        value.0
    }
}

/// Trim, turn full-width digits and letters into ASCII, and upper-case `x`.
pub fn normalise(input: &str) -> String {
    input
        .trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}' || c == '\'')
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{3000}'))
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            'x' | 'ｘ' | 'Ｘ' => 'X',
            other => other,
        })
        .collect()
}

/// The check character for the first 17 digits, or `None` if they are not 17 ASCII digits.
pub fn check_char(first17: &str) -> Option<char> {
    if first17.len() != 17 || !first17.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sum: u32 = first17
        .bytes()
        .zip(WEIGHTS)
        .map(|(digit, weight)| u32::from(digit - b'0') * weight)
        .sum();
    Some(CHECK_CHARS[(sum % 11) as usize])
}

/// Build a valid ID number from its parts, for demo data and tests.
pub fn compose(region: &str, birth: NaiveDate, sequence: u16) -> Option<IdNumber> {
    if region.len() != 6 || sequence > 999 {
        return None;
    }
    let first17 = format!("{region}{}{sequence:03}", birth.format("%Y%m%d"));
    let check = check_char(&first17)?;
    Some(IdNumber(format!("{first17}{check}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 29).unwrap_or_default()
    }

    #[test]
    fn accepts_the_standard_example() {
        // The worked example of GB 11643-1999, appendix.
        let id = IdNumber::parse_as_of("11010519491231002X", today());
        assert_eq!(id.map(|i| i.to_string()), Ok("11010519491231002X".into()));
    }

    #[test]
    fn normalises_lowercase_x_and_full_width_digits() {
        let id = IdNumber::parse_as_of(" １１０１０５１９４９１２３１００２x ", today());
        assert_eq!(id.map(|i| i.to_string()), Ok("11010519491231002X".into()));
        let id = IdNumber::parse_as_of("11010519491231002ｘ", today());
        assert_eq!(id.map(|i| i.to_string()), Ok("11010519491231002X".into()));
    }

    #[test]
    fn every_rejection_says_why() {
        let cases = [
            ("", IdNumberError::Empty),
            (
                "1101051949123100",
                IdNumberError::WrongLength { length: 16 },
            ),
            (
                "11010519491231A02X",
                IdNumberError::InvalidCharacter {
                    position: 15,
                    found: 'A',
                },
            ),
            (
                "99010519491231002X",
                IdNumberError::InvalidRegion {
                    code: "990105".into(),
                    province: "99".into(),
                },
            ),
            (
                "110105194902300021",
                IdNumberError::InvalidBirthDate {
                    digits: "19490230".into(),
                },
            ),
            (
                "110105203001010021",
                IdNumberError::BirthDateOutOfRange {
                    date: NaiveDate::from_ymd_opt(2030, 1, 1).unwrap_or_default(),
                },
            ),
            (
                "110105194912310021",
                IdNumberError::WrongCheckDigit {
                    expected: 'X',
                    found: '1',
                },
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(
                IdNumber::parse_as_of(input, today()),
                Err(expected),
                "{input}"
            );
        }
    }

    #[test]
    fn messages_are_bilingual_and_specific() {
        let err = IdNumber::parse_as_of("110105194912310021", today()).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("校验码"), "{text}");
        assert!(text.contains("should be 'X'"), "{text}");
        let err = IdNumber::parse_as_of("34150219800101001", today()).unwrap_err();
        assert!(err.to_string().contains("17"), "{err}");
    }

    #[test]
    fn parts_are_read_back() {
        let id = compose(
            "341502",
            NaiveDate::from_ymd_opt(1975, 3, 8).unwrap_or_default(),
            931,
        )
        .unwrap();
        assert_eq!(id.region_code(), "341502");
        assert_eq!(id.birth_date(), NaiveDate::from_ymd_opt(1975, 3, 8));
        assert!(id.is_male());
        assert_eq!(id.masked().len(), 18);
        assert!(id.masked().starts_with("341502********"));
    }

    proptest! {
        #[test]
        fn composed_numbers_round_trip(
            days in 0i64..40_000,
            sequence in 0u16..1000,
            region in prop::sample::select(vec!["341502", "110105", "620102", "440305"]),
        ) {
            let birth = NaiveDate::from_ymd_opt(1910, 1, 1).unwrap_or_default()
                + chrono::Duration::days(days);
            let id = compose(region, birth, sequence).unwrap();
            let parsed = IdNumber::parse_as_of(id.as_str(), today());
            prop_assert_eq!(parsed.as_ref(), Ok(&id));
            prop_assert_eq!(id.birth_date(), Some(birth));
        }

        #[test]
        fn any_single_digit_change_is_caught(
            days in 0i64..40_000,
            sequence in 0u16..1000,
            position in 0usize..17,
            delta in 1u8..10,
        ) {
            // MOD 11-2 detects every single-digit substitution.
            let birth = NaiveDate::from_ymd_opt(1910, 1, 1).unwrap_or_default()
                + chrono::Duration::days(days);
            let id = compose("341502", birth, sequence).unwrap();
            let mut bytes = id.as_str().as_bytes().to_vec();
            bytes[position] = b'0' + (bytes[position] - b'0' + delta) % 10;
            let changed = String::from_utf8(bytes).unwrap();
            prop_assert!(IdNumber::parse_as_of(&changed, today()).is_err());
        }
    }
}

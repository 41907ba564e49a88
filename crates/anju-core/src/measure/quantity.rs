//! [`Area`]: an exact number of quarter-mm², shown rounded half-up to 0.01 m².

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, Sub};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{
    EXACT_M2_DECIMALS, HUNDRED_MILLIONTHS_PER_QUARTER, QUARTERS_PER_HUNDREDTH_M2, QUARTERS_PER_M2,
    QUARTERS_PER_MM2, TEN_TO_THE_EXACT_DECIMALS,
};

/// An exact area: a whole number of quarter-mm² (see the module doc for why).
///
/// In JSON it is `{"quarter_mm2": 408000000, "m2": "102.00"}`: the exact count, and the
/// display string so that a front end never has to round by itself. Only `quarter_mm2`
/// is read back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(as = "AreaJson"))]
pub struct Area {
    pub(super) quarter_mm2: i128,
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

/// The JSON shape of [`Area`] in the API's schema: `quarter_mm2` is read, `m2` only written.
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Area {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
        ObjectBuilder::new()
            .description(Some(
                "面积：quarter_mm² 为精确值，m2 为保留两位小数的显示值 / an area: the exact count of quarter mm², and m² with 2 decimals for display",
            ))
            .property(
                "quarter_mm2",
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64))),
            )
            .required("quarter_mm2")
            .property("m2", ObjectBuilder::new().schema_type(Type::String))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Area {}

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
    pub(crate) fn halved(self) -> Self {
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
pub(crate) fn div_round_half_up(numerator: i128, denominator: i128) -> i128 {
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

pub(crate) fn format_hundredths(hundredths: i128) -> String {
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

//! The area engine: built area (建筑面积) as GB/T 50353-2013 defines it, computed from
//! the raw dimensions an inspector measures, with a trace a person can check on paper.
//!
//! # Exactness
//! Lengths are whole millimetres and areas whole quarter-mm² ([`Area`]), so sums,
//! differences, halves and the comparison with the cap are exact; the quantities and the
//! reading of typed numbers live in `crate::measure`, below both this engine and the
//! policy table that gives its caps (they are re-exported here).
//!
//! # Rounding
//! Areas are rounded only when shown: to 0.01 m², half-up (四舍五入, the surveying
//! convention; a half is rounded away from zero). The built area is the exact sum of the
//! counted parts, rounded once. Each part is also rounded on its own, so the shown parts
//! of an n-part house may add up to a figure that differs from the shown total by at most
//! n × 0.005 m²; the trace adds a note saying so only when that actually happens. The
//! verdict compares exact values, never rounded ones.

use serde::{Deserialize, Serialize};

use crate::policy::{AppliedCap, PolicyContext, PolicyError, PolicyTable};

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
/// Storey height from which a storey counts in full (3.0.1, 3.0.5).
pub const FULL_STOREY_HEIGHT_MM: i64 = 2_200;
/// Sloped-roof clear height from which the space counts in full (3.0.3).
pub const SLOPED_ROOF_FULL_CLEAR_HEIGHT_MM: i64 = 2_100;
/// Sloped-roof clear height from which the space counts half (3.0.3).
pub const SLOPED_ROOF_HALF_CLEAR_HEIGHT_MM: i64 = 1_200;
/// Width from which a canopy without columns counts half (3.0.16).
pub const CANTILEVER_CANOPY_MIN_WIDTH_MM: i64 = 2_100;

const STANDARD: &str = "GB/T 50353-2013";

mod rules;
mod shape;
#[cfg(test)]
mod tests;
mod trace;

pub use crate::measure::{
    Area, MAX_AREA_M2, MAX_DIMENSION_MM, MeasureKind, ParseMeasureError, format_metres,
    parse_metres, parse_square_metres,
};
use crate::measure::{
    QUARTERS_PER_HUNDREDTH_M2, QUARTERS_PER_MM2, div_round_half_up, format_hundredths,
};
pub use rules::*;
pub use shape::*;
use trace::*;

// ---------------------------------------------------------------------------------------
// Measurements and the assessment
// ---------------------------------------------------------------------------------------

/// Everything measured of one house: the raw dimensions of each part.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HouseMeasurement {
    pub parts: Vec<MeasuredPart>,
}

/// One measured part: a storey, a balcony, a stair, a band of roof space…
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TraceLanguage {
    Zh,
    En,
}

/// The assessed figures of one part. Areas are exact; show them with
/// [`Area::to_m2_string`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
        built_area.quarter_mm2(),
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

//! The rules of GB/T 50353-2013 that say how much of a measured part counts, and why.

use serde::{Deserialize, Serialize};

use super::{
    Area, CANTILEVER_CANOPY_MIN_WIDTH_MM, FULL_STOREY_HEIGHT_MM, MAX_DIMENSION_MM,
    SLOPED_ROOF_FULL_CLEAR_HEIGHT_MM, SLOPED_ROOF_HALF_CLEAR_HEIGHT_MM, format_metres,
};

/// How much of a part's area counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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

//! Exact measures, below both the area engine (`crate::area`) and the area policy table
//! (`crate::policy`), which both count in them: [`Area`] and the reading of lengths and
//! areas as inspectors type them. Their public names are re-exported by `crate::area`.
//!
//! # Exactness
//! Every length is a whole number of millimetres (`i64`). A rectangle's area is then a
//! whole number of mm², and a polygon's area by the shoelace formula a whole number of
//! half-mm²; the ½ coefficient halves that again. So every area here is held as a whole
//! number of **quarter-mm²** ([`Area`], an `i128`), and sums, differences, halves and the
//! comparison with the cap are exact: the sum of the parts never drifts from the whole.

mod parse;
mod quantity;

pub use parse::{MeasureKind, ParseMeasureError, parse_metres, parse_square_metres};
pub use quantity::{Area, format_metres};
pub(crate) use quantity::{div_round_half_up, format_hundredths};

/// The longest side, polygon span, height or width accepted: no part of a relocation
/// house is 200 m long, so longer is surely a typo (or a hostile record).
pub const MAX_DIMENSION_MM: i64 = 200_000;
/// The largest area [`parse_square_metres`] accepts (1 km²), e.g. for caps.
pub const MAX_AREA_M2: i64 = 1_000_000;

pub(crate) const QUARTERS_PER_MM2: i128 = 4;
/// 0.01 m² = 10,000 mm² = 40,000 quarter-mm².
pub(crate) const QUARTERS_PER_HUNDREDTH_M2: i128 = 40_000;
pub(crate) const QUARTERS_PER_M2: i128 = 4_000_000;
/// One quarter-mm² is 0.000 000 25 m², i.e. 25 units of 10⁻⁸ m²: eight decimals of m²
/// therefore always show an area exactly.
const EXACT_M2_DECIMALS: usize = 8;
const TEN_TO_THE_EXACT_DECIMALS: i128 = 100_000_000;
const HUNDRED_MILLIONTHS_PER_QUARTER: i128 = 25;

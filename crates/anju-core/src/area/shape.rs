//! Shapes: rectangles and polygons (checked: bounded, no repeated corners, no crossing
//! edges), and their exact areas.

use serde::{Deserialize, Serialize};

use super::{
    Area, MAX_COORDINATE_MM, MAX_CORNERS, MAX_DIMENSION_MM, QUARTERS_PER_MM2, TraceLanguage,
    format_metres,
};

/// A corner of a polygon, in millimetres on any local grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    pub(super) fn describe(&self, area: Area, lang: TraceLanguage, name_rectangle: bool) -> String {
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
                let doubled = Area::from_quarter_mm2(area.quarter_mm2() * 2).to_m2_string();
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
pub(super) fn checked_doubled_area(points: &[Point]) -> Result<i128, ShapeError> {
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
pub(super) fn shoelace_sum(points: &[Point]) -> i128 {
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
pub(super) fn orientation(a: Point, b: Point, c: Point) -> i8 {
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

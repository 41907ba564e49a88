//! Rectangles and polygons: exact areas and the refusals that name the corner or edge.

use super::*;

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

//! Properties over generated shapes and houses.

use proptest::prelude::*;

use super::super::shape::{checked_doubled_area, orientation, shoelace_sum};
use super::*;

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

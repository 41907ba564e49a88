//! Properties over generated shapes and houses, and over hostile ones: any corners across
//! the whole `i64` range, any sides, heights, storeys and labels. The hostile properties run
//! `ANJU_FUZZ_CASES` cases (default 256) from a fixed seed, `ANJU_FUZZ_SEED` explores
//! elsewhere, and `scripts/fuzz` runs them for long; a failure they find becomes a named
//! regression test in `shapes.rs` or `assessment.rs`.

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};

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

// ---------------------------------------------------------------------------------------
// Hostile input: whatever a device sends, an error or a bounded result, never a panic (in
// a debug build, never an overflow)
// ---------------------------------------------------------------------------------------

const DEFAULT_FUZZ_CASES: u32 = 256;
/// "anju-are" in ASCII: the seed of every `cargo test` run.
const DEFAULT_FUZZ_SEED: u64 = 0x616e_6a75_2d61_7265;

fn fuzz_env(name: &str) -> Option<u64> {
    let value = std::env::var(name).ok()?;
    Some(
        value
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}={value} is not a number")),
    )
}

/// Runs a property for `ANJU_FUZZ_CASES` cases from `ANJU_FUZZ_SEED` (and its salt).
fn fuzz<S>(salt: u64, strategy: S, test: impl Fn(S::Value) -> Result<(), TestCaseError>)
where
    S: Strategy,
    S::Value: std::fmt::Debug,
{
    let cases = fuzz_env("ANJU_FUZZ_CASES")
        .map_or(DEFAULT_FUZZ_CASES, |n| u32::try_from(n).unwrap_or(u32::MAX));
    let seed = fuzz_env("ANJU_FUZZ_SEED").unwrap_or(DEFAULT_FUZZ_SEED);
    println!("ANJU_FUZZ_SEED={seed} ANJU_FUZZ_CASES={cases} (property salt {salt})");
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    bytes[8..16].copy_from_slice(&salt.to_le_bytes());
    let mut runner = TestRunner::new_with_rng(
        Config {
            cases,
            failure_persistence: None,
            max_shrink_time: 300_000,
            ..Config::default()
        },
        TestRng::from_seed(RngAlgorithm::ChaCha, &bytes),
    );
    if let Err(error) = runner.run(&strategy, test) {
        panic!("{error}");
    }
}

/// Any `i64`, weighted to the edges: the bounds, just past them, and the type's own ends.
fn hostile_coordinate() -> impl Strategy<Value = i64> {
    prop_oneof![
        4 => -50_000_i64..50_000,
        2 => (-MAX_COORDINATE_MM - 2)..(-MAX_COORDINATE_MM + 2),
        2 => (MAX_COORDINATE_MM - 2)..(MAX_COORDINATE_MM + 2),
        2 => any::<i64>(),
        1 => prop::sample::select(vec![
            i64::MIN,
            i64::MIN + 1,
            i64::MAX,
            i64::MAX - 1,
            i64::MAX / 2,
            i64::MIN / 2,
            0,
        ]),
    ]
}

/// Corners: a few near one another (so that many pass the bounds and reach the crossing
/// test), or anywhere; up to 100 of them, past the 64 allowed.
fn hostile_points() -> impl Strategy<Value = Vec<Point>> {
    let count =
        prop_oneof![4 => 0_usize..12, 2 => 12_usize..=MAX_CORNERS, 1 => (MAX_CORNERS + 1)..=100];
    let local = (-3_000_i64..3_000, -3_000_i64..3_000).prop_map(|(x, y)| Point::new(x, y));
    let anywhere = (hostile_coordinate(), hostile_coordinate()).prop_map(|(x, y)| Point::new(x, y));
    let corner = prop_oneof![3 => local, 1 => anywhere];
    count.prop_flat_map(move |n| prop::collection::vec(corner.clone(), n))
}

fn hostile_side() -> impl Strategy<Value = i64> {
    prop_oneof![
        4 => 1_i64..30_000,
        1 => (MAX_DIMENSION_MM - 2)..(MAX_DIMENSION_MM + 2),
        1 => any::<i64>(),
        1 => prop::sample::select(vec![i64::MIN, -1, 0, i64::MAX]),
    ]
}

fn hostile_shape() -> impl Strategy<Value = Shape> {
    prop_oneof![
        (hostile_side(), hostile_side()).prop_map(|(length_mm, width_mm)| Shape::Rectangle {
            length_mm,
            width_mm
        }),
        hostile_points().prop_map(|points| Shape::Polygon { points }),
    ]
}

fn hostile_rule() -> impl Strategy<Value = AreaRule> {
    prop_oneof![
        hostile_side().prop_map(|height_mm| AreaRule::Storey { height_mm }),
        hostile_side().prop_map(|clear_height_mm| AreaRule::SlopedRoof { clear_height_mm }),
        Just(AreaRule::BalconyInside),
        Just(AreaRule::BalconyOutside),
        Just(AreaRule::CanopyWithColumns),
        hostile_side().prop_map(|width_mm| AreaRule::CanopyCantilever { width_mm }),
        Just(AreaRule::ExternalStair),
        Just(AreaRule::OpenTerrace),
    ]
}

/// A part that is mostly sane, with one or more hostile pieces, so that whole houses pass
/// too.
fn hostile_part() -> impl Strategy<Value = MeasuredPart> {
    let sane_rect =
        (1_000_i64..20_000, 1_000_i64..20_000).prop_map(|(length_mm, width_mm)| Shape::Rectangle {
            length_mm,
            width_mm,
        });
    let sane_void = (1_i64..300, 1_i64..300).prop_map(|(length_mm, width_mm)| Shape::Rectangle {
        length_mm,
        width_mm,
    });
    (
        prop_oneof![6 => Just("一层主体".to_string()), 1 => "\\PC{0,50}"],
        prop_oneof![6 => 1_i32..4, 1 => -6_i32..52, 1 => any::<i32>()],
        prop_oneof![3 => sane_rect, 2 => hostile_shape()],
        prop_oneof![
            4 => prop::collection::vec(sane_void, 0..3),
            1 => prop::collection::vec(hostile_shape(), 0..14),
        ],
        prop_oneof![3 => Just(AreaRule::Storey { height_mm: 2_900 }), 1 => hostile_rule()],
    )
        .prop_map(|(label, storey, shape, voids, rule)| MeasuredPart {
            label,
            storey,
            shape,
            voids,
            rule,
        })
}

/// What the engine's bounds say of a polygon, before it looks at its edges: the error the
/// first failed check gives, or `None` if it passes them all.
fn bound_error(points: &[Point]) -> Option<ShapeError> {
    let n = points.len();
    if n < 3 {
        return Some(ShapeError::TooFewCorners { count: n });
    }
    if n > MAX_CORNERS {
        return Some(ShapeError::TooManyCorners { count: n });
    }
    let out = |v: i64| v.unsigned_abs() > MAX_COORDINATE_MM.unsigned_abs();
    if let Some(index) = points.iter().position(|p| out(p.x_mm) || out(p.y_mm)) {
        return Some(ShapeError::CornerOutOfRange {
            corner: index + 1,
            point: points[index],
        });
    }
    let span = |f: fn(&Point) -> i64| {
        let values = points.iter().map(f);
        values.clone().max().unwrap_or(0) - values.min().unwrap_or(0)
    };
    let span_mm = span(|p| p.x_mm).max(span(|p| p.y_mm));
    (span_mm > MAX_DIMENSION_MM).then_some(ShapeError::SpanTooLarge { span_mm })
}

/// Counts outcomes, to see that hostile input also reaches the end of the engine.
#[derive(Default)]
struct Outcomes {
    ok: std::sync::atomic::AtomicUsize,
    err: std::sync::atomic::AtomicUsize,
}

impl Outcomes {
    fn count<T, E>(&self, result: &Result<T, E>) {
        let counter = if result.is_ok() { &self.ok } else { &self.err };
        counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// Both kinds happened, when there were enough cases for both.
    fn check(&self, what: &str) {
        let ok = self.ok.load(std::sync::atomic::Ordering::Relaxed);
        let err = self.err.load(std::sync::atomic::Ordering::Relaxed);
        println!("{what}: {ok} results, {err} errors");
        if ok + err >= 64 {
            assert!(
                ok * 50 >= ok + err && err > 0,
                "{what}: {ok} results, {err} errors"
            );
        }
    }
}

#[test]
fn hostile_polygons_get_an_error_or_an_area_within_their_bounds() {
    let outcomes = Outcomes::default();
    fuzz(1, hostile_points(), |points| {
        let shape = Shape::Polygon {
            points: points.clone(),
        };
        let result = shape.area();
        outcomes.count(&result);
        prop_assert_eq!(shape.validate().is_ok(), result.is_ok());
        match (bound_error(&points), &result) {
            (Some(expected), _) => prop_assert_eq!(result, Err(expected)),
            (None, Ok(area)) => {
                // Within the bounds: a positive area no larger than the bounding box.
                let (xs, ys): (Vec<i64>, Vec<i64>) =
                    points.iter().map(|p| (p.x_mm, p.y_mm)).unzip();
                let width = i128::from(xs.iter().max().unwrap() - xs.iter().min().unwrap());
                let height = i128::from(ys.iter().max().unwrap() - ys.iter().min().unwrap());
                prop_assert!(*area > Area::ZERO);
                prop_assert!(*area <= Area::from_quarter_mm2(width * height * 4));
                prop_assert_eq!(area.quarter_mm2(), shoelace_sum(&points).abs() * 2);
            }
            (None, Err(error)) => {
                prop_assert!(
                    matches!(
                        error,
                        ShapeError::RepeatedCorner { .. }
                            | ShapeError::ZeroArea
                            | ShapeError::EdgesCross { .. }
                    ),
                    "{:?}",
                    error
                );
                prop_assert!(error.to_string().contains(" / "));
            }
        }
        Ok(())
    });
    outcomes.check("polygons");
}

#[test]
fn hostile_rectangles_get_an_error_or_their_exact_area() {
    fuzz(
        2,
        (hostile_side(), hostile_side()),
        |(length_mm, width_mm)| {
            let result = Shape::Rectangle {
                length_mm,
                width_mm,
            }
            .area();
            let fits = |side: i64| (1..=MAX_DIMENSION_MM).contains(&side);
            if fits(length_mm) && fits(width_mm) {
                prop_assert_eq!(
                    result,
                    Ok(Area::from_quarter_mm2(
                        i128::from(length_mm) * i128::from(width_mm) * 4
                    ))
                );
            } else {
                prop_assert!(result.is_err());
            }
            Ok(())
        },
    );
}

#[test]
fn hostile_houses_are_assessed_or_refused_never_overflowing() {
    let strategy = (
        prop_oneof![
            4 => prop::collection::vec(hostile_part(), 1..4),
            1 => prop::collection::vec(hostile_part(), 0..=MAX_PARTS + 2),
        ],
        prop_oneof![4 => 1_u32..12, 1 => any::<u32>()],
    );
    let outcomes = Outcomes::default();
    fuzz(3, strategy, |(parts, size)| {
        let house = HouseMeasurement { parts };
        let result = assess(
            &house,
            size,
            &PolicyTable::default(),
            &PolicyContext::default(),
        );
        outcomes.count(&result);
        match result {
            Ok(result) => {
                prop_assert!(!house.parts.is_empty() && house.parts.len() <= MAX_PARTS);
                prop_assert_eq!(result.parts.len(), house.parts.len());
                // Coefficients are 1, ½ or 0: the built area is at most the sum of the gross
                // areas, each of which is within the bounds.
                let gross: Area = result.parts.iter().map(|p| p.gross).sum();
                prop_assert!(Area::ZERO <= result.built_area && result.built_area <= gross);
                for part in &result.parts {
                    prop_assert!(
                        part.gross.quarter_mm2() <= i128::from(MAX_DIMENSION_MM).pow(2) * 4
                    );
                    prop_assert!(Area::ZERO <= part.voids && part.voids <= part.gross);
                }
                prop_assert_eq!(result.trace_zh.len(), result.trace_en.len());
            }
            Err(error) => {
                let text = error.to_string();
                prop_assert!(text.contains(" / "), "not bilingual: {}", text);
                // A hostile label is cut to its limit before it is quoted.
                prop_assert!(
                    text.chars().count() <= 2_000,
                    "{} characters",
                    text.chars().count()
                );
            }
        }
        Ok(())
    });
    outcomes.check("houses");
}

#[test]
fn hostile_text_is_read_as_a_measure_or_refused() {
    let text = prop_oneof![
        4 => "[0-9０-９.．,，\\- +m米²㎡平方公尺eE]{0,30}",
        1 => "[0-9]{15,60}(\\.[0-9]{0,40})?",
        1 => "\\PC{0,40}",
    ];
    fuzz(4, text, |input| {
        match parse_metres(&input) {
            Ok(mm) => prop_assert!(
                (0..=MAX_DIMENSION_MM).contains(&mm),
                "{} from {:?}",
                mm,
                input
            ),
            Err(error) => prop_assert!(error.to_string().contains(" / ")),
        }
        match parse_square_metres(&input) {
            Ok(area) => prop_assert!(
                Area::ZERO <= area && area <= Area::from_m2_hundredths(MAX_AREA_M2 * 100),
                "{:?} from {:?}",
                area,
                input
            ),
            Err(error) => prop_assert!(error.to_string().contains(" / ")),
        }
        Ok(())
    });
}

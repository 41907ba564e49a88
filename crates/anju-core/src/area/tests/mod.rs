//! The area engine's tests, by part of the engine; the builders they share are here.

use super::*;
use crate::measure::QUARTERS_PER_M2;
use crate::policy::{Cap, CapRule};

mod assessment;
mod properties;
mod quantities;
mod rules;
mod shapes;

fn rect(length_mm: i64, width_mm: i64) -> Shape {
    Shape::Rectangle {
        length_mm,
        width_mm,
    }
}

fn polygon(points: &[(i64, i64)]) -> Shape {
    Shape::Polygon {
        points: points.iter().map(|&(x, y)| Point::new(x, y)).collect(),
    }
}

fn part(label: &str, storey: i32, shape: Shape, rule: AreaRule) -> MeasuredPart {
    MeasuredPart {
        label: label.to_string(),
        storey,
        shape,
        voids: vec![],
        rule,
    }
}

fn house(parts: Vec<MeasuredPart>) -> HouseMeasurement {
    HouseMeasurement { parts }
}

fn assess_default(measurement: &HouseMeasurement, size: u32) -> AreaAssessment {
    assess(
        measurement,
        size,
        &PolicyTable::default(),
        &PolicyContext::default(),
    )
    .unwrap()
}

fn outcome(rule: AreaRule) -> RuleOutcome {
    rule.evaluate(1).unwrap()
}

const L_SHAPE: [(i64, i64); 6] = [
    (0, 0),
    (12_000, 0),
    (12_000, 5_000),
    (6_000, 5_000),
    (6_000, 8_500),
    (0, 8_500),
];

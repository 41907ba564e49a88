//! The rules of GB/T 50353-2013 at their thresholds.

use super::*;

#[test]
fn storey_height_threshold_is_2200_inclusive() {
    let at = outcome(AreaRule::Storey { height_mm: 2_200 });
    assert_eq!(at.coefficient, Coefficient::Full);
    assert_eq!(at.clause, "3.0.1");
    assert_eq!(at.explanation_zh, "层高2.20 m ≥ 2.20 m，全计");
    assert_eq!(at.explanation_en, "storey height 2.20 m ≥ 2.20 m: full");
    let below = outcome(AreaRule::Storey { height_mm: 2_199 });
    assert_eq!(below.coefficient, Coefficient::Half);
    assert_eq!(below.explanation_zh, "层高2.199 m < 2.20 m，计一半");
    assert_eq!(below.explanation_en, "storey height 2.199 m < 2.20 m: half");
    assert_eq!(
        outcome(AreaRule::Storey { height_mm: 2_201 }).coefficient,
        Coefficient::Full
    );
    assert_eq!(
        outcome(AreaRule::Storey { height_mm: 1 }).coefficient,
        Coefficient::Half
    );
}

#[test]
fn basement_storey_cites_its_own_clause() {
    let basement = AreaRule::Storey { height_mm: 2_100 }.evaluate(-1).unwrap();
    assert_eq!(basement.coefficient, Coefficient::Half);
    assert_eq!(basement.clause, "3.0.5");
    assert_eq!(basement.explanation_zh, "地下室层高2.10 m < 2.20 m，计一半");
    assert_eq!(
        AreaRule::Storey { height_mm: 2_200 }
            .evaluate(0)
            .unwrap()
            .coefficient,
        Coefficient::Full
    );
}

#[test]
fn sloped_roof_thresholds_are_1200_and_2100_inclusive() {
    let coefficient = |h| outcome(AreaRule::SlopedRoof { clear_height_mm: h }).coefficient;
    assert_eq!(coefficient(0), Coefficient::None);
    assert_eq!(coefficient(1_199), Coefficient::None);
    assert_eq!(coefficient(1_200), Coefficient::Half);
    assert_eq!(coefficient(2_099), Coefficient::Half);
    assert_eq!(coefficient(2_100), Coefficient::Full);
    assert_eq!(coefficient(3_000), Coefficient::Full);
    let half = outcome(AreaRule::SlopedRoof {
        clear_height_mm: 1_500,
    });
    assert_eq!(half.clause, "3.0.3");
    assert_eq!(
        half.explanation_zh,
        "坡屋顶净高1.20 m ≤ 1.50 m < 2.10 m，计一半"
    );
    assert_eq!(
        outcome(AreaRule::SlopedRoof {
            clear_height_mm: 1_199
        })
        .explanation_en,
        "sloped-roof clear height 1.199 m < 1.20 m: not counted"
    );
    assert_eq!(
        outcome(AreaRule::SlopedRoof {
            clear_height_mm: 2_100
        })
        .explanation_zh,
        "坡屋顶净高2.10 m ≥ 2.10 m，全计"
    );
}

#[test]
fn cantilever_canopy_threshold_is_2100_inclusive() {
    let below = outcome(AreaRule::CanopyCantilever { width_mm: 2_099 });
    assert_eq!(below.coefficient, Coefficient::None);
    assert_eq!(below.explanation_zh, "无柱雨篷宽2.099 m < 2.10 m，不计");
    let at = outcome(AreaRule::CanopyCantilever { width_mm: 2_100 });
    assert_eq!(at.coefficient, Coefficient::Half);
    assert_eq!(at.clause, "3.0.16");
    assert_eq!(
        at.explanation_en,
        "canopy without columns 2.10 m wide ≥ 2.10 m: half"
    );
}

#[test]
fn fixed_rules_give_their_coefficients() {
    for (rule, coefficient, clause) in [
        (AreaRule::BalconyInside, Coefficient::Full, "3.0.21"),
        (AreaRule::BalconyOutside, Coefficient::Half, "3.0.21"),
        (AreaRule::CanopyWithColumns, Coefficient::Half, "3.0.16"),
        (AreaRule::ExternalStair, Coefficient::Half, "3.0.20"),
        (AreaRule::OpenTerrace, Coefficient::None, "3.0.27"),
    ] {
        let result = outcome(rule.clone());
        assert_eq!(result.coefficient, coefficient, "{rule:?}");
        assert_eq!(result.clause, clause, "{rule:?}");
        assert!(!result.explanation_zh.is_empty() && !result.explanation_en.is_empty());
    }
}

#[test]
fn impossible_rule_figures_are_refused() {
    assert_eq!(
        AreaRule::Storey { height_mm: 0 }.evaluate(1),
        Err(RuleInputError::StoreyHeightNotPositive { height_mm: 0 })
    );
    assert_eq!(
        AreaRule::SlopedRoof {
            clear_height_mm: -1
        }
        .evaluate(3),
        Err(RuleInputError::ClearHeightNegative {
            clear_height_mm: -1
        })
    );
    assert_eq!(
        AreaRule::CanopyCantilever { width_mm: 0 }.evaluate(1),
        Err(RuleInputError::CanopyWidthNotPositive { width_mm: 0 })
    );
    assert_eq!(
        AreaRule::Storey {
            height_mm: MAX_DIMENSION_MM + 1
        }
        .evaluate(1),
        Err(RuleInputError::DimensionTooLarge {
            value_mm: MAX_DIMENSION_MM + 1
        })
    );
}

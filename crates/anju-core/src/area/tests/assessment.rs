//! The assessment of a house and its trace, checked by hand.

use super::*;

/// The worked example: a 2-storey house for 4 people.
fn two_storey_house() -> HouseMeasurement {
    house(vec![
        part(
            "一层主体",
            1,
            rect(12_000, 8_500),
            AreaRule::Storey { height_mm: 2_900 },
        ),
        part(
            "二层主体",
            2,
            rect(12_000, 8_500),
            AreaRule::Storey { height_mm: 2_100 },
        ),
        part("室外楼梯", 1, rect(3_000, 1_200), AreaRule::ExternalStair),
        part("露台", 2, rect(4_000, 3_000), AreaRule::OpenTerrace),
    ])
}

#[test]
fn worked_example_every_number_by_hand() {
    // By hand: 102.00 ×1 + 102.00 ×½ + 3.60 ×½ + 12.00 ×0 = 102 + 51 + 1.8 + 0
    // = 154.80 m²; ÷ 4 = 38.70 m²/person; cap 25 × 4 = 100.00; over by 54.80.
    let result = assess_default(&two_storey_house(), 4);
    let counted: Vec<String> = result
        .parts
        .iter()
        .map(|p| p.counted.to_m2_string())
        .collect();
    assert_eq!(counted, ["102.00", "51.00", "1.80", "0.00"]);
    assert_eq!(result.parts[1].gross, Area::from_m2_hundredths(10_200));
    assert_eq!(result.parts[1].coefficient, Coefficient::Half);
    assert_eq!(result.parts[2].net, Area::from_m2_hundredths(360));
    assert_eq!(result.built_area, Area::from_m2_hundredths(15_480));
    assert_eq!(result.per_person_m2, "38.70");
    assert_eq!(result.cap.total, Area::from_m2_hundredths(10_000));
    assert_eq!(result.cap.per_person, Some(Area::from_m2_hundredths(2_500)));
    assert_eq!(
        result.verdict,
        Verdict::Over {
            by: Area::from_m2_hundredths(5_480)
        }
    );
    assert!(result.is_over());
    assert_eq!(
        result.trace(TraceLanguage::Zh),
        [
            "1. 一层主体（第1层）：矩形 12.00 m × 8.50 m = 102.00 m²；层高2.90 m ≥ 2.20 m，全计 ×1 = 102.00 m²（GB/T 50353-2013 第3.0.1条）",
            "2. 二层主体（第2层）：矩形 12.00 m × 8.50 m = 102.00 m²；层高2.10 m < 2.20 m，计一半 ×1/2 = 51.00 m²（GB/T 50353-2013 第3.0.1条）",
            "3. 室外楼梯（第1层）：矩形 3.00 m × 1.20 m = 3.60 m²；室外楼梯并入所依附的自然层，计一半 ×1/2 = 1.80 m²（GB/T 50353-2013 第3.0.20条）",
            "4. 露台（第2层）：矩形 4.00 m × 3.00 m = 12.00 m²；露台，不计 ×0 = 0.00 m²（GB/T 50353-2013 第3.0.27条）",
            "建筑面积 = 102.00 + 51.00 + 1.80 + 0.00 = 154.80 m²",
            "人均 = 154.80 m² ÷ 4人 = 38.70 m²/人",
            "上限（国家标准：人均住房建设面积不超过25平方米 / national rule: at most 25 m² of built area per person）= 25 m²/人 × 4人 = 100.00 m²",
            "结论：超标 54.80 m²",
        ]
    );
    assert_eq!(
        result.trace(TraceLanguage::En),
        [
            "1. 一层主体 (storey 1): rectangle 12.00 m × 8.50 m = 102.00 m²; storey height 2.90 m ≥ 2.20 m: full ×1 = 102.00 m² (GB/T 50353-2013 cl. 3.0.1)",
            "2. 二层主体 (storey 2): rectangle 12.00 m × 8.50 m = 102.00 m²; storey height 2.10 m < 2.20 m: half ×1/2 = 51.00 m² (GB/T 50353-2013 cl. 3.0.1)",
            "3. 室外楼梯 (storey 1): rectangle 3.00 m × 1.20 m = 3.60 m²; external stair, counted with the storey it serves: half ×1/2 = 1.80 m² (GB/T 50353-2013 cl. 3.0.20)",
            "4. 露台 (storey 2): rectangle 4.00 m × 3.00 m = 12.00 m²; open roof terrace: not counted ×0 = 0.00 m² (GB/T 50353-2013 cl. 3.0.27)",
            "built area = 102.00 + 51.00 + 1.80 + 0.00 = 154.80 m²",
            "per person = 154.80 m² ÷ 4 people = 38.70 m²/person",
            "cap (国家标准：人均住房建设面积不超过25平方米 / national rule: at most 25 m² of built area per person) = 25 m²/person × 4 people = 100.00 m²",
            "verdict: over the limit by 54.80 m²",
        ]
    );
}

#[test]
fn voids_are_subtracted_and_shown() {
    let mut ground = part(
        "一层主体",
        1,
        rect(12_000, 8_500),
        AreaRule::Storey { height_mm: 2_900 },
    );
    ground.voids = vec![rect(2_000, 1_000)];
    let result = assess_default(&house(vec![ground.clone()]), 5);
    assert_eq!(result.parts[0].voids, Area::from_m2_hundredths(200));
    assert_eq!(result.parts[0].net, Area::from_m2_hundredths(10_000));
    assert_eq!(
        result.trace_zh[0],
        "1. 一层主体（第1层）：矩形 12.00 m × 8.50 m = 102.00 m²；扣除 2.00 m × 1.00 m = 2.00 m²；净面积 100.00 m²；层高2.90 m ≥ 2.20 m，全计 ×1 = 100.00 m²（GB/T 50353-2013 第3.0.1条）"
    );
    assert_eq!(result.trace_zh[1], "建筑面积 = 100.00 m²");
    assert_eq!(result.trace_zh[2], "人均 = 100.00 m² ÷ 5人 = 20.00 m²/人");
    assert_eq!(result.trace_zh[4], "结论：未超标，余 25.00 m²");
    assert_eq!(
        result.trace_en[4],
        "verdict: within the limit, 25.00 m² to spare"
    );

    ground
        .voids
        .push(polygon(&[(0, 0), (1_000, 0), (0, 1_000)]));
    let result = assess_default(&house(vec![ground]), 5);
    assert_eq!(result.parts[0].net, Area::from_m2_hundredths(9_950));
    assert!(
        result.trace_zh[0].contains(
            "扣除 2.00 m × 1.00 m = 2.00 m²，多边形（3个角点：(0.00, 0.00) (1.00, 0.00) (0.00, 1.00)），鞋带公式 ½ × 1.00 = 0.50 m²，共 2.50 m²；净面积 99.50 m²"
        ),
        "{}",
        result.trace_zh[0]
    );
    assert!(
        result.trace_en[0].contains("minus 2.00 m × 1.00 m = 2.00 m², polygon (3 corners"),
        "{}",
        result.trace_en[0]
    );
}

#[test]
fn polygon_trace_shows_corners_and_shoelace() {
    let result = assess_default(
        &house(vec![part(
            "一层主体",
            1,
            polygon(&L_SHAPE),
            AreaRule::Storey { height_mm: 3_000 },
        )]),
        4,
    );
    assert_eq!(result.built_area, Area::from_m2_hundredths(8_100));
    assert_eq!(
        result.trace_zh[0],
        "1. 一层主体（第1层）：多边形（6个角点：(0.00, 0.00) (12.00, 0.00) (12.00, 5.00) (6.00, 5.00) (6.00, 8.50) (0.00, 8.50)），鞋带公式 ½ × 162.00 = 81.00 m²；层高3.00 m ≥ 2.20 m，全计 ×1 = 81.00 m²（GB/T 50353-2013 第3.0.1条）"
    );
    assert!(result.trace_en[0].contains("polygon (6 corners: (0.00, 0.00) (12.00, 0.00)"));
    assert!(result.trace_en[0].contains("shoelace ½ × 162.00 = 81.00 m²"));
    assert_eq!(
        result.verdict,
        Verdict::Within {
            margin: Area::from_m2_hundredths(1_900)
        }
    );
}

#[test]
fn basement_is_labelled_in_the_trace() {
    let result = assess_default(
        &house(vec![part(
            "地下室",
            0,
            rect(5_000, 4_000),
            AreaRule::Storey { height_mm: 2_000 },
        )]),
        1,
    );
    assert!(result.trace_zh[0].starts_with("1. 地下室（第0层，地下）：矩形"));
    assert!(result.trace_en[0].starts_with("1. 地下室 (storey 0, below ground): rectangle"));
    assert_eq!(
        result.trace_en[2],
        "per person = 10.00 m² ÷ 1 person = 10.00 m²/person"
    );
}

#[test]
fn equality_with_the_cap_is_within() {
    // 25.00 m² for one person: exactly the cap.
    let exact = house(vec![part(
        "一层主体",
        1,
        rect(5_000, 5_000),
        AreaRule::Storey { height_mm: 3_000 },
    )]);
    let result = assess_default(&exact, 1);
    assert_eq!(result.verdict, Verdict::Within { margin: Area::ZERO });
    assert_eq!(result.trace_zh.last().unwrap(), "结论：未超标，余 0.00 m²");
}

#[test]
fn one_mm2_over_is_over_and_shown_exactly() {
    let mut parts = vec![part(
        "一层主体",
        1,
        rect(5_000, 5_000),
        AreaRule::Storey { height_mm: 3_000 },
    )];
    parts.push(part(
        "补量",
        1,
        rect(1, 1),
        AreaRule::Storey { height_mm: 3_000 },
    ));
    let result = assess_default(&house(parts), 1);
    assert_eq!(
        result.verdict,
        Verdict::Over {
            by: Area::from_mm2(1)
        }
    );
    assert_eq!(result.trace_zh[2], "建筑面积 = 25.00 + 0.00 = 25.00 m²");
    assert_eq!(
        result.trace_zh.last().unwrap(),
        "结论：超标 0.000001 m²（精确值，不足0.01 m²）"
    );
    assert_eq!(
        result.trace_en.last().unwrap(),
        "verdict: over the limit by 0.000001 m² (exact; less than 0.01 m²)"
    );
}

#[test]
fn rounding_note_appears_only_when_shown_parts_do_not_add_up() {
    // Three parts of exactly 0.005 m² each: each shows as 0.01, the exact total
    // 0.015 shows as 0.02.
    let tiny = |label: &str| {
        part(
            label,
            1,
            rect(100, 50),
            AreaRule::Storey { height_mm: 3_000 },
        )
    };
    let result = assess_default(&house(vec![tiny("甲"), tiny("乙"), tiny("丙")]), 1);
    assert_eq!(result.built_area, Area::from_mm2(15_000));
    assert_eq!(
        result.trace_zh[3],
        "建筑面积 = 0.01 + 0.01 + 0.01 = 0.02 m²"
    );
    assert!(
        result.trace_zh[4].starts_with("注："),
        "{}",
        result.trace_zh[4]
    );
    assert!(result.trace_zh[4].ends_with("相差 0.01 m²"));
    assert!(result.trace_en[4].starts_with("note: "));
    assert_eq!(result.trace_zh.len(), 3 + 5);
    // The worked example adds up, so no note.
    let plain = assess_default(&two_storey_house(), 4);
    assert!(plain.trace_zh.iter().all(|line| !line.starts_with("注")));
    assert!(plain.trace_en.iter().all(|line| !line.starts_with("note")));
}

#[test]
fn total_cap_for_small_households_overrides_the_national_rule() {
    let name =
        "示例省1–2人户定额：全户不超过40平方米 / example province: at most 40 m² for 1–2 people";
    let mut table = PolicyTable::default();
    table
        .push(
            CapRule::new(
                name,
                Cap::Total {
                    m2: Area::from_m2_hundredths(4_000),
                },
            )
            .for_household_sizes(1, 2),
        )
        .unwrap();
    // 8.00 × 6.00 = 48.00 m²: within the national 2 × 25 = 50, over the 40 total.
    let small = house(vec![part(
        "一层主体",
        1,
        rect(8_000, 6_000),
        AreaRule::Storey { height_mm: 3_000 },
    )]);
    let national = assess_default(&small, 2);
    assert!(!national.is_over());
    let result = assess(&small, 2, &table, &PolicyContext::default()).unwrap();
    assert_eq!(result.cap.rule_name, name);
    assert_eq!(result.cap.per_person, None);
    assert_eq!(
        result.verdict,
        Verdict::Over {
            by: Area::from_m2_hundredths(800)
        }
    );
    assert_eq!(result.trace_zh[3], format!("上限（{name}）= 全户 40.00 m²"));
    assert_eq!(
        result.trace_en[3],
        format!("cap ({name}) = 40.00 m² for the household")
    );
    assert_eq!(result.trace_zh[4], "结论：超标 8.00 m²");
    // A 3-person household falls back to the national rule.
    let three = assess(&small, 3, &table, &PolicyContext::default()).unwrap();
    assert_eq!(three.cap.rule_name, crate::policy::NATIONAL_RULE_NAME);
}

#[test]
fn province_rule_wins_for_that_province() {
    let mut table = PolicyTable::default();
    table
        .push(
            CapRule::new(
                "甘肃省示例：人均20平方米",
                Cap::PerPerson {
                    m2: Area::from_m2_hundredths(2_000),
                },
            )
            .in_province("甘肃省"),
        )
        .unwrap();
    let gansu = PolicyContext {
        province: Some("甘肃省".into()),
        year: Some(2019),
    };
    let result = assess(&two_storey_house(), 4, &table, &gansu).unwrap();
    assert_eq!(result.cap.rule_name, "甘肃省示例：人均20平方米");
    assert_eq!(result.cap.total, Area::from_m2_hundredths(8_000));
    assert_eq!(
        result.trace_zh[6],
        "上限（甘肃省示例：人均20平方米）= 20 m²/人 × 4人 = 80.00 m²"
    );
    assert_eq!(result.trace_zh[7], "结论：超标 74.80 m²");
    let anhui = PolicyContext {
        province: Some("安徽省".into()),
        year: Some(2017),
    };
    let result = assess(&two_storey_house(), 4, &table, &anhui).unwrap();
    assert_eq!(result.cap.rule_name, crate::policy::NATIONAL_RULE_NAME);
}

#[test]
fn house_errors_name_the_part() {
    let table = PolicyTable::default();
    let ctx = PolicyContext::default();
    assert_eq!(
        assess(&HouseMeasurement::default(), 4, &table, &ctx),
        Err(AreaError::NoParts)
    );
    assert_eq!(
        assess(&two_storey_house(), 0, &table, &ctx),
        Err(AreaError::HouseholdSizeZero)
    );

    let mut bad = two_storey_house();
    bad.parts[1].shape = rect(12_000, 0);
    let error = assess(&bad, 4, &table, &ctx).unwrap_err();
    assert_eq!(
        error.to_string(),
        "第2部分“二层主体”的外轮廓：矩形的宽为0.00 m：边长必须大于0 / part 2 '二层主体', outline: the rectangle's width is 0.00 m: sides must be longer than 0"
    );

    let mut bad = two_storey_house();
    bad.parts[0].voids = vec![rect(1_000, 1_000), polygon(&[(0, 0), (1, 1)])];
    let error = assess(&bad, 4, &table, &ctx).unwrap_err();
    assert!(matches!(
        error,
        AreaError::InvalidVoid {
            part: 1,
            void_number: 2,
            ..
        }
    ));
    let message = error.to_string();
    assert!(
        message.contains("第1部分“一层主体”的第2个扣除部分"),
        "{message}"
    );
    assert!(
        message.contains("part 1 '一层主体', cut-out 2"),
        "{message}"
    );

    let mut bad = two_storey_house();
    bad.parts[2].voids = vec![rect(3_000, 1_000), rect(1_000, 1_000)];
    let error = assess(&bad, 4, &table, &ctx).unwrap_err();
    assert_eq!(
        error,
        AreaError::VoidsExceedGross {
            part: 3,
            label: "室外楼梯".into(),
            gross: Area::from_m2_hundredths(360),
            voids: Area::from_m2_hundredths(400),
        }
    );
    assert_eq!(
        error.to_string(),
        "第3部分“室外楼梯”的扣除面积4 m²大于其本身面积3.6 m² / part 3 '室外楼梯': its cut-outs (4 m²) are larger than the part itself (3.6 m²)"
    );

    let mut bad = two_storey_house();
    bad.parts[3].rule = AreaRule::Storey { height_mm: -2_900 };
    let message = assess(&bad, 4, &table, &ctx).unwrap_err().to_string();
    assert!(
        message.contains("第4部分“露台”的计算规则：层高为-2.90 m"),
        "{message}"
    );
    assert!(
        message.contains("part 4 '露台', area rule: the storey height is -2.90 m"),
        "{message}"
    );

    let mut bad = two_storey_house();
    bad.parts[1].label = "  ".into();
    assert_eq!(
        assess(&bad, 4, &table, &ctx),
        Err(AreaError::EmptyLabel { part: 2 })
    );

    let empty_table = PolicyTable::new(vec![]).unwrap();
    assert!(matches!(
        assess(&two_storey_house(), 4, &empty_table, &ctx),
        Err(AreaError::Policy(PolicyError::NoMatchingRule { .. }))
    ));
}

#[test]
fn voids_equal_to_the_whole_leave_nothing() {
    let mut whole = part(
        "天井",
        1,
        rect(2_000, 2_000),
        AreaRule::Storey { height_mm: 3_000 },
    );
    whole.voids = vec![rect(2_000, 2_000)];
    let result = assess_default(&house(vec![whole]), 1);
    assert_eq!(result.built_area, Area::ZERO);
}

#[test]
fn measurement_json_is_tagged_for_the_front_end() {
    let json = r#"{"parts":[
        {"label":"一层主体","storey":1,
         "shape":{"kind":"rectangle","length_mm":12000,"width_mm":8500},
         "rule":{"kind":"storey","height_mm":2900}},
        {"label":"阳台","storey":2,
         "shape":{"kind":"polygon","points":[{"x_mm":0,"y_mm":0},{"x_mm":3000,"y_mm":0},{"x_mm":3000,"y_mm":1500}]},
         "voids":[],
         "rule":{"kind":"balcony_outside"}}
    ]}"#;
    let parsed: HouseMeasurement = serde_json::from_str(json).unwrap();
    assert_eq!(parsed.parts[0].voids, vec![]);
    assert_eq!(parsed.parts[1].rule, AreaRule::BalconyOutside);
    let back: HouseMeasurement =
        serde_json::from_str(&serde_json::to_string(&parsed).unwrap()).unwrap();
    assert_eq!(back, parsed);

    let result = assess_default(&two_storey_house(), 4);
    let value = serde_json::to_value(&result).unwrap();
    assert_eq!(value["verdict"]["kind"], "over");
    assert_eq!(value["verdict"]["by"]["m2"], "54.80");
    assert_eq!(value["parts"][1]["coefficient"], "half");
    assert_eq!(value["built_area"]["m2"], "154.80");
    let back: AreaAssessment = serde_json::from_value(value).unwrap();
    assert_eq!(back, result);
}

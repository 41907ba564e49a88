//! [`Area`] and its display, and numbers as people type them.

use super::*;

#[test]
fn area_units_agree() {
    assert_eq!(Area::from_mm2(1).quarter_mm2(), 4);
    assert_eq!(Area::from_m2_hundredths(1), Area::from_mm2(10_000));
    assert_eq!(Area::from_m2_hundredths(2_500).to_m2_string(), "25.00");
    assert_eq!(Area::from_mm2(102_000_000).to_m2_string(), "102.00");
    assert_eq!(Area::from_mm2(1_000_000).as_m2_f64(), 1.0);
}

#[test]
fn display_rounds_half_up_at_the_hundredth() {
    // 0.005 m² = 5,000 mm² rounds up; one quarter-mm² less rounds down.
    let half = Area::from_mm2(5_000);
    assert_eq!(half.to_m2_string(), "0.01");
    assert_eq!(
        Area::from_quarter_mm2(half.quarter_mm2() - 1).to_m2_string(),
        "0.00"
    );
    assert_eq!(Area::from_mm2(14_999).to_m2_string(), "0.01");
    assert_eq!(Area::from_mm2(15_000).to_m2_string(), "0.02");
    assert_eq!(Area::from_mm2(-5_000).to_m2_string(), "-0.01");
    assert_eq!(Area::from_mm2(-4_999).to_m2_string(), "0.00");
    assert_eq!(Area::from_mm2(123_454_999).to_m2_string(), "123.45");
    assert_eq!(Area::from_mm2(123_455_000).to_m2_string(), "123.46");
    assert_eq!(format!("{}", Area::from_mm2(3_600_000)), "3.60 m²");
}

#[test]
fn exact_display_keeps_every_digit() {
    assert_eq!(Area::from_m2_hundredths(2_500).to_m2_exact_string(), "25");
    assert_eq!(Area::from_m2_hundredths(3_750).to_m2_exact_string(), "37.5");
    assert_eq!(
        Area::from_m2_hundredths(3_755).to_m2_exact_string(),
        "37.55"
    );
    assert_eq!(Area::from_quarter_mm2(1).to_m2_exact_string(), "0.00000025");
    assert_eq!(Area::from_mm2(-1).to_m2_exact_string(), "-0.000001");
    assert_eq!(Area::ZERO.to_m2_exact_string(), "0");
    assert!(Area::from_m2_hundredths(7).is_whole_hundredths());
    assert!(!Area::from_mm2(1).is_whole_hundredths());
}

#[test]
fn area_arithmetic_and_order() {
    let a = Area::from_mm2(3);
    let b = Area::from_mm2(5);
    assert_eq!(a + b, Area::from_mm2(8));
    assert_eq!(b - a, Area::from_mm2(2));
    assert_eq!([a, b].iter().sum::<Area>(), Area::from_mm2(8));
    assert_eq!(vec![a, b].into_iter().sum::<Area>(), Area::from_mm2(8));
    assert!(a < b);
    assert_eq!(a.times(4), Area::from_mm2(12));
}

#[test]
fn area_json_carries_exact_count_and_display() {
    let area = Area::from_mm2(102_000_000);
    let json = serde_json::to_value(area).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"quarter_mm2": 408_000_000, "m2": "102.00"})
    );
    let back: Area = serde_json::from_value(json).unwrap();
    assert_eq!(back, area);
    let only_count: Area = serde_json::from_str(r#"{"quarter_mm2": 2}"#).unwrap();
    assert_eq!(only_count, Area::from_quarter_mm2(2));
}

#[test]
fn metres_display_shows_millimetres_only_when_present() {
    assert_eq!(format_metres(12_000), "12.00");
    assert_eq!(format_metres(8_500), "8.50");
    assert_eq!(format_metres(2_199), "2.199");
    assert_eq!(format_metres(0), "0.00");
    assert_eq!(format_metres(5), "0.005");
    assert_eq!(format_metres(-3_000), "-3.00");
}

// --- parse_metres ------------------------------------------------------------------

#[test]
fn parse_metres_accepts_what_people_type() {
    for (input, mm) in [
        ("12", 12_000),
        ("12.3", 12_300),
        ("12.35", 12_350),
        ("12.345", 12_345),
        ("12.3450", 12_345),
        ("0", 0),
        (" 0.5 ", 500),
        (".5", 500),
        ("12.", 12_000),
        ("007.5", 7_500),
        ("１２．３５", 12_350),
        ("12.35m", 12_350),
        ("12.35 m", 12_350),
        ("12.35M", 12_350),
        ("１２．３５ｍ", 12_350),
        ("12.35米", 12_350),
        ("12。35", 12_350),
        ("200", 200_000),
    ] {
        assert_eq!(parse_metres(input), Ok(mm), "{input}");
    }
}

#[test]
fn parse_metres_refuses_with_a_reason() {
    let kind = MeasureKind::Length;
    assert_eq!(parse_metres(""), Err(ParseMeasureError::Empty { kind }));
    assert_eq!(parse_metres("  m"), Err(ParseMeasureError::Empty { kind }));
    assert!(matches!(
        parse_metres("-1"),
        Err(ParseMeasureError::Negative { .. })
    ));
    assert!(matches!(
        parse_metres("－1.5"),
        Err(ParseMeasureError::Negative { .. })
    ));
    assert!(matches!(
        parse_metres("12.3456"),
        Err(ParseMeasureError::TooManyDecimals { .. })
    ));
    assert_eq!(
        parse_metres("1a"),
        Err(ParseMeasureError::InvalidCharacter {
            kind,
            input: "1a".into(),
            found: 'a'
        })
    );
    assert!(matches!(
        parse_metres("1.2.3"),
        Err(ParseMeasureError::InvalidCharacter { found: '.', .. })
    ));
    assert!(matches!(
        parse_metres("."),
        Err(ParseMeasureError::InvalidCharacter { found: '.', .. })
    ));
    assert!(matches!(
        parse_metres("12mm"),
        Err(ParseMeasureError::InvalidCharacter { found: 'm', .. })
    ));
    assert!(matches!(
        parse_metres("1,5"),
        Err(ParseMeasureError::InvalidCharacter { found: ',', .. })
    ));
    assert!(matches!(
        parse_metres("1000.001"),
        Err(ParseMeasureError::TooLarge { .. })
    ));
    assert!(matches!(
        parse_metres("99999999999999999999999999"),
        Err(ParseMeasureError::TooLarge { .. })
    ));
}

#[test]
fn parse_errors_quote_the_input_in_both_languages() {
    let message = parse_metres("12.3456").unwrap_err().to_string();
    assert!(message.contains("长度“12.3456”小数位太多"), "{message}");
    assert!(
        message.contains("the length '12.3456' has too many decimals"),
        "{message}"
    );
    let message = parse_metres("-2").unwrap_err().to_string();
    assert!(
        message.contains("负数") && message.contains("negative"),
        "{message}"
    );
    let message = parse_metres("").unwrap_err().to_string();
    assert!(
        message.contains("长度为空") && message.contains("is empty"),
        "{message}"
    );
}

#[test]
fn parse_square_metres_is_exact_to_the_hundredth() {
    assert_eq!(
        parse_square_metres("25"),
        Ok(Area::from_m2_hundredths(2_500))
    );
    assert_eq!(
        parse_square_metres("37.5"),
        Ok(Area::from_m2_hundredths(3_750))
    );
    assert_eq!(
        parse_square_metres("37.55㎡"),
        Ok(Area::from_m2_hundredths(3_755))
    );
    assert_eq!(
        parse_square_metres("40 m²"),
        Ok(Area::from_m2_hundredths(4_000))
    );
    assert_eq!(
        parse_square_metres("40平方米"),
        Ok(Area::from_m2_hundredths(4_000))
    );
    assert!(matches!(
        parse_square_metres("37.555"),
        Err(ParseMeasureError::TooManyDecimals {
            kind: MeasureKind::Area,
            ..
        })
    ));
    assert!(matches!(
        parse_square_metres("1000000.01"),
        Err(ParseMeasureError::TooLarge { .. })
    ));
    let message = parse_square_metres("x").unwrap_err().to_string();
    assert!(
        message.contains("面积“x”") && message.contains("the area 'x'"),
        "{message}"
    );
}

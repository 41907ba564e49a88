//! The area-limit policy table: which built-area cap applies to a household.
//!
//! The national red line is 25 m² of built area per person. Provinces may set other
//! caps, often a fixed total for 1–2 person households, so the cap is looked up in a
//! table of rules by province, year and household size. Caps are exact decimals of m²
//! (whole 0.01 m²), held as [`Area`], so the comparison never involves floating point.
//!
//! In JSON a table reads:
//! ```json
//! {"rules": [
//!   {"name": "国家标准…", "cap": {"kind": "per_person", "m2": "25"}},
//!   {"name": "某省1–2人户", "province": "甘肃省", "years": {"from": 2019, "to": 2020},
//!    "household_size": {"min": 1, "max": 2}, "cap": {"kind": "total", "m2": "50"}}
//! ]}
//! ```
//! `m2` may also be a JSON number; it is read from its shortest decimal form, exactly.

use serde::{Deserialize, Serialize};

use crate::measure::{Area, MAX_AREA_M2};

/// The name of the default rule, shown in every verdict it decides.
pub const NATIONAL_RULE_NAME: &str = "国家标准：人均住房建设面积不超过25平方米 / national rule: at most 25 m² of built area per person";
/// The national cap per person, in 0.01 m².
pub const NATIONAL_PER_PERSON_CAP_M2_HUNDREDTHS: i64 = 2_500;

/// An inclusive range of years.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct YearRange {
    pub from: i32,
    pub to: i32,
}

/// An inclusive range of household sizes (people).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HouseholdSizeRange {
    pub min: u32,
    pub max: u32,
}

/// A cap: per person (multiplied by the household size) or for the whole household.
/// `m2` is a whole number of 0.01 m²; in JSON it is a decimal string such as `"37.5"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Cap {
    PerPerson {
        #[serde(with = "m2_decimal")]
        #[cfg_attr(feature = "openapi", schema(value_type = String, example = "25"))]
        m2: Area,
    },
    Total {
        #[serde(with = "m2_decimal")]
        #[cfg_attr(feature = "openapi", schema(value_type = String, example = "100"))]
        m2: Area,
    },
}

impl Cap {
    fn m2(self) -> Area {
        match self {
            Self::PerPerson { m2 } | Self::Total { m2 } => m2,
        }
    }
}

/// One row of the table. Absent conditions match anything.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CapRule {
    /// Human-readable, shown in every verdict the rule decides.
    pub name: String,
    /// E.g. `甘肃省`; compared with the context's province after trimming spaces.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub province: Option<String>,
    /// When set, the rule applies only to a context year within the range (an unknown
    /// year does not match).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub years: Option<YearRange>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub household_size: Option<HouseholdSizeRange>,
    pub cap: Cap,
}

impl CapRule {
    /// A rule with no conditions.
    pub fn new(name: impl Into<String>, cap: Cap) -> Self {
        Self {
            name: name.into(),
            province: None,
            years: None,
            household_size: None,
            cap,
        }
    }

    /// The national rule: 25 m² per person.
    pub fn national() -> Self {
        Self::new(
            NATIONAL_RULE_NAME,
            Cap::PerPerson {
                m2: Area::from_m2_hundredths(NATIONAL_PER_PERSON_CAP_M2_HUNDREDTHS),
            },
        )
    }

    pub fn in_province(mut self, province: impl Into<String>) -> Self {
        self.province = Some(province.into());
        self
    }

    pub fn in_years(mut self, from: i32, to: i32) -> Self {
        self.years = Some(YearRange { from, to });
        self
    }

    pub fn for_household_sizes(mut self, min: u32, max: u32) -> Self {
        self.household_size = Some(HouseholdSizeRange { min, max });
        self
    }

    fn problem(&self) -> Option<RuleProblem> {
        let m2 = self.cap.m2();
        if self.name.trim().is_empty() {
            Some(RuleProblem::EmptyName)
        } else if self.province.as_ref().is_some_and(|p| p.trim().is_empty()) {
            Some(RuleProblem::EmptyProvince)
        } else if let Some(years) = self.years.filter(|y| y.from > y.to) {
            Some(RuleProblem::YearsReversed {
                from: years.from,
                to: years.to,
            })
        } else if self.household_size.is_some_and(|s| s.min == 0) {
            Some(RuleProblem::SizeRangeFromZero)
        } else if let Some(sizes) = self.household_size.filter(|s| s.min > s.max) {
            Some(RuleProblem::SizeRangeReversed {
                min: sizes.min,
                max: sizes.max,
            })
        } else if m2 <= Area::ZERO {
            Some(RuleProblem::CapNotPositive)
        } else if m2 > Area::from_m2_hundredths(MAX_AREA_M2 * 100) {
            Some(RuleProblem::CapTooLarge)
        } else if !m2.is_whole_hundredths() {
            Some(RuleProblem::CapFinerThanHundredths)
        } else {
            None
        }
    }

    fn matches(&self, ctx: &PolicyContext, household_size: u32) -> bool {
        let province_ok = match &self.province {
            None => true,
            Some(wanted) => ctx
                .province
                .as_deref()
                .is_some_and(|p| p.trim() == wanted.trim()),
        };
        let year_ok = match self.years {
            None => true,
            Some(range) => ctx
                .year
                .is_some_and(|y| (range.from..=range.to).contains(&y)),
        };
        let size_ok = self
            .household_size
            .is_none_or(|range| (range.min..=range.max).contains(&household_size));
        province_ok && year_ok && size_ok
    }

    /// province + size > province > size > none; a year range breaks ties within a tier.
    fn specificity(&self) -> (u8, bool) {
        let tier = match (self.province.is_some(), self.household_size.is_some()) {
            (true, true) => 3,
            (true, false) => 2,
            (false, true) => 1,
            (false, false) => 0,
        };
        (tier, self.years.is_some())
    }
}

/// What is known of the household's situation when the cap is looked up.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PolicyContext {
    /// E.g. `甘肃省`; `None` when unknown, in which case only rules without a province apply.
    pub province: Option<String>,
    /// The programme year; `None` when unknown, in which case only rules without a year
    /// range apply.
    pub year: Option<i32>,
}

/// The cap that applies to one household.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AppliedCap {
    /// Name of the rule that decided it.
    pub rule_name: String,
    pub household_size: u32,
    /// The cap for the whole household, exact.
    pub total: Area,
    /// The per-person figure, when the rule is per person.
    pub per_person: Option<Area>,
}

/// What is wrong with one rule of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleProblem {
    EmptyName,
    EmptyProvince,
    YearsReversed { from: i32, to: i32 },
    SizeRangeFromZero,
    SizeRangeReversed { min: u32, max: u32 },
    CapNotPositive,
    CapTooLarge,
    CapFinerThanHundredths,
}

impl RuleProblem {
    pub fn zh(self) -> String {
        match self {
            Self::EmptyName => "没有名称".to_string(),
            Self::EmptyProvince => "省份为空：不限省份时请省略该项".to_string(),
            Self::YearsReversed { from, to } => format!("年份范围{from}–{to}起止颠倒"),
            Self::SizeRangeFromZero => "户人口范围从0开始：至少为1人".to_string(),
            Self::SizeRangeReversed { min, max } => {
                format!("户人口范围{min}–{max}起止颠倒")
            }
            Self::CapNotPositive => "面积上限必须大于0".to_string(),
            Self::CapTooLarge => format!("面积上限超过{MAX_AREA_M2} m²"),
            Self::CapFinerThanHundredths => "面积上限最多精确到0.01 m²".to_string(),
        }
    }

    pub fn en(self) -> String {
        match self {
            Self::EmptyName => "it has no name".to_string(),
            Self::EmptyProvince => {
                "the province is empty: leave it out to match every province".to_string()
            }
            Self::YearsReversed { from, to } => {
                format!("the year range {from}–{to} ends before it starts")
            }
            Self::SizeRangeFromZero => {
                "the household-size range starts at 0: households have at least 1 person"
                    .to_string()
            }
            Self::SizeRangeReversed { min, max } => {
                format!("the household-size range {min}–{max} ends before it starts")
            }
            Self::CapNotPositive => "the cap must be more than 0".to_string(),
            Self::CapTooLarge => format!("the cap is more than {MAX_AREA_M2} m²"),
            Self::CapFinerThanHundredths => "the cap must be in whole 0.01 m²".to_string(),
        }
    }
}

/// Why no cap could be given. Rules are numbered from 1.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("户人口数为0：至少应为1人 / the household size is 0: it must be at least 1")]
    HouseholdSizeZero,
    #[error("面积政策表第{number}条规则“{name}”：{} / rule {number} '{name}' of the area policy table: {}", .problem.zh(), .problem.en())]
    InvalidRule {
        number: usize,
        name: String,
        problem: RuleProblem,
    },
    #[error("面积政策表中没有适用于{}、{}、{household_size}人户的规则：请加一条不限条件的默认规则 / the area policy table has no rule for a household of {household_size} in {}, {}: add a default rule without conditions",
        .province.as_deref().unwrap_or("未知省份"),
        .year.map_or("未知年份".to_string(), |y| format!("{y}年")),
        .province.as_deref().unwrap_or("an unknown province"),
        .year.map_or("an unknown year".to_string(), |y| y.to_string()))]
    NoMatchingRule {
        province: Option<String>,
        year: Option<i32>,
        household_size: u32,
    },
}

/// The rules, checked when the table is built or read from JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(try_from = "PolicyTableJson")]
pub struct PolicyTable {
    rules: Vec<CapRule>,
}

#[derive(Deserialize)]
struct PolicyTableJson {
    rules: Vec<CapRule>,
}

impl TryFrom<PolicyTableJson> for PolicyTable {
    type Error = PolicyError;
    fn try_from(json: PolicyTableJson) -> Result<Self, PolicyError> {
        Self::new(json.rules)
    }
}

impl Default for PolicyTable {
    /// Just the national rule.
    fn default() -> Self {
        Self {
            rules: vec![CapRule::national()],
        }
    }
}

impl PolicyTable {
    /// A table of `rules`, each checked. An empty table is allowed but finds no cap.
    pub fn new(rules: Vec<CapRule>) -> Result<Self, PolicyError> {
        for (index, rule) in rules.iter().enumerate() {
            check_rule(index, rule)?;
        }
        Ok(Self { rules })
    }

    /// Appends a rule; on a tie in specificity it overrides the earlier ones.
    pub fn push(&mut self, rule: CapRule) -> Result<(), PolicyError> {
        check_rule(self.rules.len(), &rule)?;
        self.rules.push(rule);
        Ok(())
    }

    pub fn rules(&self) -> &[CapRule] {
        &self.rules
    }

    /// The cap for a household: the most specific matching rule wins (province + size >
    /// province > size > none, and within those a rule with a year range beats one
    /// without); ties go to the later rule, so overrides can be appended.
    pub fn cap_for(
        &self,
        ctx: &PolicyContext,
        household_size: u32,
    ) -> Result<AppliedCap, PolicyError> {
        if household_size == 0 {
            return Err(PolicyError::HouseholdSizeZero);
        }
        let rule = self
            .rules
            .iter()
            .enumerate()
            .filter(|(_, rule)| rule.matches(ctx, household_size))
            .max_by_key(|(index, rule)| (rule.specificity(), *index))
            .map(|(_, rule)| rule)
            .ok_or_else(|| PolicyError::NoMatchingRule {
                province: ctx.province.clone(),
                year: ctx.year,
                household_size,
            })?;
        let (total, per_person) = match rule.cap {
            Cap::PerPerson { m2 } => (m2.times(household_size), Some(m2)),
            Cap::Total { m2 } => (m2, None),
        };
        Ok(AppliedCap {
            rule_name: rule.name.clone(),
            household_size,
            total,
            per_person,
        })
    }
}

fn check_rule(index: usize, rule: &CapRule) -> Result<(), PolicyError> {
    match rule.problem() {
        None => Ok(()),
        Some(problem) => Err(PolicyError::InvalidRule {
            number: index + 1,
            name: rule.name.clone(),
            problem,
        }),
    }
}

/// Caps in JSON as exact decimal m²: written as a string (`"37.5"`), read from a string
/// or a number.
mod m2_decimal {
    use std::fmt;

    use serde::de::{self, Visitor};
    use serde::{Deserializer, Serializer};

    use crate::measure::{Area, parse_square_metres};

    pub fn serialize<S: Serializer>(area: &Area, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&area.to_m2_exact_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Area, D::Error> {
        deserializer.deserialize_any(SquareMetres)
    }

    struct SquareMetres;

    impl Visitor<'_> for SquareMetres {
        type Value = Area;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an area in m² such as \"25\" or \"37.5\"")
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<Area, E> {
            parse_square_metres(v).map_err(E::custom)
        }

        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Area, E> {
            self.visit_str(&v.to_string())
        }

        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Area, E> {
            self.visit_str(&v.to_string())
        }

        /// Rust prints the shortest decimal that reads back as the same f64, which is
        /// what the author typed (37.55 prints as "37.55"), so no float reaches a cap.
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Area, E> {
            self.visit_str(&v.to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn per_person(hundredths: i64) -> Cap {
        Cap::PerPerson {
            m2: Area::from_m2_hundredths(hundredths),
        }
    }

    fn total(hundredths: i64) -> Cap {
        Cap::Total {
            m2: Area::from_m2_hundredths(hundredths),
        }
    }

    fn ctx(province: Option<&str>, year: Option<i32>) -> PolicyContext {
        PolicyContext {
            province: province.map(str::to_string),
            year,
        }
    }

    /// National default, a size-only rule, a province rule and a province+size rule,
    /// deliberately listed from most to least specific to show order does not decide.
    fn layered_table() -> PolicyTable {
        PolicyTable::new(vec![
            CapRule::new("甘肃1–2人户", total(5_000))
                .in_province("甘肃省")
                .for_household_sizes(1, 2),
            CapRule::new("甘肃人均", per_person(2_000)).in_province("甘肃省"),
            CapRule::new("1–2人户", total(6_000)).for_household_sizes(1, 2),
            CapRule::national(),
        ])
        .unwrap()
    }

    fn chosen(table: &PolicyTable, context: &PolicyContext, size: u32) -> String {
        table.cap_for(context, size).unwrap().rule_name
    }

    #[test]
    fn default_table_is_the_national_rule() {
        let table = PolicyTable::default();
        assert_eq!(table.rules(), [CapRule::national()]);
        let cap = table.cap_for(&PolicyContext::default(), 4).unwrap();
        assert_eq!(
            cap,
            AppliedCap {
                rule_name: NATIONAL_RULE_NAME.to_string(),
                household_size: 4,
                total: Area::from_m2_hundredths(10_000),
                per_person: Some(Area::from_m2_hundredths(2_500)),
            }
        );
        assert!(cap.rule_name.contains("人均住房建设面积不超过25平方米"));
        assert!(
            cap.rule_name
                .contains("at most 25 m² of built area per person")
        );
    }

    #[test]
    fn most_specific_rule_wins() {
        let table = layered_table();
        let gansu = ctx(Some("甘肃省"), Some(2019));
        let anhui = ctx(Some("安徽省"), Some(2017));
        assert_eq!(chosen(&table, &gansu, 2), "甘肃1–2人户");
        assert_eq!(chosen(&table, &gansu, 3), "甘肃人均");
        assert_eq!(chosen(&table, &anhui, 1), "1–2人户");
        assert_eq!(chosen(&table, &anhui, 3), NATIONAL_RULE_NAME);
        assert_eq!(chosen(&table, &PolicyContext::default(), 2), "1–2人户");
        assert_eq!(chosen(&table, &ctx(Some(" 甘肃省 "), None), 5), "甘肃人均");
        let gansu_three = table.cap_for(&gansu, 3).unwrap();
        assert_eq!(gansu_three.total, Area::from_m2_hundredths(6_000));
        let gansu_two = table.cap_for(&gansu, 2).unwrap();
        assert_eq!(gansu_two.total, Area::from_m2_hundredths(5_000));
        assert_eq!(gansu_two.per_person, None);
    }

    #[test]
    fn later_rule_wins_a_tie() {
        let mut table = layered_table();
        table
            .push(CapRule::new("甘肃人均（修订）", per_person(2_200)).in_province("甘肃省"))
            .unwrap();
        let gansu = ctx(Some("甘肃省"), None);
        assert_eq!(chosen(&table, &gansu, 4), "甘肃人均（修订）");
        // The more specific rule still beats the later, less specific one.
        assert_eq!(chosen(&table, &gansu, 1), "甘肃1–2人户");
        let mut national_override = PolicyTable::default();
        national_override
            .push(CapRule::new("新国家标准", per_person(3_000)))
            .unwrap();
        assert_eq!(
            chosen(&national_override, &PolicyContext::default(), 4),
            "新国家标准"
        );
    }

    #[test]
    fn year_ranges_are_inclusive_and_need_a_known_year() {
        let mut table = layered_table();
        table
            .push(
                CapRule::new("甘肃2019–2020", per_person(2_100))
                    .in_province("甘肃省")
                    .in_years(2019, 2020),
            )
            .unwrap();
        // Listed after, but would win even if listed before: the year range is a tie-break.
        table
            .push(CapRule::new("甘肃人均（后加）", per_person(1_900)).in_province("甘肃省"))
            .unwrap();
        for (year, expected) in [
            (Some(2018), "甘肃人均（后加）"),
            (Some(2019), "甘肃2019–2020"),
            (Some(2020), "甘肃2019–2020"),
            (Some(2021), "甘肃人均（后加）"),
            (None, "甘肃人均（后加）"),
        ] {
            assert_eq!(
                chosen(&table, &ctx(Some("甘肃省"), year), 4),
                expected,
                "{year:?}"
            );
        }
    }

    #[test]
    fn household_size_zero_is_refused() {
        assert_eq!(
            PolicyTable::default().cap_for(&PolicyContext::default(), 0),
            Err(PolicyError::HouseholdSizeZero)
        );
    }

    #[test]
    fn no_matching_rule_says_for_whom() {
        let table = PolicyTable::new(vec![
            CapRule::new("甘肃人均", per_person(2_000)).in_province("甘肃省"),
        ])
        .unwrap();
        let error = table
            .cap_for(&ctx(Some("安徽省"), Some(2017)), 3)
            .unwrap_err();
        assert_eq!(
            error,
            PolicyError::NoMatchingRule {
                province: Some("安徽省".into()),
                year: Some(2017),
                household_size: 3
            }
        );
        assert_eq!(
            error.to_string(),
            "面积政策表中没有适用于安徽省、2017年、3人户的规则：请加一条不限条件的默认规则 / the area policy table has no rule for a household of 3 in 安徽省, 2017: add a default rule without conditions"
        );
        let message = table
            .cap_for(&PolicyContext::default(), 1)
            .unwrap_err()
            .to_string();
        assert!(message.contains("未知省份、未知年份、1人户"), "{message}");
        assert!(
            message.contains("an unknown province, an unknown year"),
            "{message}"
        );
    }

    #[test]
    fn invalid_rules_are_refused_by_number_and_name() {
        let cases = [
            (CapRule::new(" ", per_person(2_500)), RuleProblem::EmptyName),
            (
                CapRule::new("空省", per_person(2_500)).in_province(""),
                RuleProblem::EmptyProvince,
            ),
            (
                CapRule::new("倒年", per_person(2_500)).in_years(2020, 2019),
                RuleProblem::YearsReversed {
                    from: 2020,
                    to: 2019,
                },
            ),
            (
                CapRule::new("零人", total(4_000)).for_household_sizes(0, 2),
                RuleProblem::SizeRangeFromZero,
            ),
            (
                CapRule::new("倒人", total(4_000)).for_household_sizes(3, 2),
                RuleProblem::SizeRangeReversed { min: 3, max: 2 },
            ),
            (
                CapRule::new("零上限", total(0)),
                RuleProblem::CapNotPositive,
            ),
            (
                CapRule::new("巨上限", total(MAX_AREA_M2 * 100 + 1)),
                RuleProblem::CapTooLarge,
            ),
            (
                CapRule::new(
                    "细上限",
                    Cap::PerPerson {
                        m2: Area::from_mm2(25_000_001),
                    },
                ),
                RuleProblem::CapFinerThanHundredths,
            ),
        ];
        for (rule, problem) in cases {
            let name = rule.name.clone();
            assert_eq!(
                PolicyTable::new(vec![CapRule::national(), rule.clone()]),
                Err(PolicyError::InvalidRule {
                    number: 2,
                    name: name.clone(),
                    problem
                }),
                "{name}"
            );
            let mut table = PolicyTable::default();
            assert!(table.push(rule).is_err());
            assert_eq!(table, PolicyTable::default());
        }
        let message = PolicyTable::new(vec![
            CapRule::national(),
            CapRule::new("倒人", total(4_000)).for_household_sizes(3, 2),
        ])
        .unwrap_err()
        .to_string();
        assert_eq!(
            message,
            "面积政策表第2条规则“倒人”：户人口范围3–2起止颠倒 / rule 2 '倒人' of the area policy table: the household-size range 3–2 ends before it starts"
        );
    }

    #[test]
    fn table_json_round_trips_with_exact_decimal_caps() {
        let table = layered_table();
        let json = serde_json::to_value(&table).unwrap();
        assert_eq!(
            json["rules"][0]["cap"],
            serde_json::json!({"kind": "total", "m2": "50"})
        );
        assert_eq!(
            json["rules"][0]["household_size"],
            serde_json::json!({"min": 1, "max": 2})
        );
        assert_eq!(json["rules"][3]["cap"]["kind"], "per_person");
        assert!(json["rules"][3].get("province").is_none());
        let back: PolicyTable = serde_json::from_value(json).unwrap();
        assert_eq!(back, table);
    }

    #[test]
    fn caps_read_from_strings_and_numbers_exactly() {
        let json = r#"{"rules": [
            {"name": "a", "cap": {"kind": "per_person", "m2": "37.5"}},
            {"name": "b", "cap": {"kind": "per_person", "m2": 37.55}},
            {"name": "c", "cap": {"kind": "total", "m2": 40}},
            {"name": "d", "province": "甘肃省", "years": {"from": 2019, "to": 2020},
             "cap": {"kind": "total", "m2": "60.1"}}
        ]}"#;
        let table: PolicyTable = serde_json::from_str(json).unwrap();
        let caps: Vec<Cap> = table.rules().iter().map(|r| r.cap).collect();
        assert_eq!(
            caps,
            [
                per_person(3_750),
                per_person(3_755),
                total(4_000),
                total(6_010)
            ]
        );
        assert_eq!(
            table.rules()[3].years,
            Some(YearRange {
                from: 2019,
                to: 2020
            })
        );
        let written = serde_json::to_value(&table).unwrap();
        assert_eq!(written["rules"][1]["cap"]["m2"], "37.55");
        assert_eq!(written["rules"][3]["cap"]["m2"], "60.1");
    }

    #[test]
    fn bad_json_caps_and_rules_are_refused_with_reasons() {
        let read = |cap: &str| {
            serde_json::from_str::<PolicyTable>(&format!(
                r#"{{"rules": [{{"name": "x", "cap": {{"kind": "total", "m2": {cap}}}}}]}}"#
            ))
            .unwrap_err()
            .to_string()
        };
        assert!(read(r#""37.555""#).contains("too many decimals"));
        assert!(read("37.555").contains("too many decimals"));
        assert!(read("-5").contains("negative"));
        assert!(read(r#""abc""#).contains("'a'"));
        assert!(read("true").contains("an area in m²"));
        assert!(read("0").contains("the cap must be more than 0"));
        let reversed = serde_json::from_str::<PolicyTable>(
            r#"{"rules": [{"name": "y", "household_size": {"min": 2, "max": 1},
                "cap": {"kind": "total", "m2": "40"}}]}"#,
        )
        .unwrap_err()
        .to_string();
        assert!(reversed.contains("面积政策表第1条规则“y”"), "{reversed}");
    }

    #[test]
    fn context_json_is_plain() {
        let context: PolicyContext =
            serde_json::from_str(r#"{"province": "甘肃省", "year": 2019}"#).unwrap();
        assert_eq!(context, ctx(Some("甘肃省"), Some(2019)));
        let unknown: PolicyContext =
            serde_json::from_str(r#"{"province": null, "year": null}"#).unwrap();
        assert_eq!(unknown, PolicyContext::default());
    }

    fn any_rule() -> impl Strategy<Value = CapRule> {
        (
            prop::option::of(prop::sample::select(vec!["甘肃省", "安徽省"])),
            prop::option::of((2016_i32..2022, 0_i32..3)),
            prop::option::of((1_u32..5, 0_u32..3)),
            prop::bool::ANY,
            1_i64..10_000,
        )
            .prop_map(|(province, years, sizes, is_total, hundredths)| {
                let cap = if is_total {
                    total(hundredths)
                } else {
                    per_person(hundredths)
                };
                let mut rule = CapRule::new("待编号", cap);
                rule.province = province.map(str::to_string);
                rule.years = years.map(|(from, span)| YearRange {
                    from,
                    to: from + span,
                });
                rule.household_size = sizes.map(|(min, span)| HouseholdSizeRange {
                    min,
                    max: min + span,
                });
                rule
            })
    }

    fn any_table() -> impl Strategy<Value = Vec<CapRule>> {
        prop::collection::vec(any_rule(), 0..8).prop_map(|rules| {
            let mut rules: Vec<CapRule> = rules
                .into_iter()
                .enumerate()
                .map(|(index, mut rule)| {
                    rule.name = format!("规则{}", index + 1);
                    rule
                })
                .collect();
            rules.insert(0, CapRule::national());
            rules
        })
    }

    fn any_context() -> impl Strategy<Value = PolicyContext> {
        (
            prop::option::of(prop::sample::select(vec!["甘肃省", "安徽省", "云南省"])),
            prop::option::of(2015_i32..2023),
        )
            .prop_map(|(province, year)| ctx(province, year))
    }

    proptest! {
        #[test]
        fn chosen_rule_matches_and_no_matching_rule_outranks_it(
            rules in any_table(),
            context in any_context(),
            size in 1_u32..8,
        ) {
            let table = PolicyTable::new(rules.clone()).unwrap();
            let cap = table.cap_for(&context, size).unwrap();
            let index = rules.iter().position(|r| r.name == cap.rule_name).unwrap();
            let rule = &rules[index];
            prop_assert!(rule.matches(&context, size));
            for (other_index, other) in rules.iter().enumerate() {
                if other.matches(&context, size) {
                    prop_assert!((other.specificity(), other_index) <= (rule.specificity(), index));
                }
            }
            match rule.cap {
                Cap::PerPerson { m2 } => {
                    prop_assert_eq!(cap.total, m2.times(size));
                    prop_assert_eq!(cap.per_person, Some(m2));
                }
                Cap::Total { m2 } => {
                    prop_assert_eq!(cap.total, m2);
                    prop_assert_eq!(cap.per_person, None);
                }
            }
        }

        #[test]
        fn appending_a_copy_of_the_chosen_rule_overrides_it(
            rules in any_table(),
            context in any_context(),
            size in 1_u32..8,
        ) {
            let mut table = PolicyTable::new(rules).unwrap();
            let before = table.cap_for(&context, size).unwrap();
            let mut copy = table
                .rules()
                .iter()
                .find(|r| r.name == before.rule_name)
                .unwrap()
                .clone();
            copy.name = "覆盖".to_string();
            table.push(copy).unwrap();
            let after = table.cap_for(&context, size).unwrap();
            prop_assert_eq!(after.rule_name, "覆盖");
            prop_assert_eq!(after.total, before.total);
        }

        #[test]
        fn tables_round_trip_through_json(rules in any_table()) {
            let table = PolicyTable::new(rules).unwrap();
            let json = serde_json::to_string(&table).unwrap();
            let back: PolicyTable = serde_json::from_str(&json).unwrap();
            prop_assert_eq!(back, table);
        }
    }
}

//! The district's policy as data: what the office decides by and every device obeys.
//!
//! A policy holds the province and programme year (which select the cap rules), the
//! built-area cap table ([`PolicyTable`]), the critical items of each form version, the
//! spot-check tolerance, the sampling rule and the deadline of findings the office raises.
//! The office keeps every version it ever set, each with the date it takes effect; a
//! record is judged by the version in force on the (China) date it was made.
//!
//! A policy file reads:
//! ```json
//! {
//!   "effective_from": "2026-12-05",
//!   "policy": {
//!     "province": "安徽省",
//!     "programme_year": 2017,
//!     "area_caps": {"rules": [
//!       {"name": "国家标准：人均不超过25平方米", "cap": {"kind": "per_person", "m2": "25"}},
//!       {"name": "安徽省1–2人户总面积不超过50平方米", "province": "安徽省",
//!        "household_size": {"min": 1, "max": 2}, "cap": {"kind": "total", "m2": "50"}}
//!     ]},
//!     "critical_items": [
//!       {"form": "anju.acceptance", "version": 1, "item": "quality_safety_grade", "answers": ["c", "d"]},
//!       {"form": "anju.acceptance", "version": 1, "item": "quality_walls", "answers": ["no"]}
//!     ],
//!     "spot_check_tolerance_permille": 30,
//!     "sampling": {"site_share_pct": 50, "min_site_households": 10,
//!                  "household_share_pct": 20, "scattered_share_pct": 20},
//!     "rectification_days": 30
//!   }
//! }
//! ```

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::area::{self, AreaAssessment, AreaError, HouseMeasurement};
use crate::form::{Answer, FormAnswers, ItemKind, YesNo, form_by_id};
use crate::office::{SPOT_CHECK_TOLERANCE_PERMILLE, SampleRule};
use crate::policy::{PolicyContext, PolicyTable};

/// The national programme of 易地扶贫搬迁 began in 2016: no record is older.
pub const PROGRAMME_START_YEAR: i32 = 2016;

/// The longest deadline the office gives a finding it raises.
pub const MAX_RECTIFICATION_DAYS: u32 = 365;
/// The widest spot-check tolerance a policy may set: 20 %.
pub const MAX_TOLERANCE_PERMILLE: u32 = 200;
/// Critical items one policy may list.
pub const MAX_CRITICAL_ITEMS: usize = 200;

/// An item of a form version whose failing answers block acceptance (不合格 until the
/// problem is rectified and the finding closed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(try_from = "CriticalItemJson")]
pub struct CriticalItem {
    pub form: String,
    pub version: u32,
    pub item: String,
    /// The answers that fail: `yes`, `no`, `not_applicable` for a yes/no item, option keys
    /// for a choice.
    pub answers: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CriticalItemJson {
    form: String,
    version: u32,
    item: String,
    answers: Vec<String>,
}

/// Why a critical item cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CriticalItemError {
    #[error(
        "关键项：没有表单 {form} 第{version}版 / critical item: there is no form {form} version {version}"
    )]
    UnknownForm { form: String, version: u32 },
    #[error(
        "关键项：表单 {form} 第{version}版没有“{item}”项 / critical item: form {form} version {version} has no item '{item}'"
    )]
    UnknownItem {
        form: String,
        version: u32,
        item: String,
    },
    #[error(
        "关键项“{item}”：只有是否题和选择题可以作为关键项 / critical item '{item}': only yes/no and choice items can be critical"
    )]
    NotAChoice { item: String },
    #[error("关键项“{item}”：没有答案“{answer}”（可用：{}） / critical item '{item}': there is no answer '{answer}' (there are: {})", .known.join("、"), .known.join(", "))]
    UnknownAnswer {
        item: String,
        answer: String,
        known: Vec<String>,
    },
    #[error(
        "关键项“{item}”：没有列出不合格的答案 / critical item '{item}': no failing answer is listed"
    )]
    NoAnswers { item: String },
}

impl TryFrom<CriticalItemJson> for CriticalItem {
    type Error = CriticalItemError;
    fn try_from(json: CriticalItemJson) -> Result<Self, CriticalItemError> {
        let item = CriticalItem {
            form: json.form,
            version: json.version,
            item: json.item,
            answers: json.answers,
        };
        item.check()?;
        Ok(item)
    }
}

impl CriticalItem {
    pub fn new(form: &str, version: u32, item: &str, answers: &[&str]) -> Self {
        Self {
            form: form.to_string(),
            version,
            item: item.to_string(),
            answers: answers.iter().map(|a| a.to_string()).collect(),
        }
    }

    /// The item exists in its form and every answer is one the item can take.
    pub fn check(&self) -> Result<(), CriticalItemError> {
        let form =
            form_by_id(&self.form, self.version).ok_or_else(|| CriticalItemError::UnknownForm {
                form: self.form.clone(),
                version: self.version,
            })?;
        let (_, item) = form
            .item(&self.item)
            .ok_or_else(|| CriticalItemError::UnknownItem {
                form: self.form.clone(),
                version: self.version,
                item: self.item.clone(),
            })?;
        let known: Vec<String> = match &item.kind {
            ItemKind::YesNo { .. } => YesNo::ALL.iter().map(|v| v.code().to_string()).collect(),
            ItemKind::Choice { options, .. } => options.iter().map(|o| o.key.clone()).collect(),
            _ => {
                return Err(CriticalItemError::NotAChoice {
                    item: self.item.clone(),
                });
            }
        };
        if self.answers.is_empty() {
            return Err(CriticalItemError::NoAnswers {
                item: self.item.clone(),
            });
        }
        if let Some(answer) = self.answers.iter().find(|a| !known.contains(a)) {
            return Err(CriticalItemError::UnknownAnswer {
                item: self.item.clone(),
                answer: answer.clone(),
                known,
            });
        }
        Ok(())
    }

    /// Whether `answer` is one of the failing answers.
    fn fails(&self, answer: &Answer) -> bool {
        match answer {
            Answer::YesNo { value, .. } => self.answers.iter().any(|a| a == value.code()),
            Answer::Choice { selected } => selected.iter().any(|s| self.answers.contains(s)),
            _ => false,
        }
    }
}

/// One version of the district's policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "PolicyJson")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DistrictPolicy {
    /// The province whose cap rules apply, e.g. `安徽省`.
    pub province: Option<String>,
    /// The programme year, for cap rules limited to years.
    pub programme_year: Option<i32>,
    pub area_caps: PolicyTable,
    pub critical_items: Vec<CriticalItem>,
    /// A re-measurement within this many ‰ of the recorded area agrees with it.
    pub spot_check_tolerance_permille: u32,
    pub sampling: SampleRule,
    /// Days the township has to rectify a finding the office raises (面积超标…).
    pub rectification_days: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyJson {
    #[serde(default)]
    province: Option<String>,
    #[serde(default)]
    programme_year: Option<i32>,
    area_caps: PolicyTable,
    #[serde(default)]
    critical_items: Vec<CriticalItem>,
    spot_check_tolerance_permille: u32,
    sampling: SampleRule,
    rectification_days: u32,
}

/// What is wrong with a policy as a whole.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DistrictPolicyError {
    #[error("省份为空：不限省份时请省略该项 / the province is empty: leave it out")]
    EmptyProvince,
    #[error(
        "项目年度{0}不在{PROGRAMME_START_YEAR}–2100之间 / the programme year {0} is not between {PROGRAMME_START_YEAR} and 2100"
    )]
    Year(i32),
    #[error(
        "面积上限表没有不限条件的默认规则 / the cap table has no default rule without conditions"
    )]
    NoDefaultCapRule,
    #[error(
        "抽查允许误差{0}‰超过{MAX_TOLERANCE_PERMILLE}‰ / the spot-check tolerance {0}‰ is more than {MAX_TOLERANCE_PERMILLE}‰"
    )]
    Tolerance(u32),
    #[error(
        "整改期限须为1到{MAX_RECTIFICATION_DAYS}天（{0}） / the rectification deadline must be 1 to {MAX_RECTIFICATION_DAYS} days ({0})"
    )]
    RectificationDays(u32),
    #[error(
        "关键项最多{MAX_CRITICAL_ITEMS}项（{0}） / at most {MAX_CRITICAL_ITEMS} critical items ({0})"
    )]
    TooManyCriticalItems(usize),
    #[error("关键项“{0}”重复 / the critical item '{0}' is listed twice")]
    DuplicateCriticalItem(String),
    #[error("抽样规则：{0} / sampling rule: {0}")]
    Sampling(String),
}

impl TryFrom<PolicyJson> for DistrictPolicy {
    type Error = DistrictPolicyError;
    fn try_from(json: PolicyJson) -> Result<Self, DistrictPolicyError> {
        let policy = DistrictPolicy {
            province: json.province,
            programme_year: json.programme_year,
            area_caps: json.area_caps,
            critical_items: json.critical_items,
            spot_check_tolerance_permille: json.spot_check_tolerance_permille,
            sampling: json.sampling,
            rectification_days: json.rectification_days,
        };
        policy.check()?;
        Ok(policy)
    }
}

impl Default for DistrictPolicy {
    /// The national rule, 房屋安全等级 C/D and 墙体开裂 as critical items, a 3 % tolerance, the
    /// Gansu 2019 sampling practice and 30 days to rectify.
    fn default() -> Self {
        Self {
            province: None,
            programme_year: None,
            area_caps: PolicyTable::default(),
            critical_items: default_critical_items(),
            spot_check_tolerance_permille: SPOT_CHECK_TOLERANCE_PERMILLE,
            sampling: SampleRule::default(),
            rectification_days: 30,
        }
    }
}

/// The critical items of the built-in acceptance form: a house graded C (partly
/// dangerous) or D (dangerous), or with cracked or tilting walls, is not accepted.
pub fn default_critical_items() -> Vec<CriticalItem> {
    use crate::form::ACCEPTANCE_FORM_ID;
    vec![
        CriticalItem::new(ACCEPTANCE_FORM_ID, 1, "quality_safety_grade", &["c", "d"]),
        CriticalItem::new(ACCEPTANCE_FORM_ID, 1, "quality_walls", &["no"]),
    ]
}

impl DistrictPolicy {
    pub fn check(&self) -> Result<(), DistrictPolicyError> {
        if self.province.as_ref().is_some_and(|p| p.trim().is_empty()) {
            return Err(DistrictPolicyError::EmptyProvince);
        }
        if let Some(year) = self.programme_year
            && !(PROGRAMME_START_YEAR..=2100).contains(&year)
        {
            return Err(DistrictPolicyError::Year(year));
        }
        if !self
            .area_caps
            .rules()
            .iter()
            .any(|r| r.province.is_none() && r.years.is_none() && r.household_size.is_none())
        {
            return Err(DistrictPolicyError::NoDefaultCapRule);
        }
        if self.spot_check_tolerance_permille > MAX_TOLERANCE_PERMILLE {
            return Err(DistrictPolicyError::Tolerance(
                self.spot_check_tolerance_permille,
            ));
        }
        if !(1..=MAX_RECTIFICATION_DAYS).contains(&self.rectification_days) {
            return Err(DistrictPolicyError::RectificationDays(
                self.rectification_days,
            ));
        }
        if self.critical_items.len() > MAX_CRITICAL_ITEMS {
            return Err(DistrictPolicyError::TooManyCriticalItems(
                self.critical_items.len(),
            ));
        }
        let mut seen = std::collections::BTreeSet::new();
        for item in &self.critical_items {
            if !seen.insert((&item.form, item.version, &item.item)) {
                return Err(DistrictPolicyError::DuplicateCriticalItem(
                    item.item.clone(),
                ));
            }
        }
        self.sampling
            .validate()
            .map_err(|e| DistrictPolicyError::Sampling(e.to_string()))?;
        Ok(())
    }

    /// A measured house assessed for `household_size` registered people under this policy.
    pub fn assess(
        &self,
        measurement: &HouseMeasurement,
        household_size: u32,
    ) -> Result<AreaAssessment, AreaError> {
        area::assess(
            measurement,
            household_size,
            &self.area_caps,
            &self.context(),
        )
    }

    /// The context the cap rules are chosen by.
    pub fn context(&self) -> PolicyContext {
        PolicyContext {
            province: self.province.clone(),
            year: self.programme_year,
        }
    }

    /// The critical items `answers` (of form `form` version `version`) fail, in form order
    /// of the policy's list.
    pub fn critical_failures(
        &self,
        form: &str,
        version: u32,
        answers: &FormAnswers,
    ) -> Vec<String> {
        self.critical_items
            .iter()
            // A later version of the form keeps the critical items of the one the policy
            // names, while it has the item: publishing a form never drops a 否决项.
            .filter(|c| c.form == form && c.version <= version)
            .filter(|c| answers.get(&c.item).is_some_and(|a| c.fails(a)))
            .map(|c| c.item.clone())
            .collect()
    }
}

/// A version of the policy as the office keeps it and devices receive it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PolicyVersion {
    /// 1, 2, 3…: given by the office.
    pub version: u32,
    /// The China date from which it is in force.
    pub effective_from: NaiveDate,
    /// Who set it, as the office records them.
    pub set_by: String,
    pub set_at: DateTime<Utc>,
    pub policy: DistrictPolicy,
}

impl PolicyVersion {
    /// Version 1 of every office: the default policy, in force since the programme began.
    pub fn initial(set_at: DateTime<Utc>) -> Self {
        Self {
            version: 1,
            effective_from: programme_start(),
            set_by: "系统默认 / built-in default".to_string(),
            set_at,
            policy: DistrictPolicy::default(),
        }
    }
}

/// 1 January of [`PROGRAMME_START_YEAR`].
pub fn programme_start() -> NaiveDate {
    NaiveDate::from_ymd_opt(PROGRAMME_START_YEAR, 1, 1).unwrap_or_default()
}

/// Every version the office set, in the order they take effect.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PolicyHistory {
    versions: Vec<PolicyVersion>,
}

impl PolicyHistory {
    pub fn new(mut versions: Vec<PolicyVersion>) -> Self {
        versions.sort_by_key(|v| (v.effective_from, v.version));
        Self { versions }
    }

    pub fn versions(&self) -> &[PolicyVersion] {
        &self.versions
    }

    pub fn is_empty(&self) -> bool {
        self.versions.is_empty()
    }

    pub fn version(&self, version: u32) -> Option<&PolicyVersion> {
        self.versions.iter().find(|v| v.version == version)
    }

    /// The version in force on `date`: the latest to take effect on or before it (of two
    /// taking effect on the same day, the later set). Before the first, the first.
    pub fn in_force(&self, date: NaiveDate) -> Option<&PolicyVersion> {
        self.versions
            .iter()
            .rev()
            .find(|v| v.effective_from <= date)
            .or_else(|| self.versions.first())
    }

    /// The spot-check tolerance (‰ of the recorded area) in force on `date`: the policy's,
    /// or the national default before any policy.
    pub fn spot_check_tolerance_on(&self, date: NaiveDate) -> u32 {
        self.in_force(date)
            .map_or(SPOT_CHECK_TOLERANCE_PERMILLE, |v| {
                v.policy.spot_check_tolerance_permille
            })
    }
}

/// A policy file as `anju-office policy set` and the office page read it. `version`,
/// `set_by` and `set_at` (what `policy show` prints) are allowed and ignored: the office
/// gives them.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyFile {
    #[serde(default)]
    pub version: Option<u32>,
    /// Defaults to today.
    #[serde(default)]
    pub effective_from: Option<NaiveDate>,
    #[serde(default)]
    pub set_by: Option<String>,
    #[serde(default)]
    pub set_at: Option<DateTime<Utc>>,
    pub policy: DistrictPolicy,
}

/// A policy file that cannot be read: where and why. `message` is "中文 / English" for the
/// policy's own checks; the JSON reader's own words are English only, and then stand in both
/// halves.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("第{line}行第{column}列：{} / line {line}, column {column}: {}", self.zh(), self.en())]
pub struct PolicyFileError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl PolicyFileError {
    fn zh(&self) -> &str {
        self.message
            .split_once(" / ")
            .map_or(self.message.as_str(), |(zh, _)| zh)
    }

    fn en(&self) -> &str {
        self.message
            .split_once(" / ")
            .map_or(self.message.as_str(), |(_, en)| en)
    }
}

impl PolicyFile {
    /// Reads a policy file; a mistake is reported with its line and column.
    pub fn parse(text: &str) -> Result<Self, PolicyFileError> {
        serde_json::from_str(text).map_err(|error| {
            let (line, column) = (error.line(), error.column());
            let full = error.to_string();
            let suffix = format!(" at line {line} column {column}");
            let message = full.strip_suffix(&suffix).unwrap_or(&full).to_string();
            PolicyFileError {
                line,
                column,
                message,
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::area::Area;
    use crate::form::ACCEPTANCE_FORM_ID;

    fn file(policy: &str) -> String {
        format!(r#"{{"effective_from": "2026-12-05", "policy": {policy}}}"#)
    }

    const GOOD: &str = r#"{
        "province": "安徽省",
        "programme_year": 2017,
        "area_caps": {"rules": [
            {"name": "国家标准", "cap": {"kind": "per_person", "m2": "25"}},
            {"name": "安徽1–2人户", "province": "安徽省",
             "household_size": {"min": 1, "max": 2}, "cap": {"kind": "total", "m2": "50"}}
        ]},
        "critical_items": [
            {"form": "anju.acceptance", "version": 1, "item": "quality_safety_grade", "answers": ["c", "d"]}
        ],
        "spot_check_tolerance_permille": 30,
        "sampling": {"site_share_pct": 50, "min_site_households": 10, "household_share_pct": 20, "scattered_share_pct": 20},
        "rectification_days": 30
    }"#;

    #[test]
    fn a_good_file_is_read() {
        let parsed = PolicyFile::parse(&file(GOOD)).unwrap();
        assert_eq!(parsed.effective_from, NaiveDate::from_ymd_opt(2026, 12, 5));
        let policy = parsed.policy;
        assert_eq!(policy.province.as_deref(), Some("安徽省"));
        let two = policy.area_caps.cap_for(&policy.context(), 2).unwrap();
        assert_eq!(two.rule_name, "安徽1–2人户");
        assert_eq!(two.total, Area::from_m2_hundredths(5_000));
        assert_eq!(
            policy.critical_items,
            [CriticalItem::new(
                ACCEPTANCE_FORM_ID,
                1,
                "quality_safety_grade",
                &["c", "d"]
            )]
        );
    }

    #[test]
    fn mistakes_are_reported_with_their_line() {
        let typo = file(&GOOD.replace("\"critical_items\"", "\"critcal_items\""));
        let error = PolicyFile::parse(&typo).unwrap_err();
        assert!(error.message.contains("critcal_items"), "{error}");
        assert_eq!(error.line, 9, "{error}");
        let bad_answer = file(&GOOD.replace("[\"c\", \"d\"]", "[\"c\", \"e\"]"));
        let error = PolicyFile::parse(&bad_answer).unwrap_err();
        assert!(error.message.contains("没有答案“e”"), "{error}");
        // A checked value is refused where serde finished reading it: just after the item.
        assert_eq!(error.line, 11, "{error}");
        let unknown_item = file(&GOOD.replace("quality_safety_grade", "quality_colour"));
        assert!(
            PolicyFile::parse(&unknown_item)
                .unwrap_err()
                .message
                .contains("没有“quality_colour”项")
        );
        let reversed = file(&GOOD.replace("\"min\": 1, \"max\": 2", "\"min\": 2, \"max\": 1"));
        let error = PolicyFile::parse(&reversed).unwrap_err();
        assert!(error.message.contains("起止颠倒"), "{error}");
        let tolerance = file(&GOOD.replace(
            "\"spot_check_tolerance_permille\": 30",
            "\"spot_check_tolerance_permille\": 300",
        ));
        assert!(
            PolicyFile::parse(&tolerance)
                .unwrap_err()
                .message
                .contains("300‰")
        );
        let no_default = file(&GOOD.replace(
            r#"{"name": "国家标准", "cap": {"kind": "per_person", "m2": "25"}},"#,
            "",
        ));
        assert!(
            PolicyFile::parse(&no_default)
                .unwrap_err()
                .message
                .contains("默认规则")
        );
        let broken = PolicyFile::parse("{\n  \"policy\": {\n").unwrap_err();
        assert_eq!(broken.line, 3);
        assert!(broken.to_string().starts_with("第3行第0列："), "{broken}");
        // The policy's own reasons are split by language.
        let reversed = PolicyFile::parse(&file(
            &GOOD.replace("\"min\": 1, \"max\": 2", "\"min\": 2, \"max\": 1"),
        ))
        .unwrap_err()
        .to_string();
        let (zh, en) = reversed.split_once(" / line").unwrap();
        assert!(
            zh.contains("起止颠倒") && !zh.contains("ends before"),
            "{reversed}"
        );
        assert!(
            en.contains("ends before it starts") && !en.contains("起止"),
            "{reversed}"
        );
    }

    #[test]
    fn what_show_prints_can_be_set_again() {
        let version = PolicyVersion::initial(Utc::now());
        let shown = serde_json::to_string_pretty(&version).unwrap();
        let read = PolicyFile::parse(&shown).unwrap();
        assert_eq!(read.policy, DistrictPolicy::default());
        assert_eq!(read.version, Some(1));
    }

    #[test]
    fn the_version_in_force_is_the_latest_to_take_effect() {
        let day = |d: u32| NaiveDate::from_ymd_opt(2026, 12, d).unwrap();
        let at = |version: u32, from: NaiveDate| PolicyVersion {
            version,
            effective_from: from,
            ..PolicyVersion::initial(Utc::now())
        };
        let history = PolicyHistory::new(vec![
            at(3, day(10)),
            PolicyVersion::initial(Utc::now()),
            at(2, day(10)),
            at(4, day(20)),
        ]);
        assert_eq!(history.in_force(day(9)).map(|v| v.version), Some(1));
        assert_eq!(history.in_force(day(10)).map(|v| v.version), Some(3));
        assert_eq!(history.in_force(day(19)).map(|v| v.version), Some(3));
        assert_eq!(history.in_force(day(20)).map(|v| v.version), Some(4));
        let early = NaiveDate::from_ymd_opt(2010, 1, 1).unwrap();
        assert_eq!(history.in_force(early).map(|v| v.version), Some(1));
        assert_eq!(PolicyHistory::default().in_force(day(1)), None);
    }

    #[test]
    fn critical_failures_follow_the_answers() {
        use crate::form::Answer;
        let policy = DistrictPolicy::default();
        let mut answers = FormAnswers::default();
        answers.set(
            "quality_safety_grade",
            Answer::Choice {
                selected: vec!["b".into()],
            },
        );
        answers.set(
            "quality_walls",
            Answer::YesNo {
                value: YesNo::Yes,
                note: None,
            },
        );
        assert!(
            policy
                .critical_failures(ACCEPTANCE_FORM_ID, 1, &answers)
                .is_empty()
        );
        answers.set(
            "quality_safety_grade",
            Answer::Choice {
                selected: vec!["d".into()],
            },
        );
        answers.set(
            "quality_walls",
            Answer::YesNo {
                value: YesNo::No,
                note: Some("东墙开裂".into()),
            },
        );
        assert_eq!(
            policy.critical_failures(ACCEPTANCE_FORM_ID, 1, &answers),
            ["quality_safety_grade", "quality_walls"]
        );
        // A later version of the form keeps them; another form has none of them.
        assert_eq!(
            policy.critical_failures(ACCEPTANCE_FORM_ID, 2, &answers),
            ["quality_safety_grade", "quality_walls"]
        );
        assert!(
            policy
                .critical_failures(crate::form::SPOT_CHECK_FORM_ID, 1, &answers)
                .is_empty()
        );
    }

    #[test]
    fn the_default_policy_is_valid_and_round_trips() {
        let policy = DistrictPolicy::default();
        assert_eq!(policy.check(), Ok(()));
        let json = serde_json::to_string(&policy).unwrap();
        let back: DistrictPolicy = serde_json::from_str(&json).unwrap();
        assert_eq!(back, policy);
    }
}

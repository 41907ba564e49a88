//! Building the new houses: the stages a house goes through, what a 开工放线 or 建设进度 visit
//! says of its household's house, each concentrated site's 包保责任人 and monthly progress
//! plan, and the site's progress against that plan. The office keeps the records; the rules
//! are here.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::form::{Answer, GROUNDBREAKING_STARTED_ITEM, PROGRESS_STAGE_ITEM, YesNo};
use crate::model::{Submission, SubmissionKind};

/// How far a house is, in the order it is built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConstructionStage {
    /// 未开工
    NotStarted,
    /// 基础施工
    Foundation,
    /// 主体施工
    Structure,
    /// 主体封顶
    Roofed,
    /// 装饰装修
    Finishing,
    /// 竣工
    Completed,
}

impl ConstructionStage {
    pub const ALL: [Self; 6] = [
        Self::NotStarted,
        Self::Foundation,
        Self::Structure,
        Self::Roofed,
        Self::Finishing,
        Self::Completed,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::NotStarted => "not_started",
            Self::Foundation => "foundation",
            Self::Structure => "structure",
            Self::Roofed => "roofed",
            Self::Finishing => "finishing",
            Self::Completed => "completed",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::NotStarted => "未开工",
            Self::Foundation => "基础施工",
            Self::Structure => "主体施工",
            Self::Roofed => "主体封顶",
            Self::Finishing => "装饰装修",
            Self::Completed => "竣工",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Self::NotStarted => "not started",
            Self::Foundation => "foundations",
            Self::Structure => "main structure",
            Self::Roofed => "roofed",
            Self::Finishing => "finishing",
            Self::Completed => "completed",
        }
    }

    /// The share of the work a stage stands for, as the plan counts it (the usual weights of
    /// a brick-and-concrete house: foundations a fifth, the structure to its roof 70 %).
    pub fn percent(self) -> u32 {
        match self {
            Self::NotStarted => 0,
            Self::Foundation => 20,
            Self::Structure => 50,
            Self::Roofed => 70,
            Self::Finishing => 85,
            Self::Completed => 100,
        }
    }
}

/// The stage a visit found, if it is a construction visit that says one: 开工放线 answering
/// 已开工 是 is foundations (否: not started); 建设进度 says its stage.
pub fn stage_of(submission: &Submission) -> Option<ConstructionStage> {
    match submission.kind {
        SubmissionKind::Groundbreaking => match submission.answers.get(GROUNDBREAKING_STARTED_ITEM)
        {
            Some(Answer::YesNo {
                value: YesNo::Yes, ..
            }) => Some(ConstructionStage::Foundation),
            Some(Answer::YesNo { .. }) => Some(ConstructionStage::NotStarted),
            _ => None,
        },
        SubmissionKind::Progress => match submission.answers.get(PROGRESS_STAGE_ITEM) {
            Some(Answer::Choice { selected }) => selected
                .first()
                .and_then(|code| ConstructionStage::from_code(code)),
            _ => None,
        },
        _ => None,
    }
}

/// A month of a site's plan, `YYYY-MM`.
pub const MAX_PLAN_MONTHS: usize = 60;

/// One month of a site's progress plan: by the end of `month`, the site's houses are
/// `planned_percent` built (the stages' weights, averaged over its households).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanMonth {
    /// `YYYY-MM`.
    pub month: String,
    pub planned_percent: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("月份“{0}”无效，应为“2026-05”这样的年月 / '{0}' is not a month like 2026-05")]
    BadMonth(String),
    #[error(
        "{month}的计划进度{percent}%不在0到100之间 / {month}: {percent} % is not between 0 and 100"
    )]
    BadPercent { month: String, percent: u32 },
    #[error("{0}出现了两次 / {0} is given twice")]
    MonthTwice(String),
    #[error(
        "{later}的计划进度低于{earlier}：进度只增不减 / {later} plans less than {earlier}: progress only grows"
    )]
    Decreasing { earlier: String, later: String },
    #[error("计划至多{MAX_PLAN_MONTHS}个月 / a plan has at most {MAX_PLAN_MONTHS} months")]
    TooLong,
    #[error("包保责任人姓名须为1到50个字 / the 包保责任人's name is 1 to 50 characters")]
    BadGuarantor,
    #[error("包保责任人单位至多64个字 / the 包保责任人's unit is at most 64 characters")]
    BadUnit,
    #[error(
        "联系电话“{0}”无效：7到20位数字，可含“-” / the phone '{0}' is not valid: 7 to 20 digits, '-' allowed"
    )]
    BadPhone(String),
}

/// The first day of a `YYYY-MM` month.
pub fn month_start(month: &str) -> Option<NaiveDate> {
    let (year, rest) = month.split_once('-')?;
    if year.len() != 4 || rest.len() != 2 {
        return None;
    }
    NaiveDate::from_ymd_opt(year.parse().ok()?, rest.parse().ok()?, 1)
}

/// A plan a site may keep: months that read, each once, ascending after sorting, percents
/// that never fall. Returns it sorted by month.
pub fn check_plan(plan: &[PlanMonth]) -> Result<Vec<PlanMonth>, PlanError> {
    if plan.len() > MAX_PLAN_MONTHS {
        return Err(PlanError::TooLong);
    }
    let mut sorted = plan.to_vec();
    for month in &sorted {
        if month_start(&month.month).is_none() {
            return Err(PlanError::BadMonth(month.month.chars().take(20).collect()));
        }
        if month.planned_percent > 100 {
            return Err(PlanError::BadPercent {
                month: month.month.clone(),
                percent: month.planned_percent,
            });
        }
    }
    sorted.sort_by(|a, b| a.month.cmp(&b.month));
    for pair in sorted.windows(2) {
        if pair[0].month == pair[1].month {
            return Err(PlanError::MonthTwice(pair[0].month.clone()));
        }
        if pair[1].planned_percent < pair[0].planned_percent {
            return Err(PlanError::Decreasing {
                earlier: pair[0].month.clone(),
                later: pair[1].month.clone(),
            });
        }
    }
    Ok(sorted)
}

/// 包保责任人: the official answerable for a site's building.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Guarantor {
    pub name: String,
    pub unit: Option<String>,
    pub phone: Option<String>,
}

pub fn check_guarantor(guarantor: &Guarantor) -> Result<(), PlanError> {
    let name = guarantor.name.trim();
    if name.is_empty() || name.chars().count() > 50 || name.chars().any(char::is_control) {
        return Err(PlanError::BadGuarantor);
    }
    if let Some(unit) = &guarantor.unit
        && (unit.chars().count() > 64 || unit.chars().any(char::is_control))
    {
        return Err(PlanError::BadUnit);
    }
    if let Some(phone) = &guarantor.phone {
        let digits = phone.chars().filter(char::is_ascii_digit).count();
        if !(7..=20).contains(&digits) || !phone.chars().all(|c| c.is_ascii_digit() || c == '-') {
            return Err(PlanError::BadPhone(phone.chars().take(24).collect()));
        }
    }
    Ok(())
}

/// What the plan asks for by `day`: the latest planned month that has begun (none before
/// the plan's first month).
pub fn planned_by(plan: &[PlanMonth], day: NaiveDate) -> Option<u32> {
    plan.iter()
        .filter(|m| month_start(&m.month).is_some_and(|start| start <= day))
        .max_by(|a, b| a.month.cmp(&b.month))
        .map(|m| m.planned_percent)
}

/// A site's progress from its households' latest stages (`None`: no construction visit
/// yet, counted as not started).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SiteProgress {
    pub households: u32,
    /// Households a construction visit has reported on.
    pub reported: u32,
    pub completed: u32,
    /// The stages' weights averaged over every household, rounded down.
    pub percent: u32,
}

impl SiteProgress {
    pub fn of(stages: &[Option<ConstructionStage>]) -> Self {
        let households = u32::try_from(stages.len()).unwrap_or(u32::MAX);
        let reported = stages.iter().filter(|s| s.is_some()).count();
        let completed = stages
            .iter()
            .filter(|s| **s == Some(ConstructionStage::Completed))
            .count();
        let total: u64 = stages
            .iter()
            .map(|s| u64::from(s.map_or(0, ConstructionStage::percent)))
            .sum();
        let percent = total
            .checked_div(stages.len() as u64)
            .map_or(0, |p| u32::try_from(p).unwrap_or(100));
        Self {
            households,
            reported: u32::try_from(reported).unwrap_or(u32::MAX),
            completed: u32::try_from(completed).unwrap_or(u32::MAX),
            percent,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn month(m: &str, p: u32) -> PlanMonth {
        PlanMonth {
            month: m.into(),
            planned_percent: p,
        }
    }

    #[test]
    fn a_plan_reads_its_months_and_only_grows() {
        let plan = check_plan(&[month("2026-06", 50), month("2026-05", 20)]).unwrap();
        assert_eq!(plan[0].month, "2026-05");
        assert_eq!(
            check_plan(&[month("2026-13", 20)]),
            Err(PlanError::BadMonth("2026-13".into()))
        );
        assert_eq!(
            check_plan(&[month("2026-5", 20)]),
            Err(PlanError::BadMonth("2026-5".into()))
        );
        assert!(matches!(
            check_plan(&[month("2026-05", 120)]),
            Err(PlanError::BadPercent { .. })
        ));
        assert!(matches!(
            check_plan(&[month("2026-05", 60), month("2026-06", 40)]),
            Err(PlanError::Decreasing { .. })
        ));
        assert!(matches!(
            check_plan(&[month("2026-05", 20), month("2026-05", 20)]),
            Err(PlanError::MonthTwice(_))
        ));
        let day = NaiveDate::from_ymd_opt(2026, 6, 15).unwrap();
        assert_eq!(planned_by(&plan, day), Some(50));
        assert_eq!(
            planned_by(&plan, NaiveDate::from_ymd_opt(2026, 4, 30).unwrap()),
            None
        );
    }

    #[test]
    fn a_sites_progress_counts_every_household() {
        use ConstructionStage::*;
        let progress = SiteProgress::of(&[Some(Completed), Some(Roofed), None, Some(Foundation)]);
        assert_eq!(progress.households, 4);
        assert_eq!(progress.reported, 3);
        assert_eq!(progress.completed, 1);
        assert_eq!(progress.percent, (100 + 70 + 20) / 4);
        assert_eq!(SiteProgress::of(&[]).percent, 0);
    }

    #[test]
    fn a_guarantor_has_a_name_and_a_phone_that_reads() {
        let mut g = Guarantor {
            name: "周建民".into(),
            unit: Some("东河口镇人民政府".into()),
            phone: Some("0564-3312345".into()),
        };
        assert_eq!(check_guarantor(&g), Ok(()));
        g.phone = Some("call me".into());
        assert!(matches!(check_guarantor(&g), Err(PlanError::BadPhone(_))));
        g.phone = None;
        g.name = " ".into();
        assert_eq!(check_guarantor(&g), Err(PlanError::BadGuarantor));
    }
}

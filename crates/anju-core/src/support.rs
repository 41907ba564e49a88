//! 帮扶措施: the support each relocated household receives so that it can make a living after
//! the move. The programme requires at least [`MIN_MEASURES`] measures per household, and at
//! least one industry project (产业发展) for a household able to develop one (有发展能力).
//! The office records them; the shortfall is reported per township.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::form::Text;

/// "每户都安排了不少于5项的脱贫帮扶措施".
pub const MIN_MEASURES: u32 = 5;
/// The longest description of a measure.
pub const MAX_MEASURE_CHARS: usize = 200;
/// The most measures one household holds.
pub const MAX_MEASURES: u32 = 50;

/// What kind of support a measure is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SupportCategory {
    /// 产业发展: livestock, crops, a workshop…
    Industry,
    /// 就业务工: a job, training, public-welfare posts.
    Employment,
    /// 教育资助.
    Education,
    /// 健康医疗: insurance, family doctor.
    Health,
    /// 金融信贷: the 37,000-yuan long-term loan, micro-credit.
    Finance,
    /// 社会保障: minimum living allowance, pension.
    SocialSecurity,
    /// 其他.
    Other,
}

impl SupportCategory {
    pub const ALL: [SupportCategory; 7] = [
        Self::Industry,
        Self::Employment,
        Self::Education,
        Self::Health,
        Self::Finance,
        Self::SocialSecurity,
        Self::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Industry => "industry",
            Self::Employment => "employment",
            Self::Education => "education",
            Self::Health => "health",
            Self::Finance => "finance",
            Self::SocialSecurity => "social_security",
            Self::Other => "other",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == code)
    }

    pub fn label(self) -> Text {
        match self {
            Self::Industry => Text::new("产业发展", "Industry"),
            Self::Employment => Text::new("就业务工", "Employment"),
            Self::Education => Text::new("教育资助", "Education"),
            Self::Health => Text::new("健康医疗", "Health"),
            Self::Finance => Text::new("金融信贷", "Credit"),
            Self::SocialSecurity => Text::new("社会保障", "Social security"),
            Self::Other => Text::new("其他", "Other"),
        }
    }
}

/// A measure as the office records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewSupportMeasure {
    pub category: SupportCategory,
    pub description: String,
    pub started_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SupportError {
    #[error("请写明帮扶措施的内容 / describe the measure")]
    Empty,
    #[error(
        "帮扶措施最多{MAX_MEASURE_CHARS}字（现{0}字） / a measure is at most {MAX_MEASURE_CHARS} characters ({0})"
    )]
    TooLong(usize),
    #[error("开始日期（{0}）在今天之后 / the start date ({0}) is in the future")]
    InTheFuture(NaiveDate),
    #[error("每户最多记录{MAX_MEASURES}项帮扶措施 / at most {MAX_MEASURES} measures per household")]
    TooMany,
}

impl NewSupportMeasure {
    /// The measure with its description trimmed, or what is wrong with it.
    pub fn checked(&self, today: NaiveDate, held: u32) -> Result<Self, SupportError> {
        let description = self.description.trim();
        if description.is_empty() {
            return Err(SupportError::Empty);
        }
        let chars = description.chars().count();
        if chars > MAX_MEASURE_CHARS {
            return Err(SupportError::TooLong(chars));
        }
        if let Some(date) = self.started_on
            && date > today
        {
            return Err(SupportError::InTheFuture(date));
        }
        if held >= MAX_MEASURES {
            return Err(SupportError::TooMany);
        }
        Ok(Self {
            description: description.to_string(),
            ..self.clone()
        })
    }
}

/// What a household lacks of the programme's requirement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SupportShortfall {
    pub measures: u32,
    /// Measures still to arrange to reach [`MIN_MEASURES`].
    pub missing: u32,
    /// Able to develop, and no industry project yet.
    pub needs_industry: bool,
}

impl SupportShortfall {
    pub fn of(categories: &[SupportCategory], able_to_develop: bool) -> Self {
        Self::counted(
            u32::try_from(categories.len()).unwrap_or(u32::MAX),
            categories.contains(&SupportCategory::Industry),
            able_to_develop,
        )
    }

    /// From how many measures there are and whether one is an industry project.
    pub fn counted(measures: u32, has_industry: bool, able_to_develop: bool) -> Self {
        Self {
            measures,
            missing: MIN_MEASURES.saturating_sub(measures),
            needs_industry: able_to_develop && !has_industry,
        }
    }

    pub fn is_met(&self) -> bool {
        self.missing == 0 && !self.needs_industry
    }

    /// In words, for the household page: 尚缺2项；有发展能力，尚无产业项目.
    pub fn describe(&self) -> Text {
        let mut zh = Vec::new();
        let mut en = Vec::new();
        if self.missing > 0 {
            zh.push(format!("尚缺{}项", self.missing));
            en.push(format!("{} more measures needed", self.missing));
        }
        if self.needs_industry {
            zh.push("有发展能力，尚无产业项目".to_string());
            en.push("able to develop, no industry project yet".to_string());
        }
        if zh.is_empty() {
            return Text::new("已达要求", "meets the requirement");
        }
        Text {
            zh: zh.join("；"),
            en: en.join("; "),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use SupportCategory::*;

    #[test]
    fn five_measures_and_an_industry_project_for_those_able_to_develop() {
        let four = [Employment, Education, Health, Finance];
        let short = SupportShortfall::of(&four, true);
        assert_eq!(
            (short.measures, short.missing, short.needs_industry),
            (4, 1, true)
        );
        assert_eq!(short.describe().zh, "尚缺1项；有发展能力，尚无产业项目");
        assert!(!short.is_met());
        // Not able to develop: no industry project needed.
        let five = [Employment, Education, Health, Finance, SocialSecurity];
        assert!(SupportShortfall::of(&five, false).is_met());
        assert!(!SupportShortfall::of(&five, true).is_met());
        let with_industry = [Industry, Education, Health, Finance, SocialSecurity, Other];
        let met = SupportShortfall::of(&with_industry, true);
        assert!(met.is_met());
        assert_eq!(met.missing, 0);
        assert_eq!(met.describe().zh, "已达要求");
        assert_eq!(SupportShortfall::of(&[], false).missing, MIN_MEASURES);
    }

    #[test]
    fn a_measure_is_described_dated_no_later_than_today_and_bounded() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 5).unwrap();
        let measure = NewSupportMeasure {
            category: Industry,
            description: "  畜禽养殖，流转山场20亩 ".into(),
            started_on: Some(today),
        };
        assert_eq!(
            measure.checked(today, 0).unwrap().description,
            "畜禽养殖，流转山场20亩"
        );
        let blank = NewSupportMeasure {
            description: " ".into(),
            ..measure.clone()
        };
        assert_eq!(blank.checked(today, 0), Err(SupportError::Empty));
        let long = NewSupportMeasure {
            description: "养".repeat(201),
            ..measure.clone()
        };
        assert_eq!(long.checked(today, 0), Err(SupportError::TooLong(201)));
        let tomorrow = today.succ_opt().unwrap();
        let future = NewSupportMeasure {
            started_on: Some(tomorrow),
            ..measure.clone()
        };
        assert_eq!(
            future.checked(today, 0),
            Err(SupportError::InTheFuture(tomorrow))
        );
        assert_eq!(
            measure.checked(today, MAX_MEASURES),
            Err(SupportError::TooMany)
        );
        for c in SupportCategory::ALL {
            assert_eq!(SupportCategory::from_code(c.code()), Some(c));
        }
    }
}

//! What a visit proves of a household's milestones: 旧房拆除核实 and 宅基地复垦核实 move its
//! 已拆除 / 已复垦 when they confirm it, 入住核实 its 已入住 (`crate::office::check_move_in`), in the order the programme sets
//! (agreement, demolition, reclamation; [`OldHouse::validate`]), and their photos before
//! and after must be taken from the same spot.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::form::{Answer, DEMOLISHED_ITEM, RECLAIMED_ITEM, Text, YesNo};
use crate::location::Fix;
use crate::model::{Submission, SubmissionKind};
use crate::office::{MilestoneError, OldHouse};

/// Photos before and after farther apart than this were not taken from the same spot.
/// A phone's fix outdoors is good to about 10 m; two of them, and a step or two aside.
pub const SAME_SPOT_LIMIT_M: f64 = 30.0;

/// The step of the old house a visit confirms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MilestoneStep {
    /// 已拆除.
    Demolished,
    /// 已复垦.
    Reclaimed,
    /// 已入住.
    MovedIn,
}

impl MilestoneStep {
    pub fn code(self) -> &'static str {
        match self {
            Self::Demolished => "demolished",
            Self::Reclaimed => "reclaimed",
            Self::MovedIn => "moved_in",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [Self::Demolished, Self::Reclaimed, Self::MovedIn]
            .into_iter()
            .find(|s| s.code() == code)
    }

    pub fn label(self) -> Text {
        match self {
            Self::Demolished => Text::new("旧房拆除", "demolition"),
            Self::Reclaimed => Text::new("宅基地复垦", "reclamation"),
            Self::MovedIn => Text::new("入住", "move-in"),
        }
    }

    /// The step a kind of visit checks, if it checks one.
    pub fn checked_by(kind: SubmissionKind) -> Option<(Self, &'static str)> {
        match kind {
            SubmissionKind::Demolition => Some((Self::Demolished, DEMOLISHED_ITEM)),
            SubmissionKind::Reclamation => Some((Self::Reclaimed, RECLAIMED_ITEM)),
            SubmissionKind::MoveIn => Some((Self::MovedIn, crate::form::MOVED_IN_ITEM)),
            SubmissionKind::Acceptance
            | SubmissionKind::SpotCheck
            | SubmissionKind::Recheck
            | SubmissionKind::Groundbreaking
            | SubmissionKind::Progress
            | SubmissionKind::AreaInspection
            | SubmissionKind::TownshipCheck
            | SubmissionKind::AcceptancePart => None,
        }
    }
}

/// The step `submission` confirms: a demolition check answering 旧房已拆除 是, or a
/// reclamation check answering 宅基地已复垦 是. Any other answer confirms nothing.
pub fn confirmed_step(submission: &Submission) -> Option<MilestoneStep> {
    let (step, item) = MilestoneStep::checked_by(submission.kind)?;
    match submission.answers.get(item) {
        Some(Answer::YesNo {
            value: YesNo::Yes, ..
        }) => Some(step),
        _ => None,
    }
}

/// What a confirming visit does to the household's dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepOutcome {
    /// The milestone is recorded on the visit's date.
    Recorded(OldHouse),
    /// The milestone was already recorded, on this date; it stays.
    AlreadyRecorded(NaiveDate),
}

/// Record `step` as done on `on` (the visit's China date), if the order allows it.
pub fn record_step(
    old: OldHouse,
    step: MilestoneStep,
    on: NaiveDate,
    today: NaiveDate,
) -> Result<StepOutcome, MilestoneError> {
    let mut new = old;
    let slot = match step {
        MilestoneStep::Demolished => &mut new.demolished_on,
        MilestoneStep::Reclaimed => &mut new.reclaimed_on,
        // Moving in is no step of the old house: `crate::office::check_move_in` rules it.
        MilestoneStep::MovedIn => return Ok(StepOutcome::Recorded(old)),
    };
    if let Some(date) = *slot {
        return Ok(StepOutcome::AlreadyRecorded(date));
    }
    *slot = Some(on);
    new.validate(today)?;
    Ok(StepOutcome::Recorded(new))
}

/// How far the photos after are from the photos before.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SameSpot {
    /// A photo before or after has no position: nothing to compare.
    Unknown,
    /// The nearest pair is this many metres apart, within [`SAME_SPOT_LIMIT_M`].
    Near(f64),
    /// The nearest pair is this many metres apart: not the same spot.
    Far(f64),
}

impl SameSpot {
    /// Every photo after is compared with its nearest photo before; the farthest of those
    /// decides. Work is before × after, each bounded by the form's photo limit.
    pub fn of(before: &[Fix], after: &[Fix]) -> Self {
        let before: Vec<_> = before
            .iter()
            .filter_map(|f| f.position()?.coordinates().ok())
            .collect();
        let mut worst: Option<f64> = None;
        for fix in after {
            let nearest = before
                .iter()
                .filter_map(|b| fix.distance_to(b))
                .min_by(f64::total_cmp);
            if let Some(d) = nearest {
                worst = Some(worst.map_or(d, |w| w.max(d)));
            }
        }
        match worst {
            None => Self::Unknown,
            Some(d) if d > SAME_SPOT_LIMIT_M => Self::Far(d),
            Some(d) => Self::Near(d),
        }
    }

    /// The reviewer's note for photos not taken from the same spot.
    pub fn note(self) -> Option<Text> {
        match self {
            Self::Far(d) => {
                let metres = d.round() as u64;
                Some(Text {
                    zh: format!(
                        "前后照片不在同一位置：相距 {metres} 米（超过 {SAME_SPOT_LIMIT_M:.0} 米）"
                    ),
                    en: format!(
                        "the photos before and after are {metres} m apart (over {SAME_SPOT_LIMIT_M:.0} m): not the same spot"
                    ),
                })
            }
            Self::Near(_) | Self::Unknown => None,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::location::{NoFixReason, Position};
    use chrono::Utc;

    fn at(latitude: f64, longitude: f64) -> Fix {
        Fix::Position(Position {
            latitude,
            longitude,
            accuracy_m: 8.0,
            fixed_at: Utc::now(),
        })
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 6, d).unwrap()
    }

    #[test]
    fn a_demolition_is_recorded_once_and_only_after_the_agreement() {
        let today = day(30);
        let signed = OldHouse {
            agreement_signed_on: Some(day(1)),
            ..OldHouse::default()
        };
        assert_eq!(
            record_step(signed, MilestoneStep::Demolished, day(10), today),
            Ok(StepOutcome::Recorded(OldHouse {
                demolished_on: Some(day(10)),
                ..signed
            }))
        );
        // Without the agreement the order is refused, with the programme's reason.
        assert_eq!(
            record_step(
                OldHouse::default(),
                MilestoneStep::Demolished,
                day(10),
                today
            ),
            Err(MilestoneError::DemolishedWithoutAgreement)
        );
        // Reclamation needs the demolition first.
        assert_eq!(
            record_step(signed, MilestoneStep::Reclaimed, day(12), today),
            Err(MilestoneError::ReclaimedWithoutDemolition)
        );
        // A second visit leaves the first date.
        let done = OldHouse {
            demolished_on: Some(day(5)),
            ..signed
        };
        assert_eq!(
            record_step(done, MilestoneStep::Demolished, day(20), today),
            Ok(StepOutcome::AlreadyRecorded(day(5)))
        );
        assert_eq!(
            record_step(done, MilestoneStep::Reclaimed, day(20), today),
            Ok(StepOutcome::Recorded(OldHouse {
                reclaimed_on: Some(day(20)),
                ..done
            }))
        );
    }

    #[test]
    fn photos_after_are_compared_with_the_nearest_photo_before() {
        let before = [at(31.7650, 116.5100), at(31.7700, 116.5100)];
        // 0.0001° of latitude is about 11 m.
        assert!(matches!(
            SameSpot::of(&before, &[at(31.7651, 116.5100)]),
            SameSpot::Near(d) if (10.0..12.5).contains(&d)
        ));
        let far = SameSpot::of(&before, &[at(31.7651, 116.5100), at(31.7660, 116.5100)]);
        assert!(matches!(far, SameSpot::Far(d) if (100.0..120.0).contains(&d)));
        assert!(
            far.note()
                .unwrap()
                .zh
                .starts_with("前后照片不在同一位置：相距 11")
        );
        let no_fix = Fix::NoFix {
            reason: NoFixReason::Timeout,
        };
        assert_eq!(
            SameSpot::of(&before, std::slice::from_ref(&no_fix)),
            SameSpot::Unknown
        );
        assert_eq!(SameSpot::of(&[], &before), SameSpot::Unknown);
        assert_eq!(SameSpot::Unknown.note(), None);
    }
}

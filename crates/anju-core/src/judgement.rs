//! What the office makes of a submission that passed its checks: the assessment under the
//! policy version in force on the submission's date (which decides), the critical items
//! it fails, the people found on site against the registered household, and whether the
//! device's own assessment (with the version it had) says something else.

use crate::area::AreaAssessment;
use crate::district_policy::{PolicyHistory, PolicyVersion};
use crate::form::{Answer, FormCatalog, PEOPLE_PRESENT_ITEM, Text};
use crate::model::Submission;
use crate::records::{china_date, made_at};

/// The office's judgement of one submission.
#[derive(Debug, Clone, PartialEq)]
pub struct SubmissionJudgement {
    /// The version in force on the submission's date: the one that decides.
    pub policy_version: u32,
    /// The version the device assessed with, if it said.
    pub device_policy_version: Option<u32>,
    /// The measured house under the deciding version; `None` without a measurement (or
    /// one that cannot be assessed, which the checks refuse).
    pub assessment: Option<AreaAssessment>,
    /// The critical items the answers fail, under the deciding version.
    pub critical_failures: Vec<String>,
    /// 实际家庭人口 as found on site, when the form asks.
    pub people_found: Option<u32>,
    /// 家庭人口 as registered: the cap is counted for these.
    pub people_registered: u32,
    /// How the device's assessment differs from the deciding one, when it does.
    pub policy_mismatch: Option<Text>,
}

impl SubmissionJudgement {
    pub fn over_cap(&self) -> bool {
        self.assessment
            .as_ref()
            .is_some_and(AreaAssessment::is_over)
    }

    /// The people found on site differ from the registry: for the poverty office (扶贫办)
    /// to look at. The cap stays counted for the registered household.
    pub fn people_differ(&self) -> bool {
        self.people_found
            .is_some_and(|found| found != self.people_registered)
    }
}

fn assess_with(
    submission: &Submission,
    household_size: u32,
    version: &PolicyVersion,
) -> Option<AreaAssessment> {
    let measurement = submission.answers.measurement()?;
    version.policy.assess(measurement, household_size).ok()
}

fn describe(version: &PolicyVersion, assessment: &AreaAssessment) -> (String, String) {
    let verdict_zh = if assessment.is_over() {
        "超标"
    } else {
        "未超标"
    };
    let verdict_en = if assessment.is_over() {
        "over the cap"
    } else {
        "within the cap"
    };
    (
        format!(
            "第{}版政策：上限{}（{}），{verdict_zh}",
            version.version, assessment.cap.total, assessment.cap.rule_name
        ),
        format!(
            "policy version {}: cap {} ({}), {verdict_en}",
            version.version, assessment.cap.total, assessment.cap.rule_name
        ),
    )
}

/// Judges `submission` for a household of `household_size` registered people; `None`
/// when the office has no policy at all.
pub fn judge_submission(
    submission: &Submission,
    household_size: u32,
    policies: &PolicyHistory,
    forms: &FormCatalog,
) -> Option<SubmissionJudgement> {
    let made_on = china_date(made_at(&submission.clock));
    let in_force = policies.in_force(made_on)?;
    let assessment = assess_with(submission, household_size, in_force);
    let device_version = submission
        .policy_version
        .and_then(|v| policies.version(v))
        .filter(|v| v.version != in_force.version);
    let policy_mismatch = match (device_version, &assessment) {
        (Some(device), Some(deciding)) => {
            assess_with(submission, household_size, device).and_then(|theirs| {
                let differs = theirs.cap.total != deciding.cap.total
                    || theirs.is_over() != deciding.is_over();
                differs.then(|| {
                    let (device_zh, device_en) = describe(device, &theirs);
                    let (office_zh, office_en) = describe(in_force, deciding);
                    Text {
                        zh: format!(
                            "设备按{device_zh}；验收当日生效的{office_zh}。以后者为准"
                        ),
                        en: format!(
                            "the device assessed by {device_en}; in force on the day was {office_en}, which decides"
                        ),
                    }
                })
            })
        }
        _ => None,
    };
    let people_found = match submission.answers.get(PEOPLE_PRESENT_ITEM) {
        Some(Answer::Number { value }) if value.is_finite() && *value >= 0.0 => {
            // The form allows whole people only (0 decimals, 1–20).
            Some(value.round() as u32)
        }
        _ => None,
    };
    Some(SubmissionJudgement {
        policy_version: in_force.version,
        device_policy_version: submission.policy_version,
        critical_failures: critical_failures(submission, in_force, forms),
        assessment,
        people_found,
        people_registered: household_size,
        policy_mismatch,
    })
}

/// The policy's critical items and the form's own (否决项 set in a published version), each
/// once, in the policy's order then the form's.
fn critical_failures(
    submission: &Submission,
    in_force: &PolicyVersion,
    forms: &FormCatalog,
) -> Vec<String> {
    let mut failures = in_force.policy.critical_failures(
        &submission.form_id,
        submission.form_version,
        &submission.answers,
    );
    if let Some(form) = forms.get(&submission.form_id, submission.form_version) {
        for item in form.critical_failures(&submission.answers) {
            if !failures.contains(&item) {
                failures.push(item);
            }
        }
    }
    failures
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::area::Area;
    use crate::district_policy::DistrictPolicy;
    use crate::form::{ACCEPTANCE_FORM_ID, FormAnswers, FormCatalog, YesNo};
    use crate::model::{ClockReading, SubmissionKind};
    use crate::policy::{Cap, CapRule, PolicyTable};
    use chrono::{NaiveDate, TimeZone, Utc};
    use uuid::Uuid;

    fn at(day: u32) -> chrono::DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, day, 2, 0, 0).unwrap()
    }

    fn submission(
        day: u32,
        length_mm: i64,
        people: f64,
        policy_version: Option<u32>,
    ) -> Submission {
        let mut answers = FormAnswers::default();
        answers.set(
            "area_measurement",
            Answer::Area {
                measurement: crate::testing::one_storey(length_mm, 10_000),
            },
        );
        answers.set(PEOPLE_PRESENT_ITEM, Answer::Number { value: people });
        answers.set(
            "quality_walls",
            Answer::YesNo {
                value: YesNo::No,
                note: Some("东墙开裂".into()),
            },
        );
        Submission {
            id: Uuid::now_v7(),
            household_id: Uuid::now_v7(),
            kind: SubmissionKind::Acceptance,
            form_id: ACCEPTANCE_FORM_ID.into(),
            form_version: 1,
            inspector: "li".into(),
            answers,
            clock: ClockReading {
                device_time: at(day),
                trusted_time: Some(at(day)),
                offset_ms: Some(0),
            },
            policy_version,
            recorded_area: None,
            position: None,
            finding_id: None,
        }
    }

    /// Version 1 (national, from 2016) and version 2 from 10 December: 4-person
    /// households at most 90 m² in all.
    fn history() -> PolicyHistory {
        let tighter = DistrictPolicy {
            area_caps: PolicyTable::new(vec![
                CapRule::national(),
                CapRule::new(
                    "四人户总面积不超过90平方米",
                    Cap::Total {
                        m2: Area::from_m2_hundredths(9_000),
                    },
                )
                .for_household_sizes(4, 4),
            ])
            .unwrap(),
            ..DistrictPolicy::default()
        };
        PolicyHistory::new(vec![
            PolicyVersion::initial(at(1)),
            PolicyVersion {
                version: 2,
                effective_from: NaiveDate::from_ymd_opt(2026, 12, 10).unwrap(),
                set_by: "金安区扶贫办".into(),
                set_at: at(5),
                policy: tighter,
            },
        ])
    }

    #[test]
    fn the_version_in_force_on_the_day_decides() {
        // 95 m² for 4 people: within 100 m² (v1), over 90 m² (v2).
        let before = judge_submission(
            &submission(9, 9_500, 4.0, Some(1)),
            4,
            &history(),
            &FormCatalog::builtin(),
        )
        .unwrap();
        assert_eq!(before.policy_version, 1);
        assert!(!before.over_cap());
        assert_eq!(before.policy_mismatch, None);
        let after = judge_submission(
            &submission(11, 9_500, 4.0, Some(2)),
            4,
            &history(),
            &FormCatalog::builtin(),
        )
        .unwrap();
        assert_eq!(after.policy_version, 2);
        assert!(after.over_cap());
        assert_eq!(after.critical_failures, ["quality_walls"]);
    }

    #[test]
    fn a_device_with_an_old_version_is_flagged() {
        let judged = judge_submission(
            &submission(11, 9_500, 4.0, Some(1)),
            4,
            &history(),
            &FormCatalog::builtin(),
        )
        .unwrap();
        assert!(judged.over_cap(), "the version in force decides");
        let mismatch = judged.policy_mismatch.unwrap();
        assert!(mismatch.zh.contains("第1版政策"), "{}", mismatch.zh);
        assert!(mismatch.zh.contains("第2版政策"), "{}", mismatch.zh);
        assert!(mismatch.en.contains("which decides"), "{}", mismatch.en);
        // Even with the same verdict a different cap is worth a look.
        let smaller = judge_submission(
            &submission(11, 8_000, 4.0, Some(1)),
            4,
            &history(),
            &FormCatalog::builtin(),
        )
        .unwrap();
        assert!(smaller.policy_mismatch.is_some());
        // A device with the version in force is not flagged.
        let current = judge_submission(
            &submission(11, 9_500, 4.0, Some(2)),
            4,
            &history(),
            &FormCatalog::builtin(),
        )
        .unwrap();
        assert_eq!(current.policy_mismatch, None);
    }

    #[test]
    fn people_found_on_site_are_compared_with_the_registry() {
        let judged = judge_submission(
            &submission(9, 9_500, 5.0, None),
            4,
            &history(),
            &FormCatalog::builtin(),
        )
        .unwrap();
        assert_eq!(judged.people_found, Some(5));
        assert!(judged.people_differ());
        // The cap stays counted for the registered 4 people.
        assert_eq!(
            judged.assessment.unwrap().cap.total,
            Area::from_m2_hundredths(10_000)
        );
        let same = judge_submission(
            &submission(9, 9_500, 4.0, None),
            4,
            &history(),
            &FormCatalog::builtin(),
        )
        .unwrap();
        assert!(!same.people_differ());
    }
}

//! A household's timeline at the office: every visit (acceptance, spot check, the old
//! house's checks), the district's review of each, every finding raised and each step of
//! its rectification, and the old house's milestones, oldest first, each with who did it
//! and its evidence. Built from what the household page already reads, plus what each
//! visit to the old house did (`old_house_visits`); nothing here is stored.

use anju_core::form::{Text, TownshipVerdict};
use anju_core::visits::MilestoneStep;
use anju_sql::Connection;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use ts_rs::TS;

use super::views::{FindingRow, PhotoView, ReviewVerdict, SubmissionView};
use crate::db::OfficeDbError;

/// What a timeline entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TimelineKind {
    /// A visit in the field: a submission of any kind.
    Visit,
    /// The district approved or returned a visit.
    Review,
    /// A problem was raised.
    Finding,
    /// A problem moved: rectified, closed, reopened.
    FindingStep,
    /// A date of the old house or the move-in, as the office recorded it.
    Milestone,
}

/// How the entry reads at a glance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TimelineTone {
    Neutral,
    Good,
    Warning,
    Bad,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS, utoipa::ToSchema)]
pub struct TimelinePhoto {
    pub url: String,
    pub label: Text,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS, utoipa::ToSchema)]
pub struct TimelineEntry {
    pub at: DateTime<Utc>,
    pub kind: TimelineKind,
    pub tone: TimelineTone,
    pub title: Text,
    pub detail: Option<Text>,
    /// Who: 姓名（单位/部门）.
    pub by: Option<Text>,
    pub submission_id: Option<String>,
    pub finding_id: Option<String>,
    /// The evidence: a visit's photos (before and after side by side for the old house),
    /// a rectification's photo.
    pub photos: Vec<TimelinePhoto>,
}

/// What a visit to the old house did to the household's dates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OldHouseVisit {
    pub submission_id: String,
    pub step: MilestoneStep,
    pub visited_on: NaiveDate,
    /// `recorded`, `already`, `refused` or `not_confirmed`.
    pub outcome: String,
    pub reason: Option<Text>,
}

pub(crate) fn old_house_visits(
    conn: &Connection,
    household_id: &str,
) -> Result<Vec<OldHouseVisit>, OfficeDbError> {
    let mut stmt = conn.prepare_cached(
        "SELECT submission_id, step, visited_on, outcome, reason_zh, reason_en
         FROM old_house_visits WHERE household_id = ?1 ORDER BY visited_on, submission_id",
    )?;
    let rows = stmt
        .query_map([household_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, Option<String>>(5)?,
            ))
        })?
        .collect::<anju_sql::Result<Vec<_>>>()?;
    // A row that cannot be read is left out of the timeline, not the page.
    Ok(rows
        .into_iter()
        .filter_map(|(submission_id, step, on, outcome, zh, en)| {
            Some(OldHouseVisit {
                submission_id,
                step: MilestoneStep::from_code(&step)?,
                visited_on: on.parse().ok()?,
                outcome,
                reason: zh.map(|zh| Text {
                    en: en.unwrap_or_else(|| zh.clone()),
                    zh,
                }),
            })
        })
        .collect())
}

/// Midnight China time (UTC+8) of a date, for milestones recorded as dates: the inverse
/// of `anju_core::records::china_date`.
fn start_of(date: NaiveDate) -> DateTime<Utc> {
    let midnight = date.and_time(chrono::NaiveTime::MIN).and_utc();
    midnight
        .checked_sub_signed(chrono::Duration::hours(8))
        .unwrap_or(midnight)
}

fn visit_photos(submission: &SubmissionView) -> Vec<TimelinePhoto> {
    let photo = |p: &PhotoView| TimelinePhoto {
        url: p.url.clone(),
        label: p.slot_label.clone(),
    };
    if submission.kind.is_old_house() {
        // Before and after, first of each, to be seen side by side.
        let first = |slot: &str| submission.photos.iter().find(|p| p.slot == slot).map(photo);
        [
            first(anju_core::form::BEFORE_PHOTOS),
            first(anju_core::form::AFTER_PHOTOS),
        ]
        .into_iter()
        .flatten()
        .collect()
    } else {
        submission.photos.iter().take(3).map(photo).collect()
    }
}

/// A 整改复查 as the timeline shows it: what it found, and beside its photo the township's
/// photo of the rectification (and the problem's own photo, when the finding's item has one).
fn recheck_entry(
    submission: &SubmissionView,
    findings: &[FindingRow],
    original: Option<TimelinePhoto>,
) -> (TimelineTone, Option<Text>, Vec<TimelinePhoto>) {
    let finding = submission
        .finding_id
        .as_deref()
        .and_then(|id| findings.iter().find(|f| f.id == id));
    let (tone, zh, en) = if submission.recheck_confirmed == Some(true) {
        (
            TimelineTone::Good,
            "复查确认整改到位",
            "the rectification is confirmed on the spot",
        )
    } else {
        (
            TimelineTone::Bad,
            "复查发现未整改到位，退回乡镇",
            "the problem remains: back to the township",
        )
    };
    let detail = Text {
        zh: finding.map_or_else(|| zh.to_string(), |f| format!("{zh}：{}", f.description)),
        en: finding.map_or_else(|| en.to_string(), |f| format!("{en}: {}", f.description)),
    };
    let township = finding.and_then(|f| {
        f.events
            .iter()
            .rev()
            .find(|e| {
                e.to == anju_core::model::FindingState::Rectified && e.at <= submission.received_at
            })
            .and_then(|e| e.evidence_url.clone())
    });
    let mut photos: Vec<TimelinePhoto> = original.into_iter().collect();
    photos.extend(township.map(|url| TimelinePhoto {
        url,
        label: Text::new("乡镇整改照片", "the township's photo of the rectification"),
    }));
    photos.extend(submission.photos.iter().map(|p| TimelinePhoto {
        url: p.url.clone(),
        label: p.slot_label.clone(),
    }));
    (tone, Some(detail), photos)
}

/// For each finding of the household raised on a submission: the photo that submission
/// showed under the finding's item (`form::evidence_placement`), the problem as first seen.
pub(crate) fn original_photos(
    conn: &Connection,
    household_id: &str,
) -> Result<std::collections::HashMap<String, TimelinePhoto>, OfficeDbError> {
    let mut stmt = conn.prepare_cached(
        "SELECT f.id, f.item, s.form_id, s.form_version, s.answers_json
         FROM live_findings f JOIN submissions s ON s.id = f.submission_id
         WHERE f.household_id = ?1 AND f.item IS NOT NULL",
    )?;
    let rows = stmt
        .query_map([household_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, u32>(3)?,
                r.get::<_, String>(4)?,
            ))
        })?
        .collect::<anju_sql::Result<Vec<_>>>()?;
    let forms = crate::forms::form_catalog(conn)?;
    let mut out = std::collections::HashMap::new();
    for (finding, item, form_id, version, answers) in rows {
        let Some(form) = forms.get(&form_id, version) else {
            continue;
        };
        let Ok(answers) = serde_json::from_str::<anju_core::form::FormAnswers>(&answers) else {
            continue;
        };
        if let Some(sha) = anju_core::form::first_evidence_photo(form, &answers, &item) {
            out.insert(
                finding,
                TimelinePhoto {
                    url: super::blob_url(&sha),
                    label: Text::new("原问题照片", "the problem as first photographed"),
                },
            );
        }
    }
    Ok(out)
}

fn visit_entry(submission: &SubmissionView, visit: Option<&OldHouseVisit>) -> TimelineEntry {
    let kind = submission.kind;
    let (tone, detail) = match visit {
        Some(v) => {
            let label = v.step.label();
            let returned = submission
                .review
                .as_ref()
                .is_some_and(|r| r.decision == ReviewVerdict::Returned);
            match v.outcome.as_str() {
                "recorded" if returned => (
                    TimelineTone::Bad,
                    Some(Text {
                        zh: format!("已退回，{}不再据此计入", label.zh),
                        en: format!("returned: the {} no longer counts from it", label.en),
                    }),
                ),
                "recorded" => (
                    TimelineTone::Good,
                    Some(Text {
                        zh: format!("据此记录{}：{}", label.zh, v.visited_on),
                        en: format!("the {} is recorded on {}", label.en, v.visited_on),
                    }),
                ),
                "not_confirmed" => (
                    TimelineTone::Warning,
                    Some(Text {
                        zh: format!("核实未确认{}", label.zh),
                        en: format!("the check did not confirm the {}", label.en),
                    }),
                ),
                _ => (
                    TimelineTone::Warning,
                    v.reason.clone().map(|r| Text {
                        zh: format!("未据此记录：{}", r.zh),
                        en: format!("not recorded from it: {}", r.en),
                    }),
                ),
            }
        }
        None => {
            let over = submission.judgement.as_ref().is_some_and(|j| j.over_cap);
            let area = submission.area.as_ref().map(|a| Text {
                zh: format!("建筑面积{}平方米", a.built_area_m2),
                en: format!("built area {} m²", a.built_area_m2),
            });
            let tone = match submission.township_verdict {
                _ if over => TimelineTone::Bad,
                Some(TownshipVerdict::Pass) => TimelineTone::Good,
                Some(TownshipVerdict::Rectify) => TimelineTone::Warning,
                None => TimelineTone::Neutral,
            };
            let detail = match (submission.township_verdict, area) {
                (Some(verdict), area) => Some(Text {
                    zh: area.as_ref().map_or_else(
                        || format!("初验结论：{}", verdict.label_zh()),
                        |a| format!("初验结论：{}；{}", verdict.label_zh(), a.zh),
                    ),
                    en: area.as_ref().map_or_else(
                        || format!("verdict: {}", verdict.label_en()),
                        |a| format!("verdict: {}; {}", verdict.label_en(), a.en),
                    ),
                }),
                (None, area) => area,
            };
            (tone, detail)
        }
    };
    let title = if submission.form_version > 1 {
        Text {
            zh: format!("{}（第{}版表单）", kind.label_zh(), submission.form_version),
            en: format!(
                "{} (form version {})",
                kind.label_en(),
                submission.form_version
            ),
        }
    } else {
        Text::new(kind.label_zh(), kind.label_en())
    };
    let mut detail = detail;
    if let Some(note) = submission.location_notes.first() {
        detail = Some(match detail {
            Some(d) => Text {
                zh: format!("{}；{}", d.zh, note.zh),
                en: format!("{}; {}", d.en, note.en),
            },
            None => note.clone(),
        });
    }
    TimelineEntry {
        at: submission.trusted_time.unwrap_or(submission.device_time),
        kind: TimelineKind::Visit,
        tone,
        title,
        detail,
        by: Some(submission.inspector_display.clone()),
        submission_id: Some(submission.id.clone()),
        finding_id: None,
        photos: visit_photos(submission),
    }
}

fn review_entry(submission: &SubmissionView) -> Option<TimelineEntry> {
    let review = submission.review.as_ref()?;
    let kind = submission.kind;
    let (tone, zh, en) = match review.decision {
        ReviewVerdict::Approved => (TimelineTone::Good, "审核通过", "approved"),
        ReviewVerdict::Returned => (TimelineTone::Bad, "退回", "returned"),
    };
    Some(TimelineEntry {
        at: review.at,
        kind: TimelineKind::Review,
        tone,
        title: Text {
            zh: format!("{}{zh}", kind.label_zh()),
            en: format!("{} {en}", kind.label_en()),
        },
        detail: review.note.as_ref().map(|n| Text::new(n, n)),
        by: Some(review.by_display.clone()),
        submission_id: Some(submission.id.clone()),
        finding_id: None,
        photos: Vec::new(),
    })
}

fn finding_entries(finding: &FindingRow, evidence_label: &Text) -> Vec<TimelineEntry> {
    let mut out = vec![TimelineEntry {
        at: finding.created_at,
        kind: TimelineKind::Finding,
        tone: if finding.critical {
            TimelineTone::Bad
        } else {
            TimelineTone::Warning
        },
        title: Text {
            zh: format!("发现问题：{}", finding.description),
            en: format!("problem raised: {}", finding.description),
        },
        detail: Some(Text {
            zh: format!("整改期限{}", finding.deadline),
            en: format!("to rectify by {}", finding.deadline),
        }),
        // Who raised it: the inspector, or the office's own checks.
        by: finding.events.first().map(|e| e.by_display.clone()),
        submission_id: None,
        finding_id: Some(finding.id.clone()),
        photos: Vec::new(),
    }];
    for event in &finding.events {
        // The raising itself is the entry above.
        if event.from.is_none() {
            continue;
        }
        let tone = match event.to {
            anju_core::model::FindingState::Closed => TimelineTone::Good,
            anju_core::model::FindingState::Reopened => TimelineTone::Bad,
            _ => TimelineTone::Neutral,
        };
        out.push(TimelineEntry {
            at: event.at,
            kind: TimelineKind::FindingStep,
            tone,
            title: Text {
                zh: format!("问题{}：{}", event.to.label_zh(), finding.description),
                en: format!("problem {}: {}", event.to.code(), finding.description),
            },
            detail: event.note.as_ref().map(|n| Text::new(n, n)),
            by: Some(event.by_display.clone()),
            submission_id: None,
            finding_id: Some(finding.id.clone()),
            photos: event
                .evidence_url
                .iter()
                .map(|url| TimelinePhoto {
                    url: url.clone(),
                    label: evidence_label.clone(),
                })
                .collect(),
        });
    }
    out
}

/// The dates the office holds, each as an entry unless a visit recorded it (the visit's
/// entry says so).
fn milestone_entries(
    moved_in_on: Option<NaiveDate>,
    old: &anju_core::office::OldHouse,
    visits: &[OldHouseVisit],
) -> Vec<TimelineEntry> {
    let by_visit = |step: MilestoneStep, on: NaiveDate| {
        visits
            .iter()
            .any(|v| v.step == step && v.outcome == "recorded" && v.visited_on == on)
    };
    let dates = [
        (
            old.agreement_signed_on,
            None,
            "签订旧房拆除协议",
            "demolition agreement signed",
        ),
        (
            moved_in_on,
            Some(MilestoneStep::MovedIn),
            "入住（办公室录入）",
            "moved in (entered at the office)",
        ),
        (
            old.demolished_on,
            Some(MilestoneStep::Demolished),
            "旧房已拆除（办公室录入）",
            "old house demolished (entered at the office)",
        ),
        (
            old.reclaimed_on,
            Some(MilestoneStep::Reclaimed),
            "宅基地已复垦（办公室录入）",
            "homestead reclaimed (entered at the office)",
        ),
    ];
    dates
        .into_iter()
        .filter_map(|(date, step, zh, en)| {
            let date = date?;
            if step.is_some_and(|s| by_visit(s, date)) {
                return None;
            }
            Some(TimelineEntry {
                at: start_of(date),
                kind: TimelineKind::Milestone,
                tone: TimelineTone::Neutral,
                title: Text::new(zh, en),
                detail: Some(Text::new(&date.to_string(), &date.to_string())),
                by: None,
                submission_id: None,
                finding_id: None,
                photos: Vec::new(),
            })
        })
        .collect()
}

/// The household's timeline, oldest first; entries at the same moment keep the order
/// visit, review, finding, step, milestone.
pub fn timeline(
    submissions: &[SubmissionView],
    findings: &[FindingRow],
    moved_in_on: Option<NaiveDate>,
    old: &anju_core::office::OldHouse,
    visits: &[OldHouseVisit],
    originals: &std::collections::HashMap<String, TimelinePhoto>,
) -> Vec<TimelineEntry> {
    let evidence_label = Text::new("整改照片", "rectification photo");
    let mut entries = Vec::new();
    for submission in submissions {
        let visit = visits.iter().find(|v| v.submission_id == submission.id);
        let mut entry = visit_entry(submission, visit);
        if submission.kind == anju_core::model::SubmissionKind::Recheck {
            let original = submission
                .finding_id
                .as_deref()
                .and_then(|id| originals.get(id))
                .cloned();
            let (tone, detail, photos) = recheck_entry(submission, findings, original);
            entry.tone = tone;
            entry.detail = detail;
            entry.photos = photos;
            entry.finding_id = submission.finding_id.clone();
        }
        entries.push(entry);
        entries.extend(review_entry(submission));
    }
    for finding in findings {
        entries.extend(finding_entries(finding, &evidence_label));
    }
    entries.extend(milestone_entries(moved_in_on, old, visits));
    entries.sort_by_key(|e| (e.at, e.kind as u8));
    entries
}

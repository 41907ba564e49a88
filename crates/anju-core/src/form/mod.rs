//! The acceptance supervision form (验收监督表) as versioned data, the answers a device
//! records against it, and the validation of a filled form.
//!
//! A form is sections of items; each item has a stable key. Answers are keyed by item
//! key, so a later form version can add items without breaking old submissions, and
//! every submission names the form id and version it was filled against.

use std::collections::BTreeMap;
use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::area::{self, HouseMeasurement};
use crate::hash::{HashError, content_sha256, is_sha256_hex};
use crate::model::{Department, SignatureMeta};
use crate::policy::{PolicyContext, PolicyTable};

mod builtin;
mod catalog;
mod condition;
mod construction;
mod definition;
mod diff;
mod evidence;
mod inspection;
mod move_in;
mod old_house;
mod parts;
#[cfg(test)]
mod published_tests;
mod recheck;
mod sample;
#[cfg(test)]
mod tests;

pub use builtin::{acceptance_form_v1, form_by_id, spot_check_form_v1};
pub use catalog::FormCatalog;
pub use condition::{Condition, MAX_CONDITION_DEPTH, MAX_CONDITION_TERMS, Placement};
pub use construction::{
    GROUNDBREAKING_STARTED_ITEM, LAYOUT_PHOTOS, PROGRESS_PHOTOS, PROGRESS_STAGE_ITEM,
    groundbreaking_form_v1, progress_form_v1,
};
pub use definition::{
    AREA_ITEM, DefinitionProblem, FormFileError, MAX_FORM_FILE_BYTES, MAX_ITEMS, MAX_SECTIONS,
    PUBLISHABLE_FORMS, parse_form_file,
};
pub use diff::{ChangeKind, FormChange, diff, kind_text};
pub use evidence::{EvidencePlacement, evidence_placement, first_evidence_photo};
pub use inspection::{
    AREA_INSPECTION_PHOTOS, TOWNSHIP_PHOTOS, TOWNSHIP_VERDICT_ITEM, TownshipVerdict,
    area_inspection_form_v1, township_check_form_v1, township_verdict,
};
pub use move_in::{MOVE_IN_PHOTOS, MOVED_IN_ITEM, move_in_form_v1};
pub use old_house::{
    AFTER_PHOTOS, BEFORE_PHOTOS, DEMOLISHED_ITEM, RECLAIMED_ITEM, demolition_form_v1,
    reclamation_form_v1,
};
pub use parts::{LEAD_DEPARTMENT, PartError, check_merged, item_part, merge_parts};
pub use recheck::{RECHECK_PHOTOS, RECTIFIED_ITEM, recheck_form_v1};
pub use sample::acceptance_form_v2_sample;

pub const ACCEPTANCE_FORM_ID: &str = "anju.acceptance";
pub const SPOT_CHECK_FORM_ID: &str = "anju.spot_check";
pub const DEMOLITION_FORM_ID: &str = "anju.demolition";
pub const RECLAMATION_FORM_ID: &str = "anju.reclamation";
pub const RECHECK_FORM_ID: &str = "anju.recheck";
pub const MOVE_IN_FORM_ID: &str = "anju.move_in";
pub const GROUNDBREAKING_FORM_ID: &str = "anju.groundbreaking";
pub const PROGRESS_FORM_ID: &str = "anju.progress";
pub const AREA_INSPECTION_FORM_ID: &str = "anju.area_inspection";
pub const TOWNSHIP_CHECK_FORM_ID: &str = "anju.township_check";
/// The acceptance form's item for the people found on site (实际家庭人口).
pub const PEOPLE_PRESENT_ITEM: &str = "target_people_present";

/// The longest note beside a yes/no answer.
pub const MAX_NOTE_CHARS: usize = 500;
/// Problems one form may list.
pub const MAX_FINDINGS: usize = 50;
/// The longest description of a problem.
pub const MAX_FINDING_CHARS: usize = 500;
/// A problem's deadline is at most this many days after the form's date.
pub const MAX_DEADLINE_DAYS: i64 = 730;
/// Options one choice answer may hold.
pub const MAX_SELECTED: usize = 50;

/// A text in both languages of the product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Text {
    pub zh: String,
    pub en: String,
}

impl Text {
    pub fn new(zh: &str, en: &str) -> Self {
        Self {
            zh: zh.to_string(),
            en: en.to_string(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FormSchema {
    pub id: String,
    pub version: u32,
    pub title: Text,
    pub sections: Vec<Section>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Section {
    pub key: String,
    pub title: Text,
    /// The department whose inspector answers this section, if any.
    pub department: Option<Department>,
    pub items: Vec<Item>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Item {
    pub key: String,
    pub label: Text,
    pub kind: ItemKind,
    pub required: bool,
    pub help: Option<Text>,
    /// Asked only when this holds (XLSForm's `relevant`); absent: always. A hidden item is
    /// not required and carries no answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub relevant: Option<Condition>,
    /// Its problem answer fails the acceptance whatever else is answered (否决项), beside
    /// the critical items of the district's policy.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[cfg_attr(feature = "ts", ts(as = "Option<bool>", optional))]
    pub critical: bool,
    /// A photo item shown under the item it proves (厨房 under 厨房可用) rather than where
    /// it stands in the form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub shown_under: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum YesNo {
    Yes,
    No,
    NotApplicable,
}

impl YesNo {
    pub const ALL: [YesNo; 3] = [Self::Yes, Self::No, Self::NotApplicable];

    /// As the wire and policy files write it.
    pub fn code(self) -> &'static str {
        match self {
            Self::Yes => "yes",
            Self::No => "no",
            Self::NotApplicable => "not_applicable",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.code() == code)
    }

    /// 是 / 否 / 不适用, as a form reads.
    pub fn label(self) -> Text {
        match self {
            Self::Yes => Text::new("是", "yes"),
            Self::No => Text::new("否", "no"),
            Self::NotApplicable => Text::new("不适用", "not applicable"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChoiceOption {
    pub key: String,
    pub label: Text,
}

/// Who signs a signature slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "role", content = "department", rename_all = "snake_case")]
pub enum SignerRole {
    /// 户主 (or a thumbprint, or a relative on their behalf).
    HouseholdHead,
    /// The inspector of one department.
    Inspector(Department),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ItemKind {
    /// 是 / 否 / 不适用, with a note; `problem_when` marks the answer that is a problem
    /// (a note is then required and the UI proposes a finding).
    YesNo {
        allow_not_applicable: bool,
        problem_when: Option<YesNo>,
    },
    Number {
        unit: Text,
        min: f64,
        max: f64,
        decimals: u8,
    },
    Choice {
        options: Vec<ChoiceOption>,
        multiple: bool,
    },
    Text {
        max_chars: u32,
        multiline: bool,
    },
    Photos {
        min: u32,
        max: u32,
    },
    Signature {
        signer: SignerRole,
    },
    /// The measured parts of the house, assessed by the area engine.
    AreaMeasurement,
    /// Problems to rectify, each with a deadline.
    Findings,
}

/// A problem recorded on the form, to become a [`crate::model::Finding`] when submitted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FindingDraft {
    pub description: String,
    /// The item the problem is about, if any.
    pub item: Option<String>,
    pub deadline: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Answer {
    YesNo { value: YesNo, note: Option<String> },
    Number { value: f64 },
    Choice { selected: Vec<String> },
    Text { value: String },
    Photos { sha256: Vec<String> },
    Signature { signature: SignatureMeta },
    Area { measurement: HouseMeasurement },
    Findings { items: Vec<FindingDraft> },
}

impl Answer {
    fn type_name(&self) -> &'static str {
        match self {
            Self::YesNo { .. } => "yes_no",
            Self::Number { .. } => "number",
            Self::Choice { .. } => "choice",
            Self::Text { .. } => "text",
            Self::Photos { .. } => "photos",
            Self::Signature { .. } => "signature",
            Self::Area { .. } => "area",
            Self::Findings { .. } => "findings",
        }
    }
}

/// The answers of one filled form, keyed by item key.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FormAnswers(pub BTreeMap<String, Answer>);

impl FormAnswers {
    pub fn get(&self, key: &str) -> Option<&Answer> {
        self.0.get(key)
    }

    pub fn set(&mut self, key: impl Into<String>, answer: Answer) {
        self.0.insert(key.into(), answer);
    }

    pub fn remove(&mut self, key: &str) -> Option<Answer> {
        self.0.remove(key)
    }

    /// The measured house, if the form has one.
    pub fn measurement(&self) -> Option<&HouseMeasurement> {
        self.0.values().find_map(|answer| match answer {
            Answer::Area { measurement } => Some(measurement),
            _ => None,
        })
    }

    /// The SHA-256 of everything but the signatures: what a signer confirms. Any change to
    /// an answer changes it, so a signature made before the change no longer matches.
    pub fn signable_sha256(&self) -> Result<String, HashError> {
        let unsigned: BTreeMap<&String, &Answer> = self
            .0
            .iter()
            .filter(|(_, answer)| !matches!(answer, Answer::Signature { .. }))
            .collect();
        content_sha256(&unsigned)
    }

    /// Each signature slot that is signed, with whether it still matches the content.
    pub fn signature_status(&self) -> Result<Vec<(String, bool)>, HashError> {
        let current = self.signable_sha256()?;
        Ok(self
            .0
            .iter()
            .filter_map(|(key, answer)| match answer {
                Answer::Signature { signature } => {
                    Some((key.clone(), signature.signed_content_sha256 == current))
                }
                _ => None,
            })
            .collect())
    }
}

/// What the validation needs to know beyond the answers.
#[derive(Debug, Clone)]
pub struct FormContext {
    pub household_size: u32,
    pub today: NaiveDate,
    pub policy: PolicyTable,
    pub policy_context: PolicyContext,
    /// The version of the district's policy `policy` comes from, recorded with the
    /// submission; `None` on a device that never received one.
    pub policy_version: Option<u32>,
    /// How the household was resettled, which some items depend on; `None` asks them all.
    pub placement: Option<Placement>,
}

/// One thing wrong with a filled form.
#[derive(Debug, Clone, PartialEq)]
pub struct FormIssue {
    pub section: String,
    pub item: String,
    pub item_label: Text,
    pub problem: Problem,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    Missing,
    WrongType {
        expected: &'static str,
        found: &'static str,
    },
    NotApplicableNotAllowed,
    NoteRequired,
    OutOfRange {
        value: f64,
        min: f64,
        max: f64,
    },
    TooManyDecimals {
        decimals: u8,
    },
    NotANumber,
    UnknownOption {
        option: String,
    },
    OneChoiceOnly,
    TextTooLong {
        max: u32,
        length: usize,
    },
    TooFewPhotos {
        min: u32,
        have: usize,
    },
    TooManyPhotos {
        max: u32,
        have: usize,
    },
    BadPhotoHash {
        value: String,
    },
    DuplicatePhoto {
        value: String,
    },
    SignatureStale,
    /// A signature names a team member of another department than its slot's, or a
    /// household head's slot names a team member.
    SignerNotOfSlot,
    SignatureBadImageHash,
    ProxyWithoutName,
    AreaInvalid {
        message: String,
    },
    FindingWithoutDescription {
        index: usize,
    },
    FindingDeadlineInPast {
        index: usize,
        deadline: NaiveDate,
    },
    FindingDeadlineTooFar {
        index: usize,
        deadline: NaiveDate,
    },
    FindingTooLong {
        index: usize,
        length: usize,
    },
    FindingUnknownItem {
        index: usize,
        item: String,
    },
    TooManyFindings {
        count: usize,
    },
    TooManyChoices {
        count: usize,
    },
    UnknownItem,
    /// Answered, though the answers it depends on no longer ask it.
    NotAsked,
}

impl Problem {
    pub fn message_zh(&self) -> String {
        match self {
            Self::Missing => "未填写".into(),
            Self::WrongType { expected, found } => {
                format!("答案类型错误：应为{expected}，实为{found}")
            }
            Self::NotApplicableNotAllowed => "此项不能选“不适用”".into(),
            Self::NoteRequired => "存在问题时须填写说明".into(),
            Self::OutOfRange { value, min, max } => format!("数值{value}超出范围（{min}–{max}）"),
            Self::TooManyDecimals { decimals } => format!("最多{decimals}位小数"),
            Self::NotANumber => "不是有效数字".into(),
            Self::UnknownOption { option } => format!("选项“{option}”不存在"),
            Self::OneChoiceOnly => "只能选一项".into(),
            Self::TextTooLong { max, length } => format!("文字过长：{length}字，最多{max}字"),
            Self::TooFewPhotos { min, have } => format!("照片不足：至少{min}张，现有{have}张"),
            Self::TooManyPhotos { max, have } => format!("照片过多：最多{max}张，现有{have}张"),
            Self::BadPhotoHash { value } => format!("照片标识“{value}”不是有效的SHA-256"),
            Self::DuplicatePhoto { value } => format!("同一张照片重复添加（{value}）"),
            Self::SignatureStale => "签字后表单内容已修改，须重新签字".into(),
            Self::SignerNotOfSlot => "签字人不是此栏所属部门的验收组成员".into(),
            Self::SignatureBadImageHash => "签字图像标识不是有效的SHA-256".into(),
            Self::ProxyWithoutName => "代签须填写代签人姓名及与户主关系".into(),
            Self::AreaInvalid { message } => format!("面积测量有误：{message}"),
            Self::FindingWithoutDescription { index } => format!("第{}个问题未填写描述", index + 1),
            Self::FindingDeadlineInPast { index, deadline } => {
                format!("第{}个问题的整改期限{deadline}早于今天", index + 1)
            }
            Self::FindingDeadlineTooFar { index, deadline } => format!(
                "第{}个问题的整改期限{deadline}超过两年，可能输入有误",
                index + 1
            ),
            Self::FindingTooLong { index, length } => format!(
                "第{}个问题的描述过长：{length}字，最多{MAX_FINDING_CHARS}字",
                index + 1
            ),
            Self::FindingUnknownItem { index, item } => {
                format!("第{}个问题所指的项“{item}”不在表单中", index + 1)
            }
            Self::TooManyFindings { count } => {
                format!("问题过多：{count}个，最多{MAX_FINDINGS}个")
            }
            Self::TooManyChoices { count } => format!("选项过多：{count}个"),
            Self::UnknownItem => "表单中没有此项".into(),
            Self::NotAsked => "按现有回答此项不需填写，请清除".into(),
        }
    }

    pub fn message_en(&self) -> String {
        match self {
            Self::Missing => "not answered".into(),
            Self::WrongType { expected, found } => {
                format!("wrong kind of answer: expected {expected}, found {found}")
            }
            Self::NotApplicableNotAllowed => "'not applicable' is not allowed here".into(),
            Self::NoteRequired => "a note is required when there is a problem".into(),
            Self::OutOfRange { value, min, max } => {
                format!("{value} is outside the range {min}–{max}")
            }
            Self::TooManyDecimals { decimals } => format!("at most {decimals} decimals"),
            Self::NotANumber => "not a valid number".into(),
            Self::UnknownOption { option } => format!("there is no option '{option}'"),
            Self::OneChoiceOnly => "choose one option only".into(),
            Self::TextTooLong { max, length } => {
                format!("text too long: {length} characters, at most {max}")
            }
            Self::TooFewPhotos { min, have } => {
                format!("too few photos: at least {min}, there are {have}")
            }
            Self::TooManyPhotos { max, have } => {
                format!("too many photos: at most {max}, there are {have}")
            }
            Self::BadPhotoHash { value } => format!("photo id '{value}' is not a SHA-256"),
            Self::DuplicatePhoto { value } => format!("the same photo was added twice ({value})"),
            Self::SignatureStale => "the form changed after signing: sign again".into(),
            Self::SignerNotOfSlot => {
                "the signer is not the team member of this slot's department".into()
            }
            Self::SignatureBadImageHash => "the signature image id is not a SHA-256".into(),
            Self::ProxyWithoutName => {
                "a proxy signature needs the signer's name and relation to the head".into()
            }
            Self::AreaInvalid { message } => format!("the area measurement is wrong: {message}"),
            Self::FindingWithoutDescription { index } => {
                format!("problem {} has no description", index + 1)
            }
            Self::FindingDeadlineInPast { index, deadline } => {
                format!(
                    "problem {}: the deadline {deadline} is in the past",
                    index + 1
                )
            }
            Self::FindingDeadlineTooFar { index, deadline } => format!(
                "problem {}: the deadline {deadline} is more than two years away, probably a typo",
                index + 1
            ),
            Self::FindingTooLong { index, length } => format!(
                "problem {}: the description is too long: {length} characters, at most {MAX_FINDING_CHARS}",
                index + 1
            ),
            Self::FindingUnknownItem { index, item } => {
                format!(
                    "problem {}: the item '{item}' is not in the form",
                    index + 1
                )
            }
            Self::TooManyFindings { count } => {
                format!("too many problems: {count}, at most {MAX_FINDINGS}")
            }
            Self::TooManyChoices { count } => format!("too many options chosen: {count}"),
            Self::UnknownItem => "the form has no such item".into(),
            Self::NotAsked => "the other answers no longer ask this item: clear it".into(),
        }
    }
}

impl fmt::Display for FormIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}：{} / {}: {}",
            self.item_label.zh,
            self.problem.message_zh(),
            self.item_label.en,
            self.problem.message_en()
        )
    }
}

/// How far a form is filled: required items answered, per section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SectionProgress {
    pub section: String,
    pub answered: usize,
    pub required: usize,
}

impl FormSchema {
    pub fn item(&self, key: &str) -> Option<(&Section, &Item)> {
        self.sections
            .iter()
            .find_map(|s| s.items.iter().find(|i| i.key == key).map(|i| (s, i)))
    }

    pub fn items(&self) -> impl Iterator<Item = (&Section, &Item)> {
        self.sections
            .iter()
            .flat_map(|s| s.items.iter().map(move |i| (s, i)))
    }

    /// Everything wrong with `answers`, in form order; empty means ready to submit.
    /// Linear in the answers: one look-up per answer in the form's keys.
    pub fn validate(&self, answers: &FormAnswers, ctx: &FormContext) -> Vec<FormIssue> {
        let mut issues = Vec::new();
        let signable = answers.signable_sha256().ok();
        let keys: std::collections::BTreeSet<&str> =
            self.items().map(|(_, item)| item.key.as_str()).collect();
        let shown = self.shown_items(answers, ctx.placement);
        for (section, item) in self.items() {
            let mut report = |problem| {
                issues.push(FormIssue {
                    section: section.key.clone(),
                    item: item.key.clone(),
                    item_label: item.label.clone(),
                    problem,
                })
            };
            let asked = shown.contains(item.key.as_str());
            match answers.get(&item.key) {
                None => {
                    if item.required && asked {
                        report(Problem::Missing);
                    }
                }
                Some(_) if !asked => report(Problem::NotAsked),
                Some(answer) => {
                    for problem in check_answer(item, answer, ctx, signable.as_deref(), &keys) {
                        report(problem);
                    }
                }
            }
        }
        for key in answers.0.keys() {
            if !keys.contains(key.as_str()) {
                // A key of any length may arrive: the message shows its start.
                let shown: String = key.chars().take(40).collect();
                issues.push(FormIssue {
                    section: String::new(),
                    item: shown.clone(),
                    item_label: Text::new(&shown, &shown),
                    problem: Problem::UnknownItem,
                });
            }
        }
        issues
    }

    /// Required items answered, per section, counting only the items asked.
    pub fn progress(
        &self,
        answers: &FormAnswers,
        placement: Option<Placement>,
    ) -> Vec<SectionProgress> {
        let shown = self.shown_items(answers, placement);
        self.sections
            .iter()
            .map(|section| {
                let required: Vec<&Item> = section
                    .items
                    .iter()
                    .filter(|i| i.required && shown.contains(i.key.as_str()))
                    .collect();
                SectionProgress {
                    section: section.key.clone(),
                    answered: required
                        .iter()
                        .filter(|i| answers.get(&i.key).is_some())
                        .count(),
                    required: required.len(),
                }
            })
            .collect()
    }
}

impl FormSchema {
    /// The keys of the critical items (否决项) of this form answered with their problem
    /// answer.
    pub fn critical_failures(&self, answers: &FormAnswers) -> Vec<String> {
        self.items()
            .filter(|(_, item)| item.critical)
            .filter_map(|(_, item)| match (&item.kind, answers.get(&item.key)) {
                (
                    ItemKind::YesNo {
                        problem_when: Some(problem),
                        ..
                    },
                    Some(Answer::YesNo { value, .. }),
                ) if value == problem => Some(item.key.clone()),
                _ => None,
            })
            .collect()
    }
}

fn check_answer(
    item: &Item,
    answer: &Answer,
    ctx: &FormContext,
    signable_sha256: Option<&str>,
    form_keys: &std::collections::BTreeSet<&str>,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    let wrong_type = |expected| Problem::WrongType {
        expected,
        found: answer.type_name(),
    };
    match (&item.kind, answer) {
        (
            ItemKind::YesNo {
                allow_not_applicable,
                problem_when,
            },
            Answer::YesNo { value, note },
        ) => {
            if *value == YesNo::NotApplicable && !allow_not_applicable {
                problems.push(Problem::NotApplicableNotAllowed);
            }
            let has_note = note.as_deref().is_some_and(|n| !n.trim().is_empty());
            if *problem_when == Some(*value) && !has_note {
                problems.push(Problem::NoteRequired);
            }
            let length = note.as_deref().map_or(0, |n| n.chars().count());
            if length > MAX_NOTE_CHARS {
                problems.push(Problem::TextTooLong {
                    max: MAX_NOTE_CHARS as u32,
                    length,
                });
            }
        }
        (
            ItemKind::Number {
                min, max, decimals, ..
            },
            Answer::Number { value },
        ) => {
            if !value.is_finite() {
                problems.push(Problem::NotANumber);
            } else {
                if value < min || value > max {
                    problems.push(Problem::OutOfRange {
                        value: *value,
                        min: *min,
                        max: *max,
                    });
                }
                let scaled = value * 10f64.powi(i32::from(*decimals));
                if (scaled - scaled.round()).abs() > 1e-6 {
                    problems.push(Problem::TooManyDecimals {
                        decimals: *decimals,
                    });
                }
            }
        }
        (ItemKind::Choice { options, multiple }, Answer::Choice { selected }) => {
            if selected.is_empty() && item.required {
                problems.push(Problem::Missing);
            }
            if selected.len() > 1 && !multiple {
                problems.push(Problem::OneChoiceOnly);
            }
            if selected.len() > MAX_SELECTED.max(options.len()) {
                problems.push(Problem::TooManyChoices {
                    count: selected.len(),
                });
                return problems;
            }
            for option in selected {
                if !options.iter().any(|o| &o.key == option) {
                    problems.push(Problem::UnknownOption {
                        option: quoted(option, 40),
                    });
                }
            }
        }
        (ItemKind::Text { max_chars, .. }, Answer::Text { value }) => {
            let length = value.chars().count();
            if value.trim().is_empty() && item.required {
                problems.push(Problem::Missing);
            }
            if length > *max_chars as usize {
                problems.push(Problem::TextTooLong {
                    max: *max_chars,
                    length,
                });
            }
        }
        (ItemKind::Photos { min, max }, Answer::Photos { sha256 }) => {
            let mut seen = std::collections::BTreeSet::new();
            for value in sha256 {
                if !is_sha256_hex(value) {
                    problems.push(Problem::BadPhotoHash {
                        value: quoted(value, 70),
                    });
                } else if !seen.insert(value) {
                    problems.push(Problem::DuplicatePhoto {
                        value: quoted(value, 70),
                    });
                }
            }
            if sha256.len() < *min as usize {
                problems.push(Problem::TooFewPhotos {
                    min: *min,
                    have: sha256.len(),
                });
            }
            if sha256.len() > *max as usize {
                problems.push(Problem::TooManyPhotos {
                    max: *max,
                    have: sha256.len(),
                });
            }
        }
        (ItemKind::Signature { signer }, Answer::Signature { signature }) => {
            let of_slot = match (signer, &signature.signer) {
                (_, None) => true,
                (SignerRole::Inspector(department), Some(identity)) => {
                    identity.department == *department
                        && matches!(signature.method, crate::model::SignatureMethod::Handwritten)
                }
                (SignerRole::HouseholdHead, Some(_)) => false,
            };
            if !of_slot {
                problems.push(Problem::SignerNotOfSlot);
            }
            if !is_sha256_hex(&signature.image_sha256) {
                problems.push(Problem::SignatureBadImageHash);
            }
            if let crate::model::SignatureMethod::Proxy {
                signer_name,
                relation,
            } = &signature.method
                && (signer_name.trim().is_empty() || relation.trim().is_empty())
            {
                problems.push(Problem::ProxyWithoutName);
            }
            if signable_sha256 != Some(signature.signed_content_sha256.as_str()) {
                problems.push(Problem::SignatureStale);
            }
        }
        (ItemKind::AreaMeasurement, Answer::Area { measurement }) => {
            if let Err(error) = area::assess(
                measurement,
                ctx.household_size,
                &ctx.policy,
                &ctx.policy_context,
            ) {
                problems.push(Problem::AreaInvalid {
                    message: error.to_string(),
                });
            }
        }
        (ItemKind::Findings, Answer::Findings { items }) => {
            if items.len() > MAX_FINDINGS {
                problems.push(Problem::TooManyFindings { count: items.len() });
                return problems;
            }
            for (index, finding) in items.iter().enumerate() {
                let length = finding.description.chars().count();
                if finding.description.trim().is_empty() {
                    problems.push(Problem::FindingWithoutDescription { index });
                } else if length > MAX_FINDING_CHARS {
                    problems.push(Problem::FindingTooLong { index, length });
                }
                if finding.deadline < ctx.today {
                    problems.push(Problem::FindingDeadlineInPast {
                        index,
                        deadline: finding.deadline,
                    });
                } else if (finding.deadline - ctx.today).num_days() > MAX_DEADLINE_DAYS {
                    problems.push(Problem::FindingDeadlineTooFar {
                        index,
                        deadline: finding.deadline,
                    });
                }
                if let Some(item) = &finding.item
                    && !form_keys.contains(item.as_str())
                {
                    problems.push(Problem::FindingUnknownItem {
                        index,
                        item: quoted(item, 40),
                    });
                }
            }
        }
        (ItemKind::YesNo { .. }, _) => problems.push(wrong_type("yes_no")),
        (ItemKind::Number { .. }, _) => problems.push(wrong_type("number")),
        (ItemKind::Choice { .. }, _) => problems.push(wrong_type("choice")),
        (ItemKind::Text { .. }, _) => problems.push(wrong_type("text")),
        (ItemKind::Photos { .. }, _) => problems.push(wrong_type("photos")),
        (ItemKind::Signature { .. }, _) => problems.push(wrong_type("signature")),
        (ItemKind::AreaMeasurement, _) => problems.push(wrong_type("area")),
        (ItemKind::Findings, _) => problems.push(wrong_type("findings")),
    }
    problems
}

/// A value from a device as a message quotes it: at most `max` characters, then `…`, so
/// that a hostile value cannot make a message (and every answer carrying it) huge.
fn quoted(value: &str, max: usize) -> String {
    let mut shown: String = value.chars().take(max).collect();
    if value.chars().nth(max).is_some() {
        shown.push('…');
    }
    shown
}

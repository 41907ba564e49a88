//! A form definition the district publishes: parsed from a file, checked whole before any
//! device sees it, every problem named with where it is.
//!
//! The bounds keep what a file can make a device or the office do small: a form of at
//! most [`MAX_ITEMS`] items, conditions of at most [`super::MAX_CONDITION_TERMS`] terms
//! naming only earlier items, so showing a form is linear in its size.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use super::condition::{MAX_CONDITION_DEPTH, MAX_CONDITION_TERMS, Reference};
use super::{
    ACCEPTANCE_FORM_ID, AFTER_PHOTOS, BEFORE_PHOTOS, DEMOLISHED_ITEM, DEMOLITION_FORM_ID,
    FormSchema, Item, ItemKind, MOVE_IN_FORM_ID, MOVE_IN_PHOTOS, MOVED_IN_ITEM,
    PEOPLE_PRESENT_ITEM, RECHECK_FORM_ID, RECHECK_PHOTOS, RECLAIMED_ITEM, RECLAMATION_FORM_ID,
    RECTIFIED_ITEM, SPOT_CHECK_FORM_ID, SignerRole, Text,
};

/// The largest form file the office reads.
pub const MAX_FORM_FILE_BYTES: usize = 512 * 1024;
pub const MAX_SECTIONS: usize = 40;
pub const MAX_ITEMS: usize = 400;
pub const MAX_OPTIONS: usize = 50;
pub const MAX_LABEL_CHARS: usize = 200;
pub const MAX_HELP_CHARS: usize = 1000;
pub const MAX_TEXT_ITEM_CHARS: u32 = 5000;
pub const MAX_PHOTOS_PER_ITEM: u32 = 20;
pub const MAX_DECIMALS: u8 = 4;
/// The item of the acceptance form and the spot check the area engine reads.
pub const AREA_ITEM: &str = "area_measurement";

/// The forms a district may publish versions of, with what each must keep.
pub const PUBLISHABLE_FORMS: [&str; 10] = [
    ACCEPTANCE_FORM_ID,
    SPOT_CHECK_FORM_ID,
    DEMOLITION_FORM_ID,
    RECLAMATION_FORM_ID,
    RECHECK_FORM_ID,
    MOVE_IN_FORM_ID,
    super::GROUNDBREAKING_FORM_ID,
    super::PROGRESS_FORM_ID,
    super::AREA_INSPECTION_FORM_ID,
    super::TOWNSHIP_CHECK_FORM_ID,
];

/// One thing wrong with a definition, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefinitionProblem {
    /// `sections[2].items[4].kind.options`, or the key path a reader can find.
    pub at: String,
    pub zh: String,
    pub en: String,
}

impl fmt::Display for DefinitionProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}：{} / {}", self.at, self.zh, self.en)
    }
}

/// Why a form file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormFileError {
    #[error(
        "表单文件过大：{bytes}字节，最多{max}字节 / the form file is too large: {bytes} bytes, at most {max}"
    )]
    TooLarge { bytes: usize, max: usize },
    #[error(
        "表单文件不是有效的表单JSON（第{line}行第{column}列）：{message} / not a form definition (line {line}, column {column}): {message}"
    )]
    NotAForm {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("表单定义有{}处问题 / the form definition has {} problems: {}", .0.len(), .0.len(), first(.0))]
    Invalid(Vec<DefinitionProblem>),
}

fn first(problems: &[DefinitionProblem]) -> String {
    problems
        .iter()
        .take(3)
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// Parse and check a form file (the JSON of a [`FormSchema`]).
pub fn parse_form_file(bytes: &[u8]) -> Result<FormSchema, FormFileError> {
    if bytes.len() > MAX_FORM_FILE_BYTES {
        return Err(FormFileError::TooLarge {
            bytes: bytes.len(),
            max: MAX_FORM_FILE_BYTES,
        });
    }
    let form: FormSchema = serde_json::from_slice(bytes).map_err(|e| FormFileError::NotAForm {
        line: e.line(),
        column: e.column(),
        // serde's message quotes the input; keep it short.
        message: e.to_string().chars().take(200).collect(),
    })?;
    let problems = form.definition_problems();
    if problems.is_empty() {
        Ok(form)
    } else {
        Err(FormFileError::Invalid(problems))
    }
}

fn is_key(key: &str) -> bool {
    let mut chars = key.chars();
    key.len() <= 64
        && chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

struct Problems(Vec<DefinitionProblem>);

impl Problems {
    fn add(&mut self, at: impl Into<String>, zh: impl Into<String>, en: impl Into<String>) {
        // A hostile file could name a million problems; a hundred say enough.
        if self.0.len() < 100 {
            self.0.push(DefinitionProblem {
                at: at.into(),
                zh: zh.into(),
                en: en.into(),
            });
        }
    }

    fn text(&mut self, at: &str, text: &Text, max: usize, required: bool) {
        for (lang, value) in [("zh", &text.zh), ("en", &text.en)] {
            let length = value.chars().count();
            if required && value.trim().is_empty() {
                self.add(format!("{at}.{lang}"), "不能为空", "must not be empty");
            } else if length > max {
                self.add(
                    format!("{at}.{lang}"),
                    format!("过长：{length}字，最多{max}字"),
                    format!("too long: {length} characters, at most {max}"),
                );
            }
        }
    }
}

impl FormSchema {
    /// Everything wrong with this definition as a form of its id; empty means it can be
    /// published. Linear in the size of the form.
    pub fn definition_problems(&self) -> Vec<DefinitionProblem> {
        let mut p = Problems(Vec::new());
        if !PUBLISHABLE_FORMS.contains(&self.id.as_str()) {
            let shown: String = self.id.chars().take(40).collect();
            p.add(
                "id",
                format!(
                    "未知表单“{shown}”，可发布：{}",
                    PUBLISHABLE_FORMS.join("、")
                ),
                format!(
                    "unknown form '{shown}'; forms: {}",
                    PUBLISHABLE_FORMS.join(", ")
                ),
            );
        }
        if self.version == 0 {
            p.add("version", "版本号从1开始", "versions start at 1");
        }
        p.text("title", &self.title, MAX_LABEL_CHARS, true);
        if self.sections.is_empty() || self.sections.len() > MAX_SECTIONS {
            p.add(
                "sections",
                format!("须有1至{MAX_SECTIONS}节，现有{}节", self.sections.len()),
                format!(
                    "1 to {MAX_SECTIONS} sections, there are {}",
                    self.sections.len()
                ),
            );
            return p.0;
        }
        let total: usize = self.sections.iter().map(|s| s.items.len()).sum();
        if total > MAX_ITEMS {
            p.add(
                "sections",
                format!("项目过多：{total}项，最多{MAX_ITEMS}项"),
                format!("too many items: {total}, at most {MAX_ITEMS}"),
            );
            return p.0;
        }
        let mut section_keys = BTreeSet::new();
        // Items seen so far, by key: a condition may read only these.
        let mut earlier: BTreeMap<&str, &Item> = BTreeMap::new();
        for (s, section) in self.sections.iter().enumerate() {
            let at = format!("sections[{s}]");
            if !is_key(&section.key) {
                p.add(
                    format!("{at}.key"),
                    "键须为小写字母开头的小写字母、数字或下划线（最多64个）",
                    "a key is a lowercase letter, then lowercase letters, digits or _ (at most 64)",
                );
            } else if !section_keys.insert(section.key.as_str()) {
                p.add(
                    format!("{at}.key"),
                    format!("节“{}”重复", section.key),
                    format!("section '{}' appears twice", section.key),
                );
            }
            p.text(
                &format!("{at}.title"),
                &section.title,
                MAX_LABEL_CHARS,
                true,
            );
            for (i, item) in section.items.iter().enumerate() {
                let at = format!("{at}.items[{i}]（{}）", short(&item.key));
                self.check_item(&mut p, &at, item, &earlier);
                if is_key(&item.key) && earlier.insert(item.key.as_str(), item).is_some() {
                    p.add(
                        format!("{at}.key"),
                        "项目键重复",
                        "the item key appears twice",
                    );
                }
            }
        }
        self.check_kind(&mut p);
        p.0
    }

    fn check_item(&self, p: &mut Problems, at: &str, item: &Item, earlier: &BTreeMap<&str, &Item>) {
        if !is_key(&item.key) {
            p.add(
                format!("{at}.key"),
                "键须为小写字母开头的小写字母、数字或下划线（最多64个）",
                "a key is a lowercase letter, then lowercase letters, digits or _ (at most 64)",
            );
        }
        p.text(&format!("{at}.label"), &item.label, MAX_LABEL_CHARS, true);
        if let Some(help) = &item.help {
            p.text(&format!("{at}.help"), help, MAX_HELP_CHARS, false);
        }
        match &item.kind {
            ItemKind::YesNo { problem_when, .. } => {
                if item.critical && problem_when.is_none() {
                    p.add(
                        format!("{at}.critical"),
                        "否决项须注明哪个答案是问题（problem_when）",
                        "a critical item needs the answer that is a problem (problem_when)",
                    );
                }
            }
            ItemKind::Number {
                unit,
                min,
                max,
                decimals,
            } => {
                p.text(&format!("{at}.kind.unit"), unit, 20, false);
                if !min.is_finite() || !max.is_finite() || min > max {
                    p.add(
                        format!("{at}.kind"),
                        "范围无效：须 min ≤ max",
                        "invalid range: min ≤ max",
                    );
                }
                if *decimals > MAX_DECIMALS {
                    p.add(
                        format!("{at}.kind.decimals"),
                        format!("小数位最多{MAX_DECIMALS}位"),
                        format!("at most {MAX_DECIMALS} decimals"),
                    );
                }
            }
            ItemKind::Choice { options, .. } => {
                if options.is_empty() || options.len() > MAX_OPTIONS {
                    p.add(
                        format!("{at}.kind.options"),
                        format!("须有1至{MAX_OPTIONS}个选项"),
                        format!("1 to {MAX_OPTIONS} options"),
                    );
                }
                let mut keys = BTreeSet::new();
                for (o, option) in options.iter().take(MAX_OPTIONS).enumerate() {
                    if !is_key(&option.key)
                        && !option.key.chars().all(|c| c.is_ascii_alphanumeric())
                    {
                        p.add(
                            format!("{at}.kind.options[{o}].key"),
                            "选项键无效",
                            "invalid option key",
                        );
                    } else if !keys.insert(option.key.as_str()) {
                        p.add(
                            format!("{at}.kind.options[{o}].key"),
                            "选项键重复",
                            "the option key appears twice",
                        );
                    }
                    p.text(
                        &format!("{at}.kind.options[{o}].label"),
                        &option.label,
                        MAX_LABEL_CHARS,
                        true,
                    );
                }
            }
            ItemKind::Text { max_chars, .. } => {
                if *max_chars == 0 || *max_chars > MAX_TEXT_ITEM_CHARS {
                    p.add(
                        format!("{at}.kind.max_chars"),
                        format!("字数上限须在1至{MAX_TEXT_ITEM_CHARS}之间"),
                        format!("max_chars from 1 to {MAX_TEXT_ITEM_CHARS}"),
                    );
                }
            }
            ItemKind::Photos { min, max } => {
                if *max == 0 || *max > MAX_PHOTOS_PER_ITEM || min > max {
                    p.add(
                        format!("{at}.kind"),
                        format!("照片数须 0 ≤ min ≤ max ≤ {MAX_PHOTOS_PER_ITEM}，且 max ≥ 1"),
                        format!("photos: 0 ≤ min ≤ max ≤ {MAX_PHOTOS_PER_ITEM}, max ≥ 1"),
                    );
                }
                if let Some(under) = &item.shown_under {
                    match earlier.get(under.as_str()) {
                        Some(proved) if !matches!(proved.kind, ItemKind::Photos { .. }) => {}
                        _ => p.add(
                            format!("{at}.shown_under"),
                            format!("“{}”须是本项之前的非照片项目", short(under)),
                            format!(
                                "'{}' must be an earlier item that is not a photo item",
                                short(under)
                            ),
                        ),
                    }
                }
            }
            ItemKind::Signature { .. } => {
                if item.relevant.is_some() {
                    p.add(
                        format!("{at}.relevant"),
                        "签字项不能设显示条件",
                        "a signature is always asked",
                    );
                }
            }
            ItemKind::AreaMeasurement | ItemKind::Findings => {}
        }
        if item.critical && !matches!(item.kind, ItemKind::YesNo { .. }) {
            p.add(
                format!("{at}.critical"),
                "只有是否项可设为否决项",
                "only a yes/no item can be critical",
            );
        }
        if item.shown_under.is_some() && !matches!(item.kind, ItemKind::Photos { .. }) {
            p.add(
                format!("{at}.shown_under"),
                "只有照片项可放在其他项目下",
                "only a photo item is shown under another",
            );
        }
        if let Some(condition) = &item.relevant {
            let (terms, depth) = condition.size();
            if terms > MAX_CONDITION_TERMS || depth > MAX_CONDITION_DEPTH {
                p.add(
                    format!("{at}.relevant"),
                    format!("条件过于复杂：最多{MAX_CONDITION_TERMS}项、{MAX_CONDITION_DEPTH}层"),
                    format!("condition too complex: at most {MAX_CONDITION_TERMS} terms, {MAX_CONDITION_DEPTH} levels"),
                );
                return;
            }
            for (key, needs) in condition.references() {
                let Some(read) = earlier.get(key) else {
                    p.add(
                        format!("{at}.relevant"),
                        format!("条件引用的“{}”不是本项之前的项目", short(key)),
                        format!(
                            "the condition reads '{}', which is not an earlier item",
                            short(key)
                        ),
                    );
                    continue;
                };
                match (needs, &read.kind) {
                    (Reference::YesNo, ItemKind::YesNo { .. }) => {}
                    (Reference::Choice(option), ItemKind::Choice { options, .. }) => {
                        if !options.iter().any(|o| o.key == option) {
                            p.add(
                                format!("{at}.relevant"),
                                format!("“{}”没有选项“{}”", short(key), short(option)),
                                format!("'{}' has no option '{}'", short(key), short(option)),
                            );
                        }
                    }
                    _ => p.add(
                        format!("{at}.relevant"),
                        format!("条件对“{}”的判断与其类型不符", short(key)),
                        format!("the condition does not fit the kind of '{}'", short(key)),
                    ),
                }
            }
        }
    }

    /// What the office's rules read of each publishable form: they must stay, always asked.
    fn check_kind(&self, p: &mut Problems) {
        let always = |key: &str, fits: &dyn Fn(&ItemKind) -> bool| {
            self.item(key)
                .is_some_and(|(_, i)| fits(&i.kind) && i.relevant.is_none() && i.required)
        };
        let mut need = |ok: bool, zh: &str, en: &str| {
            if !ok {
                p.add("sections", zh.to_string(), en.to_string());
            }
        };
        match self.id.as_str() {
            ACCEPTANCE_FORM_ID => {
                need(
                    always(AREA_ITEM, &|k| matches!(k, ItemKind::AreaMeasurement)),
                    "验收表须有必填的面积测量项 area_measurement",
                    "the acceptance form needs a required area_measurement item",
                );
                need(
                    always(PEOPLE_PRESENT_ITEM, &|k| {
                        matches!(k, ItemKind::Number { .. })
                    }),
                    "验收表须有必填的实际家庭人口项 target_people_present",
                    "the acceptance form needs a required target_people_present number",
                );
                need(
                    self.items().any(|(_, i)| {
                        matches!(
                            i.kind,
                            ItemKind::Signature {
                                signer: SignerRole::HouseholdHead
                            }
                        ) && i.required
                    }),
                    "验收表须有必填的户主签字",
                    "the acceptance form needs the household head's signature",
                );
            }
            SPOT_CHECK_FORM_ID => {
                need(
                    always(AREA_ITEM, &|k| matches!(k, ItemKind::AreaMeasurement)),
                    "抽查表须有必填的面积测量项 area_measurement",
                    "the spot check needs a required area_measurement item",
                );
            }
            MOVE_IN_FORM_ID => {
                need(
                    always(MOVED_IN_ITEM, &|k| matches!(k, ItemKind::YesNo { .. })),
                    "入住核实表须有必填的是/否项 moved_in（已实际入住）",
                    "the move-in check needs a required yes/no item moved_in",
                );
                need(
                    always(
                        MOVE_IN_PHOTOS,
                        &|k| matches!(k, ItemKind::Photos { min, .. } if *min >= 1),
                    ),
                    "入住核实表须有至少一张的必填照片项 photo_living",
                    "the move-in check needs a required photo item photo_living of at least one photo",
                );
            }
            super::GROUNDBREAKING_FORM_ID => {
                need(
                    always(super::GROUNDBREAKING_STARTED_ITEM, &|k| {
                        matches!(k, ItemKind::YesNo { .. })
                    }),
                    "开工放线核查表须有必填的是/否项 construction_started（已开工）",
                    "the groundbreaking check needs a required yes/no item construction_started",
                );
                need(
                    always(
                        super::LAYOUT_PHOTOS,
                        &|k| matches!(k, ItemKind::Photos { min, .. } if *min >= 1),
                    ),
                    "开工放线核查表须有至少一张的必填照片项 photo_layout",
                    "the groundbreaking check needs a required photo item photo_layout of at least one photo",
                );
            }
            super::PROGRESS_FORM_ID => {
                need(
                    always(super::PROGRESS_STAGE_ITEM, &|k| {
                        matches!(k, ItemKind::Choice { options, multiple: false }
                            if crate::construction::ConstructionStage::ALL
                                .iter()
                                .all(|s| options.iter().any(|o| o.key == s.code())))
                    }),
                    "建设进度检查表须有必填的单选项 construction_stage，含全部进度阶段",
                    "the progress check needs a required single choice construction_stage with every stage",
                );
                need(
                    always(
                        super::PROGRESS_PHOTOS,
                        &|k| matches!(k, ItemKind::Photos { min, .. } if *min >= 1),
                    ),
                    "建设进度检查表须有至少一张的必填照片项 photo_progress",
                    "the progress check needs a required photo item photo_progress of at least one photo",
                );
            }
            super::AREA_INSPECTION_FORM_ID => {
                need(
                    always(AREA_ITEM, &|k| matches!(k, ItemKind::AreaMeasurement)),
                    "面积丈量督查表须有必填的面积测量项 area_measurement",
                    "the area inspection needs a required area_measurement item",
                );
                need(
                    always(
                        super::AREA_INSPECTION_PHOTOS,
                        &|k| matches!(k, ItemKind::Photos { min, .. } if *min >= 1),
                    ),
                    "面积丈量督查表须有至少一张的必填照片项 photo_measuring",
                    "the area inspection needs a required photo item photo_measuring of at least one photo",
                );
            }
            super::TOWNSHIP_CHECK_FORM_ID => {
                need(
                    always(super::TOWNSHIP_VERDICT_ITEM, &|k| {
                        matches!(k, ItemKind::Choice { options, multiple: false }
                            if [super::TownshipVerdict::Pass, super::TownshipVerdict::Rectify]
                                .iter()
                                .all(|v| options.iter().any(|o| o.key == v.code())))
                    }),
                    "乡镇初验表须有必填的单选项 township_verdict，含 pass 与 rectify",
                    "the township check needs a required single choice township_verdict with pass and rectify",
                );
                need(
                    always(AREA_ITEM, &|k| matches!(k, ItemKind::AreaMeasurement)),
                    "乡镇初验表须有必填的面积测量项 area_measurement",
                    "the township check needs a required area_measurement item",
                );
                need(
                    always(
                        super::TOWNSHIP_PHOTOS,
                        &|k| matches!(k, ItemKind::Photos { min, .. } if *min >= 1),
                    ),
                    "乡镇初验表须有至少一张的必填照片项 photo_front",
                    "the township check needs a required photo item photo_front of at least one photo",
                );
            }
            RECHECK_FORM_ID => {
                need(
                    always(RECTIFIED_ITEM, &|k| matches!(k, ItemKind::YesNo { .. })),
                    "复查表须有必填的是/否项 rectified_on_site（整改已到位）",
                    "the re-check needs a required yes/no item rectified_on_site",
                );
                need(
                    always(
                        RECHECK_PHOTOS,
                        &|k| matches!(k, ItemKind::Photos { min, .. } if *min >= 1),
                    ),
                    "复查表须有至少一张的必填照片项 photo_recheck",
                    "the re-check needs a required photo item photo_recheck of at least one photo",
                );
            }
            DEMOLITION_FORM_ID | RECLAMATION_FORM_ID => {
                let (milestone, zh) = if self.id == DEMOLITION_FORM_ID {
                    (DEMOLISHED_ITEM, "旧房已拆除")
                } else {
                    (RECLAIMED_ITEM, "宅基地已复垦")
                };
                need(
                    always(milestone, &|k| matches!(k, ItemKind::YesNo { .. })),
                    &format!("核实表须有必填的是/否项 {milestone}（{zh}）"),
                    &format!("the check needs a required yes/no item {milestone}"),
                );
                for photos in [BEFORE_PHOTOS, AFTER_PHOTOS] {
                    need(
                        always(
                            photos,
                            &|k| matches!(k, ItemKind::Photos { min, .. } if *min >= 1),
                        ),
                        &format!("核实表须有至少一张的必填照片项 {photos}（前后同一位置）"),
                        &format!(
                            "the check needs a required photo item {photos} of at least one photo (before and after, same spot)"
                        ),
                    );
                }
            }
            _ => {}
        }
        let findings = self
            .items()
            .filter(|(_, i)| matches!(i.kind, ItemKind::Findings))
            .count();
        let areas = self
            .items()
            .filter(|(_, i)| matches!(i.kind, ItemKind::AreaMeasurement))
            .count();
        if findings > 1 || areas > 1 {
            p.add(
                "sections",
                "问题清单和面积测量各最多一项",
                "at most one findings item and one area measurement",
            );
        }
    }
}

fn short(value: &str) -> String {
    let mut shown: String = value.chars().take(40).collect();
    if value.chars().nth(40).is_some() {
        shown.push('…');
    }
    shown
}

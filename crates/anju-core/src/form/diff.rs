//! What changed between two versions of a form, item by item, in words the district reads
//! before it publishes: added, removed, moved, and each changed property.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{FormSchema, Item, ItemKind, Section, Text};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Added,
    Removed,
    Changed,
    Moved,
}

/// One difference: a section or an item, and what about it changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FormChange {
    pub change: ChangeKind,
    /// The section it is in (in the new version, or the old for a removal).
    pub section: String,
    /// The item's key; `None` for a change of the section itself or of the title.
    pub item: Option<String>,
    pub label: Text,
    /// What changed, one line each (标签、必填、条件…).
    pub details: Vec<Text>,
}

/// The changes from `old` to `new`, in the new form's order, removals last. Linear in the
/// two forms' sizes.
pub fn diff(old: &FormSchema, new: &FormSchema) -> Vec<FormChange> {
    let mut changes = Vec::new();
    if old.title != new.title {
        changes.push(FormChange {
            change: ChangeKind::Changed,
            section: String::new(),
            item: None,
            label: new.title.clone(),
            details: vec![was("标题", "title", &old.title.zh, &new.title.zh)],
        });
    }
    let old_sections: BTreeMap<&str, &Section> =
        old.sections.iter().map(|s| (s.key.as_str(), s)).collect();
    let old_items: BTreeMap<&str, (&Section, &Item)> =
        old.items().map(|(s, i)| (i.key.as_str(), (s, i))).collect();
    for section in &new.sections {
        match old_sections.get(section.key.as_str()) {
            None => changes.push(FormChange {
                change: ChangeKind::Added,
                section: section.key.clone(),
                item: None,
                label: section.title.clone(),
                details: Vec::new(),
            }),
            Some(before) => {
                let mut details = Vec::new();
                if before.title != section.title {
                    details.push(was(
                        "节标题",
                        "section title",
                        &before.title.zh,
                        &section.title.zh,
                    ));
                }
                if before.department != section.department {
                    details.push(was(
                        "负责部门",
                        "department",
                        before.department.map_or("无", |d| d.label_zh()),
                        section.department.map_or("无", |d| d.label_zh()),
                    ));
                }
                if !details.is_empty() {
                    changes.push(FormChange {
                        change: ChangeKind::Changed,
                        section: section.key.clone(),
                        item: None,
                        label: section.title.clone(),
                        details,
                    });
                }
            }
        }
        for item in &section.items {
            let Some((before_section, before)) = old_items.get(item.key.as_str()) else {
                changes.push(FormChange {
                    change: ChangeKind::Added,
                    section: section.key.clone(),
                    item: Some(item.key.clone()),
                    label: item.label.clone(),
                    details: Vec::new(),
                });
                continue;
            };
            let details = item_details(old, before, new, item);
            if !details.is_empty() {
                changes.push(FormChange {
                    change: ChangeKind::Changed,
                    section: section.key.clone(),
                    item: Some(item.key.clone()),
                    label: item.label.clone(),
                    details,
                });
            }
            if before_section.key != section.key {
                changes.push(FormChange {
                    change: ChangeKind::Moved,
                    section: section.key.clone(),
                    item: Some(item.key.clone()),
                    label: item.label.clone(),
                    details: vec![was(
                        "所在节",
                        "section",
                        &before_section.title.zh,
                        &section.title.zh,
                    )],
                });
            }
        }
    }
    let new_sections: BTreeMap<&str, &Section> =
        new.sections.iter().map(|s| (s.key.as_str(), s)).collect();
    let new_items: BTreeMap<&str, &Item> = new.items().map(|(_, i)| (i.key.as_str(), i)).collect();
    for section in &old.sections {
        for item in &section.items {
            if !new_items.contains_key(item.key.as_str()) {
                changes.push(FormChange {
                    change: ChangeKind::Removed,
                    section: section.key.clone(),
                    item: Some(item.key.clone()),
                    label: item.label.clone(),
                    details: Vec::new(),
                });
            }
        }
        if !new_sections.contains_key(section.key.as_str()) {
            changes.push(FormChange {
                change: ChangeKind::Removed,
                section: section.key.clone(),
                item: None,
                label: section.title.clone(),
                details: Vec::new(),
            });
        }
    }
    changes
}

fn was(zh: &str, en: &str, before: &str, after: &str) -> Text {
    Text {
        zh: format!("{zh}：{before} → {after}"),
        en: format!("{en}: {before} → {after}"),
    }
}

fn item_details(old_form: &FormSchema, old: &Item, new_form: &FormSchema, new: &Item) -> Vec<Text> {
    let mut details = Vec::new();
    if old.label != new.label {
        details.push(was("名称", "label", &old.label.zh, &new.label.zh));
    }
    if old.required != new.required {
        details.push(was(
            "必填",
            "required",
            yes_no(old.required),
            yes_no(new.required),
        ));
    }
    if old.critical != new.critical {
        details.push(was(
            "否决项",
            "critical",
            yes_no(old.critical),
            yes_no(new.critical),
        ));
    }
    if old.help != new.help {
        let text = |h: &Option<Text>| {
            h.as_ref()
                .map_or_else(|| "无".to_string(), |t| t.zh.clone())
        };
        details.push(was("说明", "help", &text(&old.help), &text(&new.help)));
    }
    if old.relevant != new.relevant {
        let text = |form: &FormSchema, item: &Item| {
            item.relevant
                .as_ref()
                .map_or_else(|| "总是".to_string(), |c| c.describe(form).zh)
        };
        details.push(was(
            "显示条件",
            "shown when",
            &text(old_form, old),
            &text(new_form, new),
        ));
    }
    if old.shown_under != new.shown_under {
        // Named by the item it is shown under, as the district reads it.
        let text = |form: &FormSchema, s: &Option<String>| match s {
            None => "原位".to_string(),
            Some(key) => form
                .item(key)
                .map_or_else(|| key.clone(), |(_, i)| format!("“{}”下", i.label.zh)),
        };
        details.push(was(
            "照片位置",
            "photo placement",
            &text(old_form, &old.shown_under),
            &text(new_form, &new.shown_under),
        ));
    }
    if old.kind != new.kind {
        details.push(was(
            "答案类型或范围",
            "kind or range",
            &kind_text(&old.kind),
            &kind_text(&new.kind),
        ));
    }
    details
}

fn yes_no(value: bool) -> &'static str {
    if value { "是" } else { "否" }
}

/// A kind as one short line: 数值 0–20（人，0位小数）, 选项 A/B/C …
pub fn kind_text(kind: &ItemKind) -> String {
    match kind {
        ItemKind::YesNo {
            allow_not_applicable,
            problem_when,
        } => format!(
            "是/否{}{}",
            if *allow_not_applicable {
                "/不适用"
            } else {
                ""
            },
            problem_when.map_or(String::new(), |v| format!("（“{}”为问题）", v.label().zh))
        ),
        ItemKind::Number {
            unit,
            min,
            max,
            decimals,
        } => format!("数值 {min}–{max}（{}，{decimals}位小数）", unit.zh),
        ItemKind::Choice { options, multiple } => format!(
            "{}：{}",
            if *multiple { "多选" } else { "单选" },
            options
                .iter()
                .map(|o| o.label.zh.as_str())
                .collect::<Vec<_>>()
                .join("/")
        ),
        ItemKind::Text { max_chars, .. } => format!("文字（最多{max_chars}字）"),
        ItemKind::Photos { min, max } => format!("照片 {min}–{max}张"),
        ItemKind::Signature { .. } => "签字".into(),
        ItemKind::AreaMeasurement => "面积测量".into(),
        ItemKind::Findings => "问题清单".into(),
    }
}

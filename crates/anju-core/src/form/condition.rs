//! When an item is asked (XLSForm's `relevant`): a condition on earlier answers or on the
//! household's placement. A hidden item is neither required nor answered.
//!
//! Conditions name only items that come before theirs, so the items' visibility is worked
//! out in one pass in form order, and an item hidden itself counts as unanswered for the
//! items that depend on it.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::{Answer, FormAnswers, FormSchema, YesNo};
pub use crate::model::Placement;
use crate::model::{PlacementKind, PlacementMode};

/// Terms one condition may hold, all levels counted.
pub const MAX_CONDITION_TERMS: usize = 16;
/// How deep `all`, `any` and `not` may nest.
pub const MAX_CONDITION_DEPTH: usize = 4;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "when", rename_all = "snake_case")]
pub enum Condition {
    /// The yes/no item `item` is answered `is` (e.g. ask for the reason when 否).
    Answered { item: String, is: YesNo },
    /// The choice item `item` has `option` among its selected options.
    Chosen { item: String, option: String },
    /// The household's 安置方式 and/or 安置类型 (e.g. 分散 and 购买 for 分散购房).
    Placement {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "ts", ts(optional))]
        mode: Option<PlacementMode>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "ts", ts(optional))]
        kind: Option<PlacementKind>,
    },
    All {
        #[cfg_attr(feature = "openapi", schema(no_recursion))]
        of: Vec<Condition>,
    },
    Any {
        #[cfg_attr(feature = "openapi", schema(no_recursion))]
        of: Vec<Condition>,
    },
    Not {
        #[cfg_attr(feature = "openapi", schema(no_recursion))]
        of: Box<Condition>,
    },
}

impl Condition {
    /// Whether it holds, given the items shown so far. An unknown placement holds: the
    /// device asks rather than leave something out.
    fn holds(
        &self,
        answers: &FormAnswers,
        shown: &BTreeSet<&str>,
        placement: Option<Placement>,
    ) -> bool {
        let answer = |item: &str| {
            if shown.contains(item) {
                answers.get(item)
            } else {
                None
            }
        };
        match self {
            Self::Answered { item, is } => {
                matches!(answer(item), Some(Answer::YesNo { value, .. }) if value == is)
            }
            Self::Chosen { item, option } => matches!(
                answer(item),
                Some(Answer::Choice { selected }) if selected.iter().any(|s| s == option)
            ),
            Self::Placement { mode, kind } => placement.is_none_or(|p| {
                mode.is_none_or(|m| m == p.mode) && kind.is_none_or(|k| k == p.kind)
            }),
            Self::All { of } => of.iter().all(|c| c.holds(answers, shown, placement)),
            Self::Any { of } => of.iter().any(|c| c.holds(answers, shown, placement)),
            Self::Not { of } => !of.holds(answers, shown, placement),
        }
    }

    /// Terms and depth, for the bounds a published form must keep.
    pub(super) fn size(&self) -> (usize, usize) {
        match self {
            Self::Answered { .. } | Self::Chosen { .. } | Self::Placement { .. } => (1, 1),
            Self::All { of } | Self::Any { of } => of.iter().fold((1, 1), |(terms, depth), c| {
                let (t, d) = c.size();
                (terms.saturating_add(t), depth.max(d.saturating_add(1)))
            }),
            Self::Not { of } => {
                let (t, d) = of.size();
                (t.saturating_add(1), d.saturating_add(1))
            }
        }
    }

    /// The items it reads, each with the option it needs (for a choice) or `None`.
    pub(super) fn references(&self) -> Vec<(&str, Reference<'_>)> {
        let mut out = Vec::new();
        self.collect_references(&mut out);
        out
    }

    fn collect_references<'a>(&'a self, out: &mut Vec<(&'a str, Reference<'a>)>) {
        match self {
            Self::Answered { item, .. } => out.push((item, Reference::YesNo)),
            Self::Chosen { item, option } => out.push((item, Reference::Choice(option))),
            Self::Placement { .. } => {}
            Self::All { of } | Self::Any { of } => {
                for c in of {
                    c.collect_references(out);
                }
            }
            Self::Not { of } => of.collect_references(out),
        }
    }

    /// In words, for the office's preview and diff: 当“x”为“否”时 / when "x" is no.
    pub fn describe(&self, form: &FormSchema) -> super::Text {
        let label = |key: &str| {
            form.item(key)
                .map_or_else(|| super::Text::new(key, key), |(_, i)| i.label.clone())
        };
        match self {
            Self::Answered { item, is } => {
                let l = label(item);
                let v = is.label();
                super::Text {
                    zh: format!("“{}”为“{}”", l.zh, v.zh),
                    en: format!("\"{}\" is {}", l.en, v.en),
                }
            }
            Self::Chosen { item, option } => {
                let l = label(item);
                let o = form
                    .item(item)
                    .and_then(|(_, i)| match &i.kind {
                        super::ItemKind::Choice { options, .. } => {
                            options.iter().find(|o| &o.key == option)
                        }
                        _ => None,
                    })
                    .map_or_else(|| super::Text::new(option, option), |o| o.label.clone());
                super::Text {
                    zh: format!("“{}”选了“{}”", l.zh, o.zh),
                    en: format!("\"{}\" includes {}", l.en, o.en),
                }
            }
            Self::Placement { mode, kind } => {
                let zh = [mode.map(|m| m.label_zh()), kind.map(|k| k.label_zh())]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join("、");
                let en = [mode.map(|m| m.code()), kind.map(|k| k.code())]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(", ");
                super::Text {
                    zh: format!("安置为{}", if zh.is_empty() { "任意" } else { &zh }),
                    en: format!("placement {}", if en.is_empty() { "any" } else { &en }),
                }
            }
            Self::All { of } | Self::Any { of } => {
                let parts: Vec<super::Text> = of.iter().map(|c| c.describe(form)).collect();
                let (zh_sep, en_sep) = if matches!(self, Self::All { .. }) {
                    ("且", " and ")
                } else {
                    ("或", " or ")
                };
                super::Text {
                    zh: format!(
                        "（{}）",
                        parts
                            .iter()
                            .map(|p| p.zh.as_str())
                            .collect::<Vec<_>>()
                            .join(zh_sep)
                    ),
                    en: format!(
                        "({})",
                        parts
                            .iter()
                            .map(|p| p.en.as_str())
                            .collect::<Vec<_>>()
                            .join(en_sep)
                    ),
                }
            }
            Self::Not { of } => {
                let inner = of.describe(form);
                super::Text {
                    zh: format!("并非{}", inner.zh),
                    en: format!("not {}", inner.en),
                }
            }
        }
    }
}

/// What a condition needs of the item it reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Reference<'a> {
    YesNo,
    Choice(&'a str),
}

impl FormSchema {
    /// The keys of the items asked, given these answers and the household's placement: one
    /// pass in form order, each condition bounded by [`MAX_CONDITION_TERMS`].
    pub fn shown_items(
        &self,
        answers: &FormAnswers,
        placement: Option<Placement>,
    ) -> BTreeSet<&str> {
        let mut shown = BTreeSet::new();
        for (_, item) in self.items() {
            let asked = item
                .relevant
                .as_ref()
                .is_none_or(|c| c.holds(answers, &shown, placement));
            if asked {
                shown.insert(item.key.as_str());
            }
        }
        shown
    }

    /// The answers to items no longer asked (the answer they depended on changed): a
    /// device clears them in the same write, so a submission never carries a hidden answer.
    pub fn hidden_answers(
        &self,
        answers: &FormAnswers,
        placement: Option<Placement>,
    ) -> Vec<String> {
        let shown = self.shown_items(answers, placement);
        answers
            .0
            .keys()
            .filter(|k| self.item(k).is_some() && !shown.contains(k.as_str()))
            .cloned()
            .collect()
    }
}

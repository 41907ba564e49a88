//! 分工验收: a team's acceptance filled on the members' own devices. Each department's member
//! fills their department's part (its sections and its signature) on their own phone; the
//! 扶贫办, who leads the programme, also fills what belongs to no department (the household's
//! opinion and signature, the photos). Every part may list the problems it found. The office
//! merges the four parts into one acceptance and checks it as a whole with the same
//! validation as an acceptance filled on one phone; each signature is checked against the
//! part it confirmed.

use std::collections::BTreeSet;

use super::{Answer, FormAnswers, FormContext, FormIssue, FormSchema, Item, ItemKind, Problem};
use super::{Section, SignerRole, Text};
use crate::model::Department;

/// The department that fills what belongs to none: 扶贫办 leads the programme.
pub const LEAD_DEPARTMENT: Department = Department::Poverty;

/// Why a form cannot be split into parts, or parts cannot be merged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PartError {
    #[error(
        "“{item}”是否要填取决于其他部门的“{refers_to}”，本表不能分工填写 / whether “{item}” is asked depends on “{refers_to}” of another department: this form cannot be filled in parts"
    )]
    CrossPart { item: String, refers_to: String },
    #[error("缺少{}的部分 / the {} part is missing", .0.label_zh(), .0.label_en())]
    MissingPart(Department),
    #[error("{}的部分出现两次 / the {} part comes twice", .0.label_zh(), .0.label_en())]
    PartTwice(Department),
    #[error(
        "{}的部分答了不属于它的“{item}” / the {} part answers “{item}”, which is not its own", .department.label_zh(), .department.label_en()
    )]
    OutsidePart {
        department: Department,
        item: String,
    },
    #[error(
        "{}的部分中“{item}”的签字与该部分内容不符 / the signature “{item}” of the {} part does not match that part", .department.label_zh(), .department.label_en()
    )]
    StaleSignature {
        department: Department,
        item: String,
    },
}

/// Whose part an item is: a department's, or `None` for every part (the problems found).
pub fn item_part(section: &Section, item: &Item) -> Option<Department> {
    match (&item.kind, section.department) {
        (ItemKind::Findings, _) => None,
        (
            ItemKind::Signature {
                signer: SignerRole::Inspector(d),
            },
            _,
        ) => Some(*d),
        (_, Some(d)) => Some(d),
        (_, None) => Some(LEAD_DEPARTMENT),
    }
}

fn belongs(section: &Section, item: &Item, department: Department) -> bool {
    item_part(section, item).is_none_or(|d| d == department)
}

impl FormSchema {
    /// The part of this form `department`'s member fills: the same id and version, its
    /// sections and items only. Refused when an item it keeps is asked depending on an
    /// answer of another part, which that member could not see.
    pub fn part_for(&self, department: Department) -> Result<FormSchema, PartError> {
        let sections: Vec<Section> = self
            .sections
            .iter()
            .filter_map(|section| {
                let items: Vec<Item> = section
                    .items
                    .iter()
                    .filter(|item| belongs(section, item, department))
                    .cloned()
                    .collect();
                (!items.is_empty()).then(|| Section {
                    items,
                    ..section.clone()
                })
            })
            .collect();
        let kept: BTreeSet<&str> = sections
            .iter()
            .flat_map(|s| s.items.iter().map(|i| i.key.as_str()))
            .collect();
        for item in sections.iter().flat_map(|s| &s.items) {
            if let Some(condition) = &item.relevant
                && let Some((refers_to, _)) = condition
                    .references()
                    .into_iter()
                    .find(|(key, _)| !kept.contains(key))
            {
                return Err(PartError::CrossPart {
                    item: item.key.clone(),
                    refers_to: refers_to.to_string(),
                });
            }
        }
        Ok(FormSchema {
            id: self.id.clone(),
            version: self.version,
            title: Text {
                zh: format!("{}（{}部分）", self.title.zh, department.label_zh()),
                en: format!("{} ({} part)", self.title.en, department.label_en()),
            },
            sections,
        })
    }
}

/// The four parts as one acceptance's answers: each department once, each answering its own
/// items only, each signature matching its part; the problems each found, one list.
pub fn merge_parts(
    form: &FormSchema,
    parts: &[(Department, &FormAnswers)],
) -> Result<FormAnswers, PartError> {
    for department in Department::ALL {
        match parts.iter().filter(|(d, _)| *d == department).count() {
            0 => return Err(PartError::MissingPart(department)),
            1 => {}
            _ => return Err(PartError::PartTwice(department)),
        }
    }
    let mut merged = FormAnswers::default();
    let mut findings = Vec::new();
    let mut any_findings = false;
    for (department, answers) in parts {
        let part = form.part_for(*department)?;
        let fresh = answers.signature_status().unwrap_or_default();
        for (key, answer) in &answers.0 {
            if part.item(key).is_none() {
                return Err(PartError::OutsidePart {
                    department: *department,
                    item: key.chars().take(40).collect(),
                });
            }
            match answer {
                Answer::Findings { items } => {
                    any_findings = true;
                    findings.extend(items.iter().cloned());
                }
                Answer::Signature { .. } => {
                    if !fresh.iter().any(|(k, ok)| k == key && *ok) {
                        return Err(PartError::StaleSignature {
                            department: *department,
                            item: key.clone(),
                        });
                    }
                    merged.0.insert(key.clone(), answer.clone());
                }
                _ => {
                    merged.0.insert(key.clone(), answer.clone());
                }
            }
        }
    }
    if any_findings {
        let key = form
            .items()
            .find(|(_, i)| matches!(i.kind, ItemKind::Findings))
            .map(|(_, i)| i.key.clone());
        if let Some(key) = key {
            merged.0.insert(key, Answer::Findings { items: findings });
        }
    }
    Ok(merged)
}

/// The merged acceptance checked as one filled on one phone would be, except that each
/// signature confirmed its own part (checked by `merge_parts`), not the whole.
pub fn check_merged(form: &FormSchema, merged: &FormAnswers, ctx: &FormContext) -> Vec<FormIssue> {
    form.validate(merged, ctx)
        .into_iter()
        .filter(|issue| issue.problem != Problem::SignatureStale)
        .collect()
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::form::{FindingDraft, YesNo, acceptance_form_v1};
    use crate::model::SignatureMethod;
    use crate::policy::{PolicyContext, PolicyTable};
    use crate::testing::{filled_acceptance, one_storey, signature};

    fn ctx() -> FormContext {
        FormContext {
            household_size: 4,
            today: chrono::NaiveDate::from_ymd_opt(2017, 9, 5).unwrap(),
            policy: PolicyTable::default(),
            policy_context: PolicyContext::default(),
            policy_version: None,
            placement: None,
        }
    }

    /// What `department`'s member would have filled: their part of a complete form, each
    /// of its signatures made over the part.
    fn part_answers(department: Department, problem: Option<&str>) -> FormAnswers {
        let form = acceptance_form_v1();
        let part = form.part_for(department).unwrap();
        let full = filled_acceptance(&one_storey(10_000, 9_000), 4.0, Utc::now());
        let mut answers = FormAnswers::default();
        let mut slots = Vec::new();
        for (_, item) in part.items() {
            match full.get(&item.key) {
                Some(Answer::Signature { .. }) => slots.push(item.key.clone()),
                Some(Answer::Findings { .. }) => {
                    let items = problem
                        .map(|item| FindingDraft {
                            description: format!("{}发现的问题", department.label_zh()),
                            item: Some(item.to_string()),
                            deadline: chrono::NaiveDate::from_ymd_opt(2017, 10, 5).unwrap(),
                        })
                        .into_iter()
                        .collect();
                    answers.set(item.key.clone(), Answer::Findings { items });
                }
                Some(answer) => answers.set(item.key.clone(), answer.clone()),
                None => {}
            }
        }
        for slot in slots {
            let signed = signature(&answers, &slot, SignatureMethod::Handwritten, Utc::now());
            answers.set(slot, signed);
        }
        answers
    }

    #[test]
    fn the_acceptance_splits_into_four_parts_that_cover_it_once() {
        let form = acceptance_form_v1();
        let parts: Vec<(Department, FormSchema)> = Department::ALL
            .into_iter()
            .map(|d| (d, form.part_for(d).unwrap()))
            .collect();
        for (_, item) in form.items() {
            let holders: Vec<Department> = parts
                .iter()
                .filter(|(_, p)| p.item(&item.key).is_some())
                .map(|(d, _)| *d)
                .collect();
            if matches!(item.kind, ItemKind::Findings) {
                assert_eq!(holders.len(), 4, "every part may list problems");
            } else {
                assert_eq!(holders.len(), 1, "{} is in {holders:?}", item.key);
            }
        }
        let (_, land) = &parts[2];
        assert_eq!(land.title.zh, "易地扶贫搬迁安置房验收监督表（国土局部分）");
        assert!(land.item("sign_land").is_some());
        assert!(land.item("sign_housing").is_none());
        let (_, lead) = &parts[0];
        assert!(
            lead.items().any(|(_, i)| matches!(
                i.kind,
                ItemKind::Signature {
                    signer: SignerRole::HouseholdHead
                }
            )),
            "the household signs in the 扶贫办's part"
        );
    }

    #[test]
    fn four_parts_merge_into_one_valid_acceptance_with_every_problem() {
        let form = acceptance_form_v1();
        let answers: Vec<(Department, FormAnswers)> = Department::ALL
            .into_iter()
            .map(|d| {
                let problem = (d == Department::Housing).then_some("quality_roof");
                (d, part_answers(d, problem))
            })
            .collect();
        for (department, part) in &answers {
            let own = form.part_for(*department).unwrap();
            assert_eq!(own.validate(part, &ctx()), vec![], "{department:?}");
        }
        let parts: Vec<(Department, &FormAnswers)> = answers.iter().map(|(d, a)| (*d, a)).collect();
        let merged = merge_parts(&form, &parts).unwrap();
        assert_eq!(check_merged(&form, &merged, &ctx()), vec![]);
        // Without the leniency, the signatures are over their parts, not the whole.
        assert!(
            form.validate(&merged, &ctx())
                .iter()
                .all(|i| i.problem == Problem::SignatureStale)
        );
        match merged.get("findings") {
            Some(Answer::Findings { items }) => {
                assert_eq!(items.len(), 1);
                assert_eq!(items[0].item.as_deref(), Some("quality_roof"));
            }
            other => panic!("findings merged: {other:?}"),
        }
    }

    #[test]
    fn a_missing_twice_foreign_or_changed_part_is_refused() {
        let form = acceptance_form_v1();
        let poverty = part_answers(Department::Poverty, None);
        let reform = part_answers(Department::Reform, None);
        let land = part_answers(Department::Land, None);
        let housing = part_answers(Department::Housing, None);
        assert_eq!(
            merge_parts(
                &form,
                &[
                    (Department::Poverty, &poverty),
                    (Department::Reform, &reform),
                    (Department::Land, &land)
                ]
            ),
            Err(PartError::MissingPart(Department::Housing))
        );
        assert_eq!(
            merge_parts(
                &form,
                &[
                    (Department::Poverty, &poverty),
                    (Department::Reform, &reform),
                    (Department::Land, &land),
                    (Department::Housing, &housing),
                    (Department::Land, &land)
                ]
            ),
            Err(PartError::PartTwice(Department::Land))
        );
        // 国土局 answering 住建局's item.
        let mut foreign = land.clone();
        foreign.set(
            "quality_roof",
            Answer::YesNo {
                value: YesNo::Yes,
                note: None,
            },
        );
        let error = merge_parts(
            &form,
            &[
                (Department::Poverty, &poverty),
                (Department::Reform, &reform),
                (Department::Land, &foreign),
                (Department::Housing, &housing),
            ],
        )
        .unwrap_err();
        assert_eq!(
            error,
            PartError::OutsidePart {
                department: Department::Land,
                item: "quality_roof".into()
            }
        );
        assert!(error.to_string().starts_with("国土局的部分答了不属于它的"));
        // An answer changed after 住建局 signed.
        let mut changed = housing.clone();
        changed.set(
            "quality_roof",
            Answer::YesNo {
                value: YesNo::No,
                note: Some("漏水".into()),
            },
        );
        assert!(matches!(
            merge_parts(
                &form,
                &[
                    (Department::Poverty, &poverty),
                    (Department::Reform, &reform),
                    (Department::Land, &land),
                    (Department::Housing, &changed),
                ],
            ),
            Err(PartError::StaleSignature {
                department: Department::Housing,
                ..
            })
        ));
    }

    #[test]
    fn a_form_whose_items_depend_on_another_department_cannot_be_split() {
        let mut form = acceptance_form_v1();
        let site = form
            .sections
            .iter_mut()
            .find(|s| s.department == Some(Department::Land))
            .unwrap();
        site.items[0].relevant = Some(crate::form::Condition::Answered {
            item: "quality_roof".into(),
            is: YesNo::No,
        });
        let key = site.items[0].key.clone();
        assert_eq!(
            form.part_for(Department::Land),
            Err(PartError::CrossPart {
                item: key,
                refers_to: "quality_roof".into()
            })
        );
        assert!(form.part_for(Department::Housing).is_ok());
    }
}

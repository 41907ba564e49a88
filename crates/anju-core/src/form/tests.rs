use super::*;
use crate::hash::sha256_hex;
use crate::model::SignatureMethod;
use chrono::Utc;

fn ctx() -> FormContext {
    FormContext {
        household_size: 4,
        today: NaiveDate::from_ymd_opt(2017, 9, 5).unwrap(),
        policy: PolicyTable::default(),
        policy_context: PolicyContext::default(),
        policy_version: None,
        placement: None,
    }
}

fn yes() -> Answer {
    Answer::YesNo {
        value: YesNo::Yes,
        note: None,
    }
}

fn sign(answers: &FormAnswers, slot: &str, method: SignatureMethod) -> Answer {
    crate::testing::signature(answers, slot, method, Utc::now())
}

/// A completely and correctly filled acceptance form.
fn filled() -> FormAnswers {
    crate::testing::filled_acceptance(&crate::testing::one_storey(10_000, 9_000), 4.0, Utc::now())
}

#[test]
fn keys_are_unique_and_sections_follow_the_domain() {
    for form in [acceptance_form_v1(), spot_check_form_v1()] {
        let mut keys = std::collections::BTreeSet::new();
        for (_, item) in form.items() {
            assert!(keys.insert(item.key.clone()), "duplicate key {}", item.key);
        }
    }
    let form = acceptance_form_v1();
    let sections: Vec<&str> = form.sections.iter().map(|s| s.key.as_str()).collect();
    assert_eq!(
        sections,
        [
            "target",
            "area",
            "quality",
            "move_in",
            "site",
            "funding",
            "old_house",
            "opinions",
            "findings",
            "photos",
            "signatures"
        ]
    );
    // Every department has a section and a signature.
    for department in Department::ALL {
        assert!(
            form.sections
                .iter()
                .any(|s| s.department == Some(department))
        );
        assert!(form.items().any(|(_, i)| i.kind
            == ItemKind::Signature {
                signer: SignerRole::Inspector(department)
            }));
    }
    assert_eq!(form_by_id(ACCEPTANCE_FORM_ID, 1), Some(form));
    assert_eq!(form_by_id(ACCEPTANCE_FORM_ID, 99), None);
}

#[test]
fn a_complete_form_is_valid() {
    let issues = acceptance_form_v1().validate(&filled(), &ctx());
    assert!(issues.is_empty(), "{issues:?}");
}

#[test]
fn an_empty_form_lists_every_required_item() {
    let form = acceptance_form_v1();
    let issues = form.validate(&FormAnswers::default(), &ctx());
    let required = form.items().filter(|(_, i)| i.required).count();
    assert_eq!(issues.len(), required);
    assert!(issues.iter().all(|i| i.problem == Problem::Missing));
    assert!(issues.iter().any(|i| i.item == "photo_rooms"));
    assert!(!issues.iter().any(|i| i.item == "findings"));
}

#[test]
fn problems_need_a_note() {
    let form = acceptance_form_v1();
    let mut answers = filled();
    answers.set(
        "move_in_water",
        Answer::YesNo {
            value: YesNo::No,
            note: Some("  ".into()),
        },
    );
    answers.set(
        "quality_walls",
        Answer::YesNo {
            value: YesNo::NotApplicable,
            note: None,
        },
    );
    let problems: Vec<(String, Problem)> = form
        .validate(&answers, &ctx())
        .into_iter()
        .map(|i| (i.item, i.problem))
        .collect();
    assert!(problems.contains(&("move_in_water".into(), Problem::NoteRequired)));
    assert!(problems.contains(&("quality_walls".into(), Problem::NotApplicableNotAllowed)));
}

#[test]
fn numbers_choices_text_and_photos_are_checked() {
    let form = acceptance_form_v1();
    let mut answers = filled();
    answers.set("target_people_present", Answer::Number { value: 2.5 });
    answers.set("funding_self_yuan", Answer::Number { value: -1.0 });
    answers.set(
        "quality_structure",
        Answer::Choice {
            selected: vec!["frame".into(), "mud".into()],
        },
    );
    answers.set(
        "opinion_text",
        Answer::Text {
            value: "很".repeat(501),
        },
    );
    let same = sha256_hex(b"same");
    answers.set(
        "photo_rooms",
        Answer::Photos {
            sha256: vec![same.clone(), same.clone(), "not-a-hash".into()],
        },
    );
    answers.set("photo_front", Answer::Text { value: "x".into() });
    let issues = form.validate(&answers, &ctx());
    let has = |item: &str, problem: Problem| {
        issues
            .iter()
            .any(|i| i.item == item && i.problem == problem)
    };
    assert!(has(
        "target_people_present",
        Problem::TooManyDecimals { decimals: 0 }
    ));
    assert!(has(
        "funding_self_yuan",
        Problem::OutOfRange {
            value: -1.0,
            min: 0.0,
            max: 1_000_000.0
        }
    ));
    assert!(has("quality_structure", Problem::OneChoiceOnly));
    assert!(has(
        "quality_structure",
        Problem::UnknownOption {
            option: "mud".into()
        }
    ));
    assert!(has(
        "opinion_text",
        Problem::TextTooLong {
            max: 500,
            length: 501
        }
    ));
    assert!(has("photo_rooms", Problem::DuplicatePhoto { value: same }));
    assert!(has(
        "photo_rooms",
        Problem::BadPhotoHash {
            value: "not-a-hash".into()
        }
    ));
    assert!(has(
        "photo_front",
        Problem::WrongType {
            expected: "photos",
            found: "text"
        }
    ));
    // Messages name the item in both languages.
    let text = issues
        .iter()
        .find(|i| i.item == "funding_self_yuan")
        .unwrap()
        .to_string();
    assert!(
        text.contains("农户自筹金额") && text.contains("Household's own money"),
        "{text}"
    );
}

#[test]
fn a_change_after_signing_asks_for_new_signatures() {
    let form = acceptance_form_v1();
    let mut answers = filled();
    assert!(
        answers
            .signature_status()
            .unwrap()
            .iter()
            .all(|(_, ok)| *ok)
    );
    answers.set("funding_self_yuan", Answer::Number { value: 5000.0 });
    let stale: Vec<String> = form
        .validate(&answers, &ctx())
        .into_iter()
        .filter(|i| i.problem == Problem::SignatureStale)
        .map(|i| i.item)
        .collect();
    assert_eq!(stale.len(), 5, "{stale:?}");
    assert!(
        answers
            .signature_status()
            .unwrap()
            .iter()
            .all(|(_, ok)| !ok)
    );
    // Signing again binds to the new content.
    let fresh = sign(&answers, "sign_household_head", SignatureMethod::Thumbprint);
    answers.set("sign_household_head", fresh);
    let status = answers.signature_status().unwrap();
    assert!(status.contains(&("sign_household_head".to_string(), true)));
}

#[test]
fn a_proxy_signature_names_the_relative() {
    let form = acceptance_form_v1();
    let mut answers = filled();
    let proxy = sign(
        &answers,
        "sign_household_head",
        SignatureMethod::Proxy {
            signer_name: "".into(),
            relation: "儿子".into(),
        },
    );
    answers.set("sign_household_head", proxy);
    let issues = form.validate(&answers, &ctx());
    assert!(
        issues
            .iter()
            .any(|i| i.item == "sign_household_head" && i.problem == Problem::ProxyWithoutName)
    );
}

#[test]
fn findings_and_area_are_checked() {
    let form = acceptance_form_v1();
    let mut answers = filled();
    answers.set(
        "findings",
        Answer::Findings {
            items: vec![
                FindingDraft {
                    description: "门前道路未硬化".into(),
                    item: Some("move_in_road".into()),
                    deadline: NaiveDate::from_ymd_opt(2017, 9, 30).unwrap(),
                },
                FindingDraft {
                    description: " ".into(),
                    item: None,
                    deadline: NaiveDate::from_ymd_opt(2017, 9, 1).unwrap(),
                },
            ],
        },
    );
    answers.set(
        "area_measurement",
        Answer::Area {
            measurement: HouseMeasurement { parts: vec![] },
        },
    );
    let problems: Vec<Problem> = form
        .validate(&answers, &ctx())
        .into_iter()
        .filter(|i| i.problem != Problem::SignatureStale)
        .map(|i| i.problem)
        .collect();
    assert_eq!(problems.len(), 3, "{problems:?}");
    assert!(problems.contains(&Problem::FindingWithoutDescription { index: 1 }));
    assert!(
        problems
            .iter()
            .any(|p| matches!(p, Problem::AreaInvalid { .. }))
    );
}

#[test]
fn unknown_items_are_reported() {
    let mut answers = filled();
    answers.set("made_up", yes());
    let issues = acceptance_form_v1().validate(&answers, &ctx());
    assert!(
        issues
            .iter()
            .any(|i| i.item == "made_up" && i.problem == Problem::UnknownItem)
    );
}

#[test]
fn progress_counts_required_items() {
    let form = acceptance_form_v1();
    let empty = form.progress(&FormAnswers::default(), None);
    assert!(empty.iter().all(|p| p.answered == 0));
    let full = form.progress(&filled(), None);
    assert!(full.iter().all(|p| p.answered == p.required));
    let move_in = full.iter().find(|p| p.section == "move_in").unwrap();
    assert_eq!(move_in.required, 9);
}

#[test]
fn answers_round_trip_through_json() {
    let answers = filled();
    let json = serde_json::to_string(&answers).unwrap();
    let back: FormAnswers = serde_json::from_str(&json).unwrap();
    assert_eq!(back, answers);
    let schema = serde_json::to_string(&acceptance_form_v1()).unwrap();
    let back: FormSchema = serde_json::from_str(&schema).unwrap();
    assert_eq!(back, acceptance_form_v1());
}

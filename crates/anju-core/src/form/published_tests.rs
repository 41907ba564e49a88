//! Forms the district publishes: definitions checked whole, items asked by conditions,
//! versions kept side by side, and what changed between two.

use chrono::NaiveDate;

use super::*;
use crate::model::{Placement, PlacementKind, PlacementMode};
use crate::policy::{PolicyContext, PolicyTable};

fn ctx(placement: Option<Placement>) -> FormContext {
    FormContext {
        household_size: 4,
        today: NaiveDate::from_ymd_opt(2017, 9, 5).unwrap(),
        policy: PolicyTable::default(),
        policy_context: PolicyContext::default(),
        policy_version: None,
        placement,
    }
}

const BOUGHT: Placement = Placement {
    mode: PlacementMode::Scattered,
    kind: PlacementKind::Bought,
};
const BUILT: Placement = Placement {
    mode: PlacementMode::Concentrated,
    kind: PlacementKind::UnifiedBuilt,
};

fn answer(value: YesNo) -> Answer {
    Answer::YesNo {
        value,
        note: (value == YesNo::No).then(|| "东墙开裂".to_string()),
    }
}

fn problems_of(form: &FormSchema) -> Vec<String> {
    form.definition_problems()
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn the_built_in_forms_and_the_sample_are_valid_definitions() {
    for form in [
        acceptance_form_v1(),
        spot_check_form_v1(),
        acceptance_form_v2_sample(),
        super::demolition_form_v1(),
        super::reclamation_form_v1(),
        super::recheck_form_v1(),
        super::move_in_form_v1(),
        super::groundbreaking_form_v1(),
        super::progress_form_v1(),
        super::area_inspection_form_v1(),
        super::township_check_form_v1(),
    ] {
        assert_eq!(problems_of(&form), Vec::<String>::new(), "{}", form.id);
    }
}

#[test]
fn an_old_house_check_keeps_its_milestone_item_and_both_photo_items() {
    let mut form = super::demolition_form_v1();
    form.version = 2;
    for section in &mut form.sections {
        section
            .items
            .retain(|i| i.key != super::AFTER_PHOTOS && i.key != super::DEMOLISHED_ITEM);
    }
    let problems = problems_of(&form);
    assert!(
        problems.iter().any(|p| p.contains("old_house_demolished")),
        "{problems:?}"
    );
    assert!(
        problems.iter().any(|p| p.contains("photo_after")),
        "{problems:?}"
    );
    // Each kind of visit is filled on its own form, and the catalog knows all four.
    let catalog = FormCatalog::builtin();
    for kind in crate::model::SubmissionKind::ALL {
        assert_eq!(
            catalog.latest(kind.form_id()).map(|f| f.version),
            Some(1),
            "{kind:?}"
        );
    }
}

#[test]
fn version_one_serializes_as_before_the_new_properties() {
    // Stored submissions were filled against this JSON: the new item properties must not
    // appear in it.
    let json = serde_json::to_string(&acceptance_form_v1()).unwrap();
    for key in ["relevant", "critical", "shown_under"] {
        assert!(!json.contains(key), "{key} in version 1");
    }
}

#[test]
fn a_form_file_round_trips_and_is_checked() {
    let sample = acceptance_form_v2_sample();
    let bytes = serde_json::to_vec_pretty(&sample).unwrap();
    assert_eq!(parse_form_file(&bytes).unwrap(), sample);

    let too_big = vec![b' '; MAX_FORM_FILE_BYTES + 1];
    assert!(matches!(
        parse_form_file(&too_big),
        Err(FormFileError::TooLarge { .. })
    ));
    let broken = b"{\n  \"id\": \"anju.acceptance\",\n  \"version\": ";
    match parse_form_file(broken) {
        Err(FormFileError::NotAForm { line, .. }) => assert_eq!(line, 3),
        other => panic!("{other:?}"),
    }
    let mut unknown = sample.clone();
    unknown.id = "anju.made_up".into();
    let error = parse_form_file(&serde_json::to_vec(&unknown).unwrap()).unwrap_err();
    assert!(error.to_string().contains("未知表单"), "{error}");
}

#[test]
fn bought_house_items_are_asked_only_of_a_scattered_household_that_bought() {
    let form = acceptance_form_v2_sample();
    let empty = FormAnswers::default();
    let shown = form.shown_items(&empty, Some(BOUGHT));
    assert!(shown.contains("bought_contract") && shown.contains("photo_bought_contract"));
    let shown = form.shown_items(&empty, Some(BUILT));
    assert!(!shown.contains("bought_contract") && !shown.contains("bought_title"));
    // Unknown placement: asked, rather than left out.
    assert!(form.shown_items(&empty, None).contains("bought_title"));

    let missing = |placement| {
        form.validate(&empty, &ctx(Some(placement)))
            .into_iter()
            .filter(|i| i.problem == Problem::Missing)
            .map(|i| i.item)
            .collect::<Vec<_>>()
    };
    assert!(missing(BOUGHT).contains(&"bought_contract".to_string()));
    assert!(!missing(BUILT).contains(&"bought_contract".to_string()));
    // The progress counts only what is asked.
    let required = |placement| -> usize {
        form.progress(&empty, Some(placement))
            .iter()
            .map(|p| p.required)
            .sum()
    };
    assert_eq!(required(BOUGHT), required(BUILT) + 3);
}

#[test]
fn a_photo_of_the_cracks_is_asked_when_the_walls_are_answered_no() {
    let form = acceptance_form_v2_sample();
    let mut answers = FormAnswers::default();
    answers.set("quality_walls", answer(YesNo::Yes));
    assert!(
        !form
            .shown_items(&answers, None)
            .contains("photo_wall_cracks")
    );
    answers.set("quality_walls", answer(YesNo::No));
    assert!(
        form.shown_items(&answers, None)
            .contains("photo_wall_cracks")
    );
    let issues = form.validate(&answers, &ctx(None));
    assert!(
        issues
            .iter()
            .any(|i| i.item == "photo_wall_cracks" && i.problem == Problem::Missing)
    );

    // Changed back to 是: the photo answer is no longer asked, and the device clears it.
    answers.set(
        "photo_wall_cracks",
        Answer::Photos {
            sha256: vec!["a".repeat(64)],
        },
    );
    answers.set("quality_walls", answer(YesNo::Yes));
    assert_eq!(form.hidden_answers(&answers, None), ["photo_wall_cracks"]);
    let issues = form.validate(&answers, &ctx(None));
    let hidden = issues
        .iter()
        .find(|i| i.item == "photo_wall_cracks")
        .unwrap();
    assert_eq!(hidden.problem, Problem::NotAsked);
    assert!(hidden.to_string().contains("请清除"));
}

#[test]
fn an_item_that_depends_on_a_hidden_item_is_hidden_too() {
    let mut form = acceptance_form_v2_sample();
    // A note asked when the contract item is 否; the contract item itself is asked only
    // of bought houses.
    let mut note = form.item("quality_defects").unwrap().1.clone();
    note.key = "bought_contract_reason".into();
    note.relevant = Some(Condition::Answered {
        item: "bought_contract".into(),
        is: YesNo::No,
    });
    form.sections
        .iter_mut()
        .find(|s| s.key == "bought")
        .unwrap()
        .items
        .push(note);
    assert_eq!(problems_of(&form), Vec::<String>::new());
    let mut answers = FormAnswers::default();
    answers.set("bought_contract", answer(YesNo::No));
    assert!(
        form.shown_items(&answers, Some(BOUGHT))
            .contains("bought_contract_reason")
    );
    // The same answer left over from before the household's placement was corrected.
    assert!(
        !form
            .shown_items(&answers, Some(BUILT))
            .contains("bought_contract_reason")
    );
}

#[test]
fn a_critical_item_of_the_form_fails_on_its_problem_answer() {
    let form = acceptance_form_v2_sample();
    let mut answers = FormAnswers::default();
    answers.set("quality_walls", answer(YesNo::Yes));
    assert!(form.critical_failures(&answers).is_empty());
    answers.set("quality_walls", answer(YesNo::No));
    assert_eq!(form.critical_failures(&answers), ["quality_walls"]);
    // Version 1 has no critical items of its own (its are in the district's policy).
    assert!(acceptance_form_v1().critical_failures(&answers).is_empty());
}

#[test]
fn definition_problems_say_what_is_wrong_and_where() {
    let base = acceptance_form_v2_sample();
    let first_problem = |change: &dyn Fn(&mut FormSchema)| {
        let mut form = base.clone();
        change(&mut form);
        let problems = problems_of(&form);
        assert!(!problems.is_empty(), "no problem found");
        problems.join("\n")
    };
    // A key used twice.
    let text = first_problem(&|f| {
        let copy = quality(f).items[0].clone();
        quality(f).items.push(copy);
    });
    assert!(text.contains("项目键重复"), "{text}");
    // A condition on a later item.
    let text = first_problem(&|f| {
        quality(f).items[0].relevant = Some(Condition::Answered {
            item: "move_in_water".into(),
            is: YesNo::No,
        });
    });
    assert!(
        text.contains("不是本项之前的项目") && text.contains("sections["),
        "{text}"
    );
    // An option the choice does not have.
    let text = first_problem(&|f| {
        quality(f).items[3].relevant = Some(Condition::Chosen {
            item: "quality_structure".into(),
            option: "wood".into(),
        });
    });
    assert!(text.contains("没有选项“wood”"), "{text}");
    // A yes/no condition on a choice.
    let text = first_problem(&|f| {
        quality(f).items[3].relevant = Some(Condition::Answered {
            item: "quality_structure".into(),
            is: YesNo::No,
        });
    });
    assert!(text.contains("与其类型不符"), "{text}");
    // Nesting past the bound.
    let text = first_problem(&|f| {
        let mut c = Condition::Placement {
            mode: None,
            kind: None,
        };
        for _ in 0..MAX_CONDITION_DEPTH + 1 {
            c = Condition::Not { of: Box::new(c) };
        }
        quality(f).items[3].relevant = Some(c);
    });
    assert!(text.contains("条件过于复杂"), "{text}");
    // The area item the office's rules read.
    let text = first_problem(&|f| {
        for s in &mut f.sections {
            s.items.retain(|i| i.key != AREA_ITEM);
        }
    });
    assert!(text.contains("area_measurement"), "{text}");
    // A range that cannot hold a value, a critical choice, a signature with a condition.
    let text = first_problem(&|f| {
        for s in &mut f.sections {
            for i in &mut s.items {
                if let ItemKind::Number { min, max, .. } = &mut i.kind {
                    *min = 10.0;
                    *max = 1.0;
                }
                if i.key == "quality_structure" {
                    i.critical = true;
                }
                if i.key == "sign_land" {
                    i.relevant = Some(Condition::Placement {
                        mode: None,
                        kind: None,
                    });
                }
            }
        }
    });
    assert!(text.contains("min ≤ max"), "{text}");
    assert!(text.contains("只有是否项可设为否决项"), "{text}");
    assert!(text.contains("签字项不能设显示条件"), "{text}");
    // A hostile number of sections stops early.
    let text = first_problem(&|f| {
        let s = f.sections[0].clone();
        f.sections = vec![s; MAX_SECTIONS + 1];
    });
    assert!(text.contains(&format!("1至{MAX_SECTIONS}节")), "{text}");
}

fn quality(form: &mut FormSchema) -> &mut Section {
    form.sections
        .iter_mut()
        .find(|s| s.key == "quality")
        .unwrap()
}

#[test]
fn the_catalog_keeps_every_version_and_starts_drafts_on_the_latest() {
    let mut catalog = FormCatalog::builtin();
    assert_eq!(catalog.latest(ACCEPTANCE_FORM_ID).unwrap().version, 1);
    catalog.add(acceptance_form_v2_sample());
    assert_eq!(catalog.latest(ACCEPTANCE_FORM_ID).unwrap().version, 2);
    assert_eq!(
        catalog.get(ACCEPTANCE_FORM_ID, 1).unwrap(),
        &acceptance_form_v1()
    );
    assert_eq!(catalog.versions(ACCEPTANCE_FORM_ID).count(), 2);
    assert_eq!(catalog.latest(SPOT_CHECK_FORM_ID).unwrap().version, 1);
    // A published copy never replaces a version already known.
    let mut impostor = acceptance_form_v1();
    impostor.title = Text::new("冒充", "impostor");
    catalog.add(impostor);
    assert_eq!(
        catalog.get(ACCEPTANCE_FORM_ID, 1).unwrap(),
        &acceptance_form_v1()
    );
    assert!(FormCatalog::is_builtin(ACCEPTANCE_FORM_ID, 1));
    assert!(!FormCatalog::is_builtin(ACCEPTANCE_FORM_ID, 2));
}

#[test]
fn the_diff_names_what_was_added_changed_and_removed() {
    let v1 = acceptance_form_v1();
    let v2 = acceptance_form_v2_sample();
    let changes = diff(&v1, &v2);
    let find = |kind: ChangeKind, item: Option<&str>| {
        changes
            .iter()
            .find(|c| c.change == kind && c.item.as_deref() == item)
    };
    assert!(find(ChangeKind::Added, None).is_some_and(|c| c.section == "bought"));
    assert!(find(ChangeKind::Added, Some("bought_contract")).is_some());
    assert!(find(ChangeKind::Added, Some("photo_wall_cracks")).is_some());
    let walls = find(ChangeKind::Changed, Some("quality_walls")).unwrap();
    assert!(
        walls
            .details
            .iter()
            .any(|d| d.zh.contains("否决项：否 → 是"))
    );
    assert!(find(ChangeKind::Removed, None).is_none());
    // Nothing between a version and itself.
    assert!(diff(&v2, &v2).is_empty());
    // Backwards, the additions are removals.
    let back = diff(&v2, &v1);
    assert!(
        back.iter()
            .any(|c| c.change == ChangeKind::Removed && c.item.as_deref() == Some("bought_title"))
    );
    // Moving an item to another section says so.
    let mut moved = v1.clone();
    let item = moved.sections[0].items.remove(0);
    let key = item.key.clone();
    moved.sections[1].items.push(item);
    assert!(
        diff(&v1, &moved)
            .iter()
            .any(|c| c.change == ChangeKind::Moved && c.item.as_deref() == Some(key.as_str()))
    );
}

#[test]
fn a_later_form_version_keeps_the_policys_critical_items() {
    use crate::district_policy::DistrictPolicy;
    let policy = DistrictPolicy::default();
    let mut answers = FormAnswers::default();
    answers.set(
        "quality_safety_grade",
        Answer::Choice {
            selected: vec!["d".into()],
        },
    );
    let v1 = policy.critical_failures(ACCEPTANCE_FORM_ID, 1, &answers);
    assert!(!v1.is_empty());
    assert_eq!(
        policy.critical_failures(ACCEPTANCE_FORM_ID, 2, &answers),
        v1
    );
}

/// `docs/forms/acceptance-v2.json`, the example the district edits, is the sample itself
/// (`ANJU_BLESS=1 cargo test -p anju-core documented_example` rewrites it).
#[test]
fn the_documented_example_is_the_sample() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/forms/acceptance-v2.json"
    );
    let expected = serde_json::to_string_pretty(&acceptance_form_v2_sample()).unwrap() + "\n";
    if std::env::var_os("ANJU_BLESS").is_some() {
        std::fs::write(path, &expected).unwrap();
    }
    let file = std::fs::read_to_string(path).unwrap();
    assert_eq!(file, expected, "run with ANJU_BLESS=1 to rewrite {path}");
    assert_eq!(
        parse_form_file(file.as_bytes()).unwrap(),
        acceptance_form_v2_sample()
    );
}

//! Version 2 of the acceptance form as a district would publish it: what the demo
//! publishes and the tests use. It adds what version 1 cannot say:
//! - 分散购房: the purchase contract and the title, asked only of a scattered household that
//!   bought its house, with a photo of the contract shown under the contract item;
//! - a photo of the cracks, asked only when 墙体无开裂 is answered 否;
//! - 墙体 made a critical item (否决项) of the form itself.

use super::{
    ACCEPTANCE_FORM_ID, Condition, FormSchema, Item, ItemKind, Section, Text, YesNo,
    acceptance_form_v1,
};
use crate::model::{Department, PlacementKind, PlacementMode};

fn item(key: &str, zh: &str, en: &str, kind: ItemKind) -> Item {
    Item {
        key: key.into(),
        label: Text::new(zh, en),
        kind,
        required: true,
        help: None,
        relevant: None,
        critical: false,
        shown_under: None,
    }
}

pub fn acceptance_form_v2_sample() -> FormSchema {
    let mut form = acceptance_form_v1();
    debug_assert_eq!(form.id, ACCEPTANCE_FORM_ID);
    form.version = 2;
    let bought = Condition::Placement {
        mode: Some(PlacementMode::Scattered),
        kind: Some(PlacementKind::Bought),
    };
    let mut contract = item(
        "bought_contract",
        "购房合同已签订并备案",
        "Purchase contract signed and filed",
        ItemKind::YesNo {
            allow_not_applicable: false,
            problem_when: Some(YesNo::No),
        },
    );
    contract.relevant = Some(bought.clone());
    let mut title = item(
        "bought_title",
        "不动产权证已办理或在办",
        "Title deed issued or applied for",
        ItemKind::YesNo {
            allow_not_applicable: false,
            problem_when: Some(YesNo::No),
        },
    );
    title.relevant = Some(bought.clone());
    let mut contract_photo = item(
        "photo_bought_contract",
        "购房合同",
        "Purchase contract",
        ItemKind::Photos { min: 1, max: 2 },
    );
    contract_photo.relevant = Some(bought);
    contract_photo.shown_under = Some("bought_contract".into());
    let position = form
        .sections
        .iter()
        .position(|s| s.key == "quality")
        .unwrap_or(form.sections.len());
    form.sections.insert(
        position,
        Section {
            key: "bought".into(),
            title: Text::new("分散购房核实", "Bought house (scattered)"),
            department: Some(Department::Reform),
            items: vec![contract, title, contract_photo],
        },
    );
    let mut cracks = item(
        "photo_wall_cracks",
        "墙体裂缝照片",
        "Photo of the cracks",
        ItemKind::Photos { min: 1, max: 3 },
    );
    cracks.relevant = Some(Condition::Answered {
        item: "quality_walls".into(),
        is: YesNo::No,
    });
    cracks.shown_under = Some("quality_walls".into());
    for section in &mut form.sections {
        if section.key != "quality" {
            continue;
        }
        for existing in &mut section.items {
            if existing.key == "quality_walls" {
                existing.critical = true;
            }
        }
        if let Some(at) = section.items.iter().position(|i| i.key == "quality_walls") {
            section.items.insert(at + 1, cracks.clone());
        }
    }
    // Version 1 shows its photos under the items they prove through a table; a published
    // version says it in the photo items themselves.
    for placement in super::evidence_placement(&acceptance_form_v1()) {
        for section in &mut form.sections {
            for existing in &mut section.items {
                if existing.key == placement.photo {
                    existing.shown_under = Some(placement.item.clone());
                }
            }
        }
    }
    form
}

//! The old house after the move (旧房拆除, 宅基地复垦): version 1 of the two verification
//! forms. "应拆尽拆，具备复垦条件的全部复垦": each is verified on the spot by the land
//! office (国土局) with photos before and after taken from the same spot, and signed by the
//! household. The office moves the household's 已拆除 / 已复垦 milestone from a visit that
//! confirms it (`crate::visits`).

use super::builtin::{check, item, note, options, photos, section};
use super::{DEMOLITION_FORM_ID, FormSchema, ItemKind, RECLAMATION_FORM_ID, SignerRole, Text};
use crate::model::Department;

/// 旧房已拆除: 是 moves the household to 已拆除.
pub const DEMOLISHED_ITEM: &str = "old_house_demolished";
/// 宅基地已复垦: 是 moves the household to 已复垦.
pub const RECLAIMED_ITEM: &str = "homestead_reclaimed";
/// The photos before the work, and after it from the same spot.
pub const BEFORE_PHOTOS: &str = "photo_before";
pub const AFTER_PHOTOS: &str = "photo_after";

fn place_item(zh: &str, en: &str) -> super::Item {
    let mut place = item(
        "old_house_place",
        zh,
        en,
        ItemKind::Text {
            max_chars: 100,
            multiline: false,
        },
        true,
    );
    place.help = Some(Text::new(
        "村、组、门牌或明显参照物，便于复核时找到原址",
        "village, group, door number or a landmark, so the spot is found again",
    ));
    place
}

fn before_and_after(before: (&str, &str), after: (&str, &str)) -> Vec<super::Item> {
    let mut first = photos(BEFORE_PHOTOS, before.0, before.1, 1, 3);
    first.help = Some(Text::new(
        "选定一个能看清原址全貌的位置拍摄，并记住站立位置和朝向",
        "choose a spot that shows the whole site, and remember where you stood and faced",
    ));
    let mut second = photos(AFTER_PHOTOS, after.0, after.1, 1, 3);
    second.help = Some(Text::new(
        "站在拍前一组照片的同一位置、朝同一方向拍摄；办公室比对两组照片的定位",
        "stand where the first photos were taken, facing the same way; the office compares where both were taken",
    ));
    vec![first, second]
}

fn closing_sections() -> Vec<super::Section> {
    vec![
        section(
            "findings",
            "发现问题及整改",
            "Problems to rectify",
            None,
            vec![item(
                "findings",
                "问题清单",
                "Problems",
                ItemKind::Findings,
                false,
            )],
        ),
        section(
            "signatures",
            "签字确认",
            "Signatures",
            None,
            vec![
                item(
                    "sign_household_head",
                    "户主签字",
                    "Household head",
                    ItemKind::Signature {
                        signer: SignerRole::HouseholdHead,
                    },
                    true,
                ),
                item(
                    "sign_inspector",
                    "核实人员签字（国土）",
                    "Verified by (land office)",
                    ItemKind::Signature {
                        signer: SignerRole::Inspector(Department::Land),
                    },
                    true,
                ),
            ],
        ),
    ]
}

/// Version 1 of 旧房拆除核实表.
pub fn demolition_form_v1() -> FormSchema {
    let mut sections = vec![
        section(
            "old_house",
            "旧房拆除情况",
            "The old house",
            Some(Department::Land),
            vec![
                place_item("旧房位置", "Where the old house stood"),
                check(
                    "agreement_signed",
                    "已签订旧房拆除协议",
                    "The demolition agreement is signed",
                ),
                check(DEMOLISHED_ITEM, "旧房已拆除", "The old house is demolished"),
                check(
                    "rubble_cleared",
                    "建筑垃圾已清运",
                    "The rubble is cleared away",
                ),
            ],
        ),
        section(
            "photos",
            "拆除前后照片（同一位置）",
            "Before and after, from the same spot",
            Some(Department::Land),
            {
                let mut items = before_and_after(
                    ("拆除前（旧房原貌）", "Before: the old house"),
                    ("拆除后（同一位置）", "After: from the same spot"),
                );
                items.push(note("demolition_note", "说明", "Note"));
                items
            },
        ),
    ];
    sections.extend(closing_sections());
    FormSchema {
        id: DEMOLITION_FORM_ID.into(),
        version: 1,
        title: Text::new("旧房拆除核实表", "Old house demolition check"),
        sections,
    }
}

/// Version 1 of 宅基地复垦核实表.
pub fn reclamation_form_v1() -> FormSchema {
    let mut sections = vec![
        section(
            "homestead",
            "宅基地复垦情况",
            "The homestead",
            Some(Department::Land),
            vec![
                place_item("原宅基地位置", "Where the homestead is"),
                check(RECLAIMED_ITEM, "宅基地已复垦", "The homestead is reclaimed"),
                item(
                    "reclaimed_use",
                    "复垦用途",
                    "Reclaimed as",
                    ItemKind::Choice {
                        options: options(&[
                            ("farmland", "耕地", "Farmland"),
                            ("garden", "园地", "Orchard or garden"),
                            ("forest", "林地", "Woodland"),
                            ("other", "其他", "Other"),
                        ]),
                        multiple: false,
                    },
                    true,
                ),
                item(
                    "reclaimed_area",
                    "复垦面积",
                    "Area reclaimed",
                    ItemKind::Number {
                        unit: Text::new("平方米", "m²"),
                        min: 0.0,
                        max: 5000.0,
                        decimals: 1,
                    },
                    true,
                ),
            ],
        ),
        section(
            "photos",
            "复垦前后照片（同一位置）",
            "Before and after, from the same spot",
            Some(Department::Land),
            {
                let mut items = before_and_after(
                    ("复垦前（拆除后的宅基地）", "Before: the cleared homestead"),
                    ("复垦后（同一位置）", "After: from the same spot"),
                );
                items.push(note("reclamation_note", "说明", "Note"));
                items
            },
        ),
    ];
    sections.extend(closing_sections());
    FormSchema {
        id: RECLAMATION_FORM_ID.into(),
        version: 1,
        title: Text::new("宅基地复垦核实表", "Homestead reclamation check"),
        sections,
    }
}

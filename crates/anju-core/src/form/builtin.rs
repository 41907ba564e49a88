//! The forms themselves: the acceptance form (验收监督表) and the spot check (抽查复核),
//! version 1 of each, as the source document sets them out.

use super::{
    ACCEPTANCE_FORM_ID, ChoiceOption, DEMOLITION_FORM_ID, FormSchema, Item, ItemKind,
    MOVE_IN_FORM_ID, RECHECK_FORM_ID, RECLAMATION_FORM_ID, SPOT_CHECK_FORM_ID, Section, SignerRole,
    Text, YesNo,
};
use crate::model::Department;

pub(super) fn item(key: &str, zh: &str, en: &str, kind: ItemKind, required: bool) -> Item {
    Item {
        key: key.into(),
        label: Text::new(zh, en),
        kind,
        required,
        help: None,
        relevant: None,
        critical: false,
        shown_under: None,
    }
}

/// A yes/no check where "no" is a problem to rectify.
pub(super) fn check(key: &str, zh: &str, en: &str) -> Item {
    item(
        key,
        zh,
        en,
        ItemKind::YesNo {
            allow_not_applicable: false,
            problem_when: Some(YesNo::No),
        },
        true,
    )
}

/// A yes/no check that may not apply to every house.
fn check_or_na(key: &str, zh: &str, en: &str) -> Item {
    item(
        key,
        zh,
        en,
        ItemKind::YesNo {
            allow_not_applicable: true,
            problem_when: Some(YesNo::No),
        },
        true,
    )
}

pub(super) fn photos(key: &str, zh: &str, en: &str, min: u32, max: u32) -> Item {
    item(key, zh, en, ItemKind::Photos { min, max }, min > 0)
}

pub(super) fn options(pairs: &[(&str, &str, &str)]) -> Vec<ChoiceOption> {
    pairs
        .iter()
        .map(|(key, zh, en)| ChoiceOption {
            key: (*key).into(),
            label: Text::new(zh, en),
        })
        .collect()
}

pub(super) fn note(key: &str, zh: &str, en: &str) -> Item {
    item(
        key,
        zh,
        en,
        ItemKind::Text {
            max_chars: 500,
            multiline: true,
        },
        false,
    )
}

pub(super) fn section(
    key: &str,
    zh: &str,
    en: &str,
    department: Option<Department>,
    items: Vec<Item>,
) -> Section {
    Section {
        key: key.into(),
        title: Text::new(zh, en),
        department,
        items,
    }
}

/// The one inspector's signature of a visit (`sign_inspector`).
pub(super) fn inspector_signature(zh: &str, en: &str, department: Department) -> Item {
    item(
        "sign_inspector",
        zh,
        en,
        ItemKind::Signature {
            signer: SignerRole::Inspector(department),
        },
        true,
    )
}

/// 签字确认 with only the inspector's signature.
pub(super) fn inspector_signature_section(zh: &str, en: &str, department: Department) -> Section {
    section(
        "signatures",
        "签字确认",
        "Signatures",
        None,
        vec![inspector_signature(zh, en, department)],
    )
}

/// 发现问题及整改: the problems a visit found, each to be rectified by a deadline.
pub(super) fn findings_section() -> Section {
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
    )
}

/// Version 1 of the acceptance supervision form, after the sections of the district's
/// uniformly printed form: each department checks its part, the household gives its
/// opinion and signs, problems go to the township with a deadline.
pub fn acceptance_form_v1() -> FormSchema {
    use Department::*;
    FormSchema {
        id: ACCEPTANCE_FORM_ID.into(),
        version: 1,
        title: Text::new(
            "易地扶贫搬迁安置房验收监督表",
            "Relocation housing acceptance supervision form",
        ),
        sections: vec![
            section(
                "target",
                "对象精准",
                "Right household",
                Some(Poverty),
                vec![
                    check(
                        "target_registered",
                        "系建档立卡贫困户",
                        "Registered poor household",
                    ),
                    check(
                        "target_members_match",
                        "家庭成员与登记一致",
                        "Members match the registry",
                    ),
                    item(
                        "target_people_present",
                        "实际家庭人口",
                        "People in the household",
                        ItemKind::Number {
                            unit: Text::new("人", "people"),
                            min: 1.0,
                            max: 20.0,
                            decimals: 0,
                        },
                        true,
                    ),
                    note("target_note", "说明", "Note"),
                ],
            ),
            section(
                "area",
                "住房面积",
                "Floor area",
                Some(Reform),
                vec![
                    item(
                        "area_measurement",
                        "实测建筑面积",
                        "Measured built area",
                        ItemKind::AreaMeasurement,
                        true,
                    ),
                    note("area_note", "说明", "Note"),
                ],
            ),
            section(
                "quality",
                "房屋建设质量",
                "Construction quality",
                Some(Housing),
                vec![
                    item(
                        "quality_structure",
                        "结构类型",
                        "Structure",
                        ItemKind::Choice {
                            options: options(&[
                                ("brick_concrete", "砖混", "brick and concrete"),
                                ("frame", "框架", "concrete frame"),
                                ("steel", "轻钢", "light steel"),
                                ("other", "其他", "other"),
                            ]),
                            multiple: false,
                        },
                        true,
                    ),
                    check(
                        "quality_walls",
                        "墙体无开裂、无倾斜",
                        "Walls without cracks or tilt",
                    ),
                    check("quality_roof", "屋面无渗漏", "Roof without leaks"),
                    check(
                        "quality_doors_windows",
                        "门窗齐全完好",
                        "Doors and windows complete and sound",
                    ),
                    item(
                        "quality_safety_grade",
                        "房屋安全等级",
                        "Safety grade",
                        ItemKind::Choice {
                            options: options(&[
                                ("a", "A级（安全）", "A (safe)"),
                                ("b", "B级（基本安全）", "B (basically safe)"),
                                ("c", "C级（局部危险）", "C (partly dangerous)"),
                                ("d", "D级（整体危险）", "D (dangerous)"),
                            ]),
                            multiple: false,
                        },
                        true,
                    ),
                    note("quality_defects", "可见缺陷", "Visible defects"),
                ],
            ),
            section(
                "move_in",
                "入住条件",
                "Move-in conditions",
                Some(Reform),
                vec![
                    check("move_in_water", "水已入户", "Water connected"),
                    check("move_in_power", "电已入户", "Electricity connected"),
                    check("move_in_road", "门前道路通畅", "Road to the door"),
                    check("move_in_drainage", "排水通畅", "Drainage"),
                    check("move_in_kitchen", "厨房可用", "Usable kitchen"),
                    check("move_in_toilet", "卫生间可用", "Usable toilet"),
                    check(
                        "move_in_rooms",
                        "房屋功能划分合理",
                        "Rooms divided by function",
                    ),
                    check_or_na("move_in_keys", "钥匙已交付", "Keys handed over"),
                    check_or_na("move_in_living", "已实际入住", "Actually living there"),
                ],
            ),
            section(
                "site",
                "选址",
                "Site",
                Some(Land),
                vec![
                    check(
                        "site_no_geohazard",
                        "无地质灾害隐患",
                        "No geological hazard",
                    ),
                    check("site_no_flood", "不受洪涝威胁", "No flood risk"),
                    check("site_access", "交通便利", "Easy access"),
                ],
            ),
            section(
                "funding",
                "自筹资金",
                "Self-funding",
                Some(Reform),
                vec![item(
                    "funding_self_yuan",
                    "农户自筹金额",
                    "Household's own money",
                    ItemKind::Number {
                        unit: Text::new("元", "yuan"),
                        min: 0.0,
                        max: 1_000_000.0,
                        decimals: 0,
                    },
                    true,
                )],
            ),
            section(
                "old_house",
                "旧房拆除与复垦",
                "Old house",
                Some(Land),
                vec![
                    check(
                        "old_house_agreement",
                        "已签订旧房拆除协议",
                        "Demolition agreement signed",
                    ),
                    check_or_na("old_house_demolished", "旧房已拆除", "Old house demolished"),
                    check_or_na(
                        "old_house_reclaimed",
                        "宅基地已复垦",
                        "Old homestead reclaimed",
                    ),
                ],
            ),
            section(
                "opinions",
                "搬迁户意见",
                "The household's opinion",
                None,
                vec![
                    item(
                        "opinion_satisfaction",
                        "满意程度",
                        "Satisfaction",
                        ItemKind::Choice {
                            options: options(&[
                                ("satisfied", "满意", "satisfied"),
                                ("mostly", "基本满意", "mostly satisfied"),
                                ("unsatisfied", "不满意", "not satisfied"),
                            ]),
                            multiple: false,
                        },
                        true,
                    ),
                    note("opinion_text", "意见建议", "Opinions and suggestions"),
                ],
            ),
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
                "photos",
                "照片",
                "Photos",
                None,
                vec![
                    photos("photo_front", "房屋正面", "House front", 1, 3),
                    photos(
                        "photo_household",
                        "搬迁户与新房合影",
                        "Household with the house",
                        1,
                        2,
                    ),
                    photos("photo_rooms", "各房间", "Each room", 2, 8),
                    photos("photo_kitchen", "厨房", "Kitchen", 1, 2),
                    photos("photo_toilet", "卫生间", "Toilet", 1, 2),
                    photos(
                        "photo_water_power",
                        "水电入户",
                        "Water and power connections",
                        1,
                        3,
                    ),
                    photos("photo_old_house", "旧房", "Old house", 1, 3),
                ],
            ),
            section(
                "signatures",
                "签字确认",
                "Signatures",
                None,
                vec![
                    item(
                        "sign_household_head",
                        "户主签字（或按手印、亲属代签）",
                        "Head of household (or thumbprint, or a relative)",
                        ItemKind::Signature {
                            signer: SignerRole::HouseholdHead,
                        },
                        true,
                    ),
                    item(
                        "sign_poverty",
                        "扶贫办验收人",
                        "Poverty office inspector",
                        ItemKind::Signature {
                            signer: SignerRole::Inspector(Poverty),
                        },
                        true,
                    ),
                    item(
                        "sign_reform",
                        "发改委验收人",
                        "Development and reform inspector",
                        ItemKind::Signature {
                            signer: SignerRole::Inspector(Reform),
                        },
                        true,
                    ),
                    item(
                        "sign_land",
                        "国土局验收人",
                        "Land and resources inspector",
                        ItemKind::Signature {
                            signer: SignerRole::Inspector(Land),
                        },
                        true,
                    ),
                    item(
                        "sign_housing",
                        "住建局验收人",
                        "Housing and construction inspector",
                        ItemKind::Signature {
                            signer: SignerRole::Inspector(Housing),
                        },
                        true,
                    ),
                ],
            ),
        ],
    }
}

/// Version 1 of the spot check (督查抽查): re-measure the floor area and compare.
pub fn spot_check_form_v1() -> FormSchema {
    FormSchema {
        id: SPOT_CHECK_FORM_ID.into(),
        version: 1,
        title: Text::new(
            "安置房面积抽查丈量表",
            "Spot check: floor area re-measurement",
        ),
        sections: vec![
            section(
                "area",
                "实地丈量",
                "Measurement",
                Some(Department::Reform),
                vec![
                    item(
                        "area_measurement",
                        "实测建筑面积",
                        "Measured built area",
                        ItemKind::AreaMeasurement,
                        true,
                    ),
                    note("area_note", "说明", "Note"),
                    photos("photo_front", "房屋正面", "House front", 1, 3),
                ],
            ),
            findings_section(),
            inspector_signature_section("督查人员签字", "Inspector", Department::Reform),
        ],
    }
}

/// The form a submission names, if this build knows it.
pub fn form_by_id(id: &str, version: u32) -> Option<FormSchema> {
    match (id, version) {
        (ACCEPTANCE_FORM_ID, 1) => Some(acceptance_form_v1()),
        (SPOT_CHECK_FORM_ID, 1) => Some(spot_check_form_v1()),
        (DEMOLITION_FORM_ID, 1) => Some(super::demolition_form_v1()),
        (RECLAMATION_FORM_ID, 1) => Some(super::reclamation_form_v1()),
        (RECHECK_FORM_ID, 1) => Some(super::recheck_form_v1()),
        (MOVE_IN_FORM_ID, 1) => Some(super::move_in_form_v1()),
        (super::GROUNDBREAKING_FORM_ID, 1) => Some(super::groundbreaking_form_v1()),
        (super::PROGRESS_FORM_ID, 1) => Some(super::progress_form_v1()),
        (super::AREA_INSPECTION_FORM_ID, 1) => Some(super::area_inspection_form_v1()),
        (super::TOWNSHIP_CHECK_FORM_ID, 1) => Some(super::township_check_form_v1()),
        _ => None,
    }
}

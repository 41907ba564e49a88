//! 面积丈量督查 and 乡镇初验: version 1 of two visits of the field cycle before the district's
//! acceptance. The 面积丈量督查 (the May inspection) measures a house while it is built, so
//! that a house growing past its cap is found while it can still be changed: the office judges
//! its area as it judges an acceptance's and raises 面积超标. The 乡镇初验 is the township's own
//! acceptance before it asks the district for its: its verdict says whether the house is ready.

use super::TOWNSHIP_CHECK_FORM_ID;
use super::builtin::{
    check, findings_section, inspector_signature_section, item, note, options, photos, section,
};
use super::{AREA_INSPECTION_FORM_ID, AREA_ITEM, FormSchema, ItemKind, Text};
use crate::model::Department;

/// The photos of the house being measured.
pub const AREA_INSPECTION_PHOTOS: &str = "photo_measuring";
/// 初验结论: `pass` (初验合格，报请区级验收) or `rectify` (整改后复验).
pub const TOWNSHIP_VERDICT_ITEM: &str = "township_verdict";
pub const TOWNSHIP_PHOTOS: &str = "photo_front";

/// What a 乡镇初验 concluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TownshipVerdict {
    /// 初验合格: the township asks the district to accept the house.
    Pass,
    /// 需整改: the house is not ready; the township checks it again.
    Rectify,
}

impl TownshipVerdict {
    pub fn code(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Rectify => "rectify",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [Self::Pass, Self::Rectify]
            .into_iter()
            .find(|v| v.code() == code)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Pass => "初验合格，报请区级验收",
            Self::Rectify => "需整改后复验",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Self::Pass => "passed; the district is asked to accept",
            Self::Rectify => "to be rectified and checked again",
        }
    }
}

/// Version 1 of 在建房屋面积丈量督查表.
pub fn area_inspection_form_v1() -> FormSchema {
    FormSchema {
        id: AREA_INSPECTION_FORM_ID.into(),
        version: 1,
        title: Text::new(
            "在建房屋面积丈量督查表",
            "Floor area inspection while building",
        ),
        sections: vec![
            section(
                "area",
                "在建房屋丈量",
                "Measuring the house being built",
                Some(Department::Reform),
                vec![
                    item(
                        AREA_ITEM,
                        "实测建筑面积",
                        "Measured built area",
                        ItemKind::AreaMeasurement,
                        true,
                    ),
                    check(
                        "built_as_approved",
                        "按批准的户型和面积施工",
                        "Built to the approved plan and area",
                    ),
                    photos(
                        AREA_INSPECTION_PHOTOS,
                        "丈量现场照片",
                        "Measuring on site",
                        1,
                        3,
                    ),
                    note("area_note", "说明", "Note"),
                ],
            ),
            findings_section(),
            inspector_signature_section("督查人员签字", "Inspector", Department::Reform),
        ],
    }
}

/// Version 1 of 乡镇初验表.
pub fn township_check_form_v1() -> FormSchema {
    let verdicts: Vec<(&str, &str, &str)> = [TownshipVerdict::Pass, TownshipVerdict::Rectify]
        .iter()
        .map(|v| (v.code(), v.label_zh(), v.label_en()))
        .collect();
    FormSchema {
        id: TOWNSHIP_CHECK_FORM_ID.into(),
        version: 1,
        title: Text::new(
            "易地扶贫搬迁安置房乡镇初验表",
            "Township preliminary acceptance",
        ),
        sections: vec![
            section(
                "completion",
                "竣工与质量",
                "Completion and quality",
                Some(Department::Housing),
                vec![
                    check("house_completed", "房屋已竣工", "The house is finished"),
                    check(
                        "structure_sound",
                        "主体结构、屋面、门窗无明显质量问题",
                        "Structure, roof, doors and windows without visible defects",
                    ),
                    check(
                        "utilities_connected",
                        "水、电已入户",
                        "Water and power connected",
                    ),
                ],
            ),
            section(
                "area",
                "面积",
                "Floor area",
                Some(Department::Reform),
                vec![item(
                    AREA_ITEM,
                    "实测建筑面积",
                    "Measured built area",
                    ItemKind::AreaMeasurement,
                    true,
                )],
            ),
            section(
                "verdict",
                "初验结论",
                "Verdict",
                None,
                vec![
                    item(
                        TOWNSHIP_VERDICT_ITEM,
                        "初验结论",
                        "Verdict",
                        ItemKind::Choice {
                            options: options(&verdicts),
                            multiple: false,
                        },
                        true,
                    ),
                    photos(TOWNSHIP_PHOTOS, "房屋正面", "House front", 1, 3),
                    note("verdict_note", "说明", "Note"),
                ],
            ),
            findings_section(),
            inspector_signature_section(
                "乡镇初验人员签字",
                "Township inspector",
                Department::Housing,
            ),
        ],
    }
}

/// The verdict a 乡镇初验's answers give.
pub fn township_verdict(answers: &super::FormAnswers) -> Option<TownshipVerdict> {
    match answers.get(TOWNSHIP_VERDICT_ITEM) {
        Some(super::Answer::Choice { selected }) => selected
            .first()
            .and_then(|code| TownshipVerdict::from_code(code)),
        _ => None,
    }
}

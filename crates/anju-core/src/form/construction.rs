//! 开工放线 and 建设进度: version 1 of the two visits made while a new house is built. The
//! 开工放线 says the house was laid out where planned and building began; each 建设进度 says
//! which stage the house reached (`crate::construction`), with a photo, so that the office
//! can set its site's progress against the site's monthly plan.

use super::builtin::{check, inspector_signature_section, item, note, options, photos, section};
use super::{FormSchema, GROUNDBREAKING_FORM_ID, ItemKind, PROGRESS_FORM_ID, Text};
use crate::construction::ConstructionStage;
use crate::model::Department;

/// 已开工: 是 means the house is at its foundations.
pub const GROUNDBREAKING_STARTED_ITEM: &str = "construction_started";
pub const LAYOUT_PHOTOS: &str = "photo_layout";
/// The stage the house reached.
pub const PROGRESS_STAGE_ITEM: &str = "construction_stage";
pub const PROGRESS_PHOTOS: &str = "photo_progress";

/// Version 1 of 开工放线核查表.
pub fn groundbreaking_form_v1() -> FormSchema {
    FormSchema {
        id: GROUNDBREAKING_FORM_ID.into(),
        version: 1,
        title: Text::new("开工放线核查表", "Groundbreaking and layout check"),
        sections: vec![
            section(
                "layout",
                "放线与开工",
                "Layout and start",
                Some(Department::Land),
                vec![
                    check(
                        "laid_out_as_planned",
                        "按规划选址放线",
                        "Laid out where the plan puts it",
                    ),
                    check(
                        "area_within_plan",
                        "放线面积不超过批准面积",
                        "Laid-out area within the approved area",
                    ),
                    item(
                        GROUNDBREAKING_STARTED_ITEM,
                        "已开工",
                        "Building has started",
                        ItemKind::YesNo {
                            allow_not_applicable: false,
                            problem_when: None,
                        },
                        true,
                    ),
                    photos(LAYOUT_PHOTOS, "放线现场照片", "The layout on site", 1, 3),
                    note("layout_note", "说明", "Note"),
                ],
            ),
            inspector_signature_section("检查人员签字", "Checked by", Department::Land),
        ],
    }
}

/// Version 1 of 建设进度检查表.
pub fn progress_form_v1() -> FormSchema {
    let stages: Vec<(&str, &str, &str)> = ConstructionStage::ALL
        .iter()
        .map(|s| (s.code(), s.label_zh(), s.label_en()))
        .collect();
    FormSchema {
        id: PROGRESS_FORM_ID.into(),
        version: 1,
        title: Text::new("建设进度检查表", "Building progress check"),
        sections: vec![
            section(
                "progress",
                "建设进度",
                "Progress",
                Some(Department::Housing),
                vec![
                    item(
                        PROGRESS_STAGE_ITEM,
                        "当前进度",
                        "Stage reached",
                        ItemKind::Choice {
                            options: options(&stages),
                            multiple: false,
                        },
                        true,
                    ),
                    check(
                        "quality_on_site",
                        "施工质量、安全无明显问题",
                        "No visible quality or safety problem",
                    ),
                    photos(PROGRESS_PHOTOS, "施工现场照片", "The building site", 1, 3),
                    note("progress_note", "说明", "Note"),
                ],
            ),
            inspector_signature_section("检查人员签字", "Checked by", Department::Housing),
        ],
    }
}

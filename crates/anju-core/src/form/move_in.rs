//! 入住核实: version 1 of the move-in check. "先验收、后入住": once the district has accepted
//! the new house, an inspector confirms on the spot that the household lives in it and can
//! (water and power, kitchen and toilet in use); the office then records 已入住 on the visit's
//! date (`crate::office::check_move_in`).

use super::builtin::{check, item, note, photos, section};
use super::{FormSchema, ItemKind, MOVE_IN_FORM_ID, SignerRole, Text};
use crate::model::Department;

/// 已实际入住: 是 moves the household to 已入住.
pub const MOVED_IN_ITEM: &str = "moved_in";
/// The home lived in.
pub const MOVE_IN_PHOTOS: &str = "photo_living";

/// Version 1 of 入住核实表.
pub fn move_in_form_v1() -> FormSchema {
    let mut living = photos(MOVE_IN_PHOTOS, "入住后室内照片", "Inside, lived in", 1, 3);
    living.help = Some(Text::new(
        "拍摄家具、生活用品已搬入的房间",
        "a room with the household's furniture and belongings",
    ));
    FormSchema {
        id: MOVE_IN_FORM_ID.into(),
        version: 1,
        title: Text::new("入住核实表", "Move-in check"),
        sections: vec![
            section(
                "move_in",
                "入住情况",
                "Living there",
                Some(Department::Reform),
                vec![
                    check(MOVED_IN_ITEM, "已实际入住", "The household lives there"),
                    check("water_power_used", "水电正常使用", "Water and power in use"),
                    check(
                        "kitchen_toilet_used",
                        "厨房、厕所正常使用",
                        "Kitchen and toilet in use",
                    ),
                    living,
                    note("move_in_note", "说明", "Note"),
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
                        "户主签字",
                        "Household head",
                        ItemKind::Signature {
                            signer: SignerRole::HouseholdHead,
                        },
                        true,
                    ),
                    item(
                        "sign_inspector",
                        "核实人员签字（发改）",
                        "Verified by (development and reform)",
                        ItemKind::Signature {
                            signer: SignerRole::Inspector(Department::Reform),
                        },
                        true,
                    ),
                ],
            ),
        ],
    }
}

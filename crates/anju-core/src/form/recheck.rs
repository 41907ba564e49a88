//! 整改复查: version 1 of the re-check form. After the township reports a finding rectified,
//! an inspector goes back and confirms it on the spot, with a photo from where the problem
//! was seen; only then does the district close it without a written reason.

use super::builtin::{check, note, photos, section};
use super::{FormSchema, RECHECK_FORM_ID, Text};
use crate::model::Department;

/// 整改已到位: 是 confirms the rectification, 否 sends the finding back.
pub const RECTIFIED_ITEM: &str = "rectified_on_site";
/// The photo of the problem's place now.
pub const RECHECK_PHOTOS: &str = "photo_recheck";

/// Version 1 of 整改复查表.
pub fn recheck_form_v1() -> FormSchema {
    let mut photo = photos(
        RECHECK_PHOTOS,
        "复查照片（与原问题同一位置）",
        "Photo now, from where the problem was seen",
        1,
        3,
    );
    photo.help = Some(Text::new(
        "在原问题照片的同一位置、朝同一方向拍摄，办公室将两张照片并排比对",
        "stand where the problem was photographed, facing the same way: the office sets both side by side",
    ));
    let mut confirmed = check(RECTIFIED_ITEM, "整改已到位", "The rectification is done");
    confirmed.help = Some(Text::new(
        "选“否”并写明仍存在的问题，此问题退回乡镇重新整改",
        "answer no and say what remains: the finding goes back to the township",
    ));
    FormSchema {
        id: RECHECK_FORM_ID.into(),
        version: 1,
        title: Text::new("整改复查表", "Re-check of a rectification"),
        sections: vec![
            section(
                "recheck",
                "现场复查",
                "On the spot",
                None,
                vec![confirmed, photo, note("recheck_note", "复查说明", "Note")],
            ),
            super::builtin::inspector_signature_section(
                "复查人员签字",
                "Re-checked by",
                Department::Poverty,
            ),
        ],
    }
}

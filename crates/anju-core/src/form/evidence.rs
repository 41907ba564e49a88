//! Which photo slot proves which item: presentation data beside the forms, not in them.
//!
//! The forms keep their photo items in their 照片 section: version 1 of the acceptance
//! form is what stored submissions were filled against, and its canonical JSON (and so
//! its hash) must not change. The screen still wants the kitchen photo next to 厨房可用,
//! so this table says where each photo slot is shown. It is keyed by form id and version:
//! a later form version gets its own row and never inherits a placement by accident; a
//! version the district publishes says it in its photo items (`shown_under`).

use serde::{Deserialize, Serialize};

use super::{ACCEPTANCE_FORM_ID, FormSchema, ItemKind, SPOT_CHECK_FORM_ID};

/// A photo slot shown right under the item it proves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EvidencePlacement {
    /// The item the photos prove (e.g. `move_in_kitchen`).
    pub item: String,
    /// The photo item shown under it (e.g. `photo_kitchen`).
    pub photo: String,
}

/// (form id, version, [(item, photo)]), in the order the photos are shown under an item.
type Row = (&'static str, u32, &'static [(&'static str, &'static str)]);

const PLACEMENTS: &[Row] = &[
    (
        ACCEPTANCE_FORM_ID,
        1,
        &[
            // The household photographed with its new house: these are the people registered.
            ("target_members_match", "photo_household"),
            // The front of the house shows its walls standing straight and whole.
            ("quality_walls", "photo_front"),
            // One photo of the meters and taps proves both connections; shown after the second.
            ("move_in_power", "photo_water_power"),
            ("move_in_kitchen", "photo_kitchen"),
            ("move_in_toilet", "photo_toilet"),
            ("move_in_rooms", "photo_rooms"),
            ("old_house_demolished", "photo_old_house"),
        ],
    ),
    (
        SPOT_CHECK_FORM_ID,
        1,
        // The house the re-measure was made at.
        &[("area_measurement", "photo_front")],
    ),
];

fn rows_for(form: &FormSchema) -> &'static [(&'static str, &'static str)] {
    PLACEMENTS
        .iter()
        .find(|(id, version, _)| *id == form.id && *version == form.version)
        .map_or(&[], |(_, _, pairs)| pairs)
}

/// Where `form`'s photo slots are shown: each pair names an item and the photo item placed
/// under it. Only pairs whose item exists and whose photo is a photo item of this form are
/// returned, so a screen can rely on every key; unplaced photo items stay where they are.
/// A published version carries its own placement (`shown_under` on its photo items).
pub fn evidence_placement(form: &FormSchema) -> Vec<EvidencePlacement> {
    let published: Vec<(&str, &str)> = form
        .items()
        .filter_map(|(_, i)| {
            i.shown_under
                .as_deref()
                .map(|under| (under, i.key.as_str()))
        })
        .collect();
    let pairs: Vec<(&str, &str)> = if published.is_empty() {
        rows_for(form).to_vec()
    } else {
        published
    };
    pairs
        .iter()
        .filter(|(item, photo)| {
            let item_ok = form
                .item(item)
                .is_some_and(|(_, i)| !matches!(i.kind, ItemKind::Photos { .. }));
            let photo_ok = form
                .item(photo)
                .is_some_and(|(_, i)| matches!(i.kind, ItemKind::Photos { .. }));
            item_ok && photo_ok
        })
        .map(|(item, photo)| EvidencePlacement {
            item: (*item).to_string(),
            photo: (*photo).to_string(),
        })
        .collect()
}

/// The photo a filled form showed of a problem with `item`: the first of the photo item
/// placed under it (`evidence_placement`). What a 整改复查 is set beside.
pub fn first_evidence_photo(
    form: &FormSchema,
    answers: &super::FormAnswers,
    item: &str,
) -> Option<String> {
    evidence_placement(form)
        .into_iter()
        .filter(|p| p.item == item)
        .find_map(|p| match answers.get(&p.photo) {
            Some(super::Answer::Photos { sha256 }) => sha256.first().cloned(),
            _ => None,
        })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::form::{acceptance_form_v1, form_by_id, spot_check_form_v1};

    /// The table itself, not the filtered result: a typo in a key must fail here rather
    /// than silently leave a photo at the end of the form.
    #[test]
    fn every_row_names_items_of_its_form_and_photos_are_photo_items() {
        for (id, version, pairs) in PLACEMENTS {
            let form = form_by_id(id, *version).expect("the table names a known form");
            let mut photos = BTreeSet::new();
            for (item, photo) in pairs.iter() {
                let (_, proved) = form
                    .item(item)
                    .unwrap_or_else(|| panic!("{id} has no {item}"));
                assert!(
                    !matches!(proved.kind, ItemKind::Photos { .. }),
                    "{item} is itself a photo item"
                );
                let (section, slot) = form
                    .item(photo)
                    .unwrap_or_else(|| panic!("{id} has no {photo}"));
                assert!(
                    matches!(slot.kind, ItemKind::Photos { .. }),
                    "{photo} is not a photo item"
                );
                // The acceptance form keeps its photos in the 照片 section (the placement
                // moves them on screen only).
                if *id == ACCEPTANCE_FORM_ID {
                    assert_eq!(section.key, "photos");
                }
                assert!(photos.insert(*photo), "{photo} is placed twice");
            }
            assert_eq!(evidence_placement(&form).len(), pairs.len());
        }
    }

    #[test]
    fn the_acceptance_form_shows_every_photo_next_to_what_it_proves() {
        let form = acceptance_form_v1();
        let placed = evidence_placement(&form);
        let pair = |item: &str, photo: &str| EvidencePlacement {
            item: item.into(),
            photo: photo.into(),
        };
        assert!(placed.contains(&pair("move_in_kitchen", "photo_kitchen")));
        assert!(placed.contains(&pair("move_in_toilet", "photo_toilet")));
        assert!(placed.contains(&pair("move_in_power", "photo_water_power")));
        assert!(placed.contains(&pair("old_house_demolished", "photo_old_house")));
        let placed_photos: BTreeSet<&str> = placed.iter().map(|p| p.photo.as_str()).collect();
        let all_photos: BTreeSet<&str> = form
            .items()
            .filter(|(_, i)| matches!(i.kind, ItemKind::Photos { .. }))
            .map(|(_, i)| i.key.as_str())
            .collect();
        assert_eq!(placed_photos, all_photos);
        assert_eq!(
            evidence_placement(&spot_check_form_v1()),
            vec![pair("area_measurement", "photo_front")]
        );
    }

    #[test]
    fn an_unknown_form_or_version_places_nothing() {
        let mut form = acceptance_form_v1();
        form.version = 2;
        assert!(evidence_placement(&form).is_empty());
        form.version = 1;
        form.id = "other".into();
        assert!(evidence_placement(&form).is_empty());
    }

    #[test]
    fn a_pair_whose_keys_the_form_lacks_is_left_out() {
        let mut form = acceptance_form_v1();
        for section in &mut form.sections {
            section.items.retain(|i| i.key != "photo_kitchen");
        }
        let placed = evidence_placement(&form);
        assert!(placed.iter().all(|p| p.photo != "photo_kitchen"));
        assert_eq!(placed.len(), 6);
    }
}

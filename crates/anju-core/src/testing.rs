//! What this crate's unit tests build their records from: a one-storey house, and an
//! acceptance form filled in completely and correctly and signed.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::area::{AreaRule, HouseMeasurement, MeasuredPart, Shape};
use crate::form::{Answer, FormAnswers, ItemKind, PEOPLE_PRESENT_ITEM, YesNo, acceptance_form_v1};
use crate::hash::sha256_hex;
use crate::model::{SignatureMeta, SignatureMethod};

/// A rectangle of `length_mm` × `width_mm`, one storey of 2.90 m.
pub(crate) fn one_storey(length_mm: i64, width_mm: i64) -> HouseMeasurement {
    HouseMeasurement {
        parts: vec![MeasuredPart {
            label: "一层主体".into(),
            storey: 1,
            shape: Shape::Rectangle {
                length_mm,
                width_mm,
            },
            voids: vec![],
            rule: AreaRule::Storey { height_mm: 2_900 },
        }],
    }
}

/// The household head's signature (or another slot's) over the answers as they are now.
pub(crate) fn signature(
    answers: &FormAnswers,
    slot: &str,
    method: SignatureMethod,
    signed_at: DateTime<Utc>,
) -> Answer {
    Answer::Signature {
        signature: SignatureMeta {
            id: Uuid::now_v7(),
            slot: slot.into(),
            signer_name: "郑怀圣".into(),
            method,
            image_sha256: sha256_hex(slot.as_bytes()),
            signed_content_sha256: answers.signable_sha256().unwrap(),
            signed_at,
            signer: None,
        },
    }
}

/// The acceptance form filled in completely and correctly for `house`, with `people`
/// found on site, every other number 3 above its least, and every slot signed.
pub(crate) fn filled_acceptance(
    house: &HouseMeasurement,
    people: f64,
    signed_at: DateTime<Utc>,
) -> FormAnswers {
    let form = acceptance_form_v1();
    let mut answers = FormAnswers::default();
    let mut photos = 0u32;
    let mut slots = Vec::new();
    for (_, item) in form.items() {
        let answer = match &item.kind {
            ItemKind::YesNo { .. } => Answer::YesNo {
                value: YesNo::Yes,
                note: None,
            },
            ItemKind::Number { .. } if item.key == PEOPLE_PRESENT_ITEM => {
                Answer::Number { value: people }
            }
            ItemKind::Number { min, .. } => Answer::Number { value: min + 3.0 },
            ItemKind::Choice { options, .. } => Answer::Choice {
                selected: vec![options[0].key.clone()],
            },
            ItemKind::Text { .. } => Answer::Text {
                value: "无".into()
            },
            ItemKind::Photos { min, .. } => Answer::Photos {
                sha256: (0..*min)
                    .map(|_| {
                        photos += 1;
                        sha256_hex(&photos.to_le_bytes())
                    })
                    .collect(),
            },
            ItemKind::AreaMeasurement => Answer::Area {
                measurement: house.clone(),
            },
            ItemKind::Findings => Answer::Findings { items: vec![] },
            ItemKind::Signature { .. } => {
                slots.push(item.key.clone());
                continue;
            }
        };
        answers.set(item.key.clone(), answer);
    }
    for slot in slots {
        let signed = signature(&answers, &slot, SignatureMethod::Handwritten, signed_at);
        answers.set(slot, signed);
    }
    answers
}

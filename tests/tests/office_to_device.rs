//! Across crates: the office's demo households reach a device store, an inspector fills
//! and submits the whole acceptance form for 郑怀圣, and the device's outbox holds the
//! evidence and the submission in the order the office needs them.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use anju_core::area::{AreaRule, HouseMeasurement, MeasuredPart, Shape, assess};
use anju_core::form::{Answer, FormContext, ItemKind, YesNo, acceptance_form_v1};
use anju_core::hash::sha256_hex;
use anju_core::model::{
    ClockReading, HouseholdStatus, SignatureMeta, SignatureMethod, SubmissionKind,
};
use anju_core::policy::{PolicyContext, PolicyTable};
use anju_core::records::check_before_submitting;
use anju_office::db::OfficeDb;
use anju_store::{HouseholdQuery, NewPhoto, RecordKind, Store, SubmissionDetails};
use chrono::Utc;
use uuid::Uuid;

fn house() -> HouseMeasurement {
    HouseMeasurement {
        parts: vec![
            MeasuredPart {
                label: "一层主体".into(),
                storey: 1,
                shape: Shape::Rectangle {
                    length_mm: 10_000,
                    width_mm: 8_000,
                },
                voids: vec![],
                rule: AreaRule::Storey { height_mm: 3_000 },
            },
            MeasuredPart {
                label: "挑阳台".into(),
                storey: 1,
                shape: Shape::Rectangle {
                    length_mm: 3_000,
                    width_mm: 1_200,
                },
                voids: vec![],
                rule: AreaRule::BalconyOutside,
            },
        ],
    }
}

#[test]
fn demo_households_are_inspected_on_a_device() {
    let office_dir = anju_office::testing::data_dir();
    let mut office = OfficeDb::create(office_dir.path()).unwrap();
    anju_office::demo::load(&mut office).unwrap();
    let assigned = office.households(Some("东河口镇")).unwrap();
    assert_eq!(assigned.len(), 14);
    assert_eq!(assigned.iter().map(|h| h.size).sum::<u32>(), 45);

    let device_dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(device_dir.path()).unwrap();
    store.upsert_households(&assigned, &[], 1).unwrap();
    let counts = store.count_by_status(&HouseholdQuery::default()).unwrap();
    assert_eq!((counts.total, counts.to_inspect), (14, 14));

    let found = store
        .search(&HouseholdQuery {
            text: Some("郑怀圣".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(found.len(), 1);
    let zheng = store.household(found[0].id).unwrap().unwrap();
    assert_eq!((zheng.village.as_str(), zheng.size), ("长岭村", 4));

    // 80 m² + half of a 3.6 m² outside balcony = 81.80 m² for 4 people: within 100 m².
    let policy = PolicyTable::default();
    let assessment = assess(&house(), zheng.size, &policy, &PolicyContext::default()).unwrap();
    assert_eq!(assessment.built_area.to_m2_string(), "81.80");
    assert!(!assessment.is_over());

    // Fill every item of the acceptance form, as the app will.
    let form = acceptance_form_v1();
    let draft = store
        .open_draft(zheng.id, SubmissionKind::Acceptance)
        .unwrap();
    let mut photo_index = 0u32;
    for (_, item) in form.items() {
        let answer = match &item.kind {
            ItemKind::YesNo { .. } => Answer::YesNo {
                value: YesNo::Yes,
                note: None,
            },
            ItemKind::Number { min, .. } => Answer::Number { value: *min + 3.0 },
            ItemKind::Choice { options, .. } => Answer::Choice {
                selected: vec![options[0].key.clone()],
            },
            ItemKind::Text { .. } => Answer::Text {
                value: "房子很好，谢谢政府".into(),
            },
            ItemKind::Photos { min, .. } => {
                let mut hashes = Vec::new();
                for _ in 0..*min {
                    photo_index += 1;
                    let meta = store
                        .add_photo(
                            format!("photo {photo_index}").as_bytes(),
                            NewPhoto {
                                household_id: zheng.id,
                                slot: item.key.clone(),
                                width: 1600,
                                height: 1200,
                                taken: ClockReading {
                                    device_time: Utc::now(),
                                    trusted_time: None,
                                    offset_ms: None,
                                },
                                latitude: None,
                                longitude: None,
                                fix: None,
                                source: None,
                                camera_time: None,
                            },
                        )
                        .unwrap();
                    hashes.push(meta.sha256);
                }
                Answer::Photos { sha256: hashes }
            }
            ItemKind::AreaMeasurement => Answer::Area {
                measurement: house(),
            },
            ItemKind::Findings => Answer::Findings { items: vec![] },
            ItemKind::Signature { .. } => continue,
        };
        store
            .save_answer(draft.id, &item.key, Some(answer), None)
            .unwrap();
    }
    let content = store
        .draft(draft.id)
        .unwrap()
        .answers
        .signable_sha256()
        .unwrap();
    for (_, item) in form.items() {
        if let ItemKind::Signature { .. } = item.kind {
            let signature = SignatureMeta {
                id: Uuid::now_v7(),
                slot: item.key.clone(),
                signer_name: if item.key == "sign_household_head" {
                    "郑怀圣".into()
                } else {
                    "李".into()
                },
                method: if item.key == "sign_household_head" {
                    SignatureMethod::Thumbprint
                } else {
                    SignatureMethod::Handwritten
                },
                image_sha256: sha256_hex(item.key.as_bytes()),
                signed_content_sha256: content.clone(),
                signed_at: Utc::now(),
                signer: None,
            };
            store
                .save_answer(
                    draft.id,
                    &item.key,
                    Some(Answer::Signature { signature }),
                    None,
                )
                .unwrap();
        }
    }

    let ctx = FormContext {
        household_size: zheng.size,
        today: Utc::now().date_naive(),
        policy,
        policy_context: PolicyContext::default(),
        policy_version: None,
        placement: None,
    };
    // Checked as the field app checks it before the store keeps it.
    let draft = store.draft(draft.id).unwrap();
    let recorded_area =
        check_before_submitting(&acceptance_form_v1(), &draft.answers, &ctx).unwrap();
    let submission = store
        .submit(
            draft.id,
            draft.revision,
            SubmissionDetails {
                inspector: "li".into(),
                clock: ClockReading {
                    device_time: Utc::now(),
                    trusted_time: None,
                    offset_ms: None,
                },
                policy_version: ctx.policy_version,
                recorded_area,
                position: None,
            },
        )
        .unwrap();
    assert_eq!(submission.household_id, zheng.id);
    assert_eq!(
        store.household_status(zheng.id).unwrap(),
        HouseholdStatus::Submitted
    );

    let outbox = store.pending_outbox().unwrap();
    let photos = outbox
        .iter()
        .filter(|e| e.kind == RecordKind::Photo)
        .count();
    let signatures = outbox
        .iter()
        .filter(|e| e.kind == RecordKind::Signature)
        .count();
    assert_eq!((photos, signatures), (photo_index as usize, 5));
    assert_eq!(outbox.last().map(|e| e.kind), Some(RecordKind::Submission));
    let counts = store.count_by_status(&HouseholdQuery::default()).unwrap();
    assert_eq!((counts.to_inspect, counts.submitted), (13, 1));
}

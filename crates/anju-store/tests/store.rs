//! The device store against a real database file in a temporary folder.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use anju_core::area::{AreaRule, HouseMeasurement, MeasuredPart, Shape};
use anju_core::form::{Answer, FindingDraft, FormContext, form_by_id};
use anju_core::hash::sha256_hex;
use anju_core::id_number::compose;
use anju_core::model::{
    ClockReading, Household, HouseholdStatus, PlacementKind, PlacementMode, SignatureMeta,
    SignatureMethod, Submission, SubmissionKind,
};
use anju_core::policy::{PolicyContext, PolicyTable};
use anju_core::records::check_before_submitting;
use anju_store::{
    HouseholdQuery, NewPhoto, PhotoExtras, RecordKind, Store, StoreError, SubmissionDetails,
};
use chrono::{NaiveDate, Utc};
use uuid::Uuid;

fn household(index: u32, name: &str, township: &str, village: &str) -> Household {
    let birth =
        NaiveDate::from_ymd_opt(1950, 1, 1).unwrap() + chrono::Duration::days(index as i64 * 2);
    Household {
        id: Uuid::now_v7(),
        number: format!("T{index:05}"),
        head_name: name.to_string(),
        id_number: compose("341502", birth, (index % 1000) as u16).unwrap(),
        size: 1 + index % 6,
        members: vec![],
        phone: None,
        township: township.to_string(),
        village: village.to_string(),
        site: index.is_multiple_of(3).then(|| format!("{village}安置点")),
        mode: if index.is_multiple_of(3) {
            PlacementMode::Concentrated
        } else {
            PlacementMode::Scattered
        },
        kind: if index.is_multiple_of(3) {
            PlacementKind::UnifiedSelfBuilt
        } else {
            PlacementKind::SelfBuilt
        },
        location: index
            .is_multiple_of(5)
            .then(|| anju_core::location::Coordinates::new(31.7650, 116.5100).unwrap()),
    }
}

fn clock() -> ClockReading {
    ClockReading {
        device_time: Utc::now(),
        trusted_time: Some(Utc::now()),
        offset_ms: Some(1200),
    }
}

fn ctx(size: u32) -> FormContext {
    FormContext {
        household_size: size,
        today: Utc::now().date_naive(),
        policy: PolicyTable::default(),
        policy_context: PolicyContext::default(),
        policy_version: None,
        placement: None,
    }
}

/// Submit a draft as the field app does: its form checked with anju-core first.
fn submit(
    store: &mut Store,
    draft_id: Uuid,
    household_size: u32,
) -> Result<Submission, StoreError> {
    let draft = store.draft(draft_id)?;
    let form = form_by_id(&draft.form_id, draft.form_version).unwrap();
    let ctx = ctx(household_size);
    let recorded_area = check_before_submitting(&form, &draft.answers, &ctx)
        .unwrap_or_else(|issues| panic!("the form is not complete: {issues:?}"));
    store.submit(
        draft.id,
        draft.revision,
        SubmissionDetails {
            inspector: "li".into(),
            clock: clock(),
            policy_version: ctx.policy_version,
            recorded_area,
            position: None,
        },
    )
}

fn photo(store: &mut Store, household: Uuid, seed: &str) -> String {
    let bytes = format!("jpeg bytes of {seed}").into_bytes();
    store
        .add_photo(
            &bytes,
            NewPhoto {
                household_id: household,
                slot: "photo_front".into(),
                width: 1600,
                height: 1200,
                taken: clock(),
                latitude: Some(31.7),
                longitude: Some(116.5),
                fix: None,
                source: None,
                camera_time: None,
            },
        )
        .unwrap()
        .sha256
}

fn measurement() -> HouseMeasurement {
    HouseMeasurement {
        parts: vec![MeasuredPart {
            label: "一层主体".into(),
            storey: 1,
            shape: Shape::Rectangle {
                length_mm: 10_000,
                width_mm: 9_000,
            },
            voids: vec![],
            rule: AreaRule::Storey { height_mm: 3_000 },
        }],
    }
}

/// Fill the spot-check form of `household` completely and return the draft id.
fn fill_spot_check(store: &mut Store, household: Uuid) -> Uuid {
    let draft = store
        .open_draft(household, SubmissionKind::SpotCheck)
        .unwrap();
    let sha = photo(store, household, &household.to_string());
    store
        .save_answer(
            draft.id,
            "area_measurement",
            Some(Answer::Area {
                measurement: measurement(),
            }),
            None,
        )
        .unwrap();
    store
        .save_answer(
            draft.id,
            "photo_front",
            Some(Answer::Photos { sha256: vec![sha] }),
            None,
        )
        .unwrap();
    let draft = store
        .save_answer(
            draft.id,
            "findings",
            Some(Answer::Findings {
                items: vec![FindingDraft {
                    description: "门前道路未硬化".into(),
                    item: None,
                    deadline: Utc::now().date_naive() + chrono::Duration::days(14),
                }],
            }),
            None,
        )
        .unwrap();
    let signature = SignatureMeta {
        id: Uuid::now_v7(),
        slot: "sign_inspector".into(),
        signer_name: "李".into(),
        method: SignatureMethod::Handwritten,
        image_sha256: sha256_hex(b"strokes"),
        signed_content_sha256: draft.answers.signable_sha256().unwrap(),
        signed_at: Utc::now(),
        signer: None,
    };
    store
        .save_answer(
            draft.id,
            "sign_inspector",
            Some(Answer::Signature { signature }),
            None,
        )
        .unwrap();
    draft.id
}

#[test]
fn drafts_survive_reopening_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let h = household(1, "郑怀圣", "东河口镇", "长岭村");
    let draft_id = {
        let mut store = Store::open(dir.path()).unwrap();
        store
            .upsert_households(std::slice::from_ref(&h), &[], 1)
            .unwrap();
        let draft = store.open_draft(h.id, SubmissionKind::Acceptance).unwrap();
        store
            .save_answer(
                draft.id,
                "funding_self_yuan",
                Some(Answer::Number { value: 3000.0 }),
                Some(0),
            )
            .unwrap();
        store
            .save_answer(
                draft.id,
                "opinion_text",
                Some(Answer::Text {
                    value: "满意".into(),
                }),
                Some(1),
            )
            .unwrap();
        draft.id
        // The store is dropped here without any explicit save or close.
    };
    let mut store = Store::open(dir.path()).unwrap();
    let draft = store
        .draft_for(h.id, SubmissionKind::Acceptance)
        .unwrap()
        .unwrap();
    assert_eq!(draft.id, draft_id);
    assert_eq!(draft.revision, 2);
    assert_eq!(
        draft.answers.get("funding_self_yuan"),
        Some(&Answer::Number { value: 3000.0 })
    );
    assert_eq!(
        store.household_status(h.id).unwrap(),
        HouseholdStatus::Draft
    );
    // Opening again returns the same draft, not a new one.
    assert_eq!(
        store
            .open_draft(h.id, SubmissionKind::Acceptance)
            .unwrap()
            .id,
        draft_id
    );
    // A write from a stale copy is refused and loses nothing.
    let err = store
        .save_answer(draft.id, "opinion_text", None, Some(1))
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::StaleRevision {
                expected: 1,
                actual: 2
            }
        ),
        "{err}"
    );
    let draft = store.draft(draft_id).unwrap();
    assert!(draft.answers.get("opinion_text").is_some());
    // Clearing an answer.
    let draft = store
        .save_answer(draft.id, "opinion_text", None, Some(2))
        .unwrap();
    assert!(draft.answers.get("opinion_text").is_none());
    assert!(store.integrity_problems().unwrap().is_empty());
}

#[test]
fn submitting_makes_an_immutable_submission_and_its_outbox_in_one_go() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let h = household(3, "郑怀圣", "东河口镇", "长岭村");
    store
        .upsert_households(std::slice::from_ref(&h), &[], 1)
        .unwrap();
    let draft_id = fill_spot_check(&mut store, h.id);
    let submission = submit(&mut store, draft_id, h.size).unwrap();
    assert_eq!(
        submission.id, draft_id,
        "the draft's id becomes the submission's"
    );
    assert!(store.draft(draft_id).is_err());
    assert_eq!(
        store.household_status(h.id).unwrap(),
        HouseholdStatus::Submitted
    );

    let outbox = store.pending_outbox().unwrap();
    let kinds: Vec<RecordKind> = outbox.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            RecordKind::Photo,
            RecordKind::Signature,
            RecordKind::Submission,
            RecordKind::Finding
        ],
        "evidence goes before the records that name it"
    );
    let (stored, sha) = store.submission(submission.id).unwrap().unwrap();
    assert_eq!(stored, submission);
    assert_eq!(sha, anju_core::hash::content_sha256(&submission).unwrap());
    assert_eq!(
        store.search(&HouseholdQuery::default()).unwrap()[0].open_findings,
        1
    );

    // The database itself refuses to change or delete a submission.
    let conn = rusqlite::Connection::open(dir.path().join(anju_store::DATABASE_FILE)).unwrap();
    let update = conn.execute("UPDATE submissions SET inspector = 'x'", []);
    assert!(update.unwrap_err().to_string().contains("immutable"));
    let delete = conn.execute("DELETE FROM submissions", []);
    assert!(delete.unwrap_err().to_string().contains("never deleted"));

    // Acknowledged entries leave the outbox; the records stay on the device.
    let seqs: Vec<i64> = outbox.iter().map(|e| e.seq).collect();
    store.acknowledge(&seqs[..2]).unwrap();
    assert_eq!(store.pending_outbox().unwrap().len(), 2);
    assert_eq!(
        store.household_status(h.id).unwrap(),
        HouseholdStatus::Submitted
    );
    store.acknowledge(&seqs).unwrap();
    assert!(store.pending_outbox().unwrap().is_empty());
    assert_eq!(
        store.household_status(h.id).unwrap(),
        HouseholdStatus::Synced
    );
    assert_eq!(store.submissions_for(h.id).unwrap(), vec![submission]);
}

#[test]
fn a_draft_changed_after_its_form_was_checked_is_not_submitted() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let h = household(7, "郑怀圣", "东河口镇", "长岭村");
    store
        .upsert_households(std::slice::from_ref(&h), &[], 1)
        .unwrap();
    let draft_id = fill_spot_check(&mut store, h.id);
    let checked = store.draft(draft_id).unwrap();
    store
        .save_answer(draft_id, "findings", None, Some(checked.revision))
        .unwrap();
    let err = store
        .submit(
            draft_id,
            checked.revision,
            SubmissionDetails {
                inspector: "li".into(),
                clock: clock(),
                policy_version: None,
                recorded_area: None,
                position: None,
            },
        )
        .unwrap_err();
    assert!(
        matches!(err, StoreError::StaleRevision { expected, actual }
            if expected == checked.revision && actual == checked.revision + 1),
        "{err}"
    );
    assert!(store.pending_outbox().unwrap().is_empty());
    assert!(store.submissions_for(h.id).unwrap().is_empty());
    assert!(store.draft(draft_id).is_ok());
}

#[test]
fn photos_are_stored_by_hash_and_checked_on_read() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let h = household(4, "张某甲", "马头镇", "新桥村");
    store
        .upsert_households(std::slice::from_ref(&h), &[], 1)
        .unwrap();
    let sha = photo(&mut store, h.id, "front");
    let again = photo(&mut store, h.id, "front");
    assert_eq!(sha, again);
    let path = store.blob_path(&sha).unwrap();
    assert!(path.ends_with(format!("{}/{sha}", &sha[0..2])));
    assert_eq!(store.blob_bytes(&sha).unwrap(), b"jpeg bytes of front");
    std::fs::write(&path, b"tampered").unwrap();
    let err = store.blob_bytes(&sha).unwrap_err();
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err}");
    assert!(matches!(
        store.blob_path("../../etc/passwd"),
        Err(StoreError::BadHash(_))
    ));
    let unknown = NewPhoto {
        household_id: Uuid::now_v7(),
        slot: "photo_front".into(),
        width: 1,
        height: 1,
        taken: clock(),
        latitude: None,
        longitude: None,
        fix: None,
        source: None,
        camera_time: None,
    };
    assert!(matches!(
        store.add_photo(b"x", unknown),
        Err(StoreError::UnknownHousehold(_))
    ));
}

#[test]
fn writes_in_one_transaction_commit_together_or_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let h = household(6, "李某丙", "马头镇", "新桥村");
    store
        .upsert_households(std::slice::from_ref(&h), &[], 1)
        .unwrap();
    let draft = store.open_draft(h.id, SubmissionKind::Acceptance).unwrap();
    let new_photo = || NewPhoto {
        household_id: h.id,
        slot: "photo_front".into(),
        width: 1600,
        height: 1200,
        taken: clock(),
        latitude: None,
        longitude: None,
        fix: None,
        source: None,
        camera_time: None,
    };
    let extras = PhotoExtras {
        thumbnail_sha256: Some(sha256_hex(b"thumbnail")),
        original_sha256: None,
        watermark_lines: vec!["郑怀圣".into()],
    };
    let add = |store: &mut Store, expected_revision: i64| {
        store.write(|tx| {
            let meta = tx.add_photo(b"evidence", new_photo())?;
            tx.set_photo_extras(&meta.sha256, &extras)?;
            assert!(
                tx.photo(&meta.sha256)?.is_some(),
                "the transaction sees its rows"
            );
            tx.save_answer(
                draft.id,
                "photo_front",
                Some(Answer::Photos {
                    sha256: vec![meta.sha256.clone()],
                }),
                Some(expected_revision),
            )?;
            Ok(meta.sha256)
        })
    };

    // The last step fails (the draft moved on): the photo's row and extras go with it.
    let err = add(&mut store, draft.revision + 1).unwrap_err();
    assert!(matches!(err, StoreError::StaleRevision { .. }), "{err}");
    let sha = sha256_hex(b"evidence");
    assert_eq!(store.photo(&sha).unwrap(), None);
    assert_eq!(store.photo_extras(&sha).unwrap(), None);
    assert_eq!(store.draft(draft.id).unwrap(), draft);
    // The file stays: named by its hash, it is harmless, and used again below.
    assert!(store.has_blob(&sha));

    assert_eq!(add(&mut store, draft.revision).unwrap(), sha);
    assert!(store.photo(&sha).unwrap().is_some());
    assert_eq!(store.photo_extras(&sha).unwrap(), Some(extras.clone()));
    let saved = store.draft(draft.id).unwrap();
    assert_eq!(saved.revision, draft.revision + 1);
    assert_eq!(
        saved.answers.get("photo_front"),
        Some(&Answer::Photos {
            sha256: vec![sha.clone()]
        })
    );
}

#[test]
fn a_submission_naming_a_missing_photo_is_refused_whole() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let h = household(5, "王某乙", "张店镇", "河西村");
    store
        .upsert_households(std::slice::from_ref(&h), &[], 1)
        .unwrap();
    let draft_id = fill_spot_check(&mut store, h.id);
    // Point the slot at a photo the device never stored, then re-sign.
    let ghost = sha256_hex(b"never stored");
    let draft = store
        .save_answer(
            draft_id,
            "photo_front",
            Some(Answer::Photos {
                sha256: vec![ghost.clone()],
            }),
            None,
        )
        .unwrap();
    let signature = SignatureMeta {
        id: Uuid::now_v7(),
        slot: "sign_inspector".into(),
        signer_name: "李".into(),
        method: SignatureMethod::Handwritten,
        image_sha256: sha256_hex(b"strokes 2"),
        signed_content_sha256: draft.answers.signable_sha256().unwrap(),
        signed_at: Utc::now(),
        signer: None,
    };
    store
        .save_answer(
            draft_id,
            "sign_inspector",
            Some(Answer::Signature { signature }),
            None,
        )
        .unwrap();
    let err = submit(&mut store, draft_id, h.size).unwrap_err();
    assert!(
        matches!(err, StoreError::MissingPhoto(ref s) if *s == ghost),
        "{err}"
    );
    assert!(store.pending_outbox().unwrap().is_empty());
    assert!(store.submissions_for(h.id).unwrap().is_empty());
    assert!(store.draft(draft_id).is_ok());
}

/// As if the office had confirmed everything waiting.
fn acknowledge_all(store: &mut Store) {
    let seqs: Vec<i64> = store
        .pending_outbox()
        .unwrap()
        .iter()
        .map(|e| e.seq)
        .collect();
    store.acknowledge(&seqs).unwrap();
}

#[test]
fn households_with_unsynced_work_are_not_removed() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let h = household(6, "陈某丙", "木厂镇", "东岗村");
    store
        .upsert_households(std::slice::from_ref(&h), &[], 1)
        .unwrap();
    let draft_id = fill_spot_check(&mut store, h.id);
    assert!(matches!(
        store.remove_household(h.id),
        Err(StoreError::UnsyncedWork)
    ));
    submit(&mut store, draft_id, h.size).unwrap();
    assert!(matches!(
        store.remove_household(h.id),
        Err(StoreError::UnsyncedWork)
    ));
    acknowledge_all(&mut store);
    assert!(store.remove_household(h.id).unwrap());
    assert!(store.household(h.id).unwrap().is_none());
    // The guard against deleting submissions is back in place.
    let conn = rusqlite::Connection::open(dir.path().join(anju_store::DATABASE_FILE)).unwrap();
    let triggers: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = 'submissions_are_kept'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(triggers, 1);
    assert!(store.integrity_problems().unwrap().is_empty());
}

#[test]
fn search_and_counts_over_ten_thousand_households() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let townships = ["椿树镇", "马头镇", "东桥镇", "东河口镇"];
    let mut all = Vec::new();
    for i in 0..10_000u32 {
        let township = townships[(i % 4) as usize];
        let village = format!("{}村{}", &township[..3], i % 25);
        let name = if i == 7_777 {
            "郑怀圣".to_string()
        } else {
            format!("户主{i:05}")
        };
        all.push(household(i, &name, township, &village));
    }
    store.upsert_households(&all, &[], 42).unwrap();
    // Re-pulling the same households updates in place.
    store.upsert_households(&all[..100], &[], 43).unwrap();

    let counts = store.count_by_status(&HouseholdQuery::default()).unwrap();
    assert_eq!(counts.total, 10_000);
    assert_eq!(counts.to_inspect, 10_000);

    let found = store
        .search(&HouseholdQuery {
            text: Some("郑怀".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].head_name, "郑怀圣");

    // By ID number typed with full-width digits.
    let id = all[1234].id_number.as_str().to_string();
    let full_width: String = id
        .chars()
        .map(|c| {
            c.to_digit(10)
                .map_or(c, |d| char::from_u32('０' as u32 + d).unwrap())
        })
        .collect();
    let found = store
        .search(&HouseholdQuery {
            text: Some(full_width),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        found.iter().map(|h| h.id).collect::<Vec<_>>(),
        vec![all[1234].id]
    );

    // Township filter, paging, LIKE metacharacters taken literally.
    let page = store
        .search(&HouseholdQuery {
            township: Some("马头镇".into()),
            limit: Some(50),
            offset: Some(100),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(page.len(), 50);
    assert!(page.iter().all(|h| h.township == "马头镇"));
    let none = store
        .search(&HouseholdQuery {
            text: Some("%".into()),
            ..Default::default()
        })
        .unwrap();
    assert!(none.is_empty());

    // Status counts follow drafts.
    store
        .open_draft(all[0].id, SubmissionKind::Acceptance)
        .unwrap();
    let counts = store
        .count_by_status(&HouseholdQuery {
            township: Some("椿树镇".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        (counts.total, counts.draft, counts.to_inspect),
        (2_500, 1, 2_499)
    );
    let places = store.places().unwrap();
    assert_eq!(places.len(), 4);
}

#[test]
fn embedded_migrations_match_the_folder() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations/device");
    let files = anju_db::migration_files(&dir).unwrap();
    let embedded: Vec<String> = anju_store::MIGRATIONS
        .iter()
        .map(anju_db::migration_file_name)
        .collect();
    assert_eq!(files, embedded);
}

#[test]
fn the_offices_history_is_replaced_on_each_pull_and_a_returned_submission_does_not_count() {
    use anju_core::area::Area;
    use anju_core::model::FindingState;
    use anju_core::wire::{HouseholdHistory, OfficeFinding, OfficeInspection};
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let h = household(7, "王某丁", "东河口镇", "长岭村");
    let other = household(8, "赵某戊", "东河口镇", "长岭村");
    let elsewhere = |submission_id: Uuid, returned: bool| OfficeInspection {
        submission_id,
        kind: SubmissionKind::Acceptance,
        inspector: "wang".into(),
        made_at: Utc::now(),
        built_area: Some(Area::from_m2_hundredths(9_780)),
        over_limit: Some(false),
        returned,
        return_note: returned.then(|| "面积需复核 / re-measure the area".to_string()),
    };
    let accepted_elsewhere = Uuid::now_v7();
    let history = vec![
        HouseholdHistory {
            household_id: h.id,
            inspections: vec![elsewhere(accepted_elsewhere, false)],
            findings: vec![],
            standing: None,
        },
        // Not in this page: nothing to hang it on, so it is left out.
        HouseholdHistory {
            household_id: Uuid::now_v7(),
            inspections: vec![elsewhere(Uuid::now_v7(), false)],
            findings: vec![],
            standing: None,
        },
    ];
    store
        .upsert_households(&[h.clone(), other.clone()], &history, 1)
        .unwrap();
    let known = store.office_inspections(h.id).unwrap();
    assert_eq!(known, history[0].inspections);
    assert!(store.office_inspections(other.id).unwrap().is_empty());
    assert_eq!(
        store.household_status(h.id).unwrap(),
        HouseholdStatus::ToInspect,
        "another device's inspection is not this device's work"
    );

    // This device re-measures and syncs; then the office returns its spot check.
    let draft = fill_spot_check(&mut store, h.id);
    let submission = submit(&mut store, draft, h.size).unwrap();
    acknowledge_all(&mut store);
    assert_eq!(
        store.household_status(h.id).unwrap(),
        HouseholdStatus::Synced
    );
    let mut own = elsewhere(submission.id, true);
    own.kind = SubmissionKind::SpotCheck;
    own.inspector = "li".into();
    // The spot check's finding is open until the office's rectification moves it.
    let finding = store.findings_list().unwrap().remove(0).finding;
    assert_eq!(finding.state, FindingState::Open);
    assert_eq!(store.open_findings(h.id).unwrap(), 1);
    let closed_at = Utc::now();
    let returned = vec![HouseholdHistory {
        household_id: h.id,
        inspections: vec![elsewhere(accepted_elsewhere, false), own],
        findings: vec![OfficeFinding {
            finding_id: finding.id,
            state: FindingState::Closed,
            changed_at: closed_at,
            note: Some("道路已硬化，销号".into()),
            origin: anju_core::verdict::FindingOrigin::Inspector,
            description: None,
            deadline: None,
        }],
        standing: None,
    }];
    store
        .upsert_households(std::slice::from_ref(&h), &returned, 2)
        .unwrap();
    let mut oldest_first = returned[0].inspections.clone();
    oldest_first.sort_by_key(|i| i.made_at);
    assert_eq!(store.office_inspections(h.id).unwrap(), oldest_first);
    let shown = store.findings_list().unwrap().remove(0);
    assert_eq!(shown.finding.state, FindingState::Closed);
    assert_eq!(shown.office_note.as_deref(), Some("道路已硬化，销号"));
    assert_eq!(shown.office_changed_at, Some(closed_at));
    assert_eq!(store.open_findings(h.id).unwrap(), 0);
    assert_eq!(
        store.household_status(h.id).unwrap(),
        HouseholdStatus::ToInspect,
        "a returned submission puts the household back on the list"
    );

    // A pull without history for the household clears what the device held.
    store
        .upsert_households(std::slice::from_ref(&h), &[], 3)
        .unwrap();
    assert!(store.office_inspections(h.id).unwrap().is_empty());
    assert_eq!(
        store.household_status(h.id).unwrap(),
        HouseholdStatus::Synced
    );
    assert_eq!(
        store.findings_list().unwrap()[0].finding.state,
        FindingState::Open,
        "without the office's word the finding is as the device made it"
    );
    assert!(store.integrity_problems().unwrap().is_empty());
}

/// A household's coordinates and a photo's fix, source and camera time come back as kept;
/// the photo's plain coordinates repeat the fix's.
#[test]
fn locations_and_photo_sources_are_kept() {
    use anju_core::location::{Fix, NoFixReason, PhotoSource, Position};
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let located = household(5, "郑怀圣", "东河口镇", "长岭村");
    let plain = household(6, "高灿军", "东河口镇", "长岭村");
    assert!(located.location.is_some() && plain.location.is_none());
    store
        .upsert_households(&[located.clone(), plain.clone()], &[], 1)
        .unwrap();
    assert_eq!(store.household(located.id).unwrap().unwrap(), located);
    assert_eq!(store.household(plain.id).unwrap().unwrap(), plain);

    let fix = Fix::Position(Position {
        latitude: 31.7652,
        longitude: 116.5101,
        accuracy_m: 12.0,
        fixed_at: Utc::now(),
    });
    let camera_time = NaiveDate::from_ymd_opt(2026, 5, 3)
        .unwrap()
        .and_hms_opt(10, 12, 0);
    let meta = store
        .add_photo(
            b"gallery bytes",
            NewPhoto {
                household_id: located.id,
                slot: "photo_front".into(),
                width: 1600,
                height: 1200,
                taken: clock(),
                latitude: None,
                longitude: None,
                fix: Some(fix),
                source: Some(PhotoSource::Gallery),
                camera_time,
            },
        )
        .unwrap();
    assert_eq!(meta.fix, Some(fix));
    assert_eq!(meta.source, Some(PhotoSource::Gallery));
    assert_eq!(meta.camera_time, camera_time);
    assert_eq!(
        (meta.latitude, meta.longitude),
        (Some(31.7652), Some(116.5101))
    );
    assert_eq!(store.photo(&meta.sha256).unwrap().unwrap(), meta);

    let denied = store
        .add_photo(
            b"camera bytes",
            NewPhoto {
                household_id: located.id,
                slot: "photo_front".into(),
                width: 1600,
                height: 1200,
                taken: clock(),
                latitude: None,
                longitude: None,
                fix: Some(Fix::NoFix {
                    reason: NoFixReason::Denied,
                }),
                source: Some(PhotoSource::Camera),
                camera_time: None,
            },
        )
        .unwrap();
    assert_eq!(store.photo(&denied.sha256).unwrap().unwrap(), denied);
    assert_eq!(denied.latitude, None);
}

/// Issue 13: on a replacement phone the office's record of the signed-in inspector's work
/// decides: her acceptance from another device makes the household done, another
/// person's does not (a supervisor's spot check still waits), and her open findings from
/// the other device are in the list, counted on the household.
#[test]
fn the_signed_in_inspectors_work_from_another_device_counts() {
    use anju_core::model::FindingState;
    use anju_core::verdict::FindingOrigin;
    use anju_core::wire::{HouseholdHistory, OfficeFinding, OfficeInspection};
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    store
        .set_sync_value(
            anju_store::SIGNED_IN_USER_KEY,
            r#"{"name":"li","role":"inspector","department":null,"township":null}"#,
        )
        .unwrap();
    let hers = household(21, "王某甲", "东河口镇", "长岭村");
    let someone_elses = household(22, "王某乙", "东河口镇", "长岭村");
    let returned = household(23, "王某丙", "东河口镇", "长岭村");
    let acceptance = |inspector: &str, returned: bool| OfficeInspection {
        submission_id: Uuid::now_v7(),
        kind: SubmissionKind::Acceptance,
        inspector: inspector.into(),
        made_at: Utc::now(),
        built_area: None,
        over_limit: None,
        returned,
        return_note: None,
    };
    let finding_id = Uuid::now_v7();
    let deadline = NaiveDate::from_ymd_opt(2026, 12, 20).unwrap();
    let history = vec![
        HouseholdHistory {
            household_id: hers.id,
            inspections: vec![acceptance("li", false)],
            findings: vec![OfficeFinding {
                finding_id,
                state: FindingState::Open,
                changed_at: Utc::now(),
                note: None,
                origin: FindingOrigin::Inspector,
                description: Some("排水沟未通 / drain blocked".into()),
                deadline: Some(deadline),
            }],
            standing: None,
        },
        HouseholdHistory {
            household_id: someone_elses.id,
            inspections: vec![acceptance("wang", false)],
            findings: vec![],
            standing: None,
        },
        HouseholdHistory {
            household_id: returned.id,
            inspections: vec![acceptance("li", true)],
            findings: vec![],
            standing: None,
        },
    ];
    store
        .upsert_households(
            &[hers.clone(), someone_elses.clone(), returned.clone()],
            &history,
            1,
        )
        .unwrap();
    assert_eq!(
        store.household_status(hers.id).unwrap(),
        HouseholdStatus::Synced
    );
    assert_eq!(
        store.household_status(someone_elses.id).unwrap(),
        HouseholdStatus::ToInspect,
        "another person's acceptance does not do the signed-in user's work"
    );
    assert_eq!(
        store.household_status(returned.id).unwrap(),
        HouseholdStatus::ToInspect,
        "a returned acceptance does not count"
    );
    assert_eq!(store.open_findings(hers.id).unwrap(), 1);
    let list = store.findings_list().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].finding.id, finding_id);
    assert_eq!(list[0].finding.deadline, deadline);
    assert_eq!(list[0].finding.state, FindingState::Open);
    assert!(!list[0].on_this_device && !list[0].raised_by_office && list[0].synced);
    let counts = store.count_by_status(&HouseholdQuery::default()).unwrap();
    assert_eq!((counts.synced, counts.to_inspect), (1, 2));
    assert_eq!(counts.with_open_findings, 1);
}

#[test]
fn a_pin_lock_out_keeps_its_boot_clock_across_a_new_copy_of_the_team() {
    use anju_core::model::Department;
    use anju_core::team::{BootClock, PinAttempts, Team, TeamMember};
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let team = Team {
        id: Uuid::now_v7(),
        name: "区级验收一组".into(),
        members: vec![TeamMember {
            account: "sun".into(),
            full_name: "孙志强".into(),
            department: Department::Housing,
            pin_verifier: None,
        }],
    };
    assert_eq!(store.save_team(Some(&team)).unwrap(), None);
    let locked = PinAttempts {
        failures: 0,
        locked_until: Some(Utc::now()),
        // A boot id past i64: kept whole.
        locked_until_boot: Some(BootClock {
            boot: u64::MAX - 7,
            uptime_ms: 960_000,
        }),
    };
    store.set_pin_attempts("sun", locked).unwrap();
    let read = store.pin_attempts("sun").unwrap();
    assert_eq!(read.locked_until_boot, locked.locked_until_boot);
    // The next pull's copy of the team, same verifier: the lock-out stays.
    assert_eq!(store.save_team(Some(&team)).unwrap(), None);
    assert_eq!(
        store.pin_attempts("sun").unwrap().locked_until_boot,
        locked.locked_until_boot
    );
}

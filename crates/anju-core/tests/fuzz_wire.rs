//! Fuzzing what a device pushes: whatever bytes arrive as a push request, reading them as a
//! `PushRequest` either fails with serde_json's error or gives a request on which every
//! check the office runs (`anju_core::records`, dispatched as the office's `check_record`
//! does) answers with its own error type, bilingual and of bounded size, and never panics;
//! so do the request's hashes and ids. Nesting deeper than serde_json's recursion limit is
//! refused.
//!
//! Inputs: arbitrary bytes, JSON token soup, and a valid push (a photo, a signature, a
//! complete signed acceptance, a finding) with its JSON mutated: numbers made huge, negative,
//! fractional or not numbers, strings very long or swapped for other variants' names, values
//! swapped for deep or long arrays, keys dropped, renamed or duplicated, records repeated,
//! and the text's bytes changed.
//!
//! Each property runs `ANJU_FUZZ_CASES` cases (default 128) from a fixed seed, so `cargo test`
//! is deterministic; `ANJU_FUZZ_SEED` explores elsewhere. `scripts/fuzz` runs this for long,
//! in release mode, with a random seed. A failure it finds becomes a regression test here:
//! the minimal input proptest prints, as a named `#[test]` (ignored with the reason while the
//! product is not fixed).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fmt::Debug;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anju_core::area::{AreaRule, HouseMeasurement, MeasuredPart, Point, Shape};
use anju_core::district_policy::{PolicyHistory, PolicyVersion};
use anju_core::form::{
    ACCEPTANCE_FORM_ID, Answer, FindingDraft, FormAnswers, ItemKind, PEOPLE_PRESENT_ITEM, YesNo,
    acceptance_form_v1,
};
use anju_core::hash::sha256_hex;
use anju_core::model::{
    ClockReading, Finding, FindingState, PhotoMeta, SignatureMeta, SignatureMethod, Submission,
    SubmissionKind,
};
use anju_core::records::{
    self, RecordProblem, SubmissionContext, TimeBounds, check_push_time, recorded_area,
};
use anju_core::wire::{PushRecord, PushRequest, RecordBody, SignatureRecord};
use chrono::{DateTime, Duration as ChronoDuration, NaiveDate, TimeZone, Utc};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use serde_json::Value;
use uuid::Uuid;

// ---------------------------------------------------------------------------------------
// The runner: cases and seed from the environment
// ---------------------------------------------------------------------------------------

const DEFAULT_CASES: u32 = 128;
/// "anju-wir" in ASCII: the seed of every `cargo test` run.
const DEFAULT_SEED: u64 = 0x616e_6a75_2d77_6972;
/// Far above what any input here needs; a case past it is a hang or a blow-up.
const CASE_BUDGET: Duration = Duration::from_secs(10);
/// The longest a problem's message may be: hostile values are cut before they are quoted.
const MAX_MESSAGE_CHARS: usize = 2_000;

fn env_number(name: &str) -> Option<u64> {
    let value = std::env::var(name).ok()?;
    Some(
        value
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}={value} is not a number")),
    )
}

fn cases() -> u32 {
    env_number("ANJU_FUZZ_CASES").map_or(DEFAULT_CASES, |n| u32::try_from(n).unwrap_or(u32::MAX))
}

/// A runner seeded from `ANJU_FUZZ_SEED` (or the fixed default) and the property's own salt.
fn runner(salt: u64) -> TestRunner {
    let seed = env_number("ANJU_FUZZ_SEED").unwrap_or(DEFAULT_SEED);
    println!(
        "ANJU_FUZZ_SEED={seed} ANJU_FUZZ_CASES={} (property salt {salt})",
        cases()
    );
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    bytes[8..16].copy_from_slice(&salt.to_le_bytes());
    TestRunner::new_with_rng(
        Config {
            cases: cases(),
            failure_persistence: None,
            max_shrink_time: 300_000,
            ..Config::default()
        },
        TestRng::from_seed(RngAlgorithm::ChaCha, &bytes),
    )
}

fn fuzz<S>(salt: u64, strategy: S, test: impl Fn(S::Value) -> Result<(), TestCaseError>)
where
    S: Strategy,
    S::Value: Debug,
{
    if let Err(error) = runner(salt).run(&strategy, test) {
        panic!("{error}");
    }
}

// ---------------------------------------------------------------------------------------
// A valid push
// ---------------------------------------------------------------------------------------

/// The office's clock.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 5, 3, 0, 0).unwrap()
}

fn reading() -> ClockReading {
    ClockReading {
        device_time: now() + ChronoDuration::seconds(90),
        trusted_time: Some(now()),
        offset_ms: Some(90_000),
    }
}

fn house() -> HouseMeasurement {
    HouseMeasurement {
        parts: vec![
            MeasuredPart {
                label: "一层主体".into(),
                storey: 1,
                shape: Shape::Rectangle {
                    length_mm: 10_000,
                    width_mm: 9_000,
                },
                voids: vec![Shape::Rectangle {
                    length_mm: 1_000,
                    width_mm: 1_000,
                }],
                rule: AreaRule::Storey { height_mm: 2_900 },
            },
            MeasuredPart {
                label: "阳台".into(),
                storey: 1,
                shape: Shape::Polygon {
                    points: vec![
                        Point::new(0, 0),
                        Point::new(3_000, 0),
                        Point::new(3_000, 1_200),
                        Point::new(0, 1_200),
                    ],
                },
                voids: vec![],
                rule: AreaRule::BalconyOutside,
            },
        ],
    }
}

/// The acceptance form filled in completely and correctly, every slot signed.
fn filled_acceptance() -> FormAnswers {
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
                Answer::Number { value: 4.0 }
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
                measurement: house(),
            },
            ItemKind::Findings => Answer::Findings {
                items: vec![FindingDraft {
                    description: "厨房排烟不畅".into(),
                    item: None,
                    deadline: NaiveDate::from_ymd_opt(2027, 1, 31).unwrap(),
                }],
            },
            ItemKind::Signature { .. } => {
                slots.push(item.key.clone());
                continue;
            }
        };
        answers.set(item.key.clone(), answer);
    }
    for slot in slots {
        let signature = signature(&answers, &slot);
        answers.set(slot, Answer::Signature { signature });
    }
    answers
}

fn signature(answers: &FormAnswers, slot: &str) -> SignatureMeta {
    SignatureMeta {
        id: Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0001),
        slot: slot.into(),
        signer_name: "郑怀圣".into(),
        method: SignatureMethod::Proxy {
            signer_name: "郑小红".into(),
            relation: "女儿".into(),
        },
        image_sha256: sha256_hex(slot.as_bytes()),
        signed_content_sha256: answers.signable_sha256().unwrap(),
        signed_at: now(),
        signer: None,
    }
}

const HOUSEHOLD: Uuid = Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_00aa);
const HOUSEHOLD_SIZE: u32 = 4;

fn policies() -> PolicyHistory {
    PolicyHistory::new(vec![PolicyVersion::initial(now())])
}

fn submission() -> Submission {
    let mut submission = Submission {
        id: Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0002),
        household_id: HOUSEHOLD,
        kind: SubmissionKind::Acceptance,
        form_id: ACCEPTANCE_FORM_ID.into(),
        form_version: 1,
        inspector: "li".into(),
        answers: filled_acceptance(),
        clock: reading(),
        policy_version: Some(1),
        recorded_area: None,
        position: None,
        finding_id: None,
    };
    let assessment = policies().versions()[0]
        .policy
        .assess(&house(), HOUSEHOLD_SIZE)
        .unwrap();
    submission.recorded_area = Some(recorded_area(&assessment));
    submission
}

fn record(body: RecordBody) -> PushRecord {
    PushRecord {
        content_sha256: body.content_sha256().unwrap(),
        body,
    }
}

fn valid_push() -> PushRequest {
    let submission = submission();
    PushRequest {
        device_id: Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_00dd),
        device_time: now() + ChronoDuration::seconds(95),
        records: vec![
            record(RecordBody::Photo(PhotoMeta {
                sha256: sha256_hex(b"photo"),
                household_id: HOUSEHOLD,
                slot: "photo_house_front".into(),
                bytes: 412_345,
                width: 1600,
                height: 1200,
                taken: reading(),
                latitude: Some(31.73),
                longitude: Some(116.52),
                fix: None,
                source: None,
                camera_time: None,
            })),
            record(RecordBody::Signature(SignatureRecord {
                household_id: HOUSEHOLD,
                signature: signature(&submission.answers, "sign_household_head"),
            })),
            record(RecordBody::Finding(Finding {
                id: Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0003),
                household_id: HOUSEHOLD,
                submission_id: Some(submission.id),
                item: Some("water_connected".into()),
                description: "自来水未通".into(),
                deadline: NaiveDate::from_ymd_opt(2027, 1, 31).unwrap(),
                state: FindingState::Open,
            })),
            record(RecordBody::Submission(submission)),
        ],
    }
}

fn valid_push_json() -> Value {
    serde_json::to_value(valid_push()).unwrap()
}

// ---------------------------------------------------------------------------------------
// What every outcome must satisfy
// ---------------------------------------------------------------------------------------

/// The office's checks of one record, as `anju_office::decide::check_record` dispatches them
/// (without its database: the household's size is given).
fn check_record(body: &RecordBody, household_size: u32) -> Result<(), Vec<RecordProblem>> {
    let bounds = TimeBounds::at(now());
    match body {
        RecordBody::Photo(photo) => records::check_photo(photo, &bounds).map_err(|p| vec![p]),
        RecordBody::Signature(record) => {
            records::check_signature(&record.signature, &bounds, "signature").map_err(|p| vec![p])
        }
        RecordBody::Finding(finding) => records::check_finding(finding).map_err(|p| vec![p]),
        RecordBody::Submission(submission) => {
            let policies = policies();
            let forms = anju_core::form::FormCatalog::builtin();
            let ctx = SubmissionContext {
                household_size,
                policies: &policies,
                bounds,
                forms: &forms,
                placement: None,
                part_department: None,
            };
            records::check_submission(submission, &ctx).map(|_| ())
        }
    }
}

fn check_problem(problem: &RecordProblem) -> Result<(), TestCaseError> {
    let text = problem.to_string();
    prop_assert!(!problem.field.is_empty(), "no field: {text}");
    prop_assert!(text.contains(" / "), "not bilingual: {text}");
    for message in [&problem.field, &problem.zh, &problem.en] {
        let length = message.chars().count();
        prop_assert!(
            length <= MAX_MESSAGE_CHARS,
            "a message of {length} characters: {}…",
            message.chars().take(200).collect::<String>()
        );
    }
    Ok(())
}

/// Outcomes by kind, to see that the inputs reach the checks.
#[derive(Default)]
struct Tally {
    unreadable: AtomicUsize,
    refused: AtomicUsize,
    passed: AtomicUsize,
}

impl Tally {
    /// (unreadable requests, records refused, records passed), printed.
    fn get(&self) -> (usize, usize, usize) {
        let counts = (
            self.unreadable.load(Ordering::Relaxed),
            self.refused.load(Ordering::Relaxed),
            self.passed.load(Ordering::Relaxed),
        );
        println!("unreadable, records refused, records passed: {counts:?}");
        counts
    }
}

/// Reads `bytes` as a push request and, if it reads, runs every check of every record.
fn push_checked(bytes: &[u8], household_size: u32, tally: &Tally) -> Result<(), TestCaseError> {
    let started = Instant::now();
    let request = match serde_json::from_slice::<PushRequest>(bytes) {
        Ok(request) => request,
        Err(_) => {
            // serde_json's own error (which may quote the input: an unknown variant's name).
            tally.unreadable.fetch_add(1, Ordering::Relaxed);
            prop_assert!(started.elapsed() < CASE_BUDGET);
            return Ok(());
        }
    };
    if let Err(problem) = check_push_time(request.device_time) {
        check_problem(&problem)?;
    }
    for record in &request.records {
        let body = &record.body;
        let _ = (body.kind(), body.id(), body.household_id());
        let _ = body.referenced_blobs();
        // A hash is an error for an area too large to write, never a panic.
        let _ = body.content_sha256();
        match check_record(body, household_size) {
            Ok(()) => {
                tally.passed.fetch_add(1, Ordering::Relaxed);
            }
            Err(problems) => {
                tally.refused.fetch_add(1, Ordering::Relaxed);
                prop_assert!(!problems.is_empty());
                for problem in &problems {
                    check_problem(problem)?;
                }
            }
        }
    }
    // What was read writes out again and reads back.
    let written = serde_json::to_vec(&request);
    prop_assert!(written.is_ok(), "{:?}", written.err());
    let again = serde_json::from_slice::<PushRequest>(&written.unwrap_or_default());
    prop_assert!(again.is_ok(), "{:?}", again.err());
    let elapsed = started.elapsed();
    prop_assert!(elapsed < CASE_BUDGET, "took {elapsed:?}");
    Ok(())
}

/// Household sizes as the office's database may hold them, and past them.
fn household_size() -> impl Strategy<Value = u32> {
    prop_oneof![
        6 => Just(HOUSEHOLD_SIZE),
        1 => 0..12u32,
        1 => Just(u32::MAX),
    ]
}

// ---------------------------------------------------------------------------------------
// Arbitrary bytes and token soup
// ---------------------------------------------------------------------------------------

fn json_token() -> impl Strategy<Value = String> {
    let fixed: Vec<String> = [
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        "\"",
        "null",
        "true",
        "false",
        "0",
        "-1",
        "1e999",
        "-0",
        "18446744073709551616",
        "\"kind\"",
        "\"body\"",
        "\"records\"",
        "\"device_id\"",
        "\"device_time\"",
        "\"content_sha256\"",
        "\"photo\"",
        "\"submission\"",
        "\"finding\"",
        "\"signature\"",
        "\"2026-12-05T03:00:00Z\"",
        "\"0190a000-0000-7000-8000-000000000001\"",
        "\\u0000",
        "\\ud800",
        " ",
        "\n",
    ]
    .iter()
    .map(|t| t.to_string())
    .collect();
    prop_oneof![
        4 => prop::sample::select(fixed),
        1 => "\\PC{0,8}",
    ]
}

#[test]
fn arbitrary_bytes_are_read_or_refused_cleanly() {
    let tally = Tally::default();
    let strategy = (
        prop_oneof![
            prop::collection::vec(any::<u8>(), 0..=64 << 10),
            prop::collection::vec(json_token(), 0..400).prop_map(|t| t.concat().into_bytes()),
            // A valid start, then noise.
            prop::collection::vec(json_token(), 0..200).prop_map(|t| {
                let mut text = r#"{"device_id":"0190a000-0000-7000-8000-000000000001","device_time":"2026-12-05T03:00:00Z","records":["#.to_string();
                text.push_str(&t.concat());
                text.into_bytes()
            }),
        ],
        household_size(),
    );
    fuzz(1, strategy, |(bytes, size)| {
        push_checked(&bytes, size, &tally)
    });
    tally.get();
}

// ---------------------------------------------------------------------------------------
// Mutations of a valid push's JSON
// ---------------------------------------------------------------------------------------

#[path = "fuzz_wire/edits.rs"]
mod edits;

#[test]
fn the_valid_push_passes_every_check() {
    let request: PushRequest =
        serde_json::from_slice(&serde_json::to_vec(&valid_push()).unwrap()).unwrap();
    assert_eq!(check_push_time(request.device_time), Ok(()));
    assert_eq!(request.records.len(), 4);
    for record in &request.records {
        assert_eq!(
            check_record(&record.body, HOUSEHOLD_SIZE),
            Ok(()),
            "{}",
            record.body.kind()
        );
        assert_eq!(record.body.content_sha256().unwrap(), record.content_sha256);
    }
}

/// `[[[…1…]]]`, `depth` deep.
fn nested_arrays(depth: usize) -> String {
    format!("{}1{}", "[".repeat(depth), "]".repeat(depth))
}

/// The valid push with the value at `place` (keys, or indices of arrays) replaced by `value`
/// written as raw JSON text.
fn push_with(place: &[&str], value: &str) -> String {
    let mut json = valid_push_json();
    let mut node = &mut json;
    for step in place {
        node = match step.parse::<usize>() {
            Ok(i) => &mut node[i],
            Err(_) => &mut node[*step],
        };
    }
    *node = Value::String("PLACEHOLDER".into());
    serde_json::to_string(&json)
        .unwrap()
        .replacen("\"PLACEHOLDER\"", value, 1)
}

#[test]
fn deep_nesting_is_refused_by_the_recursion_limit() {
    let deep = nested_arrays(10_000);
    assert!(serde_json::from_str::<PushRequest>(&deep).is_err());
    let error = serde_json::from_str::<Value>(&deep).unwrap_err();
    assert!(error.to_string().contains("recursion limit"), "{error}");

    // Wherever a device may put it. Where the reader descends into the value (an answer it
    // buffers to find its tag, a record's body), the recursion limit stops it; where a type
    // is expected the first bracket is wrong; an unknown field is skipped by serde_json
    // without recursion (iteratively, in linear time), so its depth does no harm.
    #[derive(Debug, PartialEq)]
    enum Outcome {
        RecursionLimit,
        WrongType,
        Skipped,
    }
    let places: [(&[&str], Outcome); 7] = [
        (&["device_id"], Outcome::WrongType),
        (&["unknown_field"], Outcome::Skipped),
        (&["records"], Outcome::WrongType),
        (&["records", "0"], Outcome::WrongType),
        (&["records", "3", "body"], Outcome::RecursionLimit),
        (
            &["records", "3", "body", "answers", "area_measurement"],
            Outcome::RecursionLimit,
        ),
        (
            &[
                "records",
                "3",
                "body",
                "answers",
                "area_measurement",
                "measurement",
                "parts",
                "1",
                "shape",
                "points",
            ],
            Outcome::RecursionLimit,
        ),
    ];
    for (place, expected) in places {
        let text = push_with(place, &deep);
        let started = Instant::now();
        let outcome = match serde_json::from_str::<PushRequest>(&text) {
            Ok(_) => Outcome::Skipped,
            Err(e) if e.to_string().contains("recursion limit") => Outcome::RecursionLimit,
            Err(_) => Outcome::WrongType,
        };
        assert!(started.elapsed() < Duration::from_secs(2));
        assert_eq!(outcome, expected, "{place:?}");
    }

    // Below the limit, nesting is only a wrong type.
    let shallow = nested_arrays(100);
    let text = push_with(
        &["records", "3", "body", "answers", "area_measurement"],
        &shallow,
    );
    let error = serde_json::from_str::<PushRequest>(&text).unwrap_err();
    assert!(!error.to_string().contains("recursion limit"), "{error}");
}

// ---------------------------------------------------------------------------------------
// What fuzzing found
// ---------------------------------------------------------------------------------------

/// `anju_core::records` cuts a hostile value before quoting it ("so that a hostile value
/// cannot make the answer huge"), but the form's own problems quoted a photo id
/// (`BadPhotoHash`, `DuplicatePhoto`) or a choice (`UnknownOption`) whole, in both languages:
/// a photo id of 100,000 characters made a 422 answer of 200,000. Found by
/// `mutated_push_json_is_read_or_refused_cleanly` (ANJU_FUZZ_SEED=1, ANJU_FUZZ_CASES=1000).
#[test]
fn a_form_problem_quotes_a_hostile_value_cut() {
    let long = "a".repeat(100_000);
    let mut submission = submission();
    submission.answers.set(
        "photo_front",
        Answer::Photos {
            sha256: vec![long.clone()],
        },
    );
    submission.answers.set(
        "opinion_satisfaction",
        Answer::Choice {
            selected: vec![long],
        },
    );
    let problems = check_record(&RecordBody::Submission(submission), HOUSEHOLD_SIZE).unwrap_err();
    assert!(problems.len() >= 2, "{problems:?}");
    for problem in &problems {
        for message in [&problem.zh, &problem.en] {
            assert!(
                message.chars().count() <= MAX_MESSAGE_CHARS,
                "{}: a message of {} characters",
                problem.field,
                message.chars().count()
            );
        }
    }
}

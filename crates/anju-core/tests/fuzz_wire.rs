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
            let ctx = SubmissionContext {
                household_size,
                policies: &policies,
                bounds,
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

/// A JSON tree whose objects may repeat a key and whose numbers are raw text.
#[derive(Debug, Clone)]
enum Json {
    Null,
    Bool(bool),
    Number(String),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl From<&Value> for Json {
    fn from(value: &Value) -> Self {
        match value {
            Value::Null => Self::Null,
            Value::Bool(b) => Self::Bool(*b),
            Value::Number(n) => Self::Number(n.to_string()),
            Value::String(s) => Self::String(s.clone()),
            Value::Array(items) => Self::Array(items.iter().map(Self::from).collect()),
            Value::Object(members) => Self::Object(
                members
                    .iter()
                    .map(|(k, v)| (k.clone(), Self::from(v)))
                    .collect(),
            ),
        }
    }
}

impl Json {
    fn write(&self, out: &mut String) {
        match self {
            Self::Null => out.push_str("null"),
            Self::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Self::Number(raw) => out.push_str(raw),
            Self::String(s) => out.push_str(&serde_json::to_string(s).unwrap()),
            Self::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write(out);
                }
                out.push(']');
            }
            Self::Object(members) => {
                out.push('{');
                for (i, (key, value)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&serde_json::to_string(key).unwrap());
                    out.push(':');
                    value.write(out);
                }
                out.push('}');
            }
        }
    }

    fn text(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    /// How many nodes the tree has (each is a place a mutation can land).
    fn count(&self) -> usize {
        1 + match self {
            Self::Array(items) => items.iter().map(Self::count).sum(),
            Self::Object(members) => members.iter().map(|(_, v)| v.count()).sum(),
            _ => 0,
        }
    }

    /// The `n`th node in pre-order (wrapping), to change in place.
    fn nth(&mut self, n: usize) -> &mut Json {
        let total = self.count();
        self.nth_inner(n % total)
    }

    fn nth_inner(&mut self, mut n: usize) -> &mut Json {
        if n == 0 {
            return self;
        }
        n -= 1;
        let children: Vec<&mut Json> = match self {
            Self::Array(items) => items.iter_mut().collect(),
            Self::Object(members) => members.iter_mut().map(|(_, v)| v).collect(),
            _ => unreachable!("n is within the tree"),
        };
        for child in children {
            let size = child.count();
            if n < size {
                return child.nth_inner(n);
            }
            n -= size;
        }
        unreachable!("n is within the tree")
    }

    /// The `n`th object node (wrapping), if any.
    fn nth_object(&mut self, n: usize) -> Option<&mut Vec<(String, Json)>> {
        let mut objects = Vec::new();
        self.object_indices(0, &mut objects);
        if objects.is_empty() {
            return None;
        }
        match self.nth(objects[n % objects.len()]) {
            Json::Object(members) => Some(members),
            _ => None,
        }
    }

    /// Adds the pre-order indices of the objects in this subtree (which starts at `base`);
    /// the subtree's size.
    fn object_indices(&self, base: usize, out: &mut Vec<usize>) -> usize {
        let mut size = 1;
        match self {
            Self::Array(items) => {
                for item in items {
                    size += item.object_indices(base + size, out);
                }
            }
            Self::Object(members) => {
                out.push(base);
                for (_, value) in members {
                    size += value.object_indices(base + size, out);
                }
            }
            _ => {}
        }
        size
    }
}

/// Names the wire uses for tags, enum values and fields: a swapped one sends the reader
/// into another variant.
const NAMES: &[&str] = &[
    "photo",
    "signature",
    "submission",
    "finding",
    "acceptance",
    "spot_check",
    "open",
    "rectified",
    "closed",
    "reopened",
    "yes",
    "no",
    "not_applicable",
    "yes_no",
    "number",
    "choice",
    "text",
    "photos",
    "area",
    "findings",
    "handwritten",
    "thumbprint",
    "proxy",
    "rectangle",
    "polygon",
    "storey",
    "sloped_roof",
    "balcony_inside",
    "canopy_cantilever",
    "kind",
    "body",
    "type",
    "method",
    "quarter_mm2",
    "points",
    "parts",
    "voids",
    "answers",
    "",
];

fn number_replacement() -> impl Strategy<Value = Json> {
    prop::sample::select(vec![
        "0",
        "-1",
        "-0",
        "0.5",
        "1e308",
        "-1e308",
        "1e999",
        "4294967295",
        "4294967296",
        "9223372036854775807",
        "9223372036854775808",
        "-9223372036854775808",
        "-9223372036854775809",
        "18446744073709551616",
        "170141183460469231731687303715884105727",
        "1.7976931348623157e308",
        "5e-324",
    ])
    .prop_map(|n| Json::Number(n.to_string()))
}

fn string_replacement() -> impl Strategy<Value = Json> {
    prop_oneof![
        4 => prop::sample::select(NAMES.to_vec()).prop_map(|s| Json::String(s.to_string())),
        1 => prop::sample::select(vec![
            "NaN", "Infinity", "-Infinity", "1e999", "-1", "2026-12-05T03:00:00Z",
            "9999-12-31T23:59:59Z", "+275760-09-13T00:00:00Z", "-262143-01-01T00:00:00Z",
            "1970-01-01T00:00:00Z", "2026-02-30", "0000-00-00",
            "0190a000-0000-7000-8000-000000000001", "00000000-0000-0000-0000-000000000000",
        ])
        .prop_map(|s| Json::String(s.to_string())),
        1 => ("\\PC", 1..100_000usize).prop_map(|(s, n)| Json::String(s.repeat(n))),
        1 => "\\PC{0,40}".prop_map(Json::String),
        1 => "[\\x00-\\x1f\u{202e}\u{feff}\u{10ffff}]{1,8}".prop_map(Json::String),
    ]
}

/// Any value, of any type.
fn replacement() -> impl Strategy<Value = Json> {
    prop_oneof![
        3 => number_replacement(),
        4 => string_replacement(),
        1 => Just(Json::Null),
        1 => any::<bool>().prop_map(Json::Bool),
        1 => Just(Json::Array(vec![])),
        1 => Just(Json::Object(vec![])),
        // Nested arrays, below and above serde_json's recursion limit (128).
        1 => (1..200usize).prop_map(|depth| {
            (0..depth).fold(Json::Number("1".into()), |inner, _| Json::Array(vec![inner]))
        }),
        // Long arrays of numbers or of objects.
        1 => (0..20_000usize).prop_map(|n| Json::Array(vec![Json::Number("1".into()); n])),
        1 => (0..2_000usize).prop_map(|n| Json::Array(vec![Json::Object(vec![]); n])),
    ]
}

#[derive(Debug, Clone)]
enum Edit {
    /// Replace the `at`th node with anything.
    Replace { at: usize, with: Json },
    /// Replace the `at`th node, if a number or a string, with another of its type.
    ReplaceAlike {
        at: usize,
        number: Json,
        string: Json,
    },
    /// Repeat the elements of the `at`th node, if an array (a polygon of thousands of
    /// corners, a form of thousands of photos).
    Lengthen { at: usize, times: usize },
    /// Drop a member of the `at`th object.
    DropKey { at: usize, member: usize },
    /// Repeat a member of an object, with another value: the reader sees it twice.
    DuplicateKey {
        at: usize,
        member: usize,
        with: Option<Json>,
    },
    /// Rename a member's key to another name.
    RenameKey {
        at: usize,
        member: usize,
        to: String,
    },
    /// Copy the `at`th node over the `to`th (a record where a number was, and so on).
    Graft { at: usize, to: usize },
    /// Repeat the records array's content.
    RepeatRecords { times: usize },
}

fn edit() -> impl Strategy<Value = Edit> {
    let at = any::<usize>();
    prop_oneof![
        2 => (at, replacement()).prop_map(|(at, with)| Edit::Replace { at, with }),
        6 => (at, number_replacement(), string_replacement())
            .prop_map(|(at, number, string)| Edit::ReplaceAlike { at, number, string }),
        1 => (at, prop_oneof![1..10usize, 100..5_000usize])
            .prop_map(|(at, times)| Edit::Lengthen { at, times }),
        2 => (at, any::<usize>()).prop_map(|(at, member)| Edit::DropKey { at, member }),
        2 => (at, any::<usize>(), prop::option::of(replacement()))
            .prop_map(|(at, member, with)| Edit::DuplicateKey { at, member, with }),
        1 => (at, any::<usize>(), prop::sample::select(NAMES.to_vec()))
            .prop_map(|(at, member, to)| Edit::RenameKey { at, member, to: to.to_string() }),
        1 => (at, any::<usize>()).prop_map(|(at, to)| Edit::Graft { at, to }),
        1 => (1..500usize).prop_map(|times| Edit::RepeatRecords { times }),
    ]
}

fn edit_json(json: &mut Json, edit: &Edit) {
    match edit {
        Edit::Replace { at, with } => *json.nth(*at) = with.clone(),
        Edit::ReplaceAlike { at, number, string } => {
            let node = json.nth(*at);
            match node {
                Json::Number(_) => *node = number.clone(),
                Json::String(_) => *node = string.clone(),
                _ => {}
            }
        }
        Edit::Lengthen { at, times } => {
            if let Json::Array(items) = json.nth(*at)
                && !items.is_empty()
            {
                let size: usize = items.iter().map(Json::count).sum();
                let times = (*times).min(50_000 / size.max(1));
                let copy = items.clone();
                for _ in 0..times {
                    items.extend(copy.iter().cloned());
                }
            }
        }
        Edit::DropKey { at, member } => {
            if let Some(members) = json.nth_object(*at)
                && !members.is_empty()
            {
                let m = member % members.len();
                members.remove(m);
            }
        }
        Edit::DuplicateKey { at, member, with } => {
            if let Some(members) = json.nth_object(*at)
                && !members.is_empty()
            {
                let m = member % members.len();
                let (key, value) = members[m].clone();
                members.push((key, with.clone().unwrap_or(value)));
            }
        }
        Edit::RenameKey { at, member, to } => {
            if let Some(members) = json.nth_object(*at)
                && !members.is_empty()
            {
                let m = member % members.len();
                members[m].0 = to.clone();
            }
        }
        Edit::Graft { at, to } => {
            let node = json.nth(*at).clone();
            // Bounded: a graft of the whole tree into itself doubles it at most.
            if node.count() < 5_000 {
                *json.nth(*to) = node;
            }
        }
        Edit::RepeatRecords { times } => {
            if let Json::Object(members) = json
                && let Some((_, Json::Array(records))) =
                    members.iter_mut().find(|(k, _)| k == "records")
                && records.len() < 50
            {
                let copy = records.clone();
                for _ in 0..*times {
                    records.extend(copy.iter().cloned());
                }
            }
        }
    }
}

/// Byte changes of the text, after the edits.
#[derive(Debug, Clone)]
enum ByteEdit {
    Set { at: usize, value: u8 },
    Remove { at: usize, len: usize },
    Truncate { at: usize },
}

fn byte_edit() -> impl Strategy<Value = ByteEdit> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(at, value)| ByteEdit::Set { at, value }),
        (any::<usize>(), 1..16usize).prop_map(|(at, len)| ByteEdit::Remove { at, len }),
        any::<usize>().prop_map(|at| ByteEdit::Truncate { at }),
    ]
}

fn apply_bytes(mut bytes: Vec<u8>, edits: &[ByteEdit]) -> Vec<u8> {
    for edit in edits {
        if bytes.is_empty() {
            break;
        }
        let len = bytes.len();
        match edit {
            ByteEdit::Set { at, value } => bytes[at % len] = *value,
            ByteEdit::Remove { at, len: n } => {
                let i = at % len;
                bytes.drain(i..(i + n).min(len));
            }
            ByteEdit::Truncate { at } => bytes.truncate(at % len),
        }
    }
    bytes
}

#[test]
fn mutated_push_json_is_read_or_refused_cleanly() {
    let seed = Json::from(&valid_push_json());
    let tally = Tally::default();
    let strategy = (
        prop::collection::vec(edit(), 1..4),
        prop_oneof![
            4 => Just(vec![]),
            1 => prop::collection::vec(byte_edit(), 1..3),
        ],
        household_size(),
    );
    fuzz(2, strategy, |(edits, byte_edits, size)| {
        let mut json = seed.clone();
        for edit in &edits {
            edit_json(&mut json, edit);
        }
        let bytes = apply_bytes(json.text().into_bytes(), &byte_edits);
        push_checked(&bytes, size, &tally)
    });
    let (unreadable, refused, passed) = tally.get();
    if cases() >= 64 {
        // The edits must leave many requests readable, and reach the checks both ways.
        let cases = cases() as usize;
        assert!(unreadable * 10 >= cases, "only {unreadable} unreadable");
        assert!(
            unreadable * 10 <= cases * 9,
            "{unreadable} of {cases} unreadable"
        );
        assert!(refused >= cases / 10, "only {refused} records refused");
        assert!(passed >= cases / 10, "only {passed} records passed");
    }
}

// ---------------------------------------------------------------------------------------
// Fixed inputs: the seed passes, deep nesting is refused
// ---------------------------------------------------------------------------------------

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

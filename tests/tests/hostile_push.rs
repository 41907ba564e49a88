//! The office trusts no device. Each push that once broke the office (a time that did not
//! read back, a 40,000-corner polygon, a corner at i64::MIN, an acceptance without answers,
//! a finding born closed) is refused with a 4xx that names the field, and nothing a client
//! sends can make a later read of any page, export or the pull answer 5xx: a property test
//! pushes generated well-formed-but-hostile records (re-signed, with correct content
//! hashes, so that many are stored) and then reads everything.

use std::sync::atomic::{AtomicUsize, Ordering};

use anju_core::area::{AreaRule, HouseMeasurement, MeasuredPart, Point, Shape};
use anju_core::form::{Answer, FindingDraft};
use anju_core::model::{FindingState, RecordedArea, Submission};
use anju_core::wire::{PushRecord, RecordBody};
use anju_tests::fixtures::{DEMO_PASSWORD, INSPECTOR, InProcessOffice, TOWNSHIP, office_data};
use anju_tests::pages::Page;
use anju_tests::records::{
    SyncClient, acceptance, finding_of, one_storey, photo, record, sign_all, signature,
};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The office, li's connection, two pages and what li may push to.
struct Scene {
    office: InProcessOffice,
    li: SyncClient,
    admin: Page,
    zhang: Page,
    /// (id, size) of li's households.
    households: Vec<(Uuid, u32)>,
    blobs: Vec<String>,
    _dir: tempfile::TempDir,
}

async fn scene() -> Result<Scene, BoxError> {
    let dir = tempfile::tempdir()?;
    office_data(dir.path())?;
    let office = InProcessOffice::start(dir.path()).await?;
    let url = office.url();
    let li = SyncClient::sign_in(&url, INSPECTOR, DEMO_PASSWORD).await?;
    let (status, pulled) = li.pull().await?;
    assert_eq!(status, StatusCode::OK);
    let households = pulled["households"]
        .as_array()
        .ok_or("households")?
        .iter()
        .map(|h| {
            Ok((
                Uuid::parse_str(h["id"].as_str().ok_or("id")?)?,
                u32::try_from(h["size"].as_u64().ok_or("size")?)?,
            ))
        })
        .collect::<Result<Vec<_>, BoxError>>()?;
    assert_eq!(households.len(), 14);
    let mut blobs = Vec::new();
    for i in 0..3u8 {
        blobs.push(li.upload(&[i; 64]).await?);
    }
    Ok(Scene {
        admin: Page::sign_in(&url, "admin").await?,
        zhang: Page::sign_in(&url, "zhang").await?,
        office,
        li,
        households,
        blobs,
        _dir: dir,
    })
}

fn submission_record(submission: &Submission) -> Result<PushRecord, BoxError> {
    record(RecordBody::Submission(submission.clone()))
}

/// The one record of a push refused as `invalid`, naming `field`.
async fn refused(scene: &Scene, records: &[PushRecord], field: &str) -> Result<Value, BoxError> {
    let (status, answer) = scene.li.push(records).await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    let result = answer["results"]
        .as_array()
        .ok_or("results")?
        .iter()
        .find(|r| r["status"] == "invalid")
        .ok_or("an invalid record")?
        .clone();
    assert!(
        result["field"]
            .as_str()
            .is_some_and(|f| f.starts_with(field)),
        "expected the field {field}: {result}"
    );
    assert!(
        result["message"]
            .as_str()
            .is_some_and(|m| m.contains(" / "))
    );
    Ok(result)
}

/// Every page, export and the pull; the ones that answered 5xx.
async fn read_everything(scene: &Scene, touched: &[Uuid]) -> Result<Vec<String>, BoxError> {
    let mut paths = vec![
        "/api/office/dashboard".to_string(),
        "/api/office/places".into(),
        "/api/office/households?limit=500".into(),
        "/api/office/review".into(),
        "/api/office/findings".into(),
        "/api/office/findings?overdue=true".into(),
        "/api/office/assignments".into(),
        "/api/office/samples".into(),
        "/api/office/old-houses".into(),
        "/api/office/policy".into(),
        "/api/office/exports/townships.xlsx".into(),
        "/api/office/exports/households.xlsx".into(),
        "/api/office/exports/findings.xlsx".into(),
        format!("/api/office/forms/township/{}", percent_encode(TOWNSHIP)),
    ];
    for status in [
        "pending",
        "awaiting_review",
        "accepted",
        "rectifying",
        "failed",
        "moved_in",
    ] {
        paths.push(format!("/api/office/households?status={status}&limit=500"));
    }
    for id in touched {
        paths.push(format!("/api/office/households/{id}"));
        paths.push(format!("/api/office/forms/{id}"));
    }
    let mut failed = Vec::new();
    for path in &paths {
        for page in [&scene.admin, &scene.zhang] {
            let (status, body) = page.bytes(path).await?;
            if status.is_server_error() {
                failed.push(format!(
                    "{path}: {status} {}",
                    String::from_utf8_lossy(&body)
                ));
            }
        }
    }
    let (status, body) = scene.li.pull().await?;
    if status.is_server_error() {
        failed.push(format!("pull: {status} {body}"));
    }
    Ok(failed)
}

fn percent_encode(text: &str) -> String {
    text.bytes().map(|b| format!("%{b:02X}")).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_push_that_once_broke_the_office_is_refused_naming_its_field() -> TestResult {
    let scene = scene().await?;
    let (household, size) = scene.households[0];
    let good = acceptance(household, size, INSPECTOR, &scene.blobs, one_storey(9_000))?;

    // A time that did not read back (year +12345): refused, the push's own too.
    let mut far = good.clone();
    far.clock.device_time = "+12345-01-01T00:00:00Z".parse()?;
    far.clock.trusted_time = None;
    far.clock.offset_ms = None;
    refused(
        &scene,
        &[submission_record(&far)?],
        "records[0].body.clock.device_time",
    )
    .await?;
    let (status, answer) = scene
        .li
        .push_at(
            json!("+12345-01-01T00:00:00Z"),
            &[submission_record(&good)?],
        )
        .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(answer["field"], "device_time");

    // 40,000 corners, and a corner at i64::MIN: refused at once, without a panic.
    let polygon = |points: Vec<Point>| HouseMeasurement {
        parts: vec![MeasuredPart {
            label: "主体".into(),
            storey: 1,
            shape: Shape::Polygon { points },
            voids: vec![],
            rule: AreaRule::Storey { height_mm: 2_900 },
        }],
    };
    let with_house = |measurement: HouseMeasurement| -> Result<Submission, BoxError> {
        let mut s = good.clone();
        s.answers
            .set("area_measurement", Answer::Area { measurement });
        sign_all(&mut s.answers, &scene.blobs[0], Utc::now())?;
        Ok(s)
    };
    let many: Vec<Point> = (0..40_000)
        .map(|i| {
            let angle = f64::from(i) / 40_000.0 * std::f64::consts::TAU;
            Point::new(
                (10_000.0 * angle.cos()) as i64,
                (10_000.0 * angle.sin()) as i64,
            )
        })
        .collect();
    let result = refused(
        &scene,
        &[submission_record(&with_house(polygon(many))?)?],
        "records[0].body.answers.area_measurement",
    )
    .await?;
    assert!(
        result["message"]
            .as_str()
            .unwrap_or_default()
            .contains("最多64个"),
        "{result}"
    );
    let minimum = polygon(vec![
        Point::new(i64::MIN, 0),
        Point::new(1_000, 0),
        Point::new(0, 1_000),
    ]);
    refused(
        &scene,
        &[submission_record(&with_house(minimum)?)?],
        "records[0].body.answers.area_measurement",
    )
    .await?;

    // An acceptance with no answers.
    let mut empty = good.clone();
    empty.answers = Default::default();
    refused(
        &scene,
        &[submission_record(&empty)?],
        "records[0].body.answers.",
    )
    .await?;

    // Recorded figures that the parts do not give.
    let mut lying = good.clone();
    lying.recorded_area = Some(RecordedArea {
        built_area: anju_core::area::Area::from_m2_hundredths(5_000),
        cap: anju_core::area::Area::from_m2_hundredths(100_000),
        rule_name: "x".into(),
        over_cap: false,
    });
    refused(
        &scene,
        &[submission_record(&lying)?],
        "records[0].body.recorded_area",
    )
    .await?;

    // The good one is taken; a finding born closed is not.
    let (status, answer) = scene.li.push(&[submission_record(&good)?]).await?;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let mut closed = finding_of(&good);
    closed.state = FindingState::Closed;
    refused(
        &scene,
        &[record(RecordBody::Finding(closed))?],
        "records[0].body.state",
    )
    .await?;
    // A finding that names another household's submission.
    let mut elsewhere = finding_of(&good);
    elsewhere.household_id = scene.households[1].0;
    refused(
        &scene,
        &[record(RecordBody::Finding(elsewhere))?],
        "records[0].body.submission_id",
    )
    .await?;
    let (status, answer) = scene
        .li
        .push(&[record(RecordBody::Finding(finding_of(&good)))?])
        .await?;
    assert_eq!(status, StatusCode::OK, "{answer}");

    let failed = read_everything(&scene, &[household]).await?;
    assert!(failed.is_empty(), "{failed:#?}");
    let metrics = anju_tests::fixtures::metrics(&scene.office.url(), &scene.li.token).await?;
    assert_eq!(metrics["responses_5xx"], 0, "{metrics}");
    scene.office.stop().await?;
    Ok(())
}

type TestResult = Result<(), BoxError>;

// ---------------------------------------------------------------------------------------
// Generated hostile records
// ---------------------------------------------------------------------------------------

/// Text a hostile device might send: markup, control characters, right-to-left marks,
/// emoji, and plain Chinese, of any length up to `max`.
fn hostile_text(max: usize) -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "郑怀圣",
        "<script>alert(1)</script>",
        "\u{0}",
        "\u{1}",
        "\u{202E}",
        "\u{200B}",
        "🏠",
        "'\"",
        "\\",
        "=SUM(A1)",
        "\r\n",
        " ",
        "a",
        "長",
        "&amp;",
        "%s",
        "${x}",
    ]);
    prop::collection::vec(pieces, 0..=max).prop_map(|parts| parts.concat())
}

/// Any time chrono can represent, or a plausible one, or one at the window's edges.
fn any_time() -> impl Strategy<Value = DateTime<Utc>> {
    prop_oneof![
        (-8_000_000_000_000_i64..8_000_000_000_000_i64)
            .prop_map(|s| DateTime::from_timestamp(s, 0).unwrap_or_default()),
        (-3_000_000_i64..90_000).prop_map(|s| Utc::now() + Duration::seconds(s)),
        Just("2016-01-01T00:00:00Z".parse().unwrap_or_default()),
        Just("1970-01-01T00:00:00Z".parse().unwrap_or_default()),
    ]
}

fn any_date() -> impl Strategy<Value = NaiveDate> {
    prop_oneof![
        (-100_000_i32..3_000_000)
            .prop_map(|d| NaiveDate::from_num_days_from_ce_opt(d).unwrap_or_default()),
        (0_i64..800).prop_map(|d| Utc::now().date_naive() + Duration::days(d)),
    ]
}

fn any_point() -> impl Strategy<Value = Point> {
    prop_oneof![
        (any::<i64>(), any::<i64>()).prop_map(|(x, y)| Point::new(x, y)),
        (-20_000_i64..20_000, -20_000_i64..20_000).prop_map(|(x, y)| Point::new(x, y)),
    ]
}

fn any_shape() -> impl Strategy<Value = Shape> {
    prop_oneof![
        (any::<i64>(), any::<i64>()).prop_map(|(length_mm, width_mm)| Shape::Rectangle {
            length_mm,
            width_mm
        }),
        (1_i64..250_000, 1_i64..250_000).prop_map(|(length_mm, width_mm)| Shape::Rectangle {
            length_mm,
            width_mm
        }),
        prop::collection::vec(any_point(), 0..90).prop_map(|points| Shape::Polygon { points }),
    ]
}

fn any_rule() -> impl Strategy<Value = AreaRule> {
    prop_oneof![
        any::<i64>().prop_map(|height_mm| AreaRule::Storey { height_mm }),
        (1_i64..5_000).prop_map(|height_mm| AreaRule::Storey { height_mm }),
        any::<i64>().prop_map(|clear_height_mm| AreaRule::SlopedRoof { clear_height_mm }),
        Just(AreaRule::BalconyOutside),
        any::<i64>().prop_map(|width_mm| AreaRule::CanopyCantilever { width_mm }),
        Just(AreaRule::OpenTerrace),
    ]
}

fn any_house() -> impl Strategy<Value = HouseMeasurement> {
    let part = (
        hostile_text(6),
        any::<i32>(),
        any_shape(),
        prop::collection::vec(any_shape(), 0..3),
        any_rule(),
    )
        .prop_map(|(label, storey, shape, voids, rule)| MeasuredPart {
            label,
            storey,
            shape,
            voids,
            rule,
        });
    prop::collection::vec(part, 0..8).prop_map(|parts| HouseMeasurement { parts })
}

/// One change a hostile device makes to otherwise good records.
#[derive(Debug, Clone)]
enum Change {
    DeviceTime(DateTime<Utc>),
    TrustedTime(Option<DateTime<Utc>>, Option<i64>),
    House(HouseMeasurement),
    Text(String, String),
    Number(String, f64),
    Choice(String, Vec<String>),
    Drop(String),
    Findings(Vec<(String, Option<String>, NaiveDate)>),
    Recorded(i64, i64, bool, String),
    PolicyVersion(Option<u32>),
    SignedAt(DateTime<Utc>),
    SignerName(String),
    FindingState(FindingState),
    FindingDeadline(NaiveDate),
    FindingText(String, Option<String>),
    FindingSubmission(bool),
    PhotoPlace(f64, f64),
    PhotoSize(u32, u32, u64),
    PhotoTime(DateTime<Utc>),
    PhotoSlot(String),
}

const KEYS: [&str; 8] = [
    "target_note",
    "opinion_text",
    "quality_defects",
    "target_people_present",
    "funding_self_yuan",
    "quality_safety_grade",
    "photo_rooms",
    "made_up_item",
];

fn any_change() -> impl Strategy<Value = Change> {
    let key = prop::sample::select(KEYS.to_vec()).prop_map(str::to_string);
    let state = prop::sample::select(vec![
        FindingState::Open,
        FindingState::Rectified,
        FindingState::Closed,
        FindingState::Reopened,
    ]);
    prop_oneof![
        any_time().prop_map(Change::DeviceTime),
        (prop::option::of(any_time()), prop::option::of(any::<i64>()))
            .prop_map(|(t, o)| Change::TrustedTime(t, o)),
        any_house().prop_map(Change::House),
        (key.clone(), hostile_text(600)).prop_map(|(k, v)| Change::Text(k, v)),
        (key.clone(), any::<f64>()).prop_map(|(k, v)| Change::Number(k, v)),
        (key.clone(), prop::collection::vec(hostile_text(3), 0..60))
            .prop_map(|(k, v)| Change::Choice(k, v)),
        key.prop_map(Change::Drop),
        prop::collection::vec(
            (
                hostile_text(30),
                prop::option::of(hostile_text(4)),
                any_date()
            ),
            0..60
        )
        .prop_map(Change::Findings),
        (any::<i64>(), any::<i64>(), any::<bool>(), hostile_text(5))
            .prop_map(|(b, c, o, r)| Change::Recorded(b, c, o, r)),
        prop::option::of(0_u32..5).prop_map(Change::PolicyVersion),
        any_time().prop_map(Change::SignedAt),
        hostile_text(60).prop_map(Change::SignerName),
        state.prop_map(Change::FindingState),
        any_date().prop_map(Change::FindingDeadline),
        (hostile_text(600), prop::option::of(hostile_text(5)))
            .prop_map(|(d, i)| Change::FindingText(d, i)),
        any::<bool>().prop_map(Change::FindingSubmission),
        (any::<f64>(), any::<f64>()).prop_map(|(a, b)| Change::PhotoPlace(a, b)),
        (any::<u32>(), any::<u32>(), any::<u64>()).prop_map(|(w, h, b)| Change::PhotoSize(w, h, b)),
        any_time().prop_map(Change::PhotoTime),
        hostile_text(70).prop_map(Change::PhotoSlot),
    ]
}

/// The records of one case: a photo, a signature, an acceptance and its finding, each
/// changed as `changes` say, the acceptance signed again over its new content.
fn hostile_records(
    scene: &Scene,
    household: (Uuid, u32),
    changes: &[Change],
) -> Result<Vec<PushRecord>, BoxError> {
    let (id, size) = household;
    let mut submission = acceptance(id, size, INSPECTOR, &scene.blobs, one_storey(9_000))?;
    let mut finding = finding_of(&submission);
    let mut photo = photo(id, &scene.blobs[2]);
    let mut sign = signature(id, &scene.blobs[1]);
    let mut signed_at = Utc::now();
    for change in changes {
        match change.clone() {
            Change::DeviceTime(t) => submission.clock.device_time = t,
            Change::TrustedTime(t, o) => {
                submission.clock.trusted_time = t;
                submission.clock.offset_ms = o;
            }
            Change::House(measurement) => submission
                .answers
                .set("area_measurement", Answer::Area { measurement }),
            Change::Text(k, value) => submission.answers.set(k, Answer::Text { value }),
            Change::Number(k, value) => submission.answers.set(k, Answer::Number { value }),
            Change::Choice(k, selected) => submission.answers.set(k, Answer::Choice { selected }),
            Change::Drop(k) => {
                submission.answers.remove(&k);
            }
            Change::Findings(items) => submission.answers.set(
                "findings",
                Answer::Findings {
                    items: items
                        .into_iter()
                        .map(|(description, item, deadline)| FindingDraft {
                            description,
                            item,
                            deadline,
                        })
                        .collect(),
                },
            ),
            Change::Recorded(built, cap, over_cap, rule_name) => {
                submission.recorded_area = Some(RecordedArea {
                    built_area: anju_core::area::Area::from_quarter_mm2(i128::from(built)),
                    cap: anju_core::area::Area::from_quarter_mm2(i128::from(cap)),
                    rule_name,
                    over_cap,
                })
            }
            Change::PolicyVersion(v) => submission.policy_version = v,
            Change::SignedAt(t) => signed_at = t,
            Change::SignerName(name) => sign.signature.signer_name = name,
            Change::FindingState(state) => finding.state = state,
            Change::FindingDeadline(d) => finding.deadline = d,
            Change::FindingText(description, item) => {
                finding.description = description;
                finding.item = item;
            }
            Change::FindingSubmission(keep) => {
                finding.submission_id = keep.then_some(submission.id).or(Some(Uuid::now_v7()))
            }
            Change::PhotoPlace(lat, lon) => {
                photo.latitude = Some(lat);
                photo.longitude = Some(lon);
            }
            Change::PhotoSize(w, h, b) => {
                photo.width = w;
                photo.height = h;
                photo.bytes = b;
            }
            Change::PhotoTime(t) => {
                photo.taken.device_time = t;
                photo.taken.trusted_time = None;
                photo.taken.offset_ms = None;
            }
            Change::PhotoSlot(slot) => photo.slot = slot,
        }
    }
    sign_all(&mut submission.answers, &scene.blobs[0], signed_at)?;
    sign.signature.signed_at = signed_at;
    Ok(vec![
        record(RecordBody::Photo(photo))?,
        record(RecordBody::Signature(sign))?,
        record(RecordBody::Submission(submission))?,
        record(RecordBody::Finding(finding))?,
    ])
}

#[test]
fn nothing_a_device_sends_makes_a_later_read_fail() -> TestResult {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let scene = runtime.block_on(scene())?;
    // A fixed seed: the same cases on every run (PROPTEST_CASES runs more).
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(40);
    let mut runner = TestRunner::new_with_rng(
        Config {
            cases,
            failure_persistence: None,
            ..Config::default()
        },
        TestRng::deterministic_rng(RngAlgorithm::ChaCha),
    );
    let stored = AtomicUsize::new(0);
    let strategy = (0_usize..14, prop::collection::vec(any_change(), 0..4));
    let outcome = runner.run(&strategy, |(which, changes)| {
        let household = scene.households[which];
        let result: Result<(), String> = runtime.block_on(async {
            let records =
                hostile_records(&scene, household, &changes).map_err(|e| e.to_string())?;
            let (status, answer) = scene.li.push(&records).await.map_err(|e| e.to_string())?;
            if status.is_server_error() {
                return Err(format!("the push answered {status}: {answer}"));
            }
            if answer["results"][2]["status"] == "accepted" {
                stored.fetch_add(1, Ordering::Relaxed);
            }
            let failed = read_everything(&scene, &[household.0])
                .await
                .map_err(|e| e.to_string())?;
            if failed.is_empty() {
                Ok(())
            } else {
                Err(format!("{failed:#?}"))
            }
        });
        result.map_err(TestCaseError::fail)
    });
    if let Err(failure) = outcome {
        return Err(format!("{failure}").into());
    }
    // The generator must reach storage too, or the reads prove little.
    let stored = stored.load(Ordering::Relaxed);
    eprintln!("{cases} cases, {stored} generated submissions stored");
    assert!(
        stored >= 3,
        "only {stored} generated submissions were stored"
    );
    let metrics = runtime.block_on(anju_tests::fixtures::metrics(
        &scene.office.url(),
        &scene.li.token,
    ))?;
    assert_eq!(metrics["responses_5xx"], 0, "{metrics}");
    runtime.block_on(scene.office.stop())?;
    Ok(())
}

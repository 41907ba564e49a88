use super::*;
use crate::area::{AreaRule, HouseMeasurement, MeasuredPart, Point, Shape};
use crate::form::{ACCEPTANCE_FORM_ID, FindingDraft, FormAnswers};
use crate::hash::sha256_hex;
use crate::model::SignatureMethod;
use uuid::Uuid;

fn now() -> DateTime<Utc> {
    utc(2026, 12, 5) + Duration::hours(3)
}

fn reading() -> ClockReading {
    ClockReading {
        device_time: now() + Duration::seconds(90),
        trusted_time: Some(now()),
        offset_ms: Some(90_000),
    }
}

fn house(length_mm: i64) -> HouseMeasurement {
    crate::testing::one_storey(length_mm, 9_000)
}

/// A complete, correctly signed acceptance of a house `length_mm` long.
fn acceptance(length_mm: i64) -> Submission {
    Submission {
        id: Uuid::now_v7(),
        household_id: Uuid::now_v7(),
        kind: SubmissionKind::Acceptance,
        form_id: ACCEPTANCE_FORM_ID.into(),
        form_version: 1,
        inspector: "li".into(),
        answers: crate::testing::filled_acceptance(&house(length_mm), 4.0, now()),
        clock: reading(),
        policy_version: Some(1),
        recorded_area: None,
        position: None,
        finding_id: None,
    }
}

fn policies() -> PolicyHistory {
    PolicyHistory::new(vec![PolicyVersion::initial(now())])
}

fn check(submission: &Submission) -> Result<(), Vec<RecordProblem>> {
    let policies = policies();
    let forms = crate::form::FormCatalog::builtin();
    check_submission(
        submission,
        &SubmissionContext {
            household_size: 4,
            policies: &policies,
            bounds: TimeBounds::at(now()),
            forms: &forms,
            placement: None,
            part_department: None,
        },
    )
    .map(|_| ())
}

fn fields(result: Result<(), Vec<RecordProblem>>) -> Vec<String> {
    result.unwrap_err().into_iter().map(|p| p.field).collect()
}

#[test]
fn the_date_is_the_date_in_china() {
    let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    assert_eq!(
        china_date("2017-09-04T15:59:59Z".parse().unwrap()),
        date(2017, 9, 4)
    );
    assert_eq!(
        china_date("2017-09-04T17:30:00Z".parse().unwrap()),
        date(2017, 9, 5)
    );
    // The last moment chrono holds has no China date after it: it stays as it is.
    assert_eq!(
        china_date(DateTime::<Utc>::MAX_UTC),
        DateTime::<Utc>::MAX_UTC.date_naive()
    );
}

#[test]
fn a_good_acceptance_passes_with_what_the_device_recorded() {
    let mut good = acceptance(10_000);
    assert_eq!(check(&good), Ok(()));
    let policies = policies();
    let policy = &policies.versions()[0].policy;
    let assessment = policy.assess(&house(10_000), 4).unwrap();
    good.recorded_area = Some(recorded_area(&assessment));
    assert_eq!(check(&good), Ok(()));
}

#[test]
fn recorded_figures_must_be_what_the_parts_give() {
    let mut lying = acceptance(10_000);
    let policies = policies();
    let policy = &policies.versions()[0].policy;
    let honest = policy.assess(&house(10_000), 4).unwrap();
    let mut recorded = recorded_area(&honest);
    recorded.built_area = crate::area::Area::from_m2_hundredths(8_000);
    lying.recorded_area = Some(recorded.clone());
    let problems = check(&lying).unwrap_err();
    assert_eq!(problems[0].field, "recorded_area.built_area");
    assert!(problems[0].zh.contains("90.00 m²"), "{}", problems[0]);
    recorded.built_area = honest.built_area;
    recorded.over_cap = true;
    lying.recorded_area = Some(recorded);
    assert_eq!(fields(check(&lying)), ["recorded_area.over_cap"]);
}

#[test]
fn an_empty_acceptance_names_every_missing_answer() {
    let mut empty = acceptance(10_000);
    empty.answers = FormAnswers::default();
    let fields = fields(check(&empty));
    assert!(fields.contains(&"answers.area_measurement".to_string()));
    assert!(fields.contains(&"answers.sign_household_head".to_string()));
    assert!(fields.len() > 30, "{fields:?}");
}

/// The context a device checks a form in, under the first policy version.
fn form_context(policies: &PolicyHistory) -> FormContext {
    let version = &policies.versions()[0];
    FormContext {
        household_size: 4,
        today: china_date(now()),
        policy: version.policy.area_caps.clone(),
        policy_context: version.policy.context(),
        policy_version: Some(version.version),
        placement: None,
    }
}

#[test]
fn a_device_submits_a_complete_form_with_the_figures_the_office_computes() {
    let policies = policies();
    let form = crate::form::acceptance_form_v1();
    let answers = crate::testing::filled_acceptance(&house(10_000), 4.0, now());
    let recorded = check_before_submitting(&form, &answers, &form_context(&policies)).unwrap();
    let assessment = policies.versions()[0]
        .policy
        .assess(&house(10_000), 4)
        .unwrap();
    assert_eq!(recorded, Some(recorded_area(&assessment)));
    let mut submission = acceptance(10_000);
    submission.recorded_area = recorded;
    assert_eq!(check(&submission), Ok(()));
}

#[test]
fn a_device_does_not_submit_an_incomplete_form() {
    let policies = policies();
    let form = crate::form::acceptance_form_v1();
    let issues = check_before_submitting(&form, &FormAnswers::default(), &form_context(&policies))
        .unwrap_err();
    assert!(issues.len() > 20, "{}", issues.len());
    assert!(issues.iter().any(|i| i.item == "area_measurement"));
    assert!(issues[0].to_string().contains("未填写"), "{}", issues[0]);
}

#[test]
fn times_must_be_plausible_and_read_back() {
    let mut far = acceptance(10_000);
    far.clock.device_time = "+12345-01-01T00:00:00Z".parse().unwrap();
    far.clock.offset_ms = Some((far.clock.device_time - now()).num_milliseconds());
    assert_eq!(fields(check(&far)), ["clock.device_time"]);
    let mut unanchored = acceptance(10_000);
    unanchored.clock = ClockReading {
        device_time: now() + Duration::days(3),
        trusted_time: None,
        offset_ms: None,
    };
    assert_eq!(fields(check(&unanchored)), ["clock.device_time"]);
    let mut old = acceptance(10_000);
    old.clock.trusted_time = Some(utc(2015, 6, 1));
    old.clock.offset_ms = Some((old.clock.device_time - utc(2015, 6, 1)).num_milliseconds());
    assert_eq!(fields(check(&old)), ["clock.trusted_time"]);
    let mut inconsistent = acceptance(10_000);
    inconsistent.clock.offset_ms = Some(i64::MIN);
    assert_eq!(fields(check(&inconsistent)), ["clock.offset_ms"]);
    // A phone clock years off is kept as evidence when the trusted time is good.
    let mut reset = acceptance(10_000);
    reset.clock.device_time = utc(1970, 1, 2);
    reset.clock.offset_ms = Some((utc(1970, 1, 2) - now()).num_milliseconds());
    assert_eq!(check(&reset), Ok(()));
    assert!(check_push_time("+12345-01-01T00:00:00Z".parse().unwrap()).is_err());
    assert!(check_push_time(now()).is_ok());
}

#[test]
fn hostile_geometry_is_refused_quickly_and_without_panicking() {
    let polygon = |points: Vec<Point>| HouseMeasurement {
        parts: vec![MeasuredPart {
            label: "主体".into(),
            storey: 1,
            shape: Shape::Polygon { points },
            voids: vec![],
            rule: AreaRule::Storey { height_mm: 2_900 },
        }],
    };
    let with = |measurement: HouseMeasurement| {
        let mut s = acceptance(10_000);
        s.answers
            .set("area_measurement", Answer::Area { measurement });
        // The signatures no longer match; only the area's problem matters here.
        fields(check(&s))
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
    let started = std::time::Instant::now();
    assert!(with(polygon(many)).contains(&"answers.area_measurement".to_string()));
    // Not a timing test: a quadratic check of 40,000 corners would take minutes.
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
    let minimum = polygon(vec![
        Point::new(i64::MIN, 0),
        Point::new(1_000, 0),
        Point::new(0, 1_000),
    ]);
    assert!(with(minimum).contains(&"answers.area_measurement".to_string()));
    let parts = HouseMeasurement {
        parts: (0..1_000).map(|_| house(3_000).parts[0].clone()).collect(),
    };
    assert!(with(parts).contains(&"answers.area_measurement".to_string()));
}

#[test]
fn an_unknown_policy_version_is_refused() {
    let mut s = acceptance(10_000);
    s.policy_version = Some(7);
    assert_eq!(fields(check(&s)), ["policy_version"]);
}

#[test]
fn findings_are_born_open_with_sane_fields() {
    let finding = Finding {
        id: Uuid::now_v7(),
        household_id: Uuid::now_v7(),
        submission_id: None,
        item: Some("move_in_water".into()),
        description: "水未入户".into(),
        deadline: NaiveDate::from_ymd_opt(2026, 12, 30).unwrap(),
        state: FindingState::Open,
    };
    assert_eq!(check_finding(&finding), Ok(()));
    let closed = Finding {
        state: FindingState::Closed,
        ..finding.clone()
    };
    assert_eq!(check_finding(&closed).unwrap_err().field, "state");
    let far = Finding {
        deadline: NaiveDate::MAX,
        ..finding.clone()
    };
    assert_eq!(check_finding(&far).unwrap_err().field, "deadline");
    let long = Finding {
        description: "很".repeat(10_000),
        ..finding.clone()
    };
    let problem = check_finding(&long).unwrap_err();
    assert_eq!(problem.field, "description");
    let key = Finding {
        item: Some("DROP TABLE".into()),
        ..finding
    };
    assert_eq!(check_finding(&key).unwrap_err().field, "item");
}

#[test]
fn form_findings_and_notes_are_bounded() {
    let mut s = acceptance(10_000);
    s.answers.set(
        "findings",
        Answer::Findings {
            items: (0..60)
                .map(|_| FindingDraft {
                    description: "门前道路未硬化".into(),
                    item: None,
                    deadline: NaiveDate::from_ymd_opt(2026, 12, 30).unwrap(),
                })
                .collect(),
        },
    );
    assert!(fields(check(&s)).contains(&"answers.findings".to_string()));
}

#[test]
fn photos_and_signatures_are_checked() {
    let photo = PhotoMeta {
        sha256: sha256_hex(b"photo"),
        household_id: Uuid::now_v7(),
        slot: "photo_front".into(),
        bytes: 300_000,
        width: 1600,
        height: 1200,
        taken: reading(),
        latitude: Some(31.765),
        longitude: Some(116.51),
        fix: None,
        source: None,
        camera_time: None,
    };
    let bounds = TimeBounds::at(now());
    assert_eq!(check_photo(&photo, &bounds), Ok(()));
    let nan = PhotoMeta {
        latitude: Some(f64::NAN),
        ..photo.clone()
    };
    assert_eq!(check_photo(&nan, &bounds).unwrap_err().field, "latitude");
    let huge = PhotoMeta {
        width: u32::MAX,
        ..photo.clone()
    };
    assert_eq!(check_photo(&huge, &bounds).unwrap_err().field, "width");
    let signature = SignatureMeta {
        id: Uuid::now_v7(),
        slot: "sign_household_head".into(),
        signer_name: "名".repeat(51),
        method: SignatureMethod::Handwritten,
        image_sha256: sha256_hex(b"s"),
        signed_content_sha256: sha256_hex(b"c"),
        signed_at: now(),
        signer: None,
    };
    assert_eq!(
        check_signature(&signature, &bounds, "signature")
            .unwrap_err()
            .field,
        "signature.signer_name"
    );
}

#[test]
fn problems_name_their_field_in_both_languages() {
    let problem = check_deadline(NaiveDate::MIN, "deadline").unwrap_err();
    let text = problem.to_string();
    assert!(text.starts_with("deadline："), "{text}");
    assert!(text.contains("not within"), "{text}");
    // A hostile key cannot make the message huge.
    let long = "a".repeat(100_000);
    assert!(check_key(&long, "slot").unwrap_err().zh.chars().count() < 200);
}

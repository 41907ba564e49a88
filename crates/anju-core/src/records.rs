//! The checks every record passes before it is kept: on the device before it is submitted
//! and at the office when it arrives, with the same code. A record the office cannot read
//! back, display or decide by is refused here, with the field it is about.
//!
//! - Times: a record's time (the trusted time, or the device's when it has none) lies
//!   between 1 January of the programme's start year and one day after the office's
//!   clock. A device clock may be wrong by years (a phone reset to 1970); it is kept, as
//!   evidence, when the trusted time beside it is good, but only within 1970–2099 so
//!   that it always reads back.
//! - Text has a length, lists a count, numbers a range; geometry is bounded by the area
//!   engine (corners, parts, coordinates).
//! - A submission is a complete form of its version, checked with the policy version it
//!   names (or the one in force on its date); the figures it recorded (built area, cap,
//!   verdict) must be what the office computes from its parts.
//! - A finding is born open: only the office moves it.

use std::fmt;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};

use crate::area;
use crate::district_policy::{PROGRAMME_START_YEAR, PolicyHistory, PolicyVersion, programme_start};
use crate::form::{ACCEPTANCE_FORM_ID, Answer, FormContext, SPOT_CHECK_FORM_ID, form_by_id};
use crate::hash::is_sha256_hex;
use crate::model::{
    ClockReading, Finding, FindingState, PhotoMeta, RecordedArea, SignatureMeta, SignatureMethod,
    Submission, SubmissionKind,
};

/// Names of people (signers, inspectors) and relations.
pub const MAX_NAME_CHARS: usize = 50;
/// A finding's description.
pub const MAX_DESCRIPTION_CHARS: usize = 500;
/// Item keys and slots: lower-case letters, digits and `_`.
pub const MAX_KEY_CHARS: usize = 64;
/// The largest photo side in pixels.
pub const MAX_PHOTO_SIDE: u32 = 20_000;
/// A recorded clock reading may differ from `device − offset` by this much (rounding).
const CLOCK_SLACK_MS: i64 = 1_000;

/// One thing wrong with a record, and where (a path into the record, e.g.
/// `answers.area_measurement` or `clock.device_time`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordProblem {
    pub field: String,
    pub zh: String,
    pub en: String,
}

impl RecordProblem {
    fn new(field: impl Into<String>, zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            zh: zh.into(),
            en: en.into(),
        }
    }
}

impl fmt::Display for RecordProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}：{} / {}: {}",
            self.field, self.zh, self.field, self.en
        )
    }
}

impl std::error::Error for RecordProblem {}

/// The date in China (UTC+8) at `t`: deadlines and policy dates are China dates.
pub fn china_date(t: DateTime<Utc>) -> NaiveDate {
    t.checked_add_signed(Duration::hours(8))
        .unwrap_or(t)
        .date_naive()
}

fn utc(year: i32, month: u32, day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(year, month, day, 0, 0, 0)
        .single()
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// The times a record may carry, as the office's clock sets them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeBounds {
    pub earliest: DateTime<Utc>,
    pub latest: DateTime<Utc>,
}

impl TimeBounds {
    /// From the programme's start to a day after `now`.
    pub fn at(now: DateTime<Utc>) -> Self {
        Self {
            earliest: utc(PROGRAMME_START_YEAR, 1, 1),
            latest: now + Duration::days(1),
        }
    }

    fn check(&self, t: DateTime<Utc>, field: &str) -> Result<(), RecordProblem> {
        if t < self.earliest {
            Err(RecordProblem::new(
                field,
                format!(
                    "时间{}早于{PROGRAMME_START_YEAR}年，不可能属于本项目",
                    t.to_rfc3339()
                ),
                format!(
                    "the time {} is before {PROGRAMME_START_YEAR}: no record of the programme is older",
                    t.to_rfc3339()
                ),
            ))
        } else if t > self.latest {
            Err(RecordProblem::new(
                field,
                format!("时间{}晚于办公室时钟一天以上", t.to_rfc3339()),
                format!(
                    "the time {} is more than a day after the office's clock",
                    t.to_rfc3339()
                ),
            ))
        } else {
            Ok(())
        }
    }
}

/// A device's own clock: kept as evidence even when wrong, but within 1970–2099.
fn check_device_clock(t: DateTime<Utc>, field: &str) -> Result<(), RecordProblem> {
    if t < utc(1970, 1, 1) || t >= utc(2100, 1, 1) {
        Err(RecordProblem::new(
            field,
            format!("设备时间{}不在1970–2099年之间", t.to_rfc3339()),
            format!("the device time {} is not within 1970–2099", t.to_rfc3339()),
        ))
    } else {
        Ok(())
    }
}

/// The time a push request says the device had.
pub fn check_push_time(device_time: DateTime<Utc>) -> Result<(), RecordProblem> {
    check_device_clock(device_time, "device_time")
}

fn join(prefix: &str, field: &str) -> String {
    if prefix.is_empty() {
        field.to_string()
    } else {
        format!("{prefix}.{field}")
    }
}

/// A clock reading: its trusted time (or device time when it has none) within `bounds`,
/// and the three figures consistent with one another.
pub fn check_clock(
    reading: &ClockReading,
    bounds: &TimeBounds,
    prefix: &str,
) -> Result<(), RecordProblem> {
    let device_field = join(prefix, "device_time");
    match (reading.trusted_time, reading.offset_ms) {
        (Some(trusted), Some(offset)) => {
            bounds.check(trusted, &join(prefix, "trusted_time"))?;
            check_device_clock(reading.device_time, &device_field)?;
            let gap = (reading.device_time - trusted).num_milliseconds();
            if gap.abs_diff(offset) > CLOCK_SLACK_MS.unsigned_abs() {
                return Err(RecordProblem::new(
                    join(prefix, "offset_ms"),
                    format!("时钟偏差{offset} ms与设备时间和可信时间之差{gap} ms不符"),
                    format!(
                        "the clock offset {offset} ms does not match the device time minus the trusted time ({gap} ms)"
                    ),
                ));
            }
            Ok(())
        }
        (None, None) => bounds.check(reading.device_time, &device_field),
        _ => Err(RecordProblem::new(
            join(prefix, "offset_ms"),
            "可信时间与时钟偏差须同时给出或同时省略",
            "the trusted time and the clock offset come together or not at all",
        )),
    }
}

/// When a reading was made: the trusted time if there is one.
pub fn made_at(reading: &ClockReading) -> DateTime<Utc> {
    reading.trusted_time.unwrap_or(reading.device_time)
}

fn check_key(value: &str, field: &str) -> Result<(), RecordProblem> {
    let ok = !value.is_empty()
        && value.len() <= MAX_KEY_CHARS
        && value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(RecordProblem::new(
            field,
            format!(
                "“{}”不是有效的表单项标识（小写字母、数字、下划线，最多{MAX_KEY_CHARS}个）",
                shorten(value)
            ),
            format!(
                "'{}' is not a form key (lower-case letters, digits and _, at most {MAX_KEY_CHARS})",
                shorten(value)
            ),
        ))
    }
}

fn check_sha(value: &str, field: &str) -> Result<(), RecordProblem> {
    if is_sha256_hex(value) {
        Ok(())
    } else {
        Err(RecordProblem::new(
            field,
            format!("“{}”不是有效的SHA-256", shorten(value)),
            format!("'{}' is not a SHA-256", shorten(value)),
        ))
    }
}

/// A long value cut for a message, so that a hostile value cannot make the answer huge.
fn shorten(value: &str) -> String {
    const KEEP: usize = 40;
    if value.chars().count() <= KEEP {
        value.to_string()
    } else {
        let head: String = value.chars().take(KEEP).collect();
        format!("{head}…")
    }
}

fn check_name(value: &str, field: &str, what_zh: &str, what_en: &str) -> Result<(), RecordProblem> {
    let length = value.chars().count();
    if value.trim().is_empty() {
        Err(RecordProblem::new(
            field,
            format!("{what_zh}为空"),
            format!("the {what_en} is empty"),
        ))
    } else if length > MAX_NAME_CHARS {
        Err(RecordProblem::new(
            field,
            format!("{what_zh}过长：{length}字，最多{MAX_NAME_CHARS}字"),
            format!("the {what_en} is too long: {length} characters, at most {MAX_NAME_CHARS}"),
        ))
    } else {
        Ok(())
    }
}

/// A photo's metadata.
pub fn check_photo(photo: &PhotoMeta, bounds: &TimeBounds) -> Result<(), RecordProblem> {
    check_sha(&photo.sha256, "sha256")?;
    check_key(&photo.slot, "slot")?;
    if photo.bytes == 0 || photo.bytes > crate::wire::MAX_BLOB_BYTES {
        return Err(RecordProblem::new(
            "bytes",
            format!("照片大小{}字节不合理", photo.bytes),
            format!("a photo of {} bytes is not plausible", photo.bytes),
        ));
    }
    for (side, field) in [(photo.width, "width"), (photo.height, "height")] {
        if side == 0 || side > MAX_PHOTO_SIDE {
            return Err(RecordProblem::new(
                field,
                format!("照片边长{side}像素不合理（1–{MAX_PHOTO_SIDE}）"),
                format!("a photo side of {side} pixels is not plausible (1–{MAX_PHOTO_SIDE})"),
            ));
        }
    }
    check_clock(&photo.taken, bounds, "taken")?;
    let coordinate = |value: Option<f64>, limit: f64, field: &str| match value {
        Some(v) if !v.is_finite() || v.abs() > limit => Err(RecordProblem::new(
            field,
            format!("坐标{v}超出±{limit}°"),
            format!("the coordinate {v} is outside ±{limit}°"),
        )),
        _ => Ok(()),
    };
    coordinate(photo.latitude, 90.0, "latitude")?;
    coordinate(photo.longitude, 180.0, "longitude")?;
    if photo.latitude.is_some() != photo.longitude.is_some() {
        return Err(RecordProblem::new(
            "longitude",
            "纬度与经度须同时给出",
            "latitude and longitude come together",
        ));
    }
    Ok(())
}

/// A signature, as a record of its own or inside a form's answers (`prefix`).
pub fn check_signature(
    signature: &SignatureMeta,
    bounds: &TimeBounds,
    prefix: &str,
) -> Result<(), RecordProblem> {
    check_key(&signature.slot, &join(prefix, "slot"))?;
    check_name(
        &signature.signer_name,
        &join(prefix, "signer_name"),
        "签字人姓名",
        "signer's name",
    )?;
    if let SignatureMethod::Proxy {
        signer_name,
        relation,
    } = &signature.method
    {
        check_name(
            signer_name,
            &join(prefix, "method.signer_name"),
            "代签人姓名",
            "proxy signer's name",
        )?;
        check_name(
            relation,
            &join(prefix, "method.relation"),
            "与户主关系",
            "relation to the head",
        )?;
    }
    check_sha(&signature.image_sha256, &join(prefix, "image_sha256"))?;
    check_sha(
        &signature.signed_content_sha256,
        &join(prefix, "signed_content_sha256"),
    )?;
    bounds.check(signature.signed_at, &join(prefix, "signed_at"))
}

/// A finding as a device sends it.
pub fn check_finding(finding: &Finding) -> Result<(), RecordProblem> {
    if finding.state != FindingState::Open {
        return Err(RecordProblem::new(
            "state",
            format!(
                "新问题的状态须为“待整改”，不能是“{}”：整改状态只由办公室改变",
                finding.state.label_zh()
            ),
            format!(
                "a new finding is open, not {}: only the office moves it on",
                finding.state.code()
            ),
        ));
    }
    let length = finding.description.chars().count();
    if finding.description.trim().is_empty() {
        return Err(RecordProblem::new(
            "description",
            "问题描述为空",
            "the finding has no description",
        ));
    }
    if length > MAX_DESCRIPTION_CHARS {
        return Err(RecordProblem::new(
            "description",
            format!("问题描述过长：{length}字，最多{MAX_DESCRIPTION_CHARS}字"),
            format!(
                "the description is too long: {length} characters, at most {MAX_DESCRIPTION_CHARS}"
            ),
        ));
    }
    if let Some(item) = &finding.item {
        check_key(item, "item")?;
    }
    check_deadline(finding.deadline, "deadline")
}

/// A deadline between the programme's start and the end of 2099: always stored and read
/// back as a plain date.
pub fn check_deadline(deadline: NaiveDate, field: &str) -> Result<(), RecordProblem> {
    let earliest = programme_start();
    let latest = NaiveDate::from_ymd_opt(2099, 12, 31).unwrap_or_default();
    if deadline < earliest || deadline > latest {
        Err(RecordProblem::new(
            field,
            format!("整改期限{deadline}不在{PROGRAMME_START_YEAR}–2099年之间"),
            format!("the deadline {deadline} is not within {PROGRAMME_START_YEAR}–2099"),
        ))
    } else {
        Ok(())
    }
}

/// What a submission is checked against.
#[derive(Debug, Clone, Copy)]
pub struct SubmissionContext<'a> {
    /// The registered household size (家庭人口) the cap is counted for.
    pub household_size: u32,
    pub policies: &'a PolicyHistory,
    pub bounds: TimeBounds,
}

/// What the checks learnt of a good submission.
#[derive(Debug, Clone)]
pub struct CheckedSubmission<'a> {
    /// The version it names, or the one in force on its date for a device that names none.
    pub policy: &'a PolicyVersion,
    /// Its China date.
    pub made_on: NaiveDate,
}

/// The form a kind of submission must use.
fn expected_form(kind: SubmissionKind) -> &'static str {
    match kind {
        SubmissionKind::Acceptance => ACCEPTANCE_FORM_ID,
        SubmissionKind::SpotCheck => SPOT_CHECK_FORM_ID,
    }
}

/// Every check of a submission; all problems found (at most one per answer and a few
/// more), or what the checks learnt.
pub fn check_submission<'a>(
    submission: &Submission,
    ctx: &SubmissionContext<'a>,
) -> Result<CheckedSubmission<'a>, Vec<RecordProblem>> {
    let mut problems = Vec::new();
    if let Err(p) = check_name(&submission.inspector, "inspector", "检查员", "inspector") {
        problems.push(p);
    }
    if let Err(p) = check_clock(&submission.clock, &ctx.bounds, "clock") {
        // Without a good time there is no date to check the rest by.
        problems.push(p);
        return Err(problems);
    }
    let made_on = china_date(made_at(&submission.clock));
    let Some(form) = form_by_id(&submission.form_id, submission.form_version) else {
        problems.push(RecordProblem::new(
            "form_id",
            format!(
                "未知表单 {} 第{}版",
                shorten(&submission.form_id),
                submission.form_version
            ),
            format!(
                "unknown form {} version {}",
                shorten(&submission.form_id),
                submission.form_version
            ),
        ));
        return Err(problems);
    };
    if form.id != expected_form(submission.kind) {
        problems.push(RecordProblem::new(
            "form_id",
            format!("表单 {} 与类型 {} 不符", form.id, submission.kind.code()),
            format!(
                "form {} does not fit kind {}",
                form.id,
                submission.kind.code()
            ),
        ));
    }
    let policy = match submission.policy_version {
        Some(version) => match ctx.policies.version(version) {
            Some(policy) => policy,
            None => {
                problems.push(RecordProblem::new(
                    "policy_version",
                    format!("办公室没有第{version}版政策"),
                    format!("the office has no policy version {version}"),
                ));
                return Err(problems);
            }
        },
        None => match ctx.policies.in_force(made_on) {
            Some(policy) => policy,
            None => {
                problems.push(RecordProblem::new(
                    "policy_version",
                    "办公室没有任何政策版本",
                    "the office has no policy at all",
                ));
                return Err(problems);
            }
        },
    };
    let form_context = FormContext {
        household_size: ctx.household_size,
        today: made_on,
        policy: policy.policy.area_caps.clone(),
        policy_context: policy.policy.context(),
        policy_version: Some(policy.version),
    };
    for issue in form.validate(&submission.answers, &form_context) {
        problems.push(RecordProblem::new(
            format!("answers.{}", shorten(&issue.item)),
            format!("{}：{}", issue.item_label.zh, issue.problem.message_zh()),
            format!("{}: {}", issue.item_label.en, issue.problem.message_en()),
        ));
    }
    for (key, answer) in &submission.answers.0 {
        if let Answer::Signature { signature } = answer
            && let Err(p) = check_signature(
                signature,
                &ctx.bounds,
                &format!("answers.{}.signature", shorten(key)),
            )
        {
            problems.push(p);
        }
    }
    if problems.is_empty()
        && let Err(p) = check_recorded_area(submission, policy, ctx.household_size)
    {
        problems.push(p);
    }
    if problems.is_empty() {
        Ok(CheckedSubmission { policy, made_on })
    } else {
        Err(problems)
    }
}

/// What a device records of its assessment, made the same way everywhere.
pub fn recorded_area(assessment: &area::AreaAssessment) -> RecordedArea {
    RecordedArea {
        built_area: assessment.built_area,
        cap: assessment.cap.total,
        rule_name: assessment.cap.rule_name.clone(),
        over_cap: assessment.is_over(),
    }
}

/// The figures a submission recorded must be what its parts give under its policy.
fn check_recorded_area(
    submission: &Submission,
    policy: &PolicyVersion,
    household_size: u32,
) -> Result<(), RecordProblem> {
    let Some(recorded) = &submission.recorded_area else {
        return Ok(());
    };
    let Some(measurement) = submission.answers.measurement() else {
        return Err(RecordProblem::new(
            "recorded_area",
            "表单没有测量数据，却记录了面积",
            "the form has no measurement but records an area",
        ));
    };
    let assessment = policy
        .policy
        .assess(measurement, household_size)
        .map_err(|e| {
            RecordProblem::new("answers.area_measurement", e.to_string(), e.to_string())
        })?;
    let office = recorded_area(&assessment);
    let disagree = |what_zh: &str, what_en: &str, device: String, computed: String| {
        RecordProblem::new(
            format!("recorded_area.{what_en}"),
            format!(
                "记录的{what_zh}为{device}，按测量数据和第{}版政策算得{computed}",
                policy.version
            ),
            format!(
                "the recorded {what_en} is {device}; the parts under policy version {} give {computed}",
                policy.version
            ),
        )
    };
    if recorded.built_area != office.built_area {
        return Err(disagree(
            "建筑面积",
            "built_area",
            recorded.built_area.to_string(),
            office.built_area.to_string(),
        ));
    }
    if recorded.cap != office.cap || recorded.rule_name != office.rule_name {
        return Err(disagree(
            "面积上限",
            "cap",
            format!("{}（{}）", recorded.cap, shorten(&recorded.rule_name)),
            format!("{}（{}）", office.cap, office.rule_name),
        ));
    }
    if recorded.over_cap != office.over_cap {
        return Err(disagree(
            "是否超标",
            "over_cap",
            recorded.over_cap.to_string(),
            office.over_cap.to_string(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::area::{AreaRule, HouseMeasurement, MeasuredPart, Point, Shape};
    use crate::form::{FindingDraft, FormAnswers};
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
        }
    }

    fn policies() -> PolicyHistory {
        PolicyHistory::new(vec![PolicyVersion::initial(now())])
    }

    fn check(submission: &Submission) -> Result<(), Vec<RecordProblem>> {
        let policies = policies();
        check_submission(
            submission,
            &SubmissionContext {
                household_size: 4,
                policies: &policies,
                bounds: TimeBounds::at(now()),
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
}

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
use crate::form::{
    Answer, FormAnswers, FormCatalog, FormContext, FormIssue, FormSchema, Placement, Problem, Text,
};
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
    check_fix(photo.fix.as_ref(), "fix")?;
    Ok(())
}

/// A device's position fix, when a record carries one: in range, finite, a plausible accuracy.
pub fn check_fix(fix: Option<&crate::location::Fix>, field: &str) -> Result<(), RecordProblem> {
    match fix.map(crate::location::Fix::check) {
        Some(Err(error)) => {
            let text = error.to_string();
            let (zh, en) = text.split_once(" / ").unwrap_or((&text, &text));
            Err(RecordProblem::new(field, zh, en))
        }
        _ => Ok(()),
    }
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
    if let Some(identity) = &signature.signer
        && !crate::team::valid_account(&identity.account)
    {
        return Err(RecordProblem::new(
            join(prefix, "signer.account"),
            "签字人账号无效",
            "the signer's account is not valid",
        ));
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
    /// Every form version the office published (and the built-in ones).
    pub forms: &'a FormCatalog,
    /// The household's placement, which some items of a published form depend on.
    pub placement: Option<Placement>,
    /// For a 分工验收 part: the department of the inspector who sends it, whose part of the
    /// acceptance form it must be.
    pub part_department: Option<crate::model::Department>,
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
    kind.form_id()
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
    if let Err(p) = check_fix(submission.position.as_ref(), "position") {
        problems.push(p);
    }
    if let Err(p) = check_clock(&submission.clock, &ctx.bounds, "clock") {
        // Without a good time there is no date to check the rest by.
        problems.push(p);
        return Err(problems);
    }
    let made_on = china_date(made_at(&submission.clock));
    let Some(form) = ctx.forms.get(&submission.form_id, submission.form_version) else {
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
    let part;
    let form = if submission.kind == SubmissionKind::AcceptancePart {
        match ctx.part_department.map(|d| form.part_for(d)) {
            Some(Ok(own)) => {
                part = own;
                &part
            }
            Some(Err(error)) => {
                let text = error.to_string();
                let (zh, en) = text.split_once(" / ").unwrap_or((&text, &text));
                problems.push(RecordProblem::new("kind", zh.to_string(), en.to_string()));
                return Err(problems);
            }
            None => {
                problems.push(RecordProblem::new(
                    "kind",
                    "分工验收只能由某一部门的检查员提交",
                    "a part of an acceptance comes from an inspector of a department",
                ));
                return Err(problems);
            }
        }
    } else {
        form
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
    match (submission.kind, submission.finding_id) {
        (SubmissionKind::Recheck, None) => problems.push(RecordProblem::new(
            "finding_id",
            "整改复查须写明复查的问题".to_string(),
            "a re-check names the finding it checks".to_string(),
        )),
        (SubmissionKind::Recheck, Some(_)) | (_, None) => {}
        (_, Some(_)) => problems.push(RecordProblem::new(
            "finding_id",
            format!("只有整改复查才指向问题，{}不能", submission.kind.label_zh()),
            format!(
                "only a re-check names a finding, not a {}",
                submission.kind.label_en()
            ),
        )),
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
        placement: ctx.placement,
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

/// Whether a filled form may be submitted under `ctx`, as the device checks it before it
/// keeps a submission: every problem the form's schema finds, or else the area figures the
/// submission records for the office to check (`None` when the form measures no house).
pub fn check_before_submitting(
    form: &FormSchema,
    answers: &FormAnswers,
    ctx: &FormContext,
) -> Result<Option<RecordedArea>, Vec<FormIssue>> {
    let issues = form.validate(answers, ctx);
    if !issues.is_empty() {
        return Err(issues);
    }
    answers
        .measurement()
        .map(|measurement| {
            area::assess(
                measurement,
                ctx.household_size,
                &ctx.policy,
                &ctx.policy_context,
            )
            .map(|assessment| recorded_area(&assessment))
        })
        .transpose()
        // The schema's check assesses the area too, so this is only a backstop: a form
        // whose area cannot be assessed is never submitted without figures.
        .map_err(|e| {
            vec![FormIssue {
                section: "area".into(),
                item: "area_measurement".into(),
                item_label: Text::new("实测建筑面积", "Measured built area"),
                problem: Problem::AreaInvalid {
                    message: e.to_string(),
                },
            }]
        })
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
mod tests;

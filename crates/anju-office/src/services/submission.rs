//! A stored submission as people read it: answers with their labels, the area calculation,
//! the photos and the signatures.

use std::collections::HashMap;

use anju_core::area::{
    self, AreaAssessment, AreaError, HouseMeasurement, Shape, Verdict, format_metres,
};
use anju_core::district_policy::{PolicyHistory, PolicyVersion};
use anju_core::form::{Answer, FormAnswers, FormCatalog, FormSchema, ItemKind, Text};
use anju_core::model::{ClockReading, RecordedArea, SignatureMethod, Submission, SubmissionKind};
use anju_core::records::china_date;
use anju_sql::{Connection, OptionalExtension, params};
use chrono::{DateTime, Utc};

use super::cells::{Cells, stored_time};
use super::views::{
    AnswerView, AreaPartView, AreaView, DamagedRow, JudgementView, PhotoView, ReviewState,
    ReviewVerdict, SectionView, SignatureView, SubmissionView,
};
use super::{PageError, Result, blob_url};
use crate::db::OfficeDbError;
use crate::names::Names;

/// A submission row, as stored.
pub(crate) struct StoredSubmission {
    pub id: String,
    pub household_id: String,
    pub kind: String,
    pub form_id: String,
    pub form_version: u32,
    pub inspector: String,
    pub answers: FormAnswers,
    pub device_time: DateTime<Utc>,
    pub trusted_time: Option<DateTime<Utc>>,
    pub offset_ms: Option<i64>,
    /// The policy version the device named, and the figures it recorded.
    pub device_policy_version: Option<u32>,
    pub recorded_area: Option<RecordedArea>,
    pub received_at: DateTime<Utc>,
    /// The office returned it (退回): it no longer counts.
    pub returned: bool,
    /// Why, as the reviewer wrote it.
    pub return_note: Option<String>,
    /// The policy version the office judged it by (in force on its date).
    pub policy_version: Option<u32>,
    /// The device's position at submit time, or why it had none.
    pub position: Option<anju_core::location::Fix>,
    /// The finding a 整改复查 re-checks.
    pub finding_id: Option<uuid::Uuid>,
}

/// The columns [`read_submission`] reads, from `submissions s` (or `live_submissions s`).
pub(crate) const SUBMISSION_COLUMNS: &str = "s.id, s.household_id, s.kind, s.form_id,
    s.form_version, s.inspector, s.answers_json, s.device_time, s.trusted_time, s.received_at,
    EXISTS (SELECT 1 FROM submission_reviews r
            WHERE r.submission_id = s.id AND r.decision = 'returned'),
    (SELECT r.note FROM submission_reviews r
     WHERE r.submission_id = s.id AND r.decision = 'returned'
     ORDER BY r.reviewed_at DESC LIMIT 1),
    s.clock_offset_ms, s.policy_version, s.recorded_area_json,
    (SELECT c.policy_version FROM submission_checks c WHERE c.submission_id = s.id),
    s.position_json, s.finding_id";
/// How many columns [`SUBMISSION_COLUMNS`] names: a query's own columns come after.
pub(crate) const SUBMISSION_COLUMN_COUNT: usize = 18;

pub(crate) fn parse_time(text: &str, what: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| PageError::Db(OfficeDbError::Corrupt(format!("{what}: {text}"))))
}

/// Reads a row of [`SUBMISSION_COLUMNS`] as text; it is checked by [`RawSubmission::parse`],
/// so that a damaged row is one error, not a failed list.
pub(crate) fn read_submission(row: &anju_sql::Row<'_>) -> anju_sql::Result<RawSubmission> {
    Ok(RawSubmission(Cells::read(row, 0..SUBMISSION_COLUMN_COUNT)))
}

/// The row's cells, before parsing.
pub(crate) struct RawSubmission(Cells);

impl RawSubmission {
    pub fn id(&self) -> String {
        self.0.id()
    }

    pub fn parse(self) -> Result<StoredSubmission> {
        let id = self.id();
        Self::checked(self.0).map_err(|reason| {
            PageError::Db(OfficeDbError::Corrupt(format!("submission {id}: {reason}")))
        })
    }

    fn checked(cells: Cells) -> std::result::Result<StoredSubmission, String> {
        let small = |i: usize, what: &str| cells.parse_optional(i, what, |t| t.parse::<u32>().ok());
        let kind = cells.text(2, "kind")?;
        if SubmissionKind::from_code(&kind).is_none() {
            return Err(format!("kind {kind}"));
        }
        Ok(StoredSubmission {
            id: cells.id(),
            household_id: cells.text(1, "household")?,
            kind,
            form_id: cells.text(3, "form_id")?,
            form_version: cells.parse(4, "form_version", |t| t.parse().ok())?,
            inspector: cells.text(5, "inspector")?,
            answers: serde_json::from_str(&cells.text(6, "answers")?)
                .map_err(|e| format!("answers: {e}"))?,
            device_time: cells.parse(7, "device_time", stored_time)?,
            trusted_time: cells.parse_optional(8, "trusted_time", stored_time)?,
            received_at: cells.parse(9, "received_at", stored_time)?,
            returned: cells.flag(10),
            return_note: cells.get(11),
            offset_ms: cells.parse_optional(12, "clock_offset_ms", |t| t.parse().ok())?,
            device_policy_version: small(13, "policy_version")?,
            recorded_area: cells
                .get(14)
                .map(|json| serde_json::from_str(&json))
                .transpose()
                .map_err(|e| format!("recorded area: {e}"))?,
            policy_version: small(15, "checked policy version")?,
            position: cells
                .get(16)
                .map(|json| serde_json::from_str(&json))
                .transpose()
                .map_err(|e| format!("position: {e}"))?,
            finding_id: cells
                .get(17)
                .map(|text| uuid::Uuid::parse_str(&text))
                .transpose()
                .map_err(|e| format!("finding_id: {e}"))?,
        })
    }
}

impl StoredSubmission {
    pub fn submission_kind(&self) -> SubmissionKind {
        SubmissionKind::from_code(&self.kind).unwrap_or(SubmissionKind::Acceptance)
    }

    pub fn made_at(&self) -> DateTime<Utc> {
        self.trusted_time.unwrap_or(self.device_time)
    }

    /// The record as the device sent it (its content hash is what it was sent with).
    pub fn to_submission(&self) -> Result<Submission> {
        let uuid = |text: &str, what: &str| {
            uuid::Uuid::parse_str(text).map_err(|_| {
                PageError::Db(OfficeDbError::Corrupt(format!("submission {what}: {text}")))
            })
        };
        Ok(Submission {
            id: uuid(&self.id, "id")?,
            household_id: uuid(&self.household_id, "household")?,
            kind: self.submission_kind(),
            form_id: self.form_id.clone(),
            form_version: self.form_version,
            inspector: self.inspector.clone(),
            answers: self.answers.clone(),
            clock: ClockReading {
                device_time: self.device_time,
                trusted_time: self.trusted_time,
                offset_ms: self.offset_ms,
            },
            policy_version: self.device_policy_version,
            recorded_area: self.recorded_area.clone(),
            position: self.position,
            finding_id: self.finding_id,
        })
    }

    /// The form version it was filled against, from every version the office knows.
    pub fn schema(&self, forms: &FormCatalog) -> Result<FormSchema> {
        forms
            .get(&self.form_id, self.form_version)
            .cloned()
            .ok_or_else(|| {
                PageError::Db(OfficeDbError::Corrupt(format!(
                    "submission {}: unknown form {} v{}",
                    self.id, self.form_id, self.form_version
                )))
            })
    }

    /// The measured house, if the form has one.
    pub fn measurement(&self) -> Option<&HouseMeasurement> {
        self.answers.measurement()
    }

    /// The policy version the office judges this submission by: the one it recorded, or
    /// the one in force on its date.
    pub fn policy<'p>(&self, policies: &'p PolicyHistory) -> Option<&'p PolicyVersion> {
        self.policy_version
            .and_then(|v| policies.version(v))
            .or_else(|| policies.in_force(china_date(self.made_at())))
    }

    /// The measured house assessed for a household of `size` people by the office's
    /// policy (or why it cannot be).
    pub fn assess(
        &self,
        size: u32,
        policies: &PolicyHistory,
    ) -> Option<Result<AreaAssessment, AreaError>> {
        let measurement = self.measurement()?;
        let policy = self.policy(policies)?;
        Some(policy.policy.assess(measurement, size))
    }

    pub fn assessment(&self, size: u32, policies: &PolicyHistory) -> Option<AreaAssessment> {
        self.assess(size, policies).and_then(Result::ok)
    }
}

/// How a signature was made, as pages and printed forms say it: a team member's says their
/// department and that they confirmed it with their own PIN.
pub(crate) fn signature_text(signature: &anju_core::model::SignatureMeta) -> Text {
    match &signature.signer {
        Some(identity) if identity.own_device => Text {
            zh: format!("{}，本人登录设备分工填写", identity.department.label_zh()),
            en: format!(
                "{}, on their own device, signed in",
                identity.department.label_en()
            ),
        },
        Some(identity) => Text {
            zh: format!("{}，本人确认码核验", identity.department.label_zh()),
            en: format!(
                "{}, confirmed with their own PIN",
                identity.department.label_en()
            ),
        },
        None => method_text(&signature.method),
    }
}

pub(crate) fn method_text(method: &SignatureMethod) -> Text {
    match method {
        SignatureMethod::Handwritten => Text::new("手写签名", "signed by hand"),
        SignatureMethod::Thumbprint => Text::new("按手印", "thumbprint"),
        SignatureMethod::Proxy {
            signer_name,
            relation,
        } => Text {
            zh: format!("亲属代签：{signer_name}（{relation}）"),
            en: format!("signed on their behalf by {signer_name} ({relation})"),
        },
    }
}

/// An answer as people read it; `area` is the assessment of the form's measured house.
pub(crate) fn answer_text(
    kind: &ItemKind,
    answer: &Answer,
    area: Option<&Result<AreaAssessment, AreaError>>,
) -> (Text, Option<String>, bool) {
    match (kind, answer) {
        (ItemKind::YesNo { problem_when, .. }, Answer::YesNo { value, note }) => (
            value.label(),
            note.clone(),
            problem_when.is_some_and(|p| p == *value),
        ),
        (ItemKind::Number { unit, .. }, Answer::Number { value }) => (
            Text {
                zh: format!("{value} {}", unit.zh),
                en: format!("{value} {}", unit.en),
            },
            None,
            false,
        ),
        (ItemKind::Choice { options, .. }, Answer::Choice { selected }) => {
            let label = |key: &String| options.iter().find(|o| &o.key == key).map(|o| &o.label);
            let labels: Vec<&Text> = selected.iter().filter_map(label).collect();
            (
                Text {
                    zh: labels
                        .iter()
                        .map(|l| l.zh.as_str())
                        .collect::<Vec<_>>()
                        .join("、"),
                    en: labels
                        .iter()
                        .map(|l| l.en.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                },
                None,
                false,
            )
        }
        (_, Answer::Text { value }) => (Text::new(value, value), None, false),
        (_, Answer::Photos { sha256 }) => (
            Text {
                zh: format!("{} 张照片", sha256.len()),
                en: format!("{} photo(s)", sha256.len()),
            },
            None,
            false,
        ),
        (_, Answer::Signature { signature }) => {
            let method = signature_text(signature);
            (
                Text {
                    zh: format!("{}（{}）", signature.signer_name, method.zh),
                    en: format!("{} ({})", signature.signer_name, method.en),
                },
                None,
                false,
            )
        }
        (_, Answer::Area { .. }) => match area {
            Some(Ok(a)) => (
                Text {
                    zh: format!(
                        "{} m²（人均 {} m²）",
                        a.built_area.to_m2_string(),
                        a.per_person_m2
                    ),
                    en: format!(
                        "{} m² ({} m² per person)",
                        a.built_area.to_m2_string(),
                        a.per_person_m2
                    ),
                },
                None,
                a.is_over(),
            ),
            Some(Err(e)) => (Text::new(&e.to_string(), &e.to_string()), None, true),
            None => (Text::new("—", "—"), None, false),
        },
        (_, Answer::Findings { items }) => (
            Text {
                zh: format!("{} 个问题", items.len()),
                en: format!("{} problem(s)", items.len()),
            },
            None,
            !items.is_empty(),
        ),
        _ => (
            Text::new("（答案与表单不符）", "(the answer does not fit the form)"),
            None,
            true,
        ),
    }
}

pub(crate) fn shape_text(shape: &Shape) -> String {
    match shape {
        Shape::Rectangle {
            length_mm,
            width_mm,
        } => format!(
            "{} × {} m",
            format_metres(*length_mm),
            format_metres(*width_mm)
        ),
        Shape::Polygon { points } => format!("{} 边形 / {}-gon", points.len(), points.len()),
    }
}

fn area_view(measurement: &HouseMeasurement, assessment: &AreaAssessment) -> AreaView {
    let parts = assessment
        .parts
        .iter()
        .zip(&measurement.parts)
        .map(|(assessed, measured)| AreaPartView {
            name: assessed.label.clone(),
            storey: assessed.storey,
            rule: Text {
                zh: assessed.rule.explanation_zh.clone(),
                en: assessed.rule.explanation_en.clone(),
            },
            shape: shape_text(&measured.shape),
            area_m2: assessed.counted.to_m2_string(),
        })
        .collect();
    let verdict = match assessment.verdict {
        Verdict::Within { margin } => Text {
            zh: format!("未超标（尚余 {} m²）", margin.to_m2_string()),
            en: format!("within the limit ({} m² to spare)", margin.to_m2_string()),
        },
        Verdict::Over { by } => Text {
            zh: format!("面积超标 {} m²", by.to_m2_string()),
            en: format!("over the limit by {} m²", by.to_m2_string()),
        },
    };
    AreaView {
        parts,
        built_area_m2: assessment.built_area.to_m2_string(),
        per_person_m2: assessment.per_person_m2.clone(),
        cap_m2: Some(assessment.cap.total.to_m2_string()),
        over_cap: assessment.is_over(),
        verdict,
        trace: Text {
            zh: assessment.trace_zh.join("\n"),
            en: assessment.trace_en.join("\n"),
        },
    }
}

pub(crate) struct PhotoRow {
    width: u32,
    height: u32,
    taken_at: Option<DateTime<Utc>>,
    place: crate::decide::PhotoPlace,
}

/// The photos of a household by SHA-256, read once for all its submissions.
pub(crate) fn photo_rows(
    conn: &Connection,
    household_id: &str,
) -> Result<HashMap<String, PhotoRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT p.sha256, p.width, p.height, coalesce(p.trusted_time, p.device_time),
                p.fix_json, p.source, p.camera_time, h.latitude, h.longitude
         FROM photos p LEFT JOIN households h ON h.id = p.household_id
         WHERE p.household_id = ?1",
    )?;
    let rows = stmt.query_map([household_id], |r| {
        let house = match (r.get::<_, Option<f64>>(7)?, r.get::<_, Option<f64>>(8)?) {
            (Some(lat), Some(lon)) => Some((lat, lon)),
            _ => None,
        };
        let place = crate::decide::read_place(
            r.get::<_, Option<String>>(4)?.as_deref(),
            r.get::<_, Option<String>>(5)?.as_deref(),
            r.get::<_, Option<String>>(6)?.as_deref(),
            house,
        );
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, u32>(1)?,
            r.get::<_, u32>(2)?,
            r.get::<_, Option<String>>(3)?,
            place,
        ))
    })?;
    let mut out = HashMap::new();
    for row in rows {
        let (sha, width, height, taken, place) = row?;
        let taken_at = taken.as_deref().and_then(|t| parse_time(t, "photo").ok());
        out.insert(
            sha,
            PhotoRow {
                width,
                height,
                taken_at,
                place,
            },
        );
    }
    Ok(out)
}

fn last_review(
    conn: &Connection,
    submission_id: &str,
    names: &Names,
) -> Result<Option<ReviewState>> {
    let mut stmt = conn.prepare_cached(
        "SELECT r.decision, r.note, u.name, r.reviewed_at FROM submission_reviews r
         JOIN users u ON u.id = r.reviewed_by
         WHERE r.submission_id = ?1 ORDER BY r.reviewed_at DESC, r.id DESC LIMIT 1",
    )?;
    let mut rows = stmt.query(params![submission_id])?;
    let Some(row) = rows.next()? else {
        return Ok(None);
    };
    let decision: String = row.get(0)?;
    let at: String = row.get(3)?;
    let by: String = row.get(2)?;
    Ok(Some(ReviewState {
        decision: if decision == "approved" {
            ReviewVerdict::Approved
        } else {
            ReviewVerdict::Returned
        },
        note: row.get(1)?,
        by_display: names.of(&by),
        by,
        at: parse_time(&at, "reviewed_at")?,
    }))
}

/// The whole view of one submission of a household of `size` people, whose photos are
/// `photo_meta`; people are named as official records name them (`names`).
pub(crate) fn submission_view(
    conn: &Connection,
    submission: &StoredSubmission,
    size: u32,
    photo_meta: &HashMap<String, PhotoRow>,
    policies: &PolicyHistory,
    names: &Names,
) -> Result<SubmissionView> {
    let forms = crate::forms::form_catalog(conn)?;
    let schema = submission.schema(&forms)?;
    let assessed = submission.assess(size, policies);
    let signature_fresh = signature_freshness(conn, submission)?;
    let mut sections = Vec::new();
    let mut photos = Vec::new();
    let mut signatures = Vec::new();
    let old_house = submission.submission_kind().is_old_house();
    let mut location_notes: Vec<Text> = same_spot_note(submission, photo_meta, old_house)
        .into_iter()
        .collect();
    // The device's position at submit time, against the house like a photo's.
    let house: Option<(Option<f64>, Option<f64>, String, String)> = conn
        .query_row(
            "SELECT latitude, longitude, mode, kind FROM households WHERE id = ?1",
            [&submission.household_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    // Items the version did not ask of this household are not shown as 未填.
    let placement = house.as_ref().and_then(|(_, _, mode, kind)| {
        anju_core::model::PlacementMode::from_code(mode)
            .zip(anju_core::model::PlacementKind::from_code(kind))
            .map(|(mode, kind)| anju_core::model::Placement { mode, kind })
    });
    let shown = schema.shown_items(&submission.answers, placement);
    let position = crate::decide::PhotoPlace {
        fix: submission.position,
        house: match house {
            Some((Some(lat), Some(lon), _, _)) => {
                anju_core::location::Coordinates::new(lat, lon).ok()
            }
            _ => None,
        },
        ..Default::default()
    }
    .flags();
    for section in &schema.sections {
        let mut items = Vec::new();
        for item in &section.items {
            let Some(answer) = submission.answers.get(&item.key) else {
                if item.required && shown.contains(item.key.as_str()) {
                    items.push(AnswerView {
                        key: item.key.clone(),
                        label: item.label.clone(),
                        value: Text::new("未填", "not answered"),
                        note: None,
                        problem: false,
                    });
                }
                continue;
            };
            let (value, note, problem) = answer_text(&item.kind, answer, assessed.as_ref());
            items.push(AnswerView {
                key: item.key.clone(),
                label: item.label.clone(),
                value,
                note,
                problem,
            });
            match answer {
                Answer::Photos { sha256 } => {
                    for sha in sha256 {
                        let meta = photo_meta.get(sha);
                        let flags = meta.map(|m| m.flags(old_house));
                        let flags = flags.as_ref();
                        if let Some(flags) = flags {
                            location_notes.extend(photo_notes(&item.label, flags));
                        }
                        photos.push(PhotoView {
                            sha256: sha.clone(),
                            slot: item.key.clone(),
                            slot_label: item.label.clone(),
                            url: blob_url(sha),
                            width: meta.map_or(0, |m| m.width),
                            height: meta.map_or(0, |m| m.height),
                            taken_at: meta.and_then(|m| m.taken_at),
                            fix_text: flags.and_then(|f| f.fix_text.clone()),
                            distance_m: flags.and_then(|f| f.distance_m),
                            too_far: flags.and_then(|f| f.too_far.clone()),
                            gallery: flags.and_then(|f| f.gallery.clone()),
                        });
                    }
                }
                Answer::Signature { signature } => signatures.push(SignatureView {
                    id: signature.id.to_string(),
                    slot: item.key.clone(),
                    slot_label: item.label.clone(),
                    signer_name: signature.signer_name.clone(),
                    method: signature_text(signature),
                    url: blob_url(&signature.image_sha256),
                    signed_at: signature.signed_at,
                    matches_form: signature_fresh.get(&item.key).copied().unwrap_or(false),
                    signer_account: signature.signer.as_ref().map(|s| s.account.clone()),
                }),
                _ => {}
            }
        }
        if items.is_empty()
            && section
                .items
                .iter()
                .all(|i| !shown.contains(i.key.as_str()))
        {
            continue;
        }
        sections.push(SectionView {
            key: section.key.clone(),
            title: section.title.clone(),
            items,
            answered_by: section
                .department
                .and_then(|department| answered_by(&submission.answers, department)),
        });
    }
    Ok(SubmissionView {
        id: submission.id.clone(),
        kind: submission.submission_kind(),
        form_version: schema.version,
        inspector: submission.inspector.clone(),
        inspector_display: names.of(&submission.inspector),
        device_time: submission.device_time,
        trusted_time: submission.trusted_time,
        received_at: submission.received_at,
        review: last_review(conn, &submission.id, names)?,
        sections,
        area: submission
            .measurement()
            .zip(assessed.as_ref().and_then(|a| a.as_ref().ok()))
            .map(|(measurement, assessment)| area_view(measurement, assessment)),
        photos,
        signatures,
        judgement: judgement(conn, &schema, &submission.id)?,
        position_text: position.fix_text,
        position_distance_m: position.distance_m,
        location_notes,
        finding_id: submission.finding_id.map(|id| id.to_string()),
        recheck_confirmed: (submission.submission_kind() == SubmissionKind::Recheck).then(|| {
            matches!(
                submission.answers.get(anju_core::form::RECTIFIED_ITEM),
                Some(Answer::YesNo {
                    value: anju_core::form::YesNo::Yes,
                    ..
                })
            )
        }),
        township_verdict: (submission.submission_kind() == SubmissionKind::TownshipCheck)
            .then(|| anju_core::form::township_verdict(&submission.answers))
            .flatten(),
    })
}

/// Whether each signature still matches what its signer confirmed: the form, or for an
/// acceptance merged from a team's parts (分工验收), the signer's own part.
fn signature_freshness(
    conn: &Connection,
    submission: &StoredSubmission,
) -> Result<HashMap<String, bool>> {
    let status = |answers: &anju_core::form::FormAnswers| {
        answers
            .signature_status()
            .map_err(|e| PageError::Invalid(e.to_string()))
    };
    if submission.submission_kind() == SubmissionKind::Acceptance {
        let parts: Vec<String> = conn
            .prepare_cached(
                "SELECT s.answers_json FROM acceptance_merges m
                 JOIN submissions s ON s.id = m.part_id
                 WHERE m.merged_id = ?1",
            )?
            .query_map([&submission.id], |r| r.get(0))?
            .collect::<anju_sql::Result<_>>()?;
        if !parts.is_empty() {
            let mut fresh = HashMap::new();
            for json in parts {
                // A part that cannot be read leaves its signatures unconfirmed.
                if let Ok(answers) = serde_json::from_str::<anju_core::form::FormAnswers>(&json) {
                    fresh.extend(status(&answers)?);
                }
            }
            // Only a signature that is the very one of its part counts.
            return Ok(fresh
                .into_iter()
                .filter(|(slot, _)| submission.answers.get(slot).is_some())
                .collect());
        }
    }
    Ok(status(&submission.answers)?.into_iter().collect())
}

/// The team member who confirmed a department's signature with their PIN.
fn answered_by(
    answers: &anju_core::form::FormAnswers,
    department: anju_core::model::Department,
) -> Option<Text> {
    answers.0.values().find_map(|answer| match answer {
        Answer::Signature { signature } => signature
            .signer
            .as_ref()
            .filter(|s| s.department == department)
            .map(|s| {
                let (how_zh, how_en) = if s.own_device {
                    ("本人设备分工填写", "filled on their own device")
                } else {
                    ("本人确认码核验", "confirmed with their own PIN")
                };
                Text {
                    zh: format!(
                        "{}（{}）· 账号 {} · {how_zh}",
                        signature.signer_name,
                        department.label_zh(),
                        s.account
                    ),
                    en: format!(
                        "{} ({}) · account {} · {how_en}",
                        signature.signer_name,
                        department.label_en(),
                        s.account
                    ),
                }
            }),
        _ => None,
    })
}

/// What a reviewer should weigh about one photo of the slot `label`: taken far from the
/// house, or picked from the gallery.
impl PhotoRow {
    /// What the reviewer is told of where the photo was made. A visit to the old house is
    /// not at the new house: its photos are compared with each other, not with the house.
    fn flags(&self, old_house: bool) -> crate::decide::PhotoFlags {
        if old_house {
            crate::decide::PhotoPlace {
                house: None,
                ..self.place.clone()
            }
            .flags()
        } else {
            self.place.flags()
        }
    }
}

/// For a visit to the old house: the note when its photos after were not taken where its
/// photos before were (`anju_core::visits::SameSpot`).
fn same_spot_note(
    submission: &StoredSubmission,
    photo_meta: &HashMap<String, PhotoRow>,
    old_house: bool,
) -> Option<Text> {
    if !old_house {
        return None;
    }
    let fixes = |item: &str| -> Vec<anju_core::location::Fix> {
        match submission.answers.get(item) {
            Some(Answer::Photos { sha256 }) => sha256
                .iter()
                .filter_map(|sha| photo_meta.get(sha)?.place.fix)
                .collect(),
            _ => Vec::new(),
        }
    };
    anju_core::visits::SameSpot::of(
        &fixes(anju_core::form::BEFORE_PHOTOS),
        &fixes(anju_core::form::AFTER_PHOTOS),
    )
    .note()
}

fn photo_notes(label: &Text, flags: &crate::decide::PhotoFlags) -> Vec<Text> {
    flags
        .too_far
        .iter()
        .chain(&flags.gallery)
        .map(|note| Text {
            zh: format!("{}：{}", label.zh, note.zh),
            en: format!("{}: {}", label.en, note.en),
        })
        .collect()
}

/// The notes about where and how a submission's photos were made (`photo_notes` for each),
/// for the review queue: a record with any is weighed one by one, never approved in a batch.
pub(crate) fn evidence_notes(
    conn: &Connection,
    submission: &StoredSubmission,
    schema: &FormSchema,
) -> Result<Vec<Text>> {
    let photo_meta = photo_rows(conn, &submission.household_id)?;
    let old_house = submission.submission_kind().is_old_house();
    let mut notes: Vec<Text> = same_spot_note(submission, &photo_meta, old_house)
        .into_iter()
        .collect();
    for item in schema.sections.iter().flat_map(|s| &s.items) {
        if let Some(Answer::Photos { sha256 }) = submission.answers.get(&item.key) {
            for sha in sha256 {
                if let Some(meta) = photo_meta.get(sha) {
                    notes.extend(photo_notes(&item.label, &meta.flags(old_house)));
                }
            }
        }
    }
    Ok(notes)
}

/// What the office made of a submission (`submission_checks`), with the critical items
/// by their labels.
pub(crate) fn judgement(
    conn: &Connection,
    schema: &FormSchema,
    submission_id: &str,
) -> Result<Option<JudgementView>> {
    let row = conn
        .query_row(
            "SELECT policy_version, device_policy_version, over_cap, critical_failures_json,
                    people_found, people_registered, policy_mismatch_zh, policy_mismatch_en
             FROM submission_checks WHERE submission_id = ?1",
            [submission_id],
            |r| {
                Ok((
                    r.get::<_, u32>(0)?,
                    r.get::<_, Option<u32>>(1)?,
                    r.get::<_, bool>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, Option<u32>>(4)?,
                    r.get::<_, u32>(5)?,
                    r.get::<_, Option<String>>(6)?,
                    r.get::<_, Option<String>>(7)?,
                ))
            },
        )
        .optional()?;
    let Some((version, device_version, over_cap, failures, found, registered, zh, en)) = row else {
        return Ok(None);
    };
    let failures: Vec<String> = serde_json::from_str(&failures).unwrap_or_default();
    Ok(Some(JudgementView {
        policy_version: version,
        device_policy_version: device_version,
        policy_mismatch: zh.map(|zh| Text {
            en: en.unwrap_or_else(|| zh.clone()),
            zh,
        }),
        over_cap,
        critical_failures: failures
            .iter()
            .map(|key| {
                schema
                    .item(key)
                    .map(|(_, item)| item.label.clone())
                    .unwrap_or_else(|| Text::new(key, key))
            })
            .collect(),
        people_found: found,
        people_registered: registered,
        people_differ: found.is_some_and(|f| f != registered),
    }))
}

/// Every readable submission of a household, oldest first, and the ones that cannot be
/// read. Set-aside ones are left out.
pub(crate) fn submissions_of(
    conn: &Connection,
    household_id: &str,
) -> Result<(Vec<StoredSubmission>, Vec<DamagedRow>)> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {SUBMISSION_COLUMNS} FROM live_submissions s WHERE s.household_id = ?1
         ORDER BY coalesce(s.trusted_time, s.device_time), s.id"
    ))?;
    let raw = stmt
        .query_map([household_id], read_submission)?
        .collect::<anju_sql::Result<Vec<_>>>()?;
    let mut stored = Vec::new();
    let mut damaged = Vec::new();
    let forms = crate::forms::form_catalog(conn)?;
    for raw in raw {
        let id = raw.id();
        match raw.parse().and_then(|s| s.schema(&forms).map(|_| s)) {
            Ok(s) => stored.push(s),
            Err(e) => damaged.push(DamagedRow {
                kind: "submission".into(),
                id,
                reason: e.to_string(),
            }),
        }
    }
    Ok((stored, damaged))
}

/// The built area the latest acceptance that counts recorded (one the office returned
/// does not) and the latest spot check re-measured.
pub(crate) fn recorded_and_remeasured(
    stored: &[StoredSubmission],
    size: u32,
    policies: &PolicyHistory,
) -> (Option<area::Area>, Option<area::Area>) {
    let built = |kind: SubmissionKind| {
        stored
            .iter()
            .rev()
            .filter(|s| s.submission_kind() == kind && !s.returned)
            .find_map(|s| s.assessment(size, policies))
            .map(|a| a.built_area)
    };
    (
        built(SubmissionKind::Acceptance),
        built(SubmissionKind::SpotCheck),
    )
}

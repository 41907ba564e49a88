//! Records as a device pushes them, built directly (no device database): a complete,
//! correctly signed acceptance and its finding, a photo and a signature, and a client of
//! the sync API that uploads blobs and pushes. Tests change one thing of a good record to
//! see the office refuse exactly that.

use anju_core::area::{AreaRule, HouseMeasurement, MeasuredPart, Shape};
use anju_core::form::{
    ACCEPTANCE_FORM_ID, Answer, FormAnswers, ItemKind, YesNo, acceptance_form_v1,
};
use anju_core::hash::sha256_hex;
use anju_core::model::{
    ClockReading, Finding, FindingState, PhotoMeta, SignatureMeta, SignatureMethod, Submission,
    SubmissionKind,
};
use anju_core::wire::{PushRecord, RecordBody, SignatureRecord};
use chrono::{DateTime, Duration, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::pages::status_and_json;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A rectangle house of `length_mm` × 9 m, one storey of 2.90 m.
pub fn one_storey(length_mm: i64) -> HouseMeasurement {
    HouseMeasurement {
        parts: vec![MeasuredPart {
            label: "一层主体".into(),
            storey: 1,
            shape: Shape::Rectangle {
                length_mm,
                width_mm: 9_000,
            },
            voids: vec![],
            rule: AreaRule::Storey { height_mm: 2_900 },
        }],
    }
}

/// A clock reading made now by a device whose clock is right.
pub fn now_reading() -> ClockReading {
    let now = Utc::now();
    ClockReading {
        device_time: now,
        trusted_time: Some(now),
        offset_ms: Some(0),
    }
}

/// Sign every signature slot of `answers` again over their current content, as a device
/// (honest or not) can.
pub fn sign_all(answers: &mut FormAnswers, image: &str, at: DateTime<Utc>) -> Result<(), BoxError> {
    let signable = answers.signable_sha256()?;
    let form = acceptance_form_v1();
    for (_, item) in form.items() {
        if matches!(item.kind, ItemKind::Signature { .. }) {
            let signer = match answers.get(&item.key) {
                Some(Answer::Signature { signature }) => signature.signer_name.clone(),
                _ => "郑怀圣".to_string(),
            };
            answers.set(
                item.key.clone(),
                Answer::Signature {
                    signature: SignatureMeta {
                        id: Uuid::now_v7(),
                        slot: item.key.clone(),
                        signer_name: signer,
                        method: SignatureMethod::Handwritten,
                        image_sha256: image.to_string(),
                        signed_content_sha256: signable.clone(),
                        signed_at: at,
                        signer: None,
                    },
                },
            );
        }
    }
    Ok(())
}

/// A complete acceptance of `household` for `people` people, its photos and signature
/// images among `blobs` (at least two hashes the office holds).
pub fn acceptance(
    household: Uuid,
    people: u32,
    inspector: &str,
    blobs: &[String],
    measurement: HouseMeasurement,
) -> Result<Submission, BoxError> {
    let [first, second, ..] = blobs else {
        return Err("two blobs are needed".into());
    };
    let form = acceptance_form_v1();
    let mut answers = FormAnswers::default();
    for (_, item) in form.items() {
        let answer = match &item.kind {
            ItemKind::YesNo { .. } => Answer::YesNo {
                value: YesNo::Yes,
                note: None,
            },
            ItemKind::Number { .. } if item.key == "target_people_present" => Answer::Number {
                value: f64::from(people),
            },
            ItemKind::Number { min, .. } => Answer::Number { value: *min },
            ItemKind::Choice { options, .. } => Answer::Choice {
                selected: vec![options.first().ok_or("an option")?.key.clone()],
            },
            ItemKind::Text { .. } => Answer::Text {
                value: "无".into()
            },
            ItemKind::Photos { min, .. } => Answer::Photos {
                sha256: [first, second]
                    .into_iter()
                    .take(*min as usize)
                    .cloned()
                    .collect(),
            },
            ItemKind::AreaMeasurement => Answer::Area {
                measurement: measurement.clone(),
            },
            ItemKind::Findings => Answer::Findings { items: vec![] },
            ItemKind::Signature { .. } => continue,
        };
        answers.set(item.key.clone(), answer);
    }
    sign_all(&mut answers, first, Utc::now())?;
    Ok(Submission {
        id: Uuid::now_v7(),
        household_id: household,
        kind: SubmissionKind::Acceptance,
        form_id: ACCEPTANCE_FORM_ID.into(),
        form_version: 1,
        inspector: inspector.into(),
        answers,
        clock: now_reading(),
        policy_version: None,
        recorded_area: None,
        position: None,
        finding_id: None,
    })
}

/// A finding of `submission`, open, due in 20 days.
pub fn finding_of(submission: &Submission) -> Finding {
    Finding {
        id: Uuid::now_v7(),
        household_id: submission.household_id,
        submission_id: Some(submission.id),
        item: Some("move_in_drainage".into()),
        description: "排水沟未通".into(),
        deadline: Utc::now().date_naive() + Duration::days(20),
        state: FindingState::Open,
    }
}

/// A photo record of a blob the office holds.
pub fn photo(household: Uuid, sha256: &str) -> PhotoMeta {
    PhotoMeta {
        sha256: sha256.to_string(),
        household_id: household,
        slot: "photo_front".into(),
        bytes: 1_000,
        width: 1600,
        height: 1200,
        taken: now_reading(),
        latitude: Some(31.765),
        longitude: Some(116.51),
        fix: None,
        source: None,
        camera_time: None,
    }
}

/// A signature record of the household head.
pub fn signature(household: Uuid, image: &str) -> SignatureRecord {
    SignatureRecord {
        household_id: household,
        signature: SignatureMeta {
            id: Uuid::now_v7(),
            slot: "sign_household_head".into(),
            signer_name: "郑怀圣".into(),
            method: SignatureMethod::Handwritten,
            image_sha256: image.to_string(),
            signed_content_sha256: sha256_hex(b"content"),
            signed_at: Utc::now(),
            signer: None,
        },
    }
}

/// A record with the content hash its body has.
pub fn record(body: RecordBody) -> Result<PushRecord, BoxError> {
    Ok(PushRecord {
        content_sha256: body.content_sha256()?,
        body,
    })
}

/// An inspector's connection to the sync API.
pub struct SyncClient {
    pub base: String,
    pub token: String,
    pub http: reqwest::Client,
}

impl SyncClient {
    pub async fn sign_in(base: &str, user: &str, password: &str) -> Result<Self, BoxError> {
        let http = reqwest::Client::new();
        let response: Value = http
            .post(format!("{base}/api/v1/login"))
            .json(&json!({"user": user, "password": password, "device_id": Uuid::now_v7()}))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        Ok(Self {
            base: base.to_string(),
            token: response["token"].as_str().ok_or("a token")?.to_string(),
            http,
        })
    }

    /// Upload `bytes` whole; returns its SHA-256.
    pub async fn upload(&self, bytes: &[u8]) -> Result<String, BoxError> {
        let sha = sha256_hex(bytes);
        self.http
            .put(format!("{}/api/v1/blobs/{sha}", self.base))
            .bearer_auth(&self.token)
            .header(anju_core::wire::HEADER_BLOB_OFFSET, 0)
            .header(anju_core::wire::HEADER_BLOB_LENGTH, bytes.len())
            .body(bytes.to_vec())
            .send()
            .await?
            .error_for_status()?;
        Ok(sha)
    }

    /// Push records with the device time given (any JSON value, e.g. an absurd time).
    pub async fn push_at(
        &self,
        device_time: Value,
        records: &[PushRecord],
    ) -> Result<(StatusCode, Value), BoxError> {
        Ok(status_and_json(
            self.http
                .post(format!("{}/api/v1/push", self.base))
                .bearer_auth(&self.token)
                .json(&json!({"device_id": Uuid::now_v7(), "device_time": device_time, "records": records})),
        )
        .await?)
    }

    pub async fn push(&self, records: &[PushRecord]) -> Result<(StatusCode, Value), BoxError> {
        self.push_at(json!(Utc::now()), records).await
    }

    /// The first page of the pull, whole.
    pub async fn pull(&self) -> Result<(StatusCode, Value), BoxError> {
        Ok(status_and_json(
            self.http
                .get(format!("{}/api/v1/pull?cursor=0&limit=5000", self.base))
                .bearer_auth(&self.token),
        )
        .await?)
    }
}

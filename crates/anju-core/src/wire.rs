//! The sync protocol's wire types, version 1 (`/api/v1`). One definition, used by the
//! office server, the device's sync engine and (generated) the front end.
//! `docs/sync-protocol.md` explains the protocol in prose.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::area::Area;
use crate::district_policy::PolicyVersion;
use crate::form::Answer;
use crate::hash::{HashError, content_sha256};
use crate::model::{
    Department, Finding, FindingState, Household, PhotoMeta, SignatureMeta, Submission,
    SubmissionKind,
};
use crate::verdict::{AcceptanceVerdict, FindingOrigin, HouseholdStatus};

pub const PROTOCOL_VERSION: u32 = 1;
pub const API_PREFIX: &str = "/api/v1";

/// Headers of the resumable blob upload.
pub const HEADER_BLOB_OFFSET: &str = "anju-blob-offset";
pub const HEADER_BLOB_LENGTH: &str = "anju-blob-length";
pub const HEADER_BLOB_COMPLETE: &str = "anju-blob-complete";
/// Every error answer carries its code here too, for answers without a body (`HEAD`).
pub const HEADER_ERROR_CODE: &str = "anju-error";

/// The largest blob the office accepts: a photo is about 300 KB after processing, so
/// this leaves room for an unprocessed one while refusing anything absurd.
pub const MAX_BLOB_BYTES: u64 = 25 * 1024 * 1024;
/// The largest push request body.
pub const MAX_PUSH_BYTES: usize = 16 * 1024 * 1024;
/// Records per push request the office accepts.
pub const MAX_PUSH_RECORDS: usize = 500;
/// Households per pull page, default and most.
pub const DEFAULT_PULL_LIMIT: u32 = 1000;
pub const MAX_PULL_LIMIT: u32 = 5000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Health {
    pub status: String,
    pub server_time: DateTime<Utc>,
    pub version: String,
    pub protocol: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Fills forms in the field; sees only the households assigned to them.
    Inspector,
    /// A township's office: sees its township's households.
    Township,
    /// Everything.
    Admin,
}

impl Role {
    pub fn code(self) -> &'static str {
        match self {
            Self::Inspector => "inspector",
            Self::Township => "township",
            Self::Admin => "admin",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "inspector" => Some(Self::Inspector),
            "township" => Some(Self::Township),
            "admin" => Some(Self::Admin),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginRequest {
    pub user: String,
    pub password: String,
    /// The device's own id (UUIDv7 made at first start); one token per device.
    pub device_id: Uuid,
    pub device_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserInfo {
    /// The login: for signing in and for the office's records of who did what.
    pub name: String,
    pub role: Role,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub department: Option<Department>,
    pub township: Option<String>,
    /// 姓名 as official records write it, when the office has it: a signature the
    /// inspector makes for their department carries this name, never the login. Left out
    /// when unknown, so devices and offices from before still agree.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub full_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginResponse {
    /// Bearer token for this device; the office keeps only its hash.
    pub token: String,
    pub user: UserInfo,
    pub server_time: DateTime<Utc>,
}

/// One page of changes to the inspector's households.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PullResponse {
    /// Households added to the inspector or changed since the cursor.
    pub households: Vec<Household>,
    /// Households no longer assigned to the inspector.
    pub tombstones: Vec<Uuid>,
    /// What the office holds of each household in `households`: the inspections any
    /// device sent, so that a supervisor's device knows the area an acceptance recorded.
    /// Absent from an older office: then the device knows only its own inspections.
    #[serde(default)]
    pub history: Vec<HouseholdHistory>,
    /// Give this as `cursor` for the next page or the next pull.
    pub next_cursor: i64,
    pub has_more: bool,
    /// How many households are assigned now.
    pub assigned_count: u64,
    /// [`assigned_digest`] of every assigned household, on the last page only.
    pub assigned_digest: Option<String>,
    pub server_time: DateTime<Utc>,
    /// Every version of the district's policy, in the order they take effect: the device
    /// assesses with the one in force on the day. On every page (a few KB); absent from
    /// an office before policies travelled.
    #[serde(default)]
    pub policies: Vec<PolicyVersion>,
    /// The latest version of each form the district published (version 1 of each is built
    /// into every device and not sent), on the last page only: a new draft starts on it,
    /// a draft already started keeps its version. Absent from an office before forms were
    /// published.
    #[serde(default)]
    pub forms: Vec<crate::form::FormSchema>,
    /// The signed-in inspector's open tasks (整改复查 …), on the last page only: the device
    /// replaces its list with them. Absent from an office before tasks.
    #[serde(default)]
    pub tasks: Vec<crate::tasks::Task>,
    /// The 验收组 the signed-in inspector belongs to, with each member's PIN verifier
    /// (never a PIN), on the last page only: the device replaces what it held. Absent
    /// when they belong to none, or from an office before teams.
    #[serde(default)]
    pub team: Option<crate::team::Team>,
}

/// A team member sets their PIN on a device the team shares, with their own password (the
/// office checks it like a sign-in); the answer is the team with the new verifier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TeamPinRequest {
    /// The member's login.
    pub member: String,
    pub password: String,
    /// Six digits (`crate::team::check_pin`).
    pub pin: String,
}

/// The office's record of one household, sent with it on a pull.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HouseholdHistory {
    pub household_id: Uuid,
    /// Oldest first.
    pub inspections: Vec<OfficeInspection>,
    /// Where rectification (整改) of each of the household's findings stands at the office.
    #[serde(default)]
    pub findings: Vec<OfficeFinding>,
    /// Where the household stands at the office (待审核, 不合格…).
    #[serde(default)]
    pub standing: Option<OfficeStanding>,
}

/// The office's view of a household: its status and the verdict of its latest acceptance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OfficeStanding {
    pub status: HouseholdStatus,
    pub verdict: Option<AcceptanceVerdict>,
    /// 已验收: approved and not 不合格.
    pub accepted: bool,
}

/// A finding's state as the office's rectification moved it (open → rectified → closed,
/// or reopened).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OfficeFinding {
    pub finding_id: Uuid,
    pub state: FindingState,
    pub changed_at: DateTime<Utc>,
    /// The note of the office's latest step (what was done, why it was reopened).
    #[serde(default)]
    pub note: Option<String>,
    /// Who raised it: an inspector, or the office (面积超标, a critical item).
    #[serde(default = "inspector_origin")]
    pub origin: FindingOrigin,
    /// What and by when: the device that made the finding has its own words, every other
    /// device of the inspector (a replacement phone) and the office's own findings need these.
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub deadline: Option<chrono::NaiveDate>,
}

fn inspector_origin() -> FindingOrigin {
    FindingOrigin::Inspector
}

/// One inspection the office received, from whichever device made it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OfficeInspection {
    pub submission_id: Uuid,
    pub kind: SubmissionKind,
    pub inspector: String,
    /// Trusted time if the device had one, else the device's.
    pub made_at: DateTime<Utc>,
    /// The built area the form's measurement gives, when it has one.
    pub built_area: Option<Area>,
    /// Whether that area is over the household's limit.
    pub over_limit: Option<bool>,
    /// The office returned it (退回): it no longer counts as the household's acceptance.
    pub returned: bool,
    /// Why, as the office wrote it.
    #[serde(default)]
    pub return_note: Option<String>,
}

/// SHA-256 over the sorted household ids, one per line: the device computes the same
/// over its copy and re-pulls in full when they differ.
pub fn assigned_digest<'a>(ids: impl IntoIterator<Item = &'a Uuid>) -> String {
    let mut ids: Vec<String> = ids.into_iter().map(|id| id.to_string()).collect();
    ids.sort();
    let mut hasher = Sha256::new();
    for id in &ids {
        hasher.update(id.as_bytes());
        hasher.update(b"\n");
    }
    hex::encode(hasher.finalize())
}

/// A signature with the household it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignatureRecord {
    pub household_id: Uuid,
    pub signature: SignatureMeta,
}

/// The immutable records a device pushes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", content = "body", rename_all = "snake_case")]
pub enum RecordBody {
    Photo(PhotoMeta),
    Signature(SignatureRecord),
    Submission(Submission),
    Finding(Finding),
}

impl RecordBody {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Photo(_) => "photo",
            Self::Signature(_) => "signature",
            Self::Submission(_) => "submission",
            Self::Finding(_) => "finding",
        }
    }

    /// The record's id: a UUID, or for a photo its SHA-256.
    pub fn id(&self) -> String {
        match self {
            Self::Photo(p) => p.sha256.clone(),
            Self::Signature(s) => s.signature.id.to_string(),
            Self::Submission(s) => s.id.to_string(),
            Self::Finding(f) => f.id.to_string(),
        }
    }

    pub fn household_id(&self) -> Uuid {
        match self {
            Self::Photo(p) => p.household_id,
            Self::Signature(s) => s.household_id,
            Self::Submission(s) => s.household_id,
            Self::Finding(f) => f.household_id,
        }
    }

    /// The blobs the office must hold before it accepts this record.
    pub fn referenced_blobs(&self) -> Vec<String> {
        let mut blobs = match self {
            Self::Photo(p) => vec![p.sha256.clone()],
            Self::Signature(s) => vec![s.signature.image_sha256.clone()],
            Self::Submission(s) => s
                .answers
                .0
                .values()
                .flat_map(|answer| match answer {
                    Answer::Photos { sha256 } => sha256.clone(),
                    Answer::Signature { signature } => vec![signature.image_sha256.clone()],
                    _ => Vec::new(),
                })
                .collect(),
            Self::Finding(_) => Vec::new(),
        };
        blobs.sort();
        blobs.dedup();
        blobs
    }

    /// The content hash of the body (what `content_sha256` must say).
    pub fn content_sha256(&self) -> Result<String, HashError> {
        match self {
            Self::Photo(p) => content_sha256(p),
            Self::Signature(s) => content_sha256(s),
            Self::Submission(s) => content_sha256(s),
            Self::Finding(f) => content_sha256(f),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushRecord {
    pub content_sha256: String,
    #[serde(flatten)]
    pub body: RecordBody,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushRequest {
    pub device_id: Uuid,
    /// The device's clock when it sent the request; the office records the offset.
    pub device_time: DateTime<Utc>,
    pub records: Vec<PushRecord>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RecordStatus {
    /// Stored now.
    Accepted,
    /// Stored before with the same content: nothing to do.
    Duplicate,
    /// The id is stored with different content: kept aside for review, not stored.
    Conflict,
    /// A blob the record names is not (completely) uploaded: upload it and retry.
    MissingBlob,
    /// A record this one refers to (a finding's submission) has not arrived: retry after it.
    MissingDependency,
    /// The household is not assigned to this user.
    Forbidden,
    /// No such household in the office.
    UnknownHousehold,
    /// The record itself is wrong (hash mismatch, bad content).
    Invalid,
}

impl RecordStatus {
    /// The HTTP-style code of this outcome.
    pub fn code(self) -> u16 {
        match self {
            Self::Accepted => 201,
            Self::Duplicate => 200,
            Self::Conflict => 409,
            Self::MissingBlob | Self::MissingDependency => 424,
            Self::Forbidden => 403,
            Self::UnknownHousehold => 404,
            Self::Invalid => 422,
        }
    }

    /// The office has the record (now or before): the device may mark it synced.
    pub fn is_stored(self) -> bool {
        matches!(self, Self::Accepted | Self::Duplicate)
    }

    /// Worth trying again later without changing the record.
    pub fn is_retryable(self) -> bool {
        matches!(self, Self::MissingBlob | Self::MissingDependency)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordResult {
    pub kind: String,
    pub id: String,
    pub status: RecordStatus,
    pub code: u16,
    /// What is wrong, in Chinese and English, when the record was not stored.
    pub message: Option<String>,
    /// For `missing_blob`: the hashes still needed.
    pub missing_blobs: Vec<String>,
    /// For `invalid`: where in the request, e.g. `records[3].body.answers.area_measurement`.
    #[serde(default)]
    pub field: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushResponse {
    /// One result per record, in the request's order.
    pub results: Vec<RecordResult>,
    pub server_time: DateTime<Utc>,
    /// device_time − server_time as the office saw it, in milliseconds.
    pub clock_offset_ms: i64,
}

impl PushResponse {
    /// The HTTP status of the whole answer: 200 when every record is stored, else the
    /// most serious per-record outcome (403, 404, 422, 409, then 424).
    pub fn http_status(&self) -> u16 {
        const ORDER: [RecordStatus; 6] = [
            RecordStatus::Forbidden,
            RecordStatus::UnknownHousehold,
            RecordStatus::Invalid,
            RecordStatus::Conflict,
            RecordStatus::MissingBlob,
            RecordStatus::MissingDependency,
        ];
        ORDER
            .iter()
            .find(|status| self.results.iter().any(|r| r.status == **status))
            .map_or(200, |status| status.code())
    }
}

/// What a blob upload or HEAD reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BlobState {
    /// Bytes the office holds of this blob.
    pub offset: u64,
    /// The blob is whole and its hash checked.
    pub complete: bool,
}

/// Every error answer of the API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ApiError {
    /// A stable machine-readable code, e.g. `invalid_json`, `unauthorized`.
    pub error: String,
    /// What is wrong and what to do, in Chinese then English.
    pub message: String,
    /// Where in the request, e.g. `records[3].body.household_id`.
    pub field: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ClockReading, FindingState, SubmissionKind};
    use chrono::NaiveDate;

    #[test]
    fn digest_ignores_order() {
        let a = Uuid::now_v7();
        let b = Uuid::now_v7();
        assert_eq!(assigned_digest(&[a, b]), assigned_digest(&[b, a]));
        assert_ne!(assigned_digest(&[a]), assigned_digest(&[a, b]));
        assert_eq!(
            assigned_digest(&[]),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn records_serialise_with_kind_and_body() {
        let finding = Finding {
            id: Uuid::now_v7(),
            household_id: Uuid::now_v7(),
            submission_id: None,
            item: None,
            description: "水未入户".into(),
            deadline: NaiveDate::from_ymd_opt(2017, 9, 30).unwrap(),
            state: FindingState::Open,
        };
        let body = RecordBody::Finding(finding.clone());
        let record = PushRecord {
            content_sha256: body.content_sha256().unwrap(),
            body,
        };
        let json = serde_json::to_value(&record).unwrap();
        assert_eq!(json["kind"], "finding");
        assert_eq!(json["body"]["description"], "水未入户");
        let back: PushRecord = serde_json::from_value(json).unwrap();
        assert_eq!(back, record);
        assert_eq!(back.body.id(), finding.id.to_string());
        let unknown = serde_json::json!({"kind": "video", "body": {}, "content_sha256": "x"});
        assert!(serde_json::from_value::<PushRecord>(unknown).is_err());
    }

    #[test]
    fn a_submission_references_its_photos_and_signatures() {
        let mut answers = crate::form::FormAnswers::default();
        answers.set(
            "photo_front",
            Answer::Photos {
                sha256: vec!["b".repeat(64), "a".repeat(64)],
            },
        );
        answers.set(
            "photo_rooms",
            Answer::Photos {
                sha256: vec!["a".repeat(64)],
            },
        );
        let submission = Submission {
            id: Uuid::now_v7(),
            household_id: Uuid::now_v7(),
            kind: SubmissionKind::SpotCheck,
            form_id: "anju.spot_check".into(),
            form_version: 1,
            inspector: "li".into(),
            answers,
            clock: ClockReading {
                device_time: Utc::now(),
                trusted_time: None,
                offset_ms: None,
            },
            policy_version: None,
            recorded_area: None,
            position: None,
            finding_id: None,
        };
        assert_eq!(
            RecordBody::Submission(submission).referenced_blobs(),
            vec!["a".repeat(64), "b".repeat(64)]
        );
    }

    #[test]
    fn the_worst_outcome_sets_the_status() {
        let result = |status: RecordStatus| RecordResult {
            kind: "finding".into(),
            id: "x".into(),
            status,
            code: status.code(),
            message: None,
            missing_blobs: vec![],
            field: None,
        };
        let mut response = PushResponse {
            results: vec![
                result(RecordStatus::Accepted),
                result(RecordStatus::Duplicate),
            ],
            server_time: Utc::now(),
            clock_offset_ms: 0,
        };
        assert_eq!(response.http_status(), 200);
        response.results.push(result(RecordStatus::MissingBlob));
        assert_eq!(response.http_status(), 424);
        response.results.push(result(RecordStatus::Conflict));
        assert_eq!(response.http_status(), 409);
        response.results.push(result(RecordStatus::Forbidden));
        assert_eq!(response.http_status(), 403);
    }
}

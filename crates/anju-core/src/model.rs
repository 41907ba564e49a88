//! The records of the programme: places, households, assignments, submissions, evidence
//! and findings. Ids are UUIDv7 made where the record is born; times are UTC.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::IdNumber;
use crate::area::{Area, HouseMeasurement};
use crate::form::FormAnswers;

/// The four departments of the acceptance team and what each checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Department {
    /// 扶贫办: the household is the right one.
    Poverty,
    /// 发改委: floor area within the limit, move-in conditions met.
    Reform,
    /// 国土局: the site is reasonable and safe.
    Land,
    /// 住建局: construction quality.
    Housing,
}

impl Department {
    pub const ALL: [Department; 4] = [Self::Poverty, Self::Reform, Self::Land, Self::Housing];

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Poverty => "扶贫办",
            Self::Reform => "发改委",
            Self::Land => "国土局",
            Self::Housing => "住建局",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Self::Poverty => "poverty alleviation office",
            Self::Reform => "development and reform",
            Self::Land => "land and resources",
            Self::Housing => "housing and construction",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Poverty => "poverty",
            Self::Reform => "reform",
            Self::Land => "land",
            Self::Housing => "housing",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.code() == code)
    }
}

/// 安置方式: in a concentrated resettlement site, or scattered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PlacementMode {
    /// 集中安置
    Concentrated,
    /// 分散安置
    Scattered,
}

impl PlacementMode {
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Concentrated => "集中安置",
            Self::Scattered => "分散安置",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Concentrated => "concentrated",
            Self::Scattered => "scattered",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "concentrated" => Some(Self::Concentrated),
            "scattered" => Some(Self::Scattered),
            _ => None,
        }
    }

    /// Read the words a county roster uses, in Chinese or English.
    pub fn from_roster(text: &str) -> Option<Self> {
        match text.trim().to_lowercase().as_str() {
            "集中安置" | "集中" | "concentrated" => Some(Self::Concentrated),
            "分散安置" | "分散" | "scattered" => Some(Self::Scattered),
            _ => None,
        }
    }
}

/// How a household was resettled, as the roster records it: what some form items depend on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Placement {
    pub mode: PlacementMode,
    pub kind: PlacementKind,
}

/// 安置类型: how the house came about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PlacementKind {
    /// 自建: the household built it.
    SelfBuilt,
    /// 购买: the household bought it.
    Bought,
    /// 统规自建: unified planning, built by the household (or its building council).
    UnifiedSelfBuilt,
    /// 统规统建: unified planning, built by the township.
    UnifiedBuilt,
}

impl PlacementKind {
    pub const ALL: [PlacementKind; 4] = [
        Self::SelfBuilt,
        Self::Bought,
        Self::UnifiedSelfBuilt,
        Self::UnifiedBuilt,
    ];

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::SelfBuilt => "自建",
            Self::Bought => "购买",
            Self::UnifiedSelfBuilt => "统规自建",
            Self::UnifiedBuilt => "统规统建",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Self::SelfBuilt => "self-built",
            Self::Bought => "bought",
            Self::UnifiedSelfBuilt => "unified planning, self-built",
            Self::UnifiedBuilt => "unified planning and building",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::SelfBuilt => "self_built",
            Self::Bought => "bought",
            Self::UnifiedSelfBuilt => "unified_self_built",
            Self::UnifiedBuilt => "unified_built",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    /// Read the words a county roster uses, in Chinese or English.
    pub fn from_roster(text: &str) -> Option<Self> {
        let text = text.trim().to_lowercase().replace(['-', ' '], "_");
        match text.as_str() {
            "自建" | "分散自建" | "self_built" | "selfbuilt" => Some(Self::SelfBuilt),
            "购买" | "购房" | "分散购买" | "购房安置" | "bought" | "purchased" => {
                Some(Self::Bought)
            }
            "统规自建" | "unified_self_built" => Some(Self::UnifiedSelfBuilt),
            "统规统建" | "统建" | "unified_built" => Some(Self::UnifiedBuilt),
            _ => None,
        }
    }

    /// Which kinds go with which mode: scattered houses are self-built or bought,
    /// houses in a site are planned together.
    pub fn fits(self, mode: PlacementMode) -> bool {
        match mode {
            PlacementMode::Scattered => matches!(self, Self::SelfBuilt | Self::Bought),
            PlacementMode::Concentrated => {
                matches!(
                    self,
                    Self::UnifiedSelfBuilt | Self::UnifiedBuilt | Self::Bought
                )
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Township {
    pub id: Uuid,
    pub name: String,
    /// Position in the programme's tables (the source document's order).
    pub sort_order: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Village {
    pub id: Uuid,
    pub township_id: Uuid,
    pub name: String,
}

/// A concentrated resettlement site (集中安置点).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Site {
    pub id: Uuid,
    pub township_id: Uuid,
    pub name: String,
    /// Built for this programme, as opposed to an existing village centre that took households.
    pub newly_built: bool,
    pub kind: PlacementKind,
}

/// A member of a household, where the registry lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Member {
    pub name: String,
    /// 与户主关系: 户主, 配偶, 子, 女, 父, 母…
    pub relation: String,
    pub id_number: Option<IdNumber>,
}

/// A registered poor household (建档立卡贫困户) to be relocated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Household {
    pub id: Uuid,
    /// 户编号: the household number printed on the acceptance form.
    pub number: String,
    pub head_name: String,
    pub id_number: IdNumber,
    /// 家庭人口: the number of people the area limit is counted for.
    pub size: u32,
    pub members: Vec<Member>,
    pub phone: Option<String>,
    pub township: String,
    pub village: String,
    /// The concentrated site, `None` when scattered.
    pub site: Option<String>,
    pub mode: PlacementMode,
    pub kind: PlacementKind,
    /// The house's (or its site's) coordinates, when the roster gives them: the field app
    /// shows the distance, the office flags a photo taken far away. Left out of the JSON
    /// when absent, so households and their hashes from before are unchanged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub location: Option<crate::location::Coordinates>,
}

impl Household {
    pub fn placement(&self) -> Placement {
        Placement {
            mode: self.mode,
            kind: self.kind,
        }
    }
}

/// An inspector's right to see and write one household.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Assignment {
    pub inspector: String,
    pub household_id: Uuid,
    pub assigned_at: DateTime<Utc>,
}

/// Where a household stands on the device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum HouseholdStatus {
    /// 待验收: nothing done yet.
    ToInspect,
    /// 草稿: a form is being filled.
    Draft,
    /// 已提交: submitted on the device, waiting to sync.
    Submitted,
    /// 已同步: the office has it.
    Synced,
}

impl HouseholdStatus {
    pub const ALL: [HouseholdStatus; 4] =
        [Self::ToInspect, Self::Draft, Self::Submitted, Self::Synced];

    pub fn code(self) -> &'static str {
        match self {
            Self::ToInspect => "to_inspect",
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::Synced => "synced",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::ToInspect => "待验收",
            Self::Draft => "草稿",
            Self::Submitted => "待同步",
            Self::Synced => "已同步",
        }
    }
}

/// What an inspection was for: each kind is a visit of the programme's field cycle, filled
/// on a form of its own ([`SubmissionKind::form_id`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SubmissionKind {
    /// 验收: the full acceptance form.
    Acceptance,
    /// 抽查: a supervisor's spot check that re-measures the floor area.
    SpotCheck,
    /// 旧房拆除核实: the old house is demolished, photographed before and after from the
    /// same spot.
    Demolition,
    /// 宅基地复垦核实: the old homestead is reclaimed, photographed before and after.
    Reclamation,
    /// 整改复查: an inspector confirms in the field that a finding was rectified
    /// ([`Submission::finding_id`] names it).
    Recheck,
    /// 入住核实: the household lives in its new house (先验收、后入住).
    MoveIn,
    /// 开工放线: the house is laid out on the ground and building has started.
    Groundbreaking,
    /// 建设进度: how far the building is, against its site's monthly plan.
    Progress,
    /// 面积丈量督查: the floor area measured while the house is built.
    AreaInspection,
    /// 乡镇初验: the township's own acceptance, before the district's.
    TownshipCheck,
    /// 分工验收: one department's part of a team's acceptance, filled on its member's own
    /// device; the office merges the four into one acceptance (`form::merge_parts`).
    AcceptancePart,
}

impl SubmissionKind {
    pub const ALL: [SubmissionKind; 11] = [
        Self::Acceptance,
        Self::SpotCheck,
        Self::Demolition,
        Self::Reclamation,
        Self::Recheck,
        Self::MoveIn,
        Self::Groundbreaking,
        Self::Progress,
        Self::AreaInspection,
        Self::TownshipCheck,
        Self::AcceptancePart,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Acceptance => "acceptance",
            Self::SpotCheck => "spot_check",
            Self::Demolition => "demolition",
            Self::Reclamation => "reclamation",
            Self::Recheck => "recheck",
            Self::MoveIn => "move_in",
            Self::Groundbreaking => "groundbreaking",
            Self::Progress => "progress",
            Self::AreaInspection => "area_inspection",
            Self::TownshipCheck => "township_check",
            Self::AcceptancePart => "acceptance_part",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    /// The form every submission of this kind is filled on.
    pub fn form_id(self) -> &'static str {
        match self {
            Self::Acceptance => crate::form::ACCEPTANCE_FORM_ID,
            Self::SpotCheck => crate::form::SPOT_CHECK_FORM_ID,
            Self::Demolition => crate::form::DEMOLITION_FORM_ID,
            Self::Reclamation => crate::form::RECLAMATION_FORM_ID,
            Self::Recheck => crate::form::RECHECK_FORM_ID,
            Self::MoveIn => crate::form::MOVE_IN_FORM_ID,
            Self::Groundbreaking => crate::form::GROUNDBREAKING_FORM_ID,
            Self::Progress => crate::form::PROGRESS_FORM_ID,
            Self::AreaInspection => crate::form::AREA_INSPECTION_FORM_ID,
            Self::TownshipCheck => crate::form::TOWNSHIP_CHECK_FORM_ID,
            Self::AcceptancePart => crate::form::ACCEPTANCE_FORM_ID,
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Acceptance => "验收",
            Self::SpotCheck => "抽查复核",
            Self::Demolition => "旧房拆除核实",
            Self::Reclamation => "宅基地复垦核实",
            Self::Recheck => "整改复查",
            Self::MoveIn => "入住核实",
            Self::Groundbreaking => "开工放线",
            Self::Progress => "建设进度",
            Self::AreaInspection => "面积丈量督查",
            Self::TownshipCheck => "乡镇初验",
            Self::AcceptancePart => "分工验收",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Self::Acceptance => "acceptance",
            Self::SpotCheck => "spot check",
            Self::Demolition => "demolition check",
            Self::Reclamation => "reclamation check",
            Self::Recheck => "re-check of a rectification",
            Self::MoveIn => "move-in check",
            Self::Groundbreaking => "groundbreaking and layout",
            Self::Progress => "building progress",
            Self::AreaInspection => "area inspection while building",
            Self::TownshipCheck => "township preliminary acceptance",
            Self::AcceptancePart => "one department's part of an acceptance",
        }
    }

    /// A visit to the old house and homestead rather than to the new house: its photos are
    /// compared with each other (the same spot), not with the new house's coordinates.
    pub fn is_old_house(self) -> bool {
        matches!(self, Self::Demolition | Self::Reclamation)
    }

    /// A visit while the new house is being built (开工放线, 建设进度): before acceptance.
    pub fn is_construction(self) -> bool {
        matches!(self, Self::Groundbreaking | Self::Progress)
    }
}

/// How a device's clock related to the office's when a record was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClockReading {
    /// What the device clock said.
    pub device_time: DateTime<Utc>,
    /// The device time corrected by the offset measured at the last contact with the office,
    /// `None` if the device has never reached the office.
    pub trusted_time: Option<DateTime<Utc>>,
    /// device − office, in milliseconds, as last measured.
    pub offset_ms: Option<i64>,
}

impl ClockReading {
    /// A clock further off than this is shown to the user and flagged on the record.
    pub const TOLERANCE_MS: i64 = 5 * 60 * 1000;

    pub fn clock_is_off(&self) -> bool {
        self.offset_ms.is_some_and(|o| o.abs() > Self::TOLERANCE_MS)
    }
}

/// A finished inspection: immutable once made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Submission {
    pub id: Uuid,
    pub household_id: Uuid,
    pub kind: SubmissionKind,
    pub form_id: String,
    pub form_version: u32,
    pub inspector: String,
    pub answers: FormAnswers,
    pub clock: ClockReading,
    /// The version of the district's policy the device assessed with. Absent from devices
    /// that never received a policy, and from records made before policies travelled
    /// (left out of the JSON when absent, so their content hashes stay the same).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub policy_version: Option<u32>,
    /// What the device computed of the measured house; the office recomputes it and
    /// refuses a submission whose figures disagree.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub recorded_area: Option<RecordedArea>,
    /// The device's position when the form was submitted, or why it had none; absent from
    /// records made before positions were kept (left out, so their hashes stay the same).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub position: Option<crate::location::Fix>,
    /// The finding a 整改复查 re-checks; absent from every other kind (and so from every
    /// record made before re-checks, whose hashes stay the same).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub finding_id: Option<Uuid>,
}

/// The figures a device recorded of a measured house with its policy version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
// The field app has a `RecordedArea` view of its own; in TypeScript this one is apart.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "SubmittedAreaFigures"))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = SubmittedAreaFigures))]
pub struct RecordedArea {
    pub built_area: Area,
    /// The cap for the household, exact.
    pub cap: Area,
    /// The rule that set it.
    pub rule_name: String,
    pub over_cap: bool,
}

/// A photo's metadata; the file itself is stored under its SHA-256.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PhotoMeta {
    pub sha256: String,
    pub household_id: Uuid,
    /// The form's photo slot, e.g. `photo_house_front`.
    pub slot: String,
    pub bytes: u64,
    pub width: u32,
    pub height: u32,
    pub taken: ClockReading,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    /// The device's fix when the photo was taken (with its accuracy and time), or why there
    /// was none; `latitude`/`longitude` repeat its coordinates for older readers. The three
    /// fields below are absent from records made before they existed and left out of the
    /// JSON when absent, so those records keep their content hashes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub fix: Option<crate::location::Fix>,
    /// Camera or gallery; absent means camera (records from before galleries).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub source: Option<crate::location::PhotoSource>,
    /// A gallery photo's own time (EXIF DateTimeOriginal, the camera's wall clock).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub camera_time: Option<chrono::NaiveDateTime>,
}

/// Who signed and how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum SignatureMethod {
    /// Signed by hand on the screen.
    Handwritten,
    /// 按手印: a photographed thumbprint.
    Thumbprint,
    /// A relative signed on the household head's behalf.
    Proxy {
        signer_name: String,
        relation: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignatureMeta {
    pub id: Uuid,
    /// The form's signature slot, e.g. `sign_household_head`.
    pub slot: String,
    pub signer_name: String,
    pub method: SignatureMethod,
    /// SHA-256 of the rendered image (or thumbprint photo).
    pub image_sha256: String,
    /// SHA-256 of the form content the signer saw; a later change needs a new signature.
    pub signed_content_sha256: String,
    pub signed_at: DateTime<Utc>,
    /// The team member who signed a department's slot and confirmed it with their own PIN
    /// (`crate::team`). Absent from a signature whose name was typed (a household head,
    /// or a department's before teams), and then left out of the JSON, so those records
    /// keep their content hashes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub signer: Option<SignerIdentity>,
}

/// Who a department's signature is, beyond the name it shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignerIdentity {
    /// The member's login, for the office's records (never printed).
    pub account: String,
    pub department: Department,
    /// The 验收组 whose PIN verifier confirmed it.
    pub team_id: Uuid,
    /// Signed on the member's own device as who they are signed in as (分工验收), not with
    /// their PIN on a device the team shares. Left out when false, so records from before
    /// keep their hashes.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[cfg_attr(feature = "ts", ts(as = "Option<bool>", optional))]
    pub own_device: bool,
}

/// 整改 state of a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FindingState {
    Open,
    Rectified,
    Closed,
    Reopened,
}

/// A problem found on site that the township must rectify by a deadline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Finding {
    pub id: Uuid,
    pub household_id: Uuid,
    pub submission_id: Option<Uuid>,
    /// The form item it came from, e.g. `water_connected`.
    pub item: Option<String>,
    pub description: String,
    pub deadline: NaiveDate,
    pub state: FindingState,
}

impl Finding {
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        matches!(self.state, FindingState::Open | FindingState::Reopened) && today > self.deadline
    }
}

/// A spot check's re-measurement compared with what acceptance recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SpotCheckMeasurement {
    pub household_id: Uuid,
    pub measurement: HouseMeasurement,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roster_words_are_read() {
        assert_eq!(
            PlacementMode::from_roster("集中安置"),
            Some(PlacementMode::Concentrated)
        );
        assert_eq!(
            PlacementMode::from_roster(" 分散 "),
            Some(PlacementMode::Scattered)
        );
        assert_eq!(
            PlacementMode::from_roster("Scattered"),
            Some(PlacementMode::Scattered)
        );
        assert_eq!(PlacementMode::from_roster("迁移"), None);
        assert_eq!(
            PlacementKind::from_roster("统规自建"),
            Some(PlacementKind::UnifiedSelfBuilt)
        );
        assert_eq!(
            PlacementKind::from_roster("购房"),
            Some(PlacementKind::Bought)
        );
        assert_eq!(
            PlacementKind::from_roster("self-built"),
            Some(PlacementKind::SelfBuilt)
        );
        assert_eq!(PlacementKind::from_roster("租房"), None);
    }

    #[test]
    fn kinds_fit_modes() {
        assert!(PlacementKind::SelfBuilt.fits(PlacementMode::Scattered));
        assert!(!PlacementKind::SelfBuilt.fits(PlacementMode::Concentrated));
        assert!(PlacementKind::UnifiedSelfBuilt.fits(PlacementMode::Concentrated));
        assert!(!PlacementKind::UnifiedBuilt.fits(PlacementMode::Scattered));
    }

    #[test]
    fn codes_round_trip() {
        for d in Department::ALL {
            assert_eq!(Department::from_code(d.code()), Some(d));
        }
        for k in PlacementKind::ALL {
            assert_eq!(PlacementKind::from_code(k.code()), Some(k));
        }
        for s in HouseholdStatus::ALL {
            assert_eq!(HouseholdStatus::from_code(s.code()), Some(s));
        }
    }

    #[test]
    fn overdue_only_while_open() {
        let day = |d| NaiveDate::from_ymd_opt(2017, 9, d).unwrap();
        let mut finding = Finding {
            id: Uuid::nil(),
            household_id: Uuid::nil(),
            submission_id: None,
            item: Some("water_connected".into()),
            description: "水未入户".into(),
            deadline: day(15),
            state: FindingState::Open,
        };
        assert!(!finding.is_overdue(day(15)));
        assert!(finding.is_overdue(day(16)));
        finding.state = FindingState::Closed;
        assert!(!finding.is_overdue(day(16)));
    }

    /// Records made before positions, sources and household coordinates existed must
    /// serialise exactly as they did, or their content hashes would change.
    #[test]
    fn absent_location_fields_leave_the_json_as_it_was() {
        let photo = PhotoMeta {
            sha256: "a".repeat(64),
            household_id: Uuid::nil(),
            slot: "photo_house_front".into(),
            bytes: 1,
            width: 1,
            height: 1,
            taken: ClockReading {
                device_time: DateTime::UNIX_EPOCH,
                trusted_time: None,
                offset_ms: None,
            },
            latitude: None,
            longitude: None,
            fix: None,
            source: None,
            camera_time: None,
        };
        let json = serde_json::to_string(&photo).unwrap();
        assert!(
            json.ends_with(r#""latitude":null,"longitude":null}"#),
            "{json}"
        );
        let back: PhotoMeta = serde_json::from_str(&json).unwrap();
        assert_eq!(back, photo);
        assert_eq!(
            crate::hash::content_sha256(&photo).unwrap(),
            crate::hash::sha256_hex(json.as_bytes())
        );
    }

    #[test]
    fn clock_tolerance() {
        let now = Utc::now();
        let mut reading = ClockReading {
            device_time: now,
            trusted_time: Some(now),
            offset_ms: Some(60_000),
        };
        assert!(!reading.clock_is_off());
        reading.offset_ms = Some(-6 * 60_000);
        assert!(reading.clock_is_off());
        reading.offset_ms = None;
        assert!(!reading.clock_is_off());
    }
}

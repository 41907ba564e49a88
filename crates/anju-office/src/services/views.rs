//! What the office pages receive and send. Each type is exported by ts-rs into
//! `ui/office/src/bindings/`; `docs/office-pages-api.md` lists the endpoints.

use anju_core::form::Text;
use anju_core::model::{FindingState, PlacementKind, PlacementMode, SubmissionKind};
use anju_core::office::{AreaComparison, OldHouse, SampleRule};
use anju_core::verdict::{AcceptanceVerdict, FindingOrigin, HouseholdStatus};
use anju_core::wire::Role;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, TS, utoipa::ToSchema)]
pub struct OfficeSession {
    pub name: String,
    /// The user as official records name them: 姓名（单位/部门）.
    pub display: Text,
    pub role: Role,
    pub township: Option<String>,
    pub server_time: DateTime<Utc>,
}

#[derive(Debug, Clone, Deserialize, TS, utoipa::ToSchema)]
pub struct OfficeLogin {
    pub name: String,
    pub password: String,
}

/// One township's line of the programme's table (or the total's, named 合计).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS, utoipa::ToSchema)]
pub struct TownshipProgress {
    pub township_id: Option<String>,
    pub township: String,
    pub households: u32,
    pub people: u32,
    /// 集中安置: households and people in concentrated sites.
    pub concentrated_households: u32,
    pub concentrated_people: u32,
    /// 分散自建: scattered, self-built.
    pub self_built_households: u32,
    pub self_built_people: u32,
    /// 分散购房: scattered, bought.
    pub bought_households: u32,
    pub bought_people: u32,
    /// 已验收: approved and not 不合格 (the only acceptance that counts).
    pub accepted: u32,
    /// 待审核: submitted, waiting for the district's review.
    pub awaiting_review: u32,
    /// 不合格.
    pub failed: u32,
    /// 面积超标: the latest measurement is over the cap.
    pub over_cap: u32,
    pub moved_in: u32,
    pub agreement_signed: u32,
    pub demolished: u32,
    pub reclaimed: u32,
    pub open_findings: u32,
    pub overdue_findings: u32,
}

/// Cumulative counts at the end of a day.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS, utoipa::ToSchema)]
pub struct ProgressPoint {
    pub date: NaiveDate,
    pub accepted: u32,
    pub moved_in: u32,
    pub agreement_signed: u32,
    pub demolished: u32,
    pub reclaimed: u32,
}

#[derive(Debug, Clone, Serialize, TS, utoipa::ToSchema)]
pub struct Dashboard {
    pub rows: Vec<TownshipProgress>,
    pub total: TownshipProgress,
    pub timeline: Vec<ProgressPoint>,
    pub pending_review: u32,
    pub conflicts: u32,
    pub today: NaiveDate,
    /// Records set aside because they cannot be read (`anju-office damaged`).
    pub set_aside: u32,
}

/// A stored row that cannot be read: shown by its id and why, while the rest loads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, utoipa::ToSchema)]
pub struct DamagedRow {
    /// `household`, `submission`, `finding`…
    pub kind: String,
    pub id: String,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, TS, utoipa::ToSchema)]
pub struct TownshipRef {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, TS, utoipa::ToSchema)]
pub struct SiteRef {
    pub id: String,
    pub name: String,
    pub township_id: String,
    pub households: u32,
}

#[derive(Debug, Clone, Serialize, TS, utoipa::ToSchema)]
pub struct InspectorRef {
    pub name: String,
    pub department: Option<String>,
    /// 姓名（单位/部门）, shown instead of the login.
    pub display: Text,
}

#[derive(Debug, Clone, Serialize, TS, utoipa::ToSchema)]
pub struct Places {
    pub townships: Vec<TownshipRef>,
    pub sites: Vec<SiteRef>,
    pub inspectors: Vec<InspectorRef>,
    /// The office's configured spot-check sampling rule.
    pub sample_rule: SampleRule,
}

#[derive(Debug, Clone, Serialize, TS, utoipa::ToSchema)]
pub struct HouseholdRow {
    pub id: String,
    pub number: String,
    pub head_name: String,
    pub size: u32,
    pub township: String,
    pub village: String,
    pub site: Option<String>,
    pub mode: PlacementMode,
    pub kind: PlacementKind,
    pub kind_label: Text,
    pub status: HouseholdStatus,
    /// The verdict of the latest acceptance that counts, if there is one.
    pub verdict: Option<AcceptanceVerdict>,
    /// 已验收: counts in reports and allows moving in.
    pub accepted: bool,
    /// The latest measurement is over the cap (面积超标).
    pub over_cap: bool,
    /// When the acceptance that counts was made.
    pub accepted_at: Option<DateTime<Utc>>,
    pub open_findings: u32,
    pub inspectors: Vec<String>,
    /// The inspectors as official records name them, in the same order.
    pub inspectors_display: Vec<Text>,
}

#[derive(Debug, Clone, Serialize, TS, utoipa::ToSchema)]
pub struct HouseholdPage {
    pub total: u32,
    pub rows: Vec<HouseholdRow>,
    /// Rows of this page that cannot be read.
    pub damaged: Vec<DamagedRow>,
}

/// The households list's filters (query string).
#[derive(Debug, Clone, Default, Deserialize, TS, utoipa::ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct HouseholdFilter {
    /// Township name.
    pub township: Option<String>,
    /// Site name.
    pub site: Option<String>,
    /// `concentrated` or `scattered`.
    pub mode: Option<String>,
    /// A `HouseholdStatus` code.
    pub status: Option<String>,
    /// Part of the name, household number or ID number.
    pub q: Option<String>,
    /// Only the households whose latest measurement is over the cap (面积超标).
    pub over_cap: Option<bool>,
    #[param(value_type = Option<i64>, minimum = 0, maximum = 4294967295.0)]
    pub offset: Option<u32>,
    /// At most 500 are returned, whatever is asked.
    #[param(value_type = Option<i64>, minimum = 0, maximum = 4294967295.0)]
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, Serialize, TS, utoipa::ToSchema)]
pub struct AnswerView {
    pub key: String,
    pub label: Text,
    pub value: Text,
    pub note: Option<String>,
    pub problem: bool,
}

#[derive(Debug, Clone, Serialize, TS, utoipa::ToSchema)]
pub struct SectionView {
    pub key: String,
    pub title: Text,
    pub items: Vec<AnswerView>,
    /// Who answered for a department's section: the team member who confirmed its
    /// department's signature with their PIN ("陈立华（扶贫办）· 账号 chen"); absent when the
    /// section has no department or its signature was a typed name.
    pub answered_by: Option<Text>,
}

#[derive(Debug, Clone, Serialize, TS, utoipa::ToSchema)]
pub struct AreaPartView {
    pub name: String,
    pub storey: i32,
    pub rule: Text,
    pub shape: String,
    pub area_m2: String,
}

#[derive(Debug, Clone, Serialize, TS, utoipa::ToSchema)]
pub struct AreaView {
    pub parts: Vec<AreaPartView>,
    pub built_area_m2: String,
    pub per_person_m2: String,
    pub cap_m2: Option<String>,
    pub over_cap: bool,
    pub verdict: Text,
    pub trace: Text,
}

#[derive(Debug, Clone, Serialize, TS, utoipa::ToSchema)]
pub struct PhotoView {
    pub sha256: String,
    pub slot: String,
    pub slot_label: Text,
    pub url: String,
    pub width: u32,
    pub height: u32,
    pub taken_at: Option<DateTime<Utc>>,
    /// Where it was taken: `31.7650°N 116.5100°E ±12 m` or `无定位（超时）`; `None` for
    /// photos from before positions were kept.
    pub fix_text: Option<String>,
    /// Whole metres from the house, when the roster gave its coordinates.
    pub distance_m: Option<u64>,
    /// 照片位置距房屋 N 米: farther than the policy distance.
    pub too_far: Option<Text>,
    /// 相册照片 with its camera's time: picked from the gallery, not taken in the app.
    pub gallery: Option<Text>,
}

#[derive(Debug, Clone, Serialize, TS, utoipa::ToSchema)]
pub struct SignatureView {
    pub id: String,
    pub slot: String,
    pub slot_label: Text,
    pub signer_name: String,
    pub method: Text,
    pub url: String,
    pub signed_at: DateTime<Utc>,
    /// The signature was made over the form as submitted.
    pub matches_form: bool,
    /// The team member's login, when a member confirmed it with their PIN (for the pages;
    /// printed forms name people, not logins).
    pub signer_account: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReviewVerdict {
    Approved,
    Returned,
}

impl ReviewVerdict {
    pub fn code(self) -> &'static str {
        match self {
            Self::Approved => "approved",
            Self::Returned => "returned",
        }
    }
}

#[derive(Debug, Clone, Serialize, TS, utoipa::ToSchema)]
pub struct ReviewState {
    pub decision: ReviewVerdict,
    pub note: Option<String>,
    pub by: String,
    /// The reviewer as official records name them: 姓名（单位/部门）.
    pub by_display: Text,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, TS, utoipa::ToSchema)]
pub struct SubmissionView {
    pub id: String,
    pub kind: SubmissionKind,
    /// The version of the form it was filled against (1 built in, later ones published):
    /// its sections and items are that version's.
    pub form_version: u32,
    pub inspector: String,
    /// The inspector as official records name them: 姓名（单位/部门）.
    pub inspector_display: Text,
    pub device_time: DateTime<Utc>,
    pub trusted_time: Option<DateTime<Utc>>,
    pub received_at: DateTime<Utc>,
    pub review: Option<ReviewState>,
    pub sections: Vec<SectionView>,
    pub area: Option<AreaView>,
    pub photos: Vec<PhotoView>,
    pub signatures: Vec<SignatureView>,
    /// What the office made of it.
    pub judgement: Option<JudgementView>,
    /// Where the evidence was made, for the reviewer: photos taken far from the house
    /// (照片位置距房屋 N 米) and photos from the gallery, one line each.
    pub location_notes: Vec<Text>,
    /// Where the device was when the form was submitted (`31.7650°N 116.5100°E ±12 m` or
    /// `无定位（超时）`), and how far from the house; `None` for records from before.
    pub position_text: Option<String>,
    pub position_distance_m: Option<u64>,
    /// The finding a 整改复查 re-checks.
    pub finding_id: Option<String>,
    /// For a 整改复查: whether it found the rectification done (整改已到位).
    pub recheck_confirmed: Option<bool>,
    /// For a 乡镇初验: its verdict.
    pub township_verdict: Option<anju_core::form::TownshipVerdict>,
}

/// The office's judgement of a submission, for the reviewer.
#[derive(Debug, Clone, Serialize, TS, utoipa::ToSchema)]
pub struct JudgementView {
    /// The policy version in force on its date, which decides.
    pub policy_version: u32,
    /// The version the device assessed with, when it said.
    pub device_policy_version: Option<u32>,
    /// The device assessed otherwise (an older policy).
    pub policy_mismatch: Option<Text>,
    pub over_cap: bool,
    /// The critical items it fails, by their labels.
    pub critical_failures: Vec<Text>,
    /// 实际家庭人口 found on site, against the registered 家庭人口.
    pub people_found: Option<u32>,
    pub people_registered: u32,
    /// For the poverty office (扶贫办): the people found differ from the registry.
    pub people_differ: bool,
}

#[derive(Debug, Clone, Serialize, TS, utoipa::ToSchema)]
pub struct FindingEvent {
    pub at: DateTime<Utc>,
    pub by: String,
    /// 姓名（单位/部门）, or the office itself.
    pub by_display: Text,
    pub from: Option<FindingState>,
    pub to: FindingState,
    pub note: Option<String>,
    pub evidence_url: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS, utoipa::ToSchema)]
pub struct FindingRow {
    /// Who raised it: an inspector, or the office (面积超标, a critical item).
    pub origin: FindingOrigin,
    /// Blocks acceptance (不合格) until it is closed.
    pub critical: bool,
    pub id: String,
    pub household_id: String,
    pub household_number: String,
    pub head_name: String,
    pub township: String,
    pub item: Option<String>,
    pub item_label: Option<Text>,
    pub description: String,
    pub deadline: NaiveDate,
    pub state: FindingState,
    pub overdue: bool,
    /// Days to the deadline; negative when past it.
    pub days_left: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub events: Vec<FindingEvent>,
    /// The states this user may move it to now.
    pub allowed: Vec<FindingState>,
    /// Where its 整改复查 stands: 待复查 (who, by when), 复查已确认整改到位, 复查未通过.
    pub recheck: Option<Text>,
    pub recheck_overdue: bool,
}

#[derive(Debug, Clone, Serialize, TS, utoipa::ToSchema)]
pub struct FindingList {
    pub rows: Vec<FindingRow>,
    pub damaged: Vec<DamagedRow>,
}

#[derive(Debug, Clone, Default, Deserialize, TS, utoipa::ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct FindingFilter {
    pub township: Option<String>,
    /// A `FindingState` code.
    pub state: Option<String>,
    /// Only the overdue ones.
    pub overdue: Option<bool>,
    /// A `FindingOrigin` code: `inspector`, `area_over_cap` or `critical_item`.
    pub origin: Option<String>,
}

/// Named apart in the OpenAPI document from the sync API's `Member` (anju-core), which
/// carries more.
#[derive(Debug, Clone, Serialize, TS, utoipa::ToSchema)]
#[schema(as = HouseholdMemberRow)]
pub struct Member {
    pub name: String,
    pub relation: String,
}

#[derive(Debug, Clone, Serialize, TS, utoipa::ToSchema)]
pub struct HouseholdDetail {
    pub row: HouseholdRow,
    /// Masked (`341502********9024`) unless revealed: see `RevealedPersonalData`.
    pub id_number: String,
    /// Masked (`139****5678`).
    pub phone: Option<String>,
    pub members: Vec<Member>,
    pub moved_in_on: Option<NaiveDate>,
    pub old_house: OldHouse,
    pub submissions: Vec<SubmissionView>,
    pub findings: Vec<FindingRow>,
    /// The latest spot check's area against the acceptance's.
    pub spot_check: Option<AreaComparison>,
    /// Every visit, review, finding and milestone, oldest first.
    pub timeline: Vec<super::timeline::TimelineEntry>,
    /// 帮扶措施 and what the household lacks of the requirement.
    pub support: super::support::HouseholdSupport,
    /// Records of this household that cannot be read.
    pub damaged: Vec<DamagedRow>,
    /// 分工验收: the parts sent and not merged yet.
    pub pending_parts: Option<super::parts::PendingParts>,
}

/// A field left out is unchanged; `null` clears it.
#[derive(Debug, Clone, Default, Deserialize, TS, utoipa::ToSchema)]
pub struct MilestoneUpdate {
    #[serde(default, deserialize_with = "some_or_null")]
    #[ts(optional)]
    pub moved_in_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "some_or_null")]
    #[ts(optional)]
    pub agreement_signed_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "some_or_null")]
    #[ts(optional)]
    pub demolished_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "some_or_null")]
    #[ts(optional)]
    pub reclaimed_on: Option<Option<NaiveDate>>,
}

/// A present field becomes `Some` (its value `None` when it is `null`).
fn some_or_null<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

#[derive(Debug, Clone, Serialize, TS, utoipa::ToSchema)]
pub struct ReviewItem {
    pub submission_id: String,
    pub household_id: String,
    pub household_number: String,
    pub head_name: String,
    pub township: String,
    pub kind: SubmissionKind,
    pub inspector: String,
    pub inspector_display: Text,
    pub received_at: DateTime<Utc>,
    pub findings: u32,
    pub over_cap: bool,
    /// For an acceptance: the verdict it gives today.
    pub verdict: Option<AcceptanceVerdict>,
    pub judgement: Option<JudgementView>,
    /// Where and how its photos were made, when a reviewer should weigh it: a photo taken
    /// far from the house, or picked from the gallery (`decide::location`).
    pub evidence_notes: Vec<Text>,
    /// Nothing here for a person to weigh: no findings, nothing in the judgement or about
    /// its photos, not 不合格. Only such records may be approved in a batch.
    pub raises_nothing: bool,
}

#[derive(Debug, Clone, Serialize, TS, utoipa::ToSchema)]
pub struct Difference {
    pub path: String,
    pub stored: String,
    pub incoming: String,
}

#[derive(Debug, Clone, Serialize, TS, utoipa::ToSchema)]
pub struct ConflictView {
    pub id: i64,
    pub record_kind: String,
    pub record_id: String,
    pub household_id: Option<String>,
    pub household_number: Option<String>,
    pub user: String,
    pub user_display: Text,
    pub device_id: String,
    pub received_at: DateTime<Utc>,
    /// Pretty JSON of the stored record and of the incoming one, for side by side.
    pub stored: String,
    pub incoming: String,
    pub differences: Vec<Difference>,
}

#[derive(Debug, Clone, Serialize, TS, utoipa::ToSchema)]
pub struct ReviewQueue {
    pub submissions: Vec<ReviewItem>,
    pub conflicts: Vec<ConflictView>,
    pub damaged: Vec<DamagedRow>,
}

#[derive(Debug, Clone, Deserialize, TS, utoipa::ToSchema)]
pub struct ReviewDecision {
    pub decision: ReviewVerdict,
    pub note: Option<String>,
}

/// Approve these submissions at once (at most `MAX_BATCH`); each must raise nothing.
#[derive(Debug, Clone, Deserialize, TS, utoipa::ToSchema)]
pub struct BatchApprove {
    /// 1 to `services::batch::MAX_BATCH`.
    #[schema(min_items = 1, max_items = 200)]
    pub submission_ids: Vec<String>,
}

/// What a batch approval did, record by record.
#[derive(Debug, Clone, Serialize, TS, utoipa::ToSchema)]
pub struct BatchApproval {
    pub approved: Vec<String>,
    pub refused: Vec<BatchRefusal>,
}

/// A submission of a batch that was not approved, and why ("中文 / English").
#[derive(Debug, Clone, Serialize, TS, utoipa::ToSchema)]
pub struct BatchRefusal {
    pub submission_id: String,
    pub code: String,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConflictKeep {
    Stored,
    Incoming,
}

#[derive(Debug, Clone, Deserialize, TS, utoipa::ToSchema)]
pub struct ConflictDecision {
    pub keep: ConflictKeep,
    pub note: String,
}

#[derive(Debug, Clone, Deserialize, TS, utoipa::ToSchema)]
pub struct FindingTransition {
    pub to: FindingState,
    pub note: Option<String>,
    /// A photo uploaded with `POST /api/office/findings/{id}/evidence` first.
    #[schema(pattern = "^[0-9a-f]{64}$")]
    pub evidence_sha256: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS, utoipa::ToSchema)]
pub struct EvidenceStored {
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize, TS, utoipa::ToSchema)]
pub struct InspectorCount {
    pub inspector: String,
    pub inspector_display: Text,
    pub households: u32,
}

#[derive(Debug, Clone, Serialize, TS, utoipa::ToSchema)]
pub struct AssignmentSite {
    pub township: String,
    /// `None`: the township's scattered households.
    pub site: Option<String>,
    pub households: u32,
    /// Households of the group that no inspector has.
    pub unassigned: u32,
    pub assigned: Vec<InspectorCount>,
}

#[derive(Debug, Clone, Serialize, TS, utoipa::ToSchema)]
pub struct AssignmentOverview {
    pub sites: Vec<AssignmentSite>,
}

/// Give one of `township`, `site` or `households` (household or ID numbers).
#[derive(Debug, Clone, Deserialize, TS, utoipa::ToSchema)]
pub struct BulkAssignment {
    pub inspector: String,
    pub township: Option<String>,
    pub site: Option<String>,
    #[serde(default)]
    pub households: Vec<String>,
    #[serde(default)]
    pub unassign: bool,
}

#[derive(Debug, Clone, Serialize, TS, utoipa::ToSchema)]
pub struct Changed {
    pub changed: u32,
}

#[derive(Debug, Clone, Deserialize, TS, utoipa::ToSchema)]
pub struct SampleRequest {
    /// Township name; `None` draws from every township the user may see.
    pub township: Option<String>,
    /// A u64 in decimal; `None` draws a new one.
    #[schema(pattern = "^[0-9]{1,19}$")]
    pub seed: Option<String>,
    /// `None`: the default rule.
    pub rule: Option<SampleRule>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Deserialize, TS, utoipa::ToSchema)]
pub struct SampleAssign {
    pub inspector: String,
}

#[derive(Debug, Clone, Serialize, TS, utoipa::ToSchema)]
pub struct SampleHousehold {
    pub household_id: String,
    pub number: String,
    pub head_name: String,
    pub recorded_m2: Option<String>,
    pub remeasured_m2: Option<String>,
    pub difference_pct: Option<String>,
    pub within_tolerance: Option<bool>,
}

#[derive(Debug, Clone, Serialize, TS, utoipa::ToSchema)]
pub struct SampleSite {
    pub site: String,
    pub township: String,
    pub households: u32,
    pub drawn: Vec<SampleHousehold>,
}

/// Scattered households drawn from one township and kind (分散自建, 分散购房).
#[derive(Debug, Clone, Serialize, TS, utoipa::ToSchema)]
pub struct SampleScattered {
    pub township: String,
    pub kind: PlacementKind,
    pub kind_label: Text,
    /// How many such households the township has.
    pub households: u32,
    pub drawn: Vec<SampleHousehold>,
}

#[derive(Debug, Clone, Serialize, TS, utoipa::ToSchema)]
pub struct SampleView {
    pub id: String,
    pub seed: String,
    pub rule: SampleRule,
    pub township: Option<String>,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    pub created_by_display: Text,
    pub note: Option<String>,
    pub eligible_sites: u32,
    pub drawn_sites: u32,
    pub sites: Vec<SampleSite>,
    pub scattered: Vec<SampleScattered>,
}

#[derive(Debug, Clone, Serialize, TS, utoipa::ToSchema)]
pub struct SampleSummary {
    pub id: String,
    pub seed: String,
    pub township: Option<String>,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    pub created_by_display: Text,
    pub drawn_sites: u32,
    pub drawn_households: u32,
}

#[derive(Debug, Clone, Serialize, TS, utoipa::ToSchema)]
pub struct ImportRowError {
    pub row: u32,
    pub column: Option<String>,
    pub message: String,
}

#[derive(Debug, Clone, Serialize, TS, utoipa::ToSchema)]
pub struct ImportTownship {
    pub township: String,
    pub households: u32,
    pub people: u32,
}

/// A place a roster names that the office does not know.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, utoipa::ToSchema)]
pub struct NewPlace {
    /// 乡镇, 村 or 安置点.
    pub kind: Text,
    pub name: String,
    /// The township it is in (for a village or a site).
    pub township: Option<String>,
    /// The first row that names it.
    pub row: u32,
}

#[derive(Debug, Clone, Serialize, TS, utoipa::ToSchema)]
pub struct ImportPreview {
    pub file_kind: String,
    pub rows: u32,
    pub valid_rows: u32,
    pub by_township: Vec<ImportTownship>,
    pub errors: Vec<ImportRowError>,
    pub imported: bool,
    /// Places the roster names that the office does not know: refused row by row unless
    /// the import is confirmed with "create these places".
    pub new_places: Vec<NewPlace>,
}

/// The district's policy, one version, as the policy page shows it.
#[derive(Debug, Clone, Serialize, TS, utoipa::ToSchema)]
pub struct PolicyView {
    pub version: u32,
    pub effective_from: NaiveDate,
    pub set_by: String,
    pub set_at: DateTime<Utc>,
    /// In force today.
    pub in_force: bool,
    pub province: Option<String>,
    pub programme_year: Option<i32>,
    pub caps: Vec<CapRuleView>,
    pub critical_items: Vec<Text>,
    /// E.g. `3.0%`.
    pub spot_check_tolerance: String,
    pub sampling: SampleRule,
    pub rectification_days: u32,
    /// The version as a policy file (what `anju-office policy show` prints).
    pub file: String,
}

#[derive(Debug, Clone, Serialize, TS, utoipa::ToSchema)]
pub struct CapRuleView {
    pub name: String,
    /// Where it applies: province, years, household sizes, in words.
    pub applies_to: Text,
    /// E.g. `25 m²/人` or `50 m²/户`.
    pub cap: Text,
}

#[derive(Debug, Clone, Serialize, TS, utoipa::ToSchema)]
pub struct PolicyPage {
    /// Newest first.
    pub versions: Vec<PolicyView>,
    pub today: NaiveDate,
}

/// A new version, as policy-file text.
#[derive(Debug, Clone, Deserialize, TS, utoipa::ToSchema)]
pub struct PolicyUpdate {
    pub file: String,
    /// Only check it: nothing is saved.
    #[serde(default)]
    pub dry_run: bool,
}

#[derive(Debug, Clone, Serialize, TS, utoipa::ToSchema)]
pub struct OldHouseRow {
    pub household_id: String,
    pub number: String,
    pub head_name: String,
    pub township: String,
    pub old_house: OldHouse,
}

#[derive(Debug, Clone, Serialize, TS, utoipa::ToSchema)]
pub struct OldHouseReport {
    pub townships: Vec<TownshipProgress>,
    /// Households matching the filter, of which `households` is one page.
    pub total: u32,
    pub households: Vec<OldHouseRow>,
}

/// The old-houses page's filter and page: `?township=&unfinished=&offset=&limit=`.
#[derive(Debug, Clone, Default, Deserialize, TS, utoipa::ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default, deny_unknown_fields)]
pub struct OldHouseFilter {
    pub township: Option<String>,
    /// Only households whose homestead is not yet reclaimed.
    pub unfinished: Option<bool>,
    #[param(value_type = Option<i64>, minimum = 0, maximum = 4294967295.0)]
    pub offset: Option<u32>,
    /// At most 500; 20 when absent.
    /// At most 500 are returned, whatever is asked.
    #[param(value_type = Option<i64>, minimum = 0, maximum = 4294967295.0)]
    pub limit: Option<u32>,
}

/// A household's ID and phone numbers in full, for someone who asked (and was recorded).
#[derive(Debug, Clone, Serialize, TS, utoipa::ToSchema)]
pub struct RevealedPersonalData {
    pub id_number: String,
    pub phone: Option<String>,
}

/// A page of the audit log, newest first.
#[derive(Debug, Clone, Serialize, TS, utoipa::ToSchema)]
pub struct AuditPage {
    pub entries: Vec<crate::audit::AuditRow>,
    /// `before` for the next (older) page; none when this is the last.
    pub next_before: Option<i64>,
    /// Every kind of entry, for the filter.
    pub actions: Vec<AuditActionOption>,
}

#[derive(Debug, Clone, Serialize, TS, utoipa::ToSchema)]
pub struct AuditActionOption {
    pub code: String,
    pub label: String,
}

/// The certificate the office serves with, for people to compare with what a device
/// pinned; both none when the office serves plain HTTP.
#[derive(Debug, Clone, Serialize, TS, utoipa::ToSchema)]
pub struct TlsIdentity {
    /// SHA-256 of the certificate, hex.
    pub fingerprint: Option<String>,
    /// Its first 16 hex digits in four groups: what people read aloud.
    pub code: Option<String>,
}

/// Print a township's forms in volumes: `township` is its id; `full` prints ID and phone
/// numbers in full (recorded).
#[derive(Debug, Clone, Deserialize, TS, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PrintJobRequest {
    /// The township's id or name.
    #[schema(min_length = 1, pattern = "\\S")]
    pub township: String,
    #[serde(default)]
    pub full: bool,
    /// The forms' language: the office pages' own (Chinese when absent).
    #[serde(default)]
    #[ts(optional)]
    pub lang: Option<super::FormLang>,
}

/// The forms page: every version of every form, oldest first within each form.
#[derive(Debug, Clone, Serialize, TS, utoipa::ToSchema)]
pub struct FormsPage {
    pub versions: Vec<crate::forms::FormVersionInfo>,
}

/// What the phone shows beside one item of a version.
#[derive(Debug, Clone, Serialize, TS, utoipa::ToSchema)]
pub struct PreviewItem {
    pub key: String,
    /// Its kind in words: 是/否（“否”为问题）, 数值 1–20（人，0位小数）…
    pub kind: String,
    /// When it is asked, in words; `None`: always.
    pub shown_when: Option<Text>,
}

/// A version as the phone shows it.
#[derive(Debug, Clone, Serialize, TS, utoipa::ToSchema)]
pub struct FormPreview {
    pub form: anju_core::form::FormSchema,
    pub items: Vec<PreviewItem>,
}

/// A form file to publish (the JSON of a form version), or only to check (`dry_run`).
#[derive(Debug, Clone, Deserialize, TS, utoipa::ToSchema)]
pub struct FormPublish {
    pub file: String,
    #[serde(default)]
    #[ts(optional)]
    pub note: Option<String>,
    #[serde(default)]
    pub dry_run: bool,
}

/// The checked version, what it changes against the latest, and the published record
/// (`None` on a dry run).
#[derive(Debug, Clone, Serialize, TS, utoipa::ToSchema)]
pub struct FormPublished {
    pub preview: FormPreview,
    pub changes: Vec<anju_core::form::FormChange>,
    pub published: Option<crate::forms::FormVersionInfo>,
}

//! The acceptance verdict (验收结论) and where a household stands, as officials say it.
//!
//! The programme has two red lines: at most 25 m² of built area per person, and 先验收、
//! 后入住 (accept first, then move in); "否则不予认可". So:
//!
//! - An acceptance is **不合格** (fail) while a blocking problem stands: the built area over
//!   the cap, a critical item (the policy's list, e.g. 房屋安全等级 C/D, 墙体开裂) answered
//!   as a failure, or any critical finding not yet closed. A blocking problem is cleared
//!   when every finding raised for it is closed (销号): a re-measure within the cap or a
//!   district decision for 面积超标, a checked rectification for a critical item.
//! - It is **整改后合格** (pass after rectification) when nothing blocks but problems were
//!   found (findings, or cleared blocking problems).
//! - It is **合格** (pass) when nothing was found at all.
//!
//! A household counts as **已验收** (accepted: on the dashboard, in reports and exports,
//! and allowed to move in) only when the district approved its latest acceptance and
//! that acceptance is not 不合格.

use serde::{Deserialize, Serialize};

use crate::model::FindingState;

/// 验收结论.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AcceptanceVerdict {
    /// 合格: nothing found.
    Pass,
    /// 整改后合格: problems found, none blocking any more.
    PassAfterRectification,
    /// 不合格: a blocking problem stands.
    Fail,
}

impl AcceptanceVerdict {
    pub const ALL: [AcceptanceVerdict; 3] = [Self::Pass, Self::PassAfterRectification, Self::Fail];

    pub fn code(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::PassAfterRectification => "pass_after_rectification",
            Self::Fail => "fail",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.code() == code)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Pass => "合格",
            Self::PassAfterRectification => "整改后合格",
            Self::Fail => "不合格",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::PassAfterRectification => "pass after rectification",
            Self::Fail => "fail",
        }
    }
}

/// What a finding is, for the verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FindingOrigin {
    /// Recorded by an inspector on the form.
    Inspector,
    /// 面积超标, raised by the office when a measurement is over the cap.
    AreaOverCap,
    /// Raised by the office for a critical item answered as a failure that the inspector
    /// recorded no problem for.
    CriticalItem,
}

impl FindingOrigin {
    pub fn code(self) -> &'static str {
        match self {
            Self::Inspector => "inspector",
            Self::AreaOverCap => "area_over_cap",
            Self::CriticalItem => "critical_item",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [Self::Inspector, Self::AreaOverCap, Self::CriticalItem]
            .into_iter()
            .find(|o| o.code() == code)
    }
}

/// One finding of the household, as the verdict needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingStanding {
    /// The form item it is about, if any.
    pub item: Option<String>,
    pub origin: FindingOrigin,
    /// A critical finding blocks acceptance until it is closed.
    pub critical: bool,
    pub state: FindingState,
}

/// What the verdict is decided from: the latest acceptance as the office assessed it and
/// the household's findings.
#[derive(Debug, Clone, Copy)]
pub struct VerdictInputs<'a> {
    /// The acceptance's built area is over the cap in force (the office's assessment).
    pub area_over_cap: bool,
    /// The critical items the acceptance answered as failures.
    pub critical_failures: &'a [String],
    pub findings: &'a [FindingStanding],
}

/// Cleared: findings were raised for the problem and every one of them is closed.
fn cleared<'a>(mut raised: impl Iterator<Item = &'a FindingStanding>) -> bool {
    let mut any = false;
    let all_closed = raised.all(|f| {
        any = true;
        f.state == FindingState::Closed
    });
    any && all_closed
}

/// The verdict (see the module's doc).
pub fn acceptance_verdict(inputs: &VerdictInputs<'_>) -> AcceptanceVerdict {
    let findings = inputs.findings;
    let area_blocks = inputs.area_over_cap
        && !cleared(
            findings
                .iter()
                .filter(|f| f.origin == FindingOrigin::AreaOverCap),
        );
    let item_blocks = inputs.critical_failures.iter().any(|item| {
        !cleared(
            findings
                .iter()
                .filter(|f| f.critical && f.item.as_deref() == Some(item.as_str())),
        )
    });
    let finding_blocks = findings
        .iter()
        .any(|f| f.critical && f.state != FindingState::Closed);
    if area_blocks || item_blocks || finding_blocks {
        AcceptanceVerdict::Fail
    } else if inputs.area_over_cap || !inputs.critical_failures.is_empty() || !findings.is_empty() {
        AcceptanceVerdict::PassAfterRectification
    } else {
        AcceptanceVerdict::Pass
    }
}

/// The district's decision on an acceptance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Review {
    /// Not reviewed yet.
    Pending,
    /// 审核通过.
    Approved,
}

/// 已验收: the district approved the acceptance and it is not 不合格. Only this counts on
/// the dashboard, in reports and exports, and allows moving in.
pub fn counts_as_accepted(review: Review, verdict: AcceptanceVerdict) -> bool {
    review == Review::Approved && verdict != AcceptanceVerdict::Fail
}

/// Where a household stands, as the office lists it: 待验收 → 待审核 → 验收合格 / 整改中 /
/// 不合格 → 已入住.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum HouseholdStatus {
    /// 待验收: no acceptance that counts (none yet, or every one was returned).
    Pending,
    /// 待审核: the latest acceptance waits for the district's review.
    AwaitingReview,
    /// 验收合格: approved, 合格 or 整改后合格, nothing left open.
    Accepted,
    /// 整改中: approved and not 不合格, findings still being rectified.
    Rectifying,
    /// 不合格: approved, but a blocking problem stands.
    Failed,
    /// 已入住.
    MovedIn,
}

/// The latest acceptance of a household that counts (not returned), for its status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LatestAcceptance {
    pub review: Review,
    pub verdict: AcceptanceVerdict,
}

impl HouseholdStatus {
    pub const ALL: [HouseholdStatus; 6] = [
        Self::Pending,
        Self::AwaitingReview,
        Self::Accepted,
        Self::Rectifying,
        Self::Failed,
        Self::MovedIn,
    ];

    /// `unresolved_findings`: the household's findings not closed (open, being rectified,
    /// reopened).
    pub fn of(
        acceptance: Option<LatestAcceptance>,
        unresolved_findings: u32,
        moved_in: bool,
    ) -> Self {
        match acceptance {
            _ if moved_in => Self::MovedIn,
            None => Self::Pending,
            Some(a) if a.review == Review::Pending => Self::AwaitingReview,
            Some(a) if a.verdict == AcceptanceVerdict::Fail => Self::Failed,
            Some(_) if unresolved_findings > 0 => Self::Rectifying,
            Some(_) => Self::Accepted,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::AwaitingReview => "awaiting_review",
            Self::Accepted => "accepted",
            Self::Rectifying => "rectifying",
            Self::Failed => "failed",
            Self::MovedIn => "moved_in",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Pending => "待验收",
            Self::AwaitingReview => "待审核",
            Self::Accepted => "验收合格",
            Self::Rectifying => "整改中",
            Self::Failed => "不合格",
            Self::MovedIn => "已入住",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Self::Pending => "to accept",
            Self::AwaitingReview => "awaiting review",
            Self::Accepted => "accepted",
            Self::Rectifying => "rectifying",
            Self::Failed => "failed",
            Self::MovedIn => "moved in",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use FindingState::*;

    fn finding(
        item: Option<&str>,
        origin: FindingOrigin,
        critical: bool,
        state: FindingState,
    ) -> FindingStanding {
        FindingStanding {
            item: item.map(str::to_string),
            origin,
            critical,
            state,
        }
    }

    fn verdict(
        area_over_cap: bool,
        failures: &[&str],
        findings: &[FindingStanding],
    ) -> AcceptanceVerdict {
        let failures: Vec<String> = failures.iter().map(|s| s.to_string()).collect();
        acceptance_verdict(&VerdictInputs {
            area_over_cap,
            critical_failures: &failures,
            findings,
        })
    }

    #[test]
    fn nothing_found_is_a_pass() {
        assert_eq!(verdict(false, &[], &[]), AcceptanceVerdict::Pass);
    }

    #[test]
    fn ordinary_findings_pass_after_rectification_whatever_their_state() {
        for state in [Open, Rectified, Reopened, Closed] {
            let findings = [finding(
                Some("move_in_drainage"),
                FindingOrigin::Inspector,
                false,
                state,
            )];
            assert_eq!(
                verdict(false, &[], &findings),
                AcceptanceVerdict::PassAfterRectification,
                "{state:?}"
            );
        }
    }

    #[test]
    fn over_the_cap_fails_until_its_finding_is_closed() {
        assert_eq!(verdict(true, &[], &[]), AcceptanceVerdict::Fail);
        for state in [Open, Rectified, Reopened] {
            let raised = [finding(
                Some("area_measurement"),
                FindingOrigin::AreaOverCap,
                true,
                state,
            )];
            assert_eq!(
                verdict(true, &[], &raised),
                AcceptanceVerdict::Fail,
                "{state:?}"
            );
        }
        let closed = [finding(
            Some("area_measurement"),
            FindingOrigin::AreaOverCap,
            true,
            Closed,
        )];
        assert_eq!(
            verdict(true, &[], &closed),
            AcceptanceVerdict::PassAfterRectification
        );
        // An inspector's own note about the area does not clear it.
        let note = [finding(
            Some("area_measurement"),
            FindingOrigin::Inspector,
            false,
            Closed,
        )];
        assert_eq!(verdict(true, &[], &note), AcceptanceVerdict::Fail);
    }

    #[test]
    fn a_critical_item_fails_until_its_critical_findings_are_closed() {
        assert_eq!(
            verdict(false, &["quality_walls"], &[]),
            AcceptanceVerdict::Fail
        );
        let open = [finding(
            Some("quality_walls"),
            FindingOrigin::Inspector,
            true,
            Rectified,
        )];
        assert_eq!(
            verdict(false, &["quality_walls"], &open),
            AcceptanceVerdict::Fail
        );
        let closed = [finding(
            Some("quality_walls"),
            FindingOrigin::Inspector,
            true,
            Closed,
        )];
        assert_eq!(
            verdict(false, &["quality_walls"], &closed),
            AcceptanceVerdict::PassAfterRectification
        );
        // A finding on another item does not clear it.
        let other = [finding(
            Some("quality_roof"),
            FindingOrigin::Inspector,
            true,
            Closed,
        )];
        assert_eq!(
            verdict(false, &["quality_walls"], &other),
            AcceptanceVerdict::Fail
        );
    }

    #[test]
    fn any_open_critical_finding_fails() {
        // A spot check over the cap after a good acceptance raises 面积超标 on its own.
        let raised = [finding(
            Some("area_measurement"),
            FindingOrigin::AreaOverCap,
            true,
            Open,
        )];
        assert_eq!(verdict(false, &[], &raised), AcceptanceVerdict::Fail);
    }

    #[test]
    fn only_an_approved_acceptance_that_did_not_fail_counts() {
        use AcceptanceVerdict::*;
        assert!(counts_as_accepted(Review::Approved, Pass));
        assert!(counts_as_accepted(Review::Approved, PassAfterRectification));
        assert!(!counts_as_accepted(Review::Approved, Fail));
        assert!(!counts_as_accepted(Review::Pending, Pass));
    }

    #[test]
    fn statuses_read_as_officials_use_them() {
        use HouseholdStatus as S;
        let latest = |review, verdict| Some(LatestAcceptance { review, verdict });
        assert_eq!(S::of(None, 0, false), S::Pending);
        assert_eq!(
            S::of(latest(Review::Pending, AcceptanceVerdict::Pass), 0, false),
            S::AwaitingReview
        );
        assert_eq!(
            S::of(latest(Review::Approved, AcceptanceVerdict::Pass), 0, false),
            S::Accepted
        );
        assert_eq!(
            S::of(
                latest(Review::Approved, AcceptanceVerdict::PassAfterRectification),
                1,
                false
            ),
            S::Rectifying
        );
        assert_eq!(
            S::of(latest(Review::Approved, AcceptanceVerdict::Fail), 1, false),
            S::Failed
        );
        assert_eq!(S::of(None, 0, true), S::MovedIn);
        for status in HouseholdStatus::ALL {
            assert_eq!(HouseholdStatus::from_code(status.code()), Some(status));
        }
        for v in AcceptanceVerdict::ALL {
            assert_eq!(AcceptanceVerdict::from_code(v.code()), Some(v));
        }
    }
}

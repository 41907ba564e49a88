//! The township office's rules: who may move a finding (整改) to which state, how a
//! spot-check sample is drawn so that its seed reproduces it, the order of the old-house
//! milestones, and how a re-measured area compares with the recorded one.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::area::Area;
use crate::model::FindingState;
use crate::verdict::{FindingOrigin, HouseholdStatus};
use crate::wire::Role;

// ---------------------------------------------------------------------------------------
// Rectification
// ---------------------------------------------------------------------------------------

/// Why a finding may not move to a state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error(
        "问题不能从“{}”改为“{}” / a finding cannot go from {} to {}",
        from.label_zh(), to.label_zh(), from.code(), to.code()
    )]
    NotAllowed {
        from: FindingState,
        to: FindingState,
    },
    #[error(
        "只有区县办公室（管理员）能核查销号或重新整改 / only the district office (admin) checks and closes or reopens findings"
    )]
    AdminOnly,
    #[error("检查员不能处理整改 / inspectors do not handle rectification")]
    InspectorRole,
    #[error("请写明{0} / write {1}")]
    NoteRequired(&'static str, &'static str),
    #[error(
        "面积超标不能由乡镇整改销号：只有抽查复核在上限之内，或区县办公室写明理由的决定，才能销号 / an area over the cap is not rectified by the township: only a spot check within the cap, or the district office's decision with a written reason, closes it"
    )]
    AreaNeedsRemeasure,
    #[error(
        "此问题尚未经现场整改复查确认：请等待复查，或写明不经复查销号的理由（将记录在案） / the rectification has not been confirmed by a re-check in the field: wait for it, or write why it is closed without one (recorded)"
    )]
    NotRechecked,
}

impl FindingState {
    pub fn code(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Rectified => "rectified",
            Self::Closed => "closed",
            Self::Reopened => "reopened",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [Self::Open, Self::Rectified, Self::Closed, Self::Reopened]
            .into_iter()
            .find(|s| s.code() == code)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Open => "待整改",
            Self::Rectified => "已整改待核查",
            Self::Closed => "已销号",
            Self::Reopened => "重新整改",
        }
    }

    /// Still waiting for the township to act.
    pub fn is_unresolved(self) -> bool {
        matches!(self, Self::Open | Self::Reopened)
    }
}

/// The township rectifies (with evidence); the district office (admin) checks it and closes
/// the finding, or sends it back. A closed finding may be reopened when the problem is found
/// again. Admins may also record a rectification themselves.
///
/// 面积超标 (a finding the office raised for an area over the cap) is different: no
/// rectification by the township closes it. A spot check that re-measures within the cap
/// closes it by itself; otherwise only the district office closes it, from any open
/// state, with a written reason (a district decision).
pub fn check_transition(
    origin: FindingOrigin,
    from: FindingState,
    to: FindingState,
    role: Role,
    note: Option<&str>,
) -> Result<(), TransitionError> {
    use FindingState::*;
    let has_note = note.is_some_and(|n| !n.trim().is_empty());
    if role == Role::Inspector {
        return Err(TransitionError::InspectorRole);
    }
    if origin == FindingOrigin::AreaOverCap {
        return match (from, to) {
            (Open | Reopened | Rectified, Rectified) => Err(TransitionError::AreaNeedsRemeasure),
            (Open | Reopened | Rectified, Closed) => match role {
                Role::Admin if !has_note => Err(TransitionError::NoteRequired(
                    "区县决定的理由",
                    "the reason for the district's decision",
                )),
                Role::Admin => Ok(()),
                _ => Err(TransitionError::AreaNeedsRemeasure),
            },
            (Closed, Reopened) => match role {
                Role::Admin if !has_note => Err(TransitionError::NoteRequired(
                    "重新整改的原因",
                    "why it goes back for rectification",
                )),
                Role::Admin => Ok(()),
                _ => Err(TransitionError::AdminOnly),
            },
            _ => Err(TransitionError::NotAllowed { from, to }),
        };
    }
    match (from, to) {
        (Open | Reopened, Rectified) => {
            if has_note {
                Ok(())
            } else {
                Err(TransitionError::NoteRequired(
                    "整改情况",
                    "what was done to rectify it",
                ))
            }
        }
        (Rectified, Closed) | (Rectified | Closed, Reopened) => match role {
            Role::Admin if to == Reopened && !has_note => Err(TransitionError::NoteRequired(
                "重新整改的原因",
                "why it goes back for rectification",
            )),
            Role::Admin => Ok(()),
            _ => Err(TransitionError::AdminOnly),
        },
        _ => Err(TransitionError::NotAllowed { from, to }),
    }
}

/// Closing a rectified finding: an inspector's re-check that confirmed it on the spot
/// (整改复查) is the evidence; without one the district closes it only with a written reason,
/// which is recorded with the closing. 面积超标 has its own rule ([`check_transition`]).
pub fn check_close_after_recheck(
    origin: FindingOrigin,
    from: FindingState,
    to: FindingState,
    confirmed_by_recheck: bool,
    note: Option<&str>,
) -> Result<(), TransitionError> {
    let closing_rectified = from == FindingState::Rectified && to == FindingState::Closed;
    let has_note = note.is_some_and(|n| !n.trim().is_empty());
    if closing_rectified
        && origin != FindingOrigin::AreaOverCap
        && !confirmed_by_recheck
        && !has_note
    {
        return Err(TransitionError::NotRechecked);
    }
    Ok(())
}

/// The states `role` may move a finding in `from` to now (a note given where needed).
pub fn allowed_transitions(
    origin: FindingOrigin,
    from: FindingState,
    role: Role,
) -> Vec<FindingState> {
    [
        FindingState::Rectified,
        FindingState::Closed,
        FindingState::Reopened,
    ]
    .into_iter()
    .filter(|&to| check_transition(origin, from, to, role, Some("-")).is_ok())
    .collect()
}

/// Days until the deadline (negative: overdue by that many days).
pub fn days_left(deadline: NaiveDate, today: NaiveDate) -> i64 {
    (deadline - today).num_days()
}

// ---------------------------------------------------------------------------------------
// Old houses and move-in
// ---------------------------------------------------------------------------------------

/// The milestones after acceptance of one household, as dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OldHouse {
    pub agreement_signed_on: Option<NaiveDate>,
    pub demolished_on: Option<NaiveDate>,
    pub reclaimed_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MilestoneError {
    #[error(
        "旧房须先签订拆除协议才能记为已拆除 / the old house is demolished only after the demolition agreement is signed"
    )]
    DemolishedWithoutAgreement,
    #[error(
        "宅基地须在旧房拆除后复垦 / the homestead is reclaimed only after the old house is demolished"
    )]
    ReclaimedWithoutDemolition,
    #[error(
        "{what_zh}（{later}）不能早于{before_zh}（{earlier}） / {what_en} ({later}) cannot be before {before_en} ({earlier})"
    )]
    OutOfOrder {
        what_zh: &'static str,
        what_en: &'static str,
        before_zh: &'static str,
        before_en: &'static str,
        earlier: NaiveDate,
        later: NaiveDate,
    },
    #[error(
        "{what_zh}的日期（{date}）在今天之后 / the date of {what_en} ({date}) is in the future"
    )]
    InTheFuture {
        what_zh: &'static str,
        what_en: &'static str,
        date: NaiveDate,
    },
    #[error(
        "先验收、后入住：此户目前为“{}”，须经区县审核通过且验收不为“不合格”才能入住 / accept first, then move in: this household is {}; it moves in once the district has approved an acceptance that did not fail",
        .0.label_zh(), .0.label_en()
    )]
    MovedInBeforeAcceptance(HouseholdStatus),
}

impl OldHouse {
    /// Agreement, then demolition, then reclamation; none in the future.
    pub fn validate(&self, today: NaiveDate) -> Result<(), MilestoneError> {
        let steps = [
            ("拆除协议签订", "the agreement", self.agreement_signed_on),
            ("旧房拆除", "the demolition", self.demolished_on),
            ("宅基地复垦", "the reclamation", self.reclaimed_on),
        ];
        for (what_zh, what_en, date) in steps {
            if let Some(date) = date
                && date > today
            {
                return Err(MilestoneError::InTheFuture {
                    what_zh,
                    what_en,
                    date,
                });
            }
        }
        if self.demolished_on.is_some() && self.agreement_signed_on.is_none() {
            return Err(MilestoneError::DemolishedWithoutAgreement);
        }
        if self.reclaimed_on.is_some() && self.demolished_on.is_none() {
            return Err(MilestoneError::ReclaimedWithoutDemolition);
        }
        for pair in steps.windows(2) {
            let (before_zh, before_en, earlier) = pair[0];
            let (what_zh, what_en, later) = pair[1];
            if let (Some(earlier), Some(later)) = (earlier, later)
                && later < earlier
            {
                return Err(MilestoneError::OutOfOrder {
                    what_zh,
                    what_en,
                    before_zh,
                    before_en,
                    earlier,
                    later,
                });
            }
        }
        Ok(())
    }
}

/// 先验收、后入住: moving in needs an acceptance that counts ([`crate::verdict::
/// counts_as_accepted`]), and not in the future. `status` says why not.
pub fn check_move_in(
    moved_in_on: Option<NaiveDate>,
    accepted: bool,
    status: HouseholdStatus,
    today: NaiveDate,
) -> Result<(), MilestoneError> {
    match moved_in_on {
        None => Ok(()),
        Some(_) if !accepted => Err(MilestoneError::MovedInBeforeAcceptance(status)),
        Some(date) if date > today => Err(MilestoneError::InTheFuture {
            what_zh: "入住",
            what_en: "the move-in",
            date,
        }),
        Some(_) => Ok(()),
    }
}

// ---------------------------------------------------------------------------------------
// Spot checks
// ---------------------------------------------------------------------------------------

/// A re-measurement within this share of the recorded area agrees with it, unless the
/// district's policy says otherwise.
pub const SPOT_CHECK_TOLERANCE_PERMILLE: u32 = 30;

/// A spot check's re-measured area against the area acceptance recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AreaComparison {
    pub recorded_m2: String,
    pub remeasured_m2: String,
    /// Re-measured minus recorded.
    pub difference_m2: String,
    /// Of the recorded area, one decimal, with its sign.
    pub difference_pct: String,
    pub within_tolerance: bool,
}

/// `tolerance_permille`: the policy's spot-check tolerance (‰ of the recorded area).
pub fn compare_areas(recorded: Area, remeasured: Area, tolerance_permille: u32) -> AreaComparison {
    let recorded_h = recorded.to_m2_hundredths_rounded();
    let remeasured_h = remeasured.to_m2_hundredths_rounded();
    let diff = remeasured_h - recorded_h;
    let (pct, within) = if recorded_h == 0 {
        ("—".to_string(), remeasured_h == 0)
    } else {
        // Tenths of a percent, rounded half away from zero.
        let tenths = (diff * 2000 + diff.signum() * recorded_h) / (2 * recorded_h);
        let sign = if tenths < 0 { "-" } else { "+" };
        (
            format!("{sign}{}.{}%", tenths.abs() / 10, tenths.abs() % 10),
            diff.abs() * 1000 <= i128::from(tolerance_permille) * recorded_h,
        )
    };
    let hundredths = |h: i128| {
        let sign = if h < 0 { "-" } else { "" };
        format!("{sign}{}.{:02}", h.abs() / 100, h.abs() % 100)
    };
    AreaComparison {
        recorded_m2: recorded.to_m2_string(),
        remeasured_m2: remeasured.to_m2_string(),
        difference_m2: hundredths(diff),
        difference_pct: pct,
        within_tolerance: within,
    }
}

/// The sampling rule: at least `site_share_pct` % of the concentrated sites with at least
/// `min_site_households` households, at least `household_share_pct` % of the households
/// of each drawn site, and at least `scattered_share_pct` % of the scattered households of
/// each township, self-built and bought drawn apart (0: none).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SampleRule {
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 100))]
    pub site_share_pct: u32,
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub min_site_households: u32,
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 100))]
    pub household_share_pct: u32,
    /// Absent from rules stored before scattered houses were drawn: those drew none.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 100))]
    pub scattered_share_pct: u32,
}

impl Default for SampleRule {
    fn default() -> Self {
        Self {
            site_share_pct: 50,
            min_site_households: 10,
            household_share_pct: 20,
            scattered_share_pct: 20,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SampleError {
    #[error("比例须在 1% 到 100% 之间（{0}） / a share must be between 1% and 100% ({0})")]
    Share(&'static str),
    #[error("安置点最少户数须至少为 1 / the least households of a site must be at least 1")]
    MinHouseholds,
    #[error(
        "没有可抽的住户：没有不少于{0}户的集中安置点，也不抽分散安置户 / nothing to draw: no concentrated site has {0} or more households, and no scattered household is drawn"
    )]
    NothingEligible(u32),
    #[error(
        "随机种子须为 0 到 18446744073709551615 的整数：“{0}” / the seed must be a whole number from 0 to 2^64−1: '{0}'"
    )]
    Seed(String),
}

impl SampleRule {
    pub fn validate(&self) -> Result<(), SampleError> {
        if !(1..=100).contains(&self.site_share_pct) {
            return Err(SampleError::Share("site_share_pct"));
        }
        if !(1..=100).contains(&self.household_share_pct) {
            return Err(SampleError::Share("household_share_pct"));
        }
        if self.min_site_households == 0 {
            return Err(SampleError::MinHouseholds);
        }
        if self.scattered_share_pct > 100 {
            return Err(SampleError::Share("scattered_share_pct"));
        }
        Ok(())
    }
}

pub fn parse_seed(text: &str) -> Result<u64, SampleError> {
    text.trim()
        .parse()
        .map_err(|_| SampleError::Seed(text.to_string()))
}

/// A site to draw from, with its households in a stable order (by household number).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteCandidate {
    pub site_id: String,
    pub households: Vec<String>,
}

/// A drawn site and its drawn households, in the order drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrawnSite {
    pub site_id: String,
    pub households: Vec<String>,
}

/// Scattered households drawn together: one township's self-built houses, or its bought
/// ones. `group` orders the groups (township id, then kind), households are in a stable
/// order (by household number).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScatteredGroup {
    pub group: String,
    pub households: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sample {
    pub eligible_sites: usize,
    pub sites: Vec<DrawnSite>,
    /// Each scattered group with its drawn households, in group order.
    pub scattered: Vec<ScatteredGroup>,
}

/// SplitMix64: tiny, fast, and fully specified, so a seed draws the same sample (or the
/// same demo data) on every machine and in every version; a library generator may change
/// its stream.
pub struct SplitMix64(pub u64);

impl SplitMix64 {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` by rejection, without modulo bias.
    fn below(&mut self, n: usize) -> usize {
        let n = n as u64;
        let zone = u64::MAX - u64::MAX % n;
        loop {
            let x = self.next_u64();
            if x < zone {
                return (x % n) as usize;
            }
        }
    }

    /// The first `k` items of a Fisher–Yates shuffle of `items`.
    fn choose<T: Clone>(&mut self, items: &[T], k: usize) -> Vec<T> {
        let mut pool = items.to_vec();
        let k = k.min(pool.len());
        for i in 0..k {
            let j = i + self.below(pool.len() - i);
            pool.swap(i, j);
        }
        pool.truncate(k);
        pool
    }
}

/// `ceil(n × pct / 100)`: "at least pct %".
fn at_least(n: usize, pct: u32) -> usize {
    (n * pct as usize).div_ceil(100)
}

/// Draw a sample. Sites are considered in the order of their ids, scattered groups in
/// the order of their keys, households in the order given; sites are drawn first, so the
/// same seed, rule and households give the same sample (and a rule without scattered
/// houses the sample it gave before they were drawn).
pub fn draw_sample(
    seed: u64,
    rule: &SampleRule,
    sites: &[SiteCandidate],
    scattered: &[ScatteredGroup],
) -> Result<Sample, SampleError> {
    rule.validate()?;
    let mut eligible: Vec<&SiteCandidate> = sites
        .iter()
        .filter(|s| s.households.len() >= rule.min_site_households as usize)
        .collect();
    let mut groups: Vec<&ScatteredGroup> = if rule.scattered_share_pct == 0 {
        Vec::new()
    } else {
        scattered
            .iter()
            .filter(|g| !g.households.is_empty())
            .collect()
    };
    if eligible.is_empty() && groups.is_empty() {
        return Err(SampleError::NothingEligible(rule.min_site_households));
    }
    eligible.sort_by(|a, b| a.site_id.cmp(&b.site_id));
    groups.sort_by(|a, b| a.group.cmp(&b.group));
    let mut rng = SplitMix64(seed);
    let chosen = rng.choose(&eligible, at_least(eligible.len(), rule.site_share_pct));
    let sites = chosen
        .into_iter()
        .map(|site| DrawnSite {
            site_id: site.site_id.clone(),
            households: rng.choose(
                &site.households,
                at_least(site.households.len(), rule.household_share_pct),
            ),
        })
        .collect();
    let scattered = groups
        .into_iter()
        .map(|group| ScatteredGroup {
            group: group.group.clone(),
            households: rng.choose(
                &group.households,
                at_least(group.households.len(), rule.scattered_share_pct),
            ),
        })
        .collect();
    Ok(Sample {
        eligible_sites: eligible.len(),
        sites,
        scattered,
    })
}

#[cfg(test)]
mod tests;

use super::*;
use FindingOrigin::Inspector;
use FindingState::*;

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

#[test]
fn township_rectifies_with_a_note_and_admin_closes() {
    assert_eq!(
        check_transition(Inspector, Open, Rectified, Role::Township, Some("  ")),
        Err(TransitionError::NoteRequired(
            "整改情况",
            "what was done to rectify it"
        ))
    );
    assert!(
        check_transition(
            Inspector,
            Open,
            Rectified,
            Role::Township,
            Some("已接通自来水")
        )
        .is_ok()
    );
    assert_eq!(
        check_transition(Inspector, Rectified, Closed, Role::Township, None),
        Err(TransitionError::AdminOnly)
    );
    assert!(check_transition(Inspector, Rectified, Closed, Role::Admin, None).is_ok());
    assert!(check_transition(Inspector, Rectified, Reopened, Role::Admin, None).is_err());
    assert!(
        check_transition(
            Inspector,
            Closed,
            Reopened,
            Role::Admin,
            Some("复查仍未通水")
        )
        .is_ok()
    );
    assert_eq!(
        check_transition(Inspector, Open, Closed, Role::Admin, Some("x")),
        Err(TransitionError::NotAllowed {
            from: Open,
            to: Closed
        })
    );
    assert_eq!(
        check_transition(Inspector, Open, Rectified, Role::Inspector, Some("x")),
        Err(TransitionError::InspectorRole)
    );
}

#[test]
fn an_area_over_the_cap_is_closed_by_the_district_with_a_reason_only() {
    use FindingOrigin::AreaOverCap;
    assert_eq!(
        check_transition(AreaOverCap, Open, Rectified, Role::Township, Some("已整改")),
        Err(TransitionError::AreaNeedsRemeasure)
    );
    assert_eq!(
        check_transition(AreaOverCap, Open, Closed, Role::Township, Some("x")),
        Err(TransitionError::AreaNeedsRemeasure)
    );
    assert_eq!(
        check_transition(AreaOverCap, Open, Closed, Role::Admin, Some(" ")),
        Err(TransitionError::NoteRequired(
            "区县决定的理由",
            "the reason for the district's decision"
        ))
    );
    assert!(
        check_transition(
            AreaOverCap,
            Open,
            Closed,
            Role::Admin,
            Some("经区联席会议研究，同意按实际认定")
        )
        .is_ok()
    );
    assert_eq!(
        allowed_transitions(AreaOverCap, Open, Role::Township),
        vec![]
    );
    assert_eq!(
        allowed_transitions(AreaOverCap, Open, Role::Admin),
        vec![Closed]
    );
    assert_eq!(
        allowed_transitions(AreaOverCap, Closed, Role::Admin),
        vec![Reopened]
    );
    // Critical-item findings are rectified like any other.
    assert_eq!(
        allowed_transitions(FindingOrigin::CriticalItem, Open, Role::Township),
        vec![Rectified]
    );
}

#[test]
fn allowed_transitions_follow_the_role() {
    assert_eq!(
        allowed_transitions(Inspector, Open, Role::Township),
        vec![Rectified]
    );
    assert_eq!(
        allowed_transitions(Inspector, Rectified, Role::Township),
        vec![]
    );
    assert_eq!(
        allowed_transitions(Inspector, Rectified, Role::Admin),
        vec![Closed, Reopened]
    );
    assert_eq!(
        allowed_transitions(Inspector, Closed, Role::Admin),
        vec![Reopened]
    );
    assert_eq!(
        allowed_transitions(Inspector, Reopened, Role::Admin),
        vec![Rectified]
    );
    assert_eq!(
        allowed_transitions(Inspector, Open, Role::Inspector),
        vec![]
    );
}

#[test]
fn old_house_milestones_come_in_order() {
    let today = date("2026-12-01");
    let mut old = OldHouse {
        agreement_signed_on: Some(date("2026-10-01")),
        demolished_on: Some(date("2026-11-01")),
        reclaimed_on: Some(date("2026-11-20")),
    };
    assert!(old.validate(today).is_ok());
    old.demolished_on = Some(date("2026-09-01"));
    assert!(matches!(
        old.validate(today),
        Err(MilestoneError::OutOfOrder { later, .. }) if later == date("2026-09-01")
    ));
    old.agreement_signed_on = None;
    assert_eq!(
        old.validate(today),
        Err(MilestoneError::DemolishedWithoutAgreement)
    );
    let reclaimed_only = OldHouse {
        reclaimed_on: Some(date("2026-11-20")),
        ..OldHouse::default()
    };
    assert_eq!(
        reclaimed_only.validate(today),
        Err(MilestoneError::ReclaimedWithoutDemolition)
    );
    let future = OldHouse {
        agreement_signed_on: Some(date("2026-12-02")),
        ..OldHouse::default()
    };
    assert!(matches!(
        future.validate(today),
        Err(MilestoneError::InTheFuture { .. })
    ));
}

#[test]
fn moving_in_needs_an_acceptance() {
    let today = date("2026-12-01");
    assert_eq!(
        check_move_in(Some(today), false, HouseholdStatus::AwaitingReview, today),
        Err(MilestoneError::MovedInBeforeAcceptance(
            HouseholdStatus::AwaitingReview
        ))
    );
    let refused = check_move_in(Some(today), false, HouseholdStatus::Failed, today)
        .unwrap_err()
        .to_string();
    assert!(refused.contains("“不合格”"), "{refused}");
    assert!(check_move_in(Some(today), true, HouseholdStatus::Accepted, today).is_ok());
    assert!(check_move_in(None, false, HouseholdStatus::Pending, today).is_ok());
}

#[test]
fn area_comparison_has_a_tolerance_of_three_percent() {
    let recorded = crate::area::parse_square_metres("96.00").unwrap();
    let close = crate::area::parse_square_metres("98.50").unwrap();
    let far = crate::area::parse_square_metres("92.10").unwrap();
    let c = compare_areas(recorded, close, SPOT_CHECK_TOLERANCE_PERMILLE);
    assert_eq!(c.difference_m2, "2.50");
    assert_eq!(c.difference_pct, "+2.6%");
    assert!(c.within_tolerance);
    let f = compare_areas(recorded, far, SPOT_CHECK_TOLERANCE_PERMILLE);
    // A district that allows 5 % accepts the far one.
    assert!(compare_areas(recorded, far, 50).within_tolerance);
    assert_eq!(f.difference_m2, "-3.90");
    assert_eq!(f.difference_pct, "-4.1%");
    assert!(!f.within_tolerance);
}

fn sites() -> Vec<SiteCandidate> {
    [
        ("site-a", 24),
        ("site-b", 12),
        ("site-c", 9),
        ("site-d", 30),
    ]
    .into_iter()
    .map(|(id, n)| SiteCandidate {
        site_id: id.to_string(),
        households: (0..n).map(|i| format!("{id}-{i:02}")).collect(),
    })
    .collect()
}

#[test]
fn the_same_seed_draws_the_same_sample() {
    let rule = SampleRule::default();
    let first = draw_sample(20261201, &rule, &sites(), &[]).unwrap();
    let mut shuffled = sites();
    shuffled.reverse();
    assert_eq!(draw_sample(20261201, &rule, &shuffled, &[]).unwrap(), first);
    let others: Vec<_> = (0..20)
        .map(|seed| draw_sample(seed, &rule, &sites(), &[]).unwrap())
        .collect();
    assert!(others.iter().any(|s| s != &first), "seeds must matter");
}

#[test]
fn the_rule_gives_at_least_its_shares() {
    let sample = draw_sample(7, &SampleRule::default(), &sites(), &[]).unwrap();
    // site-c has 9 households: not eligible; 3 eligible, at least 50% → 2 sites.
    assert_eq!(sample.eligible_sites, 3);
    assert_eq!(sample.sites.len(), 2);
    for site in &sample.sites {
        assert_ne!(site.site_id, "site-c");
        let size = sites()
            .into_iter()
            .find(|s| s.site_id == site.site_id)
            .unwrap()
            .households
            .len();
        // At least 20%, rounded up: 24 → 5, 12 → 3, 30 → 6.
        assert_eq!(site.households.len(), (size * 20).div_ceil(100));
        let mut unique = site.households.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), site.households.len(), "no household twice");
        assert!(site.households.iter().all(|h| h.starts_with(&site.site_id)));
    }
}

fn scattered() -> Vec<ScatteredGroup> {
    [
        ("t1/self_built", 11),
        ("t1/bought", 3),
        ("t2/self_built", 5),
    ]
    .into_iter()
    .map(|(group, n)| ScatteredGroup {
        group: group.to_string(),
        households: (0..n).map(|i| format!("{group}-{i:02}")).collect(),
    })
    .collect()
}

#[test]
fn scattered_houses_are_drawn_too_and_sites_stay_as_they_were() {
    let rule = SampleRule::default();
    let without = draw_sample(99, &rule, &sites(), &[]).unwrap();
    let with = draw_sample(99, &rule, &sites(), &scattered()).unwrap();
    assert_eq!(with.sites, without.sites, "sites are drawn first");
    // At least 20 % of each group, rounded up: 11 → 3, 3 → 1, 5 → 1; in key order.
    let drawn: Vec<(&str, usize)> = with
        .scattered
        .iter()
        .map(|g| (g.group.as_str(), g.households.len()))
        .collect();
    assert_eq!(
        drawn,
        [("t1/bought", 1), ("t1/self_built", 3), ("t2/self_built", 1)]
    );
    for group in &with.scattered {
        assert!(group.households.iter().all(|h| h.starts_with(&group.group)));
    }
    let mut reversed = scattered();
    reversed.reverse();
    assert_eq!(draw_sample(99, &rule, &sites(), &reversed).unwrap(), with);
    // Scattered houses alone are enough to draw from.
    let strict = SampleRule {
        min_site_households: 100,
        ..rule
    };
    let only = draw_sample(99, &strict, &sites(), &scattered()).unwrap();
    assert!(only.sites.is_empty());
    assert_eq!(only.scattered.len(), 3);
    let none = SampleRule {
        scattered_share_pct: 0,
        ..rule
    };
    assert!(
        draw_sample(99, &none, &sites(), &scattered())
            .unwrap()
            .scattered
            .is_empty()
    );
}

#[test]
fn the_generator_is_splitmix64() {
    // Published first outputs of SplitMix64 seeded with 0, so the stream never drifts.
    let mut rng = SplitMix64(0);
    assert_eq!(rng.next_u64(), 0xE220_A839_7B1D_CDAF);
    assert_eq!(rng.next_u64(), 0x6E78_9E6A_A1B9_65F4);
}

#[test]
fn bad_rules_and_seeds_are_refused() {
    let bad = SampleRule {
        site_share_pct: 0,
        ..SampleRule::default()
    };
    assert_eq!(
        draw_sample(1, &bad, &sites(), &[]),
        Err(SampleError::Share("site_share_pct"))
    );
    let strict = SampleRule {
        min_site_households: 100,
        ..SampleRule::default()
    };
    assert_eq!(
        draw_sample(1, &strict, &sites(), &[]),
        Err(SampleError::NothingEligible(100))
    );
    assert_eq!(parse_seed(" 42 "), Ok(42));
    assert!(parse_seed("-1").is_err());
    assert!(parse_seed("abc").is_err());
}

#[test]
fn a_rectified_finding_closes_after_a_recheck_or_with_a_written_reason() {
    use FindingState::*;
    let close = |origin, confirmed, note| {
        check_close_after_recheck(origin, Rectified, Closed, confirmed, note)
    };
    assert_eq!(close(Inspector, true, None), Ok(()));
    assert_eq!(
        close(Inspector, false, None),
        Err(TransitionError::NotRechecked)
    );
    assert_eq!(
        close(FindingOrigin::CriticalItem, false, Some("  ")),
        Err(TransitionError::NotRechecked)
    );
    assert_eq!(
        close(Inspector, false, Some("照片已核实，无需复查")),
        Ok(())
    );
    // 面积超标 is closed by a spot check or a district decision, never by a re-check.
    assert_eq!(close(FindingOrigin::AreaOverCap, false, None), Ok(()));
    // Other moves are not about closing.
    assert_eq!(
        check_close_after_recheck(Inspector, Rectified, Reopened, false, None),
        Ok(())
    );
}

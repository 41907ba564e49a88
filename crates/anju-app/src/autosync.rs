//! When the background sync tries: soon after work is made, then again and again with a
//! growing pause while the office cannot be reached, and not at all while the sign-in is
//! no longer valid (only the inspector can mend that).

use std::time::Duration;

use chrono::{DateTime, Utc};

/// The first pause after a failed try; doubles with each further failure.
pub const FIRST_RETRY: Duration = Duration::from_secs(20);
/// The longest pause between tries while the office cannot be reached.
pub const LONGEST_RETRY: Duration = Duration::from_secs(10 * 60);
/// How often a device with nothing waiting still pulls (new assignments).
pub const IDLE_PULL: Duration = Duration::from_secs(15 * 60);
/// How soon after a change (a submission) the device tries.
pub const AFTER_CHANGE: Duration = Duration::from_secs(2);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    failures: u32,
    next_try: Option<DateTime<Utc>>,
    /// Stopped until the inspector signs in again.
    paused: bool,
}

impl Default for Schedule {
    fn default() -> Self {
        Self::new()
    }
}

impl Schedule {
    /// A schedule that tries at once.
    pub fn new() -> Self {
        Self {
            failures: 0,
            next_try: None,
            paused: false,
        }
    }

    /// Failed tries in a row.
    pub fn failures(&self) -> u32 {
        self.failures
    }

    pub fn next_try(&self) -> Option<DateTime<Utc>> {
        if self.paused { None } else { self.next_try }
    }

    /// Whether the background should try now.
    pub fn is_due(&self, now: DateTime<Utc>) -> bool {
        !self.paused && self.next_try.is_none_or(|at| now >= at)
    }

    /// The pause after `failures` failed tries in a row, with jitter between half and
    /// all of it, so that phones that lost the network together do not come back together.
    pub fn retry_pause(failures: u32) -> Duration {
        let exponent = failures.saturating_sub(1).min(16);
        let full = FIRST_RETRY
            .saturating_mul(1u32 << exponent)
            .min(LONGEST_RETRY);
        let millis = u64::try_from(full.as_millis()).unwrap_or(u64::MAX);
        Duration::from_millis(millis / 2 + fastrand::u64(0..=millis - millis / 2))
    }

    pub fn succeeded(&mut self, now: DateTime<Utc>, work_left: bool) {
        self.failures = 0;
        self.paused = false;
        let pause = if work_left { FIRST_RETRY } else { IDLE_PULL };
        self.next_try = Some(now + chrono_duration(pause));
    }

    /// A failed try. `needs_sign_in` stops the background until [`Schedule::signed_in`].
    pub fn failed(&mut self, now: DateTime<Utc>, needs_sign_in: bool) {
        self.failures = self.failures.saturating_add(1);
        if needs_sign_in {
            self.paused = true;
            self.next_try = None;
        } else {
            self.next_try = Some(now + chrono_duration(Self::retry_pause(self.failures)));
        }
    }

    /// New work or a new sign-in: try soon.
    pub fn nudge(&mut self, now: DateTime<Utc>) {
        let soon = now + chrono_duration(AFTER_CHANGE);
        if !self.paused && self.next_try.is_none_or(|at| at > soon) {
            self.next_try = Some(soon);
        }
    }

    pub fn signed_in(&mut self, now: DateTime<Utc>) {
        self.paused = false;
        self.failures = 0;
        self.next_try = Some(now + chrono_duration(AFTER_CHANGE));
    }

    pub fn signed_out(&mut self) {
        self.paused = true;
        self.next_try = None;
    }
}

fn chrono_duration(pause: Duration) -> chrono::Duration {
    chrono::Duration::from_std(pause).unwrap_or(chrono::Duration::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_504_483_200 + seconds, 0).unwrap_or_default()
    }

    #[test]
    fn a_new_schedule_is_due_at_once() {
        assert!(Schedule::new().is_due(at(0)));
    }

    #[test]
    fn failures_back_off_up_to_the_longest_pause() {
        let mut schedule = Schedule::new();
        let mut previous_full = Duration::ZERO;
        for failures in 1..=12 {
            schedule.failed(at(0), false);
            assert_eq!(schedule.failures, failures);
            let next = schedule.next_try().unwrap_or_default();
            let pause = (next - at(0)).to_std().unwrap_or_default();
            let full = FIRST_RETRY
                .saturating_mul(1 << (failures - 1).min(16))
                .min(LONGEST_RETRY);
            assert!(pause >= full / 2 && pause <= full, "{failures}: {pause:?}");
            assert!(full >= previous_full);
            previous_full = full;
            assert!(!schedule.is_due(at(0)));
            assert!(schedule.is_due(next));
        }
        assert_eq!(previous_full, LONGEST_RETRY);
    }

    #[test]
    fn success_resets_and_waits_longer_when_nothing_is_left() {
        let mut schedule = Schedule::new();
        schedule.failed(at(0), false);
        schedule.failed(at(0), false);
        schedule.succeeded(at(100), false);
        assert_eq!(schedule.failures, 0);
        assert_eq!(
            schedule.next_try(),
            Some(at(100) + chrono_duration(IDLE_PULL))
        );
        schedule.succeeded(at(100), true);
        assert_eq!(
            schedule.next_try(),
            Some(at(100) + chrono_duration(FIRST_RETRY))
        );
    }

    #[test]
    fn a_lost_sign_in_pauses_until_signed_in_again() {
        let mut schedule = Schedule::new();
        schedule.failed(at(0), true);
        assert!(!schedule.is_due(at(100_000)));
        assert_eq!(schedule.next_try(), None);
        schedule.nudge(at(5));
        assert!(!schedule.is_due(at(100_000)));
        schedule.signed_in(at(10));
        assert!(!schedule.is_due(at(10)));
        assert!(schedule.is_due(at(12)));
    }

    #[test]
    fn a_nudge_brings_a_far_try_closer_but_never_delays_one() {
        let mut schedule = Schedule::new();
        schedule.succeeded(at(0), false);
        schedule.nudge(at(10));
        assert_eq!(schedule.next_try(), Some(at(12)));
        schedule.nudge(at(11));
        assert_eq!(schedule.next_try(), Some(at(12)));
    }
}

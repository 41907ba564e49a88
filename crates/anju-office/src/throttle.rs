//! The slow-down of failed sign-ins, by the name tried *and* the address it came from.
//!
//! - A name tried from one address: after [`FREE_FAILURES`] wrong passwords, each attempt
//!   from that address waits, twice as long each time, up to [`MAX_LOCKOUT`]. The same name
//!   from an address that has not failed still signs in with the right password, so nobody
//!   can lock a user out by failing on purpose from elsewhere.
//! - One address across all names: after [`ADDRESS_FREE_FAILURES`] wrong passwords (password
//!   spraying, a flood of unknown names), every attempt from it waits the same way. Other
//!   addresses are not touched.
//! - Unknown names are counted exactly like known ones, so the answers (401, then 429 with
//!   the same waits) do not tell which names exist.
//!
//! The counts live in this process's memory, bounded to [`MAX_TRACKED`] entries (the
//! oldest forgotten first); a restart forgets them.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

/// Wrong passwords allowed for a name from one address before attempts must wait.
pub const FREE_FAILURES: u32 = 5;
/// Wrong passwords allowed from one address, over all names, before attempts must wait.
pub const ADDRESS_FREE_FAILURES: u32 = 20;
/// The longest wait.
pub const MAX_LOCKOUT: Duration = Duration::minutes(15);
/// Failures older than this are forgotten.
pub const FORGET_AFTER: Duration = Duration::hours(1);
/// The most (name, address) and address entries kept.
pub const MAX_TRACKED: usize = 100_000;
/// Attempts from one address being checked at once: each costs a password hash, so a
/// concurrent flood from one address waits its turn instead of taking every core.
pub const MAX_IN_FLIGHT_PER_ADDRESS: u32 = 4;

/// How long after the last failure the next attempt may come, for `failures` so far
/// beyond `free` allowed ones.
pub fn lockout_after(failures: u32, free: u32) -> Duration {
    if failures < free {
        return Duration::zero();
    }
    let exponent = (failures - free).min(20);
    Duration::seconds(1i64 << exponent).min(MAX_LOCKOUT)
}

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    last: DateTime<Utc>,
}

impl Failures {
    fn retry_at(&self, free: u32) -> Option<DateTime<Utc>> {
        (self.count >= free).then(|| self.last + lockout_after(self.count, free))
    }
}

/// What a failure did to the slow-down, for the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lockout {
    /// The name from this address must now wait (its first lockout since it last worked).
    Name { until: DateTime<Utc> },
    /// The address must now wait, whatever name it tries.
    Address { until: DateTime<Utc> },
}

#[derive(Default)]
struct Counts {
    by_name: HashMap<(String, IpAddr), Failures>,
    by_address: HashMap<IpAddr, Failures>,
    in_flight: HashMap<IpAddr, u32>,
}

#[derive(Default)]
pub struct LoginThrottle {
    counts: Mutex<Counts>,
}

/// An attempt being checked; dropping it ends it.
pub struct Attempt<'a> {
    throttle: &'a LoginThrottle,
    address: IpAddr,
}

impl Drop for Attempt<'_> {
    fn drop(&mut self) {
        let mut counts = self
            .throttle
            .counts
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if let Some(n) = counts.in_flight.get_mut(&self.address) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                counts.in_flight.remove(&self.address);
            }
        }
    }
}

impl LoginThrottle {
    /// Start an attempt: `Err(retry_at)` when it must wait (a lockout, or too many
    /// attempts from the address at once, which wait a second).
    pub fn begin(
        &self,
        name: &str,
        address: IpAddr,
        now: DateTime<Utc>,
    ) -> Result<Attempt<'_>, DateTime<Utc>> {
        self.check(name, address, now)?;
        let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        let in_flight = counts.in_flight.entry(address).or_default();
        if *in_flight >= MAX_IN_FLIGHT_PER_ADDRESS {
            return Err(now + Duration::seconds(1));
        }
        *in_flight += 1;
        Ok(Attempt {
            throttle: self,
            address,
        })
    }

    /// `Err(retry_at)` when an attempt of `name` from `address` must wait.
    pub fn check(
        &self,
        name: &str,
        address: IpAddr,
        now: DateTime<Utc>,
    ) -> Result<(), DateTime<Utc>> {
        let counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        let waits = [
            counts
                .by_name
                .get(&(name.to_string(), address))
                .and_then(|f| f.retry_at(FREE_FAILURES)),
            counts
                .by_address
                .get(&address)
                .and_then(|f| f.retry_at(ADDRESS_FREE_FAILURES)),
        ];
        match waits.into_iter().flatten().filter(|at| *at > now).max() {
            Some(retry_at) => Err(retry_at),
            None => Ok(()),
        }
    }

    /// Count a wrong password; says when it starts a lockout.
    pub fn failed(&self, name: &str, address: IpAddr, now: DateTime<Utc>) -> Vec<Lockout> {
        let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        if counts.by_name.len() >= MAX_TRACKED || counts.by_address.len() >= MAX_TRACKED {
            forget_old(&mut counts, now);
        }
        let mut lockouts = Vec::new();
        let by_name = bump(counts.by_name.entry((name.to_string(), address)), now);
        if by_name.count == FREE_FAILURES {
            lockouts.push(Lockout::Name {
                until: now + lockout_after(by_name.count, FREE_FAILURES),
            });
        }
        let by_address = bump(counts.by_address.entry(address), now);
        if by_address.count == ADDRESS_FREE_FAILURES {
            lockouts.push(Lockout::Address {
                until: now + lockout_after(by_address.count, ADDRESS_FREE_FAILURES),
            });
        }
        lockouts
    }

    /// The right password: the name's count from this address starts again. Says whether
    /// the name had been locked out (an unlock, for the audit log). The address's count
    /// is left: a right password among many wrong ones does not excuse them.
    pub fn succeeded(&self, name: &str, address: IpAddr) -> bool {
        let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        counts
            .by_name
            .remove(&(name.to_string(), address))
            .is_some_and(|f| f.count >= FREE_FAILURES)
    }

    /// How many entries are kept (for tests of the bound).
    pub fn tracked(&self) -> usize {
        let counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        counts.by_name.len() + counts.by_address.len()
    }
}

fn bump<K>(
    entry: std::collections::hash_map::Entry<'_, K, Failures>,
    now: DateTime<Utc>,
) -> Failures {
    let failures = entry.or_insert(Failures {
        count: 0,
        last: now,
    });
    if now - failures.last > FORGET_AFTER {
        failures.count = 0;
    }
    failures.count = failures.count.saturating_add(1);
    failures.last = now;
    *failures
}

/// Drop what is old; if that is not enough, drop the oldest half. Linear in the entries,
/// and it runs only when the map is full, so a flood costs amortised constant time.
fn forget_old(counts: &mut Counts, now: DateTime<Utc>) {
    counts.by_name.retain(|_, f| now - f.last <= FORGET_AFTER);
    counts
        .by_address
        .retain(|_, f| now - f.last <= FORGET_AFTER);
    for_half(&mut counts.by_name);
    for_half(&mut counts.by_address);
}

fn for_half<K: Clone + Eq + std::hash::Hash>(map: &mut HashMap<K, Failures>) {
    if map.len() < MAX_TRACKED / 2 {
        return;
    }
    let mut times: Vec<DateTime<Utc>> = map.values().map(|f| f.last).collect();
    let middle = times.len() / 2;
    let (_, median, _) = times.select_nth_unstable(middle);
    let median = *median;
    map.retain(|_, f| f.last > median);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(last: u8) -> IpAddr {
        IpAddr::from([127, 0, 0, last])
    }

    #[test]
    fn waits_grow_and_are_capped() {
        assert_eq!(lockout_after(4, FREE_FAILURES), Duration::zero());
        assert_eq!(lockout_after(5, FREE_FAILURES), Duration::seconds(1));
        assert_eq!(lockout_after(7, FREE_FAILURES), Duration::seconds(4));
        assert_eq!(lockout_after(40, FREE_FAILURES), MAX_LOCKOUT);
    }

    #[test]
    fn a_locked_name_still_opens_from_an_address_that_has_not_failed() {
        let throttle = LoginThrottle::default();
        let now = Utc::now();
        for i in 0..FREE_FAILURES {
            assert!(throttle.check("admin", addr(2), now).is_ok());
            let lockouts = throttle.failed("admin", addr(2), now);
            assert_eq!(
                lockouts.is_empty(),
                i + 1 < FREE_FAILURES,
                "{i}: {lockouts:?}"
            );
        }
        assert_eq!(
            throttle.check("admin", addr(2), now),
            Err(now + Duration::seconds(1))
        );
        // The user at their own desk is not locked out by someone else's failures.
        assert!(throttle.check("admin", addr(1), now).is_ok());
        assert!(!throttle.succeeded("admin", addr(1)));
        // After the wait the attacker's address may try again, and a right password
        // there ends the lockout.
        let later = now + Duration::seconds(2);
        assert!(throttle.check("admin", addr(2), later).is_ok());
        assert!(throttle.succeeded("admin", addr(2)));
        assert!(throttle.check("admin", addr(2), later).is_ok());
    }

    #[test]
    fn spraying_many_names_from_one_address_is_slowed_and_others_are_not() {
        let throttle = LoginThrottle::default();
        let now = Utc::now();
        let mut address_lockouts = 0;
        for i in 0..ADDRESS_FREE_FAILURES {
            let name = format!("user{i}");
            assert!(throttle.check(&name, addr(9), now).is_ok());
            address_lockouts += throttle
                .failed(&name, addr(9), now)
                .iter()
                .filter(|l| matches!(l, Lockout::Address { .. }))
                .count();
        }
        assert_eq!(address_lockouts, 1);
        assert!(throttle.check("anyone", addr(9), now).is_err());
        assert!(throttle.check("anyone", addr(1), now).is_ok());
    }

    #[test]
    fn attempts_from_one_address_at_once_are_bounded() {
        let throttle = LoginThrottle::default();
        let now = Utc::now();
        let held: Vec<_> = (0..MAX_IN_FLIGHT_PER_ADDRESS)
            .map(|i| throttle.begin(&format!("n{i}"), addr(5), now).ok())
            .collect();
        assert!(held.iter().all(Option::is_some));
        assert_eq!(
            throttle.begin("another", addr(5), now).err(),
            Some(now + Duration::seconds(1))
        );
        assert!(throttle.begin("another", addr(6), now).is_ok());
        drop(held);
        assert!(throttle.begin("another", addr(5), now).is_ok());
    }

    #[test]
    fn unknown_and_known_names_are_counted_alike() {
        // The throttle never asks whether a name exists: the same sequence of answers.
        let throttle = LoginThrottle::default();
        let now = Utc::now();
        let answers = |name: &str| {
            (0..FREE_FAILURES + 1)
                .map(|_| {
                    let answer = throttle.check(name, addr(3), now).is_ok();
                    throttle.failed(name, addr(3), now);
                    answer
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(answers("admin"), answers("no-such-user"));
    }

    #[test]
    fn a_flood_of_names_keeps_the_table_bounded() {
        let throttle = LoginThrottle::default();
        let now = Utc::now();
        for i in 0..(MAX_TRACKED + 10_000) {
            let address = IpAddr::from([10, (i >> 16) as u8, (i >> 8) as u8, i as u8]);
            throttle.failed(
                &format!("n{i}"),
                address,
                now + Duration::milliseconds(i as i64),
            );
        }
        assert!(
            throttle.tracked() <= 2 * MAX_TRACKED,
            "{}",
            throttle.tracked()
        );
    }
}

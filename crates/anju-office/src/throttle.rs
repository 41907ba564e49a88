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
//! The counts are kept in a [`FailureLedger`]: the office database for a running office
//! (so that every office process behind a load balancer counts the same failures, and a
//! restart forgets nothing: `sql_ledger`), or memory, bounded to [`MAX_TRACKED`] entries
//! (the oldest forgotten first). Attempts in flight are per process: they bound the CPU
//! one process spends on password hashes.

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

/// Wrong passwords counted for a name from an address, or for an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failures {
    pub count: u32,
    pub last: DateTime<Utc>,
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

/// Whose failures a count is: a name tried from an address, or an address over all names.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FailureKey {
    Name(String, IpAddr),
    Address(IpAddr),
}

/// Where failure counts are kept.
pub trait FailureLedger {
    type Error;
    fn get(&mut self, key: &FailureKey) -> Result<Option<Failures>, Self::Error>;
    fn put(&mut self, key: &FailureKey, failures: Failures) -> Result<(), Self::Error>;
    fn remove(&mut self, key: &FailureKey) -> Result<Option<Failures>, Self::Error>;
}

/// `Err(retry_at)` when an attempt of `name` from `address` must wait.
pub fn check<L: FailureLedger>(
    ledger: &mut L,
    name: &str,
    address: IpAddr,
    now: DateTime<Utc>,
) -> Result<Result<(), DateTime<Utc>>, L::Error> {
    let waits = [
        ledger
            .get(&FailureKey::Name(name.to_string(), address))?
            .and_then(|f| f.retry_at(FREE_FAILURES)),
        ledger
            .get(&FailureKey::Address(address))?
            .and_then(|f| f.retry_at(ADDRESS_FREE_FAILURES)),
    ];
    Ok(
        match waits.into_iter().flatten().filter(|at| *at > now).max() {
            Some(retry_at) => Err(retry_at),
            None => Ok(()),
        },
    )
}

/// Count a wrong password; says when it starts a lockout.
pub fn failed<L: FailureLedger>(
    ledger: &mut L,
    name: &str,
    address: IpAddr,
    now: DateTime<Utc>,
) -> Result<Vec<Lockout>, L::Error> {
    let mut lockouts = Vec::new();
    let name_key = FailureKey::Name(name.to_string(), address);
    let by_name = bump(ledger.get(&name_key)?, now);
    ledger.put(&name_key, by_name)?;
    if by_name.count == FREE_FAILURES {
        lockouts.push(Lockout::Name {
            until: now + lockout_after(by_name.count, FREE_FAILURES),
        });
    }
    let address_key = FailureKey::Address(address);
    let by_address = bump(ledger.get(&address_key)?, now);
    ledger.put(&address_key, by_address)?;
    if by_address.count == ADDRESS_FREE_FAILURES {
        lockouts.push(Lockout::Address {
            until: now + lockout_after(by_address.count, ADDRESS_FREE_FAILURES),
        });
    }
    Ok(lockouts)
}

/// The right password: the name's count from this address starts again. Says whether
/// the name had been locked out (an unlock, for the audit log). The address's count
/// is left: a right password among many wrong ones does not excuse them.
pub fn succeeded<L: FailureLedger>(
    ledger: &mut L,
    name: &str,
    address: IpAddr,
) -> Result<bool, L::Error> {
    Ok(ledger
        .remove(&FailureKey::Name(name.to_string(), address))?
        .is_some_and(|f| f.count >= FREE_FAILURES))
}

/// Failure counts in memory, bounded to [`MAX_TRACKED`] entries.
#[derive(Default)]
pub struct MemoryLedger {
    counts: HashMap<FailureKey, Failures>,
}

impl MemoryLedger {
    /// How many entries are kept (for tests of the bound).
    pub fn tracked(&self) -> usize {
        self.counts.len()
    }
}

impl FailureLedger for MemoryLedger {
    type Error = std::convert::Infallible;

    fn get(&mut self, key: &FailureKey) -> Result<Option<Failures>, Self::Error> {
        Ok(self.counts.get(key).copied())
    }

    fn put(&mut self, key: &FailureKey, failures: Failures) -> Result<(), Self::Error> {
        if self.counts.len() >= MAX_TRACKED && !self.counts.contains_key(key) {
            forget_old(&mut self.counts, failures.last);
        }
        self.counts.insert(key.clone(), failures);
        Ok(())
    }

    fn remove(&mut self, key: &FailureKey) -> Result<Option<Failures>, Self::Error> {
        Ok(self.counts.remove(key))
    }
}

/// Attempts being checked, per address, in this process.
#[derive(Default)]
pub struct LoginThrottle {
    in_flight: Mutex<HashMap<IpAddr, u32>>,
}

/// An attempt being checked; dropping it ends it.
pub struct Attempt<'a> {
    throttle: &'a LoginThrottle,
    address: IpAddr,
}

impl Drop for Attempt<'_> {
    fn drop(&mut self) {
        let mut in_flight = self
            .throttle
            .in_flight
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if let Some(n) = in_flight.get_mut(&self.address) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                in_flight.remove(&self.address);
            }
        }
    }
}

impl LoginThrottle {
    /// Start an attempt: `Err(retry_at)` when too many attempts from the address are being
    /// checked at once (they wait a second).
    pub fn begin(&self, address: IpAddr, now: DateTime<Utc>) -> Result<Attempt<'_>, DateTime<Utc>> {
        let mut in_flight = self.in_flight.lock().unwrap_or_else(|p| p.into_inner());
        let count = in_flight.entry(address).or_default();
        if *count >= MAX_IN_FLIGHT_PER_ADDRESS {
            return Err(now + Duration::seconds(1));
        }
        *count += 1;
        Ok(Attempt {
            throttle: self,
            address,
        })
    }
}

fn bump(previous: Option<Failures>, now: DateTime<Utc>) -> Failures {
    let mut failures = previous.unwrap_or(Failures {
        count: 0,
        last: now,
    });
    if now - failures.last > FORGET_AFTER {
        failures.count = 0;
    }
    failures.count = failures.count.saturating_add(1);
    failures.last = now;
    failures
}

/// Drop what is old; if that is not enough, drop the oldest half. Linear in the entries,
/// and it runs only when the map is full, so a flood costs amortised constant time.
fn forget_old(counts: &mut HashMap<FailureKey, Failures>, now: DateTime<Utc>) {
    counts.retain(|_, f| now - f.last <= FORGET_AFTER);
    if counts.len() < MAX_TRACKED / 2 {
        return;
    }
    let mut times: Vec<DateTime<Utc>> = counts.values().map(|f| f.last).collect();
    let middle = times.len() / 2;
    let (_, median, _) = times.select_nth_unstable(middle);
    let median = *median;
    counts.retain(|_, f| f.last > median);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_in(
        ledger: &mut MemoryLedger,
        name: &str,
        address: IpAddr,
        now: DateTime<Utc>,
    ) -> Result<(), DateTime<Utc>> {
        match check(ledger, name, address, now) {
            Ok(answer) => answer,
            Err(never) => match never {},
        }
    }

    fn failed_in(
        ledger: &mut MemoryLedger,
        name: &str,
        address: IpAddr,
        now: DateTime<Utc>,
    ) -> Vec<Lockout> {
        match failed(ledger, name, address, now) {
            Ok(lockouts) => lockouts,
            Err(never) => match never {},
        }
    }

    fn succeeded_in(ledger: &mut MemoryLedger, name: &str, address: IpAddr) -> bool {
        match succeeded(ledger, name, address) {
            Ok(unlocked) => unlocked,
            Err(never) => match never {},
        }
    }

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
        let mut ledger = MemoryLedger::default();
        let throttle = &mut ledger;
        let now = Utc::now();
        for i in 0..FREE_FAILURES {
            assert!(check_in(throttle, "admin", addr(2), now).is_ok());
            let lockouts = failed_in(throttle, "admin", addr(2), now);
            assert_eq!(
                lockouts.is_empty(),
                i + 1 < FREE_FAILURES,
                "{i}: {lockouts:?}"
            );
        }
        assert_eq!(
            check_in(throttle, "admin", addr(2), now),
            Err(now + Duration::seconds(1))
        );
        // The user at their own desk is not locked out by someone else's failures.
        assert!(check_in(throttle, "admin", addr(1), now).is_ok());
        assert!(!succeeded_in(throttle, "admin", addr(1)));
        // After the wait the attacker's address may try again, and a right password
        // there ends the lockout.
        let later = now + Duration::seconds(2);
        assert!(check_in(throttle, "admin", addr(2), later).is_ok());
        assert!(succeeded_in(throttle, "admin", addr(2)));
        assert!(check_in(throttle, "admin", addr(2), later).is_ok());
    }

    #[test]
    fn spraying_many_names_from_one_address_is_slowed_and_others_are_not() {
        let mut ledger = MemoryLedger::default();
        let throttle = &mut ledger;
        let now = Utc::now();
        let mut address_lockouts = 0;
        for i in 0..ADDRESS_FREE_FAILURES {
            let name = format!("user{i}");
            assert!(check_in(throttle, &name, addr(9), now).is_ok());
            address_lockouts += failed_in(throttle, &name, addr(9), now)
                .iter()
                .filter(|l| matches!(l, Lockout::Address { .. }))
                .count();
        }
        assert_eq!(address_lockouts, 1);
        assert!(check_in(throttle, "anyone", addr(9), now).is_err());
        assert!(check_in(throttle, "anyone", addr(1), now).is_ok());
    }

    #[test]
    fn attempts_from_one_address_at_once_are_bounded() {
        let throttle = LoginThrottle::default();
        let now = Utc::now();
        let held: Vec<_> = (0..MAX_IN_FLIGHT_PER_ADDRESS)
            .map(|_| throttle.begin(addr(5), now).ok())
            .collect();
        assert!(held.iter().all(Option::is_some));
        assert_eq!(
            throttle.begin(addr(5), now).err(),
            Some(now + Duration::seconds(1))
        );
        assert!(throttle.begin(addr(6), now).is_ok());
        drop(held);
        assert!(throttle.begin(addr(5), now).is_ok());
    }

    #[test]
    fn unknown_and_known_names_are_counted_alike() {
        // The throttle never asks whether a name exists: the same sequence of answers.
        let mut ledger = MemoryLedger::default();
        let throttle = &mut ledger;
        let now = Utc::now();
        let mut answers = |name: &str| {
            (0..FREE_FAILURES + 1)
                .map(|_| {
                    let answer = check_in(throttle, name, addr(3), now).is_ok();
                    failed_in(throttle, name, addr(3), now);
                    answer
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(answers("admin"), answers("no-such-user"));
    }

    #[test]
    fn a_flood_of_names_keeps_the_table_bounded() {
        let mut ledger = MemoryLedger::default();
        let throttle = &mut ledger;
        let now = Utc::now();
        for i in 0..(MAX_TRACKED + 10_000) {
            let address = IpAddr::from([10, (i >> 16) as u8, (i >> 8) as u8, i as u8]);
            failed_in(
                throttle,
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

//! Failed sign-ins counted in the office database ([`crate::throttle`]'s rules over a
//! table), so that every office process counts the same failures.

use std::net::IpAddr;

use anju_sql::{Connection, OptionalExtension, params};
use chrono::{DateTime, Utc};

use crate::throttle::{FORGET_AFTER, FailureKey, FailureLedger, Failures};

/// The counts in `login_failures`, read and written through one connection (a write
/// transaction when counting a failure, so two processes do not lose one).
pub struct SqlLedger<'c>(pub &'c Connection);

fn columns(key: &FailureKey) -> (&'static str, String) {
    match key {
        FailureKey::Name(name, address) => ("name", format!("{address} {name}")),
        FailureKey::Address(address) => ("address", address.to_string()),
    }
}

fn read(count: i64, last: &str) -> Option<Failures> {
    Some(Failures {
        count: u32::try_from(count).ok()?,
        last: DateTime::parse_from_rfc3339(last).ok()?.with_timezone(&Utc),
    })
}

impl FailureLedger for SqlLedger<'_> {
    type Error = anju_sql::Error;

    fn get(&mut self, key: &FailureKey) -> Result<Option<Failures>, Self::Error> {
        let (scope, key) = columns(key);
        let row: Option<(i64, String)> = self
            .0
            .prepare_cached(
                "SELECT count, last_at FROM login_failures WHERE scope = ?1 AND key = ?2",
            )?
            .query_row(params![scope, key], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        // A row that cannot be read counts as none: it cannot lock anyone out.
        Ok(row.and_then(|(count, last)| read(count, &last)))
    }

    fn put(&mut self, key: &FailureKey, failures: Failures) -> Result<(), Self::Error> {
        let (scope, key) = columns(key);
        self.0
            .prepare_cached(
                "INSERT INTO login_failures (scope, key, count, last_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (scope, key) DO UPDATE
                 SET count = excluded.count, last_at = excluded.last_at",
            )?
            .execute(params![
                scope,
                key,
                i64::from(failures.count),
                failures.last.to_rfc3339()
            ])?;
        Ok(())
    }

    fn remove(&mut self, key: &FailureKey) -> Result<Option<Failures>, Self::Error> {
        let found = self.get(key)?;
        let (scope, key) = columns(key);
        self.0
            .prepare_cached("DELETE FROM login_failures WHERE scope = ?1 AND key = ?2")?
            .execute(params![scope, key])?;
        Ok(found)
    }
}

/// Forget failures older than [`FORGET_AFTER`]; how many.
pub fn forget_old(conn: &Connection, now: DateTime<Utc>) -> anju_sql::Result<usize> {
    conn.execute(
        "DELETE FROM login_failures WHERE last_at < ?1",
        [(now - FORGET_AFTER).to_rfc3339()],
    )
}

/// The key of a name's failures from an address, for tests and the audit.
pub fn name_key(name: &str, address: IpAddr) -> FailureKey {
    FailureKey::Name(name.to_string(), address)
}

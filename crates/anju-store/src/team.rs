//! The 验收组 of the signed-in inspector, as the office last sent it, with its members' PIN
//! verifiers, and the wrong PINs counted here (`anju_core::team::PinAttempts`). A member's
//! count survives a new copy of the team unless their verifier changed (a new PIN).

use anju_core::model::Department;
use anju_core::team::{BootClock, PinAttempts, Team, TeamMember, check_team};
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use uuid::Uuid;

use crate::{Result, Store, StoreError};

impl Store {
    /// Replace the team with what the office sent (`None`: the inspector is in no team). A
    /// team that fails its check is not kept and the one held stays; the problem is given.
    pub fn save_team(&mut self, team: Option<&Team>) -> Result<Option<String>> {
        if let Some(team) = team
            && let Err(problem) = check_team(team)
        {
            return Ok(Some(problem.to_string()));
        }
        let tx = self.conn.transaction()?;
        type Kept = (
            String,
            Option<String>,
            u32,
            Option<String>,
            Option<String>,
            Option<i64>,
        );
        let kept: Vec<Kept> = {
            let mut stmt = tx.prepare(
                "SELECT account, pin_verifier, pin_failures, locked_until, locked_boot,
                     locked_until_uptime_ms
                 FROM team_members",
            )?;
            stmt.query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?
        };
        tx.execute("DELETE FROM team_members", [])?;
        tx.execute("DELETE FROM team", [])?;
        if let Some(team) = team {
            tx.execute(
                "INSERT INTO team (id, name, fetched_at) VALUES (?1, ?2, ?3)",
                params![team.id.to_string(), team.name, Utc::now().to_rfc3339()],
            )?;
            let mut insert = tx.prepare(
                "INSERT INTO team_members (account, full_name, department, pin_verifier,
                     pin_failures, locked_until, locked_boot, locked_until_uptime_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?;
            for member in &team.members {
                // A new PIN starts a new count; the same verifier keeps the old one.
                let (failures, locked, boot, uptime) = kept
                    .iter()
                    .find(|(account, verifier, ..)| {
                        *account == member.account && *verifier == member.pin_verifier
                    })
                    .map_or((0, None, None, None), |(_, _, f, l, b, u)| {
                        (*f, l.clone(), b.clone(), *u)
                    });
                insert.execute(params![
                    member.account,
                    member.full_name,
                    member.department.code(),
                    member.pin_verifier,
                    failures,
                    locked,
                    boot,
                    uptime
                ])?;
            }
        }
        tx.commit()?;
        Ok(None)
    }

    /// The team held here, if any. A member whose row cannot be read is left out.
    pub fn team(&self) -> Result<Option<Team>> {
        let head: Option<(String, String)> = self
            .conn
            .query_row("SELECT id, name FROM team", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        let Some((id, name)) = head else {
            return Ok(None);
        };
        let id = Uuid::parse_str(&id).map_err(|_| StoreError::Corrupt {
            what: format!("team {id}"),
        })?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT account, full_name, department, pin_verifier FROM team_members
             ORDER BY department, account",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let members = rows
            .into_iter()
            .filter_map(|(account, full_name, department, pin_verifier)| {
                Some(TeamMember {
                    account,
                    full_name,
                    department: Department::from_code(&department)?,
                    pin_verifier,
                })
            })
            .collect();
        Ok(Some(Team { id, name, members }))
    }

    /// The wrong PINs counted for a member here.
    pub fn pin_attempts(&self, account: &str) -> Result<PinAttempts> {
        type Row = (u32, Option<String>, Option<String>, Option<i64>);
        let row: Option<Row> = self
            .conn
            .query_row(
                "SELECT pin_failures, locked_until, locked_boot, locked_until_uptime_ms
                 FROM team_members WHERE account = ?1",
                [account],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        Ok(
            row.map_or_else(PinAttempts::default, |(failures, locked, boot, uptime)| {
                PinAttempts {
                    failures,
                    locked_until: locked
                        .as_deref()
                        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                        .map(|t| t.with_timezone(&Utc)),
                    locked_until_boot: boot
                        .and_then(|b| b.parse().ok())
                        .zip(uptime.and_then(|u| u64::try_from(u).ok()))
                        .map(|(boot, uptime_ms)| BootClock { boot, uptime_ms }),
                }
            }),
        )
    }

    pub fn set_pin_attempts(&mut self, account: &str, attempts: PinAttempts) -> Result<()> {
        self.conn.execute(
            "UPDATE team_members SET pin_failures = ?2, locked_until = ?3, locked_boot = ?4,
                 locked_until_uptime_ms = ?5
             WHERE account = ?1",
            params![
                account,
                attempts.failures,
                attempts.locked_until.map(|t| t.to_rfc3339()),
                attempts.locked_until_boot.map(|b| b.boot.to_string()),
                attempts
                    .locked_until_boot
                    .and_then(|b| i64::try_from(b.uptime_ms).ok())
            ],
        )?;
        Ok(())
    }
}

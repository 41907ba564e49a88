//! Which inspector sees and writes which households. Every change takes the next value
//! of the sync sequence, so devices pull it (and tombstones) in order.

use anju_sql::{OptionalExtension, Transaction, TransactionBehavior, params};

use crate::db::OfficeDb;
use crate::users::{UserError, user};
use anju_core::wire::Role;

/// What to assign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Every household of a township.
    Township(String),
    /// Every household of a concentrated site. Site names are unique only within a
    /// township, so a name two townships share needs its township (name or id).
    Site {
        name: String,
        township: Option<String>,
    },
    /// Households by ID number or household number.
    Households(Vec<String>),
}

#[derive(Debug, thiserror::Error)]
pub enum AssignError {
    #[error(transparent)]
    User(#[from] UserError),
    #[error("数据库错误 / database error: {0}")]
    Sql(#[from] anju_sql::Error),
    #[error("没有用户“{0}” / there is no user '{0}'")]
    NoSuchUser(String),
    #[error(
        "“{0}”不是检查员，不能分配住户 / '{0}' is not an inspector: households are assigned to inspectors"
    )]
    NotAnInspector(String),
    #[error("没有乡镇“{0}” / there is no township '{0}'")]
    NoSuchTownship(String),
    #[error("没有安置点“{0}” / there is no site '{0}'")]
    NoSuchSite(String),
    #[error(
        "安置点“{name}”在多个乡镇都有（{townships}），请同时指明乡镇 / more than one township has a site named '{name}' ({townships}): name the township too"
    )]
    AmbiguousSite { name: String, townships: String },
    #[error(
        "没有身份证号或户编号为“{0}”的住户 / no household has the ID number or household number '{0}'"
    )]
    NoSuchHousehold(String),
}

/// Take the next value of the sync sequence.
pub(crate) fn next_seq(tx: &Transaction<'_>) -> anju_sql::Result<i64> {
    tx.query_row(
        "UPDATE sync_sequence SET value = value + 1 WHERE id = 1 RETURNING value",
        [],
        |r| r.get(0),
    )
}

fn inspector_id(db: &OfficeDb, name: &str) -> Result<String, AssignError> {
    let found = user(db, name)?.ok_or_else(|| AssignError::NoSuchUser(name.to_string()))?;
    if found.role != Role::Inspector {
        return Err(AssignError::NotAnInspector(name.to_string()));
    }
    Ok(found.id)
}

fn household_ids(tx: &Transaction<'_>, target: &Target) -> Result<Vec<String>, AssignError> {
    let collect = |sql: &str, key: &str| -> Result<Vec<String>, AssignError> {
        let mut stmt = tx.prepare(sql)?;
        let ids = stmt
            .query_map([key], |r| r.get(0))?
            .collect::<Result<Vec<String>, _>>()?;
        Ok(ids)
    };
    match target {
        Target::Township(name) => {
            let exists: Option<String> = tx
                .query_row("SELECT id FROM townships WHERE name = ?1", [name], |r| {
                    r.get(0)
                })
                .optional()?;
            let township = exists.ok_or_else(|| AssignError::NoSuchTownship(name.clone()))?;
            collect(
                "SELECT id FROM households WHERE township_id = ?1 ORDER BY number",
                &township,
            )
        }
        Target::Site { name, township } => {
            let mut stmt = tx.prepare(
                "SELECT s.id, t.name FROM sites s JOIN townships t ON t.id = s.township_id
                 WHERE s.name = ?1 AND (?2 IS NULL OR t.name = ?2 OR t.id = ?2)
                 ORDER BY t.name",
            )?;
            let found = stmt
                .query_map(params![name, township], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            let site = match found.as_slice() {
                [] => {
                    return Err(AssignError::NoSuchSite(match township {
                        Some(t) => format!("{t} {name}"),
                        None => name.clone(),
                    }));
                }
                [(id, _)] => id.clone(),
                several => {
                    let townships: Vec<&str> = several.iter().map(|(_, t)| t.as_str()).collect();
                    return Err(AssignError::AmbiguousSite {
                        name: name.clone(),
                        townships: townships.join("、"),
                    });
                }
            };
            collect(
                "SELECT id FROM households WHERE site_id = ?1 ORDER BY number",
                &site,
            )
        }
        Target::Households(keys) => {
            let mut ids = Vec::new();
            for key in keys {
                let normalised = anju_core::id_number::normalise(key);
                let id: Option<String> = tx
                    .query_row(
                        "SELECT id FROM households WHERE id_number = ?1 OR number = ?2",
                        params![normalised, key.trim()],
                        |r| r.get(0),
                    )
                    .optional()?;
                ids.push(id.ok_or_else(|| AssignError::NoSuchHousehold(key.clone()))?);
            }
            Ok(ids)
        }
    }
}

/// Assign households to an inspector, all or none. Returns how many were newly assigned.
pub fn assign(db: &mut OfficeDb, inspector: &str, target: &Target) -> Result<usize, AssignError> {
    let user_id = inspector_id(db, inspector)?;
    let tx = db
        .conn
        .transaction_with_behavior(TransactionBehavior::Immediate)?;
    let at = chrono::Utc::now().to_rfc3339();
    let mut added = 0;
    for household in household_ids(&tx, target)? {
        let already: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM assignments WHERE user_id = ?1 AND household_id = ?2)",
            params![user_id, household],
            |r| r.get(0),
        )?;
        if already {
            continue;
        }
        let seq = next_seq(&tx)?;
        tx.execute(
            "INSERT INTO assignments (user_id, household_id, seq, assigned_at) VALUES (?1, ?2, ?3, ?4)",
            params![user_id, household, seq, at],
        )?;
        tx.execute(
            "DELETE FROM unassignments WHERE user_id = ?1 AND household_id = ?2",
            params![user_id, household],
        )?;
        added += 1;
    }
    tx.commit()?;
    Ok(added)
}

/// Take households away from an inspector; their devices drop them at the next pull.
pub fn unassign(db: &mut OfficeDb, inspector: &str, target: &Target) -> Result<usize, AssignError> {
    let user_id = inspector_id(db, inspector)?;
    let tx = db
        .conn
        .transaction_with_behavior(TransactionBehavior::Immediate)?;
    let at = chrono::Utc::now().to_rfc3339();
    let mut removed = 0;
    for household in household_ids(&tx, target)? {
        let deleted = tx.execute(
            "DELETE FROM assignments WHERE user_id = ?1 AND household_id = ?2",
            params![user_id, household],
        )?;
        if deleted == 0 {
            continue;
        }
        let seq = next_seq(&tx)?;
        tx.execute(
            "INSERT INTO unassignments (user_id, household_id, seq, unassigned_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (user_id, household_id) DO UPDATE SET seq = excluded.seq, unassigned_at = excluded.unassigned_at",
            params![user_id, household, seq, at],
        )?;
        removed += 1;
    }
    tx.commit()?;
    Ok(removed)
}

/// A household's details changed: every device that has it pulls it again.
pub fn touch_household(tx: &Transaction<'_>, household_id: &str) -> anju_sql::Result<()> {
    let seq = next_seq(tx)?;
    tx.execute(
        "UPDATE assignments SET seq = ?1 WHERE household_id = ?2",
        params![seq, household_id],
    )?;
    Ok(())
}

//! 验收组: the district's acceptance teams and their members' PIN verifiers (migration
//! 0018). The rules of a team and of a PIN are `anju_core::team`; this module keeps them,
//! makes a PIN's verifier (the salt needs randomness), sends each member's device their
//! team, and checks that a signature naming a member names one the office knows.

use anju_core::form::Answer;
use anju_core::model::{Department, Submission};
use anju_core::records::RecordProblem;
use anju_core::team::{self, PinError, Team, TeamMember};
use anju_core::wire::Role;
use anju_sql::{Connection, OptionalExtension, params};
use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, SaltString};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::db::{OfficeDb, OfficeDbError};

#[derive(Debug, thiserror::Error)]
pub enum TeamAdminError {
    #[error(transparent)]
    Db(#[from] OfficeDbError),
    #[error("数据库错误 / database error: {0}")]
    Sql(#[from] anju_sql::Error),
    #[error(transparent)]
    Team(#[from] team::TeamError),
    #[error(transparent)]
    Pin(#[from] PinError),
    #[error("没有用户“{0}” / there is no user '{0}'")]
    NoSuchUser(String),
    #[error("“{0}”不是检查员，不能加入验收组 / '{0}' is not an inspector and cannot join a team")]
    NotInspector(String),
    #[error(
        "“{0}”尚未填写姓名：签字须用真实姓名 / '{0}' has no name on record: signatures carry real names"
    )]
    NoFullName(String),
    #[error(
        "{department}已有成员“{first}”，“{second}”不能再加入 / {department} already has '{first}' in the team: '{second}' cannot join"
    )]
    DepartmentTaken {
        department: &'static str,
        first: String,
        second: String,
    },
    #[error("“{user}”已在验收组“{team}”中 / '{user}' is already in team '{team}'")]
    InAnotherTeam { user: String, team: String },
    #[error("PIN无法加密 / the PIN cannot be hashed: {0}")]
    Hash(String),
}

type Result<T, E = TeamAdminError> = std::result::Result<T, E>;

/// A team as the office pages show it: who is in it, whose PIN is set, what it lacks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
pub struct TeamView {
    pub id: String,
    pub name: String,
    pub members: Vec<TeamMemberView>,
    /// Departments with no member, e.g. 住建局.
    pub missing: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
pub struct TeamMemberView {
    pub account: String,
    pub full_name: Option<String>,
    /// 扶贫办, 发改委 …
    pub department: String,
    /// When the member last set their PIN; absent: not yet, and they cannot confirm.
    pub pin_set_at: Option<DateTime<Utc>>,
}

/// A team to make or replace, by name: its members' logins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
pub struct TeamSetting {
    /// 1 to `anju_core::team::MAX_TEAM_NAME_CHARS` characters.
    #[schema(min_length = 1, max_length = 40, pattern = "\\S")]
    pub name: String,
    /// One inspector per department: 1 to `anju_core::team::MAX_TEAM_MEMBERS`.
    #[schema(min_items = 1, max_items = 4)]
    pub members: Vec<String>,
}

/// Make the team of this name, or give it these members: inspectors with a name on record,
/// one per department, none in another team. A member who leaves keeps their PIN.
pub fn set_team(db: &mut OfficeDb, setting: &TeamSetting, now: DateTime<Utc>) -> Result<TeamView> {
    let name = setting.name.trim();
    // Bounded before any member is looked up.
    team::check_team_shape(name, setting.members.len())?;
    let tx = db.conn.transaction()?;
    let existing: Option<String> = tx
        .query_row("SELECT id FROM teams WHERE name = ?1", [name], |r| r.get(0))
        .optional()?;
    let team_id = existing.unwrap_or_else(|| Uuid::now_v7().to_string());
    let mut chosen: Vec<(String, String, Department)> = Vec::new();
    for login in &setting.members {
        let login = login.trim();
        let row: Option<(String, String, Option<String>, Option<String>)> = tx
            .query_row(
                "SELECT id, role, department, nullif(trim(full_name), '') FROM users
                 WHERE name = ?1",
                [login],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let Some((user_id, role, department, full_name)) = row else {
            return Err(TeamAdminError::NoSuchUser(login.to_string()));
        };
        let department = department.as_deref().and_then(Department::from_code);
        let Some(department) =
            department.filter(|_| Role::from_code(&role) == Some(Role::Inspector))
        else {
            return Err(TeamAdminError::NotInspector(login.to_string()));
        };
        if full_name.is_none() {
            return Err(TeamAdminError::NoFullName(login.to_string()));
        }
        if let Some((first, ..)) = chosen.iter().find(|(_, _, d)| *d == department) {
            return Err(TeamAdminError::DepartmentTaken {
                department: department.label_zh(),
                first: first.clone(),
                second: login.to_string(),
            });
        }
        let other: Option<String> = tx
            .query_row(
                "SELECT t.name FROM team_members m JOIN teams t ON t.id = m.team_id
                 WHERE m.user_id = ?1 AND m.team_id <> ?2",
                [&user_id, &team_id],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(team) = other {
            return Err(TeamAdminError::InAnotherTeam {
                user: login.to_string(),
                team,
            });
        }
        chosen.push((login.to_string(), user_id, department));
    }
    let at = now.to_rfc3339();
    tx.execute(
        "INSERT INTO teams (id, name, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)
         ON CONFLICT (id) DO UPDATE SET updated_at = excluded.updated_at",
        params![team_id, name, at],
    )?;
    tx.execute("DELETE FROM team_members WHERE team_id = ?1", [&team_id])?;
    for (_, user_id, _) in &chosen {
        tx.execute(
            "INSERT INTO team_members (team_id, user_id) VALUES (?1, ?2)",
            [&team_id, user_id],
        )?;
    }
    // No sync cursor moves: the team rides on the last page of every pull.
    tx.commit()?;
    let views = teams(&db.conn)?;
    views
        .into_iter()
        .find(|t| t.id == team_id)
        .ok_or_else(|| OfficeDbError::Corrupt(format!("team {team_id}")).into())
}

/// Every team, by name, with its members (a member whose row is damaged is left out).
pub fn teams(conn: &Connection) -> Result<Vec<TeamView>> {
    let mut stmt = conn.prepare(
        "SELECT t.id, t.name, u.name, nullif(trim(u.full_name), ''), u.department, u.pin_set_at
         FROM teams t LEFT JOIN team_members m ON m.team_id = t.id
         LEFT JOIN users u ON u.id = m.user_id
         ORDER BY t.name, u.department, u.name",
    )?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, Option<String>>(5)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut views: Vec<TeamView> = Vec::new();
    for (id, name, account, full_name, department, pin_set_at) in rows {
        if views.last().is_none_or(|v| v.id != id) {
            views.push(TeamView {
                id: id.clone(),
                name,
                members: Vec::new(),
                missing: Vec::new(),
            });
        }
        let Some(view) = views.last_mut() else {
            continue;
        };
        let department = department.as_deref().and_then(Department::from_code);
        if let (Some(account), Some(department)) = (account, department) {
            view.members.push(TeamMemberView {
                account,
                full_name,
                department: department.label_zh().into(),
                pin_set_at: pin_set_at
                    .as_deref()
                    .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                    .map(|t| t.with_timezone(&Utc)),
            });
        }
    }
    for view in &mut views {
        view.missing = Department::ALL
            .into_iter()
            .map(Department::label_zh)
            .filter(|d| !view.members.iter().any(|m| m.department == *d))
            .map(str::to_string)
            .collect();
    }
    Ok(views)
}

/// The team a user belongs to, as their device receives it: members with a name and a
/// department, each with their verifier when it is one a device may use.
pub fn team_of(conn: &Connection, user_id: &str) -> Result<Option<Team>, OfficeDbError> {
    let team: Option<(String, String)> = conn
        .query_row(
            "SELECT t.id, t.name FROM team_members m JOIN teams t ON t.id = m.team_id
             WHERE m.user_id = ?1",
            [user_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((id, name)) = team else {
        return Ok(None);
    };
    let Ok(uuid) = Uuid::parse_str(&id) else {
        return Err(OfficeDbError::Corrupt(format!("team {id}")));
    };
    let mut stmt = conn.prepare_cached(
        "SELECT u.name, nullif(trim(u.full_name), ''), u.department, u.pin_verifier
         FROM team_members m JOIN users u ON u.id = m.user_id
         WHERE m.team_id = ?1 ORDER BY u.department, u.name",
    )?;
    let rows = stmt
        .query_map([&id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<String>>(3)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let members: Vec<TeamMember> = rows
        .into_iter()
        .filter_map(|(account, full_name, department, verifier)| {
            Some(TeamMember {
                account,
                full_name: full_name?,
                department: department.as_deref().and_then(Department::from_code)?,
                pin_verifier: verifier.filter(|v| team::check_verifier(v).is_ok()),
            })
        })
        .collect();
    let team = Team {
        id: uuid,
        name,
        members,
    };
    // A team that cannot travel (a name made too long by hand in the database) is not sent:
    // the device would refuse it anyway.
    Ok(team::check_team(&team).is_ok().then_some(team))
}

/// The verifier of a PIN, after the PIN's own check: argon2id with a random salt and the
/// library's default cost (19 MiB, 2 passes), well within what a device will compute.
/// CPU-heavy: never call it while holding the database.
pub fn make_verifier(pin: &str) -> Result<String> {
    team::check_pin(pin)?;
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| TeamAdminError::Hash(e.to_string()))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| TeamAdminError::Hash(e.to_string()))?;
    Argon2::default()
        .hash_password(pin.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| TeamAdminError::Hash(e.to_string()))
}

pub fn set_pin_verifier(
    conn: &Connection,
    user_id: &str,
    verifier: &str,
    now: DateTime<Utc>,
) -> Result<(), OfficeDbError> {
    conn.execute(
        "UPDATE users SET pin_verifier = ?2, pin_set_at = ?3 WHERE id = ?1",
        params![user_id, verifier, now.to_rfc3339()],
    )?;
    Ok(())
}

/// A signature that names a team member must name an inspector of that department, and a
/// team the office has: a device cannot make up a member. (The PIN itself was checked on
/// the device, against the verifier this office sent.)
pub fn signer_problem(
    conn: &Connection,
    submission: &Submission,
) -> Result<Option<RecordProblem>, OfficeDbError> {
    for (key, answer) in &submission.answers.0 {
        let Answer::Signature { signature } = answer else {
            continue;
        };
        let Some(identity) = &signature.signer else {
            continue;
        };
        let known: Option<(String, Option<String>)> = conn
            .query_row(
                "SELECT role, department FROM users WHERE name = ?1",
                [&identity.account],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let team_known: bool = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM teams WHERE id = ?1)",
            [identity.team_id.to_string()],
            |r| r.get(0),
        )?;
        let of_department = known.is_some_and(|(role, department)| {
            Role::from_code(&role) == Some(Role::Inspector)
                && department.as_deref() == Some(identity.department.code())
        });
        // Signed on one's own device is signed by the one who sends it.
        if identity.own_device && identity.account != submission.inspector {
            return Ok(Some(RecordProblem {
                field: format!("answers.{key}.signature.signer"),
                zh: format!(
                    "“{}”本人设备上的签字只能由其本人提交，不能由“{}”提交",
                    identity.account, submission.inspector
                ),
                en: format!(
                    "'{}' signing on their own device is sent by them, not by '{}'",
                    identity.account, submission.inspector
                ),
            }));
        }
        if !of_department || !team_known {
            return Ok(Some(RecordProblem {
                field: format!("answers.{key}.signature.signer"),
                zh: format!(
                    "签字人“{}”不是本办公室验收组中{}的成员",
                    identity.account,
                    identity.department.label_zh()
                ),
                en: format!(
                    "the signer '{}' is not a member for {} of a team this office has",
                    identity.account,
                    identity.department.label_en()
                ),
            }));
        }
    }
    Ok(None)
}

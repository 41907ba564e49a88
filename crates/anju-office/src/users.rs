//! Office users, passwords (argon2id), device tokens and the slow-down of failed logins.

use anju_core::model::Department;
use anju_core::wire::{Role, UserInfo};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chrono::{DateTime, Duration, Utc};
use rusqlite::{OptionalExtension, params};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::db::{OfficeDb, OfficeDbError};

/// Failures allowed before each attempt must wait.
pub const FREE_FAILURES: u32 = 5;
/// The longest wait between attempts.
pub const MAX_LOCKOUT: Duration = Duration::minutes(15);
pub const MIN_PASSWORD_CHARS: usize = 8;

#[derive(Debug, thiserror::Error)]
pub enum UserError {
    #[error(transparent)]
    Db(#[from] OfficeDbError),
    #[error("数据库错误 / database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error(
        "用户名“{0}”无效：只能用字母、数字、下划线、点和连字符，1到32位 / the user name '{0}' is not valid: use 1 to 32 letters, digits, '_', '.' or '-'"
    )]
    BadName(String),
    #[error("用户“{0}”已存在 / user '{0}' already exists")]
    Exists(String),
    #[error("没有用户“{0}” / there is no user '{0}'")]
    NoSuchUser(String),
    #[error("没有乡镇“{0}” / there is no township '{0}'")]
    NoSuchTownship(String),
    #[error("乡镇用户须指定 --township / a township user needs --township")]
    TownshipRequired,
    #[error("检查员须指定部门 --department / an inspector needs --department")]
    DepartmentRequired,
    #[error(
        "密码太短：至少{MIN_PASSWORD_CHARS}位 / the password is too short: at least {MIN_PASSWORD_CHARS} characters"
    )]
    WeakPassword,
    #[error("密码无法加密 / the password cannot be hashed: {0}")]
    Hash(String),
}

/// A signed-in user as the server sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthUser {
    pub id: String,
    pub name: String,
    pub role: Role,
    pub department: Option<Department>,
    pub township: Option<String>,
}

impl AuthUser {
    pub fn info(&self) -> UserInfo {
        UserInfo {
            name: self.name.clone(),
            role: self.role,
            department: self.department,
            township: self.township.clone(),
        }
    }
}

/// The outcome of a login attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginOutcome {
    /// Signed in: the token to give the device (only its hash is stored).
    Success { token: String, user: AuthUser },
    /// Wrong user name or password (never said which).
    Refused,
    /// Too many failures: try again after this moment.
    Throttled { retry_at: DateTime<Utc> },
}

fn valid_name(name: &str) -> bool {
    (1..=32).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

pub fn hash_password(password: &str) -> Result<String, UserError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| UserError::Hash(e.to_string()))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| UserError::Hash(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| UserError::Hash(e.to_string()))
}

fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|hash| {
        Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok()
    })
}

/// SHA-256 of a token, as stored.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn new_token() -> Result<String, UserError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| UserError::Hash(e.to_string()))?;
    Ok(hex::encode(bytes))
}

/// How long after the last failure the next attempt is allowed.
pub fn lockout_after(failures: u32) -> Duration {
    if failures < FREE_FAILURES {
        return Duration::zero();
    }
    let exponent = (failures - FREE_FAILURES).min(20);
    Duration::seconds(1i64 << exponent).min(MAX_LOCKOUT)
}

pub fn add_user(
    db: &OfficeDb,
    name: &str,
    role: Role,
    department: Option<Department>,
    township: Option<&str>,
    password: &str,
) -> Result<AuthUser, UserError> {
    if !valid_name(name) {
        return Err(UserError::BadName(name.to_string()));
    }
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(UserError::WeakPassword);
    }
    if role == Role::Township && township.is_none() {
        return Err(UserError::TownshipRequired);
    }
    if role == Role::Inspector && department.is_none() {
        return Err(UserError::DepartmentRequired);
    }
    let township_id: Option<String> = match township {
        Some(t) => Some(
            db.conn
                .query_row("SELECT id FROM townships WHERE name = ?1", [t], |r| {
                    r.get(0)
                })
                .optional()?
                .ok_or_else(|| UserError::NoSuchTownship(t.to_string()))?,
        ),
        None => None,
    };
    let exists: bool = db.conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM users WHERE name = ?1)",
        [name],
        |r| r.get(0),
    )?;
    if exists {
        return Err(UserError::Exists(name.to_string()));
    }
    let id = Uuid::now_v7().to_string();
    db.conn.execute(
        "INSERT INTO users (id, name, role, department, township_id, password_hash, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            id,
            name,
            role.code(),
            department.map(Department::code),
            township_id,
            hash_password(password)?,
            Utc::now().to_rfc3339()
        ],
    )?;
    Ok(AuthUser {
        id,
        name: name.to_string(),
        role,
        department,
        township: township.map(str::to_string),
    })
}

fn read_user(row: &rusqlite::Row<'_>) -> rusqlite::Result<(AuthUser, String, u32, Option<String>)> {
    let role: String = row.get(2)?;
    let department: Option<String> = row.get(3)?;
    Ok((
        AuthUser {
            id: row.get(0)?,
            name: row.get(1)?,
            role: Role::from_code(&role).unwrap_or(Role::Inspector),
            department: department.as_deref().and_then(Department::from_code),
            township: row.get(4)?,
        },
        row.get(5)?,
        row.get(6)?,
        row.get(7)?,
    ))
}

const USER_COLUMNS: &str = "u.id, u.name, u.role, u.department, t.name, u.password_hash,
     u.failed_logins, u.last_failed_at
     FROM users u LEFT JOIN townships t ON t.id = u.township_id";

pub fn user(db: &OfficeDb, name: &str) -> Result<Option<AuthUser>, UserError> {
    Ok(db
        .conn
        .query_row(
            &format!("SELECT {USER_COLUMNS} WHERE u.name = ?1"),
            [name],
            read_user,
        )
        .optional()?
        .map(|(user, ..)| user))
}

pub fn list_users(db: &OfficeDb) -> Result<Vec<AuthUser>, UserError> {
    let mut stmt = db
        .conn
        .prepare(&format!("SELECT {USER_COLUMNS} ORDER BY u.name"))?;
    let users = stmt
        .query_map([], read_user)?
        .map(|r| r.map(|(user, ..)| user))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(users)
}

/// Check a password, with the slow-down; on success make a device token.
pub fn login(
    db: &OfficeDb,
    name: &str,
    password: &str,
    device_id: Uuid,
    device_name: Option<&str>,
    now: DateTime<Utc>,
) -> Result<LoginOutcome, UserError> {
    let found = db
        .conn
        .query_row(
            &format!("SELECT {USER_COLUMNS} WHERE u.name = ?1"),
            [name],
            read_user,
        )
        .optional()?;
    let Some((user, hash, failures, last_failed)) = found else {
        // Same work as a real check, so the answer's timing does not reveal the name.
        let _ = verify_password(password, dummy_hash());
        return Ok(LoginOutcome::Refused);
    };
    if let Some(last) = last_failed.and_then(|t| DateTime::parse_from_rfc3339(&t).ok()) {
        let retry_at = last.with_timezone(&Utc) + lockout_after(failures);
        if failures >= FREE_FAILURES && now < retry_at {
            return Ok(LoginOutcome::Throttled { retry_at });
        }
    }
    if !verify_password(password, &hash) {
        db.conn.execute(
            "UPDATE users SET failed_logins = failed_logins + 1, last_failed_at = ?1 WHERE id = ?2",
            params![now.to_rfc3339(), user.id],
        )?;
        return Ok(LoginOutcome::Refused);
    }
    let token = new_token()?;
    db.conn.execute(
        "UPDATE users SET failed_logins = 0, last_failed_at = NULL WHERE id = ?1",
        [&user.id],
    )?;
    db.conn.execute(
        "INSERT INTO device_tokens (token_sha256, user_id, device_id, device_name, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            token_hash(&token),
            user.id,
            device_id.to_string(),
            device_name,
            now.to_rfc3339()
        ],
    )?;
    Ok(LoginOutcome::Success { token, user })
}

/// A real argon2id hash, checked against when the user does not exist.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password("no such user, no such password").unwrap_or_default())
}

/// Whom a token belongs to: `Ok(None)` for an unknown token, `Err(true)`-like revoked
/// state is reported as `TokenState::Revoked`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenState {
    Valid(AuthUser),
    Revoked,
    Unknown,
}

pub fn user_for_token(db: &OfficeDb, token: &str) -> Result<TokenState, UserError> {
    let row = db
        .conn
        .query_row(
            "SELECT d.revoked_at, u.id, u.name, u.role, u.department, t.name
             FROM device_tokens d JOIN users u ON u.id = d.user_id
             LEFT JOIN townships t ON t.id = u.township_id
             WHERE d.token_sha256 = ?1",
            [token_hash(token)],
            |row| {
                let revoked: Option<String> = row.get(0)?;
                let role: String = row.get(3)?;
                let department: Option<String> = row.get(4)?;
                Ok((
                    revoked.is_some(),
                    AuthUser {
                        id: row.get(1)?,
                        name: row.get(2)?,
                        role: Role::from_code(&role).unwrap_or(Role::Inspector),
                        department: department.as_deref().and_then(Department::from_code),
                        township: row.get(5)?,
                    },
                ))
            },
        )
        .optional()?;
    Ok(match row {
        None => TokenState::Unknown,
        Some((true, _)) => TokenState::Revoked,
        Some((false, user)) => TokenState::Valid(user),
    })
}

/// Revoke every token of a user (a lost phone). Returns how many were live.
pub fn revoke(db: &OfficeDb, name: &str) -> Result<usize, UserError> {
    let user = user(db, name)?.ok_or_else(|| UserError::NoSuchUser(name.to_string()))?;
    Ok(db.conn.execute(
        "UPDATE device_tokens SET revoked_at = ?1 WHERE user_id = ?2 AND revoked_at IS NULL",
        params![Utc::now().to_rfc3339(), user.id],
    )?)
}

/// Revoke one token (sign out on a device).
pub fn revoke_token(db: &OfficeDb, token: &str) -> Result<(), UserError> {
    db.conn.execute(
        "UPDATE device_tokens SET revoked_at = ?1 WHERE token_sha256 = ?2 AND revoked_at IS NULL",
        params![Utc::now().to_rfc3339(), token_hash(token)],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn office() -> (tempfile::TempDir, OfficeDb) {
        let dir = tempfile::tempdir().unwrap();
        let mut db = OfficeDb::create(dir.path()).unwrap();
        crate::demo::load(&mut db).unwrap();
        (dir, db)
    }

    #[test]
    fn lockout_grows_and_is_capped() {
        assert_eq!(lockout_after(4), Duration::zero());
        assert_eq!(lockout_after(5), Duration::seconds(1));
        assert_eq!(lockout_after(7), Duration::seconds(4));
        assert_eq!(lockout_after(40), MAX_LOCKOUT);
    }

    #[test]
    fn users_are_checked_when_added() {
        let (_dir, db) = office();
        let add = |name, role, dept, township, pw| add_user(&db, name, role, dept, township, pw);
        assert!(matches!(
            add("li si", Role::Admin, None, None, "long-enough"),
            Err(UserError::BadName(_))
        ));
        assert!(matches!(
            add("li", Role::Admin, None, None, "short"),
            Err(UserError::WeakPassword)
        ));
        assert!(matches!(
            add("zhang", Role::Township, None, None, "long-enough"),
            Err(UserError::TownshipRequired)
        ));
        assert!(matches!(
            add("li", Role::Inspector, None, None, "long-enough"),
            Err(UserError::DepartmentRequired)
        ));
        assert!(matches!(
            add("zhang", Role::Township, None, Some("火星镇"), "long-enough"),
            Err(UserError::NoSuchTownship(_))
        ));
        add(
            "zhang",
            Role::Township,
            None,
            Some("东河口镇"),
            "long-enough",
        )
        .unwrap();
        assert!(matches!(
            add("zhang", Role::Admin, None, None, "long-enough"),
            Err(UserError::Exists(_))
        ));
        let stored: String = db
            .conn
            .query_row(
                "SELECT password_hash FROM users WHERE name = 'zhang'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(stored.starts_with("$argon2id$"), "{stored}");
        assert!(!stored.contains("long-enough"));
    }

    #[test]
    fn login_tokens_and_revocation() {
        let (_dir, db) = office();
        add_user(
            &db,
            "li",
            Role::Inspector,
            Some(Department::Reform),
            None,
            "anju-demo",
        )
        .unwrap();
        let now = Utc::now();
        let device = Uuid::now_v7();
        let LoginOutcome::Success { token, user } =
            login(&db, "li", "anju-demo", device, Some("phone"), now).unwrap()
        else {
            panic!("login failed");
        };
        assert_eq!(user.name, "li");
        assert_eq!(token.len(), 64);
        let stored: String = db
            .conn
            .query_row("SELECT token_sha256 FROM device_tokens", [], |r| r.get(0))
            .unwrap();
        assert_eq!(stored, token_hash(&token));
        assert_ne!(stored, token);
        assert_eq!(
            user_for_token(&db, &token).unwrap(),
            TokenState::Valid(user)
        );
        assert_eq!(
            user_for_token(&db, "nonsense").unwrap(),
            TokenState::Unknown
        );
        assert_eq!(revoke(&db, "li").unwrap(), 1);
        assert_eq!(user_for_token(&db, &token).unwrap(), TokenState::Revoked);
        assert!(matches!(
            revoke(&db, "nobody"),
            Err(UserError::NoSuchUser(_))
        ));
    }

    #[test]
    fn failed_logins_slow_down() {
        let (_dir, db) = office();
        add_user(
            &db,
            "li",
            Role::Inspector,
            Some(Department::Reform),
            None,
            "anju-demo",
        )
        .unwrap();
        let start = Utc::now();
        let device = Uuid::now_v7();
        for i in 0..FREE_FAILURES {
            let outcome = login(
                &db,
                "li",
                "wrong-password",
                device,
                None,
                start + Duration::seconds(i.into()),
            )
            .unwrap();
            assert_eq!(outcome, LoginOutcome::Refused);
        }
        let last = start + Duration::seconds(i64::from(FREE_FAILURES) - 1);
        // Even the right password waits now.
        let outcome = login(&db, "li", "anju-demo", device, None, last).unwrap();
        assert!(
            matches!(outcome, LoginOutcome::Throttled { retry_at } if retry_at == last + Duration::seconds(1))
        );
        // After the wait, the right password works and the count resets.
        let outcome = login(
            &db,
            "li",
            "anju-demo",
            device,
            None,
            last + Duration::seconds(2),
        )
        .unwrap();
        assert!(matches!(outcome, LoginOutcome::Success { .. }));
        let failures: u32 = db
            .conn
            .query_row(
                "SELECT failed_logins FROM users WHERE name = 'li'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(failures, 0);
        // An unknown name is refused like a wrong password.
        assert_eq!(
            login(&db, "nobody", "x", device, None, start).unwrap(),
            LoginOutcome::Refused
        );
    }
}

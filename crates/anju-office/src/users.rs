//! Office users, passwords (argon2id) and sign-in tokens, which expire when unused.
//! The slow-down of failed sign-ins is in `throttle`; the steps of a sign-in in `signin`.

use anju_core::model::Department;
use anju_core::wire::{Role, UserInfo};
use anju_sql::{OptionalExtension, params};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::db::{OfficeDb, OfficeDbError};

pub const MIN_PASSWORD_CHARS: usize = 8;

#[derive(Debug, thiserror::Error)]
pub enum UserError {
    #[error(transparent)]
    Db(#[from] OfficeDbError),
    #[error("数据库错误 / database error: {0}")]
    Sql(#[from] anju_sql::Error),
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
    #[error(
        "{zh}太长或含控制字符：至多64个字 / {en} is too long or holds control characters: at most 64 characters",
        zh = profile_field_zh(.0),
        en = .0
    )]
    BadProfile(&'static str),
}

fn profile_field_zh(field: &str) -> &'static str {
    match field {
        "full_name" => "姓名",
        "organisation" => "单位/部门",
        _ => "职务",
    }
}

/// A signed-in user as the server sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthUser {
    pub id: String,
    pub name: String,
    pub role: Role,
    pub department: Option<Department>,
    pub township: Option<String>,
    /// 姓名, when set (`names`): what the user's signatures carry.
    pub full_name: Option<String>,
}

impl AuthUser {
    pub fn info(&self) -> UserInfo {
        UserInfo {
            name: self.name.clone(),
            role: self.role,
            department: self.department,
            township: self.township.clone(),
            full_name: self.full_name.clone(),
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

/// Check a password against its stored hash, or against a dummy one when there is no
/// such user, so that the work (and the time) is the same. CPU-heavy: never call it
/// while holding the database.
pub fn verify_password(password: &str, stored: Option<&str>) -> bool {
    let known = stored.is_some();
    let stored = stored.unwrap_or_else(|| dummy_hash());
    let matches = PasswordHash::new(stored).is_ok_and(|hash| {
        Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok()
    });
    known && matches
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
        full_name: None,
    })
}

fn read_user(row: &anju_sql::Row<'_>) -> anju_sql::Result<(AuthUser, String, u32, Option<String>)> {
    let role: String = row.get(2)?;
    let department: Option<String> = row.get(3)?;
    Ok((
        AuthUser {
            id: row.get(0)?,
            name: row.get(1)?,
            role: Role::from_code(&role).unwrap_or(Role::Inspector),
            department: department.as_deref().and_then(Department::from_code),
            township: row.get(4)?,
            full_name: row.get(8)?,
        },
        row.get(5)?,
        row.get(6)?,
        row.get(7)?,
    ))
}

const USER_COLUMNS: &str = "u.id, u.name, u.role, u.department, t.name, u.password_hash,
     u.failed_logins, u.last_failed_at, nullif(trim(u.full_name), '')
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

/// The user of a name and their password hash, for a sign-in.
pub fn sign_in_candidate(
    db: &OfficeDb,
    name: &str,
) -> Result<Option<(AuthUser, String)>, UserError> {
    Ok(db
        .conn
        .query_row(
            &format!("SELECT {USER_COLUMNS} WHERE u.name = ?1"),
            [name],
            read_user,
        )
        .optional()?
        .map(|(user, hash, ..)| (user, hash)))
}

/// What a token is for: a device (the field app) or the office pages. Each expires after
/// its own idle time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Device,
    Pages,
}

impl TokenKind {
    pub fn code(self) -> &'static str {
        match self {
            Self::Device => "device",
            Self::Pages => "pages",
        }
    }
}

/// How long a token may go unused before it stops working.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenIdle {
    pub device: Duration,
    pub pages: Duration,
}

impl Default for TokenIdle {
    fn default() -> Self {
        Self {
            device: Duration::days(30),
            pages: Duration::hours(12),
        }
    }
}

impl TokenIdle {
    fn of(&self, kind: &str) -> Duration {
        if kind == TokenKind::Pages.code() {
            self.pages
        } else {
            self.device
        }
    }
}

/// How often a token's `last_seen_at` is written: coarse, so that a request costs no
/// write; idle times are hours to days.
pub const TOUCH_EVERY: Duration = Duration::minutes(10);
/// How long an expired or revoked token is kept (so its device is told why) before it
/// is pruned.
pub const KEEP_DEAD_TOKENS: Duration = Duration::days(30);

/// Make a token for a user who gave the right password.
pub fn issue_token(
    db: &OfficeDb,
    user: &AuthUser,
    device_id: Uuid,
    device_name: Option<&str>,
    kind: TokenKind,
    now: DateTime<Utc>,
) -> Result<String, UserError> {
    let token = new_token()?;
    db.conn.execute(
        "INSERT INTO device_tokens
             (token_sha256, user_id, device_id, device_name, created_at, last_seen_at, kind)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6)",
        params![
            token_hash(&token),
            user.id,
            device_id.to_string(),
            device_name,
            now.to_rfc3339(),
            kind.code()
        ],
    )?;
    Ok(token)
}

/// A real argon2id hash, checked against when the user does not exist.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password("no such user, no such password").unwrap_or_default())
}

/// Whom a token belongs to, and whether it still works.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenState {
    /// `touch`: its last use is older than [`TOUCH_EVERY`] and should be written.
    Valid {
        user: AuthUser,
        touch: bool,
    },
    Revoked,
    /// Unused for longer than its kind's idle time.
    Expired,
    Unknown,
}

/// Look a token up (a read; the caller writes the touch when asked to).
pub fn user_for_token(
    db: &OfficeDb,
    token: &str,
    now: DateTime<Utc>,
    idle: &TokenIdle,
) -> Result<TokenState, UserError> {
    let row = db
        .conn
        .query_row(
            "SELECT d.revoked_at, u.id, u.name, u.role, u.department, t.name,
                    coalesce(d.last_seen_at, d.created_at), d.kind,
                    nullif(trim(u.full_name), '')
             FROM device_tokens d JOIN users u ON u.id = d.user_id
             LEFT JOIN townships t ON t.id = u.township_id
             WHERE d.token_sha256 = ?1",
            [token_hash(token)],
            |row| {
                let revoked: Option<String> = row.get(0)?;
                let role: String = row.get(3)?;
                let department: Option<String> = row.get(4)?;
                let seen: String = row.get(6)?;
                let kind: String = row.get(7)?;
                Ok((
                    revoked.is_some(),
                    AuthUser {
                        id: row.get(1)?,
                        name: row.get(2)?,
                        role: Role::from_code(&role).unwrap_or(Role::Inspector),
                        department: department.as_deref().and_then(Department::from_code),
                        township: row.get(5)?,
                        full_name: row.get(8)?,
                    },
                    seen,
                    kind,
                ))
            },
        )
        .optional()?;
    Ok(match row {
        None => TokenState::Unknown,
        Some((true, ..)) => TokenState::Revoked,
        Some((false, user, seen, kind)) => {
            // A time that cannot be read counts as long ago: the token has expired.
            let seen = DateTime::parse_from_rfc3339(&seen)
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or(DateTime::<Utc>::MIN_UTC);
            if now - seen > idle.of(&kind) {
                TokenState::Expired
            } else {
                TokenState::Valid {
                    user,
                    touch: now - seen > TOUCH_EVERY,
                }
            }
        }
    })
}

/// Record that a token was used now.
pub fn touch_token(db: &OfficeDb, token: &str, now: DateTime<Utc>) -> Result<(), UserError> {
    db.conn.execute(
        "UPDATE device_tokens SET last_seen_at = ?1 WHERE token_sha256 = ?2",
        params![now.to_rfc3339(), token_hash(token)],
    )?;
    Ok(())
}

/// Remove tokens revoked or expired more than [`KEEP_DEAD_TOKENS`] ago. Returns how many.
pub fn prune_tokens(
    db: &OfficeDb,
    now: DateTime<Utc>,
    idle: &TokenIdle,
) -> Result<usize, UserError> {
    let before = |d: Duration| (now - d - KEEP_DEAD_TOKENS).to_rfc3339();
    Ok(db.conn.execute(
        "DELETE FROM device_tokens
         WHERE (revoked_at IS NOT NULL AND revoked_at < ?1)
            OR (kind = 'device' AND coalesce(last_seen_at, created_at) < ?2)
            OR (kind = 'pages' AND coalesce(last_seen_at, created_at) < ?3)",
        params![
            before(Duration::zero()),
            before(idle.device),
            before(idle.pages)
        ],
    )?)
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
        let dir = crate::testing::data_dir();
        let mut db = OfficeDb::create(dir.path()).unwrap();
        crate::demo::load(&mut db).unwrap();
        (dir, db)
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

    fn signed_in(
        db: &OfficeDb,
        name: &str,
        password: &str,
        kind: TokenKind,
        now: DateTime<Utc>,
    ) -> Option<(String, AuthUser)> {
        let (user, hash) = sign_in_candidate(db, name).unwrap()?;
        verify_password(password, Some(&hash)).then(|| {
            let token = issue_token(db, &user, Uuid::now_v7(), Some("phone"), kind, now).unwrap();
            (token, user)
        })
    }

    #[test]
    fn passwords_tokens_and_revocation() {
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
        let idle = TokenIdle::default();
        assert!(signed_in(&db, "li", "wrong-password", TokenKind::Device, now).is_none());
        assert!(signed_in(&db, "nobody", "anju-demo", TokenKind::Device, now).is_none());
        // No user: the dummy hash is checked, and never matches.
        assert!(!verify_password("no such user, no such password", None));
        let (token, user) = signed_in(&db, "li", "anju-demo", TokenKind::Device, now).unwrap();
        assert_eq!(user.name, "li");
        assert_eq!(token.len(), 64);
        let stored: String = db
            .conn
            .query_row("SELECT token_sha256 FROM device_tokens", [], |r| r.get(0))
            .unwrap();
        assert_eq!(stored, token_hash(&token));
        assert_ne!(stored, token);
        assert_eq!(
            user_for_token(&db, &token, now, &idle).unwrap(),
            TokenState::Valid { user, touch: false }
        );
        assert_eq!(
            user_for_token(&db, "nonsense", now, &idle).unwrap(),
            TokenState::Unknown
        );
        assert_eq!(revoke(&db, "li").unwrap(), 1);
        assert_eq!(
            user_for_token(&db, &token, now, &idle).unwrap(),
            TokenState::Revoked
        );
        assert!(matches!(
            revoke(&db, "nobody"),
            Err(UserError::NoSuchUser(_))
        ));
    }

    #[test]
    fn unused_tokens_expire_by_kind_and_are_pruned() {
        let (_dir, db) = office();
        add_user(
            &db,
            "zhang",
            Role::Township,
            None,
            Some("东河口镇"),
            "anju-demo",
        )
        .unwrap();
        let idle = TokenIdle::default();
        let start = Utc::now();
        let (device, _) = signed_in(&db, "zhang", "anju-demo", TokenKind::Device, start).unwrap();
        let (pages, _) = signed_in(&db, "zhang", "anju-demo", TokenKind::Pages, start).unwrap();
        // A token dated long ago, as the attack used.
        let (ancient, _) = signed_in(
            &db,
            "zhang",
            "anju-demo",
            TokenKind::Device,
            start - Duration::days(9000),
        )
        .unwrap();
        assert_eq!(
            user_for_token(&db, &ancient, start, &idle).unwrap(),
            TokenState::Expired
        );
        let state = |token: &str, at| user_for_token(&db, token, at, &idle).unwrap();
        // Used a while later: still good, and due a touch.
        let later = start + Duration::hours(11);
        assert!(matches!(
            state(&pages, later),
            TokenState::Valid { touch: true, .. }
        ));
        touch_token(&db, &pages, later).unwrap();
        assert!(matches!(
            state(&pages, later),
            TokenState::Valid { touch: false, .. }
        ));
        // Thirteen hours after its last use a page session is over; a device's is not.
        let idle_pages = later + Duration::hours(13);
        assert_eq!(state(&pages, idle_pages), TokenState::Expired);
        assert!(matches!(
            state(&device, idle_pages),
            TokenState::Valid { .. }
        ));
        assert_eq!(
            state(&device, start + Duration::days(31)),
            TokenState::Expired
        );
        // Pruned only once long dead: the ancient token now, the others later.
        assert_eq!(prune_tokens(&db, start, &idle).unwrap(), 1);
        assert_eq!(state(&ancient, start), TokenState::Unknown);
        assert_eq!(
            prune_tokens(&db, start + Duration::days(61), &idle).unwrap(),
            2
        );
    }
}

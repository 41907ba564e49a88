//! Integration tokens: read-only access to the read API for one of the district's other
//! systems, scoped to townships. The secret is shown once, when the token is made; the
//! office keeps only its SHA-256. Made and revoked by the district admin (the office pages'
//! 数据接口, or `anju-office integration-token`), each in the audit log.

use anju_core::form::Text;
use anju_sql::{OptionalExtension, params};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

use crate::db::{OfficeDb, OfficeDbError};
use crate::users::token_hash;

/// What every secret begins with, so that one found in a log or a file says what it is.
pub const SECRET_PREFIX: &str = "anju_rt_";
/// The longest name a token may have, in characters.
pub const MAX_NAME_CHARS: usize = 100;
/// The most townships one token may name (a county has a few dozen).
pub const MAX_TOWNSHIPS: usize = 200;
/// `last_used_at` is written at most this often per token.
pub const TOUCH_EVERY: Duration = Duration::minutes(1);

#[derive(Debug, thiserror::Error)]
pub enum IntegrationError {
    #[error("请填写对接系统的名称 / give the name of the system the token is for")]
    NoName,
    #[error(
        "名称最多 {MAX_NAME_CHARS} 个字，此名称 {0} 个字 / the name may have at most {MAX_NAME_CHARS} characters; this one has {0}"
    )]
    NameTooLong(usize),
    #[error("请至少选择一个乡镇 / choose at least one township")]
    NoTownship,
    #[error(
        "最多选择 {MAX_TOWNSHIPS} 个乡镇，此次 {0} 个 / at most {MAX_TOWNSHIPS} townships, {0} were given"
    )]
    TooManyTownships(usize),
    #[error("没有乡镇“{0}” / there is no township '{0}'")]
    UnknownTownship(String),
    #[error("没有数据接口令牌“{0}” / there is no integration token '{0}'")]
    NotFound(String),
    #[error("无法生成随机令牌 / cannot make a random token: {0}")]
    Random(String),
    #[error(transparent)]
    Db(#[from] OfficeDbError),
}

impl From<anju_sql::Error> for IntegrationError {
    fn from(error: anju_sql::Error) -> Self {
        Self::Db(OfficeDbError::Sql(error))
    }
}

type Result<T, E = IntegrationError> = std::result::Result<T, E>;

/// A township as a token (and a record of the read API) names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, utoipa::ToSchema)]
pub struct TokenTownship {
    pub id: String,
    pub name: String,
}

/// One integration token as the admin's page lists it (never its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, utoipa::ToSchema)]
pub struct IntegrationTokenRow {
    /// UUIDv7.
    pub id: String,
    /// The system it is for (扶贫监测系统).
    pub name: String,
    /// The townships it may read, in the programme's order.
    pub townships: Vec<TokenTownship>,
    /// The login of the admin who made it (`anju-office` for the command line).
    pub created_by: String,
    /// Who made it, as official records name them.
    pub created_by_display: Text,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// When a system last read with it (to the minute), if ever.
    pub last_used_at: Option<String>,
    /// When it was revoked; a revoked token reads nothing.
    pub revoked_at: Option<String>,
}

/// A token to make: the system's name and the townships (ids, or names) it may read.
#[derive(Debug, Clone, Default, Deserialize, TS, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewIntegrationToken {
    /// What the system is, 1–100 characters.
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    /// Township ids (or names), at least one.
    #[schema(min_items = 1, max_items = 200)]
    pub townships: Vec<String>,
}

/// A token just made, with its secret: shown this once, never again.
#[derive(Debug, Clone, Serialize, TS, utoipa::ToSchema)]
pub struct IntegrationTokenCreated {
    pub token: IntegrationTokenRow,
    /// Goes in `Authorization: Bearer` of the read API. The office keeps only its SHA-256.
    pub secret: String,
}

/// A token a read request carries, found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntegrationClient {
    pub id: String,
    pub name: String,
    /// The township ids it may read (never empty).
    pub townships: Vec<String>,
    /// Whether `last_used_at` is due to be written.
    pub touch: bool,
}

/// What a Bearer token is to the read API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenLookup {
    Valid(IntegrationClient),
    Revoked,
    /// A person's sign-in (a device's or the pages'): not for the read API.
    UserToken,
    Unknown,
}

fn new_secret() -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| IntegrationError::Random(e.to_string()))?;
    Ok(format!("{SECRET_PREFIX}{}", hex::encode(bytes)))
}

/// The townships asked for, by id or name, as ids: each must exist.
fn townships_of(db: &OfficeDb, asked: &[String]) -> Result<Vec<String>> {
    let mut ids: Vec<String> = Vec::new();
    for township in asked.iter().map(|t| t.trim()).filter(|t| !t.is_empty()) {
        let id: Option<String> = db
            .conn
            .query_row(
                "SELECT id FROM townships WHERE id = ?1 OR name = ?1
                 ORDER BY id = ?1 DESC LIMIT 1",
                [township],
                |r| r.get(0),
            )
            .optional()?;
        let id = id.ok_or_else(|| {
            IntegrationError::UnknownTownship(township.chars().take(50).collect())
        })?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    if ids.is_empty() {
        return Err(IntegrationError::NoTownship);
    }
    Ok(ids)
}

/// Make a token for `new.name` over its townships, by `created_by` (a login). Returns it
/// with its secret. The caller records it in the audit log, in the same transaction when
/// it can.
pub fn create(
    db: &mut OfficeDb,
    new: &NewIntegrationToken,
    created_by: &str,
    now: DateTime<Utc>,
) -> Result<IntegrationTokenCreated> {
    let name = new.name.trim();
    if name.is_empty() {
        return Err(IntegrationError::NoName);
    }
    let chars = name.chars().count();
    if chars > MAX_NAME_CHARS {
        return Err(IntegrationError::NameTooLong(chars));
    }
    if new.townships.len() > MAX_TOWNSHIPS {
        return Err(IntegrationError::TooManyTownships(new.townships.len()));
    }
    let townships = townships_of(db, &new.townships)?;
    let secret = new_secret()?;
    let id = Uuid::now_v7().to_string();
    let tx = db.conn.transaction()?;
    tx.execute(
        "INSERT INTO integration_tokens (id, name, token_sha256, created_by, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![id, name, token_hash(&secret), created_by, now.to_rfc3339()],
    )?;
    for township in &townships {
        tx.execute(
            "INSERT INTO integration_token_townships (token_id, township_id) VALUES (?1, ?2)",
            params![id, township],
        )?;
    }
    tx.commit()?;
    let token = get(db, &id)?;
    Ok(IntegrationTokenCreated { token, secret })
}

/// Revoke a token (at once: its next request is a 401). Revoking one already revoked
/// leaves it as it was.
pub fn revoke(db: &OfficeDb, id: &str, now: DateTime<Utc>) -> Result<IntegrationTokenRow> {
    let changed = db.conn.execute(
        "UPDATE integration_tokens SET revoked_at = ?1 WHERE id = ?2 AND revoked_at IS NULL",
        params![now.to_rfc3339(), id],
    )?;
    let token = get(db, id)?;
    if changed == 0 && token.revoked_at.is_none() {
        return Err(IntegrationError::NotFound(id.to_string()));
    }
    Ok(token)
}

/// One token by id.
pub fn get(db: &OfficeDb, id: &str) -> Result<IntegrationTokenRow> {
    list_where(db, Some(id))?
        .pop()
        .ok_or_else(|| IntegrationError::NotFound(id.chars().take(50).collect()))
}

/// Every token, the newest first.
pub fn list(db: &OfficeDb) -> Result<Vec<IntegrationTokenRow>> {
    list_where(db, None)
}

fn list_where(db: &OfficeDb, id: Option<&str>) -> Result<Vec<IntegrationTokenRow>> {
    let names = crate::names::Names::load(&db.conn)?;
    let mut stmt = db.conn.prepare_cached(
        "SELECT id, name, created_by, created_at, last_used_at, revoked_at
         FROM integration_tokens WHERE ?1 IS NULL OR id = ?1
         ORDER BY created_at DESC, id DESC",
    )?;
    let rows = stmt
        .query_map([id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, Option<String>>(5)?,
            ))
        })?
        .collect::<anju_sql::Result<Vec<_>>>()?;
    let mut stmt = db.conn.prepare_cached(
        "SELECT it.token_id, t.id, t.name FROM integration_token_townships it
         JOIN townships t ON t.id = it.township_id
         WHERE ?1 IS NULL OR it.token_id = ?1
         ORDER BY t.sort_order, t.name",
    )?;
    let mut townships: std::collections::HashMap<String, Vec<TokenTownship>> =
        std::collections::HashMap::new();
    for row in stmt.query_map([id], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
        ))
    })? {
        let (token, id, name) = row?;
        townships
            .entry(token)
            .or_default()
            .push(TokenTownship { id, name });
    }
    Ok(rows
        .into_iter()
        .map(
            |(id, name, created_by, created_at, last_used_at, revoked_at)| IntegrationTokenRow {
                townships: townships.remove(&id).unwrap_or_default(),
                created_by_display: names.of(&created_by),
                id,
                name,
                created_by,
                created_at,
                last_used_at,
                revoked_at,
            },
        )
        .collect())
}

/// What a secret is to the read API (a read: the caller writes the touch when asked to).
pub fn lookup(db: &OfficeDb, secret: &str, now: DateTime<Utc>) -> Result<TokenLookup> {
    let hash = token_hash(secret);
    let found: Option<(String, String, Option<String>, Option<String>)> = db
        .conn
        .query_row(
            "SELECT id, name, revoked_at, last_used_at FROM integration_tokens
             WHERE token_sha256 = ?1",
            [&hash],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    let Some((id, name, revoked, last_used)) = found else {
        let a_users: bool = db.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM device_tokens WHERE token_sha256 = ?1)",
            [&hash],
            |r| r.get(0),
        )?;
        return Ok(if a_users {
            TokenLookup::UserToken
        } else {
            TokenLookup::Unknown
        });
    };
    if revoked.is_some() {
        return Ok(TokenLookup::Revoked);
    }
    let mut stmt = db.conn.prepare_cached(
        "SELECT township_id FROM integration_token_townships WHERE token_id = ?1
         ORDER BY township_id",
    )?;
    let townships = stmt
        .query_map([&id], |r| r.get::<_, String>(0))?
        .collect::<anju_sql::Result<Vec<_>>>()?;
    if townships.is_empty() {
        // Never made so; a token that reads nothing is no token.
        return Ok(TokenLookup::Revoked);
    }
    let touch = last_used
        .as_deref()
        .and_then(crate::services::stored_time)
        .is_none_or(|seen| now - seen >= TOUCH_EVERY);
    Ok(TokenLookup::Valid(IntegrationClient {
        id,
        name,
        townships,
        touch,
    }))
}

/// Record that a token was used now.
pub fn touch(db: &OfficeDb, id: &str, now: DateTime<Utc>) -> Result<()> {
    db.conn.execute(
        "UPDATE integration_tokens SET last_used_at = ?1 WHERE id = ?2 AND revoked_at IS NULL",
        params![now.to_rfc3339(), id],
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
        crate::demo::load_users(&mut db).unwrap();
        (dir, db)
    }

    #[test]
    fn a_token_is_made_found_by_its_secret_and_revoked() {
        let (_dir, mut db) = office();
        let now = Utc::now();
        let made = create(
            &mut db,
            &NewIntegrationToken {
                name: " 扶贫监测系统 ".into(),
                townships: vec!["东河口镇".into(), "东河口镇".into()],
            },
            "admin",
            now,
        )
        .unwrap();
        assert!(made.secret.starts_with(SECRET_PREFIX));
        assert_eq!(made.token.name, "扶贫监测系统");
        assert_eq!(made.token.townships.len(), 1);
        assert_eq!(made.token.townships[0].name, "东河口镇");
        // Only the hash is stored.
        let stored: String = db
            .conn
            .query_row("SELECT token_sha256 FROM integration_tokens", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(stored, token_hash(&made.secret));
        assert!(!stored.contains(&made.secret));
        let TokenLookup::Valid(client) = lookup(&db, &made.secret, now).unwrap() else {
            panic!("the new token is valid");
        };
        assert_eq!(client.townships, vec![made.token.townships[0].id.clone()]);
        assert!(client.touch);
        touch(&db, &client.id, now).unwrap();
        let TokenLookup::Valid(client) = lookup(&db, &made.secret, now).unwrap() else {
            panic!("still valid");
        };
        assert!(!client.touch);
        assert_eq!(lookup(&db, "nothing", now).unwrap(), TokenLookup::Unknown);
        let revoked = revoke(&db, &client.id, now).unwrap();
        assert!(revoked.revoked_at.is_some());
        assert!(revoke(&db, &client.id, now).is_ok());
        assert_eq!(
            lookup(&db, &made.secret, now).unwrap(),
            TokenLookup::Revoked
        );
        assert!(matches!(
            revoke(&db, "no-such-id", now),
            Err(IntegrationError::NotFound(_))
        ));
        assert_eq!(list(&db).unwrap().len(), 1);
    }

    #[test]
    fn a_token_needs_a_name_and_known_townships() {
        let (_dir, mut db) = office();
        let now = Utc::now();
        let new = |name: &str, townships: &[&str]| NewIntegrationToken {
            name: name.into(),
            townships: townships.iter().map(|t| t.to_string()).collect(),
        };
        assert!(matches!(
            create(&mut db, &new("  ", &["东河口镇"]), "admin", now),
            Err(IntegrationError::NoName)
        ));
        assert!(matches!(
            create(
                &mut db,
                &new(&"长".repeat(101), &["东河口镇"]),
                "admin",
                now
            ),
            Err(IntegrationError::NameTooLong(101))
        ));
        assert!(matches!(
            create(&mut db, &new("统计", &[]), "admin", now),
            Err(IntegrationError::NoTownship)
        ));
        let error = create(&mut db, &new("统计", &["不存在镇"]), "admin", now).unwrap_err();
        assert!(error.to_string().contains("不存在镇"), "{error}");
        assert!(list(&db).unwrap().is_empty());
    }
}

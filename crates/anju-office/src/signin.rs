//! A sign-in, step by step: the slow-down first (before any work), the user read, the
//! password checked on the CPU pool (never while the database is held), then the token
//! written; lockouts and unlocks go to the audit log.

use std::net::IpAddr;
use std::sync::Arc;

use chrono::Utc;
use uuid::Uuid;

use crate::audit::{AuditAction, AuditEntry};
use crate::storage::{OfficeStore, StorageError};
use crate::throttle::{Lockout, LoginThrottle};
use crate::users::{self, LoginOutcome, TokenKind};
use crate::work::CpuPool;

/// One attempt to sign in.
#[derive(Debug, Clone)]
pub struct SignIn {
    pub name: String,
    pub password: String,
    pub device_id: Uuid,
    pub device_name: Option<String>,
    pub kind: TokenKind,
    pub client: IpAddr,
}

/// The longest name or password looked at: anything longer cannot be right, and argon2
/// should not hash megabytes.
const MAX_CREDENTIAL_CHARS: usize = 256;
/// The longest device name kept with a token.
const MAX_DEVICE_NAME_CHARS: usize = 64;

pub async fn sign_in(
    store: &Arc<dyn OfficeStore>,
    throttle: &LoginThrottle,
    cpu: &CpuPool,
    attempt: SignIn,
) -> Result<LoginOutcome, StorageError> {
    let SignIn {
        name,
        password,
        device_id,
        device_name,
        kind,
        client,
    } = attempt;
    let device_name: Option<String> =
        device_name.map(|n| n.chars().take(MAX_DEVICE_NAME_CHARS).collect());
    let name: String = name.chars().take(MAX_CREDENTIAL_CHARS).collect();
    let user = match check_password(store, throttle, cpu, &name, password, client).await? {
        PasswordCheck::Right(user) => user,
        PasswordCheck::Wrong => return Ok(LoginOutcome::Refused),
        PasswordCheck::Throttled { retry_at } => return Ok(LoginOutcome::Throttled { retry_at }),
    };
    let token = store
        .issue_token(user.clone(), device_id, device_name.clone(), kind)
        .await?;
    let entry = |action| {
        AuditEntry::by(&user, action)
            .client(client.to_string())
            .detail(device_name.clone().unwrap_or_default())
    };
    store.audit(entry(AuditAction::SignIn)).await?;
    Ok(LoginOutcome::Success { token, user })
}

/// What a password check said.
#[derive(Debug, Clone)]
pub enum PasswordCheck {
    Right(crate::users::AuthUser),
    Wrong,
    Throttled { retry_at: chrono::DateTime<Utc> },
}

/// A user's password checked as a sign-in checks it, with the same slow-down, counts and
/// audit entries (a team member setting their PIN gives theirs this way).
pub async fn check_password(
    store: &Arc<dyn OfficeStore>,
    throttle: &LoginThrottle,
    cpu: &CpuPool,
    name: &str,
    password: String,
    client: IpAddr,
) -> Result<PasswordCheck, StorageError> {
    // What the slow-down and the audit log keep of a name: bounded, whatever was sent.
    let too_long = name.chars().count() > MAX_CREDENTIAL_CHARS
        || password.chars().count() > MAX_CREDENTIAL_CHARS;
    let name: String = name.chars().take(MAX_CREDENTIAL_CHARS).collect();
    let _attempt = match throttle.begin(client, Utc::now()) {
        Ok(attempt) => attempt,
        Err(retry_at) => return Ok(PasswordCheck::Throttled { retry_at }),
    };
    if let Err(retry_at) = store.sign_in_wait(name.clone(), client, Utc::now()).await? {
        return Ok(PasswordCheck::Throttled { retry_at });
    }
    let candidate = if too_long {
        None
    } else {
        store.sign_in_candidate(name.clone()).await?
    };
    let (user, hash) = match candidate {
        Some((user, hash)) => (Some(user), Some(hash)),
        None => (None, None),
    };
    let password = if too_long { String::new() } else { password };
    let right = cpu
        .run(move || users::verify_password(&password, hash.as_deref()))
        .await
        .map_err(StorageError::Task)?;
    let user = match (right, user) {
        (true, Some(user)) => user,
        (_, user) => {
            for lockout in store
                .sign_in_failed(name.clone(), client, Utc::now())
                .await?
            {
                let (action, until) = match lockout {
                    Lockout::Name { until } => (AuditAction::Lockout, until),
                    Lockout::Address { until } => (AuditAction::AddressLockout, until),
                };
                store
                    .audit(AuditEntry {
                        actor: name.clone(),
                        user_id: user.as_ref().map(|u| u.id.clone()),
                        client: Some(client.to_string()),
                        action,
                        target: Some(name.clone()),
                        detail: format!("至 {} / until {}", until.to_rfc3339(), until.to_rfc3339()),
                    })
                    .await?;
            }
            return Ok(PasswordCheck::Wrong);
        }
    };
    if store.sign_in_succeeded(name.clone(), client).await? {
        store
            .audit(AuditEntry::by(&user, AuditAction::Unlock).client(client.to_string()))
            .await?;
    }
    Ok(PasswordCheck::Right(user))
}

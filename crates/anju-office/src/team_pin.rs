//! A team member sets their confirmation PIN on a device the team shares: the device's
//! signed-in inspector must be in the same 验收组, the member gives their own password
//! (checked as a sign-in, with its slow-down and counts), and the office keeps only the
//! PIN's argon2id verifier, which every member's device receives with the team.

use std::net::IpAddr;
use std::sync::Arc;

use anju_core::team::{PinError, Team};
use anju_core::wire::TeamPinRequest;
use chrono::Utc;

use crate::audit::{AuditAction, AuditEntry};
use crate::signin::{PasswordCheck, check_password};
use crate::storage::{OfficeStore, StorageError};
use crate::throttle::LoginThrottle;
use crate::users::AuthUser;
use crate::work::CpuPool;

#[derive(Debug, thiserror::Error)]
pub enum TeamPinError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Pin(#[from] PinError),
    #[error("你不在任何验收组中 / you are in no acceptance team")]
    NoTeam,
    #[error("“{0}”不是你所在验收组的成员 / '{0}' is not a member of your team")]
    NotTeammate(String),
    #[error("PIN无法加密 / the PIN cannot be hashed: {0}")]
    Hash(String),
}

/// What came of it.
#[derive(Debug, Clone)]
pub enum PinOutcome {
    /// The team with the member's new verifier.
    Set(Team),
    /// Wrong password (for the member's name, as a sign-in would say it).
    WrongPassword,
    Throttled {
        retry_at: chrono::DateTime<Utc>,
    },
}

pub async fn set_member_pin(
    store: &Arc<dyn OfficeStore>,
    throttle: &LoginThrottle,
    cpu: &CpuPool,
    caller: &AuthUser,
    request: TeamPinRequest,
    client: IpAddr,
) -> Result<PinOutcome, TeamPinError> {
    // The cheap checks first: a PIN that cannot be kept costs no password check.
    anju_core::team::check_pin(&request.pin)?;
    let team = store
        .team_of(caller.id.clone())
        .await?
        .ok_or(TeamPinError::NoTeam)?;
    if team.member(&request.member).is_none() {
        return Err(TeamPinError::NotTeammate(
            request.member.chars().take(32).collect(),
        ));
    }
    let member = match check_password(
        store,
        throttle,
        cpu,
        &request.member,
        request.password,
        client,
    )
    .await?
    {
        PasswordCheck::Right(member) => member,
        PasswordCheck::Wrong => return Ok(PinOutcome::WrongPassword),
        PasswordCheck::Throttled { retry_at } => return Ok(PinOutcome::Throttled { retry_at }),
    };
    let pin = request.pin;
    let verifier = cpu
        .run(move || crate::teams::make_verifier(&pin))
        .await
        .map_err(StorageError::Task)?
        .map_err(|e| TeamPinError::Hash(e.to_string()))?;
    store
        .set_pin_verifier(member.id.clone(), verifier, Utc::now())
        .await?;
    store
        .audit(
            AuditEntry::by(&member, AuditAction::PinSet)
                .client(client.to_string())
                .target(team.name.clone())
                .detail(format!(
                    "设备用户 {} / on {}'s device",
                    caller.name, caller.name
                )),
        )
        .await?;
    let team = store
        .team_of(caller.id.clone())
        .await?
        .ok_or(TeamPinError::NoTeam)?;
    Ok(PinOutcome::Set(team))
}

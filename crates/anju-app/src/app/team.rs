//! 验收组 on a shared device: each member confirms their own department's part of a
//! 区级验收 form with their own PIN, verified here, offline, against the verifier the
//! office sent with the team (`anju_core::team`); the signature then carries the member's
//! real name, department and account. Five wrong PINs lock the member out for a while.

use anju_core::form::{FormSchema, ItemKind, SignerRole};
use anju_core::model::{SignatureMethod, SignerIdentity, SubmissionKind};
use anju_core::team::{BootClock, Team, verify_pin};
use anju_media::{Signature, SignatureRecord, SignatureStyle};
use anju_store::Store;
use chrono::Utc;
use uuid::Uuid;

use super::{FieldApp, NewSignature, Result};
use crate::error::AppError;
use crate::views::{PinSigner, Signed, TeamMemberView, TeamView};

fn team_view(store: &Store, team: &Team) -> Result<TeamView> {
    let now = Utc::now();
    let mut members = Vec::with_capacity(team.members.len());
    for member in &team.members {
        let attempts = store.pin_attempts(&member.account)?;
        members.push(TeamMemberView {
            account: member.account.clone(),
            full_name: member.full_name.clone(),
            department: member.department,
            pin_set: member.pin_verifier.is_some(),
            locked_until: attempts.locked_at(now, boot_clock()),
        });
    }
    Ok(TeamView {
        name: team.name.clone(),
        members,
        missing: team.missing_departments(),
    })
}

impl FieldApp {
    /// The team held on this device, as the settings screen shows it.
    pub fn team(&self) -> Result<Option<TeamView>> {
        let store = self.store();
        store
            .team()?
            .map(|team| team_view(&store, &team))
            .transpose()
    }

    /// The slots of a draft that team members confirm with their PINs: on a 区级验收, each
    /// department's slot whose department has a member in the team held here. Other visits
    /// are made by one inspector, who signs by hand.
    pub(super) fn pin_signers(
        store: &Store,
        form: &FormSchema,
        kind: SubmissionKind,
    ) -> Result<Vec<PinSigner>> {
        if kind != SubmissionKind::Acceptance {
            return Ok(Vec::new());
        }
        match store.team()? {
            Some(team) => Self::team_pin_signers(store, &team, form),
            None => Ok(Vec::new()),
        }
    }

    /// The slots of an acceptance that `team`'s members confirm with their PINs.
    fn team_pin_signers(store: &Store, team: &Team, form: &FormSchema) -> Result<Vec<PinSigner>> {
        let now = Utc::now();
        let mut signers = Vec::new();
        for (_, item) in form.items() {
            let ItemKind::Signature {
                signer: SignerRole::Inspector(department),
            } = item.kind
            else {
                continue;
            };
            let Some(member) = team.member_of(department) else {
                continue;
            };
            let attempts = store.pin_attempts(&member.account)?;
            signers.push(PinSigner {
                slot: item.key.clone(),
                account: member.account.clone(),
                full_name: member.full_name.clone(),
                department,
                pin_set: member.pin_verifier.is_some(),
                locked_until: attempts.locked_at(now, boot_clock()),
                tries_left: attempts.remaining(),
            });
        }
        Ok(signers)
    }

    /// A team member confirms their department's slot: their PIN is verified here, with
    /// no network, then their strokes are drawn and bound to the form as it is now.
    pub fn sign_with_pin(
        &self,
        draft_id: Uuid,
        slot: &str,
        account: &str,
        pin: &str,
        signature: Signature,
        expected_revision: Option<i64>,
    ) -> Result<Signed> {
        let (member, team_id, verifier) = {
            let store = self.store();
            let draft = Self::checked_draft(&store, draft_id, expected_revision)?;
            let form = Self::form_of(&store, &draft)?;
            Self::check_signature_slot(&form, slot)?;
            let team = store.team()?.ok_or_else(|| {
                AppError::invalid("本机没有验收组，请同步", "no team on this device: sync")
            })?;
            let signers = if draft.kind == SubmissionKind::Acceptance {
                Self::team_pin_signers(&store, &team, &form)?
            } else {
                Vec::new()
            };
            let Some(signer) = signers.into_iter().find(|s| s.slot == slot) else {
                return Err(AppError::invalid(
                    "此栏不由验收组成员以PIN确认，请手写签字",
                    "this slot is not confirmed by a team member's PIN: sign by hand",
                ));
            };
            if signer.account != account {
                return Err(AppError::invalid(
                    format!(
                        "此栏须由{}的{}确认",
                        signer.department.label_zh(),
                        signer.full_name
                    ),
                    format!(
                        "this slot is confirmed by {} of {}",
                        signer.full_name,
                        signer.department.label_en()
                    ),
                ));
            }
            if let Some(until) = signer.locked_until {
                return Err(AppError::PinLocked {
                    until: china_clock(until),
                });
            }
            let member = team.member(account).cloned().ok_or_else(|| {
                AppError::invalid("此人不在验收组中，请同步", "not in the team: sync")
            })?;
            let Some(verifier) = member.pin_verifier.clone() else {
                return Err(AppError::invalid(
                    format!(
                        "{}尚未设置PIN：请在有网络时于“设置”→“验收组”中设置",
                        member.full_name
                    ),
                    format!(
                        "{} has no PIN yet: set one under Settings → Acceptance team while online",
                        member.full_name
                    ),
                ));
            };
            (member, team.id, verifier)
        };
        // Hashing takes tens of milliseconds: not while holding the store.
        let right = verify_pin(pin, &verifier).map_err(|e| {
            AppError::invalid(
                format!("PIN校验值无效，请同步后再试：{e}"),
                format!("the PIN verifier is not valid: sync and try again ({e})"),
            )
        })?;
        let mut store = self.store();
        let attempts = store.pin_attempts(&member.account)?;
        if !right {
            let after = attempts.after_failure(Utc::now(), boot_clock());
            store.set_pin_attempts(&member.account, after)?;
            return Err(match after.locked_until {
                Some(until) => AppError::PinLocked {
                    until: china_clock(until),
                },
                None => AppError::WrongPin {
                    tries_left: after.remaining(),
                },
            });
        }
        store.set_pin_attempts(&member.account, Default::default())?;
        let draft = Self::checked_draft(&store, draft_id, expected_revision)?;
        let signable = Self::signable(&draft.answers)?;
        let (record, png) = SignatureRecord::sign(signature, &signable, &SignatureStyle::default())
            .map_err(AppError::Signature)?;
        let image = store.put_blob(&png)?;
        debug_assert_eq!(image, record.png_sha256);
        self.save_signature(
            &mut store,
            &draft,
            NewSignature {
                slot,
                signer_name: &member.full_name,
                method: SignatureMethod::Handwritten,
                image_sha256: image,
                signed_content_sha256: signable,
                signer: Some(SignerIdentity {
                    own_device: false,
                    account: member.account.clone(),
                    department: member.department,
                    team_id,
                }),
            },
        )
    }

    /// A member sets their PIN with their own password, while the device is online; the
    /// team comes back with the new verifier and is kept.
    pub async fn set_member_pin(
        &self,
        account: &str,
        password: &str,
        pin: &str,
    ) -> Result<TeamView> {
        anju_core::team::check_pin(pin).map_err(|e| {
            let text = e.to_string();
            let (zh, en) = text.split_once(" / ").unwrap_or((&text, &text));
            AppError::invalid(zh, en)
        })?;
        let request = anju_core::wire::TeamPinRequest {
            member: account.trim().to_string(),
            password: password.to_string(),
            pin: pin.to_string(),
        };
        let team = anju_sync::set_team_pin(&self.store, &self.options.sync, &request).await?;
        let store = self.store();
        team_view(&store, &team)
    }
}

/// A time of day in China (UTC+8), as the screens say it.
fn china_clock(t: chrono::DateTime<Utc>) -> String {
    t.checked_add_signed(chrono::Duration::hours(8))
        .unwrap_or(t)
        .format("%H:%M")
        .to_string()
}

/// The device's boot clock, where the system gives it (Linux and Android: the boot's id and
/// the time since it); `None` elsewhere, and then the wall clock alone times a lock-out.
fn boot_clock() -> Option<BootClock> {
    let id = std::fs::read_to_string("/proc/sys/kernel/random/boot_id").ok()?;
    let uptime = std::fs::read_to_string("/proc/uptime").ok()?;
    let seconds: f64 = uptime.split_whitespace().next()?.parse().ok()?;
    if !seconds.is_finite() || seconds < 0.0 {
        return None;
    }
    // The id is a UUID; its first 16 hex digits tell one boot from the next.
    let hex: String = id
        .chars()
        .filter(char::is_ascii_hexdigit)
        .take(16)
        .collect();
    Some(BootClock {
        boot: u64::from_str_radix(&hex, 16).ok()?,
        // Whole milliseconds of a day count fit easily; the cast saturates on anything wild.
        uptime_ms: (seconds * 1000.0) as u64,
    })
}

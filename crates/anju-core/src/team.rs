//! 验收组: the district's acceptance team, one member per department (扶贫办, 发改委,
//! 国土局, 住建局), each a user of their department. On a device the team shares, each
//! member confirms their own department's part of the form with a PIN of their own,
//! verified offline against a verifier the office sends with the team (argon2id, never the
//! PIN itself).
//!
//! The rules here are shared: the office checks a PIN before it makes its verifier, the
//! device verifies a PIN and counts wrong ones, and both check a team as it travels.
//! Making a verifier needs randomness (a salt), so it is the office's (`anju-office`).

use argon2::password_hash::{PasswordHash, PasswordVerifier};
use argon2::{Argon2, Params};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::model::Department;

/// A PIN is this many digits.
pub const PIN_DIGITS: usize = 6;
/// Wrong PINs in a row before a member is locked out on a device …
pub const MAX_PIN_FAILURES: u32 = 5;
/// … for this long.
pub const PIN_LOCK_MINUTES: i64 = 15;
/// A team has at most this many members: one per department.
pub const MAX_TEAM_MEMBERS: usize = 4;
/// A team's name, in characters.
pub const MAX_TEAM_NAME_CHARS: usize = 40;
/// The most memory (KiB), passes and lanes a verifier may ask of a device: a verifier that
/// came over the network must not make a phone hash for minutes or run out of memory.
pub const MAX_VERIFIER_MEMORY_KIB: u32 = 65_536;
pub const MAX_VERIFIER_PASSES: u32 = 4;
pub const MAX_VERIFIER_LANES: u32 = 2;
/// The longest verifier string kept.
const MAX_VERIFIER_CHARS: usize = 200;

/// One member of a team as every member's device receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TeamMember {
    /// The login, for the office's records.
    pub account: String,
    /// 姓名, as the signature carries it.
    pub full_name: String,
    /// `poverty`, `reform`, `land` or `housing`.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub department: Department,
    /// argon2id of the member's PIN (a PHC string); absent until the member sets one.
    #[cfg_attr(feature = "ts", ts(skip))]
    pub pin_verifier: Option<String>,
}

/// 验收组.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Team {
    pub id: Uuid,
    pub name: String,
    pub members: Vec<TeamMember>,
}

impl Team {
    pub fn member(&self, account: &str) -> Option<&TeamMember> {
        self.members.iter().find(|m| m.account == account)
    }

    /// The member who answers for a department, if the team has one.
    pub fn member_of(&self, department: Department) -> Option<&TeamMember> {
        self.members.iter().find(|m| m.department == department)
    }

    /// The departments the team lacks.
    pub fn missing_departments(&self) -> Vec<Department> {
        Department::ALL
            .into_iter()
            .filter(|d| self.member_of(*d).is_none())
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PinError {
    #[error("PIN须为{PIN_DIGITS}位数字 / a PIN is {PIN_DIGITS} digits")]
    NotDigits,
    #[error(
        "PIN太容易猜到：不能是同一数字或连续数字 / the PIN is too easy to guess: not one digit repeated nor a run"
    )]
    TooSimple,
    #[error("PIN校验值无效 / the PIN verifier is not valid")]
    BadVerifier,
}

/// A PIN the office accepts: six digits, not `000000`, `123456` or `654321` and the like.
pub fn check_pin(pin: &str) -> Result<(), PinError> {
    let digits: Vec<u8> = pin.bytes().collect();
    if digits.len() != PIN_DIGITS || !digits.iter().all(u8::is_ascii_digit) {
        return Err(PinError::NotDigits);
    }
    let steps: Vec<i16> = digits
        .windows(2)
        .map(|w| i16::from(w[1]) - i16::from(w[0]))
        .collect();
    let same_step = steps.iter().all(|s| *s == steps[0]);
    if same_step && matches!(steps[0], -1..=1) {
        return Err(PinError::TooSimple);
    }
    Ok(())
}

/// Every PIN `check_pin` refuses as too simple although it is six digits: one digit six
/// times, and six digits each one up or one down from the last (for the API's schema).
pub fn too_simple_pins() -> Vec<String> {
    let run = |first: i16, step: i16| -> Option<String> {
        (0..6i16)
            .map(|i| {
                u32::try_from(first + step * i)
                    .ok()
                    .and_then(|d| char::from_digit(d, 10))
            })
            .collect()
    };
    (0..10i16)
        .flat_map(|first| [run(first, 0), run(first, 1), run(first, -1)])
        .flatten()
        .collect()
}

/// The argon2 parameters of a verifier, if they are within what a device will compute.
fn bounded_params(hash: &PasswordHash<'_>) -> Result<Params, PinError> {
    if hash.algorithm.as_str() != "argon2id" {
        return Err(PinError::BadVerifier);
    }
    let params = Params::try_from(hash).map_err(|_| PinError::BadVerifier)?;
    if params.m_cost() > MAX_VERIFIER_MEMORY_KIB
        || params.t_cost() > MAX_VERIFIER_PASSES
        || params.p_cost() > MAX_VERIFIER_LANES
    {
        return Err(PinError::BadVerifier);
    }
    Ok(params)
}

/// A verifier a device may keep and use: an argon2id PHC string within the bounds above.
pub fn check_verifier(verifier: &str) -> Result<(), PinError> {
    if verifier.len() > MAX_VERIFIER_CHARS {
        return Err(PinError::BadVerifier);
    }
    let hash = PasswordHash::new(verifier).map_err(|_| PinError::BadVerifier)?;
    // Without a salt and an output there is nothing to verify against.
    if hash.salt.is_none() || hash.hash.is_none() {
        return Err(PinError::BadVerifier);
    }
    bounded_params(&hash).map(|_| ())
}

/// Whether `pin` is the PIN of this verifier. CPU-heavy (tens of milliseconds).
pub fn verify_pin(pin: &str, verifier: &str) -> Result<bool, PinError> {
    check_verifier(verifier)?;
    let hash = PasswordHash::new(verifier).map_err(|_| PinError::BadVerifier)?;
    // A PIN of the wrong shape cannot be right; it is not hashed.
    if pin.len() != PIN_DIGITS || !pin.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(false);
    }
    Ok(Argon2::default()
        .verify_password(pin.as_bytes(), &hash)
        .is_ok())
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TeamError {
    #[error(
        "验收组名称须为1到{MAX_TEAM_NAME_CHARS}个字 / a team's name is 1 to {MAX_TEAM_NAME_CHARS} characters"
    )]
    BadName,
    #[error("验收组至多{MAX_TEAM_MEMBERS}名成员 / a team has at most {MAX_TEAM_MEMBERS} members")]
    TooManyMembers,
    #[error("验收组没有成员 / the team has no members")]
    NoMembers,
    #[error("成员“{0}”重复 / member '{0}' is listed twice")]
    DuplicateMember(String),
    #[error("成员“{0}”的账号或姓名无效 / member '{0}' has no valid account or name")]
    BadMember(String),
    #[error("成员“{0}”的PIN校验值无效 / member '{0}' has no valid PIN verifier")]
    BadVerifier(String),
    #[error("{0}有两名成员：每个部门一人 / {0} has two members: one per department")]
    DepartmentTwice(&'static str),
}

/// A login as the office makes them: 1 to 32 letters, digits, `_`, `.` or `-`.
pub fn valid_account(account: &str) -> bool {
    (1..=32).contains(&account.len())
        && account
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

fn valid_text(text: &str, max: usize) -> bool {
    let count = text.chars().count();
    !text.trim().is_empty() && count <= max && !text.chars().any(char::is_control)
}

/// A team's name and size: what the office checks before it looks its members up, and what
/// `check_team` checks first.
pub fn check_team_shape(name: &str, members: usize) -> Result<(), TeamError> {
    if !valid_text(name, MAX_TEAM_NAME_CHARS) {
        return Err(TeamError::BadName);
    }
    if members == 0 {
        return Err(TeamError::NoMembers);
    }
    if members > MAX_TEAM_MEMBERS {
        return Err(TeamError::TooManyMembers);
    }
    Ok(())
}

/// A team as it travels: checked by the device before it keeps it, and by the office
/// before it sends it.
pub fn check_team(team: &Team) -> Result<(), TeamError> {
    check_team_shape(&team.name, team.members.len())?;
    for (i, member) in team.members.iter().enumerate() {
        if !valid_account(&member.account)
            || !valid_text(&member.full_name, crate::records::MAX_NAME_CHARS)
        {
            return Err(TeamError::BadMember(
                member.account.chars().take(32).collect(),
            ));
        }
        if team.members[..i]
            .iter()
            .any(|m| m.account == member.account)
        {
            return Err(TeamError::DuplicateMember(member.account.clone()));
        }
        if team.members[..i]
            .iter()
            .any(|m| m.department == member.department)
        {
            return Err(TeamError::DepartmentTwice(member.department.label_zh()));
        }
        if let Some(verifier) = &member.pin_verifier
            && check_verifier(verifier).is_err()
        {
            return Err(TeamError::BadVerifier(member.account.clone()));
        }
    }
    Ok(())
}

/// A reading of the device's clock since it started (Linux's boot clock, on Android too):
/// unlike the wall clock, setting the phone's date and time does not move it. `boot` tells
/// one start of the device from the next.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BootClock {
    pub boot: u64,
    pub uptime_ms: u64,
}

/// Wrong PINs counted on a device, per member.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PinAttempts {
    pub failures: u32,
    pub locked_until: Option<DateTime<Utc>>,
    /// The same lock-out on the boot clock, when the device has one: while the device has
    /// not restarted, it decides, so that setting the phone's time forward does not lift it.
    pub locked_until_boot: Option<BootClock>,
}

impl PinAttempts {
    /// When the member may try again, if they are locked out now.
    pub fn locked_at(&self, now: DateTime<Utc>, boot: Option<BootClock>) -> Option<DateTime<Utc>> {
        if let (Some(lock), Some(clock)) = (self.locked_until_boot, boot)
            && lock.boot == clock.boot
        {
            let left = lock.uptime_ms.saturating_sub(clock.uptime_ms);
            let left = Duration::milliseconds(i64::try_from(left).unwrap_or(i64::MAX));
            return (left > Duration::zero()).then(|| now.checked_add_signed(left).unwrap_or(now));
        }
        self.locked_until.filter(|until| *until > now)
    }

    /// After a wrong PIN: the fifth in a row locks the member out for a while, and the
    /// count starts again.
    pub fn after_failure(self, now: DateTime<Utc>, boot: Option<BootClock>) -> Self {
        let failures = self.failures.saturating_add(1);
        if failures >= MAX_PIN_FAILURES {
            let lock = Duration::minutes(PIN_LOCK_MINUTES);
            Self {
                failures: 0,
                locked_until: Some(now + lock),
                locked_until_boot: boot.map(|clock| BootClock {
                    boot: clock.boot,
                    uptime_ms: clock
                        .uptime_ms
                        .saturating_add(u64::try_from(lock.num_milliseconds()).unwrap_or(0)),
                }),
            }
        } else {
            Self {
                failures,
                locked_until: None,
                locked_until_boot: None,
            }
        }
    }

    /// Tries left before the lock-out.
    pub fn remaining(&self) -> u32 {
        MAX_PIN_FAILURES.saturating_sub(self.failures)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_too_simple_pins_are_exactly_those_check_pin_refuses() {
        let simple: std::collections::HashSet<String> = too_simple_pins().into_iter().collect();
        assert_eq!(simple.len(), 20);
        assert!(
            simple.contains("000000") && simple.contains("456789") && simple.contains("987654")
        );
        for n in 0..1_000_000u32 {
            let pin = format!("{n:06}");
            assert_eq!(check_pin(&pin).is_err(), simple.contains(&pin), "{pin}");
        }
    }
    use argon2::password_hash::{PasswordHasher, SaltString};

    fn verifier(pin: &str) -> String {
        let salt = SaltString::encode_b64(b"0123456789abcdef").unwrap();
        Argon2::default()
            .hash_password(pin.as_bytes(), &salt)
            .unwrap()
            .to_string()
    }

    #[test]
    fn pins_are_six_digits_and_not_trivial() {
        assert_eq!(check_pin("12345"), Err(PinError::NotDigits));
        assert_eq!(check_pin("12a456"), Err(PinError::NotDigits));
        assert_eq!(check_pin("１２３４５６"), Err(PinError::NotDigits));
        assert_eq!(check_pin("000000"), Err(PinError::TooSimple));
        assert_eq!(check_pin("123456"), Err(PinError::TooSimple));
        assert_eq!(check_pin("987654"), Err(PinError::TooSimple));
        assert_eq!(check_pin("246810"), Ok(()));
        assert_eq!(check_pin("135790"), Ok(()));
        assert_eq!(check_pin("582913"), Ok(()));
    }

    #[test]
    fn a_pin_is_verified_against_its_verifier_only() {
        let v = verifier("582913");
        assert_eq!(verify_pin("582913", &v), Ok(true));
        assert_eq!(verify_pin("582914", &v), Ok(false));
        assert_eq!(verify_pin("58291", &v), Ok(false));
        assert_eq!(
            verify_pin("582913", "not a hash"),
            Err(PinError::BadVerifier)
        );
    }

    #[test]
    fn a_verifier_that_would_cost_a_device_too_much_is_refused() {
        let salt = SaltString::encode_b64(b"0123456789abcdef").unwrap();
        // Hashing with the greedy parameters would take the memory they ask for: the
        // hostile string is made from a cheap one.
        let cheap = Argon2::new(
            argon2::Algorithm::Argon2id,
            argon2::Version::V0x13,
            Params::new(8, 1, 1, None).unwrap(),
        )
        .hash_password(b"582913", &salt)
        .unwrap()
        .to_string();
        let hostile = cheap.replace("m=8,", &format!("m={},", MAX_VERIFIER_MEMORY_KIB * 4));
        assert_eq!(check_verifier(&hostile), Err(PinError::BadVerifier));
        assert_eq!(verify_pin("582913", &hostile), Err(PinError::BadVerifier));
        let argon2i = cheap.replace("$argon2id$", "$argon2i$");
        assert_eq!(check_verifier(&argon2i), Err(PinError::BadVerifier));
        assert_eq!(check_verifier(&cheap), Ok(()));
    }

    #[test]
    fn five_wrong_pins_lock_a_member_out_for_a_while() {
        let now = Utc::now();
        let mut attempts = PinAttempts::default();
        for left in (1..MAX_PIN_FAILURES).rev() {
            attempts = attempts.after_failure(now, None);
            assert_eq!(attempts.remaining(), left);
            assert_eq!(attempts.locked_at(now, None), None);
        }
        attempts = attempts.after_failure(now, None);
        let until = attempts.locked_at(now, None).unwrap();
        assert_eq!(until, now + Duration::minutes(PIN_LOCK_MINUTES));
        assert_eq!(attempts.locked_at(until, None), None);
        assert_eq!(attempts.remaining(), MAX_PIN_FAILURES);
    }

    #[test]
    fn setting_the_phone_clock_forward_does_not_lift_a_lock_out() {
        let now = Utc::now();
        let booted = |uptime_ms| Some(BootClock { boot: 7, uptime_ms });
        let mut attempts = PinAttempts::default();
        for _ in 0..MAX_PIN_FAILURES {
            attempts = attempts.after_failure(now, booted(60_000));
        }
        // A minute later by the boot clock, with the phone's date set a day ahead.
        let tomorrow = now + Duration::days(1);
        let until = attempts.locked_at(tomorrow, booted(120_000)).unwrap();
        assert_eq!(until, tomorrow + Duration::minutes(PIN_LOCK_MINUTES - 1));
        // Fifteen minutes on the boot clock lift it, whatever the phone's time says.
        let later = 60_000 + 15 * 60_000;
        assert_eq!(
            attempts.locked_at(now - Duration::days(1), booted(later)),
            None
        );
        // After a restart only the wall clock is left.
        let restarted = Some(BootClock {
            boot: 8,
            uptime_ms: 5_000,
        });
        assert!(attempts.locked_at(now, restarted).is_some());
        assert_eq!(attempts.locked_at(tomorrow, restarted), None);
    }

    #[test]
    fn a_team_is_checked_as_it_travels() {
        let member = |account: &str, department| TeamMember {
            account: account.into(),
            full_name: "陈立华".into(),
            department,
            pin_verifier: Some(verifier("582913")),
        };
        let mut team = Team {
            id: Uuid::now_v7(),
            name: "东河口镇验收组".into(),
            members: vec![
                member("chen", Department::Poverty),
                member("li", Department::Reform),
            ],
        };
        assert_eq!(check_team(&team), Ok(()));
        assert_eq!(
            team.missing_departments(),
            vec![Department::Land, Department::Housing]
        );
        team.members.push(member("chen", Department::Land));
        assert_eq!(
            check_team(&team),
            Err(TeamError::DuplicateMember("chen".into()))
        );
        team.members.pop();
        team.members.push(member("wang", Department::Poverty));
        assert_eq!(check_team(&team), Err(TeamError::DepartmentTwice("扶贫办")));
        team.members.pop();
        team.members[0].pin_verifier = Some("$argon2id$garbage".into());
        assert_eq!(
            check_team(&team),
            Err(TeamError::BadVerifier("chen".into()))
        );
        team.members[0].pin_verifier = None;
        team.members[1].account = "li wei".into();
        assert!(matches!(check_team(&team), Err(TeamError::BadMember(_))));
        team.members[1].account = "li".into();
        team.name = " ".into();
        assert_eq!(check_team(&team), Err(TeamError::BadName));
    }
}

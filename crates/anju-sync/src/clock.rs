//! The device's side of the trusted clock: reading the since-boot clock, keeping the
//! anchor measured at the last contact with the office, and giving records their time.

use std::path::Path;

use anju_core::clock::{BootClock, ClockAnchor, unanchored_reading};
use anju_core::model::ClockReading;
use anju_store::{Store, StoreError};
use chrono::{DateTime, Utc};

use crate::state;

/// The since-boot clock on Linux and Android, if `/proc` has it.
pub fn boot_clock() -> Option<BootClock> {
    read_boot_clock(Path::new("/proc"))
}

pub(crate) fn read_boot_clock(proc_dir: &Path) -> Option<BootClock> {
    let boot_id = std::fs::read_to_string(proc_dir.join("sys/kernel/random/boot_id")).ok()?;
    let uptime = std::fs::read_to_string(proc_dir.join("uptime")).ok()?;
    parse_boot_clock(&boot_id, &uptime)
}

/// `boot_id` is a UUID line; `/proc/uptime` is "seconds-up seconds-idle", e.g. "350735.47 234388.90".
pub(crate) fn parse_boot_clock(boot_id: &str, uptime: &str) -> Option<BootClock> {
    let boot_id = boot_id.trim();
    if boot_id.is_empty() {
        return None;
    }
    let up = uptime.split_whitespace().next()?;
    let (whole, fraction) = up.split_once('.').unwrap_or((up, ""));
    let seconds: i64 = whole.parse().ok()?;
    let mut fraction: String = fraction.chars().take(3).collect();
    while fraction.len() < 3 {
        fraction.push('0');
    }
    let millis: i64 = fraction.parse().ok()?;
    Some(BootClock {
        boot_id: boot_id.to_string(),
        uptime_ms: seconds.checked_mul(1000)?.checked_add(millis)?,
    })
}

/// The anchor stored at the last contact with the office, if any.
pub fn load_anchor(store: &Store) -> Result<Option<ClockAnchor>, StoreError> {
    match store.sync_value(state::CLOCK_ANCHOR)? {
        Some(text) if !text.is_empty() => Ok(serde_json::from_str(&text).ok()),
        _ => Ok(None),
    }
}

pub(crate) fn save_anchor(store: &mut Store, anchor: &ClockAnchor) -> Result<(), StoreError> {
    store.set_sync_value(state::CLOCK_ANCHOR, &serde_json::to_string(anchor)?)
}

/// The time to put on a record made now: device time, trusted (office-anchored) time and
/// offset. Without an anchor the record has only the device time.
pub fn trusted_reading(
    store: &Store,
    device_now: DateTime<Utc>,
) -> Result<ClockReading, StoreError> {
    Ok(match load_anchor(store)? {
        Some(anchor) => anchor.reading(device_now, boot_clock().as_ref()),
        None => unanchored_reading(device_now),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proc_files_are_parsed() {
        let clock = parse_boot_clock(
            "0f3c2a9e-1d2b-4c5d-8e9f-a0b1c2d3e4f5\n",
            "350735.47 234388.90\n",
        )
        .unwrap_or_else(|| panic!("parsed"));
        assert_eq!(clock.boot_id, "0f3c2a9e-1d2b-4c5d-8e9f-a0b1c2d3e4f5");
        assert_eq!(clock.uptime_ms, 350_735_470);
        assert_eq!(
            parse_boot_clock("x", "12 3").map(|c| c.uptime_ms),
            Some(12_000)
        );
        assert_eq!(parse_boot_clock("", "12.5 3"), None);
        assert_eq!(parse_boot_clock("x", "soon"), None);
    }

    #[test]
    fn this_machine_has_a_boot_clock_when_proc_exists() {
        if Path::new("/proc/uptime").exists() {
            let first = boot_clock().unwrap_or_else(|| panic!("boot clock"));
            let second = boot_clock().unwrap_or_else(|| panic!("boot clock"));
            assert_eq!(first.boot_id, second.boot_id);
            assert!(second.uptime_ms >= first.uptime_ms);
        }
    }
}

//! The trusted clock. Phone clocks are easy to set wrong (by mistake or on purpose), so
//! at each contact with the office the device keeps the office's time beside its own
//! clocks. Later, a record's time is the office's time carried forward by the time the
//! device has been running since (which the user cannot change); the wall clock is used
//! only when the device has restarted since the anchor.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::model::ClockReading;

/// A reading of the device's since-boot clock: it only moves forward while the device is
/// up, whatever the user does to the wall clock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BootClock {
    /// Changes at every boot (Linux and Android: `/proc/sys/kernel/random/boot_id`).
    pub boot_id: String,
    /// Milliseconds since boot.
    pub uptime_ms: i64,
}

/// The office's time at the last contact, with the device's clocks at that moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockAnchor {
    pub server_time: DateTime<Utc>,
    /// The device's wall clock at the moment the server's time applied.
    pub device_time: DateTime<Utc>,
    pub boot: Option<BootClock>,
}

impl ClockAnchor {
    /// Anchor from one request: `server_time` was read between `sent` and `received`
    /// (device wall clock); half the round trip is the best estimate of when.
    pub fn from_contact(
        server_time: DateTime<Utc>,
        sent: DateTime<Utc>,
        received: DateTime<Utc>,
        boot: Option<BootClock>,
    ) -> Self {
        let half_trip = (received - sent).max(Duration::zero()) / 2;
        Self {
            server_time,
            device_time: sent + half_trip,
            boot,
        }
    }

    /// device − office, in milliseconds, at the anchor.
    pub fn offset_ms(&self) -> i64 {
        (self.device_time - self.server_time).num_milliseconds()
    }

    /// The time of a record made now.
    pub fn reading(&self, device_now: DateTime<Utc>, boot_now: Option<&BootClock>) -> ClockReading {
        let carried_forward = match (&self.boot, boot_now) {
            (Some(then), Some(now))
                if then.boot_id == now.boot_id && now.uptime_ms >= then.uptime_ms =>
            {
                Some(self.server_time + Duration::milliseconds(now.uptime_ms - then.uptime_ms))
            }
            _ => None,
        };
        let trusted = carried_forward
            .unwrap_or_else(|| device_now - Duration::milliseconds(self.offset_ms()));
        ClockReading {
            device_time: device_now,
            trusted_time: Some(trusted),
            offset_ms: Some((device_now - trusted).num_milliseconds()),
        }
    }
}

/// The time of a record on a device that has never reached the office.
pub fn unanchored_reading(device_now: DateTime<Utc>) -> ClockReading {
    ClockReading {
        device_time: device_now,
        trusted_time: None,
        offset_ms: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_504_483_200 + seconds, 0).unwrap()
    }

    fn boot(id: &str, uptime_s: i64) -> BootClock {
        BootClock {
            boot_id: id.into(),
            uptime_ms: uptime_s * 1000,
        }
    }

    #[test]
    fn the_round_trip_is_split() {
        // Device clock 10 minutes fast; request took 2 s.
        let anchor = ClockAnchor::from_contact(t(0), t(599), t(601), None);
        assert_eq!(anchor.offset_ms(), 600_000);
        let reading = anchor.reading(t(700), None);
        assert_eq!(reading.trusted_time, Some(t(100)));
        assert!(reading.clock_is_off());
    }

    #[test]
    fn a_wall_clock_changed_after_the_anchor_is_caught() {
        // At the anchor the clock was right; then the user set it back a day.
        let anchor = ClockAnchor::from_contact(t(0), t(0), t(0), Some(boot("b1", 1000)));
        let reading = anchor.reading(t(3600 - 86_400), Some(&boot("b1", 1000 + 3600)));
        assert_eq!(reading.trusted_time, Some(t(3600)));
        assert_eq!(reading.offset_ms, Some(-86_400_000));
        assert!(reading.clock_is_off());
    }

    #[test]
    fn after_a_reboot_the_anchor_offset_is_used() {
        let anchor = ClockAnchor::from_contact(t(0), t(30), t(30), Some(boot("b1", 1000)));
        let reading = anchor.reading(t(5030), Some(&boot("b2", 60)));
        assert_eq!(reading.trusted_time, Some(t(5000)));
        assert_eq!(reading.offset_ms, Some(30_000));
        assert!(!reading.clock_is_off());
    }

    #[test]
    fn without_an_anchor_there_is_no_trusted_time() {
        let reading = unanchored_reading(t(0));
        assert_eq!(reading.trusted_time, None);
        assert!(!reading.clock_is_off());
    }
}

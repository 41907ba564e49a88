//! Where a photo was taken and a form submitted, as evidence: the device's position fix with
//! its accuracy and time, or why there was none; a household's coordinates from the roster;
//! and the distance between the two.
//!
//! Positions are WGS 84 degrees, north and east positive, as the webview's
//! `navigator.geolocation` (and Tauri's geolocation plugin on phones) report them.

use std::fmt;

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

/// A photo taken farther than this from the household's coordinates (from the roster) is
/// flagged to the office. A constant rather than a district-policy field: adding a field to
/// the policy would change the content hash of every stored policy version. 200 m covers a
/// house and its yard with a phone's usual error (5–50 m) and a roster's coordinates taken
/// at the gate or the site's centre.
pub const PHOTO_DISTANCE_LIMIT_M: f64 = 200.0;

/// The largest accuracy radius kept; a fix worse than 100 km says nothing about a house.
pub const MAX_ACCURACY_M: f64 = 100_000.0;

/// Mean Earth radius (IUGG), in metres.
const EARTH_RADIUS_M: f64 = 6_371_008.8;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LocationError {
    #[error("纬度 {0} 不是 −90 到 90 之间的数 / latitude {0} is not a number within −90 to 90")]
    Latitude(String),
    #[error(
        "经度 {0} 不是 −180 到 180 之间的数 / longitude {0} is not a number within −180 to 180"
    )]
    Longitude(String),
    #[error("定位精度 {0} 米不合理（0–100000） / an accuracy of {0} m is not plausible (0–100000)")]
    Accuracy(String),
}

fn check_lat_lon(latitude: f64, longitude: f64) -> Result<(), LocationError> {
    if !latitude.is_finite() || latitude.abs() > 90.0 {
        return Err(LocationError::Latitude(latitude.to_string()));
    }
    if !longitude.is_finite() || longitude.abs() > 180.0 {
        return Err(LocationError::Longitude(longitude.to_string()));
    }
    Ok(())
}

/// A place on the ground: a household's house or a site, as the roster gives it.
///
/// Always finite and in range (checked when read from JSON and by [`Coordinates::new`]),
/// which is why it can be `Eq`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(try_from = "RawCoordinates")]
pub struct Coordinates {
    pub latitude: f64,
    pub longitude: f64,
}

impl Eq for Coordinates {}

#[derive(Deserialize)]
struct RawCoordinates {
    latitude: f64,
    longitude: f64,
}

impl TryFrom<RawCoordinates> for Coordinates {
    type Error = LocationError;
    fn try_from(raw: RawCoordinates) -> Result<Self, LocationError> {
        Self::new(raw.latitude, raw.longitude)
    }
}

impl Coordinates {
    pub fn new(latitude: f64, longitude: f64) -> Result<Self, LocationError> {
        check_lat_lon(latitude, longitude)?;
        Ok(Self {
            latitude,
            longitude,
        })
    }

    /// Great-circle distance in metres (haversine on the mean sphere: within 0.5% of the
    /// ellipsoid, far below a phone's error at the distances that matter here).
    pub fn distance_m(&self, other: &Coordinates) -> f64 {
        let (phi1, phi2) = (self.latitude.to_radians(), other.latitude.to_radians());
        let d_phi = phi2 - phi1;
        let d_lambda = (other.longitude - self.longitude).to_radians();
        let a =
            (d_phi / 2.0).sin().powi(2) + phi1.cos() * phi2.cos() * (d_lambda / 2.0).sin().powi(2);
        2.0 * EARTH_RADIUS_M * a.sqrt().min(1.0).asin()
    }
}

impl fmt::Display for Coordinates {
    /// `31.7650°N 116.5100°E`: four decimals are about 11 m, finer than a phone's fix.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ns = if self.latitude >= 0.0 { 'N' } else { 'S' };
        let ew = if self.longitude >= 0.0 { 'E' } else { 'W' };
        write!(
            f,
            "{:.4}°{ns} {:.4}°{ew}",
            self.latitude.abs(),
            self.longitude.abs()
        )
    }
}

/// A position fix of the device: where, how sure (radius in metres at 68%, as the
/// Geolocation API reports it), and when the fix was made (the position source's clock).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Position {
    pub latitude: f64,
    pub longitude: f64,
    pub accuracy_m: f64,
    pub fixed_at: DateTime<Utc>,
}

impl Position {
    pub fn check(&self) -> Result<(), LocationError> {
        check_lat_lon(self.latitude, self.longitude)?;
        if !self.accuracy_m.is_finite() || !(0.0..=MAX_ACCURACY_M).contains(&self.accuracy_m) {
            return Err(LocationError::Accuracy(self.accuracy_m.to_string()));
        }
        Ok(())
    }

    pub fn coordinates(&self) -> Result<Coordinates, LocationError> {
        Coordinates::new(self.latitude, self.longitude)
    }
}

/// Why there is no position: the Geolocation API's three error codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NoFixReason {
    /// PERMISSION_DENIED (1): the inspector or the system refused location.
    Denied,
    /// TIMEOUT (3): no fix within the time allowed.
    Timeout,
    /// POSITION_UNAVAILABLE (2), or no location service at all.
    Unavailable,
}

impl NoFixReason {
    pub const ALL: [NoFixReason; 3] = [Self::Denied, Self::Timeout, Self::Unavailable];

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Denied => "已拒绝",
            Self::Timeout => "超时",
            Self::Unavailable => "不可用",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Self::Denied => "denied",
            Self::Timeout => "timed out",
            Self::Unavailable => "unavailable",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Denied => "denied",
            Self::Timeout => "timeout",
            Self::Unavailable => "unavailable",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == code)
    }
}

/// The device's position when a photo was taken or a form submitted, or why it had none.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fix {
    Position(Position),
    NoFix { reason: NoFixReason },
}

impl Fix {
    pub fn check(&self) -> Result<(), LocationError> {
        match self {
            Self::Position(position) => position.check(),
            Self::NoFix { .. } => Ok(()),
        }
    }

    pub fn position(&self) -> Option<&Position> {
        match self {
            Self::Position(position) => Some(position),
            Self::NoFix { .. } => None,
        }
    }

    /// The watermark's words for it: `31.7650°N 116.5100°E ±12 m` or `无定位（超时）`.
    pub fn watermark_text(&self) -> Result<String, LocationError> {
        match self {
            Self::Position(position) => {
                position.check()?;
                Ok(format!(
                    "{} ±{} m",
                    position.coordinates()?,
                    // Whole metres; the check above bounds it, so the cast cannot overflow.
                    position.accuracy_m.round() as u64
                ))
            }
            Self::NoFix { reason } => Ok(format!("无定位（{}）", reason.label_zh())),
        }
    }

    /// Metres from `place`, when there was a fix.
    pub fn distance_to(&self, place: &Coordinates) -> Option<f64> {
        let here = self.position()?.coordinates().ok()?;
        Some(here.distance_m(place))
    }
}

/// Where a photo came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PhotoSource {
    /// Taken with the camera from the form.
    Camera,
    /// Picked from the phone's gallery: not taken in the app, its time is the camera's own.
    Gallery,
}

impl PhotoSource {
    pub fn code(self) -> &'static str {
        match self {
            Self::Camera => "camera",
            Self::Gallery => "gallery",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "camera" => Some(Self::Camera),
            "gallery" => Some(Self::Gallery),
            _ => None,
        }
    }
}

/// A photo farther from its household than [`PHOTO_DISTANCE_LIMIT_M`]: the distance in
/// whole metres, or `None` when it is near, has no fix, or the household has no coordinates.
pub fn photo_too_far(fix: Option<&Fix>, house: Option<&Coordinates>) -> Option<u64> {
    let distance = fix?.distance_to(house?)?;
    (distance > PHOTO_DISTANCE_LIMIT_M).then(|| distance.round() as u64)
}

/// The gallery photo's own time as its camera wrote it (EXIF DateTimeOriginal, local
/// wall-clock time), shown as `2026-05-03 10:12`.
pub fn format_camera_time(time: &NaiveDateTime) -> String {
    time.format("%Y-%m-%d %H:%M").to_string()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(latitude: f64, longitude: f64, accuracy_m: f64) -> Fix {
        Fix::Position(Position {
            latitude,
            longitude,
            accuracy_m,
            fixed_at: Utc.with_ymd_and_hms(2026, 12, 5, 2, 0, 0).unwrap(),
        })
    }

    #[test]
    fn haversine_matches_known_distances() {
        let a = Coordinates::new(31.7650, 116.5100).unwrap();
        assert_eq!(a.distance_m(&a), 0.0);
        // One thousandth of a degree of latitude is 111.2 m everywhere.
        let north = Coordinates::new(31.7660, 116.5100).unwrap();
        assert!(
            (a.distance_m(&north) - 111.19).abs() < 0.1,
            "{}",
            a.distance_m(&north)
        );
        // Along a parallel it shrinks with cos(latitude): 0.001° at 31.765° is 94.6 m.
        let east = Coordinates::new(31.7650, 116.5110).unwrap();
        assert!(
            (a.distance_m(&east) - 94.55).abs() < 0.2,
            "{}",
            a.distance_m(&east)
        );
        // Hefei to Lu'an, about 71 km as the crow flies.
        let hefei = Coordinates::new(31.8206, 117.2272).unwrap();
        let luan = Coordinates::new(31.7350, 116.5078).unwrap();
        let d = hefei.distance_m(&luan);
        assert!((67_000.0..70_000.0).contains(&d), "{d}");
        assert!((d - luan.distance_m(&hefei)).abs() < 1e-6);
        // Antipodes: half the circumference, without NaN from rounding.
        let p = Coordinates::new(0.0, 0.0).unwrap();
        let q = Coordinates::new(0.0, 180.0).unwrap();
        assert!((p.distance_m(&q) - std::f64::consts::PI * EARTH_RADIUS_M).abs() < 1.0);
    }

    #[test]
    fn coordinates_are_checked_when_read() {
        assert!(Coordinates::new(f64::NAN, 1.0).is_err());
        assert!(Coordinates::new(90.1, 1.0).is_err());
        assert!(Coordinates::new(1.0, -180.5).is_err());
        assert!(Coordinates::new(-90.0, 180.0).is_ok());
        let bad: Result<Coordinates, _> =
            serde_json::from_str(r#"{"latitude":95,"longitude":116}"#);
        assert!(bad.is_err());
        let good: Coordinates =
            serde_json::from_str(r#"{"latitude":31.765,"longitude":116.51}"#).unwrap();
        assert_eq!(good.to_string(), "31.7650°N 116.5100°E");
    }

    #[test]
    fn watermark_text_for_a_fix_and_each_reason() {
        assert_eq!(
            at(31.765, 116.51, 12.4).watermark_text().unwrap(),
            "31.7650°N 116.5100°E ±12 m"
        );
        assert_eq!(
            at(-33.9, -70.6, 5.0).watermark_text().unwrap(),
            "33.9000°S 70.6000°W ±5 m"
        );
        let texts: Vec<String> = NoFixReason::ALL
            .into_iter()
            .map(|reason| Fix::NoFix { reason }.watermark_text().unwrap())
            .collect();
        assert_eq!(
            texts,
            ["无定位（已拒绝）", "无定位（超时）", "无定位（不可用）"]
        );
        assert!(at(f64::NAN, 1.0, 5.0).watermark_text().is_err());
        assert!(at(31.0, 116.0, -1.0).watermark_text().is_err());
        assert!(at(31.0, 116.0, f64::INFINITY).watermark_text().is_err());
    }

    #[test]
    fn fix_json_is_tagged() {
        let json = serde_json::to_string(&Fix::NoFix {
            reason: NoFixReason::Timeout,
        })
        .unwrap();
        assert_eq!(json, r#"{"kind":"no_fix","reason":"timeout"}"#);
        let fix = at(31.765, 116.51, 12.0);
        let json = serde_json::to_string(&fix).unwrap();
        assert!(
            json.starts_with(r#"{"kind":"position","latitude":31.765"#),
            "{json}"
        );
        assert_eq!(serde_json::from_str::<Fix>(&json).unwrap(), fix);
        for reason in NoFixReason::ALL {
            assert_eq!(NoFixReason::from_code(reason.code()), Some(reason));
        }
    }

    #[test]
    fn a_photo_far_from_the_house_is_flagged() {
        let house = Coordinates::new(31.7650, 116.5100).unwrap();
        let near = at(31.7660, 116.5100, 10.0);
        let far = at(31.7680, 116.5100, 10.0);
        assert_eq!(photo_too_far(Some(&near), Some(&house)), None);
        assert_eq!(photo_too_far(Some(&far), Some(&house)), Some(334));
        assert_eq!(photo_too_far(Some(&far), None), None);
        assert_eq!(photo_too_far(None, Some(&house)), None);
        let none = Fix::NoFix {
            reason: NoFixReason::Denied,
        };
        assert_eq!(photo_too_far(Some(&none), Some(&house)), None);
    }
}

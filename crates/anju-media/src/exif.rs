//! The camera's EXIF, kept as data: orientation, capture time, position, make and model.
//!
//! Damaged EXIF never refuses a photo: what can be read is kept, the rest is `None`, and the
//! orientation falls back to 1 (as stored).

use chrono::NaiveDate;
use exif::{In, Reader, Tag, Value};
use serde::{Deserialize, Serialize};

/// A position in WGS 84 degrees (north and east positive), as the camera recorded it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GeoPoint {
    pub latitude: f64,
    pub longitude: f64,
}

impl GeoPoint {
    pub fn is_valid(&self) -> bool {
        self.latitude.is_finite()
            && self.longitude.is_finite()
            && self.latitude.abs() <= 90.0
            && self.longitude.abs() <= 180.0
    }
}

/// When the camera says the photo was taken: its own clock, which the user can set to anything.
/// The trusted time is the app's anchored clock (see `Watermark`); this is kept to compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaptureTime {
    /// Wall-clock time as the camera showed it.
    pub local: chrono::NaiveDateTime,
    /// Minutes east of UTC, when the camera wrote `OffsetTimeOriginal`.
    pub utc_offset_minutes: Option<i16>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ExifData {
    /// 1–8; 1 when absent or invalid.
    pub orientation: u8,
    pub capture_time: Option<CaptureTime>,
    pub gps: Option<GeoPoint>,
    pub make: Option<String>,
    pub model: Option<String>,
}

impl Default for ExifData {
    /// What a photo without EXIF has: stored upright, nothing known.
    fn default() -> Self {
        Self {
            orientation: 1,
            capture_time: None,
            gps: None,
            make: None,
            model: None,
        }
    }
}

/// Reads the TIFF structure of an `Exif\0\0` APP1 segment.
pub(crate) fn read(tiff: &[u8]) -> ExifData {
    let exif = match Reader::new()
        .continue_on_error(true)
        .read_raw(tiff.to_vec())
    {
        Ok(exif) => exif,
        Err(exif::Error::PartialResult(partial)) => partial.into_inner().0,
        Err(_) => {
            return ExifData {
                orientation: 1,
                ..ExifData::default()
            };
        }
    };
    let field = |tag| exif.get_field(tag, In::PRIMARY).map(|f| &f.value);

    let orientation = field(Tag::Orientation)
        .and_then(|v| v.get_uint(0))
        .and_then(|o| u8::try_from(o).ok())
        .filter(|o| (1..=8).contains(o))
        .unwrap_or(1);

    let capture_time = [
        (Tag::DateTimeOriginal, Tag::OffsetTimeOriginal),
        (Tag::DateTime, Tag::OffsetTime),
    ]
    .into_iter()
    .find_map(|(time, offset)| capture_time(field(time)?, field(offset)));

    let gps = (|| {
        let latitude =
            degrees(field(Tag::GPSLatitude)?)? * hemisphere(field(Tag::GPSLatitudeRef)?, b'S')?;
        let longitude =
            degrees(field(Tag::GPSLongitude)?)? * hemisphere(field(Tag::GPSLongitudeRef)?, b'W')?;
        let point = GeoPoint {
            latitude,
            longitude,
        };
        // Many phones write 0/0 when they had no fix.
        (point.is_valid() && (latitude, longitude) != (0.0, 0.0)).then_some(point)
    })();

    ExifData {
        orientation,
        capture_time,
        gps,
        make: field(Tag::Make).and_then(text),
        model: field(Tag::Model).and_then(text),
    }
}

fn ascii(value: &Value) -> Option<&[u8]> {
    match value {
        Value::Ascii(parts) => parts.first().map(Vec::as_slice),
        _ => None,
    }
}

fn capture_time(time: &Value, offset: Option<&Value>) -> Option<CaptureTime> {
    let mut parsed = exif::DateTime::from_ascii(ascii(time)?).ok()?;
    if let Some(offset) = offset.and_then(ascii) {
        // A malformed offset leaves the time without one.
        let _ = parsed.parse_offset(offset);
    }
    let local = NaiveDate::from_ymd_opt(
        i32::from(parsed.year),
        u32::from(parsed.month),
        u32::from(parsed.day),
    )?
    .and_hms_opt(
        u32::from(parsed.hour),
        u32::from(parsed.minute),
        u32::from(parsed.second),
    )?;
    Some(CaptureTime {
        local,
        utc_offset_minutes: parsed.offset.filter(|m| m.abs() <= 14 * 60),
    })
}

/// Degrees, minutes and seconds as three rationals.
fn degrees(value: &Value) -> Option<f64> {
    let Value::Rational(parts) = value else {
        return None;
    };
    let [d, m, s] = parts.get(..3)? else {
        return None;
    };
    let total = d.to_f64() + m.to_f64() / 60.0 + s.to_f64() / 3600.0;
    total.is_finite().then_some(total)
}

fn hemisphere(value: &Value, negative: u8) -> Option<f64> {
    match ascii(value)?.first()? {
        b if *b == negative => Some(-1.0),
        b'N' | b'E' => Some(1.0),
        _ => None,
    }
}

/// Printable text of an ASCII field, trimmed and bounded.
fn text(value: &Value) -> Option<String> {
    let raw = ascii(value)?;
    let cleaned: String = String::from_utf8_lossy(raw)
        .chars()
        .filter(|c| !c.is_control())
        .take(64)
        .collect();
    let trimmed = cleaned.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_owned())
}

//! The watermark burned into an evidence photo (水印): who, where, when and by whom, on a
//! translucent band along the bottom of the upright picture.

use anju_core::location::{Fix, PhotoSource, format_camera_time};
use anju_core::model::ClockReading;
use chrono::{DateTime, FixedOffset, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::MediaError;
use crate::font::{FontSet, Shaped};
use crate::image::{RgbImage, Turn};

/// What the watermark says. Times are UTC and shown in China time (UTC+8).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Watermark {
    pub head_of_household: String,
    pub township: String,
    pub village: String,
    pub household_number: String,
    /// The trusted time (device clock corrected by the offset measured at the last sync), or
    /// the device time when the device has never synced; [`ClockStatus::of`] gives both.
    pub captured_at: DateTime<Utc>,
    pub clock: ClockStatus,
    /// The device's fix, rendered `31.7650°N 116.5100°E ±12 m` or `无定位（超时）`; `None`
    /// (nobody asked for a position) is plain 无定位.
    pub fix: Option<Fix>,
    pub inspector: String,
    /// A gallery photo says so on a line of its own, with the time its camera wrote
    /// (`camera_time`, EXIF DateTimeOriginal) or that it has none; when `camera_time` is
    /// `None`, [`crate::process_photo`] takes it from the photo's own EXIF.
    pub source: PhotoSource,
    pub camera_time: Option<NaiveDateTime>,
}

/// How far the time on the watermark can be trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockStatus {
    /// Anchored at the last sync, and the device clock agreed within five minutes.
    Anchored,
    /// Anchored, but the device clock was off by more than five minutes: the time shown is the
    /// corrected one, and the photo says so.
    DeviceClockOff,
    /// The device has never synced: the time is the device's own.
    Unanchored,
}

impl ClockStatus {
    /// The time to show and its status, from the clock reading taken with the photo.
    pub fn of(reading: &ClockReading) -> (DateTime<Utc>, Self) {
        match reading.trusted_time {
            None => (reading.device_time, Self::Unanchored),
            Some(trusted) if reading.clock_is_off() => (trusted, Self::DeviceClockOff),
            Some(trusted) => (trusted, Self::Anchored),
        }
    }
}

/// What was burned in, for the record and for the UI.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WatermarkReport {
    /// The lines as drawn: a line too long for the photo ends in “…”.
    pub lines: Vec<String>,
    /// Characters no font had: drawn as boxes. Empty when all is legible.
    pub missing_glyphs: Vec<char>,
    /// The fonts used, in order of preference.
    pub fonts: Vec<String>,
    pub band_height: u32,
}

const CHINA: i32 = 8 * 3600;

impl Watermark {
    /// The lines exactly as they are burned in.
    pub fn lines(&self) -> Result<Vec<String>, MediaError> {
        let china = FixedOffset::east_opt(CHINA).ok_or_else(|| {
            MediaError::invalid_option("watermark.captured_at", "时区无效", "invalid time zone")
        })?;
        let time = self
            .captured_at
            .with_timezone(&china)
            .format("%Y-%m-%d %H:%M:%S");
        let clock = match self.clock {
            ClockStatus::Anchored => "",
            ClockStatus::DeviceClockOff => "（设备时钟偏差，已校正）",
            ClockStatus::Unanchored => "（未校时，设备时间）",
        };
        let place = match &self.fix {
            Some(fix) => fix.watermark_text().map_err(|_| {
                MediaError::invalid_option(
                    "watermark.fix",
                    "坐标超出范围或不是数字",
                    "the coordinates are out of range or not numbers",
                )
            })?,
            None => "无定位".to_owned(),
        };
        let mut lines = vec![
            format!(
                "户主：{}　户号：{}",
                clean(&self.head_of_household),
                clean(&self.household_number)
            ),
            format!("{} {}", clean(&self.township), clean(&self.village)),
            format!("{time} 北京时间{clock}"),
            format!("{place}　验收人：{}", clean(&self.inspector)),
        ];
        if self.source == PhotoSource::Gallery {
            // Not taken in the app: the time above is when it was added, the camera's own
            // clock (untrusted) is all there is for when it was taken.
            lines.push(match &self.camera_time {
                Some(time) => format!("相册照片　拍摄于 {}（相机时间）", format_camera_time(time)),
                None => "相册照片　拍摄时间不明".to_owned(),
            });
        }
        Ok(lines)
    }
}

/// One line per field: control characters (a newline typed into a name) are dropped.
fn clean(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .to_owned()
}

/// Darkens the bottom band of the upright picture and writes `lines` on it in white; `image`
/// is as stored, and `turn` says where each upright pixel is in it.
pub(crate) fn burn(
    image: &mut RgbImage,
    turn: &Turn,
    lines: &[String],
    fonts: &FontSet,
) -> Result<WatermarkReport, MediaError> {
    let all_text: String = lines.iter().map(String::as_str).chain(["…"]).collect();
    let shaped = fonts.shape(&all_text)?;
    let (width, height) = (turn.width, turn.height);
    let rows = lines.len().max(1) as f32;
    // Legible on a phone showing the whole photo: about 1/28 of the short side.
    let mut px = (width.min(height) as f32 / 28.0).max(10.0);
    let band_for = |px: f32| px * (1.3 * rows + 1.0);
    // The band may take at most a third of the picture.
    let max_band = height as f32 / 3.0;
    if band_for(px) > max_band {
        px = max_band / (1.3 * rows + 1.0);
    }
    let line_height = px * 1.3;
    let padding = px * 0.5;
    let band_height = (band_for(px).ceil() as u32).min(height);
    let band_top = height - band_height;

    let available = width as f32 - 2.0 * padding;
    let mut placed = Vec::new();
    let mut missing: Vec<char> = Vec::new();
    let mut drawn = Vec::with_capacity(lines.len());
    for (row, line) in lines.iter().enumerate() {
        let (text, line_px) = fit_line(&shaped, line, px, available);
        let (ascent, descent) = shaped.metrics(line_px);
        let top = band_top as f32 + padding + row as f32 * line_height;
        let baseline = top + (line_height - (ascent - descent)) / 2.0 + ascent;
        shaped.place(&text, padding, baseline, line_px, &mut placed, &mut missing);
        drawn.push(text);
    }

    // The band is a rectangle in the stored picture too: between two opposite corners.
    let stored_width = image.width as usize;
    let corner = |x, y| {
        let pixel = turn.index(x, y) / 3;
        (pixel % stored_width, pixel / stored_width)
    };
    let (a, b) = (corner(0, band_top), corner(width - 1, height - 1));
    let (columns, rows) = (
        a.0.min(b.0)..a.0.max(b.0) + 1,
        a.1.min(b.1)..a.1.max(b.1) + 1,
    );
    for row in image
        .pixels
        .chunks_exact_mut(stored_width * 3)
        .take(rows.end)
        .skip(rows.start)
    {
        for value in &mut row[columns.start * 3..columns.end * 3] {
            // Black at 58% opacity: white text reads on sky and on snow alike.
            *value = ((u16::from(*value) * 107) >> 8) as u8;
        }
    }
    let pixels = &mut image.pixels;
    fonts.draw(&placed, |x, y, coverage| {
        if x < 0 || y < i64::from(band_top) || x >= i64::from(width) || y >= i64::from(height) {
            return;
        }
        let i = turn.index(x as u32, y as u32);
        let c = coverage.clamp(0.0, 1.0);
        for value in &mut pixels[i..i + 3] {
            let v = f32::from(*value);
            *value = (v + (255.0 - v) * c + 0.5) as u8;
        }
    })?;
    Ok(WatermarkReport {
        lines: drawn,
        missing_glyphs: missing,
        fonts: fonts.names(),
        band_height,
    })
}

/// Shrinks a long line down to 70% of the size, then cuts it with an ellipsis.
fn fit_line(shaped: &Shaped, line: &str, px: f32, available: f32) -> (String, f32) {
    let width = shaped.width(line, px);
    if width <= available {
        return (line.to_owned(), px);
    }
    let shrunk = (px * available / width).max(px * 0.7);
    if shaped.width(line, shrunk) <= available {
        return (line.to_owned(), shrunk);
    }
    let mut chars: Vec<char> = line.chars().collect();
    while chars.pop().is_some() {
        let candidate: String = chars.iter().chain(['…'].iter()).collect();
        if shaped.width(&candidate, shrunk) <= available {
            return (candidate, shrunk);
        }
    }
    (String::new(), shrunk)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use anju_core::location::{NoFixReason, Position};
    use chrono::TimeZone;

    fn sample() -> Watermark {
        Watermark {
            head_of_household: "郑怀圣".into(),
            township: "东河口镇".into(),
            village: "长岭村".into(),
            household_number: "3415020017".into(),
            captured_at: Utc.with_ymd_and_hms(2017, 9, 5, 6, 32, 7).unwrap(),
            clock: ClockStatus::Anchored,
            fix: Some(Fix::Position(Position {
                latitude: 31.754301,
                longitude: 116.512299,
                accuracy_m: 12.4,
                fixed_at: Utc.with_ymd_and_hms(2017, 9, 5, 6, 31, 50).unwrap(),
            })),
            inspector: "张三".into(),
            source: PhotoSource::Camera,
            camera_time: None,
        }
    }

    #[test]
    fn lines_carry_every_field_in_china_time() {
        let lines = sample().lines().unwrap();
        assert_eq!(
            lines,
            vec![
                "户主：郑怀圣　户号：3415020017",
                "东河口镇 长岭村",
                "2017-09-05 14:32:07 北京时间",
                "31.7543°N 116.5123°E ±12 m　验收人：张三",
            ]
        );
    }

    #[test]
    fn clock_status_and_missing_fix_are_marked() {
        let mut wm = sample();
        wm.fix = None;
        wm.clock = ClockStatus::DeviceClockOff;
        let lines = wm.lines().unwrap();
        assert!(
            lines[2].ends_with("（设备时钟偏差，已校正）"),
            "{}",
            lines[2]
        );
        assert!(lines[3].starts_with("无定位　"), "{}", lines[3]);
        wm.clock = ClockStatus::Unanchored;
        assert!(wm.lines().unwrap()[2].contains("未校时"));
        wm.fix = Some(Fix::Position(Position {
            latitude: -33.9,
            longitude: -70.6,
            accuracy_m: 4.6,
            fixed_at: wm.captured_at,
        }));
        assert!(
            wm.lines().unwrap()[3].starts_with("33.9000°S 70.6000°W ±5 m　"),
            "{:?}",
            wm.lines()
        );
        wm.fix = Some(Fix::Position(Position {
            latitude: f64::NAN,
            longitude: 0.0,
            accuracy_m: 5.0,
            fixed_at: wm.captured_at,
        }));
        assert!(matches!(
            wm.lines(),
            Err(MediaError::InvalidOption {
                field: "watermark.fix",
                ..
            })
        ));
    }

    #[test]
    fn each_reason_for_no_fix_is_written() {
        let mut wm = sample();
        let mut seen = Vec::new();
        for reason in NoFixReason::ALL {
            wm.fix = Some(Fix::NoFix { reason });
            let line = wm.lines().unwrap()[3].clone();
            seen.push(line.split('　').next().unwrap().to_owned());
        }
        assert_eq!(
            seen,
            ["无定位（已拒绝）", "无定位（超时）", "无定位（不可用）"]
        );
    }

    #[test]
    fn a_gallery_photo_says_so_with_its_camera_time() {
        let mut wm = sample();
        assert_eq!(wm.lines().unwrap().len(), 4);
        wm.source = PhotoSource::Gallery;
        wm.camera_time = chrono::NaiveDate::from_ymd_opt(2026, 5, 3)
            .unwrap()
            .and_hms_opt(10, 12, 40);
        let lines = wm.lines().unwrap();
        assert_eq!(lines[4], "相册照片　拍摄于 2026-05-03 10:12（相机时间）");
        wm.camera_time = None;
        assert_eq!(wm.lines().unwrap()[4], "相册照片　拍摄时间不明");
    }

    #[test]
    fn a_newline_cannot_forge_a_line() {
        let mut wm = sample();
        wm.head_of_household = "郑怀圣\n2020-01-01 00:00:00 北京时间".into();
        let lines = wm.lines().unwrap();
        assert_eq!(lines.len(), 4);
        assert!(!lines[0].contains('\n'));
    }

    #[test]
    fn clock_status_follows_the_reading() {
        let now = Utc.with_ymd_and_hms(2017, 9, 5, 6, 0, 0).unwrap();
        let trusted = now - chrono::Duration::minutes(10);
        let mut reading = ClockReading {
            device_time: now,
            trusted_time: None,
            offset_ms: None,
        };
        assert_eq!(ClockStatus::of(&reading), (now, ClockStatus::Unanchored));
        reading.trusted_time = Some(trusted);
        reading.offset_ms = Some(10 * 60 * 1000);
        assert_eq!(
            ClockStatus::of(&reading),
            (trusted, ClockStatus::DeviceClockOff)
        );
        reading.offset_ms = Some(1000);
        assert_eq!(ClockStatus::of(&reading), (trusted, ClockStatus::Anchored));
    }
}

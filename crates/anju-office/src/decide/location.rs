//! Where the evidence was made: each photo's fix against its household's coordinates from
//! the roster. A photo taken farther than `anju_core::location::PHOTO_DISTANCE_LIMIT_M` from
//! the house is flagged to the reviewer (照片位置距房屋 N 米), and a photo picked from the
//! gallery is marked as not taken in the app. Derived from the records whenever shown,
//! like every decision of the office: nothing here is typed or stored.

use anju_core::form::Text;
use anju_core::location::{
    Coordinates, Fix, PHOTO_DISTANCE_LIMIT_M, PhotoSource, format_camera_time, photo_too_far,
};
use chrono::NaiveDateTime;

/// How a gallery photo's EXIF time is stored (the camera's wall clock, no zone).
pub const CAMERA_TIME_FORMAT: &str = "%Y-%m-%dT%H:%M:%S";

/// What the office knows of where and how one photo was made.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PhotoPlace {
    pub fix: Option<Fix>,
    pub source: Option<PhotoSource>,
    pub camera_time: Option<NaiveDateTime>,
    /// The household's coordinates, when its roster gave them.
    pub house: Option<Coordinates>,
}

/// What the reviewer is shown of it.
#[derive(Debug, Clone, PartialEq)]
pub struct PhotoFlags {
    /// `31.7650°N 116.5100°E ±12 m`, `无定位（已拒绝）`, or `None` for photos from before.
    pub fix_text: Option<String>,
    /// Whole metres from the house, when both are known.
    pub distance_m: Option<u64>,
    /// Farther than the policy distance: 照片位置距房屋 N 米.
    pub too_far: Option<Text>,
    /// 相册照片 with its camera's time, when picked from the gallery.
    pub gallery: Option<Text>,
}

impl PhotoPlace {
    pub fn flags(&self) -> PhotoFlags {
        let fix_text = self.fix.as_ref().and_then(|f| f.watermark_text().ok());
        let distance_m = match (&self.fix, &self.house) {
            (Some(fix), Some(house)) => fix.distance_to(house).map(|d| d.round() as u64),
            _ => None,
        };
        let too_far = photo_too_far(self.fix.as_ref(), self.house.as_ref()).map(|metres| Text {
            zh: format!("照片位置距房屋 {metres} 米（超过 {PHOTO_DISTANCE_LIMIT_M:.0} 米）"),
            en: format!(
                "the photo was taken {metres} m from the house (over {PHOTO_DISTANCE_LIMIT_M:.0} m)"
            ),
        });
        let gallery =
            (self.source == Some(PhotoSource::Gallery)).then(|| match &self.camera_time {
                Some(time) => Text {
                    zh: format!(
                        "相册照片，非现场拍摄；拍摄于 {}（相机时间）",
                        format_camera_time(time)
                    ),
                    en: format!(
                        "from the gallery, not taken in the app; taken {} (camera clock)",
                        format_camera_time(time)
                    ),
                },
                None => Text::new(
                    "相册照片，非现场拍摄；拍摄时间不明",
                    "from the gallery, not taken in the app; when it was taken is unknown",
                ),
            });
        PhotoFlags {
            fix_text,
            distance_m,
            too_far,
            gallery,
        }
    }
}

/// Reads the stored columns of a photo (`fix_json`, `source`, `camera_time`); a value that
/// cannot be read is left out rather than failing the page.
pub fn read_place(
    fix_json: Option<&str>,
    source: Option<&str>,
    camera_time: Option<&str>,
    house: Option<(f64, f64)>,
) -> PhotoPlace {
    PhotoPlace {
        fix: fix_json.and_then(|json| serde_json::from_str(json).ok()),
        source: source.and_then(PhotoSource::from_code),
        camera_time: camera_time
            .and_then(|text| NaiveDateTime::parse_from_str(text, CAMERA_TIME_FORMAT).ok()),
        house: house.and_then(|(lat, lon)| Coordinates::new(lat, lon).ok()),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use anju_core::location::{NoFixReason, Position};
    use chrono::Utc;

    fn at(latitude: f64, longitude: f64) -> String {
        serde_json::to_string(&Fix::Position(Position {
            latitude,
            longitude,
            accuracy_m: 10.0,
            fixed_at: Utc::now(),
        }))
        .unwrap()
    }

    #[test]
    fn a_photo_far_from_the_house_is_flagged_with_its_distance() {
        let house = Some((31.7650, 116.5100));
        let far = read_place(Some(&at(31.7680, 116.5100)), Some("camera"), None, house).flags();
        assert_eq!(far.distance_m, Some(334));
        assert_eq!(
            far.too_far.unwrap().zh,
            "照片位置距房屋 334 米（超过 200 米）"
        );
        assert_eq!(far.fix_text.as_deref(), Some("31.7680°N 116.5100°E ±10 m"));
        assert_eq!(far.gallery, None);

        let near = read_place(Some(&at(31.7655, 116.5100)), None, None, house).flags();
        assert_eq!(near.distance_m, Some(56));
        assert_eq!(near.too_far, None);

        // No coordinates for the house, or no fix: nothing to compare, nothing flagged.
        assert_eq!(
            read_place(Some(&at(31.9, 116.5)), None, None, None)
                .flags()
                .too_far,
            None
        );
        let none = serde_json::to_string(&Fix::NoFix {
            reason: NoFixReason::Timeout,
        })
        .unwrap();
        let flags = read_place(Some(&none), None, None, house).flags();
        assert_eq!(flags.fix_text.as_deref(), Some("无定位（超时）"));
        assert_eq!((flags.distance_m, flags.too_far), (None, None));
        // Records from before: nothing at all, and damaged columns are left out.
        assert_eq!(read_place(None, None, None, house).flags().fix_text, None);
        assert_eq!(
            read_place(Some("{"), Some("x"), Some("y"), house),
            PhotoPlace {
                house: Coordinates::new(31.765, 116.51).ok(),
                ..PhotoPlace::default()
            }
        );
    }

    #[test]
    fn a_gallery_photo_is_marked_with_its_camera_time() {
        let flags = read_place(None, Some("gallery"), Some("2026-05-03T10:12:40"), None).flags();
        assert_eq!(
            flags.gallery.unwrap().zh,
            "相册照片，非现场拍摄；拍摄于 2026-05-03 10:12（相机时间）"
        );
        let flags = read_place(None, Some("gallery"), None, None).flags();
        assert!(flags.gallery.unwrap().zh.contains("拍摄时间不明"));
    }
}

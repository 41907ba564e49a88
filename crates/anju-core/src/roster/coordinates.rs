//! A house's coordinates in a roster: optional, as 纬度 and 经度 or one 房屋坐标 cell.

use super::{Column, RowChecker};

impl RowChecker<'_> {
    /// `Some(None)` when the roster gives no coordinates, `None` when they are wrong: from
    /// 纬度 and 经度, or from 房屋坐标 (`31.7650,116.5100`, either order: a longitude over 90°
    /// cannot be a latitude, and in China every longitude is).
    pub(super) fn location(&mut self) -> Option<Option<crate::location::Coordinates>> {
        let text = |this: &Self, column| {
            this.cell(column)
                .map(|(t, _)| t.to_string())
                .unwrap_or_default()
        };
        let (lat_text, lon_text) = (text(self, Column::Latitude), text(self, Column::Longitude));
        let both = text(self, Column::Coordinates);
        if !both.is_empty() {
            let parts: Vec<&str> = both
                .split([',', '，', ';', '；', ' '])
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .collect();
            let numbers: Vec<Option<f64>> = parts.iter().map(|p| parse_degrees(p)).collect();
            let (a, b) = match numbers.as_slice() {
                [Some(a), Some(b)] => (*a, *b),
                _ => {
                    self.error(
                        Column::Coordinates,
                        format!(
                            "房屋坐标“{both}”应为“纬度,经度”两个数，如 31.7650,116.5100 / the coordinates '{both}' must be two numbers 'latitude,longitude', e.g. 31.7650,116.5100"
                        ),
                    );
                    return None;
                }
            };
            let (latitude, longitude) = if a.abs() > 90.0 && b.abs() <= 90.0 {
                (b, a)
            } else {
                (a, b)
            };
            return match crate::location::Coordinates::new(latitude, longitude) {
                Ok(place) => Some(Some(place)),
                Err(e) => {
                    self.error(Column::Coordinates, e.to_string());
                    None
                }
            };
        }
        match (lat_text.is_empty(), lon_text.is_empty()) {
            (true, true) => return Some(None),
            (false, true) => {
                self.error(
                    Column::Longitude,
                    "有纬度时须填经度 / a latitude needs its longitude".to_string(),
                );
                return None;
            }
            (true, false) => {
                self.error(
                    Column::Latitude,
                    "有经度时须填纬度 / a longitude needs its latitude".to_string(),
                );
                return None;
            }
            (false, false) => {}
        }
        let latitude = parse_degrees(&lat_text).filter(|v| v.abs() <= 90.0);
        let longitude = parse_degrees(&lon_text).filter(|v| v.abs() <= 180.0);
        if latitude.is_none() {
            self.error(
                Column::Latitude,
                format!(
                    "纬度“{lat_text}”应为 −90 到 90 之间的度数（是否与经度填反？） / the latitude '{lat_text}' must be degrees within −90 to 90 (swapped with the longitude?)"
                ),
            );
        }
        if longitude.is_none() {
            self.error(
                Column::Longitude,
                format!(
                    "经度“{lon_text}”应为 −180 到 180 之间的度数 / the longitude '{lon_text}' must be degrees within −180 to 180"
                ),
            );
        }
        crate::location::Coordinates::new(latitude?, longitude?)
            .ok()
            .map(Some)
    }
}

/// `4`, `４`, `4人`, `4口人` and Excel's `4.0` are 4.
/// Decimal degrees as a roster writes them: `31.765`, `31.765°`, `31.765N`, `116.51°E`;
/// S and W make it negative. Full-width digits were made half-width by [`clean`]'s callers
/// only for headers, so they are folded here too.
fn parse_degrees(text: &str) -> Option<f64> {
    let folded: String = text
        .trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '．' => '.',
            '－' => '-',
            _ => c,
        })
        .collect();
    let mut body = folded.trim().trim_end_matches(['°', '度']).trim();
    let mut sign = 1.0;
    if let Some(last) = body.chars().last() {
        match last.to_ascii_uppercase() {
            'N' | 'E' => body = body[..body.len() - 1].trim_end_matches(['°', '度']).trim(),
            'S' | 'W' => {
                sign = -1.0;
                body = body[..body.len() - 1].trim_end_matches(['°', '度']).trim();
            }
            _ => {}
        }
    }
    let value: f64 = body.parse().ok()?;
    value.is_finite().then_some(sign * value)
}

//! Handwritten signatures: the strokes are the record; a PNG drawn from them, smooth and of
//! even weight, is for display and print. A signature carries the SHA-256 of the form content
//! the signer saw, so a later change to the form shows.

use anju_core::form::FormAnswers;
use anju_core::hash::{is_sha256_hex, sha256_hex};
use serde::{Deserialize, Serialize};
use tiny_skia::{
    Color, FillRule, LineCap, LineJoin, Paint, PathBuilder, Pixmap, Stroke as SkStroke, Transform,
};

use crate::error::MediaError;

/// One sample of the pen, in canvas units (CSS pixels of the signing pad), `t_ms` after the
/// signing began; `pressure` 0–1 (0.5 where the screen does not report it).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StrokePoint {
    pub x: f32,
    pub y: f32,
    pub t_ms: u32,
    pub pressure: f32,
}

/// The pen's path from touching the screen to lifting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Stroke {
    pub points: Vec<StrokePoint>,
}

/// A signature as written on a pad of `width` × `height` canvas units.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Signature {
    pub width: f32,
    pub height: f32,
    pub strokes: Vec<Stroke>,
}

/// Bounds on a signature, far above any real one.
pub const MAX_STROKES: usize = 512;
pub const MAX_POINTS: usize = 20_000;
/// Largest pad side in canvas units, and largest image side in pixels.
pub const MAX_SIDE: f32 = 4096.0;

impl Signature {
    /// Checks the signature is something a pen could have made, naming the first bad point.
    pub fn validate(&self) -> Result<(), MediaError> {
        for (name, side) in [("宽度 / width", self.width), ("高度 / height", self.height)] {
            if !(side.is_finite() && (1.0..=MAX_SIDE).contains(&side)) {
                return Err(MediaError::invalid_signature(
                    format!("签字板{name}为 {side}，应在 1–{MAX_SIDE} 之间"),
                    format!("the pad {name} is {side}, not within 1–{MAX_SIDE}"),
                ));
            }
        }
        if self.strokes.len() > MAX_STROKES {
            return Err(MediaError::invalid_signature(
                format!("笔画过多：{}（上限 {MAX_STROKES}）", self.strokes.len()),
                format!(
                    "too many strokes: {} (limit {MAX_STROKES})",
                    self.strokes.len()
                ),
            ));
        }
        let total: usize = self.strokes.iter().map(|s| s.points.len()).sum();
        if total == 0 {
            return Err(MediaError::invalid_signature(
                "签名为空",
                "the signature is empty",
            ));
        }
        if total > MAX_POINTS {
            return Err(MediaError::invalid_signature(
                format!("采样点过多：{total}（上限 {MAX_POINTS}）"),
                format!("too many points: {total} (limit {MAX_POINTS})"),
            ));
        }
        let mut previous_t = 0;
        for (s, stroke) in self.strokes.iter().enumerate() {
            if stroke.points.is_empty() {
                return Err(MediaError::invalid_signature(
                    format!("第 {} 笔没有采样点", s + 1),
                    format!("stroke {} has no points", s + 1),
                ));
            }
            for (p, point) in stroke.points.iter().enumerate() {
                let at = (s + 1, p + 1);
                if !(point.x.is_finite() && point.y.is_finite()) {
                    return Err(MediaError::invalid_signature(
                        format!("第 {} 笔第 {} 点的坐标不是数字", at.0, at.1),
                        format!(
                            "stroke {} point {}: the coordinates are not numbers",
                            at.0, at.1
                        ),
                    ));
                }
                if !(point.pressure.is_finite() && (0.0..=1.0).contains(&point.pressure)) {
                    return Err(MediaError::invalid_signature(
                        format!(
                            "第 {} 笔第 {} 点的压力 {} 不在 0–1 之间",
                            at.0, at.1, point.pressure
                        ),
                        format!(
                            "stroke {} point {}: pressure {} is not within 0–1",
                            at.0, at.1, point.pressure
                        ),
                    ));
                }
                if point.t_ms < previous_t {
                    return Err(MediaError::invalid_signature(
                        format!("第 {} 笔第 {} 点的时间倒退", at.0, at.1),
                        format!("stroke {} point {}: time goes backwards", at.0, at.1),
                    ));
                }
                previous_t = point.t_ms;
            }
        }
        Ok(())
    }
}

/// How a signature image looks.
#[derive(Debug, Clone, PartialEq)]
pub struct SignatureStyle {
    /// Image pixels per canvas unit: 2 gives print-sharp lines from a phone's pad.
    pub scale: f32,
    /// Pen width in canvas units; the same everywhere, whatever the pressure.
    pub pen_width: f32,
    pub ink: [u8; 3],
    /// `None` leaves the background transparent.
    pub background: Option<[u8; 3]>,
}

impl Default for SignatureStyle {
    fn default() -> Self {
        Self {
            scale: 2.0,
            pen_width: 3.0,
            // Ballpoint blue-black, as on a paper form.
            ink: [0x1A, 0x23, 0x7E],
            background: None,
        }
    }
}

/// Draws the signature as an anti-aliased PNG: each stroke a quadratic B-spline through the
/// midpoints of its samples (smooth where the finger was fast and the samples sparse), with
/// round caps and joins; a stroke of one point is a dot.
pub fn render_signature_png(
    signature: &Signature,
    style: &SignatureStyle,
) -> Result<Vec<u8>, MediaError> {
    signature.validate()?;
    if !(style.scale.is_finite()
        && style.scale > 0.0
        && style.pen_width.is_finite()
        && style.pen_width > 0.0)
    {
        return Err(MediaError::invalid_option(
            "signature style",
            "比例和笔宽须为正数",
            "scale and pen width must be positive",
        ));
    }
    let (width, height) = (
        (signature.width * style.scale).ceil(),
        (signature.height * style.scale).ceil(),
    );
    if width > MAX_SIDE || height > MAX_SIDE {
        return Err(MediaError::invalid_option(
            "signature style",
            format!("图像 {width}×{height} 超过 {MAX_SIDE} 像素"),
            format!("the image {width}×{height} exceeds {MAX_SIDE} pixels"),
        ));
    }
    let mut pixmap = Pixmap::new(width as u32, height as u32)
        .ok_or_else(|| MediaError::SignatureRender(format!("{width}×{height}")))?;
    if let Some([r, g, b]) = style.background {
        pixmap.fill(Color::from_rgba8(r, g, b, 255));
    }
    let mut paint = Paint::default();
    let [r, g, b] = style.ink;
    paint.set_color_rgba8(r, g, b, 255);
    paint.anti_alias = true;
    let pen = SkStroke {
        width: style.pen_width,
        line_cap: LineCap::Round,
        line_join: LineJoin::Round,
        ..SkStroke::default()
    };
    let transform = Transform::from_scale(style.scale, style.scale);

    for stroke in &signature.strokes {
        let mut points: Vec<(f32, f32)> = stroke.points.iter().map(|p| (p.x, p.y)).collect();
        points.dedup();
        if let [(x, y)] = points[..] {
            if let Some(dot) = PathBuilder::from_circle(x, y, style.pen_width / 2.0) {
                pixmap.fill_path(&dot, &paint, FillRule::Winding, transform, None);
            }
            continue;
        }
        if let Some(path) = smooth_path(&points) {
            pixmap.stroke_path(&path, &paint, &pen, transform, None);
        }
    }
    pixmap
        .encode_png()
        .map_err(|err| MediaError::SignatureRender(err.to_string()))
}

fn smooth_path(points: &[(f32, f32)]) -> Option<tiny_skia::Path> {
    let mid = |a: (f32, f32), b: (f32, f32)| ((a.0 + b.0) / 2.0, (a.1 + b.1) / 2.0);
    let (&first, &last) = (points.first()?, points.last()?);
    let mut builder = PathBuilder::new();
    builder.move_to(first.0, first.1);
    if points.len() > 2 {
        let start = mid(points[0], points[1]);
        builder.line_to(start.0, start.1);
        for pair in points[1..].windows(2) {
            let end = mid(pair[0], pair[1]);
            builder.quad_to(pair[0].0, pair[0].1, end.0, end.1);
        }
    }
    builder.line_to(last.0, last.1);
    builder.finish()
}

/// A signature as stored and synced: the strokes, what they sign, and the image's hash
/// (`SignatureMeta::image_sha256`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignatureRecord {
    pub signature: Signature,
    /// `FormAnswers::signable_sha256()` of the form the signer saw.
    pub signed_content_sha256: String,
    pub png_sha256: String,
}

impl SignatureRecord {
    /// Renders the signature and returns the record with the PNG to store under its hash.
    pub fn sign(
        signature: Signature,
        signed_content_sha256: &str,
        style: &SignatureStyle,
    ) -> Result<(Self, Vec<u8>), MediaError> {
        if !is_sha256_hex(signed_content_sha256) {
            return Err(MediaError::invalid_signature(
                format!("所签内容的哈希“{signed_content_sha256}”不是 SHA-256"),
                format!("the signed content hash '{signed_content_sha256}' is not a SHA-256"),
            ));
        }
        let png = render_signature_png(&signature, style)?;
        let record = Self {
            signature,
            signed_content_sha256: signed_content_sha256.to_owned(),
            png_sha256: sha256_hex(&png),
        };
        Ok((record, png))
    }

    /// Whether `png` is the image this record was signed with.
    pub fn png_matches(&self, png: &[u8]) -> bool {
        sha256_hex(png) == self.png_sha256
    }

    /// Whether the form, as it is now, is still what was signed.
    pub fn matches_form(&self, answers: &FormAnswers) -> Result<bool, MediaError> {
        Ok(signature_matches(&answers.signable_sha256()?, self))
    }
}

/// Whether `record` signs the form content whose hash is `form_content_sha256`.
pub fn signature_matches(form_content_sha256: &str, record: &SignatureRecord) -> bool {
    record.signed_content_sha256 == form_content_sha256
}

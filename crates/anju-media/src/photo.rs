//! From the camera's file to the evidence photo, its thumbnail and its metadata.

use anju_core::hash::sha256_hex;
use anju_core::location::PhotoSource;
use std::mem::take;

use fast_image_resize::Resizer;
use serde::{Deserialize, Serialize};

use crate::codec;
use crate::error::MediaError;
use crate::exif::{self, CaptureTime, GeoPoint};
use crate::font::{FontSet, default_fonts};
use crate::image;
use crate::jpeg;
use crate::raster::{self, Format};
use crate::watermark::{self, Watermark, WatermarkReport};

/// Bounds checked before any large allocation: a file or a header that exceeds them is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_input_bytes: usize,
    /// Width × height as the JPEG header states it.
    pub max_pixels: u64,
    /// The same for pictures held whole in memory before the first row comes out:
    /// progressive JPEGs (libjpeg keeps their coefficients, 3 bytes per pixel at 4:2:0;
    /// cameras write baseline) and PNG or WebP from the gallery (decoded whole, up to 8
    /// bytes a pixel).
    pub max_progressive_pixels: u64,
}

impl Default for Limits {
    /// Room for a 50 MP phone photo (8160×6120, 15–25 MB); a 200 MP one is refused, and so is
    /// a progressive one over 16 MP (48 MB of coefficients).
    fn default() -> Self {
        Self {
            max_input_bytes: 48 * 1024 * 1024,
            max_pixels: 64_000_000,
            max_progressive_pixels: 16_000_000,
        }
    }
}

#[derive(Debug, Clone)]
pub struct PhotoOptions {
    /// Long side of the evidence photo in pixels; smaller photos are not enlarged.
    pub long_side: u32,
    pub thumbnail_long_side: u32,
    /// JPEG quality (1–100) of the evidence photo.
    pub quality: u8,
    pub thumbnail_quality: u8,
    pub limits: Limits,
    /// Fonts for the watermark; `None` uses [`FontSet::device_default`], loaded once.
    pub fonts: Option<FontSet>,
}

impl Default for PhotoOptions {
    fn default() -> Self {
        Self {
            long_side: 1600,
            thumbnail_long_side: 320,
            quality: 80,
            thumbnail_quality: 75,
            limits: Limits::default(),
            fonts: None,
        }
    }
}

impl PhotoOptions {
    fn check(&self) -> Result<(), MediaError> {
        if !(16..=8192).contains(&self.long_side) {
            return Err(MediaError::invalid_option(
                "long_side",
                format!("{} 不在 16–8192 之间", self.long_side),
                format!("{} is not within 16–8192", self.long_side),
            ));
        }
        if !(16..=self.long_side).contains(&self.thumbnail_long_side) {
            return Err(MediaError::invalid_option(
                "thumbnail_long_side",
                format!(
                    "{} 不在 16–{} 之间",
                    self.thumbnail_long_side, self.long_side
                ),
                format!(
                    "{} is not within 16–{}",
                    self.thumbnail_long_side, self.long_side
                ),
            ));
        }
        for (field, quality) in [
            ("quality", self.quality),
            ("thumbnail_quality", self.thumbnail_quality),
        ] {
            if !(1..=100).contains(&quality) {
                return Err(MediaError::invalid_option(
                    field,
                    format!("{quality} 不在 1–100 之间"),
                    format!("{quality} is not within 1–100"),
                ));
            }
        }
        Ok(())
    }
}

/// What is known about a photo, kept as data beside the files.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhotoMetadata {
    /// The camera's clock (untrusted; the watermark carries the trusted time).
    pub capture_time: Option<CaptureTime>,
    /// The camera's position fix, if it wrote one.
    pub gps: Option<GeoPoint>,
    /// The EXIF orientation (1–8) that was applied; 1 when absent.
    pub orientation: u8,
    pub make: Option<String>,
    pub model: Option<String>,
    /// Size of the evidence photo, upright.
    pub width: u32,
    pub height: u32,
    pub thumbnail_width: u32,
    pub thumbnail_height: u32,
    /// Size of the camera's file as stored, before orientation.
    pub original_width: u32,
    pub original_height: u32,
    pub original_bytes: u64,
    pub original_sha256: String,
    pub evidence_sha256: String,
    pub thumbnail_sha256: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ProcessedPhoto {
    /// Upright, long side [`PhotoOptions::long_side`], watermarked, 4:2:0, no EXIF.
    pub evidence_jpeg: Vec<u8>,
    /// The evidence photo, small.
    pub thumbnail_jpeg: Vec<u8>,
    pub meta: PhotoMetadata,
    pub watermark: Option<WatermarkReport>,
}

/// Makes the evidence photo, its thumbnail and metadata from a camera JPEG.
///
/// The file is checked whole first (size, format, structure, pixel count from the header);
/// then decoded at the smallest DCT scale that still covers the long side, resized, and only
/// then turned upright: the watermark is drawn, and the encoder reads the rows, through the
/// turn, so the 12 MP picture is never turned and no turned copy is made.
///
/// For a series of photos, [`PhotoProcessor`] does the same without new memory per photo.
pub fn process_photo(
    input: &[u8],
    options: &PhotoOptions,
    watermark: Option<&Watermark>,
) -> Result<ProcessedPhoto, MediaError> {
    options.check()?;
    process(input, options, watermark, &mut Scratch::new(false))
}

/// Processes photos one after another, keeping the buffers of the decoded and the resized
/// picture (about 15 MB for 12 MP photos) from one to the next: a series spends less time on
/// the system handing out fresh memory. Keep one while the camera is open, drop it after.
pub struct PhotoProcessor {
    options: PhotoOptions,
    scratch: Scratch,
}

impl PhotoProcessor {
    pub fn new(options: PhotoOptions) -> Result<Self, MediaError> {
        options.check()?;
        Ok(Self {
            options,
            scratch: Scratch::new(true),
        })
    }

    pub fn options(&self) -> &PhotoOptions {
        &self.options
    }

    /// As [`process_photo`].
    pub fn process(
        &mut self,
        input: &[u8],
        watermark: Option<&Watermark>,
    ) -> Result<ProcessedPhoto, MediaError> {
        process(input, &self.options, watermark, &mut self.scratch)
    }
}

/// The buffers of the decoded and the resized picture, kept for the next photo or not.
struct Scratch {
    keep: bool,
    decoded: Vec<u8>,
    resized: Vec<u8>,
    resizer: Resizer,
}

impl Scratch {
    fn new(keep: bool) -> Self {
        Self {
            keep,
            decoded: Vec::new(),
            resized: Vec::new(),
            resizer: Resizer::new(),
        }
    }

    /// Takes back a buffer for the next photo, or frees it now: memory is at its highest
    /// while the watermark's font is read, and what is not kept should be gone by then.
    fn give_back(&mut self, buffer: Vec<u8>, slot: fn(&mut Self) -> &mut Vec<u8>) {
        if self.keep {
            *slot(self) = buffer;
        }
    }
}

fn process(
    input: &[u8],
    options: &PhotoOptions,
    watermark: Option<&Watermark>,
    scratch: &mut Scratch,
) -> Result<ProcessedPhoto, MediaError> {
    if input.is_empty() {
        return Err(MediaError::EmptyInput);
    }
    if input.len() > options.limits.max_input_bytes {
        return Err(MediaError::InputTooLarge {
            bytes: input.len(),
            limit: options.limits.max_input_bytes,
        });
    }
    let format = raster::detect(input);
    let info = match format {
        Format::Jpeg => Some(jpeg::inspect(input, &options.limits)?),
        Format::Png | Format::WebP => None,
    };
    // Everything the watermark needs is checked before the expensive part.
    let watermark_lines = watermark.map(Watermark::lines).transpose()?;
    let fonts = match (&watermark_lines, &options.fonts) {
        (None, _) => None,
        (Some(_), Some(fonts)) => Some(fonts.clone()),
        (Some(_), None) => Some(default_fonts()?),
    };

    // Camera JPEGs: libjpeg's scaled decode. Gallery PNG and WebP: the image crate, whole.
    let (decoded, exif, original_width, original_height) = match info {
        Some(info) => {
            let exif = info
                .exif
                .clone()
                .map(|range| exif::read(&input[range]))
                .unwrap_or_default();
            let eighths = image::decode_eighths(info.width, info.height, options.long_side);
            let decoded = codec::decode_scaled(input, eighths, take(&mut scratch.decoded))?;
            (decoded, exif, info.width, info.height)
        }
        None => {
            let raster::Decoded { image, exif } = raster::decode(input, format, &options.limits)?;
            let (width, height) = (image.width, image.height);
            (image, exif, width, height)
        }
    };
    let (width, height) = image::fit_long_side(original_width, original_height, options.long_side);
    // A gallery photo's watermark gives its camera's time, known only now, from its EXIF.
    let watermark_lines = match watermark {
        Some(wm) if wm.source == PhotoSource::Gallery && wm.camera_time.is_none() => {
            match &exif.capture_time {
                Some(time) => Some(
                    Watermark {
                        camera_time: Some(time.local),
                        ..wm.clone()
                    }
                    .lines()?,
                ),
                None => watermark_lines,
            }
        }
        _ => watermark_lines,
    };
    let mut resized = if (decoded.width, decoded.height) == (width, height) {
        decoded
    } else {
        let resized = image::resize(
            &decoded,
            width,
            height,
            &mut scratch.resizer,
            take(&mut scratch.resized),
        )?;
        scratch.decoded = decoded.pixels;
        resized
    };
    let turn = image::Turn::new(width, height, exif.orientation);

    let report = match (&watermark_lines, &fonts) {
        (Some(lines), Some(fonts)) => Some(watermark::burn(&mut resized, &turn, lines, fonts)?),
        _ => None,
    };
    let evidence_jpeg = codec::encode(&resized, &turn, options.quality, false)?;
    let (thumb_w, thumb_h) = image::fit_long_side(width, height, options.thumbnail_long_side);
    let thumbnail = image::resize(&resized, thumb_w, thumb_h, &mut scratch.resizer, Vec::new())?;
    scratch.give_back(resized.pixels, |s| &mut s.resized);
    let thumb_turn = image::Turn::new(thumb_w, thumb_h, exif.orientation);
    let thumbnail_jpeg = codec::encode(&thumbnail, &thumb_turn, options.thumbnail_quality, true)?;

    let meta = PhotoMetadata {
        capture_time: exif.capture_time,
        gps: exif.gps,
        orientation: exif.orientation,
        make: exif.make,
        model: exif.model,
        width: turn.width,
        height: turn.height,
        thumbnail_width: thumb_turn.width,
        thumbnail_height: thumb_turn.height,
        original_width,
        original_height,
        original_bytes: input.len() as u64,
        original_sha256: sha256_hex(input),
        evidence_sha256: sha256_hex(&evidence_jpeg),
        thumbnail_sha256: sha256_hex(&thumbnail_jpeg),
    };
    Ok(ProcessedPhoto {
        evidence_jpeg,
        thumbnail_jpeg,
        meta,
        watermark: report,
    })
}

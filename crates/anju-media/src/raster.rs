//! Photos that are not camera JPEGs: PNG and WebP picked from the gallery (and HEIC photos the
//! phone converted to one of them when handing them over), decoded through the `image` crate.
//!
//! Camera JPEGs keep the libjpeg-turbo path (scaled DCT, see codec.rs); these formats are
//! decoded whole, so their pixel count is bounded like a progressive JPEG's, from the header,
//! before any large allocation, and the decoder itself runs under `image::Limits`.

use std::io::Cursor;

use ::image::codecs::png::PngDecoder;
use ::image::codecs::webp::WebPDecoder;
use ::image::{DynamicImage, ImageDecoder, ImageError};

use crate::error::MediaError;
use crate::exif::{self, ExifData};
use crate::image::RgbImage;
use crate::photo::Limits;

/// What the first bytes say the file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    /// Also anything unknown: the JPEG reader names what it is (HEIC, GIF, a video…).
    Jpeg,
    Png,
    WebP,
}

impl Format {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Jpeg => "JPEG",
            Self::Png => "PNG",
            Self::WebP => "WebP",
        }
    }
}

const PNG_MAGIC: &[u8] = b"\x89PNG\r\n\x1a\n";

/// The format by its magic bytes, never by a file name or a MIME type the webview guessed.
pub(crate) fn detect(data: &[u8]) -> Format {
    if data.starts_with(PNG_MAGIC) {
        Format::Png
    } else if data.len() >= 12 && data.starts_with(b"RIFF") && &data[8..12] == b"WEBP" {
        Format::WebP
    } else {
        Format::Jpeg
    }
}

/// A decoded picture as stored (not yet upright), its EXIF, and its stored size.
pub(crate) struct Decoded {
    pub image: RgbImage,
    pub exif: ExifData,
}

/// Decodes a PNG or WebP file to 8-bit RGB; transparency is laid on white, as a viewer
/// shows it. Errors name the format.
pub(crate) fn decode(data: &[u8], format: Format, limits: &Limits) -> Result<Decoded, MediaError> {
    let max_pixels = limits.max_progressive_pixels.min(limits.max_pixels);
    let mut image_limits = ::image::Limits::default();
    // The output (at most 16-bit RGBA, 8 bytes a pixel) and the decoder's own buffers.
    image_limits.max_alloc = Some(max_pixels.saturating_mul(8).saturating_add(64 << 20));
    let fail = |error: ImageError| undecodable(format, &error);
    let cursor = Cursor::new(data);
    let (decoded, exif) = match format {
        Format::Png => {
            let mut decoder = PngDecoder::with_limits(cursor, image_limits).map_err(fail)?;
            check_size(format, decoder.dimensions(), max_pixels)?;
            let exif = decoder.exif_metadata().ok().flatten();
            (DynamicImage::from_decoder(decoder).map_err(fail)?, exif)
        }
        Format::WebP => {
            let mut decoder = WebPDecoder::new(cursor).map_err(fail)?;
            decoder.set_limits(image_limits).map_err(fail)?;
            check_size(format, decoder.dimensions(), max_pixels)?;
            let exif = decoder.exif_metadata().ok().flatten();
            (DynamicImage::from_decoder(decoder).map_err(fail)?, exif)
        }
        Format::Jpeg => {
            return Err(MediaError::invalid_option(
                "format",
                "JPEG 须经 libjpeg 解码",
                "JPEGs are decoded by libjpeg",
            ));
        }
    };
    let exif = exif
        .map(|raw| {
            // WebP writers disagree on whether the chunk starts with the APP1 header.
            let tiff = raw.strip_prefix(b"Exif\0\0").unwrap_or(&raw);
            exif::read(tiff)
        })
        .unwrap_or_default();
    Ok(Decoded {
        image: to_rgb(decoded),
        exif,
    })
}

fn check_size(format: Format, (width, height): (u32, u32), limit: u64) -> Result<(), MediaError> {
    if u64::from(width) * u64::from(height) > limit {
        return Err(MediaError::TooManyPixels {
            width,
            height,
            limit,
        });
    }
    if width == 0 || height == 0 {
        return Err(MediaError::UndecodableImage {
            format: format.name(),
            detail: format!("尺寸为 {width}×{height}"),
            detail_en: format!("its size is {width}×{height}"),
        });
    }
    Ok(())
}

fn undecodable(format: Format, error: &ImageError) -> MediaError {
    let (detail, detail_en) = match error {
        ImageError::Limits(_) => (
            "超出解码内存上限".to_owned(),
            format!("over the decoding limits ({error})"),
        ),
        ImageError::Unsupported(_) => ("不支持的变体".to_owned(), format!("unsupported: {error}")),
        _ => (
            "文件损坏或不完整".to_owned(),
            format!("the file is damaged or incomplete ({error})"),
        ),
    };
    MediaError::UndecodableImage {
        format: format.name(),
        detail,
        detail_en,
    }
}

/// 8-bit RGB; an alpha channel is composited over white.
fn to_rgb(image: DynamicImage) -> RgbImage {
    let (width, height) = (image.width(), image.height());
    let pixels = if image.color().has_alpha() {
        let rgba = image.into_rgba8();
        let mut out = Vec::with_capacity(width as usize * height as usize * 3);
        for pixel in rgba.as_raw().chunks_exact(4) {
            let alpha = u16::from(pixel[3]);
            for &value in &pixel[..3] {
                let blended = (u16::from(value) * alpha + 255 * (255 - alpha) + 127) / 255;
                out.push(blended.min(255) as u8);
            }
        }
        out
    } else {
        image.into_rgb8().into_raw()
    };
    RgbImage {
        width,
        height,
        pixels,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use ::image::{ImageEncoder, codecs::png::PngEncoder};

    #[test]
    fn magic_bytes_decide() {
        assert_eq!(detect(b"\x89PNG\r\n\x1a\n\0\0"), Format::Png);
        assert_eq!(detect(b"RIFF\0\0\0\0WEBPVP8L"), Format::WebP);
        assert_eq!(detect(b"\xFF\xD8\xFF\xE1"), Format::Jpeg);
        assert_eq!(detect(b"RIFF\0\0\0\0AVI "), Format::Jpeg);
        assert_eq!(detect(b""), Format::Jpeg);
    }

    #[test]
    fn transparency_is_laid_on_white() {
        let mut png = Vec::new();
        // One transparent pixel, one opaque red one.
        PngEncoder::new(&mut png)
            .write_image(
                &[0, 0, 0, 0, 255, 0, 0, 255],
                2,
                1,
                ::image::ExtendedColorType::Rgba8,
            )
            .unwrap();
        let decoded = decode(&png, Format::Png, &Limits::default()).unwrap();
        assert_eq!(decoded.image.pixels, [255, 255, 255, 255, 0, 0]);
        assert_eq!(decoded.exif.orientation, 1);
    }
}

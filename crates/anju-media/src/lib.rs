//! Field evidence for Anju: photos and signatures.
//!
//! - [`process_photo`] turns a camera JPEG (or a gallery PNG or WebP, decoded through the
//!   `image` crate, format told by its magic bytes) into the evidence photo (upright from EXIF, long side
//!   1600 px, quality 80 with 4:2:0 chroma, no EXIF left, the watermark burned in), a 320 px
//!   thumbnail, and [`PhotoMetadata`]: capture time, GPS, orientation, make and model, sizes,
//!   and the SHA-256 of the original and of both results. [`PhotoProcessor`] does the same for
//!   a series of photos, reusing its buffers.
//! - [`Watermark`] is what the photo says: household, place, trusted time (China time), the
//!   device's fix (`31.7650°N 116.5100°E ±12 m`) or 无定位 with its reason, inspector, and for
//!   a gallery photo 相册照片 with its camera's time; [`FontSet`] finds a CJK font on the device, with a bundled fallback.
//! - [`render_signature_png`] draws a [`Signature`] (its strokes are the record) and
//!   [`SignatureRecord`] binds it to the form content it signs.
//!
//! Untrusted input never panics: files are checked whole (size, format, structure, pixel count
//! from the header) before decoding, and the decoder's own complaints become [`MediaError`]s.
//! Decoding is libjpeg-turbo's (the mozjpeg fork, built from C source for every target), at
//! the smallest DCT scale that still covers the output: for a 12 MP photo that is half size,
//! which saves three quarters of the inverse DCT and colour conversion and a 36 MB buffer.

// libjpeg reports damaged data by unwinding through its C frames (see codec.rs); with
// panic = "abort" a damaged photo would end the app instead of returning an error.
#[cfg(panic = "abort")]
compile_error!("anju-media needs panic = \"unwind\": libjpeg's errors unwind through C");

mod codec;
mod error;
mod exif;
mod font;
mod image;
mod jpeg;
mod photo;
mod raster;
mod signature;
mod watermark;

pub use error::MediaError;
pub use exif::{CaptureTime, GeoPoint};
pub use font::{DEVICE_FONT_PATHS, FontSet, FontSource};
pub use photo::{
    Limits, PhotoMetadata, PhotoOptions, PhotoProcessor, ProcessedPhoto, process_photo,
};
pub use signature::{
    MAX_POINTS, MAX_SIDE, MAX_STROKES, Signature, SignatureRecord, SignatureStyle, Stroke,
    StrokePoint, render_signature_png, signature_matches,
};
pub use watermark::{ClockStatus, Watermark, WatermarkReport};

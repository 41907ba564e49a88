//! JPEG decoding and encoding through libjpeg-turbo (the mozjpeg fork), behind an interface
//! that returns errors and never lets libjpeg's unwinding escape.
//!
//! libjpeg reports a fatal error by calling `error_exit`, which must not return; the mozjpeg
//! crate makes it unwind through the C code (compiled with `-fexceptions`), and we catch the
//! unwind here. Warnings about damaged data (a bad Huffman code, a premature marker) stop the
//! decoding the same way: libjpeg would otherwise carry on and paint grey, and a damaged photo
//! must not become evidence.

use std::os::raw::c_int;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};

use mozjpeg::{ColorSpace, Compress, Decompress};
use mozjpeg_sys::{jpeg_common_struct, jpeg_error_mgr, msg_parm_union};

use crate::error::MediaError;
use crate::image::{RgbImage, Turn};

/// The payload of the unwind from libjpeg's callbacks; it carries nothing because libjpeg's
/// message needs `unsafe` to read, and the caller knows better where decoding stopped.
struct LibjpegStopped;

extern "C-unwind" fn stop_on_error(_cinfo: &mut jpeg_common_struct) {
    resume_unwind(Box::new(LibjpegStopped));
}

extern "C-unwind" fn stop_on_warning(_cinfo: &mut jpeg_common_struct, level: c_int) {
    // Level −1 is a warning about the data; levels ≥ 0 are trace messages.
    if level < 0 {
        resume_unwind(Box::new(LibjpegStopped));
    }
}

extern "C-unwind" fn do_nothing(_cinfo: &mut jpeg_common_struct) {}

fn strict_error_manager() -> jpeg_error_mgr {
    jpeg_error_mgr {
        error_exit: Some(stop_on_error),
        emit_message: Some(stop_on_warning),
        output_message: Some(do_nothing),
        format_message: None,
        reset_error_mgr: Some(do_nothing),
        msg_code: 0,
        msg_parm: msg_parm_union::default(),
        trace_level: 0,
        num_warnings: 0,
        jpeg_message_table: std::ptr::null(),
        last_jpeg_message: -1,
        addon_message_table: std::ptr::null(),
        first_addon_message: -1,
        last_addon_message: -1,
    }
}

/// Rows handed over by libjpeg per call: enough to amortise the call, small enough that an
/// error names the row where the damage is.
const ROWS_PER_READ: usize = 16;

/// Decodes `data` to RGB at `eighths`/8 of its size, into `buffer`'s memory, using libjpeg's
/// scaled IDCT: most of the work of a full-size decode (and its 36 MB for 12 MP) is never done.
pub(crate) fn decode_scaled(
    data: &[u8],
    eighths: u8,
    buffer: Vec<u8>,
) -> Result<RgbImage, MediaError> {
    let mut rows_done = 0;
    let mut rows_total = None;
    let outcome = catch_unwind(AssertUnwindSafe(|| -> Result<RgbImage, MediaError> {
        let mut decoder = Decompress::builder()
            .with_err(strict_error_manager())
            .from_mem(data)
            .map_err(|_| MediaError::BadHeaders)?;
        decoder.scale(eighths.clamp(1, 8));
        let mut started = decoder.rgb().map_err(|_| MediaError::BadHeaders)?;
        let (width, height) = (started.width(), started.height());
        rows_total = Some(height);
        let stride = width * 3;
        let mut pixels = crate::image::reuse(buffer, stride * height);
        for rows in pixels.chunks_mut(stride * ROWS_PER_READ) {
            started
                .read_scanlines_into(rows)
                .map_err(|_| MediaError::CorruptImageData {
                    row: rows_done,
                    rows: height,
                })?;
            rows_done += rows.len() / stride;
        }
        // Reads on to the end-of-image marker: data left over before it means the image data
        // did not have the length its header implies, and libjpeg warns.
        started.finish().map_err(|_| MediaError::CorruptImageData {
            row: height,
            rows: height,
        })?;
        Ok(RgbImage {
            width: to_u32(width)?,
            height: to_u32(height)?,
            pixels,
        })
    }));
    match outcome {
        Ok(result) => result,
        Err(_) => Err(match rows_total {
            None => MediaError::BadHeaders,
            Some(rows) => MediaError::CorruptImageData {
                row: rows_done,
                rows,
            },
        }),
    }
}

/// Upright rows handed to libjpeg per call when the picture is turned on the way in.
const ROWS_PER_WRITE: u32 = 16;

/// Encodes `image` turned upright by `turn` as baseline JPEG with 4:2:0 chroma and no metadata
/// but the JFIF header. Optimised Huffman tables make the file 7–15% smaller, but libjpeg then
/// holds the whole picture's coefficients (2 bytes a sample: 6 MB, and 10 MB more at the peak,
/// for a 2 MP photo) and makes a second pass: worth it for small pictures only.
pub(crate) fn encode(
    image: &RgbImage,
    turn: &Turn,
    quality: u8,
    optimize_huffman: bool,
) -> Result<Vec<u8>, MediaError> {
    let outcome = catch_unwind(AssertUnwindSafe(|| -> std::io::Result<Vec<u8>> {
        let mut compress = Compress::new(ColorSpace::JCS_RGB);
        // libjpeg-turbo's settings: mozjpeg's trellis search costs several times the time.
        compress.set_fastest_defaults();
        compress.set_size(turn.width as usize, turn.height as usize);
        compress.set_quality(f32::from(quality));
        compress.set_chroma_sampling_pixel_sizes((2, 2), (2, 2));
        compress.set_optimize_coding(optimize_huffman);
        let estimate = image.pixels.len() / 12;
        let mut started = compress.start_compress(Vec::with_capacity(estimate))?;
        if turn.is_identity() {
            started.write_scanlines(&image.pixels)?;
        } else {
            let row_bytes = turn.width as usize * 3;
            let mut strip = vec![0; row_bytes * ROWS_PER_WRITE as usize];
            for first in (0..turn.height).step_by(ROWS_PER_WRITE as usize) {
                let rows = ROWS_PER_WRITE.min(turn.height - first) as usize;
                turn.read_rows(&image.pixels, first, &mut strip[..rows * row_bytes]);
                started.write_scanlines(&strip[..rows * row_bytes])?;
            }
        }
        started.finish()
    }));
    match outcome {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(err)) => Err(MediaError::Encode(err.to_string())),
        // The crate's own error manager unwinds with libjpeg's message as a String.
        Err(payload) => Err(MediaError::Encode(
            payload
                .downcast::<String>()
                .map_or_else(|_| "libjpeg stopped".to_owned(), |message| *message),
        )),
    }
}

fn to_u32(value: usize) -> Result<u32, MediaError> {
    u32::try_from(value).map_err(|_| MediaError::BadHeaders)
}

//! RGB pixel buffers: sizes, resizing (SIMD, `fast_image_resize`) and EXIF orientation.

use fast_image_resize::images::{Image, ImageRef};
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};

use crate::error::MediaError;

/// 8-bit RGB, rows top to bottom, no padding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RgbImage {
    pub width: u32,
    pub height: u32,
    pub pixels: Vec<u8>,
}

/// The size that fits `long_side` with the aspect ratio kept; never larger than the input.
pub(crate) fn fit_long_side(width: u32, height: u32, long_side: u32) -> (u32, u32) {
    let long = width.max(height);
    if long <= long_side {
        return (width, height);
    }
    let scale = |side: u32| {
        let scaled =
            (u64::from(side) * u64::from(long_side) + u64::from(long) / 2) / u64::from(long);
        u32::try_from(scaled).unwrap_or(long_side).max(1)
    };
    (scale(width), scale(height))
}

/// The smallest libjpeg scale (in eighths) whose output still has at least `long_side` pixels
/// on its long side, so the resizer only ever shrinks.
pub(crate) fn decode_eighths(width: u32, height: u32, long_side: u32) -> u8 {
    let long = u64::from(width.max(height));
    let wanted = u64::from(long_side).min(long);
    (1u8..=8)
        .find(|&m| (long * u64::from(m)).div_ceil(8) >= wanted)
        .unwrap_or(8)
}

/// `buffer` with exactly `len` bytes, reusing its memory: the contents are left as they are
/// when the length already fits, since every caller overwrites them all.
pub(crate) fn reuse(mut buffer: Vec<u8>, len: usize) -> Vec<u8> {
    if buffer.len() != len {
        buffer.clear();
        buffer.resize(len, 0);
    }
    buffer
}

/// Resizes with a Catmull-Rom convolution, which stays sharp at the small ratios the scaled
/// decode leaves and antialiases properly at large ones. The result lives in `buffer`'s memory;
/// `resizer` keeps its temporary buffer for the next call.
pub(crate) fn resize(
    source: &RgbImage,
    width: u32,
    height: u32,
    resizer: &mut Resizer,
    buffer: Vec<u8>,
) -> Result<RgbImage, MediaError> {
    let fail = |err: &dyn std::fmt::Display| MediaError::Resize(err.to_string());
    let src = ImageRef::new(source.width, source.height, &source.pixels, PixelType::U8x3)
        .map_err(|e| fail(&e))?;
    let buffer = reuse(buffer, width as usize * height as usize * 3);
    let mut dst =
        Image::from_vec_u8(width, height, buffer, PixelType::U8x3).map_err(|e| fail(&e))?;
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::CatmullRom));
    resizer
        .resize(&src, &mut dst, &options)
        .map_err(|e| fail(&e))?;
    Ok(RgbImage {
        width,
        height,
        pixels: dst.into_vec(),
    })
}

/// How stored pixels map to the upright picture under an EXIF orientation (1–8), without
/// moving them: the watermark is drawn through it and the encoder reads upright rows through
/// it, so the turned picture is never held whole.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Turn {
    /// Upright size.
    pub width: u32,
    pub height: u32,
    /// Byte offset in the stored pixels of the upright top-left pixel, and how it moves for
    /// one step right and one step down in the upright picture.
    origin: isize,
    step_right: isize,
    step_down: isize,
}

impl Turn {
    pub(crate) fn new(stored_width: u32, stored_height: u32, orientation: u8) -> Self {
        let (w, h) = (stored_width as isize, stored_height as isize);
        let ((x0, y0), right, down) = match orientation {
            2 => ((w - 1, 0), (-1, 0), (0, 1)),
            3 => ((w - 1, h - 1), (-1, 0), (0, -1)),
            4 => ((0, h - 1), (1, 0), (0, -1)),
            5 => ((0, 0), (0, 1), (1, 0)),
            6 => ((0, h - 1), (0, -1), (1, 0)),
            7 => ((w - 1, h - 1), (0, -1), (-1, 0)),
            8 => ((w - 1, 0), (0, 1), (-1, 0)),
            _ => ((0, 0), (1, 0), (0, 1)),
        };
        let offset = |(dx, dy): (isize, isize)| (dy * w + dx) * 3;
        let (width, height) = if (5..=8).contains(&orientation) {
            (stored_height, stored_width)
        } else {
            (stored_width, stored_height)
        };
        Self {
            width,
            height,
            origin: offset((x0, y0)),
            step_right: offset(right),
            step_down: offset(down),
        }
    }

    /// Whether upright rows are stored rows, so the pixels can be used as they are.
    pub(crate) fn is_identity(&self) -> bool {
        self.origin == 0 && self.step_right == 3 && self.step_down == self.width as isize * 3
    }

    /// Byte offset in the stored pixels of upright pixel (x, y).
    pub(crate) fn index(&self, x: u32, y: u32) -> usize {
        (self.origin + x as isize * self.step_right + y as isize * self.step_down) as usize
    }

    /// Fills `out` (whole upright rows) with upright rows from `first_row` on.
    pub(crate) fn read_rows(&self, stored: &[u8], first_row: u32, out: &mut [u8]) {
        let row_bytes = self.width as usize * 3;
        for (r, row) in out.chunks_exact_mut(row_bytes).enumerate() {
            let mut at = self.index(0, first_row + r as u32) as isize;
            for pixel in row.chunks_exact_mut(3) {
                let i = at as usize;
                pixel.copy_from_slice(&stored[i..i + 3]);
                at += self.step_right;
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn fits_the_long_side() {
        assert_eq!(fit_long_side(4000, 3000, 1600), (1600, 1200));
        assert_eq!(fit_long_side(3000, 4000, 1600), (1200, 1600));
        assert_eq!(fit_long_side(4032, 3024, 320), (320, 240));
        assert_eq!(fit_long_side(800, 600, 1600), (800, 600));
        assert_eq!(fit_long_side(10000, 1, 100), (100, 1));
    }

    #[test]
    fn decode_scale_never_goes_below_the_target() {
        assert_eq!(decode_eighths(4000, 3000, 1600), 4);
        assert_eq!(decode_eighths(8160, 6120, 1600), 2);
        assert_eq!(decode_eighths(1600, 1200, 1600), 8);
        assert_eq!(decode_eighths(800, 600, 1600), 8);
        for long in [100u32, 1599, 1601, 2047, 3264, 4000, 4032, 9000] {
            let m = decode_eighths(long, long / 2, 1600);
            let out = (u64::from(long) * u64::from(m)).div_ceil(8);
            assert!(
                out >= u64::from(long.min(1600)),
                "{long}: {m}/8 gives {out}"
            );
            if m > 1 {
                let smaller = (u64::from(long) * u64::from(m - 1)).div_ceil(8);
                assert!(
                    smaller < u64::from(long.min(1600)),
                    "{long}: {m} is not the smallest"
                );
            }
        }
    }

    fn numbered(width: u32, height: u32) -> RgbImage {
        let pixels = (0..width * height)
            .flat_map(|i| [(i % 251) as u8, (i / 251) as u8, 7])
            .collect();
        RgbImage {
            width,
            height,
            pixels,
        }
    }

    /// The upright picture, through `Turn`.
    fn orient(source: RgbImage, orientation: u8) -> RgbImage {
        let turn = Turn::new(source.width, source.height, orientation);
        let mut pixels = vec![0; source.pixels.len()];
        turn.read_rows(&source.pixels, 0, &mut pixels);
        RgbImage {
            width: turn.width,
            height: turn.height,
            pixels,
        }
    }

    fn at(image: &RgbImage, x: u32, y: u32) -> [u8; 3] {
        let i = ((y * image.width + x) * 3) as usize;
        [image.pixels[i], image.pixels[i + 1], image.pixels[i + 2]]
    }

    #[test]
    fn orientation_maps_corners() {
        // Stored 130×70; where does the stored top-left pixel end up after each orientation?
        let source = numbered(130, 70);
        let top_left = at(&source, 0, 0);
        let expected: [(u8, (u32, u32)); 8] = [
            (1, (0, 0)),
            (2, (129, 0)),
            (3, (129, 69)),
            (4, (0, 69)),
            (5, (0, 0)),
            (6, (69, 0)),
            (7, (69, 129)),
            (8, (0, 129)),
        ];
        for (orientation, (x, y)) in expected {
            let out = orient(source.clone(), orientation);
            let size = if orientation >= 5 {
                (70, 130)
            } else {
                (130, 70)
            };
            assert_eq!((out.width, out.height), size, "orientation {orientation}");
            assert_eq!(at(&out, x, y), top_left, "orientation {orientation}");
        }
    }

    #[test]
    fn identity_is_recognised_and_index_agrees_with_rows() {
        assert!(Turn::new(130, 70, 1).is_identity());
        assert!((2..=8).all(|o| !Turn::new(130, 70, o).is_identity()));
        let source = numbered(31, 17);
        for orientation in 1..=8 {
            let turn = Turn::new(31, 17, orientation);
            let upright = orient(source.clone(), orientation);
            for (x, y) in [(0, 0), (5, 3), (turn.width - 1, turn.height - 1)] {
                let i = turn.index(x, y);
                assert_eq!(
                    source.pixels[i..i + 3],
                    at(&upright, x, y),
                    "orientation {orientation}"
                );
            }
        }
    }

    #[test]
    fn orientation_is_a_permutation() {
        let source = numbered(67, 45);
        let mut before = source
            .pixels
            .chunks(3)
            .map(|p| p.to_vec())
            .collect::<Vec<_>>();
        before.sort();
        for orientation in 1..=8 {
            let out = orient(source.clone(), orientation);
            let mut after = out.pixels.chunks(3).map(|p| p.to_vec()).collect::<Vec<_>>();
            after.sort();
            assert_eq!(before, after, "orientation {orientation}");
        }
    }

    #[test]
    fn resize_keeps_a_flat_colour() {
        let flat = RgbImage {
            width: 200,
            height: 100,
            pixels: [10u8, 120, 240].repeat(200 * 100),
        };
        let out = resize(&flat, 37, 19, &mut Resizer::new(), vec![1; 5]).unwrap();
        assert_eq!((out.width, out.height), (37, 19));
        assert!(out.pixels.chunks(3).all(|p| p == [10, 120, 240]));
    }
}

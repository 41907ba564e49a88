//! Phone-like test photos made in code: pixels, a JPEG from libjpeg, and an EXIF segment
//! written here byte by byte (not with the EXIF library the crate reads it with).
//! Shared by the tests and by `examples/bench_photos.rs`.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use mozjpeg::{ColorSpace, Compress, Decompress};

/// What the EXIF segment says.
#[derive(Debug, Clone, Default)]
pub struct ExifSpec {
    pub orientation: Option<u16>,
    /// `YYYY:MM:DD HH:MM:SS`
    pub date_time_original: Option<&'static str>,
    /// `+08:00`
    pub offset_time_original: Option<&'static str>,
    /// Degrees; negative is south or west.
    pub gps: Option<(f64, f64)>,
    pub make: Option<&'static str>,
    pub model: Option<&'static str>,
}

impl ExifSpec {
    /// What a phone writes.
    pub fn phone(orientation: u16) -> Self {
        Self {
            orientation: Some(orientation),
            date_time_original: Some("2017:09:05 14:32:07"),
            offset_time_original: Some("+08:00"),
            gps: Some((31.754_3, 116.512_3)),
            make: Some("HUAWEI"),
            model: Some("P10"),
        }
    }
}

const BYTE: u16 = 1;
const ASCII: u16 = 2;
const SHORT: u16 = 3;
const LONG: u16 = 4;
const RATIONAL: u16 = 5;

struct Entry {
    tag: u16,
    kind: u16,
    count: u32,
    value: Vec<u8>,
}

fn ascii(tag: u16, text: &str) -> Entry {
    let mut value = text.as_bytes().to_vec();
    value.push(0);
    Entry {
        tag,
        kind: ASCII,
        count: value.len() as u32,
        value,
    }
}

fn short(tag: u16, v: u16) -> Entry {
    Entry {
        tag,
        kind: SHORT,
        count: 1,
        value: v.to_le_bytes().to_vec(),
    }
}

fn long(tag: u16, v: u32) -> Entry {
    Entry {
        tag,
        kind: LONG,
        count: 1,
        value: v.to_le_bytes().to_vec(),
    }
}

/// Degrees as degrees, minutes and seconds (seconds in 1/10000).
fn dms(tag: u16, degrees: f64) -> Entry {
    let d = degrees.abs();
    let whole = d.floor();
    let minutes = ((d - whole) * 60.0).floor();
    let seconds = ((d - whole) * 60.0 - minutes) * 60.0;
    let mut value = Vec::new();
    for (num, den) in [
        (whole as u32, 1u32),
        (minutes as u32, 1),
        ((seconds * 10000.0).round() as u32, 10000),
    ] {
        value.extend_from_slice(&num.to_le_bytes());
        value.extend_from_slice(&den.to_le_bytes());
    }
    Entry {
        tag,
        kind: RATIONAL,
        count: 3,
        value,
    }
}

fn data_len(entries: &[Entry]) -> usize {
    entries
        .iter()
        .map(|e| {
            if e.value.len() > 4 {
                e.value.len().next_multiple_of(2)
            } else {
                0
            }
        })
        .sum()
}

fn ifd_len(entries: &[Entry]) -> usize {
    2 + 12 * entries.len() + 4 + data_len(entries)
}

/// An IFD at offset `start` of the TIFF structure, values over 4 bytes right after it.
fn write_ifd(entries: &mut [Entry], start: usize) -> Vec<u8> {
    entries.sort_by_key(|e| e.tag);
    let mut out = Vec::new();
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    let mut data = Vec::new();
    let data_start = start + 2 + 12 * entries.len() + 4;
    for e in entries.iter() {
        out.extend_from_slice(&e.tag.to_le_bytes());
        out.extend_from_slice(&e.kind.to_le_bytes());
        out.extend_from_slice(&e.count.to_le_bytes());
        if e.value.len() <= 4 {
            let mut inline = e.value.clone();
            inline.resize(4, 0);
            out.extend_from_slice(&inline);
        } else {
            out.extend_from_slice(&((data_start + data.len()) as u32).to_le_bytes());
            data.extend_from_slice(&e.value);
            if data.len() % 2 == 1 {
                data.push(0);
            }
        }
    }
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(&data);
    out
}

/// The TIFF structure of an EXIF block (little-endian): IFD0, the Exif IFD, the GPS IFD.
pub fn exif_tiff(spec: &ExifSpec) -> Vec<u8> {
    let mut ifd0 = Vec::new();
    if let Some(make) = spec.make {
        ifd0.push(ascii(0x010F, make));
    }
    if let Some(model) = spec.model {
        ifd0.push(ascii(0x0110, model));
    }
    if let Some(o) = spec.orientation {
        ifd0.push(short(0x0112, o));
    }
    let mut exif_ifd = Vec::new();
    if let Some(t) = spec.date_time_original {
        ifd0.push(ascii(0x0132, t));
        exif_ifd.push(ascii(0x9003, t));
    }
    if let Some(o) = spec.offset_time_original {
        exif_ifd.push(ascii(0x9011, o));
    }
    let mut gps_ifd = Vec::new();
    if let Some((lat, lon)) = spec.gps {
        gps_ifd.push(Entry {
            tag: 0x0000,
            kind: BYTE,
            count: 4,
            value: vec![2, 3, 0, 0],
        });
        gps_ifd.push(ascii(0x0001, if lat >= 0.0 { "N" } else { "S" }));
        gps_ifd.push(dms(0x0002, lat));
        gps_ifd.push(ascii(0x0003, if lon >= 0.0 { "E" } else { "W" }));
        gps_ifd.push(dms(0x0004, lon));
    }
    // Pointers first (their values do not change the sizes), then the real offsets.
    let has_exif = !exif_ifd.is_empty();
    let has_gps = !gps_ifd.is_empty();
    if has_exif {
        ifd0.push(long(0x8769, 0));
    }
    if has_gps {
        ifd0.push(long(0x8825, 0));
    }
    let exif_start = 8 + ifd_len(&ifd0);
    let gps_start = exif_start + if has_exif { ifd_len(&exif_ifd) } else { 0 };
    for e in &mut ifd0 {
        match e.tag {
            0x8769 => e.value = (exif_start as u32).to_le_bytes().to_vec(),
            0x8825 => e.value = (gps_start as u32).to_le_bytes().to_vec(),
            _ => {}
        }
    }
    let mut tiff = b"II*\0".to_vec();
    tiff.extend_from_slice(&8u32.to_le_bytes());
    tiff.extend(write_ifd(&mut ifd0, 8));
    if has_exif {
        tiff.extend(write_ifd(&mut exif_ifd, exif_start));
    }
    if has_gps {
        tiff.extend(write_ifd(&mut gps_ifd, gps_start));
    }
    tiff
}

/// `jpeg` with an `Exif` APP1 segment right after SOI.
pub fn with_exif(jpeg: &[u8], spec: &ExifSpec) -> Vec<u8> {
    let mut payload = b"Exif\0\0".to_vec();
    payload.extend(exif_tiff(spec));
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
    out.extend(payload);
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// How a test JPEG is encoded.
#[derive(Debug, Clone, Copy)]
pub struct Encoding {
    pub quality: u8,
    /// Chroma pixel size: (2, 2) is 4:2:0, (1, 1) is 4:4:4.
    pub chroma: (u8, u8),
    pub progressive: bool,
    pub grayscale: bool,
}

impl Encoding {
    /// What phone cameras write: baseline 4:2:0 at high quality.
    pub fn phone() -> Self {
        Self {
            quality: 92,
            chroma: (2, 2),
            progressive: false,
            grayscale: false,
        }
    }
}

pub fn encode(rgb: &[u8], width: u32, height: u32, encoding: Encoding) -> Vec<u8> {
    let gray: Vec<u8>;
    let (space, pixels) = if encoding.grayscale {
        gray = rgb
            .chunks_exact(3)
            .map(|p| {
                ((u32::from(p[0]) * 77 + u32::from(p[1]) * 150 + u32::from(p[2]) * 29) >> 8) as u8
            })
            .collect();
        (ColorSpace::JCS_GRAYSCALE, &gray[..])
    } else {
        (ColorSpace::JCS_RGB, rgb)
    };
    let mut c = Compress::new(space);
    c.set_fastest_defaults();
    c.set_size(width as usize, height as usize);
    c.set_quality(f32::from(encoding.quality));
    if !encoding.grayscale {
        c.set_chroma_sampling_pixel_sizes(encoding.chroma, encoding.chroma);
    }
    if encoding.progressive {
        c.set_progressive_mode();
    }
    let mut started = c.start_compress(Vec::new()).unwrap();
    started.write_scanlines(pixels).unwrap();
    started.finish().unwrap()
}

/// Daylight-photo-like pixels: gradients, fine texture and sensor noise, so that the file
/// is as large (and as slow to decode) as a phone's: about 4 MB for 12 MP at quality 92.
pub fn phone_pixels(width: u32, height: u32, seed: u64) -> Vec<u8> {
    let (w, h) = (width as usize, height as usize);
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut out = Vec::with_capacity(w * h * 3);
    for y in 0..h {
        for x in 0..w {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let noise = (state % 13) as i32 - 6;
            let texture = (((x / 7) ^ (y / 5)) & 15) as i32 * 3;
            let r = (x * 200 / w) as i32 + texture + noise;
            let g = (y * 200 / h) as i32 + ((x + y) / 40 % 2) as i32 * 30 + noise;
            let b = 120 + ((x + seed as usize) % 97) as i32 - texture + noise;
            out.extend([r, g, b].map(|v| v.clamp(0, 255) as u8));
        }
    }
    out
}

/// A phone photo: `phone_pixels` encoded as a camera would, with EXIF.
pub fn phone_jpeg(width: u32, height: u32, seed: u64, exif: &ExifSpec) -> Vec<u8> {
    let jpeg = encode(
        &phone_pixels(width, height, seed),
        width,
        height,
        Encoding::phone(),
    );
    with_exif(&jpeg, exif)
}

/// The colours of the four quadrants of the upright test picture: top-left, top-right,
/// bottom-left, bottom-right.
pub const QUADRANTS: [[u8; 3]; 4] = [[220, 40, 40], [40, 200, 60], [40, 60, 220], [230, 220, 50]];

/// The upright picture's colour at (x, y).
pub fn quadrant_colour(x: u32, y: u32, width: u32, height: u32) -> [u8; 3] {
    let right = usize::from(x >= width / 2);
    let bottom = usize::from(y >= height / 2);
    QUADRANTS[bottom * 2 + right]
}

/// The pixels a camera stores for an upright `width`×`height` picture when it writes EXIF
/// orientation `orientation`, from the EXIF definition of each value (which side the stored
/// 0th row and 0th column are): returns (pixels, stored width, stored height).
pub fn stored_for_orientation(width: u32, height: u32, orientation: u16) -> (Vec<u8>, u32, u32) {
    let (sw, sh) = if orientation >= 5 {
        (height, width)
    } else {
        (width, height)
    };
    let mut out = Vec::with_capacity((sw * sh * 3) as usize);
    for sy in 0..sh {
        for sx in 0..sw {
            // (row, column) of the stored picture → upright (x, y)
            let (ux, uy) = match orientation {
                1 => (sx, sy),                          // row 0 top, column 0 left
                2 => (width - 1 - sx, sy),              // row 0 top, column 0 right
                3 => (width - 1 - sx, height - 1 - sy), // row 0 bottom, column 0 right
                4 => (sx, height - 1 - sy),             // row 0 bottom, column 0 left
                5 => (sy, sx),                          // row 0 left, column 0 top
                6 => (width - 1 - sy, sx),              // row 0 right, column 0 top
                7 => (width - 1 - sy, height - 1 - sx), // row 0 right, column 0 bottom
                8 => (sy, height - 1 - sx),             // row 0 left, column 0 bottom
                _ => panic!("orientation {orientation}"),
            };
            out.extend(quadrant_colour(ux, uy, width, height));
        }
    }
    (out, sw, sh)
}

/// Decodes a JPEG to RGB: (width, height, pixels).
pub fn decode(jpeg: &[u8]) -> (u32, u32, Vec<u8>) {
    let d = Decompress::new_mem(jpeg).unwrap();
    let mut started = d.rgb().unwrap();
    let (w, h) = (started.width() as u32, started.height() as u32);
    let pixels: Vec<u8> = started.read_scanlines().unwrap();
    (w, h, pixels)
}

/// The marker codes of a JPEG's segments, up to and including the first SOS.
pub fn header_markers(jpeg: &[u8]) -> Vec<(u8, Vec<u8>)> {
    let mut out = Vec::new();
    let mut pos = 2;
    while pos + 4 <= jpeg.len() && jpeg[pos] == 0xFF {
        let marker = jpeg[pos + 1];
        let len = usize::from(u16::from_be_bytes([jpeg[pos + 2], jpeg[pos + 3]]));
        out.push((marker, jpeg[pos + 4..pos + 2 + len].to_vec()));
        if marker == 0xDA {
            break;
        }
        pos += 2 + len;
    }
    out
}

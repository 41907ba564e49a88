//! Reading a JPEG's structure without decoding it: what the file is, its size from the frame
//! header, where its EXIF is, and whether it is complete.
//!
//! This runs before libjpeg sees the bytes, for three reasons: the pixel limit must be checked
//! before any large allocation; libjpeg pads a truncated file with grey instead of failing,
//! and an evidence photo with a grey half must be refused; and a wrong file (HEIC, PNG, a video)
//! deserves an error naming it.

use std::ops::Range;

use crate::error::MediaError;
use crate::photo::Limits;

/// What the headers say about a JPEG that is structurally whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct JpegInfo {
    pub width: u32,
    pub height: u32,
    pub components: u8,
    pub progressive: bool,
    /// The TIFF structure inside the first `Exif\0\0` APP1 segment.
    pub exif: Option<Range<usize>>,
}

const SOI: u8 = 0xD8;
const EOI: u8 = 0xD9;
const SOS: u8 = 0xDA;
const APP1: u8 = 0xE1;

/// Checks that `data` is a complete JPEG this crate can decode and reads its headers.
pub(crate) fn inspect(data: &[u8], limits: &Limits) -> Result<JpegInfo, MediaError> {
    if data.is_empty() {
        return Err(MediaError::EmptyInput);
    }
    if data.len() < 3 || data[0] != 0xFF || data[1] != SOI {
        return Err(not_jpeg(data));
    }

    let mut frame: Option<Frame> = None;
    let mut exif = None;
    let mut scans = 0usize;
    let mut pos = 2;
    loop {
        let (marker, after_marker) = read_marker(data, pos)?;
        match marker {
            EOI => {
                let Some(frame) = frame else {
                    return Err(MediaError::corrupt(
                        pos,
                        "文件在帧头（SOF）之前结束",
                        "the image ends before its frame header (SOF)",
                    ));
                };
                if scans == 0 {
                    return Err(MediaError::corrupt(
                        pos,
                        "文件没有图像数据（SOS）",
                        "the image has no image data (SOS)",
                    ));
                }
                // Bytes after EOI are allowed: motion photos append a video there.
                return Ok(JpegInfo {
                    width: frame.width,
                    height: frame.height,
                    components: frame.components,
                    progressive: frame.progressive,
                    exif,
                });
            }
            SOI => {
                return Err(MediaError::corrupt(
                    pos,
                    "文件中间出现第二个起始标记（SOI）",
                    "a second start-of-image marker (SOI) inside the file",
                ));
            }
            // Markers without a length: restart markers and TEM.
            0xD0..=0xD7 | 0x01 => {
                pos = after_marker;
                continue;
            }
            _ => {}
        }

        let segment = read_segment(data, pos, after_marker, marker)?;
        let payload = &data[segment.payload.clone()];
        match marker {
            APP1 if exif.is_none() && payload.starts_with(b"Exif\0\0") => {
                exif = Some(segment.payload.start + 6..segment.payload.end);
            }
            0xC0..=0xC2 => {
                if frame.is_some() {
                    return Err(MediaError::corrupt(
                        pos,
                        "文件有两个帧头（SOF）",
                        "the file has two frame headers (SOF)",
                    ));
                }
                let parsed = parse_frame(payload, marker == 0xC2, pos)?;
                let pixels = u64::from(parsed.width) * u64::from(parsed.height);
                let limit = if parsed.progressive {
                    limits.max_progressive_pixels.min(limits.max_pixels)
                } else {
                    limits.max_pixels
                };
                if pixels > limit {
                    return Err(MediaError::TooManyPixels {
                        width: parsed.width,
                        height: parsed.height,
                        limit,
                    });
                }
                frame = Some(parsed);
            }
            0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF | 0xCC => {
                let (zh, en) = process_name(marker);
                return Err(MediaError::unsupported_jpeg(zh, en));
            }
            0xDC => {
                return Err(MediaError::unsupported_jpeg(
                    "高度由 DNL 标记给出",
                    "the height is given by a DNL marker",
                ));
            }
            SOS => {
                if frame.is_none() {
                    return Err(MediaError::corrupt(
                        pos,
                        "扫描（SOS）出现在帧头（SOF）之前",
                        "a scan (SOS) comes before the frame header (SOF)",
                    ));
                }
                scans += 1;
                pos = end_of_entropy_data(data, segment.end, scans)?;
                continue;
            }
            _ => {}
        }
        pos = segment.end;
    }
}

struct Frame {
    width: u32,
    height: u32,
    components: u8,
    progressive: bool,
}

struct Segment {
    payload: Range<usize>,
    end: usize,
}

/// Reads the marker at `pos` (after any fill bytes): its code and the offset after it.
fn read_marker(data: &[u8], pos: usize) -> Result<(u8, usize), MediaError> {
    if pos >= data.len() {
        return Err(truncated(data.len(), "在两段之间", "between two segments"));
    }
    if data[pos] != 0xFF {
        return Err(MediaError::corrupt(
            pos,
            format!("此处应为标记，却是 0x{:02X}", data[pos]),
            format!("a marker was expected, found 0x{:02X}", data[pos]),
        ));
    }
    let mut at = pos;
    while at < data.len() && data[at] == 0xFF {
        at += 1;
    }
    match data.get(at) {
        None => Err(truncated(data.len(), "在标记中", "inside a marker")),
        Some(0x00) => Err(MediaError::corrupt(
            at - 1,
            "无效标记 0xFF00",
            "invalid marker 0xFF00",
        )),
        Some(&marker) => Ok((marker, at + 1)),
    }
}

fn read_segment(
    data: &[u8],
    marker_at: usize,
    after_marker: usize,
    marker: u8,
) -> Result<Segment, MediaError> {
    let Some(length_bytes) = data.get(after_marker..after_marker + 2) else {
        return Err(truncated(
            data.len(),
            "在段长度中",
            "inside a segment length",
        ));
    };
    let length = usize::from(u16::from_be_bytes([length_bytes[0], length_bytes[1]]));
    if length < 2 {
        return Err(MediaError::corrupt(
            marker_at,
            format!("段 0xFF{marker:02X} 的长度 {length} 无效"),
            format!("segment 0xFF{marker:02X} has an invalid length {length}"),
        ));
    }
    let end = after_marker + length;
    if end > data.len() {
        return Err(truncated(data.len(), "在一个段中", "inside a segment"));
    }
    Ok(Segment {
        payload: after_marker + 2..end,
        end,
    })
}

fn parse_frame(payload: &[u8], progressive: bool, at: usize) -> Result<Frame, MediaError> {
    let bad = |zh: &str, en: &str| {
        MediaError::corrupt(
            at,
            format!("帧头（SOF）{zh}"),
            format!("frame header (SOF): {en}"),
        )
    };
    if payload.len() < 6 {
        return Err(bad("过短", "too short"));
    }
    let precision = payload[0];
    let height = u32::from(u16::from_be_bytes([payload[1], payload[2]]));
    let width = u32::from(u16::from_be_bytes([payload[3], payload[4]]));
    let components = payload[5];
    if precision != 8 {
        return Err(MediaError::unsupported_jpeg(
            format!("每样本 {precision} 位（只支持 8 位）"),
            format!("{precision} bits per sample (only 8 is supported)"),
        ));
    }
    if height == 0 {
        return Err(MediaError::unsupported_jpeg(
            "高度由 DNL 标记给出",
            "the height is given by a DNL marker",
        ));
    }
    if width == 0 {
        return Err(bad("宽度为 0", "the width is 0"));
    }
    match components {
        1 | 3 => {}
        4 => {
            return Err(MediaError::unsupported_jpeg(
                "CMYK/YCCK 四通道图像",
                "four-channel CMYK/YCCK image",
            ));
        }
        n => {
            return Err(bad(
                &format!("通道数 {n} 无效"),
                &format!("invalid component count {n}"),
            ));
        }
    }
    if payload.len() != 6 + 3 * usize::from(components) {
        return Err(bad(
            "长度与通道数不符",
            "length does not match the component count",
        ));
    }
    for component in payload[6..].chunks_exact(3) {
        let (h, v) = (component[1] >> 4, component[1] & 0x0F);
        if !(1..=4).contains(&h) || !(1..=4).contains(&v) {
            return Err(bad(
                &format!("采样因子 {h}×{v} 无效"),
                &format!("invalid sampling factors {h}×{v}"),
            ));
        }
    }
    Ok(Frame {
        width,
        height,
        components,
        progressive,
    })
}

/// Finds the marker that ends the entropy-coded data of a scan starting at `from`.
fn end_of_entropy_data(data: &[u8], from: usize, scan: usize) -> Result<usize, MediaError> {
    let mut at = from;
    loop {
        let Some(found) = memchr::memchr(0xFF, &data[at..]) else {
            return Err(truncated_in_scan(data.len(), scan));
        };
        let ff = at + found;
        match data.get(ff + 1) {
            None => return Err(truncated_in_scan(data.len(), scan)),
            // A stuffed zero byte or a restart marker belongs to the data; 0xFF may be fill.
            Some(0x00 | 0xD0..=0xD7) => at = ff + 2,
            Some(0xFF) => at = ff + 1,
            Some(_) => return Ok(ff),
        }
    }
}

fn process_name(marker: u8) -> (&'static str, &'static str) {
    match marker {
        0xC3 => ("无损 JPEG", "lossless JPEG"),
        0xC5..=0xC7 => ("分层 JPEG", "hierarchical JPEG"),
        _ => ("算术编码 JPEG", "arithmetic-coded JPEG"),
    }
}

fn truncated(offset: usize, context: &'static str, context_en: &'static str) -> MediaError {
    MediaError::Truncated {
        offset,
        context: context.into(),
        context_en: context_en.into(),
    }
}

fn truncated_in_scan(offset: usize, scan: usize) -> MediaError {
    MediaError::Truncated {
        offset,
        context: format!("在第 {scan} 个扫描的压缩数据中"),
        context_en: format!("in the compressed data of scan {scan}"),
    }
}

/// Names the format of a file that is not a JPEG, so the error can tell the user what to change.
fn not_jpeg(data: &[u8]) -> MediaError {
    if let Some(format) = sniff_other_format(data) {
        return MediaError::UnsupportedFormat { format };
    }
    let head = data
        .iter()
        .take(8)
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(" ");
    MediaError::NotJpeg { head }
}

fn sniff_other_format(data: &[u8]) -> Option<&'static str> {
    if data.len() >= 12 && &data[4..8] == b"ftyp" {
        return Some(match &data[8..12] {
            b"heic" | b"heix" | b"hevc" | b"hevx" | b"heim" | b"heis" | b"hevm" | b"hevs"
            | b"mif1" | b"msf1" => "HEIC/HEIF",
            b"avif" | b"avis" => "AVIF",
            _ => "MP4/MOV",
        });
    }
    let formats: [(&[u8], &'static str); 6] = [
        (b"\x89PNG", "PNG"),
        (b"GIF8", "GIF"),
        (b"II*\0", "TIFF/RAW"),
        (b"MM\0*", "TIFF/RAW"),
        (b"BM", "BMP"),
        (b"%PDF", "PDF"),
    ];
    if data.len() >= 12 && data.starts_with(b"RIFF") && &data[8..12] == b"WEBP" {
        return Some("WebP");
    }
    formats
        .iter()
        .find(|(magic, _)| data.starts_with(magic))
        .map(|(_, name)| *name)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        Limits::default()
    }

    /// A hand-made skeleton: SOI, APP1 Exif, SOF0 (w×h, 3 components), SOS, data, EOI.
    fn skeleton(width: u16, height: u16, sof: u8, data: &[u8]) -> Vec<u8> {
        let mut out = vec![0xFF, SOI];
        out.extend_from_slice(&[0xFF, APP1, 0x00, 0x0A]);
        out.extend_from_slice(b"Exif\0\0II");
        out.extend_from_slice(&[0xFF, sof, 0x00, 0x11, 8]);
        out.extend_from_slice(&height.to_be_bytes());
        out.extend_from_slice(&width.to_be_bytes());
        out.extend_from_slice(&[3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
        out.extend_from_slice(&[0xFF, SOS, 0x00, 0x0C, 3, 1, 0, 2, 0x11, 3, 0x11, 0, 63, 0]);
        out.extend_from_slice(data);
        out.extend_from_slice(&[0xFF, EOI]);
        out
    }

    #[test]
    fn reads_headers_and_exif_range() {
        let file = skeleton(4000, 3000, 0xC0, &[1, 2, 0xFF, 0x00, 0xFF, 0xD3, 4]);
        let info = inspect(&file, &limits()).unwrap();
        assert_eq!((info.width, info.height, info.components), (4000, 3000, 3));
        assert!(!info.progressive);
        let exif = info.exif.unwrap();
        assert_eq!(&file[exif], b"II");
    }

    #[test]
    fn refuses_a_bomb_from_the_header() {
        let file = skeleton(65000, 65000, 0xC0, &[0]);
        match inspect(&file, &limits()) {
            Err(MediaError::TooManyPixels {
                width: 65000,
                height: 65000,
                ..
            }) => {}
            other => panic!("expected TooManyPixels, got {other:?}"),
        }
    }

    #[test]
    fn progressive_has_its_own_limit() {
        let file = skeleton(5000, 4000, 0xC2, &[0]);
        match inspect(&file, &limits()) {
            Err(MediaError::TooManyPixels { limit, .. }) => {
                assert_eq!(limit, limits().max_progressive_pixels)
            }
            other => panic!("expected TooManyPixels, got {other:?}"),
        }
        assert!(inspect(&skeleton(5000, 4000, 0xC0, &[0]), &limits()).is_ok());
        assert!(inspect(&skeleton(4000, 3000, 0xC2, &[0]), &limits()).is_ok());
    }

    #[test]
    fn names_unsupported_processes() {
        for (marker, word) in [
            (0xC3, "lossless"),
            (0xC9, "arithmetic"),
            (0xC5, "hierarchical"),
        ] {
            let err = inspect(&skeleton(8, 8, marker, &[0]), &limits()).unwrap_err();
            assert!(err.to_string().contains(word), "{err}");
        }
    }

    #[test]
    fn every_truncation_is_reported() {
        let file = skeleton(16, 16, 0xC0, &[1, 2, 3, 4, 5]);
        for len in 3..file.len() - 1 {
            let err = inspect(&file[..len], &limits()).unwrap_err();
            assert!(
                matches!(
                    err,
                    MediaError::Truncated { .. } | MediaError::CorruptJpeg { .. }
                ),
                "length {len}: {err:?}"
            );
        }
        // Only the last byte of EOI missing is a truncation in the scan data.
        let err = inspect(&file[..file.len() - 1], &limits()).unwrap_err();
        assert!(err.to_string().contains("scan 1"), "{err}");
    }

    #[test]
    fn trailing_bytes_after_eoi_are_allowed() {
        let mut file = skeleton(16, 16, 0xC0, &[1]);
        file.extend_from_slice(b"\0\0\0\x18ftypmp42 motion photo video");
        assert!(inspect(&file, &limits()).is_ok());
    }

    #[test]
    fn sniffs_other_formats() {
        let mut heic = vec![0, 0, 0, 0x18];
        heic.extend_from_slice(b"ftypheic\0\0\0\0mif1heic");
        let cases: [(&[u8], &str); 4] = [
            (&heic, "HEIC/HEIF"),
            (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "PNG"),
            (b"RIFF\0\0\0\0WEBPVP8 ", "WebP"),
            (b"GIF89a\x01\0\x01\0", "GIF"),
        ];
        for (bytes, name) in cases {
            match inspect(bytes, &limits()) {
                Err(MediaError::UnsupportedFormat { format }) => assert_eq!(format, name),
                other => panic!("{name}: {other:?}"),
            }
        }
        assert!(matches!(
            inspect(b"hello world", &limits()),
            Err(MediaError::NotJpeg { .. })
        ));
        assert!(matches!(
            inspect(b"", &limits()),
            Err(MediaError::EmptyInput)
        ));
    }

    #[test]
    fn refuses_cmyk_and_12_bit() {
        let mut file = skeleton(8, 8, 0xC0, &[0]);
        // precision byte of the SOF
        let sof = file.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
        file[sof + 4] = 12;
        assert!(
            inspect(&file, &limits())
                .unwrap_err()
                .to_string()
                .contains("12 bits")
        );
        let mut cmyk = vec![0xFF, SOI, 0xFF, 0xC0, 0x00, 0x14, 8, 0, 8, 0, 8, 4];
        cmyk.extend_from_slice(&[1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0, 4, 0x11, 0]);
        cmyk.extend_from_slice(&[0xFF, EOI]);
        assert!(
            inspect(&cmyk, &limits())
                .unwrap_err()
                .to_string()
                .contains("CMYK")
        );
    }
}

//! process_photo on photos made like a phone's: sizes, orientation, metadata, the watermark,
//! limits and bad input.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use anju_core::hash::sha256_hex;
use anju_core::location::{Fix, PhotoSource, Position};
use anju_media::{
    ClockStatus, FontSet, Limits, MediaError, PhotoOptions, PhotoProcessor, Watermark,
    process_photo,
};
use chrono::{NaiveDate, TimeZone, Utc};
use support::{Encoding, ExifSpec};

fn options() -> PhotoOptions {
    PhotoOptions {
        fonts: Some(FontSet::bundled().unwrap()),
        ..PhotoOptions::default()
    }
}

fn watermark(name: &str) -> Watermark {
    Watermark {
        head_of_household: name.into(),
        township: "东河口镇".into(),
        village: "长岭村".into(),
        household_number: "3415020017".into(),
        captured_at: Utc.with_ymd_and_hms(2017, 9, 5, 6, 32, 7).unwrap(),
        clock: ClockStatus::Anchored,
        fix: Some(Fix::Position(Position {
            latitude: 31.7543,
            longitude: 116.5123,
            accuracy_m: 12.0,
            fixed_at: Utc.with_ymd_and_hms(2017, 9, 5, 6, 31, 59).unwrap(),
        })),
        inspector: "张三".into(),
        source: PhotoSource::Camera,
        camera_time: None,
    }
}

fn close(a: [u8; 3], b: [u8; 3], tolerance: i32) -> bool {
    a.iter()
        .zip(b)
        .all(|(x, y)| (i32::from(*x) - i32::from(y)).abs() <= tolerance)
}

fn pixel(pixels: &[u8], width: u32, x: u32, y: u32) -> [u8; 3] {
    let i = ((y * width + x) * 3) as usize;
    [pixels[i], pixels[i + 1], pixels[i + 2]]
}

#[test]
fn twelve_megapixel_phone_photo() {
    let input = support::phone_jpeg(4000, 3000, 1, &ExifSpec::phone(6));
    assert!(
        input.len() > 2_500_000,
        "a phone-like file, not a flat one: {} bytes",
        input.len()
    );
    let out = process_photo(&input, &options(), Some(&watermark("郑怀圣"))).unwrap();
    let meta = &out.meta;

    // Orientation 6: stored landscape, shown portrait; long side 1600, thumbnail 320.
    assert_eq!((meta.width, meta.height), (1200, 1600));
    assert_eq!((meta.thumbnail_width, meta.thumbnail_height), (240, 320));
    assert_eq!((meta.original_width, meta.original_height), (4000, 3000));
    let (w, h, _) = support::decode(&out.evidence_jpeg);
    assert_eq!((w, h), (1200, 1600));
    let (w, h, _) = support::decode(&out.thumbnail_jpeg);
    assert_eq!((w, h), (240, 320));

    assert_eq!(meta.orientation, 6);
    let time = meta.capture_time.unwrap();
    assert_eq!(
        time.local,
        NaiveDate::from_ymd_opt(2017, 9, 5)
            .unwrap()
            .and_hms_opt(14, 32, 7)
            .unwrap()
    );
    assert_eq!(time.utc_offset_minutes, Some(480));
    let gps = meta.gps.unwrap();
    assert!(
        (gps.latitude - 31.7543).abs() < 1e-5 && (gps.longitude - 116.5123).abs() < 1e-5,
        "{gps:?}"
    );
    assert_eq!(meta.make.as_deref(), Some("HUAWEI"));
    assert_eq!(meta.model.as_deref(), Some("P10"));

    assert_eq!(meta.original_bytes, input.len() as u64);
    assert_eq!(meta.original_sha256, sha256_hex(&input));
    assert_eq!(meta.evidence_sha256, sha256_hex(&out.evidence_jpeg));
    assert_eq!(meta.thumbnail_sha256, sha256_hex(&out.thumbnail_jpeg));
    // Compact enough for a weak connection.
    assert!(
        out.evidence_jpeg.len() < 600_000,
        "{} bytes",
        out.evidence_jpeg.len()
    );
    assert!(
        out.thumbnail_jpeg.len() < 40_000,
        "{} bytes",
        out.thumbnail_jpeg.len()
    );
}

#[test]
fn evidence_is_baseline_420_quality_80_without_exif() {
    let input = support::phone_jpeg(1200, 900, 2, &ExifSpec::phone(1));
    let out = process_photo(&input, &options(), None).unwrap();
    for jpeg in [&out.evidence_jpeg, &out.thumbnail_jpeg] {
        let markers = support::header_markers(jpeg);
        assert!(
            markers.iter().all(|(m, _)| *m != 0xE1),
            "an APP1 (EXIF/XMP) segment is left"
        );
        assert!(
            markers
                .iter()
                .all(|(m, p)| *m != 0xE0 || p.starts_with(b"JFIF\0")),
            "only the JFIF APP0 may remain"
        );
        let (_, sof) = markers
            .iter()
            .find(|(m, _)| *m == 0xC0)
            .expect("a baseline SOF0");
        // Components: Y sampled 2×2, Cb and Cr 1×1.
        assert_eq!([sof[7], sof[10], sof[13]], [0x22, 0x11, 0x11]);
    }
    // libjpeg's quality 80 scales the standard luminance table by 40%: its first entry
    // (16) becomes 6.
    let markers = support::header_markers(&out.evidence_jpeg);
    let (_, dqt) = markers
        .iter()
        .find(|(m, p)| *m == 0xDB && p[0] == 0)
        .unwrap();
    assert_eq!(dqt[1], 6);
}

#[test]
fn all_eight_orientations_come_out_upright() {
    let (width, height) = (480, 360);
    let opts = PhotoOptions {
        long_side: 240,
        thumbnail_long_side: 64,
        ..options()
    };
    for orientation in 1..=8u16 {
        let (stored, sw, sh) = support::stored_for_orientation(width, height, orientation);
        let jpeg = support::encode(
            &stored,
            sw,
            sh,
            Encoding {
                quality: 95,
                ..Encoding::phone()
            },
        );
        let input = support::with_exif(
            &jpeg,
            &ExifSpec {
                orientation: Some(orientation),
                ..ExifSpec::default()
            },
        );
        let out = process_photo(&input, &opts, None).unwrap();
        assert_eq!(out.meta.orientation as u16, orientation);
        assert_eq!(
            (out.meta.original_width, out.meta.original_height),
            (sw, sh)
        );
        let (w, h, pixels) = support::decode(&out.evidence_jpeg);
        assert_eq!((w, h), (240, 180), "orientation {orientation}");
        // The middle of each quadrant has the upright picture's colour.
        for (qx, qy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
            let (x, y) = (w / 4 + qx * w / 2, h / 4 + qy * h / 2);
            let want = support::quadrant_colour(x, y, w, h);
            let got = pixel(&pixels, w, x, y);
            assert!(
                close(got, want, 30),
                "orientation {orientation} at ({x},{y}): {got:?}, want {want:?}"
            );
        }
        let (tw, th, _) = support::decode(&out.thumbnail_jpeg);
        assert_eq!((tw, th), (64, 48), "orientation {orientation}");
    }
}

#[test]
fn sizes_follow_the_long_side_and_never_enlarge() {
    let cases = [
        // (stored w, h, orientation, long side) → evidence w, h
        ((800, 600, 1, 1600), (800, 600)),
        ((1001, 333, 1, 500), (500, 166)),
        ((333, 1001, 1, 500), (166, 500)),
        ((1001, 333, 8, 500), (166, 500)),
        ((640, 480, 1, 640), (640, 480)),
        ((17, 9, 6, 1600), (9, 17)),
    ];
    for ((sw, sh, orientation, long_side), want) in cases {
        let input = support::phone_jpeg(
            sw,
            sh,
            3,
            &ExifSpec {
                orientation: Some(orientation),
                ..ExifSpec::default()
            },
        );
        let opts = PhotoOptions {
            long_side,
            thumbnail_long_side: 16.max(long_side / 5),
            ..options()
        };
        let out = process_photo(&input, &opts, None).unwrap();
        assert_eq!(
            (out.meta.width, out.meta.height),
            want,
            "{sw}×{sh} o{orientation} → {long_side}"
        );
        let (w, h, _) = support::decode(&out.evidence_jpeg);
        assert_eq!((w, h), want);
        let thumb_long = out.meta.thumbnail_width.max(out.meta.thumbnail_height);
        assert_eq!(thumb_long, opts.thumbnail_long_side.min(want.0.max(want.1)));
    }
}

#[test]
fn photo_without_exif_has_empty_metadata() {
    let jpeg = support::encode(
        &support::phone_pixels(320, 240, 4),
        320,
        240,
        Encoding::phone(),
    );
    let out = process_photo(&jpeg, &options(), None).unwrap();
    let meta = out.meta;
    assert_eq!(meta.orientation, 1);
    assert_eq!(
        (meta.capture_time, meta.gps, meta.make, meta.model),
        (None, None, None, None)
    );
    assert_eq!((meta.width, meta.height), (320, 240));
}

#[test]
fn odd_exif_values_are_ignored_not_fatal() {
    let jpeg = support::encode(&support::phone_pixels(64, 48, 5), 64, 48, Encoding::phone());
    // Orientation 9 does not exist; 0/0 is what phones write without a fix.
    let input = support::with_exif(
        &jpeg,
        &ExifSpec {
            orientation: Some(9),
            gps: Some((0.0, 0.0)),
            date_time_original: Some("0000:00:00 00:00:00"),
            ..ExifSpec::default()
        },
    );
    let out = process_photo(&input, &options(), None).unwrap();
    assert_eq!(out.meta.orientation, 1);
    assert_eq!(out.meta.gps, None);
    assert_eq!(out.meta.capture_time, None);
    // EXIF that is not TIFF at all
    let mut broken = jpeg[..2].to_vec();
    broken.extend_from_slice(&[0xFF, 0xE1, 0x00, 0x10]);
    broken.extend_from_slice(b"Exif\0\0garbage!");
    broken.extend_from_slice(&jpeg[2..]);
    assert_eq!(
        process_photo(&broken, &options(), None)
            .unwrap()
            .meta
            .orientation,
        1
    );
}

#[test]
fn a_processor_reusing_its_buffers_gives_the_same_files() {
    let photos = [
        support::phone_jpeg(1000, 750, 20, &ExifSpec::phone(6)),
        support::phone_jpeg(300, 200, 21, &ExifSpec::phone(1)),
        support::phone_jpeg(640, 480, 22, &ExifSpec::phone(3)),
        support::phone_jpeg(1000, 750, 23, &ExifSpec::phone(8)),
    ];
    let opts = PhotoOptions {
        long_side: 640,
        ..options()
    };
    let mut processor = PhotoProcessor::new(opts.clone()).unwrap();
    for (i, photo) in photos.iter().chain(photos.iter()).enumerate() {
        let reused = processor
            .process(photo, Some(&watermark("郑怀圣")))
            .unwrap();
        let fresh = process_photo(photo, &opts, Some(&watermark("郑怀圣"))).unwrap();
        assert_eq!(reused.meta, fresh.meta, "photo {i}");
        assert_eq!(reused.evidence_jpeg, fresh.evidence_jpeg, "photo {i}");
    }
    // A bad photo in the middle leaves the processor usable.
    assert!(processor.process(b"not a photo", None).is_err());
    assert!(processor.process(&photos[0], None).is_ok());
    assert!(
        PhotoProcessor::new(PhotoOptions {
            quality: 0,
            ..options()
        })
        .is_err()
    );
}

#[test]
fn processing_is_deterministic() {
    let input = support::phone_jpeg(900, 700, 6, &ExifSpec::phone(3));
    let a = process_photo(&input, &options(), Some(&watermark("郑怀圣"))).unwrap();
    let b = process_photo(&input, &options(), Some(&watermark("郑怀圣"))).unwrap();
    assert_eq!(a.meta.evidence_sha256, b.meta.evidence_sha256);
    assert_eq!(a.meta.thumbnail_sha256, b.meta.thumbnail_sha256);
}

#[test]
fn watermark_band_carries_the_text_and_leaves_the_rest() {
    let input = support::phone_jpeg(1600, 1200, 7, &ExifSpec::phone(1));
    let plain = process_photo(&input, &options(), None).unwrap();
    assert!(plain.watermark.is_none());
    let zheng = process_photo(&input, &options(), Some(&watermark("郑怀圣"))).unwrap();
    let gao = process_photo(&input, &options(), Some(&watermark("高灿军"))).unwrap();

    let report = zheng.watermark.clone().unwrap();
    assert_eq!(report.lines, watermark("郑怀圣").lines().unwrap());
    assert!(
        report.missing_glyphs.is_empty(),
        "{:?}",
        report.missing_glyphs
    );
    assert_eq!(report.fonts, FontSet::bundled().unwrap().names());

    let (w, h, plain_px) = support::decode(&plain.evidence_jpeg);
    let (_, _, zheng_px) = support::decode(&zheng.evidence_jpeg);
    let (_, _, gao_px) = support::decode(&gao.evidence_jpeg);
    let band_top = h - report.band_height;
    assert!(
        report.band_height > h / 10 && report.band_height <= h / 3,
        "band {}",
        report.band_height
    );

    // Above the band (leaving a margin for JPEG blocks and chroma smoothing) nothing changed.
    let stride = (w * 3) as usize;
    let above = (band_top as usize - 32) * stride;
    assert_eq!(plain_px[..above], zheng_px[..above]);

    // In the band: darker overall, with bright text pixels the plain photo lacks.
    let band = band_top as usize * stride..;
    let mean = |px: &[u8]| px.iter().map(|&v| u64::from(v)).sum::<u64>() / px.len() as u64;
    assert!(mean(&zheng_px[band.clone()]) < mean(&plain_px[band.clone()]));
    let bright = |px: &[u8]| px.chunks(3).filter(|p| p.iter().all(|&v| v > 235)).count();
    assert!(
        bright(&zheng_px[band.clone()]) > 2000,
        "text pixels: {}",
        bright(&zheng_px[band.clone()])
    );

    // The name is drawn: another name changes the first line and only that line's pixels.
    let line_rows = report.band_height as usize / 4;
    let first_line = band_top as usize * stride..(band_top as usize + line_rows) * stride;
    let differing = zheng_px[first_line.clone()]
        .iter()
        .zip(&gao_px[first_line])
        .filter(|(a, b)| a.abs_diff(**b) > 60)
        .count();
    assert!(differing > 500, "names differ in only {differing} samples");
    let last_line = (h as usize - line_rows) * stride..;
    assert_eq!(zheng_px[last_line.clone()], gao_px[last_line]);
}

#[test]
fn watermark_is_at_the_bottom_of_the_upright_picture() {
    let opts = PhotoOptions {
        long_side: 480,
        thumbnail_long_side: 64,
        ..options()
    };
    for orientation in 1..=8u16 {
        let (stored, sw, sh) = support::stored_for_orientation(480, 360, orientation);
        let jpeg = support::encode(&stored, sw, sh, Encoding::phone());
        let input = support::with_exif(
            &jpeg,
            &ExifSpec {
                orientation: Some(orientation),
                ..ExifSpec::default()
            },
        );
        let plain = process_photo(&input, &opts, None).unwrap();
        let marked = process_photo(&input, &opts, Some(&watermark("郑怀圣"))).unwrap();
        let band = marked.watermark.unwrap().band_height as usize;
        let (w, h, plain_px) = support::decode(&plain.evidence_jpeg);
        let (_, _, marked_px) = support::decode(&marked.evidence_jpeg);
        assert_eq!((w, h), (480, 360));
        let stride = w as usize * 3;
        let band_top = h as usize - band;
        assert_eq!(
            plain_px[..(band_top - 16) * stride],
            marked_px[..(band_top - 16) * stride],
            "orientation {orientation}: the picture above the band changed"
        );
        // The darkened band is at most 0.42 × 230 ≈ 97 in every channel: brighter is text.
        let bright = marked_px[band_top * stride..]
            .chunks(3)
            .filter(|p| p.iter().all(|&v| v > 160))
            .count();
        assert!(
            bright > 500,
            "orientation {orientation}: {bright} text pixels in the band"
        );
    }
}

#[test]
fn watermark_reports_characters_no_font_has_and_cuts_long_lines() {
    let input = support::phone_jpeg(640, 480, 8, &ExifSpec::phone(1));
    let mut wm = watermark("𠮷\u{E000}");
    wm.village = "长岭村".repeat(30);
    let out = process_photo(&input, &options(), Some(&wm)).unwrap();
    let report = out.watermark.unwrap();
    assert_eq!(report.missing_glyphs, vec!['𠮷', '\u{E000}']);
    assert!(report.lines[1].ends_with('…'), "{}", report.lines[1]);
    assert!(report.lines[1].chars().count() < 90);
}

#[test]
fn other_jpeg_kinds_are_decoded() {
    let rgb = support::phone_pixels(300, 200, 9);
    for encoding in [
        Encoding {
            progressive: true,
            ..Encoding::phone()
        },
        Encoding {
            grayscale: true,
            ..Encoding::phone()
        },
        Encoding {
            chroma: (1, 1),
            ..Encoding::phone()
        },
        Encoding {
            chroma: (2, 1),
            ..Encoding::phone()
        },
    ] {
        let jpeg = support::encode(&rgb, 300, 200, encoding);
        let out =
            process_photo(&jpeg, &options(), None).unwrap_or_else(|e| panic!("{encoding:?}: {e}"));
        assert_eq!(
            (out.meta.width, out.meta.height),
            (300, 200),
            "{encoding:?}"
        );
    }
}

#[test]
fn a_motion_photo_with_video_after_the_image_is_accepted() {
    let mut input = support::phone_jpeg(320, 240, 10, &ExifSpec::phone(1));
    input.extend_from_slice(b"\0\0\0\x18ftypmp42");
    input.extend(std::iter::repeat_n(0x42, 10_000));
    assert!(process_photo(&input, &options(), None).is_ok());
}

#[test]
fn limits_refuse_before_decoding() {
    let input = support::phone_jpeg(320, 240, 11, &ExifSpec::phone(1));
    let small = PhotoOptions {
        limits: Limits {
            max_input_bytes: 1000,
            ..Limits::default()
        },
        ..options()
    };
    assert!(matches!(
        process_photo(&input, &small, None),
        Err(MediaError::InputTooLarge { limit: 1000, .. })
    ));

    // A decompression bomb: a real small JPEG whose header claims 60000×60000.
    let mut bomb = input.clone();
    let sof = bomb.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
    bomb[sof + 5..sof + 9].copy_from_slice(&[0xEA, 0x60, 0xEA, 0x60]);
    let err = process_photo(&bomb, &options(), None).unwrap_err();
    assert!(
        matches!(
            err,
            MediaError::TooManyPixels {
                width: 60000,
                height: 60000,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("60000×60000"), "{err}");
}

#[test]
fn bad_input_gets_an_error_naming_the_problem() {
    let input = support::phone_jpeg(320, 240, 12, &ExifSpec::phone(1));
    let expect = |bytes: &[u8], words: &[&str]| {
        let err = match process_photo(bytes, &options(), None) {
            Ok(_) => panic!("accepted, expected an error with {words:?}"),
            Err(err) => err.to_string(),
        };
        assert!(err.contains(" / "), "not bilingual: {err}");
        for word in words {
            assert!(err.contains(word), "{err} lacks {word}");
        }
    };
    expect(b"", &["empty"]);
    let mut heic = vec![0, 0, 0, 0x18];
    heic.extend_from_slice(b"ftypheic\0\0\0\0mif1heic");
    heic.resize(5000, 0);
    expect(&heic, &["HEIC", "JPEG"]);
    expect(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", &["PNG"]);
    expect(b"just some text", &["not a JPEG", "6A 75 73 74"]);

    // Cut anywhere: in the headers, in the EXIF, in the image data.
    for cut in [3, 40, 200, input.len() / 2, input.len() - 1] {
        expect(&input[..cut], &["truncated"]);
    }

    // An end-of-image marker in the middle of the image data: the file looks complete, but
    // the decoder runs out of data and says where.
    let mut early_end = input.clone();
    let middle = input.len() * 2 / 3;
    early_end[middle..middle + 2].copy_from_slice(&[0xFF, 0xD9]);
    expect(&early_end, &["corrupt", "row"]);

    // Garbage for image data.
    let sos = input.windows(2).position(|w| w == [0xFF, 0xDA]).unwrap();
    let mut garbage = input[..sos + 14].to_vec();
    garbage.extend(
        (0..20_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
            .filter(|&b| b != 0xFF),
    );
    garbage.extend_from_slice(&[0xFF, 0xD9]);
    expect(&garbage, &["corrupt"]);

    // No SOF at all.
    expect(&[0xFF, 0xD8, 0xFF, 0xD9], &["frame header"]);
}

#[test]
fn corpus_files_from_another_encoder() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    // Made by libjpeg-turbo's cjpeg/jpegtran, see tests/corpus/README.md.
    for (file, outcome) in [
        ("restart.jpg", Ok((96, 64))),
        ("progressive.jpg", Ok((96, 64))),
        ("sampling-422.jpg", Ok((96, 64))),
        ("icc-comment.jpg", Ok((96, 64))),
        ("arithmetic.jpg", Err("arithmetic")),
    ] {
        let bytes = std::fs::read(dir.join(file)).unwrap();
        match (process_photo(&bytes, &options(), None), outcome) {
            (Ok(out), Ok(size)) => assert_eq!((out.meta.width, out.meta.height), size, "{file}"),
            (Err(err), Err(word)) => assert!(err.to_string().contains(word), "{file}: {err}"),
            (other, want) => panic!("{file}: got {other:?}, want {want:?}"),
        }
    }
}

#[test]
fn options_are_checked() {
    let input = support::phone_jpeg(64, 48, 13, &ExifSpec::phone(1));
    for (opts, field) in [
        (
            PhotoOptions {
                quality: 0,
                ..options()
            },
            "quality",
        ),
        (
            PhotoOptions {
                thumbnail_quality: 101,
                ..options()
            },
            "thumbnail_quality",
        ),
        (
            PhotoOptions {
                long_side: 8,
                ..options()
            },
            "long_side",
        ),
        (
            PhotoOptions {
                thumbnail_long_side: 2000,
                ..options()
            },
            "thumbnail_long_side",
        ),
    ] {
        match process_photo(&input, &opts, None) {
            Err(MediaError::InvalidOption { field: f, .. }) => assert_eq!(f, field),
            other => panic!("{field}: {other:?}"),
        }
    }
}

/// A 1200×900 picture in gallery formats: a gradient with a red block top-left, to see that
/// the pixels come through and the right way up.
fn gallery_pixels(width: u32, height: u32) -> Vec<u8> {
    let mut pixels = Vec::with_capacity((width * height * 3) as usize);
    for y in 0..height {
        for x in 0..width {
            if x < width / 4 && y < height / 4 {
                pixels.extend_from_slice(&[220, 20, 20]);
            } else {
                pixels.extend_from_slice(&[(x % 256) as u8, (y % 256) as u8, 128]);
            }
        }
    }
    pixels
}

fn encode_gallery(format: &str, width: u32, height: u32) -> Vec<u8> {
    use image::ImageEncoder;
    let pixels = gallery_pixels(width, height);
    let mut out = Vec::new();
    match format {
        "png" => image::codecs::png::PngEncoder::new(&mut out)
            .write_image(&pixels, width, height, image::ExtendedColorType::Rgb8)
            .unwrap(),
        "webp" => image::codecs::webp::WebPEncoder::new_lossless(&mut out)
            .write_image(&pixels, width, height, image::ExtendedColorType::Rgb8)
            .unwrap(),
        other => panic!("{other}"),
    }
    out
}

fn gallery_watermark() -> Watermark {
    Watermark {
        source: PhotoSource::Gallery,
        camera_time: NaiveDate::from_ymd_opt(2026, 5, 3)
            .unwrap()
            .and_hms_opt(10, 12, 0),
        ..watermark("郑怀圣")
    }
}

#[test]
fn png_and_webp_from_the_gallery_become_evidence() {
    for format in ["png", "webp"] {
        let input = encode_gallery(format, 2000, 1500);
        let out = process_photo(&input, &options(), Some(&gallery_watermark())).unwrap();
        let meta = &out.meta;
        assert_eq!((meta.width, meta.height), (1600, 1200), "{format}");
        assert_eq!((meta.original_width, meta.original_height), (2000, 1500));
        assert_eq!(meta.orientation, 1);
        assert_eq!(meta.original_sha256, sha256_hex(&input));
        assert_eq!(meta.evidence_sha256, sha256_hex(&out.evidence_jpeg));
        let report = out.watermark.unwrap();
        assert_eq!(
            report.lines[4], "相册照片　拍摄于 2026-05-03 10:12（相机时间）",
            "{format}"
        );
        // The evidence is a JPEG like any other, red block top-left.
        let (w, h, pixels) = support::decode(&out.evidence_jpeg);
        assert_eq!((w, h), (1600, 1200));
        let p = pixel(&pixels, w, 100, 100);
        assert!(close(p, [220, 20, 20], 12), "{format}: {p:?}");
    }
}

#[test]
fn a_truncated_or_huge_png_gets_a_clear_error() {
    let input = encode_gallery("png", 400, 300);
    for cut in [20, 60, input.len() / 2, input.len() - 10] {
        let err = process_photo(&input[..cut], &options(), None).unwrap_err();
        let text = err.to_string();
        assert!(
            matches!(err, MediaError::UndecodableImage { format: "PNG", .. }),
            "cut at {cut}: {err:?}"
        );
        assert!(text.contains("PNG 图片无法解码"), "{text}");
        assert!(
            text.contains(" / the PNG image cannot be decoded"),
            "{text}"
        );
    }
    let webp = encode_gallery("webp", 400, 300);
    let err = process_photo(&webp[..webp.len() / 2], &options(), None).unwrap_err();
    assert!(err.to_string().contains("WebP"), "{err}");

    // The pixel bound holds for these formats too, from the header, before decoding.
    let small = Limits {
        max_progressive_pixels: 100 * 100,
        ..Limits::default()
    };
    let opts = PhotoOptions {
        limits: small,
        ..options()
    };
    let err = process_photo(&input, &opts, None).unwrap_err();
    assert!(
        matches!(
            err,
            MediaError::TooManyPixels {
                width: 400,
                height: 300,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn a_gallery_jpeg_shows_its_own_exif_time() {
    let input = support::phone_jpeg(640, 480, 3, &ExifSpec::phone(1));
    let wm = Watermark {
        source: PhotoSource::Gallery,
        camera_time: None,
        ..watermark("郑怀圣")
    };
    let out = process_photo(&input, &options(), Some(&wm)).unwrap();
    let local = out.meta.capture_time.unwrap().local;
    let lines = out.watermark.unwrap().lines;
    assert_eq!(
        lines[4],
        format!(
            "相册照片　拍摄于 {}（相机时间）",
            local.format("%Y-%m-%d %H:%M")
        )
    );
}

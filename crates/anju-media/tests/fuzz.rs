//! Fuzzing the entry point: mutated real JPEGs (the corpus and encoded seeds: truncated,
//! bytes set, flipped, inserted, removed, copied, and frame headers claiming any size) never
//! panic; every refusal is a bilingual error, a frame header over the pixel limit is refused
//! as such before decoding, and whatever decodes comes out within the requested size.
//!
//! Each property runs `ANJU_FUZZ_CASES` cases (default 256) from a fixed seed, so `cargo test`
//! is deterministic; `ANJU_FUZZ_SEED` explores elsewhere. `scripts/fuzz` runs this for long,
//! in release mode, with a random seed. A failure it finds becomes a regression test: the
//! minimal input proptest prints, as a named `#[test]` in `photo.rs` (ignored with the reason
//! while the product is not fixed).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::fmt::Debug;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use anju_core::location::PhotoSource;
use anju_media::MediaError;
use anju_media::{ClockStatus, FontSet, Limits, PhotoOptions, Watermark, process_photo};
use chrono::{TimeZone, Utc};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use support::{Encoding, ExifSpec};

const DEFAULT_CASES: u32 = 256;
/// "anju-jpg" in ASCII: the seed of every `cargo test` run.
const DEFAULT_SEED: u64 = 0x616e_6a75_2d6a_7067;
/// Far above what a 96×64 seed needs; a case past it is a hang or a blow-up.
const CASE_BUDGET: Duration = Duration::from_secs(10);

fn env_number(name: &str) -> Option<u64> {
    let value = std::env::var(name).ok()?;
    Some(
        value
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}={value} is not a number")),
    )
}

/// Runs a property for `ANJU_FUZZ_CASES` cases from `ANJU_FUZZ_SEED` (and its salt).
fn fuzz<S>(salt: u64, strategy: S, test: impl Fn(S::Value) -> Result<(), TestCaseError>)
where
    S: Strategy,
    S::Value: Debug,
{
    let cases = env_number("ANJU_FUZZ_CASES")
        .map_or(DEFAULT_CASES, |n| u32::try_from(n).unwrap_or(u32::MAX));
    let seed = env_number("ANJU_FUZZ_SEED").unwrap_or(DEFAULT_SEED);
    println!("ANJU_FUZZ_SEED={seed} ANJU_FUZZ_CASES={cases} (property salt {salt})");
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    bytes[8..16].copy_from_slice(&salt.to_le_bytes());
    let mut runner = TestRunner::new_with_rng(
        Config {
            cases,
            failure_persistence: None,
            max_shrink_time: 300_000,
            ..Config::default()
        },
        TestRng::from_seed(RngAlgorithm::ChaCha, &bytes),
    );
    if let Err(error) = runner.run(&strategy, test) {
        panic!("{error}");
    }
}

/// Small seeds of every structure: baseline with EXIF, progressive, grayscale, 4:4:4, and the
/// corpus files from another encoder (restart markers, 4:2:2, ICC and comment segments).
fn seeds() -> &'static [Vec<u8>] {
    static SEEDS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let rgb = support::phone_pixels(96, 64, 1);
        let mut seeds = vec![
            support::with_exif(
                &support::encode(&rgb, 96, 64, Encoding::phone()),
                &ExifSpec::phone(6),
            ),
            support::encode(
                &rgb,
                96,
                64,
                Encoding {
                    progressive: true,
                    ..Encoding::phone()
                },
            ),
            support::with_exif(
                &support::encode(
                    &rgb,
                    96,
                    64,
                    Encoding {
                        grayscale: true,
                        ..Encoding::phone()
                    },
                ),
                &ExifSpec::phone(3),
            ),
            support::encode(
                &rgb,
                96,
                64,
                Encoding {
                    chroma: (1, 1),
                    ..Encoding::phone()
                },
            ),
        ];
        let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
        for file in [
            "restart.jpg",
            "sampling-422.jpg",
            "icc-comment.jpg",
            "progressive.jpg",
        ] {
            seeds.push(std::fs::read(corpus.join(file)).unwrap());
        }
        seeds
    })
}

fn options() -> &'static PhotoOptions {
    static OPTIONS: OnceLock<PhotoOptions> = OnceLock::new();
    OPTIONS.get_or_init(|| PhotoOptions {
        long_side: 64,
        thumbnail_long_side: 16,
        fonts: Some(FontSet::bundled().unwrap()),
        ..PhotoOptions::default()
    })
}

fn watermark() -> Watermark {
    Watermark {
        head_of_household: "郑怀圣".into(),
        township: "东河口镇".into(),
        village: "长岭村".into(),
        household_number: "1".into(),
        captured_at: Utc.with_ymd_and_hms(2017, 9, 5, 6, 0, 0).unwrap(),
        clock: ClockStatus::Unanchored,
        fix: None,
        inspector: "张三".into(),
        source: PhotoSource::Camera,
        camera_time: None,
    }
}

#[derive(Debug, Clone)]
enum Mutation {
    /// Set a byte; positions are fractions of the length, weighted to the headers.
    Set {
        at: f64,
        value: u8,
    },
    FlipBit {
        at: f64,
        bit: u8,
    },
    Truncate {
        at: f64,
    },
    Insert {
        at: f64,
        bytes: Vec<u8>,
    },
    Remove {
        at: f64,
        len: usize,
    },
    /// Copy a run of bytes elsewhere (duplicated segments, shifted lengths).
    Copy {
        from: f64,
        to: f64,
        len: usize,
    },
}

fn position() -> impl Strategy<Value = f64> {
    // Half the mutations land in the first 8% of the file, where the headers and EXIF are.
    prop_oneof![0.0..0.08f64, 0.0..1.0f64]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (position(), any::<u8>()).prop_map(|(at, value)| Mutation::Set { at, value }),
        (position(), 0..8u8).prop_map(|(at, bit)| Mutation::FlipBit { at, bit }),
        position().prop_map(|at| Mutation::Truncate { at }),
        (position(), prop::collection::vec(any::<u8>(), 1..16))
            .prop_map(|(at, bytes)| Mutation::Insert { at, bytes }),
        (position(), 1..64usize).prop_map(|(at, len)| Mutation::Remove { at, len }),
        (position(), position(), 1..64usize).prop_map(|(from, to, len)| Mutation::Copy {
            from,
            to,
            len
        }),
    ]
}

fn index(at: f64, len: usize) -> usize {
    ((at * len as f64) as usize).min(len.saturating_sub(1))
}

fn apply(mut data: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for m in mutations {
        if data.is_empty() {
            break;
        }
        let len = data.len();
        match m {
            Mutation::Set { at, value } => data[index(*at, len)] = *value,
            Mutation::FlipBit { at, bit } => data[index(*at, len)] ^= 1 << bit,
            Mutation::Truncate { at } => data.truncate(index(*at, len)),
            Mutation::Insert { at, bytes } => {
                let i = index(*at, len);
                data.splice(i..i, bytes.iter().copied());
            }
            Mutation::Remove { at, len: n } => {
                let i = index(*at, len);
                data.drain(i..(i + n).min(len));
            }
            Mutation::Copy { from, to, len: n } => {
                let i = index(*from, len);
                let run: Vec<u8> = data[i..(i + n).min(len)].to_vec();
                let j = index(*to, len);
                data.splice(j..j, run);
            }
        }
    }
    data
}

/// Processes `input` and checks what every outcome must satisfy.
fn process_checked(
    input: &[u8],
    options: &PhotoOptions,
    watermark: Option<&Watermark>,
) -> Result<Result<(), MediaError>, TestCaseError> {
    let started = Instant::now();
    let result = process_photo(input, options, watermark);
    let elapsed = started.elapsed();
    prop_assert!(elapsed < CASE_BUDGET, "took {elapsed:?}");
    Ok(match result {
        Ok(out) => {
            let (w, h, _) = support::decode(&out.evidence_jpeg);
            prop_assert!(w.max(h) <= options.long_side && w > 0 && h > 0);
            prop_assert_eq!((w, h), (out.meta.width, out.meta.height));
            let (tw, th, _) = support::decode(&out.thumbnail_jpeg);
            prop_assert!(tw.max(th) <= options.thumbnail_long_side && tw > 0 && th > 0);
            prop_assert!((1..=8).contains(&out.meta.orientation));
            Ok(())
        }
        Err(err) => {
            let text = err.to_string();
            prop_assert!(text.contains(" / "), "not bilingual: {}", text);
            Err(err)
        }
    })
}

#[test]
fn mutated_jpegs_never_panic() {
    let strategy = (
        0..8usize,
        prop::collection::vec(mutation(), 1..6),
        any::<bool>(),
    );
    fuzz(1, strategy, |(seed, mutations, with_watermark)| {
        let input = apply(seeds()[seed].clone(), &mutations);
        let wm = watermark();
        let _outcome = process_checked(&input, options(), with_watermark.then_some(&wm))?;
        Ok(())
    });
}

#[test]
fn random_bytes_after_a_jpeg_start_are_refused_cleanly() {
    let strategy = prop::collection::vec(any::<u8>(), 0..2048);
    fuzz(2, strategy, |tail| {
        let mut input = vec![0xFF, 0xD8, 0xFF];
        input.extend(tail);
        let _outcome = process_checked(&input, options(), None)?;
        Ok(())
    });
}

/// Where the frame header (SOF0–SOF2) of a seed starts: its `FF Cn` marker.
fn frame_header(jpeg: &[u8]) -> usize {
    let mut pos = 2;
    loop {
        assert_eq!(jpeg[pos], 0xFF, "a marker at {pos}");
        if (0xC0..=0xC2).contains(&jpeg[pos + 1]) {
            return pos;
        }
        pos += 2 + usize::from(u16::from_be_bytes([jpeg[pos + 2], jpeg[pos + 3]]));
    }
}

/// A side as a frame header may state it: small, around the limits, the most it can say.
fn claimed_side() -> impl Strategy<Value = u16> {
    prop_oneof![
        2 => 1..200u16,
        2 => 7_000..9_000u16,
        1 => 3_900..4_100u16,
        1 => 60_000..=u16::MAX,
        1 => any::<u16>(),
        1 => Just(0u16),
    ]
}

/// The limits the pipeline runs under: its defaults, or tight ones so that a small
/// claimed size is over them too.
fn limits() -> impl Strategy<Value = Limits> {
    prop_oneof![
        Just(Limits::default()),
        (1u64..100_000, 1u64..100_000).prop_map(|(max_pixels, max_progressive_pixels)| Limits {
            max_pixels,
            max_progressive_pixels,
            ..Limits::default()
        }),
    ]
}

#[test]
fn a_frame_header_over_the_pixel_limit_is_refused_before_decoding() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    // Refused for the size, decoded, refused otherwise.
    let (too_many, decoded, other) = (
        AtomicUsize::new(0),
        AtomicUsize::new(0),
        AtomicUsize::new(0),
    );
    let strategy = (
        0..8usize,
        claimed_side(),
        claimed_side(),
        limits(),
        prop::collection::vec(mutation(), 0..2),
    );
    fuzz(3, strategy, |(seed, width, height, limits, mutations)| {
        let mut input = seeds()[seed].clone();
        let sof = frame_header(&input);
        let progressive = input[sof + 1] == 0xC2;
        // FF Cn, length (2), precision (1), height (2), width (2).
        input[sof + 5..sof + 7].copy_from_slice(&height.to_be_bytes());
        input[sof + 7..sof + 9].copy_from_slice(&width.to_be_bytes());
        // Bytes after the frame header may be mutated too: its other fields are checked
        // before the size, the rest of the file after it.
        let end = sof + 2 + usize::from(u16::from_be_bytes([input[sof + 2], input[sof + 3]]));
        let tail = apply(input.split_off(end), &mutations);
        input.extend(tail);
        let options = PhotoOptions {
            limits,
            ..options().clone()
        };
        let result = process_checked(&input, &options, None)?;
        let limit = if progressive {
            limits.max_progressive_pixels.min(limits.max_pixels)
        } else {
            limits.max_pixels
        };
        let pixels = u64::from(width) * u64::from(height);
        match &result {
            Err(MediaError::TooManyPixels { .. }) => &too_many,
            Ok(()) => &decoded,
            Err(_) => &other,
        }
        .fetch_add(1, Ordering::Relaxed);
        if width > 0 && height > 0 && pixels > limit {
            prop_assert!(
                matches!(
                    result,
                    Err(MediaError::TooManyPixels { width: w, height: h, limit: l })
                        if (w, h, l) == (u32::from(width), u32::from(height), limit)
                ),
                "{width}×{height} over {limit}: {result:?}"
            );
        } else {
            prop_assert!(
                !matches!(result, Err(MediaError::TooManyPixels { .. })),
                "{width}×{height} within {limit}: {result:?}"
            );
        }
        Ok(())
    });
    let counts = (
        too_many.into_inner(),
        decoded.into_inner(),
        other.into_inner(),
    );
    println!("too many pixels, decoded, refused otherwise: {counts:?}");
    if counts.0 + counts.1 + counts.2 >= 64 {
        // A claimed size rarely fits the scan data, so decoding seldom succeeds.
        assert!(counts.0 > 0 && counts.2 > 0, "{counts:?}");
    }
}

#[test]
fn every_seed_is_accepted_unmutated() {
    for (i, seed) in seeds().iter().enumerate() {
        assert!(
            process_photo(seed, options(), Some(&watermark())).is_ok(),
            "seed {i}"
        );
    }
}

/// The fuzzing means something only if mutated files get past the structure checks into the
/// decoder: some must decode, and some must fail inside it.
#[test]
fn mutations_reach_the_decoder() {
    let mut runner = TestRunner::deterministic();
    let strategy = (0..8usize, prop::collection::vec(mutation(), 1..3));
    let (mut decoded, mut failed_in_decoder) = (0, 0);
    for _ in 0..300 {
        let (seed, mutations) = strategy.new_tree(&mut runner).unwrap().current();
        match process_photo(&apply(seeds()[seed].clone(), &mutations), options(), None) {
            Ok(_) => decoded += 1,
            Err(MediaError::CorruptImageData { .. } | MediaError::BadHeaders) => {
                failed_in_decoder += 1
            }
            Err(_) => {}
        }
    }
    assert!(decoded >= 20, "only {decoded} of 300 mutated files decoded");
    assert!(
        failed_in_decoder >= 20,
        "only {failed_in_decoder} of 300 failed inside the decoder"
    );
}

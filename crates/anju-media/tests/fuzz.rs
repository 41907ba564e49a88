//! Fuzzing the entry point: mutated real JPEGs never panic, and every refusal is a bilingual
//! error. More cases: `PROPTEST_CASES=20000 cargo test --release -p anju-media --test fuzz`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::OnceLock;

use anju_media::MediaError;
use anju_media::{ClockStatus, FontSet, PhotoOptions, Watermark, process_photo};
use chrono::{TimeZone, Utc};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use support::{Encoding, ExifSpec};

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
        gps: None,
        inspector: "张三".into(),
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

// 256 cases each by default; PROPTEST_CASES sets more.
proptest! {
    #[test]
    fn mutated_jpegs_never_panic(
        seed in 0..8usize,
        mutations in prop::collection::vec(mutation(), 1..6),
        with_watermark in any::<bool>(),
    ) {
        let input = apply(seeds()[seed].clone(), &mutations);
        let wm = watermark();
        match process_photo(&input, options(), with_watermark.then_some(&wm)) {
            Ok(out) => {
                let (w, h, _) = support::decode(&out.evidence_jpeg);
                prop_assert!(w.max(h) <= 64 && w > 0 && h > 0);
                prop_assert_eq!((w, h), (out.meta.width, out.meta.height));
                prop_assert!((1..=8).contains(&out.meta.orientation));
            }
            Err(err) => {
                let text = err.to_string();
                prop_assert!(text.contains(" / "), "not bilingual: {}", text);
            }
        }
    }

    #[test]
    fn random_bytes_after_a_jpeg_start_are_refused_cleanly(tail in prop::collection::vec(any::<u8>(), 0..2048)) {
        let mut input = vec![0xFF, 0xD8, 0xFF];
        input.extend(tail);
        if let Err(err) = process_photo(&input, options(), None) {
            prop_assert!(err.to_string().contains(" / "));
        }
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

//! The field app's side of the end-to-end tests: camera-like photos, and the answers an
//! inspector gives on 郑怀圣's acceptance form (the source's named scattered household:
//! 东河口镇长岭村, 4 people, a new house beside the village road).

use std::path::Path;

use anju_core::area::{AreaRule, HouseMeasurement, MeasuredPart, Shape};
use anju_core::form::{Answer, FindingDraft, YesNo};
use chrono::NaiveDate;
use mozjpeg::{ColorSpace, Compress};

pub const ZHENG: &str = "郑怀圣";

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A camera-like JPEG: gradients and texture, `seed` makes each one different.
pub fn camera_jpeg(width: u32, height: u32, seed: u64) -> Result<Vec<u8>, BoxError> {
    let (w, h) = (width as usize, height as usize);
    let mut pixels = Vec::with_capacity(w * h * 3);
    for y in 0..h {
        for x in 0..w {
            let texture = (((x / 9) ^ (y / 7)) & 15) * 4;
            pixels.push(((x * 200 / w) + texture) as u8);
            pixels.push(((y * 180 / h) + (seed as usize % 60)) as u8);
            pixels.push((100 + (x + y + seed as usize * 31) % 120) as u8);
        }
    }
    let mut compress = Compress::new(ColorSpace::JCS_RGB);
    compress.set_size(w, h);
    compress.set_quality(90.0);
    let mut started = compress.start_compress(Vec::new())?;
    started.write_scanlines(&pixels)?;
    Ok(started.finish()?)
}

/// Write camera JPEGs into `dir`, one per name, and return their paths.
pub fn camera_files(dir: &Path, names: &[&str]) -> Result<Vec<std::path::PathBuf>, BoxError> {
    let mut paths = Vec::new();
    for (seed, name) in names.iter().enumerate() {
        let path = dir.join(format!("{name}.jpg"));
        std::fs::write(&path, camera_jpeg(800, 600, seed as u64 + 1)?)?;
        paths.push(path);
    }
    Ok(paths)
}

/// A one-storey house of `length_mm` × `width_mm` at 3.00 m storey height, with a balcony
/// outside the main structure of 3.00 × 1.20 m (half counted: 1.80 m²).
pub fn house(length_mm: i64, width_mm: i64) -> HouseMeasurement {
    HouseMeasurement {
        parts: vec![
            MeasuredPart {
                label: "一层主体".into(),
                storey: 1,
                shape: Shape::Rectangle {
                    length_mm,
                    width_mm,
                },
                voids: vec![],
                rule: AreaRule::Storey { height_mm: 3_000 },
            },
            MeasuredPart {
                label: "阳台".into(),
                storey: 1,
                shape: Shape::Rectangle {
                    length_mm: 3_000,
                    width_mm: 1_200,
                },
                voids: vec![],
                rule: AreaRule::BalconyOutside,
            },
        ],
    }
}

/// The house as measured: 10.00 × 9.60 m and the balcony, 96.00 + 1.80 = 97.80 m², within
/// the 100 m² of a 4-person household.
pub fn zheng_house() -> HouseMeasurement {
    house(10_000, 9_600)
}

/// A wavy stroke across a signature pad of 600 × 200.
pub fn handwriting(seed: f32) -> anju_media::Signature {
    let points = (0..40)
        .map(|i| anju_media::StrokePoint {
            x: 20.0 + i as f32 * 14.0,
            y: 100.0 + (i as f32 / 3.0 + seed).sin() * 40.0,
            t_ms: i * 16,
            pressure: 0.5,
        })
        .collect();
    anju_media::Signature {
        width: 600.0,
        height: 200.0,
        strokes: vec![anju_media::Stroke { points }],
    }
}

pub const ZHENG_BUILT_M2: &str = "97.80";

fn yes() -> Answer {
    Answer::YesNo {
        value: YesNo::Yes,
        note: None,
    }
}

/// Every answer of the acceptance form but photos and signatures. The drainage is not
/// finished: a problem with a note and a finding to rectify by `deadline`.
pub fn zheng_answers(deadline: NaiveDate) -> Vec<(&'static str, Answer)> {
    let mut answers = vec![
        ("target_registered", yes()),
        ("target_members_match", yes()),
        ("target_people_present", Answer::Number { value: 4.0 }),
        (
            "area_measurement",
            Answer::Area {
                measurement: zheng_house(),
            },
        ),
        (
            "quality_structure",
            Answer::Choice {
                selected: vec!["brick_concrete".into()],
            },
        ),
        ("quality_walls", yes()),
        ("quality_roof", yes()),
        ("quality_doors_windows", yes()),
        (
            "quality_safety_grade",
            Answer::Choice {
                selected: vec!["a".into()],
            },
        ),
        ("move_in_water", yes()),
        ("move_in_power", yes()),
        ("move_in_road", yes()),
        (
            "move_in_drainage",
            Answer::YesNo {
                value: YesNo::No,
                note: Some("屋后排水沟未修通".into()),
            },
        ),
        ("move_in_kitchen", yes()),
        ("move_in_toilet", yes()),
        ("move_in_rooms", yes()),
        ("move_in_keys", yes()),
        ("move_in_living", yes()),
        ("site_no_geohazard", yes()),
        ("site_no_flood", yes()),
        ("site_access", yes()),
        ("funding_self_yuan", Answer::Number { value: 10_000.0 }),
        ("old_house_agreement", yes()),
        (
            "old_house_demolished",
            Answer::YesNo {
                value: YesNo::NotApplicable,
                note: Some("入住后拆除".into()),
            },
        ),
        (
            "old_house_reclaimed",
            Answer::YesNo {
                value: YesNo::NotApplicable,
                note: None,
            },
        ),
        (
            "opinion_satisfaction",
            Answer::Choice {
                selected: vec!["satisfied".into()],
            },
        ),
        (
            "opinion_text",
            Answer::Text {
                value: "新房宽敞，希望尽快修好排水沟".into(),
            },
        ),
    ];
    answers.push((
        "findings",
        Answer::Findings {
            items: vec![FindingDraft {
                description: "排水通畅：屋后排水沟未修通".into(),
                item: Some("move_in_drainage".into()),
                deadline,
            }],
        },
    ));
    answers
}

/// The photo slots of the acceptance form with the number each needs.
pub const PHOTO_SLOTS: [(&str, usize); 7] = [
    ("photo_front", 1),
    ("photo_household", 1),
    ("photo_rooms", 2),
    ("photo_kitchen", 1),
    ("photo_toilet", 1),
    ("photo_water_power", 1),
    ("photo_old_house", 1),
];

/// The inspector signature slots with who signs them.
pub const INSPECTOR_SLOTS: [(&str, &str); 4] = [
    ("sign_poverty", "王扶贫"),
    ("sign_reform", "李晓峰"),
    ("sign_land", "赵国土"),
    ("sign_housing", "孙住建"),
];

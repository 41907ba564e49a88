//! The photo benchmark's anju-media side (run by `scripts/bench-photos`).
//!
//! `bench_photos generate DIR N`: writes N phone-like 12 MP JPEGs (4000×3000, EXIF orientation
//! 6, about 4 MB each) to DIR.
//! `bench_photos run IN_DIR OUT_DIR ROUNDS processor|oneshot`: processes every JPEG of IN_DIR
//! ROUNDS times as the app does (read the file, evidence photo with watermark, thumbnail,
//! metadata, write both files), one photo at a time, with one `PhotoProcessor` for all (as the
//! camera screen does) or `process_photo` for each, and prints the time per photo of each round
//! and the peak resident memory.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anju_core::location::{Fix, PhotoSource, Position};
use anju_media::{ClockStatus, PhotoOptions, PhotoProcessor, Watermark, process_photo};
use anyhow::{Context, Result, bail};
use chrono::Utc;

#[path = "../tests/support/mod.rs"]
mod support;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["generate", dir, count] => generate(Path::new(dir), count.parse().context("N")?),
        [
            "run",
            input,
            output,
            rounds,
            mode @ ("processor" | "oneshot"),
        ] => run(
            Path::new(input),
            Path::new(output),
            rounds.parse().context("ROUNDS")?,
            mode == "processor",
        ),
        _ => bail!(
            "usage: bench_photos generate DIR N | run IN_DIR OUT_DIR ROUNDS processor|oneshot"
        ),
    }
}

fn generate(dir: &Path, count: u64) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    for seed in 1..=count {
        let jpeg = support::phone_jpeg(4000, 3000, seed, &support::ExifSpec::phone(6));
        let path = dir.join(format!("photo-{seed:02}.jpg"));
        std::fs::write(&path, &jpeg)?;
        println!("{} {} bytes", path.display(), jpeg.len());
    }
    Ok(())
}

fn run(input: &Path, output: &Path, rounds: usize, reuse: bool) -> Result<()> {
    std::fs::create_dir_all(output)?;
    let mut photos: Vec<PathBuf> = std::fs::read_dir(input)?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    photos.retain(|p| p.extension().is_some_and(|e| e == "jpg"));
    photos.sort();
    if photos.is_empty() {
        bail!("no .jpg in {}", input.display());
    }
    let options = PhotoOptions::default();
    let mut processor = PhotoProcessor::new(options.clone())?;
    let watermark = Watermark {
        head_of_household: "郑怀圣".into(),
        township: "东河口镇".into(),
        village: "长岭村".into(),
        household_number: "3415020017".into(),
        captured_at: Utc::now(),
        clock: ClockStatus::Anchored,
        fix: Some(Fix::Position(Position {
            latitude: 31.7543,
            longitude: 116.5123,
            accuracy_m: 12.0,
            fixed_at: Utc::now(),
        })),
        inspector: "张三".into(),
        source: PhotoSource::Camera,
        camera_time: None,
    };
    let mut per_round = Vec::with_capacity(rounds);
    for round in 1..=rounds {
        let start = Instant::now();
        let cpu_start = cpu_ns();
        let mut each = Vec::with_capacity(photos.len());
        for path in &photos {
            let t = Instant::now();
            let bytes = std::fs::read(path)?;
            let out = if reuse {
                processor.process(&bytes, Some(&watermark))?
            } else {
                process_photo(&bytes, &options, Some(&watermark))?
            };
            let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or("photo");
            std::fs::write(
                output.join(format!("{name}-evidence.jpg")),
                &out.evidence_jpeg,
            )?;
            std::fs::write(
                output.join(format!("{name}-thumb.jpg")),
                &out.thumbnail_jpeg,
            )?;
            each.push(t.elapsed().as_secs_f64() * 1000.0);
            if round == 1 && path == &photos[0] {
                println!(
                    "first photo: {}x{} -> evidence {}x{} {} bytes, thumbnail {}x{} {} bytes, fonts {:?}",
                    out.meta.original_width,
                    out.meta.original_height,
                    out.meta.width,
                    out.meta.height,
                    out.evidence_jpeg.len(),
                    out.meta.thumbnail_width,
                    out.meta.thumbnail_height,
                    out.thumbnail_jpeg.len(),
                    out.watermark.map(|w| w.fonts).unwrap_or_default(),
                );
            }
        }
        let n = photos.len() as f64;
        let wall = start.elapsed().as_secs_f64() * 1000.0 / n;
        // Without schedstat (some kernels) the CPU time is taken to be the wall time.
        let cpu = match (cpu_start, cpu_ns()) {
            (Some(start), Some(end)) => (end - start) as f64 / 1e6 / n,
            _ => wall,
        };
        let list: Vec<String> = each.iter().map(|m| format!("{m:.0}")).collect();
        println!(
            "round {round}: {cpu:.1} ms/photo CPU, {wall:.1} ms/photo wall (each, wall: {})",
            list.join(" ")
        );
        per_round.push((cpu, wall));
    }
    per_round.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (cpu, wall) = per_round[per_round.len() / 2];
    println!("anju_cpu_ms_per_photo={cpu:.1}");
    println!("anju_wall_ms_per_photo={wall:.1}");
    println!("anju_peak_kb={}", peak_kb()?);
    Ok(())
}

/// CPU time this thread has run (user and kernel), in ns: unlike wall time, it does not count
/// the time another process had the core.
fn cpu_ns() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    stat.split_whitespace().next()?.parse().ok()
}

/// The process's peak resident set (VmHWM), in kB.
fn peak_kb() -> Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .context("VmHWM not in /proc/self/status")
}

//! Give a running demo office some field results, made as inspectors make them: the
//! inspector `li` accepts households through the field app's command layer, with photos
//! and signatures, re-measures some, and syncs.
//!
//! `cargo run -p anju-tests --example seed_field_results -- http://127.0.0.1:8080 [households] [spot checks] [device folder] [approved]`
//!
//! Given the folder of the field app's device, the results are made on that device, so
//! the app then shows them as its own (`scripts/run` does this for `li`'s device). Then
//! the district office approves the first `approved` acceptances (default none), so that
//! the demo shows 已验收 and 不合格 beside 待审核.

use anju_tests::seed::{district_review, field_results};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let mut args = std::env::args().skip(1);
    let url = args.next().ok_or(
        "usage: seed_field_results URL [households] [spot checks] [device folder] [approved]",
    )?;
    let count: usize = args.next().map(|n| n.parse()).transpose()?.unwrap_or(8);
    let spot_checks: usize = args.next().map(|n| n.parse()).transpose()?.unwrap_or(3);
    let scratch = tempfile::tempdir()?;
    let device = match args.next() {
        Some(folder) => {
            let folder = std::path::PathBuf::from(folder);
            std::fs::create_dir_all(&folder)?;
            folder
        }
        None => scratch.path().to_path_buf(),
    };
    let approve: usize = args.next().map(|n| n.parse()).transpose()?.unwrap_or(0);
    let seeded = field_results(&url, &device, count, spot_checks).await?;
    let approved = district_review(&url, approve).await?;
    println!(
        "验收 {} 户（{} 户面积超标），抽查复核 {} 户，{} 个问题 / accepted {} households ({} over the limit), {} spot checks, {} findings",
        seeded.accepted.len(),
        seeded.over_cap.len(),
        seeded.spot_checked.len(),
        seeded.findings,
        seeded.accepted.len(),
        seeded.over_cap.len(),
        seeded.spot_checked.len(),
        seeded.findings
    );
    println!("区县审核通过 {approved} 份验收 / the district approved {approved} acceptance(s)");
    Ok(())
}

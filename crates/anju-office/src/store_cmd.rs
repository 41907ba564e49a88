//! The commands about where the office's data lives: `blobs check|copy` and `migrate`.

use std::process::ExitCode;

use anju_office::db::{DatabaseLocation, OfficeDb};
use anyhow::{Context, Result, anyhow, bail};
use clap::Subcommand;

#[derive(Subcommand)]
pub enum BlobsAction {
    /// Read every blob the records name from the office's store and check its hash.
    Check,
    /// Copy every blob the records name to DEST (a folder or `s3://bucket/prefix`), each
    /// checked on the way; what DEST holds already is left. Then DEST is checked too.
    Copy {
        #[arg(long, value_name = "DIR|URL")]
        to: String,
    },
}

/// `blobs check` and `blobs copy`: the figures on stdout, what is wrong named; a failure
/// exit when anything is missing or damaged.
pub fn blobs(
    db: &OfficeDb,
    from: &anju_office::blob_target::BlobLocation,
    action: &BlobsAction,
) -> Result<ExitCode> {
    use anju_office::blob_check::check_blobs;
    use anju_office::blob_target::{BlobLocation, open_ends};
    let source = open_ends(from).map_err(|e| anyhow!(e))?;
    let progress = &mut |n: u64| eprint!("\r{n}");
    let check = match action {
        BlobsAction::Check => check_blobs(db.connection(), source.as_ref(), None, progress)?,
        BlobsAction::Copy { to } => {
            let to = BlobLocation::parse(Some(to), std::path::Path::new("."))?;
            let target = open_ends(&to).map_err(|e| anyhow!(e))?;
            let copied = check_blobs(
                db.connection(),
                source.as_ref(),
                Some(target.as_ref()),
                progress,
            )?;
            eprintln!();
            eprintln!("核对目标 / checking the copy in {}", to.describe());
            let mut again = check_blobs(db.connection(), target.as_ref(), None, progress)?;
            again.copied = copied.copied;
            if !copied.is_whole() {
                again.missing.extend(copied.missing);
                again.damaged.extend(copied.damaged);
            }
            again
        }
    };
    eprintln!();
    say!("{}", serde_json::to_string_pretty(&check)?);
    if check.is_whole() {
        say!(
            "{} 个文件完好 / {} blobs whole, their hashes right",
            check.good,
            check.good
        );
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!(
            "缺少 {} 个、损坏 {} 个 / {} missing, {} damaged",
            check.missing.len(),
            check.damaged.len(),
            check.missing.len(),
            check.damaged.len()
        );
        Ok(ExitCode::FAILURE)
    }
}

/// `migrate`: records, then blobs, with progress on stderr; the verified counts on stdout.
pub fn move_up(
    dir: &std::path::Path,
    location: &DatabaseLocation,
    to: &str,
    blobs: Option<&str>,
) -> Result<()> {
    use anju_office::move_up;
    if !matches!(location, DatabaseLocation::Sqlite(_)) {
        bail!("只能从 SQLite 办公室迁出 / only a SQLite office can be moved up");
    }
    let source = OfficeDb::open_at(location)?;
    let mut last_table = String::new();
    let mut report = move_up::copy_records(&source, to, &mut |table, rows| {
        if table != last_table {
            eprintln!();
            last_table = table.to_string();
        }
        eprint!("\r{table}: {rows}");
    })?;
    eprintln!();
    // Opening it once works out what is derived (standings, judgements) on the target.
    OfficeDb::create_postgres(to).context("opening the moved office")?;
    if let Some(blobs) = blobs {
        let target = anju_office::blob_target::open(blobs)?;
        move_up::copy_blobs(
            &dir.join(anju_office::db::BLOB_DIR),
            target.as_ref(),
            &mut report,
            &mut |n| eprint!("\rblobs: {n}"),
        )?;
        eprintln!();
    }
    say!("{}", serde_json::to_string_pretty(&report)?);
    say!(
        "已迁移并核对 / moved and checked: {} 张表 / tables, {} 个文件 / blobs",
        report.tables.len(),
        report.blobs_checked
    );
    if blobs.is_none() {
        say!(
            "照片仍在 {} / the blobs stay in {}",
            dir.join(anju_office::db::BLOB_DIR).display(),
            dir.join(anju_office::db::BLOB_DIR).display()
        );
    }
    Ok(())
}

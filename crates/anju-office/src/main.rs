//! `anju-office`: the township office's command line.

use std::path::PathBuf;
use std::process::ExitCode;

use anju_office::db::{OfficeDb, default_data_dir};
use anju_office::import::{ImportError, import_roster};
use anju_office::{demo, report};
use anyhow::{Context, Result, anyhow};
use clap::{Parser, Subcommand, ValueEnum};

#[derive(Parser)]
#[command(
    name = "anju-office",
    version,
    about = "安居验收 · 乡镇办公室 / Anju township office: database, roster import, reports"
)]
struct Cli {
    /// Data folder (database and photo blobs). Default: the user's data directory.
    #[arg(long, global = true, env = "ANJU_OFFICE_DATA", value_name = "DIR")]
    data: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create the database (or bring it up to date). With --demo, load the 2017 programme
    /// of the source document: 121 households, 340 people, 9 townships.
    Init {
        #[arg(long)]
        demo: bool,
    },
    /// Import a household roster (CSV in UTF-8 or GBK, or XLSX). All or nothing.
    Import {
        file: PathBuf,
        /// Check the file and show what would be added, without adding it.
        #[arg(long)]
        dry_run: bool,
    },
    /// Print a report.
    Report {
        #[command(subcommand)]
        report: ReportKind,
    },
}

#[derive(Subcommand)]
enum ReportKind {
    /// Households and people per township, with acceptance progress, and the total.
    Townships {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Table,
    Csv,
    Json,
}

fn data_dir(cli: &Cli) -> Result<PathBuf> {
    match &cli.data {
        Some(dir) => Ok(dir.clone()),
        None => default_data_dir().ok_or_else(|| {
            anyhow!(
                "找不到用户数据目录，请用 --data 指定 / no user data directory: give --data DIR"
            )
        }),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("错误 / error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: &Cli) -> Result<ExitCode> {
    let dir = data_dir(cli)?;
    match &cli.command {
        Command::Init { demo } => {
            let mut db = OfficeDb::create(&dir)?;
            if *demo {
                db.ensure_empty()?;
                let summary = demo::load(&mut db).context("loading the demo data")?;
                println!(
                    "已载入演示数据：{} 户 {} 人 / demo data loaded: {} households, {} people",
                    summary.households, summary.people, summary.households, summary.people
                );
            }
            println!(
                "办公室数据库就绪 / office database ready: {}",
                db.dir().join(anju_office::db::DATABASE_FILE).display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Import { file, dry_run } => {
            let mut db = OfficeDb::open(&dir)?;
            match import_roster(&mut db, file, *dry_run) {
                Ok(outcome) => {
                    print!("{}", outcome.render());
                    Ok(ExitCode::SUCCESS)
                }
                Err(ImportError::Invalid { errors, .. }) => {
                    eprintln!(
                        "{} 有 {} 处错误，未导入任何数据 / {} has {} error(s); nothing was imported:",
                        file.display(),
                        errors.len(),
                        file.display(),
                        errors.len()
                    );
                    for error in &errors {
                        eprintln!("  {error}");
                    }
                    Ok(ExitCode::FAILURE)
                }
                Err(other) => Err(other.into()),
            }
        }
        Command::Report {
            report: ReportKind::Townships { format },
        } => {
            let db = OfficeDb::open(&dir)?;
            let table = report::townships(&db)?;
            match format {
                Format::Table => print!("{}", table.to_table()),
                Format::Csv => print!("{}", table.to_csv()),
                Format::Json => println!("{}", table.to_json()?),
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

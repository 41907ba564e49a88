//! `anju-office`: the township office's command line.

use std::path::PathBuf;
use std::process::ExitCode;

use std::io::{BufRead, IsTerminal};

use anju_core::model::Department;
use anju_core::wire::Role;
use anju_office::assign::{Target, assign, unassign};
use anju_office::db::{DatabaseLocation, OfficeDb, default_data_dir};
use anju_office::import::{ImportError, ImportOptions, import_roster};
use anju_office::services::{self, Viewer};
use anju_office::{demo, names, report, users};
use anyhow::{Context, Result, anyhow, bail};
use clap::{Args, Parser, Subcommand, ValueEnum};

/// Writes to standard output. A reader that went away (`anju-office report … | head`) ends
/// the program quietly, as Unix tools do, instead of the panic `println!` gives.
fn write_out(args: std::fmt::Arguments<'_>, newline: bool) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let written = out
        .write_fmt(args)
        .and_then(|()| {
            if newline {
                out.write_all(b"\n")
            } else {
                Ok(())
            }
        })
        .and_then(|()| out.flush());
    if let Err(error) = written {
        if error.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("错误 / error: 无法写出结果 / cannot write the output: {error}");
        std::process::exit(1);
    }
}

/// `println!` for this program: see [`write_out`].
macro_rules! say {
    () => {
        $crate::write_out(format_args!(""), true)
    };
    ($($arg:tt)*) => {
        $crate::write_out(format_args!($($arg)*), true)
    };
}

/// `print!` for this program: see [`write_out`].
macro_rules! say_raw {
    ($($arg:tt)*) => {
        $crate::write_out(format_args!($($arg)*), false)
    };
}

mod form_cmd;
mod integration_cmd;
mod serve_cmd;
mod store_cmd;

use store_cmd::BlobsAction;

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
    /// The office's records on PostgreSQL (`postgres://user:password@host:port/db`) instead
    /// of SQLite in the data folder. Photos stay in the data folder unless --blobs says
    /// otherwise.
    #[arg(long, global = true, env = "ANJU_OFFICE_DATABASE", value_name = "URL")]
    database: Option<String>,
    /// Photos and signatures in an S3-compatible bucket (`s3://bucket/prefix`; the endpoint,
    /// region and keys from AWS_ENDPOINT_URL, AWS_REGION, AWS_ACCESS_KEY_ID and
    /// AWS_SECRET_ACCESS_KEY) or another folder, instead of the data folder's `blobs/`.
    /// For `migrate`, where the blobs go.
    #[arg(long, global = true, env = "ANJU_OFFICE_BLOBS", value_name = "URL|DIR")]
    blobs: Option<String>,
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
        /// Make a self-signed TLS certificate under DIR/tls for a township with no domain
        /// name; `serve` then uses it. Devices pin it at their first sign-in.
        #[arg(long)]
        self_signed: bool,
        /// Host names or addresses the certificate is for (besides localhost, 127.0.0.1).
        #[arg(long = "tls-name", value_name = "NAME")]
        tls_names: Vec<String>,
    },
    /// Import a household roster (CSV in UTF-8 or GBK, or XLSX). All or nothing.
    Import {
        file: PathBuf,
        /// Check the file and show what would be added, without adding it.
        #[arg(long)]
        dry_run: bool,
        /// Create the townships, villages and sites the roster names that the office does
        /// not know. Without it such rows are refused, with the name they likely meant.
        #[arg(long)]
        create_places: bool,
    },
    /// The district's policy: caps, critical items, tolerance, sampling.
    Policy {
        #[command(subcommand)]
        action: PolicyAction,
    },
    /// The forms the district publishes (验收监督表, 抽查表): list, show, compare, publish.
    Form {
        #[command(subcommand)]
        action: form_cmd::FormAction,
    },
    /// Integration tokens for the read API (the district's other systems): create, list,
    /// revoke.
    IntegrationToken {
        #[command(subcommand)]
        action: integration_cmd::IntegrationAction,
    },
    /// Rows that cannot be read: list them, or set them aside with a reason.
    Damaged {
        #[command(subcommand)]
        action: DamagedAction,
    },
    /// Print a report.
    Report {
        #[command(subcommand)]
        report: ReportKind,
    },
    /// Serve the sync API and the office pages.
    Serve(serve_cmd::ServeArgs),
    /// Manage users.
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// Assign households to an inspector.
    Assign(AssignArgs),
    /// Take households away from an inspector.
    Unassign(AssignArgs),
    /// Photos and signature images: check every one the records name (read back, hash
    /// checked), or copy them to another store (a backup folder, or a bucket).
    Blobs {
        #[command(subcommand)]
        action: BlobsAction,
    },
    /// Move this (SQLite) office to PostgreSQL: every record, checked by counts; with
    /// --blobs, every photo and signature too, each read back and its hash checked. Stop
    /// the office first. Run it again after an interruption: it copies what is missing.
    Migrate {
        /// The PostgreSQL database to move to (`postgres://user:password@host:port/db`).
        /// With the global --blobs, the blobs go there too; without, they stay in this data
        /// folder.
        #[arg(long, value_name = "URL")]
        to: String,
    },
}

#[derive(Subcommand)]
enum PolicyAction {
    /// Print the version in force today (or another) as a policy file.
    Show {
        /// This version instead of the one in force.
        #[arg(long)]
        version: Option<u32>,
        /// Every version, oldest first, one line each.
        #[arg(long, conflicts_with = "version")]
        all: bool,
    },
    /// Set a new version from a policy file (JSON; see docs/decisions.md). It takes effect on
    /// its effective_from, today when absent, never earlier.
    Set {
        file: PathBuf,
        /// Who sets it: a name or a department, as the record should say.
        #[arg(long, default_value = "区县办公室")]
        by: String,
    },
}

#[derive(Subcommand)]
enum DamagedAction {
    /// List every row that cannot be read, with why.
    List,
    /// Set rows aside: every damaged one (with its reason), or the one named.
    Quarantine {
        /// household, submission, finding, photo or signature.
        kind: Option<String>,
        id: Option<String>,
        /// Why (required when naming a record).
        #[arg(long)]
        reason: Option<String>,
    },
}

#[derive(Subcommand)]
enum UserAction {
    /// Add a user; the password is read from a prompt, or from standard input.
    Add {
        name: String,
        #[arg(long, value_enum)]
        role: RoleArg,
        #[arg(long, value_enum)]
        department: Option<DepartmentArg>,
        #[arg(long)]
        township: Option<String>,
        #[command(flatten)]
        profile: ProfileArgs,
    },
    /// Set a user's 姓名, 单位/部门 or 职务 (those given; an empty value clears one).
    Update {
        name: String,
        #[command(flatten)]
        profile: ProfileArgs,
    },
    /// Revoke every device sign-in of a user (a lost phone).
    Revoke { name: String },
    /// List the users.
    List,
}

/// Who a user is on official records (pages, exports, printed forms).
#[derive(Args)]
struct ProfileArgs {
    /// 姓名, e.g. 李晓峰.
    #[arg(long)]
    full_name: Option<String>,
    /// 单位/部门, e.g. 区发改委 or 东河口镇人民政府.
    #[arg(long)]
    organisation: Option<String>,
    /// 职务, e.g. 科员.
    #[arg(long)]
    title: Option<String>,
}

impl ProfileArgs {
    fn update(&self) -> names::ProfileUpdate {
        names::ProfileUpdate {
            full_name: self.full_name.clone(),
            organisation: self.organisation.clone(),
            title: self.title.clone(),
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum RoleArg {
    Inspector,
    Township,
    Admin,
}

#[derive(Clone, Copy, ValueEnum)]
enum DepartmentArg {
    Poverty,
    Reform,
    Land,
    Housing,
}

#[derive(Args)]
#[group(required = true, multiple = false)]
struct TargetArgs {
    /// Every household of this township.
    #[arg(long)]
    township: Option<String>,
    /// Every household of this concentrated site.
    #[arg(long)]
    site: Option<String>,
    /// Households by ID number or household number.
    #[arg(long, num_args = 1..)]
    household: Option<Vec<String>>,
}

#[derive(Args)]
struct AssignArgs {
    inspector: String,
    #[command(flatten)]
    target: TargetArgs,
}

impl TargetArgs {
    fn target(&self) -> Result<Target> {
        match (&self.township, &self.site, &self.household) {
            (Some(t), None, None) => Ok(Target::Township(t.clone())),
            (township, Some(name), None) => Ok(Target::Site {
                name: name.clone(),
                township: township.clone(),
            }),
            (None, None, Some(h)) => Ok(Target::Households(h.clone())),
            _ => bail!(
                "give one of --township, --site (with --township when two townships share its name), --household"
            ),
        }
    }
}

/// Read a new password: twice at a terminal prompt, or one line from standard input.
fn read_password() -> Result<String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("密码 / password: ")?;
        let second = rpassword::prompt_password("再输一次 / again: ")?;
        if first != second {
            bail!("两次输入的密码不同 / the passwords differ");
        }
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        Ok(line.trim_end_matches(['\r', '\n']).to_string())
    }
}

#[derive(Subcommand)]
enum ReportKind {
    /// Households and people per township, with acceptance progress, and the total.
    Townships {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// Write the full progress table (old houses, findings too) as XLSX to this file.
        #[arg(long)]
        xlsx: Option<PathBuf>,
    },
    /// The household list with status, as XLSX.
    Households {
        #[arg(long)]
        township: Option<String>,
        /// pending, awaiting_review, accepted, rectifying, failed or moved_in.
        #[arg(long)]
        status: Option<String>,
        #[arg(long)]
        out: PathBuf,
    },
    /// The findings list (整改台账), as XLSX.
    Findings {
        #[arg(long)]
        township: Option<String>,
        /// open, rectified, closed or reopened.
        #[arg(long)]
        state: Option<String>,
        /// Only the overdue ones.
        #[arg(long)]
        overdue: bool,
        #[arg(long)]
        out: PathBuf,
    },
    /// The acceptance supervision form of one household (A4), as PDF or HTML.
    Form {
        /// Household number (户编号), ID number or id.
        household: String,
        /// A .pdf (printed by Chromium) or .html file.
        #[arg(long)]
        out: PathBuf,
    },
    /// Every acceptance form of a township in one PDF (or HTML).
    Forms {
        township: String,
        #[arg(long)]
        out: PathBuf,
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
    let location = DatabaseLocation::parse(cli.database.as_deref(), &dir);
    match &cli.command {
        Command::Serve(args) => {
            serve_cmd::serve(
                &dir,
                &location,
                anju_office::blob_target::BlobLocation::parse(cli.blobs.as_deref(), &dir)?,
                args,
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Command::User { action } => {
            let db = OfficeDb::open_at(&location)?;
            match action {
                UserAction::Add {
                    name,
                    role,
                    department,
                    township,
                    profile,
                } => {
                    let role = match role {
                        RoleArg::Inspector => Role::Inspector,
                        RoleArg::Township => Role::Township,
                        RoleArg::Admin => Role::Admin,
                    };
                    let department = department.map(|d| match d {
                        DepartmentArg::Poverty => Department::Poverty,
                        DepartmentArg::Reform => Department::Reform,
                        DepartmentArg::Land => Department::Land,
                        DepartmentArg::Housing => Department::Housing,
                    });
                    let password = read_password()?;
                    let user = users::add_user(
                        &db,
                        name,
                        role,
                        department,
                        township.as_deref(),
                        &password,
                    )?;
                    names::update_profile(&db, &user.name, &profile.update())?;
                    say!(
                        "已添加用户 {} ({}) / user {} added ({})",
                        user.name,
                        role.code(),
                        user.name,
                        role.code()
                    );
                }
                UserAction::Update { name, profile } => {
                    let updated = names::update_profile(&db, name, &profile.update())?;
                    let shown = names::display(name, &updated);
                    say!("已更新 {name}：{} / {name} updated: {}", shown.zh, shown.en);
                }
                UserAction::Revoke { name } => {
                    let count = users::revoke(&db, name)?;
                    say!(
                        "已撤销 {name} 的 {count} 个设备登录 / revoked {count} device sign-in(s) of {name}"
                    );
                }
                UserAction::List => {
                    for user in users::list_users(&db)? {
                        let profile = names::profile(&db, &user.name)?;
                        say!(
                            "{}\t{}\t{}\t{}\t{}\t{}",
                            user.name,
                            user.role.code(),
                            user.department.map_or("-", Department::code),
                            user.township.as_deref().unwrap_or("-"),
                            names::display(&user.name, &profile).zh,
                            profile.title.as_deref().unwrap_or("-")
                        );
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Assign(args) => {
            let mut db = OfficeDb::open_at(&location)?;
            let count = assign(&mut db, &args.inspector, &args.target.target()?)?;
            say!(
                "已分配 {count} 户给 {} / assigned {count} household(s) to {}",
                args.inspector,
                args.inspector
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Unassign(args) => {
            let mut db = OfficeDb::open_at(&location)?;
            let count = unassign(&mut db, &args.inspector, &args.target.target()?)?;
            say!(
                "已从 {} 收回 {count} 户 / took {count} household(s) from {}",
                args.inspector,
                args.inspector
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Init {
            demo,
            self_signed,
            tls_names,
        } => {
            let mut db = OfficeDb::create_at(&location)?;
            if let (Some(_), DatabaseLocation::Postgres(url)) = (&cli.database, &location) {
                // Later commands on this data folder find the records without --database.
                anju_office::db::remember_database_url(&dir, url)
                    .context("writing the database URL into the data folder")?;
            }
            if *self_signed {
                let (cert, key) = anju_office::tls::make_self_signed(&dir, tls_names)?;
                let tls = anju_office::tls::load(&cert, &key)?;
                say!(
                    "已生成自签名证书 / made a self-signed certificate: {}\n  指纹 / fingerprint: {}\n  核对码 / code to compare: {}",
                    cert.display(),
                    tls.fingerprint,
                    anju_office::tls::short_code(&tls.fingerprint)
                );
            }
            if *demo {
                db.ensure_empty()?;
                let summary = demo::load(&mut db).context("loading the demo data")?;
                demo::load_users(&mut db).context("creating the demo users")?;
                say!(
                    "已载入演示数据：{} 户 {} 人 / demo data loaded: {} households, {} people",
                    summary.households,
                    summary.people,
                    summary.households,
                    summary.people
                );
                say!(
                    "演示用户（密码均为 {pw}） / demo users (password {pw}):\n  admin  管理员 / admin\n  zhang  东河口镇乡镇用户 / township user of 东河口镇\n  li     发改委检查员，负责东河口镇全部住户 / inspector (reform), assigned all of 东河口镇",
                    pw = demo::DEMO_PASSWORD
                );
            }
            say!(
                "办公室数据库就绪 / office database ready: {}",
                db.location().describe()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Blobs { action } => {
            let db = OfficeDb::open_at(&location)?;
            let from = anju_office::blob_target::BlobLocation::parse(cli.blobs.as_deref(), &dir)?;
            store_cmd::blobs(&db, &from, action)
        }
        Command::Migrate { to } => {
            store_cmd::move_up(&dir, &location, to, cli.blobs.as_deref())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Policy { action } => policy(&location, action),
        Command::Form { action } => form_cmd::run(&location, action),
        Command::Damaged { action } => damaged(&location, action),
        Command::IntegrationToken { action } => integration_cmd::run(&location, action),
        Command::Import {
            file,
            dry_run,
            create_places,
        } => {
            let mut db = OfficeDb::open_at(&location)?;
            let options = ImportOptions {
                dry_run: *dry_run,
                create_places: *create_places,
            };
            match import_roster(&mut db, file, options) {
                Ok(outcome) => {
                    say_raw!("{}", outcome.render());
                    Ok(ExitCode::SUCCESS)
                }
                Err(ImportError::Invalid {
                    errors, new_places, ..
                }) => {
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
                    if !new_places.is_empty() && !create_places {
                        eprintln!(
                            "名册中有 {} 个办公室不认识的地点；如确为新地点，请加 --create-places 重新导入 / the roster names {} place(s) the office does not know; if they really are new, import again with --create-places",
                            new_places.len(),
                            new_places.len()
                        );
                    }
                    Ok(ExitCode::FAILURE)
                }
                Err(other) => Err(other.into()),
            }
        }
        Command::Report {
            report: ReportKind::Townships { format, xlsx },
        } => {
            let db = OfficeDb::open_at(&location)?;
            let table = report::townships(&db)?;
            match format {
                Format::Table => say_raw!("{}", table.to_table()),
                Format::Csv => say_raw!("{}", table.to_csv()),
                Format::Json => say!("{}", table.to_json()?),
            }
            if let Some(path) = xlsx {
                let bytes = services::townships_xlsx(&db, &Viewer::command_line())?;
                write_report(path, &bytes)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Report { report } => {
            let db = OfficeDb::open_at(&location)?;
            other_report(
                &db,
                anju_office::blob_target::BlobLocation::parse(cli.blobs.as_deref(), &dir)?,
                report,
            )?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn policy(location: &DatabaseLocation, action: &PolicyAction) -> Result<ExitCode> {
    let mut db = OfficeDb::open_at(location)?;
    match action {
        PolicyAction::Show { version, all } => {
            let history = anju_office::decide::policy_history(db.connection())?;
            if *all {
                let today = services::today();
                let current = history.in_force(today).map(|v| v.version);
                for v in history.versions() {
                    say!(
                        "第{}版 / version {}\t{} 起 / from {}\t{}\t{}",
                        v.version,
                        v.version,
                        v.effective_from,
                        v.effective_from,
                        v.set_by,
                        if Some(v.version) == current {
                            "现行 / in force"
                        } else {
                            ""
                        }
                    );
                }
                return Ok(ExitCode::SUCCESS);
            }
            let chosen = match version {
                Some(v) => history
                    .version(*v)
                    .ok_or_else(|| anyhow!("没有第{v}版政策 / there is no policy version {v}"))?,
                None => history
                    .in_force(services::today())
                    .ok_or_else(|| anyhow!("办公室没有政策 / the office has no policy"))?,
            };
            say!("{}", serde_json::to_string_pretty(chosen)?);
            Ok(ExitCode::SUCCESS)
        }
        PolicyAction::Set { file, by } => {
            let text = std::fs::read_to_string(file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            match anju_office::decide::set_policy(&mut db, &text, by, chrono::Utc::now()) {
                Ok(version) => {
                    say!(
                        "已设定第{}版政策，{}起生效 / policy version {} set, in force from {}",
                        version.version,
                        version.effective_from,
                        version.version,
                        version.effective_from
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(anju_office::decide::PolicyError::File(error)) => {
                    eprintln!("{}: {error}", file.display());
                    Ok(ExitCode::FAILURE)
                }
                Err(other) => Err(other.into()),
            }
        }
    }
}

fn damaged(location: &DatabaseLocation, action: &DamagedAction) -> Result<ExitCode> {
    use anju_office::damaged;
    let mut db = OfficeDb::open_at(location)?;
    match action {
        DamagedAction::List => {
            let found = damaged::scan(&db)?;
            for record in &found {
                say!(
                    "{}\t{}\t{}{}",
                    record.kind,
                    record.id,
                    record.reason,
                    if record.quarantined {
                        "\t（已搁置 / set aside）"
                    } else {
                        ""
                    }
                );
            }
            eprintln!(
                "共 {} 条无法读取的记录 / {} record(s) cannot be read",
                found.len(),
                found.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        DamagedAction::Quarantine { kind, id, reason } => {
            let by = "anju-office 命令行 / command line";
            match (kind, id) {
                (Some(kind), Some(id)) => {
                    let reason = reason.as_deref().unwrap_or_default();
                    let added = damaged::quarantine(&mut db, kind, id, reason, by)?;
                    say!(
                        "{kind} {id}: {}",
                        if added {
                            "已搁置 / set aside"
                        } else {
                            "早已搁置 / already set aside"
                        }
                    );
                }
                (None, None) => {
                    let set_aside = damaged::quarantine_all(&mut db, by)?;
                    for record in &set_aside {
                        say!("{}\t{}\t{}", record.kind, record.id, record.reason);
                    }
                    say!(
                        "已搁置 {} 条 / set aside {} record(s)",
                        set_aside.len(),
                        set_aside.len()
                    );
                }
                _ => bail!(
                    "请同时给出记录类型和编号，或都不给 / give both a kind and an id, or neither"
                ),
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn write_report(path: &std::path::Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
    eprintln!("已写入 / wrote {} ({} bytes)", path.display(), bytes.len());
    Ok(())
}

/// Reads a complete blob's bytes by hash.
type BlobReader = dyn Fn(&str) -> Option<Vec<u8>>;

/// A form page written as HTML, or printed to PDF with its images from the blob store.
fn write_form(
    blobs: &anju_office::blob_target::BlobLocation,
    out: &std::path::Path,
    db: &OfficeDb,
    make: impl Fn(
        &OfficeDb,
        &dyn Fn(&str) -> String,
    ) -> anju_office::services::Result<services::FormHtml>,
) -> Result<()> {
    use anju_office::blob_target::{BlobLocation, S3Target};
    let is_pdf = out
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("pdf"));
    if !is_pdf {
        // The HTML file shows the pictures straight from the blob folder (a bucket's
        // pictures are in the PDF only).
        let src = |sha: &str| match blobs {
            BlobLocation::Folder(dir) => anju_office::storage::complete_blob_path(dir, sha)
                .map(|p| format!("file://{}", p.display()))
                .unwrap_or_default(),
            BlobLocation::S3(_) => String::new(),
        };
        return write_report(out, make(db, &src)?.html.as_bytes());
    }
    let form = make(db, &services::pdf_image_src)?;
    let read: Box<BlobReader> = match blobs {
        BlobLocation::Folder(dir) => {
            let dir = dir.clone();
            Box::new(move |sha: &str| {
                std::fs::read(anju_office::storage::complete_blob_path(&dir, sha)?).ok()
            })
        }
        BlobLocation::S3(config) => {
            let bucket = S3Target::new(config).map_err(|e| anyhow!(e))?;
            Box::new(move |sha: &str| bucket.read_bytes(sha).ok())
        }
    };
    let images: Vec<(String, Vec<u8>)> = form
        .images
        .iter()
        .filter_map(|sha| read(sha).map(|bytes| (sha.clone(), bytes)))
        .collect();
    if images.len() < form.images.len() {
        eprintln!(
            "注意：{} 张图片不在 {} 中 / note: {} picture(s) are missing from {}",
            form.images.len() - images.len(),
            blobs.describe(),
            form.images.len() - images.len(),
            blobs.describe()
        );
    }
    eprintln!("正在生成 PDF… / printing the PDF…");
    let pdf = services::print_pdf(&form.html, &images, std::time::Duration::from_secs(300))?;
    write_report(out, &pdf)
}

fn other_report(
    db: &OfficeDb,
    blobs: anju_office::blob_target::BlobLocation,
    report: &ReportKind,
) -> Result<()> {
    let viewer = Viewer::command_line();
    match report {
        ReportKind::Townships { .. } => Ok(()),
        ReportKind::Households {
            township,
            status,
            out,
        } => {
            let filter = anju_office::services::views::HouseholdFilter {
                township: township.clone(),
                status: status.clone(),
                ..Default::default()
            };
            write_report(out, &services::households_xlsx(db, &viewer, &filter)?)
        }
        ReportKind::Findings {
            township,
            state,
            overdue,
            out,
        } => {
            let filter = anju_office::services::views::FindingFilter {
                township: township.clone(),
                state: state.clone(),
                overdue: Some(*overdue),
                ..Default::default()
            };
            write_report(out, &services::findings_xlsx(db, &viewer, &filter)?)
        }
        ReportKind::Form { household, out } => {
            let id: String = db
                .connection()
                .query_row(
                    "SELECT id FROM households WHERE number = ?1 OR id_number = ?1 OR id = ?1",
                    [household],
                    |r| r.get(0),
                )
                .map_err(|_| {
                    anyhow!(
                        "没有户编号或身份证号为“{household}”的住户 / no household '{household}'"
                    )
                })?;
            write_form(&blobs, out, db, |db, src| {
                services::household_form_html(
                    db,
                    &viewer,
                    &id,
                    src,
                    services::PersonalData::Full,
                    services::FormLang::Zh,
                )
            })
        }
        ReportKind::Forms { township, out } => write_form(&blobs, out, db, |db, src| {
            services::township_forms_html(
                db,
                &viewer,
                township,
                src,
                services::PersonalData::Full,
                services::FormLang::Zh,
            )
        }),
    }
}

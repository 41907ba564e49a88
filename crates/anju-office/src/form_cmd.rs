//! `anju-office form …`: list the forms' versions, print one (to edit into the next),
//! compare two, check a file, and publish it.

use std::path::PathBuf;
use std::process::ExitCode;

use anju_core::form::{ChangeKind, FormChange};
use anju_office::db::{DatabaseLocation, OfficeDb};
use anju_office::forms::{self, PublishError};
use anyhow::{Context, Result, anyhow};
use clap::Subcommand;

#[derive(Subcommand)]
pub enum FormAction {
    /// Every version of every form, oldest first.
    List,
    /// Print a version as a form file (the latest when no version is given): edit it,
    /// raise its version by one, and publish it.
    Show {
        /// anju.acceptance (验收监督表) or anju.spot_check (抽查表).
        form: String,
        #[arg(long)]
        version: Option<u32>,
    },
    /// What changed from one version to another.
    Diff { form: String, from: u32, to: u32 },
    /// Publish a form file as the next version of its form: checked whole first; devices
    /// receive it with their next sync, drafts already started keep their version.
    Publish {
        file: PathBuf,
        /// Who publishes it: a name or a department, as the record should say.
        #[arg(long, default_value = "区县办公室")]
        by: String,
        /// What changed and why, kept with the version.
        #[arg(long)]
        note: Option<String>,
        /// Check the file and show what it changes, without publishing.
        #[arg(long)]
        dry_run: bool,
    },
}

fn print_changes(changes: &[FormChange]) {
    for change in changes {
        let sign = match change.change {
            ChangeKind::Added => "+ 新增 / added",
            ChangeKind::Removed => "- 删除 / removed",
            ChangeKind::Changed => "~ 修改 / changed",
            ChangeKind::Moved => "> 移动 / moved",
        };
        let what = change.item.as_deref().unwrap_or(change.section.as_str());
        say!("{sign}\t{}（{what}）", change.label.zh);
        for detail in &change.details {
            say!("\t\t{}", detail.zh);
        }
    }
}

pub fn run(location: &DatabaseLocation, action: &FormAction) -> Result<ExitCode> {
    let mut db = OfficeDb::open_at(location)?;
    match action {
        FormAction::List => {
            for v in forms::form_versions(db.connection())? {
                say!(
                    "{}\t第{}版 / v{}\t{}\t{}项\t{}\t{}{}",
                    v.form_id,
                    v.version,
                    v.version,
                    v.title.zh,
                    v.items,
                    v.published_by.as_deref().unwrap_or("内置 / built in"),
                    v.published_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
                    if v.latest { "\t最新 / latest" } else { "" }
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        FormAction::Show { form, version } => {
            let catalog = forms::form_catalog(db.connection())?;
            let chosen = match version {
                Some(v) => catalog.get(form, *v),
                None => catalog.latest(form),
            }
            .ok_or_else(|| {
                anyhow!("没有表单 {form} 的这一版 / there is no such version of {form}")
            })?;
            say!("{}", serde_json::to_string_pretty(chosen)?);
            Ok(ExitCode::SUCCESS)
        }
        FormAction::Diff { form, from, to } => {
            let changes = forms::form_diff(db.connection(), form, *from, *to)?.ok_or_else(|| {
                anyhow!("表单 {form} 没有第{from}版或第{to}版 / {form} has no version {from} or {to}")
            })?;
            if changes.is_empty() {
                say!("两版相同 / the versions are the same");
            }
            print_changes(&changes);
            Ok(ExitCode::SUCCESS)
        }
        FormAction::Publish {
            file,
            by,
            note,
            dry_run,
        } => {
            let bytes =
                std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
            let outcome = if *dry_run {
                forms::check_form_file(db.connection(), &bytes).map(|(form, changes)| {
                    print_changes(&changes);
                    say!(
                        "可以发布为 {} 第{}版（未发布） / can be published as {} version {} (not published)",
                        form.id, form.version, form.id, form.version
                    );
                })
            } else {
                forms::publish(&mut db, &bytes, by, note.as_deref(), chrono::Utc::now()).map(|v| {
                    say!(
                        "已发布 {} 第{}版“{}”，设备下次同步时收到 / published {} version {}; devices receive it with their next sync",
                        v.form_id, v.version, v.title.zh, v.form_id, v.version
                    );
                })
            };
            match outcome {
                Ok(()) => Ok(ExitCode::SUCCESS),
                Err(PublishError::Db(error)) => Err(error.into()),
                Err(error) => {
                    eprintln!("{}: {error}", file.display());
                    if let PublishError::File(anju_core::form::FormFileError::Invalid(problems)) =
                        &error
                    {
                        for problem in problems {
                            eprintln!("  {problem}");
                        }
                    }
                    Ok(ExitCode::FAILURE)
                }
            }
        }
    }
}

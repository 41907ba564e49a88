//! `anju-office integration-token …`: make, list and revoke the integration tokens other
//! systems read the read API with (`/api/read/v1/…`). `create` prints the secret alone on
//! standard output (the only time it is shown); the rest goes to standard error.

use std::process::ExitCode;

use anju_office::db::{DatabaseLocation, OfficeDb};
use anju_office::read_api::admin;
use anju_office::read_api::tokens::{IntegrationTokenRow, NewIntegrationToken};
use anju_office::services::Viewer;
use anyhow::Result;
use clap::Subcommand;

#[derive(Subcommand)]
pub enum IntegrationAction {
    /// Make a token for another system; its secret is printed once, on standard output.
    Create {
        /// What the system is (扶贫监测系统).
        #[arg(long)]
        name: String,
        /// A township it may read (its id, or its name); give one or more.
        #[arg(long = "township", value_name = "TOWNSHIP", required = true)]
        townships: Vec<String>,
    },
    /// Every token (never a secret): id, name, townships, made by and when, last used,
    /// revoked.
    List,
    /// Revoke a token: its next request is refused.
    Revoke { id: String },
}

fn line(token: &IntegrationTokenRow) -> String {
    let townships: Vec<&str> = token.townships.iter().map(|t| t.name.as_str()).collect();
    format!(
        "{}\t{}\t{}\t{}\t{}\t{}\t{}",
        token.id,
        token.name,
        townships.join(","),
        token.created_by,
        token.created_at,
        token.last_used_at.as_deref().unwrap_or("-"),
        token.revoked_at.as_deref().map_or_else(
            || "有效 / active".to_string(),
            |at| format!("已撤销 / revoked {at}")
        ),
    )
}

pub fn run(location: &DatabaseLocation, action: &IntegrationAction) -> Result<ExitCode> {
    let mut db = OfficeDb::open_at(location)?;
    let viewer = Viewer::command_line();
    match action {
        IntegrationAction::Create { name, townships } => {
            let made = admin::create_token(
                &mut db,
                &viewer,
                &NewIntegrationToken {
                    name: name.clone(),
                    townships: townships.clone(),
                },
                None,
            )?;
            eprintln!("{}", line(&made.token));
            eprintln!(
                "令牌只显示这一次，请妥善保存 / the token is shown this once only: keep it safe"
            );
            say!("{}", made.secret);
        }
        IntegrationAction::List => {
            let tokens = admin::tokens_page(&db, &viewer)?;
            for token in &tokens {
                say!("{}", line(token));
            }
            eprintln!(
                "共 {} 个数据接口令牌 / {} integration token(s)",
                tokens.len(),
                tokens.len()
            );
        }
        IntegrationAction::Revoke { id } => {
            let token = admin::revoke_token(&mut db, &viewer, id, None)?;
            say!("{}", line(&token));
        }
    }
    Ok(ExitCode::SUCCESS)
}

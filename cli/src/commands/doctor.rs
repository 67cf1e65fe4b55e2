//! `stemset doctor`: says whether this installation will work, and why not.

use std::path::Path;
use std::process::ExitCode;

use stemset_sdk::diagnosis::Health;

use crate::doctor::{self, Scope};

#[derive(clap::Args)]
pub struct Args {
    /// Check only this profile's source folder, models and scratch space.
    #[arg(long)]
    profile: Option<String>,
    /// One JSON document on stdout, for scripts and monitoring.
    #[arg(long)]
    json: bool,
}

pub async fn run(config: &Path, args: Args) -> anyhow::Result<ExitCode> {
    let report = doctor::examine(
        config,
        &Scope {
            profile: args.profile,
        },
    )
    .await;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report.json())?);
    } else {
        print!("{}", report.text());
    }
    Ok(if report.worst() == Health::Failure {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

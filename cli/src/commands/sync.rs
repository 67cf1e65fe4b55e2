//! `stemset sync`: two-way sync between the S3/R2 bucket and `storage.sync_dir`; also run
//! after `stemset process` when `STEMSET_SYNC=true`.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, bail};
use stemset_core::config::Config;
use stemset_core::mirror::{Direction, SyncReport, sync};
use stemset_core::storage::Storage;
use stemset_core::storage::StorageConfig;

#[derive(clap::Args)]
pub struct Args {
    /// Only copy the local folder to the bucket.
    #[arg(long, conflicts_with = "pull")]
    pub push: bool,
    /// Only copy the bucket to the local folder.
    #[arg(long)]
    pub pull: bool,
    /// Show what would be copied, copy nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `STEMSET_SYNC=true` (or 1/yes).
pub fn wanted() -> bool {
    std::env::var("STEMSET_SYNC")
        .map(|v| matches!(v.to_ascii_lowercase().as_str(), "1" | "true" | "yes"))
        .unwrap_or(false)
}

fn stores(config: &Config) -> anyhow::Result<(Storage, Storage)> {
    let StorageConfig::S3(s3) = &config.storage else {
        bail!("sync needs storage.kind: s3 (a local storage folder has nothing to sync with)");
    };
    let Some(dir) = &s3.sync_dir else {
        bail!("set storage.sync_dir: the local folder to keep in sync with the bucket");
    };
    let local = Storage::local(dir).context("the sync folder")?;
    let remote = Storage::s3(s3).context("the bucket")?;
    Ok((local, remote))
}

fn print(report: &SyncReport, dry_run: bool) {
    let verb = if dry_run { "would copy" } else { "copied" };
    println!(
        "{verb} {} to the bucket, {} to the local folder ({:.1} MB); {} unchanged",
        report.pushed.len(),
        report.pulled.len(),
        report.bytes as f64 / 1e6,
        report.unchanged
    );
}

pub async fn run(config: &Path, args: Args) -> anyhow::Result<ExitCode> {
    let config = super::load_config(config)?;
    let (local, remote) = stores(&config)?;
    let direction = match (args.push, args.pull) {
        (true, _) => Direction::Push,
        (_, true) => Direction::Pull,
        _ => Direction::Both,
    };
    let report = sync(&local, &remote, direction, args.dry_run, &|key, size| {
        println!("  {key} ({:.1} MB)", size as f64 / 1e6)
    })
    .await?;
    print(&report, args.dry_run);
    Ok(ExitCode::SUCCESS)
}

/// After `stemset process` with `STEMSET_SYNC=true`.
pub async fn after_process(config: &Config) -> anyhow::Result<()> {
    let (local, remote) = stores(config)?;
    println!(
        "syncing {} with {}",
        remote.description(),
        local.description()
    );
    let report = sync(&local, &remote, Direction::Both, false, &|_, _| {}).await?;
    print(&report, false);
    Ok(())
}

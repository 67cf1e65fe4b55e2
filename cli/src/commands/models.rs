use std::path::Path;
use std::process::ExitCode;

use anyhow::bail;
use clap::Subcommand;
use indicatif::HumanBytes;
use stemset_core::catalog::Plugins;
use stemset_sdk::settings::ModelSpec;

use crate::download::{self, Check, PullOptions, Pulled};

#[derive(Subcommand)]
pub enum ModelsCommand {
    /// Every catalog model with its backend, slots and whether its file is present.
    List,
    /// Download a catalog model's file from its `url` and verify it (resumes a partial
    /// download).
    Pull(PullArgs),
}

#[derive(clap::Args)]
pub struct PullArgs {
    /// The model's name in plugins.toml.
    name: String,
    /// Download again even when the file is installed and verifies.
    #[arg(long)]
    force: bool,
    /// Install the download without checking it against the catalog's sha256 or
    /// model_hash (needed when the entry has neither).
    #[arg(long)]
    no_verify: bool,
}

pub async fn run(config: &Path, command: ModelsCommand) -> anyhow::Result<ExitCode> {
    let config = super::load_config(config)?;
    match command {
        ModelsCommand::List => {
            list(&config.plugins);
            Ok(ExitCode::SUCCESS)
        }
        ModelsCommand::Pull(args) => pull(&config.plugins, args).await,
    }
}

fn list(plugins: &Plugins) {
    if plugins.models.is_empty() {
        println!("(no models in {})", plugins.path.display());
        return;
    }
    let header = ["MODEL", "BACKEND", "ARCHITECTURE", "SLOTS", "STATUS"].map(String::from);
    let rows: Vec<[String; 5]> = std::iter::once(header)
        .chain(plugins.models.values().map(|m| {
            [
                m.name.clone(),
                m.backend.clone(),
                m.architecture.clone(),
                m.slot_names().join(", "),
                status(m),
            ]
        }))
        .collect();
    let mut widths = [0usize; 4];
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    for [name, backend, architecture, slots, status] in &rows {
        println!(
            "{name:<w0$}  {backend:<w1$}  {architecture:<w2$}  {slots:<w3$}  {status}",
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2],
            w3 = widths[3],
        );
    }
}

fn status(m: &ModelSpec) -> String {
    let Some(file) = &m.file else {
        return "built-in".to_string();
    };
    let missing_extra = m.extra_files.iter().find(|e| !e.file.is_file());
    if file.is_file() && missing_extra.is_none() {
        return format!("installed ({})", file.display());
    }
    // The first file of the entry that is not there yet; one of several is named.
    let (file, which) = match missing_extra {
        Some(e) if file.is_file() => (&e.file, format!(" ({} of its files)", e.file.display())),
        _ => (file, String::new()),
    };
    if m.url.is_none() {
        return format!("missing ({})", file.display());
    }
    let pull = format!("`stemset models pull {}`", m.name);
    match std::fs::metadata(download::part_path(file)) {
        Ok(part) => format!(
            "missing{which}, {} downloaded: resume with {pull}",
            HumanBytes(part.len())
        ),
        Err(_) => format!("missing{which}: pull with {pull}"),
    }
}

async fn pull(plugins: &Plugins, args: PullArgs) -> anyhow::Result<ExitCode> {
    let catalog = plugins.path.display();
    let Some(spec) = plugins.models.get(&args.name) else {
        let pullable: Vec<&str> = plugins
            .models
            .values()
            .filter(|m| m.url.is_some())
            .map(|m| m.name.as_str())
            .collect();
        if pullable.is_empty() {
            bail!(
                "unknown model \"{}\": no model in {catalog} has a url to pull",
                args.name
            );
        }
        bail!(
            "unknown model \"{}\" in {catalog}; models with a url: {}",
            args.name,
            pullable.join(", ")
        );
    };
    let (url, file) = match (&spec.url, &spec.file) {
        (Some(url), Some(file)) => (url, file),
        (_, None) => bail!(
            "model \"{}\" has no file to download: the {} backend runs it built in",
            spec.name,
            spec.backend
        ),
        (None, Some(file)) => bail!(
            "model \"{}\" has no url in {catalog}: put its file at {} or add `url = \"...\"` to [models.{}]",
            spec.name,
            file.display(),
            spec.name
        ),
    };
    let options = PullOptions {
        force: args.force,
        no_verify: args.no_verify,
    };
    let mut pulls = vec![download::pull(spec, url, file, options).await?];
    for extra in &spec.extra_files {
        if matches!(pulls.last(), Some(Pulled::Interrupted { .. })) {
            break;
        }
        pulls.push(download::pull_extra(spec, extra, options).await?);
    }
    for pulled in pulls {
        if let Some(code) = report(&spec.name, pulled) {
            return Ok(code);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints what one download did; the exit code when it stops the command (Ctrl-C).
fn report(name: &str, pulled: Pulled) -> Option<ExitCode> {
    match pulled {
        Pulled::AlreadyInstalled { path, check } => {
            let how = match check {
                Check::Verified(kind) => format!("{kind} verified"),
                _ => "not verified".to_string(),
            };
            println!(
                "{}: already installed at {} ({how}); --force downloads it again",
                name,
                path.display()
            );
        }
        Pulled::Installed {
            path,
            bytes,
            elapsed,
            check,
        } => {
            let how = match check {
                Check::Verified(kind) => format!("{kind} verified"),
                Check::Unverified { sha256 } => format!("not verified; sha256 {sha256}"),
                Check::NotChecked => "not verified".to_string(),
            };
            println!(
                "{}: installed {} at {} in {:.1} s ({how})",
                name,
                HumanBytes(bytes),
                path.display(),
                elapsed.as_secs_f32()
            );
        }
        Pulled::Interrupted { part, bytes } => {
            eprintln!(
                "\n{}: interrupted; {} kept in {}: run `stemset models pull {}` again to resume",
                name,
                HumanBytes(bytes),
                part.display(),
                name
            );
            return Some(ExitCode::from(130));
        }
    }
    None
}

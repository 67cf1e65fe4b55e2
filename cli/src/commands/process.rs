use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::Context;
use futures::StreamExt;
use indicatif::MultiProgress;
use stemset_core::error::Error;
use stemset_library::jobs::backend::{
    JobBackendContext, LOCAL, build_job_backend, default_job_backend,
};
use stemset_library::process::{Candidate, Processor};
use stemset_library::takes::store::recording_takes;
use stemset_sdk::separator::SeparationError;

use crate::progress::{StageBar, files_bar, install_ctrl_c};

#[derive(clap::Args)]
pub struct Args {
    /// The profile (band) whose source folder to process.
    pub profile: String,
    /// List what would be processed, and do nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Where to run the separation: `local` (this machine), or `remote-gpu` (the GPU
    /// worker of plugins.toml's [backends.remote-gpu]). Default: `remote-gpu` for profiles
    /// with `remote: true`, else `local`.
    #[arg(long)]
    pub backend: Option<String>,
}

pub async fn run(config: &Path, args: Args) -> anyhow::Result<ExitCode> {
    let config = Arc::new(super::load_config(config)?);
    let profile = config.profile(&args.profile)?.clone();
    if !profile.source.is_dir() {
        anyhow::bail!(
            "the source folder of profile \"{}\" does not exist: {}",
            args.profile,
            profile.source.display()
        );
    }
    let processor = Processor::new(config.clone())
        .await
        .context("cannot open the library")?;
    let backend_name = args
        .backend
        .clone()
        .unwrap_or_else(|| default_job_backend(profile.remote).to_string());
    // The CLI has no server to receive callbacks: the remote backend polls.
    let backend = if backend_name == LOCAL {
        None
    } else {
        let ctx = JobBackendContext {
            config: config.clone(),
            storage: processor.storage.clone(),
            callbacks: None,
        };
        Some(build_job_backend(&backend_name, &ctx).map_err(|e| anyhow::anyhow!(e))?)
    };

    let multi = MultiProgress::new();
    let hashing = multi.add(indicatif::ProgressBar::new_spinner());
    hashing.set_message("hashing");
    let plan = processor
        .plan(&args.profile, &|p: &Path| {
            hashing.set_message(format!("hashing {}", p.display()))
        })
        .await?;
    hashing.finish_and_clear();

    println!(
        "profile {}: {} new file{}, {} already processed{}",
        args.profile,
        plan.new.len(),
        if plan.new.len() == 1 { "" } else { "s" },
        plan.known.len(),
        if plan.ignored.is_empty() {
            String::new()
        } else {
            format!(", {} non-audio ignored", plan.ignored.len())
        }
    );
    for (c, first) in &plan.duplicates {
        println!(
            "  same content as {}: {} (skipped)",
            first.display(),
            c.path.display()
        );
    }
    let mut failures: Vec<(String, String)> = plan
        .unreadable
        .iter()
        .map(|(p, e)| (p.display().to_string(), e.clone()))
        .collect();

    if args.dry_run {
        for c in &plan.new {
            println!(
                "  would process {} ({:.1} MB, sha256 {})",
                c.path.display(),
                c.size as f64 / 1e6,
                &c.sha256[..12]
            );
        }
        return Ok(report(failures));
    }

    let cancel = Arc::new(AtomicBool::new(false));
    install_ctrl_c(cancel.clone());
    let files = files_bar(&multi, plan.new.len() as u64);
    let mut done = 0usize;
    // Two files in flight: while one is at the models, the one before it uploads and
    // commits (the processor lets one render run at a time). Results come in order.
    let mut outcomes = futures::stream::iter(plan.new.iter())
        .map(|c| {
            let (processor, multi, cancel, backend, files) = (
                &processor,
                &multi,
                cancel.clone(),
                backend.as_deref(),
                &files,
            );
            let profile = args.profile.as_str();
            async move {
                // After Ctrl-C no new file starts; the ones in flight finish or stop.
                if cancel.load(Ordering::Relaxed) {
                    return (c, None);
                }
                files.set_message(file_name(c));
                let stage = Arc::new(StageBar::new(multi, cancel));
                let started = std::time::Instant::now();
                let result = processor
                    .process_file(profile, c, backend, stage.clone())
                    .await;
                stage.finish();
                (c, Some((result, started.elapsed())))
            }
        })
        .buffered(2);
    let mut stopped = false;
    while let Some((c, outcome)) = outcomes.next().await {
        let Some((result, elapsed)) = outcome else {
            continue;
        };
        let name = file_name(c);
        match result {
            Ok(rec) => {
                done += 1;
                let takes = match recording_takes(&processor.db, rec.recording_id).await {
                    Ok(t) => t,
                    Err(e) => {
                        tracing::warn!(error = %e, "reading the takes found");
                        Vec::new()
                    }
                };
                multi.suspend(|| {
                    let on = if rec.devices.is_empty() {
                        String::new()
                    } else {
                        format!(" on {}", rec.devices.join(" and "))
                    };
                    println!(
                        "  ✓ {name}: {} stems ({}) of {:.1} s in {:.1} s{on} → {}",
                        rec.stems.len(),
                        rec.stems.join(", "),
                        rec.duration_seconds,
                        elapsed.as_secs_f64(),
                        rec.storage_prefix
                    );
                    if rec.repaired_samples > 0 {
                        println!(
                            "    note: {} NaN, infinite or out-of-range sample(s) were replaced (silenced or clipped to ±16)",
                            rec.repaired_samples
                        );
                    }
                    if let Some(music) = rec.separated_seconds {
                        println!(
                            "    separated the takes only: {music:.1} of {:.1} s ({:.0} % of the model time)",
                            rec.duration_seconds,
                            100.0 * music / rec.duration_seconds.max(1e-9)
                        );
                    }
                    if !takes.is_empty() {
                        println!(
                            "    {} take{} (recording {}):",
                            takes.len(),
                            if takes.len() == 1 { "" } else { "s" },
                            rec.recording_id
                        );
                        for l in super::takes::lines(&takes, "      ") {
                            println!("{l}");
                        }
                    }
                });
            }
            Err(Error::Separation(SeparationError::Cancelled)) => {
                if !stopped {
                    multi.suspend(|| println!("  ✗ {name}: cancelled, nothing kept"));
                }
                stopped = true;
            }
            Err(e) => {
                multi.suspend(|| println!("  ✗ {name}: {e}"));
                failures.push((c.path.display().to_string(), e.to_string()));
            }
        }
        files.inc(1);
    }
    files.finish_and_clear();
    if cancel.load(Ordering::Relaxed) {
        println!("cancelled after {done} file(s); re-run to continue");
        return Ok(ExitCode::from(130));
    }
    println!("processed {done} file(s)");
    if crate::commands::sync::wanted() {
        crate::commands::sync::after_process(&config).await?;
    }
    Ok(report(failures))
}

fn file_name(c: &Candidate) -> String {
    c.path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn report(failures: Vec<(String, String)>) -> ExitCode {
    if failures.is_empty() {
        return ExitCode::SUCCESS;
    }
    eprintln!("{} file(s) failed:", failures.len());
    for (path, why) in &failures {
        // Most errors already name the file; say it once.
        if why.contains(path.as_str()) {
            eprintln!("  {why}");
        } else {
            eprintln!("  {path}: {why}");
        }
    }
    ExitCode::FAILURE
}

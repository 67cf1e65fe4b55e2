//! indicatif bars for the pipeline: one for the files of the run, one for the stage of
//! the current file. Ctrl-C sets the shared cancel flag the pipeline polls.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use stemset_core::progress::{PipelineProgress, Stage};

const STAGE_SCALE: u64 = 1000;

pub struct StageBar {
    bar: ProgressBar,
    cancel: Arc<AtomicBool>,
}

impl StageBar {
    pub fn new(multi: &MultiProgress, cancel: Arc<AtomicBool>) -> Self {
        let bar = multi.add(ProgressBar::new(STAGE_SCALE));
        bar.set_style(bar_style(
            "  {spinner} {msg:<28} [{bar:30}] {percent:>3}%  {elapsed}",
        ));
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        Self { bar, cancel }
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl PipelineProgress for StageBar {
    fn stage(&self, stage: Stage) {
        let label = stage.to_string();
        tracing::info!(stage = %label, "stage");
        self.bar.set_message(label);
        self.bar.set_position(0);
    }
    fn fraction(&self, fraction: f32) {
        self.bar
            .set_position((fraction.clamp(0.0, 1.0) * STAGE_SCALE as f32) as u64);
    }
    fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
}

pub fn files_bar(multi: &MultiProgress, len: u64) -> ProgressBar {
    let bar = multi.add(ProgressBar::new(len));
    bar.set_style(bar_style(
        "{prefix:.bold} [{bar:30}] {pos}/{len} files  {msg}",
    ));
    bar.set_prefix("processing");
    bar
}

/// First Ctrl-C: stop after cleaning up; second: exit at once.
pub fn install_ctrl_c(cancel: Arc<AtomicBool>) {
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!("\nstopping: cleaning up the current file (Ctrl-C again to quit at once)");
            cancel.store(true, Ordering::Relaxed);
            if tokio::signal::ctrl_c().await.is_ok() {
                std::process::exit(130);
            }
        }
    });
}

/// Stemset's bar look for an indicatif template (the default bar if the template is bad).
pub fn bar_style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
}

//! Scratch space: free bytes in `processing.temp_dir` against what the largest source
//! file of the profiles needs while it is processed: its encoded stems (decoder, models
//! and encoders stream into each other), or with `separate: takes` its float copies.

use std::path::{Path, PathBuf};

use indicatif::HumanBytes;
use stemset_audio::encode::OutputFormat;
use stemset_core::config::Config;
use stemset_core::config::processing::Separate;
use stemset_core::scan::scan_folder;
use stemset_sdk::diagnosis::Finding;

const CHECK: &str = "scratch";

/// With `processing.separate: takes` a run keeps the source decoded to float and the
/// takes' stems as float on disk: about twice the source as float at the peak.
const TAKES_ONLY_PEAK_PER_FLOAT_BYTE: u64 = 2;

/// What one second of one stem takes in scratch: the encoded stem (everything else
/// streams through memory).
struct Need {
    stems: u64,
    format: OutputFormat,
    opus_kbps: u64,
    takes_only: bool,
}

impl Need {
    fn of(config: &Config, profiles: &[String]) -> Need {
        let stems = profiles
            .iter()
            .filter_map(|p| config.profiles.get(p))
            .filter_map(|p| config.strategies.get(&p.strategy))
            .map(|tree| tree.stem_names().len() as u64)
            .max()
            .unwrap_or(4);
        Need {
            stems,
            format: config.output.format,
            opus_kbps: u64::from(config.output.bitrate),
            takes_only: config.processing.separate == Separate::Takes,
        }
    }

    /// Peak scratch for a source of `frames` at `rate` with `bits` per sample.
    fn bytes(&self, frames: u64, rate: u32, bits: Option<u32>) -> u64 {
        let float = frames.saturating_mul(2 * 4);
        if self.takes_only {
            return float.saturating_mul(TAKES_ONLY_PEAK_PER_FLOAT_BYTE);
        }
        let per_stem = match self.format {
            OutputFormat::Opus => {
                let seconds = frames / u64::from(rate.max(1)) + 1;
                // Ogg pages and the granule overhead: a few percent over the bitrate.
                seconds.saturating_mul(self.opus_kbps * 1000 / 8) * 105 / 100
            }
            // 16-bit sources stay 16-bit, everything else is written as 24-bit; FLAC is
            // counted as if it did not compress.
            OutputFormat::Wav | OutputFormat::Flac => {
                let bytes = if bits.is_some_and(|b| b <= 16) { 2 } else { 3 };
                frames.saturating_mul(2 * bytes)
            }
        };
        per_stem.saturating_mul(self.stems)
    }
}

pub async fn check(config: &Config, profiles: &[String]) -> Vec<Finding> {
    let dir = config
        .processing
        .temp_dir
        .clone()
        .unwrap_or_else(std::env::temp_dir);
    let need = Need::of(config, profiles);
    let sources: Vec<PathBuf> = profiles
        .iter()
        .filter_map(|p| config.profiles.get(p))
        .map(|p| p.source.clone())
        .collect();
    tokio::task::spawn_blocking(move || vec![examine(&dir, &sources, &need)])
        .await
        .unwrap_or_default()
}

fn examine(dir: &Path, sources: &[PathBuf], need: &Need) -> Finding {
    let shown = dir.display();
    let free = match free_space(dir) {
        Ok(f) => f,
        Err(e) => {
            return Finding::failure(
                CHECK,
                format!("{shown}: {e}"),
                "create the folder or fix processing.temp_dir",
            );
        }
    };
    let Some((file, need)) = largest_need(sources, need) else {
        return Finding::ok(
            CHECK,
            format!(
                "{shown}: {} free; no source files waiting",
                HumanBytes(free)
            ),
        );
    };
    let found = format!(
        "{shown}: {} free; the largest source, {}, needs about {}",
        HumanBytes(free),
        file.display(),
        HumanBytes(need)
    );
    let fix = "free space there, or set processing.temp_dir to a larger disk";
    if free < need {
        Finding::failure(CHECK, found, fix)
    } else if free < need * 2 {
        Finding::warning(CHECK, format!("{found} (little to spare)"), fix)
    } else {
        Finding::ok(CHECK, found)
    }
}

fn free_space(dir: &Path) -> Result<u64, String> {
    let stat = rustix::fs::statvfs(dir).map_err(|e| format!("cannot read its free space: {e}"))?;
    Ok(stat.f_bavail.saturating_mul(stat.f_frsize))
}

/// The source needing the most scratch, and how much (from its header). Files that do
/// not probe are left to `stemset process` to report.
fn largest_need(sources: &[PathBuf], need: &Need) -> Option<(PathBuf, u64)> {
    let mut files: Vec<(u64, PathBuf)> = sources
        .iter()
        .filter_map(|s| scan_folder(s).ok())
        .flat_map(|r| r.audio)
        .filter_map(|p| std::fs::metadata(&p).ok().map(|m| (m.len(), p)))
        .collect();
    // Probing is cheap but not free: the few largest files by size decide.
    files.sort_by_key(|f| std::cmp::Reverse(f.0));
    files
        .into_iter()
        .take(8)
        .filter_map(|(bytes, path)| {
            let info = stemset_audio::decode::open(&path).ok()?.info().clone();
            let frames = info.total_frames.unwrap_or(bytes / 4);
            let bits = info.bits_per_sample;
            Some((path, need.bytes(frames, info.sample_rate, bits)))
        })
        .max_by_key(|(_, need)| *need)
}

//! Scratch space: free bytes in `processing.temp_dir` against what the largest source
//! file of the profiles needs while it is processed.

use std::path::{Path, PathBuf};

use indicatif::HumanBytes;
use stemset_core::config::Config;
use stemset_core::scan::scan_folder;
use stemset_sdk::diagnosis::Finding;

const CHECK: &str = "scratch";

/// A run keeps the source decoded to float and one level of intermediate stems on disk
/// (a 3-hour stereo file peaked at 7.5 GB, twice its 3.8 GB as float).
const PEAK_PER_FLOAT_BYTE: u64 = 2;

pub async fn check(config: &Config, profiles: &[String]) -> Vec<Finding> {
    let dir = config
        .processing
        .temp_dir
        .clone()
        .unwrap_or_else(std::env::temp_dir);
    let sources: Vec<PathBuf> = profiles
        .iter()
        .filter_map(|p| config.profiles.get(p))
        .map(|p| p.source.clone())
        .collect();
    tokio::task::spawn_blocking(move || vec![examine(&dir, &sources)])
        .await
        .unwrap_or_default()
}

fn examine(dir: &Path, sources: &[PathBuf]) -> Finding {
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
    let Some((file, need)) = largest_need(sources) else {
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

/// The source needing the most scratch, and how much: its length as stereo float
/// (from its header), times the peak factor. Files that do not probe are left to
/// `stemset process` to report.
fn largest_need(sources: &[PathBuf]) -> Option<(PathBuf, u64)> {
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
            let float = frames.saturating_mul(2 * 4);
            Some((path, float.saturating_mul(PEAK_PER_FLOAT_BYTE)))
        })
        .max_by_key(|(_, need)| *need)
}

//! A Demucs checkpoint (`.th`) becomes ONNX graphs once: a folder beside it,
//! `<name>.stemset-vN/` (N = the graph writer's version, so a newer writer rewrites it),
//! holding one model per stage (`stage-00.onnx`, ...), written atomically and reused while
//! it is newer than the checkpoint.

use std::path::{Path, PathBuf};
use std::time::Instant;

use super::{checkpoint, htdemucs_graph};
use crate::session::stage_file;

/// Bumped whenever the written graph changes.
pub const GRAPH_VERSION: u32 = 2;

/// Whether `path` names a Demucs checkpoint rather than an ONNX file.
pub fn is_checkpoint(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("th"))
}

fn stem_of(th: &Path) -> String {
    th.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Where the graphs of checkpoint `th` are kept.
pub fn graph_path(th: &Path) -> PathBuf {
    th.with_file_name(format!("{}.stemset-v{GRAPH_VERSION}", stem_of(th)))
}

fn fresh(graph: &Path, th: &Path) -> bool {
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    match (modified(graph), modified(th)) {
        (Some(g), Some(t)) => g >= t && stage_file(graph, 0).is_file(),
        _ => false,
    }
}

/// The graphs an older writer left beside `th` (a file for version 1, folders after).
fn remove_older_versions(th: &Path) {
    let stem = stem_of(th);
    for version in 1..GRAPH_VERSION {
        let old = th.with_file_name(format!("{stem}.stemset-v{version}"));
        let file = th.with_file_name(format!("{stem}.stemset-v{version}.onnx"));
        for p in [old, file] {
            let removed = if p.is_dir() {
                std::fs::remove_dir_all(&p)
            } else if p.is_file() {
                std::fs::remove_file(&p)
            } else {
                continue;
            };
            if let Err(e) = removed {
                tracing::warn!(path = %p.display(), error = %e, "cannot remove an older graph");
            }
        }
    }
}

/// The folder of ONNX graphs of checkpoint `th`, written first if needed.
pub fn graph_for(th: &Path) -> Result<PathBuf, String> {
    let out = graph_path(th);
    if fresh(&out, th) {
        return Ok(out);
    }
    let started = Instant::now();
    let ckpt = checkpoint::read(th).map_err(|e| e.to_string())?;
    let stages = htdemucs_graph::build(&ckpt.config, &ckpt.state)
        .map_err(|e| format!("{}: {e}", th.display()))?;
    drop(ckpt);
    let dir = out.parent().unwrap_or(Path::new("."));
    let cannot = |e: std::io::Error| {
        format!(
            "cannot write the model's ONNX graphs beside {} ({}): {e}",
            th.display(),
            dir.display()
        )
    };
    let tmp = tempfile::Builder::new()
        .prefix(".stemset-graph")
        .tempdir_in(dir)
        .map_err(cannot)?;
    for (k, bytes) in stages.iter().enumerate() {
        let path = stage_file(tmp.path(), k);
        std::fs::File::create(&path)
            .and_then(|mut f| {
                std::io::Write::write_all(&mut f, bytes)?;
                f.sync_all()
            })
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    if out.exists() && !fresh(&out, th) {
        std::fs::remove_dir_all(&out)
            .or_else(|_| std::fs::remove_file(&out))
            .map_err(|e| format!("cannot replace the stale {}: {e}", out.display()))?;
    }
    if let Err(e) = std::fs::rename(tmp.path(), &out) {
        // Another process wrote them meanwhile: theirs are as good (tmp is removed).
        if fresh(&out, th) {
            return Ok(out);
        }
        return Err(format!("cannot move the graphs to {}: {e}", out.display()));
    }
    let _ = tmp.keep();
    remove_older_versions(th);
    let bytes = stages.iter().map(Vec::len).sum::<usize>();
    tracing::info!(
        checkpoint = %th.display(),
        graph = %out.display(),
        stages = stages.len(),
        mb = bytes / 1_000_000,
        seconds = started.elapsed().as_secs_f32(),
        "wrote the ONNX graphs of a Demucs checkpoint"
    );
    Ok(out)
}

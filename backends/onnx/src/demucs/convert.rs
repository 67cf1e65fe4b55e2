//! A Demucs checkpoint (`.th`) becomes an ONNX graph once: written beside it as
//! `<name>.stemset-vN.onnx` (N = the graph writer's version, so a newer writer rewrites
//! it), atomically, and reused while it is newer than the checkpoint.

use std::path::{Path, PathBuf};
use std::time::Instant;

use super::{checkpoint, htdemucs_graph};

/// Bumped whenever the written graph changes.
pub const GRAPH_VERSION: u32 = 1;

/// Whether `path` names a Demucs checkpoint rather than an ONNX file.
pub fn is_checkpoint(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("th"))
}

/// Where the graph of checkpoint `th` is kept.
pub fn graph_path(th: &Path) -> PathBuf {
    let stem = th
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    th.with_file_name(format!("{stem}.stemset-v{GRAPH_VERSION}.onnx"))
}

fn fresh(graph: &Path, th: &Path) -> bool {
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    match (modified(graph), modified(th)) {
        (Some(g), Some(t)) => g >= t,
        _ => false,
    }
}

/// The ONNX graph of checkpoint `th`, written first if needed.
pub fn graph_for(th: &Path) -> Result<PathBuf, String> {
    let out = graph_path(th);
    if fresh(&out, th) {
        return Ok(out);
    }
    let started = Instant::now();
    let ckpt = checkpoint::read(th).map_err(|e| e.to_string())?;
    let bytes = htdemucs_graph::build(&ckpt.config, &ckpt.state)
        .map_err(|e| format!("{}: {e}", th.display()))?;
    drop(ckpt);
    let dir = out.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| {
        format!(
            "cannot write the model's ONNX graph beside {} ({}): {e}",
            th.display(),
            dir.display()
        )
    })?;
    std::io::Write::write_all(&mut tmp, &bytes)
        .and_then(|_| tmp.as_file().sync_all())
        .map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    tmp.persist(&out)
        .map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    tracing::info!(
        checkpoint = %th.display(),
        graph = %out.display(),
        mb = bytes.len() / 1_000_000,
        seconds = started.elapsed().as_secs_f32(),
        "wrote the ONNX graph of a Demucs checkpoint"
    );
    Ok(out)
}

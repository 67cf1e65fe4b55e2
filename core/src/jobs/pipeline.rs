//! The part of a job that needs no database: fetch the source, run the strategy tree,
//! encode and analyse the stems, and upload them with `metadata.json` (written last: its
//! presence marks a complete folder). The in-process worker, the CLI and the GPU worker
//! all run exactly this.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::Utc;

use crate::audio::encode::OutputFormat;
use crate::error::Error;
use crate::executor::PipelineProgress;
use crate::jobs::spec::JobSpec;
use crate::metadata::{
    METADATA_FILE, METADATA_VERSION, RecordingMetadata, SourceMetadata, StemMetadata,
};
use crate::plugins::Plugins;
use crate::render::{Rendered, SeparationJob};
use crate::separator::SeparationError;
use crate::storage::Storage;
use crate::strategy::StrategyNode;

/// A scratch folder under `parent` (the system temp dir when `None`), removed on drop.
pub fn scratch_dir(parent: Option<&Path>) -> Result<tempfile::TempDir, Error> {
    let parent = parent
        .map(Path::to_path_buf)
        .unwrap_or_else(std::env::temp_dir);
    std::fs::create_dir_all(&parent).map_err(|e| {
        Error::io(
            format!("cannot create the temp folder {}", parent.display()),
            e,
        )
    })?;
    tempfile::Builder::new()
        .prefix("stemset-")
        .tempdir_in(&parent)
        .map_err(|e| Error::io("cannot create a scratch folder", e))
}

/// The job's source as a local file: its own path, or a download into `scratch`.
pub async fn fetch_source(
    storage: &Storage,
    spec: &JobSpec,
    scratch: &Path,
) -> Result<PathBuf, Error> {
    if let Some(key) = &spec.source.input_key {
        let ext = Path::new(key)
            .extension()
            .map(|e| format!(".{}", e.to_string_lossy()))
            .unwrap_or_default();
        let path = scratch.join(format!("source{ext}"));
        storage.download_to_file(key, &path).await?;
        return Ok(path);
    }
    match &spec.source.local_path {
        Some(p) if Path::new(p).is_file() => Ok(PathBuf::from(p)),
        Some(p) => Err(Error::Other(format!(
            "the source file {p} is gone (it was processed from a folder on this machine)"
        ))),
        None => Err(Error::Other("the job names no source file".into())),
    }
}

/// Runs the whole pipeline for `spec` and uploads the result under its output prefix.
/// On failure nothing is left under the prefix.
pub async fn render_to_storage(
    storage: &Storage,
    plugins: &Plugins,
    tree: &StrategyNode,
    spec: &JobSpec,
    scratch_parent: Option<&Path>,
    progress: Arc<dyn PipelineProgress + Send>,
) -> Result<RecordingMetadata, Error> {
    let scratch = scratch_dir(scratch_parent)?;
    progress.stage("fetch source");
    let input = fetch_source(storage, spec, scratch.path()).await?;
    let job = SeparationJob {
        plugins: plugins.clone(),
        tree: tree.clone(),
        input,
        scratch: scratch.path().to_path_buf(),
        format: spec.format,
        bitrate: spec.bitrate,
    };
    let progress_for_job = progress.clone();
    let rendered = tokio::task::spawn_blocking(move || job.run(progress_for_job.as_ref()))
        .await
        .map_err(|e| Error::Other(format!("processing task failed: {e}")))??;
    let metadata = build_metadata(spec, tree, &rendered);
    progress.stage("upload");
    if let Err(e) = upload(
        storage,
        &spec.output_prefix,
        &rendered,
        &metadata,
        progress.as_ref(),
    )
    .await
    {
        let _ = storage.delete_prefix(&spec.output_prefix).await;
        return Err(e);
    }
    drop(scratch);
    Ok(metadata)
}

/// Reads the `metadata.json` a finished job left under `prefix`.
pub async fn read_metadata(storage: &Storage, prefix: &str) -> Result<RecordingMetadata, Error> {
    let key = format!("{prefix}/{METADATA_FILE}");
    let bytes = storage.get_bytes(&key).await?;
    serde_json::from_slice(&bytes).map_err(|e| Error::Other(format!("{key}: {e}")))
}

async fn upload(
    storage: &Storage,
    prefix: &str,
    rendered: &Rendered,
    metadata: &RecordingMetadata,
    progress: &dyn PipelineProgress,
) -> Result<(), Error> {
    let n = rendered.stems.len() as f32;
    for (i, s) in rendered.stems.iter().enumerate() {
        if progress.cancelled() {
            return Err(SeparationError::Cancelled.into());
        }
        storage
            .put_file(&format!("{prefix}/{}", s.file_name), &s.path)
            .await?;
        storage
            .put_file(
                &format!("{prefix}/{}", s.waveform_file_name),
                &s.waveform_path,
            )
            .await?;
        progress.fraction((i + 1) as f32 / n);
    }
    let json = serde_json::to_vec_pretty(metadata)
        .map_err(|e| Error::Other(format!("metadata.json: {e}")))?;
    storage
        .put_bytes(&format!("{prefix}/{METADATA_FILE}"), json)
        .await?;
    Ok(())
}

fn build_metadata(spec: &JobSpec, tree: &StrategyNode, rendered: &Rendered) -> RecordingMetadata {
    RecordingMetadata {
        version: METADATA_VERSION,
        recording_id: spec.recording_id.to_string(),
        profile: spec.profile.clone(),
        title: spec.title.clone(),
        strategy: spec.strategy.clone(),
        models: tree.models().into_iter().map(str::to_string).collect(),
        source: SourceMetadata {
            file_name: spec.source.file_name.clone(),
            sha256: spec.source.sha256.clone(),
            size_bytes: spec.source.size_bytes,
            codec: rendered.source.codec.clone(),
            sample_rate: rendered.source.sample_rate,
            channels: rendered.source.channels,
            bits_per_sample: rendered.source.bits_per_sample,
            duration_seconds: rendered.duration_seconds(),
        },
        output_format: spec.format.extension().to_string(),
        created_at: Utc::now().to_rfc3339(),
        stems: rendered
            .stems
            .iter()
            .map(|s| StemMetadata {
                name: s.name.clone(),
                file: s.file_name.clone(),
                waveform_file: s.waveform_file_name.clone(),
                sample_rate: s.spec.sample_rate,
                channels: s.spec.channels,
                bits_per_sample: (s.spec.format != OutputFormat::Opus)
                    .then_some(s.spec.bits_per_sample),
                bitrate_kbps: (s.spec.format == OutputFormat::Opus)
                    .then_some(s.spec.opus_bitrate_kbps),
                size_bytes: s.size,
                analysis: s.analysis.clone(),
            })
            .collect(),
    }
}

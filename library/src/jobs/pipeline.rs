//! The part of a job that needs no database: fetch the source, run the strategy tree,
//! encode and analyse the stems, and upload them with `metadata.json` (written last: its
//! presence marks a complete folder). The in-process worker, the CLI and the GPU worker
//! all run exactly this.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::Utc;

use crate::jobs::spec::{JobSpec, input_key};
use stemset_audio::encode::OutputFormat;
use stemset_core::catalog::Plugins;
use stemset_core::error::Error;
use stemset_core::metadata::{
    METADATA_FILE, METADATA_VERSION, RecordingMetadata, SourceMetadata, StemMetadata, TakeMetadata,
};
use stemset_core::progress::{PipelineProgress, Stage};
use stemset_core::render::{RenderRequest, Rendered};
use stemset_core::storage::Storage;
use stemset_core::strategy::StrategyNode;
use stemset_sdk::separator::SeparationError;

pub use crate::jobs::scratch::scratch_dir;

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
        Some(p) if p.is_file() => Ok(p.clone()),
        Some(p) => Err(Error::Other(format!(
            "the source file {} is gone (it was processed from a folder on this machine)",
            p.display()
        ))),
        None => Err(Error::Other("the job names no source file".into())),
    }
}

/// Puts the job's local source into storage (content-addressed, so once per file) for a
/// worker elsewhere, and names it in the spec. A source already in storage stays.
pub async fn store_source(
    storage: &Storage,
    spec: &mut JobSpec,
    progress: &dyn PipelineProgress,
) -> Result<(), Error> {
    if spec.source.input_key.is_some() {
        return Ok(());
    }
    let path = spec
        .source
        .local_path
        .clone()
        .ok_or_else(|| Error::Other("the job names no source file".into()))?;
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().into_owned())
        .unwrap_or_default();
    let key = input_key(&spec.profile, &spec.source.sha256, &ext);
    progress.stage(Stage::UploadSource);
    if !storage.exists(&key).await? {
        storage.put_file(&key, &path).await?;
    }
    spec.source.input_key = Some(key);
    Ok(())
}

/// Runs the whole pipeline for `spec` and uploads the result under its output prefix.
/// On failure nothing is left under the prefix.
pub async fn render_to_storage(
    storage: &Storage,
    plugins: &Plugins,
    tree: &StrategyNode,
    spec: &JobSpec,
    scratch_parent: Option<&Path>,
    gate: Option<&tokio::sync::Semaphore>,
    progress: Arc<dyn PipelineProgress + Send>,
) -> Result<RecordingMetadata, Error> {
    let scratch = scratch_dir(scratch_parent)?;
    progress.stage(Stage::FetchSource);
    let input = fetch_source(storage, spec, scratch.path()).await?;
    let fetched = spec.source.input_key.is_some();
    let (input_path, scratch_path) = (input.clone(), scratch.path().to_path_buf());
    let job = RenderRequest {
        plugins: plugins.clone(),
        tree: tree.clone(),
        input,
        scratch: scratch.path().to_path_buf(),
        format: spec.format,
        bitrate: spec.bitrate,
        takes: spec.takes.clone(),
        music_only: spec.music_only.clone(),
    };
    let progress_for_job = progress.clone();
    // Files that share a gate take turns at the models; the upload and the database
    // below run beside the next file's render.
    let turn = match gate {
        Some(g) => Some(
            g.acquire()
                .await
                .map_err(|e| Error::internal("waiting for the models", &e))?,
        ),
        None => None,
    };
    let rendered = tokio::task::spawn_blocking(move || job.run(progress_for_job.as_ref()))
        .await
        .map_err(|e| Error::internal("processing", &e))?
        .map_err(|e| {
            // Errors name the user's file, never the scratch copy ("source.ogg").
            if fetched {
                e.renamed(&input_path, &spec.source.file_name, &scratch_path)
            } else {
                e
            }
        })?;
    drop(turn);
    let metadata = build_metadata(spec, tree, &rendered);
    progress.stage(Stage::Upload);
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
        model_runs: rendered.models.clone(),
        source: SourceMetadata {
            file_name: spec.source.file_name.clone(),
            sha256: rendered.source_sha256.clone(),
            size_bytes: rendered.source_size,
            codec: rendered.source.codec.clone(),
            sample_rate: rendered.source.sample_rate,
            channels: rendered.source.channels,
            bits_per_sample: rendered.source.bits_per_sample,
            duration_seconds: rendered.duration_seconds(),
            repaired_samples: rendered.repaired_samples,
            separated_seconds: rendered.separated_seconds,
            recorded_at: rendered.source.origin_date.map(|d| {
                format!(
                    "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
                    d.year, d.month, d.day, d.hour, d.minute, d.second
                )
            }),
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
        takes: rendered
            .takes
            .iter()
            .map(|t| TakeMetadata {
                take: t.clone(),
                song: None,
            })
            .collect(),
    }
}

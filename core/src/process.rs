//! The processor behind `stemset process`: hash → skip known → decode → strategy tree →
//! encode + analyse → upload → one database transaction. A failure at any step leaves no
//! recording row and no stems in storage; re-running picks the file up again.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect, Set,
    TransactionTrait,
};
use uuid::Uuid;

use crate::audio::encode::OutputFormat;
use crate::config::{Config, ProfileConfig};
use crate::db::{audio_file, profile, recording, stem};
use crate::error::Error;
use crate::executor::PipelineProgress;
use crate::hashing::sha256_file;
use crate::metadata::{
    METADATA_FILE, METADATA_VERSION, RecordingMetadata, SourceMetadata, StemMetadata,
};
use crate::render::{Rendered, SeparationJob};
use crate::scan::scan_folder;
use crate::separator::SeparationError;
use crate::storage::Storage;

/// A file found in a profile's folder, hashed.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub path: PathBuf,
    pub sha256: String,
    pub size: u64,
}

#[derive(Debug, Default)]
pub struct Plan {
    pub new: Vec<Candidate>,
    /// Already in the database (by content), whatever their name now.
    pub known: Vec<Candidate>,
    /// Same content as an earlier file of this run (a copy in the folder).
    pub duplicates: Vec<(Candidate, PathBuf)>,
    pub ignored: Vec<PathBuf>,
    /// Files that could not even be read for hashing.
    pub unreadable: Vec<(PathBuf, String)>,
}

#[derive(Debug, Clone)]
pub struct ProcessedRecording {
    pub recording_id: Uuid,
    pub title: String,
    pub storage_prefix: String,
    pub stems: Vec<String>,
    pub duration_seconds: f64,
}

pub struct Processor {
    pub config: Arc<Config>,
    pub db: DatabaseConnection,
    pub storage: Storage,
}

impl Processor {
    pub async fn new(config: Arc<Config>) -> Result<Self, Error> {
        let db = crate::db::connect(config.database.url.expose(), false).await?;
        let storage = Storage::from_config(&config.storage)?;
        Ok(Self {
            config,
            db,
            storage,
        })
    }

    /// Hashes every audio file of the profile's folder and sorts them into new and known.
    pub async fn plan(
        &self,
        profile_name: &str,
        on_file: &(dyn Fn(&Path) + Sync),
    ) -> Result<Plan, Error> {
        let profile = self.config.profile(profile_name)?;
        let scan = scan_folder(&profile.source).map_err(|e| {
            Error::io(
                format!(
                    "cannot read the source folder {} of profile \"{profile_name}\"",
                    profile.source.display()
                ),
                e,
            )
        })?;
        // Every hash this profile already has, in one query.
        let known_hashes: HashSet<String> = audio_file::Entity::find()
            .inner_join(profile::Entity)
            .filter(profile::Column::Name.eq(profile_name))
            .select_only()
            .column(audio_file::Column::FileHash)
            .into_tuple()
            .all(&self.db)
            .await?
            .into_iter()
            .collect();
        let mut plan = Plan {
            ignored: scan.ignored,
            ..Plan::default()
        };
        let mut seen: HashMap<String, PathBuf> = HashMap::new();
        for path in scan.audio {
            on_file(&path);
            let p = path.clone();
            let hashed = tokio::task::spawn_blocking(move || sha256_file(&p))
                .await
                .map_err(|e| Error::Other(format!("hashing task failed: {e}")))?;
            let (sha256, size) = match hashed {
                Ok(h) => h,
                Err(e) => {
                    plan.unreadable.push((path, e.to_string()));
                    continue;
                }
            };
            let c = Candidate { path, sha256, size };
            if let Some(first) = seen.get(&c.sha256) {
                plan.duplicates.push((c, first.clone()));
                continue;
            }
            seen.insert(c.sha256.clone(), c.path.clone());
            let known = known_hashes.contains(&c.sha256);
            if known {
                plan.known.push(c);
            } else {
                plan.new.push(c);
            }
        }
        Ok(plan)
    }

    /// Separates one file and records it. `progress` sees every stage.
    pub async fn process_file(
        &self,
        profile_name: &str,
        candidate: &Candidate,
        progress: Arc<dyn PipelineProgress + Send>,
    ) -> Result<ProcessedRecording, Error> {
        let profile_cfg = self.config.profile(profile_name)?.clone();
        let tree = self
            .config
            .strategy(&profile_cfg.strategy)
            .ok_or_else(|| Error::Other(format!("unknown strategy \"{}\"", profile_cfg.strategy)))?
            .clone();
        let scratch_parent = self
            .config
            .processing
            .temp_dir
            .clone()
            .unwrap_or_else(std::env::temp_dir);
        std::fs::create_dir_all(&scratch_parent).map_err(|e| {
            Error::io(
                format!("cannot create the temp folder {}", scratch_parent.display()),
                e,
            )
        })?;
        let scratch = tempfile::Builder::new()
            .prefix("stemset-")
            .tempdir_in(&scratch_parent)
            .map_err(|e| Error::io("cannot create a scratch folder", e))?;

        let recording_id = Uuid::now_v7();
        let job = SeparationJob {
            plugins: self.config.plugins.clone(),
            tree,
            input: candidate.path.clone(),
            scratch: scratch.path().to_path_buf(),
            format: self.config.output.format,
            bitrate: self.config.output.bitrate,
        };
        let progress_for_job = progress.clone();
        let rendered = tokio::task::spawn_blocking(move || job.run(progress_for_job.as_ref()))
            .await
            .map_err(|e| Error::Other(format!("processing task failed: {e}")))??;

        let title = candidate
            .path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "recording".to_string());
        let prefix = format!("{profile_name}/{recording_id}");
        let metadata = build_metadata(
            recording_id,
            profile_name,
            &title,
            &profile_cfg,
            &self.config,
            candidate,
            &rendered,
        );

        progress.stage("upload");
        if let Err(e) = self
            .upload(&prefix, &rendered, &metadata, progress.as_ref())
            .await
        {
            let _ = self.storage.delete_prefix(&prefix).await;
            return Err(e);
        }
        progress.stage("database");
        if let Err(e) = self
            .commit(
                profile_name,
                &profile_cfg,
                candidate,
                &rendered,
                &metadata,
                recording_id,
                &prefix,
            )
            .await
        {
            let _ = self.storage.delete_prefix(&prefix).await;
            return Err(e);
        }
        drop(scratch);
        Ok(ProcessedRecording {
            recording_id,
            title,
            storage_prefix: prefix,
            stems: rendered.stems.iter().map(|s| s.name.clone()).collect(),
            duration_seconds: rendered.duration_seconds(),
        })
    }

    async fn upload(
        &self,
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
            self.storage
                .put_file(&format!("{prefix}/{}", s.file_name), &s.path)
                .await?;
            self.storage
                .put_file(
                    &format!("{prefix}/{}", s.waveform_file_name),
                    &s.waveform_path,
                )
                .await?;
            progress.fraction((i + 1) as f32 / n);
        }
        let json = serde_json::to_vec_pretty(metadata)
            .map_err(|e| Error::Other(format!("metadata.json: {e}")))?;
        // Written last: its presence marks a complete recording folder.
        self.storage
            .put_bytes(&format!("{prefix}/{METADATA_FILE}"), json)
            .await?;
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    async fn commit(
        &self,
        profile_name: &str,
        profile_cfg: &ProfileConfig,
        candidate: &Candidate,
        rendered: &Rendered,
        metadata: &RecordingMetadata,
        recording_id: Uuid,
        prefix: &str,
    ) -> Result<(), Error> {
        let now = Utc::now();
        let txn = self.db.begin().await?;
        let profile = crate::db::sync::upsert_profile(&txn, profile_name, profile_cfg, now).await?;
        let src = &rendered.source;
        let audio = audio_file::ActiveModel {
            id: Set(Uuid::now_v7()),
            profile_id: Set(profile.id),
            file_hash: Set(candidate.sha256.clone()),
            original_name: Set(metadata.source.file_name.clone()),
            source_path: Set(Some(candidate.path.display().to_string())),
            size_bytes: Set(i64::try_from(candidate.size).unwrap_or(i64::MAX)),
            duration_seconds: Set(rendered.duration_seconds()),
            sample_rate: Set(src.sample_rate as i32),
            channels: Set(src.channels as i32),
            bits_per_sample: Set(src.bits_per_sample.map(|b| b as i32)),
            codec: Set(src.codec.clone()),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&txn)
        .await?;
        recording::ActiveModel {
            id: Set(recording_id),
            profile_id: Set(profile.id),
            audio_file_id: Set(audio.id),
            title: Set(metadata.title.clone()),
            strategy: Set(profile_cfg.strategy.clone()),
            storage_prefix: Set(prefix.to_string()),
            duration_seconds: Set(rendered.duration_seconds()),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&txn)
        .await?;
        for (order, s) in metadata.stems.iter().enumerate() {
            stem::ActiveModel {
                id: Set(Uuid::now_v7()),
                recording_id: Set(recording_id),
                name: Set(s.name.clone()),
                sort_order: Set(order as i32),
                storage_key: Set(format!("{prefix}/{}", s.file)),
                waveform_key: Set(format!("{prefix}/{}", s.waveform_file)),
                format: Set(metadata.output_format.clone()),
                sample_rate: Set(s.sample_rate as i32),
                channels: Set(s.channels as i32),
                bits_per_sample: Set(s.bits_per_sample.map(|b| b as i32)),
                bitrate_kbps: Set(s.bitrate_kbps.map(|b| b as i32)),
                size_bytes: Set(i64::try_from(s.size_bytes).unwrap_or(i64::MAX)),
                duration_seconds: Set(s.analysis.duration_seconds),
                lufs: Set(s.analysis.lufs),
                true_peak_dbtp: Set(s.analysis.true_peak_dbtp),
                sample_peak_dbfs: Set(s.analysis.sample_peak_dbfs),
                gain_db: Set(0.0),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(&txn)
            .await?;
        }
        txn.commit().await?;
        Ok(())
    }
}

fn build_metadata(
    recording_id: Uuid,
    profile_name: &str,
    title: &str,
    profile_cfg: &ProfileConfig,
    config: &Config,
    candidate: &Candidate,
    rendered: &Rendered,
) -> RecordingMetadata {
    let tree = config.strategy(&profile_cfg.strategy);
    RecordingMetadata {
        version: METADATA_VERSION,
        recording_id: recording_id.to_string(),
        profile: profile_name.to_string(),
        title: title.to_string(),
        strategy: profile_cfg.strategy.clone(),
        models: tree
            .map(|t| t.models().into_iter().map(str::to_string).collect())
            .unwrap_or_default(),
        source: SourceMetadata {
            file_name: candidate
                .path
                .file_name()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default(),
            sha256: candidate.sha256.clone(),
            size_bytes: candidate.size,
            codec: rendered.source.codec.clone(),
            sample_rate: rendered.source.sample_rate,
            channels: rendered.source.channels,
            bits_per_sample: rendered.source.bits_per_sample,
            duration_seconds: rendered.duration_seconds(),
        },
        output_format: config.output.format.extension().to_string(),
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

//! The processor behind `stemset process`: hash → skip known → decode → strategy tree →
//! encode + analyse → upload → one database transaction (the same pipeline and commit a
//! job runs, see `jobs`). A failure at any step leaves no
//! recording row and no stems in storage; re-running picks the file up again.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use sea_orm::DatabaseConnection;
use uuid::Uuid;

use crate::db::db_error;
use crate::db::job::JobKind;
use crate::jobs::backend::JobBackend;
use crate::jobs::commit::{commit_job_result, discard_uncommitted};
use crate::jobs::pipeline::render_to_storage;
use crate::jobs::spec::{JobSpec, JobTarget, SourceRef};
use stemset_audio::hashing::sha256_file;
use stemset_core::config::Config;
use stemset_core::error::Error;
use stemset_core::progress::{PipelineProgress, Stage};
use stemset_core::scan::scan_folder;
use stemset_core::storage::Storage;

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
    /// Files that could not even be read for hashing, or are not regular files, with why.
    pub unreadable: Vec<(PathBuf, String)>,
}

#[derive(Debug, Clone)]
pub struct ProcessedRecording {
    pub recording_id: Uuid,
    pub title: String,
    pub storage_prefix: String,
    pub stems: Vec<String>,
    pub duration_seconds: f64,
    /// Source samples repaired at decode (NaN, infinite, out of range).
    pub repaired_samples: u64,
    /// Seconds the models ran on, when only the takes were separated.
    pub separated_seconds: Option<f64>,
    /// The devices the models ran on (`cpu`, `cuda:0`), each once, in tree order.
    pub devices: Vec<String>,
}

pub struct Processor {
    pub config: Arc<Config>,
    pub db: DatabaseConnection,
    pub storage: Storage,
    /// One file at a time at the models: calls of [`Processor::process_file`] may run
    /// together (the CLI keeps two in flight), the upload and database commit of one
    /// overlapping the next one's render.
    render_gate: tokio::sync::Semaphore,
}

impl Processor {
    pub async fn new(config: Arc<Config>) -> Result<Self, Error> {
        let db = crate::db::connect(config.database.url.expose(), false)
            .await
            .map_err(db_error)?;
        let storage = Storage::from_config(&config.storage)?;
        Ok(Self {
            config,
            db,
            storage,
            render_gate: tokio::sync::Semaphore::new(1),
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
        // Every hash this profile already has a recording of, in one query (a deleted
        // recording's file is processed again).
        let known_hashes = crate::recordings::recorded_hashes(&self.db, profile_name)
            .await
            .map_err(db_error)?;
        let mut plan = Plan {
            ignored: scan.ignored,
            unreadable: scan.unusable,
            ..Plan::default()
        };
        let mut seen: HashMap<String, PathBuf> = HashMap::new();
        for path in scan.audio {
            on_file(&path);
            let p = path.clone();
            let hashed = tokio::task::spawn_blocking(move || sha256_file(&p))
                .await
                .map_err(|e| Error::internal("hashing", &e))?;
            let (sha256, size) = match hashed {
                Ok(h) => h,
                Err(e) => {
                    plan.unreadable.push((path, format!("cannot be read: {e}")));
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

    /// Separates one file with `backend` (`None`: here, reading the file in place; a
    /// remote backend gets the file uploaded to storage first) and records it. Calls may
    /// overlap: local renders take turns (see `render_gate`).
    pub async fn process_file(
        &self,
        profile_name: &str,
        candidate: &Candidate,
        backend: Option<&dyn JobBackend>,
        progress: Arc<dyn PipelineProgress + Send>,
    ) -> Result<ProcessedRecording, Error> {
        let profile_cfg = self.config.profile(profile_name)?.clone();
        let recording_id = Uuid::now_v7();
        let file_name = candidate
            .path
            .file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let title = candidate
            .path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "recording".to_string());
        let spec = JobSpec::new(
            &self.config,
            JobTarget {
                // A new recording's outputs go to its own folder (the job id is not
                // part of the prefix of a `process` job).
                job_id: Uuid::now_v7(),
                attempt: 1,
                kind: JobKind::Process,
                profile: profile_name.to_string(),
                recording_id,
                title: title.clone(),
                source: SourceRef {
                    input_key: None,
                    local_path: Some(candidate.path.clone()),
                    file_name,
                    sha256: candidate.sha256.clone(),
                    size_bytes: candidate.size,
                    modified_at: std::fs::metadata(&candidate.path)
                        .and_then(|m| m.modified())
                        .ok()
                        .map(chrono::DateTime::<chrono::Utc>::from),
                },
                strategy: profile_cfg.strategy.clone(),
            },
        )
        .map_err(Error::Other)?;
        let metadata = match backend {
            None => {
                render_to_storage(
                    &self.storage,
                    &self.config.plugins,
                    &spec.tree,
                    &spec,
                    self.config.processing.temp_dir.as_deref(),
                    Some(&self.render_gate),
                    progress.clone(),
                )
                .await?
            }
            // A backend elsewhere puts the source into storage itself (store_source).
            Some(b) => b.run(&spec, progress.clone()).await.map_err(Error::from)?,
        };
        progress.stage(Stage::Save);
        let (recording_id, _) = match commit_job_result(
            &self.db,
            &self.storage,
            &profile_cfg,
            &spec,
            &metadata,
        )
        .await
        {
            Ok(committed) => committed,
            Err(e) => {
                // Nothing of a recording the database does not have stays in storage.
                discard_uncommitted(&self.db, &self.storage, &spec).await;
                return Err(e);
            }
        };
        Ok(ProcessedRecording {
            recording_id,
            title,
            storage_prefix: spec.output_prefix.clone(),
            stems: metadata.stems.iter().map(|s| s.name.clone()).collect(),
            duration_seconds: metadata.source.duration_seconds,
            repaired_samples: metadata.source.repaired_samples,
            separated_seconds: metadata.source.separated_seconds,
            devices: metadata.model_runs.iter().fold(Vec::new(), |mut all, run| {
                if !all.contains(&run.device) {
                    all.push(run.device.clone());
                }
                all
            }),
        })
    }
}

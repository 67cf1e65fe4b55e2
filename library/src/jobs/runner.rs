//! The job worker loop (the server runs `jobs.workers` of them in-process): claim a job,
//! run it with its backend while renewing the lease and publishing progress, commit the
//! result, and mark the job. On shutdown a running job is handed back to the queue.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sea_orm::{DatabaseConnection, EntityTrait};
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::db::job::JobKind;
use crate::db::{audio_file, job, profile, recording};
use crate::jobs::backend::{
    JobBackend, JobBackendContext, JobFailure, build_job_backend, default_job_backend,
};
use crate::jobs::commit::{commit_job_result, discard_uncommitted};
use crate::jobs::queue;
use crate::jobs::settings::JobsConfig;
use crate::jobs::spec::{JobSpec, JobTarget, SourceRef};
use stemset_core::config::{Config, ProfileConfig};
use stemset_core::progress::{PipelineProgress, Stage};

/// Progress of the running attempt, shared between the pipeline and the heartbeat.
#[derive(Default)]
pub struct JobProgress {
    stage: Mutex<Option<Stage>>,
    fraction_bits: AtomicU32,
    cancel: AtomicBool,
    /// The highest overall value reported so far (f64 bits): progress never goes back.
    reported_bits: AtomicU64,
}

impl JobProgress {
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }
    /// The current stage, `None` before the first.
    pub fn current_stage(&self) -> Option<Stage> {
        self.stage.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
    /// The current stage as users read it ("" before the first).
    pub fn stage_label(&self) -> String {
        self.current_stage()
            .map(|s| s.to_string())
            .unwrap_or_default()
    }
    pub fn fraction_value(&self) -> f32 {
        f32::from_bits(self.fraction_bits.load(Ordering::Relaxed))
    }
    /// The whole job's progress, 0..1, from the stage's place in the job and its
    /// fraction. It never goes back: an earlier stage reported late keeps the value
    /// reached so far.
    pub fn overall(&self) -> f64 {
        let f = f64::from(self.fraction_value()).clamp(0.0, 1.0);
        let now = self.current_stage().map(|stage| {
            let (start, span) = stage.span();
            start + span * f
        });
        let before = f64::from_bits(self.reported_bits.load(Ordering::Relaxed));
        let value = now.map_or(before, |v| v.max(before)).clamp(0.0, 1.0);
        self.reported_bits
            .fetch_max(value.to_bits(), Ordering::Relaxed);
        value
    }
}

impl PipelineProgress for JobProgress {
    fn stage(&self, stage: Stage) {
        *self.stage.lock().unwrap_or_else(|p| p.into_inner()) = Some(stage);
        self.fraction_bits.store(0f32.to_bits(), Ordering::Relaxed);
    }
    fn fraction(&self, fraction: f32) {
        self.fraction_bits
            .store(fraction.clamp(0.0, 1.0).to_bits(), Ordering::Relaxed);
    }
    fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
}

pub struct Runner {
    pub db: DatabaseConnection,
    pub config: Arc<Config>,
    /// The `jobs` section: leases and polling.
    pub jobs: JobsConfig,
    pub ctx: JobBackendContext,
    /// This process's worker name (host and process id), recorded on claimed jobs.
    pub name: String,
    backends: Mutex<HashMap<String, Arc<dyn JobBackend>>>,
}

/// The running worker tasks; `shutdown` stops them, handing running jobs back.
pub struct RunnerHandle {
    stop: watch::Sender<bool>,
    tasks: JoinSet<()>,
}

impl RunnerHandle {
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        while self.tasks.join_next().await.is_some() {}
    }
}

impl Runner {
    pub fn new(db: DatabaseConnection, ctx: JobBackendContext, jobs: JobsConfig) -> Self {
        let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "localhost".into());
        Self {
            db,
            config: ctx.config.clone(),
            jobs,
            name: format!("{host}:{}", std::process::id()),
            ctx,
            backends: Mutex::new(HashMap::new()),
        }
    }

    /// Starts `n` worker tasks.
    pub fn spawn(self: Arc<Self>, n: usize) -> RunnerHandle {
        let (stop, rx) = watch::channel(false);
        let mut tasks = JoinSet::new();
        for i in 0..n {
            let (me, rx) = (self.clone(), rx.clone());
            tasks.spawn(async move { me.work_loop(i, rx).await });
        }
        RunnerHandle { stop, tasks }
    }

    fn lease(&self) -> Duration {
        Duration::from_secs(self.jobs.lease_seconds)
    }

    async fn work_loop(self: Arc<Self>, index: usize, mut stop: watch::Receiver<bool>) {
        let idle = Duration::from_millis(self.jobs.poll_ms.max(10));
        let worker = format!("{}#{index}", self.name);
        tracing::debug!(%worker, "job worker started");
        while !*stop.borrow() {
            if let Err(e) = queue::reap_exhausted(&self.db).await {
                tracing::warn!(error = %e, "cannot check for abandoned jobs");
            }
            match queue::claim(&self.db, &worker, self.lease()).await {
                Ok(Some(job)) => self.run_job(job, stop.clone()).await,
                Ok(None) => {
                    tokio::select! {
                        _ = tokio::time::sleep(idle) => {}
                        _ = stop.changed() => {}
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "cannot claim a job");
                    tokio::select! {
                        _ = tokio::time::sleep(idle * 5) => {}
                        _ = stop.changed() => {}
                    }
                }
            }
        }
        tracing::debug!(%worker, "job worker stopped");
    }

    fn backend(&self, name: &str) -> Result<Arc<dyn JobBackend>, JobFailure> {
        let mut cache = self.backends.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(b) = cache.get(name) {
            return Ok(b.clone());
        }
        let b = build_job_backend(name, &self.ctx).map_err(JobFailure::permanent)?;
        cache.insert(name.to_string(), b.clone());
        Ok(b)
    }

    /// Builds what the backend needs from the job row and the config.
    pub async fn spec_for(
        &self,
        job: &job::Model,
    ) -> Result<(JobSpec, ProfileConfig, String), JobFailure> {
        let db_err = |e: sea_orm::DbErr| JobFailure::retryable(format!("database: {e}"));
        let profile = profile::Entity::find_by_id(job.profile_id)
            .one(&self.db)
            .await
            .map_err(db_err)?
            .ok_or_else(|| JobFailure::permanent("the job's profile no longer exists"))?;
        let profile_cfg = self
            .config
            .profiles
            .get(&profile.name)
            .cloned()
            .ok_or_else(|| {
                JobFailure::permanent(format!(
                    "profile \"{}\" is no longer in config.yaml",
                    profile.name
                ))
            })?;
        let strategy = job
            .strategy
            .clone()
            .unwrap_or_else(|| profile_cfg.strategy.clone());
        let kind = job.job_kind().map_err(JobFailure::permanent)?;
        let recording_id = job
            .recording_id
            .ok_or_else(|| JobFailure::permanent("the job names no recording"))?;
        let (title, source) = if kind == JobKind::Reprocess {
            let rec = recording::Entity::find_by_id(recording_id)
                .one(&self.db)
                .await
                .map_err(db_err)?
                .ok_or_else(|| JobFailure::permanent("the recording was deleted"))?;
            let audio = audio_file::Entity::find_by_id(rec.audio_file_id)
                .one(&self.db)
                .await
                .map_err(db_err)?
                .ok_or_else(|| JobFailure::permanent("the recording's source is gone"))?;
            let source = SourceRef {
                input_key: audio.input_key.clone(),
                local_path: audio.source_path.as_deref().map(crate::path_text::decode),
                file_name: audio.original_name.clone(),
                sha256: audio.file_hash.clone(),
                size_bytes: u64::try_from(audio.size_bytes).unwrap_or(0),
                // The recording keeps its date; a reprocess does not touch it.
                modified_at: None,
            };
            (rec.title, source)
        } else {
            let name = job.original_name.clone().unwrap_or_else(|| "upload".into());
            let title = std::path::Path::new(&name)
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .filter(|s| !s.trim().is_empty())
                .unwrap_or_else(|| "Untitled".into());
            let source = SourceRef {
                input_key: Some(job.input_key.clone()),
                local_path: None,
                file_name: name,
                sha256: job.file_hash.clone().unwrap_or_default(),
                size_bytes: job
                    .size_bytes
                    .and_then(|s| u64::try_from(s).ok())
                    .unwrap_or(0),
                modified_at: job.source_modified_at,
            };
            (title, source)
        };
        let backend = default_job_backend(profile_cfg.remote).to_string();
        let spec = JobSpec::new(
            &self.config,
            JobTarget {
                job_id: job.id,
                attempt: job.attempts,
                kind,
                profile: profile.name.clone(),
                recording_id,
                title,
                source,
                strategy,
            },
        )
        .map_err(JobFailure::permanent)?;
        Ok((spec, profile_cfg, backend))
    }

    /// Runs one claimed job to its end (or hands it back on shutdown).
    pub async fn run_job(&self, job: job::Model, mut stop: watch::Receiver<bool>) {
        let (id, attempt) = (job.id, job.attempts);
        tracing::info!(job = %id, attempt, kind = %job.kind, "job started");
        let progress = Arc::new(JobProgress::default());
        let lost = Arc::new(AtomicBool::new(false));

        // Heartbeat: renew the lease and publish progress until the work ends.
        let (done_tx, mut done_rx) = watch::channel(false);
        let beat = {
            let (db, progress, lost) = (self.db.clone(), progress.clone(), lost.clone());
            let lease = self.lease();
            let every = (lease / 4).min(Duration::from_secs(1));
            let mut stop = stop.clone();
            tokio::spawn(async move {
                loop {
                    tokio::select! {
                        _ = tokio::time::sleep(every) => {}
                        _ = done_rx.changed() => break,
                        _ = stop.changed() => { progress.cancel(); }
                    }
                    let stage = progress.stage_label();
                    match queue::heartbeat(&db, id, attempt, progress.overall(), &stage, lease)
                        .await
                    {
                        Ok(true) => {}
                        Ok(false) => {
                            tracing::warn!(job = %id, "lost the job's lease; stopping");
                            lost.store(true, Ordering::Relaxed);
                            progress.cancel();
                            break;
                        }
                        Err(e) => tracing::warn!(job = %id, error = %e, "heartbeat failed"),
                    }
                }
            })
        };

        let outcome = async {
            let (spec, profile_cfg, backend_name) = self.spec_for(&job).await?;
            let backend = self.backend(&backend_name)?;
            let metadata = backend.run(&spec, progress.clone()).await?;
            progress.stage(Stage::Save);
            let (recording_id, committed) = match commit_job_result(
                &self.db,
                &self.ctx.storage,
                &profile_cfg,
                &spec,
                &metadata,
            )
            .await
            {
                Ok(c) => c,
                Err(e) => {
                    let failure = JobFailure::from(e);
                    // A retry renders to the same prefix again (a GPU worker hands a
                    // retry these very outputs): they stay for it. A job that ends
                    // here keeps nothing in storage. (A permanent failure happens with
                    // the database answering, so the heartbeat kept the lease and no
                    // other attempt writes this prefix.)
                    if attempt >= job.max_attempts
                        || (!failure.can_retry() && !lost.load(Ordering::Relaxed))
                    {
                        discard_uncommitted(&self.db, &self.ctx.storage, &spec).await;
                    }
                    return Err(failure);
                }
            };
            tracing::debug!(job = %id, ?committed, "job result committed");
            Ok::<_, JobFailure>(recording_id)
        }
        .await;
        let _ = done_tx.send(true);
        let _ = beat.await;

        let shutting_down = *stop.borrow_and_update();
        let result = match outcome {
            Ok(recording_id) => queue::succeed(&self.db, id, attempt, recording_id)
                .await
                .map(|_| ()),
            Err(_) if lost.load(Ordering::Relaxed) => Ok(()),
            Err(_) if shutting_down => {
                tracing::info!(job = %id, "shutting down: job handed back to the queue");
                queue::release(&self.db, id, attempt).await.map(|_| ())
            }
            Err(f) => {
                tracing::warn!(job = %id, attempt, error = %f.message, kind = ?f.kind, "job attempt failed");
                queue::fail(&self.db, id, attempt, &f.message, f.can_retry())
                    .await
                    .map(|_| ())
            }
        };
        if let Err(e) = result {
            tracing::error!(job = %id, error = %e, "cannot record the job's outcome");
        }
        tracing::info!(job = %id, "job finished");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(index: usize, count: usize) -> Stage {
        Stage::Model {
            name: "m".into(),
            index,
            count,
        }
    }

    #[test]
    fn overall_progress_follows_the_stages() {
        let p = JobProgress::default();
        assert_eq!(p.overall(), 0.0);
        p.stage(Stage::Decode);
        p.fraction(0.5);
        assert!((p.overall() - 0.06).abs() < 1e-9);
        p.stage(model(2, 3));
        p.fraction(0.0);
        let two = p.overall();
        assert!(two > 0.3 && two < 0.4, "{two}");
        p.stage(Stage::Upload);
        p.fraction(1.0);
        assert!((p.overall() - 0.99).abs() < 1e-9);
        assert_eq!(p.stage_label(), "upload");
    }

    #[test]
    fn overall_progress_never_goes_back() {
        let p = JobProgress::default();
        p.stage(Stage::Starting);
        assert_eq!(p.overall(), 0.0);
        p.stage(Stage::Encode { stems: 4 });
        p.fraction(0.5);
        let encoding = p.overall();
        p.stage(Stage::Save);
        let saving = p.overall();
        assert!(
            saving >= 0.99 && saving > encoding,
            "{saving} after {encoding}"
        );
        // An earlier stage reported late (a worker's stale status): the value holds.
        p.stage(Stage::Decode);
        assert_eq!(p.overall(), saving);
        let mut last = 0.0;
        let q = JobProgress::default();
        for stage in [
            Stage::SentToWorker,
            Stage::FetchSource,
            Stage::Decode,
            model(1, 2),
            model(2, 2),
        ] {
            q.stage(stage.clone());
            for f in [0.0, 0.5, 1.0] {
                q.fraction(f);
                let v = q.overall();
                assert!(v >= last, "{stage} {f}: {v} < {last}");
                last = v;
            }
        }
    }
}

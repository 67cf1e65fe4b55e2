//! Job backends: what runs a whole job (source in → stems + `metadata.json` out under the
//! job's prefix). `local` runs it in this process with the model backends linked in; a
//! backend crate can register another one (remote-gpu sends jobs to a GPU worker) with
//! `inventory::submit!`, the same way model backends register.

use std::sync::Arc;

use futures::future::BoxFuture;

use crate::jobs::callbacks::CallbackHub;
use crate::jobs::pipeline::render_to_storage;
use crate::jobs::spec::JobSpec;
use stemset_core::catalog::Plugins;
use stemset_core::config::Config;
use stemset_core::error::Error;
use stemset_core::metadata::RecordingMetadata;
use stemset_core::progress::PipelineProgress;
use stemset_core::storage::Storage;
use stemset_sdk::diagnosis::Finding;
use stemset_sdk::separator::SeparationError;

/// What kind of end an attempt came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// Another attempt could succeed (I/O, storage, database, an unreachable worker).
    Retryable,
    /// It never will (bad input, bad configuration).
    Permanent,
    /// It was stopped (Ctrl-C, shutdown, a lost lease); the job may run again.
    Cancelled,
}

/// Why a job attempt failed, and whether another attempt could succeed.
#[derive(Debug, Clone, PartialEq)]
pub struct JobFailure {
    pub message: String,
    pub kind: FailureKind,
}

impl JobFailure {
    pub fn retryable(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            kind: FailureKind::Retryable,
        }
    }
    pub fn permanent(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            kind: FailureKind::Permanent,
        }
    }
    pub fn cancelled() -> Self {
        Self {
            message: SeparationError::Cancelled.to_string(),
            kind: FailureKind::Cancelled,
        }
    }
    /// Whether the job may run again (a cancelled attempt may).
    pub fn can_retry(&self) -> bool {
        self.kind != FailureKind::Permanent
    }
}

impl From<Error> for JobFailure {
    /// Bad input and bad configuration fail for good; I/O, storage and database
    /// trouble may pass; a cancelled run stays cancelled.
    fn from(e: Error) -> Self {
        let kind = match &e {
            Error::Separation(SeparationError::Cancelled) => FailureKind::Cancelled,
            Error::Storage(_) | Error::Database(_) | Error::Io { .. } => FailureKind::Retryable,
            _ => FailureKind::Permanent,
        };
        Self {
            message: e.to_string(),
            kind,
        }
    }
}

impl From<JobFailure> for Error {
    /// Back to a run's error where the caller speaks `Error` (the CLI): cancelled stays
    /// cancelled, so Ctrl-C is never reported as a failure.
    fn from(f: JobFailure) -> Self {
        match f.kind {
            FailureKind::Cancelled => Error::Separation(SeparationError::Cancelled),
            _ => Error::Other(f.message),
        }
    }
}

pub type JobResult = Result<RecordingMetadata, JobFailure>;

pub trait JobBackend: Send + Sync {
    /// Runs `spec` to completion: the outputs are in storage under its prefix, with
    /// `metadata.json`, when this returns `Ok`. Stops early when `progress.cancelled()`.
    fn run<'a>(
        &'a self,
        spec: &'a JobSpec,
        progress: Arc<dyn PipelineProgress + Send>,
    ) -> BoxFuture<'a, JobResult>;
}

/// What a job backend is built from.
#[derive(Clone)]
pub struct JobBackendContext {
    pub config: Arc<Config>,
    pub storage: Storage,
    /// Where worker callbacks arrive in this process, and the URL they are sent to
    /// (`{public_url}/api/jobs/{id}/complete`); `None` where no server listens (the CLI).
    pub callbacks: Option<(Arc<CallbackHub>, String)>,
}

pub struct JobBackendRegistration {
    pub name: &'static str,
    /// This backend runs the jobs of `remote: true` profiles (one registration at most).
    pub remote: bool,
    /// The secret its workers sign their callbacks to the server with (`None`: no
    /// callbacks, or none configured); read from the backend's own settings.
    pub callback_secret: fn(&Plugins) -> Option<Vec<u8>>,
    pub build: fn(&JobBackendContext) -> Result<Arc<dyn JobBackend>, String>,
    /// `stemset doctor` for this backend: its workers reachable, accepting our
    /// signature, and what they run on. Nothing found when it is not configured.
    pub diagnose: fn(Arc<Config>) -> BoxFuture<'static, Vec<Finding>>,
}

inventory::collect!(JobBackendRegistration);

/// Every registered job backend (`stemset doctor` asks each about itself).
pub fn job_backends() -> impl Iterator<Item = &'static JobBackendRegistration> {
    inventory::iter::<JobBackendRegistration>.into_iter()
}

/// The job backend of a profile when the job names none: the registered remote one for
/// a `remote: true` profile, else `local`. A remote profile in a build without a remote
/// backend names a backend that then fails to build, with the reason.
pub fn default_job_backend(remote: bool) -> &'static str {
    if !remote {
        return LOCAL;
    }
    inventory::iter::<JobBackendRegistration>
        .into_iter()
        .find(|r| r.remote)
        .map_or("remote", |r| r.name)
}

/// The secrets worker callbacks may be signed with, one per job backend that has one.
pub fn callback_secrets(plugins: &Plugins) -> Vec<Vec<u8>> {
    inventory::iter::<JobBackendRegistration>
        .into_iter()
        .filter_map(|r| (r.callback_secret)(plugins))
        .collect()
}

/// The name of the in-process backend.
pub const LOCAL: &str = "local";

/// Every job backend in this build: `local` and the registered ones.
pub fn job_backend_names() -> Vec<&'static str> {
    let mut names = vec![LOCAL];
    names.extend(
        inventory::iter::<JobBackendRegistration>
            .into_iter()
            .map(|r| r.name),
    );
    names
}

pub fn build_job_backend(
    name: &str,
    ctx: &JobBackendContext,
) -> Result<Arc<dyn JobBackend>, String> {
    if name == LOCAL {
        return Ok(Arc::new(LocalBackend {
            config: ctx.config.clone(),
            storage: ctx.storage.clone(),
        }));
    }
    let reg = inventory::iter::<JobBackendRegistration>
        .into_iter()
        .find(|r| r.name == name)
        .ok_or_else(|| {
            format!(
                "unknown job backend \"{name}\"; this build has: {}",
                job_backend_names().join(", ")
            )
        })?;
    (reg.build)(ctx).map_err(|e| format!("{name}: {e}"))
}

/// Runs jobs here, with the model backends linked into this binary.
pub struct LocalBackend {
    pub config: Arc<Config>,
    pub storage: Storage,
}

impl JobBackend for LocalBackend {
    fn run<'a>(
        &'a self,
        spec: &'a JobSpec,
        progress: Arc<dyn PipelineProgress + Send>,
    ) -> BoxFuture<'a, JobResult> {
        Box::pin(async move {
            spec.check_tree(&self.config)
                .map_err(JobFailure::permanent)?;
            render_to_storage(
                &self.storage,
                &self.config.plugins,
                &spec.tree,
                spec,
                self.config.processing.temp_dir.as_deref(),
                None,
                progress,
            )
            .await
            .map_err(JobFailure::from)
        })
    }
}

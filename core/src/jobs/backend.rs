//! Job backends: what runs a whole job (source in → stems + `metadata.json` out under the
//! job's prefix). `local` runs it in this process with the model backends linked in; a
//! backend crate can register another one (remote-gpu sends jobs to a GPU worker) with
//! `inventory::submit!`, the same way model backends register.

use std::sync::Arc;

use futures::future::BoxFuture;

use crate::config::Config;
use crate::error::Error;
use crate::executor::PipelineProgress;
use crate::jobs::callbacks::CallbackHub;
use crate::jobs::pipeline::render_to_storage;
use crate::jobs::spec::JobSpec;
use crate::metadata::RecordingMetadata;
use crate::separator::SeparationError;
use crate::storage::Storage;

/// Why a job attempt failed, and whether another attempt could succeed.
#[derive(Debug, Clone, PartialEq)]
pub struct JobFailure {
    pub message: String,
    pub retryable: bool,
}

impl JobFailure {
    pub fn retryable(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            retryable: true,
        }
    }
    pub fn permanent(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            retryable: false,
        }
    }
}

impl From<Error> for JobFailure {
    /// Bad input and bad configuration fail for good; I/O, storage and database
    /// trouble may pass.
    fn from(e: Error) -> Self {
        let retryable = matches!(
            e,
            Error::Storage(_)
                | Error::Database(_)
                | Error::Io { .. }
                | Error::Separation(SeparationError::Cancelled)
        );
        Self {
            message: e.to_string(),
            retryable,
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
    pub description: &'static str,
    pub build: fn(&JobBackendContext) -> Result<Arc<dyn JobBackend>, String>,
}

inventory::collect!(JobBackendRegistration);

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
            let tree = spec
                .parse_tree(&self.config)
                .map_err(JobFailure::permanent)?;
            render_to_storage(
                &self.storage,
                &self.config.plugins,
                &tree,
                spec,
                self.config.processing.temp_dir.as_deref(),
                progress,
            )
            .await
            .map_err(JobFailure::from)
        })
    }
}

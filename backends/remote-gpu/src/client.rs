//! The remote-gpu job backend: hands a whole job to a GPU worker (`stemset worker`).
//!
//! It works at the job level, not per model: the worker gets the source's storage key and
//! the strategy tree, runs every model on its GPU and uploads the stems itself, so audio
//! crosses the network once each way (through the bucket) instead of once per model.
//! The server then commits the worker's `metadata.json` exactly like a local result.
//!
//! Completion: the worker calls back (signed) when it is done, which wakes us at once; we
//! also poll `GET /jobs/{id}`, so a lost callback only costs one poll interval. Every
//! request is retried with exponential backoff; a worker that stays unreachable, forgets
//! the job (it restarted) or takes too long fails the attempt as retryable, and the job
//! queue tries again.

use std::sync::Arc;
use std::time::Instant;

use futures::future::BoxFuture;
use reqwest::StatusCode;
use stemset_core::progress::{PipelineProgress, Stage};
use stemset_core::storage::Storage;
use stemset_library::jobs::backend::{JobBackend, JobBackendContext, JobFailure, JobResult};
use stemset_library::jobs::callbacks::CallbackHub;
use stemset_library::jobs::pipeline::read_metadata;
use stemset_library::jobs::pipeline::store_source;
use stemset_library::jobs::protocol::{
    WorkerJobRequest, WorkerJobStatus, WorkerState, signed_headers,
};
use stemset_library::jobs::spec::JobSpec;

use crate::settings::{BACKEND, RemoteSettings};

pub struct RemoteGpu {
    settings: RemoteSettings,
    url: String,
    http: reqwest::Client,
    storage: Storage,
    callbacks: Option<(Arc<CallbackHub>, String)>,
}

/// What one HTTP exchange with the worker came to.
enum Reply {
    Status(WorkerJobStatus),
    /// The worker does not know the job.
    NotFound,
}

impl RemoteGpu {
    pub fn build(ctx: &JobBackendContext) -> Result<Arc<dyn JobBackend>, String> {
        let settings = RemoteSettings::from_plugins(&ctx.config.plugins)?;
        let url = settings.url.clone().ok_or_else(|| {
            format!("set [backends.{BACKEND}] url (the GPU worker's address) in plugins.toml")
        })?;
        let http = reqwest::Client::builder()
            .connect_timeout(std::time::Duration::from_secs(10))
            .timeout(std::time::Duration::from_secs(60))
            .build()
            .map_err(|e| format!("HTTP client: {e}"))?;
        Ok(Arc::new(Self {
            settings,
            url,
            http,
            storage: ctx.storage.clone(),
            callbacks: ctx.callbacks.clone(),
        }))
    }

    /// One signed request, retried with backoff on connection errors, 5xx and 429.
    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Vec<u8>,
    ) -> Result<Reply, JobFailure> {
        let mut last = String::new();
        for n in 0..self.settings.request_attempts {
            if n > 0 {
                tokio::time::sleep(self.settings.backoff_for(n - 1)).await;
            }
            let mut req = self
                .http
                .request(method.clone(), format!("{}{path}", self.url))
                .header("content-type", "application/json")
                .body(body.clone());
            for (k, v) in signed_headers(&self.settings.secret, method.as_str(), path, &body) {
                req = req.header(k, v);
            }
            let resp = match req.send().await {
                Ok(r) => r,
                Err(e) => {
                    last = format!("{e}");
                    if let Some(src) = std::error::Error::source(&e) {
                        last = format!("{e}: {src}");
                    }
                    continue;
                }
            };
            let status = resp.status();
            if status == StatusCode::NOT_FOUND {
                return Ok(Reply::NotFound);
            }
            if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
                last = format!("{status}: {}", resp.text().await.unwrap_or_default());
                continue;
            }
            if !status.is_success() {
                // Our request is wrong (bad secret, bad spec): retrying will not help.
                let text = resp.text().await.unwrap_or_default();
                return Err(JobFailure::permanent(format!(
                    "the GPU worker at {} refused the job ({status}): {text}",
                    self.url
                )));
            }
            return resp
                .json::<WorkerJobStatus>()
                .await
                .map(Reply::Status)
                .map_err(|e| JobFailure::retryable(format!("the GPU worker's answer: {e}")));
        }
        Err(JobFailure::retryable(format!(
            "the GPU worker at {} is unreachable after {} attempts: {last}",
            self.url, self.settings.request_attempts
        )))
    }

    async fn run_remote(&self, spec: &JobSpec, progress: &dyn PipelineProgress) -> JobResult {
        let mut spec = spec.clone();
        // The worker reads the source from the bucket.
        store_source(&self.storage, &mut spec, progress)
            .await
            .map_err(JobFailure::from)?;
        let (job_id, attempt) = (spec.job_id, spec.attempt);
        let request = WorkerJobRequest {
            callback_url: self
                .callbacks
                .as_ref()
                .map(|(_, base)| format!("{base}/api/jobs/{job_id}/complete")),
            spec,
        };
        let body = serde_json::to_vec(&request)
            .map_err(|e| JobFailure::permanent(format!("job request: {e}")))?;
        progress.stage(Stage::SentToWorker);
        let notify = self.callbacks.as_ref().map(|(hub, _)| hub.register(job_id));
        let mut status = match self.call(reqwest::Method::POST, "/jobs", body).await? {
            Reply::Status(s) => s,
            Reply::NotFound => {
                return Err(JobFailure::permanent(format!(
                    "{} has no /jobs endpoint: is it a Stemset worker?",
                    self.url
                )));
            }
        };
        let started = Instant::now();
        let mut last_stage = None;
        loop {
            if status.attempt == attempt {
                if let Some(stage) = &status.stage
                    && last_stage.as_ref() != Some(stage)
                {
                    progress.stage(stage.clone());
                    last_stage = Some(stage.clone());
                }
                progress.fraction(status.progress as f32);
                match status.state {
                    WorkerState::Succeeded => {
                        return read_metadata(&self.storage, &request.spec.output_prefix)
                            .await
                            .map_err(|e| {
                                JobFailure::retryable(format!(
                                    "the worker reported success but its results are missing: {e}"
                                ))
                            });
                    }
                    WorkerState::Failed => {
                        let message = format!(
                            "the GPU worker failed: {}",
                            status.error.unwrap_or_else(|| "no reason given".into())
                        );
                        return Err(if status.retryable {
                            JobFailure::retryable(message)
                        } else {
                            JobFailure::permanent(message)
                        });
                    }
                    WorkerState::Queued | WorkerState::Running => {}
                }
            }
            if progress.cancelled() {
                // Stop the work on the worker too (best effort: it may be gone).
                if let Err(f) = self
                    .call(
                        reqwest::Method::DELETE,
                        &format!("/jobs/{job_id}"),
                        Vec::new(),
                    )
                    .await
                {
                    tracing::warn!(job = %job_id, error = %f.message, "could not cancel the job on the GPU worker");
                }
                return Err(JobFailure::cancelled());
            }
            if started.elapsed() > self.settings.timeout {
                return Err(JobFailure::retryable(format!(
                    "the GPU worker did not finish within {} minutes",
                    self.settings.timeout.as_secs() / 60
                )));
            }
            // Wait for the callback or the next poll, whichever comes first.
            match &notify {
                Some(n) => {
                    tokio::select! {
                        _ = n.notified() => {}
                        _ = tokio::time::sleep(self.settings.poll) => {}
                    }
                }
                None => tokio::time::sleep(self.settings.poll).await,
            }
            let delivered = self
                .callbacks
                .as_ref()
                .and_then(|(hub, _)| hub.take(job_id))
                .filter(|s| s.attempt == attempt);
            status = match delivered {
                Some(s) => s,
                None => match self
                    .call(reqwest::Method::GET, &format!("/jobs/{job_id}"), Vec::new())
                    .await?
                {
                    Reply::Status(s) => s,
                    Reply::NotFound => {
                        return Err(JobFailure::retryable(format!(
                            "the GPU worker at {} no longer knows the job (it restarted?)",
                            self.url
                        )));
                    }
                },
            };
        }
    }
}

impl JobBackend for RemoteGpu {
    fn run<'a>(
        &'a self,
        spec: &'a JobSpec,
        progress: Arc<dyn PipelineProgress + Send>,
    ) -> BoxFuture<'a, JobResult> {
        Box::pin(async move {
            let result = self.run_remote(spec, progress.as_ref()).await;
            if let Some((hub, _)) = &self.callbacks {
                hub.unregister(spec.job_id);
            }
            result
        })
    }
}

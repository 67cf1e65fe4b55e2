//! `stemset worker`: the GPU-side HTTP service.
//!
//! - `POST /jobs` (signed): accept a job — source key, strategy tree, output prefix,
//!   callback URL — and run it with this machine's backends. Idempotent per job id: asking
//!   again returns the job's status; a newer attempt of a job finished here gets its
//!   result at once (the outputs are already in the bucket).
//! - `GET /jobs/{id}` (signed): the job's status.
//! - `GET /healthz`: `ok` or `draining`, with running and queued counts.
//!
//! At most `concurrency` jobs run at once and `queue` more wait; beyond that the worker
//! answers 503 and the server retries later. On shutdown it stops accepting (503) and
//! drains: accepted jobs finish (up to `drain_seconds`) before it exits.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use salvo::conn::tcp::TcpAcceptor;
use salvo::http::StatusCode;
use salvo::prelude::*;
use salvo::server::ServerHandle;
use serde_json::json;
use stemset_core::config::Config;
use stemset_core::progress::{PipelineProgress, Stage};
use stemset_core::storage::Storage;
use stemset_library::jobs::backend::{JobBackend, LocalBackend};
use stemset_library::jobs::protocol::{
    ReplayGuard, WorkerInfo, WorkerJobRequest, WorkerJobStatus, WorkerState, signed_headers,
    verify_request,
};
use stemset_library::jobs::runner::JobProgress;
use tokio::sync::Semaphore;
use uuid::Uuid;

use crate::settings::RemoteSettings;

#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    #[error("{0}")]
    Config(String),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: String,
        source: std::io::Error,
    },
}

struct Entry {
    status: WorkerJobStatus,
    /// Live progress while it runs.
    progress: Option<Arc<JobProgress>>,
}

struct Worker {
    settings: RemoteSettings,
    backend: LocalBackend,
    jobs: Mutex<HashMap<Uuid, Entry>>,
    slots: Arc<Semaphore>,
    draining: AtomicBool,
    replay: ReplayGuard,
    http: reqwest::Client,
    /// Fires whenever a job ends (drain waits on it).
    ended: tokio::sync::Notify,
}

/// A worker that is serving.
pub struct RunningWorker {
    pub addr: SocketAddr,
    worker: Arc<Worker>,
    handle: ServerHandle,
    task: tokio::task::JoinHandle<()>,
}

impl RunningWorker {
    /// Stops accepting jobs, waits for the accepted ones (at most `drain_seconds`), then
    /// stops the HTTP server.
    pub async fn drain(self) {
        self.worker.draining.store(true, Ordering::SeqCst);
        let deadline = tokio::time::Instant::now() + self.worker.settings.drain;
        loop {
            let (running, queued) = self.worker.counts();
            if running + queued == 0 {
                break;
            }
            tracing::info!(running, queued, "draining: waiting for accepted jobs");
            let wait = self.worker.ended.notified();
            if tokio::time::timeout_at(deadline, wait).await.is_err() {
                tracing::warn!(
                    "drain timeout: stopping with jobs unfinished (the server will retry them)"
                );
                break;
            }
        }
        self.handle.stop_graceful(Duration::from_secs(5));
        let _ = self.task.await;
    }
}

impl Worker {
    fn counts(&self) -> (usize, usize) {
        let jobs = self.jobs.lock().unwrap_or_else(|p| p.into_inner());
        let running = jobs
            .values()
            .filter(|e| e.status.state == WorkerState::Running)
            .count();
        let queued = jobs
            .values()
            .filter(|e| e.status.state == WorkerState::Queued)
            .count();
        (running, queued)
    }

    fn status_of(&self, id: Uuid) -> Option<WorkerJobStatus> {
        let jobs = self.jobs.lock().unwrap_or_else(|p| p.into_inner());
        jobs.get(&id).map(|e| {
            let mut s = e.status.clone();
            if let Some(p) = &e.progress {
                s.stage = p.current_stage();
                s.progress = f64::from(p.fraction_value());
            }
            s
        })
    }

    fn set_state(&self, id: Uuid, f: impl FnOnce(&mut Entry)) {
        let mut jobs = self.jobs.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(e) = jobs.get_mut(&id) {
            f(e);
        }
    }

    /// Runs an accepted job: wait for a slot, render, upload, report.
    async fn execute(self: Arc<Self>, request: WorkerJobRequest, progress: Arc<JobProgress>) {
        let id = request.spec.job_id;
        let permit = self.slots.clone().acquire_owned().await;
        self.set_state(id, |e| {
            e.status.state = WorkerState::Running;
            e.status.stage = Some(Stage::Starting);
        });
        tracing::info!(job = %id, attempt = request.spec.attempt, "job started");
        let progress_dyn: Arc<dyn PipelineProgress + Send> = progress.clone();
        let result = self.backend.run(&request.spec, progress_dyn).await;
        drop(permit);
        let final_status = {
            let mut jobs = self.jobs.lock().unwrap_or_else(|p| p.into_inner());
            let entry = jobs.get_mut(&id);
            match entry {
                Some(e) => {
                    e.progress = None;
                    match &result {
                        Ok(_) => {
                            e.status.state = WorkerState::Succeeded;
                            e.status.stage = None;
                            e.status.progress = 1.0;
                            e.status.error = None;
                        }
                        Err(failure) => {
                            e.status.state = WorkerState::Failed;
                            e.status.stage = None;
                            e.status.error = Some(failure.message.clone());
                            e.status.retryable = failure.can_retry();
                        }
                    }
                    Some(e.status.clone())
                }
                None => None,
            }
        };
        self.ended.notify_waiters();
        match &result {
            Ok(_) => tracing::info!(job = %id, "job succeeded"),
            Err(f) => tracing::warn!(job = %id, error = %f.message, "job failed"),
        }
        if let (Some(url), Some(status)) = (request.callback_url.as_deref(), final_status) {
            self.call_back(url, &status).await;
        }
    }

    /// Reports the end of a job to the server, retrying with backoff. A callback that
    /// never arrives costs the server one poll interval, nothing more.
    async fn call_back(&self, url: &str, status: &WorkerJobStatus) {
        let Ok(body) = serde_json::to_vec(status) else {
            return;
        };
        let path = reqwest::Url::parse(url)
            .map(|u| u.path().to_string())
            .unwrap_or_default();
        for n in 0..self.settings.request_attempts {
            if n > 0 {
                tokio::time::sleep(self.settings.backoff_for(n - 1)).await;
            }
            let mut req = self
                .http
                .post(url)
                .header("content-type", "application/json")
                .body(body.clone());
            for (k, v) in signed_headers(&self.settings.secret, "POST", &path, &body) {
                req = req.header(k, v);
            }
            match req.send().await {
                Ok(r) if r.status().is_success() => return,
                // The server has moved on (a newer attempt, or it already knows): stop.
                Ok(r) if r.status().is_client_error() => {
                    tracing::warn!(job = %status.job_id, status = %r.status(), "callback refused");
                    return;
                }
                Ok(r) => {
                    tracing::warn!(job = %status.job_id, status = %r.status(), "callback failed")
                }
                Err(e) => tracing::warn!(job = %status.job_id, error = %e, "callback failed"),
            }
        }
    }
}

/// The worker in the request's depot.
#[derive(Clone)]
struct Inject(Arc<Worker>);

#[async_trait]
impl Handler for Inject {
    async fn handle(&self, _: &mut Request, depot: &mut Depot, _: &mut Response, _: &mut FlowCtrl) {
        depot.insert("worker", self.0.clone());
    }
}

fn worker(depot: &Depot) -> Option<Arc<Worker>> {
    depot.get::<Arc<Worker>>("worker").ok().cloned()
}

fn error(res: &mut Response, code: StatusCode, message: impl Into<String>) {
    res.status_code(code);
    res.render(Json(json!({ "error": message.into() })));
}

/// Reads the body and checks the signature; `None` when a response was already written.
async fn signed_body(
    req: &mut Request,
    res: &mut Response,
    w: &Worker,
    guard_replay: bool,
) -> Option<Vec<u8>> {
    let body = match req.payload_with_max_size(4 * 1024 * 1024).await {
        Ok(b) => b.to_vec(),
        Err(e) => {
            error(
                res,
                StatusCode::BAD_REQUEST,
                format!("unreadable body: {e}"),
            );
            return None;
        }
    };
    let checked = verify_request(
        &w.settings.secret,
        req.headers(),
        req.method().as_str(),
        req.uri().path(),
        &body,
        guard_replay.then_some(&w.replay),
    );
    if let Err(e) = checked {
        tracing::warn!(error = %e, path = %req.uri().path(), "rejected an unsigned or badly signed request");
        error(res, StatusCode::UNAUTHORIZED, e.to_string());
        return None;
    }
    Some(body)
}

#[handler]
async fn submit_job(req: &mut Request, depot: &mut Depot, res: &mut Response) {
    let Some(w) = worker(depot) else { return };
    let Some(body) = signed_body(req, res, &w, true).await else {
        return;
    };
    let request: WorkerJobRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return error(res, StatusCode::BAD_REQUEST, format!("invalid job: {e}")),
    };
    let spec = &request.spec;
    if spec.source.input_key.is_none() {
        return error(
            res,
            StatusCode::BAD_REQUEST,
            "the job's source must be in storage (input_key)",
        );
    }
    if let Err(e) = spec.check_tree(&w.backend.config) {
        return error(
            res,
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("this worker cannot run the strategy: {e}"),
        );
    }
    let id = spec.job_id;
    // Idempotency: a job already here answers with its status.
    {
        let mut jobs = w.jobs.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(e) = jobs.get_mut(&id) {
            let finished_ok = e.status.state == WorkerState::Succeeded;
            let in_flight = matches!(e.status.state, WorkerState::Queued | WorkerState::Running);
            if e.status.attempt == spec.attempt || finished_ok || in_flight {
                // A newer attempt adopts the running or finished work.
                e.status.attempt = spec.attempt.max(e.status.attempt);
                let s = e.status.clone();
                drop(jobs);
                res.status_code(StatusCode::OK);
                return res.render(Json(w.status_of(id).unwrap_or(s)));
            }
        }
        if w.draining.load(Ordering::SeqCst) {
            res.headers_mut()
                .insert("retry-after", salvo::http::HeaderValue::from_static("30"));
            return error(
                res,
                StatusCode::SERVICE_UNAVAILABLE,
                "the worker is draining",
            );
        }
        let busy = jobs
            .values()
            .filter(|e| matches!(e.status.state, WorkerState::Queued | WorkerState::Running))
            .count();
        if busy >= w.settings.concurrency + w.settings.queue {
            res.headers_mut()
                .insert("retry-after", salvo::http::HeaderValue::from_static("5"));
            return error(
                res,
                StatusCode::SERVICE_UNAVAILABLE,
                format!("the worker is busy ({busy} jobs)"),
            );
        }
        let status = WorkerJobStatus {
            job_id: id,
            attempt: spec.attempt,
            state: WorkerState::Queued,
            progress: 0.0,
            stage: None,
            error: None,
            retryable: false,
        };
        let progress = Arc::new(JobProgress::default());
        jobs.insert(
            id,
            Entry {
                status: status.clone(),
                progress: Some(progress.clone()),
            },
        );
        drop(jobs);
        tokio::spawn(w.clone().execute(request, progress));
        res.status_code(StatusCode::ACCEPTED);
        res.render(Json(status));
    }
}

/// The worker, after the request's signature is checked, and the job id of the path;
/// `None` when an error response was already written.
async fn signed_job(
    req: &mut Request,
    depot: &Depot,
    res: &mut Response,
    guard_replay: bool,
) -> Option<(Arc<Worker>, Uuid)> {
    let w = worker(depot)?;
    signed_body(req, res, &w, guard_replay).await?;
    match req
        .param::<String>("id")
        .and_then(|s| Uuid::parse_str(&s).ok())
    {
        Some(id) => Some((w, id)),
        None => {
            error(res, StatusCode::BAD_REQUEST, "the job id must be a UUID");
            None
        }
    }
}

fn render_status(w: &Worker, id: Uuid, res: &mut Response) {
    match w.status_of(id) {
        Some(s) => res.render(Json(s)),
        None => error(res, StatusCode::NOT_FOUND, "no such job on this worker"),
    }
}

#[handler]
async fn job_status(req: &mut Request, depot: &mut Depot, res: &mut Response) {
    if let Some((w, id)) = signed_job(req, depot, res, false).await {
        render_status(&w, id, res);
    }
}

/// `DELETE /jobs/{id}`: the server cancelled the job or lost its lease; the running
/// work stops at its next chunk (the job ends failed, retryable, as "cancelled").
#[handler]
async fn cancel_job(req: &mut Request, depot: &mut Depot, res: &mut Response) {
    let Some((w, id)) = signed_job(req, depot, res, true).await else {
        return;
    };
    let progress = {
        let jobs = w.jobs.lock().unwrap_or_else(|p| p.into_inner());
        jobs.get(&id).and_then(|e| e.progress.clone())
    };
    if let Some(p) = progress {
        tracing::info!(job = %id, "job cancelled by the server");
        p.cancel();
    }
    render_status(&w, id, res);
}

/// `GET /info` (signed): the worker's version and what each of its backends finds about
/// its runtime and devices, so the server's `stemset doctor` can say it.
#[handler]
async fn info(req: &mut Request, depot: &mut Depot, res: &mut Response) {
    let Some(w) = worker(depot) else { return };
    if signed_body(req, res, &w, false).await.is_none() {
        return;
    }
    let plugins = w.backend.config.plugins.clone();
    let backends = tokio::task::spawn_blocking(move || {
        stemset_sdk::separator::Backends::registered()
            .into_iter()
            .flat_map(|b| (b.diagnose)(&plugins.backend_settings(b.name)))
            .collect::<Vec<_>>()
    })
    .await
    .unwrap_or_default();
    res.render(Json(WorkerInfo {
        version: env!("CARGO_PKG_VERSION").to_string(),
        backends,
    }));
}

#[handler]
async fn healthz(depot: &mut Depot, res: &mut Response) {
    let Some(w) = worker(depot) else { return };
    let (running, queued) = w.counts();
    let draining = w.draining.load(Ordering::SeqCst);
    if draining {
        res.status_code(StatusCode::SERVICE_UNAVAILABLE);
    }
    res.render(Json(json!({
        "status": if draining { "draining" } else { "ok" },
        "running": running,
        "queued": queued,
        "concurrency": w.settings.concurrency,
    })));
}

/// Starts the worker service; `listen` overrides `[backends.remote-gpu] listen`.
pub async fn start(
    config: Arc<Config>,
    listen: Option<String>,
) -> Result<RunningWorker, WorkerError> {
    let settings = RemoteSettings::from_plugins(&config.plugins).map_err(WorkerError::Config)?;
    let storage =
        Storage::from_config(&config.storage).map_err(|e| WorkerError::Config(e.to_string()))?;
    let http = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| WorkerError::Config(format!("HTTP client: {e}")))?;
    let addr = listen.unwrap_or_else(|| settings.listen.clone());
    let w = Arc::new(Worker {
        slots: Arc::new(Semaphore::new(settings.concurrency)),
        settings,
        backend: LocalBackend { config, storage },
        jobs: Mutex::new(HashMap::new()),
        draining: AtomicBool::new(false),
        replay: ReplayGuard::default(),
        http,
        ended: tokio::sync::Notify::new(),
    });
    let router = Router::new()
        .hoop(Inject(w.clone()))
        .hoop(salvo::catch_panic::CatchPanic::new())
        .push(Router::with_path("healthz").get(healthz))
        .push(Router::with_path("info").get(info))
        .push(
            Router::with_path("jobs")
                .post(submit_job)
                .push(Router::with_path("{id}").get(job_status).delete(cancel_job)),
        );
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .map_err(|source| WorkerError::Listen {
            addr: addr.clone(),
            source,
        })?;
    let local = listener
        .local_addr()
        .map_err(|source| WorkerError::Listen {
            addr: addr.clone(),
            source,
        })?;
    let acceptor = TcpAcceptor::try_from(listener).map_err(|source| WorkerError::Listen {
        addr: addr.clone(),
        source,
    })?;
    let server = Server::new(acceptor);
    let handle = server.handle();
    let task = tokio::spawn(async move { server.serve(router).await });
    tracing::info!(addr = %local, "Stemset worker is listening");
    Ok(RunningWorker {
        addr: local,
        worker: w,
        handle,
        task,
    })
}

//! `POST /api/jobs/{id}/complete`: a GPU worker reporting the end of a job.
//!
//! The request must carry a valid HMAC signature with the shared secret
//! (`[backends.remote-gpu] secret`), a fresh timestamp, and a signature not seen before;
//! it must name this job and its current attempt, which must still be running. Anything
//! else is refused (401 forged, 409 replayed or stale), so a forged or replayed callback
//! can neither finish a job nor fail it. An accepted callback only wakes the waiting
//! remote-gpu backend, which reads the result from storage itself.

use salvo::http::StatusCode;
use salvo::prelude::*;
use sea_orm::EntityTrait;
use serde_json::json;
use stemset_library::db::job;
use stemset_library::jobs::protocol::{SignatureError, WorkerJobStatus, verify_request};
use uuid::Uuid;

use crate::error::ServerError;
use crate::state::AppState;

pub fn router() -> Router {
    Router::with_path("api/jobs/{id}/complete").post(complete)
}

#[handler]
async fn complete(
    req: &mut Request,
    depot: &mut Depot,
    res: &mut Response,
) -> Result<(), ServerError> {
    let state = AppState::from_depot(depot)?;
    let secret = state
        .worker_secret
        .clone()
        .ok_or_else(|| ServerError::NotFound)?;
    let body = req
        .payload_with_max_size(64 * 1024)
        .await
        .map_err(|e| ServerError::BadRequest(format!("unreadable body: {e}")))?
        .to_vec();
    let path = req.uri().path().to_string();
    verify_request(
        &secret,
        req.headers(),
        "POST",
        &path,
        &body,
        Some(&state.replay),
    )
    .map_err(|e| {
        tracing::warn!(error = %e, %path, "refused a worker callback");
        match e {
            SignatureError::Replayed => ServerError::Conflict(e.to_string()),
            _ => ServerError::InvalidToken(e.to_string()),
        }
    })?;
    let id = req
        .param::<String>("id")
        .and_then(|s| Uuid::parse_str(&s).ok())
        .ok_or_else(|| ServerError::BadRequest("the job id must be a UUID".into()))?;
    let status: WorkerJobStatus = serde_json::from_slice(&body)
        .map_err(|e| ServerError::BadRequest(format!("invalid callback: {e}")))?;
    if status.job_id != id {
        return Err(ServerError::BadRequest(
            "the callback is for another job".into(),
        ));
    }
    let current = job::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .ok_or(ServerError::NotFound)?;
    if current.state != job::STATE_RUNNING || current.attempts != status.attempt {
        return Err(ServerError::Conflict(format!(
            "job {id} is {} at attempt {}; this callback is for attempt {}",
            current.state, current.attempts, status.attempt
        )));
    }
    let waiting = state.callbacks.deliver(status);
    tracing::debug!(job = %id, waiting, "worker callback accepted");
    res.status_code(StatusCode::ACCEPTED);
    res.render(Json(json!({ "accepted": true })));
    Ok(())
}

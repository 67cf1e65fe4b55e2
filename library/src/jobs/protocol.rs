//! The wire protocol between the server and a GPU worker (`stemset worker`): the job
//! request, the status a worker reports, and HMAC-SHA256 request signing with a shared
//! secret. Every request in both directions is signed over its timestamp, method, path
//! and body hash; a receiver rejects a bad signature, a timestamp more than five minutes
//! off, and a signature it has already seen (a replay).

use std::collections::HashMap;
use std::sync::Mutex;

use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use stemset_core::progress::Stage;
use uuid::Uuid;

use crate::jobs::spec::JobSpec;

pub const TIMESTAMP_HEADER: &str = "x-stemset-timestamp";
pub const SIGNATURE_HEADER: &str = "x-stemset-signature";
/// How far a signed request's clock may be from ours, in seconds.
pub const MAX_SKEW_SECONDS: i64 = 300;
/// The shortest shared secret accepted.
pub const MIN_SECRET_LEN: usize = 32;

/// `GET /info` on a worker (signed): what it runs and on which devices, for `stemset
/// doctor` on the server side.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WorkerInfo {
    /// The worker's `stemset` version.
    pub version: String,
    /// Each separation backend of the worker's build, checked there.
    pub backends: Vec<stemset_sdk::diagnosis::Finding>,
}

/// `POST /jobs` on a worker.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WorkerJobRequest {
    pub spec: JobSpec,
    /// Where the worker reports the end of the job (`POST`, signed); `None`: the caller
    /// polls `GET /jobs/{id}` only.
    pub callback_url: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WorkerState {
    Queued,
    Running,
    Succeeded,
    Failed,
}

/// A worker's view of one job: the answer to `POST /jobs` and `GET /jobs/{id}`, and the
/// body of the completion callback.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct WorkerJobStatus {
    pub job_id: Uuid,
    pub attempt: i32,
    pub state: WorkerState,
    pub progress: f64,
    /// What the job is doing; `None` while it waits for a slot and once it has ended.
    pub stage: Option<Stage>,
    pub error: Option<String>,
    /// Whether trying again could help (a lost input, a full disk) or not (not audio).
    pub retryable: bool,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum SignatureError {
    #[error("the request is not signed (missing {0} header)")]
    Missing(&'static str),
    #[error("the signature timestamp is malformed")]
    BadTimestamp,
    #[error(
        "the signature timestamp is {0} s away from this server's clock (limit {MAX_SKEW_SECONDS} s)"
    )]
    Skew(i64),
    #[error("the signature does not match (wrong secret, or the request was altered)")]
    Mismatch,
    #[error("this signed request was already received (a replay)")]
    Replayed,
}

fn message(timestamp: i64, method: &str, path: &str, body: &[u8]) -> String {
    format!(
        "{timestamp}\n{}\n{path}\n{}",
        method.to_ascii_uppercase(),
        hex::encode(Sha256::digest(body))
    )
}

fn mac(secret: &[u8]) -> Hmac<Sha256> {
    // HMAC takes a key of any length.
    <Hmac<Sha256> as KeyInit>::new_from_slice(secret).expect("HMAC accepts any key length")
}

/// The signature header value for a request.
pub fn sign(secret: &[u8], timestamp: i64, method: &str, path: &str, body: &[u8]) -> String {
    let mut m = mac(secret);
    m.update(message(timestamp, method, path, body).as_bytes());
    hex::encode(m.finalize().into_bytes())
}

/// Headers for a signed request made now.
pub fn signed_headers(
    secret: &[u8],
    method: &str,
    path: &str,
    body: &[u8],
) -> [(&'static str, String); 2] {
    let ts = chrono::Utc::now().timestamp();
    [
        (TIMESTAMP_HEADER, ts.to_string()),
        (SIGNATURE_HEADER, sign(secret, ts, method, path, body)),
    ]
}

/// Checks a request's signature (constant-time) and timestamp.
pub fn verify(
    secret: &[u8],
    timestamp: Option<&str>,
    signature: Option<&str>,
    method: &str,
    path: &str,
    body: &[u8],
    now: i64,
) -> Result<(), SignatureError> {
    let ts: i64 = timestamp
        .ok_or(SignatureError::Missing(TIMESTAMP_HEADER))?
        .trim()
        .parse()
        .map_err(|_| SignatureError::BadTimestamp)?;
    let sig = signature.ok_or(SignatureError::Missing(SIGNATURE_HEADER))?;
    let sig = hex::decode(sig.trim()).map_err(|_| SignatureError::Mismatch)?;
    let mut m = mac(secret);
    m.update(message(ts, method, path, body).as_bytes());
    m.verify_slice(&sig).map_err(|_| SignatureError::Mismatch)?;
    let skew = (now - ts).abs();
    if skew > MAX_SKEW_SECONDS {
        return Err(SignatureError::Skew(now - ts));
    }
    Ok(())
}

/// Checks a received request: its signature headers against the body, method and path,
/// the clock, and (with `replay`) that this exact signed request was not seen before.
pub fn verify_request(
    secret: &[u8],
    headers: &http::HeaderMap,
    method: &str,
    path: &str,
    body: &[u8],
    replay: Option<&ReplayGuard>,
) -> Result<(), SignatureError> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let signature = header(SIGNATURE_HEADER);
    let now = chrono::Utc::now().timestamp();
    verify(
        secret,
        header(TIMESTAMP_HEADER),
        signature,
        method,
        path,
        body,
        now,
    )?;
    match replay {
        Some(guard) => guard.check(signature.unwrap_or_default(), now),
        None => Ok(()),
    }
}

/// Remembers the signatures seen within the allowed clock skew, so each signed request
/// is accepted once.
#[derive(Default)]
pub struct ReplayGuard {
    seen: Mutex<HashMap<String, i64>>,
}

impl ReplayGuard {
    /// Records `signature`; `Err(Replayed)` when it was seen before.
    pub fn check(&self, signature: &str, now: i64) -> Result<(), SignatureError> {
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        seen.retain(|_, at| now - *at <= 2 * MAX_SKEW_SECONDS);
        if seen.contains_key(signature) {
            return Err(SignatureError::Replayed);
        }
        seen.insert(signature.to_string(), now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_verify_and_reject_tampering() {
        let secret = b"0123456789abcdef0123456789abcdef";
        let sig = sign(secret, 1000, "post", "/jobs", b"{}");
        let ok = verify(
            secret,
            Some("1000"),
            Some(&sig),
            "POST",
            "/jobs",
            b"{}",
            1010,
        );
        assert_eq!(ok, Ok(()));
        let body = verify(
            secret,
            Some("1000"),
            Some(&sig),
            "POST",
            "/jobs",
            b"{ }",
            1010,
        );
        assert_eq!(body, Err(SignatureError::Mismatch));
        let path = verify(
            secret,
            Some("1000"),
            Some(&sig),
            "POST",
            "/jobz",
            b"{}",
            1010,
        );
        assert_eq!(path, Err(SignatureError::Mismatch));
        let other = verify(
            b"another secret",
            Some("1000"),
            Some(&sig),
            "POST",
            "/jobs",
            b"{}",
            1010,
        );
        assert_eq!(other, Err(SignatureError::Mismatch));
        let late = verify(
            secret,
            Some("1000"),
            Some(&sig),
            "POST",
            "/jobs",
            b"{}",
            1400,
        );
        assert_eq!(late, Err(SignatureError::Skew(400)));
        let moved = verify(
            secret,
            Some("1001"),
            Some(&sig),
            "POST",
            "/jobs",
            b"{}",
            1010,
        );
        assert_eq!(moved, Err(SignatureError::Mismatch));
        assert_eq!(
            verify(secret, None, Some(&sig), "POST", "/jobs", b"{}", 1010),
            Err(SignatureError::Missing(TIMESTAMP_HEADER))
        );
    }

    #[test]
    fn replay_guard_accepts_once() {
        let g = ReplayGuard::default();
        assert_eq!(g.check("abc", 100), Ok(()));
        assert_eq!(g.check("abc", 101), Err(SignatureError::Replayed));
        assert_eq!(g.check("def", 101), Ok(()));
    }
}

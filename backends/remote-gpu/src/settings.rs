//! `[backends.remote-gpu]` in plugins.toml: where the worker is, the shared secret, and
//! the worker service's own limits.

use std::time::Duration;

use stemset_core::catalog::Plugins;
use stemset_library::jobs::protocol::MIN_SECRET_LEN;

pub const BACKEND: &str = "remote-gpu";

#[derive(Debug, Clone)]
pub struct RemoteSettings {
    /// The worker's base URL, e.g. `https://gpu.example.com`.
    pub url: Option<String>,
    pub secret: Vec<u8>,
    /// How often the server asks the worker about a job.
    pub poll: Duration,
    /// How long a job may take on the worker before the attempt is given up.
    pub timeout: Duration,
    /// HTTP attempts per request (exponential backoff between them).
    pub request_attempts: u32,
    /// The first backoff delay; doubles each attempt, at most 10 s.
    pub backoff: Duration,
    // The worker service (`stemset worker`).
    pub listen: String,
    pub concurrency: usize,
    pub queue: usize,
    pub drain: Duration,
}

impl RemoteSettings {
    pub fn from_plugins(plugins: &Plugins) -> Result<Self, String> {
        let s = plugins.backend_settings(BACKEND);
        let secret = s.get_str("secret").unwrap_or_default().as_bytes().to_vec();
        if secret.len() < MIN_SECRET_LEN {
            return Err(format!(
                "[backends.{BACKEND}] secret must be at least {MIN_SECRET_LEN} characters \
                 (set STEMSET_WORKER_SECRET; the server and the worker share it)"
            ));
        }
        let url = s
            .get_str("url")
            .map(|u| u.trim_end_matches('/').to_string())
            .filter(|u| !u.is_empty());
        if let Some(u) = &url
            && !(u.starts_with("http://") || u.starts_with("https://"))
        {
            return Err(format!(
                "[backends.{BACKEND}] url \"{u}\" must start with http:// or https://"
            ));
        }
        let ms = |key: &str, default: u64| Duration::from_millis(s.get_u64(key).unwrap_or(default));
        Ok(Self {
            url,
            secret,
            poll: ms("poll_ms", 2000).max(Duration::from_millis(10)),
            timeout: Duration::from_secs(60 * s.get_u64("timeout_minutes").unwrap_or(180)),
            request_attempts: s.get_u64("request_attempts").unwrap_or(5).clamp(1, 100) as u32,
            backoff: ms("backoff_ms", 500),
            listen: s.get_str("listen").unwrap_or("127.0.0.1:8787").to_string(),
            concurrency: s.get_u64("concurrency").unwrap_or(1).clamp(1, 256) as usize,
            queue: s.get_u64("queue").unwrap_or(16).min(10_000) as usize,
            drain: Duration::from_secs(s.get_u64("drain_seconds").unwrap_or(600)),
        })
    }

    /// The delay before attempt `n` (0-based) is retried.
    pub fn backoff_for(&self, n: u32) -> Duration {
        self.backoff
            .saturating_mul(1u32 << n.min(16))
            .min(Duration::from_secs(10))
    }
}

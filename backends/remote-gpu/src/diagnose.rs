//! `stemset doctor` for remote-gpu, on the server side: the worker at
//! `[backends.remote-gpu] url` answers `/healthz`, accepts a request signed with our
//! secret (`GET /info`), and says what its backends run on.

use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use reqwest::StatusCode;
use stemset_core::config::Config;
use stemset_library::jobs::protocol::{WorkerInfo, signed_headers};
use stemset_sdk::diagnosis::{Finding, error_chain};

use crate::settings::{BACKEND, RemoteSettings};

const CHECK: &str = "gpu worker";
/// A doctor waits this long for the worker, not the job client's retries.
const TIMEOUT: Duration = Duration::from_secs(10);

pub fn diagnose(config: Arc<Config>) -> BoxFuture<'static, Vec<Finding>> {
    Box::pin(async move { check(&config).await })
}

async fn check(config: &Config) -> Vec<Finding> {
    let remote: Vec<&str> = config
        .profiles
        .iter()
        .filter(|(_, p)| p.remote)
        .map(|(n, _)| n.as_str())
        .collect();
    // The shipped plugins.toml has the section with an empty url: no worker in use.
    let configured = config
        .plugins
        .backend_settings(BACKEND)
        .get_str("url")
        .is_some_and(|u| !u.trim().is_empty());
    if !configured && remote.is_empty() {
        return Vec::new();
    }
    let settings = match RemoteSettings::from_plugins(&config.plugins) {
        Ok(s) => s,
        Err(e) => {
            return vec![Finding::failure(
                CHECK,
                e,
                format!("fix [backends.{BACKEND}] in plugins.toml"),
            )];
        }
    };
    let Some(url) = settings.url.clone() else {
        if remote.is_empty() {
            return Vec::new();
        }
        return vec![Finding::failure(
            CHECK,
            format!(
                "profile{} {} send jobs to a GPU worker, but [backends.{BACKEND}] has no url",
                if remote.len() == 1 { "" } else { "s" },
                remote.join(", ")
            ),
            format!(
                "set url = \"http://gpu-host:8787\" under [backends.{BACKEND}], or remote: false"
            ),
        )];
    };
    let http = match reqwest::Client::builder()
        .connect_timeout(TIMEOUT)
        .timeout(TIMEOUT)
        .build()
    {
        Ok(h) => h,
        Err(e) => {
            return vec![Finding::failure(
                CHECK,
                format!("cannot set up the HTTP client: {e}"),
                "check the system's TLS certificates",
            )];
        }
    };

    let mut findings = Vec::new();
    let health = match http.get(format!("{url}/healthz")).send().await {
        Ok(r) => r,
        Err(e) => {
            return vec![Finding::failure(
                CHECK,
                format!("{url} is unreachable: {}", error_chain(&e)),
                format!(
                    "start `stemset worker` on the GPU machine, or fix [backends.{BACKEND}] url"
                ),
            )];
        }
    };
    let status = health.status();
    let body: serde_json::Value = health.json().await.unwrap_or_default();
    findings.push(match status {
        s if s.is_success() => Finding::ok(
            CHECK,
            format!(
                "{url}/healthz: {} ({} running, {} queued, concurrency {})",
                body["status"].as_str().unwrap_or("ok"),
                body["running"],
                body["queued"],
                body["concurrency"]
            ),
        ),
        StatusCode::SERVICE_UNAVAILABLE => Finding::warning(
            CHECK,
            format!("{url} is draining (shutting down): it takes no new jobs"),
            "wait for it to restart, or start another worker",
        ),
        s => Finding::failure(
            CHECK,
            format!("{url}/healthz answered {s}: is this a Stemset worker?"),
            format!("point [backends.{BACKEND}] url at a `stemset worker`"),
        ),
    });

    let path = "/info";
    let mut req = http.get(format!("{url}{path}"));
    for (k, v) in signed_headers(&settings.secret, "GET", path, b"") {
        req = req.header(k, v);
    }
    let check = "gpu worker: signed request";
    match req.send().await {
        Err(e) => findings.push(Finding::failure(
            check,
            format!("{url}{path}: {}", error_chain(&e)),
            "check the worker's log",
        )),
        Ok(r) if r.status() == StatusCode::UNAUTHORIZED => {
            let why: serde_json::Value = r.json().await.unwrap_or_default();
            findings.push(Finding::failure(
                check,
                format!(
                    "the worker refused our signature: {}",
                    why["error"].as_str().unwrap_or("unauthorized")
                ),
                format!(
                    "give the server and the worker the same [backends.{BACKEND}] secret (STEMSET_WORKER_SECRET)"
                ),
            ));
        }
        Ok(r) if r.status() == StatusCode::NOT_FOUND => findings.push(Finding::warning(
            check,
            format!("{url} has no {path}: the worker runs an older Stemset"),
            "upgrade the worker to this version",
        )),
        Ok(r) if !r.status().is_success() => findings.push(Finding::failure(
            check,
            format!("{url}{path} answered {}", r.status()),
            "check the worker's log",
        )),
        Ok(r) => match r.json::<WorkerInfo>().await {
            Err(e) => findings.push(Finding::failure(
                check,
                format!("{url}{path}: unreadable answer: {e}"),
                "upgrade the worker to this version",
            )),
            Ok(info) => {
                let ours = env!("CARGO_PKG_VERSION");
                findings.push(if info.version == ours {
                    Finding::ok(check, format!("accepted; the worker runs stemset {ours}"))
                } else {
                    Finding::warning(
                        check,
                        format!(
                            "accepted; the worker runs stemset {}, this is {ours}",
                            info.version
                        ),
                        "run the same version on the server and the worker",
                    )
                });
                // The worker's own findings, named as its: a failure there fails here.
                findings.extend(info.backends.into_iter().map(|f| Finding {
                    check: format!("gpu worker: {}", f.check),
                    ..f
                }));
            }
        },
    }
    findings
}

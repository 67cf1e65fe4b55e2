//! `stemset doctor`: whether this installation will work, and why not. Each check says
//! ok / warning / failure, what it found, and for a problem the fix. Nothing is changed:
//! the only writes are probe files and objects, removed again.
//!
//! `stemset serve` and `stemset worker` log the same findings at start ([`log_at_start`]).

mod auth;
mod database;
mod models;
mod profiles;
mod scratch;
mod storage;
mod web;

use std::path::Path;
use std::sync::Arc;

use stemset_core::config::Config;
use stemset_sdk::diagnosis::{Finding, Health};
use stemset_server::settings::ServerSettings;

/// Which parts to check.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// Only this profile's source folder, models and scratch (else every profile).
    pub profile: Option<String>,
}

/// Everything the checks found, in the order they ran.
#[derive(Debug, Default)]
pub struct Report {
    pub findings: Vec<Finding>,
}

impl Report {
    pub fn worst(&self) -> Health {
        self.findings
            .iter()
            .map(|f| f.health)
            .max()
            .unwrap_or(Health::Ok)
    }

    pub fn count(&self, health: Health) -> usize {
        self.findings.iter().filter(|f| f.health == health).count()
    }

    /// `N ok, N warnings, N failures`.
    pub fn summary(&self) -> String {
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        format!(
            "{} ok, {}, {}",
            self.count(Health::Ok),
            plural(self.count(Health::Warning), "warning"),
            plural(self.count(Health::Failure), "failure")
        )
    }

    /// One line per finding, the fix indented under a problem.
    pub fn text(&self) -> String {
        let width = self
            .findings
            .iter()
            .map(|f| f.check.chars().count())
            .max()
            .unwrap_or(0);
        let mut out = String::new();
        for f in &self.findings {
            out.push_str(&format!(
                "{:<7}  {:<width$}  {}\n",
                f.health.to_string(),
                f.check,
                f.found
            ));
            if let Some(fix) = f.fix.as_deref().filter(|_| f.health != Health::Ok) {
                for (i, line) in fix.lines().enumerate() {
                    let lead = if i == 0 { "fix:" } else { "    " };
                    out.push_str(&format!("{:<7}  {:<width$}  {lead} {line}\n", "", ""));
                }
            }
        }
        out.push_str(&self.summary());
        out.push('\n');
        out
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "ok": self.worst() != Health::Failure,
            "summary": {
                "ok": self.count(Health::Ok),
                "warnings": self.count(Health::Warning),
                "failures": self.count(Health::Failure),
            },
            "checks": self.findings,
        })
    }
}

/// Runs every check against the configuration at `path`.
pub async fn examine(path: &Path, scope: &Scope) -> Report {
    let config = match Config::load(path) {
        Ok(c) => Arc::new(c),
        Err(e) => {
            let findings = e
                .to_string()
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(|l| {
                    Finding::failure(
                        "config",
                        l.trim().to_string(),
                        "fix the file named, or set the ${VAR} it names (also read from .env beside config.yaml)",
                    )
                })
                .collect();
            return Report { findings };
        }
    };
    let mut findings = vec![Finding::ok(
        "config",
        format!(
            "{} and {} load",
            config.path.display(),
            config.plugins.path.display()
        ),
    )];
    let profiles = match profiles::select(&config, scope.profile.as_deref()) {
        Ok(p) => p,
        Err(f) => {
            findings.push(f);
            return Report { findings };
        }
    };
    findings.extend(profiles::check(&config, &profiles));

    // The server's sections, typed once for the checks that read them.
    let server = ServerSettings::from_config(&config);
    let defaults = ServerSettings::default();
    let blocking = {
        let (config, profiles) = (config.clone(), profiles.clone());
        tokio::task::spawn_blocking(move || models::runtimes(&config, &profiles))
    };
    let (database, storage, auth, workers, models, scratch) = tokio::join!(
        database::check(&config),
        storage::check(&config, server.as_ref().unwrap_or(&defaults)),
        auth::check(&server),
        job_backends(config.clone()),
        models::check(&config, &profiles),
        scratch::check(&config, &profiles),
    );
    findings.extend(blocking.await.unwrap_or_else(|e| {
        vec![Finding::failure(
            "backends",
            format!("the backend checks crashed: {e}"),
            "report this as a bug",
        )]
    }));
    findings.extend(models);
    findings.extend(database);
    findings.extend(storage);
    findings.extend(auth);
    findings.extend(workers);
    findings.extend(web::check(server.as_ref().ok()));
    findings.extend(scratch);
    Report { findings }
}

/// What each job backend (the GPU worker's client) finds about itself.
async fn job_backends(config: Arc<Config>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for backend in stemset_library::jobs::backend::job_backends() {
        findings.extend((backend.diagnose)(config.clone()).await);
    }
    findings
}

/// Runs the checks in the background once a service listens, and logs what they find:
/// a problem shows in the log at start, not halfway through the first job.
pub fn log_at_start(service: &'static str, config: std::path::PathBuf) {
    tokio::spawn(async move {
        let report = examine(&config, &Scope::default()).await;
        log_findings(service, &report);
    });
}

/// Logs the report: problems as warnings and errors, the rest at info.
pub fn log_findings(service: &str, report: &Report) {
    for f in &report.findings {
        let fix = f.fix.as_deref().unwrap_or_default();
        match f.health {
            Health::Ok => tracing::info!(check = %f.check, "{}", f.found),
            Health::Warning => tracing::warn!(check = %f.check, fix, "{}", f.found),
            Health::Failure => tracing::error!(check = %f.check, fix, "{}", f.found),
        }
    }
    let summary = report.summary();
    match report.worst() {
        Health::Ok => tracing::info!("{service} doctor: {summary}"),
        _ => tracing::warn!("{service} doctor: {summary}; `stemset doctor` says more"),
    }
}

//! `jobs` in config.yaml: the job queue and the server's in-process worker. Core keeps
//! the section as parsed YAML; it is typed and checked here, where the queue is.

use serde::Deserialize;
use stemset_core::ConfigError;
use stemset_core::config::Config;

/// The job queue and the in-process worker.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobsConfig {
    /// Jobs the server runs at once in-process; 0 leaves them to other processes.
    #[serde(default = "default_workers")]
    pub workers: usize,
    /// A running job's lease; a worker that stops renewing it loses the job to another.
    #[serde(default = "default_lease_seconds")]
    pub lease_seconds: u64,
    /// Attempts before a job is failed for good.
    #[serde(default = "default_max_attempts")]
    pub max_attempts: i32,
    /// How often an idle worker looks for work, in milliseconds.
    #[serde(default = "default_poll_ms")]
    pub poll_ms: u64,
    /// Largest accepted upload, in MiB.
    #[serde(default = "default_max_upload_mib")]
    pub max_upload_mib: u64,
}

fn default_workers() -> usize {
    1
}
fn default_lease_seconds() -> u64 {
    60
}
fn default_max_attempts() -> i32 {
    3
}
fn default_poll_ms() -> u64 {
    1000
}
fn default_max_upload_mib() -> u64 {
    4096
}

impl Default for JobsConfig {
    fn default() -> Self {
        Self {
            workers: default_workers(),
            lease_seconds: default_lease_seconds(),
            max_attempts: default_max_attempts(),
            poll_ms: default_poll_ms(),
            max_upload_mib: default_max_upload_mib(),
        }
    }
}

#[derive(Deserialize)]
struct Section {
    #[serde(default)]
    jobs: JobsConfig,
}

impl JobsConfig {
    /// The `jobs` section of `config`, every problem reported at once.
    pub fn from_config(config: &Config) -> Result<Self, ConfigError> {
        let Section { jobs } = config.document()?;
        let mut problems = Vec::new();
        jobs.check(&config.path.display().to_string(), &mut problems);
        if problems.is_empty() {
            Ok(jobs)
        } else {
            Err(ConfigError::Many(problems))
        }
    }

    pub fn check(&self, file: &str, problems: &mut Vec<String>) {
        let jobs = self;
        if jobs.lease_seconds < 5 {
            problems.push(format!(
                "{file}: jobs.lease_seconds: {} is too short (at least 5)",
                jobs.lease_seconds
            ));
        }
        if !(1..=100).contains(&jobs.max_attempts) {
            problems.push(format!(
                "{file}: jobs.max_attempts: {} is outside 1..=100",
                jobs.max_attempts
            ));
        }
        if jobs.max_upload_mib == 0 {
            problems.push(format!("{file}: jobs.max_upload_mib: must be at least 1"));
        }
    }
}

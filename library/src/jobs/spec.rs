//! What one separation job needs, wherever it runs: the in-process worker, the CLI, or a
//! GPU worker across the network (the spec is the body of the worker request).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use stemset_audio::encode::OutputFormat;
use stemset_core::config::Config;
use stemset_core::strategy::StrategyNode;

/// The source file of a job.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SourceRef {
    /// The original in storage (`inputs/<profile>/<sha256>.<ext>`), when it is there.
    pub input_key: Option<String>,
    /// A local file (files found by `stemset process`); only meaningful on this machine,
    /// so never sent to a worker. A path, not a string: names need not be UTF-8.
    #[serde(skip)]
    pub local_path: Option<PathBuf>,
    pub file_name: String,
    pub sha256: String,
    pub size_bytes: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct JobSpec {
    pub job_id: Uuid,
    /// Which attempt this is (1-based); results of older attempts are ignored.
    pub attempt: i32,
    /// `process` (a new recording) or `reprocess` (new stems for an existing one).
    pub kind: String,
    pub profile: String,
    pub recording_id: Uuid,
    pub title: String,
    pub source: SourceRef,
    pub strategy: String,
    /// The strategy tree itself, so a worker need not share our config's names.
    pub tree: serde_yaml_ng::Value,
    /// Where the stems, waveforms and `metadata.json` go.
    pub output_prefix: String,
    pub format: OutputFormat,
    pub bitrate: u32,
}

impl JobSpec {
    /// Parses and validates the tree against `config`'s model catalog.
    pub fn parse_tree(&self, config: &Config) -> Result<StrategyNode, String> {
        let mut problems = Vec::new();
        let at = format!("strategy {}", self.strategy);
        let node = StrategyNode::parse(&self.tree, &at, &mut problems);
        if let Some(n) = &node {
            n.validate(
                &at,
                &config.plugins,
                &mut std::collections::BTreeSet::new(),
                &mut problems,
            );
        }
        match node {
            Some(n) if problems.is_empty() => Ok(n),
            _ => Err(problems.join("; ")),
        }
    }
}

/// The storage key of an uploaded original: content-addressed, so the same file uploaded
/// twice is one object.
pub fn input_key(profile: &str, sha256: &str, extension: &str) -> String {
    let ext: String = extension
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(8)
        .collect::<String>()
        .to_ascii_lowercase();
    if ext.is_empty() {
        format!("inputs/{profile}/{sha256}")
    } else {
        format!("inputs/{profile}/{sha256}.{ext}")
    }
}

/// Where a job's outputs go: a new recording's own folder, or for reprocessing a fresh
/// folder inside it, so the old stems stay playable until the new ones are committed.
pub fn output_prefix(profile: &str, recording_id: Uuid, kind: &str, job_id: Uuid) -> String {
    if kind == crate::db::job::KIND_REPROCESS {
        format!("{profile}/{recording_id}/{job_id}")
    } else {
        format!("{profile}/{recording_id}")
    }
}

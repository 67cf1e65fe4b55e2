//! What one separation job needs, wherever it runs: the in-process worker, the CLI, or a
//! GPU worker across the network (the spec is the body of the worker request).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use stemset_audio::encode::OutputFormat;
use stemset_audio::takes::TakeSettings;
use stemset_core::config::Config;
use stemset_core::music_only::MusicOnly;
use stemset_core::strategy::StrategyNode;

use crate::db::job::JobKind;

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
    /// The file's own modification time (a found file's, or what the browser said of an
    /// upload): the recording date when the file carries none.
    #[serde(default)]
    pub modified_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct JobSpec {
    pub job_id: Uuid,
    /// Which attempt this is (1-based); results of older attempts are ignored.
    pub attempt: i32,
    pub kind: JobKind,
    pub profile: String,
    pub recording_id: Uuid,
    pub title: String,
    pub source: SourceRef,
    pub strategy: String,
    /// The strategy tree itself, so a worker need not share our config's names.
    pub tree: StrategyNode,
    /// Where the stems, waveforms and `metadata.json` go.
    pub output_prefix: String,
    pub format: OutputFormat,
    pub bitrate: u32,
    /// Take detection settings (the server's config, so a worker finds the same takes);
    /// None: off. A spec from an older server has none.
    #[serde(default)]
    pub takes: Option<TakeSettings>,
    /// `processing.separate: takes`: separate only the takes.
    #[serde(default)]
    pub music_only: Option<MusicOnly>,
}

/// What differs between the jobs of one config: everything else (the tree, where the
/// outputs go, their format) follows from these and the config.
pub struct JobTarget {
    pub job_id: Uuid,
    pub attempt: i32,
    pub kind: JobKind,
    pub profile: String,
    pub recording_id: Uuid,
    pub title: String,
    pub source: SourceRef,
    pub strategy: String,
}

impl JobSpec {
    /// The one place a job's spec is made, for a file found by `stemset process` and for
    /// a queued job alike.
    pub fn new(config: &Config, target: JobTarget) -> Result<Self, String> {
        let tree = config
            .strategy(&target.strategy)
            .ok_or_else(|| format!("strategy \"{}\" is not in config.yaml", target.strategy))?
            .clone();
        Ok(JobSpec {
            output_prefix: output_prefix(
                &target.profile,
                target.recording_id,
                target.kind,
                target.job_id,
            ),
            job_id: target.job_id,
            attempt: target.attempt,
            kind: target.kind,
            profile: target.profile,
            recording_id: target.recording_id,
            title: target.title,
            source: target.source,
            strategy: target.strategy,
            tree,
            format: config.output.format,
            bitrate: config.output.bitrate,
            takes: config.takes.settings(),
            music_only: config.processing.music_only(),
        })
    }

    /// Checks the tree against `config`'s model catalog (a worker's may differ from the
    /// server's that made the spec).
    pub fn check_tree(&self, config: &Config) -> Result<(), String> {
        let mut problems = Vec::new();
        let at = format!("strategy {}", self.strategy);
        self.tree.validate(
            &at,
            &config.plugins,
            &mut std::collections::BTreeSet::new(),
            &mut problems,
        );
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("; "))
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
pub fn output_prefix(profile: &str, recording_id: Uuid, kind: JobKind, job_id: Uuid) -> String {
    if kind == JobKind::Reprocess {
        format!("{profile}/{recording_id}/{job_id}")
    } else {
        format!("{profile}/{recording_id}")
    }
}

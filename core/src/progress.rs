//! What a processing run reports while it works: a typed [`Stage`] and a fraction of it.
//! The CLI draws bars from it, the job runner turns it into the job's progress, and a GPU
//! worker sends it back to the server as it is.

use serde::{Deserialize, Serialize};

/// The stages of a run, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "stage", rename_all = "snake_case")]
pub enum Stage {
    Starting,
    /// The source is copied into storage for a worker elsewhere.
    UploadSource,
    /// The job was handed to a GPU worker, which has not reported yet.
    SentToWorker,
    FetchSource,
    Decode,
    /// Model `index` of `count` (1-based) of the strategy tree; a tree whose models run at
    /// once (streaming into each other and into the encoders) is one stage, `count` 1,
    /// named after all of them.
    Model {
        name: String,
        index: usize,
        count: usize,
    },
    Encode {
        stems: usize,
    },
    Upload,
    Save,
}

impl Stage {
    /// Where the stage sits in the whole job: (start, span), fractions of the job.
    /// Fetching and decoding are quick, the models take most of the time, then encoding,
    /// upload and the database.
    pub fn span(&self) -> (f64, f64) {
        match self {
            Stage::Starting | Stage::UploadSource | Stage::SentToWorker | Stage::FetchSource => {
                (0.0, 0.02)
            }
            Stage::Decode => (0.02, 0.08),
            Stage::Model { index, count, .. } => {
                let count = (*count).max(1);
                let index = (*index).clamp(1, count);
                let per = 0.70 / count as f64;
                (0.10 + per * (index - 1) as f64, per)
            }
            Stage::Encode { .. } => (0.80, 0.15),
            Stage::Upload => (0.95, 0.04),
            Stage::Save => (0.99, 0.01),
        }
    }
}

impl std::fmt::Display for Stage {
    /// The label users see (the CLI's bars, the web app's job status).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Stage::Starting => f.write_str("starting"),
            Stage::UploadSource => f.write_str("upload source"),
            Stage::SentToWorker => f.write_str("sent to GPU worker"),
            Stage::FetchSource => f.write_str("fetch source"),
            Stage::Decode => f.write_str("decode"),
            // One stage for the whole tree (its models run at once) needs no count.
            Stage::Model { name, count: 1, .. } => f.write_str(name),
            Stage::Model { name, index, count } => write!(f, "{name} ({index}/{count})"),
            Stage::Encode { stems } => write!(f, "encode {stems} stems"),
            Stage::Upload => f.write_str("upload"),
            Stage::Save => f.write_str("save"),
        }
    }
}

/// What the pipeline reports while it works.
pub trait PipelineProgress: Sync {
    /// A new stage begins.
    fn stage(&self, stage: Stage);
    /// Progress within the current stage, 0..=1.
    fn fraction(&self, fraction: f32);
    /// Polled between chunks; when true the work stops with `Cancelled`.
    fn cancelled(&self) -> bool;
}

/// Progress that goes nowhere (tests, library use).
pub struct Silent;

impl PipelineProgress for Silent {
    fn stage(&self, _stage: Stage) {}
    fn fraction(&self, _fraction: f32) {}
    fn cancelled(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_cover_the_job_in_order() {
        let stages = [
            Stage::FetchSource,
            Stage::Decode,
            Stage::Model {
                name: "a".into(),
                index: 1,
                count: 2,
            },
            Stage::Model {
                name: "b".into(),
                index: 2,
                count: 2,
            },
            Stage::Encode { stems: 4 },
            Stage::Upload,
            Stage::Save,
        ];
        let mut end = 0.0;
        for s in &stages {
            let (start, span) = s.span();
            assert!(
                start + 1e-9 >= end,
                "{s} starts before the previous stage ends"
            );
            end = start + span;
        }
        assert!((end - 1.0).abs() < 1e-9);
        let json = serde_json::to_string(&stages[2]).expect("json");
        assert_eq!(json, r#"{"stage":"model","name":"a","index":1,"count":2}"#);
        assert_eq!(stages[2].to_string(), "a (1/2)");
    }
}

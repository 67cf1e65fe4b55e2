//! `metadata.json`, written beside the stems of every recording.

use serde::{Deserialize, Serialize};

use stemset_audio::analysis::StemAnalysis;
use stemset_audio::takes::Take;

pub const METADATA_FILE: &str = "metadata.json";
pub const METADATA_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RecordingMetadata {
    pub version: u32,
    pub recording_id: String,
    pub profile: String,
    pub title: String,
    pub strategy: String,
    /// Models run, depth first.
    pub models: Vec<String>,
    /// The same models with the device each ran on (absent in files of older builds).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub model_runs: Vec<ModelRun>,
    pub source: SourceMetadata,
    pub output_format: String,
    pub created_at: String,
    pub stems: Vec<StemMetadata>,
    /// Where the band plays (take detection); absent when it was off.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub takes: Vec<TakeMetadata>,
}

/// One take as `metadata.json` has it: the analysis, and the song it was filed under
/// (or suggested for) when the recording was committed.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TakeMetadata {
    #[serde(flatten)]
    pub take: Take,
    pub song: Option<String>,
}

/// One model of the strategy tree as it ran: which, and on what device (`cpu`,
/// `cuda:0`), so "the GPU was there but not used" shows in the file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ModelRun {
    pub model: String,
    pub device: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SourceMetadata {
    pub file_name: String,
    pub sha256: String,
    pub size_bytes: u64,
    pub codec: String,
    pub sample_rate: u32,
    pub channels: usize,
    pub bits_per_sample: Option<u32>,
    pub duration_seconds: f64,
    /// Samples that were NaN, infinite or beyond ±16 and were repaired (silenced or
    /// clipped) at decode; see `audio::sanitize`.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub repaired_samples: u64,
    /// With `processing.separate: takes`: the seconds the models ran on (the takes and
    /// their margins); absent when the whole recording was separated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub separated_seconds: Option<f64>,
    /// When the recorder says the file was made, on its own clock and without a time
    /// zone ("2026-11-24T19:42:07", from a Broadcast Wave date); absent when it does not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recorded_at: Option<String>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StemMetadata {
    pub name: String,
    /// File names relative to the recording's folder.
    pub file: String,
    pub waveform_file: String,
    pub sample_rate: u32,
    pub channels: usize,
    pub bits_per_sample: Option<u32>,
    pub bitrate_kbps: Option<u32>,
    pub size_bytes: u64,
    #[serde(flatten)]
    pub analysis: StemAnalysis,
}

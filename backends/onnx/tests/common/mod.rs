//! Shared helpers for the ONNX backend tests: fixture paths, separating in memory and
//! building catalog entries. ONNX Runtime must be installed (see the README): the tests
//! fail with the install hint otherwise, they never skip.
#![allow(dead_code)]

use std::path::PathBuf;

// Linking the crate registers the backend (inventory).
use stemset_backend_onnx as _;

use stemset_sdk::memory::{MemorySource, separate_to_memory};
use stemset_sdk::separator::{AudioSeparator, Backends, SlotInfo};
use stemset_sdk::settings::{BackendSettings, ModelSpec};

pub fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

/// Interleaved samples and channel count of a float WAV fixture.
pub fn read_wav(rel: &str) -> (Vec<f32>, usize) {
    let mut r = hound::WavReader::open(fixture(rel)).expect("fixture WAV");
    let ch = r.spec().channels as usize;
    let s: Vec<f32> = r.samples::<f32>().map(|s| s.expect("sample")).collect();
    (s, ch)
}

/// A catalog entry for `file` with the given params (TOML text) and declared slots.
pub fn spec(
    name: &str,
    architecture: &str,
    file: PathBuf,
    params: &str,
    slots: &[&str],
) -> ModelSpec {
    ModelSpec {
        name: name.to_string(),
        backend: "onnx".into(),
        architecture: architecture.into(),
        description: String::new(),
        file: Some(file),
        url: None,
        sha256: None,
        model_hash: None,
        slots: slots
            .iter()
            .map(|s| SlotInfo {
                name: s.to_string(),
                description: String::new(),
            })
            .collect(),
        params: toml::from_str(params).expect("params TOML"),
        extra_files: Vec::new(),
    }
}

pub fn build(spec: &ModelSpec) -> Result<Box<dyn AudioSeparator>, String> {
    let reg = Backends::find("onnx").expect("onnx backend registered");
    let settings = BackendSettings {
        name: "onnx".into(),
        table: toml::from_str("threads = 2").expect("settings"),
    };
    reg.build(&settings, spec).map_err(|e| e.0)
}

/// Runs `model` over `input` and returns one interleaved stereo buffer per slot.
pub fn separate(model: &mut dyn AudioSeparator, input: Vec<f32>) -> Vec<Vec<f32>> {
    separate_to_memory(model, &mut MemorySource::stereo(input)).expect("separation")
}

pub fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len(), "lengths differ");
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

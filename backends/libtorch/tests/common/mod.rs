//! Shared helpers for the libtorch backend tests: test signals, catalog entries and
//! building through the registry. libtorch must be installed (LIBTORCH at build time,
//! see build.rs); the tests fail with the install hint otherwise, they never skip.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

// Linking the crates registers the backends (inventory); the parity tests use both.
use stemset_backend_libtorch as _;
use stemset_backend_onnx as _;

use stemset_sdk::memory::{MemorySource, separate_to_memory};
use stemset_sdk::separator::{AudioSeparator, Backends, SlotInfo};
use stemset_sdk::settings::{BackendSettings, ModelSpec};

/// A stereo test signal of `frames` frames: two sines, deterministic noise and a DC
/// offset, different in each channel, so that misaligned windows, swapped channels
/// and a wrong track mean all change the output.
pub fn signal(frames: usize) -> Vec<f32> {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut noise = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 40) as f32 / (1u64 << 24) as f32 - 0.5
    };
    let mut out = Vec::with_capacity(frames * 2);
    for i in 0..frames {
        let t = i as f32 / 44_100.0;
        let l = 0.3 * (2.0 * std::f32::consts::PI * 220.0 * t).sin() + 0.2 * noise() + 0.05;
        let r = 0.25 * (2.0 * std::f32::consts::PI * 331.0 * t).sin() + 0.2 * noise() - 0.02;
        out.push(l);
        out.push(r);
    }
    out
}

/// A catalog entry for `file` with the given params (TOML text) and declared slots.
pub fn spec(
    backend: &str,
    architecture: &str,
    file: &Path,
    params: &str,
    slots: &[&str],
) -> ModelSpec {
    ModelSpec {
        name: "test-model".into(),
        backend: backend.into(),
        architecture: architecture.into(),
        description: String::new(),
        file: Some(file.to_path_buf()),
        url: None,
        sha256: None,
        model_hash: None,
        slots: slots.iter().map(|s| SlotInfo::new(*s, "")).collect(),
        params: toml::from_str(params).expect("params TOML"),
        extra_files: Vec::new(),
    }
}

/// Builds `spec` with its backend's settings given as TOML text.
pub fn build_with(spec: &ModelSpec, settings: &str) -> Result<Box<dyn AudioSeparator>, String> {
    let reg = Backends::find(&spec.backend)
        .unwrap_or_else(|| panic!("backend {} is not linked", spec.backend));
    let settings = BackendSettings {
        name: spec.backend.clone(),
        table: toml::from_str(settings).expect("settings TOML"),
    };
    reg.build(&settings, spec).map_err(|e| e.0)
}

pub fn build(spec: &ModelSpec) -> Result<Box<dyn AudioSeparator>, String> {
    build_with(spec, "threads = 2")
}

/// Runs `model` over stereo 44.1 kHz `input`; one interleaved buffer per slot.
pub fn separate(model: &mut dyn AudioSeparator, input: &[f32]) -> Vec<Vec<f32>> {
    let mut source = MemorySource::stereo(input.to_vec());
    separate_to_memory(model, &mut source).expect("separation")
}

pub fn slot_names(model: &dyn AudioSeparator) -> Vec<String> {
    model
        .output_slots()
        .iter()
        .map(|s| s.name.clone())
        .collect()
}

pub fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len(), "lengths differ");
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

pub fn onnx_fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../onnx/tests/fixtures/models")
        .join(name)
}

/// Expects an error containing every one of `parts`.
pub fn expect_error(result: Result<Box<dyn AudioSeparator>, String>, parts: &[&str]) -> String {
    let e = match result {
        Ok(_) => panic!("expected an error containing {parts:?}"),
        Err(e) => e,
    };
    for p in parts {
        assert!(e.contains(p), "error lacks {p:?}: {e}");
    }
    e
}

//! Shared helpers for the ONNX backend tests: fixture paths, in-memory audio streams and
//! building catalog entries. ONNX Runtime must be installed (see the README): the tests
//! fail with the install hint otherwise, they never skip.
#![allow(dead_code)]

use std::path::PathBuf;

// Linking the crate registers the backend (inventory).
use stemset_backend_onnx as _;

use stemset_core::audio::{AudioError, AudioSink, AudioSource};
use stemset_core::plugins::{BackendSettings, ModelSpec};
use stemset_core::separator::{AudioSeparator, Backends, NoProgress, SlotInfo};

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

/// An in-memory stereo 44.1 kHz source that hands out odd-sized reads.
pub struct VecSource {
    data: Vec<f32>,
    pos: usize,
}

impl VecSource {
    pub fn new(interleaved: Vec<f32>) -> Self {
        Self {
            data: interleaved,
            pos: 0,
        }
    }
}

impl AudioSource for VecSource {
    fn sample_rate(&self) -> u32 {
        44_100
    }
    fn channels(&self) -> usize {
        2
    }
    fn total_frames(&self) -> Option<u64> {
        Some((self.data.len() / 2) as u64)
    }
    fn read(&mut self, buf: &mut [f32]) -> Result<usize, AudioError> {
        let frames = (buf.len() / 2)
            .min(12_345)
            .min((self.data.len() - self.pos) / 2);
        buf[..frames * 2].copy_from_slice(&self.data[self.pos..self.pos + frames * 2]);
        self.pos += frames * 2;
        Ok(frames)
    }
}

#[derive(Default)]
pub struct VecSink {
    pub data: Vec<f32>,
    pub finished: bool,
}

impl AudioSink for VecSink {
    fn write(&mut self, interleaved: &[f32]) -> Result<(), AudioError> {
        self.data.extend_from_slice(interleaved);
        Ok(())
    }
    fn finish(&mut self) -> Result<(), AudioError> {
        self.finished = true;
        Ok(())
    }
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
    }
}

pub fn build(spec: &ModelSpec) -> Result<Box<dyn AudioSeparator>, String> {
    let reg = Backends::find("onnx").expect("onnx backend registered");
    let settings = BackendSettings {
        name: "onnx".into(),
        table: toml::from_str("threads = 2").expect("settings"),
    };
    (reg.build)(&settings, spec).map_err(|e| e.0)
}

/// Runs `model` over `input` and returns one interleaved stereo buffer per slot.
pub fn separate(model: &mut dyn AudioSeparator, input: Vec<f32>) -> Vec<Vec<f32>> {
    let mut source = VecSource::new(input);
    let mut sinks: Vec<VecSink> = model
        .output_slots()
        .iter()
        .map(|_| VecSink::default())
        .collect();
    {
        let mut refs: Vec<&mut dyn AudioSink> =
            sinks.iter_mut().map(|s| s as &mut dyn AudioSink).collect();
        model
            .separate(&mut source, &mut refs, &NoProgress)
            .expect("separation");
    }
    sinks.into_iter().map(|s| s.data).collect()
}

pub fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len(), "lengths differ");
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

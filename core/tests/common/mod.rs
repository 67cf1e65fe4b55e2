//! Test support: a real backend plugin registered through `inventory` (like any backend
//! crate), with exactly computable outputs, plus helpers to write test configs and audio.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use stemset_sdk::audio::{AudioSink, AudioSource, CHUNK_FRAMES};
use stemset_sdk::separator::{
    Architecture, AudioSeparator, BackendRegistration, SeparationError, SeparationProgress,
    SlotInfo,
};
use stemset_sdk::settings::{BackendSettings, ModelSpec};

pub const TESTKIT_RATE: u32 = 44_100;

/// `split`: slot `quarter` = 0.25·x, slot `rest` = 0.75·x (sums to the input).
/// `fail-midway`: writes half of the input, then fails (for rollback tests).
struct Testkit {
    slots: Vec<SlotInfo>,
    fail: bool,
}

const SPLIT_SLOTS: &[(&str, &str)] = &[("quarter", ""), ("rest", "")];

fn build(spec: &ModelSpec, fail: bool) -> Result<Box<dyn AudioSeparator>, String> {
    Ok(Box::new(Testkit {
        slots: SlotInfo::list(SPLIT_SLOTS),
        fail: fail && spec.architecture == "fail-midway",
    }))
}

impl AudioSeparator for Testkit {
    fn output_slots(&self) -> &[SlotInfo] {
        &self.slots
    }
    fn sample_rate(&self) -> u32 {
        TESTKIT_RATE
    }
    fn separate(
        &mut self,
        input: &mut dyn AudioSource,
        outputs: &mut [&mut dyn AudioSink],
        progress: &dyn SeparationProgress,
    ) -> Result<(), SeparationError> {
        let mut buf = vec![0.0f32; 4096 * 2];
        let mut a = Vec::new();
        let mut b = Vec::new();
        let total = input.total_frames().unwrap_or(u64::MAX);
        let mut done = 0u64;
        loop {
            if progress.cancelled() {
                return Err(SeparationError::Cancelled);
            }
            let n = input.read(&mut buf)?;
            if n == 0 {
                return Ok(());
            }
            done += n as u64;
            if self.fail && done > total / 2 {
                return Err(SeparationError::Model {
                    model: "fail-midway".into(),
                    reason: "deliberate failure halfway through".into(),
                });
            }
            a.clear();
            b.clear();
            a.extend(buf[..n * 2].iter().map(|x| 0.25 * x));
            b.extend(buf[..n * 2].iter().map(|x| 0.75 * x));
            outputs[0].write(&a)?;
            outputs[1].write(&b)?;
            let _ = CHUNK_FRAMES;
        }
    }
}

inventory::submit! {
    BackendRegistration {
        name: "testkit",
        description: "exact test separators",
        architectures: &[
            Architecture {
                name: "split",
                description: "a quarter and three quarters of the input",
                slots: SPLIT_SLOTS,
                build: |_: &BackendSettings, spec| build(spec, false),
            },
            Architecture {
                name: "fail-midway",
                description: "fails halfway through",
                slots: SPLIT_SLOTS,
                build: |_: &BackendSettings, spec| build(spec, true),
            },
        ],
        diagnose: stemset_sdk::diagnosis::built_in,
    }
}

pub const PLUGINS: &str = r#"
[models.split]
backend = "testkit"
architecture = "split"

[models.failing]
backend = "testkit"
architecture = "fail-midway"
"#;

/// Writes `config.yaml` + `plugins.toml` into `dir` and returns the config path.
pub fn write_config(dir: &Path, yaml: &str, plugins: &str) -> PathBuf {
    std::fs::write(dir.join("plugins.toml"), plugins).expect("write plugins");
    let p = dir.join("config.yaml");
    std::fs::write(&p, yaml).expect("write config");
    p
}

/// A stereo sine WAV written with hound.
pub fn write_sine_wav(path: &Path, rate: u32, bits: u16, seconds: f64, freq: f64, amp: f64) {
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: rate,
        bits_per_sample: bits,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).expect("create wav");
    let n = (seconds * f64::from(rate)) as usize;
    let scale = f64::from((1i32 << (bits - 1)) - 1);
    for i in 0..n {
        let t = i as f64 / f64::from(rate);
        let l = amp * (std::f64::consts::TAU * freq * t).sin();
        let r = amp * (std::f64::consts::TAU * freq * 1.5 * t).sin();
        w.write_sample((l * scale) as i32).expect("sample");
        w.write_sample((r * scale) as i32).expect("sample");
    }
    w.finalize().expect("finalize");
}

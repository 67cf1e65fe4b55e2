//! Shared by the dsp tests: Vec-backed sources and sinks, the registered models, and a
//! synthetic band with four known sources.

#![allow(dead_code)] // each test file uses a different part

use std::f64::consts::{PI, TAU};

use stemset_backend_dsp as _;
use stemset_sdk::audio::{AudioError, AudioSink, AudioSource};
use stemset_sdk::separator::{AudioSeparator, Backends, NoProgress};
use stemset_sdk::settings::{BackendSettings, ModelSpec};

pub const RATE: u32 = 44_100;

/// Interleaved stereo served in reads whose sizes cycle through `steps` (in frames), so
/// chunk boundaries land at irregular places.
pub struct VecSource {
    data: Vec<f32>,
    pos: usize,
    steps: Vec<usize>,
    reads: usize,
}

impl VecSource {
    pub fn new(data: Vec<f32>, steps: &[usize]) -> Self {
        Self {
            data,
            pos: 0,
            steps: steps.to_vec(),
            reads: 0,
        }
    }
}

impl AudioSource for VecSource {
    fn sample_rate(&self) -> u32 {
        RATE
    }
    fn channels(&self) -> usize {
        2
    }
    fn total_frames(&self) -> Option<u64> {
        Some(self.data.len() as u64 / 2)
    }
    fn read(&mut self, buf: &mut [f32]) -> Result<usize, AudioError> {
        let step = self.steps[self.reads % self.steps.len()];
        self.reads += 1;
        let n = buf.len().min(step * 2).min(self.data.len() - self.pos);
        buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n / 2)
    }
}

#[derive(Default)]
pub struct VecSink(pub Vec<f32>);

impl AudioSink for VecSink {
    fn write(&mut self, s: &[f32]) -> Result<(), AudioError> {
        assert!(s.len().is_multiple_of(2), "a write must hold whole frames");
        self.0.extend_from_slice(s);
        Ok(())
    }
    fn finish(&mut self) -> Result<(), AudioError> {
        Ok(())
    }
}

/// Builds a model of the registered `dsp` backend, as the executor would.
pub fn model(architecture: &str, params: &str) -> Result<Box<dyn AudioSeparator>, String> {
    let reg = Backends::find("dsp").ok_or("dsp backend is not registered")?;
    let spec = ModelSpec {
        name: architecture.to_string(),
        backend: "dsp".into(),
        architecture: architecture.to_string(),
        description: String::new(),
        file: None,
        url: None,
        sha256: None,
        model_hash: None,
        slots: reg
            .architecture(architecture)
            .and_then(|a| a.known_slots())
            .ok_or("unknown architecture")?,
        params: toml::from_str(params).map_err(|e| e.to_string())?,
        extra_files: Vec::new(),
    };
    reg.build(&BackendSettings::default(), &spec)
        .map_err(|e| e.0)
}

/// Runs a model with default params on `input`; returns its two slots.
pub fn split(architecture: &str, input: &[f32], steps: &[usize]) -> (Vec<f32>, Vec<f32>) {
    let mut m = model(architecture, "").expect("model");
    let (mut a, mut b) = (VecSink::default(), VecSink::default());
    let mut outs: Vec<&mut dyn AudioSink> = vec![&mut a, &mut b];
    m.separate(
        &mut VecSource::new(input.to_vec(), steps),
        &mut outs,
        &NoProgress,
    )
    .expect("separate");
    (a.0, b.0)
}

/// The four sources of a synthetic band, `seconds` long, interleaved stereo:
/// `[vocals, drums, bass, other]`.
pub fn sources(seconds: f64) -> [Vec<f32>; 4] {
    let n = (seconds * f64::from(RATE)) as usize;
    let mut out: [Vec<f32>; 4] = std::array::from_fn(|_| Vec::with_capacity(2 * n));
    let mut noise = 0x1234_5678_9abc_def0u64;
    let beat = 0.5; // 120 bpm
    let melody = [261.63, 329.63, 392.0, 349.23, 293.66, 440.0, 392.0, 523.25];
    let bassline = [41.2, 55.0, 73.42, 98.0, 82.41, 110.0];
    let left = [[523.25, 659.25, 1046.5], [587.33, 880.0, 1174.7]];
    let right = [[392.0, 783.99, 1567.98], [440.0, 698.46, 2349.3]];
    let mut vphase = 0.0f64;
    for i in 0..n {
        let t = i as f64 / f64::from(RATE);
        // Voice: centered; 2 % vibrato at 5.5 Hz; harmonics with a formant-like bump
        // around the 3rd; each 0.6 s note swells and fades.
        let note = melody[(t / 0.6) as usize % melody.len()];
        let f0 = note * (1.0 + 0.02 * (TAU * 5.5 * t).sin());
        vphase = (vphase + TAU * f0 / f64::from(RATE)) % (TAU * 1000.0);
        let env = ((t / 0.6).fract() * PI).sin().sqrt();
        let v: f64 = [1.0, 0.5, 0.7, 0.3, 0.15, 0.08]
            .iter()
            .enumerate()
            .map(|(h, a)| a * (vphase * (h + 1) as f64).sin())
            .sum::<f64>()
            * 0.12
            * env;
        // Drums, centered: a kick with a falling pitch on every beat, noise bursts
        // (snare/hat) on the off-beats.
        let tb = t % beat;
        let kick =
            0.6 * (-tb * 30.0).exp() * (TAU * (45.0 * tb + 2.4 * (1.0 - (-tb * 25.0).exp()))).sin();
        noise ^= noise << 13;
        noise ^= noise >> 7;
        noise ^= noise << 17;
        let white = (noise >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0;
        let toff = (t + beat / 2.0) % beat;
        let d = kick + 0.35 * (-toff * 40.0).exp() * white;
        // Bass, centered: one note per second, a pluck envelope, a weak 2nd harmonic.
        let bf = bassline[t as usize % bassline.len()];
        let benv = 0.5 + 0.5 * (-(t % 1.0) * 2.0).exp();
        let b = 0.25 * benv * ((TAU * bf * t).sin() + 0.2 * (TAU * 2.0 * bf * t).sin());
        // Other: sustained chords, different notes hard left and hard right.
        let k = (t / 2.0) as usize % 2;
        let ol: f64 = left[k].iter().map(|f| (TAU * f * t).sin()).sum::<f64>() * 0.05;
        let or: f64 = right[k].iter().map(|f| (TAU * f * t).sin()).sum::<f64>() * 0.05;
        for (s, (l, r)) in out.iter_mut().zip([(v, v), (d, d), (b, b), (ol, or)]) {
            s.extend([l as f32, r as f32]);
        }
    }
    out
}

/// The sum of the sources.
pub fn mix(sources: &[Vec<f32>; 4]) -> Vec<f32> {
    (0..sources[0].len())
        .map(|i| sources.iter().map(|s| s[i]).sum())
        .collect()
}

/// SDR(est, ref) = 10·log10(Σref² / Σ(ref − est)²), in dB.
pub fn sdr(estimate: &[f32], reference: &[f32]) -> f64 {
    let (mut s, mut e) = (0.0f64, 0.0f64);
    for (x, r) in estimate.iter().zip(reference) {
        s += f64::from(*r).powi(2);
        e += f64::from(r - x).powi(2);
    }
    10.0 * (s / e.max(1e-30)).log10()
}

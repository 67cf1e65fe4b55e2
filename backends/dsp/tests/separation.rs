//! The dsp models really separate: known synthetic sources are mixed, the default
//! 4-stem tree is run through the plugin registry, and every estimate must be closer to
//! its own source than the mixture is (SDR improvement > 0 dB), with margin.

use std::f64::consts::TAU;

use stemset_backend_dsp as _;
use stemset_core::audio::{AudioError, AudioSink, AudioSource};
use stemset_core::plugins::{BackendSettings, ModelSpec};
use stemset_core::separator::{AudioSeparator, Backends, NoProgress, SeparationError};

const RATE: u32 = 44_100;

struct VecSource {
    data: Vec<f32>,
    pos: usize,
    /// Frames per read, to check chunking does not matter.
    step: usize,
}

impl VecSource {
    fn new(data: Vec<f32>, step: usize) -> Self {
        Self { data, pos: 0, step }
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
        let n = buf.len().min(self.step * 2).min(self.data.len() - self.pos);
        buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n / 2)
    }
}

#[derive(Default)]
struct VecSink(Vec<f32>);

impl AudioSink for VecSink {
    fn write(&mut self, s: &[f32]) -> Result<(), AudioError> {
        self.0.extend_from_slice(s);
        Ok(())
    }
    fn finish(&mut self) -> Result<(), AudioError> {
        Ok(())
    }
}

fn model(architecture: &str, params: &str) -> Result<Box<dyn AudioSeparator>, String> {
    let reg = Backends::find("dsp").ok_or("dsp backend is not registered")?;
    let spec = ModelSpec {
        name: architecture.to_string(),
        backend: "dsp".into(),
        architecture: architecture.to_string(),
        description: String::new(),
        file: None,
        url: None,
        sha256: None,
        slots: (reg.slots_for)(architecture).ok_or("unknown architecture")?,
        params: toml::from_str(params).map_err(|e| e.to_string())?,
    };
    (reg.build)(&BackendSettings::default(), &spec).map_err(|e| e.0)
}

/// Runs a model on `input`; returns its two slots.
fn split(architecture: &str, input: &[f32], step: usize) -> (Vec<f32>, Vec<f32>) {
    let mut m = model(architecture, "").expect("model");
    let (mut a, mut b) = (VecSink::default(), VecSink::default());
    let mut outs: Vec<&mut dyn AudioSink> = vec![&mut a, &mut b];
    m.separate(
        &mut VecSource::new(input.to_vec(), step),
        &mut outs,
        &NoProgress,
    )
    .expect("separate");
    (a.0, b.0)
}

/// Four sources, `seconds` long, interleaved stereo.
fn sources(seconds: f64) -> [Vec<f32>; 4] {
    let n = (seconds * f64::from(RATE)) as usize;
    let (mut vocals, mut drums, mut bass, mut other) = (
        Vec::with_capacity(2 * n),
        Vec::with_capacity(2 * n),
        Vec::with_capacity(2 * n),
        Vec::with_capacity(2 * n),
    );
    let mut noise = 0x1234_5678_9abc_def0u64;
    let beat = 0.5; // 120 bpm
    let melody = [261.63, 329.63, 392.0, 349.23, 293.66, 440.0, 392.0, 329.63];
    let bassline = [55.0, 73.42, 82.41, 61.74];
    let left = [[523.25, 659.25, 1046.5], [587.33, 880.0, 1174.7]];
    let right = [[392.0, 783.99, 1567.98], [440.0, 698.46, 1396.9]];
    for i in 0..n {
        let t = i as f64 / f64::from(RATE);
        // Voice: centered, vibrato, five harmonics, a phrase envelope per note.
        let note = melody[(t / 0.6) as usize % melody.len()];
        let env = ((t / 0.6).fract() * std::f64::consts::PI).sin();
        let phase = TAU * note * t + 0.02 * note / 5.5 * (TAU * 5.5 * t).sin();
        let v: f64 = [1.0, 0.6, 0.4, 0.25, 0.15]
            .iter()
            .enumerate()
            .map(|(h, a)| a * (phase * (h + 1) as f64).sin())
            .sum::<f64>()
            * 0.12
            * env;
        // Drums: kick on every beat, noise snare/hat bursts on the off-beats; centered.
        let tb = t % beat;
        let kick = 0.6
            * (-tb * 30.0).exp()
            * (TAU * (45.0 * tb + 60.0 * (1.0 - (-tb * 25.0).exp()) / 25.0 * 25.0 * 0.04)).sin();
        noise ^= noise << 13;
        noise ^= noise >> 7;
        noise ^= noise << 17;
        let white = (noise >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0;
        let toff = (t + beat / 2.0) % beat;
        let d = kick + 0.35 * (-toff * 40.0).exp() * white;
        // Bass: low notes, pluck envelope, weak second harmonic; centered.
        let bf = bassline[(t / 1.0) as usize % bassline.len()];
        let benv = 0.5 + 0.5 * (-(t % 1.0) * 2.0).exp();
        let b = 0.25 * benv * ((TAU * bf * t).sin() + 0.2 * (TAU * 2.0 * bf * t).sin());
        // Other: sustained chords panned hard left and right (different notes per side).
        let k = (t / 2.0) as usize % 2;
        let ol: f64 = left[k].iter().map(|f| (TAU * f * t).sin()).sum::<f64>() * 0.05;
        let or: f64 = right[k].iter().map(|f| (TAU * f * t).sin()).sum::<f64>() * 0.05;
        vocals.extend([v as f32, v as f32]);
        drums.extend([d as f32, d as f32]);
        bass.extend([b as f32, b as f32]);
        other.extend([ol as f32, or as f32]);
    }
    [vocals, drums, bass, other]
}

fn sdr(estimate: &[f32], reference: &[f32]) -> f64 {
    let (mut s, mut e) = (0.0f64, 0.0f64);
    for (x, r) in estimate.iter().zip(reference) {
        s += f64::from(*r).powi(2);
        e += f64::from(r - x).powi(2);
    }
    10.0 * (s / e.max(1e-30)).log10()
}

#[test]
fn the_default_tree_improves_sdr_for_every_stem() {
    let [vocals, drums, bass, other] = sources(10.0);
    let mix: Vec<f32> = (0..vocals.len())
        .map(|i| vocals[i] + drums[i] + bass[i] + other[i])
        .collect();

    let (percussive, harmonic) = split("dsp-hpss", &mix, 4096);
    let (est_vocals, accompaniment) = split("dsp-center", &harmonic, 4096);
    let (est_bass, est_other) = split("dsp-bass", &accompaniment, 4096);

    let mut report = Vec::new();
    for (name, est, src) in [
        ("vocals", &est_vocals, &vocals),
        ("drums", &percussive, &drums),
        ("bass", &est_bass, &bass),
        ("other", &est_other, &other),
    ] {
        assert_eq!(est.len(), src.len(), "{name}: length");
        let (before, after) = (sdr(&mix, src), sdr(est, src));
        println!(
            "{name:<7} SDR mixture {before:6.2} dB → estimate {after:6.2} dB (+{:.2})",
            after - before
        );
        report.push((name, after - before));
    }
    for (name, gain) in report {
        assert!(
            gain > 3.0,
            "{name}: SDR improvement {gain:.2} dB (want > 3 dB)"
        );
    }
}

#[test]
fn every_model_sums_back_to_its_input_at_exact_length() {
    let [vocals, drums, bass, other] = sources(2.0);
    for len in [0usize, 100, 12_345] {
        let mix: Vec<f32> = (0..2 * len)
            .map(|i| vocals[i] + drums[i] + bass[i] + other[i])
            .collect();
        for arch in ["dsp-hpss", "dsp-center", "dsp-bass"] {
            let (a, b) = split(arch, &mix, 4096);
            assert_eq!(
                (a.len(), b.len()),
                (mix.len(), mix.len()),
                "{arch}: {len} frames"
            );
            let err = a
                .iter()
                .zip(&b)
                .zip(&mix)
                .map(|((x, y), m)| (x + y - m).abs())
                .fold(0.0f32, f32::max);
            assert!(
                err < 1e-4,
                "{arch}: slots do not sum to the input (max error {err})"
            );
        }
    }
}

#[test]
fn output_does_not_depend_on_read_sizes() {
    let [vocals, drums, ..] = sources(1.0);
    let mix: Vec<f32> = vocals.iter().zip(&drums).map(|(a, b)| a + b).collect();
    for arch in ["dsp-hpss", "dsp-center", "dsp-bass"] {
        let (a1, b1) = split(arch, &mix, 65_536);
        let (a2, b2) = split(arch, &mix, 37);
        assert_eq!(a1, a2, "{arch}");
        assert_eq!(b1, b2, "{arch}");
    }
}

#[test]
fn bad_params_are_clear_errors() {
    let err = model("dsp-hpss", "n_fft = 1000").err().expect("error");
    assert!(
        err.contains("dsp-hpss") && err.contains("power of two"),
        "{err}"
    );
    let err = model("dsp-hpss", "time_kernel = 16").err().expect("error");
    assert!(err.contains("odd"), "{err}");
    let err = model("dsp-bass", "cuttoff_hz = 100").err().expect("error");
    assert!(
        err.contains("unknown parameter \"cuttoff_hz\"") && err.contains("cutoff_hz"),
        "{err}"
    );
    let err = model("dsp-center", "low_hz = \"low\"")
        .err()
        .expect("error");
    assert!(err.contains("params.low_hz must be a number"), "{err}");
    let err = model("dsp-center", "low_hz = 1500.0\nhigh_hz = 1200.0")
        .err()
        .expect("error");
    assert!(err.contains("must be below"), "{err}");
}

#[test]
fn wrong_input_format_is_refused() {
    struct Mono;
    impl AudioSource for Mono {
        fn sample_rate(&self) -> u32 {
            48_000
        }
        fn channels(&self) -> usize {
            1
        }
        fn total_frames(&self) -> Option<u64> {
            None
        }
        fn read(&mut self, _: &mut [f32]) -> Result<usize, AudioError> {
            Ok(0)
        }
    }
    let mut m = model("dsp-bass", "").expect("model");
    let (mut a, mut b) = (VecSink::default(), VecSink::default());
    let mut outs: Vec<&mut dyn AudioSink> = vec![&mut a, &mut b];
    let err = m
        .separate(&mut Mono, &mut outs, &NoProgress)
        .expect_err("refused");
    assert!(matches!(err, SeparationError::Model { .. }), "{err}");
}

//! Contract of every dsp model: slots sum to the input, exact output length, results
//! independent of how the input is chunked, progress and cancellation, clear errors.

mod common;

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::{VecSink, VecSource, mix, model, sources, split};
use stemset_sdk::audio::{AudioError, AudioSink, AudioSource};
use stemset_sdk::separator::{NoProgress, SeparationError, SeparationProgress, run_separator};

const ARCHS: [&str; 3] = ["dsp-hpss", "dsp-center", "dsp-bass"];

#[test]
fn every_model_sums_back_to_its_input_at_exact_length() {
    let band = mix(&sources(0.5));
    for len in [0usize, 1, 100, 12_345] {
        let input = &band[..2 * len];
        for arch in ARCHS {
            let (a, b) = split(arch, input, &[4096]);
            assert_eq!(
                (a.len(), b.len()),
                (input.len(), input.len()),
                "{arch}: {len} frames"
            );
            let err = a
                .iter()
                .zip(&b)
                .zip(input)
                .map(|((x, y), m)| (x + y - m).abs())
                .fold(0.0f32, f32::max);
            assert!(
                err < 1e-4,
                "{arch}, {len} frames: slots do not sum to the input (max error {err})"
            );
        }
    }
}

#[test]
fn output_does_not_depend_on_read_sizes() {
    let band = mix(&sources(1.3));
    for arch in ARCHS {
        let whole = split(arch, &band, &[1 << 30]);
        let ragged = split(arch, &band, &[37, 1, 4097, 512, 999]);
        assert!(
            whole == ragged,
            "{arch}: output changed with the read sizes"
        );
    }
}

/// Records every fraction reported; asks to cancel once `cancel_after` polls have passed.
struct Recorder {
    fractions: Mutex<Vec<f32>>,
    polls: AtomicUsize,
    cancel_after: usize,
}

impl Recorder {
    fn new(cancel_after: usize) -> Self {
        Self {
            fractions: Mutex::new(Vec::new()),
            polls: AtomicUsize::new(0),
            cancel_after,
        }
    }
}

impl SeparationProgress for Recorder {
    fn set_fraction(&self, fraction: f32) {
        self.fractions.lock().expect("lock").push(fraction);
    }
    fn cancelled(&self) -> bool {
        self.polls.fetch_add(1, Ordering::SeqCst) >= self.cancel_after
    }
}

fn run_with(arch: &str, input: &[f32], progress: &Recorder) -> Result<usize, SeparationError> {
    let mut m = model(arch, "").expect("model");
    let (mut a, mut b) = (VecSink::default(), VecSink::default());
    let mut outs: Vec<&mut dyn AudioSink> = vec![&mut a, &mut b];
    m.separate(
        &mut VecSource::new(input.to_vec(), &[10_000]),
        &mut outs,
        progress,
    )?;
    Ok(a.0.len())
}

#[test]
fn progress_rises_to_one_and_cancellation_stops_the_work() {
    let band = mix(&sources(2.0));
    for arch in ARCHS {
        let rec = Recorder::new(usize::MAX);
        assert_eq!(run_with(arch, &band, &rec).expect("separate"), band.len());
        let f = rec.fractions.into_inner().expect("lock");
        assert!(f.len() > 3, "{arch}: too few progress reports: {f:?}");
        assert!(
            f.windows(2).all(|w| w[0] <= w[1]),
            "{arch}: progress went back: {f:?}"
        );
        assert!(f.iter().all(|x| (0.0..=1.0).contains(x)), "{arch}: {f:?}");
        assert_eq!(f.last(), Some(&1.0), "{arch}");

        let rec = Recorder::new(3);
        let err = run_with(arch, &band, &rec).expect_err("cancelled");
        assert!(matches!(err, SeparationError::Cancelled), "{arch}: {err}");
    }
}

#[test]
fn bad_params_are_clear_errors() {
    let cases = [
        ("dsp-hpss", "n_fft = 1000", "power of two"),
        ("dsp-hpss", "hop = 1024", "hop"),
        ("dsp-hpss", "time_kernel = 16", "odd"),
        (
            "dsp-hpss",
            "power = \"two\"",
            "params.power must be a number",
        ),
        (
            "dsp-bass",
            "cuttoff_hz = 100",
            "unknown parameter \"cuttoff_hz\"; valid: cutoff_hz",
        ),
        (
            "dsp-bass",
            "cutoff_hz = 5",
            "params.cutoff_hz = 5 is outside",
        ),
        (
            "dsp-center",
            "low_hz = \"low\"",
            "params.low_hz must be a number",
        ),
        (
            "dsp-center",
            "low_hz = 1500.0\nhigh_hz = 1200.0",
            "must be below",
        ),
    ];
    for (arch, params, want) in cases {
        let err = model(arch, params)
            .err()
            .unwrap_or_else(|| panic!("{arch} accepted {params}"));
        assert!(
            err.contains(&format!("model \"{arch}\"")),
            "names the model: {err}"
        );
        assert!(err.contains(want), "{arch} {params}: {err}");
    }
    // The defaults, spelled out, are accepted.
    model(
        "dsp-hpss",
        "n_fft = 2048\nhop = 512\ntime_kernel = 17\nfreq_kernel = 17",
    )
    .expect("valid");
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
    // The executor runs every model through run_separator, which checks first.
    let err = run_separator(m.as_mut(), "dsp-bass", &mut Mono, &mut outs, &NoProgress)
        .expect_err("refused");
    assert!(matches!(err, SeparationError::Model { .. }), "{err}");
    assert!(
        err.to_string().contains("dsp-bass"),
        "names the model: {err}"
    );
    let mut stereo = VecSource::new(vec![0.0; 2 * 1000], &[1000]);
    let mut one: Vec<&mut dyn AudioSink> = vec![&mut a];
    let err = run_separator(m.as_mut(), "dsp-bass", &mut stereo, &mut one, &NoProgress)
        .expect_err("one output for two slots");
    assert!(err.to_string().contains("1 outputs for 2 slots"), "{err}");
}

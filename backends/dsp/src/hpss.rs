//! Harmonic/percussive separation (Fitzgerald 2010): in a spectrogram, sustained pitched
//! sound forms horizontal lines and transients vertical ones. A median across time keeps
//! the harmonic part, a median across frequency the percussive part; soft Wiener masks
//! (power 2) split every bin between the two, so the slots sum to the input.

use realfft::num_complex::Complex32;
use stemset_sdk::stft::{FrameWindow, SpectralProcessor, StftParams};

use crate::median;
use crate::separator::MaskModel;
use stemset_sdk::params::Params;

pub struct Hpss {
    stft: StftParams,
    /// Half-width of the time median in frames.
    time_half: usize,
    /// Half-width of the frequency median in bins.
    freq_half: usize,
    power: f32,
    /// Per bin, the magnitudes of the current time window, sorted: `[bin][0..kernel]`.
    time_sorted: Vec<f32>,
    /// The oldest frame's magnitudes, which leave the window at the next step.
    leaving: Vec<f32>,
    /// The centre frame last processed, to know whether the window slid by one.
    last: Option<u64>,
    harmonic: Vec<f32>,
    percussive: Vec<f32>,
    scratch: Vec<f32>,
}

impl Hpss {
    pub fn from_params(p: &mut Params<'_>) -> Result<Self, String> {
        let n_fft = p.int("n_fft", 2048, 256..=16384)? as usize;
        let hop = p.int("hop", (n_fft / 4) as i64, 1..=4096)? as usize;
        let time_kernel = p.int("time_kernel", 17, 3..=63)? as usize;
        let freq_kernel = p.int("freq_kernel", 17, 3..=255)? as usize;
        let power = p.float("power", 2.0, 0.5..=8.0)? as f32;
        if time_kernel.is_multiple_of(2) || freq_kernel.is_multiple_of(2) {
            return Err("params.time_kernel and params.freq_kernel must be odd".into());
        }
        let stft = StftParams::new(n_fft, hop)?;
        let bins = stft.bins();
        Ok(Self {
            stft,
            time_half: time_kernel / 2,
            freq_half: freq_kernel / 2,
            power,
            time_sorted: vec![0.0; bins * time_kernel],
            leaving: vec![0.0; bins],
            last: None,
            harmonic: vec![0.0; bins],
            percussive: vec![0.0; bins],
            scratch: Vec::with_capacity(freq_kernel),
        })
    }

    /// Brings the per-bin sorted time windows to the window centred on `w.index()`.
    fn slide_time_window(&mut self, w: &FrameWindow<'_>) {
        let k = 2 * self.time_half + 1;
        let half = self.time_half as isize;
        let slid = self.last.is_some_and(|l| l + 1 == w.index());
        let newest = &w.at(half).mag;
        for (b, sorted) in self.time_sorted.chunks_exact_mut(k).enumerate() {
            if !(slid && median::replace(sorted, self.leaving[b], newest[b])) {
                // First frame of a run (or state out of step): rebuild from the window.
                for (v, o) in sorted.iter_mut().zip(-half..=half) {
                    *v = w.at(o).mag[b];
                }
                sorted.sort_unstable_by(f32::total_cmp);
            }
            self.harmonic[b] = sorted[self.time_half];
        }
        self.leaving.copy_from_slice(&w.at(-half).mag);
        self.last = Some(w.index());
    }
}

impl SpectralProcessor for Hpss {
    fn context(&self) -> usize {
        self.time_half
    }

    fn process(&mut self, w: &FrameWindow<'_>, out: &mut [Vec<Vec<Complex32>>]) {
        self.slide_time_window(w);
        let center = w.center();
        median::across(
            &center.mag,
            self.freq_half,
            &mut self.scratch,
            &mut self.percussive,
        );
        let squared = self.power == 2.0;
        for (b, (&h, &p)) in self.harmonic.iter().zip(&self.percussive).enumerate() {
            let (h, p) = if squared {
                (h * h, p * p)
            } else {
                (h.powf(self.power), p.powf(self.power))
            };
            let total = h + p;
            // Silent bins go to the harmonic side; either choice sums to the input.
            let mh = if total > 1e-20 { h / total } else { 1.0 };
            for (c, spec) in center.spec.iter().enumerate() {
                out[1][c][b] = spec[b] * mh;
                out[0][c][b] = spec[b] * (1.0 - mh);
            }
        }
    }
}

impl MaskModel for Hpss {
    fn stft(&self) -> StftParams {
        self.stft
    }
}

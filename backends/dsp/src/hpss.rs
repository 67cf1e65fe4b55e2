//! Harmonic/percussive separation (Fitzgerald 2010): in a spectrogram, sustained pitched
//! sound forms horizontal lines and transients vertical ones. A median across time keeps
//! the harmonic part, a median across frequency the percussive part; soft Wiener masks
//! (power 2) split every bin between the two, so the slots sum to the input.

use realfft::num_complex::Complex32;
use stemset_core::dsp::stft::{FrameWindow, SpectralProcessor, StftParams};

use crate::params::Params;
use crate::separator::MaskModel;

pub struct Hpss {
    stft: StftParams,
    /// Half-width of the time median in frames.
    time_half: usize,
    /// Half-width of the frequency median in bins.
    freq_half: usize,
    power: f32,
    column: Vec<f32>,
    harmonic: Vec<f32>,
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
        Ok(Self {
            stft,
            time_half: time_kernel / 2,
            freq_half: freq_kernel / 2,
            power,
            column: Vec::with_capacity(time_kernel.max(freq_kernel)),
            harmonic: vec![0.0; stft.bins()],
        })
    }
}

fn median(values: &mut [f32]) -> f32 {
    let mid = values.len() / 2;
    *values.select_nth_unstable_by(mid, f32::total_cmp).1
}

impl SpectralProcessor for Hpss {
    fn context(&self) -> usize {
        self.time_half
    }

    fn process(&mut self, w: &FrameWindow<'_>, out: &mut [Vec<Vec<Complex32>>]) {
        let bins = self.harmonic.len();
        let half = self.time_half as isize;
        for b in 0..bins {
            self.column.clear();
            self.column.extend((-half..=half).map(|o| w.at(o).mag[b]));
            self.harmonic[b] = median(&mut self.column);
        }
        let center = w.center();
        for b in 0..bins {
            let lo = b.saturating_sub(self.freq_half);
            let hi = (b + self.freq_half + 1).min(bins);
            self.column.clear();
            self.column.extend_from_slice(&center.mag[lo..hi]);
            let p = median(&mut self.column).powf(self.power);
            let h = self.harmonic[b].powf(self.power);
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

//! The bass: a spectral crossover. Bins below the cutoff go to `bass`, above it to
//! `other`, with a raised-cosine transition so nothing rings; masks are complementary.

use realfft::num_complex::Complex32;
use stemset_sdk::stft::{FrameWindow, SpectralProcessor, StftParams};

use crate::separator::MaskModel;
use crate::{DSP_RATE, ramp};
use stemset_sdk::params::Params;

pub struct Bass {
    stft: StftParams,
    /// Per-bin share of the bass slot.
    mask: Vec<f32>,
}

impl Bass {
    pub fn from_params(p: &mut Params<'_>) -> Result<Self, String> {
        let n_fft = p.int("n_fft", 4096, 256..=16384)? as usize;
        let hop = p.int("hop", (n_fft / 4) as i64, 1..=4096)? as usize;
        let cutoff = p.float("cutoff_hz", 220.0, 40.0..=1000.0)? as f32;
        let width = p.float("transition_hz", 80.0, 1.0..=500.0)? as f32;
        let stft = StftParams::new(n_fft, hop)?;
        let hz = stft.bin_hz(DSP_RATE);
        let (a, b) = (cutoff - width / 2.0, cutoff + width / 2.0);
        let mask = (0..stft.bins())
            .map(|i| 1.0 - ramp(i as f32 * hz, a, b))
            .collect();
        Ok(Self { stft, mask })
    }
}

impl SpectralProcessor for Bass {
    fn context(&self) -> usize {
        0
    }

    fn process(&mut self, w: &FrameWindow<'_>, out: &mut [Vec<Vec<Complex32>>]) {
        let center = w.center();
        for (c, spec) in center.spec.iter().enumerate() {
            for (b, (&z, &m)) in spec.iter().zip(&self.mask).enumerate() {
                out[0][c][b] = z * m;
                out[1][c][b] = z * (1.0 - m);
            }
        }
    }
}

impl MaskModel for Bass {
    fn stft(&self) -> StftParams {
        self.stft
    }
}

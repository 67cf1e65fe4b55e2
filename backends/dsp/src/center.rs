//! Center-channel extraction: a voice is usually panned to the middle, so in the bins it
//! dominates the left and right spectra are (nearly) identical. The mask is the
//! normalised inter-channel correlation 2·Re(L·R*)/(|L|²+|R|²), smoothed over a few
//! frames, sharpened, and limited to the vocal band with raised-cosine edges (so a
//! centered bass stays in the accompaniment). Vocals = mask · mid on both channels;
//! accompaniment = input − vocals.

use std::f32::consts::SQRT_2;

use realfft::num_complex::Complex32;
use stemset_sdk::stft::{FrameWindow, SpectralProcessor, StftParams};

use crate::separator::MaskModel;
use crate::{DSP_RATE, ramp};
use stemset_sdk::params::Params;

/// The band is zero outside `low_hz..high_hz`; its edges rise over the half octave above
/// `low_hz` (so a centered bass near the edge stays out) and fall over the quarter octave
/// below `high_hz`.
const UPPER_EDGE: f32 = 0.840_896_4; // 2^(−1/4)

pub struct Center {
    stft: StftParams,
    smooth: usize,
    sharpness: f32,
    /// Per-bin band weight in 0..=1.
    band: Vec<f32>,
}

impl Center {
    pub fn from_params(p: &mut Params<'_>) -> Result<Self, String> {
        let n_fft = p.int("n_fft", 4096, 256..=16384)? as usize;
        let hop = p.int("hop", (n_fft / 4) as i64, 1..=4096)? as usize;
        let low = p.float("low_hz", 120.0, 20.0..=2000.0)? as f32;
        let high = p.float("high_hz", 12_000.0, 1000.0..=20_000.0)? as f32;
        let smooth = p.int("smooth_frames", 1, 0..=8)? as usize;
        let sharpness = p.float("sharpness", 4.0, 0.5..=16.0)? as f32;
        if low >= high {
            return Err(format!(
                "params.low_hz ({low}) must be below params.high_hz ({high})"
            ));
        }
        let stft = StftParams::new(n_fft, hop)?;
        let hz = stft.bin_hz(DSP_RATE);
        let band = (0..stft.bins())
            .map(|b| {
                let f = b as f32 * hz;
                ramp(f, low, low * SQRT_2) * (1.0 - ramp(f, high * UPPER_EDGE, high))
            })
            .collect();
        Ok(Self {
            stft,
            smooth,
            sharpness,
            band,
        })
    }
}

impl SpectralProcessor for Center {
    fn context(&self) -> usize {
        self.smooth
    }

    fn process(&mut self, w: &FrameWindow<'_>, out: &mut [Vec<Vec<Complex32>>]) {
        let s = self.smooth as isize;
        let center = w.center();
        for (b, &band) in self.band.iter().enumerate() {
            let (l, r) = (center.spec[0][b], center.spec[1][b]);
            let mid = (l + r) * 0.5;
            let mask = if band > 0.0 {
                let (mut cross, mut power) = (0.0f32, 0.0f32);
                for o in -s..=s {
                    let f = w.at(o);
                    let (fl, fr) = (f.spec[0][b], f.spec[1][b]);
                    cross += (fl * fr.conj()).re;
                    power += fl.norm_sqr() + fr.norm_sqr();
                }
                let corr = if power > 1e-20 {
                    (2.0 * cross / power).clamp(0.0, 1.0)
                } else {
                    0.0
                };
                band * corr.powf(self.sharpness)
            } else {
                0.0
            };
            let v = mid * mask;
            out[0][0][b] = v;
            out[0][1][b] = v;
            out[1][0][b] = l - v;
            out[1][1][b] = r - v;
        }
    }
}

impl MaskModel for Center {
    fn stft(&self) -> StftParams {
        self.stft
    }
}

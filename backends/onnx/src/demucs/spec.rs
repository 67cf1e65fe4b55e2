//! HTDemucs' internal spectrogram (spec §2.5), needed for exports that leave the STFT
//! outside the graph (sevagh/demucs.onnx): for a window of `segment` samples,
//! le = ⌈segment/1024⌉ frames of 2048 bins, packed as [L.re, L.im, R.re, R.im].

use std::sync::Arc;

use realfft::num_complex::Complex32;
use realfft::{ComplexToReal, RealFftPlanner, RealToComplex};

use crate::fft::{inverse_envelope, periodic_hann};

pub const HT_NFFT: usize = 4096;
pub const HT_HOP: usize = 1024;
pub const HT_BINS: usize = HT_NFFT / 2;
/// HTDemucs pads each window by 1.5 hops before its STFT.
const PAD: usize = HT_HOP / 2 * 3;

/// Mirror padding without repeating the edge sample.
fn reflect_pad(x: &[f32], left: usize, right: usize, out: &mut Vec<f32>) {
    let n = x.len();
    out.clear();
    out.extend((1..=left).rev().map(|i| x[i]));
    out.extend_from_slice(x);
    out.extend((0..right).map(|i| x[n - 2 - i]));
}

pub struct HtSpectrogram {
    segment: usize,
    /// Frames kept: ⌈segment / hop⌉.
    frames: usize,
    window: Vec<f32>,
    /// 1 / Σ window² over all le + 4 frames of the centred inverse.
    inv_envelope: Vec<f32>,
    forward: Arc<dyn RealToComplex<f32>>,
    inverse: Arc<dyn ComplexToReal<f32>>,
    padded: Vec<f32>,
    centred: Vec<f32>,
    frame: Vec<f32>,
    spectrum: Vec<Complex32>,
    scratch_fwd: Vec<Complex32>,
    scratch_inv: Vec<Complex32>,
    ola: Vec<f32>,
}

impl HtSpectrogram {
    /// Requires `segment > PAD + 1` so that the reflect padding exists.
    pub fn new(segment: usize) -> Self {
        let frames = segment.div_ceil(HT_HOP);
        let mut planner = RealFftPlanner::<f32>::new();
        let forward = planner.plan_fft_forward(HT_NFFT);
        let inverse = planner.plan_fft_inverse(HT_NFFT);
        let window = periodic_hann(HT_NFFT);
        let all_frames = frames + 4;
        let ola_len = HT_HOP * (all_frames - 1) + HT_NFFT;
        let inv_envelope = inverse_envelope(&window, HT_HOP, all_frames);
        Self {
            segment,
            frames,
            window,
            inv_envelope,
            scratch_fwd: forward.make_scratch_vec(),
            scratch_inv: inverse.make_scratch_vec(),
            spectrum: forward.make_output_vec(),
            frame: forward.make_input_vec(),
            forward,
            inverse,
            padded: Vec::new(),
            centred: Vec::new(),
            ola: vec![0.0; ola_len],
        }
    }

    /// Frames per window (the last dimension of the spectrogram input).
    pub fn frames(&self) -> usize {
        self.frames
    }

    /// Floats in a packed spectrogram `[4][2048][frames]`.
    pub fn packed_len(&self) -> usize {
        4 * HT_BINS * self.frames
    }

    /// `window` planar `[2][segment]` → `packed` `[4][2048][frames]`.
    pub fn forward(&mut self, window: &[f32], packed: &mut [f32]) {
        let (seg, le) = (self.segment, self.frames);
        let scale = 1.0 / (HT_NFFT as f32).sqrt();
        for ch in 0..2 {
            let x = &window[ch * seg..(ch + 1) * seg];
            reflect_pad(x, PAD, PAD + le * HT_HOP - seg, &mut self.padded);
            // torch.stft(center=True) pads by n_fft / 2 again, reflecting.
            let padded = std::mem::take(&mut self.padded);
            reflect_pad(&padded, HT_NFFT / 2, HT_NFFT / 2, &mut self.centred);
            self.padded = padded;
            for t in 0..le {
                // Frames 2 .. 2 + le of the le + 4 the padded signal gives.
                let start = (t + 2) * HT_HOP;
                for (i, f) in self.frame.iter_mut().enumerate() {
                    *f = self.centred[start + i] * self.window[i];
                }
                let _ = self.forward.process_with_scratch(
                    &mut self.frame,
                    &mut self.spectrum,
                    &mut self.scratch_fwd,
                );
                for f in 0..HT_BINS {
                    let v = self.spectrum[f] * scale;
                    packed[((2 * ch) * HT_BINS + f) * le + t] = v.re;
                    packed[((2 * ch + 1) * HT_BINS + f) * le + t] = v.im;
                }
            }
        }
    }

    /// One source's packed spectrogram `[4][2048][frames]` → planar `[2][segment]`,
    /// added to `out`.
    pub fn inverse_add(&mut self, packed: &[f32], out: &mut [f32]) {
        let (seg, le) = (self.segment, self.frames);
        // Normalised inverse: (1/N)·√N.
        let scale = 1.0 / (HT_NFFT as f32).sqrt();
        let last = self.spectrum.len() - 1;
        for ch in 0..2 {
            self.ola.fill(0.0);
            for t in 0..le {
                for f in 0..HT_BINS {
                    self.spectrum[f] = Complex32::new(
                        packed[((2 * ch) * HT_BINS + f) * le + t],
                        packed[((2 * ch + 1) * HT_BINS + f) * le + t],
                    );
                }
                self.spectrum[0].im = 0.0;
                self.spectrum[last] = Complex32::new(0.0, 0.0);
                let _ = self.inverse.process_with_scratch(
                    &mut self.spectrum,
                    &mut self.frame,
                    &mut self.scratch_inv,
                );
                let start = (t + 2) * HT_HOP;
                for (i, s) in self.frame.iter().enumerate() {
                    self.ola[start + i] += s * scale * self.window[i];
                }
            }
            // Drop the centring (n_fft / 2) and HTDemucs' own padding (1.5 hops).
            let offset = HT_NFFT / 2 + PAD;
            let dst = &mut out[ch * seg..(ch + 1) * seg];
            for (j, o) in dst.iter_mut().enumerate() {
                *o += self.ola[offset + j] * self.inv_envelope[offset + j];
            }
        }
    }
}

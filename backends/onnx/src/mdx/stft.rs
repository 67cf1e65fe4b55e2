//! The STFT / inverse STFT of one MDX-Net chunk, exactly as torch.stft / torch.istft are
//! called by UVR (spec §1.4–1.5): reflect padding of n_fft/2, periodic Hann, no
//! normalisation, `segment` frames, bins below `dim_f` kept, packed as the four planes
//! [L.re, L.im, R.re, R.im], each `[dim_f][frames]`.

use std::sync::Arc;

use realfft::num_complex::Complex32;
use realfft::{ComplexToReal, RealFftPlanner, RealToComplex};

use crate::fft::{inverse_envelope, periodic_hann};

pub struct ChunkStft {
    n_fft: usize,
    hop: usize,
    dim_f: usize,
    frames: usize,
    window: Vec<f32>,
    /// 1 / Σ window² at each sample of the overlap-added frames (0 where uncovered).
    inv_envelope: Vec<f32>,
    forward: Arc<dyn RealToComplex<f32>>,
    inverse: Arc<dyn ComplexToReal<f32>>,
    padded: Vec<f32>,
    frame: Vec<f32>,
    spectrum: Vec<Complex32>,
    scratch_fwd: Vec<Complex32>,
    scratch_inv: Vec<Complex32>,
    ola: Vec<f32>,
}

impl ChunkStft {
    /// `chunk = hop·(frames − 1)` samples per channel; requires `chunk > n_fft / 2`.
    pub fn new(n_fft: usize, hop: usize, dim_f: usize, frames: usize) -> Self {
        let mut planner = RealFftPlanner::<f32>::new();
        let forward = planner.plan_fft_forward(n_fft);
        let inverse = planner.plan_fft_inverse(n_fft);
        let window = periodic_hann(n_fft);
        let ola_len = hop * (frames - 1) + n_fft;
        let inv_envelope = inverse_envelope(&window, hop, frames);
        Self {
            n_fft,
            hop,
            dim_f,
            frames,
            scratch_fwd: forward.make_scratch_vec(),
            scratch_inv: inverse.make_scratch_vec(),
            spectrum: forward.make_output_vec(),
            frame: forward.make_input_vec(),
            forward,
            inverse,
            window,
            inv_envelope,
            padded: vec![0.0; hop * (frames - 1) + n_fft],
            ola: vec![0.0; ola_len],
        }
    }

    /// Samples per channel in a chunk.
    pub fn chunk_len(&self) -> usize {
        self.hop * (self.frames - 1)
    }

    /// Floats in one packed spectrogram `[4][dim_f][frames]`.
    pub fn packed_len(&self) -> usize {
        4 * self.dim_f * self.frames
    }

    /// `chunk` is planar `[2][chunk_len]`; writes the packed spectrogram into `packed`.
    pub fn forward(&mut self, chunk: &[f32], packed: &mut [f32]) {
        let c_len = self.chunk_len();
        let half = self.n_fft / 2;
        let (f_dim, t_dim) = (self.dim_f, self.frames);
        for ch in 0..2 {
            let x = &chunk[ch * c_len..(ch + 1) * c_len];
            // Reflect padding without repeating the edge sample.
            for i in 0..half {
                self.padded[i] = x[half - i];
                self.padded[half + c_len + i] = x[c_len - 2 - i];
            }
            self.padded[half..half + c_len].copy_from_slice(x);
            for t in 0..t_dim {
                let start = t * self.hop;
                for (i, f) in self.frame.iter_mut().enumerate() {
                    *f = self.padded[start + i] * self.window[i];
                }
                // Lengths are fixed by the plan, so this cannot fail.
                let _ = self.forward.process_with_scratch(
                    &mut self.frame,
                    &mut self.spectrum,
                    &mut self.scratch_fwd,
                );
                for f in 0..f_dim {
                    let v = self.spectrum[f];
                    packed[((2 * ch) * f_dim + f) * t_dim + t] = v.re;
                    packed[((2 * ch + 1) * f_dim + f) * t_dim + t] = v.im;
                }
            }
        }
    }

    /// Inverse of [`Self::forward`] for a packed spectrogram whose bins ≥ dim_f are zero;
    /// writes planar `[2][chunk_len]` into `chunk`.
    pub fn inverse(&mut self, packed: &[f32], chunk: &mut [f32]) {
        let c_len = self.chunk_len();
        let half = self.n_fft / 2;
        let (f_dim, t_dim) = (self.dim_f, self.frames);
        let scale = 1.0 / self.n_fft as f32;
        let bins = self.spectrum.len();
        for ch in 0..2 {
            self.ola.fill(0.0);
            for t in 0..t_dim {
                for (f, v) in self.spectrum.iter_mut().enumerate() {
                    *v = if f < f_dim {
                        Complex32::new(
                            packed[((2 * ch) * f_dim + f) * t_dim + t],
                            packed[((2 * ch + 1) * f_dim + f) * t_dim + t],
                        )
                    } else {
                        Complex32::new(0.0, 0.0)
                    };
                }
                // A real signal's DC and Nyquist bins are real; the inverse ignores the rest.
                self.spectrum[0].im = 0.0;
                self.spectrum[bins - 1].im = 0.0;
                let _ = self.inverse.process_with_scratch(
                    &mut self.spectrum,
                    &mut self.frame,
                    &mut self.scratch_inv,
                );
                let start = t * self.hop;
                for (i, s) in self.frame.iter().enumerate() {
                    self.ola[start + i] += s * scale * self.window[i];
                }
            }
            let out = &mut chunk[ch * c_len..(ch + 1) * c_len];
            for (j, o) in out.iter_mut().enumerate() {
                *o = self.ola[half + j] * self.inv_envelope[half + j];
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverse_undoes_forward_when_all_bins_are_kept() {
        let (n_fft, hop, frames) = (2048, 1024, 16);
        let mut stft = ChunkStft::new(n_fft, hop, n_fft / 2 + 1, frames);
        let c = stft.chunk_len();
        let chunk: Vec<f32> = (0..2 * c)
            .map(|i| {
                ((i as f32) * 0.013).sin() * 0.5
                    + ((i * 7919 % 104_729) as f32 / 104_729.0 - 0.5) * 0.1
            })
            .collect();
        let mut packed = vec![0.0; stft.packed_len()];
        stft.forward(&chunk, &mut packed);
        let mut back = vec![0.0; 2 * c];
        stft.inverse(&packed, &mut back);
        let err = chunk
            .iter()
            .zip(&back)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f32, f32::max);
        assert!(err < 1e-5, "roundtrip error {err}");
    }
}

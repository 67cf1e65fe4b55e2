//! Streaming short-time features: a mono downmix is cut into Hann-windowed frames
//! (~46 ms, hop ~11.6 ms at 44.1 kHz), and each hop leaves a few floats behind
//! ([`Frame`]) plus a 12-bin chroma summed per second and per eighth of a second
//! (for same-song fingerprints). Nothing else is kept.

use std::sync::Arc;

use realfft::{RealFftPlanner, RealToComplex, num_complex::Complex};

use super::fastmath;

/// What one hop leaves behind.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Frame {
    /// Mean power of the windowed frame (all bands).
    pub energy: f32,
    /// Power below 200 Hz (bass, kick).
    pub low: f32,
    /// Power 200 Hz – 2 kHz (chords, melody, voice).
    pub mid: f32,
    /// Power above 4 kHz (cymbals, hi-hat, sibilants).
    pub high: f32,
    /// Half-wave rectified log-magnitude spectral flux, all bands.
    pub flux: f32,
    /// The same below 200 Hz.
    pub low_flux: f32,
    /// Spectral flatness (geometric / arithmetic mean of power), 100 Hz – 8 kHz.
    pub flatness: f32,
}

/// Frame and hop sizes for a sample rate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Geometry {
    pub sample_rate: u32,
    pub n_fft: usize,
    pub hop: usize,
}

impl Geometry {
    pub fn for_rate(sample_rate: u32) -> Self {
        // The power of two nearest 46 ms; the hop a quarter of it.
        let target = f64::from(sample_rate.max(1000)) * 0.046;
        let n_fft = 1usize << target.log2().round().clamp(8.0, 15.0) as u32;
        Self {
            sample_rate,
            n_fft,
            hop: n_fft / 4,
        }
    }
    /// Hops per second.
    pub fn fps(&self) -> f64 {
        f64::from(self.sample_rate) / self.hop as f64
    }
    /// Time of frame `i`'s centre (the stream is padded by half a frame at the start).
    pub fn time(&self, i: usize) -> f64 {
        (i * self.hop) as f64 / f64::from(self.sample_rate)
    }
}

/// Cells per second of [`FeatureExtractor::chroma_fine`].
pub const CHROMA_FINE_PER_SECOND: usize = 8;

pub struct FeatureExtractor {
    pub geo: Geometry,
    channels: usize,
    fft: Arc<dyn RealToComplex<f32>>,
    window: Vec<f32>,
    /// Mono samples not yet consumed by a full frame.
    pending: Vec<f32>,
    scratch_in: Vec<f32>,
    spectrum: Vec<Complex<f32>>,
    fft_scratch: Vec<Complex<f32>>,
    prev_log: Vec<f32>,
    /// Per-bin scratch of the current frame: power, log magnitude, its rise.
    power: Vec<f32>,
    log_mag: Vec<f32>,
    rise: Vec<f32>,
    /// Pitch class of each bin (None outside 100 Hz – 4 kHz).
    bin_pc: Vec<Option<usize>>,
    /// The bins with a pitch class (and a neighbour either side).
    chroma_bins: std::ops::Range<usize>,
    mags: Vec<f32>,
    bands: Bands,
    pub frames: Vec<Frame>,
    /// Chroma summed per second of audio (by frame centre).
    pub chroma: Vec<[f32; 12]>,
    /// The same chroma summed per [`CHROMA_FINE_PER_SECOND`]th of a second.
    pub chroma_fine: Vec<[f32; 12]>,
    samples_in: u64,
    flushed: bool,
}

struct Bands {
    low_end: usize,
    mid_end: usize,
    high_start: usize,
    flat_start: usize,
    flat_end: usize,
}

impl FeatureExtractor {
    pub fn new(sample_rate: u32, channels: usize) -> Self {
        let geo = Geometry::for_rate(sample_rate);
        let n = geo.n_fft;
        let fft = RealFftPlanner::<f32>::new().plan_fft_forward(n);
        let window = (0..n)
            .map(|i| {
                let x = std::f32::consts::PI * 2.0 * i as f32 / n as f32;
                0.5 - 0.5 * x.cos()
            })
            .collect();
        let bins = n / 2 + 1;
        let hz = f64::from(sample_rate) / n as f64;
        let bin = |f: f64| ((f / hz).round() as usize).min(bins - 1);
        let bin_pc: Vec<Option<usize>> = (0..bins)
            .map(|k| {
                let f = k as f64 * hz;
                (100.0..=4000.0).contains(&f).then(|| {
                    let midi = 69.0 + 12.0 * (f / 440.0).log2();
                    (midi.round() as i64).rem_euclid(12) as usize
                })
            })
            .collect();
        let with_pc = |k: &usize| bin_pc.get(*k).is_some_and(Option::is_some);
        let first = (1..bins - 1).find(with_pc).unwrap_or(1);
        let last = (1..bins - 1).rev().find(with_pc).unwrap_or(0);
        let chroma_bins = first..(last + 1).max(first);
        let spectrum = fft.make_output_vec();
        let fft_scratch = fft.make_scratch_vec();
        Self {
            geo,
            channels: channels.max(1),
            fft,
            window,
            // Half a frame of silence first, so frame i is centred on sample i·hop.
            pending: vec![0.0; n / 2],
            scratch_in: vec![0.0; n],
            spectrum,
            fft_scratch,
            prev_log: vec![0.0; bins],
            power: vec![0.0; bins],
            log_mag: vec![0.0; bins],
            rise: vec![0.0; bins],
            bin_pc,
            chroma_bins,
            mags: vec![0.0; bins],
            bands: Bands {
                low_end: bin(200.0).max(1),
                mid_end: bin(2000.0),
                high_start: bin(4000.0),
                flat_start: bin(100.0).max(1),
                flat_end: bin(8000.0),
            },
            frames: Vec::new(),
            chroma: Vec::new(),
            chroma_fine: Vec::new(),
            samples_in: 0,
            flushed: false,
        }
    }

    /// Audio seen so far, in seconds.
    pub fn duration(&self) -> f64 {
        self.samples_in as f64 / f64::from(self.geo.sample_rate)
    }

    pub fn push(&mut self, interleaved: &[f32]) {
        if self.flushed {
            return;
        }
        let ch = self.channels;
        let scale = 1.0 / ch as f32;
        for f in interleaved.chunks_exact(ch) {
            let s: f32 = f.iter().sum::<f32>() * scale;
            self.pending.push(if s.is_finite() { s } else { 0.0 });
        }
        self.samples_in += (interleaved.len() / ch) as u64;
        self.drain();
    }

    /// Processes what is left, padding with silence so the last samples get a frame.
    pub fn flush(&mut self) {
        if self.flushed {
            return;
        }
        self.flushed = true;
        let n = self.geo.n_fft;
        let wanted_frames = (self.samples_in as usize).div_ceil(self.geo.hop);
        self.pending.extend(std::iter::repeat_n(0.0, n));
        self.drain();
        self.frames.truncate(wanted_frames.max(1));
    }

    fn drain(&mut self) {
        let n = self.geo.n_fft;
        let hop = self.geo.hop;
        let mut start = 0;
        while self.pending.len() - start >= n {
            self.frame(start);
            start += hop;
        }
        self.pending.drain(..start);
    }

    fn frame(&mut self, start: usize) {
        let n = self.geo.n_fft;
        for (i, (o, w)) in self.scratch_in.iter_mut().zip(&self.window).enumerate() {
            *o = self.pending[start + i] * w;
        }
        if self
            .fft
            .process_with_scratch(
                &mut self.scratch_in,
                &mut self.spectrum,
                &mut self.fft_scratch,
            )
            .is_err()
        {
            self.frames.push(Frame::default());
            return;
        }
        let norm = 1.0 / (n as f32 * n as f32);
        let b = &self.bands;
        let mut fr = Frame::default();
        // In passes over whole arrays, so each loop vectorises (see `fastmath`).
        for (p, c) in self.power.iter_mut().zip(&self.spectrum) {
            *p = c.norm_sqr() * norm;
        }
        let power = &self.power;
        fr.energy = fastmath::sum(power);
        fr.low = fastmath::sum(&power[..b.low_end]);
        fr.mid = fastmath::sum(&power[b.low_end..b.mid_end.max(b.low_end)]);
        fr.high = fastmath::sum(&power[b.high_start..]);
        for ((m, l), &p) in self.mags.iter_mut().zip(&mut self.log_mag).zip(power) {
            *m = p.sqrt();
            *l = fastmath::ln(1.0 + 1000.0 * *m);
        }
        for ((d, &l), &prev) in self.rise.iter_mut().zip(&self.log_mag).zip(&self.prev_log) {
            *d = (l - prev).max(0.0);
        }
        std::mem::swap(&mut self.prev_log, &mut self.log_mag);
        fr.flux = fastmath::sum(&self.rise);
        fr.low_flux = fastmath::sum(&self.rise[..b.low_end]);
        let flat = &power[b.flat_start..b.flat_end.max(b.flat_start)];
        let log_sum = f64::from(fastmath::sum_map(flat, |p| fastmath::ln(p + 1e-12)));
        let lin_sum = f64::from(fastmath::sum_map(flat, |p| p + 1e-12));
        let mut chroma = [0.0f32; 12];
        // Chroma from spectral peaks only (drums and noise spread over every bin), each
        // at its parabolically interpolated frequency.
        let hz = f64::from(self.geo.sample_rate) / n as f64;
        for k in self.chroma_bins.clone() {
            let (l, c, r) = (self.mags[k - 1], self.mags[k], self.mags[k + 1]);
            if self.bin_pc[k].is_none() || c <= l || c < r || c <= 0.0 {
                continue;
            }
            let (la, lb, lc) = (
                f64::from(fastmath::ln(l + 1e-9)),
                f64::from(fastmath::ln(c)),
                f64::from(fastmath::ln(r + 1e-9)),
            );
            let den = la - 2.0 * lb + lc;
            let delta = if den < 0.0 {
                (0.5 * (la - lc) / den).clamp(-0.5, 0.5)
            } else {
                0.0
            };
            let f = (k as f64 + delta) * hz;
            let octaves = f64::from(fastmath::ln((f / 440.0) as f32)) / std::f64::consts::LN_2;
            let pc = ((69.0 + 12.0 * octaves).round() as i64).rem_euclid(12) as usize;
            chroma[pc] += c.sqrt();
        }
        let nb = (b.flat_end - b.flat_start).max(1) as f64;
        fr.flatness = ((log_sum / nb).exp() / (lin_sum / nb)) as f32;
        let idx = self.frames.len();
        let time = self.geo.time(idx);
        let sec = time as usize;
        if self.chroma.len() <= sec {
            self.chroma.resize(sec + 1, [0.0; 12]);
        }
        for (a, c) in self.chroma[sec].iter_mut().zip(chroma) {
            *a += c;
        }
        let cell = (time * CHROMA_FINE_PER_SECOND as f64) as usize;
        if self.chroma_fine.len() <= cell {
            self.chroma_fine.resize(cell + 1, [0.0; 12]);
        }
        for (a, c) in self.chroma_fine[cell].iter_mut().zip(chroma) {
            *a += c;
        }
        self.frames.push(fr);
    }
}

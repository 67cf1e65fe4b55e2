//! Streaming STFT → per-frame spectral processing → overlap-add, with exact length.
//!
//! The input is read in chunks and the outputs written in chunks; only a window of
//! `2·context + 1` frames is held, so memory does not depend on the recording's length.
//! A [`SpectralProcessor`] sees the frames around the one being synthesised (for median
//! filters or smoothing across time) and writes one spectrum per output slot.

use realfft::num_complex::Complex32;
use realfft::{ComplexToReal, RealFftPlanner, RealToComplex};
use std::sync::Arc;

use crate::audio::{AudioError, AudioSink, AudioSource, CHUNK_FRAMES};
use crate::separator::{SeparationError, SeparationProgress};

/// One analysed frame: the spectrum of each channel and the channel-averaged magnitude.
#[derive(Clone)]
pub struct Frame {
    /// `[channel][bin]`
    pub spec: Vec<Vec<Complex32>>,
    /// Mean magnitude over channels, per bin.
    pub mag: Vec<f32>,
}

impl Frame {
    fn zeros(channels: usize, bins: usize) -> Self {
        Self {
            spec: vec![vec![Complex32::new(0.0, 0.0); bins]; channels],
            mag: vec![0.0; bins],
        }
    }
}

/// The frames around the centre frame being processed.
pub struct FrameWindow<'a> {
    ring: &'a [Frame],
    /// Ring index of the oldest frame of the window.
    start: usize,
    context: usize,
    /// Number of the centre frame in the stream (0 for the first).
    index: u64,
}

impl FrameWindow<'_> {
    /// The frame at `offset` (−context..=context) from the centre.
    pub fn at(&self, offset: isize) -> &Frame {
        let idx = (self.start as isize + self.context as isize + offset)
            .rem_euclid(self.ring.len() as isize);
        &self.ring[idx as usize]
    }
    pub fn center(&self) -> &Frame {
        self.at(0)
    }
    pub fn context(&self) -> usize {
        self.context
    }
    /// The centre frame's number: 0, 1, 2, … within one run, each exactly once, so a
    /// processor can keep running state (e.g. sliding medians) and know when it restarts.
    pub fn index(&self) -> u64 {
        self.index
    }
}

pub trait SpectralProcessor {
    /// Frames of look-ahead (and history) the processor needs around the centre frame.
    fn context(&self) -> usize;
    /// Writes the output spectra `[slot][channel][bin]` of the centre frame.
    fn process(&mut self, window: &FrameWindow<'_>, out: &mut [Vec<Vec<Complex32>>]);
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StftParams {
    pub n_fft: usize,
    pub hop: usize,
}

impl StftParams {
    /// `n_fft` a power of two in 256..=16384, `hop` dividing it with at least 4× overlap
    /// (periodic Hann analysis and synthesis windows then overlap-add to a constant).
    pub fn new(n_fft: usize, hop: usize) -> Result<Self, String> {
        if !n_fft.is_power_of_two() || !(256..=16384).contains(&n_fft) {
            return Err(format!(
                "n_fft must be a power of two in 256..=16384, got {n_fft}"
            ));
        }
        if hop == 0 || !n_fft.is_multiple_of(hop) || n_fft / hop < 4 {
            return Err(format!(
                "hop must divide n_fft ({n_fft}) with n_fft/hop >= 4, got {hop}"
            ));
        }
        Ok(Self { n_fft, hop })
    }

    pub fn bins(&self) -> usize {
        self.n_fft / 2 + 1
    }

    pub fn bin_hz(&self, sample_rate: u32) -> f32 {
        sample_rate as f32 / self.n_fft as f32
    }
}

/// Runs `processor` over `input`, writing one stream per slot to `outputs`. Every output
/// gets exactly as many frames as the input had.
pub fn run(
    params: StftParams,
    input: &mut dyn AudioSource,
    outputs: &mut [&mut dyn AudioSink],
    processor: &mut dyn SpectralProcessor,
    progress: &dyn SeparationProgress,
) -> Result<(), SeparationError> {
    let ch = input.channels();
    if ch == 0 {
        return Err(AudioError::Format("input has no channels".into()).into());
    }
    let (n, hop, bins) = (params.n_fft, params.hop, params.bins());
    let slots = outputs.len();
    let context = processor.context();
    let total = input.total_frames();

    let window: Vec<f32> = (0..n)
        .map(|i| 0.5 - 0.5 * (std::f32::consts::TAU * i as f32 / n as f32).cos())
        .collect();
    // Σ_k w²(i + k·hop) is the same for every i when n/hop >= 4 (Hann²); divide it out.
    let norm: f32 = (0..n / hop).map(|k| window[k * hop].powi(2)).sum();
    // realfft's inverse is unnormalised: a forward + inverse pair scales by n.
    let synth_scale = 1.0 / norm / n as f32;
    let synth_window: Vec<f32> = window.iter().map(|w| w * synth_scale).collect();

    let mut planner = RealFftPlanner::<f32>::new();
    let fwd: Arc<dyn RealToComplex<f32>> = planner.plan_fft_forward(n);
    let inv: Arc<dyn ComplexToReal<f32>> = planner.plan_fft_inverse(n);
    let mut fft_in = fwd.make_input_vec();
    let mut fft_scratch = fwd.make_scratch_vec();
    let mut inv_scratch = inv.make_scratch_vec();
    let mut time_out = inv.make_output_vec();
    let mut spec_tmp = fwd.make_output_vec();

    // Input queue (interleaved), starting with n − hop zeros so the first sample is
    // covered by a full set of overlapping frames.
    let pad = n - hop;
    let mut queue: Vec<f32> = vec![0.0; pad * ch];
    // Start of the next frame in `queue`; consumed samples are dropped once per read, not
    // once per frame, so advancing costs nothing.
    let mut qpos = 0usize;
    let mut read_buf = vec![0.0f32; CHUNK_FRAMES * ch];
    let mut input_len: Option<u64> = None;
    let mut read_frames = 0u64;

    let ring_len = 2 * context + 1;
    let mut ring: Vec<Frame> = vec![Frame::zeros(ch, bins); ring_len];
    // Frames analysed so far; frame m sits at ring[m % ring_len]. History before frame 0
    // is the zero frames the ring starts with.
    let mut analysed = 0u64;
    let mut out_spec = vec![vec![vec![Complex32::new(0.0, 0.0); bins]; ch]; slots];
    let mut ola = vec![vec![vec![0.0f32; n]; ch]; slots];
    let mut out_bufs: Vec<Vec<f32>> = vec![Vec::with_capacity(CHUNK_FRAMES * ch); slots];
    let mut emitted = 0u64;

    loop {
        // Frames needed in total once the length is known: enough to cover the last sample.
        let needed = input_len.map(|len| {
            if len == 0 {
                0
            } else {
                (pad as u64 + len - 1) / hop as u64 + 1
            }
        });
        if needed.is_some_and(|m| analysed >= m + context as u64) {
            break;
        }
        // Keep n frames of input queued (zeros once the input has ended).
        while queue.len() - qpos < n * ch {
            if input_len.is_some() {
                queue.resize(qpos + n * ch, 0.0);
                break;
            }
            if progress.cancelled() {
                return Err(SeparationError::Cancelled);
            }
            queue.drain(..qpos);
            qpos = 0;
            let got = input.read(&mut read_buf)?;
            if got == 0 {
                input_len = Some(read_frames);
                continue;
            }
            read_frames += got as u64;
            queue.extend_from_slice(&read_buf[..got * ch]);
            if let Some(t) = total.filter(|t| *t > 0) {
                progress.set_fraction((read_frames as f64 / t as f64).min(1.0) as f32);
            }
        }
        if input_len == Some(0) {
            break;
        }

        // Analyse frame `analysed` into the ring.
        let slot_idx = (analysed % ring_len as u64) as usize;
        let frame = &mut ring[slot_idx];
        frame.mag.iter_mut().for_each(|m| *m = 0.0);
        let samples = &queue[qpos..qpos + n * ch];
        for c in 0..ch {
            for ((v, s), w) in fft_in
                .iter_mut()
                .zip(samples.iter().skip(c).step_by(ch))
                .zip(&window)
            {
                *v = s * w;
            }
            fwd.process_with_scratch(&mut fft_in, &mut spec_tmp, &mut fft_scratch)
                .map_err(|e| AudioError::Format(format!("FFT: {e}")))?;
            frame.spec[c].copy_from_slice(&spec_tmp);
            for (m, z) in frame.mag.iter_mut().zip(&spec_tmp) {
                *m += z.norm() / ch as f32;
            }
        }
        qpos += hop * ch;
        analysed += 1;

        // The centre frame `analysed − 1 − context` now has its full look-ahead.
        let Some(center) = (analysed - 1).checked_sub(context as u64) else {
            continue;
        };
        let start = ((center as i64 - context as i64).rem_euclid(ring_len as i64)) as usize;
        let win = FrameWindow {
            ring: &ring,
            start,
            context,
            index: center,
        };
        processor.process(&win, &mut out_spec);

        // Synthesis + overlap-add; the first `hop` samples of the accumulator are final.
        let base = center * hop as u64;
        for s in 0..slots {
            for c in 0..ch {
                spec_tmp.copy_from_slice(&out_spec[s][c]);
                // A real signal's DC and Nyquist bins are real; drop rounding residue.
                spec_tmp[0].im = 0.0;
                spec_tmp[bins - 1].im = 0.0;
                inv.process_with_scratch(&mut spec_tmp, &mut time_out, &mut inv_scratch)
                    .map_err(|e| AudioError::Format(format!("inverse FFT: {e}")))?;
                for ((a, t), w) in ola[s][c].iter_mut().zip(&time_out).zip(&synth_window) {
                    *a += t * w;
                }
            }
        }
        // Padded-domain samples base..base+hop are final: emit the part inside the input.
        let lo = base.max(pad as u64);
        let hi = match input_len {
            Some(len) => (base + hop as u64).min(pad as u64 + len),
            None => base + hop as u64,
        };
        for ((acc, buf), out) in ola
            .iter_mut()
            .zip(out_bufs.iter_mut())
            .zip(outputs.iter_mut())
        {
            if hi > lo {
                for i in (lo - base) as usize..(hi - base) as usize {
                    buf.extend(acc.iter().map(|channel| channel[i]));
                }
            }
            for channel in acc.iter_mut() {
                channel.copy_within(hop.., 0);
                channel[n - hop..].iter_mut().for_each(|v| *v = 0.0);
            }
            if buf.len() >= CHUNK_FRAMES * ch {
                out.write(buf)?;
                buf.clear();
            }
        }
        if hi > lo {
            emitted += hi - lo;
        }
    }
    for s in 0..slots {
        if !out_bufs[s].is_empty() {
            outputs[s].write(&out_bufs[s])?;
        }
    }
    debug_assert_eq!(Some(emitted), input_len.or(Some(0)));
    progress.set_fraction(1.0);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::separator::NoProgress;

    struct VecSource {
        data: Vec<f32>,
        pos: usize,
        step: usize,
    }
    impl AudioSource for VecSource {
        fn sample_rate(&self) -> u32 {
            44_100
        }
        fn channels(&self) -> usize {
            2
        }
        fn total_frames(&self) -> Option<u64> {
            Some(self.data.len() as u64 / 2)
        }
        fn read(&mut self, buf: &mut [f32]) -> Result<usize, AudioError> {
            let n = (buf.len().min(self.step * 2)).min(self.data.len() - self.pos);
            buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
            self.pos += n;
            Ok(n / 2)
        }
    }
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
    /// Slot 0 = the input, slot 1 = silence; with look-ahead to exercise the ring.
    struct Identity(usize, u64);
    impl SpectralProcessor for Identity {
        fn context(&self) -> usize {
            self.0
        }
        fn process(&mut self, w: &FrameWindow<'_>, out: &mut [Vec<Vec<Complex32>>]) {
            assert_eq!(
                w.index(),
                self.1,
                "frames are processed in order, once each"
            );
            self.1 += 1;
            for (o, spec) in out[0].iter_mut().zip(&w.center().spec) {
                o.copy_from_slice(spec);
            }
            out[1]
                .iter_mut()
                .flatten()
                .for_each(|z| *z = Complex32::new(0.0, 0.0));
        }
    }

    fn roundtrip(len: usize, context: usize, step: usize, params: StftParams) {
        let data: Vec<f32> = (0..len * 2)
            .map(|i| {
                ((i as f32 * 0.013).sin() * 0.5 + ((i * 7919) % 101) as f32 / 400.0)
                    * if i % 2 == 0 { 1.0 } else { -0.7 }
            })
            .collect();
        let mut src = VecSource {
            data: data.clone(),
            pos: 0,
            step,
        };
        let (mut a, mut b) = (VecSink(Vec::new()), VecSink(Vec::new()));
        let mut outs: Vec<&mut dyn AudioSink> = vec![&mut a, &mut b];
        run(
            params,
            &mut src,
            &mut outs,
            &mut Identity(context, 0),
            &NoProgress,
        )
        .expect("run");
        assert_eq!(a.0.len(), data.len(), "exact length for {len} frames");
        assert_eq!(b.0.len(), data.len());
        let err =
            a.0.iter()
                .zip(&data)
                .map(|(x, y)| (x - y).abs())
                .fold(0.0f32, f32::max);
        assert!(err < 1e-5, "reconstruction error {err} for {len} frames");
        assert!(b.0.iter().all(|v| *v == 0.0));
    }

    #[test]
    fn identity_reconstructs_exactly_for_any_length() {
        let p = StftParams::new(1024, 256).expect("params");
        for len in [0, 1, 100, 1023, 1024, 12_345] {
            roundtrip(len, 0, 70_000, p);
            roundtrip(len, 3, 777, p);
        }
        roundtrip(5000, 2, 1, StftParams::new(256, 32).expect("params"));
    }

    #[test]
    fn rejects_bad_params() {
        assert!(StftParams::new(1000, 250).is_err());
        assert!(StftParams::new(1024, 512).is_err());
        assert!(StftParams::new(1024, 0).is_err());
    }
}

//! Chunked inference for waveform models, `[B, 2, C] → [B, S, 2, C]` (MDX23C and
//! BS-/Mel-Band Roformer exports with the STFT inside the graph, model-formats spec
//! §3.4, §3.5, §3.7). Two schedules, as the references run them:
//! - [`Schedule::Roformer`] (python-audio-separator): windows every ⌊C/V⌋ samples, the
//!   last one aligned to the end of the track, no padding, a symmetric Hamming-weighted
//!   average;
//! - [`Schedule::Mdx23c`] (UVR, audio-separator): the track zero-padded by C − hop on
//!   both sides, windows every hop = ⌊C/V⌋, outputs summed without a window and divided
//!   by V.
//!
//! Streaming: windows are read from the spooled track and the outputs before the next
//! window's start are written as soon as they are final, so memory is bounded by the
//! window, not the recording.

use super::overlap_add::OverlapAdd;
use crate::audio::AudioSink;
use crate::audio::spool::SpooledAudio;
use crate::separator::{SeparationError, SeparationProgress};

/// A network run over fixed-length stereo windows.
pub trait WindowModel {
    /// Samples per window (C), fixed by the export.
    fn chunk(&self) -> usize;
    /// Stems the network outputs (S; 1 for a single-target model).
    fn outputs(&self) -> usize;
    /// `windows` is planar `[batch][2][C]`; `out` is planar `[batch][S][2][C]`.
    fn run(&mut self, windows: &[f32], batch: usize, out: &mut [f32]) -> Result<(), String>;
    /// Where it runs (see `AudioSeparator::device`).
    fn device(&self) -> String {
        "cpu".to_string()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schedule {
    Roformer,
    Mdx23c,
}

#[derive(Debug, Clone, PartialEq)]
pub struct WaveformOptions {
    pub schedule: Schedule,
    /// V: how many windows cover a sample (step = ⌊C/V⌋).
    pub overlap: usize,
    /// Windows per forward pass.
    pub batch_size: usize,
    /// Also write `mix − stem 0` as an extra, last output (single-target models, §3.3).
    pub residual: bool,
}

/// Start positions (in track frames; negative = in the leading padding) of every window
/// that touches a track of `n` frames.
pub fn window_starts(schedule: Schedule, n: u64, chunk: usize, overlap: usize) -> Vec<i64> {
    let n = n as i64;
    let c = chunk as i64;
    let step = (c / overlap.max(1) as i64).max(1);
    let mut starts = Vec::new();
    if n == 0 || c == 0 {
        return starts;
    }
    match schedule {
        Schedule::Roformer => {
            let mut s = 0i64;
            loop {
                if s + c >= n {
                    let last = (n - c).max(0);
                    if starts.last() != Some(&last) {
                        starts.push(last);
                    }
                    break;
                }
                starts.push(s);
                s += step;
            }
        }
        Schedule::Mdx23c => {
            // padded = [zeros(C − hop) | track | zeros(pad + C − hop)], windows at k·hop
            // that fit entirely; pad = hop − ((n − C) mod hop) ∈ [1, hop].
            let pad = step - (n - c).rem_euclid(step);
            let padded = 2 * (c - step) + n + pad;
            let mut k = 0i64;
            while k * step + c <= padded {
                let start = k * step - (c - step);
                if start < n {
                    starts.push(start);
                }
                k += 1;
            }
        }
    }
    starts
}

/// Symmetric Hamming window of length `len` (0.54 − 0.46·cos(2πk/(len−1))).
pub fn hamming(len: usize) -> Vec<f32> {
    if len == 1 {
        return vec![1.0];
    }
    let denom = (len - 1) as f64;
    (0..len)
        .map(|k| (0.54 - 0.46 * (2.0 * std::f64::consts::PI * k as f64 / denom).cos()) as f32)
        .collect()
}

/// Runs `model` over the whole spooled track and writes one stereo stream per network
/// output (model order), plus `mix − output 0` when `options.residual`, into `outputs`.
/// `name` is the model's name for error messages.
pub fn apply_waveform(
    name: &str,
    model: &mut dyn WindowModel,
    input: &SpooledAudio,
    options: &WaveformOptions,
    outputs: &mut [&mut dyn AudioSink],
    progress: &dyn SeparationProgress,
) -> Result<(), SeparationError> {
    let err = |reason: String| SeparationError::Model {
        model: name.to_string(),
        reason,
    };
    let stems = model.outputs();
    let chunk = model.chunk();
    let expected = stems + usize::from(options.residual);
    if outputs.len() != expected {
        return Err(err(format!(
            "{} outputs for {stems} network outputs{}",
            outputs.len(),
            if options.residual { " + residual" } else { "" }
        )));
    }
    if options.residual && stems != 1 {
        return Err(err(format!(
            "a residual stem needs a single-output model, this one has {stems}"
        )));
    }
    if input.channels() != 2 {
        return Err(err(format!(
            "expects stereo input, got {} channels",
            input.channels()
        )));
    }
    if chunk == 0 || options.overlap == 0 || options.batch_size == 0 {
        return Err(err(
            "chunk, overlap and batch size must all be at least 1".into()
        ));
    }
    let n = input.frames() as i64;
    let starts = window_starts(options.schedule, n as u64, chunk, options.overlap);
    if starts.is_empty() {
        return Ok(());
    }

    // Roformer averages with a Hamming weight; MDX23C sums with weight 1 and divides by V.
    let (weight, divisor) = match options.schedule {
        Schedule::Roformer => (hamming(chunk), None),
        Schedule::Mdx23c => (vec![1.0f32; chunk], Some(options.overlap as f32)),
    };
    let mut acc = OverlapAdd::new(2 * stems, starts[0].min(0));

    let batch_cap = options.batch_size;
    let mut interleaved = vec![0.0f32; chunk * 2];
    let mut windows = vec![0.0f32; batch_cap * 2 * chunk];
    let mut out = vec![0.0f32; batch_cap * stems * 2 * chunk];
    let mut kept = Vec::with_capacity(chunk * 2 * stems);
    let mut frames = Vec::new();
    let mut mix = Vec::new();
    let mut stem = Vec::new();
    let mut emitted = 0i64;

    for (b, group) in starts.chunks(batch_cap).enumerate() {
        if progress.cancelled() {
            return Err(SeparationError::Cancelled);
        }
        let batch = group.len();
        for (i, &start) in group.iter().enumerate() {
            input.read_frames(start, &mut interleaved)?;
            let window = &mut windows[i * 2 * chunk..(i + 1) * 2 * chunk];
            for (f, frame) in interleaved.chunks_exact(2).enumerate() {
                window[f] = frame[0];
                window[chunk + f] = frame[1];
            }
        }
        model
            .run(
                &windows[..batch * 2 * chunk],
                batch,
                &mut out[..batch * stems * 2 * chunk],
            )
            .map_err(err)?;
        for (i, &start) in group.iter().enumerate() {
            // A window never reaches past the end of what it covers: the track (Roformer)
            // or the padding, whose outputs are cropped anyway.
            let len = (n - start).min(chunk as i64) as usize;
            let result = &out[i * stems * 2 * chunk..(i + 1) * stems * 2 * chunk];
            kept.clear();
            for f in 0..len {
                for s in 0..stems {
                    for c in 0..2 {
                        kept.push(result[(s * 2 + c) * chunk + f]);
                    }
                }
            }
            acc.add(start, &kept, &weight[..len]);
        }
        let done = (b * batch_cap + batch) as f32;
        progress.set_fraction(done / starts.len() as f32);

        // Everything before the next window is final.
        let upto = starts
            .get((b + 1) * batch_cap)
            .copied()
            .unwrap_or(n)
            .clamp(0, n);
        if upto <= emitted {
            continue;
        }
        frames.clear();
        let from = acc.base();
        match divisor {
            None => acc.take_until(upto, &mut frames),
            Some(_) => acc.take_sums_until(upto, &mut frames),
        }
        // Drop what lies in the leading padding (MDX23C's first windows).
        frames.drain(..((emitted - from).max(0) as usize) * 2 * stems);
        if let Some(v) = divisor {
            frames.iter_mut().for_each(|x| *x /= v);
        }
        let count = (upto - emitted) as usize;
        for (s, sink) in outputs.iter_mut().take(stems).enumerate() {
            stem.clear();
            for f in 0..count {
                let at = f * 2 * stems + s * 2;
                stem.extend_from_slice(&frames[at..at + 2]);
            }
            sink.write(&stem)?;
        }
        if options.residual {
            mix.resize(count * 2, 0.0);
            input.read_frames(emitted, &mut mix)?;
            stem.clear();
            for f in 0..count {
                for c in 0..2 {
                    stem.push(mix[f * 2 + c] - frames[f * 2 + c]);
                }
            }
            outputs[stems].write(&stem)?;
        }
        emitted = upto;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roformer_starts_end_aligned_without_duplicates() {
        // C = 10, V = 4 → step 2; n = 15: 0, 2, 4 and then 5 (= n − C).
        assert_eq!(
            window_starts(Schedule::Roformer, 15, 10, 4),
            vec![0, 2, 4, 5]
        );
        // n − C lands on a step: no duplicate.
        assert_eq!(window_starts(Schedule::Roformer, 14, 10, 4), vec![0, 2, 4]);
        // Shorter than a window: one window at 0.
        assert_eq!(window_starts(Schedule::Roformer, 7, 10, 4), vec![0]);
        assert!(window_starts(Schedule::Roformer, 0, 10, 4).is_empty());
    }

    #[test]
    fn mdx23c_starts_cover_the_padded_track() {
        // C = 8, V = 4 → hop 2; n = 11: pad = 2 − ((11 − 8) mod 2) = 1,
        // padded = 2·6 + 11 + 1 = 24, windows at 0, 2, …, 16 (16 + 8 = 24), in track
        // coordinates −6, −4, …, 10.
        assert_eq!(
            window_starts(Schedule::Mdx23c, 11, 8, 4),
            vec![-6, -4, -2, 0, 2, 4, 6, 8, 10]
        );
        // Every track sample is covered by exactly V windows when V divides C.
        let starts = window_starts(Schedule::Mdx23c, 11, 8, 4);
        for p in 0..11i64 {
            let cover = starts.iter().filter(|&&s| s <= p && p < s + 8).count();
            assert_eq!(cover, 4, "sample {p}");
        }
    }

    #[test]
    fn hamming_is_symmetric_with_the_references_endpoints() {
        let w = hamming(5);
        assert!((w[0] - 0.08).abs() < 1e-6 && (w[4] - 0.08).abs() < 1e-6);
        assert!((w[2] - 1.0).abs() < 1e-6);
        assert!((w[1] - w[3]).abs() < 1e-7);
    }
}

//! Demucs' `apply_model` around a fixed-length window model: track-level normalisation,
//! the random shift trick, overlapping windows with a triangular transition weight, and
//! the centred window for the last, short chunk (model-formats spec §2.2–2.3).
//!
//! Shared by every backend that runs HTDemucs exports (ONNX, TorchScript): a backend
//! only supplies [`SegmentModel::run`] for one window.

use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{RngCore, SeedableRng};

use super::overlap_add::OverlapAdd;
use crate::audio::AudioSink;
use crate::audio::spool::SpooledAudio;
use crate::separator::{SeparationError, SeparationProgress};

/// One forward pass of a model over exactly [`SegmentModel::segment`] stereo samples.
pub trait SegmentModel {
    /// Samples per window, fixed by the export (343 980 for HTDemucs v4).
    fn segment(&self) -> usize;
    /// Number of sources the model outputs.
    fn sources(&self) -> usize;
    /// `window` is planar `[2][segment]` (already track-normalised); `out` is planar
    /// `[sources][2][segment]`.
    fn run(&mut self, window: &[f32], out: &mut [f32]) -> Result<(), String>;
    /// Where it runs (see `AudioSeparator::device`).
    fn device(&self) -> String {
        "cpu".to_string()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct DemucsOptions {
    /// Fraction of a window shared with the next one (0 ≤ overlap < 1); Demucs uses 0.25.
    pub overlap: f32,
    /// Random time shifts averaged (0 = none). Each costs a full pass.
    pub shifts: usize,
    /// Seed for the shift offsets, so runs are reproducible.
    pub seed: u64,
    /// Exponent of the triangular transition weight (1 in Demucs).
    pub transition_power: f32,
}

impl Default for DemucsOptions {
    fn default() -> Self {
        Self {
            overlap: 0.25,
            shifts: 0,
            seed: 0,
            transition_power: 1.0,
        }
    }
}

impl DemucsOptions {
    pub fn validate(&self) -> Result<(), String> {
        if !(0.0..1.0).contains(&self.overlap) {
            return Err(format!("overlap must be in [0, 1), got {}", self.overlap));
        }
        if !(self.transition_power.is_finite() && self.transition_power > 0.0) {
            return Err(format!(
                "transition_power must be > 0, got {}",
                self.transition_power
            ));
        }
        if self.shifts > 20 {
            return Err(format!(
                "shifts must be at most 20 (each one is a full pass), got {}",
                self.shifts
            ));
        }
        Ok(())
    }
}

/// The triangular weight of Demucs' split: 1, 2, …, ⌊L/2⌋, L − ⌊L/2⌋, …, 2, 1, scaled to
/// a maximum of 1 and raised to `power`.
pub fn transition_weight(segment: usize, power: f32) -> Vec<f32> {
    let half = segment / 2;
    let raw: Vec<f32> = (1..=half)
        .chain((1..=segment - half).rev())
        .map(|v| v as f32)
        .collect();
    let max = raw.iter().copied().fold(0.0f32, f32::max).max(1.0);
    raw.into_iter().map(|v| (v / max).powf(power)).collect()
}

/// One pass of the split over the (possibly shifted) track.
struct Pass {
    /// Track position of view position 0 (negative with a shift: the view starts in the
    /// zero padding before the track).
    origin: i64,
    /// Length of the view in samples.
    len: i64,
    acc: OverlapAdd,
}

impl Pass {
    fn chunks(&self, stride: i64) -> i64 {
        if self.len <= 0 {
            0
        } else {
            (self.len + stride - 1) / stride
        }
    }
}

/// Runs `model` over the whole spooled track and writes one stereo stream per source
/// (model order) into `outputs`. `name` is the model's name for error messages.
pub fn apply_model(
    name: &str,
    model: &mut dyn SegmentModel,
    input: &SpooledAudio,
    options: &DemucsOptions,
    outputs: &mut [&mut dyn AudioSink],
    progress: &dyn SeparationProgress,
) -> Result<(), SeparationError> {
    let err = |reason: String| SeparationError::Model {
        model: name.to_string(),
        reason,
    };
    options.validate().map_err(err)?;
    let sources = model.sources();
    if outputs.len() != sources {
        return Err(err(format!(
            "{} outputs for {sources} sources",
            outputs.len()
        )));
    }
    if input.channels() != 2 {
        return Err(err(format!(
            "expects stereo input, got {} channels",
            input.channels()
        )));
    }
    let n = input.frames() as i64;
    let seg = model.segment();
    if seg == 0 {
        return Err(err("the model's segment length is 0".into()));
    }
    if n == 0 {
        return Ok(());
    }
    let stride = ((1.0 - f64::from(options.overlap)) * seg as f64)
        .floor()
        .max(1.0) as i64;
    let weight = transition_weight(seg, options.transition_power);

    // Track normalisation (UVR: no epsilon; a silent or constant track keeps σ = 1).
    let stats = input.stats();
    let mean = stats.mean as f32;
    let std = if stats.std > 1e-8 {
        stats.std as f32
    } else {
        1.0
    };

    // Shift trick: each pass sees the track padded with ½ s of silence on both sides and
    // starts at a random offset into that padding.
    let max_shift = i64::from(input.sample_rate() / 2);
    let mut passes: Vec<Pass> = if options.shifts == 0 {
        vec![Pass {
            origin: 0,
            len: n,
            acc: OverlapAdd::new(2 * sources, 0),
        }]
    } else {
        let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
        (0..options.shifts)
            .map(|_| {
                let offset = (rng.next_u64() % (max_shift as u64 + 1)) as i64;
                let origin = offset - max_shift;
                Pass {
                    origin,
                    len: n + max_shift - offset,
                    acc: OverlapAdd::new(2 * sources, origin),
                }
            })
            .collect()
    };
    let total_chunks: i64 = passes.iter().map(|p| p.chunks(stride)).sum();
    let max_chunks = passes.iter().map(|p| p.chunks(stride)).max().unwrap_or(0);

    let mut interleaved = vec![0.0f32; seg * 2];
    let mut window = vec![0.0f32; seg * 2];
    let mut out = vec![0.0f32; sources * 2 * seg];
    let mut kept = Vec::with_capacity(seg * 2 * sources);
    let mut pass_frames: Vec<Vec<f32>> = vec![Vec::new(); passes.len()];
    let mut stem = Vec::new();
    let mut emitted = 0i64;
    let mut done = 0i64;

    for k in 0..max_chunks {
        for pass in passes.iter_mut() {
            if k >= pass.chunks(stride) {
                continue;
            }
            if progress.cancelled() {
                return Err(SeparationError::Cancelled);
            }
            let offset = k * stride;
            let chunk_len = (pass.len - offset).min(seg as i64) as usize;
            let lead = (seg - chunk_len) / 2;
            // The model window is centred on the chunk and reads real audio around it;
            // silence only outside the track.
            let start = pass.origin + offset - lead as i64;
            input.read_frames(start, &mut interleaved)?;
            for i in 0..seg {
                let pos = start + i as i64;
                let inside = pos >= 0 && pos < n;
                for c in 0..2 {
                    window[c * seg + i] = if inside {
                        (interleaved[i * 2 + c] - mean) / std
                    } else {
                        0.0
                    };
                }
            }
            model.run(&window, &mut out).map_err(err)?;
            kept.clear();
            for i in lead..lead + chunk_len {
                for s in 0..sources {
                    for c in 0..2 {
                        kept.push(out[(s * 2 + c) * seg + i]);
                    }
                }
            }
            pass.acc
                .add(pass.origin + offset, &kept, &weight[..chunk_len]);
            done += 1;
            progress.set_fraction(done as f32 / total_chunks as f32);
        }

        // Everything before the next window of every pass is final.
        let upto = passes
            .iter()
            .map(|p| {
                if k + 1 < p.chunks(stride) {
                    p.origin + (k + 1) * stride
                } else {
                    n
                }
            })
            .min()
            .unwrap_or(n)
            .min(n);
        if upto <= emitted {
            continue;
        }
        for (pass, frames) in passes.iter_mut().zip(pass_frames.iter_mut()) {
            frames.clear();
            let from = pass.acc.base();
            pass.acc.take_until(upto, frames);
            frames.drain(..((emitted - from).max(0) as usize) * 2 * sources);
        }
        let count = (upto - emitted) as usize;
        let scale = std / passes.len() as f32;
        for (s, sink) in outputs.iter_mut().enumerate() {
            stem.clear();
            for i in 0..count {
                for c in 0..2 {
                    let at = i * 2 * sources + s * 2 + c;
                    let sum: f32 = pass_frames.iter().map(|f| f[at]).sum();
                    stem.push(sum * scale + mean);
                }
            }
            sink.write(&stem)?;
        }
        emitted = upto;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transition_weight_matches_demucs() {
        assert_eq!(transition_weight(4, 1.0), vec![0.5, 1.0, 1.0, 0.5]);
        let w = transition_weight(5, 1.0);
        // 1, 2, 3, 2, 1 over max 3
        let expect = [1.0 / 3.0, 2.0 / 3.0, 1.0, 2.0 / 3.0, 1.0 / 3.0];
        for (a, b) in w.iter().zip(expect) {
            assert!((a - b).abs() < 1e-6);
        }
        let squared = transition_weight(4, 2.0);
        assert_eq!(squared, vec![0.25, 1.0, 1.0, 0.25]);
    }

    #[test]
    fn options_are_validated() {
        let bad = DemucsOptions {
            overlap: 1.0,
            ..Default::default()
        };
        assert!(bad.validate().expect_err("overlap 1.0").contains("overlap"));
        assert!(DemucsOptions::default().validate().is_ok());
    }
}

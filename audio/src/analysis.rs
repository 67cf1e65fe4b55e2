//! Per-stem analysis in the same pass as encoding: EBU R128 integrated loudness, true and
//! sample peak (ebur128), and waveform peaks for the web player.

use serde::{Deserialize, Serialize};

use crate::{AudioError, AudioSink};

/// Waveform resolution: peaks per second of audio. 100/s gives 360k buckets (720 KB) for
/// an hour, enough to zoom to a bar while staying small.
pub const PEAKS_PER_SECOND: u32 = 100;

/// Resolution of [`Analyzer::levels`] (the stems' activity the take analysis reads).
pub const LEVELS_PER_SECOND: u32 = 10;

/// Magic of the binary waveform file (`*.peaks`).
pub const PEAKS_MAGIC: &[u8; 4] = b"STPK";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StemAnalysis {
    pub frames: u64,
    pub duration_seconds: f64,
    /// `None` when the stem is silent (every block gated out).
    pub lufs: Option<f64>,
    pub true_peak_dbtp: Option<f64>,
    pub sample_peak_dbfs: Option<f64>,
}

/// An [`AudioSink`] measuring what passes through it.
pub struct Analyzer {
    meter: ebur128::EbuR128,
    sample_rate: u32,
    channels: usize,
    frames: u64,
    waveform: WaveformBuilder,
    levels: LevelBuilder,
}

impl Analyzer {
    pub fn new(sample_rate: u32, channels: usize) -> Result<Self, AudioError> {
        let mode = ebur128::Mode::I | ebur128::Mode::TRUE_PEAK | ebur128::Mode::SAMPLE_PEAK;
        let meter = ebur128::EbuR128::new(channels as u32, sample_rate, mode)
            .map_err(|e| AudioError::Format(format!("loudness meter: {e}")))?;
        Ok(Self {
            meter,
            sample_rate,
            channels,
            frames: 0,
            waveform: WaveformBuilder::new(sample_rate, channels),
            levels: LevelBuilder {
                frames_per_level: (sample_rate / LEVELS_PER_SECOND).max(1) as usize,
                ..Default::default()
            },
        })
    }

    /// Mean power (all channels) per [`LEVELS_PER_SECOND`]th of a second so far, the
    /// last block partial.
    pub fn levels(&self) -> Vec<f32> {
        let mut out = self.levels.levels.clone();
        if self.levels.in_block > 0 {
            out.push((self.levels.sum / self.levels.in_block as f64) as f32);
        }
        out
    }

    /// The measurements and the encoded waveform file.
    pub fn finish_analysis(&self) -> Result<(StemAnalysis, Vec<u8>), AudioError> {
        let err = |e: ebur128::Error| AudioError::Format(format!("loudness meter: {e}"));
        let lufs = self.meter.loudness_global().map_err(err)?;
        let mut tp = 0.0f64;
        let mut sp = 0.0f64;
        for ch in 0..self.channels as u32 {
            tp = tp.max(self.meter.true_peak(ch).map_err(err)?);
            sp = sp.max(self.meter.sample_peak(ch).map_err(err)?);
        }
        let db = |x: f64| (x > 0.0).then(|| 20.0 * x.log10());
        Ok((
            StemAnalysis {
                frames: self.frames,
                duration_seconds: self.frames as f64 / f64::from(self.sample_rate),
                lufs: lufs.is_finite().then_some(lufs),
                true_peak_dbtp: db(tp),
                sample_peak_dbfs: db(sp),
            },
            self.waveform.encode(),
        ))
    }
}

impl AudioSink for Analyzer {
    fn write(&mut self, interleaved: &[f32]) -> Result<(), AudioError> {
        self.meter
            .add_frames_f32(interleaved)
            .map_err(|e| AudioError::Format(format!("loudness meter: {e}")))?;
        self.frames += (interleaved.len() / self.channels) as u64;
        self.waveform.push(interleaved);
        self.levels.push(interleaved, self.channels);
        Ok(())
    }
    fn finish(&mut self) -> Result<(), AudioError> {
        Ok(())
    }
}

/// Mean power per block of `frames_per_level` frames.
#[derive(Default)]
struct LevelBuilder {
    frames_per_level: usize,
    in_block: usize,
    sum: f64,
    levels: Vec<f32>,
}

impl LevelBuilder {
    fn push(&mut self, interleaved: &[f32], channels: usize) {
        let scale = 1.0 / channels.max(1) as f64;
        for frame in interleaved.chunks_exact(channels.max(1)) {
            let p: f32 = frame.iter().map(|s| s * s).sum();
            self.sum += f64::from(p) * scale;
            self.in_block += 1;
            if self.in_block == self.frames_per_level {
                self.levels.push((self.sum / self.in_block as f64) as f32);
                self.sum = 0.0;
                self.in_block = 0;
            }
        }
    }
}

/// Min/max of all channels per bucket, quantised to i8.
struct WaveformBuilder {
    sample_rate: u32,
    channels: usize,
    samples_per_peak: usize,
    in_bucket: usize,
    min: f32,
    max: f32,
    peaks: Vec<i8>,
}

impl WaveformBuilder {
    fn new(sample_rate: u32, channels: usize) -> Self {
        Self {
            sample_rate,
            channels,
            samples_per_peak: (sample_rate / PEAKS_PER_SECOND).max(1) as usize,
            in_bucket: 0,
            min: 0.0,
            max: 0.0,
            peaks: Vec::new(),
        }
    }

    fn push(&mut self, interleaved: &[f32]) {
        for frame in interleaved.chunks_exact(self.channels) {
            for &s in frame {
                self.min = self.min.min(s);
                self.max = self.max.max(s);
            }
            self.in_bucket += 1;
            if self.in_bucket == self.samples_per_peak {
                self.close_bucket();
            }
        }
    }

    fn close_bucket(&mut self) {
        let q = |x: f32| (x.clamp(-1.0, 1.0) * 127.0).round() as i8;
        self.peaks.push(q(self.min));
        self.peaks.push(q(self.max));
        self.in_bucket = 0;
        self.min = 0.0;
        self.max = 0.0;
    }

    /// Layout (little endian): magic "STPK", u32 version = 1, u32 sample rate,
    /// u32 frames per peak, u64 peak count, then count × (i8 min, i8 max).
    fn encode(&self) -> Vec<u8> {
        let mut peaks = self.peaks.clone();
        if self.in_bucket > 0 {
            let q = |x: f32| (x.clamp(-1.0, 1.0) * 127.0).round() as i8;
            peaks.push(q(self.min));
            peaks.push(q(self.max));
        }
        let mut out = Vec::with_capacity(24 + peaks.len());
        out.extend_from_slice(PEAKS_MAGIC);
        out.extend_from_slice(&1u32.to_le_bytes());
        out.extend_from_slice(&self.sample_rate.to_le_bytes());
        out.extend_from_slice(&(self.samples_per_peak as u32).to_le_bytes());
        out.extend_from_slice(&((peaks.len() / 2) as u64).to_le_bytes());
        out.extend(peaks.iter().map(|&p| p as u8));
        out
    }
}

/// A decoded waveform file.
#[derive(Debug, Clone, PartialEq)]
pub struct Waveform {
    pub sample_rate: u32,
    pub frames_per_peak: u32,
    /// (min, max) pairs in -127..=127.
    pub peaks: Vec<(i8, i8)>,
}

pub fn decode_waveform(bytes: &[u8]) -> Result<Waveform, AudioError> {
    let bad = |why: &str| AudioError::Format(format!("invalid waveform file: {why}"));
    if bytes.len() < 24 || &bytes[..4] != PEAKS_MAGIC {
        return Err(bad("missing STPK header"));
    }
    let u32_at =
        |i: usize| u32::from_le_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    if u32_at(4) != 1 {
        return Err(bad("unknown version"));
    }
    let mut count = [0u8; 8];
    count.copy_from_slice(&bytes[16..24]);
    let count = u64::from_le_bytes(count) as usize;
    let body = &bytes[24..];
    if body.len() != count * 2 {
        return Err(bad("length does not match the peak count"));
    }
    Ok(Waveform {
        sample_rate: u32_at(8),
        frames_per_peak: u32_at(12),
        peaks: body
            .chunks_exact(2)
            .map(|p| (p[0] as i8, p[1] as i8))
            .collect(),
    })
}

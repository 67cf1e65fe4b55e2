//! Float sources (32/64-bit WAV, and any decoder's output) can carry NaN, ±Inf or absurd
//! values, which poison every later stage: a resampler's FFT, the loudness meter, an
//! encoder. Stemset's rule: such a sample is *repaired* — NaN and ±Inf become silence,
//! a finite sample beyond ±[`MAX_ABS_SAMPLE`] is clipped there — and counted. A file where
//! more than [`MAX_REPAIRED_FRACTION`] of the samples needed that is not audio and is
//! refused; otherwise the count is reported (CLI output, `metadata.json`).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::{AudioError, AudioSource};

/// +24 dBFS: far above any real recording's overs, well inside what every stage handles.
pub const MAX_ABS_SAMPLE: f32 = 16.0;
/// One sample in a thousand.
pub const MAX_REPAIRED_FRACTION: f64 = 0.001;

/// What a [`Sanitized`] stream saw, readable while and after it runs.
#[derive(Debug, Default)]
pub struct SanitizeStats {
    samples: AtomicU64,
    repaired: AtomicU64,
}

impl SanitizeStats {
    pub fn samples(&self) -> u64 {
        self.samples.load(Ordering::Relaxed)
    }
    pub fn repaired(&self) -> u64 {
        self.repaired.load(Ordering::Relaxed)
    }
    /// `Err` naming the file when too many samples had to be repaired.
    pub fn check(&self, path: &std::path::Path) -> Result<(), AudioError> {
        let (n, bad) = (self.samples(), self.repaired());
        if n > 0 && bad as f64 > n as f64 * MAX_REPAIRED_FRACTION {
            return Err(AudioError::Decode {
                path: path.to_path_buf(),
                reason: format!(
                    "{bad} of its {n} samples are NaN, infinite or beyond ±{MAX_ABS_SAMPLE} \
                     (+24 dBFS): this is not usable audio"
                ),
            });
        }
        Ok(())
    }
}

/// Repairs non-finite and out-of-range samples of `inner` (see the module doc).
pub struct Sanitized<S> {
    inner: S,
    stats: Arc<SanitizeStats>,
}

impl<S> Sanitized<S> {
    pub fn new(inner: S) -> Self {
        Self {
            inner,
            stats: Arc::default(),
        }
    }
    pub fn stats(&self) -> Arc<SanitizeStats> {
        self.stats.clone()
    }
}

/// Repairs `buf` in place and returns how many samples it changed.
pub fn repair(buf: &mut [f32]) -> u64 {
    let mut bad = 0u64;
    for s in buf.iter_mut() {
        if !s.is_finite() {
            *s = 0.0;
            bad += 1;
        } else if s.abs() > MAX_ABS_SAMPLE {
            *s = s.clamp(-MAX_ABS_SAMPLE, MAX_ABS_SAMPLE);
            bad += 1;
        }
    }
    bad
}

impl<S: AudioSource> AudioSource for Sanitized<S> {
    fn sample_rate(&self) -> u32 {
        self.inner.sample_rate()
    }
    fn channels(&self) -> usize {
        self.inner.channels()
    }
    fn total_frames(&self) -> Option<u64> {
        self.inner.total_frames()
    }
    fn read(&mut self, buf: &mut [f32]) -> Result<usize, AudioError> {
        let frames = self.inner.read(buf)?;
        let n = frames * self.inner.channels();
        let bad = repair(&mut buf[..n]);
        self.stats.samples.fetch_add(n as u64, Ordering::Relaxed);
        if bad > 0 {
            self.stats.repaired.fetch_add(bad, Ordering::Relaxed);
        }
        Ok(frames)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repairs_and_counts() {
        let mut v = [0.5, f32::NAN, f32::INFINITY, -1e30, 17.0, -0.25];
        assert_eq!(repair(&mut v), 4);
        assert_eq!(v, [0.5, 0.0, 0.0, -16.0, 16.0, -0.25]);
    }

    #[test]
    fn refuses_a_mostly_broken_file() {
        let stats = SanitizeStats::default();
        stats.samples.store(10_000, Ordering::Relaxed);
        stats.repaired.store(10, Ordering::Relaxed);
        assert!(stats.check(std::path::Path::new("a.wav")).is_ok());
        stats.repaired.store(11, Ordering::Relaxed);
        let e = stats
            .check(std::path::Path::new("a.wav"))
            .expect_err("refused");
        assert!(e.to_string().contains("a.wav") && e.to_string().contains("11 of its 10000"));
    }
}

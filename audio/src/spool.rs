//! A random-access copy of a stream, kept in an unlinked temp file.
//!
//! Model backends that chunk a recording into overlapping windows (MDX-Net, Demucs) need
//! the total length before they can plan the last window, read windows out of order
//! (Demucs' shift trick runs several passes), and Demucs needs track-wide statistics
//! first. Spooling the input once to disk gives all of that with memory that does not
//! grow with the recording: only the windows being processed are in RAM.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::os::unix::fs::FileExt;
use std::path::PathBuf;

use crate::{AudioError, AudioSource, CHUNK_FRAMES};

/// Mean and unbiased standard deviation of the channel-averaged signal (what Demucs
/// normalises a track with).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrackStats {
    pub mean: f64,
    pub std: f64,
}

pub struct SpooledAudio {
    file: File,
    frames: u64,
    channels: usize,
    sample_rate: u32,
    stats: TrackStats,
}

fn io_err(source: std::io::Error) -> AudioError {
    AudioError::Io {
        path: PathBuf::from("<spool temp file>"),
        source,
    }
}

impl SpooledAudio {
    /// Reads `source` to the end into a temp file, computing [`TrackStats`] on the way.
    pub fn spool(source: &mut dyn AudioSource) -> Result<Self, AudioError> {
        let channels = source.channels();
        if channels == 0 {
            return Err(AudioError::Format("a stream with 0 channels".into()));
        }
        let file = tempfile::tempfile().map_err(io_err)?;
        let mut writer = BufWriter::with_capacity(1 << 20, file);
        let mut buf = vec![0.0f32; CHUNK_FRAMES * channels];
        let mut bytes = Vec::with_capacity(buf.len() * 4);
        let mut frames = 0u64;
        // Welford's running mean/variance of the channel mean, in f64.
        let (mut mean, mut m2) = (0.0f64, 0.0f64);
        loop {
            let n = source.read(&mut buf)?;
            if n == 0 {
                break;
            }
            let samples = &buf[..n * channels];
            for frame in samples.chunks_exact(channels) {
                let v = frame.iter().map(|&s| f64::from(s)).sum::<f64>() / channels as f64;
                frames += 1;
                let delta = v - mean;
                mean += delta / frames as f64;
                m2 += delta * (v - mean);
            }
            bytes.clear();
            for s in samples {
                bytes.extend_from_slice(&s.to_le_bytes());
            }
            writer.write_all(&bytes).map_err(io_err)?;
        }
        let file = writer.into_inner().map_err(|e| io_err(e.into_error()))?;
        let std = if frames > 1 {
            (m2 / (frames - 1) as f64).sqrt()
        } else {
            0.0
        };
        Ok(Self {
            file,
            frames,
            channels,
            sample_rate: source.sample_rate(),
            stats: TrackStats { mean, std },
        })
    }

    pub fn frames(&self) -> u64 {
        self.frames
    }
    pub fn channels(&self) -> usize {
        self.channels
    }
    pub fn sample_rate(&self) -> u32 {
        self.sample_rate
    }
    pub fn stats(&self) -> TrackStats {
        self.stats
    }

    /// Fills `out` (interleaved, a whole number of frames) with the frames starting at
    /// `start`; frames before 0 or past the end read as silence.
    pub fn read_frames(&self, start: i64, out: &mut [f32]) -> Result<(), AudioError> {
        let ch = self.channels;
        let len = (out.len() / ch) as i64;
        out.fill(0.0);
        let first = start.max(0);
        let last = (start + len).min(self.frames as i64);
        if first >= last {
            return Ok(());
        }
        let skip = ((first - start) as usize) * ch;
        let count = ((last - first) as usize) * ch;
        let mut bytes = vec![0u8; count * 4];
        self.file
            .read_exact_at(&mut bytes, first as u64 * ch as u64 * 4)
            .map_err(io_err)?;
        for (dst, src) in out[skip..skip + count]
            .iter_mut()
            .zip(bytes.chunks_exact(4))
        {
            *dst = f32::from_le_bytes([src[0], src[1], src[2], src[3]]);
        }
        Ok(())
    }
}

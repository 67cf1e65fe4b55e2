//! stemset-audio: decoding, resampling, encoding (WAV, FLAC, Ogg Opus), loudness and
//! peaks, and content hashing. No database, no HTTP, no async runtime.
//!
//! Streaming audio: every stage reads and writes interleaved `f32` frames in chunks,
//! so memory does not grow with the length of a recording.

pub mod analysis;
pub mod channels;
pub mod decode;
pub mod encode;
pub mod hashing;
pub mod limits;
pub mod opus_decode;
pub mod origin_date;
pub mod pipe;
pub mod resample;
pub mod sanitize;
pub mod sniff;
pub mod spool;
pub mod takes;
pub mod wav;

use std::path::{Path, PathBuf};

/// Frames moved per read/write call by the pipeline stages (about 1.5 s at 44.1 kHz).
pub const CHUNK_FRAMES: usize = 65_536;

#[derive(Debug, thiserror::Error)]
pub enum AudioError {
    #[error("cannot open {path}: {source}")]
    Open {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not a readable audio file: {reason}")]
    Unsupported { path: PathBuf, reason: String },
    #[error("decoding {path} failed: {reason}")]
    Decode { path: PathBuf, reason: String },
    #[error("encoding {what} failed: {reason}")]
    Encode { what: String, reason: String },
    #[error("resampling failed: {0}")]
    Resample(String),
    #[error("I/O error on {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Format(String),
    /// The stage writing a stream stopped before its end (it failed or was cancelled;
    /// its own error says why).
    #[error("the stream stopped before its end")]
    Interrupted,
    /// The stage reading a stream stopped (its own error says why).
    #[error("the stream's reader stopped")]
    Abandoned,
}

impl AudioError {
    /// True for the errors a pipe reports when the stage at its other end stopped: a
    /// consequence, never the cause, of a failed run.
    pub fn is_pipe_break(&self) -> bool {
        matches!(self, AudioError::Interrupted | AudioError::Abandoned)
    }

    /// The same error with every mention of `from` (a scratch copy) naming `to` (what the
    /// user calls the file), and any other path under `scratch` shown without it: a user
    /// never sees a server's temp folder.
    pub fn renamed(self, from: &Path, to: &str, scratch: &Path) -> Self {
        let fix = |p: PathBuf| -> PathBuf {
            if p == from {
                PathBuf::from(to)
            } else {
                p.strip_prefix(scratch).map(Path::to_path_buf).unwrap_or(p)
            }
        };
        let text = |s: String| scrub_text(&s, from, to, scratch);
        match self {
            AudioError::Open { path, source } => AudioError::Open {
                path: fix(path),
                source,
            },
            AudioError::Unsupported { path, reason } => AudioError::Unsupported {
                path: fix(path),
                reason: text(reason),
            },
            AudioError::Decode { path, reason } => AudioError::Decode {
                path: fix(path),
                reason: text(reason),
            },
            AudioError::Io { path, source } => AudioError::Io {
                path: fix(path),
                source,
            },
            AudioError::Encode { what, reason } => AudioError::Encode {
                what: text(what),
                reason: text(reason),
            },
            AudioError::Resample(s) => AudioError::Resample(text(s)),
            AudioError::Format(s) => AudioError::Format(text(s)),
            e @ (AudioError::Interrupted | AudioError::Abandoned) => e,
        }
    }
}

/// `s` with `from` replaced by `to` and the `scratch/` prefix of other paths removed.
pub fn scrub_text(s: &str, from: &Path, to: &str, scratch: &Path) -> String {
    let from = from.display().to_string();
    let scratch = scratch.display().to_string();
    let s = if from.is_empty() {
        s.to_string()
    } else {
        s.replace(&from, to)
    };
    if scratch.is_empty() {
        return s;
    }
    s.replace(&format!("{scratch}/"), "")
        .replace(&scratch, "the scratch folder")
}

/// A pull-based stream of interleaved `f32` samples.
pub trait AudioSource: Send {
    fn sample_rate(&self) -> u32;
    fn channels(&self) -> usize;
    /// Total frames, when the container says so (used for progress only).
    fn total_frames(&self) -> Option<u64>;
    /// Fills `buf` (whose length is a multiple of `channels()`) with interleaved samples
    /// and returns the number of *frames* written. `Ok(0)` means the end of the stream.
    fn read(&mut self, buf: &mut [f32]) -> Result<usize, AudioError>;
}

/// A push-based consumer of interleaved `f32` samples.
pub trait AudioSink: Send {
    /// Takes interleaved samples (a whole number of frames).
    fn write(&mut self, interleaved: &[f32]) -> Result<(), AudioError>;
    /// Flushes and closes the output. Writing after `finish` is a bug.
    fn finish(&mut self) -> Result<(), AudioError>;
}

impl<T: AudioSource + ?Sized> AudioSource for &mut T {
    fn sample_rate(&self) -> u32 {
        (**self).sample_rate()
    }
    fn channels(&self) -> usize {
        (**self).channels()
    }
    fn total_frames(&self) -> Option<u64> {
        (**self).total_frames()
    }
    fn read(&mut self, buf: &mut [f32]) -> Result<usize, AudioError> {
        (**self).read(buf)
    }
}

impl<T: AudioSource + ?Sized> AudioSource for Box<T> {
    fn sample_rate(&self) -> u32 {
        (**self).sample_rate()
    }
    fn channels(&self) -> usize {
        (**self).channels()
    }
    fn total_frames(&self) -> Option<u64> {
        (**self).total_frames()
    }
    fn read(&mut self, buf: &mut [f32]) -> Result<usize, AudioError> {
        (**self).read(buf)
    }
}

impl<T: AudioSink + ?Sized> AudioSink for Box<T> {
    fn write(&mut self, interleaved: &[f32]) -> Result<(), AudioError> {
        (**self).write(interleaved)
    }
    fn finish(&mut self) -> Result<(), AudioError> {
        (**self).finish()
    }
}

/// Reads `source` to the end, handing every chunk to `sink`; returns the frames copied.
pub fn pump(source: &mut dyn AudioSource, sink: &mut dyn AudioSink) -> Result<u64, AudioError> {
    let ch = source.channels();
    let mut buf = vec![0.0f32; CHUNK_FRAMES * ch];
    let mut total = 0u64;
    loop {
        let n = source.read(&mut buf)?;
        if n == 0 {
            return Ok(total);
        }
        sink.write(&buf[..n * ch])?;
        total += n as u64;
    }
}

/// Sends every chunk to several sinks (encode + analysis in one pass).
pub struct Tee<'a> {
    pub sinks: Vec<&'a mut dyn AudioSink>,
}

impl AudioSink for Tee<'_> {
    fn write(&mut self, interleaved: &[f32]) -> Result<(), AudioError> {
        for s in self.sinks.iter_mut() {
            s.write(interleaved)?;
        }
        Ok(())
    }
    fn finish(&mut self) -> Result<(), AudioError> {
        for s in self.sinks.iter_mut() {
            s.finish()?;
        }
        Ok(())
    }
}

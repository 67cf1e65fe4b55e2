//! Final stem encoders: WAV, FLAC and Ogg Opus, all streaming.
//!
//! Encoders write to the path they are given; callers pass a path in a scratch folder
//! and move the file into place only when `finish` succeeded, so a half-written stem is
//! never visible under its final name.

mod flac;
mod opus;

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::wav::{WavSampleFormat, WavSink};
use super::{AudioError, AudioSink};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutputFormat {
    Opus,
    Flac,
    Wav,
}

impl OutputFormat {
    pub fn extension(self) -> &'static str {
        match self {
            OutputFormat::Opus => "opus",
            OutputFormat::Flac => "flac",
            OutputFormat::Wav => "wav",
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            OutputFormat::Opus => "audio/ogg; codecs=opus",
            OutputFormat::Flac => "audio/flac",
            OutputFormat::Wav => "audio/wav",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct EncodeSpec {
    pub format: OutputFormat,
    pub sample_rate: u32,
    pub channels: usize,
    /// WAV/FLAC integer depth (16 or 24).
    pub bits_per_sample: u32,
    pub opus_bitrate_kbps: u32,
}

pub fn create_encoder(path: &Path, spec: &EncodeSpec) -> Result<Box<dyn AudioSink>, AudioError> {
    match spec.format {
        OutputFormat::Wav => {
            let bits = u16::try_from(spec.bits_per_sample).map_err(|_| AudioError::Encode {
                what: path.display().to_string(),
                reason: format!("unsupported bit depth {}", spec.bits_per_sample),
            })?;
            Ok(Box::new(WavSink::create(
                path,
                spec.sample_rate,
                spec.channels,
                WavSampleFormat::Int { bits },
            )?))
        }
        OutputFormat::Flac => Ok(Box::new(flac::FlacSink::create(path, spec)?)),
        OutputFormat::Opus => Ok(Box::new(opus::OpusSink::create(path, spec)?)),
    }
}

//! Final stem encoders: WAV, FLAC and Ogg Opus, all streaming (memory does not grow with
//! the length of the stem).
//!
//! Encoders write straight to the path they are given and only make it a complete file in
//! `finish` (WAV and FLAC patch their headers then). Callers therefore pass a temporary path
//! and rename it to the final name only after `finish` succeeded, so a half-written stem is
//! never visible under its final name.

mod flac;
mod opus;

/// The only rate Ogg Opus output takes (resample to it first).
pub use opus::OPUS_RATE;

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::wav::{WavSampleFormat, WavSink};
use crate::{AudioError, AudioSink};

/// The stem file format; "opus", "flac" or "wav" in configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutputFormat {
    /// Ogg Opus at 48 kHz (RFC 7845).
    Opus,
    /// FLAC at the source's rate, 16 or 24-bit.
    Flac,
    /// PCM WAV at the source's rate, 16 or 24-bit.
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

    /// Content type for serving the file.
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
    /// Rate of the samples handed to the encoder; must be 48000 for Opus (resample first).
    pub sample_rate: u32,
    /// 1 or 2 for Opus; up to 8 for FLAC.
    pub channels: usize,
    /// WAV/FLAC integer depth: 16 or 24 (see [`EncodeSpec::output_bits`]); ignored for Opus.
    pub bits_per_sample: u32,
    /// Opus bitrate for all channels together (6–510); ignored for WAV/FLAC.
    pub opus_bitrate_kbps: u32,
}

impl EncodeSpec {
    /// The WAV/FLAC depth for a source of `source_bits`: 16 for sources of 16 bits or
    /// fewer, else 24 (also for float and unknown depths, where 24 bits lose nothing audible).
    pub fn output_bits(source_bits: Option<u32>) -> u32 {
        match source_bits {
            Some(b) if b <= 16 => 16,
            _ => 24,
        }
    }
}

/// Opens an encoder writing to `path` (created or truncated); see the module comment for
/// why `path` should be a temporary name.
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

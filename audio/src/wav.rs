//! WAV in and out through hound: f32 intermediates, and final stems at the source's
//! integer bit depth.

use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::path::{Path, PathBuf};

use crate::{AudioError, AudioSink, AudioSource};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WavSampleFormat {
    Float32,
    Int { bits: u16 },
}

pub struct WavSource {
    reader: hound::WavReader<BufReader<File>>,
    path: PathBuf,
    spec: hound::WavSpec,
    total: u64,
}

impl WavSource {
    pub fn open(path: &Path) -> Result<Self, AudioError> {
        let file = File::open(path).map_err(|source| AudioError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        let reader =
            hound::WavReader::new(BufReader::new(file)).map_err(|e| AudioError::Unsupported {
                path: path.to_path_buf(),
                reason: e.to_string(),
            })?;
        let spec = reader.spec();
        let total = u64::from(reader.duration());
        Ok(Self {
            reader,
            path: path.to_path_buf(),
            spec,
            total,
        })
    }

    pub fn bits_per_sample(&self) -> u16 {
        self.spec.bits_per_sample
    }
}

impl AudioSource for WavSource {
    fn sample_rate(&self) -> u32 {
        self.spec.sample_rate
    }
    fn channels(&self) -> usize {
        usize::from(self.spec.channels)
    }
    fn total_frames(&self) -> Option<u64> {
        Some(self.total)
    }
    fn read(&mut self, buf: &mut [f32]) -> Result<usize, AudioError> {
        let ch = self.channels();
        let want = buf.len() / ch * ch;
        let mut n = 0;
        let err = |e: hound::Error, path: &Path| AudioError::Decode {
            path: path.to_path_buf(),
            reason: e.to_string(),
        };
        match self.spec.sample_format {
            hound::SampleFormat::Float => {
                for s in self.reader.samples::<f32>().take(want) {
                    buf[n] = s.map_err(|e| err(e, &self.path))?;
                    n += 1;
                }
            }
            hound::SampleFormat::Int => {
                // Full scale is 2^(bits-1), as in symphonia, so both readers agree.
                let scale = 1.0 / (1u64 << (self.spec.bits_per_sample - 1)) as f32;
                for s in self.reader.samples::<i32>().take(want) {
                    buf[n] = s.map_err(|e| err(e, &self.path))? as f32 * scale;
                    n += 1;
                }
            }
        }
        Ok(n / ch)
    }
}

pub struct WavSink {
    writer: Option<hound::WavWriter<BufWriter<File>>>,
    path: PathBuf,
    format: WavSampleFormat,
    /// Integer output clips at full scale; counted so it can be reported.
    pub clipped: u64,
    /// Data bytes written so far, checked against `MAX_DATA_BYTES`.
    data_bytes: u64,
    bytes_per_sample: u64,
}

/// hound keeps sizes in u32 (and would wrap past them, corrupting the file), so a WAV holds
/// at most 4 GiB of data: 3.4 h of 44.1 kHz stereo f32, 3.1 h at 48 kHz, 4.1 h of 24-bit
/// stereo at 48 kHz. Past that, writing fails with a clear error instead.
const MAX_DATA_BYTES: u64 = u32::MAX as u64 - 1024;

impl WavSink {
    pub fn create(
        path: &Path,
        sample_rate: u32,
        channels: usize,
        format: WavSampleFormat,
    ) -> Result<Self, AudioError> {
        let (bits, sample_format) = match format {
            WavSampleFormat::Float32 => (32, hound::SampleFormat::Float),
            WavSampleFormat::Int { bits } if matches!(bits, 8 | 16 | 24 | 32) => {
                (bits, hound::SampleFormat::Int)
            }
            WavSampleFormat::Int { bits } => {
                return Err(AudioError::Encode {
                    what: path.display().to_string(),
                    reason: format!("unsupported WAV bit depth {bits}"),
                });
            }
        };
        let channels = u16::try_from(channels)
            .map_err(|_| AudioError::Format(format!("{channels} channels")))?;
        let spec = hound::WavSpec {
            channels,
            sample_rate,
            bits_per_sample: bits,
            sample_format,
        };
        let writer = hound::WavWriter::create(path, spec).map_err(|e| AudioError::Encode {
            what: path.display().to_string(),
            reason: e.to_string(),
        })?;
        Ok(Self {
            writer: Some(writer),
            path: path.to_path_buf(),
            format,
            clipped: 0,
            data_bytes: 0,
            bytes_per_sample: u64::from(bits / 8),
        })
    }

    fn err(&self, e: hound::Error) -> AudioError {
        AudioError::Encode {
            what: self.path.display().to_string(),
            reason: e.to_string(),
        }
    }
}

impl AudioSink for WavSink {
    fn write(&mut self, interleaved: &[f32]) -> Result<(), AudioError> {
        let Some(w) = self.writer.as_mut() else {
            return Err(AudioError::Format(format!(
                "{} is already finished",
                self.path.display()
            )));
        };
        self.data_bytes += interleaved.len() as u64 * self.bytes_per_sample;
        if self.data_bytes > MAX_DATA_BYTES {
            return Err(AudioError::Encode {
                what: self.path.display().to_string(),
                reason: "a WAV file cannot hold more than 4 GiB of audio".into(),
            });
        }
        let mut result = Ok(());
        match self.format {
            WavSampleFormat::Float32 => {
                for &s in interleaved {
                    if let Err(e) = w.write_sample(s) {
                        result = Err(e);
                        break;
                    }
                }
            }
            WavSampleFormat::Int { bits } => {
                let max = ((1i64 << (bits - 1)) - 1) as f32;
                for &s in interleaved {
                    if !(-1.0..=1.0).contains(&s) {
                        self.clipped += 1;
                    }
                    let v = (s.clamp(-1.0, 1.0) * max).round() as i32;
                    if let Err(e) = w.write_sample(v) {
                        result = Err(e);
                        break;
                    }
                }
            }
        }
        result.map_err(|e| self.err(e))
    }

    fn finish(&mut self) -> Result<(), AudioError> {
        if let Some(w) = self.writer.take() {
            w.finalize().map_err(|e| self.err(e))?;
            if self.clipped > 0 {
                tracing::warn!(path = %self.path.display(), samples = self.clipped, "clipped samples");
            }
        }
        Ok(())
    }
}

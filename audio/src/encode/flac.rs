//! Streaming FLAC with flacenc: frames are encoded and written as the audio arrives;
//! STREAMINFO (total samples, frame sizes, MD5) is patched in at the end.

use std::fs::File;
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use flacenc::bitsink::MemSink;
use flacenc::component::{BitRepr, StreamInfo};
use flacenc::config;
use flacenc::error::{Verified, Verify};
use flacenc::source::{Context, Fill, FrameBuf};

use super::EncodeSpec;
use crate::{AudioError, AudioSink};

const BLOCK_SIZE: usize = 4096;
/// "fLaC" + the STREAMINFO block header.
const STREAMINFO_OFFSET: u64 = 8;

pub struct FlacSink {
    path: PathBuf,
    out: Option<BufWriter<File>>,
    config: Verified<config::Encoder>,
    info: StreamInfo,
    framebuf: FrameBuf,
    context: Context,
    channels: usize,
    max: f32,
    /// Integer samples waiting for a full block.
    pending: Vec<i32>,
    sink: MemSink<u8>,
    /// Smallest and largest encoded frame in bytes, for STREAMINFO.
    frame_sizes: Option<(usize, usize)>,
    clipped: u64,
}

impl FlacSink {
    pub fn create(path: &Path, spec: &EncodeSpec) -> Result<Self, AudioError> {
        let e = |reason: String| AudioError::Encode {
            what: path.display().to_string(),
            reason,
        };
        if !matches!(spec.bits_per_sample, 16 | 24) {
            return Err(e(format!(
                "FLAC output is 16 or 24-bit, got {}",
                spec.bits_per_sample
            )));
        }
        let bits = spec.bits_per_sample as usize;
        let mut info = StreamInfo::new(spec.sample_rate as usize, spec.channels, bits)
            .map_err(|x| e(format!("{x:?}")))?;
        let config = config::Encoder::default()
            .into_verified()
            .map_err(|x| e(format!("{x:?}")))?;
        // Sane block sizes in the provisional header; the rest is patched by `finish`.
        info.set_block_sizes(BLOCK_SIZE, BLOCK_SIZE)
            .map_err(|x| e(format!("{x:?}")))?;
        info.set_frame_sizes(0, 0)
            .map_err(|x| e(format!("{x:?}")))?;
        let framebuf =
            FrameBuf::with_size(spec.channels, BLOCK_SIZE).map_err(|x| e(format!("{x:?}")))?;
        let file = File::create(path).map_err(|source| AudioError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let mut sink = Self {
            path: path.to_path_buf(),
            out: Some(BufWriter::new(file)),
            config,
            info,
            framebuf,
            context: Context::new(bits, spec.channels),
            channels: spec.channels,
            max: ((1i64 << (bits - 1)) - 1) as f32,
            pending: Vec::with_capacity(BLOCK_SIZE * spec.channels),
            sink: MemSink::new(),
            frame_sizes: None,
            clipped: 0,
        };
        sink.write_header()?;
        Ok(sink)
    }

    fn err(&self, reason: impl Into<String>) -> AudioError {
        AudioError::Encode {
            what: self.path.display().to_string(),
            reason: reason.into(),
        }
    }

    fn io(&self, source: std::io::Error) -> AudioError {
        AudioError::Io {
            path: self.path.clone(),
            source,
        }
    }

    fn streaminfo_bytes(&mut self) -> Result<Vec<u8>, AudioError> {
        self.sink.clear();
        self.info
            .write(&mut self.sink)
            .map_err(|e| self.err(format!("FLAC STREAMINFO: {e:?}")))?;
        Ok(self.sink.as_slice().to_vec())
    }

    fn write_header(&mut self) -> Result<(), AudioError> {
        let info = self.streaminfo_bytes()?;
        let mut head = Vec::with_capacity(8 + info.len());
        head.extend_from_slice(b"fLaC");
        // Last-metadata-block flag + type 0 (STREAMINFO), then a 24-bit length.
        head.push(0x80);
        head.extend_from_slice(&(info.len() as u32).to_be_bytes()[1..]);
        head.extend_from_slice(&info);
        let r = self.out.as_mut().map(|o| o.write_all(&head));
        r.unwrap_or(Ok(())).map_err(|e| self.io(e))
    }

    /// Encodes `pending` (a full block, or the shorter last one) as one frame.
    fn flush_block(&mut self) -> Result<(), AudioError> {
        if self.pending.is_empty() {
            return Ok(());
        }
        // A shorter last block only fills part of the buffer (FrameBuf tracks that).
        let mut both = (&mut self.framebuf, &mut self.context);
        both.fill_interleaved(&self.pending)
            .map_err(|e| self.err(format!("{e:?}")))?;
        let number = self.context.current_frame_number().unwrap_or(0);
        let frame =
            flacenc::encode_fixed_size_frame(&self.config, &self.framebuf, number, &self.info)
                .map_err(|e| self.err(format!("{e:?}")))?;
        self.sink.clear();
        frame
            .write(&mut self.sink)
            .map_err(|e| self.err(format!("FLAC frame: {e:?}")))?;
        let size = self.sink.as_slice().len();
        self.frame_sizes = Some(match self.frame_sizes {
            Some((lo, hi)) => (lo.min(size), hi.max(size)),
            None => (size, size),
        });
        let r = self.out.as_mut().map(|o| o.write_all(self.sink.as_slice()));
        r.unwrap_or(Ok(())).map_err(|e| self.io(e))?;
        self.pending.clear();
        Ok(())
    }
}

impl AudioSink for FlacSink {
    fn write(&mut self, interleaved: &[f32]) -> Result<(), AudioError> {
        if self.out.is_none() {
            return Err(self.err("already finished"));
        }
        let block = BLOCK_SIZE * self.channels;
        for &s in interleaved {
            if !(-1.0..=1.0).contains(&s) {
                self.clipped += 1;
            }
            self.pending
                .push((s.clamp(-1.0, 1.0) * self.max).round() as i32);
            if self.pending.len() == block {
                self.flush_block()?;
            }
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<(), AudioError> {
        if self.out.is_none() {
            return Ok(());
        }
        self.flush_block()?;
        self.info.set_md5_digest(&self.context.md5_digest());
        self.info.set_total_samples(self.context.total_samples());
        // Fixed-size blocks: the (shorter) last block does not count as the minimum.
        self.info
            .set_block_sizes(BLOCK_SIZE, BLOCK_SIZE)
            .map_err(|e| self.err(format!("{e:?}")))?;
        // No frames: frame sizes stay unknown (0).
        let (lo, hi) = self.frame_sizes.unwrap_or((0, 0));
        self.info
            .set_frame_sizes(lo, hi)
            .map_err(|e| self.err(format!("{e:?}")))?;
        let info = self.streaminfo_bytes()?;
        let Some(mut out) = self.out.take() else {
            return Ok(());
        };
        let r = (|| {
            out.seek(SeekFrom::Start(STREAMINFO_OFFSET))?;
            out.write_all(&info)?;
            out.flush()?;
            out.get_ref().sync_all()
        })();
        r.map_err(|e| self.io(e))?;
        if self.clipped > 0 {
            tracing::warn!(path = %self.path.display(), samples = self.clipped, "clipped samples");
        }
        Ok(())
    }
}

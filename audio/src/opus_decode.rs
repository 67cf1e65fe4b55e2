//! Reading Ogg Opus (RFC 7845), which symphonia cannot decode: the `ogg` crate's demuxer
//! and libopus (its Rust translation, through `stemset-opus`). Pre-skip is dropped at the
//! start and the end is trimmed to the last page's granule position, so a file Stemset wrote
//! reads back with exactly the frames it was given. Output is always 48 kHz.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use ogg::reading::PacketReader;

use crate::AudioError;

pub const OPUS_RATE: u32 = 48_000;
/// 120 ms at 48 kHz, the longest an Opus packet decodes to.
const MAX_PACKET_FRAMES: usize = 5_760;
/// The largest Ogg page (header, 255 lacing values, 255 × 255 bytes).
const MAX_PAGE: u64 = 27 + 255 + 255 * 255;

/// True when `file` begins with an Ogg page whose first packet is an `OpusHead`.
pub fn is_ogg_opus(file: &mut File) -> std::io::Result<bool> {
    file.seek(SeekFrom::Start(0))?;
    let mut head = [0u8; 27 + 255 + 8];
    let mut n = 0;
    while n < head.len() {
        match file.read(&mut head[n..])? {
            0 => break,
            k => n += k,
        }
    }
    file.seek(SeekFrom::Start(0))?;
    if n < 28 || &head[..4] != b"OggS" {
        return Ok(false);
    }
    let start = 27 + usize::from(head[26]);
    Ok(head.get(start..start + 8) == Some(b"OpusHead"))
}

pub struct OggOpusSource {
    path: PathBuf,
    reader: PacketReader<BufReader<File>>,
    decoder: stemset_opus::Decoder,
    serial: u32,
    channels: usize,
    /// Linear output gain from the header.
    gain: f32,
    /// Frames still to drop at the start (pre-skip).
    to_skip: usize,
    /// The stream's length in frames (last granule − pre-skip), when the tail says so.
    total: Option<u64>,
    /// Frames handed out so far.
    emitted: u64,
    pending: Vec<f32>,
    pending_pos: usize,
    decode_buf: Vec<f32>,
    done: bool,
}

impl OggOpusSource {
    pub fn channels(&self) -> usize {
        self.channels
    }
    pub fn total_frames(&self) -> Option<u64> {
        self.total
    }

    /// Opens `file` (which `is_ogg_opus` accepted) and reads its two header packets.
    pub fn open(mut file: File, path: &Path) -> Result<Self, AudioError> {
        let bad = |reason: String| AudioError::Unsupported {
            path: path.to_path_buf(),
            reason,
        };
        let last_granule = last_granule(&mut file).map_err(|source| AudioError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let mut reader = PacketReader::new(BufReader::new(file));
        let head = reader
            .read_packet()
            .map_err(|e| bad(format!("not a readable Ogg Opus file ({e})")))?
            .ok_or_else(|| bad("the Ogg stream is empty".into()))?;
        let h = &head.data;
        if h.len() < 19 || &h[..8] != b"OpusHead" {
            return Err(bad("the Ogg stream does not start with an OpusHead".into()));
        }
        if h[8] >> 4 != 0 {
            return Err(bad(format!(
                "Opus header version {} is not supported",
                h[8]
            )));
        }
        let channels = usize::from(h[9]);
        let pre_skip = usize::from(u16::from_le_bytes([h[10], h[11]]));
        let gain_q8 = i16::from_le_bytes([h[16], h[17]]);
        let family = h[18];
        if family != 0 {
            return Err(bad(format!(
                "multichannel Opus (channel mapping family {family}) is not supported; \
                 export it as stereo"
            )));
        }
        let layout = match channels {
            1 => stemset_opus::Channels::Mono,
            2 => stemset_opus::Channels::Stereo,
            n => return Err(bad(format!("its Opus header claims {n} channels"))),
        };
        let serial = head.stream_serial();
        // The comment header (OpusTags) follows; its content is not needed.
        let tags = reader
            .read_packet()
            .map_err(|e| bad(format!("damaged Opus comment header ({e})")))?;
        if !tags.is_some_and(|t| t.data.starts_with(b"OpusTags")) {
            return Err(bad("the Opus comment header (OpusTags) is missing".into()));
        }
        let decoder = stemset_opus::Decoder::new(OPUS_RATE, layout)
            .map_err(|e| bad(format!("cannot start the Opus decoder ({e})")))?;
        Ok(Self {
            path: path.to_path_buf(),
            reader,
            decoder,
            serial,
            channels,
            gain: 10f32.powf(f32::from(gain_q8) / (20.0 * 256.0)),
            to_skip: pre_skip,
            total: last_granule.and_then(|g| g.checked_sub(pre_skip as u64)),
            emitted: 0,
            pending: Vec::new(),
            pending_pos: 0,
            decode_buf: vec![0.0; MAX_PACKET_FRAMES * channels],
            done: false,
        })
    }

    fn decode_error(&self, reason: String) -> AudioError {
        AudioError::Decode {
            path: self.path.clone(),
            reason,
        }
    }

    /// Decodes packets until some output is pending; false at the end of the stream.
    fn refill(&mut self) -> Result<bool, AudioError> {
        let ch = self.channels;
        loop {
            let packet = match self.reader.read_packet() {
                Ok(Some(p)) => p,
                Ok(None) => return Ok(false),
                // A cut file: keep what was decoded, as for every other format.
                Err(ogg::OggReadError::ReadError(e))
                    if e.kind() == std::io::ErrorKind::UnexpectedEof =>
                {
                    tracing::warn!(path = %self.path.display(), "file ends unexpectedly; using what was decoded");
                    return Ok(false);
                }
                Err(e) => return Err(self.decode_error(format!("damaged Ogg data ({e})"))),
            };
            if packet.stream_serial() != self.serial {
                continue;
            }
            let frames = self
                .decoder
                .decode_float(&packet.data, &mut self.decode_buf, false)
                .map_err(|e| self.decode_error(format!("damaged Opus packet ({e})")))?;
            let mut start = 0;
            if self.to_skip > 0 {
                start = self.to_skip.min(frames);
                self.to_skip -= start;
            }
            let mut end = frames;
            // The last page's granule position marks the true end (the encoder padded the
            // final frame).
            if let Some(total) = self.total {
                let queued = ((self.pending.len() - self.pending_pos) / ch) as u64;
                let left = total.saturating_sub(self.emitted + queued);
                end = end.min(start + usize::try_from(left).unwrap_or(usize::MAX));
            }
            if self.pending_pos > 0 {
                self.pending.drain(..self.pending_pos);
                self.pending_pos = 0;
            }
            let gain = self.gain;
            self.pending.extend(
                self.decode_buf[start * ch..end.max(start) * ch]
                    .iter()
                    .map(|s| s * gain),
            );
            if packet.last_in_stream() {
                self.done = true;
            }
            if self.pending.len() > self.pending_pos {
                return Ok(true);
            }
            if self.done {
                return Ok(false);
            }
        }
    }

    /// Fills `buf` with interleaved frames; returns the frames written, 0 at the end.
    pub fn read(&mut self, buf: &mut [f32]) -> Result<usize, AudioError> {
        let ch = self.channels;
        let want = buf.len() / ch * ch;
        let mut filled = 0;
        while filled < want {
            if self.pending_pos >= self.pending.len() && (self.done || !self.refill()?) {
                break;
            }
            let take = (want - filled).min(self.pending.len() - self.pending_pos);
            buf[filled..filled + take]
                .copy_from_slice(&self.pending[self.pending_pos..self.pending_pos + take]);
            self.pending_pos += take;
            filled += take;
            // Counted as they are handed out, so that a refill later in this same call trims
            // the stream's end against everything emitted so far (both are whole frames).
            self.emitted += (take / ch) as u64;
        }
        Ok(filled / ch)
    }
}

/// The granule position of the file's last Ogg page, read from its tail.
fn last_granule(file: &mut File) -> std::io::Result<Option<u64>> {
    let len = file.seek(SeekFrom::End(0))?;
    let from = len.saturating_sub(MAX_PAGE);
    file.seek(SeekFrom::Start(from))?;
    let mut tail = Vec::new();
    file.take(MAX_PAGE).read_to_end(&mut tail)?;
    file.seek(SeekFrom::Start(0))?;
    let Some(at) = tail.windows(4).rposition(|w| w == b"OggS") else {
        return Ok(None);
    };
    let Some(g) = tail.get(at + 6..at + 14) else {
        return Ok(None);
    };
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(g);
    let granule = u64::from_le_bytes(bytes);
    // -1 means "no packet ends on this page".
    Ok((granule != u64::MAX).then_some(granule))
}

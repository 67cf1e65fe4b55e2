//! Ogg Opus (RFC 7845): 20 ms Opus frames at 48 kHz muxed into Ogg pages.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use ogg::writing::{PacketWriteEndInfo, PacketWriter};

use super::EncodeSpec;
use crate::{AudioError, AudioSink};

pub const OPUS_RATE: u32 = 48_000;
/// 20 ms at 48 kHz.
const FRAME: usize = 960;
/// A fixed stream serial keeps the output deterministic; a file holds only this stream.
const SERIAL: u32 = 0x5354_454d; // "STEM"
/// Pages are closed every second of audio so players can seek with fine granularity.
const PACKETS_PER_PAGE: usize = 50;
/// libopus accepts 6–510 kbit/s.
const BITRATE_KBPS: std::ops::RangeInclusive<u32> = 6..=510;
/// The largest Opus packet is 1275 bytes per frame; leave room.
const MAX_PACKET: usize = 4000;

pub struct OpusSink {
    path: PathBuf,
    encoder: stemset_opus::Encoder,
    writer: Option<PacketWriter<'static, BufWriter<File>>>,
    channels: usize,
    pre_skip: u64,
    /// Interleaved samples waiting for a full 20 ms frame.
    pending: Vec<f32>,
    /// Input frames received (the true length).
    input_frames: u64,
    /// Frames handed to the encoder, padding included.
    encoded_frames: u64,
    packets_in_page: usize,
    packet: Vec<u8>,
    /// The previous packet is held back so the last one can carry the end-of-stream flag.
    held: Option<Vec<u8>>,
}

impl OpusSink {
    pub fn create(path: &Path, spec: &EncodeSpec) -> Result<Self, AudioError> {
        let e = |reason: String| AudioError::Encode {
            what: path.display().to_string(),
            reason,
        };
        if spec.sample_rate != OPUS_RATE {
            return Err(e(format!(
                "Opus input must be 48000 Hz, got {}",
                spec.sample_rate
            )));
        }
        let channels = match spec.channels {
            1 => stemset_opus::Channels::Mono,
            2 => stemset_opus::Channels::Stereo,
            n => return Err(e(format!("Opus output supports 1 or 2 channels, got {n}"))),
        };
        if !BITRATE_KBPS.contains(&spec.opus_bitrate_kbps) {
            return Err(e(format!(
                "Opus bitrate must be {}–{} kbit/s, got {}",
                BITRATE_KBPS.start(),
                BITRATE_KBPS.end(),
                spec.opus_bitrate_kbps
            )));
        }
        let mut encoder =
            stemset_opus::Encoder::new(OPUS_RATE, channels, stemset_opus::Application::Audio)
                .map_err(|x| e(x.to_string()))?;
        let bits = i32::try_from(spec.opus_bitrate_kbps * 1000).unwrap_or(i32::MAX);
        encoder
            .set_bitrate(stemset_opus::Bitrate::Bits(bits))
            .map_err(|x| e(x.to_string()))?;
        encoder
            .set_signal(stemset_opus::Signal::Music)
            .map_err(|x| e(x.to_string()))?;
        // The encoder's look-ahead delays the audio; decoders skip it (OpusHead pre-skip).
        let lookahead = encoder.get_lookahead().map_err(|x| e(x.to_string()))?;
        let pre_skip =
            u16::try_from(lookahead).map_err(|_| e(format!("odd Opus look-ahead {lookahead}")))?;
        let file = File::create(path).map_err(|source| AudioError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let mut writer = PacketWriter::new(BufWriter::new(file));
        let w = |r: std::io::Result<()>| {
            r.map_err(|source| AudioError::Io {
                path: path.to_path_buf(),
                source,
            })
        };
        // Each header packet alone on its page, granule 0 (RFC 7845 §3).
        let head = opus_head(spec.channels as u8, pre_skip, spec.sample_rate);
        w(writer.write_packet(head, SERIAL, PacketWriteEndInfo::EndPage, 0))?;
        w(writer.write_packet(opus_tags(), SERIAL, PacketWriteEndInfo::EndPage, 0))?;
        Ok(Self {
            path: path.to_path_buf(),
            encoder,
            writer: Some(writer),
            channels: spec.channels,
            pre_skip: u64::from(pre_skip),
            pending: Vec::with_capacity(FRAME * spec.channels),
            input_frames: 0,
            encoded_frames: 0,
            packets_in_page: 0,
            packet: vec![0u8; MAX_PACKET],
            held: None,
        })
    }

    fn err(&self, reason: impl Into<String>) -> AudioError {
        AudioError::Encode {
            what: self.path.display().to_string(),
            reason: reason.into(),
        }
    }

    /// Encodes one 20 ms frame from `pending` and writes the previously held packet.
    fn encode_frame(&mut self, last: bool) -> Result<(), AudioError> {
        let n = self
            .encoder
            .encode_float(&self.pending, &mut self.packet)
            .map_err(|e| self.err(e.to_string()))?;
        self.pending.clear();
        let packet = self.packet[..n].to_vec();
        if let Some(prev) = self.held.replace(packet) {
            // A page's granule counts every sample decodable by its end, pre-skip included:
            // packet k (from 1) ends at k · 960.
            self.packets_in_page += 1;
            let end = if self.packets_in_page >= PACKETS_PER_PAGE {
                self.packets_in_page = 0;
                PacketWriteEndInfo::EndPage
            } else {
                PacketWriteEndInfo::NormalPacket
            };
            self.write_packet(prev, end, self.encoded_frames)?;
        }
        self.encoded_frames += FRAME as u64;
        if last {
            // The final granule is pre-skip + the exact input length (≤ the samples encoded),
            // so decoders drop the padding at the end (RFC 7845 §4.5).
            let gp = self.pre_skip + self.input_frames;
            if let Some(p) = self.held.take() {
                self.write_packet(p, PacketWriteEndInfo::EndStream, gp)?;
            }
        }
        Ok(())
    }

    fn write_packet(
        &mut self,
        data: Vec<u8>,
        end: PacketWriteEndInfo,
        gp: u64,
    ) -> Result<(), AudioError> {
        let Some(w) = self.writer.as_mut() else {
            return Err(self.err("already finished"));
        };
        w.write_packet(data, SERIAL, end, gp)
            .map_err(|source| AudioError::Io {
                path: self.path.clone(),
                source,
            })
    }
}

impl AudioSink for OpusSink {
    fn write(&mut self, interleaved: &[f32]) -> Result<(), AudioError> {
        if self.writer.is_none() {
            return Err(self.err("already finished"));
        }
        let frame = FRAME * self.channels;
        self.input_frames += (interleaved.len() / self.channels) as u64;
        let mut rest = interleaved;
        while !rest.is_empty() {
            let take = (frame - self.pending.len()).min(rest.len());
            self.pending.extend_from_slice(&rest[..take]);
            rest = &rest[take..];
            if self.pending.len() == frame {
                self.encode_frame(false)?;
            }
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<(), AudioError> {
        if self.writer.is_none() {
            return Ok(());
        }
        // Flush the encoder's look-ahead: pad with silence until every input sample
        // (shifted by pre-skip) has been encoded, then mark the end of the stream.
        let frame = FRAME * self.channels;
        let needed = self.input_frames + self.pre_skip;
        loop {
            self.pending.resize(frame, 0.0);
            let last = self.encoded_frames + FRAME as u64 >= needed;
            self.encode_frame(last)?;
            if last {
                break;
            }
        }
        if let Some(w) = self.writer.take() {
            let mut inner = w.into_inner();
            inner.flush().map_err(|source| AudioError::Io {
                path: self.path.clone(),
                source,
            })?;
        }
        Ok(())
    }
}

fn opus_head(channels: u8, pre_skip: u16, input_rate: u32) -> Vec<u8> {
    let mut h = Vec::with_capacity(19);
    h.extend_from_slice(b"OpusHead");
    h.push(1); // version
    h.push(channels);
    h.extend_from_slice(&pre_skip.to_le_bytes());
    h.extend_from_slice(&input_rate.to_le_bytes());
    h.extend_from_slice(&0i16.to_le_bytes()); // output gain
    h.push(0); // mapping family 0: mono/stereo
    h
}

fn opus_tags() -> Vec<u8> {
    let vendor = b"stemset";
    let mut t = Vec::with_capacity(8 + 4 + vendor.len() + 4);
    t.extend_from_slice(b"OpusTags");
    t.extend_from_slice(&(vendor.len() as u32).to_le_bytes());
    t.extend_from_slice(vendor);
    t.extend_from_slice(&0u32.to_le_bytes()); // no user comments
    t
}

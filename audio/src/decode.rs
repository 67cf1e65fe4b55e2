//! Decoding anything symphonia reads (WAV, FLAC, MP3, AAC/M4A, Ogg Vorbis, ...), packet
//! by packet, into interleaved f32 at the file's own rate and channel count.

use std::fs::File;
use std::io::{Seek, SeekFrom};
use std::path::{Path, PathBuf};

use symphonia::core::codecs::audio::{AudioDecoder, AudioDecoderOptions};
use symphonia::core::errors::Error as SymphoniaError;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, FormatReader, TrackType};
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;

use crate::opus_decode::{self, OggOpusSource};
use crate::origin_date::{OriginDate, origin_date};
use crate::{AudioError, AudioSource, limits};

/// What the container and codec say about a source file.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceInfo {
    pub sample_rate: u32,
    pub channels: usize,
    /// Bit depth of lossless sources; `None` for lossy codecs.
    pub bits_per_sample: Option<u32>,
    /// From the container; may be missing or approximate (MP3 without a Xing header).
    pub total_frames: Option<u64>,
    /// Symphonia's short codec name: "pcm_s24le", "flac", "mp3", "aac", "vorbis", ...
    pub codec: String,
    /// Symphonia's short container name: "wave", "flac", "mp3", "isomp4", "ogg", ...
    pub container: String,
    /// When the recorder says it was made (a Broadcast Wave date), if it says.
    pub origin_date: Option<OriginDate>,
}

/// Damaged packets are skipped with a warning; only the first few are logged one by one.
const LOGGED_BAD_PACKETS: u64 = 10;
/// More damaged packets than this in a row is not a glitch but a broken (or non-audio) file.
const MAX_BAD_IN_A_ROW: u64 = 100;

pub struct DecodedSource {
    path: PathBuf,
    info: SourceInfo,
    engine: Engine,
    done: bool,
    decoded_any: bool,
}

/// Symphonia for everything it decodes; Ogg Opus through libopus.
enum Engine {
    Symphonia(Box<SymphoniaStream>),
    Opus(Box<OggOpusSource>),
}

struct SymphoniaStream {
    path: PathBuf,
    format: Box<dyn FormatReader>,
    decoder: Box<dyn AudioDecoder>,
    track_id: u32,
    channels: usize,
    /// Decoded samples not yet handed out.
    pending: Vec<f32>,
    pending_pos: usize,
    bad_packets: u64,
    bad_in_a_row: u64,
    /// The demuxer reported the end (asking again could repeat its warnings).
    ended: bool,
}

impl DecodedSource {
    pub fn info(&self) -> &SourceInfo {
        &self.info
    }
}

fn unsupported(path: &Path, reason: impl Into<String>) -> AudioError {
    AudioError::Unsupported {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

/// Opens and probes `path`. A non-audio file is an `Unsupported` error naming the file.
pub fn open(path: &Path) -> Result<DecodedSource, AudioError> {
    let file = crate::hashing::open_regular(path).map_err(|source| AudioError::Open {
        path: path.to_path_buf(),
        source,
    })?;
    open_file(file, path)
}

/// Probes an already open `file` (named `path` in errors). A header whose rate, channel
/// count or chunk sizes are out of bounds is refused before anything is sized from it.
pub fn open_file(mut file: File, path: &Path) -> Result<DecodedSource, AudioError> {
    let io = |source: std::io::Error| AudioError::Io {
        path: path.to_path_buf(),
        source,
    };
    if file.metadata().map_err(io)?.len() == 0 {
        return Err(unsupported(path, "the file is empty"));
    }
    let riff_at_start = limits::check_riff(&mut file, path)?;
    let origin_date = if riff_at_start {
        origin_date(&mut file)
    } else {
        None
    };
    if opus_decode::is_ogg_opus(&mut file).map_err(io)? {
        return open_opus(file, path);
    }
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    let mss = MediaSourceStream::new(Box::new(file), Default::default());
    let mut hint = Hint::new();
    if let Some(ext) = path.extension().and_then(|e| e.to_str()) {
        hint.with_extension(ext);
    }
    let probe = symphonia::default::get_probe();
    let format = guarded(path, || {
        probe.probe(
            &hint,
            mss,
            FormatOptions::default(),
            MetadataOptions::default(),
        )
    })?
    .map_err(|e| unsupported(path, format!("not a recognised audio format ({e})")))?;
    // The probe scans past leading junk or an ID3 tag to find a WAV header, which would
    // skip the header checks above: such a file is refused.
    if format.format_info().short_name == "wave" && !riff_at_start {
        return Err(unsupported(
            path,
            "other data comes before its WAV (RIFF) header",
        ));
    }
    let track = format
        .default_track(TrackType::Audio)
        .ok_or_else(|| unsupported(path, "the file has no audio track"))?;
    let params = track
        .codec_params
        .as_ref()
        .and_then(|p| p.audio())
        .ok_or_else(|| unsupported(path, "the audio track has no codec parameters"))?
        .clone();
    let track_id = track.id;
    let total_frames = track.num_frames;
    let sample_rate = params
        .sample_rate
        .filter(|r| *r > 0)
        .ok_or_else(|| unsupported(path, "the sample rate is unknown"))?;
    let channels = params
        .channels
        .as_ref()
        .map(|c| c.count())
        .filter(|c| *c > 0)
        .ok_or_else(|| unsupported(path, "the channel count is unknown"))?;
    limits::check_stream(path, sample_rate, channels)?;
    // Gapless (the default) trims encoder delay and padding where the container says so
    // (MP3 LAME/Xing headers, Ogg, FLAC); symphonia 0.6 ignores MP4 edit lists, so M4A keeps
    // the AAC priming (typically 1024 frames) at the start.
    let decoder = guarded(path, || {
        symphonia::default::get_codecs()
            .make_audio_decoder(&params, &AudioDecoderOptions::default())
    })?
    .map_err(|e| unsupported(path, format!("no decoder for this codec ({e})")))?;
    let codec = decoder.codec_info().short_name.to_string();
    let container = format.format_info().short_name.to_string();
    let lossless = matches!(codec.as_str(), "flac" | "alac") || codec.starts_with("pcm");
    let info = SourceInfo {
        sample_rate,
        channels,
        bits_per_sample: params.bits_per_sample.filter(|_| lossless),
        total_frames,
        codec,
        container,
        origin_date,
    };
    Ok(DecodedSource {
        path: path.to_path_buf(),
        engine: Engine::Symphonia(Box::new(SymphoniaStream {
            path: path.to_path_buf(),
            format,
            decoder,
            track_id,
            channels,
            pending: Vec::new(),
            pending_pos: 0,
            bad_packets: 0,
            bad_in_a_row: 0,
            ended: false,
        })),
        info,
        done: false,
        decoded_any: false,
    })
}

fn open_opus(file: File, path: &Path) -> Result<DecodedSource, AudioError> {
    let opus = OggOpusSource::open(file, path)?;
    let info = SourceInfo {
        sample_rate: opus_decode::OPUS_RATE,
        channels: opus.channels(),
        bits_per_sample: None,
        total_frames: opus.total_frames(),
        codec: "opus".into(),
        container: "ogg".into(),
        origin_date: None,
    };
    Ok(DecodedSource {
        path: path.to_path_buf(),
        info,
        engine: Engine::Opus(Box::new(opus)),
        done: false,
        decoded_any: false,
    })
}

impl SymphoniaStream {
    fn decode_error(&self, reason: impl Into<String>) -> AudioError {
        AudioError::Decode {
            path: self.path.clone(),
            reason: reason.into(),
        }
    }

    /// Counts (and logs the first few) damaged packets; fails when too many come in a row.
    fn skip_damaged(&mut self, e: &str) -> Result<(), AudioError> {
        self.bad_packets += 1;
        self.bad_in_a_row += 1;
        if self.bad_packets <= LOGGED_BAD_PACKETS {
            tracing::warn!(path = %self.path.display(), error = e, "skipping a damaged packet");
        }
        if self.bad_in_a_row > MAX_BAD_IN_A_ROW {
            return Err(self.decode_error(format!("too many damaged packets in a row ({e})")));
        }
        Ok(())
    }

    /// Decodes the next packet into `pending`; false at the end of the stream.
    fn refill(&mut self) -> Result<bool, AudioError> {
        loop {
            let next = guarded(&self.path, || self.format.next_packet())?;
            let packet = match next {
                Ok(Some(p)) => p,
                Ok(None) => return Ok(false),
                // A truncated file ends early; keep what was decoded.
                Err(SymphoniaError::IoError(e))
                    if e.kind() == std::io::ErrorKind::UnexpectedEof =>
                {
                    tracing::warn!(path = %self.path.display(), "file ends unexpectedly; using what was decoded");
                    return Ok(false);
                }
                // A chained stream with new parameters (e.g. a second Ogg stream): the
                // recording is the first one.
                Err(SymphoniaError::ResetRequired) => {
                    tracing::warn!(path = %self.path.display(), "ignoring a second, chained stream");
                    return Ok(false);
                }
                // Damaged container data: the demuxer resynchronises on the next call.
                Err(SymphoniaError::DecodeError(e)) => {
                    self.skip_damaged(e)?;
                    continue;
                }
                Err(e) => return Err(self.decode_error(e.to_string())),
            };
            if packet.track_id != self.track_id {
                continue;
            }
            let (decoder, pending) = (&mut self.decoder, &mut self.pending);
            let decoded = guarded(&self.path, || {
                decoder.decode(&packet).map(|buf| {
                    buf.copy_to_vec_interleaved(pending);
                    buf.spec().channels().count()
                })
            })?;
            match decoded {
                Ok(channels) if channels != self.channels => {
                    return Err(self.decode_error("the channel count changes mid-stream"));
                }
                Ok(_) => {
                    self.pending_pos = 0;
                    self.bad_in_a_row = 0;
                    if !self.pending.is_empty() {
                        return Ok(true);
                    }
                }
                // A damaged packet: skip it, like every player does.
                Err(SymphoniaError::DecodeError(e)) => self.skip_damaged(e)?,
                Err(e) => return Err(self.decode_error(e.to_string())),
            }
        }
    }
}

/// Runs a symphonia call, turning a panic on malformed input (an arithmetic overflow in a
/// demuxer, say) into an error instead of taking the whole job down.
fn guarded<T>(path: &Path, f: impl FnOnce() -> T) -> Result<T, AudioError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|_| AudioError::Decode {
        path: path.to_path_buf(),
        reason: "the decoder failed on malformed data".into(),
    })
}

impl AudioSource for DecodedSource {
    fn sample_rate(&self) -> u32 {
        self.info.sample_rate
    }
    fn channels(&self) -> usize {
        self.info.channels
    }
    fn total_frames(&self) -> Option<u64> {
        self.info.total_frames
    }
    fn read(&mut self, buf: &mut [f32]) -> Result<usize, AudioError> {
        if self.done {
            return Ok(0);
        }
        let frames = match &mut self.engine {
            Engine::Symphonia(st) => st.read(buf)?,
            Engine::Opus(op) => op.read(buf)?,
        };
        if frames > 0 {
            self.decoded_any = true;
            return Ok(frames);
        }
        self.done = true;
        let bad_packets = match &self.engine {
            Engine::Symphonia(st) => st.bad_packets,
            Engine::Opus(_) => 0,
        };
        if !self.decoded_any {
            return Err(AudioError::Decode {
                path: self.path.clone(),
                reason: format!("no audio could be decoded ({bad_packets} damaged packets)"),
            });
        }
        if bad_packets > 0 {
            tracing::warn!(path = %self.path.display(), packets = bad_packets, "damaged packets were skipped");
        }
        Ok(0)
    }
}

impl SymphoniaStream {
    /// Like `AudioSource::read`: 0 frames at the end of the stream.
    fn read(&mut self, buf: &mut [f32]) -> Result<usize, AudioError> {
        let ch = self.channels;
        let want = buf.len() / ch * ch;
        let mut filled = 0;
        while filled < want {
            if self.pending_pos >= self.pending.len() && (self.ended || !self.refill()?) {
                self.ended = true;
                break;
            }
            let take = (want - filled).min(self.pending.len() - self.pending_pos);
            buf[filled..filled + take]
                .copy_from_slice(&self.pending[self.pending_pos..self.pending_pos + take]);
            self.pending_pos += take;
            filled += take;
        }
        Ok(filled / ch)
    }
}

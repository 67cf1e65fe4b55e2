//! Bounds on what a source file's header may claim. Every later stage sizes buffers and
//! output lengths from these values (a WAV claiming 1 Hz resampled to 44.1 kHz is a
//! 44 100× longer output), so a lying header is refused here, before anything is
//! allocated from it.

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use crate::AudioError;

/// Source sample rates accepted, in Hz: telephone-band recorders to 768 kHz DXD.
pub const MIN_SAMPLE_RATE: u32 = 4_000;
pub const MAX_SAMPLE_RATE: u32 = 768_000;
/// Channels accepted: multitrack field recorders stay far below this.
pub const MAX_CHANNELS: usize = 32;

fn lying(path: &Path, reason: String) -> AudioError {
    AudioError::Unsupported {
        path: path.to_path_buf(),
        reason,
    }
}

/// Refuses a stream whose rate or channel count is outside the accepted range.
pub fn check_stream(path: &Path, sample_rate: u32, channels: usize) -> Result<(), AudioError> {
    if !(MIN_SAMPLE_RATE..=MAX_SAMPLE_RATE).contains(&sample_rate) {
        return Err(lying(
            path,
            format!(
                "its header claims a sample rate of {sample_rate} Hz; Stemset reads \
                 {MIN_SAMPLE_RATE}–{MAX_SAMPLE_RATE} Hz"
            ),
        ));
    }
    if channels == 0 || channels > MAX_CHANNELS {
        return Err(lying(
            path,
            format!(
                "its header claims {channels} channels; Stemset reads 1–{MAX_CHANNELS} channels"
            ),
        ));
    }
    Ok(())
}

/// Walks the chunk headers of a RIFF/RF64 WAVE file (without reading their bodies) and
/// refuses one whose chunk sizes exceed the file or whose format chunk is inconsistent.
/// Files of other containers pass untouched. Returns whether the file starts with a RIFF
/// header. Leaves `file` at an unspecified position.
pub fn check_riff<R: Read + Seek>(file: &mut R, path: &Path) -> Result<bool, AudioError> {
    let io = |source: std::io::Error| AudioError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file_len = file.seek(SeekFrom::End(0)).map_err(io)?;
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    let mut head = [0u8; 12];
    if read_full(file, &mut head).map_err(io)? < head.len() {
        return Ok(false);
    }
    let riff = matches!(&head[0..4], b"RIFF" | b"RF64" | b"BW64") && &head[8..12] == b"WAVE";
    if !riff {
        return Ok(false);
    }
    let mut pos = 12u64;
    let mut saw_format = false;
    loop {
        let mut chunk = [0u8; 8];
        if read_full(file, &mut chunk).map_err(io)? < chunk.len() {
            break;
        }
        let id = &chunk[0..4];
        let len = u64::from(u32::from_le_bytes([chunk[4], chunk[5], chunk[6], chunk[7]]));
        let body = pos + 8;
        let remaining = file_len.saturating_sub(body);
        let name = String::from_utf8_lossy(id).into_owned();
        if id == b"data" {
            // A cut recording (or a streamed one, 0xFFFFFFFF) ends early: the decoder uses
            // what is there. Nothing after the samples sizes an allocation we make.
            break;
        }
        if len > remaining {
            return Err(lying(
                path,
                format!(
                    "its '{}' chunk claims {len} bytes, but only {remaining} remain in the file",
                    name.trim_end()
                ),
            ));
        }
        if id == b"fmt " {
            saw_format = true;
            check_format_chunk(file, path, len).map_err(|e| match e {
                FormatProblem::Io(e) => io(e),
                FormatProblem::Bad(reason) => lying(path, reason),
            })?;
        }
        // Chunks are padded to an even length.
        pos = body + len + (len & 1);
        file.seek(SeekFrom::Start(pos)).map_err(io)?;
    }
    if !saw_format {
        return Err(lying(path, "the WAV file has no format chunk".into()));
    }
    Ok(true)
}

enum FormatProblem {
    Io(std::io::Error),
    Bad(String),
}

/// WAVE_FORMAT_PCM, _IEEE_FLOAT and _EXTENSIBLE: block align follows from the rest.
const PLAIN_FORMATS: [u16; 3] = [0x0001, 0x0003, 0xFFFE];

fn check_format_chunk<R: Read>(file: &mut R, path: &Path, len: u64) -> Result<(), FormatProblem> {
    if len < 16 {
        return Err(FormatProblem::Bad(format!(
            "its format chunk is {len} bytes, shorter than the 16 every WAV file has"
        )));
    }
    let mut fmt = [0u8; 16];
    file.read_exact(&mut fmt).map_err(FormatProblem::Io)?;
    let u16_at = |i: usize| u16::from_le_bytes([fmt[i], fmt[i + 1]]);
    let tag = u16_at(0);
    let channels = usize::from(u16_at(2));
    let rate = u32::from_le_bytes([fmt[4], fmt[5], fmt[6], fmt[7]]);
    let block_align = u16_at(12);
    let bits = u16_at(14);
    check_stream(path, rate, channels).map_err(|e| match e {
        AudioError::Unsupported { reason, .. } => FormatProblem::Bad(reason),
        other => FormatProblem::Bad(other.to_string()),
    })?;
    if block_align == 0 {
        return Err(FormatProblem::Bad(
            "its format chunk claims 0-byte frames".into(),
        ));
    }
    if PLAIN_FORMATS.contains(&tag) {
        if !(8..=64).contains(&bits) {
            return Err(FormatProblem::Bad(format!(
                "its format chunk claims {bits} bits per sample"
            )));
        }
        let expected = channels * usize::from(bits).div_ceil(8);
        if usize::from(block_align) != expected {
            return Err(FormatProblem::Bad(format!(
                "its format chunk claims {block_align}-byte frames for {channels} channels of \
                 {bits} bits (expected {expected})"
            )));
        }
    }
    Ok(())
}

/// Reads until `buf` is full or the input ends; returns the bytes read.
fn read_full<R: Read>(r: &mut R, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::*;

    fn wav(rate: u32, channels: u16, bits: u16, align: u16, extra: &[u8]) -> Vec<u8> {
        let mut v = b"RIFF\0\0\0\0WAVE".to_vec();
        v.extend_from_slice(extra);
        v.extend_from_slice(b"fmt \x10\0\0\0");
        v.extend_from_slice(&1u16.to_le_bytes());
        v.extend_from_slice(&channels.to_le_bytes());
        v.extend_from_slice(&rate.to_le_bytes());
        v.extend_from_slice(&rate.wrapping_mul(u32::from(align)).to_le_bytes());
        v.extend_from_slice(&align.to_le_bytes());
        v.extend_from_slice(&bits.to_le_bytes());
        v.extend_from_slice(b"data\x08\0\0\0\0\0\0\0\0\0\0\0");
        v
    }

    fn check(bytes: Vec<u8>) -> Result<(), String> {
        check_riff(&mut Cursor::new(bytes), Path::new("x.wav"))
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn accepts_a_sane_header_and_other_containers() {
        assert_eq!(check(wav(44_100, 2, 16, 4, b"")), Ok(()));
        assert_eq!(check(b"fLaC\0\0\0\x22".to_vec()), Ok(()));
        assert_eq!(check(Vec::new()), Ok(()));
    }

    #[test]
    fn refuses_lying_fields_naming_them() {
        let e = check(wav(1, 2, 16, 4, b"")).expect_err("refused");
        assert!(
            e.contains("x.wav") && e.contains("sample rate of 1 Hz"),
            "{e}"
        );
        let e = check(wav(4_000_000_000, 2, 16, 4, b"")).expect_err("refused");
        assert!(e.contains("4000000000 Hz"), "{e}");
        let e = check(wav(48_000, 0, 16, 4, b"")).expect_err("refused");
        assert!(e.contains("0 channels"), "{e}");
        let e = check(wav(48_000, 65_535, 16, 4, b"")).expect_err("refused");
        assert!(e.contains("65535 channels"), "{e}");
        let e = check(wav(48_000, 2, 16, 65_535, b"")).expect_err("refused");
        assert!(e.contains("65535-byte frames"), "{e}");
        let e = check(wav(48_000, 2, 0, 0, b"")).expect_err("refused");
        assert!(e.contains("0-byte frames"), "{e}");
        let e = check(wav(48_000, 2, 16, 4, b"LIST\xF0\xFF\xFF\xFFINFO")).expect_err("refused");
        assert!(e.contains("'LIST' chunk claims 4294967280 bytes"), "{e}");
        let e = check(b"RIFF\0\0\0\0WAVEdata\x08\0\0\0".to_vec()).expect_err("refused");
        assert!(e.contains("no format chunk"), "{e}");
    }
}

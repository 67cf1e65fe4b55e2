//! `audio_decode`: arbitrary bytes through everything that reads an uploaded or scanned
//! file — the container sniffer, the RIFF header check, and the decoder (symphonia, or
//! libopus for Ogg Opus) behind the sanitizer and the stereo down-mix, the way the
//! pipeline reads a source. Errors are fine; a panic that escapes, unbounded memory or
//! a sample the sanitizer let through are bugs.
//!
//! Shared by the fuzz target and `core/tests/fuzz_corpus.rs` (included there by path),
//! so it uses nothing but `stemset_audio` and std.

// Each replay test uses only part of it.
#![allow(dead_code)]

use std::io::Cursor;
use std::path::{Path, PathBuf};

use stemset_audio::channels::ToStereo;
use stemset_audio::sanitize::{MAX_ABS_SAMPLE, Sanitized};
use stemset_audio::{AudioSource, decode, limits, sniff};

/// Samples read from one input at most (an Ogg Opus file of a few KB can claim minutes).
pub const MAX_SAMPLES: u64 = 10_000_000;
/// Frames per read call: small, so the stages' buffering across calls is exercised too.
const READ_FRAMES: usize = 1_024;

/// The extension the scratch copy gets: what the sniffer says the content is, like an
/// upload's stored name (symphonia takes the extension as a hint).
fn extension(kind: Option<&str>) -> &'static str {
    match kind {
        Some("wav") => "wav",
        Some("flac") => "flac",
        Some("ogg") => "ogg",
        Some("aiff") => "aiff",
        Some("mp4") => "m4a",
        Some("caf") => "caf",
        Some("matroska") => "mkv",
        Some("mp3" | "mpeg") => "mp3",
        _ => "bin",
    }
}

/// What one input did (for tests that replay the corpus).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub sniffed: Option<&'static str>,
    pub riff_ok: bool,
    pub opened: bool,
    pub samples: u64,
    pub error: Option<String>,
}

/// Runs `data` through the sniffer, the RIFF check and the decoder, writing it to
/// `dir/input.<ext>` first (the decoder opens paths). Panics on a broken invariant.
pub fn run(data: &[u8], dir: &Path) -> Outcome {
    let sniffed = sniff::sniff_audio(data);
    if data.len() >= sniff::SNIFF_LEN {
        // The sniffer decides on the first SNIFF_LEN bytes alone (uploads sniff those).
        assert_eq!(sniffed, sniff::sniff_audio(&data[..sniff::SNIFF_LEN]));
    }
    let path: PathBuf = dir.join(format!("input.{}", extension(sniffed)));
    let riff_ok = limits::check_riff(&mut Cursor::new(data), &path).is_ok();
    std::fs::write(&path, data).expect("write the scratch input");
    let mut outcome = Outcome {
        sniffed,
        riff_ok,
        ..Outcome::default()
    };
    let source = match decode::open(&path) {
        Ok(s) => s,
        Err(e) => {
            outcome.error = Some(e.to_string());
            return outcome;
        }
    };
    outcome.opened = true;
    // What `open` accepted is within the limits every later stage sizes buffers from.
    let info = source.info().clone();
    assert!(
        (limits::MIN_SAMPLE_RATE..=limits::MAX_SAMPLE_RATE).contains(&info.sample_rate),
        "{info:?}"
    );
    assert!(
        (1..=limits::MAX_CHANNELS).contains(&info.channels),
        "{info:?}"
    );
    let sanitized = Sanitized::new(source);
    let stats = sanitized.stats();
    let channels = sanitized.channels();
    assert_eq!(channels, info.channels);
    let mut stereo = ToStereo::new(sanitized);
    let mut buf = vec![0.0f32; READ_FRAMES * 2];
    let mut samples = 0u64;
    while samples < MAX_SAMPLES {
        match stereo.read(&mut buf) {
            Ok(0) => break,
            Ok(frames) => {
                assert!(
                    frames <= READ_FRAMES,
                    "{frames} frames into a {READ_FRAMES}-frame buffer"
                );
                for s in &buf[..frames * 2] {
                    assert!(
                        s.is_finite() && s.abs() <= MAX_ABS_SAMPLE,
                        "sample {s} passed the sanitizer"
                    );
                }
                samples += (frames * channels) as u64;
            }
            Err(e) => {
                outcome.error = Some(e.to_string());
                break;
            }
        }
    }
    assert_eq!(
        stats.samples(),
        samples,
        "the sanitizer counts what it hands out"
    );
    outcome.samples = samples;
    if outcome.error.is_none()
        && let Err(e) = stats.check(&path)
    {
        outcome.error = Some(e.to_string());
    }
    outcome
}

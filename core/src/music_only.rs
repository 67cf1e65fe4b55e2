//! `processing.separate: takes`: the models run on the takes only (each widened by a
//! margin), and the gaps between them are filled afterwards, with the mix in one named
//! stem (so talk and tuning stay audible) and silence in the others. A night that is 60 %
//! music costs about 60 % of the model time.
//!
//! Both steps stream: [`cut`] copies the spans of the decoded input into one shorter WAV,
//! and [`reassemble`] walks the full timeline once per stem, taking each span from the
//! separated stem and each gap from the (resampled) mix or silence. Span edges are
//! computed at each file's own rate from the same source frames, so nothing drifts.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use stemset_audio::resample::Resampled;
use stemset_audio::wav::{WavSampleFormat, WavSink, WavSource};
use stemset_audio::{AudioError, AudioSink, AudioSource, CHUNK_FRAMES};

use crate::error::Error;

/// How a job separates only the music (sent to GPU workers inside the job spec).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MusicOnly {
    /// Seconds added before and after every take.
    pub margin_seconds: f64,
    /// The stem that carries the mix in the gaps; None: silence in every stem.
    pub gap_stem: Option<String>,
}

/// Separating only the takes of one file: the spans, and the stems rebuilt around them.
pub struct Plan {
    spans: Vec<(u64, u64)>,
    gap_stem: Option<String>,
    rate: u32,
    total: u64,
}

impl Plan {
    /// The plan for `takes` (seconds) of a file of `total` frames at `rate`, or None when
    /// there is nothing to skip (no takes, or takes covering nearly all of it).
    pub fn new(m: &MusicOnly, takes: &[(f64, f64)], rate: u32, total: u64) -> Option<Self> {
        let spans = spans(takes, m.margin_seconds, rate, total);
        let music: u64 = spans.iter().map(|(a, b)| b - a).sum();
        (!spans.is_empty() && music * 50 < total * 49).then(|| Self {
            spans,
            gap_stem: m.gap_stem.clone(),
            rate,
            total,
        })
    }

    /// Seconds the models run on.
    pub fn seconds(&self) -> f64 {
        let music: u64 = self.spans.iter().map(|(a, b)| b - a).sum();
        music as f64 / f64::from(self.rate.max(1))
    }

    /// Cuts the takes out of `input` (the decoded WAV), has `separate` split the cut
    /// into stems, and returns each stem rebuilt to the full length, in `scratch`.
    pub fn run(
        &self,
        input: &Path,
        scratch: &Path,
        separate: impl FnOnce(&Path) -> Result<Vec<(String, PathBuf)>, Error>,
    ) -> Result<Vec<(String, PathBuf)>, Error> {
        let cut_wav = scratch.join("music.wav");
        cut(input, &self.spans, &cut_wav)?;
        let separated = separate(&cut_wav);
        let _ = std::fs::remove_file(&cut_wav);
        let mut full = Vec::new();
        for (name, wav) in separated? {
            let out = scratch.join(format!("full-{name}.wav"));
            let mix = (self.gap_stem.as_deref() == Some(name.as_str())).then_some(input);
            reassemble(&wav, mix, &self.spans, self.total, self.rate, &out)?;
            let _ = std::fs::remove_file(&wav);
            full.push((name, out));
        }
        tracing::info!(
            separated_seconds = self.seconds(),
            of_seconds = self.total as f64 / f64::from(self.rate.max(1)),
            "separated the takes only"
        );
        Ok(full)
    }
}

/// Spans `[start, end)` in frames of the source rate: the takes widened by the margin,
/// clamped to the recording and merged where they touch.
pub fn spans(takes: &[(f64, f64)], margin: f64, rate: u32, total: u64) -> Vec<(u64, u64)> {
    let frame = |s: f64| ((s.max(0.0) * f64::from(rate)).round() as u64).min(total);
    let mut out: Vec<(u64, u64)> = Vec::new();
    for &(a, b) in takes {
        let (a, b) = (frame(a - margin), frame(b + margin));
        if b <= a {
            continue;
        }
        match out.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

/// round(frames · to / from).
fn at_rate(frames: u64, from: u32, to: u32) -> u64 {
    let f = u128::from(frames) * u128::from(to) + u128::from(from) / 2;
    u64::try_from(f / u128::from(from.max(1))).unwrap_or(u64::MAX)
}

/// Reads exactly `frames` frames from `src` into `sink` (zeros past its end), or skips
/// them when `sink` is None.
fn pass(
    src: &mut dyn AudioSource,
    sink: Option<&mut dyn AudioSink>,
    frames: u64,
    buf: &mut [f32],
) -> Result<(), AudioError> {
    let ch = src.channels().max(1);
    let mut left = frames;
    let mut sink = sink;
    while left > 0 {
        let want = (left as usize).min(buf.len() / ch);
        let n = src.read(&mut buf[..want * ch])?;
        let got = if n == 0 {
            buf[..want * ch].fill(0.0);
            want
        } else {
            n
        };
        if let Some(s) = sink.as_deref_mut() {
            s.write(&buf[..got * ch])?;
        }
        left -= got as u64;
    }
    Ok(())
}

fn write_silence(
    sink: &mut dyn AudioSink,
    frames: u64,
    ch: usize,
    buf: &mut [f32],
) -> Result<(), AudioError> {
    buf.fill(0.0);
    let mut left = frames;
    while left > 0 {
        let n = (left as usize).min(buf.len() / ch);
        sink.write(&buf[..n * ch])?;
        left -= n as u64;
    }
    Ok(())
}

/// A gap: the mix when there is one, else silence.
fn gap(
    mix: Option<&mut Box<dyn AudioSource>>,
    sink: &mut WavSink,
    frames: u64,
    ch: usize,
    buf: &mut [f32],
) -> Result<(), AudioError> {
    match mix {
        Some(m) => pass(m.as_mut(), Some(sink), frames, buf),
        None => write_silence(sink, frames, ch, buf),
    }
}

/// Copies `spans` of `input` (frames at its rate) one after another into `out`.
pub fn cut(input: &Path, spans: &[(u64, u64)], out: &Path) -> Result<u64, Error> {
    let mut src = WavSource::open(input)?;
    let ch = src.channels().max(1);
    let mut sink = WavSink::create(out, src.sample_rate(), ch, WavSampleFormat::Float32)?;
    let mut buf = vec![0.0f32; CHUNK_FRAMES * ch];
    let mut at = 0u64;
    let mut written = 0u64;
    for &(a, b) in spans {
        pass(&mut src, None, a.saturating_sub(at), &mut buf)?;
        pass(&mut src, Some(&mut sink), b - a, &mut buf)?;
        at = b;
        written += b - a;
    }
    sink.finish()?;
    Ok(written)
}

/// Writes the full-length stem `out` from `separated` (the stem of the cut input) and,
/// in the gaps, the mix `input` (resampled to the stem's rate) or silence.
/// `spans` and `total` are frames at `source_rate`.
pub fn reassemble(
    separated: &Path,
    mix: Option<&Path>,
    spans: &[(u64, u64)],
    total: u64,
    source_rate: u32,
    out: &Path,
) -> Result<(), Error> {
    let mut stem = WavSource::open(separated)?;
    let rate = stem.sample_rate();
    let ch = stem.channels().max(1);
    let mut mix: Option<Box<dyn AudioSource>> = match mix {
        Some(p) => {
            let m = WavSource::open(p)?;
            Some(if m.sample_rate() == rate {
                Box::new(m)
            } else {
                Box::new(Resampled::new(m, rate)?)
            })
        }
        None => None,
    };
    let mut sink = WavSink::create(out, rate, ch, WavSampleFormat::Float32)?;
    let mut buf = vec![0.0f32; CHUNK_FRAMES * ch];
    let r = |f: u64| at_rate(f, source_rate, rate);
    let (mut at, mut cut_at) = (0u64, 0u64);
    for &(a, b) in spans {
        gap(
            mix.as_mut(),
            &mut sink,
            r(a).saturating_sub(r(at)),
            ch,
            &mut buf,
        )?;
        // The separated span, trimmed or padded by a frame to the timeline's length;
        // the mix moves on by the same frames.
        let out_len = r(b) - r(a);
        let cut_len = r(cut_at + (b - a)) - r(cut_at);
        let keep = out_len.min(cut_len);
        pass(&mut stem, Some(&mut sink), keep, &mut buf)?;
        pass(&mut stem, None, cut_len - keep, &mut buf)?;
        write_silence(&mut sink, out_len - keep, ch, &mut buf)?;
        if let Some(m) = mix.as_mut() {
            pass(m.as_mut(), None, out_len, &mut buf)?;
        }
        at = b;
        cut_at += b - a;
    }
    gap(
        mix.as_mut(),
        &mut sink,
        r(total).saturating_sub(r(at)),
        ch,
        &mut buf,
    )?;
    sink.finish()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{at_rate, spans};

    #[test]
    fn spans_are_widened_clamped_and_merged() {
        let s = spans(&[(1.0, 3.0), (3.5, 5.0), (9.0, 9.5)], 0.5, 10, 98);
        assert_eq!(s, vec![(5, 55), (85, 98)]);
        assert!(spans(&[], 1.0, 10, 100).is_empty());
    }

    #[test]
    fn rates_round() {
        assert_eq!(at_rate(48_000, 48_000, 44_100), 44_100);
        assert_eq!(at_rate(1, 48_000, 44_100), 1);
    }
}

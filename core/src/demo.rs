//! A generated demo "band" recording (no copyrighted audio): a sung-like center voice,
//! drums, a bass line and panned chords, written as a 24-bit 48 kHz stereo WAV like a
//! Zoom H4n file. Deterministic, so the same length always gives the same bytes (and
//! hash). Streamed in chunks, so an hour-long benchmark file needs no memory.

use std::f64::consts::TAU;
use std::path::Path;

use stemset_audio::wav::{WavSampleFormat, WavSink};
use stemset_audio::{AudioError, AudioSink};

pub const DEMO_RATE: u32 = 48_000;
const BPM: f64 = 112.0;

/// Writes `seconds` of the demo song to `path` (parent folders created).
pub fn write_demo_recording(path: &Path, seconds: f64) -> Result<u64, AudioError> {
    write_demo_rehearsal(path, seconds, 1, 0.0)
}

/// Writes a short rehearsal: the demo song played `takes` times, `seconds` each, with
/// `gap` seconds of quiet room noise between plays (so take detection has something to
/// find). Returns the frames written.
pub fn write_demo_rehearsal(
    path: &Path,
    seconds: f64,
    takes: usize,
    gap: f64,
) -> Result<u64, AudioError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|source| AudioError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
    }
    let rate = f64::from(DEMO_RATE);
    let play = (seconds * rate).round() as u64;
    let pause = (gap.max(0.0) * rate).round() as u64;
    let takes = takes.max(1) as u64;
    let total = takes * play + (takes - 1) * pause;
    let mut sink = WavSink::create(path, DEMO_RATE, 2, WavSampleFormat::Int { bits: 24 })?;
    let mut song = DemoSong::default();
    let mut buf = Vec::with_capacity(2 * 4096);
    let mut n = 0u64;
    while n < total {
        buf.clear();
        let end = (n + 4096).min(total);
        for i in n..end {
            // Where in the night: inside a play (its own time from 0) or in a gap.
            let (k, at) = (i / (play + pause), i % (play + pause));
            let (l, r) = if at < play && k < takes {
                song.frame(at)
            } else {
                let hiss = 0.002 * song.white();
                (hiss, hiss)
            };
            buf.push(l as f32);
            buf.push(r as f32);
        }
        sink.write(&buf)?;
        n = end;
    }
    sink.finish()?;
    Ok(total)
}

/// Sample-accurate synthesis; state only for the noise generator.
#[derive(Default)]
struct DemoSong {
    noise: u64,
}

impl DemoSong {
    fn white(&mut self) -> f64 {
        // xorshift*: cheap, deterministic noise for the snare and hats.
        self.noise ^= self.noise >> 12;
        self.noise = self.noise.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let x = self.noise.wrapping_mul(0x2545_F491_4F6C_DD1D);
        (x >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
    }

    fn frame(&mut self, i: u64) -> (f64, f64) {
        let t = i as f64 / f64::from(DEMO_RATE);
        let beat = t * BPM / 60.0;
        let bar = (beat / 4.0).floor() as usize;
        // I–vi–IV–V in A: roots in Hz for the bass, chord tones for the pads.
        let roots = [55.0, 92.5, 73.42, 82.41];
        let chords = [
            [440.0, 554.37, 659.25],
            [369.99, 440.0, 554.37],
            [293.66, 369.99, 440.0],
            [329.63, 415.3, 493.88],
        ];
        let k = bar % 4;

        // Voice: a slow melody with vibrato and a few formant-weighted harmonics, center.
        let melody = [440.0, 493.88, 554.37, 493.88, 440.0, 369.99, 329.63, 369.99];
        let note = melody[(beat / 2.0).floor() as usize % melody.len()];
        let vib = 1.0 + 0.006 * (TAU * 5.5 * t).sin();
        let phrase = ((beat / 2.0).fract() * std::f64::consts::PI)
            .sin()
            .powf(0.5);
        let mut voice = 0.0;
        for (h, w) in [(1.0, 1.0), (2.0, 0.5), (3.0, 0.35), (4.0, 0.2), (5.0, 0.12)] {
            voice += w * (TAU * note * h * vib * t).sin();
        }
        voice *= 0.12 * phrase;

        // Bass: root notes with a pluck envelope on every beat, center.
        let bt = beat.fract() * 60.0 / BPM;
        let bass = 0.3
            * (-bt * 3.0).exp()
            * ((TAU * roots[k] * t).sin() + 0.25 * (TAU * 2.0 * roots[k] * t).sin());

        // Drums: kick on 1 and 3, snare on 2 and 4, hats on eighths; near center.
        let in_bar = beat % 4.0;
        let since = |pos: f64| {
            let d = (in_bar - pos) * 60.0 / BPM;
            (d >= 0.0).then_some(d)
        };
        let mut drums = 0.0;
        for pos in [0.0, 2.0] {
            if let Some(d) = since(pos).filter(|d| *d < 0.4) {
                drums +=
                    0.5 * (-d * 18.0).exp() * (TAU * (50.0 + 90.0 * (-d * 40.0).exp()) * d).sin();
            }
        }
        let noise = self.white();
        for pos in [1.0, 3.0] {
            if let Some(d) = since(pos).filter(|d| *d < 0.25) {
                drums += 0.25 * (-d * 25.0).exp() * noise;
            }
        }
        let eighth = (beat * 2.0).fract() * 30.0 / BPM;
        drums += 0.06 * (-eighth * 80.0).exp() * noise;

        // Pads: chord tones panned hard left/right (decorrelated), swelling per bar.
        let swell = 0.5 + 0.5 * ((beat / 4.0).fract() * std::f64::consts::PI).sin();
        let c = chords[k];
        let left = 0.05 * swell * ((TAU * c[0] * t).sin() + (TAU * c[2] * 1.002 * t).sin());
        let right = 0.05 * swell * ((TAU * c[1] * t).sin() + (TAU * c[0] * 2.0 * 0.998 * t).sin());

        let l = voice + bass + drums + left;
        let r = voice + bass + drums + right;
        (l.clamp(-1.0, 1.0), r.clamp(-1.0, 1.0))
    }
}

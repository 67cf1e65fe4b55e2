//! Streaming sample-rate conversion with rubato's synchronous FFT resampler (fixed ratio,
//! windowed-sinc anti-aliasing filter applied by FFT convolution). The resampler's delay is
//! trimmed and its tail flushed, so the output has exactly
//! round(input_frames · out_rate / in_rate) frames, aligned in time with the input.

use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{Fft, FixedSync, Indexing, Resampler, WindowFunction};

use crate::{AudioError, AudioSource};

/// Input frames per resampler call (rounded to whole FFT blocks).
const CHUNK: usize = 8192;
/// Wanted FFT block (filter length) in input frames. Longer blocks put the anti-aliasing
/// cutoff closer to Nyquist (about 0.987 · Nyquist at ~1000 frames with BlackmanHarris2)
/// at the price of a longer, but compensated, delay.
const SUB_CHUNK: usize = 1024;

/// Converts `inner` to `out_rate`; passes samples through untouched when the rates match.
pub struct Resampled<S> {
    inner: S,
    channels: usize,
    in_rate: u32,
    out_rate: u32,
    /// `None` when the rates are equal.
    engine: Option<Engine>,
}

/// The resampler and its buffers, apart from `inner` so both can be borrowed at once.
struct Engine {
    rs: Fft<f32>,
    in_buf: Vec<f32>,
    out_buf: Vec<f32>,
    /// Resampled interleaved samples not yet handed out, from `queue_pos`.
    queue: Vec<f32>,
    queue_pos: usize,
    /// Output frames still to drop at the start (the resampler's delay).
    to_skip: usize,
    in_frames: u64,
    emitted: u64,
    input_done: bool,
    /// Input ended and everything up to the target length is queued.
    finished: bool,
}

fn err(e: impl std::fmt::Display) -> AudioError {
    AudioError::Resample(e.to_string())
}

/// Input frames per FFT block: the smallest multiple of the rates' minimum block (in / gcd)
/// of at least `SUB_CHUNK`, such that the output block (out / gcd multiple) is even too.
/// An odd block puts the filter's centre half a sample away from the delay rubato reports
/// (`fft_size_out / 2`), which would shift the output by half a sample.
fn fft_block(in_rate: usize, out_rate: usize) -> usize {
    let g = gcd(in_rate, out_rate);
    let (min_in, min_out) = (in_rate / g, out_rate / g);
    let mut k = SUB_CHUNK.div_ceil(min_in).max(1);
    if (k * min_in) % 2 == 1 || (k * min_out) % 2 == 1 {
        k += 1;
    }
    k * min_in
}

fn gcd(mut a: usize, mut b: usize) -> usize {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// round(frames · out / in), exact in integers.
fn scaled(frames: u64, in_rate: u32, out_rate: u32) -> u64 {
    let (f, i, o) = (
        u128::from(frames),
        u128::from(in_rate),
        u128::from(out_rate),
    );
    u64::try_from((f * o + i / 2) / i).unwrap_or(u64::MAX)
}

impl<S: AudioSource> Resampled<S> {
    pub fn new(inner: S, out_rate: u32) -> Result<Self, AudioError> {
        let channels = inner.channels();
        let in_rate = inner.sample_rate();
        if out_rate == 0 || in_rate == 0 || channels == 0 {
            return Err(AudioError::Resample(format!(
                "cannot resample {channels} channels from {in_rate} Hz to {out_rate} Hz"
            )));
        }
        let engine = if in_rate == out_rate {
            None
        } else {
            let block = fft_block(in_rate as usize, out_rate as usize);
            let chunk = block * (CHUNK / block).max(1);
            let rs = Fft::<f32>::new_custom(
                in_rate as usize,
                out_rate as usize,
                chunk,
                chunk / block,
                channels,
                WindowFunction::BlackmanHarris2,
                FixedSync::Input,
            )
            .map_err(err)?;
            let to_skip = rs.output_delay();
            tracing::debug!(in_rate, out_rate, delay = to_skip, "resampler ready");
            Some(Engine {
                in_buf: vec![0.0; rs.input_frames_max() * channels],
                out_buf: vec![0.0; rs.output_frames_max() * channels],
                rs,
                queue: Vec::new(),
                queue_pos: 0,
                to_skip,
                in_frames: 0,
                emitted: 0,
                input_done: false,
                finished: false,
            })
        };
        Ok(Self {
            inner,
            channels,
            in_rate,
            out_rate,
            engine,
        })
    }
}

impl Engine {
    fn queued_frames(&self, ch: usize) -> usize {
        (self.queue.len() - self.queue_pos) / ch
    }

    /// Reads one chunk of input (zeros once it has ended) and queues what comes out.
    fn produce(
        &mut self,
        inner: &mut dyn AudioSource,
        ch: usize,
        in_rate: u32,
        out_rate: u32,
    ) -> Result<(), AudioError> {
        let need = self.rs.input_frames_next();
        let mut got = 0;
        while !self.input_done && got < need {
            let n = inner.read(&mut self.in_buf[got * ch..need * ch])?;
            if n == 0 {
                self.input_done = true;
            }
            got += n;
        }
        self.in_frames += got as u64;
        let target = scaled(self.in_frames, in_rate, out_rate);
        if self.input_done && got == 0 && self.emitted + self.queued_frames(ch) as u64 >= target {
            self.finished = true;
            return Ok(());
        }
        // After the input ends, missing frames are zeros: this flushes the filter tail.
        let indexing = (got < need).then(|| Indexing::new().partial_len(got));
        let out_max = self.out_buf.len() / ch;
        let input = InterleavedSlice::new(&self.in_buf[..], ch, need).map_err(err)?;
        let mut output =
            InterleavedSlice::new_mut(&mut self.out_buf[..], ch, out_max).map_err(err)?;
        let (_, produced) = self
            .rs
            .process_into_buffer(&input, &mut output, indexing.as_ref())
            .map_err(err)?;
        let skip = self.to_skip.min(produced);
        self.to_skip -= skip;
        if self.queue_pos > 0 {
            self.queue.drain(..self.queue_pos);
            self.queue_pos = 0;
        }
        self.queue
            .extend_from_slice(&self.out_buf[skip * ch..produced * ch]);
        Ok(())
    }
}

impl<S: AudioSource> AudioSource for Resampled<S> {
    fn sample_rate(&self) -> u32 {
        self.out_rate
    }
    fn channels(&self) -> usize {
        self.channels
    }
    fn total_frames(&self) -> Option<u64> {
        self.inner
            .total_frames()
            .map(|f| scaled(f, self.in_rate, self.out_rate))
    }
    fn read(&mut self, buf: &mut [f32]) -> Result<usize, AudioError> {
        let Some(e) = self.engine.as_mut() else {
            return self.inner.read(buf);
        };
        let ch = self.channels;
        let want = buf.len() / ch;
        while !e.finished && e.queued_frames(ch) < want {
            e.produce(&mut self.inner, ch, self.in_rate, self.out_rate)?;
        }
        let mut n = e.queued_frames(ch).min(want);
        if e.input_done {
            // Never more than the exact target length: the rest of the flushed tail is padding.
            let target = scaled(e.in_frames, self.in_rate, self.out_rate);
            n = n.min(usize::try_from(target.saturating_sub(e.emitted)).unwrap_or(usize::MAX));
        }
        buf[..n * ch].copy_from_slice(&e.queue[e.queue_pos..e.queue_pos + n * ch]);
        e.queue_pos += n * ch;
        e.emitted += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A sine generated on the fly, `frames` long.
    struct Sine {
        rate: u32,
        freq: f64,
        pos: u64,
        frames: u64,
    }

    impl AudioSource for Sine {
        fn sample_rate(&self) -> u32 {
            self.rate
        }
        fn channels(&self) -> usize {
            2
        }
        fn total_frames(&self) -> Option<u64> {
            Some(self.frames)
        }
        fn read(&mut self, buf: &mut [f32]) -> Result<usize, AudioError> {
            let n = ((buf.len() / 2) as u64).min(self.frames - self.pos) as usize;
            for (i, f) in buf[..n * 2].chunks_exact_mut(2).enumerate() {
                let t = (self.pos + i as u64) as f64 / f64::from(self.rate);
                let v = (0.5 * (2.0 * std::f64::consts::PI * self.freq * t).sin()) as f32;
                f[0] = v;
                f[1] = -v;
            }
            self.pos += n as u64;
            Ok(n)
        }
    }

    fn read_all(src: &mut dyn AudioSource) -> Vec<f32> {
        let mut out = Vec::new();
        let mut buf = vec![0.0; 3000 * src.channels()];
        loop {
            let n = src.read(&mut buf).expect("read");
            if n == 0 {
                return out;
            }
            out.extend_from_slice(&buf[..n * src.channels()]);
        }
    }

    #[test]
    fn round_trip_keeps_a_sine_and_exact_lengths() {
        for frames in [44_100u64, 12_345, 100] {
            let sine = Sine {
                rate: 44_100,
                freq: 1000.0,
                pos: 0,
                frames,
            };
            let up = Resampled::new(sine, 48_000).expect("up");
            assert_eq!(up.total_frames(), Some(scaled(frames, 44_100, 48_000)));
            let mut down = Resampled::new(up, 44_100).expect("down");
            let out = read_all(&mut down);
            assert_eq!(out.len() as u64, frames * 2, "length after 44.1k→48k→44.1k");
            let max_err = sine_error(&out, 44_100, 1000.0);
            assert!(max_err < 1e-3, "max error {max_err} for {frames} frames");
        }
    }

    /// Max error against the ideal sine at `rate`, away from the edges (where the abrupt
    /// start and end ring through the ~1000-tap filter).
    fn sine_error(y: &[f32], rate: u32, freq: f64) -> f32 {
        let edge = 2000;
        let frames = y.len() / 2;
        let mut max_err = 0.0f32;
        for (i, f) in y
            .chunks_exact(2)
            .enumerate()
            .skip(edge)
            .take(frames.saturating_sub(2 * edge))
        {
            let t = i as f64 / f64::from(rate);
            let want = (0.5 * (2.0 * std::f64::consts::PI * freq * t).sin()) as f32;
            max_err = max_err.max((f[0] - want).abs()).max((f[1] + want).abs());
        }
        max_err
    }

    #[test]
    fn each_direction_is_time_aligned_and_exact_in_length() {
        // Includes ratios whose minimum FFT blocks are odd (44.1k ↔ 48k: 147/160).
        for (a, b) in [
            (44_100, 48_000),
            (48_000, 44_100),
            (48_000, 24_000),
            (32_000, 44_100),
            (44_100, 96_000),
        ] {
            let sine = Sine {
                rate: a,
                freq: 440.0,
                pos: 0,
                frames: 2 * u64::from(a) + 7,
            };
            let mut r = Resampled::new(sine, b).expect("resampler");
            let y = read_all(&mut r);
            assert_eq!(
                y.len() as u64,
                2 * scaled(2 * u64::from(a) + 7, a, b),
                "{a}→{b}"
            );
            // Half a sample of misalignment would be an error of about 0.015 here.
            let e = sine_error(&y, b, 440.0);
            assert!(e < 1e-4, "{a}→{b}: max error {e}");
        }
    }

    #[test]
    fn exact_length_for_odd_rates() {
        let sine = Sine {
            rate: 44_100,
            freq: 440.0,
            pos: 0,
            frames: 10_001,
        };
        let mut r = Resampled::new(sine, 22_050).expect("down");
        assert_eq!(read_all(&mut r).len(), 2 * 5_001);
    }

    #[test]
    fn equal_rates_pass_through() {
        let sine = Sine {
            rate: 48_000,
            freq: 440.0,
            pos: 0,
            frames: 1000,
        };
        let mut r = Resampled::new(sine, 48_000).expect("same");
        assert_eq!(read_all(&mut r).len(), 2000);
    }
}

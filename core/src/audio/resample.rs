//! Streaming sample-rate conversion with rubato's synchronous FFT resampler (fixed
//! ratio, high quality). The resampler's delay is trimmed and its tail flushed, so the
//! output has exactly round(input_frames · out_rate / in_rate) frames, aligned in time.

use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{Fft, FixedSync, Indexing, Resampler};

use super::{AudioError, AudioSource};

/// Input frames per resampler call.
const CHUNK: usize = 4096;

pub struct Resampled<S> {
    inner: S,
    channels: usize,
    in_rate: u32,
    out_rate: u32,
    /// `None` when the rates are equal: samples pass through untouched.
    resampler: Option<Fft<f32>>,
    in_buf: Vec<f32>,
    out_buf: Vec<f32>,
    /// Resampled samples not yet handed out, from `queue_pos`.
    queue: Vec<f32>,
    queue_pos: usize,
    /// Output frames still to drop at the start (the resampler's delay).
    to_skip: usize,
    in_frames: u64,
    emitted: u64,
    input_done: bool,
}

fn err(e: impl std::fmt::Display) -> AudioError {
    AudioError::Resample(e.to_string())
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
        let resampler = if in_rate == out_rate {
            None
        } else {
            Some(Fft::<f32>::new(in_rate as usize, out_rate as usize, CHUNK, channels, FixedSync::Input).map_err(err)?)
        };
        let (in_len, out_len, delay) = match &resampler {
            Some(r) => (r.input_frames_max() * channels, r.output_frames_max() * channels, r.output_delay()),
            None => (0, 0, 0),
        };
        Ok(Self {
            inner,
            channels,
            in_rate,
            out_rate,
            resampler,
            in_buf: vec![0.0; in_len],
            out_buf: vec![0.0; out_len],
            queue: Vec::new(),
            queue_pos: 0,
            to_skip: delay,
            in_frames: 0,
            emitted: 0,
            input_done: false,
        })
    }

    /// Output length for the input seen so far (final once the input is done).
    fn target_frames(&self) -> u64 {
        ((self.in_frames as u128 * self.out_rate as u128 + self.in_rate as u128 / 2) / self.in_rate as u128) as u64
    }

    /// Runs one resampler chunk, appending to the queue. Returns false when nothing more
    /// can come out.
    fn produce(&mut self) -> Result<bool, AudioError> {
        let ch = self.channels;
        let Some(need) = self.resampler.as_ref().map(|r| r.input_frames_next()) else {
            return Ok(false);
        };
        let mut got = 0;
        while !self.input_done && got < need {
            let n = self.inner.read(&mut self.in_buf[got * ch..need * ch])?;
            if n == 0 {
                self.input_done = true;
            }
            got += n;
        }
        self.in_frames += got as u64;
        let queued_frames = (self.queue.len() - self.queue_pos) / ch;
        if self.input_done && self.emitted + queued_frames as u64 >= self.target_frames() {
            return Ok(false);
        }
        let Some(rs) = self.resampler.as_mut() else {
            return Ok(false);
        };
        let indexing = (got < need).then(|| Indexing::new().partial_len(got));
        let out_max = self.out_buf.len() / ch;
        let input = InterleavedSlice::new(&self.in_buf[..], ch, need).map_err(err)?;
        let mut output = InterleavedSlice::new_mut(&mut self.out_buf[..], ch, out_max).map_err(err)?;
        let (_, produced) = rs.process_into_buffer(&input, &mut output, indexing.as_ref()).map_err(err)?;
        let skip = self.to_skip.min(produced);
        self.to_skip -= skip;
        if self.queue_pos > 0 {
            self.queue.drain(..self.queue_pos);
            self.queue_pos = 0;
        }
        self.queue.extend_from_slice(&self.out_buf[skip * ch..produced * ch]);
        Ok(true)
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
            .map(|f| ((f as u128 * self.out_rate as u128 + self.in_rate as u128 / 2) / self.in_rate as u128) as u64)
    }
    fn read(&mut self, buf: &mut [f32]) -> Result<usize, AudioError> {
        if self.resampler.is_none() {
            return self.inner.read(buf);
        }
        let ch = self.channels;
        let want = buf.len() / ch;
        while (self.queue.len() - self.queue_pos) / ch < want {
            if !self.produce()? {
                break;
            }
        }
        let mut n = ((self.queue.len() - self.queue_pos) / ch).min(want);
        if self.input_done {
            // Never more than the exact target length: the flushed tail is padding.
            n = n.min(self.target_frames().saturating_sub(self.emitted) as usize);
        }
        buf[..n * ch].copy_from_slice(&self.queue[self.queue_pos..self.queue_pos + n * ch]);
        self.queue_pos += n * ch;
        self.emitted += n as u64;
        Ok(n)
    }
}

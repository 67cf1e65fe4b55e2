//! Channel layout conversion to the stereo that models take.

use crate::{AudioError, AudioSource};

/// Mono is duplicated to both sides; stereo passes through; for more channels the left
/// output is the mean of the even-indexed channels and the right of the odd-indexed ones,
/// because recorders write multi-track files as stereo pairs side by side (an H4n in
/// 4-channel mode: built-in mics L/R, then inputs 1/2).
pub struct ToStereo<S> {
    inner: S,
    scratch: Vec<f32>,
}

impl<S: AudioSource> ToStereo<S> {
    pub fn new(inner: S) -> Self {
        Self {
            inner,
            scratch: Vec::new(),
        }
    }
}

impl<S: AudioSource> AudioSource for ToStereo<S> {
    fn sample_rate(&self) -> u32 {
        self.inner.sample_rate()
    }
    fn channels(&self) -> usize {
        2
    }
    fn total_frames(&self) -> Option<u64> {
        self.inner.total_frames()
    }
    fn read(&mut self, buf: &mut [f32]) -> Result<usize, AudioError> {
        let ch = self.inner.channels();
        if ch == 2 {
            return self.inner.read(buf);
        }
        let frames = buf.len() / 2;
        self.scratch.resize(frames * ch, 0.0);
        let n = self.inner.read(&mut self.scratch)?;
        for (i, frame) in self.scratch[..n * ch].chunks_exact(ch).enumerate() {
            let (l, r) = if ch == 1 {
                (frame[0], frame[0])
            } else {
                let (mut l, mut r, mut nl, mut nr) = (0.0, 0.0, 0.0f32, 0.0f32);
                for (c, &s) in frame.iter().enumerate() {
                    if c % 2 == 0 {
                        l += s;
                        nl += 1.0;
                    } else {
                        r += s;
                        nr += 1.0;
                    }
                }
                (l / nl, r / nr.max(1.0))
            };
            buf[2 * i] = l;
            buf[2 * i + 1] = r;
        }
        Ok(n)
    }
}

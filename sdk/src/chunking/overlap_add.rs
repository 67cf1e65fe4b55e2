//! A sliding weighted overlap-add accumulator: windows are added at increasing start
//! positions, and everything before the next window's start is final and can be taken
//! out. Memory is bounded by the window length, not by the recording.

/// Accumulates `Σ w·y` and `Σ w` for `channels` interleaved channels.
pub struct OverlapAdd {
    channels: usize,
    /// Position (in frames) of the first frame still held.
    base: i64,
    sum: Vec<f32>,
    weight: Vec<f32>,
}

impl OverlapAdd {
    pub fn new(channels: usize, start: i64) -> Self {
        Self {
            channels,
            base: start,
            sum: Vec::new(),
            weight: Vec::new(),
        }
    }

    /// Position of the first frame not yet taken.
    pub fn base(&self) -> i64 {
        self.base
    }

    /// Adds `frames` (interleaved, `weights.len()` frames) at `start`, each frame scaled
    /// by its weight. Frames before [`Self::base`] (already taken) are ignored.
    pub fn add(&mut self, start: i64, frames: &[f32], weights: &[f32]) {
        let ch = self.channels;
        debug_assert_eq!(frames.len(), weights.len() * ch);
        let skip = (self.base - start).max(0) as usize;
        if skip >= weights.len() {
            return;
        }
        let offset = (start + skip as i64 - self.base) as usize;
        let end = offset + weights.len() - skip;
        if self.weight.len() < end {
            self.weight.resize(end, 0.0);
            self.sum.resize(end * ch, 0.0);
        }
        for (i, &w) in weights.iter().enumerate().skip(skip) {
            let at = offset + i - skip;
            self.weight[at] += w;
            let src = &frames[i * ch..(i + 1) * ch];
            for (acc, &y) in self.sum[at * ch..(at + 1) * ch].iter_mut().zip(src) {
                *acc += w * y;
            }
        }
    }

    /// Removes the frames before `upto` and appends them, divided by their summed weight,
    /// to `out` (interleaved). Frames that received no weight come out as 0.
    pub fn take_until(&mut self, upto: i64, out: &mut Vec<f32>) {
        self.take(upto, out, true);
    }

    /// Like [`Self::take_until`] but appends the weighted sums `Σ w·y` themselves, for
    /// schemes that divide by a constant instead of the coverage (MDX23C's chunking).
    pub fn take_sums_until(&mut self, upto: i64, out: &mut Vec<f32>) {
        self.take(upto, out, false);
    }

    fn take(&mut self, upto: i64, out: &mut Vec<f32>, normalise: bool) {
        let ch = self.channels;
        if upto <= self.base {
            return;
        }
        let n = (upto - self.base) as usize;
        if self.weight.len() < n {
            self.weight.resize(n, 0.0);
            self.sum.resize(n * ch, 0.0);
        }
        out.reserve(n * ch);
        for i in 0..n {
            let w = self.weight[i];
            let frame = &self.sum[i * ch..(i + 1) * ch];
            if !normalise {
                out.extend_from_slice(frame);
            } else if w > 0.0 {
                out.extend(frame.iter().map(|&s| s / w));
            } else {
                out.extend(std::iter::repeat_n(0.0, ch));
            }
        }
        self.weight.drain(..n);
        self.sum.drain(..n * ch);
        self.base = upto;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weighted_average_of_overlapping_windows() {
        let mut oa = OverlapAdd::new(1, 0);
        oa.add(0, &[1.0, 1.0, 1.0, 1.0], &[1.0, 1.0, 1.0, 1.0]);
        oa.add(2, &[3.0, 3.0, 3.0], &[1.0, 3.0, 1.0]);
        let mut out = Vec::new();
        oa.take_until(2, &mut out);
        assert_eq!(out, vec![1.0, 1.0]);
        oa.take_until(6, &mut out);
        assert_eq!(out, vec![1.0, 1.0, 2.0, 2.5, 3.0, 0.0]);
        // Adding before the base only keeps the part still held.
        oa.add(4, &[5.0, 5.0, 5.0], &[1.0, 1.0, 1.0]);
        oa.take_until(7, &mut out);
        assert_eq!(out[6], 5.0);
    }

    #[test]
    fn negative_positions_and_stereo() {
        let mut oa = OverlapAdd::new(2, -2);
        oa.add(-2, &[1.0, -1.0, 2.0, -2.0], &[1.0, 1.0]);
        let mut out = Vec::new();
        oa.take_until(0, &mut out);
        assert_eq!(out, vec![1.0, -1.0, 2.0, -2.0]);
        assert_eq!(oa.base(), 0);
    }

    #[test]
    fn sums_are_not_divided() {
        let mut oa = OverlapAdd::new(1, 0);
        oa.add(0, &[1.0, 1.0], &[1.0, 1.0]);
        oa.add(1, &[3.0, 3.0], &[1.0, 1.0]);
        let mut out = Vec::new();
        oa.take_sums_until(3, &mut out);
        assert_eq!(out, vec![1.0, 4.0, 3.0]);
    }
}

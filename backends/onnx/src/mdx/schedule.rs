//! MDX-Net chunking (model-formats spec §1.7): the padded mixture and the (start, length)
//! of every chunk, exactly as UVR's `demix`.

/// How far consecutive chunks overlap.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Overlap {
    /// UVR's default: step = C − n_fft.
    Default,
    /// A fraction o in [0, 1): step = ⌊(1 − o)·C⌋ (audio-separator's default is 0.25).
    Fraction(f64),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    /// n_fft / 2 zeros before the mix.
    pub trim: usize,
    /// Samples per chunk: hop·(segment − 1).
    pub chunk: usize,
    /// Useful samples per chunk: chunk − 2·trim.
    pub useful: usize,
    /// Zeros after the mix.
    pub pad: usize,
    /// Length of the padded mixture: n + trim + pad.
    pub total: usize,
    pub step: usize,
    /// (start, length) in the padded mixture; length < chunk only for the last ones.
    pub chunks: Vec<(usize, usize)>,
}

impl Schedule {
    /// Requires `chunk > n_fft` (checked when the parameters are resolved).
    pub fn new(n: usize, n_fft: usize, hop: usize, segment: usize, overlap: Overlap) -> Self {
        let trim = n_fft / 2;
        let chunk = hop * (segment - 1);
        let useful = chunk - 2 * trim;
        let pad = useful + trim - (n % useful);
        let total = n + trim + pad;
        let step = match overlap {
            Overlap::Default => chunk - n_fft,
            Overlap::Fraction(o) => ((1.0 - o) * chunk as f64).floor() as usize,
        }
        .max(1);
        let chunks = (0..total)
            .step_by(step)
            .map(|s| (s, chunk.min(total - s)))
            .collect();
        Self {
            trim,
            chunk,
            useful,
            pad,
            total,
            step,
            chunks,
        }
    }
}

/// numpy's `hanning(len)`: symmetric, both ends 0; `hanning(1)` = `[1]`.
pub fn symmetric_hann(len: usize) -> Vec<f32> {
    if len == 1 {
        return vec![1.0];
    }
    let d = (len - 1) as f64;
    (0..len)
        .map(|i| (0.5 - 0.5 * (2.0 * std::f64::consts::PI * i as f64 / d).cos()) as f32)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worked_examples_of_the_spec() {
        let s = Schedule::new(441_000, 6144, 1024, 256, Overlap::Default);
        assert_eq!(
            (s.trim, s.chunk, s.useful, s.pad, s.total),
            (3072, 261_120, 254_976, 72_024, 516_096)
        );
        assert_eq!(
            s.chunks,
            vec![(0, 261_120), (254_976, 261_120), (509_952, 6144)]
        );
        let s = Schedule::new(441_000, 6144, 1024, 256, Overlap::Fraction(0.25));
        assert_eq!(
            s.chunks,
            vec![(0, 261_120), (195_840, 261_120), (391_680, 124_416)]
        );
    }

    #[test]
    fn hann_is_numpy_hanning() {
        assert_eq!(symmetric_hann(1), vec![1.0]);
        let w = symmetric_hann(5);
        let expect = [0.0, 0.5, 1.0, 0.5, 0.0];
        for (a, b) in w.iter().zip(expect) {
            assert!((a - b).abs() < 1e-7);
        }
    }
}

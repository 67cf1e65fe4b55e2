//! Pieces shared by the two torch.stft re-implementations (MDX-Net chunks, HTDemucs
//! windows): the periodic Hann window and the inverse of the overlap-added window².

/// torch.hann_window(n): 0.5 − 0.5·cos(2πi/n).
pub fn periodic_hann(n: usize) -> Vec<f32> {
    (0..n)
        .map(|i| (0.5 - 0.5 * (2.0 * std::f64::consts::PI * i as f64 / n as f64).cos()) as f32)
        .collect()
}

/// 1 / Σ_t window²(i − t·hop) over `frames` frames (0 where no frame reaches), the
/// normalisation torch.istft divides by.
pub fn inverse_envelope(window: &[f32], hop: usize, frames: usize) -> Vec<f32> {
    let mut envelope = vec![0.0f64; hop * (frames - 1) + window.len()];
    for t in 0..frames {
        for (i, w) in window.iter().enumerate() {
            envelope[t * hop + i] += f64::from(*w) * f64::from(*w);
        }
    }
    envelope
        .iter()
        .map(|&e| if e > 1e-11 { (1.0 / e) as f32 } else { 0.0 })
        .collect()
}

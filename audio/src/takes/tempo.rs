//! Tempo from the onset envelope's autocorrelation (with a log-normal prior around a
//! preferred tempo), then a beat grid by dynamic programming (Ellis 2007) whose mean
//! inter-beat interval refines the tempo, and downbeats from where the low end hits.

use super::features::{Frame, Geometry};

#[derive(Debug, Clone, PartialEq)]
pub struct Tempo {
    pub bpm: f64,
    pub confidence: f64,
    pub beats: Vec<f64>,
    pub downbeats: Vec<f64>,
}

#[derive(Debug, Clone, Copy)]
pub struct TempoSettings {
    pub min_bpm: f64,
    pub max_bpm: f64,
    pub prior_bpm: f64,
    /// Width of the prior in octaves.
    pub prior_octaves: f64,
}

/// The onset envelope of frames `[a, b)`: flux plus low-band flux, local mean removed,
/// half-wave rectified, unit standard deviation.
pub fn onset_envelope(frames: &[Frame], fps: f64) -> Vec<f64> {
    let raw: Vec<f64> = frames
        .iter()
        .map(|f| f64::from(f.flux) + LOW_WEIGHT * f64::from(f.low_flux))
        .collect();
    let n = raw.len();
    let half = ((0.25 * fps) as usize).max(1);
    let mut prefix = vec![0.0; n + 1];
    for i in 0..n {
        prefix[i + 1] = prefix[i] + raw[i];
    }
    let mut o: Vec<f64> = (0..n)
        .map(|i| {
            let a = i.saturating_sub(half);
            let b = (i + half + 1).min(n);
            let m = (prefix[b] - prefix[a]) / (b - a) as f64;
            (raw[i] - m).max(0.0)
        })
        .collect();
    let sd = (o.iter().map(|x| x * x).sum::<f64>() / n.max(1) as f64).sqrt();
    if sd > 0.0 {
        o.iter_mut().for_each(|x| *x /= sd);
    }
    o
}

/// Autocorrelation of `o` at lags 0..=max_lag, normalised by lag 0.
pub(crate) fn autocorr(o: &[f64], max_lag: usize) -> Vec<f64> {
    let n = o.len();
    let ac0 = super::fastmath::dot(o, o).max(1e-12);
    (0..=max_lag)
        .map(|l| {
            if l >= n {
                0.0
            } else {
                super::fastmath::dot(&o[..n - l], &o[l..]) / ac0
            }
        })
        .collect()
}

/// Weight of the low band's flux in the onset envelope.
const LOW_WEIGHT: f64 = 0.0;

/// Weight of the two-beat lag in a lag's score.
const HARMONIC: f64 = 0.0;

pub fn estimate(frames: &[Frame], geo: &Geometry, s: &TempoSettings) -> Option<Tempo> {
    let fps = geo.fps();
    let o = onset_envelope(frames, fps);
    let n = o.len();
    let min_lag = (60.0 * fps / s.max_bpm).floor().max(2.0) as usize;
    let max_lag = (60.0 * fps / s.min_bpm).ceil() as usize;
    if n < 4 * max_lag {
        return None;
    }
    let ac = autocorr(&o, 2 * max_lag + 2);
    // Score each lag by its own correlation and its multiples' (a beat period also
    // repeats at two and four beats), weighted by the prior.
    let score = |l: usize| -> f64 {
        let bpm = 60.0 * fps / l as f64;
        let z = (bpm / s.prior_bpm).log2() / s.prior_octaves;
        let prior = (-0.5 * z * z).exp();
        let h = ac[l] + HARMONIC * ac.get(2 * l).copied().unwrap_or(0.0);
        h.max(0.0) * prior
    };
    let (mut best, mut best_score) = (min_lag, f64::MIN);
    for l in min_lag..=max_lag {
        let v = score(l);
        if v > best_score {
            best = l;
            best_score = v;
        }
    }
    // Parabolic interpolation on the autocorrelation.
    let mut lag = best as f64;
    if best > 1 && best + 1 < ac.len() {
        let (y0, y1, y2) = (ac[best - 1], ac[best], ac[best + 1]);
        let den = y0 - 2.0 * y1 + y2;
        if den < 0.0 {
            lag += (0.5 * (y0 - y2) / den).clamp(-0.5, 0.5);
        }
    }
    let confidence = ac[best].clamp(0.0, 1.0);
    let beats = track_beats(&o, lag, 100.0);
    let mut bpm = 60.0 * fps / lag;
    if beats.len() >= 8 {
        // Least-squares slope of beat frame against beat index.
        let m = beats.len() as f64;
        let mx = (m - 1.0) / 2.0;
        let my = beats.iter().map(|&b| b as f64).sum::<f64>() / m;
        let (mut num, mut den) = (0.0, 0.0);
        for (i, &b) in beats.iter().enumerate() {
            num += (i as f64 - mx) * (b as f64 - my);
            den += (i as f64 - mx).powi(2);
        }
        let period = num / den;
        if period > 0.0 && (period / lag - 1.0).abs() < 0.1 {
            bpm = 60.0 * fps / period;
        }
    }
    let times: Vec<f64> = beats.iter().map(|&b| b as f64 / fps).collect();
    let downbeats = downbeats(frames, &beats, &times);
    Some(Tempo {
        bpm,
        confidence,
        beats: times,
        downbeats,
    })
}

/// Ellis' dynamic programme: each beat's cumulative score is its onset strength plus the
/// best predecessor's, penalised by how far the interval is from the period.
fn track_beats(o: &[f64], period: f64, tightness: f64) -> Vec<usize> {
    let n = o.len();
    let mut cum = vec![0.0f64; n];
    let mut back = vec![usize::MAX; n];
    let lo = (period / 2.0).round().max(1.0) as usize;
    let hi = (period * 2.0).round() as usize;
    for t in 0..n {
        let mut best = 0.0f64;
        let mut arg = usize::MAX;
        if t >= lo {
            let from = t.saturating_sub(hi);
            for (tau, &c) in cum.iter().enumerate().take(t - lo + 1).skip(from) {
                let d = (t - tau) as f64 / period;
                let v = c - tightness * d.ln().powi(2);
                if arg == usize::MAX || v > best {
                    best = v;
                    arg = tau;
                }
            }
        }
        cum[t] = o[t]
            + if arg == usize::MAX {
                0.0
            } else {
                best.max(0.0)
            };
        back[t] = if best > 0.0 { arg } else { usize::MAX };
    }
    // End on the best-scoring frame within the last period.
    let tail = n.saturating_sub(period.ceil() as usize);
    let mut end = tail;
    for t in tail..n {
        if cum[t] > cum[end] {
            end = t;
        }
    }
    let mut beats = vec![end];
    let mut t = end;
    while back[t] != usize::MAX {
        t = back[t];
        beats.push(t);
    }
    beats.reverse();
    beats
}

/// The phase (of four) whose beats carry the most low-band flux, when it stands out.
fn downbeats(frames: &[Frame], beats: &[usize], times: &[f64]) -> Vec<f64> {
    if beats.len() < 16 {
        return Vec::new();
    }
    let mut sums = [0.0f64; 4];
    for (i, &b) in beats.iter().enumerate() {
        let a = b.saturating_sub(2);
        let e = (b + 3).min(frames.len());
        sums[i % 4] += frames[a..e]
            .iter()
            .map(|f| f64::from(f.low_flux))
            .sum::<f64>();
    }
    let mut order = [0usize, 1, 2, 3];
    order.sort_by(|&x, &y| sums[y].total_cmp(&sums[x]));
    if sums[order[0]] < 1.25 * sums[order[1]] {
        return Vec::new();
    }
    times.iter().skip(order[0]).step_by(4).copied().collect()
}

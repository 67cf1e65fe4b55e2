//! Per-second features aggregated from the frames, and the music-likeness score.

use super::features::{Frame, Geometry};

/// Number of per-second features.
pub const N_FEATURES: usize = 12;

/// Names of the per-second features, in order (for dumps).
pub const FEATURE_NAMES: [&str; N_FEATURES] = [
    "level_db",
    "low_db",
    "mid_db",
    "high_db",
    "log_flatness",
    "pulse",
    "low_pulse",
    "gap_fraction",
    "chroma_stability",
    "chroma_peak",
    "flux",
    "level_std",
];

fn db(x: f64) -> f64 {
    10.0 * (x + 1e-12).log10()
}

/// Frames `[a, b)` of second `k` (clamped).
fn span(geo: &Geometry, n: usize, from_s: f64, to_s: f64) -> (usize, usize) {
    let fps = geo.fps();
    let a = (from_s * fps).max(0.0) as usize;
    let b = ((to_s * fps).max(0.0) as usize).min(n);
    (a.min(b), b)
}

/// Normalised autocorrelation peak of an onset envelope over musical lags: the mean of
/// the correlation at a beat lag and at twice it, best over 50–200 BPM.
pub fn periodicity(env: &[f32], fps: f64) -> f64 {
    let n = env.len();
    if n < 8 {
        return 0.0;
    }
    let mean = env.iter().map(|&x| f64::from(x)).sum::<f64>() / n as f64;
    let o: Vec<f64> = env.iter().map(|&x| f64::from(x) - mean).collect();
    let ac0: f64 = o.iter().map(|x| x * x).sum();
    if ac0 <= 1e-12 {
        return 0.0;
    }
    let lo = (0.3 * fps) as usize;
    let hi = (1.2 * fps) as usize;
    let acs = super::tempo::autocorr(&o, 2 * hi + 1);
    let mut best = 0.0f64;
    for l in lo..=hi {
        let v = 0.5 * (acs[l] + acs[2 * l]);
        best = best.max(v);
    }
    best
}

/// One row of [`N_FEATURES`] per second of audio.
pub fn second_features(
    frames: &[Frame],
    chroma: &[[f32; 12]],
    geo: &Geometry,
) -> Vec<[f64; N_FEATURES]> {
    let n = frames.len();
    let fps = geo.fps();
    let secs = ((n as f64) / fps).ceil() as usize;
    // Raw per-second levels, for the file's reference level.
    let mut level = Vec::with_capacity(secs);
    for k in 0..secs {
        let (a, b) = span(geo, n, k as f64, k as f64 + 1.0);
        let e: f64 = frames[a..b]
            .iter()
            .map(|f| f64::from(f.energy))
            .sum::<f64>()
            / (b - a).max(1) as f64;
        level.push(db(e));
    }
    let mut sorted = level.clone();
    sorted.sort_by(f64::total_cmp);
    let reference = sorted
        .get(((sorted.len() as f64) * 0.95) as usize)
        .or(sorted.last())
        .copied()
        .unwrap_or(0.0);
    let chroma_norm: Vec<[f64; 12]> = chroma
        .iter()
        .map(|c| {
            let s: f64 = c
                .iter()
                .map(|&x| f64::from(x) * f64::from(x))
                .sum::<f64>()
                .sqrt();
            let mut o = [0.0; 12];
            if s > 0.0 {
                for (o, &x) in o.iter_mut().zip(c) {
                    *o = f64::from(x) / s;
                }
            }
            o
        })
        .collect();
    let cos = |a: usize, b: usize| -> Option<f64> {
        let (x, y) = (chroma_norm.get(a)?, chroma_norm.get(b)?);
        Some(x.iter().zip(y).map(|(p, q)| p * q).sum())
    };
    let mut out = Vec::with_capacity(secs);
    for k in 0..secs {
        let t = k as f64 + 0.5;
        let (a, b) = span(geo, n, t - 2.0, t + 2.0);
        let w = &frames[a..b];
        let m = w.len().max(1) as f64;
        let sum = |g: fn(&Frame) -> f32| w.iter().map(|f| f64::from(g(f))).sum::<f64>();
        let e = sum(|f| f.energy);
        let low = sum(|f| f.low);
        let mid = sum(|f| f.mid);
        let high = sum(|f| f.high);
        let flat = w
            .iter()
            .map(|f| f64::from(f.flatness + 1e-9).ln())
            .sum::<f64>()
            / m;
        let mean_e = e / m;
        let gap = w
            .iter()
            .filter(|f| f64::from(f.energy) < 0.01 * mean_e)
            .count() as f64
            / m;
        let dbs: Vec<f64> = w.iter().map(|f| db(f64::from(f.energy))).collect();
        let mdb = dbs.iter().sum::<f64>() / m;
        let sd = (dbs.iter().map(|x| (x - mdb).powi(2)).sum::<f64>() / m).sqrt();
        let flux = sum(|f| f.flux) / m;
        let (pa, pb) = span(geo, n, t - 4.0, t + 4.0);
        let env: Vec<f32> = frames[pa..pb].iter().map(|f| f.flux).collect();
        let pulse = periodicity(&env, fps);
        let lenv: Vec<f32> = frames[pa..pb].iter().map(|f| f.low_flux).collect();
        let low_pulse = periodicity(&lenv, fps);
        let mut stab = 0.0;
        let mut ns = 0.0;
        for j in k.saturating_sub(2)..k + 2 {
            if let Some(c) = cos(j, j + 1) {
                stab += c;
                ns += 1.0;
            }
        }
        let stab = if ns > 0.0 { stab / ns } else { 0.0 };
        let mut csum = [0.0f64; 12];
        let near = &chroma[k.saturating_sub(1).min(chroma.len())..(k + 2).min(chroma.len())];
        for c in near {
            for (s, &x) in csum.iter_mut().zip(c) {
                *s += f64::from(x);
            }
        }
        let ctot: f64 = csum.iter().sum();
        let cmax = csum.iter().copied().fold(0.0, f64::max);
        let peak = if ctot > 0.0 { cmax * 12.0 / ctot } else { 1.0 };
        out.push([
            (db(mean_e) - reference).clamp(-80.0, 20.0),
            (db(low) - db(e)).clamp(-60.0, 0.0),
            (db(mid) - db(e)).clamp(-60.0, 0.0),
            (db(high) - db(e)).clamp(-60.0, 0.0),
            flat,
            pulse,
            low_pulse,
            gap,
            stab,
            peak,
            flux,
            sd,
        ]);
    }
    out
}

/// Length of the expanded feature vector: the standardised features, then their
/// pairwise products (i ≤ j).
pub const N_EXPANDED: usize = N_FEATURES + N_FEATURES * (N_FEATURES + 1) / 2;

/// Logistic model over standardised features and their pairwise products (a band is
/// several things at once: low end *and* cymbals *and* harmony), fitted offline.
pub struct Model {
    pub mean: [f64; N_FEATURES],
    pub scale: [f64; N_FEATURES],
    pub weight: [f64; N_EXPANDED],
    pub bias: f64,
}

impl Model {
    pub fn score(&self, x: &[f64; N_FEATURES]) -> f64 {
        let mut z = [0.0; N_FEATURES];
        for (i, v) in x.iter().enumerate() {
            z[i] = ((v - self.mean[i]) / self.scale[i]).clamp(-6.0, 6.0);
        }
        let mut acc = self.bias;
        let mut w = self.weight.iter();
        for zi in z {
            acc += w.next().map_or(0.0, |w| w * zi);
        }
        for i in 0..N_FEATURES {
            for j in i..N_FEATURES {
                acc += w.next().map_or(0.0, |w| w * z[i] * z[j]);
            }
        }
        1.0 / (1.0 + (-acc).exp())
    }
}

/// Fitted on generated rehearsal nights (bench/rehearsal, 20 minutes, seeds 1, 2, 4, 5).
pub const MODEL: Model = Model {
    mean: [
        -6.8079, -7.8198, -3.4926, -16.682, -3.53, 0.45104, 0.26477, 0.092696, 0.94558, 1.7971,
        18.454, 5.786,
    ],
    scale: [
        6.6013, 6.9252, 2.8378, 5.2253, 1.0864, 0.26514, 0.1789, 0.15461, 0.034991, 0.45232,
        8.0509, 4.0079,
    ],
    weight: [
        0.026573, 0.88284, -0.40896, 0.17994, -0.96584, 0.89334, 0.098789, -0.70572, -0.14701,
        0.53954, 0.41735, -1.9984, -0.037231, 0.2105, -0.28162, 0.14304, 0.34048, -0.031619,
        0.31544, -0.077536, 0.076391, -0.068639, 0.13995, 0.028694, -0.0070309, 0.24457, 0.31601,
        -0.052416, -0.10524, 0.17995, -0.21026, -0.3142, -0.065497, 0.046597, 0.064864, -0.43152,
        -0.51739, -0.037822, -0.040146, 0.090609, -0.062471, 0.076357, 0.20159, -0.093377,
        -0.12686, 0.18969, 0.0099436, 0.16826, 0.078756, 0.0090287, 0.063365, 0.030386, -0.13675,
        0.40425, -0.441, -0.15017, -0.12934, 0.15177, -0.23269, 0.080608, -0.11979, 0.063118,
        0.12115, -0.19613, -0.01055, -0.020232, 0.18785, -0.12454, 0.14253, -0.12225, 0.13562,
        -0.12728, 0.10131, 0.11214, 0.011372, -0.13703, 0.050097, 0.10014, -0.09409, 0.52693,
        -0.12706, -0.1352, -0.31194, 0.080718, -0.33826, 0.23438, -0.0086545, -0.1802, 0.1606,
        -0.010974,
    ],
    bias: 1.7772,
};

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
        -6.90313, -7.93174, -3.61811, -16.84408, -3.44054, 0.43438, 0.26015, 0.08415, 0.94761,
        1.75961, 19.77889, 6.07508,
    ],
    scale: [
        6.60572, 6.66772, 3.11161, 5.4278, 0.99746, 0.25255, 0.16524, 0.14037, 0.033, 0.43048,
        9.08358, 3.7471,
    ],
    weight: [
        0.1469, 1.1779, -0.7142, 0.2439, -0.6465, 0.7582, 0.4361, -0.5991, -0.155, 0.5964, 0.4532,
        -1.7079, 0.1, 0.2037, -0.3552, 0.0219, 0.2103, -0.0264, 0.1897, -0.0723, 0.1229, -0.0548,
        0.2002, 0.105, -0.5003, 0.2727, 0.1009, -0.3842, 0.2403, 0.3826, -0.209, -0.4091, 0.0988,
        -0.0649, 0.1798, -0.4056, -0.3878, -0.1174, -0.1526, -0.3734, 0.0872, -0.1636, 0.109,
        -0.1831, -0.5059, 0.0411, -0.0045, 0.0024, 0.0958, -0.102, 0.1083, -0.0867, -0.1309,
        0.1767, -0.401, -0.1062, -0.1118, 0.1406, -0.3688, -0.0515, -0.1638, 0.2239, -0.0978,
        -0.3148, -0.1343, 0.0942, 0.2022, -0.0487, -0.0484, -0.3092, -0.0008, -0.1035, 0.1206,
        0.0623, 0.0962, -0.1699, 0.2087, 0.0251, 0.0192, 0.4965, -0.1489, 0.183, -0.1615, 0.2118,
        -0.3722, 0.0018, -0.0909, 0.118, 0.2727, 0.1825,
    ],
    bias: 1.2564,
};

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

/// Inputs of the second stage: the per-second features, the first stage's score, and
/// the lower and the higher of the most music-like moment in the [`CONTEXT_SECONDS`]
/// before and after ([`context`]).
pub const N_CONTEXT: usize = N_FEATURES + 3;
pub const N_CONTEXT_EXPANDED: usize = N_CONTEXT + N_CONTEXT * (N_CONTEXT + 1) / 2;

/// How far the second stage looks either side. A breakdown (drums out, sustained
/// chords, 8 bars: up to ~25 s) has the band on both sides within this; noodling after
/// a take, or talk before one, on one side only.
pub const CONTEXT_SECONDS: usize = 15;

/// Logistic model over standardised inputs and their pairwise products (a band is
/// several things at once: low end *and* cymbals *and* harmony), fitted offline.
pub struct Model<const N: usize, const E: usize> {
    pub mean: [f64; N],
    pub scale: [f64; N],
    pub weight: [f64; E],
    pub bias: f64,
}

impl<const N: usize, const E: usize> Model<N, E> {
    pub fn score(&self, x: &[f64; N]) -> f64 {
        let mut z = [0.0; N];
        for (i, v) in x.iter().enumerate() {
            z[i] = ((v - self.mean[i]) / self.scale[i]).clamp(-6.0, 6.0);
        }
        let mut acc = self.bias;
        let mut w = self.weight.iter();
        for zi in z {
            acc += w.next().map_or(0.0, |w| w * zi);
        }
        for i in 0..N {
            for j in i..N {
                acc += w.next().map_or(0.0, |w| w * z[i] * z[j]);
            }
        }
        1.0 / (1.0 + (-acc).exp())
    }
}

/// Per second: the first-stage score, and of the 3 s mean score's maxima over the
/// [`CONTEXT_SECONDS`] before and after, the lower and the higher.
pub fn context(p: &[f64]) -> Vec<[f64; 3]> {
    let n = p.len();
    let s: Vec<f64> = (0..n)
        .map(|k| {
            let w = &p[k.saturating_sub(1)..(k + 2).min(n)];
            w.iter().sum::<f64>() / w.len() as f64
        })
        .collect();
    let max = |w: &[f64]| w.iter().copied().fold(0.0, f64::max);
    (0..n)
        .map(|k| {
            let left = max(&s[k.saturating_sub(CONTEXT_SECONDS)..k]);
            let right = max(&s[(k + 1).min(n)..(k + 1 + CONTEXT_SECONDS).min(n)]);
            [p[k], left.min(right), left.max(right)]
        })
        .collect()
}

/// Music-likeness per second in 0..1: [`MODEL`] on the features, then
/// [`CONTEXT_MODEL`] on the features and that score in its context.
pub fn scores(features: &[[f64; N_FEATURES]]) -> Vec<f64> {
    let first: Vec<f64> = features.iter().map(|x| MODEL.score(x)).collect();
    features
        .iter()
        .zip(context(&first))
        .map(|(x, c)| {
            let mut v = [0.0; N_CONTEXT];
            v[..N_FEATURES].copy_from_slice(x);
            v[N_FEATURES..].copy_from_slice(&c);
            CONTEXT_MODEL.score(&v)
        })
        .collect()
}

/// Stage one, fitted with bench/rehearsal/fit_takes.py on generated rehearsal nights
/// (20 and 120 minutes, seeds 1 and 2; seed 3 held out).
pub const MODEL: Model<N_FEATURES, N_EXPANDED> = Model {
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

/// Stage two, fitted with stage one on the same nights.
pub const CONTEXT_MODEL: Model<N_CONTEXT, N_CONTEXT_EXPANDED> = Model {
    mean: [
        -6.8079, -7.8198, -3.4926, -16.682, -3.53, 0.45104, 0.26477, 0.092696, 0.94558, 1.7971,
        18.454, 5.786, 0.52976, 0.54531, 0.66351,
    ],
    scale: [
        6.6013, 6.9252, 2.8378, 5.2253, 1.0864, 0.26514, 0.1789, 0.15461, 0.034991, 0.45232,
        8.0509, 4.0079, 0.48081, 0.47414, 0.43778,
    ],
    weight: [
        0.0092115,
        0.45261,
        -0.2836,
        0.09777,
        -0.42251,
        0.52483,
        0.091795,
        -0.33452,
        0.010764,
        0.33062,
        0.26448,
        -0.90176,
        1.1257,
        1.0306,
        1.0076,
        -0.034551,
        0.1524,
        -0.19855,
        0.017426,
        0.056352,
        0.054889,
        0.17937,
        -0.037729,
        -0.026881,
        -0.0012065,
        0.042983,
        -0.078765,
        -0.14635,
        -0.14892,
        -0.13058,
        0.091118,
        0.17162,
        0.12175,
        0.035479,
        -0.10809,
        0.11901,
        -0.025742,
        -0.19539,
        -0.084363,
        0.068263,
        0.12083,
        0.15959,
        0.12175,
        0.051574,
        -0.30519,
        -0.18918,
        -0.010652,
        0.041884,
        0.0051089,
        -0.11472,
        0.020964,
        0.1975,
        -0.022042,
        -0.23495,
        -0.062701,
        -0.11215,
        -0.24112,
        0.096151,
        0.0081487,
        0.018365,
        0.015191,
        0.039307,
        -0.00021816,
        0.0078199,
        -0.064984,
        0.1143,
        0.15697,
        -0.13839,
        -0.11005,
        -0.14598,
        -0.17746,
        -0.071632,
        -0.034314,
        -0.080522,
        -0.0075328,
        -0.09504,
        -0.046161,
        0.2037,
        -0.036242,
        -0.11793,
        0.051369,
        -0.071819,
        0.084381,
        -0.047629,
        0.011526,
        -0.02031,
        0.059383,
        0.14153,
        -0.1136,
        0.0064159,
        -0.0099158,
        0.18117,
        -0.091032,
        0.0058656,
        0.095369,
        0.063176,
        0.18034,
        -0.062374,
        0.028534,
        -0.18174,
        0.0058628,
        0.060929,
        -0.03521,
        0.19414,
        -0.2162,
        -0.37279,
        -0.10681,
        -0.044153,
        -0.021888,
        -0.22073,
        0.10133,
        0.084676,
        -0.089574,
        0.15065,
        -0.20564,
        0.14977,
        -0.001245,
        -0.1542,
        0.10122,
        0.13655,
        -0.088301,
        -0.029593,
        0.0048627,
        -0.1208,
        -0.12553,
        -0.006613,
        0.059674,
        -0.20261,
        -0.0029303,
        -0.070177,
        0.033605,
        0.096248,
        -0.046316,
        -0.059098,
        -0.2217,
    ],
    bias: 0.7828,
};

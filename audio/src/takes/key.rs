//! Key from summed chroma against the Krumhansl–Kessler major and minor profiles.

const MAJOR: [f64; 12] = [
    6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88,
];
const MINOR: [f64; 12] = [
    6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17,
];
/// Weights of the 3rd and 5th harmonics in the expected chroma.
const HARM_FIFTH: f64 = 1.0;
const HARM_THIRD: f64 = 0.25;

const NAMES: [&str; 12] = [
    "C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B",
];

fn pearson(a: &[f64; 12], b: &[f64; 12]) -> f64 {
    let ma = a.iter().sum::<f64>() / 12.0;
    let mb = b.iter().sum::<f64>() / 12.0;
    let (mut num, mut da, mut db) = (0.0, 0.0, 0.0);
    for i in 0..12 {
        let (x, y) = (a[i] - ma, b[i] - mb);
        num += x * y;
        da += x * x;
        db += y * y;
    }
    if da <= 0.0 || db <= 0.0 {
        0.0
    } else {
        num / (da * db).sqrt()
    }
}

/// The best of the 24 keys (e.g. "A minor") and a confidence in 0..1: the margin of the
/// best correlation over the best key that is neither it nor its relative, scaled.
pub fn estimate(chroma: &[f64; 12]) -> Option<(String, f64)> {
    if chroma.iter().sum::<f64>() <= 0.0 {
        return None;
    }
    let mut scores = Vec::with_capacity(24);
    for tonic in 0..12 {
        for (minor, profile) in [(false, &MAJOR), (true, &MINOR)] {
            let mut rotated = [0.0; 12];
            for (i, r) in rotated.iter_mut().enumerate() {
                // The profile as heard through harmonics: a note also lights its
                // fifth (3rd harmonic) and major third (5th harmonic).
                let at = |d: usize| profile[(i + 24 - tonic - d) % 12];
                *r = at(0) + HARM_FIFTH * at(7) + HARM_THIRD * at(4);
            }
            scores.push((pearson(chroma, &rotated), tonic, minor));
        }
    }
    scores.sort_by(|a, b| b.0.total_cmp(&a.0));
    let (best, tonic, minor) = scores[0];
    let relative = if minor {
        (tonic + 3) % 12
    } else {
        (tonic + 9) % 12
    };
    let other = scores
        .iter()
        .skip(1)
        .find(|s| !(s.1 == relative && s.2 != minor))
        .map_or(0.0, |s| s.0);
    let name = format!("{} {}", NAMES[tonic], if minor { "minor" } else { "major" });
    Some((name, ((best - other) * 5.0).clamp(0.0, 1.0)))
}

/// The end of a whole take (its last chord) and its share of the chroma the key is
/// read from.
const FINAL_CHORD_SECONDS: f64 = 2.0;
const FINAL_CHORD_SHARE: f64 = 0.3;

/// The key of a whole take `[start, end)` (seconds) from chroma cells of
/// `1/cells_per_second` s: the take's chroma with its last chord weighted in
/// (`FINAL_CHORD_SHARE`), as a song ends on its tonic. Not for a false start.
pub fn with_final_chord(
    chroma: &[[f32; 12]],
    cells_per_second: f64,
    start: f64,
    end: f64,
) -> Option<(String, f64)> {
    let sum = |from: f64, to: f64| {
        let a = ((from * cells_per_second).max(0.0) as usize).min(chroma.len());
        let b = ((to * cells_per_second).ceil().max(0.0) as usize).min(chroma.len());
        let mut c = [0.0f64; 12];
        for cell in &chroma[a..b.max(a)] {
            for (s, &x) in c.iter_mut().zip(cell) {
                *s += f64::from(x);
            }
        }
        c
    };
    let all = sum(start, end);
    let last = sum((end - FINAL_CHORD_SECONDS).max(start), end);
    let (ta, tl) = (all.iter().sum::<f64>(), last.iter().sum::<f64>());
    if ta <= 0.0 || tl <= 0.0 {
        return None;
    }
    let mut mixed = [0.0f64; 12];
    for ((m, a), l) in mixed.iter_mut().zip(all).zip(last) {
        *m = (1.0 - FINAL_CHORD_SHARE) * a / ta + FINAL_CHORD_SHARE * l / tl;
    }
    estimate(&mixed)
}

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

//! Sliding medians for HPSS. A window moves one step at a time, so instead of selecting
//! the median of every window from scratch, a sorted copy of the window is kept and one
//! value swapped per step (O(kernel) moves, no comparisons-heavy selection). Ordering is
//! `f32::total_cmp`, so the result equals a fresh sort's even for odd values.

use std::cmp::Ordering;

/// Position of a value equal to `x` (by `total_cmp`) in `sorted`, if present.
fn position(sorted: &[f32], x: f32) -> Option<usize> {
    let i = sorted.partition_point(|v| v.total_cmp(&x) == Ordering::Less);
    (i < sorted.len() && sorted[i].total_cmp(&x) == Ordering::Equal).then_some(i)
}

/// Replaces one occurrence of `old` in the sorted slice by `new`, keeping it sorted.
/// Returns false (and leaves the slice alone) when `old` is not there.
pub fn replace(sorted: &mut [f32], old: f32, new: f32) -> bool {
    let Some(mut i) = position(sorted, old) else {
        return false;
    };
    // Bubble the hole towards where `new` belongs, shifting neighbours over it.
    while i + 1 < sorted.len() && sorted[i + 1].total_cmp(&new) == Ordering::Less {
        sorted[i] = sorted[i + 1];
        i += 1;
    }
    while i > 0 && sorted[i - 1].total_cmp(&new) == Ordering::Greater {
        sorted[i] = sorted[i - 1];
        i -= 1;
    }
    sorted[i] = new;
    true
}

/// Inserts `x` into a sorted vector.
pub fn insert(sorted: &mut Vec<f32>, x: f32) {
    let i = sorted.partition_point(|v| v.total_cmp(&x) != Ordering::Greater);
    sorted.insert(i, x);
}

/// Removes one occurrence of `x` from a sorted vector (no-op when absent).
pub fn remove(sorted: &mut Vec<f32>, x: f32) {
    if let Some(i) = position(sorted, x) {
        sorted.remove(i);
    }
}

/// The median of a sorted, non-empty window (the upper one for even lengths, which
/// only happens where a frequency window is cut short at DC or Nyquist).
pub fn of_sorted(sorted: &[f32]) -> f32 {
    sorted.get(sorted.len() / 2).copied().unwrap_or(0.0)
}

/// Median across frequency of every bin of `mag` (window `2·half + 1` bins, cut short at
/// the ends), written to `out`. `window` is scratch space.
pub fn across(mag: &[f32], half: usize, window: &mut Vec<f32>, out: &mut [f32]) {
    window.clear();
    for &x in mag.iter().take(half) {
        insert(window, x);
    }
    for (b, o) in out.iter_mut().enumerate() {
        if let Some(&x) = mag.get(b + half) {
            insert(window, x);
        }
        *o = of_sorted(window);
        if b >= half {
            remove(window, mag[b - half]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn brute(values: &[f32]) -> f32 {
        let mut v = values.to_vec();
        v.sort_by(f32::total_cmp);
        v[v.len() / 2]
    }

    fn noise(n: usize) -> Vec<f32> {
        let mut s = 0x2545_f491u32;
        (0..n)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 17;
                s ^= s << 5;
                // Few distinct values, so ties are exercised too.
                (s % 7) as f32 * 0.5
            })
            .collect()
    }

    #[test]
    fn frequency_medians_match_brute_force() {
        let mag = noise(300);
        for half in [0, 1, 3, 8] {
            let mut out = vec![0.0; mag.len()];
            across(&mag, half, &mut Vec::new(), &mut out);
            for (b, o) in out.iter().enumerate() {
                let lo = b.saturating_sub(half);
                let hi = (b + half + 1).min(mag.len());
                assert_eq!(*o, brute(&mag[lo..hi]), "bin {b}, half {half}");
            }
        }
    }

    #[test]
    fn sliding_replace_matches_brute_force() {
        let data = noise(500);
        let k = 9;
        let mut sorted = data[..k].to_vec();
        sorted.sort_by(f32::total_cmp);
        for t in k..data.len() {
            assert!(replace(&mut sorted, data[t - k], data[t]));
            assert_eq!(of_sorted(&sorted), brute(&data[t + 1 - k..=t]), "step {t}");
        }
        assert!(!replace(&mut sorted, 99.0, 1.0));
    }
}

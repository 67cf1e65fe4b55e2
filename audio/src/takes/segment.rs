//! From per-second scores to takes: smoothing, hysteresis, merging short gaps,
//! dropping short islands, and boundaries refined at frame resolution.

use super::TakeSettings;
use super::features::{Frame, Geometry};

/// Moving average over `w` seconds (odd, centred).
pub fn smooth(p: &[f64], w: usize) -> Vec<f64> {
    let h = w / 2;
    (0..p.len())
        .map(|i| {
            let a = i.saturating_sub(h);
            let b = (i + h + 1).min(p.len());
            p[a..b].iter().sum::<f64>() / (b - a) as f64
        })
        .collect()
}

/// Runs `[start, end)` in seconds where the smoothed score is music.
pub fn runs(p: &[f64], s: &TakeSettings) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    let mut open: Option<usize> = None;
    for (i, &v) in p.iter().enumerate() {
        match open {
            None if v >= s.on_threshold => open = Some(i),
            Some(a) if v < s.off_threshold => {
                out.push((a, i));
                open = None;
            }
            _ => {}
        }
    }
    if let Some(a) = open {
        out.push((a, p.len()));
    }
    // Merge across short gaps, then drop short islands.
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for r in out {
        match merged.last_mut() {
            Some(last) if ((r.0 - last.1) as f64) < s.merge_gap_seconds => last.1 = r.1,
            _ => merged.push(r),
        }
    }
    merged
        .into_iter()
        .filter(|r| ((r.1 - r.0) as f64) >= s.min_take_seconds)
        .collect()
}

fn db(x: f32) -> f64 {
    10.0 * (f64::from(x) + 1e-12).log10()
}

/// The note-carrying energy of a frame: everything below 2 kHz.
fn tonal(f: &Frame) -> f64 {
    db(f.low + f.mid)
}

/// Start and end (seconds) of a run at frame resolution. The per-second scores place
/// the boundary within a few seconds (`raw` is unsmoothed); from there, the start is the
/// first frame from which the low band (bass, kick) and the low+middle bands stay near
/// the take's median level (a count-in click or a word decays at once, a band does
/// not), and the end the last frame where they are up.
pub fn refine(
    frames: &[Frame],
    geo: &Geometry,
    run: (usize, usize),
    raw: &[f64],
    floor: f64,
    s: &TakeSettings,
) -> (f64, f64) {
    let fps = geo.fps();
    let n = frames.len();
    let ks = (run.0..run.1).find(|&k| raw[k] >= 0.5).unwrap_or(run.0);
    let ke = (run.0..run.1)
        .rev()
        .find(|&k| raw[k] >= 0.5)
        .map_or(run.1, |k| k + 1);
    let fa = ((ks as f64) * fps) as usize;
    let fb = (((ke as f64) * fps) as usize).min(n);
    if fb <= fa {
        return (run.0 as f64, run.1 as f64);
    }
    let median = |g: fn(&Frame) -> f64| {
        let mut v: Vec<f64> = frames[fa..fb].iter().map(g).collect();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let thr_tonal = median(tonal) - s.refine_below_db;
    let thr_low = median(|f| db(f.low)) - s.refine_low_below_db;
    let up = |i: usize| tonal(&frames[i]) >= thr_tonal && db(frames[i].low) >= thr_low;
    let sustain = (s.sustain_seconds * fps).max(1.0) as usize;
    let sustained = |i: usize| {
        let e = (i + sustain).min(n);
        let c = (i..e).filter(|&j| up(j)).count();
        c as f64 >= s.sustain_fraction * (e - i) as f64
    };
    let back = (s.refine_seconds * fps) as usize;
    let lo = fa.saturating_sub(back);
    let hi = (fa + back).min(fb);
    let start = (lo..hi).find(|&i| up(i) && sustained(i)).unwrap_or(fa);
    let elo = fb.saturating_sub(back).max(start);
    let ehi = (fb + back).min(n);
    let sustained_before = |i: usize| {
        let a = i.saturating_sub(sustain);
        let c = (a..=i).filter(|&j| up(j)).count();
        c as f64 >= s.sustain_fraction * (i + 1 - a) as f64
    };
    let end = (elo..ehi)
        .rev()
        .find(|&i| up(i) && sustained_before(i))
        .unwrap_or(fb.saturating_sub(1));
    let start = extend_quiet_intro(frames, geo, start, thr_tonal + s.refine_below_db, floor, s);
    (geo.time(start), geo.time(end + 1).max(geo.time(start)))
}

/// A quiet intro (one instrument, well under the band) is part of the take: from the
/// start, walk back over frames whose low+mid level (averaged over ~0.2 s) stays above
/// the recording's noise floor by `quiet_intro_above_floor_db` yet under the take's
/// median by `quiet_intro_below_db` (chatter is as loud as the band; a count-in's clicks
/// leave pauses), with no pause longer than `quiet_intro_pause_seconds`, at most
/// `quiet_intro_max_seconds`; kept when it lasts at least two seconds.
fn extend_quiet_intro(
    frames: &[Frame],
    geo: &Geometry,
    start: usize,
    median: f64,
    floor: f64,
    s: &TakeSettings,
) -> usize {
    let fps = geo.fps();
    let max_pause = (s.quiet_intro_pause_seconds * fps) as usize;
    let lo = start.saturating_sub((s.quiet_intro_max_seconds * fps) as usize);
    let half = ((0.1 * fps) as usize).max(1);
    // Frames up to `i` only: the band's first note must not leak in.
    let level = |i: usize| mean_level(frames, i.saturating_sub(2 * half), i + 1);
    let mut first = start;
    let mut pause = 0usize;
    let mut i = start;
    while i > lo {
        i -= 1;
        let l = level(i);
        if l >= median - s.quiet_intro_below_db {
            break;
        }
        if l >= floor + s.quiet_intro_above_floor_db {
            first = i;
            pause = 0;
        } else {
            pause += 1;
            if pause > max_pause {
                break;
            }
        }
    }
    if ((start - first) as f64) >= 2.0 * fps {
        first
    } else {
        start
    }
}

/// The recording's noise floor: a low percentile of the frames' low+mid level.
pub fn noise_floor(frames: &[Frame]) -> f64 {
    let mut v: Vec<f64> = frames.iter().map(tonal).collect();
    if v.is_empty() {
        return -120.0;
    }
    v.sort_by(f64::total_cmp);
    v[v.len() / 50]
}

/// Mean low+mid level of second `k`, dB.
pub fn second_level(frames: &[Frame], geo: &Geometry, k: usize) -> f64 {
    let fps = geo.fps();
    mean_level(
        frames,
        ((k as f64) * fps) as usize,
        ((k + 1) as f64 * fps) as usize,
    )
}

/// The share of frames `[a, b)` whose low+mid level is at least `above_db` over `floor`.
pub fn sounding_share(frames: &[Frame], a: usize, b: usize, floor: f64, above_db: f64) -> f64 {
    let b = b.min(frames.len());
    if b <= a {
        return 0.0;
    }
    let up = frames[a..b]
        .iter()
        .filter(|f| tonal(f) >= floor + above_db)
        .count();
    up as f64 / (b - a) as f64
}

/// The mean low+mid power of frames `[a, b)`, dB.
pub fn mean_level(frames: &[Frame], a: usize, b: usize) -> f64 {
    let b = b.min(frames.len());
    if b <= a {
        return -120.0;
    }
    let p: f64 = frames[a..b].iter().map(|f| f64::from(f.low + f.mid)).sum();
    10.0 * (p / (b - a) as f64 + 1e-12).log10()
}

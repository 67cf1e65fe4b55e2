//! A count-in before a take: clicks a beat apart ("one, two, three, four"), the take's
//! first note on the beat after the last. When a take has one, it is the tempo the band
//! counts, which settles what the onsets alone leave open: whether a slow song's beat is
//! its quarter notes or the eighths of its hi-hat. And it marks where the take begins
//! when its first bars are an intro the music model did not call music.

use super::TakeSettings;
use super::features::{Frame, Geometry};
use super::segment;

/// Clicks a count-in has.
const CLICKS: usize = 4;
/// A click is a local maximum of the onset envelope over this many seconds either side,
/// ... and at least `PEAK_SHARE` of the strongest onset within `PEAK_CONTEXT_S`.
const PEAK_HALF_WIDTH_S: f64 = 0.06;
const PEAK_SHARE: f64 = 0.2;
const PEAK_CONTEXT_S: f64 = 3.0;
/// Largest deviation of a click from the straight line through all of them, seconds.
const MAX_JITTER_S: f64 = 0.025;
/// Where the take's found start may be against the beat after the last click: up to
/// this many beats later (quiet first notes), or earlier (on the last click itself).
const LATE_START_BEATS: f64 = 1.5;
const EARLY_START_BEATS: f64 = 1.1;
/// The window of onsets runs this far past the take's found start.
const AFTER_START_S: f64 = 0.3;
/// A count-in is quiet between its clicks: the envelope between them stays under this
/// share of the clicks' weakest ...
const BETWEEN_SHARE: f64 = 0.5;
/// ... and its level (the median frame's power) under this share of the clicks' weakest.
const BETWEEN_ENERGY_SHARE: f64 = 0.1;

/// An intro between a count-in and a take's start joins the take when this share of its
/// frames sound and the model's mean score over it is at least `INTRO_MIN_SCORE` ...
const INTRO_SOUNDING_SHARE: f64 = 0.9;
const INTRO_MIN_SCORE: f64 = 0.1;
/// ... or, for a quiet intro (at least `quiet_intro_below_db` under the take: talk is
/// as loud as the band), when this share sounds (an arpeggio leaves gaps).
const QUIET_INTRO_SOUNDING_SHARE: f64 = 0.5;

/// A count-in: its beat period (seconds) and the frame of the beat after its last click,
/// where the take's first note falls.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CountIn {
    pub period: f64,
    pub first_note: usize,
}

/// The beat period (seconds) of a count-in that ends at frame `start` (the take's first
/// note), if the frames before it hold one, for tempos within `min_bpm..=max_bpm`.
pub fn beat_period(
    frames: &[Frame],
    geo: &Geometry,
    start: usize,
    min_bpm: f64,
    max_bpm: f64,
) -> Option<f64> {
    let fps = geo.fps();
    let longest = 60.0 / min_bpm;
    let from = start.saturating_sub(((CLICKS as f64 + LATE_START_BEATS) * longest * fps) as usize);
    // A little past the start: it may have been placed on the last click.
    let to = (start + (AFTER_START_S * fps) as usize).min(frames.len());
    find(frames, geo, from, to, min_bpm, max_bpm)
        .into_iter()
        .rev()
        .find(|c| {
            let off = (c.first_note as f64 - start as f64) / fps;
            (-LATE_START_BEATS * c.period..=EARLY_START_BEATS * c.period).contains(&off)
        })
        .map(|c| c.period)
}

/// The last count-in whose first beat falls in frames `[from, before)`.
pub fn last_before(
    frames: &[Frame],
    geo: &Geometry,
    from: usize,
    before: usize,
    min_bpm: f64,
    max_bpm: f64,
) -> Option<CountIn> {
    find(frames, geo, from, before, min_bpm, max_bpm)
        .into_iter()
        .rev()
        .find(|c| c.first_note < before)
}

/// Every count-in within frames `[from, to)`, in order.
fn find(
    frames: &[Frame],
    geo: &Geometry,
    from: usize,
    to: usize,
    min_bpm: f64,
    max_bpm: f64,
) -> Vec<CountIn> {
    let to = to.min(frames.len());
    if to <= from + 8 {
        return Vec::new();
    }
    let fps = geo.fps();
    let (shortest, longest) = (60.0 / max_bpm, 60.0 / min_bpm);
    let env: Vec<f64> = frames[from..to].iter().map(|f| f64::from(f.flux)).collect();
    let half = ((PEAK_HALF_WIDTH_S * fps).round() as usize).max(1);
    let context = (PEAK_CONTEXT_S * fps) as usize;
    let max_within =
        |a: usize, b: usize| env[a..b.min(env.len())].iter().copied().fold(0.0, f64::max);
    let peaks: Vec<usize> = (0..env.len())
        .filter(|&i| {
            env[i] > 0.0
                && env[i] >= max_within(i.saturating_sub(half), i + half + 1)
                && env[i] >= PEAK_SHARE * max_within(i.saturating_sub(context), i + context)
        })
        .collect();
    let energy = |i: usize| f64::from(frames[from + i].energy);
    let mut found = Vec::new();
    for clicks in peaks.windows(CLICKS) {
        let t: Vec<f64> = clicks.iter().map(|&p| p as f64 / fps).collect();
        // Least-squares line through (index, time).
        let m = CLICKS as f64;
        let mx = (m - 1.0) / 2.0;
        let my = t.iter().sum::<f64>() / m;
        let (mut num, mut den) = (0.0, 0.0);
        for (i, &ti) in t.iter().enumerate() {
            num += (i as f64 - mx) * (ti - my);
            den += (i as f64 - mx).powi(2);
        }
        let period = num / den;
        if !(shortest * 0.9..=longest * 1.1).contains(&period) {
            continue;
        }
        let regular = t
            .iter()
            .enumerate()
            .all(|(i, &ti)| (ti - (my + (i as f64 - mx) * period)).abs() <= MAX_JITTER_S);
        if !regular {
            continue;
        }
        let weakest = clicks.iter().map(|&p| env[p]).fold(f64::MAX, f64::min);
        let quiet = clicks.windows(2).all(|w| {
            env[w[0] + half..w[1].saturating_sub(half).max(w[0] + half)]
                .iter()
                .all(|&v| v < BETWEEN_SHARE * weakest)
        });
        // ... and nothing sounds on between the clicks: the band's first notes, found
        // late, can tick like a count-in, but a chord or a bass note rings between them.
        let weakest_click = clicks.iter().map(|&p| energy(p)).fold(f64::MAX, f64::min);
        let silent = clicks.windows(2).all(|w| {
            let mut between: Vec<f64> = (w[0] + 2 * half..w[1].saturating_sub(half))
                .map(energy)
                .collect();
            between.sort_by(f64::total_cmp);
            between
                .get(between.len() / 2)
                .is_none_or(|&m| m < BETWEEN_ENERGY_SHARE * weakest_click)
        });
        if quiet && silent {
            let next = my + (m - mx) * period;
            found.push(CountIn {
                period,
                first_note: from + (next * fps).round().max(0.0) as usize,
            });
        }
    }
    found
}

/// Starts takes (`spans`, seconds) at an intro the music model did not call music when a
/// count-in precedes it: the take begins on the beat after the last click when, from
/// there to the found start, something sounds and it is either not talk (the model's
/// score stays above that of chatter) or a quiet intro, well under the take. `raw` is
/// the per-second score, `floor` the recording's noise floor (dB).
pub fn extend_intros(
    spans: &mut [(f64, f64)],
    frames: &[Frame],
    geo: &Geometry,
    raw: &[f64],
    floor: f64,
    s: &TakeSettings,
) {
    let fps = geo.fps();
    for i in 0..spans.len() {
        let (a, b) = spans[i];
        let prev_end = if i > 0 { spans[i - 1].1 } else { 0.0 };
        let lo = ((a - s.quiet_intro_max_seconds).max(prev_end).max(0.0) * fps) as usize;
        let fa = (a * fps) as usize;
        let Some(c) = last_before(frames, geo, lo, fa, s.min_bpm, s.max_bpm) else {
            continue;
        };
        let sounding = segment::sounding_share(
            frames,
            c.first_note,
            fa,
            floor,
            s.quiet_intro_above_floor_db,
        );
        let (ka, kb) = ((c.first_note as f64 / fps) as usize, (a as usize).max(1));
        let score = raw
            .get(ka.min(kb)..kb.min(raw.len()))
            .filter(|w| !w.is_empty())
            .map_or(1.0, |w| w.iter().sum::<f64>() / w.len() as f64);
        let fb = ((b * fps) as usize).min(frames.len());
        let under_take =
            segment::mean_level(frames, fa, fb) - segment::mean_level(frames, c.first_note, fa);
        tracing::debug!(
            start = a,
            intro_from = c.first_note as f64 / fps,
            sounding,
            score,
            under_take,
            "count-in before a take"
        );
        let missed_intro = sounding >= INTRO_SOUNDING_SHARE && score >= INTRO_MIN_SCORE;
        let quiet_intro =
            sounding >= QUIET_INTRO_SOUNDING_SHARE && under_take >= s.quiet_intro_below_db;
        if missed_intro || quiet_intro {
            spans[i] = (geo.time(c.first_note).min(b), b);
        }
    }
}

//! The separated stems as evidence about takes, once a recording has them. The mix
//! cannot always tell a band's last bars from the drummer playing on alone after the
//! song (both loud, both with a pulse); the stems can: one instrument stem at its playing
//! level while every other instrument stem is silent is one instrument noodling, which
//! is not a take. Such a stretch at a take's start or end is cut off.
//!
//! Quiet intros (one instrument alone, well under the band) stay: only an instrument at
//! about its level in the take counts as playing alone. Vocals are not an instrument
//! here (a voice alone is talk, which the mix analysis already tells).

use crate::analysis::LEVELS_PER_SECOND;

use super::Take;

/// One stem's mean power per tenth of a second ([`crate::analysis::Analyzer::levels`]).
#[derive(Debug, Clone, Copy)]
pub struct StemLevels<'a> {
    pub name: &'a str,
    pub power: &'a [f32],
}

/// A stem plays when within this many dB of its median level over the take ...
const PLAYING_WITHIN_DB: f64 = 8.0;
/// ... and is silent when this many dB or more under it.
const SILENT_UNDER_DB: f64 = 20.0;
/// Shortest lone-instrument edge that is cut, seconds.
const MIN_LONE_SECONDS: f64 = 3.0;
/// Within a lone stretch, this share of the blocks must be the lone instrument playing
/// (the rest may be pauses of it, with the others still silent).
const LONE_SHARE: f64 = 0.6;
/// A take keeps at least this many seconds.
const MIN_LEFT_SECONDS: f64 = 4.0;

fn db(p: f32) -> f64 {
    10.0 * (f64::from(p) + 1e-12).log10()
}

/// What one tenth of a second of a take is, by its instrument stems.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Block {
    /// Only instrument `i` plays; the others are silent.
    Alone(usize),
    /// Every instrument is silent.
    Quiet,
    /// Anything else: two or more play, or one is neither playing nor silent.
    Band,
}

/// Cuts lone-instrument stretches off the starts and ends of `takes` (beats, downbeats
/// and fingerprint cells outside the new bounds go with them). Needs two instrument
/// stems at least (not `vocals`); with fewer, nothing changes.
pub fn trim_lone_instrument(takes: &mut [Take], stems: &[StemLevels<'_>]) {
    let instruments: Vec<&StemLevels<'_>> = stems
        .iter()
        .filter(|s| !s.name.eq_ignore_ascii_case("vocals"))
        .collect();
    if instruments.len() < 2 {
        return;
    }
    let per_s = f64::from(LEVELS_PER_SECOND);
    for take in takes.iter_mut() {
        let a = (take.start * per_s).floor() as usize;
        let b = (take.end * per_s).ceil() as usize;
        let Some(blocks) = classify(&instruments, a, b) else {
            continue;
        };
        let min_lone = (MIN_LONE_SECONDS * per_s) as usize;
        let min_left = (MIN_LEFT_SECONDS * per_s) as usize;
        let tail = lone_run(blocks.iter().rev().copied());
        let head = lone_run(blocks.iter().copied());
        let (mut new_a, mut new_b) = (a, a + blocks.len());
        if tail >= min_lone && blocks.len() - tail >= min_left {
            new_b -= tail;
        }
        if head >= min_lone && new_b.saturating_sub(a + head) >= min_left {
            new_a += head;
        }
        if (new_a, new_b) != (a, a + blocks.len()) {
            let (start, end) = (
                (new_a as f64 / per_s).max(take.start),
                (new_b as f64 / per_s).min(take.end),
            );
            tracing::debug!(
                from = take.start,
                to = take.end,
                start,
                end,
                "a lone instrument at a take's edge is cut off"
            );
            retime(take, start, end);
        }
    }
}

/// The take's blocks `[a, b)`, or `None` when a stem does not cover them.
fn classify(instruments: &[&StemLevels<'_>], a: usize, b: usize) -> Option<Vec<Block>> {
    if b <= a || instruments.iter().any(|s| s.power.len() < b) {
        return None;
    }
    let medians: Vec<f64> = instruments
        .iter()
        .map(|s| {
            let mut v: Vec<f64> = s.power[a..b].iter().map(|&p| db(p)).collect();
            v.sort_by(f64::total_cmp);
            v[v.len() / 2]
        })
        .collect();
    Some(
        (a..b)
            .map(|k| {
                let mut playing = Vec::new();
                let mut silent = 0;
                for (i, s) in instruments.iter().enumerate() {
                    let l = db(s.power[k]);
                    if l >= medians[i] - PLAYING_WITHIN_DB {
                        playing.push(i);
                    } else if l <= medians[i] - SILENT_UNDER_DB {
                        silent += 1;
                    }
                }
                match playing.as_slice() {
                    [] if silent == instruments.len() => Block::Quiet,
                    [i] if silent == instruments.len() - 1 => Block::Alone(*i),
                    _ => Block::Band,
                }
            })
            .collect(),
    )
}

/// Length of the lone-instrument run these blocks start with: one instrument alone (with
/// quiet pauses), up to the first band block, ending on the last block where it plays;
/// zero when the run is not mostly that instrument.
fn lone_run(blocks: impl Iterator<Item = Block>) -> usize {
    let mut who = None;
    let (mut last_alone, mut alone) = (0usize, 0usize);
    for (k, b) in blocks.enumerate() {
        match b {
            Block::Band => break,
            Block::Alone(i) if who.is_some_and(|w| w != i) => break,
            Block::Alone(i) => {
                who = Some(i);
                alone += 1;
                last_alone = k + 1;
            }
            Block::Quiet => {}
        }
    }
    if last_alone > 0 && alone as f64 >= LONE_SHARE * last_alone as f64 {
        last_alone
    } else {
        0
    }
}

/// New bounds for a take: its beat grid and fingerprint keep what lies within them.
fn retime(take: &mut Take, start: f64, end: f64) {
    let within = |t: &f64| (start..=end).contains(t);
    let first = take
        .beats
        .iter()
        .position(within)
        .unwrap_or(take.beats.len());
    let last = take.beats.iter().rposition(within).map_or(first, |i| i + 1);
    // One fingerprint cell per beat interval: cells [first, last - 1).
    let cells = &take.fingerprint.0;
    let lo = first.min(cells.len());
    let hi = last.saturating_sub(1).clamp(lo, cells.len());
    take.fingerprint.0 = cells[lo..hi].to_vec();
    take.beats = take.beats[first..last].to_vec();
    take.downbeats.retain(within);
    take.start = start;
    take.end = end;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::takes::TakeKind;
    use crate::takes::song_match::Fingerprint;

    const PER_S: usize = LEVELS_PER_SECOND as usize;

    fn named<'a>(stems: &[(&'a str, &'a [f32])]) -> Vec<StemLevels<'a>> {
        stems
            .iter()
            .map(|&(name, power)| StemLevels { name, power })
            .collect()
    }

    /// Power per block: `on` (dB) over `[a, b)` seconds, `off` elsewhere.
    fn level(total_s: usize, spans: &[(usize, usize, f64)], off: f64) -> Vec<f32> {
        let mut v = vec![10f32.powf((off / 10.0) as f32); total_s * PER_S];
        for &(a, b, on) in spans {
            for x in &mut v[a * PER_S..b * PER_S] {
                *x = 10f32.powf((on / 10.0) as f32);
            }
        }
        v
    }

    fn take(start: f64, end: f64) -> Take {
        let beats: Vec<f64> = (0..)
            .map(|i| start + 0.5 * f64::from(i))
            .take_while(|b| *b <= end)
            .collect();
        Take {
            start,
            end,
            kind: TakeKind::Take,
            bpm: Some(120.0),
            bpm_confidence: 0.9,
            key: None,
            key_confidence: 0.0,
            fingerprint: Fingerprint(vec![[1; 12]; beats.len() - 1]),
            downbeats: beats.iter().step_by(4).copied().collect(),
            beats,
        }
    }

    #[test]
    fn drums_playing_on_after_the_song_are_cut_off() {
        // The band 10–70 s, then the drums alone to 80 s (found as one take 10–80).
        let drums = level(100, &[(10, 80, -20.0)], -90.0);
        let bass = level(100, &[(10, 70, -22.0)], -90.0);
        let other = level(100, &[(10, 70, -25.0)], -90.0);
        let vocals = level(100, &[(20, 60, -24.0)], -90.0);
        let stems = named(&[
            ("drums", &drums),
            ("bass", &bass),
            ("other", &other),
            ("vocals", &vocals),
        ]);
        let mut takes = vec![take(10.0, 80.0)];
        trim_lone_instrument(&mut takes, &stems);
        let t = &takes[0];
        assert_eq!((t.start, t.end), (10.0, 70.0));
        assert!(t.beats.iter().all(|&b| b <= 70.0));
        assert_eq!(t.fingerprint.0.len() + 1, t.beats.len());
        assert!(t.downbeats.iter().all(|&b| b <= 70.0));
    }

    #[test]
    fn a_quiet_intro_and_a_whole_band_stay() {
        // A guitar intro 15 dB under its level in the song (10–20 s), then the band.
        let other = level(100, &[(10, 20, -40.0), (20, 70, -25.0)], -90.0);
        let drums = level(100, &[(20, 70, -20.0)], -90.0);
        let bass = level(100, &[(20, 70, -22.0)], -90.0);
        let stems = named(&[("drums", &drums), ("bass", &bass), ("other", &other)]);
        let mut takes = vec![take(10.0, 70.0)];
        trim_lone_instrument(&mut takes, &stems);
        assert_eq!((takes[0].start, takes[0].end), (10.0, 70.0));
        // Noodling on the bass before the song, at its level: cut.
        let bass = level(100, &[(5, 70, -22.0)], -90.0);
        let other = level(100, &[(20, 70, -25.0)], -90.0);
        let stems = named(&[("drums", &drums), ("bass", &bass), ("other", &other)]);
        let mut takes = vec![take(5.0, 70.0)];
        trim_lone_instrument(&mut takes, &stems);
        assert_eq!((takes[0].start, takes[0].end), (20.0, 70.0));
        // One instrument stem only (vocals do not count): nothing to compare, no change.
        let stems = named(&[("bass", &bass), ("vocals", &drums)]);
        let mut takes = vec![take(5.0, 70.0)];
        trim_lone_instrument(&mut takes, &stems);
        assert_eq!((takes[0].start, takes[0].end), (5.0, 70.0));
    }
}

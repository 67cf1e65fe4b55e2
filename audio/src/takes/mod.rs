//! Take detection on a rehearsal recording (issue 16): where the band plays (takes and
//! false starts) and where it does not (talk, silence, tuning, one instrument alone),
//! and per take its tempo, beat grid and key.
//!
//! Streaming: [`TakeAnalyzer`] is an [`AudioSink`]; it keeps seven floats per ~12 ms hop
//! ([`features::Frame`]), a 12-bin chroma per second and per eighth of a second, never the
//! audio, so memory grows by ~10 MB per hour of input whatever the block size.
//!
//! Pipeline: frame features ([`features`]) → per-second features and a music-likeness
//! score from two logistic models over them and their pairwise products, the second
//! also given the first's scores of the 15 s either side ([`seconds`]) →
//! smoothing, hysteresis, merging, boundaries refined at frame resolution, quiet intros
//! ([`segment`]) → per take tempo and beats ([`tempo`]), key ([`key`]) and a
//! beat-synchronous chroma fingerprint for same-song matching ([`song_match`]).

pub mod count_in;
mod fastmath;
pub mod features;
pub mod key;
pub mod seconds;
pub mod segment;
pub mod song_match;
pub mod stem_evidence;
pub mod tempo;

use serde::{Deserialize, Serialize};

use crate::{AudioError, AudioSink, AudioSource, CHUNK_FRAMES};
use features::FeatureExtractor;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TakeKind {
    Take,
    FalseStart,
}

/// One stretch where the band plays. Times are seconds from the start of the recording.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Take {
    pub start: f64,
    pub end: f64,
    pub kind: TakeKind,
    pub bpm: Option<f64>,
    pub bpm_confidence: f64,
    /// E.g. "A minor", "Eb major".
    pub key: Option<String>,
    pub key_confidence: f64,
    pub beats: Vec<f64>,
    pub downbeats: Vec<f64>,
    /// Beat-synchronous chroma for same-song matching ([`song_match`]).
    #[serde(default)]
    pub fingerprint: song_match::Fingerprint,
}

/// Settings (`config.yaml`); every field has a default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TakeSettings {
    /// Shorter music-like islands are dropped (a false start is at least this long).
    pub min_take_seconds: f64,
    /// A take shorter than this that is followed by another take is a false start.
    pub false_start_seconds: f64,
    /// The restart must begin within this many seconds of the false start's end.
    pub restart_within_seconds: f64,
    /// Gaps shorter than this between music-like stretches are joined.
    pub merge_gap_seconds: f64,
    /// Moving-average window of the per-second score, seconds (odd).
    pub smooth_seconds: usize,
    /// Hysteresis on the smoothed score: a take opens at `on_threshold` and closes
    /// below `off_threshold`.
    pub on_threshold: f64,
    pub off_threshold: f64,
    /// Boundary refinement: how far (seconds) from the per-second boundary to look,
    /// how far under the take's median low+mid level a note may be, and how long
    /// (with what fraction of frames up) it must sustain to count as the first note.
    pub refine_seconds: f64,
    pub refine_below_db: f64,
    /// The same for the band under 200 Hz.
    pub refine_low_below_db: f64,
    pub sustain_seconds: f64,
    pub sustain_fraction: f64,
    /// Quiet-intro extension (see `segment`): level under the take's median and over
    /// the noise floor, longest pause, longest intro.
    pub quiet_intro_below_db: f64,
    pub quiet_intro_above_floor_db: f64,
    pub quiet_intro_pause_seconds: f64,
    pub quiet_intro_max_seconds: f64,
    /// Added before the start and after the end of every take.
    pub start_margin_seconds: f64,
    pub end_margin_seconds: f64,
    /// A second whose low+mid level is within this of the noise floor (a low
    /// percentile of the recording's frames), or under `silence_dbfs`, is never music.
    pub floor_gate_db: f64,
    pub silence_dbfs: f64,
    pub min_bpm: f64,
    pub max_bpm: f64,
    /// The tempo prior (log-normal around this, `prior_octaves` wide).
    pub prior_bpm: f64,
    pub prior_octaves: f64,
}

impl Default for TakeSettings {
    fn default() -> Self {
        Self {
            min_take_seconds: 4.0,
            false_start_seconds: 30.0,
            restart_within_seconds: 180.0,
            merge_gap_seconds: 3.0,
            smooth_seconds: 5,
            on_threshold: 0.6,
            off_threshold: 0.4,
            refine_seconds: 3.0,
            refine_below_db: 12.0,
            refine_low_below_db: 15.0,
            sustain_seconds: 1.0,
            sustain_fraction: 0.7,
            quiet_intro_below_db: 8.0,
            quiet_intro_above_floor_db: 3.0,
            quiet_intro_pause_seconds: 0.2,
            quiet_intro_max_seconds: 30.0,
            start_margin_seconds: 0.0,
            end_margin_seconds: 0.0,
            floor_gate_db: 6.0,
            silence_dbfs: -70.0,
            min_bpm: 50.0,
            max_bpm: 220.0,
            prior_bpm: 120.0,
            prior_octaves: 0.6,
        }
    }
}

/// Width (octaves) of the tempo prior around a count-in's tempo: wide enough for a
/// band that counts a little fast, narrow enough to rule out twice or half.
const COUNTED_PRIOR_OCTAVES: f64 = 0.2;

/// An [`AudioSink`] that finds the takes of what passes through it.
pub struct TakeAnalyzer {
    settings: TakeSettings,
    features: FeatureExtractor,
}

impl TakeAnalyzer {
    pub fn new(sample_rate: u32, channels: usize, settings: TakeSettings) -> Self {
        Self {
            settings,
            features: FeatureExtractor::new(sample_rate, channels),
        }
    }

    /// Per-second features (for tuning and dumps); call after [`Self::finish_takes`]
    /// or [`AudioSink::finish`].
    pub fn second_features(&self) -> Vec<[f64; seconds::N_FEATURES]> {
        let f = &self.features;
        seconds::second_features(&f.frames, &f.chroma, &f.geo)
    }

    /// Per-second music-likeness scores in 0..1 (unsmoothed).
    pub fn scores(&self) -> Vec<f64> {
        seconds::scores(&self.second_features())
    }

    /// Flushes the last frames and returns the takes.
    pub fn finish_takes(&mut self) -> Vec<Take> {
        self.features.flush();
        let s = &self.settings;
        let f = &self.features;
        let floor = segment::noise_floor(&f.frames);
        let mut raw = self.scores();
        // Nothing within a few dB of the noise floor is music, whatever the model says
        // (the model's level is relative to the file's loudest, which is the noise in a
        // recording of nothing).
        for (k, r) in raw.iter_mut().enumerate() {
            let level = segment::second_level(&f.frames, &f.geo, k);
            if level < floor + s.floor_gate_db || level < s.silence_dbfs {
                *r = 0.0;
            }
        }
        let p = segment::smooth(&raw, s.smooth_seconds.max(1));
        let runs = segment::runs(&p, s);
        let duration = f.duration();
        let mut spans: Vec<(f64, f64)> = runs
            .iter()
            .map(|&r| segment::refine(&f.frames, &f.geo, r, &raw, floor, s))
            .map(|(a, b)| {
                (
                    (a - s.start_margin_seconds).max(0.0),
                    (b + s.end_margin_seconds).min(duration),
                )
            })
            .collect();
        spans.dedup_by(|b, a| {
            b.0 < a.1 && {
                a.1 = a.1.max(b.1);
                true
            }
        });
        let fps = f.geo.fps();
        count_in::extend_intros(&mut spans, &f.frames, &f.geo, &raw, floor, s);
        let ts = tempo::TempoSettings {
            min_bpm: s.min_bpm,
            max_bpm: s.max_bpm,
            prior_bpm: s.prior_bpm,
            prior_octaves: s.prior_octaves,
        };
        let mut takes: Vec<Take> = spans
            .iter()
            .map(|&(a, b)| {
                let fa = ((a * fps) as usize).min(f.frames.len());
                let fb = ((b * fps).ceil() as usize).min(f.frames.len()).max(fa);
                // A count-in before the take names its beat: the tempo prior narrows to it.
                let counted = count_in::beat_period(&f.frames, &f.geo, fa, s.min_bpm, s.max_bpm);
                tracing::debug!(start = a, count_in_bpm = ?counted.map(|p| 60.0 / p), "take");
                let ts = match counted {
                    Some(period) => tempo::TempoSettings {
                        prior_bpm: 60.0 / period,
                        prior_octaves: COUNTED_PRIOR_OCTAVES,
                        ..ts
                    },
                    None => ts,
                };
                let t = tempo::estimate(&f.frames[fa..fb], &f.geo, &ts);
                let mut chroma = [0.0f64; 12];
                let (ca, cb) = (
                    (a as usize).min(f.chroma.len()),
                    (b.ceil() as usize).min(f.chroma.len()),
                );
                for c in &f.chroma[ca..cb.max(ca)] {
                    for (s, &x) in chroma.iter_mut().zip(c) {
                        *s += f64::from(x);
                    }
                }
                let key = key::estimate(&chroma);
                let offset = f.geo.time(fa);
                let beats: Vec<f64> = t
                    .as_ref()
                    .map(|t| t.beats.iter().map(|x| x + offset).collect())
                    .unwrap_or_default();
                let fingerprint = song_match::fingerprint(
                    &f.chroma_fine,
                    features::CHROMA_FINE_PER_SECOND as f64,
                    &song_match::cells(&beats, a, b),
                );
                Take {
                    start: a,
                    end: b,
                    kind: TakeKind::Take,
                    bpm: t.as_ref().map(|t| t.bpm),
                    bpm_confidence: t.as_ref().map_or(0.0, |t| t.confidence),
                    key: key.as_ref().map(|k| k.0.clone()),
                    key_confidence: key.as_ref().map_or(0.0, |k| k.1),
                    beats,
                    downbeats: t
                        .as_ref()
                        .map(|t| t.downbeats.iter().map(|x| x + offset).collect())
                        .unwrap_or_default(),
                    fingerprint,
                }
            })
            .collect();
        for i in 0..takes.len() {
            let short = takes[i].end - takes[i].start < s.false_start_seconds;
            let restarts = takes
                .get(i + 1)
                .is_some_and(|n| n.start - takes[i].end <= s.restart_within_seconds);
            if short && restarts {
                takes[i].kind = TakeKind::FalseStart;
            }
        }
        // A song ends on its tonic: the last chord of a whole take weighs in on its key.
        for t in takes.iter_mut().filter(|t| t.kind == TakeKind::Take) {
            let cells = features::CHROMA_FINE_PER_SECOND as f64;
            if let Some((name, confidence)) =
                key::with_final_chord(&f.chroma_fine, cells, t.start, t.end)
            {
                t.key = Some(name);
                t.key_confidence = confidence;
            }
        }
        takes
    }
}

impl AudioSink for TakeAnalyzer {
    fn write(&mut self, interleaved: &[f32]) -> Result<(), AudioError> {
        self.features.push(interleaved);
        Ok(())
    }
    fn finish(&mut self) -> Result<(), AudioError> {
        Ok(())
    }
}

/// Reads `source` to the end in blocks and returns its takes.
pub fn analyze(
    source: &mut dyn AudioSource,
    settings: TakeSettings,
) -> Result<Vec<Take>, AudioError> {
    let mut a = TakeAnalyzer::new(source.sample_rate(), source.channels(), settings);
    let ch = source.channels().max(1);
    let mut buf = vec![0.0f32; CHUNK_FRAMES * ch];
    loop {
        let n = source.read(&mut buf)?;
        if n == 0 {
            break;
        }
        a.write(&buf[..n * ch])?;
    }
    Ok(a.finish_takes())
}

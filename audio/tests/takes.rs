//! Take detection on signals made here, with exact truth.

use stemset_audio::takes::{
    self, Take, TakeAnalyzer, TakeKind, TakeSettings, features::FeatureExtractor, tempo,
};
use stemset_audio::{AudioError, AudioSink, AudioSource};

const SR: u32 = 44_100;

/// A small deterministic noise source.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> f32 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
    }
}

fn midi_hz(m: f64) -> f64 {
    440.0 * 2f64.powf((m - 69.0) / 12.0)
}

/// Adds a harmonic tone (decaying harmonics) at `hz` over `[t0, t1)`.
fn tone(buf: &mut [f32], t0: f64, t1: f64, hz: f64, amp: f64, decay: f64) {
    let a = (t0 * f64::from(SR)) as usize;
    let b = ((t1 * f64::from(SR)) as usize).min(buf.len());
    for (i, s) in buf[a.min(b)..b].iter_mut().enumerate() {
        let t = i as f64 / f64::from(SR);
        let env =
            (-t * decay).exp() * (t * 200.0).min(1.0) * ((t1 - t0 - t) * 50.0).clamp(0.0, 1.0);
        let mut v = 0.0;
        for h in 1..=5 {
            v += (std::f64::consts::TAU * hz * h as f64 * t).sin() / (h * h) as f64;
        }
        *s += (amp * env * v) as f32;
    }
}

fn kick(buf: &mut [f32], t0: f64) {
    let a = (t0 * f64::from(SR)) as usize;
    let mut phase = 0.0f64;
    for i in 0..(0.25 * f64::from(SR)) as usize {
        let Some(s) = buf.get_mut(a + i) else { break };
        let t = i as f64 / f64::from(SR);
        phase += std::f64::consts::TAU * (50.0 + 60.0 * (-t * 30.0).exp()) / f64::from(SR);
        *s += (0.5 * (-t * 12.0).exp() * phase.sin()) as f32;
    }
}

fn noise_hit(buf: &mut [f32], t0: f64, len: f64, amp: f32, decay: f32, rng: &mut Lcg, high: bool) {
    let a = (t0 * f64::from(SR)) as usize;
    let mut prev = 0.0f32;
    for i in 0..(len * f64::from(SR)) as usize {
        let Some(s) = buf.get_mut(a + i) else { break };
        let t = i as f32 / SR as f32;
        let n = rng.next();
        let v = if high { n - prev } else { n };
        prev = n;
        *s += amp * (-t * decay).exp() * v;
    }
}

/// A band at `bpm` in A minor (Am F C G, one chord a bar): kick on 1 and 3, snare on
/// 2 and 4, hi-hat eighths, bass on the beats, a sustained chord, from `t0` to `t1`.
fn band(buf: &mut [f32], t0: f64, t1: f64, bpm: f64, rng: &mut Lcg) {
    let beat = 60.0 / bpm;
    let chords: [[f64; 3]; 4] = [
        [57.0, 60.0, 64.0],
        [53.0, 57.0, 60.0],
        [48.0, 52.0, 55.0],
        [55.0, 59.0, 62.0],
    ];
    let roots = [45.0, 41.0, 48.0, 43.0];
    let mut k = 0usize;
    loop {
        let t = t0 + k as f64 * beat;
        if t + beat > t1 + 1e-9 {
            break;
        }
        let bar = (k / 4) % 4;
        if k.is_multiple_of(2) {
            kick(buf, t);
        } else {
            noise_hit(buf, t, 0.2, 0.25, 18.0, rng, false);
        }
        noise_hit(buf, t, 0.05, 0.08, 60.0, rng, true);
        noise_hit(buf, t + beat / 2.0, 0.05, 0.08, 60.0, rng, true);
        tone(buf, t, t + beat * 0.9, midi_hz(roots[bar]), 0.25, 3.0);
        if k.is_multiple_of(4) {
            for &m in &chords[bar] {
                tone(buf, t, t + 4.0 * beat, midi_hz(m), 0.08, 0.5);
                tone(buf, t, t + 4.0 * beat, midi_hz(m + 12.0), 0.04, 0.5);
            }
        }
        k += 1;
    }
}

/// Speech-like: voiced bursts (a gliding 120–180 Hz buzz through two formants) of
/// syllable length with pauses, as loud as the band.
fn chatter(buf: &mut [f32], t0: f64, t1: f64, rng: &mut Lcg) {
    let mut t = t0;
    while t < t1 - 0.4 {
        let len = 0.12 + 0.2 * f64::from(rng.next().abs());
        let f0 = 120.0 + 60.0 * f64::from(rng.next().abs());
        let f1 = 500.0 + 400.0 * f64::from(rng.next().abs());
        tone(buf, t, t + len, f0, 0.25, 4.0);
        tone(buf, t, t + len, f1, 0.12, 6.0);
        noise_hit(buf, t, 0.04, 0.05, 40.0, rng, true);
        t += len + 0.05 + if rng.next() > 0.5 { 0.25 } else { 0.03 };
    }
}

fn room(buf: &mut [f32], rng: &mut Lcg) {
    for s in buf.iter_mut() {
        *s += 0.002 * rng.next();
    }
}

const TAKE_START: f64 = 20.0;
const TAKE_END: f64 = 80.0;
const BPM: f64 = 112.0;

/// 100 s: room noise, chatter 5–15 s, silence, the band 20–80 s, silence, chatter 88–96 s.
fn rehearsal() -> Vec<f32> {
    let mut rng = Lcg(7);
    let mut buf = vec![0.0f32; 100 * SR as usize];
    chatter(&mut buf, 5.0, 15.0, &mut rng);
    band(&mut buf, TAKE_START, TAKE_END, BPM, &mut rng);
    chatter(&mut buf, 88.0, 96.0, &mut rng);
    room(&mut buf, &mut rng);
    buf
}

fn analyze(mono: &[f32], block: usize) -> Vec<Take> {
    // Stereo, the same in both channels but for a small offset.
    let stereo: Vec<f32> = mono.iter().flat_map(|&s| [s, 0.9 * s]).collect();
    let mut a = TakeAnalyzer::new(SR, 2, TakeSettings::default());
    for chunk in stereo.chunks(block * 2) {
        a.write(chunk).expect("write");
    }
    a.finish().expect("finish");
    a.finish_takes()
}

#[test]
fn band_between_chatter_and_silence_is_one_take() {
    let takes = analyze(&rehearsal(), 65_536);
    assert_eq!(takes.len(), 1, "{takes:#?}");
    let t = &takes[0];
    assert!((t.start - TAKE_START).abs() < 1.0, "start {}", t.start);
    assert!((t.end - TAKE_END).abs() < 1.0, "end {}", t.end);
    assert_eq!(t.kind, TakeKind::Take);
    let bpm = t.bpm.expect("a tempo");
    assert!((bpm / BPM - 1.0).abs() < 0.02, "bpm {bpm}");
    let key = t.key.as_deref().expect("a key");
    assert!(key == "A minor" || key == "C major", "key {key}");
    // The beat grid sits on the beats of the band.
    let period = 60.0 / BPM;
    let on_grid = t
        .beats
        .iter()
        .filter(|&&b| {
            let phase = ((b - TAKE_START) / period).rem_euclid(1.0);
            phase.min(1.0 - phase) * period < 0.05
        })
        .count();
    assert!(
        on_grid as f64 > 0.8 * t.beats.len() as f64,
        "{on_grid} of {}",
        t.beats.len()
    );
    assert!(t.beats.len() as f64 > 0.8 * (TAKE_END - TAKE_START) / period);
}

#[test]
fn block_size_does_not_change_the_result() {
    let audio = rehearsal();
    let big = analyze(&audio, 65_536);
    let small = analyze(&audio, 37);
    assert!(!big.is_empty());
    assert_eq!(big, small);
}

#[test]
fn a_short_stretch_then_a_restart_is_a_false_start() {
    let mut rng = Lcg(9);
    let mut buf = vec![0.0f32; 110 * SR as usize];
    band(&mut buf, 5.0, 17.0, BPM, &mut rng);
    chatter(&mut buf, 20.0, 30.0, &mut rng);
    band(&mut buf, 35.0, 95.0, BPM, &mut rng);
    room(&mut buf, &mut rng);
    let takes = analyze(&buf, 65_536);
    assert_eq!(takes.len(), 2, "{takes:#?}");
    assert_eq!(takes[0].kind, TakeKind::FalseStart);
    assert!((takes[0].start - 5.0).abs() < 1.0 && (takes[0].end - 17.0).abs() < 1.0);
    assert_eq!(takes[1].kind, TakeKind::Take);
    assert!((takes[1].start - 35.0).abs() < 1.0 && (takes[1].end - 95.0).abs() < 1.0);
}

#[test]
fn silence_and_room_noise_have_no_takes() {
    assert!(analyze(&vec![0.0; 30 * SR as usize], 4096).is_empty());
    let mut rng = Lcg(3);
    let mut buf = vec![0.0f32; 30 * SR as usize];
    room(&mut buf, &mut rng);
    assert!(analyze(&buf, 4096).is_empty());
}

#[test]
fn chatter_alone_is_not_a_take() {
    let mut rng = Lcg(11);
    let mut buf = vec![0.0f32; 60 * SR as usize];
    chatter(&mut buf, 1.0, 59.0, &mut rng);
    room(&mut buf, &mut rng);
    let takes = analyze(&buf, 4096);
    assert!(takes.is_empty(), "{takes:#?}");
}

#[test]
fn click_track_tempo() {
    for bpm in [100.0, 140.0, 75.0] {
        let mut rng = Lcg(5);
        let mut buf = vec![0.0f32; 40 * SR as usize];
        let mut t = 0.5;
        while t < 39.5 {
            noise_hit(&mut buf, t, 0.03, 0.5, 150.0, &mut rng, true);
            t += 60.0 / bpm;
        }
        let mut fx = FeatureExtractor::new(SR, 1);
        fx.push(&buf);
        fx.flush();
        let s = tempo::TempoSettings {
            min_bpm: 50.0,
            max_bpm: 220.0,
            prior_bpm: 120.0,
            prior_octaves: 1.0,
        };
        let found = tempo::estimate(&fx.frames, &fx.geo, &s).expect("a tempo");
        assert!((found.bpm - bpm).abs() < 2.0, "{bpm}: {}", found.bpm);
        assert!(found.confidence > 0.3, "{}", found.confidence);
    }
}

#[test]
fn kinds_serialize_as_in_metadata() {
    let json = serde_json::to_string(&[TakeKind::Take, TakeKind::FalseStart]).expect("json");
    assert_eq!(json, r#"["take","false_start"]"#);
    let s: TakeSettings = serde_json::from_str(r#"{"min_take_seconds": 6}"#).expect("settings");
    assert_eq!(s.min_take_seconds, 6.0);
    assert_eq!(
        s.false_start_seconds,
        TakeSettings::default().false_start_seconds
    );
}

/// A mono recording in memory, handed out `block` frames at a time.
struct Memory {
    samples: Vec<f32>,
    pos: usize,
    block: usize,
}

impl AudioSource for Memory {
    fn sample_rate(&self) -> u32 {
        SR
    }
    fn channels(&self) -> usize {
        1
    }
    fn total_frames(&self) -> Option<u64> {
        Some(self.samples.len() as u64)
    }
    fn read(&mut self, buf: &mut [f32]) -> Result<usize, AudioError> {
        let n = buf.len().min(self.block).min(self.samples.len() - self.pos);
        buf[..n].copy_from_slice(&self.samples[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

#[test]
fn analyze_reads_a_source_to_the_end() {
    let audio = rehearsal();
    let mut src = Memory {
        samples: audio.clone(),
        pos: 0,
        block: 1000,
    };
    let from_source = takes::analyze(&mut src, TakeSettings::default()).expect("analyze");
    assert_eq!(src.pos, audio.len());
    assert_eq!(from_source.len(), 1, "{from_source:#?}");
    assert!((from_source[0].start - TAKE_START).abs() < 1.0);
    assert!((from_source[0].end - TAKE_END).abs() < 1.0);
}

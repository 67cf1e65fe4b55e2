//! Take detection on signals made here, with exact truth.

use stemset_audio::takes::{
    self, Take, TakeAnalyzer, TakeKind, TakeSettings,
    features::{CHROMA_FINE_PER_SECOND, FeatureExtractor},
    song_match::{self, Fingerprint, SAME_SONG, similarity},
    tempo,
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

/// A song for [`band_song`]: one chord a bar (three notes, MIDI) and its bass root.
struct Song {
    chords: [[f64; 3]; 4],
    roots: [f64; 4],
}

/// A minor: Am F C G.
const A_MINOR: Song = Song {
    chords: [
        [57.0, 60.0, 64.0],
        [53.0, 57.0, 60.0],
        [48.0, 52.0, 55.0],
        [55.0, 59.0, 62.0],
    ],
    roots: [45.0, 41.0, 48.0, 43.0],
};

/// A minor again, another progression: Am Dm G C.
const A_MINOR_2: Song = Song {
    chords: [
        [57.0, 60.0, 64.0],
        [50.0, 53.0, 57.0],
        [55.0, 59.0, 62.0],
        [48.0, 52.0, 55.0],
    ],
    roots: [45.0, 38.0, 43.0, 48.0],
};

/// E major: E C#m A B.
const E_MAJOR: Song = Song {
    chords: [
        [52.0, 56.0, 59.0],
        [49.0, 52.0, 56.0],
        [57.0, 61.0, 64.0],
        [59.0, 63.0, 66.0],
    ],
    roots: [40.0, 37.0, 45.0, 47.0],
};

/// A band at `bpm` in A minor (Am F C G, one chord a bar): kick on 1 and 3, snare on
/// 2 and 4, hi-hat eighths, bass on the beats, a sustained chord, from `t0` to `t1`.
fn band(buf: &mut [f32], t0: f64, t1: f64, bpm: f64, rng: &mut Lcg) {
    band_song(buf, t0, t1, bpm, rng, &A_MINOR, 1.0, 0);
}

/// [`band`] playing `song` at `gain`, from its bar `first_bar` on.
#[allow(clippy::too_many_arguments)]
fn band_song(
    buf: &mut [f32],
    t0: f64,
    t1: f64,
    bpm: f64,
    rng: &mut Lcg,
    song: &Song,
    gain: f32,
    first_bar: usize,
) {
    let beat = 60.0 / bpm;
    let mut part = vec![0.0f32; buf.len()];
    let mut k = 0usize;
    loop {
        let t = t0 + k as f64 * beat;
        if t + beat > t1 + 1e-9 {
            break;
        }
        let bar = (k / 4 + first_bar) % 4;
        if k.is_multiple_of(2) {
            kick(&mut part, t);
        } else {
            noise_hit(&mut part, t, 0.2, 0.25, 18.0, rng, false);
        }
        noise_hit(&mut part, t, 0.05, 0.08, 60.0, rng, true);
        noise_hit(&mut part, t + beat / 2.0, 0.05, 0.08, 60.0, rng, true);
        tone(
            &mut part,
            t,
            t + beat * 0.9,
            midi_hz(song.roots[bar]),
            0.25,
            3.0,
        );
        if k.is_multiple_of(4) {
            for &m in &song.chords[bar] {
                tone(&mut part, t, t + 4.0 * beat, midi_hz(m), 0.08, 0.5);
                tone(&mut part, t, t + 4.0 * beat, midi_hz(m + 12.0), 0.04, 0.5);
            }
        }
        k += 1;
    }
    for (o, p) in buf.iter_mut().zip(part) {
        *o += gain * p;
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

/// 150 s: A minor at 112 BPM (12–52 s), chatter, E major at 100 BPM (64–100 s), chatter,
/// A minor again 12 % slower, 10 dB quieter and starting on its third bar (112–148 s).
fn three_takes() -> (Vec<f32>, Vec<Take>) {
    let mut rng = Lcg(21);
    let mut buf = vec![0.0f32; 150 * SR as usize];
    band_song(&mut buf, 12.0, 52.0, 112.0, &mut rng, &A_MINOR, 1.0, 0);
    chatter(&mut buf, 55.0, 61.0, &mut rng);
    band_song(&mut buf, 64.0, 100.0, 100.0, &mut rng, &E_MAJOR, 1.0, 0);
    chatter(&mut buf, 103.0, 109.0, &mut rng);
    band_song(&mut buf, 112.0, 148.0, 98.5, &mut rng, &A_MINOR, 0.316, 2);
    room(&mut buf, &mut rng);
    let takes = analyze(&buf, 65_536);
    (buf, takes)
}

fn sim(a: &Take, b: &Take) -> f64 {
    similarity(&a.fingerprint, a.bpm, &b.fingerprint, b.bpm)
}

#[test]
fn same_song_matches_across_tempo_level_and_start() {
    let (_, takes) = three_takes();
    assert_eq!(takes.len(), 3, "{takes:#?}");
    for t in &takes {
        // One cell per beat interval.
        assert_eq!(t.fingerprint.len() + 1, t.beats.len());
        assert!(t.fingerprint.len() > 40);
    }
    let (a1, e, a2) = (&takes[0], &takes[1], &takes[2]);
    let same = sim(a1, a2);
    let other = [sim(a1, e), sim(a2, e)];
    eprintln!("same {same:.3}, other {other:.3?}");
    // Measured: same 0.98, other 0.00-0.02.
    assert!(same > SAME_SONG + 0.1, "same song {same}");
    for o in other {
        assert!(o < SAME_SONG - 0.4, "other song {o}");
    }
    // Symmetric, and a take is itself.
    assert!((sim(a2, a1) - same).abs() < 1e-9);
    assert!(sim(a1, a1) > 0.99);
    assert_eq!(song_match::group(&takes), vec![Some(0), None, Some(0)]);
}

#[test]
fn another_progression_in_the_same_key_is_another_song() {
    let mut rng = Lcg(31);
    let mut buf = vec![0.0f32; 100 * SR as usize];
    band_song(&mut buf, 10.0, 48.0, 112.0, &mut rng, &A_MINOR, 1.0, 0);
    chatter(&mut buf, 51.0, 56.0, &mut rng);
    band_song(&mut buf, 60.0, 96.0, 104.0, &mut rng, &A_MINOR_2, 1.0, 0);
    room(&mut buf, &mut rng);
    let takes = analyze(&buf, 65_536);
    assert_eq!(takes.len(), 2, "{takes:#?}");
    let s = sim(&takes[0], &takes[1]);
    eprintln!("same key, other progression {s:.3}");
    assert!(s < SAME_SONG - 0.2, "{s}");
    assert_eq!(song_match::group(&takes), vec![None, None]);
}

#[test]
fn a_false_start_matches_its_song() {
    let mut rng = Lcg(9);
    let mut buf = vec![0.0f32; 110 * SR as usize];
    band_song(&mut buf, 5.0, 17.0, 126.0, &mut rng, &E_MAJOR, 0.6, 0);
    chatter(&mut buf, 20.0, 30.0, &mut rng);
    band_song(&mut buf, 35.0, 95.0, 112.0, &mut rng, &E_MAJOR, 1.0, 0);
    room(&mut buf, &mut rng);
    let takes = analyze(&buf, 65_536);
    assert_eq!(takes.len(), 2, "{takes:#?}");
    assert_eq!(takes[0].kind, TakeKind::FalseStart);
    let s = sim(&takes[0], &takes[1]);
    eprintln!("false start {s:.3}");
    assert!(s > SAME_SONG + 0.1, "{s}");
    assert_eq!(song_match::group(&takes), vec![Some(0), Some(0)]);
}

/// The fingerprint of `take` over half-beat cells (the grid a beat tracker that doubled
/// the tempo would give).
fn half_beat_fingerprint(fx: &FeatureExtractor, take: &Take) -> Fingerprint {
    let mut grid = Vec::new();
    for w in take.beats.windows(2) {
        grid.push(w[0]);
        grid.push(0.5 * (w[0] + w[1]));
    }
    grid.extend(take.beats.last());
    song_match::fingerprint(
        &fx.chroma_fine,
        CHROMA_FINE_PER_SECOND as f64,
        &song_match::cells(&grid, take.start, take.end),
    )
}

#[test]
fn octave_errors_are_undone() {
    let (audio, takes) = three_takes();
    assert_eq!(takes.len(), 3, "{takes:#?}");
    let mut fx = FeatureExtractor::new(SR, 1);
    fx.push(&audio);
    fx.flush();
    let (a1, e, a2) = (&takes[0], &takes[1], &takes[2]);
    eprintln!("bpm {:?} {:?} {:?}", a1.bpm, e.bpm, a2.bpm);
    let doubled = half_beat_fingerprint(&fx, a2);
    let bpm2 = a2.bpm.map(|b| 2.0 * b);
    assert_eq!(doubled.len(), 2 * a2.fingerprint.len());
    let s = similarity(&a1.fingerprint, a1.bpm, &doubled, bpm2);
    eprintln!("doubled {s:.3}");
    assert!(s > SAME_SONG + 0.1, "doubled {s}");
    let s = similarity(&doubled, bpm2, &a1.fingerprint, a1.bpm);
    assert!(s > SAME_SONG + 0.1, "doubled, other way round {s}");
    let s = similarity(&e.fingerprint, e.bpm, &doubled, bpm2);
    eprintln!("other song, doubled {s:.3}");
    assert!(s < SAME_SONG - 0.4, "other song, doubled {s}");
}

#[test]
fn a_take_without_beats_falls_back_to_half_seconds() {
    let cells = song_match::cells(&[], 10.0, 13.2);
    assert_eq!(
        cells,
        vec![
            (10.0, 10.5),
            (10.5, 11.0),
            (11.0, 11.5),
            (11.5, 12.0),
            (12.0, 12.5),
            (12.5, 13.0)
        ]
    );
    assert!(song_match::cells(&[], 5.0, 5.0).is_empty());
    assert!(song_match::cells(&[f64::NAN], f64::NAN, 3.0).is_empty());
    // Fallback cells (taken as 120 BPM) still match a beat fingerprint of the song.
    let (audio, takes) = three_takes();
    let mut fx = FeatureExtractor::new(SR, 1);
    fx.push(&audio);
    fx.flush();
    let fp = |t: &Take| {
        song_match::fingerprint(
            &fx.chroma_fine,
            CHROMA_FINE_PER_SECOND as f64,
            &song_match::cells(&[], t.start, t.end),
        )
    };
    let (a1, e) = (&takes[0], &takes[1]);
    let same = similarity(&fp(a1), None, &a1.fingerprint, a1.bpm);
    let other = similarity(&fp(a1), None, &e.fingerprint, e.bpm);
    eprintln!("fallback: same {same:.3}, other {other:.3}");
    assert!(same > SAME_SONG + 0.1, "{same}");
    assert!(other < SAME_SONG - 0.4, "{other}");
}

#[test]
fn fingerprints_round_trip_as_base64() {
    let takes = analyze(&rehearsal(), 65_536);
    assert_eq!(takes.len(), 1);
    let fp = &takes[0].fingerprint;
    assert!(!fp.is_empty());
    let b64 = fp.to_base64();
    assert_eq!(b64.len(), (1 + 12 * fp.len()).div_ceil(3) * 4);
    assert_eq!(&Fingerprint::from_base64(&b64).expect("decodes"), fp);
    // In JSON (metadata.json) it is a string, and the take comes back the same.
    let json = serde_json::to_string(&takes[0]).expect("json");
    assert!(json.contains(&format!("\"fingerprint\":\"{b64}\"")));
    let back: Take = serde_json::from_str(&json).expect("take");
    assert_eq!(&back.fingerprint, fp);
    // Absent or empty: the empty fingerprint.
    assert_eq!(Fingerprint::default().to_base64(), "");
    assert_eq!(Fingerprint::from_base64(""), Ok(Fingerprint::default()));
    // Every value survives, the extremes included.
    let all = Fingerprint(vec![[
        i8::MIN,
        -1,
        0,
        1,
        i8::MAX,
        5,
        -5,
        64,
        -64,
        100,
        -100,
        7,
    ]]);
    assert_eq!(Fingerprint::from_base64(&all.to_base64()), Ok(all));
}

#[test]
fn garbage_fingerprints_are_refused() {
    let one = Fingerprint(vec![[1; 12]]).to_base64();
    let bad = [
        "not base64!".to_string(),
        "====".into(),
        "A".into(),
        "AAAA".into(),                    // version 0
        "AQ==".into(),                    // version byte, no chroma
        "AQID".into(),                    // 2 bytes of chroma
        one[..one.len() - 4].to_string(), // cut short
        format!("{one}AA=="),             // trailing junk
        "ünïcødé ✓".into(),
        "\0\0\0\0".into(),
    ];
    for s in &bad {
        let e = Fingerprint::from_base64(s).expect_err(s);
        assert!(e.contains("fingerprint"), "{s:?}: {e}");
    }
    let json = serde_json::from_str::<Fingerprint>("\"AQID\"");
    assert!(json.is_err());
    // Arbitrary strings never panic.
    let mut rng = Lcg(77);
    let alphabet: Vec<char> = "ABCabc012+/=-_ \n\u{e9}\u{2713}".chars().collect();
    for len in 0..200 {
        let s: String = (0..len)
            .map(|_| alphabet[((rng.next() + 1.0) * 0.5 * (alphabet.len() - 1) as f32) as usize])
            .collect();
        if let Ok(f) = Fingerprint::from_base64(&s) {
            assert_eq!(Fingerprint::from_base64(&f.to_base64()), Ok(f));
        }
    }
}

#[test]
fn similarity_of_degenerate_fingerprints() {
    let empty = Fingerprint::default();
    let short = Fingerprint(vec![[3; 12]; 2]);
    let flat = Fingerprint(vec![[0; 12]; 40]);
    for (a, b) in [
        (&empty, &empty),
        (&empty, &flat),
        (&short, &flat),
        (&flat, &flat),
    ] {
        let s = similarity(a, Some(120.0), b, Some(f64::NAN));
        assert!((0.0..=1.0).contains(&s), "{s}");
        assert!(s < SAME_SONG);
    }
    assert_eq!(
        song_match::cluster(
            &[
                vec![1.0, 0.9, 0.1],
                vec![0.9, 1.0, 0.2],
                vec![0.1, 0.2, 1.0]
            ],
            0.5
        ),
        vec![Some(0), Some(0), None]
    );
    assert!(song_match::cluster(&[], 0.5).is_empty());
}

/// A band alone in a mostly quiet recording (room noise only around it): the file's
/// loudest and its noise floor are the band and the room, nothing in between.
#[test]
fn a_band_alone_in_a_quiet_recording_is_a_take() {
    let mut rng = Lcg(11);
    let mut buf = vec![0.0f32; 100 * SR as usize];
    band_song(&mut buf, 5.0, 45.0, 120.0, &mut rng, &A_MINOR, 1.0, 0);
    room(&mut buf, &mut rng);
    let takes = analyze(&buf, 65_536);
    assert_eq!(takes.len(), 1, "{takes:#?}");
    assert!(
        (takes[0].start - 5.0).abs() < 1.0,
        "start {}",
        takes[0].start
    );
    assert!((takes[0].end - 45.0).abs() < 1.0, "end {}", takes[0].end);
    let bpm = takes[0].bpm.expect("a tempo");
    assert!((bpm / 120.0 - 1.0).abs() < 0.02, "bpm {bpm}");
}

/// Four clicks a beat apart ending a beat before `first_note` (side-stick-like bursts).
fn count_in(buf: &mut [f32], first_note: f64, bpm: f64, rng: &mut Lcg) {
    for k in 1..=4 {
        noise_hit(
            buf,
            first_note - f64::from(k) * 60.0 / bpm,
            0.04,
            0.2,
            80.0,
            rng,
            true,
        );
    }
}

fn slow_song(with_count_in: bool) -> Vec<f32> {
    let mut rng = Lcg(11);
    let mut buf = vec![0.0f32; 100 * SR as usize];
    chatter(&mut buf, 5.0, 18.0, &mut rng);
    if with_count_in {
        count_in(&mut buf, 30.0, 68.0, &mut rng);
    }
    band(&mut buf, 30.0, 90.0, 68.0, &mut rng);
    room(&mut buf, &mut rng);
    buf
}

#[test]
fn a_count_in_names_a_slow_songs_beat() {
    // Hi-hat eighths at 68 BPM pulse at 136 as much as the kick and snare at 68: alone,
    // the onsets read as twice the tempo. The count-in says which the band counts.
    let counted = analyze(&slow_song(true), 4096);
    assert_eq!(counted.len(), 1, "{counted:#?}");
    let bpm = counted[0].bpm.expect("a tempo");
    assert!((bpm / 68.0 - 1.0).abs() < 0.02, "counted in at 68: {bpm}");
    let beats = &counted[0].beats;
    let period = (beats[beats.len() - 1] - beats[0]) / (beats.len() - 1) as f64;
    assert!((period - 60.0 / 68.0).abs() < 0.02, "beat grid {period}");
    let bare = analyze(&slow_song(false), 4096);
    assert_eq!(bare.len(), 1, "{bare:#?}");
    let bpm = bare[0].bpm.expect("a tempo");
    assert!((bpm / 136.0 - 1.0).abs() < 0.02, "not counted in: {bpm}");
}

#[test]
fn talk_before_a_take_is_not_a_count_in() {
    let mut rng = Lcg(3);
    let mut buf = vec![0.0f32; 40 * SR as usize];
    chatter(&mut buf, 2.0, 20.0, &mut rng);
    band(&mut buf, 20.0, 38.0, 100.0, &mut rng);
    room(&mut buf, &mut rng);
    let mut fx = FeatureExtractor::new(SR, 1);
    fx.push(&buf);
    fx.flush();
    let start = (20.0 * fx.geo.fps()) as usize;
    assert_eq!(
        takes::count_in::beat_period(&fx.frames, &fx.geo, start, 50.0, 220.0),
        None
    );
    let mut clean = vec![0.0f32; 40 * SR as usize];
    count_in(&mut clean, 20.0, 100.0, &mut rng);
    band(&mut clean, 20.0, 38.0, 100.0, &mut rng);
    room(&mut clean, &mut rng);
    let mut fx = FeatureExtractor::new(SR, 1);
    fx.push(&clean);
    fx.flush();
    let period =
        takes::count_in::beat_period(&fx.frames, &fx.geo, start, 50.0, 220.0).expect("a count-in");
    assert!((period - 0.6).abs() < 0.01, "{period}");
}

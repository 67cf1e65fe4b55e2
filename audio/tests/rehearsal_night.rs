//! Take detection, tempo, key and same-song grouping on a generated rehearsal night with
//! exact truth (bench/rehearsal: songs from MIDI through a GM sound font, count-ins, false
//! starts, chatter from a speech synthesizer as loud as the music, noodling, tuning,
//! room noise), scored by the bench's own scorer. A small night of the full evaluation
//! (bench/rehearsal/README.md has the figures); the assertions sit well inside them.
//!
//! Needs what scripts/setup.sh installs: fluidsynth, fluid-soundfont-gm, espeak-ng, sox
//! and .venv-bench.

use std::path::{Path, PathBuf};
use std::process::Command;

use stemset_audio::decode;
use stemset_audio::takes::{TakeSettings, analyze, song_match};

const MINUTES: &str = "20";
const SEED: &str = "3";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn run(cmd: &mut Command) -> Vec<u8> {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{cmd:?}: {e} (run scripts/setup.sh)"));
    assert!(
        out.status.success(),
        "{cmd:?} failed (scripts/setup.sh installs what it needs):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn generated_rehearsal_night_is_understood() {
    let root = repo();
    let dir = tempfile::tempdir().expect("tempdir");
    run(Command::new(root.join(".venv-bench/bin/python"))
        .arg(root.join("bench/rehearsal/generate.py"))
        .args(["--out"])
        .arg(dir.path())
        .args(["--minutes", MINUTES, "--seed", SEED, "--jobs", "2"]));

    let mut src = decode::open(&dir.path().join("rehearsal.wav")).expect("decode");
    let takes = analyze(&mut src, TakeSettings::default()).expect("analyze");
    let groups = song_match::group(&takes);
    let found: Vec<serde_json::Value> = takes
        .iter()
        .zip(&groups)
        .map(|(t, g)| {
            serde_json::json!({
                "start": t.start, "end": t.end, "kind": t.kind,
                "song": g.map(|g| format!("g{g}")),
                "bpm": t.bpm, "key": t.key, "beats": t.beats,
            })
        })
        .collect();
    let found_path = dir.path().join("found.json");
    std::fs::write(
        &found_path,
        serde_json::json!({ "takes": found }).to_string(),
    )
    .expect("write");
    let report = run(Command::new("python3")
        .arg(root.join("bench/rehearsal/score.py"))
        .arg("--truth")
        .arg(dir.path().join("truth.json"))
        .arg("--found")
        .arg(&found_path)
        .arg("--json"));
    let s: serde_json::Value = serde_json::from_slice(&report).expect("score json");
    let f = |p: &str| {
        s.pointer(p)
            .and_then(serde_json::Value::as_f64)
            .unwrap_or(-1.0)
    };
    let context = serde_json::to_string_pretty(&s).unwrap_or_default();
    eprintln!("{context}");
    // Measured on this night: take F1 1.00, BPM within 2 % on 100 % of the takes, key
    // (or its relative) 100 %, same-song pairwise precision and recall 1.00 over 4 truly
    // same pairs, median start error 0.8 s (bench/rehearsal/README.md has every night's figures).
    assert!(f("/takes/all/f1") >= 0.9, "take F1: {context}");
    assert!(
        f("/boundaries/start_median_abs_s") <= 2.0,
        "boundaries: {context}"
    );
    assert!(f("/bpm/take/within_2pct") >= 0.75, "tempo: {context}");
    assert!(f("/key/take/correct_or_relative") >= 0.75, "key: {context}");
    assert!(
        f("/same_song/true_same") >= 2.0,
        "the night repeats songs: {context}"
    );
    assert!(f("/same_song/precision") >= 0.9, "same song: {context}");
    assert!(f("/same_song/recall") >= 0.75, "same song: {context}");
}

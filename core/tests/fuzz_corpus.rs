//! Replays the committed fuzz corpora of `audio_decode` and `config` (fuzz/corpus/) through
//! the same functions the fuzz targets run (fuzz/src/, included by path), in a normal
//! test build: every input that ever found new code must still pass its checks.

#[path = "../../fuzz/src/audio.rs"]
mod audio;
#[path = "../../fuzz/src/config.rs"]
mod config;

use std::path::{Path, PathBuf};

fn corpus(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("corpus entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{} is empty", dir.display());
    files
}

#[test]
fn audio_decode_corpus() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut decoded = 0;
    for file in corpus("audio_decode") {
        let data = std::fs::read(&file).expect("read corpus file");
        let outcome = audio::run(&data, dir.path());
        if outcome.samples > 0 {
            decoded += 1;
        }
    }
    // The seeds include real files of every container: the harness really decodes.
    assert!(decoded >= 10, "only {decoded} corpus files decoded");
}

#[test]
fn audio_decode_seeds_decode() {
    let dir = tempfile::tempdir().expect("tempdir");
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/audio_decode");
    for (name, kind) in [
        ("pcm16-stereo.wav", "wav"),
        ("float32-stereo.wav", "wav"),
        ("pcm24-stereo.wav", "wav"),
        ("flac-stereo-16.flac", "flac"),
        ("mp3-stereo.mp3", "mp3"),
        ("vorbis-stereo.ogg", "ogg"),
        ("opus-stereo.opus", "ogg"),
    ] {
        let data = std::fs::read(seeds.join(name)).expect(name);
        let outcome = audio::run(&data, dir.path());
        assert_eq!(outcome.sniffed, Some(kind), "{name}");
        assert!(outcome.opened && outcome.samples > 0, "{name}: {outcome:?}");
    }
}

#[test]
fn config_corpus() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = config::prepare(dir.path());
    let vars = config::vars();
    let mut loaded = 0;
    for file in corpus("config") {
        let data = std::fs::read(&file).expect("read corpus file");
        if config::run(&data, &path, &vars).config.is_ok() {
            loaded += 1;
        }
    }
    assert!(loaded >= 1, "no corpus config loaded");
}

#[test]
fn config_seed_loads() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = config::prepare(dir.path());
    let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/config/valid-dsp.yaml");
    let outcome = config::run(&std::fs::read(seed).expect("seed"), &path, &config::vars());
    assert_eq!(outcome.config, Ok(2), "{outcome:?}");
}

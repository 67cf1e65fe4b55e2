//! `stemset process` as a user runs it: the real binary, the shipped plugins.toml and
//! dsp strategy, generated recordings, SQLite.

mod common;

use common::{stemset, text};

use std::path::{Path, PathBuf};

/// A copy of the example config and catalog, pointed at a temp folder.
fn setup(format: &str) -> tempfile::TempDir {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let dir = tempfile::tempdir().expect("tempdir");
    let config = std::fs::read_to_string(root.join("config.yaml"))
        .expect("config.yaml")
        .replace("format: opus ", &format!("format: {format} "));
    std::fs::write(dir.path().join("config.yaml"), config).expect("write");
    std::fs::copy(root.join("plugins.toml"), dir.path().join("plugins.toml")).expect("copy");
    dir
}

fn stem_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let media = dir.join("data/media/demo");
    for rec in std::fs::read_dir(media).into_iter().flatten().flatten() {
        for f in std::fs::read_dir(rec.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            out.push(f.path());
        }
    }
    out.sort();
    out
}

#[test]
fn quick_start_produces_four_opus_stems_and_is_idempotent() {
    let dir = setup("opus");
    let o = stemset(
        dir.path(),
        &["generate-demo", "demo/recordings/jam.wav", "--seconds", "6"],
    );
    assert!(o.status.success(), "{}", text(&o));

    let o = stemset(dir.path(), &["process", "demo", "--dry-run"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("1 new file"), "{}", text(&o));
    assert!(text(&o).contains("would process"), "{}", text(&o));
    assert!(stem_files(dir.path()).is_empty(), "dry run writes nothing");

    let o = stemset(dir.path(), &["process", "demo"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("4 stems (drums, vocals, bass, other)"),
        "{}",
        text(&o)
    );
    let files = stem_files(dir.path());
    let names: Vec<String> = files
        .iter()
        .map(|p| p.file_name().expect("name").to_string_lossy().into_owned())
        .collect();
    for n in [
        "vocals.opus",
        "drums.opus",
        "bass.opus",
        "other.opus",
        "metadata.json",
        "vocals.peaks",
    ] {
        assert!(names.contains(&n.to_string()), "{n} missing: {names:?}");
    }
    let meta_path = files
        .iter()
        .find(|p| p.ends_with("metadata.json"))
        .expect("metadata");
    let meta: serde_json::Value =
        serde_json::from_slice(&std::fs::read(meta_path).expect("read")).expect("json");
    for s in meta["stems"].as_array().expect("stems") {
        assert!(
            s["lufs"].as_f64().is_some_and(f64::is_finite),
            "finite LUFS: {s}"
        );
        assert_eq!(s["sample_rate"], 48_000);
    }
    assert!(dir.path().join("data/stemset.sqlite").is_file());

    let o = stemset(dir.path(), &["process", "demo"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("0 new files, 1 already processed"),
        "{}",
        text(&o)
    );
}

#[test]
fn a_corrupt_file_is_reported_and_the_run_goes_on() {
    let dir = setup("flac");
    let o = stemset(
        dir.path(),
        &[
            "generate-demo",
            "demo/recordings/good.wav",
            "--seconds",
            "3",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    std::fs::write(
        dir.path().join("demo/recordings/broken.mp3"),
        b"definitely not an mp3",
    )
    .expect("write");
    std::fs::write(dir.path().join("demo/recordings/setlist.txt"), b"1. intro").expect("write");

    let o = stemset(dir.path(), &["process", "demo"]);
    assert!(!o.status.success(), "a failure makes the run exit non-zero");
    let out = text(&o);
    assert!(out.contains("1 file(s) failed"), "{out}");
    assert!(out.contains("broken.mp3"), "{out}");
    assert!(
        out.contains("processed 1 file(s)"),
        "the good file is still processed: {out}"
    );
    assert!(out.contains("1 non-audio ignored"), "{out}");
    // FLAC keeps the demo's 48 kHz / 24-bit.
    let flac = stem_files(dir.path())
        .into_iter()
        .find(|p| p.ends_with("vocals.flac"))
        .expect("flac stem");
    let info = stemset_audio::decode::open(&flac)
        .expect("decode")
        .info()
        .clone();
    assert_eq!((info.sample_rate, info.bits_per_sample), (48_000, Some(24)));
}

#[test]
fn config_errors_are_clear_and_unknown_profiles_listed() {
    let dir = setup("opus");
    let o = stemset(dir.path(), &["process", "nosuchband"]);
    assert!(!o.status.success());
    assert!(
        text(&o).contains("no profile \"nosuchband\"; profiles: demo"),
        "{}",
        text(&o)
    );

    let broken = std::fs::read_to_string(dir.path().join("config.yaml"))
        .expect("read")
        .replace("_: dsp-center", "_: dsp-centre");
    std::fs::write(dir.path().join("config.yaml"), broken).expect("write");
    let o = stemset(dir.path(), &["process", "demo"]);
    assert!(!o.status.success());
    let out = text(&o);
    assert!(
        out.contains("strategies.default.harmonic._: unknown model \"dsp-centre\""),
        "{out}"
    );
    assert!(out.contains("dsp-bass, dsp-center, dsp-hpss"), "{out}");
}

#[test]
fn backends_lists_the_dsp_models() {
    let dir = setup("opus");
    let o = stemset(dir.path(), &["backends"]);
    assert!(o.status.success(), "{}", text(&o));
    let out = text(&o);
    assert!(out.contains("dsp "), "{out}");
    for m in ["dsp-hpss", "dsp-center", "dsp-bass"] {
        assert!(out.contains(m), "{m}: {out}");
    }
}

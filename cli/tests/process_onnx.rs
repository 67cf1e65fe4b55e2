//! `stemset process` through the onnx backend, as a user runs it: the real binary, a
//! generated 48 kHz recording (resampled to the model's 44.1 kHz and back), a synthetic
//! MDX-Net model with the real signature, Opus stems, SQLite. Needs ONNX Runtime
//! (ORT_DYLIB_PATH, as scripts/test.sh sets it).

mod common;

use common::{processed_recording, stemset, text};

use std::path::{Path, PathBuf};

fn fixture_model(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../backends/onnx/tests/fixtures/models")
        .join(name)
}

fn setup(model_file: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("plugins.toml"),
        format!(
            r#"[models.test-mdx]
backend = "onnx"
architecture = "mdx"
file = "{}"
slots = ["vocals", "instrumental"]
params = {{ n_fft = 2048, compensate = 1.0, primary_stem = "Vocals" }}

[models.test-demucs]
backend = "onnx"
architecture = "demucs"
file = "{}"
slots = ["drums", "bass", "other", "vocals"]
"#,
            model_file.display(),
            fixture_model("demucs_whole_4s.onnx").display()
        ),
    )
    .expect("plugins");
    std::fs::write(
        dir.path().join("config.yaml"),
        r#"strategies:
  ai:
    _: test-mdx
    vocals: vocals
    instrumental:
      _: test-demucs
      drums: drums
      bass: bass
      other: other
profiles:
  band:
    source: ./recordings
    strategy: ai
output:
  format: opus
storage:
  kind: local
  path: ./media
database:
  url: sqlite://./stemset.sqlite
plugins: plugins.toml
"#,
    )
    .expect("config");
    dir
}

#[test]
fn an_onnx_strategy_turns_a_recording_into_stems() {
    let dir = setup(&fixture_model("mdx_gain.onnx"));
    let o = stemset(
        dir.path(),
        &["generate-demo", "recordings/jam.wav", "--seconds", "4"],
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = stemset(dir.path(), &["process", "band"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("4 stems (vocals, drums, bass, other)"),
        "{}",
        text(&o)
    );
    let rec = processed_recording(
        &dir.path().join("media/band"),
        &["vocals", "drums", "bass", "other"],
        "opus",
    );
    let meta = std::fs::read_to_string(rec.join("metadata.json")).expect("metadata");
    assert!(meta.contains("\"vocals\""), "{meta}");
    // The device each model ran on, in the output and in metadata.json (the tests'
    // ONNX Runtime is the CPU wheel).
    assert!(text(&o).contains(" on cpu → "), "{}", text(&o));
    let meta: serde_json::Value = serde_json::from_str(&meta).expect("metadata json");
    let runs = meta["model_runs"].as_array().expect("model_runs");
    assert!(!runs.is_empty(), "{meta}");
    assert!(runs.iter().all(|r| r["device"] == "cpu"), "{meta}");
}

#[test]
fn a_missing_model_file_says_how_to_get_it() {
    let dir = setup(&dir_missing());
    let o = stemset(
        dir.path(),
        &["generate-demo", "recordings/jam.wav", "--seconds", "1"],
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = stemset(dir.path(), &["process", "band"]);
    assert!(!o.status.success());
    let t = text(&o);
    assert!(
        t.contains("test-mdx") && t.contains("does not exist"),
        "{t}"
    );
    // Nothing half-done is kept.
    assert!(
        !dir.path().join("media/band").exists()
            || std::fs::read_dir(dir.path().join("media/band"))
                .expect("dir")
                .next()
                .is_none()
    );
}

fn dir_missing() -> PathBuf {
    PathBuf::from("/nonexistent/stemset-test/missing.onnx")
}

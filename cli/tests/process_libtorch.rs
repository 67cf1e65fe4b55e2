//! `stemset process` through the libtorch backend, as a user runs it: the real binary
//! (built with `--features libtorch`), a generated 48 kHz recording, a traced
//! single-target Roformer-style model (with its YAML) feeding a traced HTDemucs-style
//! model, FLAC stems, SQLite. Only built with the feature; scripts/test.sh turns it on
//! when libtorch is installed (with `test-support`, for the traced test models), and
//! .ci/run installs it.
#![cfg(all(feature = "libtorch", feature = "test-support"))]

mod common;

use common::{processed_recording, stemset, text};
use stemset_backend_libtorch::synthetic;

fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let models = dir.path().join("models");
    std::fs::create_dir_all(&models).expect("models dir");
    synthetic::waveform(
        &models.join("vocals_roformer.pt"),
        8192,
        &[0.5],
        false,
        true,
    )
    .expect("trace waveform");
    std::fs::write(
        models.join("vocals_roformer.yaml"),
        "audio:\n  sample_rate: 44100\nmodel:\n  stft_hop_length: 128\n  freqs_per_bands: [2, 2]\n\
training:\n  instruments: [Vocals, Instrumental]\n  target_instrument: Vocals\n\
inference:\n  dim_t: 65\n  num_overlap: 4\n",
    )
    .expect("yaml");
    synthetic::demucs(
        &models.join("htdemucs.pt"),
        22_050,
        &[0.1, 0.2, 0.3, 0.4],
        false,
    )
    .expect("trace demucs");
    std::fs::write(
        dir.path().join("plugins.toml"),
        r#"[backends.libtorch]
threads = 2

[models.torch-vocals]
backend = "libtorch"
architecture = "waveform"
file = "models/vocals_roformer.pt"
slots = ["vocals", "instrumental"]

[models.torch-demucs]
backend = "libtorch"
architecture = "demucs"
file = "models/htdemucs.pt"
slots = ["drums", "bass", "other", "vocals"]
params = { segment = 22050, shifts = 1 }
"#,
    )
    .expect("plugins");
    std::fs::write(
        dir.path().join("config.yaml"),
        r#"strategies:
  torch:
    _: torch-vocals
    vocals: vocals
    instrumental:
      _: torch-demucs
      drums: drums
      bass: bass
      other: other
profiles:
  band:
    source: ./recordings
    strategy: torch
output:
  format: flac
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
fn a_torchscript_strategy_turns_a_recording_into_stems() {
    let dir = setup();
    let o = stemset(dir.path(), &["backends"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("libtorch"), "{}", text(&o));

    let o = stemset(
        dir.path(),
        &["generate-demo", "recordings/jam.wav", "--seconds", "3"],
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = stemset(dir.path(), &["process", "band"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("4 stems (vocals, drums, bass, other)"),
        "{}",
        text(&o)
    );
    processed_recording(
        &dir.path().join("media/band"),
        &["vocals", "drums", "bass", "other"],
        "flac",
    );
}

#[test]
fn a_file_that_is_not_torchscript_fails_the_run_with_its_name() {
    let dir = setup();
    std::fs::write(dir.path().join("models/htdemucs.pt"), b"not a model").expect("write");
    let o = stemset(
        dir.path(),
        &["generate-demo", "recordings/jam.wav", "--seconds", "1"],
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = stemset(dir.path(), &["process", "band"]);
    assert!(!o.status.success(), "{}", text(&o));
    let out = text(&o);
    assert!(
        out.contains("htdemucs.pt") && out.contains("not a TorchScript module"),
        "{out}"
    );
}

//! Every separation backend linked into `stemset`, and every architecture it registers, is
//! documented by `stemset backends` and builds from a catalog entry. A new architecture
//! without an entry here fails this test: add one. Needs ONNX Runtime (ORT_DYLIB_PATH, as
//! scripts/test.sh sets it) for the onnx entries.

mod common;

use std::path::PathBuf;

use common::{stemset, text};
use stemset_core::catalog::Plugins;
use stemset_core::vars::VarResolver;
use stemset_sdk::separator::Backends;

// The backends the binary links (its `main.rs` does the same).
use stemset_backend_dsp as _;
#[cfg(feature = "libtorch")]
use stemset_backend_libtorch as _;
use stemset_backend_onnx as _;

fn onnx_fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../backends/onnx/tests/fixtures/models")
        .join(name)
        .display()
        .to_string()
}

/// (backend, architecture) → the `[models.NAME]` body of a real entry.
fn entries() -> Vec<(&'static str, &'static str, String)> {
    vec![
        ("dsp", "dsp-hpss", String::new()),
        ("dsp", "dsp-center", String::new()),
        ("dsp", "dsp-bass", String::new()),
        (
            "onnx",
            "mdx",
            format!(
                "file = \"{}\"\nslots = [\"vocals\", \"instrumental\"]\nparams = {{ n_fft = 2048, compensate = 1.0, primary_stem = \"Vocals\" }}\n",
                onnx_fixture("mdx_gain.onnx")
            ),
        ),
        (
            "onnx",
            "demucs",
            format!(
                "file = \"{}\"\nslots = [\"drums\", \"bass\", \"other\", \"vocals\"]\n",
                onnx_fixture("demucs_whole_4s.onnx")
            ),
        ),
        (
            "onnx",
            "waveform",
            format!(
                "file = \"{}\"\nslots = [\"drums\", \"rest\"]\nparams = {{ mode = \"roformer\", chunk = 8192, overlap = 4, instruments = [\"drums\", \"rest\"] }}\n",
                onnx_fixture("waveform_probe_2s.onnx")
            ),
        ),
    ]
}

/// libtorch's architectures run TorchScript files that its own tests trace with tch
/// (backends/libtorch/tests build each from a catalog entry); here they are only checked
/// to be documented.
const BUILT_ELSEWHERE: &[&str] = &["libtorch"];

#[test]
fn every_backend_and_architecture_is_documented_and_buildable() {
    let entries = entries();
    let dir = tempfile::tempdir().expect("tempdir");
    let mut plugins = String::new();
    for (backend, arch, body) in &entries {
        plugins.push_str(&format!(
            "[models.{arch}-model]\nbackend = \"{backend}\"\narchitecture = \"{arch}\"\n{body}\n"
        ));
    }
    std::fs::write(dir.path().join("plugins.toml"), &plugins).expect("plugins");
    std::fs::write(
        dir.path().join("config.yaml"),
        "storage:\n  kind: local\n  path: ./media\ndatabase:\n  url: sqlite://./db.sqlite\n",
    )
    .expect("config");

    let o = stemset(dir.path(), &["backends"]);
    assert!(o.status.success(), "{}", text(&o));
    let listed = text(&o);

    let catalog = Plugins::load(&dir.path().join("plugins.toml"), &VarResolver::from_map([]))
        .unwrap_or_else(|e| panic!("the test catalog loads: {e}"));
    let registered = Backends::registered();
    assert!(registered.len() >= 2, "dsp and onnx are linked");
    for reg in registered {
        assert!(
            listed.contains(&format!("{}  {}", reg.name, reg.description)),
            "{} is not documented:\n{listed}",
            reg.name
        );
        for arch in reg.architectures {
            assert!(
                !arch.description.is_empty()
                    && listed.contains(&format!("    {}  {}", arch.name, arch.description)),
                "{}/{} is not documented:\n{listed}",
                reg.name,
                arch.name
            );
            if BUILT_ELSEWHERE.contains(&reg.name) {
                continue;
            }
            let name = format!("{}-model", arch.name);
            let spec = catalog.models.get(&name).unwrap_or_else(|| {
                panic!(
                    "no catalog entry for {}/{} in this test: add one to entries()",
                    reg.name, arch.name
                )
            });
            let model = reg
                .build(&catalog.backend_settings(reg.name), spec)
                .unwrap_or_else(|e| panic!("{}/{}: {e}", reg.name, arch.name));
            let produced: Vec<&str> = model
                .output_slots()
                .iter()
                .map(|s| s.name.as_str())
                .collect();
            for slot in spec.slot_names() {
                assert!(
                    produced.contains(&slot),
                    "{name}: {slot} not in {produced:?}"
                );
            }
        }
    }
}

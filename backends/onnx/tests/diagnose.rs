//! `stemset doctor` for the onnx backend, on the ONNX Runtime the tests use (the CPU
//! wheel): found, a graph runs on the CPU; a CUDA device asked for falls back with a
//! warning; a configured library that is not there is a failure with the install hint.

use ort::ep::ExecutionProvider;
use stemset_backend_onnx::diagnose::diagnose;
use stemset_sdk::diagnosis::{Finding, Health};
use stemset_sdk::settings::BackendSettings;

fn settings(text: &str) -> BackendSettings {
    BackendSettings {
        name: "onnx".into(),
        table: toml::from_str(text).expect("settings"),
    }
}

fn by<'a>(found: &'a [Finding], check: &str) -> &'a Finding {
    found
        .iter()
        .find(|f| f.check == check)
        .unwrap_or_else(|| panic!("no {check} in {found:?}"))
}

#[test]
fn the_runtime_is_found_and_runs_a_graph() {
    let found = diagnose(&settings("threads = 2"));
    let runtime = by(&found, "backend onnx: runtime");
    assert_eq!(runtime.health, Health::Ok, "{runtime:?}");
    assert!(runtime.found.starts_with("ONNX Runtime 1."), "{runtime:?}");
    assert!(runtime.found.contains("libonnxruntime.so"), "{runtime:?}");
    let cpu = by(&found, "backend onnx: cpu");
    assert_eq!(cpu.health, Health::Ok, "{cpu:?}");
    assert_eq!(cpu.found, "a test graph ran (2 threads per model)");
}

#[test]
fn cuda_without_a_cuda_provider_warns_and_a_missing_library_fails() {
    if ort::ep::CUDA::is_available().unwrap_or(false) {
        return; // onnxruntime-gpu: the GPU runs check the device itself.
    }
    let found = diagnose(&settings("device = \"cuda\""));
    let cuda = by(&found, "backend onnx: cuda:0");
    assert_eq!(cuda.health, Health::Warning, "{cuda:?}");
    assert!(cuda.found.contains("no CUDA provider"), "{cuda:?}");
    assert!(
        cuda.fix
            .as_deref()
            .unwrap_or_default()
            .contains("onnxruntime-gpu"),
        "{cuda:?}"
    );

    let found = diagnose(&settings(
        "library = \"/nonexistent/libonnxruntime.so.1.31.1\"",
    ));
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].health, Health::Failure);
    assert!(found[0].found.contains("does not exist"), "{found:?}");
    assert!(
        found[0]
            .fix
            .as_deref()
            .unwrap_or_default()
            .contains("pip install onnxruntime"),
        "{found:?}"
    );
}

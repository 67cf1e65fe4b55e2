//! `stemset doctor` for the onnx backend, on the ONNX Runtime the tests use (the CPU
//! wheel): found, a graph runs on the CPU; a CUDA device asked for is a failure (a run
//! would be refused, never quietly moved to the CPU), `auto` is fine on the CPU; a
//! configured library that is not there is a failure with the install hint. And the
//! device a model opens on: `cuda` without a usable GPU is refused with why and what to
//! do, `auto` opens on the CPU and says so.

use ort::ep::ExecutionProvider;
use stemset_backend_onnx::diagnose::diagnose;
use stemset_backend_onnx::session::{Device, OnnxModel, OnnxSettings};
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
fn cuda_without_a_cuda_provider_fails_and_a_missing_library_fails() {
    if ort::ep::CUDA::is_available().unwrap_or(false) {
        return; // onnxruntime-gpu: the GPU runs check the device itself.
    }
    let found = diagnose(&settings("device = \"auto\""));
    let auto = by(&found, "backend onnx: cuda");
    assert_eq!(auto.health, Health::Ok, "{auto:?}");
    assert!(auto.found.contains("runs on the CPU"), "{auto:?}");

    let found = diagnose(&settings("device = \"cuda\""));
    let cuda = by(&found, "backend onnx: cuda:0");
    assert_eq!(cuda.health, Health::Failure, "{cuda:?}");
    assert!(cuda.found.contains("every run is refused"), "{cuda:?}");
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
    assert!(
        found[0]
            .fix
            .as_deref()
            .unwrap_or_default()
            .contains("stemset runtime install"),
        "{found:?}"
    );
}

fn open(device: &str) -> Result<OnnxModel, String> {
    let table = format!("threads = 1\ndevice = \"{device}\"");
    let settings = OnnxSettings::from_backend(&settings(&table))?;
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/models/mdx_gain.onnx");
    OnnxModel::open(&file, &settings)
}

#[test]
fn a_gpu_asked_for_and_not_there_is_an_error_not_a_cpu_run() {
    if ort::ep::CUDA::is_available().unwrap_or(false) {
        return; // onnxruntime-gpu: bench/gpu.sh checks the GPU path.
    }
    let err = match open("cuda") {
        Ok(m) => panic!("opened on {} instead of refusing", m.device),
        Err(e) => e,
    };
    assert!(
        err.contains("device = \"cuda:0\" but the GPU cannot be used"),
        "{err}"
    );
    assert!(err.contains("without the CUDA provider"), "says why: {err}");
    assert!(
        err.contains("libonnxruntime.so"),
        "names the runtime: {err}"
    );
    assert!(err.contains("onnxruntime-gpu"), "says what to do: {err}");
    assert!(err.contains("stemset runtime install --gpu"), "{err}");

    let auto = open("auto").expect("auto opens");
    assert_eq!(auto.device, Device::Cpu);
    assert_eq!(auto.device.to_string(), "cpu");
    assert_eq!(open("cpu").expect("cpu opens").device, Device::Cpu);

    let err = match open("gpu") {
        Ok(_) => panic!("an unknown device was accepted"),
        Err(e) => e,
    };
    assert!(err.contains("cpu, cuda, cuda:N, auto"), "{err}");
}

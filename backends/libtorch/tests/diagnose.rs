//! `stemset doctor` for the libtorch backend: the libtorch linked, a computation on the
//! CPU, and a CUDA device asked for that this build or machine cannot give.

use stemset_backend_libtorch::diagnose::diagnose;
use stemset_sdk::diagnosis::Health;
use stemset_sdk::settings::BackendSettings;

fn settings(text: &str) -> BackendSettings {
    BackendSettings {
        name: "libtorch".into(),
        table: toml::from_str(text).expect("settings"),
    }
}

#[test]
fn finds_libtorch_and_computes_on_the_cpu() {
    let found = diagnose(&settings("threads = 1"));
    let by = |check: &str| {
        found
            .iter()
            .find(|f| f.check == check)
            .unwrap_or_else(|| panic!("no {check} in {found:?}"))
    };
    let runtime = by("backend libtorch: runtime");
    assert_eq!(runtime.health, Health::Ok, "{runtime:?}");
    assert!(
        runtime.found.contains("libtorch linked from"),
        "{runtime:?}"
    );
    let cpu = by("backend libtorch: cpu");
    assert_eq!(cpu.health, Health::Ok, "{cpu:?}");
    assert_eq!(cpu.found, "a test computation ran (1 thread)");
    assert_eq!(by("backend libtorch: cuda").health, Health::Ok);
}

#[test]
fn a_cuda_device_this_build_cannot_use_is_a_failure_with_the_fix() {
    if tch::Cuda::is_available() {
        // A CUDA build on a GPU machine: the device works (checked by the GPU runs).
        return;
    }
    let found = diagnose(&settings("device = \"cuda:0\""));
    let cuda = found
        .iter()
        .find(|f| f.check == "backend libtorch: cuda:0")
        .unwrap_or_else(|| panic!("no cuda finding in {found:?}"));
    assert_eq!(cuda.health, Health::Failure, "{cuda:?}");
    assert!(cuda.found.contains("sees no CUDA device"), "{cuda:?}");
    assert!(
        cuda.fix
            .as_deref()
            .unwrap_or_default()
            .contains("--features libtorch-cuda"),
        "{cuda:?}"
    );

    let bad = diagnose(&settings("device = \"tpu\""));
    assert_eq!(bad.len(), 1);
    assert_eq!(bad[0].health, Health::Failure);
    assert!(
        bad[0].found.contains("valid values are cpu, cuda, cuda:N"),
        "{bad:?}"
    );
}

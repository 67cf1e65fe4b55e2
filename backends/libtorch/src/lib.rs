//! stemset-backend-libtorch: TorchScript exports run through libtorch (`tch`), on the
//! CPU or a CUDA GPU. For models that exist only as PyTorch checkpoints; export them
//! with `scripts/export-torchscript/export.py`.
//!
//! Architectures:
//! - `demucs`: a traced whole HTDemucs (`[1, 2, SEG] → [1, S, 2, SEG]`), with the same
//!   `apply_model` chunking, shifts and bags as the ONNX backend (the SDK's
//!   `families::demucs`);
//! - `waveform`: MDX23C and BS-/Mel-Band Roformer (`[B, 2, C] → [B, S, 2, C]` or
//!   `[B, 2, C]`), with the references' chunking and overlap-add (the SDK's
//!   `families::waveform`).
//!
//! Built only with the `libtorch` feature of the `stemset` binary: linking needs
//! libtorch 2.13.0 (PyPI `torch==2.13.0`, see build.rs).

pub mod demucs;
pub mod diagnose;
pub mod module;
pub mod settings;
#[cfg(any(test, feature = "test-support"))]
pub mod synthetic;
pub mod waveform;

use stemset_sdk::families;
use stemset_sdk::families::demucs::HTDEMUCS_SEGMENT;
use stemset_sdk::params::Params;
use stemset_sdk::separator::{Architecture, AudioSeparator, BackendRegistration};
use stemset_sdk::settings::{BackendSettings, ModelSpec};

use demucs::DemucsTorch;
use module::TorchModule;
use settings::TorchSettings;
use waveform::WaveformTorch;

fn build_demucs(
    spec: &ModelSpec,
    torch: &TorchSettings,
) -> Result<Box<dyn AudioSeparator>, String> {
    let mut p = Params::new(&spec.params);
    let segment = p.int("segment", HTDEMUCS_SEGMENT as i64, 2048..=100_000_000)? as usize;
    families::demucs::build(spec, p, |path| {
        let module = TorchModule::load(path, torch).map_err(|e| e.to_string())?;
        Ok(Box::new(
            DemucsTorch::new(module, segment).map_err(|e| e.to_string())?,
        ))
    })
}

fn build_waveform(
    spec: &ModelSpec,
    torch: &TorchSettings,
) -> Result<Box<dyn AudioSeparator>, String> {
    families::waveform::build(spec, Params::new(&spec.params), |path, config| {
        let module = TorchModule::load(path, torch).map_err(|e| e.to_string())?;
        Ok(Box::new(
            WaveformTorch::new(module, config.chunk).map_err(|e| e.to_string())?,
        ))
    })
}

/// Builds one model once the backend's settings are read.
type ArchitectureBuild = fn(&ModelSpec, &TorchSettings) -> Result<Box<dyn AudioSeparator>, String>;

/// Reads `[backends.libtorch]` and checks its device, then builds with `f`.
fn with_settings(
    settings: &BackendSettings,
    spec: &ModelSpec,
    f: ArchitectureBuild,
) -> Result<Box<dyn AudioSeparator>, String> {
    let torch = TorchSettings::from_backend(settings)?;
    torch.check_device()?;
    f(spec, &torch)
}

// Slots depend on the file (its sources) and its YAML (its instruments), so the catalog
// lists them and each build checks them.
inventory::submit! {
    BackendRegistration {
        name: "libtorch",
        description: "libtorch (TorchScript): HTDemucs, MDX23C and BS-/Mel-Band Roformer exports, CPU or CUDA",
        architectures: &[
            Architecture {
                name: "demucs",
                description: "HTDemucs TorchScript exports, single models and bags",
                slots: &[],
                build: |settings, spec| with_settings(settings, spec, build_demucs),
            },
            Architecture {
                name: "waveform",
                description: "waveform TorchScript exports: MDX23C, BS-/Mel-Band Roformer",
                slots: &[],
                build: |settings, spec| with_settings(settings, spec, build_waveform),
            },
        ],
        diagnose: diagnose::diagnose,
    }
}

//! stemset-backend-libtorch: TorchScript exports run through libtorch (`tch`), on the
//! CPU or a CUDA GPU. For models that exist only as PyTorch checkpoints; export them
//! with `scripts/export-torchscript/export.py`.
//!
//! Architectures:
//! - `demucs`: a traced whole HTDemucs (`[1, 2, SEG] → [1, S, 2, SEG]`), with the same
//!   `apply_model` chunking, shifts and bags as the ONNX backend (core's
//!   `families::demucs`);
//! - `waveform`: MDX23C and BS-/Mel-Band Roformer (`[B, 2, C] → [B, S, 2, C]` or
//!   `[B, 2, C]`), with the references' chunking and overlap-add (core's
//!   `families::waveform`).
//!
//! Built only with the `libtorch` feature of the `stemset` binary: linking needs
//! libtorch 2.13.0 (PyPI `torch==2.13.0`, see build.rs).

pub mod demucs;
pub mod module;
pub mod settings;
pub mod synthetic;
pub mod waveform;

use stemset_core::families;
use stemset_core::families::demucs::HTDEMUCS_SEGMENT;
use stemset_core::params::Params;
use stemset_core::plugins::{BackendSettings, ModelSpec};
use stemset_core::separator::{AudioSeparator, BackendRegistration, BuildError, SlotInfo};

use demucs::DemucsTorch;
use module::TorchModule;
use settings::TorchSettings;
use waveform::WaveformTorch;

const ARCHITECTURES: &[&str] = &["demucs", "waveform"];

/// Slots depend on the file (its sources) and its YAML (its instruments), so the
/// catalog lists them and `build` checks them.
fn slots_for(_architecture: &str) -> Option<Vec<SlotInfo>> {
    None
}

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

fn build(
    settings: &BackendSettings,
    spec: &ModelSpec,
) -> Result<Box<dyn AudioSeparator>, BuildError> {
    let err = |e: String| BuildError(format!("model \"{}\": {e}", spec.name));
    let torch = TorchSettings::from_backend(settings).map_err(err)?;
    torch.check_device().map_err(err)?;
    match spec.architecture.as_str() {
        "demucs" => build_demucs(spec, &torch),
        "waveform" => build_waveform(spec, &torch),
        other => Err(format!(
            "unknown architecture \"{other}\"; valid: {}",
            ARCHITECTURES.join(", ")
        )),
    }
    .map_err(err)
}

inventory::submit! {
    BackendRegistration {
        name: "libtorch",
        description: "libtorch (TorchScript): HTDemucs, MDX23C and BS-/Mel-Band Roformer exports, CPU or CUDA",
        architectures: ARCHITECTURES,
        slots_for,
        build,
    }
}

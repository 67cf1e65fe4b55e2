//! stemset-backend-onnx: runs the model files UVR and python-audio-separator users
//! already have through ONNX Runtime (`ort`, loaded at run time from PyPI's wheel).
//!
//! Architectures:
//! - `mdx`: MDX-Net spectrogram models (UVR-MDX-NET-*, Kim_*, kuielab_*);
//! - `demucs`: HTDemucs exports, STFT inside the graph or outside it;
//! - `waveform`: MDX23C and BS-/Mel-Band Roformer exports with the STFT inside the
//!   graph (`[B, 2, C] → [B, S, 2, C]`), chunked as the references do.

pub mod demucs;
mod fft;
pub mod mdx;
pub mod runtime;
pub mod session;
pub mod waveform;

use stemset_core::families;
use stemset_core::params::Params;
use stemset_core::plugins::{BackendSettings, ModelSpec};
use stemset_core::separator::{AudioSeparator, BackendRegistration, BuildError, SlotInfo};
use stemset_core::stems::slot_name;

use demucs::DemucsOnnx;
use mdx::MdxSeparator;
use mdx::config::MdxConfig;
use session::{OnnxModel, OnnxSettings};
use waveform::WaveformOnnx;

const ARCHITECTURES: &[&str] = &["mdx", "demucs", "waveform"];

/// Slots depend on the model file (its primary stem, its number of sources), so the
/// catalog lists them and `build` checks them against the file.
fn slots_for(_architecture: &str) -> Option<Vec<SlotInfo>> {
    None
}

fn build_mdx(spec: &ModelSpec, settings: &OnnxSettings) -> Result<Box<dyn AudioSeparator>, String> {
    let file = spec.model_file()?;
    let model = OnnxModel::open(&file, settings)?;
    let config = MdxConfig::resolve(&file, &spec.params, &model.inputs, &model.outputs)?;
    let produced = vec![
        SlotInfo::new(
            slot_name(&config.primary),
            format!("{} (the network's output)", config.primary),
        ),
        SlotInfo::new(
            slot_name(&config.secondary),
            format!("{} (mix − {})", config.secondary, config.primary),
        ),
    ];
    spec.check_slots(&produced)?;
    Ok(Box::new(MdxSeparator::new(
        &spec.name, model, config, produced,
    )))
}

fn build_demucs(
    spec: &ModelSpec,
    settings: &OnnxSettings,
) -> Result<Box<dyn AudioSeparator>, String> {
    families::demucs::build(spec, Params::new(&spec.params), |path| {
        Ok(Box::new(DemucsOnnx::new(OnnxModel::open(path, settings)?)?))
    })
}

fn build_waveform(
    spec: &ModelSpec,
    settings: &OnnxSettings,
) -> Result<Box<dyn AudioSeparator>, String> {
    families::waveform::build(spec, Params::new(&spec.params), |path, config| {
        Ok(Box::new(WaveformOnnx::new(
            OnnxModel::open(path, settings)?,
            config.chunk,
        )?))
    })
}

fn build(
    settings: &BackendSettings,
    spec: &ModelSpec,
) -> Result<Box<dyn AudioSeparator>, BuildError> {
    let err = |e: String| BuildError(format!("model \"{}\": {e}", spec.name));
    let onnx = OnnxSettings::from_backend(settings).map_err(err)?;
    match spec.architecture.as_str() {
        "mdx" => build_mdx(spec, &onnx),
        "demucs" => build_demucs(spec, &onnx),
        "waveform" => build_waveform(spec, &onnx),
        other => Err(format!(
            "unknown architecture \"{other}\"; valid: {}",
            ARCHITECTURES.join(", ")
        )),
    }
    .map_err(err)
}

inventory::submit! {
    BackendRegistration {
        name: "onnx",
        description: "ONNX Runtime: MDX-Net (UVR-MDX-NET, kuielab), HTDemucs, MDX23C and Roformer exports",
        architectures: ARCHITECTURES,
        slots_for,
        build,
    }
}

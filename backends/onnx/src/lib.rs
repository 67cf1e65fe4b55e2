//! stemset-backend-onnx: runs the model files UVR and python-audio-separator users
//! already have through ONNX Runtime (`ort`, loaded at run time from PyPI's wheel).
//!
//! Architectures:
//! - `mdx`: MDX-Net spectrogram models (UVR-MDX-NET-*, Kim_*, kuielab_*);
//! - `demucs`: HTDemucs exports, STFT inside the graph or outside it;
//! - `waveform`: MDX23C and BS-/Mel-Band Roformer exports with the STFT inside the
//!   graph (`[B, 2, C] → [B, S, 2, C]`), chunked as the references do.

pub mod checkpoint;
pub mod demucs;
pub mod diagnose;
mod fft;
pub mod graph;
mod heap;
pub mod install;
pub mod mdx;
pub mod runtime;
pub mod session;
pub mod waveform;

use stemset_sdk::families;
use stemset_sdk::params::Params;
use stemset_sdk::separator::{Architecture, AudioSeparator, BackendRegistration, SlotInfo};
use stemset_sdk::settings::{BackendSettings, ModelSpec};
use stemset_sdk::stems::slot_name;

use demucs::DemucsOnnx;
use mdx::MdxSeparator;
use mdx::config::MdxConfig;
use session::{OnnxModel, OnnxSettings};
use waveform::WaveformOnnx;

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
        // Demucs' own checkpoints run as the ONNX graph written from them.
        let file = if demucs::convert::is_checkpoint(path) {
            demucs::convert::graph_for(path)?
        } else {
            path.to_path_buf()
        };
        Ok(Box::new(DemucsOnnx::new(OnnxModel::open(
            &file, settings,
        )?)?))
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

/// Builds one model once the backend's settings are read.
type ArchitectureBuild = fn(&ModelSpec, &OnnxSettings) -> Result<Box<dyn AudioSeparator>, String>;

/// Reads `[backends.onnx]`, then builds with `f`.
fn with_settings(
    settings: &BackendSettings,
    spec: &ModelSpec,
    f: ArchitectureBuild,
) -> Result<Box<dyn AudioSeparator>, String> {
    f(spec, &OnnxSettings::from_backend(settings)?)
}

// Slots depend on the model file (its primary stem, its number of sources), so the catalog
// lists them and each build checks them against the file.
inventory::submit! {
    BackendRegistration {
        name: "onnx",
        description: "ONNX Runtime: MDX-Net (UVR-MDX-NET, kuielab), HTDemucs, MDX23C and Roformer exports",
        architectures: &[
            Architecture {
                name: "mdx",
                description: "MDX-Net spectrogram models (UVR-MDX-NET, kuielab), STFT outside the graph",
                slots: &[],
                build: |settings, spec| with_settings(settings, spec, build_mdx),
            },
            Architecture {
                name: "demucs",
                description: "HTDemucs exports (STFT outside the graph), single models and bags",
                slots: &[],
                build: |settings, spec| with_settings(settings, spec, build_demucs),
            },
            Architecture {
                name: "waveform",
                description: "waveform-in, waveform-out exports: MDX23C, BS-/Mel-Band Roformer",
                slots: &[],
                build: |settings, spec| with_settings(settings, spec, build_waveform),
            },
        ],
        diagnose: diagnose::diagnose,
    }
}

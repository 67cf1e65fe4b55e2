//! stemset-backend-onnx: runs the model files UVR and python-audio-separator users
//! already have through ONNX Runtime (`ort`, loaded at run time from PyPI's wheel).
//!
//! Architectures:
//! - `mdx`: MDX-Net spectrogram models (UVR-MDX-NET-*, Kim_*, kuielab_*);
//! - `demucs`: HTDemucs exports, STFT inside the graph or outside it.

pub mod demucs;
mod fft;
pub mod mdx;
pub mod runtime;
pub mod session;
pub mod stems;

use std::path::{Path, PathBuf};

use stemset_core::chunking::demucs::{DemucsOptions, SegmentModel};
use stemset_core::params::Params;
use stemset_core::plugins::{BackendSettings, ModelSpec};
use stemset_core::separator::{AudioSeparator, BackendRegistration, BuildError, SlotInfo};

use demucs::{Bag, DemucsOnnx, DemucsSeparator, SOURCES_4, SOURCES_6};
use mdx::MdxSeparator;
use mdx::config::MdxConfig;
use session::{OnnxModel, OnnxSettings};

const ARCHITECTURES: &[&str] = &["mdx", "demucs"];

/// Slots depend on the model file (its primary stem, its number of sources), so the
/// catalog lists them and `build` checks them against the file.
fn slots_for(_architecture: &str) -> Option<Vec<SlotInfo>> {
    None
}

fn slot(name: &str, description: String) -> SlotInfo {
    SlotInfo {
        name: name.to_string(),
        description,
    }
}

/// The model file, or a message saying how to get it.
fn model_file(spec: &ModelSpec) -> Result<PathBuf, String> {
    let Some(file) = &spec.file else {
        return Err("no `file` in its catalog entry".into());
    };
    if file.is_file() {
        return Ok(file.clone());
    }
    Err(if spec.url.is_some() {
        format!(
            "model file {} is missing; download it with `stemset models pull {}`",
            file.display(),
            spec.name
        )
    } else {
        format!("model file {} does not exist", file.display())
    })
}

/// Checks that the catalog's slots are ones the file produces.
fn check_slots(spec: &ModelSpec, produced: &[SlotInfo]) -> Result<(), String> {
    let names: Vec<&str> = produced.iter().map(|s| s.name.as_str()).collect();
    let unknown: Vec<&str> = spec
        .slots
        .iter()
        .map(|s| s.name.as_str())
        .filter(|s| !names.contains(s))
        .collect();
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "slots {} are not produced by this model file; it produces: {}",
            unknown.join(", "),
            names.join(", ")
        ))
    }
}

fn build_mdx(spec: &ModelSpec, settings: &OnnxSettings) -> Result<Box<dyn AudioSeparator>, String> {
    let file = model_file(spec)?;
    let model = OnnxModel::open(&file, settings)?;
    let config = MdxConfig::resolve(&file, &spec.params, &model.inputs, &model.outputs)?;
    let produced = vec![
        slot(
            &stems::slot_name(&config.primary),
            format!("{} (the network's output)", config.primary),
        ),
        slot(
            &stems::slot_name(&config.secondary),
            format!("{} (mix − {})", config.secondary, config.primary),
        ),
    ];
    check_slots(spec, &produced)?;
    Ok(Box::new(MdxSeparator::new(
        &spec.name, model, config, produced,
    )))
}

fn demucs_options(p: &mut Params<'_>) -> Result<DemucsOptions, String> {
    Ok(DemucsOptions {
        overlap: p.float("overlap", 0.25, 0.0..=0.99)? as f32,
        shifts: p.int("shifts", 0, 0..=20)? as usize,
        seed: p.int("seed", 0, 0..=i64::MAX)? as u64,
        transition_power: p.float("transition_power", 1.0, 0.01..=16.0)? as f32,
    })
}

fn build_demucs(
    spec: &ModelSpec,
    settings: &OnnxSettings,
) -> Result<Box<dyn AudioSeparator>, String> {
    let file = model_file(spec)?;
    let mut p = Params::new(&spec.params);
    let options = demucs_options(&mut p)?;
    let names = p.opt_string_list("sources")?;
    let bag = p.opt_string_list("bag")?.unwrap_or_default();
    let weights = p.opt_float_list("weights")?;
    p.finish()?;

    let first = DemucsOnnx::new(OnnxModel::open(&file, settings)?)?;
    let sources = first.sources();
    let names: Vec<String> = match names {
        Some(n) if n.len() == sources => n,
        Some(n) => {
            return Err(format!(
                "params.sources lists {} names but {} has {sources} sources",
                n.len(),
                file.display()
            ));
        }
        None if sources == 4 => SOURCES_4.iter().map(|s| s.to_string()).collect(),
        None if sources == 6 => SOURCES_6.iter().map(|s| s.to_string()).collect(),
        None => {
            return Err(format!(
                "{} has {sources} sources; name them with params.sources = [...]",
                file.display()
            ));
        }
    };
    let model: Box<dyn SegmentModel + Send> = if bag.is_empty() {
        if weights.is_some() {
            return Err("params.weights needs params.bag (the other models of the bag)".into());
        }
        Box::new(first)
    } else {
        let dir = file.parent().unwrap_or(Path::new("."));
        let mut models = vec![first];
        for other in &bag {
            let path = dir.join(other);
            models.push(DemucsOnnx::new(OnnxModel::open(&path, settings)?)?);
        }
        let count = models.len();
        let rows = match weights {
            None => vec![vec![1.0f32; sources]; count],
            Some(flat) if flat.len() == count * sources => flat
                .chunks(sources)
                .map(|r| r.iter().map(|&w| w as f32).collect())
                .collect(),
            Some(flat) => {
                return Err(format!(
                    "params.weights has {} numbers; a bag of {count} models with {sources} sources needs {} (row per model)",
                    flat.len(),
                    count * sources
                ));
            }
        };
        Box::new(Bag::new(models, rows)?)
    };
    let produced: Vec<SlotInfo> = names
        .iter()
        .map(|n| slot(&stems::slot_name(n), format!("Demucs source \"{n}\"")))
        .collect();
    check_slots(spec, &produced)?;
    Ok(Box::new(DemucsSeparator::new(
        &spec.name, model, options, produced,
    )))
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
        description: "ONNX Runtime: MDX-Net (UVR-MDX-NET, kuielab) and HTDemucs exports",
        architectures: ARCHITECTURES,
        slots_for,
        build,
    }
}

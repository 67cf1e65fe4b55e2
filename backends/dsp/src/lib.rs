//! stemset-backend-dsp: classical source separation that needs no model weights, so
//! Stemset works offline out of the box. Three two-slot models, combined by strategy
//! trees into vocals / drums / bass / other:
//! - `dsp-hpss`: harmonic/percussive separation by median filtering of the spectrogram;
//! - `dsp-center`: center-channel extraction (inter-channel coherence) in the vocal band;
//! - `dsp-bass`: a low-band spectral crossover.
//!
//! Every model's slots sum back to its input: masks are complementary.

mod bass;
mod center;
mod hpss;
mod median;
mod separator;

use separator::SpectralSeparator;
use stemset_core::plugins::{BackendSettings, ModelSpec};
use stemset_core::separator::{AudioSeparator, BackendRegistration, BuildError, SlotInfo};

/// All dsp models work at CD rate; the executor resamples to and from it.
pub const DSP_RATE: u32 = 44_100;

/// Raised-cosine step from 0 at `a` to 1 at `b`: band edges without ringing.
fn ramp(f: f32, a: f32, b: f32) -> f32 {
    if f <= a {
        0.0
    } else if f >= b {
        1.0
    } else {
        0.5 - 0.5 * (std::f32::consts::PI * (f - a) / (b - a)).cos()
    }
}

const ARCHITECTURES: &[&str] = &["dsp-hpss", "dsp-center", "dsp-bass"];

fn slot(name: &str, description: &str) -> SlotInfo {
    SlotInfo {
        name: name.to_string(),
        description: description.to_string(),
    }
}

fn slots_for(architecture: &str) -> Option<Vec<SlotInfo>> {
    Some(match architecture {
        "dsp-hpss" => vec![
            slot("percussive", "transients: drums and attacks"),
            slot("harmonic", "sustained, pitched sound"),
        ],
        "dsp-center" => vec![
            slot(
                "vocals",
                "what is identical in both channels, in the vocal band",
            ),
            slot("accompaniment", "everything else"),
        ],
        "dsp-bass" => vec![
            slot("bass", "the low band"),
            slot("other", "everything above it"),
        ],
        _ => return None,
    })
}

fn build(
    _settings: &BackendSettings,
    spec: &ModelSpec,
) -> Result<Box<dyn AudioSeparator>, BuildError> {
    let err = |e: String| BuildError(format!("model \"{}\": {e}", spec.name));
    let slots = slots_for(&spec.architecture).ok_or_else(|| {
        err(format!(
            "unknown architecture \"{}\"; valid: {}",
            spec.architecture,
            ARCHITECTURES.join(", ")
        ))
    })?;
    let name = spec.name.as_str();
    let mut params = stemset_core::params::Params::new(&spec.params);
    let model: Box<dyn AudioSeparator> = match spec.architecture.as_str() {
        "dsp-hpss" => Box::new(SpectralSeparator::new(
            name,
            slots,
            hpss::Hpss::from_params(&mut params).map_err(err)?,
        )),
        "dsp-center" => Box::new(SpectralSeparator::new(
            name,
            slots,
            center::Center::from_params(&mut params).map_err(err)?,
        )),
        _ => Box::new(SpectralSeparator::new(
            name,
            slots,
            bass::Bass::from_params(&mut params).map_err(err)?,
        )),
    };
    // After the model has asked for its keys, so the error can list the valid ones.
    params.finish().map_err(err)?;
    Ok(model)
}

inventory::submit! {
    BackendRegistration {
        name: "dsp",
        description: "classical separation (HPSS, center extraction, crossover); no model files",
        architectures: ARCHITECTURES,
        slots_for,
        build,
    }
}

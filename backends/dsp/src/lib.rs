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
use stemset_sdk::separator::{Architecture, AudioSeparator, BackendRegistration, SlotInfo};
use stemset_sdk::settings::ModelSpec;

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

/// Builds one spectral separator: its slots come from the registration, its mask from
/// `params`, which must all be used.
fn spectral<M: separator::MaskModel + 'static>(
    spec: &ModelSpec,
    slots: &[(&str, &str)],
    from_params: fn(&mut stemset_sdk::params::Params<'_>) -> Result<M, String>,
) -> Result<Box<dyn AudioSeparator>, String> {
    let mut params = stemset_sdk::params::Params::new(&spec.params);
    let mask = from_params(&mut params)?;
    params.finish()?;
    Ok(Box::new(SpectralSeparator::new(
        SlotInfo::list(slots),
        mask,
    )))
}

const HPSS_SLOTS: &[(&str, &str)] = &[
    ("percussive", "transients: drums and attacks"),
    ("harmonic", "sustained, pitched sound"),
];
const CENTER_SLOTS: &[(&str, &str)] = &[
    (
        "vocals",
        "what is identical in both channels, in the vocal band",
    ),
    ("accompaniment", "everything else"),
];
const BASS_SLOTS: &[(&str, &str)] = &[("bass", "the low band"), ("other", "everything above it")];

inventory::submit! {
    BackendRegistration {
        name: "dsp",
        description: "classical separation (HPSS, center extraction, crossover); no model files",
        architectures: &[
            Architecture {
                name: "dsp-hpss",
                description: "harmonic/percussive separation by median filtering",
                slots: HPSS_SLOTS,
                build: |_, spec| spectral(spec, HPSS_SLOTS, hpss::Hpss::from_params),
            },
            Architecture {
                name: "dsp-center",
                description: "center-channel extraction in the vocal band",
                slots: CENTER_SLOTS,
                build: |_, spec| spectral(spec, CENTER_SLOTS, center::Center::from_params),
            },
            Architecture {
                name: "dsp-bass",
                description: "a crossover: the low band and the rest",
                slots: BASS_SLOTS,
                build: |_, spec| spectral(spec, BASS_SLOTS, bass::Bass::from_params),
            },
        ],
        diagnose: stemset_sdk::diagnosis::built_in,
    }
}

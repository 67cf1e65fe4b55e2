//! stemset-sdk: what a separation backend crate needs, and nothing of the application.
//!
//! A backend implements [`separator::AudioSeparator`] and submits a
//! [`separator::BackendRegistration`] with `inventory::submit!`. It is built from its
//! [`settings::BackendSettings`] and a model's [`settings::ModelSpec`], reads its
//! architecture parameters through [`params::Params`], and can reuse the STFT, the
//! chunking schedules and the shared model families (Demucs, waveform models). The audio
//! crate is re-exported as [`audio`], so this is the one dependency a backend needs.

pub use stemset_audio as audio;

pub mod chunking;
pub mod diagnosis;
pub mod families;
#[cfg(any(test, feature = "test-support"))]
pub mod memory;
pub mod params;
pub mod separator;
pub mod settings;
pub mod stems;
pub mod stft;

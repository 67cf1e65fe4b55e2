//! The plugin interface: a backend crate implements [`AudioSeparator`] and submits a
//! [`BackendRegistration`] with `inventory::submit!`; core finds it by name at run time.

use crate::audio::{AudioError, AudioSink, AudioSource};
use crate::plugins::{BackendSettings, ModelSpec};

/// Models receive and produce stereo audio at their own [`AudioSeparator::sample_rate`].
pub const MODEL_CHANNELS: usize = 2;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotInfo {
    pub name: String,
    pub description: String,
}

impl SlotInfo {
    pub fn new(name: impl Into<String>, description: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            description: description.into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SeparationError {
    #[error(transparent)]
    Audio(#[from] AudioError),
    #[error("model {model}: {reason}")]
    Model { model: String, reason: String },
    #[error("separation cancelled")]
    Cancelled,
}

/// Models take stereo at their own rate; anything else is a wiring bug upstream.
/// Backends call this first in [`AudioSeparator::separate`].
pub fn check_model_input(
    model: &str,
    input: &dyn AudioSource,
    rate: u32,
) -> Result<(), SeparationError> {
    if input.channels() != MODEL_CHANNELS || input.sample_rate() != rate {
        return Err(SeparationError::Model {
            model: model.to_string(),
            reason: format!(
                "expects {MODEL_CHANNELS} channels at {rate} Hz, got {} at {} Hz",
                input.channels(),
                input.sample_rate()
            ),
        });
    }
    Ok(())
}

/// Progress and cancellation seen by a running separation.
pub trait SeparationProgress: Sync {
    /// `fraction` in 0..=1 of this model's work.
    fn set_fraction(&self, fraction: f32);
    /// Backends poll this between chunks and return [`SeparationError::Cancelled`].
    fn cancelled(&self) -> bool;
}

/// A no-op progress sink for callers that do not display progress.
pub struct NoProgress;

impl SeparationProgress for NoProgress {
    fn set_fraction(&self, _fraction: f32) {}
    fn cancelled(&self) -> bool {
        false
    }
}

pub trait AudioSeparator: Send {
    /// The stems this model produces, in the order `separate` expects its outputs.
    fn output_slots(&self) -> &[SlotInfo];
    /// The sample rate the model works at; the executor resamples to and from it.
    fn sample_rate(&self) -> u32;
    /// Streams `input` (stereo, `sample_rate()`) through the model, writing one stereo
    /// stream per slot into `outputs` (same order as `output_slots`). Every output must
    /// receive exactly as many frames as the input had.
    fn separate(
        &mut self,
        input: &mut dyn AudioSource,
        outputs: &mut [&mut dyn AudioSink],
        progress: &dyn SeparationProgress,
    ) -> Result<(), SeparationError>;
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BuildError(pub String);

pub type BuildFn = fn(&BackendSettings, &ModelSpec) -> Result<Box<dyn AudioSeparator>, BuildError>;

/// What a backend crate registers.
pub struct BackendRegistration {
    pub name: &'static str,
    pub description: &'static str,
    /// Architectures (`ModelSpec::architecture`) this backend can run.
    pub architectures: &'static [&'static str],
    /// Slots a model of the given architecture produces, when the backend knows them
    /// without opening the file (used to validate the catalog at load time).
    pub slots_for: fn(&str) -> Option<Vec<SlotInfo>>,
    pub build: BuildFn,
}

inventory::collect!(BackendRegistration);

/// The backends linked into this binary.
pub struct Backends;

impl Backends {
    pub fn registered() -> Vec<&'static BackendRegistration> {
        let mut all: Vec<_> = inventory::iter::<BackendRegistration>.into_iter().collect();
        all.sort_by_key(|b| b.name);
        all
    }

    pub fn find(name: &str) -> Option<&'static BackendRegistration> {
        inventory::iter::<BackendRegistration>
            .into_iter()
            .find(|b| b.name == name)
    }

    pub fn names() -> Vec<&'static str> {
        Self::registered().iter().map(|b| b.name).collect()
    }
}

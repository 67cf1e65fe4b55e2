//! The plugin interface: a backend crate implements [`AudioSeparator`] and submits a
//! [`BackendRegistration`] with `inventory::submit!`; core finds it by name at run time.

use crate::audio::{AudioError, AudioSink, AudioSource};
use crate::settings::{BackendSettings, ModelSpec};
pub use crate::stems::SlotInfo;

/// Models receive and produce stereo audio at their own [`AudioSeparator::sample_rate`].
pub const MODEL_CHANNELS: usize = 2;

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
/// [`run_separator`] checks it before every separation.
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
    /// Where the model runs, `cpu` or `cuda:N`: shown by `stemset process` and kept in
    /// metadata.json per model run. A backend that can run elsewhere says so.
    fn device(&self) -> String {
        "cpu".to_string()
    }
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BuildError(pub String);

/// Builds one model of an architecture; the message is wrapped with the model's name.
pub type BuildFn = fn(&BackendSettings, &ModelSpec) -> Result<Box<dyn AudioSeparator>, String>;

/// One model architecture a backend runs (`architecture = "..."` in the catalog).
pub struct Architecture {
    pub name: &'static str,
    /// One line for `stemset backends`.
    pub description: &'static str,
    /// (slot, description) that every model of this architecture produces. Empty when the
    /// slots depend on the model file: the catalog then lists them, and `build` checks
    /// them against the file.
    pub slots: &'static [(&'static str, &'static str)],
    pub build: BuildFn,
}

impl Architecture {
    /// The slots known without the model file, if any.
    pub fn known_slots(&self) -> Option<Vec<SlotInfo>> {
        (!self.slots.is_empty()).then(|| SlotInfo::list(self.slots))
    }
}

/// What a backend crate registers: one entry per architecture it runs.
pub struct BackendRegistration {
    pub name: &'static str,
    pub description: &'static str,
    pub architectures: &'static [Architecture],
    /// Finds and starts the runtime and says which devices work (`stemset doctor`, the
    /// worker's `/info`); [`crate::diagnosis::built_in`] for a backend with none.
    pub diagnose: crate::diagnosis::DiagnoseFn,
}

impl BackendRegistration {
    pub fn architecture(&self, name: &str) -> Option<&'static Architecture> {
        self.architectures.iter().find(|a| a.name == name)
    }

    pub fn architecture_names(&self) -> Vec<&'static str> {
        self.architectures.iter().map(|a| a.name).collect()
    }

    /// Builds the model of a catalog entry; errors name the model.
    pub fn build(
        &self,
        settings: &BackendSettings,
        spec: &ModelSpec,
    ) -> Result<Box<dyn AudioSeparator>, BuildError> {
        let err = |e: String| BuildError(format!("model \"{}\": {e}", spec.name));
        let arch = self.architecture(&spec.architecture).ok_or_else(|| {
            err(format!(
                "backend \"{}\" cannot run architecture \"{}\"; valid: {}",
                self.name,
                spec.architecture,
                self.architecture_names().join(", ")
            ))
        })?;
        (arch.build)(settings, spec).map_err(err)
    }
}

/// Runs `model` over `input` into `outputs` after the checks every backend relies on:
/// stereo input at the model's rate, one output per slot. The executor calls this, so a
/// backend's `separate` can trust its arguments.
pub fn run_separator(
    model: &mut dyn AudioSeparator,
    name: &str,
    input: &mut dyn AudioSource,
    outputs: &mut [&mut dyn AudioSink],
    progress: &dyn SeparationProgress,
) -> Result<(), SeparationError> {
    check_model_input(name, input, model.sample_rate())?;
    let slots = model.output_slots().len();
    if outputs.len() != slots {
        return Err(SeparationError::Model {
            model: name.to_string(),
            reason: format!("{} outputs for {slots} slots", outputs.len()),
        });
    }
    model.separate(input, outputs, progress)
}

inventory::collect!(BackendRegistration);

/// How to get a backend this binary was built without (a binary registers these for its
/// optional backends), shown when the catalog names one.
pub struct BackendHint {
    pub name: &'static str,
    pub hint: &'static str,
}

inventory::collect!(BackendHint);

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

    /// How to get the backend `name` when it is not in this build, if the binary knows.
    pub fn hint(name: &str) -> Option<&'static str> {
        inventory::iter::<BackendHint>
            .into_iter()
            .find(|h| h.name == name)
            .map(|h| h.hint)
    }

    pub fn names() -> Vec<&'static str> {
        Self::registered().iter().map(|b| b.name).collect()
    }
}

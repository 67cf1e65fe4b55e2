//! Adapts a spectral mask model to the `AudioSeparator` plugin interface.

use stemset_core::audio::{AudioSink, AudioSource};
use stemset_core::dsp::stft::{self, SpectralProcessor, StftParams};
use stemset_core::separator::{
    AudioSeparator, SeparationError, SeparationProgress, SlotInfo, check_model_input,
};

use crate::DSP_RATE;

/// A mask model: its STFT geometry plus the per-frame processor.
pub trait MaskModel: SpectralProcessor + Send {
    fn stft(&self) -> StftParams;
}

pub struct SpectralSeparator<M> {
    /// The catalog name, for error messages.
    name: String,
    slots: Vec<SlotInfo>,
    model: M,
}

impl<M: MaskModel> SpectralSeparator<M> {
    pub fn new(name: &str, slots: Vec<SlotInfo>, model: M) -> Self {
        Self {
            name: name.to_string(),
            slots,
            model,
        }
    }
}

impl<M: MaskModel> AudioSeparator for SpectralSeparator<M> {
    fn output_slots(&self) -> &[SlotInfo] {
        &self.slots
    }

    fn sample_rate(&self) -> u32 {
        DSP_RATE
    }

    fn separate(
        &mut self,
        input: &mut dyn AudioSource,
        outputs: &mut [&mut dyn AudioSink],
        progress: &dyn SeparationProgress,
    ) -> Result<(), SeparationError> {
        check_model_input(&self.name, input, DSP_RATE)?;
        if outputs.len() != self.slots.len() {
            return Err(SeparationError::Model {
                model: self.name.clone(),
                reason: format!("{} outputs for {} slots", outputs.len(), self.slots.len()),
            });
        }
        stft::run(self.model.stft(), input, outputs, &mut self.model, progress)
    }
}

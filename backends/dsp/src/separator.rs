//! Adapts a spectral mask model to the `AudioSeparator` plugin interface.

use stemset_sdk::audio::{AudioSink, AudioSource};
use stemset_sdk::separator::{AudioSeparator, SeparationError, SeparationProgress, SlotInfo};
use stemset_sdk::stft::{self, SpectralProcessor, StftParams};

use crate::DSP_RATE;

/// A mask model: its STFT geometry plus the per-frame processor.
pub trait MaskModel: SpectralProcessor + Send {
    fn stft(&self) -> StftParams;
}

pub struct SpectralSeparator<M> {
    slots: Vec<SlotInfo>,
    model: M,
}

impl<M: MaskModel> SpectralSeparator<M> {
    pub fn new(slots: Vec<SlotInfo>, model: M) -> Self {
        Self { slots, model }
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
        // Stereo at DSP_RATE, one output per slot: checked by the executor.
        stft::run(self.model.stft(), input, outputs, &mut self.model, progress)
    }
}

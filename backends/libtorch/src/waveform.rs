//! A traced MDX23C / Roformer export with the waveform contract (spec §3.7.1):
//! `mix [B, 2, C] → [B, S, 2, C]`, or `[B, 2, C]` for a single-target model. The
//! chunking is the SDK's `families::waveform`.

use stemset_sdk::chunking::waveform::WindowModel;

use crate::module::{ModuleError, TorchModule};

pub struct WaveformTorch {
    module: TorchModule,
    chunk: usize,
    outputs: usize,
}

impl WaveformTorch {
    /// Runs the module once on a silent window of `chunk` samples to check its
    /// signature and learn how many stems it outputs.
    pub fn new(module: TorchModule, chunk: usize) -> Result<Self, ModuleError> {
        let c = chunk as i64;
        let expected = format!(
            "expected forward(mix [B, 2, {c}]) → [B, S, 2, {c}] or [B, 2, {c}] (the window \
             length comes from the model's YAML, or params.chunk)"
        );
        let shape = module.probe(chunk, &expected)?;
        let outputs = match shape.as_slice() {
            [1, 2, l] if *l == c => 1,
            [1, s, 2, l] if *s > 0 && *l == c => *s as usize,
            _ => return Err(module.signature_error(format!("it returns {shape:?}; {expected}"))),
        };
        Ok(Self {
            module,
            chunk,
            outputs,
        })
    }
}

impl WindowModel for WaveformTorch {
    fn device(&self) -> String {
        self.module.device()
    }

    fn chunk(&self) -> usize {
        self.chunk
    }

    fn outputs(&self) -> usize {
        self.outputs
    }

    fn run(&mut self, windows: &[f32], batch: usize, out: &mut [f32]) -> Result<(), String> {
        let shape = [batch as i64, 2, self.chunk as i64];
        let (got, values) = self
            .module
            .forward(windows, &shape)
            .map_err(|e| match batch {
                1 => e.to_string(),
                _ => format!("{e} (with batch_size {batch}; try params.batch_size = 1)"),
            })?;
        if values.len() != out.len() {
            return Err(format!(
                "output {got:?} has {} values, expected {} for a batch of {batch}",
                values.len(),
                out.len()
            ));
        }
        out.copy_from_slice(&values);
        Ok(())
    }
}

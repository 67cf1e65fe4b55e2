//! A traced whole-HTDemucs forward (spec §2.6 C): `mix [1, 2, SEG] → [1, S, 2, SEG]`,
//! with SEG baked into the trace (343 980 for HTDemucs v4 unless `params.segment` says
//! otherwise). Chunking, normalisation, shifts and bags are the SDK's `families::demucs`.

use stemset_sdk::chunking::demucs::SegmentModel;

use crate::module::{ModuleError, TorchModule};

pub struct DemucsTorch {
    module: TorchModule,
    segment: usize,
    sources: usize,
}

impl DemucsTorch {
    /// Loads the module and runs it once on silence to learn and check its signature.
    pub fn new(module: TorchModule, segment: usize) -> Result<Self, ModuleError> {
        let seg = segment as i64;
        let expected = format!(
            "expected forward(mix [1, 2, {seg}]) → [1, S, 2, {seg}] (a traced HTDemucs; set \
             params.segment if it was traced with another length)"
        );
        let shape = module.probe(segment, &expected)?;
        let sources = match shape.as_slice() {
            [1, s, 2, l] if *s > 0 && *l == seg => *s as usize,
            _ => return Err(module.signature_error(format!("it returns {shape:?}; {expected}"))),
        };
        Ok(Self {
            module,
            segment,
            sources,
        })
    }
}

impl SegmentModel for DemucsTorch {
    fn device(&self) -> String {
        self.module.device()
    }

    fn segment(&self) -> usize {
        self.segment
    }

    fn sources(&self) -> usize {
        self.sources
    }

    fn run(&mut self, window: &[f32], out: &mut [f32]) -> Result<(), String> {
        let (_, values) = self
            .module
            .forward(window, &[1, 2, self.segment as i64])
            .map_err(|e| e.to_string())?;
        if values.len() != out.len() {
            return Err(format!(
                "output has {} values, expected {}",
                values.len(),
                out.len()
            ));
        }
        out.copy_from_slice(&values);
        Ok(())
    }
}

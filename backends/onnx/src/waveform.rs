//! MDX23C / Roformer ONNX exports with the waveform contract (spec §3.7.1): one input
//! `[B, 2, C]`, one output `[B, S, 2, C]` or `[B, 2, C]`, bound by position; C and S are
//! read from the graph (a dynamic C takes the config's chunk). The chunking is the SDK's
//! `families::waveform`, shared with the TorchScript backend.

use stemset_sdk::chunking::waveform::WindowModel;

use crate::session::{OnnxModel, shape_text};

pub struct WaveformOnnx {
    model: OnnxModel,
    chunk: usize,
    outputs: usize,
    /// Whether the graph takes any batch size (else 1).
    dynamic_batch: bool,
}

impl WaveformOnnx {
    /// `chunk` is the config's window length; a graph with a fixed length must match it.
    pub fn new(model: OnnxModel, chunk: usize) -> Result<Self, String> {
        let file = model.path.display().to_string();
        let c = chunk as i64;
        let expected =
            format!("expected one input [B, 2, {c}] and one output [B, S, 2, {c}] or [B, 2, {c}]");
        let (input, output) = match (model.inputs.as_slice(), model.outputs.as_slice()) {
            ([i], [o]) => (i, o),
            _ => {
                return Err(format!(
                    "{file}: {} inputs and {} outputs; {expected}",
                    model.inputs.len(),
                    model.outputs.len()
                ));
            }
        };
        let len_ok = |d: i64| d == c || d < 0;
        if input.shape.len() != 3 || input.shape[1] != 2 || !len_ok(input.shape[2]) {
            return Err(format!("{file}: input is {input}; {expected}"));
        }
        let outputs = match output.shape.as_slice() {
            [_, 2, l] if len_ok(*l) => 1,
            [_, s, 2, l] if *s > 0 && len_ok(*l) => *s as usize,
            _ => return Err(format!("{file}: output is {output}; {expected}")),
        };
        let dynamic_batch = input.shape[0] < 0;
        if !dynamic_batch && input.shape[0] != 1 {
            return Err(format!(
                "{file}: batch dimension {} (expected 1 or dynamic)",
                shape_text(&input.shape[..1])
            ));
        }
        Ok(Self {
            model,
            chunk,
            outputs,
            dynamic_batch,
        })
    }
}

impl WindowModel for WaveformOnnx {
    fn device(&self) -> String {
        self.model.device.to_string()
    }

    fn chunk(&self) -> usize {
        self.chunk
    }

    fn outputs(&self) -> usize {
        self.outputs
    }

    fn run(&mut self, windows: &[f32], batch: usize, out: &mut [f32]) -> Result<(), String> {
        let window = 2 * self.chunk;
        // A graph fixed to batch 1 runs the windows one by one.
        let step = if self.dynamic_batch { batch } else { 1 };
        let per_window = out.len() / batch.max(1);
        for (i, group) in windows.chunks(step * window).enumerate() {
            let n = group.len() / window;
            let shape = [n as i64, 2, self.chunk as i64];
            let mut res = self.model.run(&[(&shape, group)])?;
            let (_, data) = res.swap_remove(0);
            let dst = &mut out[i * step * per_window..(i * step + n) * per_window];
            if data.len() != dst.len() {
                return Err(format!(
                    "output has {} values, expected {}",
                    data.len(),
                    dst.len()
                ));
            }
            dst.copy_from_slice(&data);
        }
        Ok(())
    }
}

//! HTDemucs exported to ONNX, in the two styles users find (spec §2.6):
//! - "whole" (PyPI demucs-onnx): `mix [1, 2, SEG]` → `stems [1, S, 2, SEG]`, STFT inside;
//! - "core" (sevagh/demucs.onnx): `(input [1, 2, SEG], x [1, 4, 2048, le])` →
//!   `(spectral [1, S, 4, 2048, le] or [1, S·4, 2048, le], time [1, S, 2, SEG])`, with the
//!   STFT outside: the backend computes the spectrogram and adds the inverse of the
//!   spectral branch to the time branch.
//!
//! Inputs and outputs are bound by position. The chunking, track normalisation and shifts
//! are the SDK's `families::demucs` (bags, names, `apply_model`), shared with the
//! TorchScript backend.

pub mod checkpoint;
pub mod convert;
pub mod htdemucs_graph;
pub mod spec;

use stemset_sdk::chunking::demucs::SegmentModel;

use crate::session::{OnnxModel, TensorSig, shape_text};
use spec::{HT_BINS, HtSpectrogram};

enum Style {
    Whole,
    /// STFT outside the graph: the backend computes the spectrogram of each window.
    Core {
        spec: Box<HtSpectrogram>,
    },
}

/// One ONNX export run window by window.
pub struct DemucsOnnx {
    model: OnnxModel,
    style: Style,
    segment: usize,
    sources: usize,
    packed: Vec<f32>,
}

const EXPECTED: &str = "either one input [1, 2, SEG] → one output [1, S, 2, SEG] (demucs-onnx), \
     or inputs [1, 2, SEG] + [1, 4, 2048, ⌈SEG/1024⌉] → outputs [1, S, 4, 2048, ⌈SEG/1024⌉] \
     (or [1, S·4, 2048, ⌈SEG/1024⌉]) + [1, S, 2, SEG] (sevagh/demucs.onnx)";

fn describe(sigs: &[TensorSig]) -> String {
    sigs.iter()
        .map(|s| s.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

impl DemucsOnnx {
    pub fn new(model: OnnxModel) -> Result<Self, String> {
        let file = model.path.display().to_string();
        let bad = || {
            format!(
                "{file}: not an HTDemucs export: inputs {}, outputs {}; expected {EXPECTED}",
                describe(&model.inputs),
                describe(&model.outputs)
            )
        };
        let ins = &model.inputs;
        let outs = &model.outputs;
        let wave = ins.first().ok_or_else(bad)?;
        if wave.shape.len() != 3 || wave.shape[1] != 2 || wave.shape[2] <= 0 {
            return Err(bad());
        }
        if wave.shape[0] > 1 {
            return Err(format!(
                "{file}: batch dimension {} (expected 1)",
                wave.shape[0]
            ));
        }
        let segment = wave.shape[2] as usize;
        let time_out = outs.last().ok_or_else(bad)?;
        let sources_of = |sig: &TensorSig| -> Option<usize> {
            (sig.shape.len() == 4
                && sig.shape[2] == 2
                && sig.shape[3] == segment as i64
                && sig.shape[1] > 0)
                .then_some(sig.shape[1] as usize)
        };
        let sources = sources_of(time_out).ok_or_else(bad)?;
        let style = match (ins.len(), outs.len()) {
            (1, 1) => Style::Whole,
            (2, 2) => {
                if segment <= 1600 {
                    return Err(format!(
                        "{file}: segment of {segment} samples is too short for HTDemucs' spectrogram"
                    ));
                }
                let spec = HtSpectrogram::new(segment);
                let le = spec.frames() as i64;
                let bins = HT_BINS as i64;
                if ins[1].shape != [1, 4, bins, le] && ins[1].shape != [-1, 4, bins, le] {
                    return Err(format!(
                        "{file}: second input is {} but a window of {segment} samples has a spectrogram [1, 4, {bins}, {le}]; expected {EXPECTED}",
                        ins[1]
                    ));
                }
                let s = sources as i64;
                let spectral = &outs[0].shape;
                let ok5 = spectral.len() == 5 && spectral[1..] == [s, 4, bins, le];
                let ok4 = spectral.len() == 4 && spectral[1..] == [s * 4, bins, le];
                if !(ok5 || ok4) {
                    return Err(format!(
                        "{file}: spectral output is {} but expected {} or {}",
                        outs[0],
                        shape_text(&[1, s, 4, bins, le]),
                        shape_text(&[1, s * 4, bins, le])
                    ));
                }
                Style::Core {
                    spec: Box::new(spec),
                }
            }
            _ => return Err(bad()),
        };
        let packed = match &style {
            Style::Core { spec } => vec![0.0; spec.packed_len()],
            Style::Whole => Vec::new(),
        };
        Ok(Self {
            model,
            style,
            segment,
            sources,
            packed,
        })
    }
}

impl SegmentModel for DemucsOnnx {
    fn device(&self) -> String {
        self.model.device.to_string()
    }

    fn segment(&self) -> usize {
        self.segment
    }

    fn sources(&self) -> usize {
        self.sources
    }

    fn run(&mut self, window: &[f32], out: &mut [f32]) -> Result<(), String> {
        let seg = self.segment as i64;
        let wave_shape = [1, 2, seg];
        let expect_len = self.sources * 2 * self.segment;
        match &mut self.style {
            Style::Whole => {
                let mut res = self.model.run(&[(&wave_shape, window)])?;
                let (_, data) = res.swap_remove(0);
                if data.len() != expect_len {
                    return Err(format!(
                        "output has {} values, expected {expect_len}",
                        data.len()
                    ));
                }
                out.copy_from_slice(&data);
            }
            Style::Core { spec } => {
                spec.forward(window, &mut self.packed);
                let spec_shape = [1, 4, HT_BINS as i64, spec.frames() as i64];
                let mut res = self
                    .model
                    .run(&[(&wave_shape, window), (&spec_shape, &self.packed)])?;
                let (_, time) = res.pop().ok_or("missing time output")?;
                let (_, spectral) = res.pop().ok_or("missing spectral output")?;
                let per_source = spec.packed_len();
                if time.len() != expect_len || spectral.len() != per_source * self.sources {
                    return Err(format!(
                        "outputs have {} and {} values, expected {} and {expect_len}",
                        spectral.len(),
                        time.len(),
                        per_source * self.sources
                    ));
                }
                out.copy_from_slice(&time);
                let stem_len = 2 * self.segment;
                for s in 0..self.sources {
                    spec.inverse_add(
                        &spectral[s * per_source..(s + 1) * per_source],
                        &mut out[s * stem_len..(s + 1) * stem_len],
                    );
                }
            }
        }
        Ok(())
    }
}

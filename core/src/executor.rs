//! Runs a strategy tree over an input WAV: each node's model separates its input into
//! slot WAVs (lossless f32 intermediates in a temp dir); a slot either becomes a final
//! stem or the input of a subtree. Intermediates are deleted as soon as they are used.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::catalog::Plugins;
use crate::error::Error;
use crate::progress::{PipelineProgress, Stage};
use crate::strategy::{SlotTarget, StrategyNode};
use stemset_audio::resample::Resampled;
use stemset_audio::wav::{WavSampleFormat, WavSink, WavSource};
use stemset_audio::{AudioError, AudioSink, AudioSource};
use stemset_sdk::separator::{
    Backends, MODEL_CHANNELS, SeparationError, SeparationProgress, run_separator,
};

struct ModelProgress<'a>(&'a dyn PipelineProgress);

impl SeparationProgress for ModelProgress<'_> {
    fn set_fraction(&self, fraction: f32) {
        self.0.fraction(fraction);
    }
    fn cancelled(&self) -> bool {
        self.0.cancelled()
    }
}

/// Swallows a slot the strategy does not use.
struct Discard;

impl AudioSink for Discard {
    fn write(&mut self, _interleaved: &[f32]) -> Result<(), AudioError> {
        Ok(())
    }
    fn finish(&mut self) -> Result<(), AudioError> {
        Ok(())
    }
}

pub struct Executor<'a> {
    pub plugins: &'a Plugins,
    /// Scratch folder for intermediates; owned (and removed) by the caller.
    pub scratch: &'a Path,
    pub progress: &'a dyn PipelineProgress,
}

impl Executor<'_> {
    /// Runs `tree` on `input` (a WAV); returns final stem name → WAV path, in tree order.
    pub fn run(&self, tree: &StrategyNode, input: &Path) -> Result<Vec<(String, PathBuf)>, Error> {
        let total = tree.node_count();
        let mut done = 0;
        let mut stems = Vec::new();
        self.run_node(tree, input, "root", total, &mut done, &mut stems)?;
        Ok(stems)
    }

    fn run_node(
        &self,
        node: &StrategyNode,
        input: &Path,
        id: &str,
        total: usize,
        done: &mut usize,
        stems: &mut Vec<(String, PathBuf)>,
    ) -> Result<(), Error> {
        let spec = self.plugins.models.get(&node.model).ok_or_else(|| {
            Error::Other(format!("model \"{}\" is not in the catalog", node.model))
        })?;
        let reg = Backends::find(&spec.backend).ok_or_else(|| {
            Error::Other(format!(
                "model \"{}\" needs backend \"{}\", which this build does not include",
                node.model, spec.backend
            ))
        })?;
        let settings = self.plugins.backend_settings(&spec.backend);
        let mut model = reg
            .build(&settings, spec)
            .map_err(|e| SeparationError::Model {
                model: node.model.clone(),
                reason: e.0,
            })?;
        *done += 1;
        self.progress.stage(Stage::Model {
            name: node.model.clone(),
            index: *done,
            count: total,
        });

        let slots = model.output_slots().to_vec();
        for (slot, _) in &node.outputs {
            if !slots.iter().any(|s| &s.name == slot) {
                return Err(Error::Other(format!(
                    "model \"{}\" did not offer slot \"{slot}\" at run time (offers: {})",
                    node.model,
                    slots
                        .iter()
                        .map(|s| s.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
        }

        let mut source: Box<dyn AudioSource> = Box::new(WavSource::open(input)?);
        if source.channels() != MODEL_CHANNELS {
            return Err(Error::Other(format!(
                "intermediate {} has {} channels, models take {MODEL_CHANNELS}",
                input.display(),
                source.channels()
            )));
        }
        if source.sample_rate() != model.sample_rate() {
            source = Box::new(Resampled::new(source, model.sample_rate())?);
        }

        // One sink per model slot, in the model's order; unused slots are discarded.
        let mut paths: BTreeMap<String, PathBuf> = BTreeMap::new();
        let mut sinks: Vec<Box<dyn AudioSink>> = Vec::with_capacity(slots.len());
        for slot in &slots {
            if node.outputs.iter().any(|(s, _)| s == &slot.name) {
                let path = self.scratch.join(format!("{id}.{}.wav", slot.name));
                sinks.push(Box::new(WavSink::create(
                    &path,
                    model.sample_rate(),
                    MODEL_CHANNELS,
                    WavSampleFormat::Float32,
                )?));
                paths.insert(slot.name.clone(), path);
            } else {
                sinks.push(Box::new(Discard));
            }
        }
        {
            let mut refs: Vec<&mut dyn AudioSink> = sinks
                .iter_mut()
                .map(|s| s.as_mut() as &mut dyn AudioSink)
                .collect();
            run_separator(
                model.as_mut(),
                &node.model,
                source.as_mut(),
                &mut refs,
                &ModelProgress(self.progress),
            )?;
            for s in refs.iter_mut() {
                s.finish()?;
            }
        }
        drop(sinks);
        drop(source);

        for (slot, target) in &node.outputs {
            let Some(path) = paths.remove(slot) else {
                continue;
            };
            match target {
                SlotTarget::Stem(name) => stems.push((name.clone(), path)),
                SlotTarget::Node(child) => {
                    self.run_node(child, &path, &format!("{id}.{slot}"), total, done, stems)?;
                    // The subtree consumed this intermediate.
                    let _ = std::fs::remove_file(&path);
                }
            }
        }
        Ok(())
    }
}

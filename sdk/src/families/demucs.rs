//! HTDemucs (spec §2): params, source names, bags of models and the separator around
//! `chunking::demucs::apply_model`. The ONNX and TorchScript backends share all of it and only
//! open their files as [`SegmentModel`]s.

use std::path::{Path, PathBuf};

use crate::audio::spool::SpooledAudio;
use crate::audio::{AudioSink, AudioSource};
use crate::chunking::demucs::{DemucsOptions, SegmentModel, apply_model};
use crate::params::Params;
use crate::separator::{AudioSeparator, SeparationError, SeparationProgress, SlotInfo};
use crate::settings::ModelSpec;
use crate::stems::slot_name;

pub const DEMUCS_RATE: u32 = 44_100;

/// Source names of the Demucs v4 models, in model order.
pub const SOURCES_4: [&str; 4] = ["drums", "bass", "other", "vocals"];
pub const SOURCES_6: [&str; 6] = ["drums", "bass", "other", "vocals", "guitar", "piano"];

/// HTDemucs v4's training segment, 7.8 s at 44.1 kHz (spec §2.1): the window length of
/// exports unless they say otherwise.
pub const HTDEMUCS_SEGMENT: usize = 343_980;

pub type BoxedSegmentModel = Box<dyn SegmentModel + Send>;

/// The chunking options of a catalog entry's params (`overlap`, `shifts`, `seed`,
/// `transition_power`).
pub fn options_from(p: &mut Params<'_>) -> Result<DemucsOptions, String> {
    Ok(DemucsOptions {
        overlap: p.float("overlap", 0.25, 0.0..=0.99)? as f32,
        shifts: p.int("shifts", 0, 0..=20)? as usize,
        seed: p.int("seed", 0, 0..=i64::MAX)? as u64,
        transition_power: p.float("transition_power", 1.0, 0.01..=16.0)? as f32,
    })
}

/// Builds the separator of a `demucs` catalog entry. `p` holds the entry's params (the
/// backend has taken its own keys already); `open` loads one model file in the
/// backend's runtime: the entry's file, then each file of `params.bag` (relative to it).
pub fn build(
    spec: &ModelSpec,
    mut p: Params<'_>,
    mut open: impl FnMut(&Path) -> Result<BoxedSegmentModel, String>,
) -> Result<Box<dyn AudioSeparator>, String> {
    let file = spec.model_file()?;
    let options = options_from(&mut p)?;
    let names = p.opt_string_list("sources")?;
    let bag = p.opt_string_list("bag")?.unwrap_or_default();
    let weights = p.opt_float_list("weights")?;
    p.finish()?;

    let first = open(&file)?;
    let sources = first.sources();
    let names: Vec<String> = match names {
        Some(n) if n.len() == sources => n,
        Some(n) => {
            return Err(format!(
                "params.sources lists {} names but {} has {sources} sources",
                n.len(),
                file.display()
            ));
        }
        None if sources == 4 => SOURCES_4.iter().map(|s| s.to_string()).collect(),
        None if sources == 6 => SOURCES_6.iter().map(|s| s.to_string()).collect(),
        None => {
            return Err(format!(
                "{} has {sources} sources; name them with params.sources = [...]",
                file.display()
            ));
        }
    };
    let model: BoxedSegmentModel = if bag.is_empty() {
        if weights.is_some() {
            return Err("params.weights needs params.bag (the other models of the bag)".into());
        }
        first
    } else {
        let dir = file.parent().unwrap_or(Path::new("."));
        let mut models = vec![(file.clone(), first)];
        for other in &bag {
            let path = dir.join(other);
            let model = open(&path)?;
            models.push((path, model));
        }
        let count = models.len();
        let rows = match weights {
            None => vec![vec![1.0f32; sources]; count],
            Some(flat) if flat.len() == count * sources => flat
                .chunks(sources)
                .map(|r| r.iter().map(|&w| w as f32).collect())
                .collect(),
            Some(flat) => {
                return Err(format!(
                    "params.weights has {} numbers; a bag of {count} models with {sources} sources needs {} (row per model)",
                    flat.len(),
                    count * sources
                ));
            }
        };
        Box::new(Bag::new(models, rows)?)
    };
    let produced: Vec<SlotInfo> = names
        .iter()
        .map(|n| SlotInfo::new(slot_name(n), format!("Demucs source \"{n}\"")))
        .collect();
    spec.check_slots(&produced)?;
    Ok(Box::new(DemucsSeparator::new(
        &spec.name, model, options, produced,
    )))
}

/// A bag of models (e.g. the four htdemucs_ft specialists): every model runs on each
/// window, and source k is Σ_m w[m][k]·out_m[k] / Σ_m w[m][k] (spec §2.3 step 1).
pub struct Bag {
    models: Vec<BoxedSegmentModel>,
    /// `[model][source]`
    weights: Vec<Vec<f32>>,
    scratch: Vec<f32>,
}

impl Bag {
    /// `models` are named by their files, for error messages.
    pub fn new(
        models: Vec<(PathBuf, BoxedSegmentModel)>,
        weights: Vec<Vec<f32>>,
    ) -> Result<Self, String> {
        let (_, first) = models.first().ok_or("a bag needs at least one model")?;
        let (seg, sources) = (first.segment(), first.sources());
        for (path, m) in &models {
            if m.segment() != seg || m.sources() != sources {
                return Err(format!(
                    "{}: segment {} and {} sources differ from the bag's first model ({seg}, {sources})",
                    path.display(),
                    m.segment(),
                    m.sources()
                ));
            }
        }
        if weights.len() != models.len() || weights.iter().any(|w| w.len() != sources) {
            return Err(format!(
                "params.weights must have one row of {sources} numbers per model ({} models)",
                models.len()
            ));
        }
        for k in 0..sources {
            if weights.iter().map(|w| w[k]).sum::<f32>() <= 0.0 {
                return Err(format!("params.weights: source {k} has no positive weight"));
            }
        }
        Ok(Self {
            scratch: vec![0.0; sources * 2 * seg],
            models: models.into_iter().map(|(_, m)| m).collect(),
            weights,
        })
    }
}

impl SegmentModel for Bag {
    fn segment(&self) -> usize {
        self.models[0].segment()
    }
    fn sources(&self) -> usize {
        self.models[0].sources()
    }
    fn run(&mut self, window: &[f32], out: &mut [f32]) -> Result<(), String> {
        let stem_len = 2 * self.segment();
        out.fill(0.0);
        let mut totals = vec![0.0f32; self.sources()];
        for (m, w) in self.models.iter_mut().zip(&self.weights) {
            if w.iter().all(|&x| x == 0.0) {
                continue;
            }
            m.run(window, &mut self.scratch)?;
            for (k, &wk) in w.iter().enumerate() {
                if wk == 0.0 {
                    continue;
                }
                totals[k] += wk;
                for (o, s) in out[k * stem_len..(k + 1) * stem_len]
                    .iter_mut()
                    .zip(&self.scratch[k * stem_len..(k + 1) * stem_len])
                {
                    *o += wk * s;
                }
            }
        }
        for (k, t) in totals.iter().enumerate() {
            for o in &mut out[k * stem_len..(k + 1) * stem_len] {
                *o /= t;
            }
        }
        Ok(())
    }
}

/// A Demucs model (or bag) as an [`AudioSeparator`]: spools the input and runs
/// [`apply_model`].
pub struct DemucsSeparator {
    name: String,
    model: BoxedSegmentModel,
    options: DemucsOptions,
    slots: Vec<SlotInfo>,
}

impl DemucsSeparator {
    pub fn new(
        name: &str,
        model: BoxedSegmentModel,
        options: DemucsOptions,
        slots: Vec<SlotInfo>,
    ) -> Self {
        Self {
            name: name.to_string(),
            model,
            options,
            slots,
        }
    }
}

impl AudioSeparator for DemucsSeparator {
    fn output_slots(&self) -> &[SlotInfo] {
        &self.slots
    }

    fn device(&self) -> String {
        self.model.device()
    }

    fn sample_rate(&self) -> u32 {
        DEMUCS_RATE
    }

    fn separate(
        &mut self,
        input: &mut dyn AudioSource,
        outputs: &mut [&mut dyn AudioSink],
        progress: &dyn SeparationProgress,
    ) -> Result<(), SeparationError> {
        // Stereo at the model's rate, one output per slot: checked by the executor.
        let spool = SpooledAudio::spool(input)?;
        apply_model(
            &self.name,
            self.model.as_mut(),
            &spool,
            &self.options,
            outputs,
            progress,
        )
    }
}

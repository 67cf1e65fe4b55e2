//! Runs a strategy tree over an input stream. Every node's model runs on a thread of its
//! own, and every slot the tree uses flows through a bounded pipe
//! ([`stemset_audio::pipe`]) into the node below it or into the stem's consumer (the
//! encoder, in a normal run). Nothing of the tree is written to disk and memory does not
//! grow with the length of the recording: a 2-hour night needs no scratch for its
//! intermediates, where full-length f32 WAVs of each slot used to need about 2.8 GB each.

use crate::catalog::Plugins;
use crate::error::Error;
use crate::metadata::ModelRun;
use crate::progress::{PipelineProgress, Stage};
use crate::strategy::{SlotTarget, StrategyNode};
use stemset_audio::pipe::pipe;
use stemset_audio::resample::Resampled;
use stemset_audio::{AudioError, AudioSink, AudioSource};
use stemset_sdk::separator::{
    AudioSeparator, Backends, MODEL_CHANNELS, SeparationError, SeparationProgress, run_separator,
};

/// Blocks (of up to `CHUNK_FRAMES` frames, about 1.5 s) a pipe between two stages holds:
/// enough to keep both busy, little enough to keep memory flat.
pub const PIPE_BLOCKS: usize = 4;

/// What receives a final stem: called on a thread of its own with the stem's stream, at
/// the rate of the model that made it.
pub type StemConsumer<'a, T> = dyn Fn(&str, &mut dyn AudioSource) -> Result<T, Error> + Sync + 'a;

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

/// The progress of a stage running beside the one that reports: every model runs at
/// once (the fraction of the run is how far the tree has read its input, see
/// [`Reporting`]), and so do the decoder and encoders around them; they only get to ask
/// whether the run was cancelled.
pub(crate) struct CancelOnly<'a>(pub(crate) &'a dyn PipelineProgress);

impl SeparationProgress for CancelOnly<'_> {
    fn set_fraction(&self, _fraction: f32) {}
    fn cancelled(&self) -> bool {
        self.0.cancelled()
    }
}

impl PipelineProgress for CancelOnly<'_> {
    fn stage(&self, _stage: Stage) {}
    fn fraction(&self, _fraction: f32) {}
    fn cancelled(&self) -> bool {
        self.0.cancelled()
    }
}

/// The tree's input, reporting how much of it has been read.
struct Reporting<'a> {
    inner: &'a mut dyn AudioSource,
    progress: &'a dyn PipelineProgress,
    done: u64,
}

impl AudioSource for Reporting<'_> {
    fn sample_rate(&self) -> u32 {
        self.inner.sample_rate()
    }
    fn channels(&self) -> usize {
        self.inner.channels()
    }
    fn total_frames(&self) -> Option<u64> {
        self.inner.total_frames()
    }
    fn read(&mut self, buf: &mut [f32]) -> Result<usize, AudioError> {
        let n = self.inner.read(buf)?;
        self.done += n as u64;
        if let Some(total) = self.inner.total_frames().filter(|t| *t > 0) {
            self.progress
                .fraction((self.done as f64 / total as f64).min(1.0) as f32);
        }
        Ok(n)
    }
}

/// A node whose model is built and whose slots are checked against what it offers.
struct Prepared {
    name: String,
    model: Box<dyn AudioSeparator>,
    /// Per model slot, in the model's order.
    routes: Vec<Route>,
}

enum Route {
    Discard,
    /// Index into the run's list of stems.
    Stem(usize),
    Node(Box<Prepared>),
}

type NodeHandle<'scope> = std::thread::ScopedJoinHandle<'scope, Result<(), Error>>;
type StemHandle<'scope, T> = std::thread::ScopedJoinHandle<'scope, Result<T, Error>>;

/// What a run of the tree made: each stem's consumer's result, in tree order, and the
/// models with the device each ran on, depth first.
pub struct TreeRun<T> {
    pub stems: Vec<(String, T)>,
    pub models: Vec<ModelRun>,
}

pub struct Executor<'a> {
    pub plugins: &'a Plugins,
    pub progress: &'a dyn PipelineProgress,
}

impl Executor<'_> {
    /// Runs `tree` on `input` (stereo); each final stem's stream goes to `consume`.
    /// Returns stem name → what `consume` made of it, in tree order. Every model is built
    /// before any audio moves, so a broken model fails the run at once.
    pub fn run<T: Send>(
        &self,
        tree: &StrategyNode,
        input: &mut dyn AudioSource,
        consume: &StemConsumer<'_, T>,
    ) -> Result<TreeRun<T>, Error> {
        if input.channels() != MODEL_CHANNELS {
            return Err(Error::Other(format!(
                "the decoded input has {} channels, models take {MODEL_CHANNELS}",
                input.channels()
            )));
        }
        let mut names = Vec::new();
        let mut models = Vec::new();
        let root = self.prepare(tree, &mut names, &mut models)?;
        self.progress.stage(Stage::Model {
            name: tree.models().join(" + "),
            index: 1,
            count: 1,
        });
        let cancel = CancelOnly(self.progress);
        let total = input.total_frames();
        let mut reporting = Reporting {
            inner: input,
            progress: self.progress,
            done: 0,
        };
        let names = &names;
        let (root_result, node_results, stem_results) = std::thread::scope(|scope| {
            let mut nodes = Vec::new();
            let mut stems = Vec::new();
            let Prepared {
                name,
                mut model,
                routes,
            } = *root;
            let rate = model.sample_rate();
            let mut sinks = wire(
                scope, routes, rate, total, consume, &cancel, names, &mut nodes, &mut stems,
            );
            let root_result = at_rate(Box::new(&mut reporting), rate).and_then(|mut source| {
                separate(&name, model.as_mut(), source.as_mut(), &mut sinks, &cancel)
            });
            // Unfinished pipes tell their readers the stream broke off.
            drop(sinks);
            let node_results: Vec<Result<(), Error>> = nodes.into_iter().map(joined).collect();
            // Stems are returned by index, whatever order their threads started in.
            stems.sort_by_key(|(index, _)| *index);
            let stem_results: Vec<Result<T, Error>> =
                stems.into_iter().map(|(_, h)| joined(h)).collect();
            (root_result, node_results, stem_results)
        });

        // A failure anywhere breaks the pipes around it; report the cause, not the breaks.
        let mut first_break = None;
        let mut outputs = Vec::with_capacity(stem_results.len());
        let failures = std::iter::once(root_result)
            .chain(node_results)
            .filter_map(Result::err);
        let mut cause = None;
        for e in failures {
            if is_pipe_break(&e) {
                first_break.get_or_insert(e);
            } else {
                cause.get_or_insert(e);
            }
        }
        for (name, result) in names.iter().zip(stem_results) {
            match result {
                Ok(made) => outputs.push((name.clone(), made)),
                Err(e) if is_pipe_break(&e) => {
                    first_break.get_or_insert(e);
                }
                Err(e) => {
                    // A stem's own failure (a full disk, say) is what broke the model's pipe.
                    if cause.as_ref().is_none_or(is_cancelled) {
                        cause = Some(e);
                    }
                }
            }
        }
        match cause.or(first_break) {
            Some(e) => Err(e),
            None => Ok(TreeRun {
                stems: outputs,
                models,
            }),
        }
    }

    /// Builds `node`'s model and its subtrees', checking every slot the tree names;
    /// `names` gets the final stems in tree order.
    fn prepare(
        &self,
        node: &StrategyNode,
        names: &mut Vec<String>,
        models: &mut Vec<ModelRun>,
    ) -> Result<Box<Prepared>, Error> {
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
        let model = reg
            .build(&settings, spec)
            .map_err(|e| SeparationError::Model {
                model: node.model.clone(),
                reason: e.0,
            })?;
        models.push(ModelRun {
            model: node.model.clone(),
            device: model.device(),
        });
        let slots = model.output_slots().to_vec();
        if let Some((slot, _)) = node
            .outputs
            .iter()
            .find(|(slot, _)| !slots.iter().any(|s| &s.name == slot))
        {
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
        // Stems are numbered in the tree's own order (the order of `outputs`, depth
        // first), whatever order the model's slots come in.
        let mut routed: Vec<(String, Route)> = Vec::with_capacity(node.outputs.len());
        for (slot, target) in &node.outputs {
            let route = match target {
                SlotTarget::Stem(name) => {
                    names.push(name.clone());
                    Route::Stem(names.len() - 1)
                }
                SlotTarget::Node(child) => Route::Node(self.prepare(child, names, models)?),
            };
            routed.push((slot.clone(), route));
        }
        let routes = slots
            .iter()
            .map(
                |s| match routed.iter().position(|(slot, _)| slot == &s.name) {
                    Some(i) => routed.swap_remove(i).1,
                    None => Route::Discard,
                },
            )
            .collect();
        Ok(Box::new(Prepared {
            name: node.model.clone(),
            model,
            routes,
        }))
    }
}

/// The sinks of one node's slots: a pipe to a thread for each slot in use (a subtree or
/// a stem consumer), started here.
#[allow(clippy::too_many_arguments)]
fn wire<'scope, 'env, T: Send>(
    scope: &'scope std::thread::Scope<'scope, 'env>,
    routes: Vec<Route>,
    rate: u32,
    total: Option<u64>,
    consume: &'env StemConsumer<'env, T>,
    cancel: &'env CancelOnly<'env>,
    names: &'env [String],
    nodes: &mut Vec<NodeHandle<'scope>>,
    stems: &mut Vec<(usize, StemHandle<'scope, T>)>,
) -> Vec<Box<dyn AudioSink>> {
    let mut sinks: Vec<Box<dyn AudioSink>> = Vec::with_capacity(routes.len());
    for route in routes {
        match route {
            Route::Discard => sinks.push(Box::new(Discard)),
            Route::Stem(index) => {
                let (writer, mut reader) = pipe(rate, MODEL_CHANNELS, total, PIPE_BLOCKS);
                let name = &names[index];
                let handle = scope.spawn(move || consume(name, &mut reader));
                stems.push((index, handle));
                sinks.push(Box::new(writer));
            }
            Route::Node(child) => {
                let (writer, reader) = pipe(rate, MODEL_CHANNELS, total, PIPE_BLOCKS);
                let Prepared {
                    name,
                    mut model,
                    routes,
                } = *child;
                let child_rate = model.sample_rate();
                let child_total = total.map(|t| t * u64::from(child_rate) / u64::from(rate));
                let mut child_sinks = wire(
                    scope,
                    routes,
                    child_rate,
                    child_total,
                    consume,
                    cancel,
                    names,
                    nodes,
                    stems,
                );
                nodes.push(scope.spawn(move || {
                    let mut source = at_rate(Box::new(reader), child_rate)?;
                    separate(
                        &name,
                        model.as_mut(),
                        source.as_mut(),
                        &mut child_sinks,
                        cancel,
                    )
                }));
                sinks.push(Box::new(writer));
            }
        }
    }
    sinks
}

/// `source` as the model at `rate` takes it.
fn at_rate<'a>(
    source: Box<dyn AudioSource + 'a>,
    rate: u32,
) -> Result<Box<dyn AudioSource + 'a>, Error> {
    if source.sample_rate() == rate {
        return Ok(source);
    }
    Ok(Box::new(Resampled::new(source, rate)?))
}

/// One model over its input, then the end of every output stream.
fn separate(
    name: &str,
    model: &mut dyn AudioSeparator,
    input: &mut dyn AudioSource,
    sinks: &mut [Box<dyn AudioSink>],
    cancel: &CancelOnly<'_>,
) -> Result<(), Error> {
    let mut refs: Vec<&mut dyn AudioSink> = sinks
        .iter_mut()
        .map(|s| s.as_mut() as &mut dyn AudioSink)
        .collect();
    run_separator(model, name, input, &mut refs, cancel)?;
    for s in refs.iter_mut() {
        s.finish()?;
    }
    Ok(())
}

fn joined<R>(handle: std::thread::ScopedJoinHandle<'_, Result<R, Error>>) -> Result<R, Error> {
    handle
        .join()
        .unwrap_or_else(|panic| Err(Error::from_panic("separating", &*panic)))
}

/// A stage that stopped because the stage beside it did.
pub fn is_pipe_break(e: &Error) -> bool {
    match e {
        Error::Audio(a) | Error::Separation(SeparationError::Audio(a)) => a.is_pipe_break(),
        _ => false,
    }
}

fn is_cancelled(e: &Error) -> bool {
    matches!(e, Error::Separation(SeparationError::Cancelled))
}

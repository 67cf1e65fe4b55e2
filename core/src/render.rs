//! The CPU-bound part of processing one file, run on a blocking thread: decode, run the
//! strategy tree, encode and analyse every stem into a scratch folder. All of it streams
//! at once (decoder, models and encoders each on a thread, joined by bounded pipes), so
//! scratch holds only the encoded stems.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::catalog::Plugins;
use crate::error::Error;
use crate::executor::{CancelOnly, Executor, PIPE_BLOCKS, is_pipe_break};
use crate::metadata::ModelRun;
use crate::music_only::{self, MusicOnly};
use crate::progress::{PipelineProgress, Stage};
use crate::strategy::StrategyNode;
use stemset_audio::analysis::Analyzer;
use stemset_audio::channels::ToStereo;
use stemset_audio::decode::{self, SourceInfo};
use stemset_audio::encode::{EncodeSpec, OutputFormat, create_encoder};
use stemset_audio::pipe::pipe;
use stemset_audio::resample::Resampled;
use stemset_audio::sanitize::{SanitizeStats, Sanitized};
use stemset_audio::takes::{Take, TakeAnalyzer, TakeSettings, stem_evidence};
use stemset_audio::wav::{WavSampleFormat, WavSink, WavSource};
use stemset_audio::{AudioError, AudioSink, AudioSource, CHUNK_FRAMES, Tee};
use stemset_sdk::separator::{MODEL_CHANNELS, SeparationError};

/// What to render for one file: the source, the tree and where and how to encode stems.
pub struct RenderRequest {
    pub plugins: Plugins,
    pub tree: StrategyNode,
    pub input: PathBuf,
    pub scratch: PathBuf,
    pub format: OutputFormat,
    pub bitrate: u32,
    /// Take detection on the decoded mix (None: off).
    pub takes: Option<TakeSettings>,
    /// Separate only the takes (`processing.separate: takes`); needs `takes`.
    pub music_only: Option<MusicOnly>,
}

pub struct RenderedStem {
    pub name: String,
    pub path: PathBuf,
    pub file_name: String,
    pub waveform_path: PathBuf,
    pub waveform_file_name: String,
    pub spec: EncodeSpec,
    pub size: u64,
    pub analysis: stemset_audio::analysis::StemAnalysis,
    /// Mean power per tenth of a second (`analysis::LEVELS_PER_SECOND`), for the takes.
    pub levels: Vec<f32>,
}

pub struct Rendered {
    pub source: SourceInfo,
    /// Frames decoded from the source (the authoritative length).
    pub source_frames: u64,
    /// Source samples that were NaN, infinite or out of range (see `audio::sanitize`).
    pub repaired_samples: u64,
    /// SHA-256 and size of the bytes that were decoded.
    pub source_sha256: String,
    pub source_size: u64,
    pub stems: Vec<RenderedStem>,
    /// The takes found in the source (empty when take detection is off).
    pub takes: Vec<Take>,
    /// Seconds of the source the models ran on, when only the takes were separated.
    pub separated_seconds: Option<f64>,
    /// The tree's models, depth first, with the device each ran on.
    pub models: Vec<ModelRun>,
}

impl Rendered {
    pub fn duration_seconds(&self) -> f64 {
        self.source_frames as f64 / f64::from(self.source.sample_rate.max(1))
    }
}

impl RenderRequest {
    pub fn run(self, progress: &dyn PipelineProgress) -> Result<Rendered, Error> {
        // Hash the very handle that is decoded: a file replaced since it was scanned is
        // recorded under the content that was actually separated.
        let open_err = |source: std::io::Error| AudioError::Open {
            path: self.input.clone(),
            source,
        };
        let mut file = stemset_audio::hashing::open_regular(&self.input).map_err(open_err)?;
        let (source_sha256, source_size) =
            stemset_audio::hashing::sha256_reader(&mut file).map_err(open_err)?;
        let decoded = decode::open_file(file, &self.input)?;
        let info = decoded.info().clone();
        let sanitized = Sanitized::new(decoded);
        let sanitize = sanitized.stats();
        let counted = Counting::new(ToStereo::new(sanitized));
        let decode = DecodeChecks {
            frames: counted.counter.clone(),
            sanitize,
        };
        let stereo: Box<dyn AudioSource> = Box::new(counted);
        // The take analysis reads the mix as it is decoded: no second pass over the file.
        // It runs on its own thread (fed through a short queue), so on two cores or more
        // it costs the decode next to no wall time.
        let takes = self.takes.clone().map(|settings| {
            AnalysisThread::start(TakeAnalyzer::new(
                info.sample_rate,
                MODEL_CHANNELS,
                settings,
            ))
        });
        let out_dir = self.scratch.join("out");
        std::fs::create_dir_all(&out_dir)
            .map_err(|e| Error::io("cannot create the output folder", e))?;
        let executor = Executor {
            plugins: &self.plugins,
            progress,
        };
        let spec = encode_spec(self.format, self.bitrate, &info);
        let Separated {
            stems,
            takes,
            separated_seconds,
            models,
        } = if self.music_only.is_some() {
            self.separate_takes_only(
                &executor, stereo, takes, &decode, &info, &out_dir, spec, progress,
            )?
        } else {
            // Decode → tree → encoders, all streaming: the only scratch is the encoded
            // stems. The decoder runs on its own thread, ahead of the first model.
            let (decoded, stems, takes) = std::thread::scope(|scope| {
                let (mut writer, mut reader) = pipe(
                    info.sample_rate,
                    MODEL_CHANNELS,
                    stereo.total_frames(),
                    PIPE_BLOCKS,
                );
                let decoder = scope.spawn(move || {
                    let mut stereo = stereo;
                    let mut takes = takes;
                    let copied = {
                        let mut tee = Tee {
                            sinks: vec![&mut writer],
                        };
                        if let Some(t) = takes.as_mut() {
                            tee.sinks.push(t);
                        }
                        copy_with_progress(stereo.as_mut(), &mut tee, &CancelOnly(progress))
                            .and_then(|_| tee.finish().map_err(Error::from))
                    };
                    (copied, takes)
                });
                let stems = executor.run(&self.tree, &mut reader, &|name, src| {
                    render_stem(name, src, &out_dir, spec.clone(), &CancelOnly(progress))
                });
                // The decoder stops at once if the tree did (its pipe breaks).
                drop(reader);
                let (decoded, takes) = decoder
                    .join()
                    .unwrap_or_else(|panic| (Err(Error::from_panic("decoding", &*panic)), None));
                (decoded, stems, takes)
            });
            let takes = takes.map(AnalysisThread::join).unwrap_or_default();
            // A decode error is the cause of the breaks it leaves in the tree; a file
            // without frames is said so, whatever the models and encoders made of it.
            match decoded {
                Err(e) if !is_pipe_break(&e) => return Err(e),
                _ => {}
            }
            decode.check(&self.input)?;
            let ran = stems?;
            Separated {
                stems: ran.stems.into_iter().map(|(_, stem)| stem).collect(),
                takes,
                separated_seconds: None,
                models: ran.models,
            }
        };
        let source_frames = decode.frames();
        let repaired_samples = decode.sanitize.repaired();
        if repaired_samples > 0 {
            tracing::warn!(path = %self.input.display(), repaired_samples, "NaN, infinite or out-of-range samples were repaired");
        }
        let mut takes = takes;
        // The stems are evidence the mix lacks: one instrument alone at a take's edge
        // (noodling right after the song) is not the band.
        let activity: Vec<stem_evidence::StemLevels<'_>> = stems
            .iter()
            .map(|s| stem_evidence::StemLevels {
                name: &s.name,
                power: &s.levels,
            })
            .collect();
        stem_evidence::trim_lone_instrument(&mut takes, &activity);
        Ok(Rendered {
            source: info,
            source_frames,
            repaired_samples,
            source_sha256,
            source_size,
            stems,
            takes,
            separated_seconds,
            models,
        })
    }

    /// `processing.separate: takes`: the takes must be known before any model runs, so
    /// the decoded source goes to a WAV first; the cut of the takes then streams through
    /// the tree into stem WAVs, which are rebuilt to full length and encoded.
    #[allow(clippy::too_many_arguments)]
    fn separate_takes_only(
        &self,
        executor: &Executor<'_>,
        mut stereo: Box<dyn AudioSource>,
        mut takes: Option<AnalysisThread>,
        decode: &DecodeChecks,
        info: &SourceInfo,
        out_dir: &Path,
        spec: EncodeSpec,
        progress: &dyn PipelineProgress,
    ) -> Result<Separated, Error> {
        progress.stage(Stage::Decode);
        let input_wav = self.scratch.join("input.wav");
        let mut sink = WavSink::create(
            &input_wav,
            info.sample_rate,
            MODEL_CHANNELS,
            WavSampleFormat::Float32,
        )?;
        {
            let mut tee = Tee {
                sinks: vec![&mut sink],
            };
            if let Some(t) = takes.as_mut() {
                tee.sinks.push(t);
            }
            copy_with_progress(stereo.as_mut(), &mut tee, progress)?;
        }
        sink.finish()?;
        drop(stereo);
        let takes = takes.map(AnalysisThread::join).unwrap_or_default();
        let frames = decode.check(&self.input)?;
        let to_wav = |name: &str, src: &mut dyn AudioSource| -> Result<PathBuf, Error> {
            let path = self.scratch.join(format!("{name}.wav"));
            let mut sink = WavSink::create(
                &path,
                src.sample_rate(),
                MODEL_CHANNELS,
                WavSampleFormat::Float32,
            )?;
            copy_with_progress(src, &mut sink, &CancelOnly(progress))?;
            sink.finish()?;
            Ok(path)
        };
        let times: Vec<(f64, f64)> = takes.iter().map(|t| (t.start, t.end)).collect();
        let plan = self
            .music_only
            .as_ref()
            .and_then(|m| music_only::Plan::new(m, &times, info.sample_rate, frames));
        let mut models = Vec::new();
        let (stem_wavs, separated_seconds) = match plan {
            Some(plan) => {
                let stems = plan.run(&input_wav, &self.scratch, |cut| {
                    let ran = executor.run(&self.tree, &mut WavSource::open(cut)?, &to_wav)?;
                    models = ran.models;
                    Ok(ran.stems)
                })?;
                (stems, Some(plan.seconds()))
            }
            None => {
                let ran = executor.run(&self.tree, &mut WavSource::open(&input_wav)?, &to_wav)?;
                models = ran.models;
                (ran.stems, None)
            }
        };
        let _ = std::fs::remove_file(&input_wav);

        // Stems are independent: encode them in parallel (Opus and the true-peak meter
        // are the expensive part), reporting the mean progress of all of them.
        progress.stage(Stage::Encode {
            stems: stem_wavs.len(),
        });
        let shared = SharedProgress::new(progress, stem_wavs.len());
        let results: Vec<Result<RenderedStem, Error>> = std::thread::scope(|scope| {
            let handles: Vec<_> = stem_wavs
                .iter()
                .enumerate()
                .map(|(i, (name, wav))| {
                    let (shared, spec) = (&shared, spec.clone());
                    scope.spawn(move || {
                        let stem = render_stem(
                            name,
                            &mut WavSource::open(wav)?,
                            out_dir,
                            spec,
                            &shared.part(i),
                        );
                        let _ = std::fs::remove_file(wav);
                        stem
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|panic| Err(Error::from_panic("encoding a stem", &*panic)))
                })
                .collect()
        });
        let stems = results.into_iter().collect::<Result<Vec<_>, _>>()?;
        Ok(Separated {
            stems,
            takes,
            separated_seconds,
            models,
        })
    }
}

/// The stems, the takes, the seconds the models ran on (None: all of it) and the models
/// with their devices.
struct Separated {
    stems: Vec<RenderedStem>,
    takes: Vec<Take>,
    separated_seconds: Option<f64>,
    models: Vec<ModelRun>,
}

/// What the decode counted, checked once it has run: frames there must be, and
/// repairs within bounds.
struct DecodeChecks {
    frames: Arc<std::sync::atomic::AtomicU64>,
    sanitize: Arc<SanitizeStats>,
}

impl DecodeChecks {
    fn frames(&self) -> u64 {
        self.frames.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The frames decoded, or why the source cannot be used.
    fn check(&self, input: &Path) -> Result<u64, Error> {
        let frames = self.frames();
        if frames == 0 {
            return Err(AudioError::Decode {
                path: input.to_path_buf(),
                reason: "the file contains no audio frames".into(),
            }
            .into());
        }
        self.sanitize.check(input)?;
        Ok(frames)
    }
}

/// Encodes one stem and measures it, in one pass over its stream.
fn render_stem(
    name: &str,
    stream: &mut dyn AudioSource,
    out_dir: &Path,
    spec: EncodeSpec,
    progress: &dyn PipelineProgress,
) -> Result<RenderedStem, Error> {
    let file_name = format!("{name}.{}", spec.format.extension());
    let path = out_dir.join(&file_name);
    // A model can emit NaN too (a broken or half-precision file): repaired like a source.
    let sanitized = Sanitized::new(stream);
    let model_repairs = sanitized.stats();
    let mut src: Box<dyn AudioSource + '_> = Box::new(sanitized);
    if src.sample_rate() != spec.sample_rate {
        src = Box::new(Resampled::new(src, spec.sample_rate)?);
    }
    let mut encoder = create_encoder(&path, &spec)?;
    let mut analyzer = Analyzer::new(spec.sample_rate, MODEL_CHANNELS)?;
    {
        let mut tee = Tee {
            sinks: vec![encoder.as_mut(), &mut analyzer],
        };
        copy_with_progress(src.as_mut(), &mut tee, progress)?;
        tee.finish()?;
    }
    if model_repairs.repaired() > 0 {
        tracing::warn!(
            stem = name,
            samples = model_repairs.repaired(),
            "the model's output had NaN, infinite or out-of-range samples; repaired"
        );
    }
    let (analysis, peaks) = analyzer.finish_analysis()?;
    let levels = analyzer.levels();
    let waveform_file_name = format!("{name}.peaks");
    let waveform_path = out_dir.join(&waveform_file_name);
    std::fs::write(&waveform_path, peaks)
        .map_err(|e| Error::io("cannot write the waveform file", e))?;
    let size = std::fs::metadata(&path)
        .map_err(|e| Error::io(format!("cannot stat {}", path.display()), e))?
        .len();
    drop(src);
    Ok(RenderedStem {
        name: name.to_string(),
        path,
        file_name,
        waveform_path,
        waveform_file_name,
        spec,
        size,
        analysis,
        levels,
    })
}

/// Splits one stage's progress between parallel parts: the bar shows their mean.
struct SharedProgress<'a> {
    inner: &'a dyn PipelineProgress,
    /// Per part, progress in millionths.
    parts: Vec<std::sync::atomic::AtomicU32>,
}

struct PartProgress<'a> {
    shared: &'a SharedProgress<'a>,
    index: usize,
}

impl<'a> SharedProgress<'a> {
    fn new(inner: &'a dyn PipelineProgress, parts: usize) -> Self {
        Self {
            inner,
            parts: (0..parts).map(|_| Default::default()).collect(),
        }
    }
    fn part(&'a self, index: usize) -> PartProgress<'a> {
        PartProgress {
            shared: self,
            index,
        }
    }
}

impl PipelineProgress for PartProgress<'_> {
    fn stage(&self, _stage: Stage) {}
    fn fraction(&self, fraction: f32) {
        use std::sync::atomic::Ordering::Relaxed;
        let parts = &self.shared.parts;
        parts[self.index].store((fraction.clamp(0.0, 1.0) * 1e6) as u32, Relaxed);
        let sum: f64 = parts.iter().map(|p| f64::from(p.load(Relaxed))).sum();
        self.shared
            .inner
            .fraction((sum / 1e6 / parts.len() as f64) as f32);
    }
    fn cancelled(&self) -> bool {
        self.shared.inner.cancelled()
    }
}

/// WAV and FLAC keep the source's rate and depth (float or unknown depth → 24-bit);
/// Opus is 48 kHz by definition.
fn encode_spec(format: OutputFormat, bitrate: u32, src: &SourceInfo) -> EncodeSpec {
    let bits = match src.bits_per_sample {
        Some(b) if b <= 16 => 16,
        _ => 24,
    };
    EncodeSpec {
        format,
        sample_rate: if format == OutputFormat::Opus {
            48_000
        } else {
            src.sample_rate
        },
        channels: MODEL_CHANNELS,
        bits_per_sample: bits,
        opus_bitrate_kbps: bitrate,
    }
}

fn copy_with_progress(
    src: &mut dyn AudioSource,
    sink: &mut dyn AudioSink,
    progress: &dyn PipelineProgress,
) -> Result<u64, Error> {
    let ch = src.channels();
    let total = src.total_frames();
    let mut buf = vec![0.0f32; CHUNK_FRAMES * ch];
    let mut done = 0u64;
    loop {
        if progress.cancelled() {
            return Err(SeparationError::Cancelled.into());
        }
        let n = src.read(&mut buf)?;
        if n == 0 {
            return Ok(done);
        }
        sink.write(&buf[..n * ch])?;
        done += n as u64;
        if let Some(t) = total.filter(|t| *t > 0) {
            progress.fraction((done as f64 / t as f64).min(1.0) as f32);
        }
    }
}

/// A [`TakeAnalyzer`] on a thread of its own: blocks go to it through a bounded queue
/// (a few blocks of memory at most, the decoder waits when it is full).
struct AnalysisThread {
    queue: Option<std::sync::mpsc::SyncSender<Vec<f32>>>,
    thread: Option<std::thread::JoinHandle<Vec<Take>>>,
}

impl AnalysisThread {
    const QUEUE_BLOCKS: usize = 4;

    fn start(mut analyzer: TakeAnalyzer) -> Self {
        let (queue, blocks) = std::sync::mpsc::sync_channel::<Vec<f32>>(Self::QUEUE_BLOCKS);
        let thread = std::thread::Builder::new()
            .name("take-analysis".into())
            .spawn(move || {
                for block in blocks {
                    // The analyzer's write cannot fail (it only keeps features).
                    let _ = analyzer.write(&block);
                }
                analyzer.finish_takes()
            });
        match thread {
            Ok(t) => Self {
                queue: Some(queue),
                thread: Some(t),
            },
            Err(e) => {
                tracing::warn!(error = %e, "cannot start the take analysis thread; no takes for this file");
                Self {
                    queue: None,
                    thread: None,
                }
            }
        }
    }

    /// The takes; a failed analysis is logged and gives none (the stems do not depend
    /// on it).
    fn join(mut self) -> Vec<Take> {
        drop(self.queue.take());
        match self.thread.take().map(std::thread::JoinHandle::join) {
            Some(Ok(takes)) => takes,
            Some(Err(_)) => {
                tracing::error!("the take analysis failed; no takes for this file");
                Vec::new()
            }
            None => Vec::new(),
        }
    }
}

impl AudioSink for AnalysisThread {
    fn write(&mut self, interleaved: &[f32]) -> Result<(), AudioError> {
        if let Some(q) = &self.queue
            && q.send(interleaved.to_vec()).is_err()
        {
            // The thread ended early (it cannot, short of a panic, which join reports).
            self.queue = None;
        }
        Ok(())
    }
    fn finish(&mut self) -> Result<(), AudioError> {
        Ok(())
    }
}

/// Counts the frames that pass (the decoded length is the truth, headers can lie).
struct Counting<S> {
    inner: S,
    counter: Arc<std::sync::atomic::AtomicU64>,
}

impl<S: AudioSource> Counting<S> {
    fn new(inner: S) -> Self {
        Self {
            inner,
            counter: Arc::default(),
        }
    }
}

impl<S: AudioSource> AudioSource for Counting<S> {
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
        self.counter
            .fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
        Ok(n)
    }
}

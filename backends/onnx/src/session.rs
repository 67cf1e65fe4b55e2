//! One ONNX model file opened in ONNX Runtime: settings from `[backends.onnx]`, the
//! signature read from the graph, and a `run` that binds inputs and outputs by position.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use ort::ep::ExecutionProvider;
use ort::session::Session;
use ort::session::SessionInputValue;
use ort::session::builder::GraphOptimizationLevel;
use ort::value::{DynValue, Outlet, TensorRef, ValueType};
use stemset_sdk::params::Params;
use stemset_sdk::settings::BackendSettings;

use crate::runtime;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Device {
    Cpu,
    /// This GPU or an error saying why not: never a quiet run on the CPU.
    Cuda(i32),
    /// GPU 0 when ONNX Runtime can use it, else the CPU; the log says which.
    Auto,
}

impl std::fmt::Display for Device {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Device::Cpu => f.write_str("cpu"),
            Device::Cuda(id) => write!(f, "cuda:{id}"),
            Device::Auto => f.write_str("auto"),
        }
    }
}

/// `[backends.onnx]` in plugins.toml.
#[derive(Debug, Clone)]
pub struct OnnxSettings {
    /// Path of libonnxruntime (else `ORT_DYLIB_PATH`, else known locations).
    pub library: Option<String>,
    /// Intra-op threads; 0 = all cores but one (at least one).
    pub threads: usize,
    pub device: Device,
    /// ONNX Runtime's CPU memory arena: a few percent faster, but it keeps the largest
    /// activations of every run allocated (MDX-Net Inst HQ 3: 2.6 GB peak vs 1.5 GB).
    pub memory_arena: bool,
}

impl OnnxSettings {
    pub fn from_backend(settings: &BackendSettings) -> Result<Self, String> {
        let mut p = Params::new(&settings.table);
        let library = p.opt_string("library")?;
        let threads = p.int("threads", 0, 0..=1024)? as usize;
        let memory_arena = p.bool("memory_arena", false)?;
        let device = match p.opt_string("device")?.as_deref() {
            None | Some("cpu") => Device::Cpu,
            Some("auto") => Device::Auto,
            Some(d) if d == "cuda" || d.starts_with("cuda:") => {
                let id = d
                    .strip_prefix("cuda:")
                    .map(|n| {
                        n.parse::<i32>()
                            .map_err(|_| format!("device \"{d}\": expected cuda or cuda:N"))
                    })
                    .transpose()?
                    .unwrap_or(0);
                Device::Cuda(id)
            }
            Some(other) => {
                return Err(format!(
                    "[backends.onnx] device = \"{other}\": valid values are cpu, cuda, cuda:N, auto"
                ));
            }
        };
        p.finish()
            .map_err(|e| format!("[backends.onnx]: {}", e.replace("params.", "")))?;
        Ok(Self {
            library,
            threads,
            device,
            memory_arena,
        })
    }

    pub fn intra_threads(&self) -> usize {
        if self.threads > 0 {
            return self.threads;
        }
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        cores.saturating_sub(1).max(1)
    }
}

/// Why a session could not be opened: the CUDA provider refused (the caller decides
/// whether that is an error), or anything else (always one).
enum Refused {
    Cuda(String),
    Other(String),
}

impl From<String> for Refused {
    fn from(e: String) -> Self {
        Refused::Other(e)
    }
}

impl From<Refused> for String {
    fn from(e: Refused) -> Self {
        match e {
            Refused::Cuda(e) | Refused::Other(e) => e,
        }
    }
}

/// A session for `path` on the CPU, or on GPU `cuda` with the CPU only for the operators
/// CUDA lacks. The CUDA provider must register: ONNX Runtime would otherwise fall back
/// to the CPU with nothing but a log line.
///
/// The threads of a session spin between operators unless `spin` is false (a model of
/// several sessions: the idle ones would take cores from the one running).
fn open_session(
    env: &'static ort::environment::Environment,
    path: &Path,
    settings: &OnnxSettings,
    cuda: Option<i32>,
    spin: bool,
) -> Result<Session, Refused> {
    let fail = |e: ort::Error<_>| format!("{}: {e}", path.display());
    let builder = Session::builder(env)
        .map_err(|e| format!("{}: {e}", path.display()))?
        .with_optimization_level(GraphOptimizationLevel::All)
        .map_err(fail)?
        .with_intra_threads(settings.intra_threads())
        .map_err(fail)?
        .with_inter_threads(1)
        .map_err(fail)?
        .with_intra_op_spinning(spin)
        .map_err(fail)?
        .with_memory_pattern(settings.memory_arena)
        .map_err(fail)?;
    let cpu = ort::ep::CPU::default()
        .with_arena_allocator(settings.memory_arena)
        .build();
    let mut builder = match cuda {
        None => builder.with_execution_providers([cpu]).map_err(fail)?,
        Some(id) => {
            if !ort::ep::CUDA::is_available().unwrap_or(false) {
                return Err(Refused::Cuda(
                    "this ONNX Runtime was built without the CUDA provider".into(),
                ));
            }
            let cuda = ort::ep::CUDA::default()
                .with_device_id(id)
                .build()
                .error_on_failure();
            builder
                .with_execution_providers([cuda, cpu])
                .map_err(|e| Refused::Cuda(e.to_string()))?
        }
    };
    builder.commit_from_file(path).map_err(|e| {
        Refused::Other(format!(
            "{} is not a model ONNX Runtime can load: {e}",
            path.display()
        ))
    })
}

/// `device = "cuda"` that cannot be had, said with what to do.
fn cuda_refused(id: i32, why: &str, settings: &OnnxSettings) -> String {
    let runtime = runtime::locate(settings.library.as_deref())
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| "ONNX Runtime".into());
    format!(
        "[backends.onnx] device = \"cuda:{id}\" but the GPU cannot be used: {why} \
         (runtime {runtime}). Run `stemset runtime install --gpu` (onnxruntime-gpu and the \
         NVIDIA libraries it needs), or set device = \"auto\" (GPU when it works, else CPU) or \"cpu\"; \
         `stemset doctor` checks the GPU"
    )
}

/// A tensor's shape and values, as a model returns it.
pub type TensorData = (Vec<i64>, Vec<f32>);

/// Name and shape of one graph input or output; dynamic dimensions are `-1`.
#[derive(Debug, Clone, PartialEq)]
pub struct TensorSig {
    pub name: String,
    pub shape: Vec<i64>,
}

impl std::fmt::Display for TensorSig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.name, shape_text(&self.shape))
    }
}

/// One session of a model and the names it reads and writes.
struct Stage {
    session: Session,
    file: PathBuf,
    inputs: Vec<String>,
    outputs: Vec<String>,
}

/// A model: one ONNX file, or a folder of stages (`stage-00.onnx`, ...) run one after the
/// other, each reading the model's inputs and earlier stages' outputs by name.
pub struct OnnxModel {
    stages: Vec<Stage>,
    /// For each stage, the earlier values no later stage reads, dropped after it.
    done_after: Vec<Vec<String>>,
    pub path: PathBuf,
    /// Where it runs: `cpu` or `cuda:N`.
    pub device: Device,
    pub inputs: Vec<TensorSig>,
    pub outputs: Vec<TensorSig>,
}

/// The session of `path` on the device `settings` ask for, and the device it got.
fn open_on_device(
    env: &'static ort::environment::Environment,
    path: &Path,
    settings: &OnnxSettings,
    device: Device,
    spin: bool,
) -> Result<(Session, Device), String> {
    Ok(match device {
        Device::Cpu => (open_session(env, path, settings, None, spin)?, Device::Cpu),
        Device::Cuda(id) => match open_session(env, path, settings, Some(id), spin) {
            Ok(session) => (session, Device::Cuda(id)),
            Err(Refused::Cuda(e)) => return Err(cuda_refused(id, &e, settings)),
            Err(Refused::Other(e)) => return Err(e),
        },
        Device::Auto => match open_session(env, path, settings, Some(0), spin) {
            Ok(session) => (session, Device::Cuda(0)),
            Err(Refused::Cuda(e)) => {
                tracing::info!(model = %path.display(), reason = %e, "device = auto: CUDA cannot be used, running on the CPU");
                (open_session(env, path, settings, None, spin)?, Device::Cpu)
            }
            Err(Refused::Other(e)) => return Err(e),
        },
    })
}

/// The file of stage `k` in a model's folder of stages.
pub fn stage_file(dir: &Path, k: usize) -> PathBuf {
    dir.join(format!("stage-{k:02}.onnx"))
}

/// The stage files of a folder, in order; at least `stage-00.onnx`.
fn stage_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut files: Vec<PathBuf> = Vec::new();
    loop {
        let f = stage_file(dir, files.len());
        if !f.is_file() {
            break;
        }
        files.push(f);
    }
    if files.is_empty() {
        return Err(format!(
            "{} is a folder without stage-00.onnx: not a model Stemset wrote",
            dir.display()
        ));
    }
    Ok(files)
}

fn signature(name: &str, ty: &ValueType, path: &Path) -> Result<TensorSig, String> {
    match ty {
        ValueType::Tensor { ty, shape, .. } => {
            if *ty != ort::value::TensorElementType::Float32 {
                return Err(format!(
                    "{}: tensor \"{name}\" is {ty:?}; Stemset runs float32 models",
                    path.display()
                ));
            }
            Ok(TensorSig {
                name: name.to_string(),
                shape: shape.iter().copied().collect(),
            })
        }
        other => Err(format!(
            "{}: \"{name}\" is not a tensor ({other:?})",
            path.display()
        )),
    }
}

fn signatures(values: &[Outlet], file: &Path) -> Result<Vec<TensorSig>, String> {
    values
        .iter()
        .map(|o| signature(o.name(), o.dtype(), file))
        .collect()
}

impl OnnxModel {
    pub fn open(path: &Path, settings: &OnnxSettings) -> Result<Self, String> {
        let files = if path.is_dir() {
            stage_files(path)?
        } else if path.is_file() {
            vec![path.to_path_buf()]
        } else {
            return Err(format!("model file {} does not exist", path.display()));
        };
        let env = runtime::environment(settings.library.as_deref())?;
        crate::heap::keep_activation_blocks();
        let spin = files.len() == 1;
        let mut device = settings.device;
        let mut stages: Vec<Stage> = Vec::with_capacity(files.len());
        let mut inputs: Vec<TensorSig> = Vec::new();
        let mut outputs: Vec<TensorSig> = Vec::new();
        for file in files {
            // Every stage runs where the first one opened.
            let (session, on) = open_on_device(env, &file, settings, device, spin)?;
            device = on;
            let ins = signatures(session.inputs(), &file)?;
            outputs = signatures(session.outputs(), &file)?;
            for sig in &ins {
                let made_before = stages.iter().any(|s| s.outputs.contains(&sig.name));
                if made_before || inputs.iter().any(|i| i.name == sig.name) {
                    continue;
                }
                if !stages.is_empty() {
                    return Err(format!(
                        "{}: input \"{}\" is made by no earlier stage",
                        file.display(),
                        sig.name
                    ));
                }
                inputs.push(sig.clone());
            }
            stages.push(Stage {
                session,
                file,
                inputs: ins.into_iter().map(|s| s.name).collect(),
                outputs: outputs.iter().map(|s| s.name.clone()).collect(),
            });
        }
        // A value is dropped after the last stage that reads it (the last stage's outputs
        // are the model's).
        let done_after = (0..stages.len())
            .map(|k| {
                stages[..k]
                    .iter()
                    .flat_map(|s| &s.outputs)
                    .filter(|v| {
                        stages[k].inputs.contains(v)
                            && !stages[k + 1..].iter().any(|s| s.inputs.contains(v))
                    })
                    .cloned()
                    .collect()
            })
            .collect();
        tracing::debug!(
            model = %path.display(),
            stages = stages.len(),
            inputs = ?inputs,
            outputs = ?outputs,
            threads = settings.intra_threads(),
            %device,
            "opened ONNX model"
        );
        Ok(Self {
            stages,
            done_after,
            path: path.to_path_buf(),
            device,
            inputs,
            outputs,
        })
    }

    /// Runs the model with one tensor per input (in the model's order) and returns every
    /// output (in the model's order) as shape + data.
    pub fn run(&mut self, inputs: &[(&[i64], &[f32])]) -> Result<Vec<TensorData>, String> {
        if inputs.len() != self.inputs.len() {
            return Err(format!(
                "{}: {} inputs given, the model has {}",
                self.path.display(),
                inputs.len(),
                self.inputs.len()
            ));
        }
        let mut values: HashMap<String, DynValue> = HashMap::new();
        let last = self.stages.len() - 1;
        for (k, stage) in self.stages.iter_mut().enumerate() {
            let file = stage.file.display().to_string();
            let mut feed: Vec<(String, SessionInputValue<'_>)> =
                Vec::with_capacity(stage.inputs.len());
            for name in &stage.inputs {
                let value = if let Some(v) = values.get(name) {
                    SessionInputValue::from(v.view())
                } else {
                    let i = self
                        .inputs
                        .iter()
                        .position(|s| &s.name == name)
                        .ok_or_else(|| format!("{file}: no value for input \"{name}\""))?;
                    let (shape, data) = inputs[i];
                    TensorRef::from_array_view((shape.to_vec(), data))
                        .map(SessionInputValue::from)
                        .map_err(|e| format!("{file}: input tensor: {e}"))?
                };
                feed.push((name.clone(), value));
            }
            let mut outputs = stage
                .session
                .run(feed)
                .map_err(|e| format!("{file}: inference failed: {e}"))?;
            if k == last {
                return stage
                    .outputs
                    .iter()
                    .map(|name| {
                        outputs
                            .get(name)
                            .ok_or_else(|| format!("{file}: no output \"{name}\""))?
                            .try_extract_tensor::<f32>()
                            .map(|(shape, data)| (shape.to_vec(), data.to_vec()))
                            .map_err(|e| format!("{file}: output tensor: {e}"))
                    })
                    .collect();
            }
            for name in &stage.outputs {
                let v = outputs
                    .remove(name)
                    .ok_or_else(|| format!("{file}: no output \"{name}\""))?;
                values.insert(name.clone(), v);
            }
            for name in &self.done_after[k] {
                values.remove(name);
            }
        }
        Err(format!("{}: a model without stages", self.path.display()))
    }
}

/// "[1, 4, 3072, 256]"-style text for error messages.
pub fn shape_text(shape: &[i64]) -> String {
    let dims: Vec<String> = shape
        .iter()
        .map(|&d| {
            if d < 0 {
                "?".to_string()
            } else {
                d.to_string()
            }
        })
        .collect();
    format!("[{}]", dims.join(", "))
}

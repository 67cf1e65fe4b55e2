//! One ONNX model file opened in ONNX Runtime: settings from `[backends.onnx]`, the
//! signature read from the graph, and a `run` that binds inputs and outputs by position.

use std::path::{Path, PathBuf};

use ort::ep::ExecutionProvider;
use ort::session::Session;
use ort::session::builder::GraphOptimizationLevel;
use ort::value::{TensorRef, ValueType};
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
fn open_session(
    env: &'static ort::environment::Environment,
    path: &Path,
    settings: &OnnxSettings,
    cuda: Option<i32>,
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

pub struct OnnxModel {
    session: Session,
    pub path: PathBuf,
    /// Where it runs: `cpu` or `cuda:N`.
    pub device: Device,
    pub inputs: Vec<TensorSig>,
    pub outputs: Vec<TensorSig>,
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

impl OnnxModel {
    pub fn open(path: &Path, settings: &OnnxSettings) -> Result<Self, String> {
        if !path.is_file() {
            return Err(format!("model file {} does not exist", path.display()));
        }
        let env = runtime::environment(settings.library.as_deref())?;
        let (session, device) = match settings.device {
            Device::Cpu => (open_session(env, path, settings, None)?, Device::Cpu),
            Device::Cuda(id) => match open_session(env, path, settings, Some(id)) {
                Ok(session) => (session, Device::Cuda(id)),
                Err(Refused::Cuda(e)) => return Err(cuda_refused(id, &e, settings)),
                Err(Refused::Other(e)) => return Err(e),
            },
            Device::Auto => match open_session(env, path, settings, Some(0)) {
                Ok(session) => (session, Device::Cuda(0)),
                Err(Refused::Cuda(e)) => {
                    tracing::info!(model = %path.display(), reason = %e, "device = auto: CUDA cannot be used, running on the CPU");
                    (open_session(env, path, settings, None)?, Device::Cpu)
                }
                Err(Refused::Other(e)) => return Err(e),
            },
        };
        let inputs = session
            .inputs()
            .iter()
            .map(|o| signature(o.name(), o.dtype(), path))
            .collect::<Result<Vec<_>, _>>()?;
        let outputs = session
            .outputs()
            .iter()
            .map(|o| signature(o.name(), o.dtype(), path))
            .collect::<Result<Vec<_>, _>>()?;
        tracing::debug!(
            model = %path.display(),
            inputs = ?inputs,
            outputs = ?outputs,
            threads = settings.intra_threads(),
            %device,
            "opened ONNX model"
        );
        Ok(Self {
            session,
            path: path.to_path_buf(),
            device,
            inputs,
            outputs,
        })
    }

    /// Runs the graph with one tensor per input (in graph order) and returns every
    /// output (in graph order) as shape + data.
    pub fn run(&mut self, inputs: &[(&[i64], &[f32])]) -> Result<Vec<TensorData>, String> {
        let path = self.path.display().to_string();
        let values = inputs
            .iter()
            .map(|(shape, data)| {
                TensorRef::from_array_view((shape.to_vec(), *data))
                    .map(ort::session::SessionInputValue::from)
                    .map_err(|e| format!("{path}: input tensor: {e}"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let outputs = self
            .session
            .run(values.as_slice())
            .map_err(|e| format!("{path}: inference failed: {e}"))?;
        outputs
            .values()
            .map(|v| {
                v.try_extract_tensor::<f32>()
                    .map(|(shape, data)| (shape.to_vec(), data.to_vec()))
                    .map_err(|e| format!("{path}: output tensor: {e}"))
            })
            .collect()
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

//! One ONNX model file opened in ONNX Runtime: settings from `[backends.onnx]`, the
//! signature read from the graph, and a `run` that binds inputs and outputs by position.

use std::path::{Path, PathBuf};

use ort::session::Session;
use ort::session::builder::GraphOptimizationLevel;
use ort::value::{TensorRef, ValueType};
use stemset_sdk::params::Params;
use stemset_sdk::settings::BackendSettings;

use crate::runtime;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Device {
    Cpu,
    Cuda(i32),
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
                    "[backends.onnx] device = \"{other}\": valid values are cpu, cuda, cuda:N"
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
        let fail = |e: ort::Error<_>| format!("{}: {e}", path.display());
        let mut builder = Session::builder(env)
            .map_err(|e| format!("{}: {e}", path.display()))?
            .with_optimization_level(GraphOptimizationLevel::All)
            .map_err(fail)?
            .with_intra_threads(settings.intra_threads())
            .map_err(fail)?
            .with_inter_threads(1)
            .map_err(fail)?;
        let cpu = ort::ep::CPU::default()
            .with_arena_allocator(settings.memory_arena)
            .build();
        let providers = match settings.device {
            // Falls back to CPU (with ONNX Runtime's warning) when the loaded runtime has
            // no CUDA provider.
            Device::Cuda(id) => vec![ort::ep::CUDA::default().with_device_id(id).build(), cpu],
            Device::Cpu => vec![cpu],
        };
        builder = builder
            .with_memory_pattern(settings.memory_arena)
            .map_err(fail)?
            .with_execution_providers(providers)
            .map_err(fail)?;
        let session = builder.commit_from_file(path).map_err(|e| {
            format!(
                "{} is not a model ONNX Runtime can load: {e}",
                path.display()
            )
        })?;
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
            "opened ONNX model"
        );
        Ok(Self {
            session,
            path: path.to_path_buf(),
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

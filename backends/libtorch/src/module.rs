//! One TorchScript file loaded in libtorch: load on the configured device, and a
//! forward pass from and to plain `f32` buffers with the output's shape checked by the
//! caller. Every libtorch call goes through tch's fallible (`f_`) API so that a bad
//! file or a shape mismatch is an error naming the file, never a panic.

use std::path::{Path, PathBuf};

use tch::{CModule, IValue, Kind, Tensor};

use crate::settings::TorchSettings;

#[derive(Debug, thiserror::Error)]
pub enum ModuleError {
    #[error(
        "{path}: not a TorchScript module (save one with torch.jit.save, see scripts/export-torchscript): {reason}"
    )]
    NotTorchScript { path: PathBuf, reason: String },
    #[error("{path}: {reason}")]
    Signature { path: PathBuf, reason: String },
    #[error("{path}: forward pass failed: {reason}")]
    Forward { path: PathBuf, reason: String },
}

/// libtorch's messages carry a C++ backtrace after the first lines; keep the message.
fn short(e: &tch::TchError) -> String {
    let text = e.to_string();
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("Exception raised from"))
        .take_while(|l| !l.starts_with("frame #"))
        .take(3)
        .collect();
    lines.join(" ")
}

pub struct TorchModule {
    module: CModule,
    pub path: PathBuf,
    settings: TorchSettings,
}

impl TorchModule {
    /// Where it runs: `cpu` or `cuda:N` (the device was checked when it loaded).
    pub fn device(&self) -> String {
        self.settings.device.to_string()
    }

    pub fn load(path: &Path, settings: &TorchSettings) -> Result<Self, ModuleError> {
        settings.apply_threads();
        let not_ts = |reason: String| ModuleError::NotTorchScript {
            path: path.to_path_buf(),
            reason,
        };
        let mut module =
            CModule::load_on_device(path, settings.device.tch()).map_err(|e| not_ts(short(&e)))?;
        module.f_set_eval().map_err(|e| not_ts(short(&e)))?;
        if settings.half {
            let device = settings.device.tch();
            // CModule::to has no fallible variant; its panic carries libtorch's message.
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                module.to(device, Kind::Half, false)
            }))
            .map_err(|_| ModuleError::Signature {
                path: path.to_path_buf(),
                reason: "cannot convert the module to float16".into(),
            })?;
        }
        Ok(Self {
            module,
            path: path.to_path_buf(),
            settings: settings.clone(),
        })
    }

    /// Runs `forward` once on a silent `[1, 2, len]` window and returns the output's
    /// shape, or a signature error (`expected` says what the architecture needs) when
    /// the module fails on that input.
    pub fn probe(&self, len: usize, expected: &str) -> Result<Vec<i64>, ModuleError> {
        match self.forward(&vec![0.0; 2 * len], &[1, 2, len as i64]) {
            Ok((shape, _)) => Ok(shape),
            Err(ModuleError::Forward { reason, .. }) => {
                Err(self
                    .signature_error(format!("it fails on [1, 2, {len}]: {reason}; {expected}")))
            }
            Err(e) => Err(e),
        }
    }

    pub fn signature_error(&self, reason: String) -> ModuleError {
        ModuleError::Signature {
            path: self.path.clone(),
            reason,
        }
    }

    fn forward_err(&self, e: &tch::TchError) -> ModuleError {
        ModuleError::Forward {
            path: self.path.clone(),
            reason: short(e),
        }
    }

    /// Runs `forward` on one float32 tensor of `shape` (`data` row-major) without
    /// gradient tracking; returns the output's shape and values (row-major, float32).
    pub fn forward(
        &self,
        data: &[f32],
        shape: &[i64],
    ) -> Result<(Vec<i64>, Vec<f32>), ModuleError> {
        let _no_grad = tch::no_grad_guard();
        let kind = if self.settings.half {
            Kind::Half
        } else {
            Kind::Float
        };
        let input = Tensor::f_from_slice(data)
            .and_then(|t| t.f_reshape(shape))
            .and_then(|t| t.f_to_device(self.settings.device.tch()))
            .and_then(|t| t.f_to_kind(kind))
            .map_err(|e| self.forward_err(&e))?;
        let output = self
            .module
            .forward_is(&[IValue::Tensor(input)])
            .map_err(|e| self.forward_err(&e))?;
        let tensor = match output {
            IValue::Tensor(t) => t,
            IValue::Tuple(items) | IValue::GenericList(items) => {
                return Err(ModuleError::Signature {
                    path: self.path.clone(),
                    reason: format!(
                        "forward returns {} values; a separation export returns one tensor",
                        items.len()
                    ),
                });
            }
            IValue::TensorList(items) => {
                return Err(ModuleError::Signature {
                    path: self.path.clone(),
                    reason: format!(
                        "forward returns a list of {} tensors; a separation export returns one tensor",
                        items.len()
                    ),
                });
            }
            _ => {
                return Err(ModuleError::Signature {
                    path: self.path.clone(),
                    reason: "forward does not return a tensor".into(),
                });
            }
        };
        let shape = tensor.size();
        let cpu = tensor
            .f_to_kind(Kind::Float)
            .and_then(|t| t.f_to_device(tch::Device::Cpu))
            .and_then(|t| t.f_contiguous())
            .map_err(|e| self.forward_err(&e))?;
        let numel = cpu.numel();
        let mut values = vec![0.0f32; numel];
        cpu.f_copy_data(&mut values, numel)
            .map_err(|e| self.forward_err(&e))?;
        Ok((shape, values))
    }
}

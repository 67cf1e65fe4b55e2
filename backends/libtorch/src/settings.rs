//! `[backends.libtorch]` in plugins.toml: device, threads, half precision.

use std::sync::OnceLock;

use stemset_sdk::params::Params;
use stemset_sdk::settings::BackendSettings;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TorchDevice {
    Cpu,
    Cuda(usize),
}

impl std::fmt::Display for TorchDevice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TorchDevice::Cpu => write!(f, "cpu"),
            TorchDevice::Cuda(n) => write!(f, "cuda:{n}"),
        }
    }
}

impl TorchDevice {
    pub fn tch(self) -> tch::Device {
        match self {
            TorchDevice::Cpu => tch::Device::Cpu,
            TorchDevice::Cuda(n) => tch::Device::Cuda(n),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TorchSettings {
    pub device: TorchDevice,
    /// Intra-op threads on the CPU; 0 = all cores but one (at least one).
    pub threads: usize,
    /// Run the model in float16 (CUDA only): about half the memory, faster on tensor
    /// cores, outputs differ from float32 by ~1e-3.
    pub half: bool,
}

impl TorchSettings {
    pub fn from_backend(settings: &BackendSettings) -> Result<Self, String> {
        let mut p = Params::new(&settings.table);
        let threads = p.int("threads", 0, 0..=1024)? as usize;
        let half = p.bool("half", false)?;
        let device = match p.opt_string("device")?.as_deref() {
            None | Some("cpu") => TorchDevice::Cpu,
            Some("cuda") => TorchDevice::Cuda(0),
            Some(d) => match d.strip_prefix("cuda:").map(str::parse::<usize>) {
                Some(Ok(n)) => TorchDevice::Cuda(n),
                _ => {
                    return Err(format!(
                        "[backends.libtorch] device = \"{d}\": valid values are cpu, cuda, cuda:N"
                    ));
                }
            },
        };
        p.finish()
            .map_err(|e| format!("[backends.libtorch]: {}", e.replace("params.", "")))?;
        if half && device == TorchDevice::Cpu {
            return Err(
                "[backends.libtorch] half = true needs a CUDA device (device = \"cuda\"); \
                 float16 on the CPU is slower than float32"
                    .into(),
            );
        }
        Ok(Self {
            device,
            threads,
            half,
        })
    }

    pub fn intra_threads(&self) -> usize {
        if self.threads > 0 {
            return self.threads;
        }
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        cores.saturating_sub(1).max(1)
    }

    /// libtorch's thread pool is per process: the first model sets it; a later one
    /// asking for another size is told so in the log.
    pub fn apply_threads(&self) {
        static APPLIED: OnceLock<usize> = OnceLock::new();
        let wanted = self.intra_threads();
        let applied = *APPLIED.get_or_init(|| {
            tch::set_num_threads(wanted as i32);
            wanted
        });
        if applied != wanted {
            tracing::warn!(
                applied,
                wanted,
                "libtorch's thread pool is per process; keeping the first size"
            );
        }
    }

    /// Checks that the device exists in this build of libtorch.
    pub fn check_device(&self) -> Result<(), String> {
        let TorchDevice::Cuda(n) = self.device else {
            return Ok(());
        };
        if !tch::Cuda::is_available() {
            return Err(format!(
                "[backends.libtorch] device = \"cuda:{n}\" but libtorch sees no CUDA device: \
                 this binary must be built with `--features libtorch-cuda` and run where the \
                 NVIDIA driver and the full `torch` wheel's CUDA libraries are; or use \
                 device = \"cpu\""
            ));
        }
        let count = tch::Cuda::device_count().max(0) as usize;
        if n >= count {
            return Err(format!(
                "[backends.libtorch] device = \"cuda:{n}\" but there {} {count} CUDA device{}",
                if count == 1 { "is" } else { "are" },
                if count == 1 { "" } else { "s" }
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(text: &str) -> Result<TorchSettings, String> {
        let table: toml::Table = toml::from_str(text).map_err(|e| e.to_string())?;
        TorchSettings::from_backend(&BackendSettings {
            name: "libtorch".into(),
            table,
        })
    }

    #[test]
    fn devices_and_options_are_validated() {
        assert_eq!(settings("").map(|s| s.device), Ok(TorchDevice::Cpu));
        assert_eq!(
            settings("device = \"cuda:1\"\nhalf = true").map(|s| (s.device, s.half)),
            Ok((TorchDevice::Cuda(1), true))
        );
        assert_eq!(
            settings("device = \"cuda\"").map(|s| s.device),
            Ok(TorchDevice::Cuda(0))
        );
        let e = settings("device = \"tpu\"").expect_err("bad device");
        assert!(e.contains("cpu, cuda, cuda:N"), "{e}");
        let e = settings("half = true").expect_err("half on cpu");
        assert!(e.contains("CUDA"), "{e}");
        let e = settings("thread = 2").expect_err("unknown key");
        assert!(e.contains("thread"), "{e}");
    }
}

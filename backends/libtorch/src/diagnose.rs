//! `stemset doctor` for the libtorch backend: the libtorch this build links, a tiny
//! computation on the CPU, and the CUDA devices libtorch sees.

use stemset_sdk::diagnosis::Finding;
use stemset_sdk::settings::BackendSettings;
use tch::{Kind, Tensor};

use crate::settings::{TorchDevice, TorchSettings};

pub fn diagnose(settings: &BackendSettings) -> Vec<Finding> {
    let torch = match TorchSettings::from_backend(settings) {
        Ok(t) => t,
        Err(e) => {
            return vec![Finding::failure(
                "backend libtorch: settings",
                e,
                "fix [backends.libtorch] in plugins.toml",
            )];
        }
    };
    let mut findings = vec![Finding::ok(
        "backend libtorch: runtime",
        format!(
            "libtorch linked from {} (cuDNN {})",
            env!("STEMSET_LIBTORCH_LIB_DIR"),
            if tch::Cuda::cudnn_is_available() {
                "available"
            } else {
                "not available"
            }
        ),
    )];
    findings.push(match double(tch::Device::Cpu) {
        Ok(()) => Finding::ok(
            "backend libtorch: cpu",
            match torch.intra_threads() {
                1 => "a test computation ran (1 thread)".to_string(),
                n => format!("a test computation ran ({n} threads)"),
            },
        ),
        Err(e) => Finding::failure(
            "backend libtorch: cpu",
            format!("a test computation failed: {e}"),
            "reinstall the libtorch of the README (torch==2.13.0) and rebuild",
        ),
    });
    let count = if tch::Cuda::is_available() {
        tch::Cuda::device_count().max(0) as usize
    } else {
        0
    };
    findings.push(match torch.device {
        TorchDevice::Cpu if count == 0 => Finding::ok(
            "backend libtorch: cuda",
            "not used (device = \"cpu\"; libtorch sees no CUDA device)",
        ),
        TorchDevice::Cpu => Finding::ok(
            "backend libtorch: cuda",
            format!("{count} CUDA device(s) seen, but device = \"cpu\""),
        ),
        TorchDevice::Cuda(n) => match torch.check_device() {
            Err(e) => Finding::failure(
                format!("backend libtorch: cuda:{n}"),
                e,
                "build with `--features libtorch-cuda` on a machine with the NVIDIA driver, or set device = \"cpu\"",
            ),
            Ok(()) => match double(tch::Device::Cuda(n)) {
                Ok(()) => Finding::ok(
                    format!("backend libtorch: cuda:{n}"),
                    format!("a test computation ran on the GPU ({count} device(s))"),
                ),
                Err(e) => Finding::failure(
                    format!("backend libtorch: cuda:{n}"),
                    format!("a test computation failed on the GPU: {e}"),
                    "check the NVIDIA driver and CUDA libraries (nvidia-smi)",
                ),
            },
        },
    });
    findings
}

/// `x * 2` on four values on `device`, read back.
fn double(device: tch::Device) -> Result<(), String> {
    let x = [1.0f32, 2.0, 3.0, 4.0];
    let y = Tensor::f_from_slice(&x)
        .and_then(|t| t.f_to_device(device))
        .and_then(|t| t.f_mul_scalar(2.0))
        .and_then(|t| t.f_to_kind(Kind::Float))
        .and_then(|t| t.f_to_device(tch::Device::Cpu))
        .map_err(|e| e.to_string())?;
    let mut values = vec![0.0f32; 4];
    y.f_copy_data(&mut values, 4).map_err(|e| e.to_string())?;
    if values != [2.0, 4.0, 6.0, 8.0] {
        return Err(format!("computed {values:?} instead of [2, 4, 6, 8]"));
    }
    Ok(())
}

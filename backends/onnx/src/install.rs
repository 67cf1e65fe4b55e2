//! Where `stemset runtime install` puts ONNX Runtime, and the wheels it installs from:
//! PyPI's `onnxruntime` (CPU) and `onnxruntime-gpu` + the NVIDIA runtime wheels it needs
//! (CUDA 13), pinned by URL and SHA-256 here, so that the install needs no Python and
//! downloads exactly the bytes this build was verified with.

use std::path::PathBuf;

/// The ONNX Runtime release the pinned wheels hold.
pub const ORT_VERSION: &str = "1.31.1";

/// A wheel to download, pinned.
#[derive(Debug, Clone, Copy)]
pub struct Wheel {
    pub url: &'static str,
    pub sha256: &'static str,
}

macro_rules! wheel {
    ($path:literal, $sha:literal) => {
        Wheel {
            url: concat!("https://files.pythonhosted.org/packages", $path),
            sha256: $sha,
        }
    };
}

const CPU_X86_64: Wheel = wheel!(
    "/eb/27/c6a823bac55b2977bea2027c3ec9393a2c1002cb9a09eb40354563e02730/onnxruntime-1.31.1-cp312-cp312-manylinux_2_28_x86_64.whl",
    "1f3dea47f2f0e5117c2404cea7d21fd253ae7836a3bf167a501cdfbb2600d536"
);
const CPU_AARCH64: Wheel = wheel!(
    "/ba/e4/1ed1a7a5f4702d899091fa2b976d377995250c307326ec8dc9ae6378aa13/onnxruntime-1.31.1-cp312-cp312-manylinux_2_28_aarch64.whl",
    "0b9a492176886992e0e875f06bc0367e333f5fff11711a2d642e18b02f3009cc"
);
/// onnxruntime-gpu, then what its CUDA provider links (its `cuda` and `cudnn` extras,
/// plus cuBLAS, which the provider needs and the extras leave to the system).
const GPU_X86_64: [Wheel; 7] = [
    wheel!(
        "/22/97/9531b4d9e566cf2a0f04b4b5c26a3bc0ef2e2e0b6bc943a02c0eead98cf7/onnxruntime_gpu-1.31.1-cp312-cp312-manylinux_2_28_x86_64.whl",
        "05d548956197b9d01f59b625de740e0d6be3593f874e241a12dc0362650ecdf7"
    ),
    wheel!(
        "/0b/7c/14b8f5518f8951e9dca57ea80f44f8ea8bcc8671812e6cc38009f3205e57/nvidia_cuda_runtime-13.5.37-py3-none-manylinux2014_x86_64.manylinux_2_17_x86_64.whl",
        "df2b79a8852f10d1fef8c848489c49eebb5754051bf870202a862831412b179d"
    ),
    wheel!(
        "/b4/12/16628161ed8c109c8c73b38167df50cbc630a8a6e6548e2534d461526c3c/nvidia_cublas-13.10.0.20-py3-none-manylinux1_x86_64.manylinux_2_5_x86_64.whl",
        "dcc6d63884c53d07e267ce7e6feac17b2538cebaafec5db865736c3e28e4dc84"
    ),
    wheel!(
        "/12/63/636e5dc9afb2959bfc0042a357d5567358df829b66c96d9fc36d77dc0596/nvidia_curand-10.4.5.25-py3-none-manylinux_2_27_x86_64.whl",
        "22bb226a857e5888fe6b54ae465fc4371296bcff13a35f79e19691bcf454f529"
    ),
    wheel!(
        "/c6/8f/f909edaadf9a7acf1b92f805a384b6984193bd595b45005f8e320d4170cf/nvidia_cufft-12.5.0.14-py3-none-manylinux2014_x86_64.manylinux_2_17_x86_64.whl",
        "b8be26837a5abad2b5b74f3e92dd29f622a42934b355be0961a48712cbba23ad"
    ),
    wheel!(
        "/a9/54/db4e7f650746265f61c05cf1f8f556dd8c6739b58c823fbc9a7d6fda3247/nvidia_cuda_nvrtc-13.5.37-py3-none-manylinux2010_x86_64.manylinux_2_12_x86_64.whl",
        "86b4d68058807988b7d9af5b44917a0601e9c337f35ccd657bfb3c759ff8d8bc"
    ),
    wheel!(
        "/ef/6f/94535c450d44a68ef0b43d7a5e54c0e5ecda2ca3db7daec5d54c8d94e0d8/nvidia_cudnn_cu13-9.28.1.4-py3-none-manylinux_2_27_x86_64.whl",
        "a54f205b1db1f2895d99f398754db1369816f0569dd459731f925635cf7b65ec"
    ),
];

/// The pinned wheels for this platform, or why there are none.
pub fn wheels(gpu: bool) -> Result<Vec<Wheel>, String> {
    match (std::env::consts::OS, std::env::consts::ARCH, gpu) {
        ("linux", "x86_64", false) => Ok(vec![CPU_X86_64]),
        ("linux", "aarch64", false) => Ok(vec![CPU_AARCH64]),
        ("linux", "x86_64", true) => Ok(GPU_X86_64.to_vec()),
        (os, arch, gpu) => Err(format!(
            "no pinned ONNX Runtime{} wheel for {os}/{arch}: install PyPI's {} with pip and set ORT_DYLIB_PATH (see the README)",
            if gpu { " GPU" } else { "" },
            if gpu {
                "onnxruntime-gpu"
            } else {
                "onnxruntime"
            }
        )),
    }
}

/// Stemset's data folder: `$STEMSET_DATA_DIR`, else `$XDG_DATA_HOME/stemset`, else
/// `~/.local/share/stemset`.
pub fn data_dir() -> Option<PathBuf> {
    let var = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    var("STEMSET_DATA_DIR")
        .or_else(|| var("XDG_DATA_HOME").map(|d| d.join("stemset")))
        .or_else(|| var("HOME").map(|h| h.join(".local/share/stemset")))
}

/// The folder an installed runtime lives in (`onnxruntime/1.31.1` or `1.31.1-gpu`).
pub fn runtime_dir(gpu: bool) -> Option<PathBuf> {
    let suffix = if gpu { "-gpu" } else { "" };
    Some(
        data_dir()?
            .join("onnxruntime")
            .join(format!("{ORT_VERSION}{suffix}")),
    )
}

/// What of a wheel is installed: ONNX Runtime's own libraries and the NVIDIA ones; the
/// Python bindings and everything else stay out.
pub fn wanted(entry: &str) -> Option<&str> {
    let name = entry.rsplit('/').next()?;
    let ours = entry.starts_with("onnxruntime/capi/")
        && name.starts_with("libonnxruntime")
        && !name.contains("tensorrt");
    let nvidia = entry.starts_with("nvidia/") && entry.contains("/lib/") && name.contains(".so");
    (ours || nvidia).then_some(name)
}

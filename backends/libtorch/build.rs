//! Finds libtorch (PyPI `torch==2.13.0`'s `torch/` folder, named by `LIBTORCH`), fails
//! with install instructions when it is missing, and bakes its `lib/` folder into this
//! crate's test binaries as an rpath. Binaries of other crates (the `stemset` CLI) read
//! the folder from `DEP_STEMSET_LIBTORCH_LIB_DIR` (this crate `links` it) and do the same.

use std::path::PathBuf;

const HOW: &str = "install the libtorch subset from PyPI and point LIBTORCH at it:\n\
    python3 -m venv .venv-ml\n\
    .venv-ml/bin/pip install --no-deps torch==2.13.0 nvidia-cuda-runtime==13.0.96 nvidia-cuda-cupti==13.0.85\n\
    export LIBTORCH=$PWD/.venv-ml/lib/python3.11/site-packages/torch\n\
(or build without the `libtorch` feature)";

fn main() {
    println!("cargo:rerun-if-env-changed=LIBTORCH");
    let Some(dir) = std::env::var_os("LIBTORCH") else {
        panic!("the libtorch backend needs libtorch 2.13.0 and LIBTORCH is not set; {HOW}");
    };
    let lib = PathBuf::from(dir).join("lib");
    if !lib.join("libtorch_cpu.so").is_file() {
        panic!(
            "LIBTORCH is set but {} has no libtorch_cpu.so; {HOW}",
            lib.display()
        );
    }
    println!("cargo:rustc-link-arg=-Wl,-rpath,{}", lib.display());
    if std::env::var_os("CARGO_FEATURE_CUDA").is_some() {
        // Rust links with --as-needed, which drops libtorch_cuda (nothing calls it
        // directly) and with it CUDA support; keep it.
        println!(
            "cargo:rustc-link-arg=-Wl,--no-as-needed,-L{},-ltorch_cuda,--as-needed",
            lib.display()
        );
    }
    println!("cargo:lib_dir={}", lib.display());
    // `stemset doctor` says which libtorch this build runs with.
    println!("cargo:rustc-env=STEMSET_LIBTORCH_LIB_DIR={}", lib.display());
}

//! With the `libtorch` feature, gives the `stemset` binary (and its tests) an rpath to libtorch's lib
//! folder (found by the backend's build script and passed on through `links`), so it
//! runs without LD_LIBRARY_PATH; with `libtorch-cuda`, keeps libtorch_cuda linked.

fn main() {
    let Ok(lib) = std::env::var("DEP_STEMSET_LIBTORCH_LIB_DIR") else {
        return;
    };
    println!("cargo:rustc-link-arg=-Wl,-rpath,{lib}");
    if std::env::var_os("CARGO_FEATURE_LIBTORCH_CUDA").is_some() {
        println!("cargo:rustc-link-arg=-Wl,--no-as-needed,-L{lib},-ltorch_cuda,--as-needed");
    }
}

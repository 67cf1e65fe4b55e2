//! Finding and loading ONNX Runtime. Stemset links it at run time (ort's `load-dynamic`)
//! so the build downloads nothing; the library comes from PyPI's `onnxruntime` wheel.
//!
//! Search order: `[backends.onnx] library` in plugins.toml, `ORT_DYLIB_PATH`, then known
//! places (next to the executable, an active or project virtualenv, user and system
//! Python site-packages, system library folders). One runtime per process.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use ort::environment::Environment;

/// The wheel version this build was verified with.
pub const ORT_WHEEL: &str = "onnxruntime==1.31.1";

static ENVIRONMENT: OnceLock<Environment> = OnceLock::new();
static INIT: Mutex<()> = Mutex::new(());

pub fn install_hint() -> String {
    format!(
        "ONNX Runtime was not found. Install it with `stemset runtime install` (or \
         `stemset runtime install --gpu` for CUDA), or from PyPI and point Stemset at it:\n  \
         python3 -m venv .venv-ml && .venv-ml/bin/pip install {ORT_WHEEL}\n  \
         export ORT_DYLIB_PATH=$(ls .venv-ml/lib/python3*/site-packages/onnxruntime/capi/libonnxruntime.so.*)\n\
         (or set `library = \"...\"` under [backends.onnx] in plugins.toml)"
    )
}

/// Files in `dir` whose name starts with `libonnxruntime.so` (the wheel ships only a
/// versioned name), newest name last.
pub fn libraries_in(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("libonnxruntime.so") && !n.contains("providers"))
                && p.is_file()
        })
        .collect();
    found.sort();
    found
}

/// `<prefix>/lib/python3*/{site,dist}-packages/onnxruntime/capi`.
fn wheel_dirs(prefix: &Path) -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    let Ok(entries) = std::fs::read_dir(prefix.join("lib")) else {
        return dirs;
    };
    for e in entries.filter_map(|e| e.ok()) {
        let name = e.file_name();
        if name.to_string_lossy().starts_with("python3") {
            for pkgs in ["site-packages", "dist-packages"] {
                dirs.push(e.path().join(pkgs).join("onnxruntime").join("capi"));
            }
        }
    }
    dirs
}

fn candidates() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    // `stemset runtime install`: the GPU build first, as whoever installed it wants it.
    dirs.extend(crate::install::runtime_dir(true));
    dirs.extend(crate::install::runtime_dir(false));
    if let Ok(exe) = std::env::current_exe()
        && let Some(dir) = exe.parent()
    {
        dirs.push(dir.to_path_buf());
        dirs.push(dir.join("lib"));
    }
    let mut prefixes = Vec::new();
    if let Ok(venv) = std::env::var("VIRTUAL_ENV") {
        prefixes.push(PathBuf::from(venv));
    }
    // The project's own virtualenv (`.venv-ml`, see the README), in this folder or above.
    if let Ok(cwd) = std::env::current_dir() {
        for dir in cwd.ancestors() {
            prefixes.push(dir.join(".venv-ml"));
            prefixes.push(dir.join(".venv"));
        }
    }
    if let Ok(home) = std::env::var("HOME") {
        prefixes.push(Path::new(&home).join(".local"));
    }
    prefixes.push(PathBuf::from("/usr/local"));
    prefixes.push(PathBuf::from("/usr"));
    for p in &prefixes {
        dirs.extend(wheel_dirs(p));
    }
    for d in ["/usr/local/lib", "/usr/lib/x86_64-linux-gnu", "/usr/lib"] {
        dirs.push(PathBuf::from(d));
    }
    dirs.iter().flat_map(|d| libraries_in(d)).collect()
}

/// The library to load: configured path, `ORT_DYLIB_PATH`, or the first one found.
pub fn locate(configured: Option<&str>) -> Result<PathBuf, String> {
    if let Some(path) = configured.filter(|p| !p.is_empty()) {
        let p = PathBuf::from(path);
        return if p.is_file() {
            Ok(p)
        } else {
            Err(format!(
                "[backends.onnx] library = \"{path}\" does not exist.\n{}",
                install_hint()
            ))
        };
    }
    if let Ok(path) = std::env::var("ORT_DYLIB_PATH")
        && !path.is_empty()
    {
        let p = PathBuf::from(&path);
        return if p.is_file() {
            Ok(p)
        } else {
            Err(format!(
                "ORT_DYLIB_PATH={path} does not exist.\n{}",
                install_hint()
            ))
        };
    }
    candidates().into_iter().next().ok_or_else(install_hint)
}

/// Loads the NVIDIA libraries installed beside the runtime (`stemset runtime install
/// --gpu` puts them in one folder) first, so that the CUDA provider, which finds its
/// dependencies by name only, resolves them there. Libraries whose own dependencies are
/// not loaded yet are retried after the others.
fn preload_neighbours(library: &Path) {
    let Some(dir) = library.parent() else { return };
    if crate::install::runtime_dir(true).as_deref() != Some(dir) {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut pending: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                n.starts_with("lib") && n.contains(".so") && !n.starts_with("libonnxruntime")
            })
        })
        .collect();
    pending.sort();
    loop {
        let before = pending.len();
        // Kept loaded for the life of the process, like the runtime itself; the loader
        // then resolves the provider's dependencies by name to these.
        pending.retain(|p| ort::util::preload_dylib(p).is_err());
        if pending.is_empty() || pending.len() == before {
            break;
        }
    }
    for p in &pending {
        tracing::debug!(library = %p.display(), "not preloaded (its dependencies are missing)");
    }
}

/// The process-wide ONNX Runtime environment, loading the library on first use.
pub fn environment(configured: Option<&str>) -> Result<&'static Environment, String> {
    if let Some(env) = ENVIRONMENT.get() {
        return Ok(env);
    }
    let _guard = INIT.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(env) = ENVIRONMENT.get() {
        return Ok(env);
    }
    let path = locate(configured)?;
    tracing::info!(library = %path.display(), "loading ONNX Runtime");
    preload_neighbours(&path);
    let builder = ort::init_from(&path).map_err(|e| {
        format!(
            "cannot load ONNX Runtime from {}: {e}\n{}",
            path.display(),
            install_hint()
        )
    })?;
    let env = builder
        .with_name("stemset")
        .build()
        .map_err(|e| format!("cannot start ONNX Runtime ({}): {e}", path.display()))?;
    Ok(ENVIRONMENT.get_or_init(|| env))
}

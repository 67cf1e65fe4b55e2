//! `stemset runtime install`: ONNX Runtime without Python. Downloads the pinned PyPI
//! wheel(s) for this platform (SHA-256 checked, resumable like `models pull`), takes the
//! shared libraries out of them into Stemset's data folder, where every command finds
//! them, and loads the result once to show that it works.

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::Subcommand;
use indicatif::HumanBytes;
use stemset_backend_onnx::install::{self, ORT_VERSION, Wheel};

use crate::download::{self, PullOptions, Pulled};

#[derive(Subcommand)]
pub enum RuntimeCommand {
    /// Download ONNX Runtime from PyPI (a pinned wheel, SHA-256 checked, resumable) into
    /// Stemset's data folder ($STEMSET_DATA_DIR, else ~/.local/share/stemset).
    Install(InstallArgs),
}

#[derive(clap::Args)]
pub struct InstallArgs {
    /// The CUDA build (onnxruntime-gpu) and the NVIDIA runtime wheels it needs (about
    /// 2 GB); needs an NVIDIA driver.
    #[arg(long)]
    gpu: bool,
    /// Install again even when it is installed.
    #[arg(long)]
    force: bool,
    /// Install this onnxruntime wheel instead of the pinned one (a mirror, an internal
    /// artifact server); needs --sha256.
    #[arg(long, requires = "sha256", conflicts_with = "gpu")]
    from: Option<String>,
    /// The SHA-256 of the --from wheel.
    #[arg(long, requires = "from")]
    sha256: Option<String>,
}

pub async fn run(command: RuntimeCommand) -> anyhow::Result<ExitCode> {
    match command {
        RuntimeCommand::Install(args) => install_runtime(args).await,
    }
}

/// The runtime library in an installed folder (the onnx backend's own lookup).
fn library_in(dir: &Path) -> Option<PathBuf> {
    stemset_backend_onnx::runtime::libraries_in(dir).pop()
}

async fn install_runtime(args: InstallArgs) -> anyhow::Result<ExitCode> {
    let kind = if args.gpu { "GPU (CUDA)" } else { "CPU" };
    let dir = install::runtime_dir(args.gpu).context(
        "no data folder to install into: set STEMSET_DATA_DIR (or HOME / XDG_DATA_HOME)",
    )?;
    if let Some(lib) = library_in(&dir).filter(|_| !args.force) {
        println!(
            "ONNX Runtime {ORT_VERSION} ({kind}) is already installed at {}; --force installs it again",
            lib.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let wheels: Vec<(String, String)> = match (&args.from, &args.sha256) {
        (Some(url), Some(sha)) => {
            if !(8..=64).contains(&sha.len()) || !sha.chars().all(|c| c.is_ascii_hexdigit()) {
                bail!("--sha256 \"{sha}\" is not a SHA-256 (64 hexadecimal digits)");
            }
            vec![(url.clone(), sha.clone())]
        }
        _ => install::wheels(args.gpu)
            .map_err(anyhow::Error::msg)?
            .iter()
            .map(|w: &Wheel| (w.url.to_string(), w.sha256.to_string()))
            .collect(),
    };
    let root = dir.parent().context("the runtime folder has no parent")?;
    let downloads = root.join("downloads");
    std::fs::create_dir_all(&downloads)
        .with_context(|| format!("cannot create {}", downloads.display()))?;

    let mut files = Vec::new();
    for (url, sha) in &wheels {
        let name = url
            .split(['?', '#'])
            .next()
            .and_then(|u| u.rsplit('/').next())
            .filter(|n| n.ends_with(".whl"))
            .with_context(|| format!("{url} does not name a .whl file"))?;
        let file = downloads.join(name);
        let options = PullOptions {
            force: args.force,
            no_verify: false,
        };
        match download::pull_sha256("onnxruntime", sha, url, &file, options).await? {
            Pulled::Interrupted { part, bytes } => {
                eprintln!(
                    "\ninterrupted; {} kept in {}: run `stemset runtime install{}` again to resume",
                    HumanBytes(bytes),
                    part.display(),
                    if args.gpu { " --gpu" } else { "" }
                );
                return Ok(ExitCode::from(130));
            }
            Pulled::Installed { path, .. } | Pulled::AlreadyInstalled { path, .. } => {
                files.push(path)
            }
        }
    }

    let mut staging_name = dir.file_name().unwrap_or_default().to_os_string();
    staging_name.push(".partial");
    let staging = dir.with_file_name(staging_name);
    let extract_to = staging.clone();
    let downloaded = files.clone();
    let extracted = tokio::task::spawn_blocking(move || extract_all(&files, &extract_to))
        .await
        .context("the extracting task failed")?;
    let extracted = match extracted {
        Ok(x) => x,
        Err(e) => {
            // Nothing half-extracted is left where the runtime is searched for.
            let _ = std::fs::remove_dir_all(&staging);
            return Err(e);
        }
    };
    if dir.exists() {
        std::fs::remove_dir_all(&dir)
            .with_context(|| format!("cannot replace the old install at {}", dir.display()))?;
    }
    std::fs::rename(&staging, &dir)
        .with_context(|| format!("cannot move {} to {}", staging.display(), dir.display()))?;
    for file in &downloaded {
        let _ = std::fs::remove_file(file);
    }
    let lib = library_in(&dir).context("the install holds no libonnxruntime.so")?;
    println!(
        "ONNX Runtime {ORT_VERSION} ({kind}): {} files, {}, installed in {}",
        extracted.files,
        HumanBytes(extracted.bytes),
        dir.display()
    );
    let check = lib.clone();
    let loaded = tokio::task::spawn_blocking(move || {
        stemset_backend_onnx::runtime::environment(check.to_str()).map(|_| ())
    })
    .await
    .context("the loading task failed")?;
    match loaded {
        Ok(()) => {
            println!(
                "{} loads; every stemset command finds it there (no ORT_DYLIB_PATH needed)",
                lib.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => bail!("installed, but {} does not load: {e}", lib.display()),
    }
}

struct Extracted {
    files: usize,
    bytes: u64,
}

/// A single library larger than this is not one (the CUDA provider, the largest, has
/// 284 MB; cuDNN's kernels about 1 GB).
const MAX_LIBRARY_BYTES: u64 = 4 << 30;

/// Takes the wanted libraries out of every wheel into `dir` (created afresh).
fn extract_all(wheels: &[PathBuf], dir: &Path) -> anyhow::Result<Extracted> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).with_context(|| format!("cannot clear {}", dir.display()))?;
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut out = Extracted { files: 0, bytes: 0 };
    let mut runtime_found = false;
    for wheel in wheels {
        let handle =
            File::open(wheel).with_context(|| format!("cannot open {}", wheel.display()))?;
        let mut zip = zip::ZipArchive::new(handle)
            .with_context(|| format!("{} is not a wheel (a zip file)", wheel.display()))?;
        let mut from_this = 0;
        for i in 0..zip.len() {
            let mut entry = zip
                .by_index(i)
                .with_context(|| format!("{}: entry {i} is unreadable", wheel.display()))?;
            let Some(name) = install::wanted(entry.name()).map(str::to_string) else {
                continue;
            };
            if entry.size() > MAX_LIBRARY_BYTES {
                bail!(
                    "{}: {} declares {} bytes, more than a library has",
                    wheel.display(),
                    entry.name(),
                    entry.size()
                );
            }
            runtime_found |= name.starts_with("libonnxruntime.so");
            let target = dir.join(&name);
            let mut file = File::create(&target)
                .with_context(|| format!("cannot write {}", target.display()))?;
            let copied = std::io::copy(&mut entry.by_ref().take(MAX_LIBRARY_BYTES), &mut file)
                .with_context(|| format!("{}: cannot extract {name}", wheel.display()))?;
            file.flush()?;
            out.files += 1;
            out.bytes += copied;
            from_this += 1;
        }
        if from_this == 0 {
            bail!(
                "{} holds no ONNX Runtime or NVIDIA libraries: not an onnxruntime wheel (or one of the NVIDIA wheels it needs)",
                wheel.display()
            );
        }
    }
    if !runtime_found {
        bail!("the wheels hold no onnxruntime/capi/libonnxruntime.so*: not an onnxruntime wheel");
    }
    Ok(out)
}

//! `stemset worker`: the GPU-side service that runs jobs for a Stemset server.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;

#[derive(clap::Args)]
pub struct Args {
    /// Address to listen on (overrides [backends.remote-gpu] listen in plugins.toml).
    #[arg(long, env = "STEMSET_WORKER_LISTEN")]
    pub listen: Option<String>,
}

pub async fn run(config_path: &Path, args: Args) -> anyhow::Result<ExitCode> {
    let config = Arc::new(super::load_config(config_path)?);
    let worker = stemset_backend_remote_gpu::worker::start(config, args.listen)
        .await
        .context("cannot start the worker")?;
    println!("Stemset worker is listening on http://{}", worker.addr);
    crate::doctor::log_at_start("worker", config_path.to_path_buf());
    super::serve::shutdown_signal().await;
    eprintln!("draining: finishing accepted jobs (new ones are refused)");
    worker.drain().await;
    Ok(ExitCode::SUCCESS)
}

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use stemset_server::{ServerOptions, start};

#[derive(clap::Args)]
pub struct Args {
    /// Address to listen on (overrides server.listen in the config).
    #[arg(long)]
    pub listen: Option<String>,
    /// Local development only: every request runs as one dev user who owns every profile.
    /// Refused when auth.environment is production.
    #[arg(long, env = "STEMSET_BYPASS_AUTH", default_value_t = false)]
    pub bypass_auth: bool,
}

pub async fn run(config_path: &Path, args: Args) -> anyhow::Result<ExitCode> {
    let config = Arc::new(super::load_config(config_path)?);
    let server = start(
        config,
        ServerOptions {
            bypass_auth: args.bypass_auth,
            listen: args.listen,
            db: None,
        },
    )
    .await
    .context("cannot start the server")?;
    // Printed (not only logged) so scripts and people see where to go.
    println!("Stemset is serving on http://{}", server.addr);
    crate::doctor::log_at_start("serve", config_path.to_path_buf());
    shutdown_signal().await;
    eprintln!("shutting down: finishing requests in flight");
    server.shutdown().await;
    Ok(ExitCode::SUCCESS)
}

pub(crate) async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

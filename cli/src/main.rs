//! `stemset`: turn band recordings into stems and manage the library.

mod commands;
mod doctor;
mod download;
mod progress;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

// The backends this binary is built with; linking them registers them via inventory.
use stemset_backend_dsp as _;
#[cfg(feature = "libtorch")]
use stemset_backend_libtorch as _;
use stemset_backend_onnx as _;
use stemset_backend_remote_gpu as _;

// The optional backends say how to get them when a catalog names one this build lacks.
#[cfg(not(feature = "libtorch"))]
inventory::submit! {
    stemset_sdk::separator::BackendHint {
        name: "libtorch",
        hint: "libtorch is an optional feature: build stemset with `--features libtorch`, see the README",
    }
}

#[derive(Parser)]
#[command(
    name = "stemset",
    version,
    about = "Separate band recordings into stems and keep them in a library per band"
)]
struct Cli {
    /// The configuration file.
    #[arg(
        long,
        short,
        global = true,
        env = "STEMSET_CONFIG",
        default_value = "config.yaml"
    )]
    config: PathBuf,
    /// Log verbosity (also RUST_LOG): error, warn, info, debug, trace.
    #[arg(long, global = true, default_value = "warn")]
    log: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Separate every new recording in a profile's source folder.
    Process(commands::process::Args),
    /// Serve the library: GraphQL API, sign-in, media and the web app.
    Serve(commands::serve::Args),
    /// Run a GPU worker: an HTTP service that separates jobs sent by a Stemset server.
    Worker(commands::worker::Args),
    /// Two-way sync between the bucket and its local folder (storage.sync_dir).
    Sync(commands::sync::Args),
    /// Apply database migrations.
    Migrate,
    /// List the separation backends in this build and the models each can run.
    Backends,
    /// The model catalog of plugins.toml.
    Models {
        #[command(subcommand)]
        command: commands::models::ModelsCommand,
    },
    /// ONNX Runtime for the onnx backend, installed without Python.
    Runtime {
        #[command(subcommand)]
        command: commands::runtime::RuntimeCommand,
    },
    /// Check that this installation will work: config, backends and devices, models,
    /// database, storage, sign-in, the GPU worker, the web app, scratch space.
    Doctor(commands::doctor::Args),
    /// List the takes found in a recording (where the band plays), with tempo and key.
    Takes(commands::takes::Args),
    /// Write a generated demo recording (a synthetic band, no copyrighted audio).
    GenerateDemo(commands::demo::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    stemset_server::install_crypto_provider();
    // Symphonia logs every failed probe at error level; Stemset reports those itself,
    // once, naming the file.
    let filter = std::env::var("RUST_LOG")
        .unwrap_or_else(|_| format!("{},symphonia_core::formats::probe=off", cli.log));
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_writer(std::io::stderr)
        // Colour codes only on a terminal: logs redirected to a file stay greppable.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();

    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Process(args) => commands::process::run(&cli.config, args).await,
            Command::Serve(args) => commands::serve::run(&cli.config, args).await,
            Command::Worker(args) => commands::worker::run(&cli.config, args).await,
            Command::Sync(args) => commands::sync::run(&cli.config, args).await,
            Command::Migrate => commands::migrate::run(&cli.config).await,
            Command::Backends => commands::backends::run(&cli.config),
            Command::Models { command } => commands::models::run(&cli.config, command).await,
            Command::Runtime { command } => commands::runtime::run(command).await,
            Command::Doctor(args) => commands::doctor::run(&cli.config, args).await,
            Command::Takes(args) => commands::takes::run(&cli.config, args).await,
            Command::GenerateDemo(args) => commands::demo::run(args),
        }
    });
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", error_text(&e));
            ExitCode::FAILURE
        }
    }
}

/// The error and its causes on one line, each said once: library errors often include
/// their source's text in their own message, and `{:#}` would repeat it.
fn error_text(e: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in e.chain() {
        let msg = cause.to_string();
        if msg.is_empty() || text.contains(&msg) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&msg);
    }
    text
}

#[cfg(test)]
mod tests {
    #[derive(Debug, thiserror::Error)]
    #[error("cannot read plugins.toml: {0}")]
    struct Outer(#[source] std::io::Error);

    #[test]
    fn causes_are_said_once() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "No such file");
        let e = anyhow::Error::new(Outer(io)).context("cannot load the config");
        assert_eq!(
            super::error_text(&e),
            "cannot load the config: cannot read plugins.toml: No such file"
        );
    }
}

use std::path::Path;
use std::process::ExitCode;

use clap::Subcommand;

#[derive(Subcommand)]
pub enum ModelsCommand {
    /// Every catalog model with its backend, slots and whether its file is present.
    List,
}

pub fn run(config: &Path, command: ModelsCommand) -> anyhow::Result<ExitCode> {
    let config = super::load_config(config)?;
    match command {
        ModelsCommand::List => {
            for m in config.plugins.models.values() {
                let status = match &m.file {
                    None => "built-in".to_string(),
                    Some(f) if f.is_file() => format!("installed ({})", f.display()),
                    Some(f) => format!("missing ({})", f.display()),
                };
                println!(
                    "{:<24} {:<10} {:<12} {:<40} {status}",
                    m.name,
                    m.backend,
                    m.architecture,
                    m.slot_names().join(", ")
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

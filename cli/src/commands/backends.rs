use std::path::Path;
use std::process::ExitCode;

use stemset_sdk::separator::Backends;

/// Lists the backends linked into this binary and, when the config loads, the catalog
/// models each one runs.
pub fn run(config: &Path) -> anyhow::Result<ExitCode> {
    let config = match super::load_config(config) {
        Ok(c) => Some(c),
        Err(e) => {
            eprintln!("note: {e:#}\n(showing backends only)");
            None
        }
    };
    for b in Backends::registered() {
        println!("{}  {}", b.name, b.description);
        println!("  architectures: {}", b.architecture_names().join(", "));
        for a in b.architectures {
            let slots = if a.slots.is_empty() {
                "slots listed per model in the catalog".to_string()
            } else {
                let names: Vec<_> = a.slots.iter().map(|(n, _)| *n).collect();
                format!("slots: {}", names.join(", "))
            };
            println!("    {}  {} ({slots})", a.name, a.description);
        }
        if let Some(c) = &config {
            let models: Vec<_> = c
                .plugins
                .models
                .values()
                .filter(|m| m.backend == b.name)
                .collect();
            if models.is_empty() {
                println!("  models: (none in {})", c.plugins.path.display());
            }
            for m in models {
                println!(
                    "  - {}  [{}] → {}  {}",
                    m.name,
                    m.architecture,
                    m.slot_names().join(", "),
                    m.description
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

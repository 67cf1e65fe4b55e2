use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;

pub async fn run(config: &Path) -> anyhow::Result<ExitCode> {
    let config = super::load_config(config)?;
    let db = stemset_library::db::open(config.database.url.expose())
        .await
        .context("cannot connect to the database")?;
    let applied = stemset_library::db::migrate(&db)
        .await
        .context("migration failed")?;
    if applied.is_empty() {
        println!("database is up to date (no pending migrations)");
    } else {
        println!(
            "applied {} migration{}:",
            applied.len(),
            if applied.len() == 1 { "" } else { "s" }
        );
        for name in &applied {
            println!("  {name}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

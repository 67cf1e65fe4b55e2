use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;

pub async fn run(config: &Path) -> anyhow::Result<ExitCode> {
    let config = super::load_config(config)?;
    let db = stemset_core::db::connect(config.database.url.expose(), true)
        .await
        .context("cannot connect to the database")?;
    stemset_core::db::migrate(&db)
        .await
        .context("migration failed")?;
    println!("database is up to date");
    Ok(ExitCode::SUCCESS)
}

//! Running the real `stemset` binary in a test folder.

use std::path::Path;
use std::process::{Command, Output};

/// `stemset --config config.yaml ARGS` in `dir`, with the caller's Stemset environment
/// (database, media folder, config, log filter) removed.
pub fn stemset(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stemset"))
        .args(["--config", "config.yaml"])
        .args(args)
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env_remove("STEMSET_MEDIA_DIR")
        .env_remove("STEMSET_CONFIG")
        .env_remove("RUST_LOG")
        .output()
        .expect("run stemset")
}

/// stdout then stderr, for assertions and failure messages.
pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// The one recording folder `stemset process` wrote under `media` (`<media>/<profile>`),
/// after checking that it holds a non-empty `<stem>.<ext>` for every stem.
#[allow(dead_code)] // not every test binary processes recordings
pub fn processed_recording(media: &Path, stems: &[&str], ext: &str) -> std::path::PathBuf {
    let rec = std::fs::read_dir(media)
        .expect("media")
        .flatten()
        .next()
        .expect("a recording folder")
        .path();
    for stem in stems {
        let f = rec.join(format!("{stem}.{ext}"));
        let size = std::fs::metadata(&f).map(|m| m.len()).unwrap_or(0);
        assert!(size > 1000, "{} is missing or empty", f.display());
    }
    rec
}

/// A new, empty database on the test PostgreSQL server (STEMSET_TEST_POSTGRES_URL).
#[allow(dead_code)] // not every test binary uses PostgreSQL
pub async fn fresh_postgres() -> String {
    use sea_orm::{ConnectionTrait, Database};
    let admin = std::env::var("STEMSET_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_string());
    let conn = Database::connect(&admin).await.unwrap_or_else(|e| {
        panic!("PostgreSQL at {admin} is required (set STEMSET_TEST_POSTGRES_URL): {e}")
    });
    let name = format!("stemset_test_{}", uuid::Uuid::new_v4().simple());
    conn.execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create database");
    let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
    format!("{base}/{name}")
}

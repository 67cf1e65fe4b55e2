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

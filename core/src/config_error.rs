//! Problems with config.yaml or plugins.toml. Collected and reported together so a user
//! fixes a file in one pass. A leaf: it imports nothing of the crate.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{file}: syntax error: {message}")]
    Syntax { file: String, message: String },
    #[error("{file}: {path}: {message}")]
    Invalid {
        file: String,
        path: String,
        message: String,
    },
    #[error("{file}: missing environment variable{}: {}", if vars.len() == 1 { "" } else { "s" }, format_missing(vars))]
    MissingVars {
        file: String,
        /// (variable, where it is used)
        vars: Vec<(String, String)>,
    },
    #[error("{}", .0.join("\n"))]
    Many(Vec<String>),
}

fn format_missing(vars: &[(String, String)]) -> String {
    vars.iter()
        .map(|(v, at)| format!("{v} (used at {at})"))
        .collect::<Vec<_>>()
        .join(", ")
}

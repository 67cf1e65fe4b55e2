//! The error types of core. Config problems are collected and reported together so a
//! user fixes a file in one pass.

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

/// Errors of the processing pipeline.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Audio(#[from] crate::audio::AudioError),
    #[error(transparent)]
    Separation(#[from] crate::separator::SeparationError),
    #[error("storage: {0}")]
    Storage(#[from] crate::storage::StorageError),
    #[error("database: {0}")]
    Database(#[from] sea_orm::DbErr),
    #[error("{context}: {source}")]
    Io {
        context: String,
        source: std::io::Error,
    },
    #[error("{0}")]
    Other(String),
}

impl Error {
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }
}

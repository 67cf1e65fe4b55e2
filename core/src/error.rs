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
    /// A bug (a panic in a worker thread or task): the user is told what stopped, the
    /// log gets the details; no panic text reaches a user.
    pub fn internal(what: &str, detail: &dyn std::fmt::Display) -> Self {
        tracing::error!(%detail, "internal error while {what}");
        Error::Other(format!(
            "an internal error stopped {what} (the details are in the log)"
        ))
    }

    /// For a job whose source was fetched into `scratch` as `from`: the same error, naming
    /// the file as the user called it (`to`) and showing no scratch path.
    pub fn renamed(self, from: &std::path::Path, to: &str, scratch: &std::path::Path) -> Self {
        use crate::audio::scrub_text;
        use crate::separator::SeparationError as S;
        let text = |s: String| scrub_text(&s, from, to, scratch);
        match self {
            Error::Audio(a) => Error::Audio(a.renamed(from, to, scratch)),
            Error::Separation(S::Audio(a)) => {
                Error::Separation(S::Audio(a.renamed(from, to, scratch)))
            }
            Error::Separation(S::Model { model, reason }) => Error::Separation(S::Model {
                model,
                reason: text(reason),
            }),
            Error::Io { context, source } => Error::Io {
                context: text(context),
                source,
            },
            Error::Other(s) => Error::Other(text(s)),
            other => other,
        }
    }

    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }
}

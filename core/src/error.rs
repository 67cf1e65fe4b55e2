//! The error of a processing run (decode, separate, encode, store).

use stemset_audio::AudioError;
use stemset_sdk::separator::SeparationError;

use crate::config_error::ConfigError;
use crate::storage::StorageError;

/// Errors of the processing pipeline.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Audio(#[from] AudioError),
    #[error(transparent)]
    Separation(#[from] SeparationError),
    #[error("storage: {0}")]
    Storage(#[from] StorageError),
    /// The library's database (the message of the driver's error).
    #[error("database: {0}")]
    Database(String),
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

    /// A worker thread that panicked while doing `what`: its panic message goes to the
    /// log (see [`Error::internal`]).
    pub fn from_panic(what: &str, panic: &(dyn std::any::Any + Send)) -> Self {
        let detail = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Error::internal(what, &detail)
    }

    /// For a job whose source was fetched into `scratch` as `from`: the same error, naming
    /// the file as the user called it (`to`) and showing no scratch path.
    pub fn renamed(self, from: &std::path::Path, to: &str, scratch: &std::path::Path) -> Self {
        use SeparationError as S;
        use stemset_audio::scrub_text;
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

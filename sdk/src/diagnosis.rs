//! What `stemset doctor` says about one part of an installation: a [`Finding`] per check,
//! ok / warning / failure, what was found, and for a problem the fix. A backend reports
//! its runtime (which library, which version, from where) and the devices it can use
//! through [`BackendRegistration::diagnose`](crate::separator::BackendRegistration).

use serde::{Deserialize, Serialize};

use crate::settings::BackendSettings;

/// How a check came out; ordered from best to worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Health {
    Ok,
    /// Works, but something will bite later (a model not installed, no GPU for a GPU
    /// setting that falls back, a folder created at first use).
    Warning,
    /// Will not work as configured.
    Failure,
}

impl std::fmt::Display for Health {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Health::Ok => "ok",
            Health::Warning => "warning",
            Health::Failure => "failure",
        })
    }
}

/// One check's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// What was checked, e.g. `backend onnx: runtime`, `model htdemucs`, `database`.
    pub check: String,
    pub health: Health,
    /// What was found, in one line.
    pub found: String,
    /// For a warning or failure: the command to run or the setting to change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

impl Finding {
    fn new(
        check: impl Into<String>,
        health: Health,
        found: impl Into<String>,
        fix: Option<String>,
    ) -> Self {
        Self {
            check: check.into(),
            health,
            found: found.into(),
            fix,
        }
    }

    pub fn ok(check: impl Into<String>, found: impl Into<String>) -> Self {
        Self::new(check, Health::Ok, found, None)
    }

    pub fn warning(
        check: impl Into<String>,
        found: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Self::new(check, Health::Warning, found, Some(fix.into()))
    }

    pub fn failure(
        check: impl Into<String>,
        found: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Self::new(check, Health::Failure, found, Some(fix.into()))
    }

    /// The same finding, a failure turned into a warning (a runtime nothing uses yet).
    pub fn at_most_warning(mut self) -> Self {
        self.health = self.health.min(Health::Warning);
        self
    }
}

/// An error with its causes, each said once (HTTP clients leave "connection refused"
/// to a source error).
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let msg = s.to_string();
        if !text.contains(&msg) {
            text.push_str(": ");
            text.push_str(&msg);
        }
        source = s.source();
    }
    text
}

/// A backend's self-check: finds and starts its runtime with these settings, runs a tiny
/// computation on each device it could use, and says what it found. Must not touch any
/// model file or write anything.
pub type DiagnoseFn = fn(&BackendSettings) -> Vec<Finding>;

/// For backends with nothing to find: everything is built in.
pub fn built_in(settings: &BackendSettings) -> Vec<Finding> {
    vec![Finding::ok(
        format!("backend {}", settings.name),
        "built in; runs on the CPU",
    )]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn findings_serialise_for_scripts() {
        let f = Finding::failure("database", "unreachable", "start PostgreSQL");
        let text = serde_yaml_ng::to_string(&f).expect("serialise");
        assert!(text.contains("health: failure"), "{text}");
        let ok = Finding::ok("web app", "found");
        let text = serde_yaml_ng::to_string(&ok).expect("serialise");
        assert!(!text.contains("fix"), "no fix for an ok: {text}");
        assert_eq!(f.at_most_warning().health, Health::Warning);
        assert_eq!(ok.at_most_warning().health, Health::Ok);
        assert!(Health::Failure > Health::Warning && Health::Warning > Health::Ok);
    }
}

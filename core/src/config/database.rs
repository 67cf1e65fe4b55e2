//! `database`: where the library lives (SQLite file or PostgreSQL).

use std::path::Path;

use serde::Deserialize;

use crate::secret::Secret;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseConfig {
    /// `sqlite://relative/or/absolute.sqlite` or `postgres://...`.
    pub url: Secret,
}

/// Relative SQLite paths are relative to the config file, like every other path in it;
/// `mode=rwc` creates the file on first use.
pub(crate) fn resolve_sqlite_url(base: &Path, url: &str) -> String {
    let Some(rest) = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
    else {
        return url.to_string();
    };
    let (path, query) = match rest.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (rest, None),
    };
    if path == ":memory:" {
        return url.to_string();
    }
    let full = super::resolve(base, Path::new(path));
    let query = match query {
        Some(q) if q.contains("mode=") => q.to_string(),
        Some(q) => format!("{q}&mode=rwc"),
        None => "mode=rwc".to_string(),
    };
    format!("sqlite://{}?{query}", full.display())
}

//! `plugins.toml`: per-backend settings and the model catalog (name → backend, file,
//! architecture, output slots). Validated once at load; typed data from then on.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use stemset_sdk::separator::{Backends, SlotInfo};
use stemset_sdk::settings::{BackendSettings, ExtraFile, ModelSpec};

use crate::config_error::ConfigError;
use crate::vars::VarResolver;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlugins {
    /// Where `stemset models pull` puts files of entries that give a `url` but no
    /// `file`; relative to plugins.toml. Default: `models`.
    models_dir: Option<PathBuf>,
    #[serde(default)]
    backends: BTreeMap<String, toml::Table>,
    #[serde(default)]
    models: BTreeMap<String, RawModel>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawModel {
    backend: String,
    architecture: String,
    #[serde(default)]
    description: String,
    file: Option<PathBuf>,
    url: Option<String>,
    sha256: Option<String>,
    model_hash: Option<String>,
    /// Slot names; when omitted the backend's defaults for the architecture apply.
    slots: Option<Vec<String>>,
    #[serde(default)]
    params: toml::Table,
    /// Further downloads (a bag's other models), installed beside `file`.
    #[serde(default)]
    extra_files: Vec<RawExtraFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExtraFile {
    url: String,
    sha256: Option<String>,
}

/// The file name a url ends in, when it ends in one.
fn url_file_name(url: &str) -> Option<&str> {
    url.split(['?', '#'])
        .next()
        .and_then(|u| u.rsplit('/').next())
        .filter(|n| !n.is_empty() && *n != "." && *n != "..")
}

/// A `sha256` is the whole digest (64 hex digits) or, where a publisher gives no more,
/// its first 8 or more.
fn sha256_ok(v: &str) -> bool {
    (8..=64).contains(&v.len()) && v.chars().all(|c| c.is_ascii_hexdigit())
}

/// The loaded catalog.
#[derive(Debug, Clone, Default)]
pub struct Plugins {
    pub path: PathBuf,
    /// Download folder of `stemset models pull` (absolute or relative to the cwd).
    pub models_dir: PathBuf,
    pub backends: BTreeMap<String, BackendSettings>,
    pub models: BTreeMap<String, ModelSpec>,
}

impl Plugins {
    pub fn load(path: &Path, vars: &VarResolver) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(path, &text, vars)
    }

    pub fn parse(path: &Path, text: &str, vars: &VarResolver) -> Result<Self, ConfigError> {
        let file = path.display().to_string();
        let mut value: toml::Value = toml::from_str(text).map_err(|e| ConfigError::Syntax {
            file: file.clone(),
            message: e.to_string(),
        })?;
        let typed = vars.substitute_toml(&file, &mut value)?;
        let raw: RawPlugins = crate::vars::deserialize_toml(&file, value, &typed)?;
        let base = path.parent().unwrap_or(Path::new("."));
        let models_dir = match raw.models_dir {
            Some(d) if d.is_absolute() => d,
            Some(d) => base.join(d),
            None => base.join("models"),
        };
        let mut problems = Vec::new();
        let registered = Backends::names();

        let backends = raw
            .backends
            .into_iter()
            .map(|(name, table)| {
                if !registered.contains(&name.as_str()) {
                    // Settings for a backend this binary was built without are kept (the
                    // same file serves several builds) but noted.
                    tracing::debug!(backend = %name, "settings for a backend not in this build");
                }
                (name.clone(), BackendSettings { name, table })
            })
            .collect();

        let mut models = BTreeMap::new();
        for (name, m) in raw.models {
            let at = format!("models.{name}");
            let Some(reg) = Backends::find(&m.backend) else {
                // The binary says how to get the backends it can be built with.
                let hint = Backends::hint(&m.backend)
                    .map(|h| format!(" ({h})"))
                    .unwrap_or_default();
                problems.push(format!(
                    "{file}: {at}.backend: unknown backend \"{}\"; backends in this build: {}{hint}",
                    m.backend,
                    registered.join(", ")
                ));
                continue;
            };
            let Some(arch) = reg.architecture(&m.architecture) else {
                problems.push(format!(
                    "{file}: {at}.architecture: backend \"{}\" cannot run architecture \"{}\"; valid: {}",
                    m.backend,
                    m.architecture,
                    reg.architecture_names().join(", ")
                ));
                continue;
            };
            let known = arch.known_slots();
            let slots = match (m.slots, known) {
                (Some(declared), Some(known)) => {
                    let names: Vec<&str> = known.iter().map(|s| s.name.as_str()).collect();
                    let bad: Vec<&String> = declared
                        .iter()
                        .filter(|s| !names.contains(&s.as_str()))
                        .collect();
                    if !bad.is_empty() {
                        problems.push(format!(
                            "{file}: {at}.slots: architecture \"{}\" does not produce {}; it produces: {}",
                            m.architecture,
                            bad.iter().map(|s| format!("\"{s}\"")).collect::<Vec<_>>().join(", "),
                            names.join(", ")
                        ));
                        continue;
                    }
                    known
                        .into_iter()
                        .filter(|s| declared.contains(&s.name))
                        .collect()
                }
                (Some(declared), None) => declared
                    .into_iter()
                    .map(|name| SlotInfo {
                        name,
                        description: String::new(),
                    })
                    .collect(),
                (None, Some(known)) => known,
                (None, None) => {
                    problems.push(format!(
                        "{file}: {at}.slots: missing; architecture \"{}\" needs its output slots listed",
                        m.architecture
                    ));
                    continue;
                }
            };
            if slots.is_empty() {
                problems.push(format!(
                    "{file}: {at}.slots: a model needs at least one slot"
                ));
                continue;
            }
            if let Some(v) = &m.sha256
                && !sha256_ok(v)
            {
                problems.push(format!(
                    "{file}: {at}.sha256: \"{v}\" is not 64 hexadecimal digits (or the first 8 or more of them)"
                ));
            }
            if let Some(v) = &m.model_hash
                && (v.len() != 32 || !v.chars().all(|c| c.is_ascii_hexdigit()))
            {
                problems.push(format!(
                    "{file}: {at}.model_hash: \"{v}\" is not 32 hexadecimal digits"
                ));
            }
            // A downloadable model without an explicit file lands in models_dir.
            let file_path = match (m.file, &m.url) {
                (Some(f), _) => Some(if f.is_absolute() { f } else { base.join(f) }),
                (None, Some(url)) => match url_file_name(url) {
                    Some(n) => Some(models_dir.join(n)),
                    None => {
                        problems.push(format!(
                            "{file}: {at}.url: \"{url}\" does not end in a file name; add `file`"
                        ));
                        continue;
                    }
                },
                (None, None) => None,
            };
            let mut extra_files = Vec::new();
            for (i, extra) in m.extra_files.into_iter().enumerate() {
                let at = format!("{at}.extra_files[{i}]");
                let dir = file_path.as_ref().and_then(|f| f.parent());
                let (Some(dir), Some(base)) = (dir, url_file_name(&extra.url)) else {
                    problems.push(format!(
                        "{file}: {at}: needs the entry's `file` or `url` and a url that ends in a file name"
                    ));
                    continue;
                };
                if let Some(v) = &extra.sha256
                    && !sha256_ok(v)
                {
                    problems.push(format!(
                        "{file}: {at}.sha256: \"{v}\" is not 64 hexadecimal digits (or the first 8 or more of them)"
                    ));
                }
                extra_files.push(ExtraFile {
                    file: dir.join(base),
                    url: extra.url,
                    sha256: extra.sha256.map(|s| s.to_ascii_lowercase()),
                });
            }
            models.insert(
                name.clone(),
                ModelSpec {
                    name,
                    backend: m.backend,
                    architecture: m.architecture,
                    description: m.description,
                    file: file_path,
                    url: m.url,
                    sha256: m.sha256.map(|s| s.to_ascii_lowercase()),
                    model_hash: m.model_hash.map(|s| s.to_ascii_lowercase()),
                    slots,
                    params: m.params,
                    extra_files,
                },
            );
        }
        if !problems.is_empty() {
            return Err(ConfigError::Many(problems));
        }
        Ok(Plugins {
            path: path.to_path_buf(),
            models_dir,
            backends,
            models,
        })
    }

    pub fn backend_settings(&self, backend: &str) -> BackendSettings {
        self.backends
            .get(backend)
            .cloned()
            .unwrap_or(BackendSettings {
                name: backend.to_string(),
                table: toml::Table::new(),
            })
    }

    pub fn model_names(&self) -> Vec<&str> {
        self.models.keys().map(String::as_str).collect()
    }
}

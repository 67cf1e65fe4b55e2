//! `config.yaml` → typed, validated [`Config`]. Everything a user can get wrong is checked
//! here, once, with the file, the path in the tree and the valid choices in the message.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::audio::encode::OutputFormat;
use crate::error::ConfigError;
use crate::plugins::Plugins;
use crate::strategy::{StrategyNode, check_identifier};
use crate::vars::VarResolver;

#[derive(Debug, Clone)]
pub struct Config {
    /// The file this came from; relative paths inside it are resolved against its folder.
    pub path: PathBuf,
    pub strategies: BTreeMap<String, StrategyNode>,
    pub profiles: BTreeMap<String, ProfileConfig>,
    pub output: OutputConfig,
    pub storage: StorageConfig,
    pub database: DatabaseConfig,
    pub auth: AuthConfig,
    pub processing: ProcessingConfig,
    pub plugins: Plugins,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileConfig {
    /// Folder scanned by `stemset process`.
    pub source: PathBuf,
    pub strategy: String,
    /// Separate on a remote GPU worker instead of locally.
    #[serde(default)]
    pub remote: bool,
    #[serde(default)]
    pub display_name: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputConfig {
    #[serde(default = "default_format")]
    pub format: OutputFormat,
    /// Opus bitrate in kbit/s (all channels).
    #[serde(default = "default_bitrate")]
    pub bitrate: u32,
}

fn default_format() -> OutputFormat {
    OutputFormat::Opus
}
fn default_bitrate() -> u32 {
    160
}

impl Default for OutputConfig {
    fn default() -> Self {
        Self {
            format: default_format(),
            bitrate: default_bitrate(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum StorageConfig {
    /// A local directory (object_store's LocalFileSystem).
    Local { path: PathBuf },
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseConfig {
    /// `sqlite://relative/or/absolute.sqlite` or `postgres://...`.
    pub url: Secret,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    #[default]
    Development,
    Production,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    #[serde(default)]
    pub environment: Environment,
    /// Emails allowed to sign in (case-insensitive).
    #[serde(default)]
    pub allowed_emails: Vec<String>,
    #[serde(default)]
    pub google_client_id: Option<String>,
    #[serde(default)]
    pub google_client_secret: Option<Secret>,
    /// Signs session cookies; required in production.
    #[serde(default)]
    pub jwt_secret: Option<Secret>,
    /// The externally visible base URL (for OAuth redirects).
    #[serde(default)]
    pub public_url: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProcessingConfig {
    /// Where intermediate WAVs go; the system temp dir when unset.
    #[serde(default)]
    pub temp_dir: Option<PathBuf>,
}

/// A string that never prints (database URLs carry passwords, secrets are secrets).
#[derive(Clone, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    strategies: BTreeMap<String, serde_yaml_ng::Value>,
    #[serde(default)]
    profiles: BTreeMap<String, ProfileConfig>,
    #[serde(default)]
    output: OutputConfig,
    storage: StorageConfig,
    database: DatabaseConfig,
    #[serde(default)]
    auth: AuthConfig,
    #[serde(default)]
    processing: ProcessingConfig,
    /// Path of the plugin catalog, relative to this file.
    #[serde(default = "default_plugins")]
    plugins: PathBuf,
}

fn default_plugins() -> PathBuf {
    PathBuf::from("plugins.toml")
}

impl Config {
    /// Loads `.env` beside the config (if any), then the config with the environment.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        if let Some(dir) = path.parent() {
            let env = dir.join(".env");
            if env.is_file() {
                dotenvy::from_path(&env).map_err(|e| ConfigError::Syntax {
                    file: env.display().to_string(),
                    message: e.to_string(),
                })?;
            }
        }
        Self::load_with(path, &VarResolver::from_env())
    }

    pub fn load_with(path: &Path, vars: &VarResolver) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let file = path.display().to_string();
        let mut value: serde_yaml_ng::Value =
            serde_yaml_ng::from_str(&text).map_err(|e| ConfigError::Syntax {
                file: file.clone(),
                message: e.to_string(),
            })?;
        vars.substitute_yaml(&file, &mut value)?;
        let raw: RawConfig =
            serde_path_to_error::deserialize(value).map_err(|e| ConfigError::Invalid {
                file: file.clone(),
                path: e.path().to_string(),
                message: e.inner().to_string(),
            })?;

        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let plugins = Plugins::load(&resolve(&base, &raw.plugins), vars)?;

        let mut problems = Vec::new();
        let mut strategies = BTreeMap::new();
        for (name, tree) in &raw.strategies {
            let at = format!("strategies.{name}");
            if let Err(why) = check_identifier(name) {
                problems.push(format!("{file}: {at}: invalid strategy name: {why}"));
            }
            let mut tree_problems = Vec::new();
            if let Some(node) = StrategyNode::parse(tree, &at, &mut tree_problems) {
                node.validate(&at, &plugins, &mut BTreeSet::new(), &mut tree_problems);
                strategies.insert(name.clone(), node);
            }
            problems.extend(tree_problems.into_iter().map(|p| format!("{file}: {p}")));
        }

        let mut profiles = BTreeMap::new();
        for (name, mut profile) in raw.profiles {
            let at = format!("profiles.{name}");
            if let Err(why) = check_identifier(&name) {
                problems.push(format!("{file}: {at}: invalid profile name: {why}"));
            }
            if !raw.strategies.contains_key(&profile.strategy) {
                problems.push(format!(
                    "{file}: {at}.strategy: unknown strategy \"{}\"; strategies: {}",
                    profile.strategy,
                    raw.strategies
                        .keys()
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            profile.source = resolve(&base, &profile.source);
            profiles.insert(name, profile);
        }

        if !(6..=510).contains(&raw.output.bitrate) {
            problems.push(format!(
                "{file}: output.bitrate: {} kbit/s is outside Opus's range 6..=510",
                raw.output.bitrate
            ));
        }
        if raw.auth.environment == Environment::Production && raw.auth.jwt_secret.is_none() {
            problems.push(format!(
                "{file}: auth.jwt_secret: required when auth.environment is production"
            ));
        }
        if !problems.is_empty() {
            return Err(ConfigError::Many(problems));
        }

        let storage = match raw.storage {
            StorageConfig::Local { path } => StorageConfig::Local {
                path: resolve(&base, &path),
            },
        };
        let database = DatabaseConfig {
            url: Secret(resolve_sqlite_url(&base, raw.database.url.expose())),
        };
        let processing = ProcessingConfig {
            temp_dir: raw.processing.temp_dir.map(|p| resolve(&base, &p)),
        };
        Ok(Config {
            path: path.to_path_buf(),
            strategies,
            profiles,
            output: raw.output,
            storage,
            database,
            auth: raw.auth,
            processing,
            plugins,
        })
    }

    pub fn profile(&self, name: &str) -> Result<&ProfileConfig, ConfigError> {
        self.profiles.get(name).ok_or_else(|| {
            ConfigError::Many(vec![format!(
                "{}: no profile \"{name}\"; profiles: {}",
                self.path.display(),
                self.profiles.keys().cloned().collect::<Vec<_>>().join(", ")
            )])
        })
    }

    pub fn strategy(&self, name: &str) -> Option<&StrategyNode> {
        self.strategies.get(name)
    }
}

fn resolve(base: &Path, p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        base.join(p)
    }
}

/// Relative SQLite paths are relative to the config file, like every other path in it;
/// `mode=rwc` creates the file on first use.
fn resolve_sqlite_url(base: &Path, url: &str) -> String {
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
    let full = resolve(base, Path::new(path));
    let query = match query {
        Some(q) if q.contains("mode=") => q.to_string(),
        Some(q) => format!("{q}&mode=rwc"),
        None => "mode=rwc".to_string(),
    };
    format!("sqlite://{}?{query}", full.display())
}

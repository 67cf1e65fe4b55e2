//! `config.yaml` → typed, validated [`Config`]. Everything a user can get wrong is checked
//! here, once, with the file, the path in the tree and the valid choices in the message.
//! One file per section; the sections other crates own are kept as parsed YAML here and
//! typed there ([`Config::document`]): `auth` and `server` by the server, `jobs` by the
//! library's job queue.

pub mod database;
pub mod output;
pub mod processing;
pub mod profile;
pub mod takes;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde::de::DeserializeOwned;

pub use self::database::DatabaseConfig;
pub use self::output::OutputConfig;
pub use self::processing::ProcessingConfig;
pub use self::profile::ProfileConfig;
pub use self::takes::TakesConfig;
use crate::catalog::Plugins;
use crate::config_error::ConfigError;
use crate::secret::Secret;
use crate::storage::{S3Config, StorageConfig};
use crate::strategy::{StrategyNode, check_identifier};
use crate::vars::{Typed, VarResolver};

#[derive(Debug, Clone)]
pub struct Config {
    /// The file this came from; relative paths inside it are resolved against its folder.
    pub path: PathBuf,
    pub strategies: BTreeMap<String, StrategyNode>,
    pub profiles: BTreeMap<String, ProfileConfig>,
    pub output: OutputConfig,
    pub storage: StorageConfig,
    pub database: DatabaseConfig,
    pub processing: ProcessingConfig,
    pub takes: TakesConfig,
    pub plugins: Plugins,
    /// The whole file after `${VAR}` substitution, for sections other crates type.
    document: serde_yaml_ng::Value,
    typed: Typed,
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
    /// Read by the server crate (`Config::document`); only their presence is seen here.
    #[serde(default)]
    #[allow(dead_code)]
    auth: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    #[allow(dead_code)]
    server: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    processing: ProcessingConfig,
    #[serde(default)]
    takes: TakesConfig,
    /// Read by the library's job queue (`JobsConfig::from_config`).
    #[serde(default)]
    #[allow(dead_code)]
    jobs: Option<serde::de::IgnoredAny>,
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
        let typed = vars.substitute_yaml(&file, &mut value)?;
        let raw: RawConfig = crate::vars::deserialize_yaml(&file, value.clone(), &typed)?;
        let document = value;

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
            for (list, field) in [
                (&mut profile.owners, "owners"),
                (&mut profile.members, "members"),
            ] {
                for email in list.iter_mut() {
                    *email = email.trim().to_ascii_lowercase();
                    if !profile::looks_like_email(email) {
                        problems.push(format!(
                            "{file}: {at}.{field}: \"{email}\" is not an email address"
                        ));
                    }
                }
            }
            profile.source = resolve(&base, &profile.source);
            profiles.insert(name, profile);
        }

        raw.output.check(&file, &mut problems);
        raw.storage.check(&file, &mut problems);
        raw.takes.check(&file, &mut problems);
        raw.processing
            .check(&file, raw.takes.enabled, &mut problems);
        if let (processing::Separate::Takes, Some(gap)) =
            (raw.processing.separate, raw.processing.gap_stem.as_deref())
        {
            for (name, profile) in &profiles {
                if let Some(tree) = strategies.get(&profile.strategy) {
                    let stems = tree.stem_names();
                    if !stems.iter().any(|s| s == gap) {
                        problems.push(format!(
                            "{file}: processing.gap_stem: \"{gap}\" is not a stem of strategy \"{}\" (profile {name}); its stems: {}",
                            profile.strategy,
                            stems.join(", ")
                        ));
                    }
                }
            }
        }
        if !problems.is_empty() {
            return Err(ConfigError::Many(problems));
        }

        let storage = match raw.storage {
            StorageConfig::Local { path } => StorageConfig::Local {
                path: resolve(&base, &path),
            },
            StorageConfig::S3(s3) => StorageConfig::S3(S3Config {
                sync_dir: s3.sync_dir.map(|p| resolve(&base, &p)),
                ..s3
            }),
        };
        let database = DatabaseConfig {
            url: Secret::new(database::resolve_sqlite_url(
                &base,
                raw.database.url.expose(),
            )),
        };
        let processing = ProcessingConfig {
            temp_dir: raw.processing.temp_dir.clone().map(|p| resolve(&base, &p)),
            ..raw.processing.clone()
        };
        Ok(Config {
            path: path.to_path_buf(),
            strategies,
            profiles,
            output: raw.output,
            storage,
            database,
            processing,
            takes: raw.takes,
            plugins,
            document,
            typed,
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

    /// Types the whole file as `T` (which ignores the sections it does not name), with
    /// `${VAR}`s retyped as in the rest of the file; errors name this file and the path.
    pub fn document<T: DeserializeOwned>(&self) -> Result<T, ConfigError> {
        crate::vars::deserialize_yaml(
            &self.path.display().to_string(),
            self.document.clone(),
            &self.typed,
        )
    }
}

pub(crate) fn resolve(base: &Path, p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        base.join(p)
    }
}

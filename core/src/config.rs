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
    pub server: ServerConfig,
    pub processing: ProcessingConfig,
    pub jobs: JobsConfig,
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
    /// Emails of the band's owners and members: who may see and change it in the web app
    /// and the API. Listed emails may sign in even when not in `auth.allowed_emails`.
    #[serde(default)]
    pub owners: Vec<String>,
    #[serde(default)]
    pub members: Vec<String>,
}

impl ProfileConfig {
    /// The role of `email` in this profile, if any (`owner` wins over `member`).
    pub fn role_of(&self, email: &str) -> Option<&'static str> {
        let is = |list: &[String]| list.iter().any(|e| e.eq_ignore_ascii_case(email));
        if is(&self.owners) {
            Some(crate::db::user_profile::ROLE_OWNER)
        } else if is(&self.members) {
            Some(crate::db::user_profile::ROLE_MEMBER)
        } else {
            None
        }
    }
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
    /// An S3-compatible bucket: AWS S3, Cloudflare R2, MinIO, ...
    S3(S3Config),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct S3Config {
    pub bucket: String,
    /// `auto` for R2; AWS regions otherwise.
    #[serde(default = "default_region")]
    pub region: String,
    /// The endpoint of a non-AWS service (R2: `https://<account>.r2.cloudflarestorage.com`).
    #[serde(default)]
    pub endpoint: Option<String>,
    pub access_key_id: Secret,
    pub secret_access_key: Secret,
    /// Allow a plain-http endpoint (a local MinIO or test server).
    #[serde(default)]
    pub allow_http: bool,
    /// Path-style URLs (`endpoint/bucket/key`); most non-AWS services want this.
    #[serde(default = "default_true")]
    pub path_style: bool,
    /// Media requests redirect to presigned URLs (the bucket serves the bytes; it needs a
    /// CORS rule for the web app's origin). `false`: the server streams them itself.
    #[serde(default = "default_true")]
    pub presign_media: bool,
    /// How long a presigned URL stays valid, in seconds.
    #[serde(default = "default_presign_seconds")]
    pub presign_seconds: u64,
    /// A local folder kept in sync with the bucket by `stemset sync` (and after
    /// `stemset process` when `STEMSET_SYNC=true`).
    #[serde(default)]
    pub sync_dir: Option<PathBuf>,
}

fn default_region() -> String {
    "us-east-1".to_string()
}
fn default_true() -> bool {
    true
}
fn default_presign_seconds() -> u64 {
    3600
}

/// The job queue and the server's in-process worker.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobsConfig {
    /// Jobs the server runs at once in-process; 0 leaves them to other processes.
    #[serde(default = "default_workers")]
    pub workers: usize,
    /// A running job's lease; a worker that stops renewing it loses the job to another.
    #[serde(default = "default_lease_seconds")]
    pub lease_seconds: u64,
    /// Attempts before a job is failed for good.
    #[serde(default = "default_max_attempts")]
    pub max_attempts: i32,
    /// How often an idle worker looks for work, in milliseconds.
    #[serde(default = "default_poll_ms")]
    pub poll_ms: u64,
    /// Largest accepted upload, in MiB.
    #[serde(default = "default_max_upload_mib")]
    pub max_upload_mib: u64,
}

fn default_workers() -> usize {
    1
}
fn default_lease_seconds() -> u64 {
    60
}
fn default_max_attempts() -> i32 {
    3
}
fn default_poll_ms() -> u64 {
    1000
}
fn default_max_upload_mib() -> u64 {
    4096
}

impl Default for JobsConfig {
    fn default() -> Self {
        Self {
            workers: default_workers(),
            lease_seconds: default_lease_seconds(),
            max_attempts: default_max_attempts(),
            poll_ms: default_poll_ms(),
            max_upload_mib: default_max_upload_mib(),
        }
    }
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

#[derive(Debug, Clone, Deserialize)]
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
    /// The OpenID Connect issuer; Google unless set (any OIDC provider works).
    #[serde(default = "default_issuer")]
    pub issuer_url: String,
    /// How long a sign-in lasts.
    #[serde(default = "default_session_days")]
    pub session_days: u32,
}

fn default_issuer() -> String {
    "https://accounts.google.com".to_string()
}
fn default_session_days() -> u32 {
    14
}

impl AuthConfig {
    /// May `email` sign in? The allowlist plus every profile's owners and members.
    pub fn allows(&self, email: &str, profiles: &BTreeMap<String, ProfileConfig>) -> bool {
        self.allowed_emails
            .iter()
            .any(|e| e.eq_ignore_ascii_case(email))
            || profiles.values().any(|p| p.role_of(email).is_some())
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    /// Address `stemset serve` listens on.
    #[serde(default = "default_listen")]
    pub listen: String,
    /// The built web app (SvelteKit's `web/build`); served when present.
    #[serde(default = "default_web_dir")]
    pub web_dir: PathBuf,
    /// Front-end origins allowed to call the API from another origin (CORS), e.g. a
    /// `vite dev` server. Same-origin use needs nothing here.
    #[serde(default)]
    pub cors_origins: Vec<String>,
    /// Largest request body accepted outside uploads, in KiB.
    #[serde(default = "default_max_body_kib")]
    pub max_body_kib: u64,
    /// GraphQL limits, checked before anything runs. Nesting depth:
    #[serde(default = "default_max_depth")]
    pub max_query_depth: usize,
    /// Estimated cost: every field costs 1 plus its children, and a list multiplies its
    /// children by its page size (a list field's `limit`, else `default_page_size`).
    #[serde(default = "default_max_complexity")]
    pub max_query_complexity: usize,
    /// Fields selected by one operation, counted as executed (fragments expanded).
    #[serde(default = "default_max_query_fields")]
    pub max_query_fields: usize,
    /// Aliased fields in one operation (aliases repeat work under new names).
    #[serde(default = "default_max_query_aliases")]
    pub max_query_aliases: usize,
    /// Operations in one batched request (a JSON array of requests).
    #[serde(default = "default_max_batch_operations")]
    pub max_batch_operations: usize,
    /// Rows a list returns when the query gives no `pagination`.
    #[serde(default = "default_page_size")]
    pub default_page_size: u64,
    /// Largest `limit` a query may ask of a list; larger ones are refused.
    #[serde(default = "default_max_page_size")]
    pub max_page_size: u64,
    /// Longest pause between two chunks of a request body (uploads included), in seconds.
    #[serde(default = "default_body_idle_secs")]
    pub body_idle_timeout_secs: u64,
    /// Longest time to receive a whole GraphQL request body, in seconds.
    #[serde(default = "default_body_secs")]
    pub body_timeout_secs: u64,
}

fn default_listen() -> String {
    "127.0.0.1:8080".to_string()
}
fn default_web_dir() -> PathBuf {
    PathBuf::from("web/build")
}
fn default_max_body_kib() -> u64 {
    256
}
fn default_max_depth() -> usize {
    12
}
fn default_max_complexity() -> usize {
    50_000
}
fn default_max_query_fields() -> usize {
    1_000
}
fn default_max_query_aliases() -> usize {
    50
}
fn default_max_batch_operations() -> usize {
    4
}
fn default_page_size() -> u64 {
    50
}
fn default_max_page_size() -> u64 {
    500
}
fn default_body_idle_secs() -> u64 {
    30
}
fn default_body_secs() -> u64 {
    60
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            listen: default_listen(),
            web_dir: default_web_dir(),
            cors_origins: Vec::new(),
            max_body_kib: default_max_body_kib(),
            max_query_depth: default_max_depth(),
            max_query_complexity: default_max_complexity(),
            max_query_fields: default_max_query_fields(),
            max_query_aliases: default_max_query_aliases(),
            max_batch_operations: default_max_batch_operations(),
            default_page_size: default_page_size(),
            max_page_size: default_max_page_size(),
            body_idle_timeout_secs: default_body_idle_secs(),
            body_timeout_secs: default_body_secs(),
        }
    }
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            environment: Environment::default(),
            allowed_emails: Vec::new(),
            google_client_id: None,
            google_client_secret: None,
            jwt_secret: None,
            public_url: None,
            issuer_url: default_issuer(),
            session_days: default_session_days(),
        }
    }
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
    server: ServerConfig,
    #[serde(default)]
    processing: ProcessingConfig,
    #[serde(default)]
    jobs: JobsConfig,
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
        let raw: RawConfig = crate::vars::deserialize_yaml(&file, value, &typed)?;

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
                    if !looks_like_email(email) {
                        problems.push(format!(
                            "{file}: {at}.{field}: \"{email}\" is not an email address"
                        ));
                    }
                }
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
        check_auth(&file, &raw.auth, &mut problems);
        check_server(&file, &raw.server, &mut problems);
        check_storage_and_jobs(&file, &raw.storage, &raw.jobs, &mut problems);
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
            auth: AuthConfig {
                allowed_emails: raw
                    .auth
                    .allowed_emails
                    .iter()
                    .map(|e| e.trim().to_ascii_lowercase())
                    .collect(),
                ..raw.auth
            },
            server: ServerConfig {
                web_dir: resolve(&base, &raw.server.web_dir),
                ..raw.server
            },
            processing,
            jobs: raw.jobs,
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

fn looks_like_email(s: &str) -> bool {
    matches!(s.split_once('@'), Some((user, host)) if !user.is_empty() && host.contains('.') && !s.contains(char::is_whitespace))
}

/// Minimum length of `auth.jwt_secret` (HS256 wants at least 256 bits).
pub const MIN_JWT_SECRET_LEN: usize = 32;

fn check_auth(file: &str, auth: &AuthConfig, problems: &mut Vec<String>) {
    for email in &auth.allowed_emails {
        if !looks_like_email(email.trim()) {
            problems.push(format!(
                "{file}: auth.allowed_emails: \"{email}\" is not an email address"
            ));
        }
    }
    if let Some(secret) = &auth.jwt_secret
        && secret.expose().len() < MIN_JWT_SECRET_LEN
    {
        problems.push(format!(
            "{file}: auth.jwt_secret: too short ({} characters); use at least {MIN_JWT_SECRET_LEN} random characters (e.g. `openssl rand -hex 32`)",
            secret.expose().len()
        ));
    }
    if !(1..=365).contains(&auth.session_days) {
        problems.push(format!(
            "{file}: auth.session_days: {} is outside 1..=365",
            auth.session_days
        ));
    }
    if !auth.issuer_url.starts_with("https://") && !auth.issuer_url.starts_with("http://") {
        problems.push(format!(
            "{file}: auth.issuer_url: \"{}\" is not an http(s) URL",
            auth.issuer_url
        ));
    }
    if let Some(url) = &auth.public_url
        && !url.starts_with("https://")
        && !url.starts_with("http://")
    {
        problems.push(format!(
            "{file}: auth.public_url: \"{url}\" is not an http(s) URL"
        ));
    }
    if auth.environment == Environment::Production {
        let required = [
            ("jwt_secret", auth.jwt_secret.is_some()),
            ("google_client_id", auth.google_client_id.is_some()),
            ("google_client_secret", auth.google_client_secret.is_some()),
            ("public_url", auth.public_url.is_some()),
        ];
        for (name, present) in required {
            if !present {
                problems.push(format!(
                    "{file}: auth.{name}: required when auth.environment is production"
                ));
            }
        }
        if let Some(url) = &auth.public_url
            && !url.starts_with("https://")
        {
            problems.push(format!(
                "{file}: auth.public_url: must be https:// in production (session cookies are Secure)"
            ));
        }
    }
}

fn check_server(file: &str, server: &ServerConfig, problems: &mut Vec<String>) {
    if server.listen.parse::<std::net::SocketAddr>().is_err() {
        problems.push(format!(
            "{file}: server.listen: \"{}\" is not an address like 127.0.0.1:8080",
            server.listen
        ));
    }
    for origin in &server.cors_origins {
        if !(origin.starts_with("http://") || origin.starts_with("https://"))
            || origin.ends_with('/')
        {
            problems.push(format!(
                "{file}: server.cors_origins: \"{origin}\" is not an origin like https://app.example.com"
            ));
        }
    }
    if server.max_body_kib == 0 {
        problems.push(format!("{file}: server.max_body_kib: must be at least 1"));
    }
    for (key, value) in [
        ("max_query_depth", server.max_query_depth as u64),
        ("max_query_complexity", server.max_query_complexity as u64),
        ("max_query_fields", server.max_query_fields as u64),
        ("max_batch_operations", server.max_batch_operations as u64),
        ("default_page_size", server.default_page_size),
        ("max_page_size", server.max_page_size),
        ("body_idle_timeout_secs", server.body_idle_timeout_secs),
        ("body_timeout_secs", server.body_timeout_secs),
    ] {
        if value == 0 {
            problems.push(format!("{file}: server.{key}: must be at least 1"));
        }
    }
    if server.default_page_size > server.max_page_size {
        problems.push(format!(
            "{file}: server.default_page_size: {} is larger than server.max_page_size ({})",
            server.default_page_size, server.max_page_size
        ));
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

fn check_storage_and_jobs(
    file: &str,
    storage: &StorageConfig,
    jobs: &JobsConfig,
    problems: &mut Vec<String>,
) {
    if let StorageConfig::S3(s3) = storage {
        if s3.bucket.trim().is_empty() {
            problems.push(format!("{file}: storage.bucket: must not be empty"));
        }
        if s3.access_key_id.expose().is_empty() || s3.secret_access_key.expose().is_empty() {
            problems.push(format!(
                "{file}: storage: access_key_id and secret_access_key must not be empty"
            ));
        }
        if let Some(e) = &s3.endpoint {
            let http = e.starts_with("http://");
            if !http && !e.starts_with("https://") {
                problems.push(format!(
                    "{file}: storage.endpoint: \"{e}\" must start with https:// (or http://)"
                ));
            } else if http && !s3.allow_http {
                problems.push(format!(
                    "{file}: storage.endpoint: \"{e}\" is plain http; set allow_http: true to allow it"
                ));
            }
        }
        if !(1..=604_800).contains(&s3.presign_seconds) {
            problems.push(format!(
                "{file}: storage.presign_seconds: {} is outside 1..=604800 (S3's limit is 7 days)",
                s3.presign_seconds
            ));
        }
    }
    if jobs.lease_seconds < 5 {
        problems.push(format!(
            "{file}: jobs.lease_seconds: {} is too short (at least 5)",
            jobs.lease_seconds
        ));
    }
    if !(1..=100).contains(&jobs.max_attempts) {
        problems.push(format!(
            "{file}: jobs.max_attempts: {} is outside 1..=100",
            jobs.max_attempts
        ));
    }
    if jobs.max_upload_mib == 0 {
        problems.push(format!("{file}: jobs.max_upload_mib: must be at least 1"));
    }
}

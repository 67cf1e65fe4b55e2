//! The sections of config.yaml the server reads, typed and checked here (core keeps them
//! as parsed YAML): `auth` (sign-in, sessions), `server` (listener, limits) and, through
//! the library, `jobs` (the queue and the in-process workers).

pub mod auth;
pub mod server;

use serde::Deserialize;
use stemset_core::ConfigError;
use stemset_core::config::Config;
use stemset_library::jobs::settings::JobsConfig;

pub use self::auth::{AuthConfig, Environment, MIN_JWT_SECRET_LEN};
pub use self::server::ServerConfig;

/// `auth` and `server` of one config file, validated.
#[derive(Debug, Clone, Default)]
pub struct ServerSettings {
    pub auth: AuthConfig,
    pub server: ServerConfig,
    pub jobs: JobsConfig,
}

#[derive(Deserialize)]
struct Sections {
    #[serde(default)]
    auth: AuthConfig,
    #[serde(default)]
    server: ServerConfig,
}

impl ServerSettings {
    /// Types and checks the sections; every problem is reported at once, naming the file.
    pub fn from_config(config: &Config) -> Result<Self, ConfigError> {
        let Sections { auth, server } = config.document()?;
        let file = config.path.display().to_string();
        let mut problems = Vec::new();
        auth::check_auth(&file, &auth, &mut problems);
        server::check_server(&file, &server, &mut problems);
        let jobs = JobsConfig::from_config(config).map_err(|e| match e {
            ConfigError::Many(p) => p,
            other => vec![other.to_string()],
        });
        let jobs = match jobs {
            Ok(j) => Some(j),
            Err(p) => {
                problems.extend(p);
                None
            }
        };
        if !problems.is_empty() {
            return Err(ConfigError::Many(problems));
        }
        let base = config.path.parent().unwrap_or(std::path::Path::new(""));
        Ok(ServerSettings {
            auth: AuthConfig {
                allowed_emails: auth
                    .allowed_emails
                    .iter()
                    .map(|e| e.trim().to_ascii_lowercase())
                    .collect(),
                ..auth
            },
            server: ServerConfig {
                web_dir: if server.web_dir.is_absolute() {
                    server.web_dir.clone()
                } else {
                    base.join(&server.web_dir)
                },
                ..server
            },
            jobs: jobs.unwrap_or_default(),
        })
    }
}

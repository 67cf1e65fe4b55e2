//! `auth` in config.yaml: who may sign in, with which provider, and the session keys.

use std::collections::BTreeMap;

use serde::Deserialize;
use stemset_core::config::ProfileConfig;
use stemset_core::config::profile::looks_like_email;
use stemset_core::secret::Secret;

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

/// Minimum length of `auth.jwt_secret` (HS256 wants at least 256 bits).
pub const MIN_JWT_SECRET_LEN: usize = 32;

pub(crate) fn check_auth(file: &str, auth: &AuthConfig, problems: &mut Vec<String>) {
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

//! `server` in config.yaml: the listener, the web app, CORS and the request limits.

use std::path::PathBuf;

use serde::Deserialize;

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
    /// GraphQL requests executed at once by the whole server; each is bounded by the
    /// limits above, so this bounds the memory all of them can take together.
    #[serde(default = "default_max_concurrent_queries")]
    pub max_concurrent_queries: usize,
    /// How long a request waits for one of those slots before it is answered 503.
    #[serde(default = "default_query_wait_secs")]
    pub query_wait_secs: u64,
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
fn default_max_concurrent_queries() -> usize {
    8
}
fn default_query_wait_secs() -> u64 {
    10
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
            max_concurrent_queries: default_max_concurrent_queries(),
            query_wait_secs: default_query_wait_secs(),
        }
    }
}

pub(crate) fn check_server(file: &str, server: &ServerConfig, problems: &mut Vec<String>) {
    if !(1..=4096).contains(&server.max_concurrent_queries) {
        problems.push(format!(
            "{file}: server.max_concurrent_queries: {} is outside 1..=4096",
            server.max_concurrent_queries
        ));
    }
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

//! stemset-server: the HTTP face of Stemset. GraphQL over the library (seaography for the
//! read side, hand-written domain mutations), Google/OpenID Connect sign-in with JWT
//! session cookies and API tokens, per-band access control, media with HTTP Range, and
//! the built web app.

pub mod access;
pub mod app;
pub mod auth;
pub mod body;
pub mod error;
pub mod graphql;
pub mod media;
pub mod origin;
pub mod range;
pub mod settings;
pub mod state;
pub mod uploads;
pub mod web;
pub mod worker_callback;

pub use app::{RunningServer, ServerOptions, start};
pub use error::ServerError;
pub use state::AppState;

/// rustls finds both ring and aws-lc-rs in the build; pick one before any TLS client is
/// built (reqwest for OpenID discovery), or building it panics. Safe to call repeatedly.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
}

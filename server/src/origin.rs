//! Cross-site request checks. A browser attaches the session cookie to requests that
//! another site's page makes (a multipart form POST, a WebSocket), so routes that act on
//! ambient credentials accept only the app's own origin and configured front ends.

use salvo::prelude::*;

use crate::state::AppState;

/// Whether the request's `Origin` may act here: none (not a browser: a script, curl), the
/// server's own host, `auth.public_url`, or one of `server.cors_origins`.
pub fn allowed(req: &Request, state: &AppState) -> bool {
    let Some(origin) = req.headers().get("origin") else {
        return true; // not a browser
    };
    let Ok(origin) = origin.to_str() else {
        return false;
    };
    let host = req
        .headers()
        .get("host")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let same_host = origin
        .split_once("://")
        .is_some_and(|(_, rest)| !host.is_empty() && rest.eq_ignore_ascii_case(host));
    same_host
        || state
            .settings
            .server
            .cors_origins
            .iter()
            .any(|o| o == origin)
        || state
            .settings
            .auth
            .public_url
            .as_deref()
            .is_some_and(|u| u.trim_end_matches('/') == origin)
}

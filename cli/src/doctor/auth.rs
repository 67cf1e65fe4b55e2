//! Sign-in: the `auth`, `server` and `jobs` sections check out (in production: https public URL,
//! a long JWT secret, the provider's client), and the OpenID provider's discovery
//! document is reachable and names the issuer configured.

use std::time::Duration;

use stemset_core::ConfigError;
use stemset_sdk::diagnosis::{Finding, error_chain};
use stemset_server::settings::{AuthConfig, Environment, ServerSettings};

const CHECK: &str = "auth";

/// `settings`: the server's sections as `ServerSettings::from_config` typed them.
pub async fn check(settings: &Result<ServerSettings, ConfigError>) -> Vec<Finding> {
    let settings = match settings {
        Ok(s) => s,
        Err(e) => {
            return e
                .to_string()
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(|l| {
                    Finding::failure(
                        "settings",
                        l.trim().to_string(),
                        "fix the section of config.yaml named (`stemset serve` refuses to start)",
                    )
                })
                .collect();
        }
    };
    let auth = &settings.auth;
    let mut findings = Vec::new();
    let production = auth.environment == Environment::Production;
    findings.push(if production {
        // The config checks above required these in production.
        Finding::ok(
            CHECK,
            format!(
                "production: public URL {}, JWT secret of {} characters",
                auth.public_url.as_deref().unwrap_or_default(),
                auth.jwt_secret.as_ref().map_or(0, |s| s.expose().len())
            ),
        )
    } else if auth.google_client_id.is_some() {
        Finding::ok(CHECK, "development: sign-in through the OpenID provider")
    } else {
        Finding::warning(
            CHECK,
            "development, no OpenID client: only `stemset serve --bypass-auth` lets anyone in",
            "set auth.google_client_id and google_client_secret (or any OpenID provider's) to sign in",
        )
    });
    if auth.google_client_id.is_some() {
        findings.push(discovery(auth).await);
        let base = auth
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", settings.server.listen));
        findings.push(Finding::ok(
            "auth: redirect URI",
            format!(
                "{}/auth/callback (register it with the provider)",
                base.trim_end_matches('/')
            ),
        ));
    }
    findings
}

/// `{issuer}/.well-known/openid-configuration` answers with a document for this issuer.
async fn discovery(auth: &AuthConfig) -> Finding {
    let check = "auth: OpenID provider";
    let issuer = auth.issuer_url.trim_end_matches('/');
    let url = format!("{issuer}/.well-known/openid-configuration");
    let fix = "check auth.issuer_url and that this machine can reach the provider";
    let http = match reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
    {
        Ok(h) => h,
        Err(e) => {
            return Finding::failure(check, format!("cannot set up the HTTP client: {e}"), fix);
        }
    };
    let response = match http.get(&url).send().await {
        Ok(r) => r,
        Err(e) => {
            return Finding::failure(
                check,
                format!("{url} is unreachable: {}", error_chain(&e)),
                fix,
            );
        }
    };
    if !response.status().is_success() {
        return Finding::failure(check, format!("{url} answered {}", response.status()), fix);
    }
    let doc: serde_json::Value = match response.json().await {
        Ok(d) => d,
        Err(e) => {
            return Finding::failure(
                check,
                format!("{url} is not a discovery document: {e}"),
                fix,
            );
        }
    };
    let named = doc["issuer"].as_str().unwrap_or_default();
    if named.trim_end_matches('/') != issuer {
        return Finding::failure(
            check,
            format!("{url} names issuer \"{named}\", not \"{issuer}\": sign-in would be refused"),
            "set auth.issuer_url to the provider's issuer exactly",
        );
    }
    let missing: Vec<&str> = ["authorization_endpoint", "token_endpoint", "jwks_uri"]
        .into_iter()
        .filter(|k| doc[*k].as_str().is_none())
        .collect();
    if !missing.is_empty() {
        return Finding::failure(
            check,
            format!("{url} lacks {}", missing.join(", ")),
            "use an OpenID Connect provider (authorization code flow)",
        );
    }
    Finding::ok(check, format!("{issuer}: discovery document found"))
}

//! `/auth/login`, `/auth/callback`, `/auth/logout`, `/auth/status`.

use salvo::prelude::*;
use serde_json::json;
use stemset_library::db::config_sync::{sync_config, upsert_user};

use super::caller::{Caller, CallerKind};
use super::session::{LOGIN_COOKIE, SESSION_COOKIE};
use crate::error::ServerError;
use crate::state::AppState;

pub fn router() -> Router {
    Router::with_path("auth")
        .push(Router::with_path("login").get(login))
        .push(Router::with_path("callback").get(callback))
        .push(Router::with_path("logout").get(logout).post(logout))
        .push(Router::with_path("status").get(status))
}

/// Only same-site paths: `/x`, never `//evil.example` or `/\evil` (open redirects).
fn safe_return_to(raw: Option<String>) -> String {
    match raw {
        Some(p)
            if p.starts_with('/')
                && !p.starts_with("//")
                && !p.contains('\\')
                && !p.chars().any(char::is_control) =>
        {
            p
        }
        _ => "/".to_string(),
    }
}

#[handler]
async fn login(
    req: &mut Request,
    depot: &mut Depot,
    res: &mut Response,
) -> Result<(), ServerError> {
    let state = AppState::from_depot(depot)?;
    let return_to = safe_return_to(req.query::<String>("return_to"));
    if state.bypass_user.is_some() {
        res.render(Redirect::other(return_to));
        return Ok(());
    }
    let oidc = state.oidc.as_ref().ok_or_else(|| {
        ServerError::Config(
            "sign-in is not configured: set auth.google_client_id and auth.google_client_secret"
                .into(),
        )
    })?;
    let start = oidc.start().await?;
    let cookie =
        state
            .sessions
            .issue_login(start.state, start.nonce, start.pkce_verifier, return_to)?;
    res.add_cookie(state.sessions.login_cookie(cookie));
    res.render(Redirect::other(start.url));
    Ok(())
}

/// Why a sign-in ended on the sign-in page: the web app's `/signin?error=` codes.
struct Refusal {
    code: &'static str,
    email: Option<String>,
    error: ServerError,
}

fn refuse(code: &'static str, email: Option<&str>, error: ServerError) -> Refusal {
    Refusal {
        code,
        email: email.map(str::to_string),
        error,
    }
}

/// Browsers land on the web app's sign-in page with a reason; API clients get JSON.
#[handler]
async fn callback(
    req: &mut Request,
    depot: &mut Depot,
    res: &mut Response,
) -> Result<(), ServerError> {
    let wants_html = req
        .headers()
        .get(salvo::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    match finish_sign_in(req, depot, res).await {
        Ok(()) => Ok(()),
        Err(r) if wants_html => {
            let mut url = format!("/signin?error={}", r.code);
            if let Some(e) = &r.email {
                url.push_str(&format!("&email={}", urlencoding::encode(e)));
            }
            if r.code == "provider" {
                url.push_str(&format!(
                    "&detail={}",
                    urlencoding::encode(&r.error.public_message())
                ));
            }
            res.render(Redirect::other(url));
            Ok(())
        }
        Err(r) => Err(r.error),
    }
}

async fn finish_sign_in(
    req: &mut Request,
    depot: &mut Depot,
    res: &mut Response,
) -> Result<(), Refusal> {
    let state = AppState::from_depot(depot).map_err(|e| refuse("provider", None, e))?;
    let oidc = state.oidc.as_ref().ok_or_else(|| {
        refuse(
            "provider",
            None,
            ServerError::Config("sign-in is not configured".into()),
        )
    })?;
    if let Some(error) = req.query::<String>("error") {
        let detail = req.query::<String>("error_description").unwrap_or_default();
        return Err(refuse(
            "provider",
            None,
            ServerError::Forbidden(format!("the sign-in provider refused: {error} {detail}")),
        ));
    }
    let pending = req
        .cookie(LOGIN_COOKIE)
        .ok_or_else(|| {
            ServerError::BadRequest(
                "no sign-in in progress (cookies blocked, or it expired); start again".into(),
            )
        })
        .and_then(|c| state.sessions.verify_login(c.value()))
        .map_err(|e| refuse("expired", None, e))?;
    // The login cookie is single-use whatever happens next.
    res.add_cookie(state.sessions.expired(LOGIN_COOKIE));
    let returned_state = req.query::<String>("state").unwrap_or_default();
    if returned_state.is_empty() || returned_state != pending.state {
        return Err(refuse(
            "expired",
            None,
            ServerError::BadRequest(
                "sign-in state mismatch (a stale or forged callback); start again".into(),
            ),
        ));
    }
    let code = req
        .query::<String>("code")
        .filter(|c| !c.is_empty())
        .ok_or_else(|| {
            refuse(
                "provider",
                None,
                ServerError::BadRequest("the callback has no code".into()),
            )
        })?;
    let identity = oidc
        .finish(&code, &pending.pkce_verifier, &pending.nonce)
        .await
        .map_err(|e| refuse("provider", None, e))?;
    if !identity.email_verified {
        return Err(refuse(
            "unverified",
            Some(&identity.email),
            ServerError::Forbidden(format!(
                "{} is not verified by the sign-in provider",
                identity.email
            )),
        ));
    }
    if !state
        .settings
        .auth
        .allows(&identity.email, &state.config.profiles)
    {
        tracing::warn!(email = %identity.email, "sign-in refused: not on the allowlist");
        return Err(refuse(
            "not-allowed",
            Some(&identity.email),
            ServerError::Forbidden(format!(
                "{} may not use this Stemset; ask its owner to add you",
                identity.email
            )),
        ));
    }
    let internal = |e: ServerError| refuse("provider", None, e);
    let user = upsert_user(&state.db, &identity.email, identity.name.clone(), true)
        .await
        .map_err(|e| internal(e.into()))?;
    sync_config(
        &state.db,
        &state.config.profiles,
        Some(vec![user.clone()]),
        false,
    )
    .await
    .map_err(|e| internal(e.into()))?;
    tracing::info!(email = %user.email, "signed in");
    let token = state
        .sessions
        .issue_session(user.id, &user.email)
        .map_err(internal)?;
    res.add_cookie(state.sessions.session_cookie(token));
    res.render(Redirect::other(pending.return_to));
    Ok(())
}

#[handler]
async fn logout(req: &mut Request, depot: &mut Depot, res: &mut Response) {
    if let Ok(state) = depot.get_typed::<AppState>() {
        res.add_cookie(state.sessions.expired(SESSION_COOKIE));
    }
    if req.method() == salvo::http::Method::GET {
        res.render(Redirect::other("/"));
    } else {
        res.status_code(StatusCode::NO_CONTENT);
    }
}

#[handler]
async fn status(depot: &mut Depot, res: &mut Response) {
    let bypass = depot
        .get_typed::<AppState>()
        .map(|s| s.bypass_user.is_some())
        .unwrap_or(false);
    let body = match depot.get_typed::<Caller>() {
        Ok(c) => json!({
            "authenticated": true,
            "bypass": bypass,
            "via": match c.kind {
                CallerKind::Session => "session",
                CallerKind::ApiToken(_) => "api_token",
                CallerKind::Bypass => "bypass",
            },
            "user": { "id": c.user_id, "email": c.email, "name": c.name },
        }),
        Err(_) => json!({
            "authenticated": false,
            "bypass": bypass,
            "user": null,
            "loginUrl": "/auth/login",
        }),
    };
    res.headers_mut().insert(
        salvo::http::header::CACHE_CONTROL,
        salvo::http::HeaderValue::from_static("no-store"),
    );
    res.render(Json(body));
}

#[cfg(test)]
mod tests {
    use super::safe_return_to;

    #[test]
    fn return_to_only_allows_local_paths() {
        assert_eq!(
            safe_return_to(Some("/recordings/1?x=2".into())),
            "/recordings/1?x=2"
        );
        for bad in [
            "//evil.example",
            "https://evil.example",
            "/\\evil",
            "evil",
            "/a\nb",
            "",
        ] {
            assert_eq!(safe_return_to(Some(bad.into())), "/", "{bad:?}");
        }
        assert_eq!(safe_return_to(None), "/");
    }
}

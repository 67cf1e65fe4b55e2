//! Resolves the caller of every request once, before routing: bypass (development), then
//! `Authorization: Bearer <api token>`, then the session cookie. The result sits in the
//! depot; handlers that need a user call [`Caller::require`].

use salvo::prelude::*;
use sea_orm::EntityTrait;
use stemset_library::db::user;

use super::caller::{Caller, CallerKind};
use super::session::SESSION_COOKIE;
use super::tokens;
use crate::error::ServerError;
use crate::state::AppState;

fn from_user(u: user::Model, kind: CallerKind) -> Caller {
    Caller {
        user_id: u.id,
        email: u.email,
        name: u.name,
        kind,
    }
}

/// Works out who is calling. A bad bearer token is an error (a script should hear that
/// its token is wrong); a bad or expired session cookie just means "not signed in".
pub async fn identify(state: &AppState, req: &Request) -> Result<Option<Caller>, ServerError> {
    if let Some(dev) = &state.bypass_user {
        return Ok(Some(dev.clone()));
    }
    if let Some(value) = req.headers().get(salvo::http::header::AUTHORIZATION) {
        let value = value
            .to_str()
            .map_err(|_| ServerError::InvalidToken("malformed Authorization header".into()))?;
        let token = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .ok_or_else(|| {
                ServerError::InvalidToken("Authorization must be `Bearer <api token>`".into())
            })?;
        let (row, owner) = tokens::authenticate(&state.db, token.trim()).await?;
        return Ok(Some(from_user(owner, CallerKind::ApiToken(row.id))));
    }
    let Some(cookie) = req.cookie(SESSION_COOKIE) else {
        return Ok(None);
    };
    let claims = match state.sessions.verify_session(cookie.value()) {
        Ok(c) => c,
        Err(e) => {
            tracing::debug!(error = %e, "ignoring an invalid session cookie");
            return Ok(None);
        }
    };
    // The user must still exist (a deleted user's cookie stops working at once).
    Ok(user::Entity::find_by_id(claims.sub)
        .one(&state.db)
        .await?
        .map(|u| from_user(u, CallerKind::Session)))
}

/// Routes that act for a caller. The web app's static files do not, so serving them costs
/// no database lookup; a route missing here sees no caller and answers 401 (fails closed).
fn acts_for_caller(path: &str) -> bool {
    ["/graphql", "/auth/", "/media/", "/api/"]
        .iter()
        .any(|p| path.starts_with(p))
}

/// The hoop that runs [`identify`] for every API request.
#[handler]
pub async fn identify_hoop(
    req: &mut Request,
    depot: &mut Depot,
    res: &mut Response,
    ctrl: &mut FlowCtrl,
) {
    if !acts_for_caller(req.uri().path()) {
        return;
    }
    let Ok(state) = depot.get_typed::<AppState>().cloned() else {
        return;
    };
    match identify(&state, req).await {
        Ok(Some(caller)) => {
            depot.insert_typed(caller);
        }
        Ok(None) => {}
        Err(e) => {
            e.write(req, depot, res).await;
            ctrl.skip_rest();
        }
    }
}

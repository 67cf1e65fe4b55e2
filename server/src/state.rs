//! What every handler shares: the database, storage, config, the GraphQL schema and the
//! auth machinery. Cheap to clone (one Arc).

use std::ops::Deref;
use std::sync::Arc;

use sea_orm::DatabaseConnection;
use stemset_core::config::Config;
use stemset_core::storage::Storage;
use stemset_library::jobs::callbacks::CallbackHub;
use stemset_library::jobs::protocol::ReplayGuard;

use crate::auth::SessionKeys;
use crate::auth::caller::Caller;
use crate::auth::oidc::Oidc;
use crate::settings::ServerSettings;

pub struct State {
    pub db: DatabaseConnection,
    pub storage: Storage,
    pub config: Arc<Config>,
    /// The `auth` and `server` sections of the same config.
    pub settings: ServerSettings,
    pub sessions: SessionKeys,
    /// `None` when no OpenID client is configured (then only API tokens and bypass work).
    pub oidc: Option<Oidc>,
    /// The dev user every request runs as under `STEMSET_BYPASS_AUTH=true`.
    pub bypass_user: Option<Caller>,
    pub schema: crate::graphql::Api,
    /// Worker callbacks reach the waiting remote-gpu backend through this.
    pub callbacks: Arc<CallbackHub>,
    /// Signatures of worker callbacks already accepted.
    pub replay: ReplayGuard,
    /// The secret shared with GPU workers; `None` when none is configured (callbacks 404).
    pub worker_secret: Option<Vec<u8>>,
    /// One permit per GraphQL request executing (`server.max_concurrent_queries`).
    pub graphql_slots: Arc<tokio::sync::Semaphore>,
}

#[derive(Clone)]
pub struct AppState(pub Arc<State>);

impl AppState {
    /// The state the root hoop put in the depot.
    pub fn from_depot(depot: &salvo::Depot) -> Result<AppState, crate::error::ServerError> {
        depot
            .get_typed::<AppState>()
            .cloned()
            .map_err(|_| crate::error::ServerError::Internal("no server state".into()))
    }
}

impl Deref for AppState {
    type Target = State;
    fn deref(&self) -> &State {
        &self.0
    }
}

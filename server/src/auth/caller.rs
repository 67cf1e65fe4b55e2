//! Who a request runs as, once identified: a signed-in user, a script's API token, or the
//! development bypass user. A leaf, so handlers and the shared state can name it.

use salvo::prelude::*;
use uuid::Uuid;

use crate::error::ServerError;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallerKind {
    Session,
    ApiToken(Uuid),
    Bypass,
}

#[derive(Clone, Debug)]
pub struct Caller {
    pub user_id: Uuid,
    pub email: String,
    pub name: Option<String>,
    pub kind: CallerKind,
}

impl Caller {
    /// The signed-in caller, or 401.
    pub fn require(depot: &Depot) -> Result<Caller, ServerError> {
        depot
            .get_typed::<Caller>()
            .cloned()
            .map_err(|_| ServerError::Unauthenticated)
    }
}

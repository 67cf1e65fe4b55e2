//! The caller as GraphQL resolvers see it: who, and which profiles they belong to,
//! loaded once per request so every access filter is a plain `IN (...)`.

use async_graphql::dynamic::ResolverContext;
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use crate::access;
use crate::auth::{Caller, CallerKind};

#[derive(Clone, Debug)]
pub struct Viewer {
    pub user_id: Uuid,
    pub kind: CallerKind,
    pub profile_ids: Vec<Uuid>,
}

impl Viewer {
    pub async fn load(db: &DatabaseConnection, caller: &Caller) -> Result<Self, sea_orm::DbErr> {
        Ok(Self {
            user_id: caller.user_id,
            kind: caller.kind.clone(),
            profile_ids: access::profile_ids(db, caller.user_id).await?,
        })
    }

    pub fn can_see(&self, profile_id: Uuid) -> bool {
        self.profile_ids.contains(&profile_id)
    }

    pub fn of<'a>(ctx: &'a ResolverContext<'_>) -> async_graphql::Result<&'a Viewer> {
        ctx.data_opt::<Viewer>()
            .ok_or_else(|| async_graphql::Error::new("sign in first"))
    }
}

//! `subscription { jobProgress(id) { state progress error } }` over WebSocket: the job's
//! current row at once, then every change, ending when it succeeds or fails. It reads the
//! database, so progress written by any worker process shows up.

use std::time::Duration;

use async_graphql::dynamic::{
    FieldValue, InputValue, SubscriptionField, SubscriptionFieldFuture, TypeRef,
};
use futures::StreamExt;
use sea_orm::{DatabaseConnection, EntityTrait};
use stemset_library::db::job;
use uuid::Uuid;

use super::Viewer;
use super::mutations::{id_arg, internal, not_found};

const POLL: Duration = Duration::from_millis(250);

fn finished(j: &job::Model) -> bool {
    j.state == job::STATE_SUCCEEDED || j.state == job::STATE_FAILED
}

async fn load(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: Uuid,
) -> async_graphql::Result<job::Model> {
    job::Entity::find_by_id(id)
        .one(db)
        .await
        .map_err(internal)?
        .filter(|j| viewer.can_see(j.profile_id))
        .ok_or_else(|| not_found("job"))
}

pub fn register(builder: &mut seaography::Builder) {
    builder.register_subscription_field(
        SubscriptionField::new("jobProgress", TypeRef::named_nn("Job"), |ctx| {
            SubscriptionFieldFuture::new(async move {
                let viewer = Viewer::of(&ctx)?.clone();
                let db = ctx.data::<DatabaseConnection>()?.clone();
                let id = id_arg(&ctx, "id")?;
                let first = load(&db, &viewer, id).await?;
                let updates = futures::stream::unfold(Phase::Start(first), move |phase| {
                    let (db, viewer) = (db.clone(), viewer.clone());
                    async move {
                        let mut last = match phase {
                            Phase::Start(j) => {
                                let next = if finished(&j) {
                                    Phase::Done
                                } else {
                                    Phase::Watching(j.clone())
                                };
                                return Some((Ok(j), next));
                            }
                            Phase::Watching(j) => j,
                            Phase::Done => return None,
                        };
                        loop {
                            tokio::time::sleep(POLL).await;
                            match load(&db, &viewer, id).await {
                                Ok(j) if j == last => last = j,
                                Ok(j) => {
                                    let next = if finished(&j) {
                                        Phase::Done
                                    } else {
                                        Phase::Watching(j.clone())
                                    };
                                    return Some((Ok(j), next));
                                }
                                // Deleted (or access revoked): say so, then end.
                                Err(e) => return Some((Err(e), Phase::Done)),
                            }
                        }
                    }
                });
                Ok(updates.map(|r| r.map(FieldValue::owned_any)))
            })
        })
        .argument(InputValue::new("id", TypeRef::named_nn(TypeRef::ID)))
        .description("A job's state and progress, live, until it succeeds or fails."),
    );
}

enum Phase {
    Start(job::Model),
    Watching(job::Model),
    Done,
}

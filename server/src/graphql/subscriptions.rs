//! `subscription { jobProgress(id) { state progress error } }` over WebSocket: the job's
//! current row at once, then every change, ending when it succeeds or fails. It reads the
//! database, so progress written by any worker process shows up.
//!
//! The viewer is loaded once per WebSocket, but membership is not taken from it here: it
//! is read again for the first answer and for every change before it is sent, so a
//! member removed from the job's profile gets "job not found" at the next change and the
//! subscription ends. (Fields nested under the job, e.g. its `profile`, are filtered by
//! the viewer's profiles as they were when the WebSocket opened.)

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
use crate::access;

const POLL: Duration = Duration::from_millis(250);

fn finished(j: &job::Model) -> bool {
    j.state == job::STATE_SUCCEEDED || j.state == job::STATE_FAILED
}

/// Job `id`'s row, whoever may see it.
async fn row(db: &DatabaseConnection, id: Uuid) -> async_graphql::Result<job::Model> {
    job::Entity::find_by_id(id)
        .one(db)
        .await
        .map_err(internal)?
        .ok_or_else(|| not_found("job"))
}

/// `j` if `user_id` is a member of its profile now; "job not found" otherwise.
async fn visible(
    db: &DatabaseConnection,
    user_id: Uuid,
    j: job::Model,
) -> async_graphql::Result<job::Model> {
    match access::role_in(db, user_id, j.profile_id)
        .await
        .map_err(internal)?
    {
        Some(_) => Ok(j),
        None => Err(not_found("job")),
    }
}

pub fn register(builder: &mut seaography::Builder) {
    builder.register_subscription_field(
        SubscriptionField::new("jobProgress", TypeRef::named_nn("Job"), |ctx| {
            SubscriptionFieldFuture::new(async move {
                let user_id = Viewer::of(&ctx)?.user_id;
                let db = ctx.data::<DatabaseConnection>()?.clone();
                let id = id_arg(&ctx, "id")?;
                let first = visible(&db, user_id, row(&db, id).await?).await?;
                let updates = futures::stream::unfold(Phase::Start(first), move |phase| {
                    let db = db.clone();
                    async move {
                        let last = match phase {
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
                            // Membership is checked only when there is a change to send.
                            let changed = match row(&db, id).await {
                                Ok(j) if j == last => continue,
                                Ok(j) => visible(&db, user_id, j).await,
                                Err(e) => Err(e),
                            };
                            match changed {
                                Ok(j) => {
                                    let next = if finished(&j) {
                                        Phase::Done
                                    } else {
                                        Phase::Watching(j.clone())
                                    };
                                    return Some((Ok(j), next));
                                }
                                // Deleted, or the viewer is no longer a member of its
                                // profile: say so, then end.
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

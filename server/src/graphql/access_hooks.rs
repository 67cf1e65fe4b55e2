//! Seaography's lifecycle hooks, used as the access filter of every generated field:
//! each entity is narrowed to rows of the caller's profiles before pagination, at the
//! root and through every relation. Without a viewer nothing matches.

use async_graphql::dynamic::ResolverContext;
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ColumnTrait, Condition};
use seaography::{GuardAction, LifecycleHooksInterface, OperationType};
use stemset_library::db::{
    audio_file, job, profile, recording, song, stem, take, user, user_profile,
};

use super::Viewer;

pub struct AccessHooks;

fn nothing() -> Condition {
    Condition::all().add(Expr::cust("1 = 0"))
}

#[async_trait::async_trait]
impl LifecycleHooksInterface for AccessHooks {
    fn entity_guard(
        &self,
        ctx: &ResolverContext,
        _entity: &str,
        action: OperationType,
    ) -> GuardAction {
        if ctx.data_opt::<Viewer>().is_none() {
            return GuardAction::Block(Some("sign in first".into()));
        }
        match action {
            OperationType::Read => GuardAction::Allow,
            _ => GuardAction::Block(Some("use the domain mutations".into())),
        }
    }

    fn entity_filter(
        &self,
        ctx: &ResolverContext,
        entity: &str,
        _action: OperationType,
    ) -> Option<Condition> {
        let Some(viewer) = ctx.data_opt::<Viewer>() else {
            return Some(nothing());
        };
        let ids = viewer.profile_ids.clone();
        let recordings_of_mine = || {
            Query::select()
                .column(recording::Column::Id)
                .from(recording::Entity)
                .and_where(recording::Column::ProfileId.is_in(ids.clone()))
                .to_owned()
        };
        let condition = match entity {
            "Profile" => Condition::all().add(profile::Column::Id.is_in(ids)),
            "Recording" => Condition::all().add(recording::Column::ProfileId.is_in(ids)),
            "AudioFile" => Condition::all().add(audio_file::Column::ProfileId.is_in(ids)),
            "Job" => Condition::all().add(job::Column::ProfileId.is_in(ids)),
            "Song" => Condition::all().add(song::Column::ProfileId.is_in(ids)),
            "Take" => Condition::all().add(take::Column::ProfileId.is_in(ids)),
            "UserProfile" => Condition::all().add(user_profile::Column::ProfileId.is_in(ids)),
            "Stem" => {
                Condition::all().add(stem::Column::RecordingId.in_subquery(recordings_of_mine()))
            }
            // Yourself, and the people in your bands.
            "User" => Condition::any()
                .add(user::Column::Id.eq(viewer.user_id))
                .add(
                    user::Column::Id.in_subquery(
                        Query::select()
                            .column(user_profile::Column::UserId)
                            .from(user_profile::Entity)
                            .and_where(user_profile::Column::ProfileId.is_in(ids))
                            .to_owned(),
                    ),
                ),
            // An entity without a rule shows nothing (fail closed).
            _ => nothing(),
        };
        Some(condition)
    }
}

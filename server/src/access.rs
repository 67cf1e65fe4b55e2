//! Membership: which profiles (bands) a user belongs to. Every read and write of the API
//! and every media request goes through here; anything outside the caller's profiles is
//! reported as "not found", so existence does not leak.

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect};
use stemset_library::db::user_profile;
use uuid::Uuid;

/// The profiles `user_id` is a member of (any role).
pub async fn profile_ids<C: ConnectionTrait>(db: &C, user_id: Uuid) -> Result<Vec<Uuid>, DbErr> {
    user_profile::Entity::find()
        .select_only()
        .column(user_profile::Column::ProfileId)
        .filter(user_profile::Column::UserId.eq(user_id))
        .into_tuple::<Uuid>()
        .all(db)
        .await
}

/// The caller's role in `profile_id`, if a member.
pub async fn role_in<C: ConnectionTrait>(
    db: &C,
    user_id: Uuid,
    profile_id: Uuid,
) -> Result<Option<String>, DbErr> {
    Ok(user_profile::Entity::find_by_id((user_id, profile_id))
        .one(db)
        .await?
        .map(|m| m.role))
}

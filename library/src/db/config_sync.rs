//! Keeping the database in step with `config.yaml`: profiles (bands) are declared in the
//! config, and so is who belongs to them. The config is the source of truth for
//! membership, so removing an email from a profile revokes that person's access.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set,
    TransactionTrait,
};
use uuid::Uuid;

use super::{profile, user, user_profile};
use stemset_core::config::ProfileConfig;

/// Creates or updates the profile row of a configured profile.
pub async fn upsert_profile<C: ConnectionTrait>(
    db: &C,
    name: &str,
    cfg: &ProfileConfig,
    now: DateTime<Utc>,
) -> Result<profile::Model, DbErr> {
    match profile::Entity::find()
        .filter(profile::Column::Name.eq(name))
        .one(db)
        .await?
    {
        Some(p) => {
            if p.strategy == cfg.strategy
                && p.remote == cfg.remote
                && p.display_name == cfg.display_name
            {
                return Ok(p);
            }
            let mut a: profile::ActiveModel = p.into();
            a.strategy = Set(cfg.strategy.clone());
            a.remote = Set(cfg.remote);
            a.display_name = Set(cfg.display_name.clone());
            a.updated_at = Set(now);
            a.update(db).await
        }
        None => {
            profile::ActiveModel {
                id: Set(Uuid::now_v7()),
                name: Set(name.to_string()),
                display_name: Set(cfg.display_name.clone()),
                strategy: Set(cfg.strategy.clone()),
                remote: Set(cfg.remote),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(db)
            .await
        }
    }
}

/// Creates (or renames) the user with `email` and stamps `last_login_at` when `login`.
pub async fn upsert_user(
    db: &sea_orm::DatabaseConnection,
    email: &str,
    name: Option<String>,
    login: bool,
) -> Result<user::Model, DbErr> {
    let email = email.trim().to_ascii_lowercase();
    let now = Utc::now();
    match user::Entity::find()
        .filter(user::Column::Email.eq(&email))
        .one(db)
        .await?
    {
        Some(u) => {
            let mut a: user::ActiveModel = u.into();
            if let Some(name) = name {
                a.name = Set(Some(name));
            }
            if login {
                a.last_login_at = Set(Some(now));
            }
            a.updated_at = Set(now);
            a.update(db).await
        }
        None => {
            user::ActiveModel {
                id: Set(Uuid::now_v7()),
                email: Set(email),
                name: Set(name),
                created_at: Set(now),
                updated_at: Set(now),
                last_login_at: Set(login.then_some(now)),
            }
            .insert(db)
            .await
        }
    }
}

/// Upserts every configured profile, then makes the memberships of `users` (all users
/// when `None`) match the config's `owners`/`members` lists. `everyone_owns` grants every
/// profile to every listed user (local development without sign-in).
pub async fn sync_config(
    db: &sea_orm::DatabaseConnection,
    profiles: &BTreeMap<String, ProfileConfig>,
    users: Option<Vec<user::Model>>,
    everyone_owns: bool,
) -> Result<(), DbErr> {
    let txn = db.begin().await?;
    let now = Utc::now();
    let mut rows = Vec::new();
    for (name, cfg) in profiles {
        rows.push((upsert_profile(&txn, name, cfg, now).await?, cfg.clone()));
    }
    let users = match users {
        Some(list) => list,
        None => user::Entity::find().all(&txn).await?,
    };
    // Every existing membership of the configured profiles, in one query.
    let mut existing: HashMap<(Uuid, Uuid), String> = user_profile::Entity::find()
        .filter(user_profile::Column::ProfileId.is_in(rows.iter().map(|(p, _)| p.id)))
        .all(&txn)
        .await?
        .into_iter()
        .map(|m| ((m.user_id, m.profile_id), m.role))
        .collect();
    for u in &users {
        for (profile, cfg) in &rows {
            let wanted = if everyone_owns {
                Some(user_profile::ROLE_OWNER)
            } else {
                cfg.role_of(&u.email)
            };
            let key = (u.id, profile.id);
            match (wanted, existing.remove(&key)) {
                (Some(role), Some(current)) if current == role => {}
                (Some(role), _) => {
                    // Insert, or change the role of an existing row.
                    user_profile::Entity::insert(user_profile::ActiveModel {
                        user_id: Set(u.id),
                        profile_id: Set(profile.id),
                        role: Set(role.to_string()),
                        created_at: Set(now),
                    })
                    .on_conflict(
                        OnConflict::columns([
                            user_profile::Column::UserId,
                            user_profile::Column::ProfileId,
                        ])
                        .update_column(user_profile::Column::Role)
                        .to_owned(),
                    )
                    .exec(&txn)
                    .await?;
                }
                (None, Some(_)) => {
                    user_profile::Entity::delete_by_id(key).exec(&txn).await?;
                }
                (None, None) => {}
            }
        }
    }
    txn.commit().await
}

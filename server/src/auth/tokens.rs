//! API tokens for scripts: `Authorization: Bearer sst_…`. Only the SHA-256 of a token is
//! stored, so a leaked database does not leak working tokens; the token itself is shown
//! once, when it is created.

use base64::Engine;
use chrono::Utc;
use rand::RngCore;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use sha2::{Digest, Sha256};
use stemset_library::db::{api_token, user};
use uuid::Uuid;

use crate::error::ServerError;

const PREFIX: &str = "sst_";
/// Writing `last_used_at` on every request would make each API call a write.
const LAST_USED_RESOLUTION_SECONDS: i64 = 60;

pub fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A new random token (256 bits) and the row that remembers its hash.
pub async fn create(
    db: &DatabaseConnection,
    user_id: Uuid,
    name: &str,
) -> Result<(String, api_token::Model), ServerError> {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = format!(
        "{PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    );
    let row = api_token::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user_id),
        name: Set(name.to_string()),
        token_hash: Set(hash(&token)),
        created_at: Set(Utc::now()),
        last_used_at: Set(None),
        revoked_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok((token, row))
}

/// The user behind a presented token; revoked and unknown tokens are refused.
pub async fn authenticate(
    db: &DatabaseConnection,
    token: &str,
) -> Result<(api_token::Model, user::Model), ServerError> {
    let invalid = || ServerError::InvalidToken("invalid or revoked API token".into());
    if !token.starts_with(PREFIX) {
        return Err(invalid());
    }
    let (row, owner) = api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(hash(token)))
        .filter(api_token::Column::RevokedAt.is_null())
        .find_also_related(user::Entity)
        .one(db)
        .await?
        .ok_or_else(invalid)?;
    let owner = owner.ok_or_else(invalid)?;
    let now = Utc::now();
    let stale = row
        .last_used_at
        .is_none_or(|t| (now - t).num_seconds() >= LAST_USED_RESOLUTION_SECONDS);
    if stale {
        let mut a: api_token::ActiveModel = row.clone().into();
        a.last_used_at = Set(Some(now));
        a.update(db).await?;
    }
    Ok((row, owner))
}

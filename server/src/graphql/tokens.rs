//! API tokens in GraphQL: `apiTokens`, `createApiToken`, `revokeApiToken`, and `me`.
//! The token itself is returned once, by `createApiToken`; only its hash is stored.

use async_graphql::Value;
use async_graphql::dynamic::{Field, FieldFuture, FieldValue, InputValue, Object, TypeRef};
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
};
use stemset_library::db::{api_token, user};

use super::Viewer;
use super::mutations::{id_arg, internal, not_found};
use crate::auth::CallerKind;

pub const MAX_NAME_CHARS: usize = 100;

fn datetime(v: Option<chrono::DateTime<Utc>>) -> Value {
    v.map_or(Value::Null, |t| Value::String(t.to_rfc3339()))
}

fn api_token_object() -> Object {
    let field = |name: &str, ty: TypeRef, get: fn(&api_token::Model) -> Value| {
        Field::new(name, ty, move |ctx| {
            FieldFuture::new(async move {
                let t = ctx.parent_value.try_downcast_ref::<api_token::Model>()?;
                Ok(Some(FieldValue::value(get(t))))
            })
        })
    };
    Object::new("ApiToken")
        .description("A script's token. The secret itself is shown only when created.")
        .field(field("id", TypeRef::named_nn(TypeRef::ID), |t| {
            Value::String(t.id.to_string())
        }))
        .field(field("name", TypeRef::named_nn(TypeRef::STRING), |t| {
            Value::String(t.name.clone())
        }))
        .field(field(
            "createdAt",
            TypeRef::named_nn(TypeRef::STRING),
            |t| datetime(Some(t.created_at)),
        ))
        .field(field("lastUsedAt", TypeRef::named(TypeRef::STRING), |t| {
            datetime(t.last_used_at)
        }))
        .field(field("revokedAt", TypeRef::named(TypeRef::STRING), |t| {
            datetime(t.revoked_at)
        }))
}

fn new_api_token_object() -> Object {
    Object::new("NewApiToken")
        .field(
            Field::new("token", TypeRef::named_nn(TypeRef::STRING), |ctx| {
                FieldFuture::new(async move {
                    let (token, _) = ctx
                        .parent_value
                        .try_downcast_ref::<(String, api_token::Model)>()?;
                    Ok(Some(FieldValue::value(Value::String(token.clone()))))
                })
            })
            .description("The secret: send it as `Authorization: Bearer <token>`. Shown only now."),
        )
        .field(Field::new(
            "apiToken",
            TypeRef::named_nn("ApiToken"),
            |ctx| {
                FieldFuture::new(async move {
                    let (_, row) = ctx
                        .parent_value
                        .try_downcast_ref::<(String, api_token::Model)>()?;
                    Ok(Some(FieldValue::owned_any(row.clone())))
                })
            },
        ))
}

pub fn register(builder: &mut seaography::Builder) {
    builder.outputs.push(api_token_object());
    builder.outputs.push(new_api_token_object());

    builder.queries.push(
        Field::new("me", TypeRef::named_nn("User"), |ctx| {
            FieldFuture::new(async move {
                let viewer = Viewer::of(&ctx)?;
                let db = ctx.data::<DatabaseConnection>()?;
                let me = user::Entity::find_by_id(viewer.user_id)
                    .one(db)
                    .await
                    .map_err(internal)?
                    .ok_or_else(|| not_found("user"))?;
                Ok(Some(FieldValue::owned_any(me)))
            })
        })
        .description("The signed-in user."),
    );

    builder.queries.push(
        Field::new("apiTokens", TypeRef::named_nn_list_nn("ApiToken"), |ctx| {
            FieldFuture::new(async move {
                let viewer = Viewer::of(&ctx)?;
                let db = ctx.data::<DatabaseConnection>()?;
                let rows = api_token::Entity::find()
                    .filter(api_token::Column::UserId.eq(viewer.user_id))
                    .order_by_asc(api_token::Column::CreatedAt)
                    .all(db)
                    .await
                    .map_err(internal)?;
                Ok(Some(FieldValue::list(
                    rows.into_iter().map(FieldValue::owned_any),
                )))
            })
        })
        .description("Your API tokens, revoked ones included."),
    );

    builder.mutations.push(
        Field::new("createApiToken", TypeRef::named_nn("NewApiToken"), |ctx| {
            FieldFuture::new(async move {
                let viewer = Viewer::of(&ctx)?;
                if matches!(viewer.kind, CallerKind::ApiToken(_)) {
                    return Err(
                        "API tokens cannot create API tokens; sign in to the web app".into(),
                    );
                }
                let db = ctx.data::<DatabaseConnection>()?;
                let name = ctx.args.try_get("name")?.string()?.trim().to_string();
                if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
                    return Err(format!("name: must be 1 to {MAX_NAME_CHARS} characters").into());
                }
                let created = crate::auth::tokens::create(db, viewer.user_id, &name)
                    .await
                    .map_err(internal)?;
                Ok(Some(FieldValue::owned_any(created)))
            })
        })
        .argument(InputValue::new("name", TypeRef::named_nn(TypeRef::STRING)))
        .description("Creates an API token for scripts."),
    );

    builder.mutations.push(
        Field::new("revokeApiToken", TypeRef::named_nn("ApiToken"), |ctx| {
            FieldFuture::new(async move {
                let viewer = Viewer::of(&ctx)?;
                let db = ctx.data::<DatabaseConnection>()?;
                let id = id_arg(&ctx, "id")?;
                let row = api_token::Entity::find_by_id(id)
                    .filter(api_token::Column::UserId.eq(viewer.user_id))
                    .one(db)
                    .await
                    .map_err(internal)?
                    .ok_or_else(|| not_found("API token"))?;
                if row.revoked_at.is_some() {
                    return Ok(Some(FieldValue::owned_any(row)));
                }
                let mut a: api_token::ActiveModel = row.into();
                a.revoked_at = Set(Some(Utc::now()));
                let row = a.update(db).await.map_err(internal)?;
                Ok(Some(FieldValue::owned_any(row)))
            })
        })
        .argument(InputValue::new("id", TypeRef::named_nn(TypeRef::ID)))
        .description("Revokes one of your API tokens; it stops working at once."),
    );
}

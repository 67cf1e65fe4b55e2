//! Mutations on songs and takes (issue 16): thin resolvers over
//! [`stemset_library::takes::edit`], which validates and checks access with the viewer's
//! rule (another band's song or take is "not found").

use async_graphql::dynamic::{
    Field, FieldFuture, FieldValue, InputValue, ResolverContext, TypeRef,
};
use sea_orm::DatabaseConnection;
use stemset_library::takes::{TakeError, edit};
use uuid::Uuid;

use super::Viewer;
use super::mutations::{id_arg, internal};

pub fn register(builder: &mut seaography::Builder) {
    builder.mutations.extend([
        create_song(),
        rename_song(),
        delete_song(),
        assign_take(),
        unassign_take(),
        confirm_take_suggestion(),
        set_take_bounds(),
        split_take(),
        merge_takes(),
        delete_take(),
    ]);
}

fn take_error(e: TakeError) -> async_graphql::Error {
    match e {
        TakeError::Database(e) => internal(e),
        refused => async_graphql::Error::new(refused.to_string()),
    }
}

fn id_input(name: &str) -> InputValue {
    InputValue::new(name, TypeRef::named_nn(TypeRef::ID))
}

fn seconds_input(name: &str) -> InputValue {
    InputValue::new(name, TypeRef::named_nn(TypeRef::FLOAT))
}

fn seconds_arg(ctx: &ResolverContext, name: &str) -> async_graphql::Result<f64> {
    let v = ctx.args.try_get(name)?.f64()?;
    if !v.is_finite() {
        return Err(format!("{name}: must be a number of seconds").into());
    }
    Ok(v)
}

/// The viewer, the database, and the viewer's access rule.
fn parts<'a>(
    ctx: &'a ResolverContext<'a>,
) -> async_graphql::Result<(&'a DatabaseConnection, impl Fn(Uuid) -> bool + Sync + 'a)> {
    let viewer = Viewer::of(ctx)?;
    let db = ctx.data::<DatabaseConnection>()?;
    Ok((db, move |profile| viewer.can_see(profile)))
}

fn create_song() -> Field {
    Field::new("createSong", TypeRef::named_nn("Song"), |ctx| {
        FieldFuture::new(async move {
            let (db, allowed) = parts(&ctx)?;
            let profile = id_arg(&ctx, "profileId")?;
            let title = ctx.args.try_get("title")?.string()?.to_string();
            let take = match ctx.args.get("takeId") {
                Some(v) if !v.is_null() => Some(id_arg(&ctx, "takeId")?),
                _ => None,
            };
            let song = edit::create_song(db, &allowed, profile, &title, take)
                .await
                .map_err(take_error)?;
            Ok(Some(FieldValue::owned_any(song)))
        })
    })
    .argument(id_input("profileId"))
    .argument(InputValue::new("title", TypeRef::named_nn(TypeRef::STRING)))
    .argument(InputValue::new("takeId", TypeRef::named(TypeRef::ID)))
    .description(
        "Creates a song of a band (a title the band's other songs do not have, 1–200 \
         characters); with `takeId`, files that take under it.",
    )
}

fn rename_song() -> Field {
    Field::new("renameSong", TypeRef::named_nn("Song"), |ctx| {
        FieldFuture::new(async move {
            let (db, allowed) = parts(&ctx)?;
            let id = id_arg(&ctx, "id")?;
            let title = ctx.args.try_get("title")?.string()?.to_string();
            let song = edit::rename_song(db, &allowed, id, &title)
                .await
                .map_err(take_error)?;
            Ok(Some(FieldValue::owned_any(song)))
        })
    })
    .argument(id_input("id"))
    .argument(InputValue::new("title", TypeRef::named_nn(TypeRef::STRING)))
    .description("Renames a song.")
}

fn delete_song() -> Field {
    Field::new("deleteSong", TypeRef::named_nn(TypeRef::ID), |ctx| {
        FieldFuture::new(async move {
            let (db, allowed) = parts(&ctx)?;
            let id = id_arg(&ctx, "id")?;
            let song = edit::delete_song(db, &allowed, id)
                .await
                .map_err(take_error)?;
            Ok(Some(FieldValue::value(async_graphql::Value::String(
                song.id.to_string(),
            ))))
        })
    })
    .argument(id_input("id"))
    .description("Deletes a song; its takes stay, filed under no song. Returns its id.")
}

/// What a take mutation's resolver returns: the take it changed.
type TakeFuture<'a> = std::pin::Pin<
    Box<dyn Future<Output = async_graphql::Result<stemset_library::db::take::Model>> + Send + 'a>,
>;

/// A mutation on one take (`id`) that returns it.
fn take_field(
    name: &'static str,
    description: &'static str,
    extra: Vec<InputValue>,
    run: for<'a> fn(&'a ResolverContext<'a>) -> TakeFuture<'a>,
) -> Field {
    let mut f = Field::new(name, TypeRef::named_nn("Take"), move |ctx| {
        FieldFuture::new(async move {
            let t = run(&ctx).await?;
            Ok(Some(FieldValue::owned_any(t)))
        })
    })
    .argument(id_input("id"))
    .description(description);
    for arg in extra {
        f = f.argument(arg);
    }
    f
}

fn assign_take() -> Field {
    take_field(
        "assignTake",
        "Files a take under a song of its band (a member's choice: suggestions never change it).",
        vec![id_input("songId")],
        |ctx| {
            Box::pin(async move {
                let (db, allowed) = parts(ctx)?;
                let (id, song) = (id_arg(ctx, "id")?, id_arg(ctx, "songId")?);
                edit::assign_take(db, &allowed, id, song)
                    .await
                    .map_err(take_error)
            })
        },
    )
}

fn unassign_take() -> Field {
    take_field(
        "unassignTake",
        "Takes a take off its song; it gets a song suggestion again if it sounds like one.",
        vec![],
        |ctx| {
            Box::pin(async move {
                let (db, allowed) = parts(ctx)?;
                edit::unassign_take(db, &allowed, id_arg(ctx, "id")?)
                    .await
                    .map_err(take_error)
            })
        },
    )
}

fn confirm_take_suggestion() -> Field {
    take_field(
        "confirmTakeSuggestion",
        "Files a take under the song it was suggested for.",
        vec![],
        |ctx| {
            Box::pin(async move {
                let (db, allowed) = parts(ctx)?;
                edit::confirm_suggestion(db, &allowed, id_arg(ctx, "id")?)
                    .await
                    .map_err(take_error)
            })
        },
    )
}

fn set_take_bounds() -> Field {
    take_field(
        "setTakeBounds",
        "Moves a take's start and end (seconds; within the recording, not over another \
         take, at least 1 s long). Kept when the recording is processed again.",
        vec![seconds_input("start"), seconds_input("end")],
        |ctx| {
            Box::pin(async move {
                let (db, allowed) = parts(ctx)?;
                let (start, end) = (seconds_arg(ctx, "start")?, seconds_arg(ctx, "end")?);
                edit::set_take_bounds(db, &allowed, id_arg(ctx, "id")?, start, end)
                    .await
                    .map_err(take_error)
            })
        },
    )
}

fn split_take() -> Field {
    Field::new("splitTake", TypeRef::named_nn_list_nn("Take"), |ctx| {
        FieldFuture::new(async move {
            let (db, allowed) = parts(&ctx)?;
            let id = id_arg(&ctx, "id")?;
            let at = seconds_arg(&ctx, "at")?;
            let (a, b) = edit::split_take(db, &allowed, id, at)
                .await
                .map_err(take_error)?;
            Ok(Some(FieldValue::list([
                FieldValue::owned_any(a),
                FieldValue::owned_any(b),
            ])))
        })
    })
    .argument(id_input("id"))
    .argument(seconds_input("at"))
    .description(
        "Splits a take in two at `at` seconds (at least 1 s from either end); both keep its \
         song. Returns the two takes in order.",
    )
}

fn merge_takes() -> Field {
    take_field(
        "mergeTakes",
        "Merges a take with its neighbour `otherId` of the same recording; takes filed under \
         different songs are refused. Returns the merged take.",
        vec![id_input("otherId")],
        |ctx| {
            Box::pin(async move {
                let (db, allowed) = parts(ctx)?;
                let (a, b) = (id_arg(ctx, "id")?, id_arg(ctx, "otherId")?);
                edit::merge_takes(db, &allowed, a, b)
                    .await
                    .map_err(take_error)
            })
        },
    )
}

fn delete_take() -> Field {
    Field::new("deleteTake", TypeRef::named_nn(TypeRef::ID), |ctx| {
        FieldFuture::new(async move {
            let (db, allowed) = parts(&ctx)?;
            let t = edit::delete_take(db, &allowed, id_arg(&ctx, "id")?)
                .await
                .map_err(take_error)?;
            Ok(Some(FieldValue::value(async_graphql::Value::String(
                t.id.to_string(),
            ))))
        })
    })
    .argument(id_input("id"))
    .description("Deletes a take (the recording and its stems stay). Returns its id.")
}

//! The domain mutations: rename a recording, set a stem's gain, delete a recording (rows
//! and stored files), reprocess a recording, retry or dismiss a failed job. Each validates
//! its input and checks that the row belongs to one of the caller's profiles; others' rows
//! are "not found". Deleting and reprocessing are [`stemset_library::recordings`]
//! operations; the resolvers check access and map their refusals to GraphQL errors.

use std::sync::Arc;

use async_graphql::dynamic::{
    Field, FieldFuture, FieldValue, InputValue, ResolverContext, TypeRef,
};
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set, SqlErr,
};
use stemset_core::config::Config;
use stemset_core::storage::Storage;
use stemset_library::db::{job, recording, stem};
use stemset_library::jobs::queue;
use stemset_library::jobs::settings::JobsConfig;
use stemset_library::recordings::{self, RecordingError};
use uuid::Uuid;

use super::Viewer;

pub const MAX_TITLE_CHARS: usize = 200;
/// Saved stem gains: silence-ish to a generous boost.
pub const GAIN_RANGE_DB: std::ops::RangeInclusive<f64> = -60.0..=12.0;

pub fn register(builder: &mut seaography::Builder) {
    builder.mutations.extend([
        rename_recording(),
        set_recording_date(),
        set_stem_gain(),
        delete_recording(),
        reprocess_recording(),
        retry_job(),
        dismiss_job(),
    ]);
}

pub(crate) fn id_arg(ctx: &ResolverContext, name: &str) -> async_graphql::Result<Uuid> {
    let raw = ctx.args.try_get(name)?.string()?;
    Uuid::parse_str(raw.trim())
        .map_err(|_| async_graphql::Error::new(format!("{name}: \"{raw}\" is not a valid id")))
}

pub(crate) fn not_found(what: &str) -> async_graphql::Error {
    async_graphql::Error::new(format!("{what} not found"))
}

pub(crate) fn internal(e: impl std::fmt::Display) -> async_graphql::Error {
    tracing::error!(error = %e, "GraphQL resolver failed");
    async_graphql::Error::new("internal server error")
}

/// A recording operation's refusal as the client sees it; database failures are internal.
fn recording_error(e: RecordingError) -> async_graphql::Error {
    match e {
        RecordingError::Database(e) => internal(e),
        refused => async_graphql::Error::new(refused.to_string()),
    }
}

/// The recording `id` if the viewer may see it.
async fn my_recording(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: Uuid,
) -> async_graphql::Result<recording::Model> {
    recording::Entity::find_by_id(id)
        .one(db)
        .await
        .map_err(internal)?
        .filter(|r| viewer.can_see(r.profile_id))
        .ok_or_else(|| not_found("recording"))
}

/// The job `id` if the viewer may see it.
async fn my_job(
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

/// The error for retrying or dismissing a job that has not failed.
fn not_failed(j: &job::Model, verb: &str) -> async_graphql::Error {
    async_graphql::Error::new(format!(
        "job {} is {}: only a failed job can be {verb}",
        j.id, j.state
    ))
}

/// Another pending (queued or running) job doing `j`'s work: the same content uploaded to
/// the same band again, or the same recording reprocessed again.
async fn pending_twin(
    db: &DatabaseConnection,
    j: &job::Model,
) -> async_graphql::Result<Option<job::Model>> {
    let same_work = if j.kind == job::KIND_REPROCESS {
        job::Column::RecordingId.eq(j.recording_id)
    } else {
        job::Column::FileHash.eq(j.file_hash.clone())
    };
    job::Entity::find()
        .filter(job::Column::Id.ne(j.id))
        .filter(job::Column::ProfileId.eq(j.profile_id))
        .filter(job::Column::Kind.eq(j.kind.clone()))
        .filter(job::Column::State.is_in([job::STATE_QUEUED, job::STATE_RUNNING]))
        .filter(same_work)
        .one(db)
        .await
        .map_err(internal)
}

fn already_pending(other: &job::Model) -> async_graphql::Error {
    async_graphql::Error::new(format!(
        "retryJob: the same work is already {} as job {}",
        other.state, other.id
    ))
}

fn id_input(name: &str) -> InputValue {
    InputValue::new(name, TypeRef::named_nn(TypeRef::ID))
}

fn rename_recording() -> Field {
    Field::new("renameRecording", TypeRef::named_nn("Recording"), |ctx| {
        FieldFuture::new(async move {
            let viewer = Viewer::of(&ctx)?;
            let db = ctx.data::<DatabaseConnection>()?;
            let id = id_arg(&ctx, "id")?;
            let title = ctx.args.try_get("title")?.string()?.trim().to_string();
            if title.is_empty() {
                return Err("title: must not be empty".into());
            }
            if title.chars().count() > MAX_TITLE_CHARS {
                return Err(format!("title: longer than {MAX_TITLE_CHARS} characters").into());
            }
            if title.chars().any(char::is_control) {
                return Err("title: must not contain control characters".into());
            }
            let rec = my_recording(db, viewer, id).await?;
            let mut a: recording::ActiveModel = rec.into();
            a.title = Set(title);
            a.updated_at = Set(Utc::now());
            let rec = a.update(db).await.map_err(internal)?;
            Ok(Some(FieldValue::owned_any(rec)))
        })
    })
    .argument(id_input("id"))
    .argument(InputValue::new("title", TypeRef::named_nn(TypeRef::STRING)))
    .description("Renames a recording (1–200 characters).")
}

/// A recording date as a client sends it: RFC 3339 (`2026-11-24T19:42:00+01:00`, what
/// `Date.toISOString()` gives) or a bare day (`2026-11-24`, midnight on this server's
/// clock); from 1970 to tomorrow.
pub(crate) fn parse_recording_date(raw: &str) -> Result<chrono::DateTime<Utc>, String> {
    let raw = raw.trim();
    let at = chrono::DateTime::parse_from_rfc3339(raw)
        .map(|d| d.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .and_then(|d| d.and_local_timezone(chrono::Local).earliest())
                .map(|d| d.with_timezone(&Utc))
        })
        .ok_or_else(|| {
            format!("recordedAt: \"{raw}\" is not a date (2026-11-24 or 2026-11-24T19:42:00Z)")
        })?;
    let earliest = chrono::DateTime::<Utc>::UNIX_EPOCH;
    if at < earliest || at > Utc::now() + chrono::Duration::days(1) {
        return Err(format!("recordedAt: {raw} is outside 1970 to today"));
    }
    Ok(at)
}

fn set_recording_date() -> Field {
    Field::new("setRecordingDate", TypeRef::named_nn("Recording"), |ctx| {
        FieldFuture::new(async move {
            let viewer = Viewer::of(&ctx)?;
            let db = ctx.data::<DatabaseConnection>()?;
            let id = id_arg(&ctx, "id")?;
            let at = parse_recording_date(ctx.args.try_get("recordedAt")?.string()?)?;
            let rec = my_recording(db, viewer, id).await?;
            let mut a: recording::ActiveModel = rec.into();
            a.recorded_at = Set(at);
            a.updated_at = Set(Utc::now());
            let rec = a.update(db).await.map_err(internal)?;
            Ok(Some(FieldValue::owned_any(rec)))
        })
    })
    .argument(id_input("id"))
    .argument(InputValue::new(
        "recordedAt",
        TypeRef::named_nn(TypeRef::STRING),
    ))
    .description(
        "Corrects when a recording was made: RFC 3339, or a day (YYYY-MM-DD, midnight on \
         the server's clock); 1970 to today.",
    )
}

fn set_stem_gain() -> Field {
    Field::new("setStemGain", TypeRef::named_nn("Stem"), |ctx| {
        FieldFuture::new(async move {
            let viewer = Viewer::of(&ctx)?;
            let db = ctx.data::<DatabaseConnection>()?;
            let id = id_arg(&ctx, "id")?;
            let gain = ctx.args.try_get("gainDb")?.f64()?;
            if !gain.is_finite() || !GAIN_RANGE_DB.contains(&gain) {
                return Err(format!(
                    "gainDb: {gain} is outside {}..={} dB",
                    GAIN_RANGE_DB.start(),
                    GAIN_RANGE_DB.end()
                )
                .into());
            }
            let (s, rec) = stem::Entity::find_by_id(id)
                .find_also_related(recording::Entity)
                .one(db)
                .await
                .map_err(internal)?
                .ok_or_else(|| not_found("stem"))?;
            if !rec.is_some_and(|r| viewer.can_see(r.profile_id)) {
                return Err(not_found("stem"));
            }
            let mut a: stem::ActiveModel = s.into();
            a.gain_db = Set(gain);
            a.updated_at = Set(Utc::now());
            let s = a.update(db).await.map_err(internal)?;
            Ok(Some(FieldValue::owned_any(s)))
        })
    })
    .argument(id_input("id"))
    .argument(InputValue::new("gainDb", TypeRef::named_nn(TypeRef::FLOAT)))
    .description("Saves a stem's playback gain in dB (-60 to +12).")
}

fn delete_recording() -> Field {
    Field::new("deleteRecording", TypeRef::named_nn(TypeRef::ID), |ctx| {
        FieldFuture::new(async move {
            let viewer = Viewer::of(&ctx)?;
            let db = ctx.data::<DatabaseConnection>()?;
            let storage = ctx.data::<Storage>()?;
            let id = id_arg(&ctx, "id")?;
            let rec = my_recording(db, viewer, id).await?;
            let deleted = recordings::delete_recording(db, storage, rec.id)
                .await
                .map_err(recording_error)?;
            Ok(Some(FieldValue::value(async_graphql::Value::String(
                deleted.id.to_string(),
            ))))
        })
    })
    .argument(id_input("id"))
    .description("Deletes a recording, its stems and their stored files. Returns its id.")
}

fn reprocess_recording() -> Field {
    Field::new("reprocessRecording", TypeRef::named_nn("Job"), |ctx| {
        FieldFuture::new(async move {
            let viewer = Viewer::of(&ctx)?;
            let db = ctx.data::<DatabaseConnection>()?;
            let config = ctx.data::<Arc<Config>>()?;
            let jobs = ctx.data::<JobsConfig>()?;
            let id = id_arg(&ctx, "id")?;
            let strategy = match ctx.args.get("strategy") {
                Some(v) if !v.is_null() => Some(v.string()?.to_string()),
                _ => None,
            };
            let rec = my_recording(db, viewer, id).await?;
            let job = recordings::reprocess_recording(
                db,
                config,
                jobs,
                rec.id,
                strategy,
                Some(viewer.user_id),
            )
            .await
            .map_err(recording_error)?
            .into_job();
            Ok(Some(FieldValue::owned_any(job)))
        })
    })
    .argument(id_input("id"))
    .argument(InputValue::new("strategy", TypeRef::named(TypeRef::STRING)))
    .description("Queues a job that separates the recording again (with `strategy`, or its own).")
}

fn retry_job() -> Field {
    Field::new("retryJob", TypeRef::named_nn("Job"), |ctx| {
        FieldFuture::new(async move {
            let viewer = Viewer::of(&ctx)?;
            let db = ctx.data::<DatabaseConnection>()?;
            let jobs = ctx.data::<JobsConfig>()?;
            let storage = ctx.data::<Storage>()?;
            let id = id_arg(&ctx, "id")?;
            let j = my_job(db, viewer, id).await?;
            if j.state != job::STATE_FAILED {
                return Err(not_failed(&j, "retried"));
            }
            if j.kind == job::KIND_REPROCESS {
                let rec = match j.recording_id {
                    Some(r) => recording::Entity::find_by_id(r)
                        .one(db)
                        .await
                        .map_err(internal)?,
                    None => None,
                };
                if rec.is_none() {
                    return Err("retryJob: the job's recording was deleted".into());
                }
            } else if !storage.exists(&j.input_key).await.map_err(internal)? {
                return Err(
                    "retryJob: the uploaded file is no longer stored; upload it again".into(),
                );
            }
            if let Some(other) = pending_twin(db, &j).await? {
                return Err(already_pending(&other));
            }
            let retried = match queue::retry(db, j.id, jobs.max_attempts).await {
                Ok(r) => r,
                // The same work was queued in the meantime (one pending job per file or
                // recording may be the database's rule).
                Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
                    return Err(match pending_twin(db, &j).await? {
                        Some(other) => already_pending(&other),
                        None => internal(e),
                    });
                }
                Err(e) => return Err(internal(e)),
            };
            match retried {
                Some(retried) => {
                    tracing::info!(job = %retried.id, attempts = retried.attempts, "failed job queued again");
                    Ok(Some(FieldValue::owned_any(retried)))
                }
                // Retried (or deleted) by someone else in the meantime.
                None => {
                    let now = my_job(db, viewer, id).await?;
                    Err(not_failed(&now, "retried"))
                }
            }
        })
    })
    .argument(id_input("id"))
    .description(
        "Queues a failed job again (new attempts, up to `jobs.max_attempts` more). Only a \
         failed job can be retried.",
    )
}

fn dismiss_job() -> Field {
    Field::new("dismissJob", TypeRef::named_nn("Job"), |ctx| {
        FieldFuture::new(async move {
            let viewer = Viewer::of(&ctx)?;
            let db = ctx.data::<DatabaseConnection>()?;
            let id = id_arg(&ctx, "id")?;
            let j = my_job(db, viewer, id).await?;
            if j.state != job::STATE_FAILED {
                return Err(not_failed(&j, "dismissed"));
            }
            match queue::dismiss(db, j.id).await.map_err(internal)? {
                Some(dismissed) => Ok(Some(FieldValue::owned_any(dismissed))),
                None => {
                    let now = my_job(db, viewer, id).await?;
                    Err(not_failed(&now, "dismissed"))
                }
            }
        })
    })
    .argument(id_input("id"))
    .description(
        "Hides a failed job from the active jobs (sets `dismissedAt`); dismissing it again \
         changes nothing. Only a failed job can be dismissed.",
    )
}

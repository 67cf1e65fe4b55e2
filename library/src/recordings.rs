//! Operations on a profile's recordings, whoever asks for them (the GraphQL API, the
//! upload route, a command): delete a recording with its stems and stored files, queue it
//! to be separated again, and find what a profile already has of some content.
//!
//! Access is the caller's business: these functions act on any row, so a server checks
//! that the recording belongs to one of the caller's profiles first.

use std::collections::HashSet;

use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use stemset_core::config::Config;
use stemset_core::storage::Storage;
use uuid::Uuid;

use crate::db::{audio_file, job, profile, recording, stem, take};
use crate::jobs::queue::{self, Enqueued, NewJob};
use crate::jobs::settings::JobsConfig;

/// Why an operation on a recording did not happen. The messages are fit for users;
/// [`RecordingError::Database`] is an internal failure, to be logged, not shown.
#[derive(Debug, thiserror::Error)]
pub enum RecordingError {
    #[error("recording not found")]
    NotFound,
    #[error("strategy: unknown \"{strategy}\"; strategies: {}", known.join(", "))]
    UnknownStrategy {
        strategy: String,
        /// The strategies config.yaml has.
        known: Vec<String>,
    },
    /// The recording's `audio_files` row is gone, so there is nothing to separate.
    #[error("the recording's source file not found")]
    SourceMissing,
    #[error("database: {0}")]
    Database(#[from] DbErr),
}

/// Deletes recording `id`: its rows in one transaction (jobs that produced it keep their
/// history but no longer point at it), then its stored files. Returns the deleted row.
///
/// The `audio_files` row stays: it is the "already processed" mark that keeps a folder
/// scan from bringing the deleted recording back (uploading the content again does
/// process it again). The uploaded original goes too, unless a pending job (the same
/// file uploaded again meanwhile) is about to read it. A file that cannot be deleted
/// from storage is logged and left as an orphan: nothing points at it any more.
pub async fn delete_recording(
    db: &DatabaseConnection,
    storage: &Storage,
    id: Uuid,
) -> Result<recording::Model, RecordingError> {
    let rec = recording::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(RecordingError::NotFound)?;
    let stems = stem::Entity::find()
        .filter(stem::Column::RecordingId.eq(rec.id))
        .all(db)
        .await?;
    // Rows first, in one transaction: a failure leaves everything as it was.
    let txn = crate::db::begin_write(db).await?;
    job::Entity::update_many()
        .col_expr(job::Column::RecordingId, Expr::value(Option::<Uuid>::None))
        .filter(job::Column::RecordingId.eq(rec.id))
        .exec(&txn)
        .await?;
    stem::Entity::delete_many()
        .filter(stem::Column::RecordingId.eq(rec.id))
        .exec(&txn)
        .await?;
    take::Entity::delete_many()
        .filter(take::Column::RecordingId.eq(rec.id))
        .exec(&txn)
        .await?;
    recording::Entity::delete_by_id(rec.id).exec(&txn).await?;
    let original = forget_original(&txn, &rec).await?;
    txn.commit().await?;
    // Then the files: each stem's audio and peaks, and whatever else is under the
    // recording's folder (metadata.json).
    let mut keys: Vec<String> = stems
        .iter()
        .flat_map(|s| [s.storage_key.clone(), s.waveform_key.clone()])
        .collect();
    if !rec.storage_prefix.is_empty() {
        match storage.list(&rec.storage_prefix).await {
            Ok(under) => keys.extend(under),
            Err(e) => tracing::warn!(error = %e, "listing a deleted recording's files"),
        }
    }
    keys.extend(original);
    keys.sort();
    keys.dedup();
    for key in keys {
        if let Err(e) = storage.delete(&key).await {
            tracing::warn!(key, error = %e, "could not delete a deleted recording's file");
        }
    }
    tracing::info!(recording = %rec.id, title = %rec.title, "recording deleted");
    Ok(rec)
}

/// The storage key of a deleted recording's uploaded original, which its `audio_files`
/// row stops pointing at; `None` when there is none, or when a pending job of the same
/// content will read it.
async fn forget_original<C: ConnectionTrait>(
    db: &C,
    rec: &recording::Model,
) -> Result<Option<String>, DbErr> {
    let Some(audio) = audio_file::Entity::find_by_id(rec.audio_file_id)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let Some(key) = audio.input_key.clone() else {
        return Ok(None);
    };
    if pending_job_for_content(db, rec.profile_id, &audio.file_hash)
        .await?
        .is_some()
    {
        return Ok(None);
    }
    audio_file::Entity::update_many()
        .col_expr(
            audio_file::Column::InputKey,
            Expr::value(Option::<String>::None),
        )
        .filter(audio_file::Column::Id.eq(audio.id))
        .exec(db)
        .await?;
    Ok(Some(key))
}

/// Queues a job that separates recording `id` again from its source, with `strategy`
/// (`None`: the recording's own), on behalf of `created_by`. There is one pending
/// reprocess job per recording (the database keeps it so): asking again, or many times
/// at once, answers [`Enqueued::Pending`] with that job.
pub async fn reprocess_recording(
    db: &DatabaseConnection,
    config: &Config,
    jobs: &JobsConfig,
    id: Uuid,
    strategy: Option<String>,
    created_by: Option<Uuid>,
) -> Result<Enqueued, RecordingError> {
    let rec = recording::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(RecordingError::NotFound)?;
    let strategy = strategy.unwrap_or_else(|| rec.strategy.clone());
    if config.strategy(&strategy).is_none() {
        return Err(RecordingError::UnknownStrategy {
            strategy,
            known: config.strategies.keys().cloned().collect(),
        });
    }
    let audio = audio_file::Entity::find_by_id(rec.audio_file_id)
        .one(db)
        .await?
        .ok_or(RecordingError::SourceMissing)?;
    let enqueued = queue::enqueue_once(
        db,
        NewJob {
            profile_id: rec.profile_id,
            kind: job::KIND_REPROCESS.to_string(),
            // A storage key, or empty for a file processed in place: the runner reads a
            // reprocess job's source from the recording's audio file, never a local path
            // from here.
            input_key: audio.input_key.clone().unwrap_or_default(),
            recording_id: rec.id,
            strategy: Some(strategy),
            original_name: Some(audio.original_name.clone()),
            file_hash: Some(audio.file_hash.clone()),
            size_bytes: Some(audio.size_bytes),
            created_by,
            max_attempts: jobs.max_attempts,
            source_modified_at: None,
        },
    )
    .await?;
    Ok(enqueued)
}

/// The recording the profile has of the content whose SHA-256 is `sha256`, if any.
/// Content whose recording was deleted has none (its `audio_files` row stays).
pub async fn recording_for_content<C: ConnectionTrait>(
    db: &C,
    profile_id: Uuid,
    sha256: &str,
) -> Result<Option<recording::Model>, DbErr> {
    recording::Entity::find()
        .inner_join(audio_file::Entity)
        .filter(audio_file::Column::ProfileId.eq(profile_id))
        .filter(audio_file::Column::FileHash.eq(sha256))
        .order_by_asc(recording::Column::CreatedAt)
        .one(db)
        .await
}

/// The oldest pending (queued or running) `process` job of this content in the profile:
/// the content is on its way to becoming a recording.
pub async fn pending_job_for_content<C: ConnectionTrait>(
    db: &C,
    profile_id: Uuid,
    sha256: &str,
) -> Result<Option<job::Model>, DbErr> {
    job::Entity::find()
        .filter(job::Column::ProfileId.eq(profile_id))
        .filter(job::Column::FileHash.eq(sha256))
        .filter(job::Column::Kind.eq(job::KIND_PROCESS))
        .filter(job::Column::State.is_in([job::STATE_QUEUED, job::STATE_RUNNING]))
        .order_by_asc(job::Column::CreatedAt)
        .one(db)
        .await
}

/// What a profile already has of some content.
#[derive(Debug, Clone, PartialEq)]
pub enum KnownContent {
    /// A recording of it.
    Recorded(recording::Model),
    /// No recording yet, but a pending job making one.
    Pending(Box<job::Model>),
}

/// What the profile already has of the content `sha256`: its recording, else a pending
/// job processing it, else nothing (new content, to be processed).
pub async fn known_content<C: ConnectionTrait>(
    db: &C,
    profile_id: Uuid,
    sha256: &str,
) -> Result<Option<KnownContent>, DbErr> {
    if let Some(rec) = recording_for_content(db, profile_id, sha256).await? {
        return Ok(Some(KnownContent::Recorded(rec)));
    }
    Ok(pending_job_for_content(db, profile_id, sha256)
        .await?
        .map(|j| KnownContent::Pending(Box::new(j))))
}

/// Every content hash the profile named `profile_name` has a recording of, in one query
/// (for sorting a folder's files into new and known; a deleted recording's content is
/// not among them).
pub async fn recorded_hashes<C: ConnectionTrait>(
    db: &C,
    profile_name: &str,
) -> Result<HashSet<String>, DbErr> {
    Ok(audio_file::Entity::find()
        .inner_join(profile::Entity)
        .inner_join(recording::Entity)
        .distinct()
        .filter(profile::Column::Name.eq(profile_name))
        .select_only()
        .column(audio_file::Column::FileHash)
        .into_tuple::<String>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

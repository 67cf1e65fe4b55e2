//! The database side of a finished job: ONE transaction turns `metadata.json` into rows.
//! It is idempotent, because a job can finish twice (a worker's callback and the poller
//! racing, or a retried attempt whose first run did finish): the second commit finds the
//! first and changes nothing.

use chrono::{DateTime, Local, NaiveDateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseBackend, DatabaseConnection, EntityTrait, QueryFilter,
    Set,
};
use uuid::Uuid;

use crate::db::job::JobKind;
use crate::db::{audio_file, db_error, recording, stem};
use crate::jobs::spec::JobSpec;
use stemset_core::config::ProfileConfig;
use stemset_core::error::Error;
use stemset_core::metadata::{METADATA_FILE, RecordingMetadata};
use stemset_core::storage::Storage;

/// What a commit did.
#[derive(Debug, Clone, PartialEq)]
pub enum Committed {
    /// A new recording with its stems.
    Created,
    /// This job's result was committed before; nothing changed.
    AlreadyCommitted,
    /// The same content already had a recording in this profile (a concurrent upload of
    /// the same file); this job's outputs were removed and it points at that recording.
    DuplicateOf(Uuid),
    /// A reprocessed recording got its new stems; the old files were removed.
    Replaced,
}

/// Commits `metadata` (the outputs under `spec.output_prefix`) and returns the recording
/// id the job produced.
pub async fn commit_job_result(
    db: &DatabaseConnection,
    storage: &Storage,
    profile_cfg: &ProfileConfig,
    spec: &JobSpec,
    metadata: &RecordingMetadata,
) -> Result<(Uuid, Committed), Error> {
    if spec.kind == JobKind::Reprocess {
        return replace_stems(db, storage, spec, metadata).await;
    }
    let now = Utc::now();
    let txn = crate::db::begin_write(db).await.map_err(db_error)?;
    let profile = crate::db::config_sync::upsert_profile(&txn, &spec.profile, profile_cfg, now)
        .await
        .map_err(db_error)?;
    if recording::Entity::find_by_id(spec.recording_id)
        .one(&txn)
        .await
        .map_err(db_error)?
        .is_some()
    {
        txn.commit().await.map_err(db_error)?;
        return Ok((spec.recording_id, Committed::AlreadyCommitted));
    }
    let existing = audio_file::Entity::find()
        .filter(audio_file::Column::ProfileId.eq(profile.id))
        .filter(audio_file::Column::FileHash.eq(&metadata.source.sha256))
        .one(&txn)
        .await
        .map_err(db_error)?;
    // Content that already has a recording (another run committed it first) keeps that one.
    if existing.is_some()
        && let Some(rec) =
            crate::recordings::recording_for_content(&txn, profile.id, &metadata.source.sha256)
                .await
                .map_err(db_error)?
    {
        txn.commit().await.map_err(db_error)?;
        let _ = storage.delete_prefix(&spec.output_prefix).await;
        return Ok((rec.id, Committed::DuplicateOf(rec.id)));
    }
    let src = &metadata.source;
    // Content whose recording was deleted keeps its audio file row: reuse it.
    let audio_id = match existing {
        Some(old) => {
            let mut a: audio_file::ActiveModel = old.into();
            a.input_key = Set(spec.source.input_key.clone());
            a.original_name = Set(src.file_name.clone());
            a.updated_at = Set(now);
            a.update(&txn).await.map_err(db_error)?.id
        }
        None => insert_audio_file(&txn, profile.id, spec, metadata, now).await?,
    };
    recording::ActiveModel {
        id: Set(spec.recording_id),
        profile_id: Set(profile.id),
        audio_file_id: Set(audio_id),
        title: Set(metadata.title.clone()),
        strategy: Set(metadata.strategy.clone()),
        storage_prefix: Set(spec.output_prefix.clone()),
        duration_seconds: Set(src.duration_seconds),
        recorded_at: Set(recording_date(spec, metadata, now)),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await
    .map_err(db_error)?;
    insert_stems(&txn, spec.recording_id, &spec.output_prefix, metadata, now).await?;
    crate::takes::store::insert_takes(&txn, profile.id, spec.recording_id, &metadata.takes, now)
        .await
        .map_err(db_error)?;
    txn.commit().await.map_err(db_error)?;
    after_commit(db, storage, profile.id, spec, metadata).await;
    Ok((spec.recording_id, Committed::Created))
}

/// When a new recording was made: the recorder's date in the file (its own clock, taken
/// as this server's time zone), else the file's modification time, else `now`. A date in
/// the future (a recorder whose clock was never set runs anywhere) is not believed.
fn recording_date(
    spec: &JobSpec,
    metadata: &RecordingMetadata,
    now: DateTime<Utc>,
) -> DateTime<Utc> {
    let from_file = metadata
        .source
        .recorded_at
        .as_deref()
        .and_then(|s| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S").ok())
        .and_then(|n| n.and_local_timezone(Local).earliest())
        .map(|d| d.with_timezone(&Utc));
    let latest = now + chrono::Duration::days(1);
    [from_file, spec.source.modified_at]
        .into_iter()
        .flatten()
        .find(|d| *d <= latest)
        .unwrap_or(now)
}

/// After [`commit_job_result`] failed: removes the job's outputs (stems, peaks,
/// `metadata.json` under `spec.output_prefix`), so that a failed commit leaves nothing in
/// storage, unless the database shows the result committed after all (PostgreSQL can lose
/// the connection after COMMIT went through). A failed SQLite transaction is never
/// committed, so SQLite is not asked (it may well be the database that is locked).
pub async fn discard_uncommitted(db: &DatabaseConnection, storage: &Storage, spec: &JobSpec) {
    if db.get_database_backend() != DatabaseBackend::Sqlite {
        let committed = recording::Entity::find_by_id(spec.recording_id)
            .one(db)
            .await
            .map(|r| r.is_some_and(|r| r.storage_prefix == spec.output_prefix));
        match committed {
            Ok(false) => {}
            Ok(true) => {
                tracing::warn!(job = %spec.job_id, prefix = %spec.output_prefix, "the commit reported an error but is in the database; keeping its files");
                return;
            }
            Err(e) => {
                tracing::warn!(job = %spec.job_id, prefix = %spec.output_prefix, error = %e, "cannot tell whether the failed commit went through; keeping its files");
                return;
            }
        }
    }
    match storage.delete_prefix(&spec.output_prefix).await {
        Ok(()) => {
            tracing::info!(job = %spec.job_id, prefix = %spec.output_prefix, "the commit failed; its stored outputs were removed")
        }
        Err(e) => {
            tracing::warn!(job = %spec.job_id, prefix = %spec.output_prefix, error = %e, "the commit failed and its stored outputs could not be removed")
        }
    }
}

async fn insert_audio_file(
    txn: &sea_orm::DatabaseTransaction,
    profile_id: Uuid,
    spec: &JobSpec,
    metadata: &RecordingMetadata,
    now: chrono::DateTime<Utc>,
) -> Result<Uuid, Error> {
    let src = &metadata.source;
    let audio = audio_file::ActiveModel {
        id: Set(Uuid::now_v7()),
        profile_id: Set(profile_id),
        file_hash: Set(src.sha256.clone()),
        original_name: Set(src.file_name.clone()),
        source_path: Set(spec
            .source
            .local_path
            .as_deref()
            .map(crate::path_text::encode)),
        input_key: Set(spec.source.input_key.clone()),
        size_bytes: Set(i64::try_from(src.size_bytes).unwrap_or(i64::MAX)),
        duration_seconds: Set(src.duration_seconds),
        sample_rate: Set(src.sample_rate as i32),
        channels: Set(src.channels as i32),
        bits_per_sample: Set(src.bits_per_sample.map(|b| b as i32)),
        codec: Set(src.codec.clone()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(txn)
    .await
    .map_err(db_error)?;
    Ok(audio.id)
}

async fn insert_stems(
    txn: &sea_orm::DatabaseTransaction,
    recording_id: Uuid,
    prefix: &str,
    metadata: &RecordingMetadata,
    now: chrono::DateTime<Utc>,
) -> Result<(), Error> {
    for (order, s) in metadata.stems.iter().enumerate() {
        stem::ActiveModel {
            id: Set(Uuid::now_v7()),
            recording_id: Set(recording_id),
            name: Set(s.name.clone()),
            sort_order: Set(order as i32),
            storage_key: Set(format!("{prefix}/{}", s.file)),
            waveform_key: Set(format!("{prefix}/{}", s.waveform_file)),
            format: Set(metadata.output_format.clone()),
            sample_rate: Set(s.sample_rate as i32),
            channels: Set(s.channels as i32),
            bits_per_sample: Set(s.bits_per_sample.map(|b| b as i32)),
            bitrate_kbps: Set(s.bitrate_kbps.map(|b| b as i32)),
            size_bytes: Set(i64::try_from(s.size_bytes).unwrap_or(i64::MAX)),
            duration_seconds: Set(s.analysis.duration_seconds),
            lufs: Set(s.analysis.lufs),
            true_peak_dbtp: Set(s.analysis.true_peak_dbtp),
            sample_peak_dbfs: Set(s.analysis.sample_peak_dbfs),
            gain_db: Set(0.0),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(txn)
        .await
        .map_err(db_error)?;
    }
    Ok(())
}

/// Reprocessing: swap the recording's stems for the new ones in one transaction, then
/// remove the old files. A user's saved gains carry over to stems of the same name.
async fn replace_stems(
    db: &DatabaseConnection,
    storage: &Storage,
    spec: &JobSpec,
    metadata: &RecordingMetadata,
) -> Result<(Uuid, Committed), Error> {
    let now = Utc::now();
    let txn = crate::db::begin_write(db).await.map_err(db_error)?;
    let Some(rec) = recording::Entity::find_by_id(spec.recording_id)
        .one(&txn)
        .await
        .map_err(db_error)?
    else {
        txn.commit().await.map_err(db_error)?;
        let _ = storage.delete_prefix(&spec.output_prefix).await;
        return Err(Error::Other(
            "the recording was deleted while it was being reprocessed".into(),
        ));
    };
    if rec.storage_prefix == spec.output_prefix {
        txn.commit().await.map_err(db_error)?;
        return Ok((rec.id, Committed::AlreadyCommitted));
    }
    let old: Vec<stem::Model> = stem::Entity::find()
        .filter(stem::Column::RecordingId.eq(rec.id))
        .all(&txn)
        .await
        .map_err(db_error)?;
    stem::Entity::delete_many()
        .filter(stem::Column::RecordingId.eq(rec.id))
        .exec(&txn)
        .await
        .map_err(db_error)?;
    insert_stems(&txn, rec.id, &spec.output_prefix, metadata, now).await?;
    crate::takes::store::replace_takes(&txn, rec.profile_id, rec.id, &metadata.takes, now)
        .await
        .map_err(db_error)?;
    for o in &old {
        stem::Entity::update_many()
            .col_expr(
                stem::Column::GainDb,
                sea_orm::sea_query::Expr::value(o.gain_db),
            )
            .filter(stem::Column::RecordingId.eq(rec.id))
            .filter(stem::Column::Name.eq(&o.name))
            .exec(&txn)
            .await
            .map_err(db_error)?;
    }
    let old_prefix = rec.storage_prefix.clone();
    let profile_id = rec.profile_id;
    let mut active: recording::ActiveModel = rec.into();
    active.strategy = Set(metadata.strategy.clone());
    active.storage_prefix = Set(spec.output_prefix.clone());
    active.updated_at = Set(now);
    active.update(&txn).await.map_err(db_error)?;
    txn.commit().await.map_err(db_error)?;
    // The old files: each stem's audio and peaks, and the old metadata.json. Keys are
    // deleted one by one because the new folder may live inside the old one.
    for o in &old {
        let _ = storage.delete(&o.storage_key).await;
        let _ = storage.delete(&o.waveform_key).await;
    }
    let _ = storage
        .delete(&format!("{old_prefix}/{METADATA_FILE}"))
        .await;
    after_commit(db, storage, profile_id, spec, metadata).await;
    Ok((spec.recording_id, Committed::Replaced))
}

/// Once the rows are in: song suggestions for the new takes, and `metadata.json` names
/// each take's song (filed or suggested). Neither can undo the commit: a failure is
/// logged and the takes simply have no suggestion.
async fn after_commit(
    db: &DatabaseConnection,
    storage: &Storage,
    profile_id: Uuid,
    spec: &JobSpec,
    metadata: &RecordingMetadata,
) {
    if metadata.takes.is_empty() {
        return;
    }
    match crate::takes::suggest::suggest_for_recording(db, profile_id, spec.recording_id).await {
        Ok(n) => tracing::debug!(recording = %spec.recording_id, suggested = n, "song suggestions"),
        Err(e) => {
            tracing::warn!(recording = %spec.recording_id, error = %e, "song suggestions failed");
            return;
        }
    }
    let views = match crate::takes::store::recording_takes(db, spec.recording_id).await {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!(recording = %spec.recording_id, error = %e, "reading the takes' songs");
            return;
        }
    };
    let song_of = |v: &crate::takes::store::TakeView| v.song.clone().or(v.suggested_song.clone());
    if views.iter().all(|v| song_of(v).is_none()) {
        return;
    }
    let mut updated = metadata.clone();
    for t in &mut updated.takes {
        t.song = views
            .iter()
            .find(|v| {
                (v.take.start_seconds - t.take.start).abs() < 1e-6
                    && (v.take.end_seconds - t.take.end).abs() < 1e-6
            })
            .and_then(song_of);
    }
    let key = format!("{}/{METADATA_FILE}", spec.output_prefix);
    match serde_json::to_vec_pretty(&updated) {
        Ok(json) => {
            if let Err(e) = storage.put_bytes(&key, json).await {
                tracing::warn!(key, error = %e, "writing the takes' songs into metadata.json");
            }
        }
        Err(e) => tracing::warn!(key, error = %e, "metadata.json"),
    }
}

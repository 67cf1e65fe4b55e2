//! The operations on recordings against real databases (SQLite and PostgreSQL) and real
//! local storage, on a recording the processor made: what a profile has of some content
//! (its recording, else a pending job), reprocessing (one pending job per recording,
//! unknown strategies refused) and deleting (rows, then every stored file; the
//! `audio_files` row stays).

mod common;

use std::sync::Arc;

use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use stemset_core::config::Config;
use stemset_core::progress::Silent;
use stemset_core::vars::VarResolver;
use stemset_library::db::{audio_file, job, profile, recording, stem};
use stemset_library::jobs::queue::{self, Enqueued, NewJob};
use stemset_library::jobs::settings::JobsConfig;
use stemset_library::process::Processor;
use stemset_library::recordings::{
    KnownContent, RecordingError, delete_recording, known_content, pending_job_for_content,
    recorded_hashes, recording_for_content, reprocess_recording,
};
use uuid::Uuid;

const YAML: &str = r#"
strategies:
  good:
    _: split
    quarter: q
    rest: r
  other:
    _: split
    quarter: oq
    rest: or
profiles:
  band:
    source: ./in
    strategy: good
output:
  format: wav
storage:
  kind: local
  path: ./media
database:
  url: DB_URL
processing:
  temp_dir: ./scratch
jobs:
  max_attempts: 4
"#;

/// A processor over a temporary folder, and one recording it made of `in/take.wav`.
struct Fixture {
    dir: tempfile::TempDir,
    processor: Processor,
    profile_id: Uuid,
    sha256: String,
    recording: recording::Model,
}

impl Fixture {
    fn db(&self) -> &DatabaseConnection {
        &self.processor.db
    }

    fn config(&self) -> &Config {
        &self.processor.config
    }

    /// The `jobs` section of the fixture's config (`max_attempts: 4`).
    fn jobs(&self) -> JobsConfig {
        JobsConfig::from_config(self.config()).expect("jobs settings")
    }

    fn files_under(&self, prefix: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut stack = vec![self.dir.path().join("media").join(prefix)];
        while let Some(d) = stack.pop() {
            let Ok(rd) = std::fs::read_dir(&d) else {
                continue;
            };
            for e in rd.flatten() {
                if e.path().is_dir() {
                    stack.push(e.path());
                } else {
                    out.push(e.path().display().to_string());
                }
            }
        }
        out
    }
}

async fn fixture(db_url: &str) -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(dir.path().join("in")).expect("mkdir");
    let path = common::write_config(dir.path(), &YAML.replace("DB_URL", db_url), common::PLUGINS);
    let config = Config::load_with(&path, &VarResolver::from_map([])).expect("config");
    let processor = Processor::new(Arc::new(config)).await.expect("processor");
    common::write_sine_wav(&dir.path().join("in/take.wav"), 44_100, 16, 1.0, 440.0, 0.5);
    let plan = processor.plan("band", &|_| {}).await.expect("plan");
    assert_eq!(plan.new.len(), 1);
    let candidate = plan.new[0].clone();
    let made = processor
        .process_file("band", &candidate, None, Arc::new(Silent))
        .await
        .expect("process");
    let recording = recording::Entity::find_by_id(made.recording_id)
        .one(&processor.db)
        .await
        .expect("query")
        .expect("the recording");
    let profile_id = profile::Entity::find()
        .filter(profile::Column::Name.eq("band"))
        .one(&processor.db)
        .await
        .expect("query")
        .expect("the profile")
        .id;
    Fixture {
        dir,
        processor,
        profile_id,
        sha256: candidate.sha256,
        recording,
    }
}

fn process_job(profile_id: Uuid, sha256: &str) -> NewJob {
    NewJob {
        profile_id,
        kind: job::KIND_PROCESS.into(),
        input_key: format!("inputs/band/{sha256}.wav"),
        recording_id: Uuid::now_v7(),
        strategy: None,
        original_name: Some("upload.wav".into()),
        file_hash: Some(sha256.into()),
        size_bytes: Some(1),
        created_by: None,
        max_attempts: 3,
        source_modified_at: None,
    }
}

async fn known_content_finds_recordings_then_pending_jobs(db_url: &str) {
    let f = fixture(db_url).await;
    let db = f.db();
    let rec = recording_for_content(db, f.profile_id, &f.sha256)
        .await
        .expect("query")
        .expect("the content has a recording");
    assert_eq!(rec, f.recording);
    // Another profile's content, or other content, is not this recording.
    assert_eq!(
        recording_for_content(db, Uuid::now_v7(), &f.sha256)
            .await
            .expect("query"),
        None
    );
    let other = "0".repeat(64);
    assert_eq!(
        recording_for_content(db, f.profile_id, &other)
            .await
            .expect("query"),
        None
    );
    assert_eq!(
        recorded_hashes(db, "band").await.expect("query"),
        std::collections::HashSet::from([f.sha256.clone()])
    );
    assert!(
        recorded_hashes(db, "nobody")
            .await
            .expect("query")
            .is_empty()
    );

    assert_eq!(
        known_content(db, f.profile_id, &f.sha256)
            .await
            .expect("query"),
        Some(KnownContent::Recorded(f.recording.clone()))
    );
    assert_eq!(
        known_content(db, f.profile_id, &other)
            .await
            .expect("query"),
        None
    );
    // Content on its way: the pending job, oldest first, until it has ended.
    let first = queue::enqueue(db, process_job(f.profile_id, &other))
        .await
        .expect("enqueue");
    assert_eq!(
        known_content(db, f.profile_id, &other)
            .await
            .expect("query"),
        Some(KnownContent::Pending(Box::new(first.clone())))
    );
    let claimed = queue::claim(db, "w", std::time::Duration::from_secs(60))
        .await
        .expect("claim")
        .expect("a job");
    assert_eq!(claimed.id, first.id);
    assert_eq!(
        pending_job_for_content(db, f.profile_id, &other)
            .await
            .expect("query")
            .map(|j| (j.id, j.state)),
        Some((first.id, job::STATE_RUNNING.to_string())),
        "a running job is pending too"
    );
    queue::fail(db, claimed.id, claimed.attempts, "broken", false)
        .await
        .expect("fail");
    assert_eq!(
        known_content(db, f.profile_id, &other)
            .await
            .expect("query"),
        None,
        "a failed job is not pending"
    );
    // A recording wins over a pending job of the same content.
    queue::enqueue(db, process_job(f.profile_id, &f.sha256))
        .await
        .expect("enqueue");
    assert!(matches!(
        known_content(db, f.profile_id, &f.sha256).await.expect("query"),
        Some(KnownContent::Recorded(r)) if r.id == f.recording.id
    ));
}

async fn reprocess_queues_one_job_per_recording(db_url: &str) {
    let f = fixture(db_url).await;
    let db = f.db();
    let user = Uuid::now_v7();
    let e = reprocess_recording(db, f.config(), &f.jobs(), Uuid::now_v7(), None, Some(user))
        .await
        .expect_err("no such recording");
    assert!(matches!(e, RecordingError::NotFound), "{e:?}");
    assert_eq!(e.to_string(), "recording not found");
    let e = reprocess_recording(
        db,
        f.config(),
        &f.jobs(),
        f.recording.id,
        Some("nope".into()),
        None,
    )
    .await
    .expect_err("unknown strategy");
    assert_eq!(
        e.to_string(),
        "strategy: unknown \"nope\"; strategies: good, other"
    );

    let Enqueued::Created(j) =
        reprocess_recording(db, f.config(), &f.jobs(), f.recording.id, None, Some(user))
            .await
            .expect("reprocess")
    else {
        panic!("a new job");
    };
    let audio = audio_file::Entity::find_by_id(f.recording.audio_file_id)
        .one(db)
        .await
        .expect("query")
        .expect("audio file");
    assert_eq!(j.kind, job::KIND_REPROCESS);
    assert_eq!(j.state, job::STATE_QUEUED);
    assert_eq!(j.profile_id, f.profile_id);
    assert_eq!(j.recording_id, Some(f.recording.id));
    assert_eq!(j.strategy.as_deref(), Some("good"), "the recording's own");
    // Processed from the folder: no stored original, and no local path posing as a key
    // (the runner reads the source from the audio file row).
    assert!(audio.source_path.is_some());
    assert_eq!(j.input_key, "");
    assert_eq!(j.file_hash.as_deref(), Some(f.sha256.as_str()));
    assert_eq!(j.original_name.as_deref(), Some("take.wav"));
    assert_eq!(j.size_bytes, Some(audio.size_bytes));
    assert_eq!(j.created_by, Some(user));
    assert_eq!(j.max_attempts, 4);

    // Asked again (even with another strategy): that pending job, unchanged.
    let again = reprocess_recording(
        db,
        f.config(),
        &f.jobs(),
        f.recording.id,
        Some("other".into()),
        None,
    )
    .await
    .expect("reprocess");
    assert_eq!(again, Enqueued::Pending(j.clone()));
}

async fn delete_removes_rows_and_files(db_url: &str) {
    let f = fixture(db_url).await;
    let db = f.db();
    let prefix = f.recording.storage_prefix.clone();
    let stems = stem::Entity::find()
        .filter(stem::Column::RecordingId.eq(f.recording.id))
        .all(db)
        .await
        .expect("stems");
    assert_eq!(stems.len(), 2);
    let files = f.files_under(&prefix);
    assert_eq!(
        files.len(),
        5,
        "two stems, two peaks, metadata.json: {files:?}"
    );
    let reprocess = reprocess_recording(db, f.config(), &f.jobs(), f.recording.id, None, None)
        .await
        .expect("reprocess")
        .into_job();

    let deleted = delete_recording(db, &f.processor.storage, f.recording.id)
        .await
        .expect("delete");
    assert_eq!(deleted, f.recording);
    assert_eq!(
        recording::Entity::find_by_id(f.recording.id)
            .one(db)
            .await
            .expect("query"),
        None
    );
    assert!(
        stem::Entity::find()
            .filter(stem::Column::RecordingId.eq(f.recording.id))
            .all(db)
            .await
            .expect("stems")
            .is_empty()
    );
    assert!(
        f.files_under(&prefix).is_empty(),
        "{:?}",
        f.files_under(&prefix)
    );
    for s in &stems {
        assert!(
            !f.processor
                .storage
                .exists(&s.storage_key)
                .await
                .expect("exists")
        );
    }
    // The job that was to reprocess it stays, pointing at nothing.
    let j = job::Entity::find_by_id(reprocess.id)
        .one(db)
        .await
        .expect("query")
        .expect("the job stays");
    assert_eq!(j.recording_id, None);
    // The content's audio file stays (the "already processed" mark for a folder scan),
    // but the content has no recording any more.
    assert!(
        audio_file::Entity::find_by_id(f.recording.audio_file_id)
            .one(db)
            .await
            .expect("query")
            .is_some()
    );
    assert_eq!(
        recording_for_content(db, f.profile_id, &f.sha256)
            .await
            .expect("query"),
        None
    );
    assert!(recorded_hashes(db, "band").await.expect("query").is_empty());
    assert_eq!(
        known_content(db, f.profile_id, &f.sha256)
            .await
            .expect("query"),
        None
    );

    // Gone: deleting or reprocessing it again is "not found".
    let e = delete_recording(db, &f.processor.storage, f.recording.id)
        .await
        .expect_err("deleted already");
    assert!(matches!(e, RecordingError::NotFound), "{e:?}");
    let e = reprocess_recording(db, f.config(), &f.jobs(), f.recording.id, None, None)
        .await
        .expect_err("deleted");
    assert!(matches!(e, RecordingError::NotFound), "{e:?}");
}

fn sqlite_url() -> String {
    "sqlite://./library.sqlite".to_string()
}

async fn postgres_url() -> String {
    common::migrated_postgres_database().await
}

#[tokio::test(flavor = "multi_thread")]
async fn sqlite_known_content() {
    known_content_finds_recordings_then_pending_jobs(&sqlite_url()).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_known_content() {
    known_content_finds_recordings_then_pending_jobs(&postgres_url().await).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sqlite_reprocess() {
    reprocess_queues_one_job_per_recording(&sqlite_url()).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_reprocess() {
    reprocess_queues_one_job_per_recording(&postgres_url().await).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sqlite_delete() {
    delete_removes_rows_and_files(&sqlite_url()).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_delete() {
    delete_removes_rows_and_files(&postgres_url().await).await;
}

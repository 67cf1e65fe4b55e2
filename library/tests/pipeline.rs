//! The processing pipeline end to end against real databases (SQLite and PostgreSQL) and
//! real local storage: stems, metadata.json, rows in one transaction, dedupe by content,
//! and rollback of a failed run.

mod common;

use std::path::Path;
use std::sync::Arc;

use sea_orm::{EntityTrait, PaginatorTrait};
use stemset_audio::wav::WavSource;
use stemset_audio::{AudioSource, decode};
use stemset_core::config::Config;
use stemset_core::metadata::RecordingMetadata;
use stemset_core::progress::Silent;
use stemset_core::vars::VarResolver;
use stemset_library::db::{audio_file, profile, recording, stem};
use stemset_library::process::Processor;

fn yaml(db_url: &str, strategy: &str, format: &str) -> String {
    format!(
        r#"
strategies:
  good:
    _: split
    quarter: q
    rest:
      _: split
      quarter: rq
      rest: rr
  bad:
    _: split
    quarter: q
    rest:
      _: failing
      quarter: fq
      rest: fr
profiles:
  band:
    source: ./in
    strategy: {strategy}
output:
  format: {format}
storage:
  kind: local
  path: ./media
database:
  url: {db_url}
processing:
  temp_dir: ./scratch
"#
    )
}

struct Fixture {
    dir: tempfile::TempDir,
    processor: Processor,
}

async fn fixture(db_url: &str, strategy: &str, format: &str) -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(dir.path().join("in")).expect("mkdir");
    let path = common::write_config(dir.path(), &yaml(db_url, strategy, format), common::PLUGINS);
    let config = Config::load_with(&path, &VarResolver::from_map([])).expect("config");
    let processor = Processor::new(Arc::new(config)).await.expect("processor");
    Fixture { dir, processor }
}

fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            if e.path().is_dir() {
                stack.push(e.path());
            } else {
                out.push(
                    e.path()
                        .strip_prefix(dir)
                        .expect("prefix")
                        .display()
                        .to_string(),
                );
            }
        }
    }
    out.sort();
    out
}

async fn count<E: EntityTrait>(db: &sea_orm::DatabaseConnection) -> u64
where
    E::Model: Sync,
{
    E::find().count(db).await.expect("count")
}

async fn processes_dedupes_and_records(db_url: &str) {
    let f = fixture(db_url, "good", "wav").await;
    let input = f.dir.path().join("in/take one.wav");
    common::write_sine_wav(&input, 48_000, 24, 2.0, 440.0, 0.5);

    let plan = f.processor.plan("band", &|_| {}).await.expect("plan");
    assert_eq!(plan.new.len(), 1);
    let rec = f
        .processor
        .process_file("band", &plan.new[0], None, Arc::new(Silent))
        .await
        .expect("process");
    assert_eq!(rec.stems, vec!["q", "rq", "rr"]);
    assert!(
        (rec.duration_seconds - 2.0).abs() < 1e-9,
        "{}",
        rec.duration_seconds
    );

    // Storage: three stems, three waveforms, metadata.json; nothing left in scratch.
    let media = f.dir.path().join("media");
    let files = files_under(&media);
    let prefix = format!("band/{}", rec.recording_id);
    for name in ["q.wav", "rq.wav", "rr.wav", "q.peaks", "metadata.json"] {
        assert!(
            files.contains(&format!("{prefix}/{name}")),
            "{name} missing in {files:?}"
        );
    }
    assert!(
        files_under(&f.dir.path().join("scratch")).is_empty(),
        "scratch not cleaned"
    );

    // The stems keep the source's 48 kHz / 24-bit and are exact fractions of the input.
    let q = decode::open(&media.join(format!("{prefix}/q.wav"))).expect("open stem");
    assert_eq!(q.info().sample_rate, 48_000);
    assert_eq!(q.info().bits_per_sample, Some(24));
    let mut src = WavSource::open(&input).expect("src");
    let mut rr = WavSource::open(&media.join(format!("{prefix}/rr.wav"))).expect("rr");
    let (a, b) = (read_all(&mut src), read_all(&mut rr));
    assert_eq!(a.len(), b.len(), "stem length equals source length");
    let err = a
        .iter()
        .zip(&b)
        .map(|(x, y)| (x * 0.5625 - y).abs())
        .fold(0.0f32, f32::max);
    assert!(
        err < 2e-3,
        "rr = 0.75·0.75·x through two resamplings, max error {err}"
    );

    let meta: RecordingMetadata = serde_json::from_slice(
        &std::fs::read(media.join(format!("{prefix}/metadata.json"))).expect("metadata"),
    )
    .expect("parse metadata");
    assert_eq!(meta.stems.len(), 3);
    assert!(
        meta.stems
            .iter()
            .all(|s| s.analysis.lufs.is_some_and(f64::is_finite))
    );
    assert_eq!(meta.source.sample_rate, 48_000);
    assert_eq!(meta.models, vec!["split", "split"]);
    let runs: Vec<(&str, &str)> = meta
        .model_runs
        .iter()
        .map(|r| (r.model.as_str(), r.device.as_str()))
        .collect();
    assert_eq!(runs, [("split", "cpu"), ("split", "cpu")]);
    assert_eq!(rec.devices, ["cpu"]);

    // Database rows.
    let db = &f.processor.db;
    assert_eq!(count::<profile::Entity>(db).await, 1);
    assert_eq!(count::<audio_file::Entity>(db).await, 1);
    assert_eq!(count::<recording::Entity>(db).await, 1);
    assert_eq!(count::<stem::Entity>(db).await, 3);
    let r = recording::Entity::find()
        .one(db)
        .await
        .expect("q")
        .expect("row");
    assert_eq!(r.title, "take one");
    assert_eq!(r.storage_prefix, prefix);

    // Same content under another name: known, nothing new.
    std::fs::rename(&input, f.dir.path().join("in/renamed.wav")).expect("rename");
    let plan = f.processor.plan("band", &|_| {}).await.expect("plan");
    assert_eq!((plan.new.len(), plan.known.len()), (0, 1));
    // A copy in the folder is a duplicate of the first, not a new file.
    std::fs::copy(
        f.dir.path().join("in/renamed.wav"),
        f.dir.path().join("in/copy.wav"),
    )
    .expect("copy");
    let plan = f.processor.plan("band", &|_| {}).await.expect("plan");
    assert_eq!(plan.new.len(), 0);
    assert_eq!(plan.known.len() + plan.duplicates.len(), 2);

    // Its recording deleted, the file is new again and processes into a new recording.
    recording::Entity::delete_many()
        .exec(&f.processor.db)
        .await
        .expect("delete");
    std::fs::remove_file(f.dir.path().join("in/copy.wav")).expect("rm");
    let plan = f.processor.plan("band", &|_| {}).await.expect("plan");
    assert_eq!((plan.new.len(), plan.known.len()), (1, 0));
    let again = f
        .processor
        .process_file("band", &plan.new[0], None, Arc::new(Silent))
        .await
        .expect("processed again");
    assert_ne!(again.recording_id.to_string(), r.id.to_string());
    assert_eq!(
        count::<audio_file::Entity>(&f.processor.db).await,
        1,
        "row reused"
    );
    assert_eq!(count::<recording::Entity>(&f.processor.db).await, 1);
}

async fn failed_run_leaves_nothing(db_url: &str) {
    let f = fixture(db_url, "bad", "opus").await;
    let input = f.dir.path().join("in/take.wav");
    common::write_sine_wav(&input, 44_100, 16, 1.0, 220.0, 0.5);
    let plan = f.processor.plan("band", &|_| {}).await.expect("plan");
    let err = f
        .processor
        .process_file("band", &plan.new[0], None, Arc::new(Silent))
        .await
        .expect_err("the failing model fails");
    assert!(err.to_string().contains("deliberate failure"), "{err}");
    let db = &f.processor.db;
    assert_eq!(count::<recording::Entity>(db).await, 0);
    assert_eq!(count::<audio_file::Entity>(db).await, 0);
    assert_eq!(count::<stem::Entity>(db).await, 0);
    assert!(files_under(&f.dir.path().join("media")).is_empty());
    assert!(
        files_under(&f.dir.path().join("scratch")).is_empty(),
        "scratch not cleaned"
    );
    // The file is still new: a re-run picks it up again.
    let plan = f.processor.plan("band", &|_| {}).await.expect("plan");
    assert_eq!(plan.new.len(), 1);
}

async fn corrupt_file_is_a_clear_error(db_url: &str) {
    let f = fixture(db_url, "good", "flac").await;
    std::fs::write(
        f.dir.path().join("in/notes.wav"),
        b"this is not audio at all",
    )
    .expect("write");
    let plan = f.processor.plan("band", &|_| {}).await.expect("plan");
    let err = f
        .processor
        .process_file("band", &plan.new[0], None, Arc::new(Silent))
        .await
        .expect_err("corrupt");
    assert!(
        err.to_string().contains("notes.wav"),
        "names the file: {err}"
    );
    assert_eq!(count::<recording::Entity>(&f.processor.db).await, 0);
}

fn read_all(src: &mut dyn AudioSource) -> Vec<f32> {
    let mut out = Vec::new();
    let mut buf = vec![0.0f32; 8192 * src.channels()];
    loop {
        let n = src.read(&mut buf).expect("read");
        if n == 0 {
            return out;
        }
        out.extend_from_slice(&buf[..n * src.channels()]);
    }
}

fn sqlite_url() -> String {
    "sqlite://./library.sqlite".to_string()
}

/// A fresh PostgreSQL database per test on the server of `STEMSET_TEST_POSTGRES_URL`
/// (default: the local server on 127.0.0.1:5432).
async fn postgres_url() -> String {
    let url = common::create_postgres_database().await;
    // PostgreSQL is migrated explicitly (`stemset migrate`), never behind the user's back.
    let err = stemset_library::db::connect(&url, false)
        .await
        .expect_err("an unmigrated database is refused");
    assert!(err.to_string().contains("run `stemset migrate`"), "{err}");
    stemset_library::db::connect(&url, true)
        .await
        .expect("migrate");
    url
}

#[tokio::test(flavor = "multi_thread")]
async fn sqlite_processes_dedupes_and_records() {
    processes_dedupes_and_records(&sqlite_url()).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_processes_dedupes_and_records() {
    processes_dedupes_and_records(&postgres_url().await).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sqlite_failed_run_leaves_nothing() {
    failed_run_leaves_nothing(&sqlite_url()).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_failed_run_leaves_nothing() {
    failed_run_leaves_nothing(&postgres_url().await).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sqlite_corrupt_file_is_a_clear_error() {
    corrupt_file_is_a_clear_error(&sqlite_url()).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_corrupt_file_is_a_clear_error() {
    corrupt_file_is_a_clear_error(&postgres_url().await).await;
}

/// Measures the scratch folder every time the run reports progress (as it reads the
/// source), keeping the largest size seen.
struct ScratchWatch {
    dir: std::path::PathBuf,
    peak: std::sync::atomic::AtomicU64,
    samples: std::sync::atomic::AtomicU64,
}

impl stemset_core::progress::PipelineProgress for ScratchWatch {
    fn stage(&self, _stage: stemset_core::progress::Stage) {}
    fn fraction(&self, _fraction: f32) {
        use std::sync::atomic::Ordering::Relaxed;
        let size: u64 = files_under(&self.dir)
            .iter()
            .filter_map(|f| std::fs::metadata(self.dir.join(f)).ok())
            .map(|m| m.len())
            .sum();
        self.peak.fetch_max(size, Relaxed);
        self.samples.fetch_add(1, Relaxed);
    }
    fn cancelled(&self) -> bool {
        false
    }
}

/// The tree streams from the decoder through both models into the encoders: scratch
/// holds the encoded stems, never a full-length WAV of the source or of a slot.
#[tokio::test(flavor = "multi_thread")]
async fn scratch_holds_only_the_encoded_stems() {
    use std::sync::atomic::Ordering::Relaxed;
    let f = fixture(&sqlite_url(), "good", "opus").await;
    let input = f.dir.path().join("in/long take.wav");
    common::write_sine_wav(&input, 48_000, 24, 40.0, 330.0, 0.5);
    let source = std::fs::metadata(&input).expect("source").len();
    let plan = f.processor.plan("band", &|_| {}).await.expect("plan");
    let watch = Arc::new(ScratchWatch {
        dir: f.dir.path().join("scratch"),
        peak: Default::default(),
        samples: Default::default(),
    });
    let rec = f
        .processor
        .process_file("band", &plan.new[0], None, watch.clone())
        .await
        .expect("process");
    assert_eq!(rec.stems, vec!["q", "rq", "rr"]);
    let (peak, samples) = (watch.peak.load(Relaxed), watch.samples.load(Relaxed));
    assert!(samples > 50, "the scratch was looked at {samples} times");
    // Three Opus stems of 40 s at 160 kbit/s are about 0.2 of this source; a decoded
    // f32 copy of the source alone would be 1.33 of it.
    assert!(
        peak as f64 <= 0.5 * source as f64,
        "peak scratch {peak} bytes for a source of {source}"
    );
    assert!(peak > 0, "the encoders write into scratch as they go");
}

/// Two files processed at once (as `stemset process` keeps them): the renders take
/// turns, both recordings come out whole.
#[tokio::test(flavor = "multi_thread")]
async fn files_processed_together_both_land() {
    let f = fixture(&sqlite_url(), "good", "flac").await;
    common::write_sine_wav(&f.dir.path().join("in/a.wav"), 48_000, 24, 3.0, 220.0, 0.5);
    common::write_sine_wav(&f.dir.path().join("in/b.wav"), 44_100, 16, 2.0, 440.0, 0.5);
    let plan = f.processor.plan("band", &|_| {}).await.expect("plan");
    assert_eq!(plan.new.len(), 2);
    let (a, b) = tokio::join!(
        f.processor
            .process_file("band", &plan.new[0], None, Arc::new(Silent)),
        f.processor
            .process_file("band", &plan.new[1], None, Arc::new(Silent)),
    );
    let (a, b) = (a.expect("first"), b.expect("second"));
    let mut lengths = [a.duration_seconds, b.duration_seconds];
    lengths.sort_by(f64::total_cmp);
    assert_eq!(lengths, [2.0, 3.0]);
    let db = &f.processor.db;
    assert_eq!(count::<recording::Entity>(db).await, 2);
    assert_eq!(count::<stem::Entity>(db).await, 6);
    assert!(
        files_under(&f.dir.path().join("scratch")).is_empty(),
        "scratch not cleaned"
    );
}

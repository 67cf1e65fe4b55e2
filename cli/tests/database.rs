//! The database under pressure, through the real binary: a SQLite file another program
//! holds locked (`stemset process` waits for it, or fails leaving nothing in storage),
//! several processes migrating one fresh database at once, and what `stemset migrate`
//! says it did.

mod common;

use common::{fresh_postgres, stemset, text};

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use sea_orm::{
    Database, DatabaseConnection, DatabaseTransaction, EntityTrait, PaginatorTrait,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use stemset_library::db::{SQLITE_BUSY_TIMEOUT, recording};
use stemset_migrations::{Migrator, MigratorTrait};

/// A copy of the example config and catalog in a temp folder, `database.url` set to
/// `db_url` (default: the SQLite file `data/stemset.sqlite`), with a 3-second demo
/// recording to process when `demo`.
fn setup(db_url: Option<&str>, demo: bool) -> tempfile::TempDir {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = std::fs::read_to_string(root.join("config.yaml")).expect("config.yaml");
    if let Some(url) = db_url {
        config = config.replace(
            "${DATABASE_URL:-sqlite://./data/stemset.sqlite}",
            &format!("\"{url}\""),
        );
    }
    std::fs::write(dir.path().join("config.yaml"), config).expect("write");
    std::fs::copy(root.join("plugins.toml"), dir.path().join("plugins.toml")).expect("copy");
    if demo {
        let o = stemset(
            dir.path(),
            &["generate-demo", "demo/recordings/jam.wav", "--seconds", "3"],
        );
        assert!(o.status.success(), "{}", text(&o));
    }
    dir
}

fn sqlite_url(dir: &Path) -> String {
    format!("sqlite://{}/data/stemset.sqlite", dir.display())
}

/// Another program writing the SQLite file: a transaction holding its write lock
/// (`BEGIN IMMEDIATE`, the lock `BEGIN EXCLUSIVE` takes too). Readers still read, so
/// `stemset process` gets as far as its commit.
async fn hold_write_lock(dir: &Path) -> (DatabaseConnection, DatabaseTransaction) {
    let db = Database::connect(sqlite_url(dir)).await.expect("connect");
    let txn = db
        .begin_with_options(TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..TransactionOptions::default()
        })
        .await
        .expect("lock");
    (db, txn)
}

/// The recording folders under `data/media/demo`.
fn recording_folders(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir.join("data/media/demo"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .collect()
}

async fn recordings(dir: &Path) -> u64 {
    let db = Database::connect(sqlite_url(dir)).await.expect("connect");
    recording::Entity::find().count(&db).await.expect("count")
}

async fn run(dir: PathBuf, args: &'static [&'static str]) -> Output {
    tokio::task::spawn_blocking(move || stemset(&dir, args))
        .await
        .expect("stemset task")
}

/// Creates the (migrated) database, as a first run would.
fn migrated(dir: &Path) {
    let o = stemset(dir, &["migrate"]);
    assert!(o.status.success(), "{}", text(&o));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_commit_that_fails_on_a_locked_database_leaves_nothing() {
    let dir = setup(None, true);
    migrated(dir.path());
    // Locked for the whole run, longer than the busy timeout.
    let (_db, lock) = hold_write_lock(dir.path()).await;
    let o = run(dir.path().to_path_buf(), &["process", "demo"]).await;
    lock.rollback().await.expect("unlock");
    assert!(!o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("database is locked"), "{}", text(&o));
    assert_eq!(recordings(dir.path()).await, 0);
    assert_eq!(
        recording_folders(dir.path()),
        Vec::<PathBuf>::new(),
        "no stems, peaks or metadata.json without a recording"
    );

    // The next run processes the file into exactly one folder.
    let o = run(dir.path().to_path_buf(), &["process", "demo"]).await;
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(recordings(dir.path()).await, 1);
    assert_eq!(recording_folders(dir.path()).len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_commit_waits_for_a_short_lock() {
    let dir = setup(None, true);
    migrated(dir.path());
    let (_db, lock) = hold_write_lock(dir.path()).await;
    let child = tokio::spawn(run(dir.path().to_path_buf(), &["process", "demo"]));
    // metadata.json is stored last, right before the commit: from then on the run
    // waits for the lock. Released well within the busy timeout.
    let metadata = || {
        recording_folders(dir.path())
            .iter()
            .any(|f| f.join("metadata.json").is_file())
    };
    for _ in 0..6000 {
        if metadata() || child.is_finished() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(metadata(), "the run stored its outputs");
    let held = Duration::from_secs(1);
    assert!(held * 3 < SQLITE_BUSY_TIMEOUT);
    tokio::time::sleep(held).await;
    lock.rollback().await.expect("unlock");
    let o = child.await.expect("run");
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("processed 1 file(s)"), "{}", text(&o));
    assert_eq!(recordings(dir.path()).await, 1);
    assert_eq!(recording_folders(dir.path()).len(), 1);
}

/// `stemset migrate` started `n` times at once, each in its own process.
async fn migrate_at_once(dir: &Path, n: usize) -> Vec<Output> {
    let runs: Vec<_> = (0..n)
        .map(|_| tokio::spawn(run(dir.to_path_buf(), &["migrate"])))
        .collect();
    let mut outputs = Vec::new();
    for r in runs {
        outputs.push(r.await.expect("migrate"));
    }
    outputs
}

/// Every run succeeded, and exactly one of them applied the migrations.
fn one_migrated(outputs: &[Output]) {
    for o in outputs {
        assert!(o.status.success(), "{}", text(o));
    }
    let applied = outputs
        .iter()
        .filter(|o| text(o).contains("applied "))
        .count();
    let texts: Vec<String> = outputs.iter().map(text).collect();
    assert_eq!(applied, 1, "{texts:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_migrations_of_a_fresh_sqlite_file() {
    for _ in 0..3 {
        let dir = setup(None, false);
        one_migrated(&migrate_at_once(dir.path(), 6).await);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_migrations_of_a_fresh_postgres_database() {
    for _ in 0..3 {
        let url = fresh_postgres().await;
        let dir = setup(Some(&url), false);
        one_migrated(&migrate_at_once(dir.path(), 6).await);
    }
}

#[test]
fn migrate_says_what_it_applied() {
    let dir = setup(None, false);
    let o = stemset(dir.path(), &["migrate"]);
    assert!(o.status.success(), "{}", text(&o));
    let out = text(&o);
    let names: Vec<String> = Migrator::migrations()
        .iter()
        .map(|m| m.name().to_string())
        .collect();
    assert!(
        out.contains(&format!("applied {} migrations:", names.len())),
        "{out}"
    );
    for name in &names {
        assert!(out.contains(name.as_str()), "{name}: {out}");
    }
    let o = stemset(dir.path(), &["migrate"]);
    assert!(o.status.success(), "{}", text(&o));
    let out = text(&o);
    assert!(out.contains("up to date"), "{out}");
    assert!(!out.contains("applied"), "{out}");
}

//! Database access: the sea-orm entities and connecting (+ migrating) a database.

pub mod config_sync;
pub mod entities;

use std::time::Duration;

use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseBackend, DatabaseConnection,
    DatabaseTransaction, DbErr, SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use sea_orm_migration::MigratorTrait;
use stemset_migrations::Migrator;

pub use entities::*;

/// How long a SQLite statement waits for another connection's lock (another process
/// writing the same file) before it fails with "database is locked".
pub const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a request waits for a pooled connection (opening one included) before it
/// fails with [`DbErr::ConnectionAcquire`]: a database that is down or unreachable is
/// reported within seconds instead of after sqlx's default 30 s.
pub const ACQUIRE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// Rows a SQLite connection's worker thread may queue ahead of the reader. sqlx's 50
/// makes a longer result a ping-pong: once the queue is full the worker sleeps and every
/// row read wakes it for the next (200 thread switches for a 250-row read, measured).
/// A page of rows fits: the worker runs ahead and the reader drains without waits.
const SQLITE_ROW_QUEUE: usize = 1024;

/// The PostgreSQL advisory lock that serialises migrations (any fixed number: "stemset").
const MIGRATION_LOCK_KEY: i64 = 0x0073_7465_6d73_6574;

/// Connects to `url`. SQLite databases (the embedded default) are created and migrated
/// automatically; PostgreSQL is migrated by `stemset migrate` unless `auto_migrate`.
pub async fn connect(url: &str, auto_migrate: bool) -> Result<DatabaseConnection, DbErr> {
    let db = open(url).await?;
    if auto_migrate || url.starts_with("sqlite:") {
        migrate(&db).await?;
    } else {
        let pending = Migrator::get_pending_migrations_read_only(&db).await?;
        if !pending.is_empty() {
            return Err(DbErr::Custom(format!(
                "the database schema is not up to date ({} pending migration{}): run `stemset migrate`",
                pending.len(),
                if pending.len() == 1 { "" } else { "s" }
            )));
        }
    }
    Ok(db)
}

/// Connects to `url` without migrating (creating a SQLite file and its folder).
pub async fn open(url: &str) -> Result<DatabaseConnection, DbErr> {
    if let Some(dir) =
        sqlite_file(url).and_then(|p| std::path::Path::new(&p).parent().map(|d| d.to_path_buf()))
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(&dir).map_err(|e| {
            DbErr::Custom(format!(
                "cannot create the folder {} for the SQLite database: {e}",
                dir.display()
            ))
        })?;
    }
    let mut opts = ConnectOptions::new(url.to_string());
    opts.sqlx_logging(false);
    opts.acquire_timeout(ACQUIRE_TIMEOUT);
    opts.map_sqlx_sqlite_opts(|o| {
        o.busy_timeout(SQLITE_BUSY_TIMEOUT)
            .row_buffer_size(SQLITE_ROW_QUEUE)
    });
    let db = Database::connect(opts).await?;
    if url.starts_with("sqlite:") {
        // Foreign keys are off by default in SQLite; cascades depend on them.
        db.execute_unprepared("PRAGMA foreign_keys = ON").await?;
    }
    Ok(db)
}

/// Connects to an existing database and creates nothing (`stemset doctor`): a SQLite
/// file that is not there is an error, not a new empty database.
pub async fn open_existing(url: &str) -> Result<DatabaseConnection, DbErr> {
    let mut opts = ConnectOptions::new(url.to_string());
    opts.sqlx_logging(false);
    opts.acquire_timeout(ACQUIRE_TIMEOUT);
    opts.connect_timeout(ACQUIRE_TIMEOUT);
    opts.min_connections(0).max_connections(1);
    opts.map_sqlx_sqlite_opts(|o| o.busy_timeout(SQLITE_BUSY_TIMEOUT).create_if_missing(false));
    Database::connect(opts).await
}

/// The names of the migrations this build has and the database has not applied.
pub async fn pending_migrations(db: &DatabaseConnection) -> Result<Vec<String>, DbErr> {
    Ok(Migrator::get_pending_migrations_read_only(db)
        .await?
        .iter()
        .map(|m| m.name().to_string())
        .collect())
}

/// How many migrations this build has.
pub fn known_migrations() -> usize {
    Migrator::migrations().len()
}

/// Applies pending migrations and returns the names of those it applied (none: the
/// schema was up to date). Migrations run under a lock, so processes starting together
/// on a fresh database apply each migration once: inside one SQLite write transaction
/// (`BEGIN IMMEDIATE`: the others wait for it, then find nothing pending), or under a
/// PostgreSQL advisory lock held by the migrating transaction.
pub async fn migrate(db: &DatabaseConnection) -> Result<Vec<String>, DbErr> {
    // The common case, nothing to do, takes no lock.
    if Migrator::get_pending_migrations_read_only(db)
        .await?
        .is_empty()
    {
        return Ok(Vec::new());
    }
    let txn = begin_write(db).await?;
    if db.get_database_backend() == DatabaseBackend::Postgres {
        txn.execute_unprepared(&format!(
            "SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})"
        ))
        .await?;
    }
    // Checked again under the lock: another process may have applied them meanwhile.
    let applied: Vec<String> = Migrator::get_pending_migrations(&txn)
        .await?
        .iter()
        .map(|m| m.name().to_string())
        .collect();
    Migrator::up(&txn, None).await?;
    txn.commit().await?;
    for name in &applied {
        tracing::info!(migration = %name, "migration applied");
    }
    Ok(applied)
}

/// Begins a transaction that will write. On SQLite it takes the write lock at once
/// (`BEGIN IMMEDIATE`), waiting up to [`SQLITE_BUSY_TIMEOUT`] for another writer; a
/// plain (deferred) transaction that has read first would fail at once with "database
/// is locked" instead, since SQLite cannot wait there without risking a deadlock.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    match db.get_database_backend() {
        DatabaseBackend::Sqlite => {
            db.begin_with_options(TransactionOptions {
                sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                ..TransactionOptions::default()
            })
            .await
        }
        _ => db.begin().await,
    }
}

/// The file of a `sqlite:` URL (`None` for other databases and `:memory:`).
pub fn sqlite_file(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next()?;
    (path != ":memory:" && !path.is_empty()).then(|| path.to_string())
}

/// A database error as a processing run's error (core knows no database driver).
pub fn db_error(e: DbErr) -> stemset_core::Error {
    stemset_core::Error::Database(e.to_string())
}

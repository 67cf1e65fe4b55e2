//! Database access: the sea-orm entities and connecting (+ migrating) a database.

pub mod entities;
pub mod sync;

use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};
use sea_orm_migration::MigratorTrait;
use stemset_migrations::Migrator;

pub use entities::*;

/// How long a request waits for a pooled connection (opening one included) before it
/// fails with [`DbErr::ConnectionAcquire`]: a database that is down or unreachable is
/// reported within seconds instead of after sqlx's default 30 s.
pub const ACQUIRE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// Connects to `url`. SQLite databases (the embedded default) are created and migrated
/// automatically; PostgreSQL is migrated by `stemset migrate` unless `auto_migrate`.
pub async fn connect(url: &str, auto_migrate: bool) -> Result<DatabaseConnection, DbErr> {
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
    let db = Database::connect(opts).await?;
    if url.starts_with("sqlite:") {
        // Foreign keys are off by default in SQLite; cascades depend on them.
        use sea_orm::ConnectionTrait;
        db.execute_unprepared("PRAGMA foreign_keys = ON").await?;
    }
    if auto_migrate || url.starts_with("sqlite:") {
        Migrator::up(&db, None).await?;
    } else {
        let pending = Migrator::get_pending_migrations(&db).await?;
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

/// Runs pending migrations.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

fn sqlite_file(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next()?;
    (path != ":memory:" && !path.is_empty()).then(|| path.to_string())
}

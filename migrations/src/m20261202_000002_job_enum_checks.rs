//! `jobs.kind` and `jobs.state` hold the names of Rust enums (`JobKind`, `JobState`); the
//! database now refuses any other value, so a bug or a hand-made row cannot leave a job
//! the queue never picks up. PostgreSQL gets CHECK constraints; SQLite cannot add one to
//! an existing table, so triggers abort an insert or update with another value.
//! (`jobs.stage` is a display label that names models, not an enum: it stays free text.)

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (column, the values allowed) as of this migration; a new value needs a new migration.
const CHECKED: &[(&str, &[&str])] = &[
    ("kind", &["process", "reprocess"]),
    ("state", &["queued", "running", "succeeded", "failed"]),
];

fn list(values: &[&str]) -> String {
    values
        .iter()
        .map(|v| format!("'{v}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        for (column, values) in CHECKED {
            let allowed = list(values);
            match m.get_database_backend() {
                DatabaseBackend::Sqlite => {
                    for (when, event) in [
                        ("insert", "INSERT".to_string()),
                        ("update", format!("UPDATE OF {column}")),
                    ] {
                        db.execute_unprepared(&format!(
                            "CREATE TRIGGER jobs_{column}_valid_{when} BEFORE {event} ON jobs \
                             WHEN NEW.{column} NOT IN ({allowed}) \
                             BEGIN SELECT RAISE(ABORT, 'jobs.{column} must be one of {}'); END",
                            values.join(", ")
                        ))
                        .await?;
                    }
                }
                _ => {
                    db.execute_unprepared(&format!(
                        "ALTER TABLE jobs ADD CONSTRAINT jobs_{column}_valid \
                         CHECK ({column} IN ({allowed}))"
                    ))
                    .await?;
                }
            }
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        for (column, _) in CHECKED {
            match m.get_database_backend() {
                DatabaseBackend::Sqlite => {
                    for when in ["insert", "update"] {
                        db.execute_unprepared(&format!(
                            "DROP TRIGGER IF EXISTS jobs_{column}_valid_{when}"
                        ))
                        .await?;
                    }
                }
                _ => {
                    db.execute_unprepared(&format!(
                        "ALTER TABLE jobs DROP CONSTRAINT IF EXISTS jobs_{column}_valid"
                    ))
                    .await?;
                }
            }
        }
        Ok(())
    }
}

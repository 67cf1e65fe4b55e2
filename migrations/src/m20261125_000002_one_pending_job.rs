//! At most one pending (queued or running) job per thing it works on, enforced by the
//! database so that concurrent requests cannot both queue one: one `process` job per
//! profile and content hash (uploads of the same file), one `reprocess` job per
//! recording. Duplicates a database already holds (queued by racing requests before this
//! migration) are failed first, keeping the oldest of each.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A partial unique index over the pending jobs of one kind.
struct PendingUnique {
    name: &'static str,
    kind: &'static str,
    columns: &'static [&'static str],
}

const INDEXES: [PendingUnique; 2] = [
    PendingUnique {
        name: "ux_jobs_pending_process",
        kind: "process",
        columns: &["profile_id", "file_hash"],
    },
    PendingUnique {
        name: "ux_jobs_pending_reprocess",
        kind: "reprocess",
        columns: &["recording_id"],
    },
];

impl PendingUnique {
    /// The rows the index covers, with columns qualified by `alias` ("" or "older.").
    fn covers(&self, alias: &str) -> String {
        format!(
            "{alias}kind = '{}' AND {alias}state IN ('queued', 'running')",
            self.kind
        )
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        for ix in &INDEXES {
            let same: Vec<String> = ix
                .columns
                .iter()
                .map(|c| format!("older.{c} = jobs.{c}"))
                .collect();
            db.execute_unprepared(&format!(
                "UPDATE jobs SET state = 'failed', stage = 'failed', worker = NULL, \
                 lease_expires_at = NULL, finished_at = updated_at, \
                 error = 'a duplicate of an earlier pending job' \
                 WHERE {covers} AND EXISTS (SELECT 1 FROM jobs older WHERE {older} AND {same} \
                 AND (older.created_at < jobs.created_at \
                 OR (older.created_at = jobs.created_at AND older.id < jobs.id)))",
                covers = ix.covers(""),
                older = ix.covers("older."),
                same = same.join(" AND "),
            ))
            .await?;
            db.execute_unprepared(&format!(
                "CREATE UNIQUE INDEX {} ON jobs ({}) WHERE {}",
                ix.name,
                ix.columns.join(", "),
                ix.covers("")
            ))
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for ix in &INDEXES {
            m.get_connection()
                .execute_unprepared(&format!("DROP INDEX {}", ix.name))
                .await?;
        }
        Ok(())
    }
}

//! When a recording was made (`recordings.recorded_at`), apart from when it was
//! processed (`created_at`): the source file's Broadcast Wave date, else the file's time,
//! and members may correct it. Existing recordings start from their `created_at`. An
//! upload's job keeps the file time the browser gave (`jobs.source_modified_at`).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Jobs {
    Table,
    SourceModifiedAt,
}

#[derive(DeriveIden)]
enum Recordings {
    Table,
    RecordedAt,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds a NOT NULL column only with a constant default; every row then
        // gets its own value.
        m.alter_table(
            Table::alter()
                .table(Recordings::Table)
                .add_column(
                    ColumnDef::new(Recordings::RecordedAt)
                        .timestamp_with_time_zone()
                        .not_null()
                        .default("1970-01-01 00:00:00+00:00"),
                )
                .to_owned(),
        )
        .await?;
        m.exec_stmt(
            Query::update()
                .table(Recordings::Table)
                .value(Recordings::RecordedAt, Expr::col(Recordings::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_recordings_recorded_at")
                .table(Recordings::Table)
                .col(Recordings::RecordedAt)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Jobs::Table)
                .add_column(
                    ColumnDef::new(Jobs::SourceModifiedAt)
                        .timestamp_with_time_zone()
                        .null(),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Jobs::Table)
                .drop_column(Jobs::SourceModifiedAt)
                .to_owned(),
        )
        .await?;
        m.drop_index(
            Index::drop()
                .name("ix_recordings_recorded_at")
                .table(Recordings::Table)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Recordings::Table)
                .drop_column(Recordings::RecordedAt)
                .to_owned(),
        )
        .await
    }
}

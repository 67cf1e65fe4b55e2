//! Job details for uploads and workers: the strategy and backend a job runs with, its
//! current stage, the uploaded file's name/hash/size, and start/finish times; and where an
//! audio file's original lives in storage (`input_key`), so it can be reprocessed anywhere.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Jobs {
    Table,
    Strategy,
    Backend,
    Stage,
    OriginalName,
    FileHash,
    SizeBytes,
    CreatedBy,
    StartedAt,
    FinishedAt,
}

#[derive(DeriveIden)]
enum AudioFiles {
    Table,
    InputKey,
}

// SQLite adds one column per ALTER TABLE statement.
async fn add(m: &SchemaManager<'_>, table: impl IntoIden, col: ColumnDef) -> Result<(), DbErr> {
    m.alter_table(
        Table::alter()
            .table(table)
            .add_column(col.to_owned())
            .to_owned(),
    )
    .await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let text = |c: Jobs| ColumnDef::new(c).string().null().to_owned();
        let ts = |c: Jobs| {
            ColumnDef::new(c)
                .timestamp_with_time_zone()
                .null()
                .to_owned()
        };
        add(m, Jobs::Table, text(Jobs::Strategy)).await?;
        add(m, Jobs::Table, text(Jobs::Backend)).await?;
        add(m, Jobs::Table, text(Jobs::Stage)).await?;
        add(m, Jobs::Table, text(Jobs::OriginalName)).await?;
        add(m, Jobs::Table, text(Jobs::FileHash)).await?;
        add(
            m,
            Jobs::Table,
            ColumnDef::new(Jobs::SizeBytes)
                .big_integer()
                .null()
                .to_owned(),
        )
        .await?;
        add(
            m,
            Jobs::Table,
            ColumnDef::new(Jobs::CreatedBy).uuid().null().to_owned(),
        )
        .await?;
        add(m, Jobs::Table, ts(Jobs::StartedAt)).await?;
        add(m, Jobs::Table, ts(Jobs::FinishedAt)).await?;
        add(
            m,
            AudioFiles::Table,
            ColumnDef::new(AudioFiles::InputKey)
                .string()
                .null()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_jobs_file_hash")
                .table(Jobs::Table)
                .col(Jobs::FileHash)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("ix_jobs_file_hash")
                .table(Jobs::Table)
                .to_owned(),
        )
        .await?;
        for c in [
            Jobs::Strategy,
            Jobs::Backend,
            Jobs::Stage,
            Jobs::OriginalName,
            Jobs::FileHash,
            Jobs::SizeBytes,
            Jobs::CreatedBy,
            Jobs::StartedAt,
            Jobs::FinishedAt,
        ] {
            m.alter_table(Table::alter().table(Jobs::Table).drop_column(c).to_owned())
                .await?;
        }
        m.alter_table(
            Table::alter()
                .table(AudioFiles::Table)
                .drop_column(AudioFiles::InputKey)
                .to_owned(),
        )
        .await
    }
}

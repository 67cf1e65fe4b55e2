//! Takes members deleted (`dismissed_takes`): the stretch of a recording they said is not
//! a take. Processing the recording again does not bring a take back over it.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum DismissedTakes {
    Table,
    Id,
    RecordingId,
    StartSeconds,
    EndSeconds,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Recordings {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(DismissedTakes::Table)
                .col(
                    ColumnDef::new(DismissedTakes::Id)
                        .uuid()
                        .not_null()
                        .primary_key(),
                )
                .col(
                    ColumnDef::new(DismissedTakes::RecordingId)
                        .uuid()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(DismissedTakes::StartSeconds)
                        .double()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(DismissedTakes::EndSeconds)
                        .double()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(DismissedTakes::CreatedAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_dismissed_takes_recording")
                        .from(DismissedTakes::Table, DismissedTakes::RecordingId)
                        .to(Recordings::Table, Recordings::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_dismissed_takes_recording")
                .table(DismissedTakes::Table)
                .col(DismissedTakes::RecordingId)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(DismissedTakes::Table).to_owned())
            .await
    }
}

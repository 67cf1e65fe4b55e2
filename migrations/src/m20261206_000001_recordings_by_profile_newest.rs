//! The library's first page (a profile's recordings, newest first) read from an index:
//! without one, SQLite scanned and sorted every recording of the database on each request
//! (`SCAN recordings` + `USE TEMP B-TREE FOR ORDER BY`), 500 of them in `bench/server.sh`.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Recordings {
    Table,
    ProfileId,
    CreatedAt,
}

const INDEX: &str = "ix_recordings_profile_created";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(
            Index::create()
                .name(INDEX)
                .table(Recordings::Table)
                .col(Recordings::ProfileId)
                .col(Recordings::CreatedAt)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name(INDEX)
                .table(Recordings::Table)
                .to_owned(),
        )
        .await
    }
}

//! Songs and takes (issue 16): a band's songs, and the takes found in each recording —
//! where the band plays, with tempo, beat grid, key and a fingerprint for same-song
//! suggestions. A take belongs to at most one song (`song_id`, a member's choice) and may
//! carry a suggestion (`suggested_song_id`), which never overwrites that choice.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Songs {
    Table,
    Id,
    ProfileId,
    Title,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Takes {
    Table,
    Id,
    ProfileId,
    RecordingId,
    Position,
    StartSeconds,
    EndSeconds,
    Kind,
    Bpm,
    BpmConfidence,
    Key,
    KeyConfidence,
    Beats,
    Downbeats,
    Fingerprint,
    SongId,
    SuggestedSongId,
    SuggestionScore,
    BoundsEdited,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Profiles {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Recordings {
    Table,
    Id,
}

fn ts<T: IntoIden>(c: T) -> ColumnDef {
    ColumnDef::new(c)
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}

fn fk(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(on_delete)
        .to_owned()
}

const TAKE_KINDS: &str = "'take', 'false_start'";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Songs::Table)
                .col(ColumnDef::new(Songs::Id).uuid().not_null().primary_key())
                .col(ColumnDef::new(Songs::ProfileId).uuid().not_null())
                .col(ColumnDef::new(Songs::Title).string().not_null())
                .col(ts(Songs::CreatedAt))
                .col(ts(Songs::UpdatedAt))
                .foreign_key(&mut fk(
                    "fk_songs_profile",
                    (Songs::Table, Songs::ProfileId),
                    (Profiles::Table, Profiles::Id),
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        // One song of a name per band.
        m.create_index(
            Index::create()
                .name("ux_songs_profile_title")
                .table(Songs::Table)
                .col(Songs::ProfileId)
                .col(Songs::Title)
                .unique()
                .to_owned(),
        )
        .await?;

        let mut kind = ColumnDef::new(Takes::Kind);
        kind.string()
            .not_null()
            .check(Expr::cust(format!("kind IN ({TAKE_KINDS})")));
        m.create_table(
            Table::create()
                .table(Takes::Table)
                .col(ColumnDef::new(Takes::Id).uuid().not_null().primary_key())
                .col(ColumnDef::new(Takes::ProfileId).uuid().not_null())
                .col(ColumnDef::new(Takes::RecordingId).uuid().not_null())
                .col(ColumnDef::new(Takes::Position).integer().not_null())
                .col(ColumnDef::new(Takes::StartSeconds).double().not_null())
                .col(ColumnDef::new(Takes::EndSeconds).double().not_null())
                .col(&mut kind)
                .col(ColumnDef::new(Takes::Bpm).double().null())
                .col(ColumnDef::new(Takes::BpmConfidence).double().not_null())
                .col(ColumnDef::new(Takes::Key).string().null())
                .col(ColumnDef::new(Takes::KeyConfidence).double().not_null())
                // JSON arrays of seconds from the start of the recording.
                .col(ColumnDef::new(Takes::Beats).text().not_null())
                .col(ColumnDef::new(Takes::Downbeats).text().not_null())
                // Base64 beat-synchronous chroma (stemset_audio::takes::song_match).
                .col(ColumnDef::new(Takes::Fingerprint).text().not_null())
                .col(ColumnDef::new(Takes::SongId).uuid().null())
                .col(ColumnDef::new(Takes::SuggestedSongId).uuid().null())
                .col(ColumnDef::new(Takes::SuggestionScore).double().null())
                .col(
                    ColumnDef::new(Takes::BoundsEdited)
                        .boolean()
                        .not_null()
                        .default(false),
                )
                .col(ts(Takes::CreatedAt))
                .col(ts(Takes::UpdatedAt))
                .foreign_key(&mut fk(
                    "fk_takes_profile",
                    (Takes::Table, Takes::ProfileId),
                    (Profiles::Table, Profiles::Id),
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "fk_takes_recording",
                    (Takes::Table, Takes::RecordingId),
                    (Recordings::Table, Recordings::Id),
                    ForeignKeyAction::Cascade,
                ))
                // Deleting a song leaves its takes, without a song.
                .foreign_key(&mut fk(
                    "fk_takes_song",
                    (Takes::Table, Takes::SongId),
                    (Songs::Table, Songs::Id),
                    ForeignKeyAction::SetNull,
                ))
                .foreign_key(&mut fk(
                    "fk_takes_suggested_song",
                    (Takes::Table, Takes::SuggestedSongId),
                    (Songs::Table, Songs::Id),
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
        )
        .await?;
        for (name, col) in [
            ("ix_takes_recording", Takes::RecordingId),
            ("ix_takes_profile", Takes::ProfileId),
            ("ix_takes_song", Takes::SongId),
            ("ix_takes_suggested_song", Takes::SuggestedSongId),
        ] {
            m.create_index(
                Index::create()
                    .name(name)
                    .table(Takes::Table)
                    .col(col)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Takes::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(Songs::Table).to_owned())
            .await?;
        Ok(())
    }
}

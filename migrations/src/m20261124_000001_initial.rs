//! The initial schema: users, profiles, membership, audio files, recordings, stems, jobs,
//! API tokens. UUID primary keys, indexed foreign keys, created/updated timestamps.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn uuid_pk<T: IntoIden>(c: T) -> ColumnDef {
    ColumnDef::new(c).uuid().not_null().primary_key().to_owned()
}
fn uuid_col<T: IntoIden>(c: T) -> ColumnDef {
    ColumnDef::new(c).uuid().not_null().to_owned()
}
fn text<T: IntoIden>(c: T) -> ColumnDef {
    ColumnDef::new(c).string().not_null().to_owned()
}
fn text_null<T: IntoIden>(c: T) -> ColumnDef {
    ColumnDef::new(c).string().null().to_owned()
}
fn ts<T: IntoIden>(c: T) -> ColumnDef {
    ColumnDef::new(c)
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}
fn ts_null<T: IntoIden>(c: T) -> ColumnDef {
    ColumnDef::new(c)
        .timestamp_with_time_zone()
        .null()
        .to_owned()
}
fn fk(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}
fn index(
    name: &str,
    table: impl IntoIden,
    cols: &[&'static str],
    unique: bool,
) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(name).table(table);
    for c in cols {
        i.col(Alias::new(*c));
    }
    if unique {
        i.unique();
    }
    i.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Users::Table)
                .col(uuid_pk(Users::Id))
                .col(text(Users::Email))
                .col(text_null(Users::Name))
                .col(ts(Users::CreatedAt))
                .col(ts(Users::UpdatedAt))
                .col(ts_null(Users::LastLoginAt))
                .to_owned(),
        )
        .await?;
        m.create_index(index("ux_users_email", Users::Table, &["email"], true))
            .await?;

        m.create_table(
            Table::create()
                .table(Profiles::Table)
                .col(uuid_pk(Profiles::Id))
                .col(text(Profiles::Name))
                .col(text_null(Profiles::DisplayName))
                .col(text(Profiles::Strategy))
                .col(
                    ColumnDef::new(Profiles::Remote)
                        .boolean()
                        .not_null()
                        .default(false),
                )
                .col(ts(Profiles::CreatedAt))
                .col(ts(Profiles::UpdatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(index("ux_profiles_name", Profiles::Table, &["name"], true))
            .await?;

        m.create_table(
            Table::create()
                .table(UserProfiles::Table)
                .col(uuid_col(UserProfiles::UserId))
                .col(uuid_col(UserProfiles::ProfileId))
                .col(text(UserProfiles::Role))
                .col(ts(UserProfiles::CreatedAt))
                .primary_key(
                    Index::create()
                        .col(UserProfiles::UserId)
                        .col(UserProfiles::ProfileId),
                )
                .foreign_key(&mut fk(
                    "fk_user_profiles_user",
                    (UserProfiles::Table, UserProfiles::UserId),
                    (Users::Table, Users::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_user_profiles_profile",
                    (UserProfiles::Table, UserProfiles::ProfileId),
                    (Profiles::Table, Profiles::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_user_profiles_profile",
            UserProfiles::Table,
            &["profile_id"],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(AudioFiles::Table)
                .col(uuid_pk(AudioFiles::Id))
                .col(uuid_col(AudioFiles::ProfileId))
                .col(text(AudioFiles::FileHash))
                .col(text(AudioFiles::OriginalName))
                .col(text_null(AudioFiles::SourcePath))
                .col(
                    ColumnDef::new(AudioFiles::SizeBytes)
                        .big_integer()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(AudioFiles::DurationSeconds)
                        .double()
                        .not_null(),
                )
                .col(ColumnDef::new(AudioFiles::SampleRate).integer().not_null())
                .col(ColumnDef::new(AudioFiles::Channels).integer().not_null())
                .col(ColumnDef::new(AudioFiles::BitsPerSample).integer().null())
                .col(text(AudioFiles::Codec))
                .col(ts(AudioFiles::CreatedAt))
                .col(ts(AudioFiles::UpdatedAt))
                .foreign_key(&mut fk(
                    "fk_audio_files_profile",
                    (AudioFiles::Table, AudioFiles::ProfileId),
                    (Profiles::Table, Profiles::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ux_audio_files_profile_hash",
            AudioFiles::Table,
            &["profile_id", "file_hash"],
            true,
        ))
        .await?;
        m.create_index(index(
            "ix_audio_files_hash",
            AudioFiles::Table,
            &["file_hash"],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(Recordings::Table)
                .col(uuid_pk(Recordings::Id))
                .col(uuid_col(Recordings::ProfileId))
                .col(uuid_col(Recordings::AudioFileId))
                .col(text(Recordings::Title))
                .col(text(Recordings::Strategy))
                .col(text(Recordings::StoragePrefix))
                .col(
                    ColumnDef::new(Recordings::DurationSeconds)
                        .double()
                        .not_null(),
                )
                .col(ts(Recordings::CreatedAt))
                .col(ts(Recordings::UpdatedAt))
                .foreign_key(&mut fk(
                    "fk_recordings_profile",
                    (Recordings::Table, Recordings::ProfileId),
                    (Profiles::Table, Profiles::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_recordings_audio_file",
                    (Recordings::Table, Recordings::AudioFileId),
                    (AudioFiles::Table, AudioFiles::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_recordings_profile",
            Recordings::Table,
            &["profile_id"],
            false,
        ))
        .await?;
        m.create_index(index(
            "ix_recordings_audio_file",
            Recordings::Table,
            &["audio_file_id"],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(Stems::Table)
                .col(uuid_pk(Stems::Id))
                .col(uuid_col(Stems::RecordingId))
                .col(text(Stems::Name))
                .col(ColumnDef::new(Stems::SortOrder).integer().not_null())
                .col(text(Stems::StorageKey))
                .col(text(Stems::WaveformKey))
                .col(text(Stems::Format))
                .col(ColumnDef::new(Stems::SampleRate).integer().not_null())
                .col(ColumnDef::new(Stems::Channels).integer().not_null())
                .col(ColumnDef::new(Stems::BitsPerSample).integer().null())
                .col(ColumnDef::new(Stems::BitrateKbps).integer().null())
                .col(ColumnDef::new(Stems::SizeBytes).big_integer().not_null())
                .col(ColumnDef::new(Stems::DurationSeconds).double().not_null())
                .col(ColumnDef::new(Stems::Lufs).double().null())
                .col(ColumnDef::new(Stems::TruePeakDbtp).double().null())
                .col(ColumnDef::new(Stems::SamplePeakDbfs).double().null())
                .col(
                    ColumnDef::new(Stems::GainDb)
                        .double()
                        .not_null()
                        .default(0.0),
                )
                .col(ts(Stems::CreatedAt))
                .col(ts(Stems::UpdatedAt))
                .foreign_key(&mut fk(
                    "fk_stems_recording",
                    (Stems::Table, Stems::RecordingId),
                    (Recordings::Table, Recordings::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ux_stems_recording_name",
            Stems::Table,
            &["recording_id", "name"],
            true,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(Jobs::Table)
                .col(uuid_pk(Jobs::Id))
                .col(uuid_col(Jobs::ProfileId))
                .col(ColumnDef::new(Jobs::AudioFileId).uuid().null())
                .col(ColumnDef::new(Jobs::RecordingId).uuid().null())
                .col(text(Jobs::Kind))
                .col(text(Jobs::InputKey))
                .col(text(Jobs::State))
                .col(
                    ColumnDef::new(Jobs::Attempts)
                        .integer()
                        .not_null()
                        .default(0),
                )
                .col(
                    ColumnDef::new(Jobs::MaxAttempts)
                        .integer()
                        .not_null()
                        .default(3),
                )
                .col(
                    ColumnDef::new(Jobs::Progress)
                        .double()
                        .not_null()
                        .default(0.0),
                )
                .col(ColumnDef::new(Jobs::Error).text().null())
                .col(text_null(Jobs::Worker))
                .col(ts_null(Jobs::LeaseExpiresAt))
                .col(ts(Jobs::CreatedAt))
                .col(ts(Jobs::UpdatedAt))
                .foreign_key(&mut fk(
                    "fk_jobs_profile",
                    (Jobs::Table, Jobs::ProfileId),
                    (Profiles::Table, Profiles::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_jobs_profile",
            Jobs::Table,
            &["profile_id"],
            false,
        ))
        .await?;
        m.create_index(index(
            "ix_jobs_state_lease",
            Jobs::Table,
            &["state", "lease_expires_at"],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(ApiTokens::Table)
                .col(uuid_pk(ApiTokens::Id))
                .col(uuid_col(ApiTokens::UserId))
                .col(text(ApiTokens::Name))
                .col(text(ApiTokens::TokenHash))
                .col(ts(ApiTokens::CreatedAt))
                .col(ts_null(ApiTokens::LastUsedAt))
                .col(ts_null(ApiTokens::RevokedAt))
                .foreign_key(&mut fk(
                    "fk_api_tokens_user",
                    (ApiTokens::Table, ApiTokens::UserId),
                    (Users::Table, Users::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ux_api_tokens_hash",
            ApiTokens::Table,
            &["token_hash"],
            true,
        ))
        .await?;
        m.create_index(index(
            "ix_api_tokens_user",
            ApiTokens::Table,
            &["user_id"],
            false,
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            ApiTokens::Table.into_iden(),
            Jobs::Table.into_iden(),
            Stems::Table.into_iden(),
            Recordings::Table.into_iden(),
            AudioFiles::Table.into_iden(),
            UserProfiles::Table.into_iden(),
            Profiles::Table.into_iden(),
            Users::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Email,
    Name,
    CreatedAt,
    UpdatedAt,
    LastLoginAt,
}
#[derive(DeriveIden)]
enum Profiles {
    Table,
    Id,
    Name,
    DisplayName,
    Strategy,
    Remote,
    CreatedAt,
    UpdatedAt,
}
#[derive(DeriveIden)]
enum UserProfiles {
    Table,
    UserId,
    ProfileId,
    Role,
    CreatedAt,
}
#[derive(DeriveIden)]
enum AudioFiles {
    Table,
    Id,
    ProfileId,
    FileHash,
    OriginalName,
    SourcePath,
    SizeBytes,
    DurationSeconds,
    SampleRate,
    Channels,
    BitsPerSample,
    Codec,
    CreatedAt,
    UpdatedAt,
}
#[derive(DeriveIden)]
enum Recordings {
    Table,
    Id,
    ProfileId,
    AudioFileId,
    Title,
    Strategy,
    StoragePrefix,
    DurationSeconds,
    CreatedAt,
    UpdatedAt,
}
#[derive(DeriveIden)]
enum Stems {
    Table,
    Id,
    RecordingId,
    Name,
    SortOrder,
    StorageKey,
    WaveformKey,
    Format,
    SampleRate,
    Channels,
    BitsPerSample,
    BitrateKbps,
    SizeBytes,
    DurationSeconds,
    Lufs,
    TruePeakDbtp,
    SamplePeakDbfs,
    GainDb,
    CreatedAt,
    UpdatedAt,
}
#[derive(DeriveIden)]
enum Jobs {
    Table,
    Id,
    ProfileId,
    AudioFileId,
    RecordingId,
    Kind,
    InputKey,
    State,
    Attempts,
    MaxAttempts,
    Progress,
    Error,
    Worker,
    LeaseExpiresAt,
    CreatedAt,
    UpdatedAt,
}
#[derive(DeriveIden)]
enum ApiTokens {
    Table,
    Id,
    UserId,
    Name,
    TokenHash,
    CreatedAt,
    LastUsedAt,
    RevokedAt,
}

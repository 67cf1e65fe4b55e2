use sea_orm::entity::prelude::*;

/// One separation of an audio file: its stems live under `storage_prefix`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "recordings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub profile_id: Uuid,
    pub audio_file_id: Uuid,
    pub title: String,
    pub strategy: String,
    pub storage_prefix: String,
    pub duration_seconds: f64,
    /// When it was recorded: the file's Broadcast Wave date, else the file's time, else
    /// when it was processed; members may correct it. `created_at` is when it was
    /// processed.
    pub recorded_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::profile::Entity",
        from = "Column::ProfileId",
        to = "super::profile::Column::Id"
    )]
    Profile,
    #[sea_orm(
        belongs_to = "super::audio_file::Entity",
        from = "Column::AudioFileId",
        to = "super::audio_file::Column::Id"
    )]
    AudioFile,
    #[sea_orm(has_many = "super::stem::Entity")]
    Stem,
    #[sea_orm(has_many = "super::take::Entity")]
    Take,
}

impl Related<super::profile::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Profile.def()
    }
}

impl Related<super::audio_file::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::AudioFile.def()
    }
}

impl Related<super::stem::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Stem.def()
    }
}

impl Related<super::take::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Take.def()
    }
}

/// The relations GraphQL exposes as fields (seaography); variant names are field names.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelatedEntity)]
pub enum RelatedEntity {
    #[sea_orm(entity = "super::profile::Entity")]
    Profile,
    #[sea_orm(entity = "super::audio_file::Entity")]
    AudioFile,
    #[sea_orm(entity = "super::stem::Entity")]
    Stems,
    #[sea_orm(entity = "super::take::Entity")]
    Takes,
}

impl ActiveModelBehavior for ActiveModel {}

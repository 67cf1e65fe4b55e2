use sea_orm::entity::prelude::*;

/// A band: a library of recordings shared by its members.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "profiles")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub name: String,
    pub display_name: Option<String>,
    pub strategy: String,
    pub remote: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::recording::Entity")]
    Recording,
    #[sea_orm(has_many = "super::audio_file::Entity")]
    AudioFile,
    #[sea_orm(has_many = "super::user_profile::Entity")]
    UserProfile,
    #[sea_orm(has_many = "super::job::Entity")]
    Job,
    #[sea_orm(has_many = "super::song::Entity")]
    Song,
}

impl Related<super::recording::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Recording.def()
    }
}

impl Related<super::audio_file::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::AudioFile.def()
    }
}

impl Related<super::user_profile::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::UserProfile.def()
    }
}

impl Related<super::job::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Job.def()
    }
}

impl Related<super::song::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Song.def()
    }
}

/// The relations GraphQL exposes as fields (seaography); variant names are field names.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelatedEntity)]
pub enum RelatedEntity {
    #[sea_orm(entity = "super::recording::Entity")]
    Recordings,
    #[sea_orm(entity = "super::audio_file::Entity")]
    AudioFiles,
    #[sea_orm(entity = "super::user_profile::Entity")]
    UserProfiles,
    #[sea_orm(entity = "super::job::Entity")]
    Jobs,
    #[sea_orm(entity = "super::song::Entity")]
    Songs,
}

impl ActiveModelBehavior for ActiveModel {}

use sea_orm::entity::prelude::*;

/// A source recording as uploaded or found in a profile's folder, identified by the
/// SHA-256 of its content (unique per profile), so a renamed file is not processed twice.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "audio_files")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub profile_id: Uuid,
    pub file_hash: String,
    pub original_name: String,
    pub source_path: Option<String>,
    /// Where the original lives in storage (uploads: `inputs/<profile>/<sha256>.<ext>`).
    pub input_key: Option<String>,
    pub size_bytes: i64,
    pub duration_seconds: f64,
    pub sample_rate: i32,
    pub channels: i32,
    pub bits_per_sample: Option<i32>,
    pub codec: String,
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
    #[sea_orm(has_many = "super::recording::Entity")]
    Recording,
}

impl Related<super::profile::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Profile.def()
    }
}

impl Related<super::recording::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Recording.def()
    }
}

/// The relations GraphQL exposes as fields (seaography); variant names are field names.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelatedEntity)]
pub enum RelatedEntity {
    #[sea_orm(entity = "super::profile::Entity")]
    Profile,
    #[sea_orm(entity = "super::recording::Entity")]
    Recordings,
}

impl ActiveModelBehavior for ActiveModel {}

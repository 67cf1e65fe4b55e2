use sea_orm::entity::prelude::*;

/// One separated stem of a recording, with its measured loudness.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "stems")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub recording_id: Uuid,
    pub name: String,
    pub sort_order: i32,
    pub storage_key: String,
    pub waveform_key: String,
    pub format: String,
    pub sample_rate: i32,
    pub channels: i32,
    pub bits_per_sample: Option<i32>,
    pub bitrate_kbps: Option<i32>,
    pub size_bytes: i64,
    pub duration_seconds: f64,
    /// Integrated loudness; `None` for a silent stem (gated out entirely).
    pub lufs: Option<f64>,
    pub true_peak_dbtp: Option<f64>,
    pub sample_peak_dbfs: Option<f64>,
    /// The playback gain a user saved for this stem.
    pub gain_db: f64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::recording::Entity",
        from = "Column::RecordingId",
        to = "super::recording::Column::Id"
    )]
    Recording,
}

impl Related<super::recording::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Recording.def()
    }
}

/// The relations GraphQL exposes as fields (seaography); variant names are field names.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelatedEntity)]
pub enum RelatedEntity {
    #[sea_orm(entity = "super::recording::Entity")]
    Recording,
}

impl ActiveModelBehavior for ActiveModel {}

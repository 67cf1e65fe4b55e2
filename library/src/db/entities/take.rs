use sea_orm::entity::prelude::*;

/// `take` or `false_start` (`stemset_audio::takes::TakeKind`'s names).
pub const KIND_TAKE: &str = "take";
pub const KIND_FALSE_START: &str = "false_start";

/// A stretch of a recording where the band plays, found by the take analysis and
/// possibly adjusted by members. Times are seconds from the start of the recording.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "takes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub profile_id: Uuid,
    pub recording_id: Uuid,
    /// 0-based order within the recording.
    pub position: i32,
    pub start_seconds: f64,
    pub end_seconds: f64,
    pub kind: String,
    pub bpm: Option<f64>,
    pub bpm_confidence: f64,
    pub key: Option<String>,
    pub key_confidence: f64,
    /// JSON array of beat times (seconds from the start of the recording).
    pub beats: String,
    /// JSON array of downbeat times.
    pub downbeats: String,
    /// Base64 beat-synchronous chroma (`song_match::Fingerprint`).
    pub fingerprint: String,
    /// The song a member filed this take under.
    pub song_id: Option<Uuid>,
    /// The song this take sounds like, until a member decides.
    pub suggested_song_id: Option<Uuid>,
    pub suggestion_score: Option<f64>,
    /// A member moved the start or end (kept when the recording is processed again).
    pub bounds_edited: bool,
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
        belongs_to = "super::recording::Entity",
        from = "Column::RecordingId",
        to = "super::recording::Column::Id"
    )]
    Recording,
    #[sea_orm(
        belongs_to = "super::song::Entity",
        from = "Column::SongId",
        to = "super::song::Column::Id"
    )]
    Song,
    #[sea_orm(
        belongs_to = "super::song::Entity",
        from = "Column::SuggestedSongId",
        to = "super::song::Column::Id"
    )]
    SuggestedSong,
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

impl Related<super::song::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Song.def()
    }
}

/// The relations GraphQL exposes as fields (seaography); variant names are field names.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelatedEntity)]
pub enum RelatedEntity {
    #[sea_orm(entity = "super::recording::Entity")]
    Recording,
    #[sea_orm(entity = "super::song::Entity", def = "Relation::Song.def()")]
    Song,
    #[sea_orm(entity = "super::song::Entity", def = "Relation::SuggestedSong.def()")]
    SuggestedSong,
}

impl ActiveModelBehavior for ActiveModel {}

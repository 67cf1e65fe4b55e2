use sea_orm::entity::prelude::*;

/// A stretch of a recording a member deleted as a take. Processing the recording again
/// finds no take over it (`takes::store::replace_takes`). Not exposed in GraphQL.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "dismissed_takes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub recording_id: Uuid,
    pub start_seconds: f64,
    pub end_seconds: f64,
    pub created_at: DateTimeUtc,
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

impl ActiveModelBehavior for ActiveModel {}

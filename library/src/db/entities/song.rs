use sea_orm::entity::prelude::*;

/// A song of a band: the takes members (or suggestions they confirmed) filed under it.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "songs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub profile_id: Uuid,
    pub title: String,
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
}

impl Related<super::profile::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Profile.def()
    }
}

/// The takes filed under the song (not those merely suggested for it).
impl Related<super::take::Entity> for Entity {
    fn to() -> RelationDef {
        super::take::Relation::Song.def().rev()
    }
}

/// The relations GraphQL exposes as fields (seaography); variant names are field names.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelatedEntity)]
pub enum RelatedEntity {
    #[sea_orm(entity = "super::profile::Entity")]
    Profile,
    #[sea_orm(
        entity = "super::take::Entity",
        def = "super::take::Relation::Song.def().rev()"
    )]
    Takes,
    #[sea_orm(
        entity = "super::take::Entity",
        def = "super::take::Relation::SuggestedSong.def().rev()"
    )]
    SuggestedTakes,
}

impl ActiveModelBehavior for ActiveModel {}

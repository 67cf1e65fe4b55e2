//! The GraphQL API. Seaography generates the read side over the sea-orm entities
//! (filters, ordering, pagination, relations through data loaders); the domain mutations,
//! API tokens and the job subscription are added as dynamic fields beside them. Every
//! field, generated or not, sees only the caller's profiles (see [`access_hooks`]).

pub mod access_hooks;
pub mod handler;
pub mod mutations;
pub mod subscriptions;
pub mod tokens;
pub mod viewer;

use std::sync::{Arc, LazyLock};

use async_graphql::dynamic::{Schema, SchemaError};
use heck::{ToLowerCamelCase, ToUpperCamelCase};
use sea_orm::DatabaseConnection;
use seaography::{BuilderContext, LifecycleHooks};
use stemset_core::config::Config;
use stemset_core::db::{audio_file, job, profile, recording, stem, user, user_profile};
use stemset_core::storage::Storage;

pub use viewer::Viewer;

/// Table `audio_files` → type `AudioFile`.
fn singular_type(table: &str) -> String {
    table
        .strip_suffix('s')
        .unwrap_or(table)
        .to_upper_camel_case()
}

static CONTEXT: LazyLock<BuilderContext> = LazyLock::new(|| {
    let mut context = BuilderContext::default();
    context.entity_object.type_name = Box::new(singular_type);
    // Root list fields are plural: `recordings`, `audioFiles`.
    context.entity_query_field.type_name =
        Box::new(|object: &str| format!("{}s", object.to_lower_camel_case()));
    context.hooks = LifecycleHooks::new(access_hooks::AccessHooks);
    context
});

pub struct Limits {
    pub depth: usize,
    pub complexity: usize,
}

/// Builds the schema. `db`, `storage` and `config` become schema data for resolvers.
pub fn build_schema(
    db: DatabaseConnection,
    storage: Storage,
    config: Arc<Config>,
    limits: &Limits,
) -> Result<Schema, SchemaError> {
    let mut builder = seaography::Builder::new(&CONTEXT, db.clone());
    // Read side only: writes go through the domain mutations, which validate input.
    seaography::register_entity!(builder, profile, mutation: false);
    seaography::register_entity!(builder, recording, mutation: false);
    seaography::register_entity!(builder, stem, mutation: false);
    seaography::register_entity!(builder, audio_file, mutation: false);
    seaography::register_entity!(builder, job, mutation: false);
    seaography::register_entity!(builder, user_profile, mutation: false);
    seaography::register_entity!(builder, user, mutation: false);
    tokens::register(&mut builder);
    mutations::register(&mut builder);
    subscriptions::register(&mut builder);
    builder
        .set_depth_limit(Some(limits.depth))
        .set_complexity_limit(Some(limits.complexity))
        .schema_builder()
        .data(db)
        .data(storage)
        .data(config)
        .finish()
}

#[cfg(test)]
mod tests {
    use super::singular_type;

    #[test]
    fn type_names() {
        assert_eq!(singular_type("audio_files"), "AudioFile");
        assert_eq!(singular_type("user_profiles"), "UserProfile");
        assert_eq!(singular_type("stems"), "Stem");
    }
}

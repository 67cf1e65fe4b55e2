//! The GraphQL API. Seaography generates the read side over the sea-orm entities
//! (filters, ordering, pagination, relations through data loaders); the domain mutations,
//! API tokens and the job subscription are added as dynamic fields beside them. Every
//! field, generated or not, sees only the caller's profiles (see [`access_hooks`]).

pub mod access_hooks;
pub mod api;
pub mod handler;
pub mod limits;
pub mod mutations;
pub mod song_mutations;
pub mod subscriptions;
pub mod tokens;
pub mod viewer;

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use async_graphql::dynamic::SchemaError;
use heck::{ToLowerCamelCase, ToUpperCamelCase};
use sea_orm::DatabaseConnection;
use seaography::{BuilderContext, LifecycleHooks};
use stemset_core::config::Config;

use crate::settings::ServerConfig;
use stemset_core::storage::Storage;
use stemset_library::db::{
    audio_file, job, profile, recording, song, stem, take, user, user_profile,
};
use stemset_library::jobs::settings::JobsConfig;

pub use api::Api;
pub use limits::{QueryLimits, TypeIndex};
pub use viewer::Viewer;

/// Table `audio_files` → type `AudioFile`.
fn singular_type(table: &str) -> String {
    table
        .strip_suffix('s')
        .unwrap_or(table)
        .to_upper_camel_case()
}

/// Seaography's builder context for one pagination setting. The builder needs a
/// `'static` one; there is one per distinct setting (a server has one, tests a few), kept
/// for the life of the process.
fn context(default_page_size: u64, max_page_size: u64) -> &'static BuilderContext {
    static CONTEXTS: LazyLock<Mutex<HashMap<(u64, u64), &'static BuilderContext>>> =
        LazyLock::new(Default::default);
    let mut contexts = CONTEXTS.lock().unwrap_or_else(|e| e.into_inner());
    contexts
        .entry((default_page_size, max_page_size))
        .or_insert_with(|| {
            let mut context = BuilderContext::default();
            context.entity_object.type_name = Box::new(singular_type);
            // Root list fields are plural: `recordings`, `audioFiles`.
            context.entity_query_field.type_name =
                Box::new(|object: &str| format!("{}s", object.to_lower_camel_case()));
            context.hooks = LifecycleHooks::new(access_hooks::AccessHooks);
            // A list without `pagination` returns its first page; a larger `limit` than
            // the maximum is refused (by the limits check first, with its own message).
            context.pagination_input.default_limit = Some(default_page_size);
            context.pagination_input.max_limit = Some(max_page_size);
            Box::leak(Box::new(context))
        })
}

/// The GraphQL limits of `server:` in the config.
pub struct Limits {
    pub depth: usize,
    pub query: QueryLimits,
}

impl Limits {
    pub fn from_config(server: &ServerConfig) -> Limits {
        Limits {
            depth: server.max_query_depth,
            query: QueryLimits {
                depth: server.max_query_depth as u64,
                complexity: server.max_query_complexity as u64,
                fields: server.max_query_fields as u64,
                aliases: server.max_query_aliases as u64,
                default_page_size: server.default_page_size,
                max_page_size: server.max_page_size,
            },
        }
    }
}

/// Builds the schema, behind the operation limits. `db`, `storage`, `config` and `jobs`
/// become schema data for resolvers.
pub fn build_schema(
    db: DatabaseConnection,
    storage: Storage,
    config: Arc<Config>,
    jobs: JobsConfig,
    limits: &Limits,
) -> Result<Api, SchemaError> {
    let context = context(limits.query.default_page_size, limits.query.max_page_size);
    let mut builder = seaography::Builder::new(context, db.clone());
    // Read side only: writes go through the domain mutations, which validate input.
    seaography::register_entity!(builder, profile, mutation: false);
    seaography::register_entity!(builder, recording, mutation: false);
    seaography::register_entity!(builder, stem, mutation: false);
    seaography::register_entity!(builder, song, mutation: false);
    seaography::register_entity!(builder, take, mutation: false);
    seaography::register_entity!(builder, audio_file, mutation: false);
    seaography::register_entity!(builder, job, mutation: false);
    seaography::register_entity!(builder, user_profile, mutation: false);
    seaography::register_entity!(builder, user, mutation: false);
    tokens::register(&mut builder);
    mutations::register(&mut builder);
    song_mutations::register(&mut builder);
    subscriptions::register(&mut builder);
    // Complexity is the limits check's (async-graphql's own counts no list sizes).
    let schema = builder
        .set_depth_limit(Some(limits.depth))
        .set_complexity_limit(None)
        .schema_builder()
        .data(db)
        .data(storage)
        .data(config)
        .data(jobs)
        .finish()?;
    Api::new(schema, limits.query.clone())
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

//! The exported schema (`server/schema.graphql`) must match the live one, so API changes
//! are reviewed as a diff. `STEMSET_UPDATE_SCHEMA=1 cargo test -p stemset-server --test
//! schema_sdl` rewrites the file.

mod common;

use common::{Backend, TestServer};

#[tokio::test(flavor = "multi_thread")]
async fn exported_schema_is_current() {
    let s = TestServer::start(Backend::Sqlite).await;
    let live = s.server.as_ref().expect("running").state.schema.sdl();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schema.graphql");
    if std::env::var_os("STEMSET_UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &live).expect("write schema.graphql");
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == live,
        "server/schema.graphql is out of date; run STEMSET_UPDATE_SCHEMA=1 cargo test -p stemset-server --test schema_sdl and review the diff"
    );
    // Secrets never reach the schema.
    assert!(
        !live.contains("tokenHash"),
        "token hashes must not be queryable"
    );
    s.stop().await;
}

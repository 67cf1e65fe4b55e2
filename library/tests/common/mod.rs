//! Test support of the library's tests: core's testkit backend and helpers, plus a fresh
//! PostgreSQL database per test.
#![allow(dead_code)]

#[path = "../../../core/tests/common/mod.rs"]
mod testkit;

#[allow(unused_imports)]
pub use testkit::*;

/// A new database as `create_postgres_database` makes it, migrated.
pub async fn migrated_postgres_database() -> String {
    let url = create_postgres_database().await;
    stemset_library::db::connect(&url, true)
        .await
        .expect("migrate");
    url
}

/// A new, empty database on the PostgreSQL server of `STEMSET_TEST_POSTGRES_URL`
/// (default: the local server on 127.0.0.1:5432); returns its URL.
pub async fn create_postgres_database() -> String {
    use sea_orm::{ConnectionTrait, Database};
    let admin = std::env::var("STEMSET_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_string());
    let conn = Database::connect(&admin).await.unwrap_or_else(|e| {
        panic!(
            "PostgreSQL at {admin} is required for this test (set STEMSET_TEST_POSTGRES_URL): {e}"
        )
    });
    let name = format!("stemset_test_{}", uuid::Uuid::new_v4().simple());
    conn.execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create database");
    let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
    format!("{base}/{name}")
}

//! No N+1: the recordings-with-stems query runs about the same number of SQL statements
//! for 1 recording as for 40 (relations go through seaography's data loaders).

mod common;

use common::{Auth, Backend, TestServer, gql, seed_recording};
use serde_json::json;

const QUERY: &str = "{ recordings(orderBy: { createdAt: DESC }) { nodes { id title profile { name } stems(orderBy: { sortOrder: ASC }) { nodes { id name lufs gainDb } } } } }";

async fn count(s: &TestServer, auth: &Auth, expect_recordings: usize) -> usize {
    s.reset_statements();
    let (status, body) = gql(s, auth, QUERY, json!({})).await;
    assert_eq!(status, 200);
    assert!(body.get("errors").is_none(), "{body}");
    let nodes = body["data"]["recordings"]["nodes"]
        .as_array()
        .expect("nodes")
        .clone();
    assert_eq!(nodes.len(), expect_recordings);
    assert!(
        nodes
            .iter()
            .all(|n| n["stems"]["nodes"].as_array().map(Vec::len) == Some(2))
    );
    s.statement_count()
}

async fn constant_statements(backend: Backend) {
    let s = TestServer::start(backend).await;
    let member = Auth::Cookie(s.session_cookie(&s.member));
    let few = count(&s, &member, 1).await;
    for i in 0..39 {
        seed_recording(
            &s.db,
            &s.storage,
            s.alpha.recording.profile_id,
            "alpha",
            &format!("take {i}"),
        )
        .await;
    }
    let many = count(&s, &member, 40).await;
    // N+1 would add a statement per recording and relation (39 × 2 here). A loaded
    // machine may split one relation's batch in two across the data loader's 1 ms
    // window (seen: 6 → 8 while the whole suite ran), which is not N+1.
    assert!(
        many <= few + 4,
        "statements per request grow with the number of recordings (N+1): {few} for 1, {many} for 40"
    );
    // Caller lookup, membership, recordings, profiles, stems: a handful, not dozens.
    assert!(many <= 10, "{many} statements for one request");
    eprintln!("{backend:?}: {many} SQL statements per recordings-with-stems request");
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn constant_statements_sqlite() {
    constant_statements(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn constant_statements_postgres() {
    constant_statements(Backend::Postgres).await;
}

//! Relation fields build their data loader key (statement, access filter, filters,
//! ordering) once per field of a request and share it between the rows (a patch of the
//! vendored seaography). Two fields with different arguments still get their own, and two
//! callers loading at once each get their own access filter.

mod common;

use std::sync::Arc;

use common::{Auth, Backend, TestServer, gql, seed_recording};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, Related};
use seaography::HashableGroupKey;
use serde_json::json;
use stemset_library::db::{recording, stem};

fn names(connection: &serde_json::Value) -> Vec<&str> {
    connection["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|n| n["name"].as_str().expect("name"))
        .collect()
}

async fn each_field_its_own_arguments(backend: Backend) {
    let s = TestServer::start(backend).await;
    let member = Auth::Cookie(s.session_cookie(&s.member));
    for i in 0..3 {
        seed_recording(
            &s.db,
            &s.storage,
            s.alpha.recording.profile_id,
            "alpha",
            &format!("take {i}"),
        )
        .await;
    }
    let query = r#"{ recordings { nodes {
        up: stems(orderBy: { sortOrder: ASC }) { nodes { name } }
        down: stems(orderBy: { sortOrder: DESC }) { nodes { name } }
        vocals: stems(filters: { name: { eq: "vocals" } }) { nodes { name } }
        first: stems(orderBy: { sortOrder: ASC }, pagination: { page: { limit: 1, page: 0 } }) { nodes { name } }
    } } }"#;
    let (status, body) = gql(&s, &member, query, json!({})).await;
    assert_eq!(status, 200);
    assert!(body.get("errors").is_none(), "{body}");
    let nodes = body["data"]["recordings"]["nodes"]
        .as_array()
        .expect("nodes");
    assert_eq!(nodes.len(), 4, "{body}");
    for n in nodes {
        assert_eq!(names(&n["up"]), ["vocals", "instrumental"], "{n}");
        assert_eq!(names(&n["down"]), ["instrumental", "vocals"], "{n}");
        assert_eq!(names(&n["vocals"]), ["vocals"], "{n}");
        assert_eq!(names(&n["first"]), ["vocals"], "{n}");
    }
    s.stop().await;
}

/// A member of alpha and a member of beta at once, many times: the loader batches their
/// keys together when they meet in its window, and each must still get their stems (an
/// unpatched seaography ran the first caller's access filter for both, and the other one
/// saw no stems).
async fn callers_at_once_each_their_own_filter(backend: Backend) {
    let s = TestServer::start(backend).await;
    let alpha = Auth::Cookie(s.session_cookie(&s.member));
    let beta = Auth::Cookie(s.session_cookie(&s.outsider));
    let query =
        "{ recordings { nodes { title stems(orderBy: { sortOrder: ASC }) { nodes { name } } } } }";
    for round in 0..30 {
        let (a, b) = tokio::join!(
            gql(&s, &alpha, query, json!({})),
            gql(&s, &beta, query, json!({}))
        );
        for (who, (status, body), title) in [
            ("alpha", a, &s.alpha.recording.title),
            ("beta", b, &s.beta.recording.title),
        ] {
            assert_eq!(status, 200, "{who}, round {round}: {body}");
            assert!(body.get("errors").is_none(), "{who}, round {round}: {body}");
            let nodes = body["data"]["recordings"]["nodes"]
                .as_array()
                .expect("nodes");
            assert_eq!(nodes.len(), 1, "{who}, round {round}: {body}");
            assert_eq!(nodes[0]["title"], title.as_str(), "{who}: {body}");
            assert_eq!(
                names(&nodes[0]["stems"]),
                ["vocals", "instrumental"],
                "{who}, round {round}: {body}"
            );
        }
    }
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn each_field_its_own_arguments_sqlite() {
    each_field_its_own_arguments(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn each_field_its_own_arguments_postgres() {
    each_field_its_own_arguments(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn callers_at_once_each_their_own_filter_sqlite() {
    callers_at_once_each_their_own_filter(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn callers_at_once_each_their_own_filter_postgres() {
    callers_at_once_each_their_own_filter(Backend::Postgres).await;
}

/// The loader groups keys by their meta: two whose statements differ (two callers'
/// access filters) are two groups, equal ones are one, and equal ones hash alike.
#[test]
fn group_keys_compare_their_statements() {
    use std::hash::BuildHasher;
    let key = |title: &str| {
        Arc::new(HashableGroupKey::<stem::Entity> {
            stmt: stem::Entity::find().filter(
                stem::Column::RecordingId.in_subquery(
                    sea_orm::sea_query::Query::select()
                        .column(recording::Column::Id)
                        .from(recording::Entity)
                        .and_where(recording::Column::Title.eq(title))
                        .to_owned(),
                ),
            ),
            junction_fields: Vec::new(),
            rel_def: <recording::Entity as Related<stem::Entity>>::to(),
            via_def: None,
            filters: Condition::all(),
            order_by: vec![(stem::Column::SortOrder, sea_orm::Order::Asc)],
        })
    };
    let hasher = std::hash::RandomState::new();
    assert_eq!(key("a"), key("a"));
    assert_eq!(hasher.hash_one(key("a")), hasher.hash_one(key("a")));
    assert_ne!(key("a"), key("b"));
    let mut other_order = (*key("a")).clone();
    other_order.order_by = vec![(stem::Column::SortOrder, sea_orm::Order::Desc)];
    assert_ne!(*key("a"), other_order);
}

//! What one GraphQL request may cost, over HTTP with the default limits: batch size,
//! aliases, fields, estimated complexity (lists count their page size), page sizes; the
//! web app's own queries still pass, and a list without pagination gets the default page.

mod common;

use common::{
    Auth, Backend, ConfigOptions, TestServer, client, first_error, gql, seed_recording, with_auth,
};
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::{Message, client::IntoClientRequest};

/// `n` aliases of recordings with their stems: the amplification attack of issue 14 had
/// 400 (60 here, to stay within the test config's 64 KiB body limit).
fn aliased_recordings(n: usize) -> String {
    let fields: String = (0..n)
        .map(|i| {
            format!(
                "a{i}: recordings {{ nodes {{ id title stems {{ nodes {{ id name lufs }} }} }} }} "
            )
        })
        .collect();
    format!("{{ {fields} }}")
}

async fn post(s: &TestServer, auth: &Auth, body: &Value) -> (u16, Value) {
    let resp = with_auth(client().post(s.url("/graphql")), auth)
        .json(body)
        .send()
        .await
        .expect("request");
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

// The web app's queries (web/src/lib/api/operations.ts), which the defaults must allow.
const RECORDINGS: &str = r#"
query Recordings($filters: RecordingFilterInput, $orderBy: RecordingOrderInput, $limit: Int!, $page: Int!) {
  recordings(filters: $filters, orderBy: $orderBy, pagination: { page: { limit: $limit, page: $page } }) {
    paginationInfo { total pages current }
    nodes { ...RecordingRow }
  }
}
fragment RecordingRow on Recording {
  id title durationSeconds createdAt updatedAt strategy
  stems(orderBy: { sortOrder: ASC }) { nodes { id name } }
}"#;
const RECORDING: &str = r#"
query Recording($id: String!) {
  recordings(filters: { id: { eq: $id } }) {
    nodes {
      id title durationSeconds createdAt strategy
      profile { id name displayName }
      audioFile { originalName sampleRate channels codec }
      stems(orderBy: { sortOrder: ASC }) { nodes { ...StemFields } }
    }
  }
}
fragment StemFields on Stem {
  id name sortOrder format sampleRate channels bitrateKbps sizeBytes durationSeconds
  lufs truePeakDbtp samplePeakDbfs gainDb
}"#;
const PROFILES: &str = "query Profiles { profiles(orderBy: { name: ASC }, pagination: { page: { limit: 200, page: 0 } }) { nodes { id name displayName strategy remote } } }";

#[tokio::test(flavor = "multi_thread")]
async fn limits_refuse_with_their_names() {
    let s = TestServer::start(Backend::Sqlite).await;
    let member = Auth::Cookie(s.session_cookie(&s.member));

    // Normal queries work: the web app's list, detail and profile queries.
    let (status, body) = gql(
        &s,
        &member,
        RECORDINGS,
        json!({
            "limit": 50,
            "page": 0,
            "orderBy": { "createdAt": "DESC" },
            "filters": { "profileId": { "eq": s.alpha.recording.profile_id } },
        }),
    )
    .await;
    assert_eq!(status, 200);
    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(
        body["data"]["recordings"]["nodes"][0]["title"],
        "Tuesday jam"
    );
    let (_, body) = gql(
        &s,
        &member,
        RECORDING,
        json!({ "id": s.alpha.recording.id }),
    )
    .await;
    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(
        body["data"]["recordings"]["nodes"][0]["stems"]["nodes"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    let (_, body) = gql(&s, &member, PROFILES, json!({})).await;
    assert!(body.get("errors").is_none(), "{body}");

    // The attack as reported: 8 batched operations, refused as a whole.
    let op = json!({ "query": aliased_recordings(60) });
    let (status, body) = post(&s, &member, &json!(vec![op.clone(); 8])).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(
        first_error(&body),
        "batch of 8 operations exceeds the limit of 4 (server.max_batch_operations)"
    );
    // Within the batch limit, each operation is refused by the alias limit.
    let (status, body) = post(&s, &member, &json!(vec![op; 4])).await;
    assert_eq!(status, 200);
    let answers = body.as_array().expect("a batch answer");
    assert_eq!(answers.len(), 4);
    for a in answers {
        assert!(a["data"].is_null(), "{a}");
        assert_eq!(
            first_error(a),
            "query uses more than the limit of 50 aliases (server.max_query_aliases)"
        );
    }
    // A small batch runs.
    let me = json!({ "query": "{ me { email } }" });
    let (status, body) = post(&s, &member, &json!([me.clone(), me])).await;
    assert_eq!(status, 200);
    assert_eq!(body[1]["data"]["me"]["email"], common::MEMBER);

    // Complexity: each alias costs 1 + (1 + 50 × (2 + 1 + (1 + 50 × 3))) = 7702 (a list
    // counts its page size, 50 by default), so 7 exceed 50000 and 6 fit.
    let (_, body) = gql(&s, &member, &aliased_recordings(7), json!({})).await;
    assert_eq!(
        first_error(&body),
        "query is too complex: its estimated cost of 53914 exceeds the limit of 50000 \
         (server.max_query_complexity; lists count their page size)"
    );
    assert!(body["data"].is_null(), "{body}");
    let (_, body) = gql(&s, &member, &aliased_recordings(6), json!({})).await;
    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(
        body["data"]["a5"]["nodes"][0]["stems"]["nodes"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );

    // Fields, counted as executed: a fragment of 3 fields spread 400 times.
    let spreads = "...U ".repeat(400);
    let (_, body) = gql(
        &s,
        &member,
        &format!("{{ me {{ {spreads} }} }} fragment U on User {{ id email name }}"),
        json!({}),
    )
    .await;
    assert_eq!(
        first_error(&body),
        "query selects more than the limit of 1000 fields (server.max_query_fields)"
    );

    // Page size over the maximum, from a literal or a variable: refused, not clamped.
    let (_, body) = gql(
        &s,
        &member,
        "{ recordings(pagination: { page: { limit: 501, page: 0 } }) { nodes { id } } }",
        json!({}),
    )
    .await;
    assert_eq!(
        first_error(&body),
        "page size 501 of `recordings` exceeds the limit of 500 (server.max_page_size)"
    );
    let (_, body) = gql(&s, &member, RECORDINGS, json!({ "limit": 1000, "page": 0 })).await;
    assert!(
        first_error(&body).starts_with("page size 1000 of `recordings`"),
        "{body}"
    );

    // Subscriptions over WebSocket go through the same check (a schema extension).
    let ws_url = format!(
        "ws://{}/graphql/ws",
        s.server.as_ref().expect("running").addr
    );
    let mut req = ws_url.into_client_request().expect("request");
    req.headers_mut().insert(
        "sec-websocket-protocol",
        "graphql-transport-ws".parse().expect("header"),
    );
    req.headers_mut().insert(
        "cookie",
        s.session_cookie(&s.member).parse().expect("header"),
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(req)
        .await
        .expect("connect");
    ws.send(Message::text(
        json!({ "type": "connection_init" }).to_string(),
    ))
    .await
    .expect("send");
    assert_eq!(next_json(&mut ws).await["type"], "connection_ack");
    let wide: String = (0..51)
        .map(|i| format!("a{i}: jobProgress(id: \"{}\") {{ id }} ", uuid::Uuid::nil()))
        .collect();
    let subscribe = json!({
        "id": "1",
        "type": "subscribe",
        "payload": { "query": format!("subscription {{ {wide} }}") }
    });
    ws.send(Message::text(subscribe.to_string()))
        .await
        .expect("send");
    let msg = next_json(&mut ws).await;
    assert_eq!(msg["type"], "next", "{msg}");
    assert_eq!(
        first_error(&msg["payload"]),
        "query uses more than the limit of 50 aliases (server.max_query_aliases)"
    );
    s.stop().await;
}

async fn next_json(
    ws: &mut (impl StreamExt<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin),
) -> Value {
    loop {
        // A hang guard, not a timing assertion.
        let msg = tokio::time::timeout(std::time::Duration::from_secs(30), ws.next())
            .await
            .expect("a message")
            .expect("open")
            .expect("ok");
        if let Message::Text(t) = msg {
            return serde_json::from_str(&t).expect("json");
        }
    }
}

/// A list without `pagination` returns `server.default_page_size` rows, at the root and
/// through relations; `limit` up to `server.max_page_size` is honoured, beyond refused.
async fn default_page_size(backend: Backend) {
    let s = TestServer::start_with(
        backend,
        &ConfigOptions {
            extra_server: "  default_page_size: 3\n  max_page_size: 5\n",
            ..Default::default()
        },
        false,
    )
    .await;
    for i in 0..4 {
        seed_recording(
            &s.db,
            &s.storage,
            s.alpha.recording.profile_id,
            "alpha",
            &format!("take {i}"),
        )
        .await;
    }
    let member = Auth::Cookie(s.session_cookie(&s.member));
    let (_, body) = gql(
        &s,
        &member,
        "{ recordings { nodes { id stems { nodes { id } } } paginationInfo { total } } }",
        json!({}),
    )
    .await;
    assert!(body.get("errors").is_none(), "{body}");
    let rec = &body["data"]["recordings"];
    assert_eq!(rec["nodes"].as_array().map(Vec::len), Some(3), "{body}");
    assert_eq!(rec["paginationInfo"]["total"], 5);
    let (_, body) = gql(
        &s,
        &member,
        "{ recordings(pagination: { page: { limit: 5, page: 0 } }) { nodes { id } } }",
        json!({}),
    )
    .await;
    assert_eq!(
        body["data"]["recordings"]["nodes"].as_array().map(Vec::len),
        Some(5),
        "{body}"
    );
    let (_, body) = gql(
        &s,
        &member,
        "{ recordings(pagination: { offset: { limit: 6, offset: 0 } }) { nodes { id } } }",
        json!({}),
    )
    .await;
    assert_eq!(
        first_error(&body),
        "page size 6 of `recordings` exceeds the limit of 5 (server.max_page_size)"
    );
    assert!(body["data"].is_null(), "{body}");
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn default_page_size_sqlite() {
    default_page_size(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn default_page_size_postgres() {
    default_page_size(Backend::Postgres).await;
}

/// The whole server runs at most `server.max_concurrent_queries` GraphQL requests; one
/// more waits `query_wait_secs` for a slot, then gets 503 naming the setting, and runs
/// as soon as a slot is free.
#[tokio::test(flavor = "multi_thread")]
async fn concurrent_requests_beyond_the_cap_wait_then_get_503() {
    let s = TestServer::start_with(
        Backend::Sqlite,
        &ConfigOptions {
            extra_server: "  max_concurrent_queries: 2\n  query_wait_secs: 1\n",
            ..ConfigOptions::default()
        },
        false,
    )
    .await;
    let member = Auth::Cookie(s.session_cookie(&s.member));
    let slots = s
        .server
        .as_ref()
        .expect("running")
        .state
        .graphql_slots
        .clone();
    let body = json!({ "query": PROFILES });
    let (status, _) = post(&s, &member, &body).await;
    assert_eq!(status, 200, "a free slot");

    // Both slots busy (as two long requests would hold them).
    let held = slots.clone().acquire_many_owned(2).await.expect("slots");
    let started = std::time::Instant::now();
    let (status, answer) = post(&s, &member, &body).await;
    assert_eq!(status, 503, "{answer}");
    assert!(
        first_error(&answer).contains("server.max_concurrent_queries"),
        "{answer}"
    );
    assert!(
        started.elapsed() >= std::time::Duration::from_millis(900),
        "it waited"
    );

    // A slot freed while a request waits lets it run.
    let waiting = {
        let (url, cookie) = (s.url("/graphql"), s.session_cookie(&s.member));
        let body = body.clone();
        tokio::spawn(async move {
            with_auth(client().post(url), &Auth::Cookie(cookie))
                .json(&body)
                .send()
                .await
                .map(|r| r.status().as_u16())
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    drop(held);
    assert_eq!(waiting.await.expect("task").expect("request"), 200);
}

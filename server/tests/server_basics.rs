//! The server around the API: /healthz, CORS for a configured front-end origin, the
//! request body limit, GraphQL depth limits, bypass mode (and its refusal in
//! production), the SPA fallback, and job progress over a WebSocket subscription.

mod common;

use std::sync::Arc;

use common::{Auth, Backend, ConfigOptions, TestServer, client, gql, with_auth};
use futures::{SinkExt, StreamExt};
use sea_orm::{ActiveModelTrait, Set};
use serde_json::json;
use stemset_library::db::job;
use tokio_tungstenite::tungstenite::{Message, client::IntoClientRequest};

#[tokio::test(flavor = "multi_thread")]
async fn health_cors_limits() {
    let s = TestServer::start_with(
        Backend::Sqlite,
        &ConfigOptions {
            cors_origins: &["http://localhost:5173"],
            ..Default::default()
        },
        false,
    )
    .await;
    let resp = client()
        .get(s.url("/healthz"))
        .send()
        .await
        .expect("healthz");
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(
        resp.json::<serde_json::Value>().await.expect("json")["status"],
        "ok"
    );

    // CORS: the configured front end may call with credentials; others get no grant.
    let preflight = |origin: &'static str| {
        client()
            .request(reqwest::Method::OPTIONS, s.url("/graphql"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .send()
    };
    let resp = preflight("http://localhost:5173").await.expect("preflight");
    assert_eq!(
        resp.headers()["access-control-allow-origin"],
        "http://localhost:5173"
    );
    assert_eq!(resp.headers()["access-control-allow-credentials"], "true");
    let resp = preflight("https://evil.example").await.expect("preflight");
    assert!(resp.headers().get("access-control-allow-origin").is_none());

    // Request bodies over server.max_body_kib (64 KiB here) are refused.
    let member = Auth::Cookie(s.session_cookie(&s.member));
    let big = format!("{{ me {{ email }} }} #{}", "x".repeat(100 * 1024));
    let resp = with_auth(client().post(s.url("/graphql")), &member)
        .json(&json!({ "query": big }))
        .send()
        .await
        .expect("post");
    assert_eq!(resp.status().as_u16(), 413, "{:?}", resp.text().await);
    // Not JSON at all: 400 naming the problem.
    let resp = with_auth(client().post(s.url("/graphql")), &member)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("post");
    assert_eq!(resp.status().as_u16(), 400);

    // Depth limit.
    let mut deep = "name".to_string();
    for _ in 0..8 {
        deep = format!("recordings {{ nodes {{ profile {{ {deep} }} }} }}");
    }
    let (_, body) = gql(
        &s,
        &member,
        &format!("{{ profiles {{ nodes {{ {deep} }} }} }}"),
        json!({}),
    )
    .await;
    let msg = common::first_error(&body);
    assert!(msg.contains("nested too deep"), "{body}");

    // Alias limit (server.max_query_aliases, 50 by default): 400 aliases are refused
    // (the other limits are tested in graphql_limits.rs).
    let wide: String = (0..400).map(|i| format!("f{i}: me {{ id }} ")).collect();
    let (_, body) = gql(&s, &member, &format!("{{ {wide} }}"), json!({})).await;
    let msg = common::first_error(&body);
    assert!(msg.contains("limit of 50 aliases"), "{body}");

    // Input validation names the problem.
    let rec = s.alpha.recording.id;
    for (query, expect) in [
        (
            format!("mutation {{ renameRecording(id: \"{rec}\", title: \"   \") {{ title }} }}"),
            "must not be empty",
        ),
        (
            format!(
                "mutation {{ renameRecording(id: \"{rec}\", title: \"{}\") {{ title }} }}",
                "a".repeat(201)
            ),
            "longer than 200",
        ),
        (
            format!(
                "mutation {{ setStemGain(id: \"{}\", gainDb: 40) {{ gainDb }} }}",
                s.alpha.stems[0].id
            ),
            "outside -60..=12",
        ),
        (
            "mutation { renameRecording(id: \"nope\", title: \"x\") { title } }".to_string(),
            "not a valid id",
        ),
        (
            format!(
                "mutation {{ reprocessRecording(id: \"{rec}\", strategy: \"nope\") {{ id }} }}"
            ),
            "unknown \\\"nope\\\"",
        ),
    ] {
        let (_, body) = gql(&s, &member, &query, json!({})).await;
        assert!(
            body["errors"].to_string().contains(expect),
            "{query}: {body}"
        );
    }
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn bypass_mode_and_production_refusal() {
    let s = TestServer::start_with(Backend::Sqlite, &ConfigOptions::default(), true).await;
    let status: serde_json::Value = client()
        .get(s.url("/auth/status"))
        .send()
        .await
        .expect("status")
        .json()
        .await
        .expect("json");
    assert_eq!(status["bypass"], true);
    assert_eq!(status["user"]["email"], stemset_server::app::BYPASS_EMAIL);
    let (status, body) = gql(
        &s,
        &Auth::Anonymous,
        "{ profiles(orderBy: { name: ASC }) { nodes { name } } }",
        json!({}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        body["data"]["profiles"]["nodes"],
        json!([{ "name": "alpha" }, { "name": "beta" }])
    );
    s.stop().await;

    // Production: bypass is a startup error.
    let dir = tempfile::tempdir().expect("tmp");
    let url = common::database_url(Backend::Sqlite, dir.path()).await;
    let cfg = common::write_config(
        dir.path(),
        &url,
        &ConfigOptions {
            production: true,
            issuer_url: Some("https://accounts.google.com"),
            public_url: Some("https://stemset.example"),
            ..Default::default()
        },
    );
    let config =
        Arc::new(stemset_core::config::Config::load(&cfg).expect("production config loads"));
    let err = TestServer::start_config(Backend::Sqlite, dir, config, true)
        .await
        .err()
        .expect("bypass refused in production");
    assert!(err.to_string().contains("STEMSET_BYPASS_AUTH"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn serves_the_web_app_with_spa_fallback() {
    let s = TestServer::start_with(
        Backend::Sqlite,
        &ConfigOptions {
            web_index: Some("<!doctype html><title>Stemset</title>"),
            ..Default::default()
        },
        false,
    )
    .await;
    for path in ["/", "/recordings/123", "/profiles/alpha"] {
        let resp = client().get(s.url(path)).send().await.expect("get");
        assert_eq!(resp.status().as_u16(), 200, "{path}");
        assert!(
            resp.text()
                .await
                .expect("body")
                .contains("<title>Stemset</title>"),
            "{path}"
        );
    }
    let resp = client()
        .get(s.url("/assets/app.js"))
        .send()
        .await
        .expect("get");
    assert!(resp.text().await.expect("body").contains("console.log"));
    // API routes are not swallowed by the fallback.
    assert_eq!(
        client()
            .get(s.url("/auth/status"))
            .send()
            .await
            .expect("get")
            .headers()["content-type"],
        "application/json; charset=utf-8"
    );
    s.stop().await;
}

async fn next_json(
    ws: &mut (impl StreamExt<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin),
) -> serde_json::Value {
    loop {
        let msg = tokio::time::timeout(std::time::Duration::from_secs(10), ws.next())
            .await
            .expect("a message within 10 s")
            .expect("open")
            .expect("ok");
        if let Message::Text(t) = msg {
            return serde_json::from_str(&t).expect("json");
        }
    }
}

/// graphql-transport-ws: `connection_init`, wait for the ack, then subscribe (id "1").
async fn subscribe<S>(ws: &mut S, query: &str, variables: serde_json::Value)
where
    S: SinkExt<Message>
        + StreamExt<Item = Result<Message, tokio_tungstenite::tungstenite::Error>>
        + Unpin,
    <S as futures::Sink<Message>>::Error: std::fmt::Debug,
{
    ws.send(Message::text(
        json!({ "type": "connection_init" }).to_string(),
    ))
    .await
    .expect("send");
    assert_eq!(next_json(ws).await["type"], "connection_ack");
    let subscribe = json!({
        "id": "1",
        "type": "subscribe",
        "payload": { "query": query, "variables": variables }
    });
    ws.send(Message::text(subscribe.to_string()))
        .await
        .expect("send");
}

/// A reprocess job of `alpha`'s recording, queued by `cookie`'s user.
async fn reprocess_job(s: &TestServer, cookie: &str) -> uuid::Uuid {
    let (_, body) = gql(
        s,
        &Auth::Cookie(cookie.to_string()),
        "mutation($id: ID!) { reprocessRecording(id: $id) { id } }",
        json!({ "id": s.alpha.recording.id }),
    )
    .await;
    body["data"]["reprocessRecording"]["id"]
        .as_str()
        .expect("id")
        .parse()
        .expect("uuid")
}

/// Opens the GraphQL WebSocket, with a session cookie and an Origin when given.
async fn connect_ws(
    s: &TestServer,
    cookie: Option<&str>,
    origin: Option<&str>,
) -> Result<
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
    tokio_tungstenite::tungstenite::Error,
> {
    let url = format!(
        "ws://{}/graphql/ws",
        s.server.as_ref().expect("running").addr
    );
    let mut req = url.into_client_request().expect("request");
    req.headers_mut().insert(
        "sec-websocket-protocol",
        "graphql-transport-ws".parse().expect("header"),
    );
    if let Some(c) = cookie {
        req.headers_mut()
            .insert("cookie", c.parse().expect("header"));
    }
    if let Some(o) = origin {
        req.headers_mut()
            .insert("origin", o.parse().expect("header"));
    }
    tokio_tungstenite::connect_async(req)
        .await
        .map(|(ws, _)| ws)
}

#[tokio::test(flavor = "multi_thread")]
async fn job_progress_subscription() {
    let s = TestServer::start(Backend::Sqlite).await;
    let member = s.session_cookie(&s.member);
    let job_id = reprocess_job(&s, &member).await;
    // Anonymous and cross-site upgrades are refused.
    assert!(connect_ws(&s, None, None).await.is_err());
    assert!(
        connect_ws(&s, Some(&member), Some("https://evil.example"))
            .await
            .is_err()
    );

    let mut ws = connect_ws(&s, Some(&member), None).await.expect("connect");
    subscribe(
        &mut ws,
        "subscription($id: ID!) { jobProgress(id: $id) { state progress error } }",
        json!({ "id": job_id }),
    )
    .await;
    let first = next_json(&mut ws).await;
    assert_eq!(
        first["payload"]["data"]["jobProgress"]["state"], "queued",
        "{first}"
    );

    // A worker moves the job along (written straight to the database, as a separate
    // worker process would).
    let row = |state: &str, progress: f64| job::ActiveModel {
        id: Set(job_id),
        state: Set(state.into()),
        progress: Set(progress),
        ..Default::default()
    };
    row("running", 0.5).update(&s.db).await.expect("update");
    let second = next_json(&mut ws).await;
    assert_eq!(
        second["payload"]["data"]["jobProgress"],
        json!({ "state": "running", "progress": 0.5, "error": null })
    );
    row("succeeded", 1.0).update(&s.db).await.expect("update");
    let third = next_json(&mut ws).await;
    assert_eq!(
        third["payload"]["data"]["jobProgress"]["state"],
        "succeeded"
    );
    assert_eq!(next_json(&mut ws).await["type"], "complete");

    // Someone else's job: an error, no data.
    let outsider = s.session_cookie(&s.outsider);
    let mut ws = connect_ws(&s, Some(&outsider), None)
        .await
        .expect("connect");
    subscribe(
        &mut ws,
        "subscription($id: ID!) { jobProgress(id: $id) { state } }",
        json!({ "id": job_id }),
    )
    .await;
    let msg = next_json(&mut ws).await;
    assert!(msg.to_string().contains("job not found"), "{msg}");
    s.stop().await;
}

/// A subscriber removed from the job's profile gets no more of its progress: the next
/// change is answered "job not found" (no data) and the subscription ends.
#[tokio::test(flavor = "multi_thread")]
async fn job_progress_stops_when_membership_ends() {
    use sea_orm::EntityTrait;
    use stemset_library::db::user_profile;

    let s = TestServer::start(Backend::Sqlite).await;
    let member = s.session_cookie(&s.member);
    let job_id = reprocess_job(&s, &member).await;
    let mut ws = connect_ws(&s, Some(&member), None).await.expect("connect");
    subscribe(
        &mut ws,
        "subscription($id: ID!) { jobProgress(id: $id) { state progress } }",
        json!({ "id": job_id }),
    )
    .await;
    let first = next_json(&mut ws).await;
    assert_eq!(
        first["payload"]["data"]["jobProgress"]["state"], "queued",
        "{first}"
    );
    let row = |progress: f64| job::ActiveModel {
        id: Set(job_id),
        state: Set("running".into()),
        progress: Set(progress),
        ..Default::default()
    };
    row(0.25).update(&s.db).await.expect("update");
    let second = next_json(&mut ws).await;
    assert_eq!(
        second["payload"]["data"]["jobProgress"],
        json!({ "state": "running", "progress": 0.25 })
    );

    // Removed from the band while the WebSocket stays open.
    let removed = user_profile::Entity::delete_by_id((s.member.id, s.alpha.recording.profile_id))
        .exec(&s.db)
        .await
        .expect("delete membership");
    assert_eq!(removed.rows_affected, 1);
    row(0.75).update(&s.db).await.expect("update");
    let third = next_json(&mut ws).await;
    assert!(third.to_string().contains("job not found"), "{third}");
    assert!(third["payload"]["data"].is_null(), "{third}");
    assert!(!third.to_string().contains("0.75"), "{third}");
    assert_eq!(next_json(&mut ws).await["type"], "complete");
    s.stop().await;
}

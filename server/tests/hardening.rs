//! Issue 14's hardening, against a real server over loopback: a PostgreSQL that goes
//! away (503 instead of hanging), stalled and dribbled request bodies (cut off), the
//! upload route's Origin check, GraphiQL only for signed-in callers with pinned scripts,
//! and JSON (never the web app's page, never HTML) for unknown API paths and 413s.

mod common;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio::task::JoinHandle;

/// A hang guard for requests that must be answered (not a timing assertion: the
/// behaviour before the fix was to hang for 30 s or forever).
const GUARD: Duration = Duration::from_secs(20);

/// A TCP proxy in front of PostgreSQL. Stopping it closes every proxied connection and
/// the listening port, as a crashed or stopped database server would; freezing it keeps
/// every connection open and passes nothing more, as a hung server (or a network that
/// drops packets) would.
struct Proxy {
    addr: SocketAddr,
    accept: JoinHandle<()>,
    conns: Arc<Mutex<Vec<JoinHandle<()>>>>,
    frozen: tokio::sync::watch::Sender<bool>,
}

/// Copies `from` to `to` until either closes; once `frozen` is set, reads no more.
async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    mut frozen: tokio::sync::watch::Receiver<bool>,
) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        if *frozen.borrow() {
            // Hold both sockets open, answering nothing, until the proxy stops.
            std::future::pending::<()>().await;
        }
        tokio::select! {
            n = from.read(&mut buf) => match n {
                Ok(0) | Err(_) => return,
                Ok(n) => {
                    if *frozen.borrow() || to.write_all(&buf[..n]).await.is_err() {
                        if *frozen.borrow() {
                            std::future::pending::<()>().await;
                        }
                        return;
                    }
                }
            },
            changed = frozen.changed() => {
                if changed.is_err() {
                    // The proxy is gone without freezing: plain copying from here.
                    let _ = tokio::io::copy(&mut from, &mut to).await;
                    return;
                }
            }
        }
    }
}

impl Proxy {
    async fn start(listen: SocketAddr, target: SocketAddr) -> Proxy {
        let socket = TcpSocket::new_v4().expect("socket");
        socket.set_reuseaddr(true).expect("reuseaddr");
        socket.bind(listen).expect("bind the proxy");
        let listener = socket.listen(64).expect("listen");
        let addr = listener.local_addr().expect("addr");
        let conns: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let tracked = conns.clone();
        let (frozen, watch) = tokio::sync::watch::channel(false);
        let accept = tokio::spawn(async move {
            while let Ok((inbound, _)) = listener.accept().await {
                let watch = watch.clone();
                let conn = tokio::spawn(async move {
                    if let Ok(outbound) = TcpStream::connect(target).await {
                        let (in_read, in_write) = inbound.into_split();
                        let (out_read, out_write) = outbound.into_split();
                        tokio::join!(
                            pump(in_read, out_write, watch.clone()),
                            pump(out_read, in_write, watch)
                        );
                    }
                });
                tracked.lock().expect("lock").push(conn);
            }
        });
        Proxy {
            addr,
            accept,
            conns,
            frozen,
        }
    }

    /// From now on nothing passes, and nothing is closed.
    fn freeze(&self) {
        let _ = self.frozen.send(true);
    }

    /// Closes the port and every connection through it (awaited: gone on return).
    async fn stop(self) {
        self.accept.abort();
        let _ = self.accept.await;
        let conns: Vec<_> = self.conns.lock().expect("lock").drain(..).collect();
        for c in conns {
            c.abort();
            let _ = c.await;
        }
    }
}

async fn get_json(url: &str, auth: &Auth) -> (u16, Value) {
    let resp = tokio::time::timeout(GUARD, with_auth(client().get(url), auth).send())
        .await
        .expect("answered, not hung")
        .expect("request");
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

async fn upload(s: &TestServer, auth: &Auth, origin: Option<&str>, bytes: Vec<u8>) -> (u16, Value) {
    let part = reqwest::multipart::Part::bytes(bytes).file_name("take.wav");
    let form = reqwest::multipart::Form::new().part("file", part);
    let mut rb =
        with_auth(client().post(s.url("/api/uploads?profile=alpha")), auth).multipart(form);
    if let Some(o) = origin {
        rb = rb.header("origin", o);
    }
    let resp = tokio::time::timeout(GUARD, rb.send())
        .await
        .expect("answered, not hung")
        .expect("upload");
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// A seeded server whose PostgreSQL is reached through a [`Proxy`]; also the database's
/// own address, for a proxy started again on the same port.
async fn server_behind_proxy() -> (TestServer, Proxy, SocketAddr) {
    stemset_server::install_crypto_provider();
    let dir = tempfile::tempdir().expect("tempdir");
    let direct = database_url(Backend::Postgres, dir.path()).await;
    let mut url = url::Url::parse(&direct).expect("database url");
    let target = tokio::net::lookup_host((
        url.host_str().expect("host").to_string(),
        url.port().unwrap_or(5432),
    ))
    .await
    .expect("resolve")
    .next()
    .expect("an address");
    let proxy = Proxy::start("127.0.0.1:0".parse().expect("addr"), target).await;
    url.set_host(Some("127.0.0.1")).expect("host");
    url.set_port(Some(proxy.addr.port())).expect("port");
    let cfg = write_config(dir.path(), url.as_str(), &ConfigOptions::default());
    let config = Arc::new(stemset_core::config::Config::load(&cfg).expect("config"));
    let s = TestServer::start_config(Backend::Postgres, dir, config, false)
        .await
        .expect("server starts");
    (s, proxy, target)
}

#[tokio::test(flavor = "multi_thread")]
async fn database_going_away_answers_503() {
    let (s, proxy, target) = server_behind_proxy().await;
    let proxy_addr = proxy.addr;
    let member = Auth::Cookie(s.session_cookie(&s.member));
    assert_eq!(get_json(&s.url("/healthz"), &Auth::Anonymous).await.0, 200);
    let (status, body) = gql(&s, &member, "{ me { email } }", json!({})).await;
    assert_eq!(
        (status, &body["data"]["me"]["email"]),
        (200, &json!(MEMBER))
    );

    proxy.stop().await;
    let (status, body) = get_json(&s.url("/healthz"), &Auth::Anonymous).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["status"], "database unreachable");
    // GraphQL and uploads: 503 naming the problem (it was 500 after 30 s).
    let (status, body) =
        tokio::time::timeout(GUARD, gql(&s, &member, "{ me { email } }", json!({})))
            .await
            .expect("answered, not hung");
    assert_eq!(status, 503, "{body}");
    assert_eq!(body, json!({ "error": "database unavailable" }));
    let (status, body) = upload(&s, &member, None, wav_bytes(0.5, 440.0)).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body, json!({ "error": "database unavailable" }));

    // The database comes back on the same address: so does the server.
    let proxy = Proxy::start(proxy_addr, target).await;
    assert_eq!(get_json(&s.url("/healthz"), &Auth::Anonymous).await.0, 200);
    let (status, _) = gql(&s, &member, "{ me { email } }", json!({})).await;
    assert_eq!(status, 200);
    s.stop().await;
    proxy.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hung_database_gets_503_from_healthz_quickly() {
    let (s, proxy, _) = server_behind_proxy().await;
    assert_eq!(get_json(&s.url("/healthz"), &Auth::Anonymous).await.0, 200);

    // The pooled connections stay open but the database answers nothing: the ping
    // would wait forever (TCP keeps a silent peer for minutes). /healthz has its own
    // limit of 1.5 s; 5 s is the guard, well past it.
    proxy.freeze();
    let (status, body) = tokio::time::timeout(
        Duration::from_secs(5),
        get_json(&s.url("/healthz"), &Auth::Anonymous),
    )
    .await
    .expect("/healthz answered while the database hangs");
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["status"], "database unreachable");
    proxy.stop().await;
    s.stop().await;
}

/// Sends `head` and the start of a body, then nothing more; returns what the server
/// answered before closing the connection.
async fn stall(addr: SocketAddr, head: &str, body_start: &[u8]) -> String {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream.write_all(head.as_bytes()).await.expect("head");
    stream.write_all(body_start).await.expect("body start");
    let mut answer = Vec::new();
    tokio::time::timeout(GUARD * 3, stream.read_to_end(&mut answer))
        .await
        .expect("the server cut the stalled request off")
        .expect("read");
    String::from_utf8_lossy(&answer).into_owned()
}

fn json_body(answer: &str) -> Value {
    let body = answer.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
    serde_json::from_str(body).unwrap_or(Value::Null)
}

#[tokio::test(flavor = "multi_thread")]
async fn stalled_and_dribbled_bodies_are_cut_off() {
    let s = TestServer::start_with(
        Backend::Sqlite,
        &ConfigOptions {
            extra_server: "  body_idle_timeout_secs: 1\n  body_timeout_secs: 3\n",
            ..Default::default()
        },
        false,
    )
    .await;
    let addr = s.server.as_ref().expect("running").addr;
    let cookie = s.session_cookie(&s.member);

    // GraphQL: headers, a few bytes of a 1000-byte body, then silence.
    let head = format!(
        "POST /graphql HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\n\
         Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
    );
    let answer = stall(addr, &head, b"{\"query\": \"").await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert_eq!(
        json_body(&answer),
        json!({ "error": "the request body stalled" })
    );

    // An upload that stalls after its first bytes.
    let wav = wav_bytes(1.0, 440.0);
    let mut part =
        b"--XYZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\n\
                     Content-Type: audio/wav\r\n\r\n"
            .to_vec();
    part.extend_from_slice(&wav[..4096]);
    let head = format!(
        "POST /api/uploads?profile=alpha HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\n\
         Content-Type: multipart/form-data; boundary=XYZ\r\nContent-Length: {}\r\n\r\n",
        wav.len() + 200
    );
    let answer = stall(addr, &head, &part).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert_eq!(
        json_body(&answer),
        json!({ "error": "the upload stalled: no data for 1 s (server.body_idle_timeout_secs)" })
    );
    assert!(
        s.storage
            .list("inputs")
            .await
            .unwrap_or_default()
            .is_empty()
    );

    // A GraphQL body dribbled a byte at a time, each within the idle timeout: the whole
    // body has body_timeout_secs.
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let head = format!(
        "POST /graphql HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\n\
         Content-Type: application/json\r\nContent-Length: 60000\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.expect("head");
    let (mut read, mut write) = stream.into_split();
    let dribble = tokio::spawn(async move {
        loop {
            if write.write_all(b" ").await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    });
    let mut answer = Vec::new();
    tokio::time::timeout(GUARD * 3, read.read_to_end(&mut answer))
        .await
        .expect("the server cut the dribbled request off")
        .expect("read");
    dribble.abort();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert_eq!(
        json_body(&answer),
        json!({ "error": "the request body did not arrive within 3 s" })
    );

    // A normal request is unaffected.
    let (status, body) = gql(&s, &Auth::Cookie(cookie), "{ me { email } }", json!({})).await;
    assert_eq!(
        (status, &body["data"]["me"]["email"]),
        (200, &json!(MEMBER))
    );
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn uploads_refuse_foreign_origins_for_cookies() {
    let s = TestServer::start(Backend::Sqlite).await;
    let cookie = Auth::Cookie(s.session_cookie(&s.member));
    // A form on another site posting with the visitor's cookie.
    let (status, body) = upload(
        &s,
        &cookie,
        Some("https://evil.example"),
        wav_bytes(0.5, 440.0),
    )
    .await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(
        body,
        json!({ "error": "uploads from this origin are not allowed" })
    );
    assert!(
        s.storage
            .list("inputs")
            .await
            .unwrap_or_default()
            .is_empty()
    );
    // The app itself (same origin) and clients that send no Origin are fine.
    let (status, body) = upload(&s, &cookie, Some(&s.base), wav_bytes(0.5, 440.0)).await;
    assert_eq!(status, 201, "{body}");
    let (status, body) = upload(&s, &cookie, None, wav_bytes(0.5, 220.0)).await;
    assert_eq!(status, 201, "{body}");
    // An API token is no ambient credential: any Origin may use it.
    let (_, body) = gql(
        &s,
        &cookie,
        "mutation { createApiToken(name: \"script\") { token } }",
        json!({}),
    )
    .await;
    let token = body["data"]["createApiToken"]["token"]
        .as_str()
        .expect("token")
        .to_string();
    let (status, body) = upload(
        &s,
        &Auth::Bearer(token.clone()),
        Some("https://evil.example"),
        wav_bytes(0.5, 330.0),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let (status, body) = upload(&s, &Auth::Bearer(token), None, wav_bytes(0.5, 660.0)).await;
    assert_eq!(status, 201, "{body}");
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn graphiql_is_for_signed_in_callers_with_pinned_scripts() {
    let s = TestServer::start(Backend::Sqlite).await;
    let resp = client()
        .get(s.url("/graphql"))
        .header("accept", "text/html")
        .send()
        .await
        .expect("get");
    assert_eq!(resp.status().as_u16(), 401);
    assert_eq!(
        resp.json::<Value>().await.expect("json"),
        json!({ "error": "sign in first" })
    );

    let resp = with_auth(
        client().get(s.url("/graphql")),
        &Auth::Cookie(s.session_cookie(&s.member)),
    )
    .send()
    .await
    .expect("get");
    assert_eq!(resp.status().as_u16(), 200);
    let html = resp.text().await.expect("html");
    assert!(html.contains("GraphiQL"), "{html}");
    // Every script and stylesheet from elsewhere is pinned to an exact version and its
    // Subresource Integrity hash; nothing else is loaded from another origin.
    let mut external = 0;
    for tag in html
        .split('<')
        .filter(|t| t.starts_with("script") || t.starts_with("link"))
    {
        let tag = tag.split('>').next().unwrap_or_default();
        let Some(url) = tag.split(['"', '\'']).find(|part| {
            part.starts_with("http://") || part.starts_with("https://") || part.starts_with("//")
        }) else {
            continue;
        };
        external += 1;
        assert!(tag.contains("integrity=\"sha384-"), "no integrity: {tag}");
        assert!(
            tag.contains("crossorigin=\"anonymous\""),
            "no crossorigin: {tag}"
        );
        let version = url
            .split('@')
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .unwrap_or_default();
        assert!(
            version.split('.').count() == 3 && version.split('.').all(|n| n.parse::<u32>().is_ok()),
            "not an exact version: {url}"
        );
    }
    assert_eq!(external, 4, "{html}");
    assert_eq!(html.matches("https://").count(), external, "{html}");

    // Without a web app, a path no route knows gets salvo's 404, as JSON too.
    let resp = client()
        .get(s.url("/nope"))
        .header("accept", "text/html")
        .send()
        .await
        .expect("get");
    assert_eq!(resp.status().as_u16(), 404);
    assert_eq!(
        resp.json::<Value>().await.expect("json"),
        json!({ "error": "not found" })
    );
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn api_errors_are_json() {
    let s = TestServer::start_with(
        Backend::Sqlite,
        &ConfigOptions {
            web_index: Some("<!doctype html><title>Stemset</title>"),
            ..Default::default()
        },
        false,
    )
    .await;
    let member = Auth::Cookie(s.session_cookie(&s.member));
    // Unknown API paths (and a method a route lacks) are 404 JSON, not the web app.
    for path in [
        "/api/nope",
        "/api/uploads",
        "/api",
        "/auth/nope",
        "/media/nope",
        "/graphql/nope",
    ] {
        let resp = with_auth(client().get(s.url(path)), &member)
            .header("accept", "text/html")
            .send()
            .await
            .expect("get");
        assert_eq!(resp.status().as_u16(), 404, "{path}");
        assert_eq!(
            resp.headers()["content-type"],
            "application/json; charset=utf-8",
            "{path}"
        );
        assert_eq!(
            resp.json::<Value>().await.expect("json"),
            json!({ "error": "not found" }),
            "{path}"
        );
    }
    // Errors salvo answers by itself (no route takes a POST to a page of the web app)
    // are JSON too, not its HTML error page.
    let resp = with_auth(client().post(s.url("/recordings/123")), &member)
        .send()
        .await
        .expect("post");
    let status = resp.status().as_u16();
    assert!((400..500).contains(&status), "{status}");
    assert_eq!(
        resp.headers()["content-type"],
        "application/json; charset=utf-8",
        "POST /recordings/123"
    );
    let body = resp.json::<Value>().await.expect("json");
    assert!(body["error"].is_string(), "{body}");

    // The web app's own routes still get it.
    let resp = client()
        .get(s.url("/recordings/123"))
        .send()
        .await
        .expect("get");
    assert_eq!(resp.status().as_u16(), 200);
    assert!(
        resp.text()
            .await
            .expect("body")
            .contains("<title>Stemset</title>")
    );

    // 413, announced (Content-Length) or streamed (chunked), as JSON.
    let big =
        json!({ "query": format!("{{ me {{ email }} }} #{}", "x".repeat(100 * 1024)) }).to_string();
    let resp = with_auth(client().post(s.url("/graphql")), &member)
        .header("accept", "text/html")
        .header("content-type", "application/json")
        .body(big.clone())
        .send()
        .await
        .expect("post");
    assert_eq!(resp.status().as_u16(), 413);
    assert_eq!(
        resp.headers()["content-type"],
        "application/json; charset=utf-8"
    );
    let too_large = json!({ "error": "the request body is larger than the limit of 64 KiB (server.max_body_kib)" });
    assert_eq!(resp.json::<Value>().await.expect("json"), too_large);
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = big
        .into_bytes()
        .chunks(8192)
        .map(|c| Ok(c.to_vec()))
        .collect();
    let resp = with_auth(client().post(s.url("/graphql")), &member)
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(futures::stream::iter(chunks)))
        .send()
        .await
        .expect("post");
    assert_eq!(resp.status().as_u16(), 413);
    assert_eq!(resp.json::<Value>().await.expect("json"), too_large);
    s.stop().await;
}

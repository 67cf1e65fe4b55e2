//! Sign-in end to end against a real OpenID Connect provider (node `oidc-provider`,
//! started here): login redirect with PKCE/state/nonce, the provider's login form, the
//! callback, the session cookie, /auth/status, the allowlist; and session tokens that are
//! tampered with, expired, `alg: none`, wrongly signed or of the wrong kind are refused.

mod common;
#[path = "common/oidc_provider.rs"]
mod oidc_provider;

use base64::Engine;
use common::{Auth, Backend, ConfigOptions, JWT_SECRET, TestServer, gql};
use oidc_provider::{Provider, free_port, start_provider};
use serde_json::json;

fn location(resp: &reqwest::Response) -> String {
    resp.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("no Location on {}", resp.status()))
        .to_string()
}

fn set_cookies(resp: &reqwest::Response) -> Vec<String> {
    resp.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_string))
        .collect()
}

/// Walks a browser through sign-in as `email`; returns the callback response.
async fn sign_in(
    s: &TestServer,
    provider: &Provider,
    browser: &reqwest::Client,
    email: &str,
) -> reqwest::Response {
    let resp = browser
        .get(s.url("/auth/login?return_to=/recordings/42"))
        .send()
        .await
        .expect("login");
    assert_eq!(resp.status().as_u16(), 303);
    let authorize = location(&resp);
    assert!(authorize.starts_with(&provider.issuer), "{authorize}");
    for param in [
        "code_challenge_method=S256",
        "code_challenge=",
        "state=",
        "nonce=",
        "scope=openid",
    ] {
        assert!(
            authorize.contains(param),
            "authorize URL lacks {param}: {authorize}"
        );
    }
    let login_cookie = set_cookies(&resp)
        .into_iter()
        .find(|c| c.starts_with("stemset_login="))
        .expect("login cookie");
    assert!(
        login_cookie.contains("HttpOnly") && login_cookie.contains("SameSite=Lax"),
        "{login_cookie}"
    );

    let resp = browser.get(&authorize).send().await.expect("authorize");
    assert_eq!(resp.status().as_u16(), 303);
    let interaction = format!("{}{}", provider.issuer, location(&resp));
    let resp = browser.get(&interaction).send().await.expect("interaction");
    assert_eq!(resp.status().as_u16(), 200);
    let resp = browser
        .post(format!("{interaction}/login"))
        .form(&[("email", email), ("name", "Test Person")])
        .send()
        .await
        .expect("login form");
    assert_eq!(resp.status().as_u16(), 303);
    let resume = location(&resp);
    let resp = browser.get(&resume).send().await.expect("resume");
    assert_eq!(resp.status().as_u16(), 303);
    let callback = location(&resp);
    assert!(
        callback.starts_with(&s.url("/auth/callback?")),
        "{callback}"
    );
    browser.get(&callback).send().await.expect("callback")
}

async fn auth_status(s: &TestServer, b: &reqwest::Client) -> serde_json::Value {
    b.get(s.url("/auth/status"))
        .send()
        .await
        .expect("status")
        .json()
        .await
        .expect("json")
}

/// A GraphQL query from the signed-in browser (its cookies).
async fn browser_graphql(s: &TestServer, b: &reqwest::Client, query: &str) -> serde_json::Value {
    b.post(s.url("/graphql"))
        .json(&json!({ "query": query }))
        .send()
        .await
        .expect("graphql")
        .json()
        .await
        .expect("json")
}

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .expect("client")
}

#[tokio::test(flavor = "multi_thread")]
async fn sign_in_with_openid_connect_sqlite() {
    sign_in_with_openid_connect(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sign_in_with_openid_connect_postgres() {
    sign_in_with_openid_connect(Backend::Postgres).await;
}

async fn sign_in_with_openid_connect(backend: Backend) {
    let port = free_port();
    let public = format!("http://127.0.0.1:{port}");
    let provider = start_provider(&format!("{public}/auth/callback"));
    let listen = format!("127.0.0.1:{port}");
    let s = TestServer::start_with(
        backend,
        &ConfigOptions {
            issuer_url: Some(&provider.issuer),
            public_url: Some(&public),
            listen: Some(&listen),
            ..Default::default()
        },
        false,
    )
    .await;

    // A band member signs in and lands where they were going.
    // Each new browser replaces (drops) the last, closing its keep-alive connections.
    let mut b = browser();
    let resp = sign_in(&s, &provider, &b, "Member@Alpha.test").await;
    assert_eq!(resp.status().as_u16(), 303, "{:?}", resp.text().await);
    assert_eq!(location(&resp), "/recordings/42");
    let cookies = set_cookies(&resp);
    let session = cookies
        .iter()
        .find(|c| c.starts_with("stemset_session="))
        .expect("session cookie");
    assert!(
        session.contains("HttpOnly")
            && session.contains("SameSite=Lax")
            && session.contains("Path=/"),
        "{session}"
    );
    assert!(
        !session.contains("Secure"),
        "development cookies work over http"
    );
    let status = auth_status(&s, &b).await;
    assert_eq!(status["authenticated"], true, "{status}");
    assert_eq!(status["user"]["email"], common::MEMBER);
    assert_eq!(status["via"], "session");
    let body = browser_graphql(
        &s,
        &b,
        "{ me { email name lastLoginAt } profiles { nodes { name } } }",
    )
    .await;
    assert_eq!(body["data"]["me"]["name"], "Test Person", "{body}");
    assert!(body["data"]["me"]["lastLoginAt"].is_string(), "{body}");
    assert_eq!(
        body["data"]["profiles"]["nodes"],
        json!([{ "name": "alpha" }])
    );

    // Logout clears the cookie.
    let resp = b.post(s.url("/auth/logout")).send().await.expect("logout");
    assert_eq!(resp.status().as_u16(), 204);
    assert!(
        set_cookies(&resp)
            .iter()
            .any(|c| c.starts_with("stemset_session=;") && c.contains("Max-Age=0"))
    );
    let status = auth_status(&s, &b).await;
    assert_eq!(status["authenticated"], false);

    // Someone not on any list is refused and gets no session.
    b = browser();
    let resp = sign_in(&s, &provider, &b, "stranger@nowhere.test").await;
    assert_eq!(resp.status().as_u16(), 403);
    assert!(
        set_cookies(&resp)
            .iter()
            .all(|c| !c.starts_with("stemset_session=") || c.contains("Max-Age=0"))
    );
    let text = resp.text().await.expect("body");
    assert!(
        text.contains("stranger@nowhere.test") && text.contains("may not use"),
        "{text}"
    );
    let status = auth_status(&s, &b).await;
    assert_eq!(status["authenticated"], false);

    // On the allowlist but in no band: signed in, sees nothing.
    b = browser();
    let resp = sign_in(&s, &provider, &b, "guest@allowed.test").await;
    assert_eq!(resp.status().as_u16(), 303);
    let body = browser_graphql(
        &s,
        &b,
        "{ profiles { nodes { name } } recordings { nodes { title } } }",
    )
    .await;
    assert_eq!(body["data"]["profiles"]["nodes"], json!([]), "{body}");
    assert_eq!(body["data"]["recordings"]["nodes"], json!([]), "{body}");

    // A forged callback (state mismatch) and one without a login in progress.
    b = browser();
    let resp = b.get(s.url("/auth/login")).send().await.expect("login");
    assert_eq!(resp.status().as_u16(), 303);
    let resp = b
        .get(s.url("/auth/callback?code=abc&state=forged"))
        .send()
        .await
        .expect("callback");
    assert_eq!(resp.status().as_u16(), 400);
    assert!(resp.text().await.expect("body").contains("state mismatch"));
    let resp = browser()
        .get(s.url("/auth/callback?code=abc&state=x"))
        .send()
        .await
        .expect("callback");
    assert_eq!(resp.status().as_u16(), 400);
    drop(b);
    drop(provider);
    s.stop().await;
}

fn b64(v: &serde_json::Value) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_session_tokens_are_refused() {
    use jsonwebtoken::{EncodingKey, Header, encode};
    let s = TestServer::start(Backend::Sqlite).await;
    let now = chrono::Utc::now().timestamp();
    let claims = |sub: uuid::Uuid, exp: i64, aud: &str| json!({ "sub": sub, "email": common::OWNER, "iss": "stemset", "aud": aud, "iat": now, "exp": exp });
    let sign = |c: &serde_json::Value, secret: &[u8]| {
        encode(&Header::default(), c, &EncodingKey::from_secret(secret)).expect("sign")
    };
    let good = sign(
        &claims(s.member.id, now + 3600, "stemset-session"),
        JWT_SECRET.as_bytes(),
    );
    // Sanity: the good one works.
    let (status, body) = gql(
        &s,
        &Auth::Cookie(format!("stemset_session={good}")),
        "{ me { email } }",
        json!({}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["data"]["me"]["email"], common::MEMBER);

    let parts: Vec<&str> = good.split('.').collect();
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        b64(&claims(s.owner.id, now + 3600, "stemset-session")),
        parts[2]
    );
    let alg_none = format!(
        "{}.{}.",
        b64(&json!({ "alg": "none", "typ": "JWT" })),
        b64(&claims(s.owner.id, now + 3600, "stemset-session"))
    );
    let expired = sign(
        &claims(s.owner.id, now - 120, "stemset-session"),
        JWT_SECRET.as_bytes(),
    );
    let wrong_key = sign(
        &claims(s.owner.id, now + 3600, "stemset-session"),
        b"another-secret-another-secret-another",
    );
    let wrong_kind = sign(
        &claims(s.owner.id, now + 3600, "stemset-login"),
        JWT_SECRET.as_bytes(),
    );
    let hs512 = encode(
        &Header::new(jsonwebtoken::Algorithm::HS512),
        &claims(s.owner.id, now + 3600, "stemset-session"),
        &EncodingKey::from_secret(JWT_SECRET.as_bytes()),
    )
    .expect("sign");
    for (what, token) in [
        ("tampered", tampered),
        ("alg none", alg_none),
        ("expired", expired),
        ("wrong key", wrong_key),
        ("login token as session", wrong_kind),
        ("other algorithm", hs512),
        ("garbage", "not.a.jwt".to_string()),
    ] {
        let auth = Auth::Cookie(format!("stemset_session={token}"));
        let (status, _) = gql(&s, &auth, "{ me { email } }", json!({})).await;
        assert_eq!(status, 401, "{what} token accepted");
        let status: serde_json::Value =
            common::with_auth(common::client().get(s.url("/auth/status")), &auth)
                .send()
                .await
                .expect("status")
                .json()
                .await
                .expect("json");
        assert_eq!(status["authenticated"], false, "{what}");
    }
    s.stop().await;
}

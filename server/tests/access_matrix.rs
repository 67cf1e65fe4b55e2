//! The authorisation matrix: every query field, mutation and media route, called as an
//! anonymous client, a signed-in non-member, a member (session cookie) and the member's
//! API token, against SQLite and PostgreSQL. Nothing of band `alpha` may reach the
//! non-member, and the matrix must cover every field the schema has.

mod common;

use std::collections::BTreeSet;

use common::{Auth, Backend, TestServer, client, gql, with_auth};
use serde_json::{Value, json};

/// Things only alpha's members may ever see.
fn alpha_secrets(s: &TestServer) -> Vec<String> {
    let mut v = vec![
        s.alpha.recording.id.to_string(),
        s.alpha.recording.profile_id.to_string(),
        s.alpha.recording.audio_file_id.to_string(),
        "Tuesday jam".to_string(),
        common::OWNER.to_string(),
        common::MEMBER.to_string(),
    ];
    v.extend(s.alpha.stems.iter().map(|st| st.id.to_string()));
    v.push(s.alpha.song.id.to_string());
    v.push(s.alpha.song.title.clone());
    v.extend(s.alpha.takes.iter().map(|t| t.id.to_string()));
    v
}

fn leaks(body: &Value, secrets: &[String]) -> Vec<String> {
    let text = body.to_string();
    secrets
        .iter()
        .filter(|s| text.contains(s.as_str()))
        .cloned()
        .collect()
}

/// Every root query field, with a query selecting what it exposes, and the marker a
/// member of alpha must see in it.
fn read_cases(s: &TestServer) -> Vec<(&'static str, String, String)> {
    let rec = s.alpha.recording.id;
    vec![
        ("profiles", "{ profiles { nodes { id name displayName } } }".into(), "Alpha Band".into()),
        ("recordings", "{ recordings { nodes { id title } } }".into(), "Tuesday jam".into()),
        ("stems", "{ stems { nodes { id name recordingId } } }".into(), s.alpha.stems[0].id.to_string()),
        ("audioFiles", "{ audioFiles { nodes { id originalName } } }".into(), s.alpha.recording.audio_file_id.to_string()),
        ("jobs", "{ jobs { nodes { id profileId state } } }".into(), String::new()),
        ("songs", "{ songs { nodes { id title takes { nodes { id } } suggestedTakes { nodes { id } } } } }".into(), s.alpha.song.title.clone()),
        ("takes", "{ takes { nodes { id startSeconds endSeconds bpm key beats song { title } suggestedSong { title } recording { title } } } }".into(), s.alpha.takes[1].id.to_string()),
        ("userProfiles", "{ userProfiles { nodes { userId profileId role } } }".into(), s.alpha.recording.profile_id.to_string()),
        ("users", "{ users { nodes { id email } } }".into(), common::OWNER.into()),
        ("me", "{ me { email } }".into(), String::new()),
        ("apiTokens", "{ apiTokens { id name } }".into(), String::new()),
        // Through relations (paginated: unpaginated lists three deep exceed the default
        // complexity limit), and by filtering on a known id.
        (
            "profiles",
            "{ profiles { nodes { recordings(pagination: { page: { limit: 10, page: 0 } }) { nodes { title audioFile { id } stems(pagination: { page: { limit: 10, page: 0 } }) { nodes { id } } } } userProfiles { nodes { user { email } } } } } }".into(),
            "Tuesday jam".into(),
        ),
        (
            "recordings",
            format!("{{ recordings(filters: {{ id: {{ eq: \"{rec}\" }} }}) {{ nodes {{ id title profile {{ name }} }} }} }}"),
            "Tuesday jam".into(),
        ),
        (
            "stems",
            format!("{{ stems(filters: {{ recordingId: {{ eq: \"{rec}\" }} }}) {{ nodes {{ id recording {{ title }} }} }} }}"),
            "Tuesday jam".into(),
        ),
    ]
}

async fn introspect_fields(s: &TestServer, auth: &Auth, type_name: &str) -> BTreeSet<String> {
    let (_, body) = gql(
        s,
        auth,
        &format!("{{ __type(name: \"{type_name}\") {{ fields {{ name }} }} }}"),
        json!({}),
    )
    .await;
    body["data"]["__type"]["fields"]
        .as_array()
        .expect("introspection")
        .iter()
        .filter_map(|f| f["name"].as_str().map(str::to_string))
        .collect()
}

async fn matrix(backend: Backend) {
    let s = TestServer::start(backend).await;
    let secrets = alpha_secrets(&s);
    let member_cookie = Auth::Cookie(s.session_cookie(&s.member));
    let owner_cookie = Auth::Cookie(s.session_cookie(&s.owner));
    let outsider = Auth::Cookie(s.session_cookie(&s.outsider));
    let (member_token, _) = stemset_server::auth::tokens::create(&s.db, s.member.id, "script")
        .await
        .expect("token");
    let (outsider_token, outsider_token_row) =
        stemset_server::auth::tokens::create(&s.db, s.outsider.id, "theirs")
            .await
            .expect("token");
    let member_token = Auth::Bearer(member_token);

    // The matrix covers every root field: a new entity or field must be added here.
    let cases = read_cases(&s);
    let covered: BTreeSet<String> = cases.iter().map(|c| c.0.to_string()).collect();
    let query_fields = introspect_fields(&s, &member_cookie, "Query").await;
    assert_eq!(query_fields, covered, "Query fields vs the matrix");
    let mutation_fields = introspect_fields(&s, &member_cookie, "Mutation").await;
    let mutations: BTreeSet<String> = [
        "_ping",
        "renameRecording",
        "setRecordingDate",
        "setStemGain",
        "deleteRecording",
        "reprocessRecording",
        // Their access rules are tested in failed_jobs.rs.
        "retryJob",
        "dismissJob",
        "createApiToken",
        "revokeApiToken",
        "createSong",
        "renameSong",
        "deleteSong",
        "assignTake",
        "unassignTake",
        "confirmTakeSuggestion",
        "setTakeBounds",
        "splitTake",
        "mergeTakes",
        "deleteTake",
    ]
    .into_iter()
    .map(str::to_string)
    .collect();
    assert_eq!(mutation_fields, mutations, "Mutation fields vs the matrix");

    for (field, query, marker) in &cases {
        // Anonymous: 401 before any resolver runs.
        let (status, body) = gql(&s, &Auth::Anonymous, query, json!({})).await;
        assert_eq!(status, 401, "{field} anonymous: {body}");
        assert!(leaks(&body, &secrets).is_empty());
        // A member of another band: no errors, and nothing of alpha.
        let (status, body) = gql(&s, &outsider, query, json!({})).await;
        assert_eq!(status, 200, "{field} outsider");
        assert!(body.get("errors").is_none(), "{field} outsider: {body}");
        assert_eq!(
            leaks(&body, &secrets),
            Vec::<String>::new(),
            "{field} leaks to a non-member: {body}"
        );
        // A member and the member's token see alpha.
        for who in [&member_cookie, &member_token] {
            let (status, body) = gql(&s, who, query, json!({})).await;
            assert_eq!(status, 200, "{field} member");
            assert!(body.get("errors").is_none(), "{field} member: {body}");
            assert!(
                body.to_string().contains(marker.as_str()),
                "{field} member misses {marker}: {body}"
            );
        }
    }
    // The non-member does see their own band.
    let (_, body) = gql(
        &s,
        &outsider,
        "{ recordings { nodes { title } } }",
        json!({}),
    )
    .await;
    assert!(body.to_string().contains("Beta secret demo"), "{body}");

    // API tokens: each user sees only their own; nobody revokes another's.
    let (_, body) = gql(&s, &member_token, "{ apiTokens { name } }", json!({})).await;
    assert_eq!(body["data"]["apiTokens"], json!([{ "name": "script" }]));
    let (_, body) = gql(
        &s,
        &member_cookie,
        "mutation($id: ID!) { revokeApiToken(id: $id) { id } }",
        json!({ "id": outsider_token_row.id }),
    )
    .await;
    assert!(common::first_error(&body).contains("not found"), "{body}");
    let (_, body) = gql(
        &s,
        &member_token,
        "mutation { createApiToken(name: \"x\") { token } }",
        json!({}),
    )
    .await;
    assert!(
        common::first_error(&body).contains("cannot create"),
        "{body}"
    );

    // Mutations on alpha's rows: a non-member is told "not found" and changes nothing.
    let rec = s.alpha.recording.id.to_string();
    let stem = s.alpha.stems[0].id.to_string();
    let song = s.alpha.song.id.to_string();
    let (take0, take1) = (
        s.alpha.takes[0].id.to_string(),
        s.alpha.takes[1].id.to_string(),
    );
    let profile = s.alpha.recording.profile_id.to_string();
    let mutation_cases = [
        (
            "mutation($id: ID!) { renameRecording(id: $id, title: \"pwned\") { title } }",
            json!({ "id": rec }),
        ),
        (
            "mutation($id: ID!) { setStemGain(id: $id, gainDb: -3.5) { gainDb } }",
            json!({ "id": stem }),
        ),
        (
            "mutation($id: ID!) { reprocessRecording(id: $id) { id state } }",
            json!({ "id": rec }),
        ),
        (
            "mutation($id: ID!) { deleteRecording(id: $id) }",
            json!({ "id": rec }),
        ),
        (
            "mutation($id: ID!) { createSong(profileId: $id, title: \"pwned\") { id } }",
            json!({ "id": profile }),
        ),
        (
            "mutation($id: ID!) { renameSong(id: $id, title: \"pwned\") { id } }",
            json!({ "id": song }),
        ),
        (
            "mutation($id: ID!) { deleteSong(id: $id) }",
            json!({ "id": song }),
        ),
        (
            "mutation($id: ID!, $song: ID!) { assignTake(id: $id, songId: $song) { id } }",
            json!({ "id": take1, "song": song }),
        ),
        (
            "mutation($id: ID!) { unassignTake(id: $id) { id } }",
            json!({ "id": take0 }),
        ),
        (
            "mutation($id: ID!) { confirmTakeSuggestion(id: $id) { id } }",
            json!({ "id": take1 }),
        ),
        (
            "mutation($id: ID!) { setTakeBounds(id: $id, start: 0.1, end: 0.3) { id } }",
            json!({ "id": take0 }),
        ),
        (
            "mutation($id: ID!) { splitTake(id: $id, at: 0.2) { id } }",
            json!({ "id": take0 }),
        ),
        (
            "mutation($id: ID!, $other: ID!) { mergeTakes(id: $id, otherId: $other) { id } }",
            json!({ "id": take0, "other": take1 }),
        ),
        (
            "mutation($id: ID!) { deleteTake(id: $id) }",
            json!({ "id": take0 }),
        ),
        (
            "mutation($id: ID!) { setRecordingDate(id: $id, recordedAt: \"1999-01-01\") { recordedAt } }",
            json!({ "id": rec }),
        ),
    ];
    for (query, vars) in &mutation_cases {
        let (status, _) = gql(&s, &Auth::Anonymous, query, vars.clone()).await;
        assert_eq!(status, 401);
        for who in [&outsider, &Auth::Bearer(outsider_token.clone())] {
            let (_, body) = gql(&s, who, query, vars.clone()).await;
            let msg = common::first_error(&body);
            assert!(msg.contains("not found"), "{query} as non-member: {body}");
            assert!(body["data"].is_null(), "{body}");
        }
    }
    let (_, body) = gql(
        &s,
        &owner_cookie,
        "{ recordings { nodes { title stems { nodes { gainDb } } } } }",
        json!({}),
    )
    .await;
    assert_eq!(
        body["data"]["recordings"]["nodes"][0]["title"], "Tuesday jam",
        "{body}"
    );
    let (_, body) = gql(
        &s,
        &owner_cookie,
        "{ songs { nodes { title takes { nodes { id } } } } takes { nodes { id startSeconds songId } } }",
        json!({}),
    )
    .await;
    assert_eq!(
        body["data"]["songs"]["nodes"][0]["title"],
        s.alpha.song.title.as_str(),
        "{body}"
    );
    assert_eq!(
        body["data"]["takes"]["nodes"].as_array().map(Vec::len),
        Some(2),
        "{body}"
    );
    assert_eq!(
        body["data"]["takes"]["nodes"][0]["startSeconds"], 0.0,
        "{body}"
    );
    assert_eq!(
        body["data"]["takes"]["nodes"][0]["songId"],
        song.as_str(),
        "refused mutations change nothing: {body}"
    );
    assert!(
        s.storage
            .exists(&s.alpha.stems[0].storage_key)
            .await
            .expect("storage"),
        "a refused delete must not touch files"
    );

    // Media: anonymous 401, non-member 404 (indistinguishable from a missing stem),
    // member and token 200.
    let media = format!("/media/stems/{stem}");
    for (who, expect) in [
        (&Auth::Anonymous, 401),
        (&outsider, 404),
        (&member_cookie, 200),
        (&member_token, 200),
        (&owner_cookie, 200),
    ] {
        for path in [media.clone(), format!("{media}/waveform")] {
            let resp = with_auth(client().get(s.url(&path)), who)
                .send()
                .await
                .expect("get");
            assert_eq!(resp.status().as_u16(), expect, "{path} as {who:?}");
            let body = resp.bytes().await.expect("body");
            if expect != 200 {
                assert!(
                    !String::from_utf8_lossy(&body).contains("Tuesday"),
                    "no detail leaks"
                );
            }
        }
    }
    for missing in [
        "/media/stems/00000000-0000-0000-0000-000000000000",
        "/media/stems/not-a-uuid",
        "/media/stems/..%2f..%2fconfig.yaml",
    ] {
        let resp = with_auth(client().get(s.url(missing)), &member_cookie)
            .send()
            .await
            .expect("get");
        assert_eq!(resp.status().as_u16(), 404, "{missing}");
    }

    // Members may change their band.
    let (_, body) = gql(
        &s,
        &member_token,
        mutation_cases[0].0,
        mutation_cases[0].1.clone(),
    )
    .await;
    assert_eq!(body["data"]["renameRecording"]["title"], "pwned", "{body}");
    let (_, body) = gql(
        &s,
        &member_cookie,
        mutation_cases[1].0,
        mutation_cases[1].1.clone(),
    )
    .await;
    assert_eq!(body["data"]["setStemGain"]["gainDb"], -3.5, "{body}");
    let (_, body) = gql(
        &s,
        &member_cookie,
        mutation_cases[2].0,
        mutation_cases[2].1.clone(),
    )
    .await;
    assert_eq!(
        body["data"]["reprocessRecording"]["state"], "queued",
        "{body}"
    );
    let job_id = body["data"]["reprocessRecording"]["id"].clone();
    // Asking again returns the same pending job.
    let (_, body) = gql(
        &s,
        &member_cookie,
        mutation_cases[2].0,
        mutation_cases[2].1.clone(),
    )
    .await;
    assert_eq!(body["data"]["reprocessRecording"]["id"], job_id, "{body}");
    // The non-member cannot see that job either.
    let (_, body) = gql(&s, &outsider, "{ jobs { nodes { id } } }", json!({})).await;
    assert_eq!(body["data"]["jobs"]["nodes"], json!([]), "{body}");

    // A revoked token stops working at once.
    let (_, body) = gql(&s, &member_cookie, "{ apiTokens { id } }", json!({})).await;
    let token_id = body["data"]["apiTokens"][0]["id"].clone();
    let (_, body) = gql(
        &s,
        &member_cookie,
        "mutation($id: ID!) { revokeApiToken(id: $id) { revokedAt } }",
        json!({ "id": token_id }),
    )
    .await;
    assert!(
        body["data"]["revokeApiToken"]["revokedAt"].is_string(),
        "{body}"
    );
    let (status, body) = gql(&s, &member_token, "{ me { email } }", json!({})).await;
    assert_eq!(status, 401, "{body}");
    // A made-up token is refused, not treated as anonymous.
    let (status, _) = gql(
        &s,
        &Auth::Bearer("sst_made_up".into()),
        "{ me { email } }",
        json!({}),
    )
    .await;
    assert_eq!(status, 401);

    // Delete by a member: rows and files go.
    let (_, body) = gql(
        &s,
        &member_cookie,
        mutation_cases[3].0,
        mutation_cases[3].1.clone(),
    )
    .await;
    assert_eq!(body["data"]["deleteRecording"], json!(rec), "{body}");
    for st in &s.alpha.stems {
        assert!(
            !s.storage.exists(&st.storage_key).await.expect("storage"),
            "{} deleted",
            st.storage_key
        );
        assert!(!s.storage.exists(&st.waveform_key).await.expect("storage"));
    }
    assert!(
        s.storage
            .list(&s.alpha.recording.storage_prefix)
            .await
            .expect("list")
            .is_empty()
    );
    let resp = with_auth(client().get(s.url(&media)), &member_cookie)
        .send()
        .await
        .expect("get");
    assert_eq!(resp.status().as_u16(), 404);
    // Beta's recording is untouched.
    assert!(
        s.storage
            .exists(&s.beta.stems[0].storage_key)
            .await
            .expect("storage")
    );
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn access_matrix_sqlite() {
    matrix(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn access_matrix_postgres() {
    matrix(Backend::Postgres).await;
}

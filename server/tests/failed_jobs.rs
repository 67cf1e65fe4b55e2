//! Failed jobs: `retryJob` queues one again, `dismissJob` hides it from the active jobs.
//! Only members of the job's band may do either (others are told "not found" and change
//! nothing), only a failed job can be retried or dismissed, and a retry that would
//! duplicate pending work or cannot work (its input or recording is gone) is refused.
//! Last, a job that fails for real (an upload that passes the sniffer but does not
//! decode) is retried, fails again, and is dismissed.

mod common;

use std::time::Duration;

use chrono::Utc;
use common::*;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use serde_json::{Value, json};
use stemset_library::db::job;
use stemset_library::jobs::queue::{self, NewJob};
use uuid::Uuid;

const RETRY: &str =
    "mutation($id: ID!) { retryJob(id: $id) { id state attempts error stage dismissedAt } }";
const DISMISS: &str = "mutation($id: ID!) { dismissJob(id: $id) { id state error dismissedAt } }";
/// The web app's list of a band's active jobs.
const ACTIVE: &str = r#"query($profileId: String!) {
  jobs(filters: { profileId: { eq: $profileId }, state: { is_in: ["queued", "running", "failed"] }, dismissedAt: { is_null: true } }) {
    nodes { id state }
  }
}"#;

/// A job of `kind` in `profile_id` that failed on its first attempt (written straight to
/// the database, as a worker would leave it).
async fn failed_job(
    s: &TestServer,
    profile_id: Uuid,
    kind: &str,
    recording_id: Uuid,
    input_key: &str,
    hash: &str,
) -> job::Model {
    let now = Utc::now();
    job::ActiveModel {
        id: Set(Uuid::now_v7()),
        profile_id: Set(profile_id),
        recording_id: Set(Some(recording_id)),
        kind: Set(kind.into()),
        input_key: Set(input_key.into()),
        state: Set(job::STATE_FAILED.into()),
        attempts: Set(1),
        max_attempts: Set(1),
        progress: Set(0.3),
        error: Set(Some("not audio: no fmt chunk".into())),
        stage: Set(Some("failed".into())),
        original_name: Set(Some("Broken take.wav".into())),
        file_hash: Set(Some(hash.into())),
        created_at: Set(now),
        updated_at: Set(now),
        started_at: Set(Some(now)),
        finished_at: Set(Some(now)),
        ..Default::default()
    }
    .insert(&s.db)
    .await
    .expect("a failed job")
}

async fn queued_job(
    s: &TestServer,
    profile_id: Uuid,
    kind: &str,
    recording_id: Uuid,
    input_key: &str,
    hash: &str,
) -> job::Model {
    queue::enqueue(
        &s.db,
        NewJob {
            profile_id,
            kind: kind.into(),
            input_key: input_key.into(),
            recording_id,
            strategy: None,
            original_name: Some("Broken take.wav".into()),
            file_hash: Some(hash.into()),
            size_bytes: Some(4),
            created_by: None,
            max_attempts: 1,
            source_modified_at: None,
        },
    )
    .await
    .expect("enqueue")
}

async fn row(s: &TestServer, id: Uuid) -> job::Model {
    job::Entity::find_by_id(id)
        .one(&s.db)
        .await
        .expect("query")
        .expect("job")
}

/// What a mutation may change.
fn state_of(j: &job::Model) -> (String, i32, i32, Option<String>, bool) {
    (
        j.state.clone(),
        j.attempts,
        j.max_attempts,
        j.error.clone(),
        j.dismissed_at.is_some(),
    )
}

async fn active_ids(s: &TestServer, auth: &Auth, profile_id: Uuid) -> Vec<String> {
    let (_, body) = gql(s, auth, ACTIVE, json!({ "profileId": profile_id })).await;
    body["data"]["jobs"]["nodes"]
        .as_array()
        .unwrap_or_else(|| panic!("active jobs: {body}"))
        .iter()
        .map(|n| n["id"].as_str().expect("id").to_string())
        .collect()
}

/// Runs `query` on job `id` and returns its first error ("" when none).
async fn error_of(s: &TestServer, auth: &Auth, query: &str, id: impl ToString) -> String {
    let (_, body) = gql(s, auth, query, json!({ "id": id.to_string() })).await;
    assert!(body["data"].is_null(), "{body}");
    first_error(&body).to_string()
}

async fn retry_and_dismiss(backend: Backend) {
    let s = TestServer::start(backend).await;
    let alpha = s.alpha.recording.profile_id;
    let beta = s.beta.recording.profile_id;
    let member = Auth::Cookie(s.session_cookie(&s.member));
    let owner = Auth::Cookie(s.session_cookie(&s.owner));
    let (token, _) = stemset_server::auth::tokens::create(&s.db, s.member.id, "script")
        .await
        .expect("token");
    let member_token = Auth::Bearer(token);
    let outsider = Auth::Cookie(s.session_cookie(&s.outsider));
    let (token, _) = stemset_server::auth::tokens::create(&s.db, s.outsider.id, "theirs")
        .await
        .expect("token");
    let outsider_token = Auth::Bearer(token);

    let stored = "inputs/alpha/broken.wav";
    s.storage
        .put_bytes(stored, b"RIFF\x04\0\0\0WAVE".to_vec())
        .await
        .expect("put input");
    let upload = failed_job(&s, alpha, job::KIND_PROCESS, Uuid::now_v7(), stored, "h1").await;
    let rec = s.alpha.recording.id;
    let reprocess = failed_job(&s, alpha, job::KIND_REPROCESS, rec, "", "h0").await;
    let theirs = failed_job(&s, beta, job::KIND_PROCESS, Uuid::now_v7(), stored, "hb").await;
    let pending = queued_job(&s, alpha, job::KIND_PROCESS, Uuid::now_v7(), stored, "hq").await;

    // Anonymous: 401 before any resolver runs.
    for query in [RETRY, DISMISS] {
        let (status, _) = gql(&s, &Auth::Anonymous, query, json!({ "id": upload.id })).await;
        assert_eq!(status, 401);
    }
    // Not a member of alpha: "not found", and nothing changes.
    for who in [&outsider, &outsider_token] {
        for query in [RETRY, DISMISS] {
            let msg = error_of(&s, who, query, upload.id).await;
            assert!(msg.contains("job not found"), "{query}: {msg}");
        }
    }
    assert_eq!(
        state_of(&row(&s, upload.id).await),
        state_of(&upload),
        "untouched by a non-member"
    );
    // ... nor is beta's job alpha's members' to change.
    for query in [RETRY, DISMISS] {
        let msg = error_of(&s, &member, query, theirs.id).await;
        assert!(msg.contains("job not found"), "{msg}");
        let msg = error_of(&s, &member, query, Uuid::now_v7()).await;
        assert!(msg.contains("job not found"), "{msg}");
        let msg = error_of(&s, &member, query, "nope").await;
        assert!(msg.contains("not a valid id"), "{msg}");
    }
    assert_eq!(state_of(&row(&s, theirs.id).await), state_of(&theirs));

    // A job that has not failed can be neither retried nor dismissed.
    let msg = error_of(&s, &member, RETRY, pending.id).await;
    assert_eq!(
        msg,
        format!(
            "job {} is queued: only a failed job can be retried",
            pending.id
        )
    );
    let msg = error_of(&s, &member, DISMISS, pending.id).await;
    assert_eq!(
        msg,
        format!(
            "job {} is queued: only a failed job can be dismissed",
            pending.id
        )
    );
    assert_eq!(state_of(&row(&s, pending.id).await), state_of(&pending));

    // Dismiss: the job leaves the active list; dismissing again changes nothing.
    let listed = active_ids(&s, &member, alpha).await;
    assert!(listed.contains(&upload.id.to_string()), "{listed:?}");
    let (_, body) = gql(&s, &member, DISMISS, json!({ "id": upload.id })).await;
    let d = &body["data"]["dismissJob"];
    assert_eq!(d["state"], "failed", "{body}");
    assert_eq!(d["error"], "not audio: no fmt chunk", "{body}");
    let at = d["dismissedAt"].as_str().expect("dismissedAt").to_string();
    let listed = active_ids(&s, &member, alpha).await;
    assert!(!listed.contains(&upload.id.to_string()), "{listed:?}");
    assert!(listed.contains(&reprocess.id.to_string()), "{listed:?}");
    let (_, body) = gql(&s, &owner, DISMISS, json!({ "id": upload.id })).await;
    assert_eq!(body["data"]["dismissJob"]["dismissedAt"], at, "{body}");

    // Retry (with an API token): queued again, listed again, attempts numbered on.
    let (_, body) = gql(&s, &member_token, RETRY, json!({ "id": upload.id })).await;
    let r = &body["data"]["retryJob"];
    assert_eq!(r["state"], "queued", "{body}");
    assert_eq!(r["attempts"], 1, "{body}");
    assert_eq!(r["error"], Value::Null, "{body}");
    assert_eq!(r["dismissedAt"], Value::Null, "{body}");
    let now = row(&s, upload.id).await;
    let jobs = stemset_library::jobs::settings::JobsConfig::from_config(&s.config).expect("jobs");
    assert_eq!(now.max_attempts, 1 + jobs.max_attempts);
    assert!(now.finished_at.is_none() && now.lease_expires_at.is_none());
    assert!(
        active_ids(&s, &member, alpha)
            .await
            .contains(&upload.id.to_string())
    );
    let msg = error_of(&s, &member, RETRY, upload.id).await;
    assert!(msg.contains("is queued: only a failed job"), "{msg}");
    let msg = error_of(&s, &member, DISMISS, upload.id).await;
    assert!(msg.contains("is queued: only a failed job"), "{msg}");
    // The retried job is claimable, as its second attempt.
    let claimed = queue::claim(&s.db, "test", Duration::from_secs(60))
        .await
        .expect("claim")
        .expect("a job");
    assert_eq!((claimed.id, claimed.attempts), (upload.id, 2));

    // The same upload failed twice (uploaded again meanwhile): one retry at a time.
    let twin = failed_job(&s, alpha, job::KIND_PROCESS, Uuid::now_v7(), stored, "h1").await;
    let msg = error_of(&s, &member, RETRY, twin.id).await;
    assert_eq!(
        msg,
        format!(
            "retryJob: the same work is already running as job {}",
            upload.id
        )
    );
    // Reprocessing: a member retries it; a second failed reprocess of the same recording
    // cannot be retried while the first is pending.
    let (_, body) = gql(&s, &member, RETRY, json!({ "id": reprocess.id })).await;
    assert_eq!(body["data"]["retryJob"]["state"], "queued", "{body}");
    let again = failed_job(&s, alpha, job::KIND_REPROCESS, rec, "", "h0").await;
    let msg = error_of(&s, &member, RETRY, again.id).await;
    assert!(
        msg.contains(&format!("already queued as job {}", reprocess.id)),
        "{msg}"
    );

    // A retry that cannot work is refused: the upload is no longer stored, the
    // recording to reprocess was deleted.
    let lost = failed_job(
        &s,
        alpha,
        job::KIND_PROCESS,
        Uuid::now_v7(),
        "inputs/alpha/gone.wav",
        "h2",
    )
    .await;
    let msg = error_of(&s, &member, RETRY, lost.id).await;
    assert!(msg.contains("no longer stored"), "{msg}");
    let orphan = failed_job(&s, alpha, job::KIND_REPROCESS, Uuid::now_v7(), "", "h3").await;
    let msg = error_of(&s, &member, RETRY, orphan.id).await;
    assert!(msg.contains("recording was deleted"), "{msg}");
    for j in [&twin, &again, &lost, &orphan] {
        assert_eq!(
            state_of(&row(&s, j.id).await),
            state_of(j),
            "a refused retry changes nothing"
        );
    }
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn retry_and_dismiss_sqlite() {
    retry_and_dismiss(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn retry_and_dismiss_postgres() {
    retry_and_dismiss(Backend::Postgres).await;
}

/// A WAV header with garbage after it: the upload sniffer accepts it, decoding fails.
fn broken_wav() -> Vec<u8> {
    let mut b = b"RIFF\x00\x10\x00\x00WAVE".to_vec();
    let mut x: u32 = 0x9e37_79b9;
    while b.len() < 4096 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        b.extend_from_slice(&x.to_le_bytes());
    }
    b
}

/// Waits until job `id` is failed (a hang guard, not a timing assertion).
async fn wait_failed(s: &TestServer, id: Uuid) -> job::Model {
    for _ in 0..1200 {
        let j = row(s, id).await;
        assert_ne!(j.state, job::STATE_SUCCEEDED, "garbage must not separate");
        if j.state == job::STATE_FAILED {
            return j;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("job {id} did not fail: {:?}", row(s, id).await);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_real_failure_is_retried_and_dismissed() {
    let opts = ConfigOptions {
        jobs: Some("  workers: 1\n  poll_ms: 50\n"),
        ..Default::default()
    };
    let s = TestServer::start_with(Backend::Sqlite, &opts, false).await;
    let member = Auth::Cookie(s.session_cookie(&s.member));
    let part = reqwest::multipart::Part::bytes(broken_wav()).file_name("Broken take.wav");
    let resp = with_auth(client().post(s.url("/api/uploads?profile=alpha")), &member)
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .expect("upload");
    assert_eq!(resp.status().as_u16(), 201);
    let body: Value = resp.json().await.expect("json");
    let id = Uuid::parse_str(body["jobId"].as_str().expect("job id")).expect("uuid");

    let failed = wait_failed(&s, id).await;
    assert_eq!(
        failed.attempts, 1,
        "a decode error is not retried by itself"
    );
    assert!(failed.error.is_some());
    let (_, body) = gql(&s, &member, RETRY, json!({ "id": id })).await;
    assert_eq!(body["data"]["retryJob"]["state"], "queued", "{body}");
    let again = wait_failed(&s, id).await;
    assert_eq!(again.attempts, 2);
    assert!(again.error.is_some(), "the new attempt's error");

    let alpha = s.alpha.recording.profile_id;
    assert!(
        active_ids(&s, &member, alpha)
            .await
            .contains(&id.to_string())
    );
    let (_, body) = gql(&s, &member, DISMISS, json!({ "id": id })).await;
    assert!(
        body["data"]["dismissJob"]["dismissedAt"].is_string(),
        "{body}"
    );
    assert!(
        !active_ids(&s, &member, alpha)
            .await
            .contains(&id.to_string())
    );
    s.stop().await;
}

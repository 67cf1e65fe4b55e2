//! Uploads and the in-process job worker, end to end through HTTP: a member uploads a
//! generated WAV, the job runs with the dsp backend, and the recording appears; bad
//! uploads are refused with a clear 4xx and leave nothing in storage or the database;
//! 20 concurrent uploads each become exactly one recording; a restart loses no job.

mod common;

use std::time::Duration;

use common::*;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use stemset_core::db::{audio_file, job, recording, stem};

const WORKERS: &str = "  workers: 2\n  poll_ms: 50\n  max_upload_mib: 1\n  lease_seconds: 10\n";

async fn upload(
    s: &TestServer,
    auth: &Auth,
    profile: Option<&str>,
    name: &str,
    bytes: Vec<u8>,
) -> (u16, Value) {
    let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_string());
    let form = reqwest::multipart::Form::new().part("file", part);
    let url = match profile {
        Some(p) => s.url(&format!("/api/uploads?profile={p}")),
        None => s.url("/api/uploads"),
    };
    let resp = with_auth(client().post(url), auth)
        .multipart(form)
        .send()
        .await
        .expect("upload");
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// A seeded server running two in-process job workers, uploads up to 1 MiB.
async fn with_workers(backend: Backend) -> TestServer {
    let opts = ConfigOptions {
        jobs: Some(WORKERS),
        ..Default::default()
    };
    TestServer::start_with(backend, &opts, false).await
}

/// Waits until every job is finished (a hang guard, not a timing assertion).
async fn wait_for_jobs(s: &TestServer) -> Vec<job::Model> {
    for _ in 0..1200 {
        let jobs = job::Entity::find().all(&s.db).await.expect("jobs");
        if jobs
            .iter()
            .all(|j| j.state == job::STATE_SUCCEEDED || j.state == job::STATE_FAILED)
        {
            return jobs;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "jobs did not finish: {:?}",
        job::Entity::find().all(&s.db).await
    );
}

async fn input_objects(s: &TestServer) -> Vec<String> {
    s.storage.list("inputs").await.unwrap_or_default()
}

async fn refused_uploads_store_nothing(backend: Backend) {
    let s = with_workers(backend).await;
    let member = Auth::Cookie(s.session_cookie(&s.member));
    let jobs_before = job::Entity::find().count(&s.db).await.expect("count");

    let (code, body) = upload(
        &s,
        &Auth::Anonymous,
        Some("alpha"),
        "a.wav",
        wav_bytes(0.5, 440.0),
    )
    .await;
    assert_eq!(code, 401, "{body}");
    let (code, body) = upload(&s, &member, None, "a.wav", wav_bytes(0.5, 440.0)).await;
    assert_eq!(code, 400, "{body}");
    assert!(
        body["error"].as_str().unwrap_or("").contains("profile"),
        "{body}"
    );
    // Another band's profile looks exactly like a missing one.
    for p in ["beta", "nope"] {
        let (code, body) = upload(&s, &member, Some(p), "a.wav", wav_bytes(0.5, 440.0)).await;
        assert_eq!(code, 404, "{p}: {body}");
    }
    // Not audio: a text file with an audio name, and a PDF.
    let (code, body) = upload(
        &s,
        &member,
        Some("alpha"),
        "notes.wav",
        b"these are the lyrics, not a recording".to_vec(),
    )
    .await;
    assert_eq!(code, 400, "{body}");
    assert!(
        body["error"]
            .as_str()
            .unwrap_or("")
            .contains("is not audio"),
        "{body}"
    );
    let (code, body) = upload(
        &s,
        &member,
        Some("alpha"),
        "setlist.pdf",
        b"%PDF-1.7 ...".to_vec(),
    )
    .await;
    assert_eq!(code, 400, "{body}");
    assert!(
        body["error"]
            .as_str()
            .unwrap_or("")
            .contains("not an audio file"),
        "{body}"
    );
    // Too large: 2 MiB of real WAV against a 1 MiB limit.
    let big = wav_bytes(80.0, 220.0);
    assert!(big.len() > 2 * 1024 * 1024);
    let (code, body) = upload(&s, &member, Some("alpha"), "long.wav", big).await;
    assert_eq!(code, 413, "{body}");
    assert!(
        body["error"].as_str().unwrap_or("").contains("1 MiB"),
        "{body}"
    );
    // Streamed without a length (chunked): the limit holds as the bytes arrive.
    let boundary = "stemsetboundary";
    let mut streamed = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"stream.wav\"\r\n\r\n"
    )
    .into_bytes();
    streamed.extend(wav_bytes(80.0, 220.0));
    streamed.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        streamed.chunks(64 * 1024).map(|c| Ok(c.to_vec())).collect();
    let resp = with_auth(client().post(s.url("/api/uploads?profile=alpha")), &member)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(reqwest::Body::wrap_stream(futures::stream::iter(chunks)))
        .send()
        .await
        .expect("post");
    assert_eq!(resp.status().as_u16(), 413);
    // Not multipart at all.
    let resp = with_auth(client().post(s.url("/api/uploads?profile=alpha")), &member)
        .body(wav_bytes(0.2, 440.0))
        .send()
        .await
        .expect("post");
    assert_eq!(resp.status().as_u16(), 400);

    assert_eq!(
        input_objects(&s).await,
        Vec::<String>::new(),
        "nothing stored"
    );
    assert_eq!(
        job::Entity::find().count(&s.db).await.expect("count"),
        jobs_before
    );
    s.stop().await;
}

#[tokio::test]
async fn refused_uploads_store_nothing_sqlite() {
    refused_uploads_store_nothing(Backend::Sqlite).await;
}

#[tokio::test]
async fn refused_uploads_store_nothing_postgres() {
    refused_uploads_store_nothing(Backend::Postgres).await;
}

async fn upload_becomes_recording(backend: Backend) {
    let s = with_workers(backend).await;
    let member = Auth::Cookie(s.session_cookie(&s.member));
    let audio = wav_bytes(2.0, 330.0);
    let (code, body) = upload(
        &s,
        &member,
        Some("alpha"),
        "Friday rehearsal.wav",
        audio.clone(),
    )
    .await;
    assert_eq!(code, 201, "{body}");
    assert_eq!(body["duplicate"], false);
    let job_id = body["jobId"].as_str().expect("job id").to_string();

    // Job status through GraphQL (the same row the subscription streams).
    let jobs = wait_for_jobs(&s).await;
    let j = jobs
        .iter()
        .find(|j| j.id.to_string() == job_id)
        .expect("job");
    assert_eq!(j.state, job::STATE_SUCCEEDED, "{:?}", j.error);
    assert_eq!(j.attempts, 1);
    let (_, gq) = gql(
        &s,
        &member,
        "query($id: String!) { jobs(filters: { id: { eq: $id } }) { nodes { state progress stage recordingId } } }",
        json!({ "id": job_id }),
    )
    .await;
    let node = &gq["data"]["jobs"]["nodes"][0];
    assert_eq!(node["state"], "succeeded", "{gq}");
    assert_eq!(node["progress"], 1.0, "{gq}");
    let rec_id = node["recordingId"].as_str().expect("recording id");

    let rec = recording::Entity::find_by_id(uuid::Uuid::parse_str(rec_id).expect("uuid"))
        .one(&s.db)
        .await
        .expect("query")
        .expect("recording");
    assert_eq!(rec.title, "Friday rehearsal");
    let stems = stem::Entity::find()
        .filter(stem::Column::RecordingId.eq(rec.id))
        .all(&s.db)
        .await
        .expect("stems");
    let mut names: Vec<_> = stems.iter().map(|s| s.name.clone()).collect();
    names.sort();
    assert_eq!(names, ["instrumental", "vocals"]);
    for st in &stems {
        assert!(s.storage.exists(&st.storage_key).await.expect("exists"));
        assert!(
            (st.duration_seconds - 2.0).abs() < 0.05,
            "{}",
            st.duration_seconds
        );
    }
    let audio_row = audio_file::Entity::find_by_id(rec.audio_file_id)
        .one(&s.db)
        .await
        .expect("query")
        .expect("audio file");
    let key = audio_row.input_key.clone().expect("input key");
    assert!(
        key.starts_with("inputs/alpha/") && key.ends_with(".wav"),
        "{key}"
    );
    assert_eq!(
        s.storage.get_bytes(&key).await.expect("original").to_vec(),
        audio
    );
    // The stem plays through the media route.
    let resp = with_auth(
        client().get(s.url(&format!("/media/stems/{}", stems[0].id))),
        &member,
    )
    .send()
    .await
    .expect("media");
    assert_eq!(resp.status().as_u16(), 200);

    // Reprocessing replaces the stems in one go; the saved gain carries over.
    let vocals = stems.iter().find(|s| s.name == "vocals").expect("vocals");
    let (_, body) = gql(
        &s,
        &member,
        "mutation($id: ID!) { setStemGain(id: $id, gainDb: -6.5) { gainDb } }",
        json!({ "id": vocals.id }),
    )
    .await;
    assert_eq!(body["data"]["setStemGain"]["gainDb"], -6.5, "{body}");
    let (_, body) = gql(
        &s,
        &member,
        "mutation($id: ID!) { reprocessRecording(id: $id) { id state } }",
        json!({ "id": rec_id }),
    )
    .await;
    let re_id = body["data"]["reprocessRecording"]["id"]
        .as_str()
        .expect("job")
        .to_string();
    let jobs = wait_for_jobs(&s).await;
    let re = jobs
        .iter()
        .find(|j| j.id.to_string() == re_id)
        .expect("reprocess job");
    assert_eq!(re.state, job::STATE_SUCCEEDED, "{:?}", re.error);
    let rec2 = recording::Entity::find_by_id(rec.id)
        .one(&s.db)
        .await
        .expect("q")
        .expect("rec");
    assert_ne!(
        rec2.storage_prefix, rec.storage_prefix,
        "new outputs folder"
    );
    let stems2 = stem::Entity::find()
        .filter(stem::Column::RecordingId.eq(rec.id))
        .all(&s.db)
        .await
        .expect("stems");
    assert_eq!(stems2.len(), 2);
    for old in &stems {
        assert!(stems2.iter().all(|n| n.id != old.id), "old rows replaced");
        assert!(
            !s.storage.exists(&old.storage_key).await.expect("exists"),
            "old file removed"
        );
    }
    for new in &stems2 {
        assert!(s.storage.exists(&new.storage_key).await.expect("exists"));
        let want = if new.name == "vocals" { -6.5 } else { 0.0 };
        assert_eq!(new.gain_db, want, "{}", new.name);
    }

    // The same content again: no second job, the existing recording.
    let (code, body) = upload(&s, &member, Some("alpha"), "copy.wav", audio.clone()).await;
    assert_eq!(code, 200, "{body}");
    assert_eq!(body["duplicate"], true);
    assert_eq!(body["recordingId"], rec_id);
    assert_eq!(
        job::Entity::find().count(&s.db).await.expect("count"),
        jobs.len() as u64
    );
    assert!(
        input_objects(&s)
            .await
            .iter()
            .all(|k| !k.contains(".incoming"))
    );

    // Deleted, then uploaded again: processed again into a new recording.
    let (_, body) = gql(
        &s,
        &member,
        "mutation($id: ID!) { deleteRecording(id: $id) }",
        json!({ "id": rec_id }),
    )
    .await;
    assert!(body["errors"].is_null(), "{body}");
    let (code, body) = upload(&s, &member, Some("alpha"), "again.wav", audio).await;
    assert_eq!(code, 201, "{body}");
    let again = body["jobId"].as_str().expect("job").to_string();
    let jobs = wait_for_jobs(&s).await;
    let j = jobs
        .iter()
        .find(|j| j.id.to_string() == again)
        .expect("job");
    assert_eq!(j.state, job::STATE_SUCCEEDED, "{:?}", j.error);
    let rec3 = recording::Entity::find_by_id(j.recording_id.expect("recording"))
        .one(&s.db)
        .await
        .expect("q")
        .expect("the new recording");
    assert_eq!(rec3.title, "again");
    s.stop().await;
}

#[tokio::test]
async fn upload_becomes_recording_sqlite() {
    upload_becomes_recording(Backend::Sqlite).await;
}

#[tokio::test]
async fn upload_becomes_recording_postgres() {
    upload_becomes_recording(Backend::Postgres).await;
}

/// 20 uploads at once: all accepted, each processed exactly once.
async fn concurrent_uploads(backend: Backend) {
    let s = with_workers(backend).await;
    let member = Auth::Cookie(s.session_cookie(&s.member));
    let before = recording::Entity::find().count(&s.db).await.expect("count");
    let uploads = (0..20).map(|i| {
        let (s, member) = (&s, member.clone());
        async move {
            upload(
                s,
                &member,
                Some("alpha"),
                &format!("take {i}.wav"),
                wav_bytes(0.5, 200.0 + 37.0 * i as f32),
            )
            .await
        }
    });
    let results = futures::future::join_all(uploads).await;
    for (code, body) in &results {
        assert_eq!(*code, 201, "{body}");
    }
    let jobs = wait_for_jobs(&s).await;
    let ours: Vec<_> = jobs.iter().filter(|j| j.original_name.is_some()).collect();
    assert_eq!(ours.len(), 20);
    for j in &ours {
        assert_eq!(j.state, job::STATE_SUCCEEDED, "{:?}", j.error);
        assert_eq!(j.attempts, 1, "each job ran once");
    }
    let recs: std::collections::HashSet<_> = ours.iter().map(|j| j.recording_id).collect();
    assert_eq!(recs.len(), 20, "20 distinct recordings");
    assert_eq!(
        recording::Entity::find().count(&s.db).await.expect("count"),
        before + 20
    );
    let titles: std::collections::HashSet<String> = recording::Entity::find()
        .all(&s.db)
        .await
        .expect("recordings")
        .into_iter()
        .map(|r| r.title)
        .collect();
    for i in 0..20 {
        assert!(titles.contains(&format!("take {i}")), "take {i}");
    }
    s.stop().await;
}

#[tokio::test]
async fn concurrent_uploads_sqlite() {
    concurrent_uploads(Backend::Sqlite).await;
}

#[tokio::test]
async fn concurrent_uploads_postgres() {
    concurrent_uploads(Backend::Postgres).await;
}

/// A job queued by a server without workers survives its restart and runs on the next.
#[tokio::test]
async fn restart_loses_no_job() {
    let s = TestServer::start_with(
        Backend::Sqlite,
        &ConfigOptions {
            jobs: Some("  workers: 0\n"),
            ..Default::default()
        },
        false,
    )
    .await;
    let member = Auth::Cookie(s.session_cookie(&s.member));
    let (code, body) = upload(
        &s,
        &member,
        Some("alpha"),
        "queued.wav",
        wav_bytes(1.0, 500.0),
    )
    .await;
    assert_eq!(code, 201, "{body}");
    let config_path = s.dir.path().join("config.yaml");
    let text = std::fs::read_to_string(&config_path).expect("config");
    std::fs::write(&config_path, text.replace("  workers: 0\n", WORKERS)).expect("config");
    let TestServer {
        dir, server, db, ..
    } = s;
    if let Some(server) = server {
        server.shutdown().await;
    }
    let j = job::Entity::find()
        .one(&db)
        .await
        .expect("query")
        .expect("job");
    assert_eq!(j.state, job::STATE_QUEUED);
    let config =
        std::sync::Arc::new(stemset_core::config::Config::load(&config_path).expect("config"));
    let again = stemset_server::start(
        config,
        stemset_server::ServerOptions {
            bypass_auth: false,
            listen: Some("127.0.0.1:0".into()),
            db: Some(db.clone()),
        },
    )
    .await
    .expect("restart");
    for _ in 0..600 {
        let j = job::Entity::find_by_id(j.id)
            .one(&db)
            .await
            .expect("q")
            .expect("job");
        if j.state == job::STATE_SUCCEEDED {
            let rec = recording::Entity::find_by_id(j.recording_id.expect("rec"))
                .one(&db)
                .await
                .expect("q");
            assert_eq!(rec.map(|r| r.title), Some("queued".to_string()));
            again.shutdown().await;
            drop(dir);
            return;
        }
        assert_ne!(j.state, job::STATE_FAILED, "{:?}", j.error);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the queued job did not run after the restart");
}

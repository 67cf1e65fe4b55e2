//! Uploads and the in-process job worker, end to end through HTTP: a member uploads a
//! generated WAV, the job runs with the dsp backend, and the recording appears; bad
//! uploads are refused with a clear 4xx and leave nothing in storage or the database;
//! 20 concurrent uploads each become exactly one recording; a restart loses no job.

mod common;

use std::time::Duration;

use common::*;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use stemset_library::db::{audio_file, job, recording, stem};

const WORKERS: &str = "  workers: 2\n  poll_ms: 50\n  max_upload_mib: 1\n  lease_seconds: 10\n";

async fn upload(
    s: &TestServer,
    auth: &Auth,
    profile: Option<&str>,
    name: &str,
    bytes: Vec<u8>,
) -> (u16, Value) {
    upload_at(&s.base, auth, profile, name, bytes).await
}

/// [`upload`] to the server at `base`.
async fn upload_at(
    base: &str,
    auth: &Auth,
    profile: Option<&str>,
    name: &str,
    bytes: Vec<u8>,
) -> (u16, Value) {
    let query = profile.map(|p| format!("?profile={p}")).unwrap_or_default();
    upload_file(base, auth, &query, name, bytes).await
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

/// A server that queues jobs and runs none, so that they stay pending.
async fn without_workers(backend: Backend) -> TestServer {
    let opts = ConfigOptions {
        jobs: Some("  workers: 0\n  max_upload_mib: 1\n"),
        ..Default::default()
    };
    TestServer::start_with(backend, &opts, false).await
}

/// A second instance of the server on the same database with a connection pool of its
/// own (as behind a load balancer), and the base URLs of both.
async fn second_instance(s: &TestServer) -> (stemset_server::RunningServer, [String; 2]) {
    let second = stemset_server::start(
        s.config.clone(),
        stemset_server::ServerOptions {
            bypass_auth: false,
            listen: Some("127.0.0.1:0".into()),
            db: None,
        },
    )
    .await
    .expect("second server");
    let bases = [s.base.clone(), format!("http://{}", second.addr)];
    (second, bases)
}

/// The same file uploaded 20 times at once to two server instances (in five rounds, five
/// files): one job per file, and every answer names that job and its recording.
async fn concurrent_uploads_of_one_file(backend: Backend) {
    let s = without_workers(backend).await;
    let (second, bases) = second_instance(&s).await;
    let member = Auth::Cookie(s.session_cookie(&s.member));
    for round in 0..5 {
        let audio = wav_bytes(0.5, 300.0 + 50.0 * round as f32);
        let sha256 = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&audio));
        let uploads = (0..20).map(|i| {
            let (base, member, audio) = (&bases[i % 2], member.clone(), audio.clone());
            async move {
                upload_at(
                    base,
                    &member,
                    Some("alpha"),
                    &format!("same {i}.wav"),
                    audio,
                )
                .await
            }
        });
        let answers = futures::future::join_all(uploads).await;
        let jobs = job::Entity::find()
            .filter(job::Column::FileHash.eq(&sha256))
            .all(&s.db)
            .await
            .expect("jobs");
        assert_eq!(jobs.len(), 1, "round {round}: {answers:?}");
        let j = &jobs[0];
        let created = answers.iter().filter(|(code, _)| *code == 201).count();
        assert_eq!(created, 1, "round {round}: {answers:?}");
        for (code, body) in &answers {
            assert!(*code == 200 || *code == 201, "{code}: {body}");
            assert_eq!(body["jobId"].as_str(), Some(j.id.to_string().as_str()));
            assert_eq!(
                body["recordingId"].as_str(),
                j.recording_id.map(|r| r.to_string()).as_deref(),
                "{body}"
            );
        }
    }
    second.shutdown().await;
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_uploads_of_one_file_sqlite() {
    concurrent_uploads_of_one_file(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_uploads_of_one_file_postgres() {
    concurrent_uploads_of_one_file(Backend::Postgres).await;
}

/// 20 reprocess requests at once to two server instances for each of five recordings:
/// one pending job each, the one every answer names.
async fn concurrent_reprocess_requests(backend: Backend) {
    let s = without_workers(backend).await;
    let (second, bases) = second_instance(&s).await;
    let member = Auth::Cookie(s.session_cookie(&s.member));
    let mut recordings = vec![s.alpha.recording.clone()];
    for i in 0..4 {
        let seeded = seed_recording(
            &s.db,
            &s.storage,
            s.alpha.recording.profile_id,
            "alpha",
            &format!("take {i}"),
        )
        .await;
        recordings.push(seeded.recording);
    }
    for rec in &recordings {
        let calls = (0..20).map(|i| {
            let request = with_auth(client().post(format!("{}/graphql", bases[i % 2])), &member)
                .json(&json!({
                    "query": "mutation($id: ID!) { reprocessRecording(id: $id) { id state } }",
                    "variables": { "id": rec.id },
                }));
            async move {
                let resp = request.send().await.expect("request");
                let code = resp.status().as_u16();
                (code, resp.json::<Value>().await.unwrap_or(Value::Null))
            }
        });
        let answers = futures::future::join_all(calls).await;
        let pending = job::Entity::find()
            .filter(job::Column::RecordingId.eq(rec.id))
            .filter(job::Column::Kind.eq(job::KIND_REPROCESS))
            .filter(job::Column::State.is_in([job::STATE_QUEUED, job::STATE_RUNNING]))
            .all(&s.db)
            .await
            .expect("jobs");
        assert_eq!(pending.len(), 1, "{}: {answers:?}", rec.title);
        for (code, body) in &answers {
            assert_eq!(*code, 200, "{body}");
            assert_eq!(
                body["data"]["reprocessRecording"]["id"].as_str(),
                Some(pending[0].id.to_string().as_str()),
                "{body}"
            );
        }
    }
    second.shutdown().await;
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_reprocess_requests_sqlite() {
    concurrent_reprocess_requests(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_reprocess_requests_postgres() {
    concurrent_reprocess_requests(Backend::Postgres).await;
}

/// A job whose commit the database refuses (a trigger rejects every new recording) on
/// each of its two attempts: it fails, and nothing it stored is left.
async fn a_job_whose_commit_fails_keeps_nothing(backend: Backend) {
    let opts = ConfigOptions {
        jobs: Some("  workers: 1\n  poll_ms: 50\n  max_attempts: 2\n  max_upload_mib: 1\n"),
        ..Default::default()
    };
    let s = TestServer::start_with(backend, &opts, false).await;
    use sea_orm::ConnectionTrait;
    let refuse: &[&str] = match backend {
        Backend::Sqlite => &[
            "CREATE TRIGGER refuse_recordings BEFORE INSERT ON recordings \
             BEGIN SELECT RAISE(ABORT, 'test: new recordings refused'); END",
        ],
        Backend::Postgres => &[
            "CREATE FUNCTION refuse_recordings() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN RAISE EXCEPTION 'test: new recordings refused'; END $$",
            "CREATE TRIGGER refuse_recordings BEFORE INSERT ON recordings \
             FOR EACH ROW EXECUTE FUNCTION refuse_recordings()",
        ],
    };
    for sql in refuse {
        s.db.execute_unprepared(sql).await.expect("trigger");
    }
    let member = Auth::Cookie(s.session_cookie(&s.member));
    let (code, body) = upload(
        &s,
        &member,
        Some("alpha"),
        "refused.wav",
        wav_bytes(1.0, 440.0),
    )
    .await;
    assert_eq!(code, 201, "{body}");
    let rec_id = body["recordingId"]
        .as_str()
        .expect("recording id")
        .to_string();
    let jobs = wait_for_jobs(&s).await;
    let j = jobs
        .iter()
        .find(|j| j.recording_id.map(|r| r.to_string()).as_deref() == Some(rec_id.as_str()))
        .expect("job");
    assert_eq!(j.state, job::STATE_FAILED);
    assert_eq!(j.attempts, 2);
    let error = j.error.clone().unwrap_or_default();
    assert!(error.contains("new recordings refused"), "{error}");
    let prefix = format!("alpha/{rec_id}");
    assert_eq!(
        s.storage.list(&prefix).await.expect("list"),
        Vec::<String>::new()
    );
    assert!(!s.dir.path().join("media").join(&prefix).exists());
    s.stop().await;
}

#[tokio::test]
async fn a_job_whose_commit_fails_keeps_nothing_sqlite() {
    a_job_whose_commit_fails_keeps_nothing(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_job_whose_commit_fails_keeps_nothing_postgres() {
    a_job_whose_commit_fails_keeps_nothing(Backend::Postgres).await;
}

/// A 16-bit stereo WAV whose format chunk claims `rate` (the rest of the file is sane).
fn wav_claiming_rate(rate: u32) -> Vec<u8> {
    let mut bytes = wav_bytes(5.5, 440.0);
    bytes[24..28].copy_from_slice(&rate.to_le_bytes());
    bytes
}

async fn bad_input_jobs_fail_for_good_naming_the_file(backend: Backend) {
    let s = with_workers(backend).await;
    let member = Auth::Cookie(s.session_cookie(&s.member));
    let seeded = recording::Entity::find().count(&s.db).await.expect("count");
    // 176 KB claiming 1 Hz: once 6 GB of server memory, then a poison job on restart.
    let lying = wav_claiming_rate(1);
    assert!(lying.len() > 170_000);
    let (code, body) = upload(&s, &member, Some("alpha"), "night one.wav", lying).await;
    assert_eq!(code, 201, "{body}");
    // Float samples that are all NaN/Inf.
    let mut nan = wav_bytes(1.0, 440.0);
    nan[20..22].copy_from_slice(&3u16.to_le_bytes()); // IEEE float
    nan[34..36].copy_from_slice(&32u16.to_le_bytes());
    nan[32..34].copy_from_slice(&8u16.to_le_bytes()); // block align 2 × 4
    nan[28..32].copy_from_slice(&(8000u32 * 8).to_le_bytes());
    for chunk in nan[44..].chunks_exact_mut(4) {
        chunk.copy_from_slice(&f32::NAN.to_le_bytes());
    }
    let (code, body) = upload(&s, &member, Some("alpha"), "broken float.wav", nan).await;
    assert_eq!(code, 201, "{body}");

    let jobs = wait_for_jobs(&s).await;
    assert_eq!(jobs.len(), 2);
    for j in &jobs {
        assert_eq!(j.state, job::STATE_FAILED, "{j:?}");
        assert_eq!(j.attempts, 1, "bad input is never retried: {j:?}");
        let error = j.error.clone().unwrap_or_default();
        let name = j.original_name.clone().unwrap_or_default();
        assert!(
            error.contains(&name),
            "the error names the user's file: {error}"
        );
        for leak in ["/tmp", "stemset-", "source.", "panicked"] {
            assert!(!error.contains(leak), "{leak} in {error}");
        }
        let says = if name.starts_with("night") {
            "sample rate of 1 Hz"
        } else {
            "NaN, infinite or beyond"
        };
        assert!(error.contains(says), "{error}");
    }
    assert_eq!(
        recording::Entity::find().count(&s.db).await.expect("count"),
        seeded,
        "no recording from bad input"
    );
    s.stop().await;
}

#[tokio::test]
async fn bad_input_jobs_fail_for_good_naming_the_file_sqlite() {
    bad_input_jobs_fail_for_good_naming_the_file(Backend::Sqlite).await;
}

#[tokio::test]
async fn bad_input_jobs_fail_for_good_naming_the_file_postgres() {
    bad_input_jobs_fail_for_good_naming_the_file(Backend::Postgres).await;
}

//! The remote GPU path end to end on loopback: a real S3-compatible server (moto), real
//! `stemset worker` and `stemset serve` processes and `stemset process --backend
//! remote-gpu`. Stems land in the bucket and the database exactly as local processing
//! puts them there; a worker killed mid-job costs a retry, not a duplicate; an unreachable
//! worker fails clearly; forged, stale and replayed callbacks are refused.

#[path = "common/cluster.rs"]
mod cluster;
#[allow(dead_code)]
mod common;

use std::path::Path;
use std::time::Duration;

use cluster::*;
// Linked so the test can load the same config the binaries load.
use common::text;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use stemset_backend_dsp as _;
use stemset_backend_onnx as _;
use stemset_core::config::Config;
use stemset_core::storage::Storage;
use stemset_library::db::{job, recording, stem};

async fn open(dir: &Path) -> (DatabaseConnection, Storage) {
    let config = Config::load(&dir.join("config.yaml")).expect("config");
    let db = stemset_library::db::connect(config.database.url.expose(), true)
        .await
        .expect("db");
    let storage = Storage::from_config(&config.storage).expect("storage");
    (db, storage)
}

fn stemset_in(dir: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_stemset"))
        .args(["--config", "config.yaml"])
        .args(args)
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env_remove("STEMSET_CONFIG")
        .env_remove("RUST_LOG")
        .output()
        .expect("run stemset")
}

/// (name, duration, lufs) of a recording's stems, in order.
async fn stems_of(db: &DatabaseConnection, rec: uuid::Uuid) -> Vec<stem::Model> {
    stem::Entity::find()
        .filter(stem::Column::RecordingId.eq(rec))
        .order_by_asc(stem::Column::SortOrder)
        .all(db)
        .await
        .expect("stems")
}

/// Waits for job `id` to finish (a hang guard, not a timing assertion).
async fn finished_job(db: &DatabaseConnection, id: uuid::Uuid) -> job::Model {
    for _ in 0..1800 {
        let j = job::Entity::find_by_id(id)
            .one(db)
            .await
            .expect("q")
            .expect("job");
        if j.state == job::STATE_SUCCEEDED || j.state == job::STATE_FAILED {
            return j;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("job {id} did not finish");
}

fn job_id(body: &serde_json::Value) -> uuid::Uuid {
    uuid::Uuid::parse_str(body["jobId"].as_str().expect("jobId")).expect("uuid")
}

#[tokio::test(flavor = "multi_thread")]
async fn remote_gpu_matches_local_processing() {
    let s3 = start_s3().await;
    let worker_port = free_port();
    let worker_url = format!("http://127.0.0.1:{worker_port}");
    let setup = |s3: Option<&'static str>| Setup {
        s3,
        worker_url: &worker_url,
        jobs: "  workers: 1\n  poll_ms: 50\n",
        remote: true,
        secret: SECRET,
    };
    let s3_addr: &'static str = Box::leak(s3.addr.clone().into_boxed_str());
    let (wdir, rdir, ldir) = (
        tempfile::tempdir().expect("tmp"),
        tempfile::tempdir().expect("tmp"),
        tempfile::tempdir().expect("tmp"),
    );
    write_config(wdir.path(), &setup(Some(s3_addr)));
    write_config(rdir.path(), &setup(Some(s3_addr)));
    write_config(ldir.path(), &setup(None));
    let _worker = start_stemset(
        wdir.path(),
        &["worker", "--listen", &format!("127.0.0.1:{worker_port}")],
    );

    // The same take, processed remotely and locally.
    for d in [rdir.path(), ldir.path()] {
        write_wav(&d.join("recordings/take one.wav"), 3.0, 1);
    }
    let remote = stemset_in(rdir.path(), &["process", "band", "--backend", "remote-gpu"]);
    assert!(remote.status.success(), "{}", text(&remote));
    assert!(
        text(&remote).contains("✓ take one.wav: 4 stems"),
        "{}",
        text(&remote)
    );
    let local = stemset_in(ldir.path(), &["process", "band", "--backend", "local"]);
    assert!(local.status.success(), "{}", text(&local));

    let (rdb, rstore) = open(rdir.path()).await;
    let (ldb, _) = open(ldir.path()).await;
    let rrec = recording::Entity::find()
        .one(&rdb)
        .await
        .expect("q")
        .expect("remote recording");
    let lrec = recording::Entity::find()
        .one(&ldb)
        .await
        .expect("q")
        .expect("local recording");
    assert_eq!(rrec.title, lrec.title);
    assert_eq!(rrec.strategy, lrec.strategy);
    assert!((rrec.duration_seconds - lrec.duration_seconds).abs() < 1e-9);
    let (rs, ls) = (stems_of(&rdb, rrec.id).await, stems_of(&ldb, lrec.id).await);
    assert_eq!(rs.len(), 4);
    for (r, l) in rs.iter().zip(&ls) {
        assert_eq!(
            (&r.name, r.sort_order, &r.format),
            (&l.name, l.sort_order, &l.format)
        );
        assert_eq!((r.sample_rate, r.channels), (l.sample_rate, l.channels));
        assert!(
            (r.duration_seconds - l.duration_seconds).abs() < 1e-9,
            "{}",
            r.name
        );
        assert_eq!(
            r.lufs.map(|v| (v * 1e6).round()),
            l.lufs.map(|v| (v * 1e6).round()),
            "{}",
            r.name
        );
        // In the bucket, where the row says.
        let info = rstore
            .head(&r.storage_key)
            .await
            .expect("head")
            .expect("stem in bucket");
        assert_eq!(info.size as i64, r.size_bytes);
        assert!(rstore.exists(&r.waveform_key).await.expect("exists"));
    }
    assert!(
        rstore
            .exists(&format!("{}/metadata.json", rrec.storage_prefix))
            .await
            .expect("meta")
    );
    let inputs = rstore.list("inputs/band").await.expect("list");
    assert_eq!(inputs.len(), 1, "{inputs:?}");

    // The server path: a remote profile's upload goes to the worker, the callback or
    // the poll finishes it, and media redirects to a presigned bucket URL.
    let server = start_stemset(
        rdir.path(),
        &["serve", "--listen", "127.0.0.1:0", "--bypass-auth"],
    );
    write_wav(&rdir.path().join("second.wav"), 2.0, 2);
    let (code, body) = upload(&server.addr, "band", &rdir.path().join("second.wav")).await;
    assert_eq!(code, 201, "{body}");
    let j = finished_job(&rdb, job_id(&body)).await;
    assert_eq!(j.state, job::STATE_SUCCEEDED, "{:?}", j.error);
    assert_eq!(j.attempts, 1);
    let rec = j.recording_id.expect("recording");
    let stems = stems_of(&rdb, rec).await;
    assert_eq!(stems.len(), 4);
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let resp = http
        .get(format!(
            "http://{}/media/stems/{}",
            server.addr, stems[0].id
        ))
        .send()
        .await
        .expect("media");
    assert_eq!(resp.status().as_u16(), 302);
    let location = resp.headers()["location"]
        .to_str()
        .expect("location")
        .to_string();
    assert!(
        location.contains(s3_addr) && location.contains("X-Amz-Signature"),
        "{location}"
    );
    let presigned = reqwest::get(&location).await.expect("presigned get");
    assert_eq!(presigned.status().as_u16(), 200);
    let bytes = presigned.bytes().await.expect("bytes");
    assert_eq!(
        bytes.to_vec(),
        rstore
            .get_bytes(&stems[0].storage_key)
            .await
            .expect("get")
            .to_vec()
    );

    // `stemset sync` mirrors the bucket into storage.sync_dir, and back.
    let out = stemset_in(rdir.path(), &["sync"]);
    assert!(out.status.success(), "{}", text(&out));
    let mirrored = rdir.path().join("mirror").join(&stems[0].storage_key);
    assert!(mirrored.is_file(), "{}", text(&out));
    std::fs::create_dir_all(rdir.path().join("mirror/notes")).expect("dir");
    std::fs::write(rdir.path().join("mirror/notes/setlist.txt"), "intro, verse").expect("write");
    let out = stemset_in(rdir.path(), &["sync", "--push"]);
    assert!(
        text(&out).contains("copied 1 to the bucket"),
        "{}",
        text(&out)
    );
    assert_eq!(
        rstore
            .get_bytes("notes/setlist.txt")
            .await
            .expect("pushed")
            .to_vec(),
        b"intro, verse"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn killed_worker_is_retried_without_duplicates() {
    let s3 = start_s3().await;
    let worker_port = free_port();
    let worker_url = format!("http://127.0.0.1:{worker_port}");
    let (wdir, sdir) = (
        tempfile::tempdir().expect("tmp"),
        tempfile::tempdir().expect("tmp"),
    );
    let setup = Setup {
        s3: Some(&s3.addr),
        worker_url: &worker_url,
        jobs: "  workers: 1\n  poll_ms: 50\n  max_attempts: 5\n",
        remote: true,
        secret: SECRET,
    };
    write_config(wdir.path(), &setup);
    write_config(sdir.path(), &setup);
    let listen = format!("127.0.0.1:{worker_port}");
    let mut first = start_stemset(wdir.path(), &["worker", "--listen", &listen]);
    let server = start_stemset(
        sdir.path(),
        &["serve", "--listen", "127.0.0.1:0", "--bypass-auth"],
    );
    let file = sdir.path().join("long take.wav");
    write_wav(&file, 40.0, 3);
    let (code, body) = upload(&server.addr, "band", &file).await;
    assert_eq!(code, 201, "{body}");

    // Kill the worker while it separates.
    let health = format!("http://{listen}/healthz");
    let mut running = false;
    for _ in 0..600 {
        if let Ok(r) = reqwest::get(&health).await
            && let Ok(v) = r.json::<serde_json::Value>().await
            && v["running"] == 1
        {
            running = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(running, "the worker never started the job");
    tokio::time::sleep(Duration::from_millis(300)).await;
    first.kill();
    let mut second = start_stemset(wdir.path(), &["worker", "--listen", &listen]);

    let (db, store) = open(sdir.path()).await;
    let j = finished_job(&db, job_id(&body)).await;
    assert_eq!(j.state, job::STATE_SUCCEEDED, "{:?}", j.error);
    assert!(
        j.attempts >= 2,
        "the killed attempt was retried ({} attempts)",
        j.attempts
    );
    let recs = recording::Entity::find()
        .all(&db)
        .await
        .expect("recordings");
    assert_eq!(recs.len(), 1, "exactly one recording");
    assert_eq!(stems_of(&db, recs[0].id).await.len(), 4);
    // The bucket holds one set of outputs: 4 stems, 4 waveforms, metadata.json.
    let objects = store.list(&recs[0].storage_prefix).await.expect("list");
    assert_eq!(objects.len(), 9, "{objects:?}");
    // An idle worker stops at once on SIGTERM (nothing to drain).
    assert!(second.terminate().success());
}

#[tokio::test(flavor = "multi_thread")]
async fn unreachable_worker_fails_clearly() {
    let s3 = start_s3().await;
    let dead = format!("http://127.0.0.1:{}", free_port());
    let sdir = tempfile::tempdir().expect("tmp");
    write_config(
        sdir.path(),
        &Setup {
            s3: Some(&s3.addr),
            worker_url: &dead,
            jobs: "  workers: 1\n  poll_ms: 50\n  max_attempts: 2\n",
            remote: true,
            secret: SECRET,
        },
    );
    // The CLI says so and fails.
    write_wav(&sdir.path().join("recordings/a.wav"), 1.0, 4);
    let out = stemset_in(sdir.path(), &["process", "band"]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("unreachable after 3 attempts"),
        "{}",
        text(&out)
    );

    // The server's job fails after its attempts, with the reason visible.
    let server = start_stemset(
        sdir.path(),
        &["serve", "--listen", "127.0.0.1:0", "--bypass-auth"],
    );
    write_wav(&sdir.path().join("b.wav"), 1.0, 5);
    let (code, body) = upload(&server.addr, "band", &sdir.path().join("b.wav")).await;
    assert_eq!(code, 201, "{body}");
    let (db, _) = open(sdir.path()).await;
    let j = finished_job(&db, job_id(&body)).await;
    assert_eq!(j.state, job::STATE_FAILED);
    assert_eq!(j.attempts, 2);
    let err = j.error.unwrap_or_default();
    assert!(err.contains(&dead) && err.contains("unreachable"), "{err}");
    assert!(
        recording::Entity::find()
            .all(&db)
            .await
            .expect("q")
            .is_empty()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn forged_stale_and_replayed_requests_are_refused() {
    use stemset_library::jobs::protocol::{SIGNATURE_HEADER, TIMESTAMP_HEADER, sign};
    let s3 = start_s3().await;
    let worker_port = free_port();
    let worker_url = format!("http://127.0.0.1:{worker_port}");
    let (wdir, sdir) = (
        tempfile::tempdir().expect("tmp"),
        tempfile::tempdir().expect("tmp"),
    );
    let setup = Setup {
        s3: Some(&s3.addr),
        worker_url: &worker_url,
        // No in-process worker: the job stays queued while we attack it.
        jobs: "  workers: 0\n",
        remote: true,
        secret: SECRET,
    };
    write_config(wdir.path(), &setup);
    write_config(sdir.path(), &setup);
    let worker = start_stemset(
        wdir.path(),
        &["worker", "--listen", &format!("127.0.0.1:{worker_port}")],
    );
    let server = start_stemset(
        sdir.path(),
        &["serve", "--listen", "127.0.0.1:0", "--bypass-auth"],
    );
    write_wav(&sdir.path().join("c.wav"), 1.0, 6);
    let (code, body) = upload(&server.addr, "band", &sdir.path().join("c.wav")).await;
    assert_eq!(code, 201, "{body}");
    let id = job_id(&body);
    let path = format!("/api/jobs/{id}/complete");
    let callback = serde_json::to_vec(&serde_json::json!({
        "job_id": id, "attempt": 1, "state": "succeeded", "progress": 1.0,
        "stage": null, "error": null, "retryable": false
    }))
    .expect("json");
    let http = reqwest::Client::new();
    let post = |ts: i64, sig: String| {
        http.post(format!("http://{}{path}", server.addr))
            .header(TIMESTAMP_HEADER, ts.to_string())
            .header(SIGNATURE_HEADER, sig)
            .body(callback.clone())
    };
    let now = chrono::Utc::now().timestamp();
    let error = |r: reqwest::Response| async move {
        (
            r.status().as_u16(),
            r.json::<serde_json::Value>().await.unwrap_or_default()["error"]
                .as_str()
                .unwrap_or("")
                .to_string(),
        )
    };

    let r = http
        .post(format!("http://{}{path}", server.addr))
        .body(callback.clone())
        .send()
        .await
        .expect("post");
    let (code, msg) = error(r).await;
    assert_eq!(code, 401);
    assert!(msg.contains("not signed"), "{msg}");
    let forged = sign(
        b"not-the-shared-secret-but-long-enough!!",
        now,
        "POST",
        &path,
        &callback,
    );
    let (code, msg) = error(post(now, forged).send().await.expect("post")).await;
    assert_eq!(code, 401);
    assert!(msg.contains("does not match"), "{msg}");
    let stale = now - 3600;
    let (code, msg) = error(
        post(
            stale,
            sign(SECRET.as_bytes(), stale, "POST", &path, &callback),
        )
        .send()
        .await
        .expect("post"),
    )
    .await;
    assert_eq!(code, 401);
    assert!(msg.contains("timestamp"), "{msg}");
    // Correctly signed, but the job is not running: refused; the same request again is
    // a replay.
    let good = sign(SECRET.as_bytes(), now, "POST", &path, &callback);
    let (code, msg) = error(post(now, good.clone()).send().await.expect("post")).await;
    assert_eq!(code, 409);
    assert!(msg.contains("queued"), "{msg}");
    let (code, msg) = error(post(now, good).send().await.expect("post")).await;
    assert_eq!(code, 409);
    assert!(msg.contains("replay"), "{msg}");

    let (db, _) = open(sdir.path()).await;
    let j = job::Entity::find_by_id(id)
        .one(&db)
        .await
        .expect("q")
        .expect("job");
    assert_eq!(j.state, job::STATE_QUEUED, "nothing changed the job");
    assert!(
        recording::Entity::find()
            .all(&db)
            .await
            .expect("q")
            .is_empty()
    );

    // The worker refuses jobs that are not signed with the shared secret.
    let r = http
        .post(format!("http://{}/jobs", worker.addr))
        .body("{}")
        .send()
        .await
        .expect("post");
    assert_eq!(r.status().as_u16(), 401);
    let fake = sign(
        b"wrong-secret-wrong-secret-wrong-secret",
        now,
        "POST",
        "/jobs",
        b"{}",
    );
    let r = http
        .post(format!("http://{}/jobs", worker.addr))
        .header(TIMESTAMP_HEADER, now.to_string())
        .header(SIGNATURE_HEADER, fake)
        .body("{}")
        .send()
        .await
        .expect("post");
    assert_eq!(r.status().as_u16(), 401);
    let health: serde_json::Value = reqwest::get(format!("http://{}/healthz", worker.addr))
        .await
        .expect("health")
        .json()
        .await
        .expect("json");
    assert_eq!(health["status"], "ok");
    assert_eq!(health["running"], 0);
}

/// Ctrl-C during `stemset process --backend remote-gpu` is a cancellation, not a failure,
/// and the job stops on the GPU worker too (the client calls its cancel route).
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_cancels_the_job_on_the_worker() {
    let s3 = start_s3().await;
    let worker_port = free_port();
    let worker_url = format!("http://127.0.0.1:{worker_port}");
    let (wdir, cdir) = (
        tempfile::tempdir().expect("tmp"),
        tempfile::tempdir().expect("tmp"),
    );
    let setup = Setup {
        s3: Some(&s3.addr),
        worker_url: &worker_url,
        jobs: "  workers: 1\n  poll_ms: 50\n",
        remote: true,
        secret: SECRET,
    };
    write_config(wdir.path(), &setup);
    write_config(cdir.path(), &setup);
    let listen = format!("127.0.0.1:{worker_port}");
    let mut worker = start_stemset(wdir.path(), &["worker", "--listen", &listen]);
    write_wav(&cdir.path().join("recordings/long take.wav"), 60.0, 4);
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_stemset"))
        .args([
            "--config",
            "config.yaml",
            "process",
            "band",
            "--backend",
            "remote-gpu",
        ])
        .current_dir(cdir.path())
        .env_remove("STEMSET_CONFIG")
        .env_remove("DATABASE_URL")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn stemset");

    let health = format!("http://{listen}/healthz");
    let running = |want: u64| {
        let health = health.clone();
        async move {
            for _ in 0..600 {
                if let Ok(r) = reqwest::get(&health).await
                    && let Ok(v) = r.json::<serde_json::Value>().await
                    && v["running"] == want
                {
                    return true;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            false
        }
    };
    assert!(running(1).await, "the worker never started the job");
    let kill = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(kill.success());
    let o = child.wait_with_output().expect("wait");
    let out = text(&o);
    assert!(
        out.contains("long take.wav: cancelled, nothing kept"),
        "{out}"
    );
    assert!(
        !out.contains("failed"),
        "a cancellation is not a failure: {out}"
    );
    // The worker stopped separating (it would take many seconds more otherwise).
    assert!(running(0).await, "the job kept running on the worker");
    let log = std::fs::read_to_string(wdir.path().join("worker.log")).unwrap_or_default();
    assert!(
        log.contains("job cancelled by the server") && log.contains("separation cancelled"),
        "{log}"
    );
    assert!(worker.terminate().success());
}

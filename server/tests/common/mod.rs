//! The test harness: a real server on a loopback port against a fresh SQLite file or a
//! fresh PostgreSQL database, seeded with two bands, their members, recordings and stems
//! whose audio files are real WAVs in real (local) storage.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ConnectionTrait, Database, DatabaseConnection, Set};
use stemset_core::config::Config;
use stemset_core::storage::Storage;
use stemset_library::db::config_sync::{sync_config, upsert_user};
use stemset_library::db::{audio_file, recording, song, stem, take, user};
use stemset_server::auth::SessionKeys;
use stemset_server::{RunningServer, ServerOptions};
use tempfile::TempDir;
use uuid::Uuid;

// Links the dsp backend so the test config's strategy validates.
use stemset_backend_dsp as _;

pub const JWT_SECRET: &str = "test-secret-0123456789-abcdefghijklmnopqrstuvwxyz";
pub const OWNER: &str = "owner@alpha.test";
pub const MEMBER: &str = "member@alpha.test";
pub const OUTSIDER: &str = "drummer@beta.test";

#[derive(Clone, Copy, Debug)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A fresh database URL: a SQLite file in `dir`, or a new PostgreSQL database on the
/// server of `STEMSET_TEST_POSTGRES_URL` (default: 127.0.0.1:5432), migrated.
pub async fn database_url(backend: Backend, dir: &Path) -> String {
    match backend {
        Backend::Sqlite => format!("sqlite://{}/stemset.sqlite", dir.display()),
        Backend::Postgres => {
            let admin = std::env::var("STEMSET_TEST_POSTGRES_URL")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_string());
            let conn = Database::connect(&admin).await.unwrap_or_else(|e| {
                panic!("PostgreSQL at {admin} is required (set STEMSET_TEST_POSTGRES_URL): {e}")
            });
            let name = format!("stemset_test_{}", Uuid::new_v4().simple());
            conn.execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .expect("create database");
            let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
            let url = format!("{base}/{name}");
            stemset_library::db::connect(&url, true)
                .await
                .expect("migrate");
            url
        }
    }
}

#[derive(Default)]
pub struct ConfigOptions<'a> {
    pub issuer_url: Option<&'a str>,
    pub public_url: Option<&'a str>,
    pub cors_origins: &'a [&'a str],
    pub extra_auth: &'a str,
    pub production: bool,
    /// Listen here instead of a random loopback port.
    pub listen: Option<&'a str>,
    /// Writes `web/build/index.html` with this content (a built web app).
    pub web_index: Option<&'a str>,
    /// The body of the `jobs:` section; default `workers: 0` (no in-process worker, so
    /// seeded job rows stay as they are).
    pub jobs: Option<&'a str>,
    /// More lines of the `server:` section (each indented two spaces, ending in `\n`).
    pub extra_server: &'a str,
}

/// Writes config.yaml + plugins.toml into `dir`: bands `alpha` (an owner and a member)
/// and `beta` (one member), the dsp strategy, local storage under `dir/media`.
pub fn write_config(dir: &Path, db_url: &str, opts: &ConfigOptions) -> PathBuf {
    std::fs::write(
        dir.join("plugins.toml"),
        r#"
[models.dsp-center]
backend = "dsp"
architecture = "dsp-center"
slots = ["vocals", "accompaniment"]
"#,
    )
    .expect("write plugins.toml");
    let env = if opts.production {
        "production"
    } else {
        "development"
    };
    let mut auth = format!(
        "  environment: {env}\n  jwt_secret: {JWT_SECRET}\n  allowed_emails: [guest@allowed.test]\n"
    );
    if let Some(issuer) = opts.issuer_url {
        auth.push_str(&format!(
            "  issuer_url: {issuer}\n  google_client_id: stemset-test\n  google_client_secret: stemset-test-secret\n"
        ));
    }
    if let Some(public) = opts.public_url {
        auth.push_str(&format!("  public_url: {public}\n"));
    }
    auth.push_str(opts.extra_auth);
    let cors = opts
        .cors_origins
        .iter()
        .map(|o| format!("\"{o}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let listen = opts.listen.unwrap_or("127.0.0.1:0");
    let yaml = format!(
        r#"strategies:
  karaoke:
    _: dsp-center
    vocals: vocals
    accompaniment: instrumental
profiles:
  alpha:
    source: ./alpha
    strategy: karaoke
    display_name: Alpha Band
    owners: [{OWNER}]
    members: [{MEMBER}]
  beta:
    source: ./beta
    strategy: karaoke
    members: [{OUTSIDER}]
storage:
  kind: local
  path: ./media
database:
  url: "{db_url}"
auth:
{auth}server:
  listen: "{listen}"
  cors_origins: [{cors}]
  max_body_kib: 64
{extra_server}jobs:
{jobs}plugins: plugins.toml
"#,
        extra_server = opts.extra_server,
        jobs = opts.jobs.unwrap_or("  workers: 0\n"),
    );
    let path = dir.join("config.yaml");
    std::fs::write(&path, yaml).expect("write config.yaml");
    path
}

/// A short stereo sine as 16-bit WAV bytes: real audio for the media routes.
pub fn wav_bytes(seconds: f32, freq: f32) -> Vec<u8> {
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: 8000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut cursor = std::io::Cursor::new(Vec::new());
    {
        let mut w = hound::WavWriter::new(&mut cursor, spec).expect("wav writer");
        let frames = (seconds * 8000.0) as usize;
        for i in 0..frames {
            let v = ((i as f32 * freq * std::f32::consts::TAU / 8000.0).sin() * 12000.0) as i16;
            w.write_sample(v).expect("sample");
            w.write_sample(v).expect("sample");
        }
        w.finalize().expect("finalize");
    }
    cursor.into_inner()
}

pub struct Seeded {
    pub recording: recording::Model,
    pub stems: Vec<stem::Model>,
    /// "<title> song", with the first take filed under it.
    pub song: song::Model,
    /// Two neighbouring takes (0–0.4 s and 0.5–0.9 s), the second suggested for the song.
    pub takes: Vec<take::Model>,
}

/// The (min, max) waveform peaks of every seeded stem.
pub const SEEDED_PEAKS: [(i8, i8); 3] = [(-13, 12), (-64, 64), (-25, 26)];

/// A waveform file as the renderer writes it (`<stem>.peaks`, see
/// `stemset_audio::analysis`): "STPK", version 1, sample rate, frames per peak, peak
/// count, then (min, max) pairs.
pub fn peaks_bytes(peaks: &[(i8, i8)]) -> Vec<u8> {
    let mut out = b"STPK".to_vec();
    out.extend_from_slice(&1u32.to_le_bytes());
    out.extend_from_slice(&8000u32.to_le_bytes());
    out.extend_from_slice(&80u32.to_le_bytes());
    out.extend_from_slice(&(peaks.len() as u64).to_le_bytes());
    for &(min, max) in peaks {
        out.extend_from_slice(&[min as u8, max as u8]);
    }
    out
}

/// One recording with two stems (real WAV files in storage) in `profile`.
pub async fn seed_recording(
    db: &DatabaseConnection,
    storage: &Storage,
    profile_id: Uuid,
    profile: &str,
    title: &str,
) -> Seeded {
    let now = Utc::now();
    let audio = audio_file::ActiveModel {
        id: Set(Uuid::now_v7()),
        profile_id: Set(profile_id),
        file_hash: Set(format!("{:064x}", Uuid::new_v4().as_u128())),
        original_name: Set(format!("{title}.wav")),
        source_path: Set(None),
        input_key: Set(None),
        size_bytes: Set(1000),
        duration_seconds: Set(1.0),
        sample_rate: Set(8000),
        channels: Set(2),
        bits_per_sample: Set(Some(16)),
        codec: Set("pcm_s16le".into()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await
    .expect("audio file");
    let rec_id = Uuid::now_v7();
    let prefix = format!("{profile}/{rec_id}");
    let rec = recording::ActiveModel {
        id: Set(rec_id),
        profile_id: Set(profile_id),
        audio_file_id: Set(audio.id),
        title: Set(title.into()),
        strategy: Set("karaoke".into()),
        storage_prefix: Set(prefix.clone()),
        duration_seconds: Set(1.0),
        recorded_at: Set(now),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await
    .expect("recording");
    let mut stems = Vec::new();
    for (i, (name, freq)) in [("vocals", 440.0), ("instrumental", 110.0)]
        .into_iter()
        .enumerate()
    {
        let bytes = wav_bytes(1.0, freq);
        let key = format!("{prefix}/{name}.wav");
        let waveform_key = format!("{prefix}/{name}.peaks");
        storage
            .put_bytes(&key, bytes.clone())
            .await
            .expect("put stem");
        storage
            .put_bytes(&waveform_key, peaks_bytes(&SEEDED_PEAKS))
            .await
            .expect("put peaks");
        stems.push(
            stem::ActiveModel {
                id: Set(Uuid::now_v7()),
                recording_id: Set(rec_id),
                name: Set(name.into()),
                sort_order: Set(i as i32),
                storage_key: Set(key),
                waveform_key: Set(waveform_key),
                format: Set("wav".into()),
                sample_rate: Set(8000),
                channels: Set(2),
                bits_per_sample: Set(Some(16)),
                bitrate_kbps: Set(None),
                size_bytes: Set(bytes.len() as i64),
                duration_seconds: Set(1.0),
                lufs: Set(Some(-14.0)),
                true_peak_dbtp: Set(Some(-1.0)),
                sample_peak_dbfs: Set(Some(-1.2)),
                gain_db: Set(0.0),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(db)
            .await
            .expect("stem"),
        );
    }
    storage
        .put_bytes(&format!("{prefix}/metadata.json"), b"{}".to_vec())
        .await
        .expect("metadata");
    let song = song::ActiveModel {
        id: Set(Uuid::now_v7()),
        profile_id: Set(profile_id),
        title: Set(format!("{title} song")),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await
    .expect("song");
    let print = stemset_audio::takes::song_match::Fingerprint(vec![[40; 12]; 3]).to_base64();
    let mut takes = Vec::new();
    for (i, (start, end)) in [(0.0, 0.4), (0.5, 0.9)].into_iter().enumerate() {
        takes.push(
            take::ActiveModel {
                id: Set(Uuid::now_v7()),
                profile_id: Set(profile_id),
                recording_id: Set(rec_id),
                position: Set(i as i32),
                start_seconds: Set(start),
                end_seconds: Set(end),
                kind: Set(take::KIND_TAKE.into()),
                bpm: Set(Some(120.0)),
                bpm_confidence: Set(0.9),
                key: Set(Some("A minor".into())),
                key_confidence: Set(0.8),
                beats: Set(format!(
                    "[{start}, {}, {}, {}]",
                    start + 0.1,
                    start + 0.2,
                    start + 0.3
                )),
                downbeats: Set(format!("[{start}]")),
                fingerprint: Set(print.clone()),
                song_id: Set((i == 0).then_some(song.id)),
                suggested_song_id: Set((i == 1).then_some(song.id)),
                suggestion_score: Set((i == 1).then_some(0.9)),
                bounds_edited: Set(false),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(db)
            .await
            .expect("take"),
        );
    }
    Seeded {
        recording: rec,
        stems,
        song,
        takes,
    }
}

pub struct TestServer {
    pub dir: TempDir,
    pub config: Arc<Config>,
    pub server: Option<RunningServer>,
    pub base: String,
    pub db: DatabaseConnection,
    pub storage: Storage,
    pub owner: user::Model,
    pub member: user::Model,
    pub outsider: user::Model,
    pub alpha: Seeded,
    pub beta: Seeded,
    /// SQL statements run through `db` since the last [`TestServer::reset_statements`].
    pub statements: Arc<AtomicUsize>,
}

impl TestServer {
    /// Starts a seeded server on `backend`.
    pub async fn start(backend: Backend) -> Self {
        Self::start_with(backend, &ConfigOptions::default(), false).await
    }

    pub async fn start_with(backend: Backend, opts: &ConfigOptions<'_>, bypass: bool) -> Self {
        stemset_server::install_crypto_provider();
        let dir = tempfile::tempdir().expect("tempdir");
        let url = database_url(backend, dir.path()).await;
        if let Some(index) = opts.web_index {
            let web = dir.path().join("web/build/assets");
            std::fs::create_dir_all(&web).expect("web dir");
            std::fs::write(dir.path().join("web/build/index.html"), index).expect("index");
            std::fs::write(web.join("app.js"), "console.log('stemset')").expect("js");
        }
        let cfg_path = write_config(dir.path(), &url, opts);
        let config = Arc::new(Config::load(&cfg_path).expect("config loads"));
        Self::start_config(backend, dir, config, bypass)
            .await
            .expect("server starts")
    }

    /// Seeds and starts a server for a loaded config; the start error is returned.
    pub async fn start_config(
        _backend: Backend,
        dir: TempDir,
        config: Arc<Config>,
        bypass: bool,
    ) -> Result<Self, stemset_server::ServerError> {
        let listen = stemset_server::settings::ServerSettings::from_config(&config)
            .map_err(|e| stemset_server::ServerError::Config(e.to_string()))?
            .server
            .listen;
        let mut db = stemset_library::db::connect(config.database.url.expose(), false)
            .await
            .expect("connect");
        let statements = Arc::new(AtomicUsize::new(0));
        let counter = statements.clone();
        db.set_metric_callback(move |_| {
            counter.fetch_add(1, Ordering::SeqCst);
        });
        let storage = Storage::from_config(&config.storage).expect("storage");
        let owner = upsert_user(&db, OWNER, Some("Olive Owner".into()), false)
            .await
            .expect("user");
        let member = upsert_user(&db, MEMBER, None, false).await.expect("user");
        let outsider = upsert_user(&db, OUTSIDER, None, false).await.expect("user");
        sync_config(&db, &config.profiles, None, false)
            .await
            .expect("sync");
        let profile_id = |name: &str| {
            let db = db.clone();
            let name = name.to_string();
            async move {
                use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
                stemset_library::db::profile::Entity::find()
                    .filter(stemset_library::db::profile::Column::Name.eq(name))
                    .one(&db)
                    .await
                    .expect("query")
                    .expect("profile exists")
                    .id
            }
        };
        let alpha = seed_recording(
            &db,
            &storage,
            profile_id("alpha").await,
            "alpha",
            "Tuesday jam",
        )
        .await;
        let beta = seed_recording(
            &db,
            &storage,
            profile_id("beta").await,
            "beta",
            "Beta secret demo",
        )
        .await;
        let server = stemset_server::start(
            config.clone(),
            ServerOptions {
                bypass_auth: bypass,
                listen: Some(listen),
                db: Some(db.clone()),
            },
        )
        .await?;
        let base = format!("http://{}", server.addr);
        Ok(Self {
            dir,
            config,
            server: Some(server),
            base,
            db,
            storage,
            owner,
            member,
            outsider,
            alpha,
            beta,
            statements,
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn keys(&self) -> SessionKeys {
        SessionKeys::new(JWT_SECRET.as_bytes(), false, 14)
    }

    /// A valid session cookie header for `u`, as the sign-in callback would set it.
    pub fn session_cookie(&self, u: &user::Model) -> String {
        let token = self.keys().issue_session(u.id, &u.email).expect("sign");
        format!("stemset_session={token}")
    }

    pub fn reset_statements(&self) {
        self.statements.store(0, Ordering::SeqCst);
    }

    pub fn statement_count(&self) -> usize {
        self.statements.load(Ordering::SeqCst)
    }

    pub async fn stop(mut self) {
        if let Some(s) = self.server.take() {
            s.shutdown().await;
        }
    }
}

/// How a request authenticates.
#[derive(Clone, Debug)]
pub enum Auth {
    Anonymous,
    Cookie(String),
    Bearer(String),
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

pub fn with_auth(rb: reqwest::RequestBuilder, auth: &Auth) -> reqwest::RequestBuilder {
    match auth {
        Auth::Anonymous => rb,
        Auth::Cookie(c) => rb.header("cookie", c),
        Auth::Bearer(t) => rb.header("authorization", format!("Bearer {t}")),
    }
}

/// Uploads `bytes` as `name` to `{base}/api/uploads{query}` (`query`: "" or "?profile=…");
/// returns (status, JSON body or null).
pub async fn upload_file(
    base: &str,
    auth: &Auth,
    query: &str,
    name: &str,
    bytes: Vec<u8>,
) -> (u16, serde_json::Value) {
    let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_string());
    let form = reqwest::multipart::Form::new().part("file", part);
    let resp = with_auth(client().post(format!("{base}/api/uploads{query}")), auth)
        .multipart(form)
        .send()
        .await
        .expect("upload");
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(serde_json::Value::Null))
}

/// POSTs a GraphQL query; returns (status, body).
pub async fn gql(
    server: &TestServer,
    auth: &Auth,
    query: &str,
    variables: serde_json::Value,
) -> (u16, serde_json::Value) {
    let resp = with_auth(client().post(server.url("/graphql")), auth)
        .json(&serde_json::json!({ "query": query, "variables": variables }))
        .send()
        .await
        .expect("request");
    let status = resp.status().as_u16();
    let body = resp.json().await.unwrap_or(serde_json::Value::Null);
    (status, body)
}

/// The message of a GraphQL response's first error ("" when there is none).
pub fn first_error(body: &serde_json::Value) -> &str {
    body["errors"][0]["message"].as_str().unwrap_or("")
}

//! `stemset doctor` against the real things, each in both states: ONNX Runtime present
//! and absent, a corrupt model and one with a wrong checksum, SQLite and PostgreSQL
//! (migrated, a migration pending, unreachable), a writable and a read-only storage
//! folder, the S3-compatible test server with and without the bucket (and its CORS rule),
//! the OpenID test provider up and down, a GPU worker with our secret and another one.

#[allow(dead_code)] // the deployment helpers this file does not use
#[path = "common/cluster.rs"]
mod cluster;
mod common;
#[path = "../../server/tests/common/oidc_provider.rs"]
mod oidc_provider;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use cluster::Setup;
use common::{fresh_postgres, stemset, text};
use sea_orm::{ConnectionTrait, Database};
use serde_json::Value;
use stemset_migrations::{Migrator, MigratorTrait};

fn fixture_model(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../backends/onnx/tests/fixtures/models")
        .join(name)
}

/// A catalog of one MDX-Net model (`file`, optional `sha256` and `url`), and a config
/// whose band uses it (`strategy: ai`) or only the dsp models (`strategy: dsp`).
struct Layout<'a> {
    model: &'a Path,
    sha256: Option<&'a str>,
    url: Option<&'a str>,
    strategy: &'a str,
    storage: String,
    database: String,
    auth: &'a str,
}

impl Default for Layout<'_> {
    fn default() -> Self {
        Layout {
            model: Path::new("model.onnx"),
            sha256: None,
            url: None,
            strategy: "ai",
            storage: "kind: local\n  path: ./media".to_string(),
            database: "sqlite://./stemset.sqlite".to_string(),
            auth: "environment: development",
        }
    }
}

fn write(dir: &Path, l: &Layout) {
    let mut model = format!(
        "[models.dsp-hpss]\nbackend = \"dsp\"\narchitecture = \"dsp-hpss\"\n\n[models.test-mdx]\nbackend = \"onnx\"\narchitecture = \"mdx\"\nfile = \"{}\"\n\
         slots = [\"vocals\", \"instrumental\"]\n\
         params = {{ n_fft = 2048, compensate = 1.0, primary_stem = \"Vocals\" }}\n",
        l.model.display()
    );
    if let Some(s) = l.sha256 {
        model.push_str(&format!("sha256 = \"{s}\"\n"));
    }
    if let Some(u) = l.url {
        model.push_str(&format!("url = \"{u}\"\n"));
    }
    std::fs::write(dir.join("plugins.toml"), model).expect("plugins");
    let config = format!(
        r#"strategies:
  ai:
    _: test-mdx
    vocals: vocals
    instrumental: other
  dsp:
    _: dsp-hpss
    percussive: drums
    harmonic: other
profiles:
  band:
    source: ./recordings
    strategy: {strategy}
storage:
  {storage}
database:
  url: "{database}"
auth:
  {auth}
plugins: plugins.toml
"#,
        strategy = l.strategy,
        storage = l.storage,
        database = l.database,
        auth = l.auth,
    );
    std::fs::write(dir.join("config.yaml"), config).expect("config");
    std::fs::create_dir_all(dir.join("recordings")).expect("recordings");
}

fn folder(l: &Layout) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), l);
    dir
}

/// `stemset doctor --json` in `dir`, with `env` on top of the test's environment.
fn doctor_in(dir: &Path, env: &[(&str, &str)]) -> (Output, Value) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_stemset"));
    cmd.args(["--config", "config.yaml", "doctor", "--json"])
        .current_dir(dir)
        .env_remove("RUST_LOG")
        .env_remove("STEMSET_CONFIG");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run stemset doctor");
    let json = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("doctor --json printed no JSON ({e}): {}", text(&out)));
    (out, json)
}

fn doctor(dir: &Path) -> (Output, Value) {
    doctor_in(dir, &[])
}

/// The findings whose check is `check`, or starts with `check` followed by ':'.
fn findings<'a>(report: &'a Value, check: &str) -> Vec<&'a Value> {
    let all = report["checks"].as_array().expect("checks");
    let found: Vec<&Value> = all
        .iter()
        .filter(|f| {
            let c = f["check"].as_str().unwrap_or_default();
            c == check || c.starts_with(&format!("{check}:"))
        })
        .collect();
    assert!(!found.is_empty(), "no finding \"{check}\" in {report:#}");
    found
}

/// The one finding named exactly `check`.
fn finding<'a>(report: &'a Value, check: &str) -> &'a Value {
    report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|f| f["check"] == check)
        .unwrap_or_else(|| panic!("no finding \"{check}\" in {report:#}"))
}

fn health(f: &Value) -> &str {
    f["health"].as_str().unwrap_or_default()
}

fn found(f: &Value) -> &str {
    f["found"].as_str().unwrap_or_default()
}

fn fix(f: &Value) -> &str {
    f["fix"].as_str().unwrap_or_default()
}

fn copy_model(dir: &Path) {
    std::fs::copy(fixture_model("mdx_gain.onnx"), dir.join("model.onnx")).expect("copy model");
}

#[test]
fn onnx_runtime_present_and_absent() {
    let dir = folder(&Layout::default());
    copy_model(dir.path());

    let (out, report) = doctor(dir.path());
    let runtime = finding(&report, "backend onnx: runtime");
    assert_eq!(health(runtime), "ok", "{report:#}");
    assert!(found(runtime).contains("ONNX Runtime 1."), "{runtime}");
    assert_eq!(health(finding(&report, "backend onnx: cpu")), "ok");
    let model = finding(&report, "model test-mdx");
    assert_eq!(health(model), "ok", "{model}");
    assert!(
        found(model).contains("loads (44100 Hz → vocals, instrumental)"),
        "{model}"
    );
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(report["ok"], true);

    let missing = dir.path().join("no-runtime/libonnxruntime.so.1.31.1");
    let missing = missing.to_string_lossy().to_string();
    let (out, report) = doctor_in(dir.path(), &[("ORT_DYLIB_PATH", &missing)]);
    let runtime = finding(&report, "backend onnx: runtime");
    assert_eq!(health(runtime), "failure", "{report:#}");
    assert!(found(runtime).contains("does not exist"), "{runtime}");
    assert!(
        fix(runtime).contains("pip install onnxruntime"),
        "{runtime}"
    );
    assert_eq!(health(finding(&report, "model test-mdx")), "failure");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert_eq!(report["ok"], false);

    // A build's backend that no strategy uses cannot fail the installation.
    write(
        dir.path(),
        &Layout {
            strategy: "dsp",
            ..Layout::default()
        },
    );
    let (out, report) = doctor_in(dir.path(), &[("ORT_DYLIB_PATH", &missing)]);
    let runtime = finding(&report, "backend onnx: runtime");
    assert_eq!(health(runtime), "warning", "{report:#}");
    assert!(
        found(runtime).contains("no profile's strategy uses"),
        "{runtime}"
    );
    assert_eq!(health(finding(&report, "backend dsp")), "ok");
    assert!(out.status.success(), "{}", text(&out));
}

#[test]
fn a_corrupt_model_a_wrong_checksum_and_a_missing_file() {
    let sha = stemset_audio::hashing::sha256_file(&fixture_model("mdx_gain.onnx"))
        .expect("hash")
        .0;
    let url = "http://127.0.0.1:9/models/model.onnx";
    let dir = folder(&Layout {
        sha256: Some(&sha),
        url: Some(url),
        ..Layout::default()
    });
    copy_model(dir.path());
    let (_, report) = doctor(dir.path());
    let model = finding(&report, "model test-mdx");
    assert_eq!(health(model), "ok", "{model}");
    assert!(found(model).contains("sha256 verified"), "{model}");

    let wrong = "0".repeat(64);
    write(
        dir.path(),
        &Layout {
            sha256: Some(&wrong),
            url: Some(url),
            ..Layout::default()
        },
    );
    let (out, report) = doctor(dir.path());
    let model = finding(&report, "model test-mdx");
    assert_eq!(health(model), "failure", "{model}");
    assert!(
        found(model).contains(&format!("sha256 {sha}, expected {wrong}")),
        "{model}"
    );
    assert_eq!(fix(model), "stemset models pull test-mdx --force");
    assert!(!out.status.success());

    // The right digest of a file that is not a model: it verifies but does not load.
    std::fs::write(dir.path().join("model.onnx"), b"not an onnx graph at all").expect("write");
    write(dir.path(), &Layout::default());
    let (_, report) = doctor(dir.path());
    let model = finding(&report, "model test-mdx");
    assert_eq!(health(model), "failure", "{model}");
    assert!(found(model).contains("does not load"), "{model}");
    assert!(
        found(model).contains("model.onnx"),
        "names the file: {model}"
    );

    std::fs::remove_file(dir.path().join("model.onnx")).expect("remove");
    write(
        dir.path(),
        &Layout {
            url: Some(url),
            ..Layout::default()
        },
    );
    let (_, report) = doctor(dir.path());
    let model = finding(&report, "model test-mdx");
    assert_eq!(health(model), "failure", "{model}");
    assert!(found(model).contains("not installed"), "{model}");
    assert_eq!(fix(model), "stemset models pull test-mdx");
}

#[test]
fn sqlite_missing_then_migrated_and_nothing_created_by_the_check() {
    let dir = folder(&Layout {
        strategy: "dsp",
        database: "sqlite://./db/stemset.sqlite".to_string(),
        ..Layout::default()
    });
    let (out, report) = doctor(dir.path());
    let db = finding(&report, "database");
    assert_eq!(health(db), "warning", "{db}");
    assert!(found(db).contains("does not exist yet"), "{db}");
    assert!(fix(db).contains("stemset migrate"), "{db}");
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        !dir.path().join("db").exists(),
        "the check created the database folder"
    );

    let o = stemset(dir.path(), &["migrate"]);
    assert!(o.status.success(), "{}", text(&o));
    let (_, report) = doctor(dir.path());
    assert_eq!(health(finding(&report, "database")), "ok", "{report:#}");
    let file = finding(&report, "database: file");
    assert_eq!(health(file), "ok", "{file}");
    assert!(found(file).contains("is writable"), "{file}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_migrated_pending_and_unreachable() {
    let url = fresh_postgres().await;
    let dir = folder(&Layout {
        strategy: "dsp",
        database: url.clone(),
        ..Layout::default()
    });
    let (out, report) = doctor(dir.path());
    let pending = finding(&report, "database: migrations");
    assert_eq!(health(pending), "failure", "{pending}");
    assert_eq!(fix(pending), "stemset migrate");
    assert!(!out.status.success());

    let o = stemset(dir.path(), &["migrate"]);
    assert!(o.status.success(), "{}", text(&o));
    let (out, report) = doctor(dir.path());
    let db = finding(&report, "database");
    assert_eq!(health(db), "ok", "{report:#}");
    assert!(found(db).contains("schema up to date"), "{db}");
    assert!(out.status.success(), "{}", text(&out));

    // A database of an older Stemset: its newest migration not applied yet.
    let conn = Database::connect(&url).await.expect("connect");
    let migrations = Migrator::migrations();
    let newest = migrations.last().expect("migrations").name();
    conn.execute_unprepared(&format!(
        "DELETE FROM seaql_migrations WHERE version = '{newest}'"
    ))
    .await
    .expect("forget a migration");
    let (out, report) = doctor(dir.path());
    let pending = finding(&report, "database: migrations");
    assert_eq!(health(pending), "failure", "{pending}");
    assert!(
        found(pending).contains(&format!("1 pending migration: {newest}")),
        "{pending}"
    );
    assert_eq!(out.status.code(), Some(1));

    let port = cluster::free_port();
    write(
        dir.path(),
        &Layout {
            strategy: "dsp",
            database: format!("postgres://stemset:hunter2@127.0.0.1:{port}/stemset"),
            ..Layout::default()
        },
    );
    let (out, report) = doctor(dir.path());
    let db = finding(&report, "database");
    assert_eq!(health(db), "failure", "{db}");
    assert!(found(db).contains("cannot connect"), "{db}");
    assert!(
        !found(db).contains("hunter2"),
        "the password is shown: {db}"
    );
    assert!(fix(db).contains("start the database server"), "{db}");
    assert!(!out.status.success());
}

fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// `stemset doctor --json` in `dir` with `folder` read-only. Root writes through
/// permission bits, so as root the folder is bind-mounted read-only in a private mount
/// namespace (only doctor sees it so); otherwise a chmod does it.
fn doctor_with_read_only(dir: &Path, folder: &Path) -> Value {
    use std::os::unix::fs::PermissionsExt;
    let exe = env!("CARGO_BIN_EXE_stemset");
    let out = if running_as_root() {
        let f = folder.display();
        Command::new("unshare")
            .args([
                "--mount",
                "sh",
                "-c",
                &format!(
                    "mount --bind '{f}' '{f}' && mount -o remount,bind,ro '{f}' && \
                     exec '{exe}' --config config.yaml doctor --json"
                ),
            ])
            .current_dir(dir)
            .env_remove("RUST_LOG")
            .output()
            .expect("run doctor in a mount namespace (unshare, util-linux)")
    } else {
        std::fs::set_permissions(folder, std::fs::Permissions::from_mode(0o555)).expect("chmod");
        let out = Command::new(exe)
            .args(["--config", "config.yaml", "doctor", "--json"])
            .current_dir(dir)
            .env_remove("RUST_LOG")
            .output()
            .expect("run doctor");
        std::fs::set_permissions(folder, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        out
    };
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("no JSON ({e}): {}", text(&out)))
}

#[test]
fn a_writable_and_a_read_only_storage_folder() {
    let dir = folder(&Layout {
        strategy: "dsp",
        ..Layout::default()
    });
    let media = dir.path().join("media");
    std::fs::create_dir_all(&media).expect("media");
    let (_, report) = doctor(dir.path());
    let storage = finding(&report, "storage");
    assert_eq!(health(storage), "ok", "{storage}");
    assert!(found(storage).contains("is writable"), "{storage}");

    let report = doctor_with_read_only(dir.path(), &media);
    let storage = finding(&report, "storage");
    assert_eq!(health(storage), "failure", "{storage}");
    assert!(found(storage).contains("is not writable"), "{storage}");
    assert!(fix(storage).contains("storage.path"), "{storage}");
    assert_eq!(report["ok"], false);
    assert_eq!(
        std::fs::read_dir(&media).expect("media").count(),
        0,
        "a probe file was left behind"
    );
}

fn s3_storage(addr: &str, bucket: &str) -> String {
    format!(
        "kind: s3\n  bucket: {bucket}\n  endpoint: http://{addr}\n  allow_http: true\n  \
         access_key_id: test\n  secret_access_key: test\n  region: us-east-1"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bucket_present_absent_and_its_cors_rule() {
    let s3 = cluster::start_s3().await;
    let public = "https://stemset.band.test";
    let auth = format!("environment: development\n  public_url: {public}");
    let dir = folder(&Layout {
        strategy: "dsp",
        storage: s3_storage(&s3.addr, cluster::BUCKET),
        auth: &auth,
        ..Layout::default()
    });
    let (_, report) = doctor(dir.path());
    let storage = finding(&report, "storage");
    assert_eq!(health(storage), "ok", "{report:#}");
    assert!(
        found(storage).contains("put, get and delete work"),
        "{storage}"
    );
    assert_eq!(health(finding(&report, "storage: presigned URL")), "ok");

    // A rule for another origin: the preflight is refused (moto, like S3, answers 403).
    let http = reqwest::Client::new();
    let put_rule = |origin: &str| {
        let rule = format!(
            "<CORSConfiguration><CORSRule><AllowedOrigin>{origin}</AllowedOrigin>\
             <AllowedMethod>GET</AllowedMethod><AllowedMethod>HEAD</AllowedMethod>\
             <AllowedHeader>range</AllowedHeader></CORSRule></CORSConfiguration>"
        );
        http.put(format!("http://{}/{}?cors", s3.addr, cluster::BUCKET))
            .header("content-type", "application/xml")
            .body(rule)
            .send()
    };
    let put = put_rule("https://elsewhere.test").await.expect("put cors");
    assert!(put.status().is_success(), "{}", put.status());
    let (_, report) = doctor(dir.path());
    let cors = finding(&report, "storage: CORS");
    assert_eq!(health(cors), "failure", "{cors}");
    assert!(
        found(cors).contains("no CORS rule of the bucket lets"),
        "{cors}"
    );
    assert!(fix(cors).contains(public), "{cors}");

    let put = put_rule(public).await.expect("put cors");
    assert!(put.status().is_success(), "{}", put.status());
    let (out, report) = doctor(dir.path());
    let cors = finding(&report, "storage: CORS");
    assert_eq!(health(cors), "ok", "{cors}");
    assert!(out.status.success(), "{}", text(&out));
    let listing = http
        .get(format!(
            "http://{}/{}?list-type=2",
            s3.addr,
            cluster::BUCKET
        ))
        .send()
        .await
        .expect("list")
        .text()
        .await
        .expect("listing");
    assert!(!listing.contains("<Key>"), "the probe was left: {listing}");

    write(
        dir.path(),
        &Layout {
            strategy: "dsp",
            storage: s3_storage(&s3.addr, "no-such-bucket"),
            auth: &auth,
            ..Layout::default()
        },
    );
    let (out, report) = doctor(dir.path());
    let storage = finding(&report, "storage");
    assert_eq!(health(storage), "failure", "{storage}");
    assert!(found(storage).contains("no-such-bucket"), "{storage}");
    assert!(fix(storage).contains("create the bucket"), "{storage}");
    assert!(!out.status.success());
}

fn production_auth(issuer: &str) -> String {
    format!(
        "environment: production\n  public_url: https://stemset.band.test\n  \
         jwt_secret: doctor-test-jwt-secret-0123456789abcdef\n  \
         google_client_id: stemset\n  google_client_secret: client-secret\n  \
         issuer_url: {issuer}"
    )
}

#[test]
fn the_openid_provider_up_and_down() {
    let provider = oidc_provider::start_provider("https://stemset.band.test/auth/callback");
    let auth = production_auth(&provider.issuer);
    let dir = folder(&Layout {
        strategy: "dsp",
        auth: &auth,
        ..Layout::default()
    });
    let (_, report) = doctor(dir.path());
    let oidc = finding(&report, "auth: OpenID provider");
    assert_eq!(health(oidc), "ok", "{oidc}");
    assert!(found(oidc).contains("discovery document found"), "{oidc}");
    let redirect = finding(&report, "auth: redirect URI");
    assert!(
        found(redirect).contains("https://stemset.band.test/auth/callback"),
        "{redirect}"
    );
    assert!(found(finding(&report, "auth")).contains("JWT secret of 39 characters"));

    drop(provider);
    let (out, report) = doctor(dir.path());
    let oidc = finding(&report, "auth: OpenID provider");
    assert_eq!(health(oidc), "failure", "{oidc}");
    assert!(found(oidc).contains("is unreachable"), "{oidc}");
    assert!(fix(oidc).contains("auth.issuer_url"), "{oidc}");
    assert!(!out.status.success());

    // Production with a short secret: the server would refuse to start; doctor says why.
    let short = auth.replace("doctor-test-jwt-secret-0123456789abcdef", "short");
    write(
        dir.path(),
        &Layout {
            strategy: "dsp",
            auth: &short,
            ..Layout::default()
        },
    );
    let (_, report) = doctor(dir.path());
    let problems = findings(&report, "settings");
    assert!(
        problems
            .iter()
            .any(|f| health(f) == "failure" && found(f).contains("auth.jwt_secret: too short")),
        "{report:#}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_with_our_secret_and_with_another() {
    let s3 = cluster::start_s3().await;
    let worker_dir = tempfile::tempdir().expect("tempdir");
    cluster::write_config(
        worker_dir.path(),
        &Setup {
            s3: Some(&s3.addr),
            worker_url: "http://127.0.0.1:1",
            jobs: "  workers: 1\n",
            remote: false,
            secret: cluster::SECRET,
        },
    );
    let port = cluster::free_port().to_string();
    let worker = cluster::start_stemset(
        worker_dir.path(),
        &["worker", "--listen", &format!("127.0.0.1:{port}")],
    );
    let url = format!("http://{}", worker.addr);

    let server_dir = tempfile::tempdir().expect("tempdir");
    let setup = |secret: &'static str| Setup {
        s3: Some(&s3.addr),
        worker_url: &url,
        jobs: "  workers: 1\n",
        remote: true,
        secret,
    };
    cluster::write_config(server_dir.path(), &setup(cluster::SECRET));
    let (_, report) = doctor(server_dir.path());
    let reach = finding(&report, "gpu worker");
    assert_eq!(health(reach), "ok", "{report:#}");
    assert!(found(reach).contains("/healthz: ok"), "{reach}");
    let signed = finding(&report, "gpu worker: signed request");
    assert_eq!(health(signed), "ok", "{signed}");
    assert!(found(signed).contains("accepted"), "{signed}");
    // The worker's own backends, as it found them.
    assert_eq!(health(finding(&report, "gpu worker: backend dsp")), "ok");
    assert!(
        report["checks"]
            .as_array()
            .expect("checks")
            .iter()
            .any(|f| f["check"] == "gpu worker: backend onnx: runtime"),
        "{report:#}"
    );

    cluster::write_config(
        server_dir.path(),
        &setup("another-secret-of-enough-length-0123456789"),
    );
    let (out, report) = doctor(server_dir.path());
    let signed = finding(&report, "gpu worker: signed request");
    assert_eq!(health(signed), "failure", "{signed}");
    assert!(found(signed).contains("refused our signature"), "{signed}");
    assert!(
        fix(signed).contains("same [backends.remote-gpu] secret"),
        "{signed}"
    );
    assert!(!out.status.success());

    // The worker logged its own doctor summary at start.
    let log_path = worker_dir.path().join("worker.log");
    let mut log = String::new();
    for _ in 0..100 {
        log = std::fs::read_to_string(&log_path).unwrap_or_default();
        if log.contains("worker doctor:") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(log.contains("worker doctor:"), "{log}");
    drop(worker);

    let (_, report) = doctor(server_dir.path());
    let reach = finding(&report, "gpu worker");
    assert_eq!(health(reach), "failure", "{reach}");
    assert!(found(reach).contains("is unreachable"), "{reach}");
    assert!(fix(reach).contains("stemset worker"), "{reach}");
}

#[test]
fn bad_config_unknown_profile_and_the_text_report() {
    let dir = folder(&Layout {
        strategy: "dsp",
        ..Layout::default()
    });
    let config = std::fs::read_to_string(dir.path().join("config.yaml")).expect("read");
    std::fs::write(
        dir.path().join("config.yaml"),
        config.replace("./media", "${STEMSET_DOCTOR_TEST_MEDIA}"),
    )
    .expect("write");
    let (out, report) = doctor(dir.path());
    let cfg = finding(&report, "config");
    assert_eq!(health(cfg), "failure", "{cfg}");
    assert!(found(cfg).contains("STEMSET_DOCTOR_TEST_MEDIA"), "{cfg}");
    assert_eq!(out.status.code(), Some(1));

    std::fs::write(dir.path().join("config.yaml"), &config).expect("write");
    let o = stemset(dir.path(), &["doctor", "--profile", "nope"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o).contains("no profile \"nope\"") && text(&o).contains("profiles: band"),
        "{}",
        text(&o)
    );

    let o = stemset(dir.path(), &["doctor", "--profile", "band"]);
    let t = text(&o);
    assert!(o.status.success(), "{t}");
    let first = t.lines().next().unwrap_or_default();
    assert!(first.starts_with("ok ") && first.contains("config"), "{t}");
    assert!(t.contains("profile band"), "{t}");
    assert!(t.contains("fix: `stemset migrate` creates it"), "{t}");
    assert!(
        t.trim_end().ends_with("failures") || t.trim_end().ends_with("failure"),
        "a summary line ends the report: {t}"
    );
}

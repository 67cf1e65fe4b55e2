//! A small Stemset deployment on loopback for end-to-end tests: a real S3-compatible
//! server (moto, from PyPI, in the project's `.venv-ml`), `stemset worker` and
//! `stemset serve` processes, each in its own folder with its own config.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub const SECRET: &str = "test-worker-secret-0123456789abcdef";
pub const BUCKET: &str = "stemset";

/// A child process killed when dropped.
pub struct Proc {
    pub child: Child,
    pub addr: String,
}

impl Proc {
    /// SIGKILL: the process dies mid-work, as a crashed machine would.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM, then wait for the exit status.
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        self.child.wait().expect("wait")
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// moto's S3 server with an empty bucket.
pub async fn start_s3() -> Proc {
    let python = std::env::var("STEMSET_TEST_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|_| repo_root().join(".venv-ml/bin/python"));
    let port = free_port();
    let child = Command::new(&python)
        .args(["-m", "moto.server", "-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "cannot start moto ({}): {e}; install it with `.venv-ml/bin/pip install \"moto[server]\"`",
                python.display()
            )
        });
    let addr = format!("127.0.0.1:{port}");
    let proc = Proc { child, addr };
    let http = reqwest::Client::new();
    for _ in 0..300 {
        if let Ok(r) = http
            .put(format!("http://{}/{BUCKET}", proc.addr))
            .send()
            .await
            && r.status().is_success()
        {
            return proc;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("moto did not start on {}", proc.addr);
}

/// Where the pieces are.
pub struct Setup<'a> {
    pub s3: Option<&'a str>,
    pub worker_url: &'a str,
    /// The body of the `jobs:` section.
    pub jobs: &'a str,
    pub remote: bool,
    pub secret: &'a str,
}

/// Writes config.yaml + plugins.toml into `dir`: one band `band` with the 4-stem dsp
/// tree, storage in the S3 bucket (or `./media`), SQLite in the folder.
pub fn write_config(dir: &Path, s: &Setup) {
    let repo = std::fs::read_to_string(repo_root().join("plugins.toml")).expect("plugins");
    // The catalog without the repo's own remote-gpu table (this one replaces it).
    let mut plugins = repo
        .split("[backends.remote-gpu]")
        .next()
        .unwrap_or_default()
        .to_string();
    plugins.push_str(&format!(
        r#"
[backends.remote-gpu]
url = "{url}"
secret = "{secret}"
poll_ms = 100
request_attempts = 3
backoff_ms = 100
timeout_minutes = 5
concurrency = 1
queue = 4
drain_seconds = 60
"#,
        url = s.worker_url,
        secret = s.secret
    ));
    std::fs::write(dir.join("plugins.toml"), plugins).expect("write plugins");
    let storage = match s.s3 {
        Some(addr) => format!(
            "storage:\n  kind: s3\n  bucket: {BUCKET}\n  endpoint: http://{addr}\n  allow_http: true\n  \
             access_key_id: test\n  secret_access_key: test\n  region: us-east-1\n  sync_dir: ./mirror\n"
        ),
        None => "storage:\n  kind: local\n  path: ./media\n".to_string(),
    };
    let yaml = format!(
        r#"strategies:
  default:
    _: dsp-hpss
    percussive: drums
    harmonic:
      _: dsp-center
      vocals: vocals
      accompaniment:
        _: dsp-bass
        bass: bass
        other: other
profiles:
  band:
    source: ./recordings
    strategy: default
    remote: {remote}
    owners: [owner@band.test]
{storage}database:
  url: "sqlite://./stemset.sqlite"
auth:
  environment: development
  jwt_secret: test-jwt-secret-0123456789abcdefghij
jobs:
{jobs}plugins: plugins.toml
"#,
        remote = s.remote,
        jobs = s.jobs,
    );
    std::fs::write(dir.join("config.yaml"), yaml).expect("write config");
    std::fs::create_dir_all(dir.join("recordings")).expect("recordings");
}

/// Starts `stemset ARGS` in `dir` and reads the address from its first line.
pub fn start_stemset(dir: &Path, args: &[&str]) -> Proc {
    let mut child = Command::new(env!("CARGO_BIN_EXE_stemset"))
        .args(["--config", "config.yaml", "--log", "info"])
        .args(args)
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env_remove("STEMSET_MEDIA_DIR")
        .env_remove("STEMSET_CONFIG")
        .env_remove("STEMSET_BYPASS_AUTH")
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::from(
            std::fs::File::create(dir.join(format!("{}.log", args[0]))).expect("log file"),
        ))
        .spawn()
        .expect("spawn stemset");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("read");
    let addr = line
        .trim()
        .rsplit_once("http://")
        .map(|(_, a)| a.to_string())
        .unwrap_or_else(|| {
            let log =
                std::fs::read_to_string(dir.join(format!("{}.log", args[0]))).unwrap_or_default();
            panic!("stemset {args:?} did not start: {line:?}\n{log}")
        });
    Proc { child, addr }
}

/// A stereo 16-bit WAV of a few partials, different per `seed`.
pub fn write_wav(path: &Path, seconds: f32, seed: u32) {
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: 44_100,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).expect("wav");
    let f0 = 110.0 + 13.0 * seed as f32;
    for i in 0..(seconds * 44_100.0) as usize {
        let t = i as f32 / 44_100.0;
        let tone = (std::f32::consts::TAU * f0 * t).sin() * 0.3
            + (std::f32::consts::TAU * f0 * 3.0 * t).sin() * 0.1;
        let click = if (t * 2.0).fract() < 0.01 { 0.4 } else { 0.0 };
        let l = tone + click;
        let r = tone * 0.8 + click;
        w.write_sample((l * 20_000.0) as i16).expect("sample");
        w.write_sample((r * 20_000.0) as i16).expect("sample");
    }
    w.finalize().expect("finalize");
}

/// POSTs a file to `/api/uploads` of a bypass-auth server.
pub async fn upload(addr: &str, profile: &str, path: &Path) -> (u16, serde_json::Value) {
    let bytes = std::fs::read(path).expect("read");
    let name = path
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name(name),
    );
    let resp = reqwest::Client::new()
        .post(format!("http://{addr}/api/uploads?profile={profile}"))
        .multipart(form)
        .send()
        .await
        .expect("upload");
    let code = resp.status().as_u16();
    (code, resp.json().await.unwrap_or(serde_json::Value::Null))
}

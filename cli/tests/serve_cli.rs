//! `stemset serve` as a user runs it: it prints where it listens, answers, and stops
//! cleanly on SIGTERM; bypass mode is refused under a production config.

mod common;

use common::{stemset, text};

use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn setup(config_edit: impl Fn(String) -> String) -> tempfile::TempDir {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let dir = tempfile::tempdir().expect("tempdir");
    let config = std::fs::read_to_string(root.join("config.yaml")).expect("config.yaml");
    std::fs::write(dir.path().join("config.yaml"), config_edit(config)).expect("write");
    std::fs::copy(root.join("plugins.toml"), dir.path().join("plugins.toml")).expect("copy");
    dir
}

fn http_get(addr: &str, path: &str) -> String {
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .expect("write");
    let mut out = String::new();
    s.read_to_string(&mut out).expect("read");
    out
}

#[test]
fn serves_and_stops_on_sigterm() {
    let dir = setup(|c| c);
    let mut child = Command::new(env!("CARGO_BIN_EXE_stemset"))
        .args([
            "--config",
            "config.yaml",
            "serve",
            "--listen",
            "127.0.0.1:0",
        ])
        .current_dir(dir.path())
        .env_remove("DATABASE_URL")
        .env_remove("STEMSET_MEDIA_DIR")
        .env_remove("STEMSET_BYPASS_AUTH")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("read");
    let addr = line
        .trim()
        .strip_prefix("Stemset is serving on http://")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_string();
    // stderr read as it comes: the doctor's summary is logged once the server listens.
    let pipe = child.stderr.take().expect("stderr");
    let logged = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let reader = {
        let logged = logged.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                let mut text = logged.lock().unwrap_or_else(|p| p.into_inner());
                text.push_str(&line);
                text.push('\n');
            }
        })
    };
    let log_text = || logged.lock().unwrap_or_else(|p| p.into_inner()).clone();

    let health = http_get(&addr, "/healthz");
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    let status = http_get(&addr, "/auth/status");
    assert!(status.contains("\"authenticated\":false"), "{status}");
    // GraphiQL is for signed-in callers only (it is no page for strangers to script).
    let graphql = http_get(&addr, "/graphql");
    assert!(graphql.starts_with("HTTP/1.1 401"), "{graphql}");
    assert!(!graphql.to_lowercase().contains("graphiql"), "{graphql}");

    let waited = Instant::now();
    while !log_text().contains("serve doctor:") && waited.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(50));
    }
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let started = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "still running after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    reader.join().expect("stderr reader");
    let stderr = log_text();
    assert!(status.success(), "exit {status:?}: {stderr}");
    assert!(stderr.contains("shutting down"), "{stderr}");
    // No web app is built in the test folder: the start-up doctor warns, at the default
    // log level, and says where to look.
    assert!(stderr.contains("answers the API only"), "{stderr}");
    assert!(stderr.contains("serve doctor:"), "{stderr}");
}

#[test]
fn bypass_is_refused_in_production() {
    let dir = setup(|c| {
        c.replace(
            "auth:\n  environment: development\n",
            "auth:\n  environment: production\n  jwt_secret: 0123456789abcdef0123456789abcdef\n  google_client_id: id\n  google_client_secret: secret\n  public_url: https://stems.example.org\n",
        )
    });
    let out = stemset(
        dir.path(),
        &["serve", "--listen", "127.0.0.1:0", "--bypass-auth"],
    );
    assert!(!out.status.success());
    let t = text(&out);
    assert!(t.contains("STEMSET_BYPASS_AUTH=true is refused"), "{t}");
}

//! `stemset models pull` against a real HTTP/1.1 server in the test (std::net), with
//! range requests and injected faults: cut connections, 5xx, wrong bytes, 404.

mod common;

use common::{stemset, text};

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use stemset_audio::hashing;

const PAYLOAD_LEN: usize = 300_000;

/// Deterministic pseudo-random bytes (xorshift), the "model file".
fn payload() -> Vec<u8> {
    let mut x: u32 = 0x9e37_79b9;
    (0..PAYLOAD_LEN)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x >> 24) as u8
        })
        .collect()
}

#[derive(Clone, Copy, PartialEq)]
enum Fault {
    None,
    /// The first response announces the whole body but the connection closes after K bytes.
    CutFirstAfter(usize),
    /// The first request gets 503.
    UnavailableFirst,
    /// Every byte is served flipped.
    WrongBytes,
    NotFound,
    /// The first response sends K bytes, then stalls.
    StallFirstAfter(usize),
}

/// What the server saw: the path and the `Range: bytes=N-` start of each request.
#[derive(Debug, Clone)]
struct Seen {
    path: String,
    range: Option<u64>,
}

struct Server {
    base: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Server {
    fn start(fault: Fault) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("local address"));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let log = Arc::clone(&log);
                std::thread::spawn(move || serve(stream, fault, &log));
            }
        });
        Self { base, seen }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().expect("server log").clone()
    }
}

fn serve(mut stream: TcpStream, fault: Fault, log: &Mutex<Vec<Seen>>) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone stream"));
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    let mut range = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        let lower = line.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("range:") {
            range = v
                .trim()
                .strip_prefix("bytes=")
                .and_then(|r| r.strip_suffix('-'))
                .and_then(|n| n.parse::<u64>().ok());
        }
    }
    let path = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or("")
        .to_string();
    let first = {
        let mut log = log.lock().expect("server log");
        log.push(Seen {
            path: path.clone(),
            range,
        });
        log.len() == 1
    };

    let mut body = payload();
    if fault == Fault::WrongBytes {
        body.iter_mut().for_each(|b| *b = !*b);
    }
    let len = body.len() as u64;
    let head = |status: &str, extra: &str, length: u64| {
        format!("HTTP/1.1 {status}\r\nContent-Length: {length}\r\nConnection: close\r\n{extra}\r\n")
    };
    let response: (String, &[u8]) = if fault == Fault::NotFound {
        (head("404 Not Found", "", 0), &[])
    } else if fault == Fault::UnavailableFirst && first {
        (head("503 Service Unavailable", "", 0), &[])
    } else {
        match range {
            Some(start) if start >= len => (
                head(
                    "416 Range Not Satisfiable",
                    &format!("Content-Range: bytes */{len}\r\n"),
                    0,
                ),
                &[],
            ),
            Some(start) => (
                head(
                    "206 Partial Content",
                    &format!("Content-Range: bytes {start}-{}/{len}\r\n", len - 1),
                    len - start,
                ),
                &body[start as usize..],
            ),
            None => (head("200 OK", "", len), &body[..]),
        }
    };
    let (head, body) = response;
    if stream.write_all(head.as_bytes()).is_err() {
        return;
    }
    match fault {
        Fault::CutFirstAfter(k) if first => {
            let _ = stream.write_all(&body[..k]);
            let _ = stream.flush();
            let _ = stream.shutdown(std::net::Shutdown::Both);
        }
        Fault::StallFirstAfter(k) if first => {
            let _ = stream.write_all(&body[..k]);
            let _ = stream.flush();
            std::thread::sleep(Duration::from_secs(20));
        }
        _ => {
            let _ = stream.write_all(body);
        }
    }
}

/// A temp folder with a minimal config.yaml and a plugins.toml holding one built-in dsp
/// model plus `extra` (test model entries).
fn setup(extra: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("config.yaml"),
        "storage:\n  kind: local\n  path: ./data/media\n\
         database:\n  url: sqlite://./data/stemset.sqlite\n\
         plugins: plugins.toml\n",
    )
    .expect("write config.yaml");
    std::fs::write(
        dir.path().join("plugins.toml"),
        format!(
            "[models.dsp-hpss]\nbackend = \"dsp\"\narchitecture = \"dsp-hpss\"\n\
             slots = [\"percussive\", \"harmonic\"]\n\n{extra}"
        ),
    )
    .expect("write plugins.toml");
    dir
}

/// An onnx/mdx catalog entry; `fields` adds url, file, sha256, model_hash lines.
fn entry(name: &str, fields: &str) -> String {
    format!(
        "[models.{name}]\nbackend = \"onnx\"\narchitecture = \"mdx\"\nslots = [\"vocals\", \"instrumental\"]\n{fields}\n"
    )
}

fn sha256() -> String {
    hashing::sha256_bytes(&payload())
}

fn assert_installed(path: &Path) {
    let bytes = std::fs::read(path).expect("installed file");
    assert!(bytes == payload(), "the installed file is the payload");
    assert!(
        !Path::new(&format!("{}.part", path.display())).exists(),
        "no .part left"
    );
}

#[test]
fn a_cut_connection_is_resumed_and_a_second_pull_is_a_no_op() {
    let server = Server::start(Fault::CutFirstAfter(100_000));
    let dir = setup(&entry(
        "mdx-test",
        &format!(
            "url = \"{}\"\nsha256 = \"{}\"",
            server.url("/files/mdx-test.onnx"),
            sha256()
        ),
    ));

    let o = stemset(dir.path(), &["models", "list"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("missing: pull with `stemset models pull mdx-test`"),
        "{}",
        text(&o)
    );

    let o = stemset(dir.path(), &["models", "pull", "mdx-test"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("retrying"), "{}", text(&o));
    assert!(text(&o).contains("sha256 verified"), "{}", text(&o));
    // No `file`: the URL's file name in models_dir (default models/ beside plugins.toml).
    assert_installed(&dir.path().join("models/mdx-test.onnx"));
    let seen = server.seen();
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert_eq!(seen[0].path, "/files/mdx-test.onnx");
    assert_eq!(seen[0].range, None);
    assert_eq!(
        seen[1].range,
        Some(100_000),
        "resumed with a range: {seen:?}"
    );

    let o = stemset(dir.path(), &["models", "pull", "mdx-test"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("already installed"), "{}", text(&o));
    assert_eq!(server.seen().len(), 2, "no request for an installed model");

    let o = stemset(dir.path(), &["models", "list"]);
    assert!(o.status.success(), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        out.contains("installed (") && out.contains("mdx-test.onnx"),
        "{out}"
    );
    assert!(out.contains("built-in"), "{out}");
    // Aligned: the status column starts at the same place on every line.
    let at: Vec<usize> = out
        .lines()
        .map(|l| {
            l.find("built-in")
                .or_else(|| l.find("installed"))
                .or_else(|| l.find("STATUS"))
                .expect("a status on every line")
        })
        .collect();
    assert!(at.windows(2).all(|w| w[0] == w[1]), "{out}");

    let o = stemset(dir.path(), &["models", "pull", "mdx-test", "--force"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("installed"), "{}", text(&o));
    assert_eq!(server.seen().len(), 3, "--force downloads again");
    assert_installed(&dir.path().join("models/mdx-test.onnx"));
}

#[test]
fn a_partial_download_is_resumed_with_a_range_request() {
    let server = Server::start(Fault::None);
    let dir = setup(&entry(
        "mdx-test",
        &format!(
            "url = \"{}\"\nfile = \"weights/custom.onnx\"\nsha256 = \"{}\"",
            server.url("/x/model.onnx"),
            sha256()
        ),
    ));
    let file = dir.path().join("weights/custom.onnx");
    std::fs::create_dir_all(dir.path().join("weights")).expect("mkdir");
    std::fs::write(
        dir.path().join("weights/custom.onnx.part"),
        &payload()[..PAYLOAD_LEN / 2],
    )
    .expect("write .part");

    let o = stemset(dir.path(), &["models", "list"]);
    assert!(text(&o).contains("resume with"), "{}", text(&o));

    let o = stemset(dir.path(), &["models", "pull", "mdx-test"]);
    assert!(o.status.success(), "{}", text(&o));
    assert_installed(&file);
    let seen = server.seen();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].range, Some(PAYLOAD_LEN as u64 / 2));
}

#[test]
fn a_server_error_is_retried() {
    let server = Server::start(Fault::UnavailableFirst);
    let dir = setup(&entry(
        "mdx-test",
        &format!(
            "url = \"{}\"\nsha256 = \"{}\"",
            server.url("/m.onnx"),
            sha256()
        ),
    ));
    let o = stemset(dir.path(), &["models", "pull", "mdx-test"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("503"), "{}", text(&o));
    assert_installed(&dir.path().join("models/m.onnx"));
    assert_eq!(server.seen().len(), 2);
}

#[test]
fn a_checksum_mismatch_fails_and_leaves_nothing() {
    let server = Server::start(Fault::WrongBytes);
    let dir = setup(&entry(
        "mdx-test",
        &format!(
            "url = \"{}\"\nsha256 = \"{}\"",
            server.url("/m.onnx"),
            sha256()
        ),
    ));
    let o = stemset(dir.path(), &["models", "pull", "mdx-test"]);
    assert!(!o.status.success(), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    let mut wrong = payload();
    wrong.iter_mut().for_each(|b| *b = !*b);
    assert!(err.contains("sha256 mismatch"), "{err}");
    assert!(err.contains("mdx-test"), "{err}");
    assert!(err.contains(&sha256()), "expected digest: {err}");
    assert!(
        err.contains(&hashing::sha256_bytes(&wrong)),
        "actual digest: {err}"
    );
    assert!(!dir.path().join("models/m.onnx").exists());
    assert!(!dir.path().join("models/m.onnx.part").exists());
}

#[test]
fn not_found_is_a_clear_error() {
    let server = Server::start(Fault::NotFound);
    let url = server.url("/missing.onnx");
    let dir = setup(&entry(
        "mdx-test",
        &format!("url = \"{url}\"\nsha256 = \"{}\"", sha256()),
    ));
    let o = stemset(dir.path(), &["models", "pull", "mdx-test"]);
    assert!(!o.status.success(), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(err.contains(&url) && err.contains("404"), "{err}");
    assert_eq!(server.seen().len(), 1, "a 404 is not retried");
    assert!(!dir.path().join("models/missing.onnx").exists());
}

#[test]
fn model_hash_verifies_a_download_without_sha256() {
    let server = Server::start(Fault::None);
    let scratch = tempfile::tempdir().expect("tempdir");
    let copy = scratch.path().join("payload");
    std::fs::write(&copy, payload()).expect("write");
    let model_hash = hashing::model_hash(&copy).expect("model hash");
    let dir = setup(&entry(
        "mdx-test",
        &format!(
            "url = \"{}\"\nmodel_hash = \"{model_hash}\"",
            server.url("/m.onnx")
        ),
    ));
    let o = stemset(dir.path(), &["models", "pull", "mdx-test"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("model_hash verified"), "{}", text(&o));
    assert_installed(&dir.path().join("models/m.onnx"));

    // A wrong model_hash is a mismatch like a wrong sha256.
    let bad = setup(&entry(
        "mdx-test",
        &format!(
            "url = \"{}\"\nmodel_hash = \"{}\"",
            server.url("/m.onnx"),
            "0".repeat(32)
        ),
    ));
    let o = stemset(bad.path(), &["models", "pull", "mdx-test"]);
    assert!(!o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("model_hash mismatch"), "{}", text(&o));
    assert!(text(&o).contains(&model_hash), "{}", text(&o));
    assert!(!bad.path().join("models/m.onnx.part").exists());
}

#[test]
fn no_checksum_is_refused_unless_no_verify() {
    let server = Server::start(Fault::None);
    let dir = setup(&entry(
        "mdx-test",
        &format!("url = \"{}\"", server.url("/m.onnx")),
    ));
    let o = stemset(dir.path(), &["models", "pull", "mdx-test"]);
    assert!(!o.status.success(), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(err.contains("cannot be verified"), "{err}");
    assert!(err.contains(&sha256()), "the sha256 to pin: {err}");
    assert!(err.contains("--no-verify"), "{err}");
    assert!(!dir.path().join("models/m.onnx").exists());

    // The refused download was kept: --no-verify installs it without downloading again
    // (its range past the end gets 416 with the same length).
    let o = stemset(dir.path(), &["models", "pull", "mdx-test", "--no-verify"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("not verified"), "{}", text(&o));
    assert!(text(&o).contains(&sha256()), "{}", text(&o));
    assert_installed(&dir.path().join("models/m.onnx"));
    let seen = server.seen();
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert_eq!(seen[1].range, Some(PAYLOAD_LEN as u64));
}

#[test]
fn unknown_models_and_entries_without_url_are_clear_errors() {
    let dir = setup(&format!(
        "{}{}",
        entry(
            "mdx-remote",
            &format!(
                "url = \"http://127.0.0.1:9/m.onnx\"\nsha256 = \"{}\"",
                sha256()
            )
        ),
        entry("mdx-local", "file = \"local.onnx\""),
    ));
    let o = stemset(dir.path(), &["models", "pull", "nope"]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(
        err.contains("unknown model \"nope\"") && err.contains("models with a url: mdx-remote"),
        "{err}"
    );

    let o = stemset(dir.path(), &["models", "pull", "mdx-local"]);
    assert!(!o.status.success());
    assert!(text(&o).contains("has no url"), "{}", text(&o));

    let o = stemset(dir.path(), &["models", "pull", "dsp-hpss"]);
    assert!(!o.status.success());
    assert!(text(&o).contains("built in"), "{}", text(&o));

    let o = stemset(dir.path(), &["models", "list"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("missing ("), "{}", text(&o));
}

#[test]
fn https_failures_are_errors_not_panics() {
    // TLS to a plain HTTP server that answers the ClientHello with an HTTP error: the
    // handshake fails (and is not retried).
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!(
        "https://{}/m.onnx",
        listener.local_addr().expect("local address")
    );
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut hello = [0u8; 512];
            let _ = std::io::Read::read(&mut stream, &mut hello);
            let _ = stream.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
        }
    });
    let dir = setup(&entry(
        "mdx-test",
        &format!("url = \"{url}\"\nsha256 = \"{}\"", sha256()),
    ));
    let started = Instant::now();
    let o = stemset(dir.path(), &["models", "pull", "mdx-test"]);
    assert!(!o.status.success(), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.contains("error:") && err.contains(&url), "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "a TLS failure is not retried: {err}"
    );

    // Connection refused: retried, then a clear error.
    let dir = setup(&entry(
        "mdx-test",
        &format!(
            "url = \"https://127.0.0.1:1/m.onnx\"\nsha256 = \"{}\"",
            sha256()
        ),
    ));
    let o = stemset(dir.path(), &["models", "pull", "mdx-test"]);
    assert!(!o.status.success(), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.contains("failed after 4 attempts"), "{err}");
    assert!(err.to_ascii_lowercase().contains("refused"), "{err}");
}

#[cfg(unix)]
#[test]
fn ctrl_c_keeps_the_part_file_for_a_resume() {
    let server = Server::start(Fault::StallFirstAfter(120_000));
    let dir = setup(&entry(
        "mdx-test",
        &format!(
            "url = \"{}\"\nsha256 = \"{}\"",
            server.url("/m.onnx"),
            sha256()
        ),
    ));
    let part = dir.path().join("models/m.onnx.part");
    let child = Command::new(env!("CARGO_BIN_EXE_stemset"))
        .args(["--config", "config.yaml", "models", "pull", "mdx-test"])
        .current_dir(dir.path())
        .env_remove("STEMSET_CONFIG")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn stemset");
    let deadline = Instant::now() + Duration::from_secs(5);
    while std::fs::metadata(&part).map_or(0, |m| m.len()) < 120_000 {
        assert!(Instant::now() < deadline, "the download did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(kill.success());
    let o = child.wait_with_output().expect("wait");
    assert_eq!(o.status.code(), Some(130), "{}", text(&o));
    assert!(text(&o).contains("interrupted"), "{}", text(&o));
    assert_eq!(std::fs::metadata(&part).expect(".part kept").len(), 120_000);

    let o = stemset(dir.path(), &["models", "pull", "mdx-test"]);
    assert!(o.status.success(), "{}", text(&o));
    assert_installed(&dir.path().join("models/m.onnx"));
    assert_eq!(server.seen()[1].range, Some(120_000));
}

#[test]
fn a_bag_pulls_all_its_files_checked_against_short_digests() {
    let server = Server::start(Fault::None);
    let short = &sha256()[..8];
    let bag = format!(
        "[models.bag-test]\nbackend = \"onnx\"\narchitecture = \"demucs\"\n\
         slots = [\"drums\", \"bass\", \"other\", \"vocals\"]\n\
         url = \"{}\"\nsha256 = \"{short}\"\n\
         extra_files = [{{ url = \"{}\", sha256 = \"{short}\" }}, {{ url = \"{}\" , sha256 = \"{}\" }}]\n\
         params = {{ bag = [\"b-2.th\", \"c-3.th\"] }}\n",
        server.url("/hybrid/a-1.th"),
        server.url("/hybrid/b-2.th"),
        server.url("/hybrid/c-3.th"),
        sha256(),
    );
    let dir = setup(&bag);
    let o = stemset(dir.path(), &["models", "pull", "bag-test"]);
    assert!(o.status.success(), "{}", text(&o));
    for f in ["a-1.th", "b-2.th", "c-3.th"] {
        assert_installed(&dir.path().join("models").join(f));
    }
    assert_eq!(
        text(&o).matches("sha256 verified").count(),
        3,
        "{}",
        text(&o)
    );
    let o = stemset(dir.path(), &["models", "list"]);
    assert!(text(&o).contains("installed ("), "{}", text(&o));

    // One file of the bag gone: the entry is missing again, and says which file.
    std::fs::remove_file(dir.path().join("models/c-3.th")).expect("remove");
    let o = stemset(dir.path(), &["models", "list"]);
    assert!(
        text(&o).contains("c-3.th") && text(&o).contains("missing"),
        "{}",
        text(&o)
    );

    // A short digest that does not match the start of the SHA-256 fails the download.
    let wrong = setup(&bag.replace(
        &format!("sha256 = \"{short}\" }}"),
        "sha256 = \"00000000\" }",
    ));
    let o = stemset(wrong.path(), &["models", "pull", "bag-test"]);
    assert!(!o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("sha256 mismatch"), "{}", text(&o));
    assert!(!wrong.path().join("models/b-2.th").exists());

    // Too short a digest is a catalog error.
    let bad = setup(&bag.replace(&format!("sha256 = \"{short}\"\n"), "sha256 = \"1234\"\n"));
    let o = stemset(bad.path(), &["models", "list"]);
    assert!(!o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("first 8 or more"), "{}", text(&o));
}

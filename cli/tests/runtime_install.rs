//! `stemset runtime install` against a local HTTP server serving a wheel the test builds
//! around the real ONNX Runtime library (the one the other tests use): downloaded,
//! checked, extracted into STEMSET_DATA_DIR, loaded, and then found by another command
//! with no ORT_DYLIB_PATH.

mod common;

use common::{stemset, text};

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use stemset_audio::hashing;

/// The library the test environment points at (ORT_DYLIB_PATH, as scripts/test.sh sets
/// it, or the project's .venv-ml).
fn real_library() -> PathBuf {
    if let Some(p) = std::env::var_os("ORT_DYLIB_PATH").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let lib = std::fs::read_dir(root.join(".venv-ml/lib"))
        .ok()
        .and_then(|mut d| d.next())
        .and_then(|e| e.ok())
        .map(|e| {
            e.path()
                .join("site-packages/onnxruntime/capi/libonnxruntime.so.1.31.1")
        });
    lib.filter(|p| p.is_file())
        .expect("ONNX Runtime: set ORT_DYLIB_PATH or run scripts/setup.sh (.venv-ml)")
}

/// A wheel: the library under onnxruntime/capi, plus what must not be installed.
fn build_wheel(path: &Path, library: Option<&Path>) {
    let file = std::fs::File::create(path).expect("wheel");
    let mut zip = zip::ZipWriter::new(file);
    let opts =
        zip::write::FileOptions::default().compression_method(zip::CompressionMethod::Stored);
    if let Some(lib) = library {
        zip.start_file("onnxruntime/capi/libonnxruntime.so.1.31.1", opts)
            .expect("entry");
        zip.write_all(&std::fs::read(lib).expect("library"))
            .expect("write");
    }
    zip.start_file(
        "onnxruntime/capi/onnxruntime_pybind11_state.cpython-312-x86_64-linux-gnu.so",
        opts,
    )
    .expect("entry");
    zip.write_all(b"python bindings, not installed")
        .expect("write");
    zip.start_file("onnxruntime-1.31.1.dist-info/METADATA", opts)
        .expect("entry");
    zip.write_all(b"Name: onnxruntime\nVersion: 1.31.1\n")
        .expect("write");
    zip.finish().expect("finish");
}

/// Serves `body` to every GET (HTTP/1.1, one request per connection).
fn serve(body: Vec<u8>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            respond(stream, &body);
        }
    });
    base
}

fn respond(mut stream: TcpStream, body: &[u8]) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut line = String::new();
    while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
        line.clear();
    }
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nContent-Type: application/zip\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
}

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stemset"))
        .args(["--config", "config.yaml"])
        .args(args)
        .current_dir(dir)
        .env("STEMSET_DATA_DIR", dir.join("data"))
        .env("HOME", dir.join("home"))
        .env_remove("ORT_DYLIB_PATH")
        .env_remove("VIRTUAL_ENV")
        .env_remove("RUST_LOG")
        .output()
        .expect("run stemset")
}

#[test]
fn a_wheel_is_installed_checked_and_found_by_every_command() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let wheel = d.join("onnxruntime-1.31.1-cp312-cp312-manylinux_2_28_x86_64.whl");
    build_wheel(&wheel, Some(&real_library()));
    let bytes = std::fs::read(&wheel).expect("wheel");
    let sha = hashing::sha256_bytes(&bytes);
    let url = format!(
        "{}/packages/ab/{}",
        serve(bytes),
        wheel
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
    );

    let o = run(d, &["runtime", "install", "--from", &url, "--sha256", &sha]);
    assert!(o.status.success(), "{}", text(&o));
    let installed = d.join("data/onnxruntime/1.31.1");
    let lib = installed.join("libonnxruntime.so.1.31.1");
    assert!(lib.is_file(), "{}", text(&o));
    assert!(text(&o).contains("loads"), "{}", text(&o));
    // Only the runtime's own libraries: no Python bindings, no metadata, no wheel kept.
    let names: Vec<String> = std::fs::read_dir(&installed)
        .expect("installed")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    assert_eq!(names, ["libonnxruntime.so.1.31.1"]);
    let downloads: Vec<_> = std::fs::read_dir(d.join("data/onnxruntime/downloads"))
        .expect("downloads")
        .collect();
    assert!(downloads.is_empty(), "{downloads:?}");

    let o = run(d, &["runtime", "install", "--from", &url, "--sha256", &sha]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("already installed"), "{}", text(&o));

    // Another command finds it with no ORT_DYLIB_PATH and no virtualenv around.
    let model = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../backends/onnx/tests/fixtures/models/mdx_gain.onnx");
    std::fs::write(
        d.join("plugins.toml"),
        format!(
            "[models.test-mdx]\nbackend = \"onnx\"\narchitecture = \"mdx\"\nfile = \"{}\"\n\
             slots = [\"vocals\", \"instrumental\"]\n\
             params = {{ n_fft = 2048, compensate = 1.0, primary_stem = \"Vocals\" }}\n",
            model.display()
        ),
    )
    .expect("plugins");
    std::fs::write(
        d.join("config.yaml"),
        "strategies:\n  ai:\n    _: test-mdx\n    vocals: vocals\n    instrumental: other\n\
         profiles:\n  band:\n    source: ./recordings\n    strategy: ai\n\
         storage:\n  kind: local\n  path: ./media\n\
         database:\n  url: sqlite://./stemset.sqlite\nplugins: plugins.toml\n",
    )
    .expect("config");
    std::fs::create_dir_all(d.join("recordings")).expect("recordings");
    let o = run(d, &["doctor", "--json"]);
    let report: Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("no JSON ({e}): {}", text(&o)));
    let runtime = report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|f| f["check"] == "backend onnx: runtime")
        .unwrap_or_else(|| panic!("{report:#}"));
    assert_eq!(runtime["health"], "ok", "{runtime}");
    let found = runtime["found"].as_str().unwrap_or_default();
    assert!(found.contains(&lib.display().to_string()), "{found}");
}

#[test]
fn a_wrong_digest_or_a_foreign_wheel_installs_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let wheel = d.join("onnxruntime-1.31.1-cp312-cp312-manylinux_2_28_x86_64.whl");
    build_wheel(&wheel, None);
    let bytes = std::fs::read(&wheel).expect("wheel");
    let sha = hashing::sha256_bytes(&bytes);
    let url = format!(
        "{}/w/onnxruntime-1.31.1-cp312-cp312-manylinux_2_28_x86_64.whl",
        serve(bytes)
    );

    let wrong = "0".repeat(64);
    let o = run(
        d,
        &["runtime", "install", "--from", &url, "--sha256", &wrong],
    );
    assert!(!o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("sha256 mismatch"), "{}", text(&o));
    assert!(!d.join("data/onnxruntime/1.31.1").exists());

    // The right digest of a wheel without the library: refused, nothing left behind.
    let o = run(d, &["runtime", "install", "--from", &url, "--sha256", &sha]);
    assert!(!o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("not an onnxruntime wheel"),
        "{}",
        text(&o)
    );
    assert!(!d.join("data/onnxruntime/1.31.1").exists());
    assert!(!d.join("data/onnxruntime/1.31.1.partial").exists());

    let o = stemset(d, &["runtime", "install", "--from", &url]);
    assert!(!o.status.success(), "--from needs --sha256: {}", text(&o));
    assert!(text(&o).contains("--sha256"), "{}", text(&o));
}

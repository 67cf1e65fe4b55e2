//! `stemset models pull`: fetch a catalog model file over HTTP(S).
//!
//! The bytes stream into `<file>.part`. An interrupted download (lost connection, Ctrl-C)
//! keeps the `.part` file and the next attempt asks for the rest with `Range: bytes=N-`.
//! Connection errors and 5xx answers are retried with backoff. Only a download that
//! matches the catalog's `sha256` (or UVR `model_hash`) is renamed to `file`; a mismatch
//! deletes the `.part` file.

use std::error::Error as _;
use std::ffi::OsString;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow, bail};
use futures::StreamExt;
use indicatif::{HumanBytes, ProgressBar, ProgressDrawTarget};

use crate::progress::bar_style;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_RANGE, RANGE};
use stemset_audio::hashing;
use stemset_sdk::settings::{ExtraFile, ModelSpec};
use tokio::io::AsyncWriteExt;

/// Consecutive failed attempts (without new bytes) before giving up.
const ATTEMPTS: u32 = 4;
/// Wait before the first retry; doubled for each further one.
const FIRST_BACKOFF: Duration = Duration::from_millis(500);

#[derive(Debug, Clone, Copy, Default)]
pub struct PullOptions {
    /// Download again even when the installed file verifies.
    pub force: bool,
    /// Install without checking the download against the catalog's checksum.
    pub no_verify: bool,
}

/// How an installed file was checked.
#[derive(Debug, Clone)]
pub enum Check {
    /// It matches the catalog's digest of this kind (`sha256` or `model_hash`).
    Verified(&'static str),
    /// Not checked (`--no-verify`); its SHA-256, for pinning in plugins.toml.
    Unverified { sha256: String },
    /// An existing file, not checked: no digest in the catalog or `--no-verify`.
    NotChecked,
}

#[derive(Debug)]
pub enum Pulled {
    Installed {
        path: PathBuf,
        bytes: u64,
        elapsed: Duration,
        check: Check,
    },
    AlreadyInstalled {
        path: PathBuf,
        check: Check,
    },
    /// Ctrl-C: the `.part` file is kept for a later resume.
    Interrupted {
        part: PathBuf,
        bytes: u64,
    },
}

/// `<file>.part`, beside the file.
pub fn part_path(file: &Path) -> PathBuf {
    let mut name = OsString::from(file.as_os_str());
    name.push(".part");
    PathBuf::from(name)
}

/// Downloads `url` to `file` for the catalog entry `spec` (see the module docs).
pub async fn pull(
    spec: &ModelSpec,
    url: &str,
    file: &Path,
    options: PullOptions,
) -> anyhow::Result<Pulled> {
    pull_checked(&spec.name, Expected::of(spec), url, file, options).await
}

/// Downloads one of the entry's `extra_files`.
pub async fn pull_extra(
    spec: &ModelSpec,
    extra: &ExtraFile,
    options: PullOptions,
) -> anyhow::Result<Pulled> {
    let expected = extra.sha256.as_ref().map(|d| Expected {
        kind: Kind::Sha256,
        digest: d.clone(),
    });
    pull_checked(&spec.name, expected, &extra.url, &extra.file, options).await
}

/// Downloads `url` to `file`, checked against `sha256` (a whole digest or its start):
/// for files that are not catalog entries (`stemset runtime install`'s wheels).
pub async fn pull_sha256(
    name: &str,
    sha256: &str,
    url: &str,
    file: &Path,
    options: PullOptions,
) -> anyhow::Result<Pulled> {
    let expected = Expected {
        kind: Kind::Sha256,
        digest: sha256.to_ascii_lowercase(),
    };
    pull_checked(name, Some(expected), url, file, options).await
}

async fn pull_checked(
    name: &str,
    expected: Option<Expected>,
    url: &str,
    file: &Path,
    options: PullOptions,
) -> anyhow::Result<Pulled> {
    if file.is_file() && !options.force {
        match &expected {
            Some(exp) if !options.no_verify => {
                let actual = exp.compute(file).await?;
                if exp.matches(&actual) {
                    return Ok(Pulled::AlreadyInstalled {
                        path: file.to_path_buf(),
                        check: Check::Verified(exp.kind.label()),
                    });
                }
                eprintln!(
                    "{name}: {} does not match the catalog ({} {actual}, expected {}); downloading it again",
                    file.display(),
                    exp.kind.label(),
                    exp.digest
                );
            }
            _ => {
                return Ok(Pulled::AlreadyInstalled {
                    path: file.to_path_buf(),
                    check: Check::NotChecked,
                });
            }
        }
    }

    if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
        tokio::fs::create_dir_all(dir)
            .await
            .with_context(|| format!("cannot create the folder {}", dir.display()))?;
    }
    let part = part_path(file);
    let client = reqwest::Client::builder()
        .user_agent(concat!("stemset/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(30))
        .read_timeout(Duration::from_secs(60))
        .build()
        .context("cannot set up the HTTP client")?;
    let bar = download_bar(name);
    let mut interrupt = Interrupt::install();
    let started = Instant::now();

    eprintln!("{name}: downloading {url} to {}", file.display());
    let mut failures = 0u32;
    let mut restarts = 0u32;
    loop {
        let before = file_len(&part).await;
        let error = match fetch(&client, url, &part, &bar, &mut interrupt).await {
            Ok(Fetched::Complete) => break,
            // A restart drops the range, so a sane server cannot ask for a second one.
            Ok(Fetched::Restart) if restarts < 2 => {
                restarts += 1;
                continue;
            }
            Ok(Fetched::Restart) => {
                bar.abandon();
                bail!(
                    "model \"{name}\": {url} keeps answering with a range that was not asked for"
                );
            }
            Ok(Fetched::Interrupted) => return interrupted(&bar, part).await,
            Err(FetchError::Fatal(e)) => {
                bar.abandon();
                return Err(e.context(format!("model \"{name}\": download failed")));
            }
            Err(FetchError::Transient(e)) => e,
        };
        // An attempt that brought new bytes starts the count (and the backoff) afresh.
        let now = file_len(&part).await;
        failures = if now > before { 1 } else { failures + 1 };
        if failures >= ATTEMPTS {
            bar.abandon();
            let kept = if now > 0 {
                format!(
                    "; {} kept in {} for the next attempt",
                    HumanBytes(now),
                    part.display()
                )
            } else {
                String::new()
            };
            return Err(error.context(format!(
                "model \"{name}\": download failed after {failures} attempts{kept}"
            )));
        }
        let delay = FIRST_BACKOFF * 2u32.pow(failures - 1);
        bar.suspend(|| {
            eprintln!(
                "{name}: {error:#}; retrying in {:.1} s (attempt {} of {ATTEMPTS})",
                delay.as_secs_f32(),
                failures + 1
            )
        });
        tokio::select! {
            () = tokio::time::sleep(delay) => {}
            () = interrupt.wait() => return interrupted(&bar, part).await,
        }
    }
    bar.finish_and_clear();
    let bytes = file_len(&part).await;

    let check = if options.no_verify {
        Check::Unverified {
            sha256: Kind::Sha256.compute(&part).await?,
        }
    } else if let Some(exp) = &expected {
        let actual = exp.compute(&part).await?;
        if !exp.matches(&actual) {
            let removed = match tokio::fs::remove_file(&part).await {
                Ok(()) => "the download was deleted".to_string(),
                Err(e) => format!("could not delete {}: {e}", part.display()),
            };
            bail!(
                "model \"{name}\": {} mismatch: expected {}, got {actual} (downloaded from {url}); {removed}",
                exp.kind.label(),
                exp.digest
            );
        }
        Check::Verified(exp.kind.label())
    } else {
        let sha256 = Kind::Sha256.compute(&part).await?;
        bail!(
            "model \"{name}\" has no sha256 or model_hash in plugins.toml, so the download \
             cannot be verified; its sha256 is {sha256}. If you trust {url}, add \
             `sha256 = \"{sha256}\"` to [models.{name}] and run the command again (the \
             download is kept in {}), or pass --no-verify",
            part.display()
        );
    };

    tokio::fs::rename(&part, file)
        .await
        .with_context(|| format!("cannot move {} to {}", part.display(), file.display()))?;
    Ok(Pulled::Installed {
        path: file.to_path_buf(),
        bytes,
        elapsed: started.elapsed(),
        check,
    })
}

async fn interrupted(bar: &ProgressBar, part: PathBuf) -> anyhow::Result<Pulled> {
    bar.abandon();
    let bytes = file_len(&part).await;
    Ok(Pulled::Interrupted { part, bytes })
}

async fn file_len(path: &Path) -> u64 {
    tokio::fs::metadata(path).await.map_or(0, |m| m.len())
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    Sha256,
    ModelHash,
}

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::Sha256 => "sha256",
            Kind::ModelHash => "model_hash",
        }
    }

    /// Hashes the file on the blocking pool (model files run to gigabytes).
    async fn compute(self, path: &Path) -> anyhow::Result<String> {
        let owned = path.to_path_buf();
        let digest = tokio::task::spawn_blocking(move || match self {
            Kind::Sha256 => hashing::sha256_file(&owned).map(|(hex, _)| hex),
            Kind::ModelHash => hashing::model_hash(&owned),
        })
        .await
        .context("the hashing task failed")?;
        digest.with_context(|| format!("cannot read {}", path.display()))
    }
}

/// An installed file against the catalog's digest (`stemset doctor`).
pub enum Verification {
    /// The entry has neither `sha256` nor `model_hash`.
    NoDigest,
    Matches(&'static str),
    Differs {
        kind: &'static str,
        actual: String,
        expected: String,
    },
}

/// Hashes `file` as the catalog entry `spec` says (`sha256`, else `model_hash`).
pub async fn verify(spec: &ModelSpec, file: &Path) -> anyhow::Result<Verification> {
    let Some(exp) = Expected::of(spec) else {
        return Ok(Verification::NoDigest);
    };
    let actual = exp.compute(file).await?;
    Ok(if exp.matches(&actual) {
        Verification::Matches(exp.kind.label())
    } else {
        Verification::Differs {
            kind: exp.kind.label(),
            actual,
            expected: exp.digest,
        }
    })
}

/// The catalog's digest for the entry: `sha256` when given, else `model_hash`.
struct Expected {
    kind: Kind,
    digest: String,
}

impl Expected {
    fn of(spec: &ModelSpec) -> Option<Self> {
        let (kind, digest) = match (&spec.sha256, &spec.model_hash) {
            (Some(d), _) => (Kind::Sha256, d),
            (None, Some(d)) => (Kind::ModelHash, d),
            (None, None) => return None,
        };
        Some(Self {
            kind,
            digest: digest.to_ascii_lowercase(),
        })
    }

    async fn compute(&self, path: &Path) -> anyhow::Result<String> {
        self.kind.compute(path).await
    }

    /// A `sha256` may be given as the digest's first digits only (as Demucs does).
    fn matches(&self, actual: &str) -> bool {
        actual.starts_with(&self.digest)
    }
}

enum Fetched {
    /// The `.part` file holds the whole resource.
    Complete,
    /// The `.part` file was discarded; start over without a range.
    Restart,
    Interrupted,
}

enum FetchError {
    /// Worth another attempt: connection errors, cut transfers, 5xx.
    Transient(anyhow::Error),
    Fatal(anyhow::Error),
}

/// One request: asks for the bytes after what `.part` holds and appends them.
async fn fetch(
    client: &reqwest::Client,
    url: &str,
    part: &Path,
    bar: &ProgressBar,
    interrupt: &mut Interrupt,
) -> Result<Fetched, FetchError> {
    let offset = file_len(part).await;
    let mut request = client.get(url);
    if offset > 0 {
        request = request.header(RANGE, format!("bytes={offset}-"));
    }
    tracing::debug!(url, offset, "GET");
    let response = tokio::select! {
        r = request.send() => r.map_err(|e| transport_error(url, e))?,
        () = interrupt.wait() => return Ok(Fetched::Interrupted),
    };
    let status = response.status();
    let content_range = response
        .headers()
        .get(CONTENT_RANGE)
        .and_then(|v| v.to_str().ok())
        .and_then(ContentRange::parse);
    tracing::debug!(%status, ?content_range, length = ?response.content_length(), "response");

    let (start, total) = match status {
        StatusCode::PARTIAL_CONTENT => match content_range {
            Some(ContentRange::Bytes { start, total }) if start == offset || start == 0 => {
                (start, total)
            }
            _ => {
                tracing::debug!(?content_range, offset, "unexpected range; restarting");
                discard(part).await?;
                return Ok(Fetched::Restart);
            }
        },
        StatusCode::OK => {
            if offset > 0 {
                tracing::debug!("the server ignored the range; restarting from the start");
            }
            (0, response.content_length())
        }
        StatusCode::RANGE_NOT_SATISFIABLE if offset > 0 => {
            // The .part file may already be complete (e.g. a download that was refused
            // for lack of a checksum); anything else is stale.
            if content_range == Some(ContentRange::Unsatisfied { total: offset }) {
                return Ok(Fetched::Complete);
            }
            tracing::debug!(?content_range, offset, "range not satisfiable; restarting");
            discard(part).await?;
            return Ok(Fetched::Restart);
        }
        s if s.is_server_error()
            || s == StatusCode::TOO_MANY_REQUESTS
            || s == StatusCode::REQUEST_TIMEOUT =>
        {
            return Err(FetchError::Transient(anyhow!("{url} answered HTTP {s}")));
        }
        s => return Err(FetchError::Fatal(anyhow!("{url} answered HTTP {s}"))),
    };
    if start > 0 {
        // (the prefix is read before `suspend`, which holds the bar's lock)
        let name = bar.prefix();
        bar.suspend(|| eprintln!("{name}: resuming after {}", HumanBytes(start)));
    }

    let opened = if start > 0 {
        tokio::fs::OpenOptions::new().append(true).open(part).await
    } else {
        tokio::fs::File::create(part).await
    };
    let mut out = opened
        .with_context(|| format!("cannot write {}", part.display()))
        .map_err(FetchError::Fatal)?;

    match total {
        Some(len) => {
            bar.set_style(bar_style(
                "{prefix:.bold} [{bar:30}] {bytes}/{total_bytes}  {bytes_per_sec}  ETA {eta}",
            ));
            bar.set_length(len);
        }
        None => {
            bar.set_style(bar_style(
                "{prefix:.bold} {spinner} {bytes}  {bytes_per_sec}",
            ));
            bar.unset_length();
        }
    }
    bar.set_position(start);
    bar.reset_eta();

    let mut received = start;
    let mut stream = response.bytes_stream();
    let streamed = loop {
        let next = tokio::select! {
            n = stream.next() => n,
            () = interrupt.wait() => break Ok(Fetched::Interrupted),
        };
        match next {
            Some(Ok(chunk)) => {
                if let Err(e) = out.write_all(&chunk).await {
                    break Err(FetchError::Fatal(
                        anyhow!(e).context(format!("cannot write {}", part.display())),
                    ));
                }
                received += chunk.len() as u64;
                bar.set_position(received);
            }
            Some(Err(e)) => {
                break Err(FetchError::Transient(anyhow!(
                    "connection lost after {}{}: {}",
                    HumanBytes(received),
                    of_total(total),
                    chain(&e.without_url())
                )));
            }
            None if total.is_some_and(|t| received < t) => {
                break Err(FetchError::Transient(anyhow!(
                    "connection closed after {}{}",
                    HumanBytes(received),
                    of_total(total)
                )));
            }
            None => break Ok(Fetched::Complete),
        }
    };
    // tokio writes in the background: wait for them, whatever happened, so that the next
    // attempt sees the true length of the .part file.
    let flushed = match out.flush().await {
        Ok(()) => out.sync_all().await,
        Err(e) => Err(e),
    };
    tracing::debug!(received, "transfer ended");
    let fetched = streamed?;
    flushed
        .with_context(|| format!("cannot write {}", part.display()))
        .map_err(FetchError::Fatal)?;
    Ok(fetched)
}

async fn discard(part: &Path) -> Result<(), FetchError> {
    match tokio::fs::remove_file(part).await {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(FetchError::Fatal(
            anyhow!(e).context(format!("cannot delete {}", part.display())),
        )),
        _ => Ok(()),
    }
}

fn of_total(total: Option<u64>) -> String {
    total.map_or(String::new(), |t| format!(" of {}", HumanBytes(t)))
}

/// A request that got no answer. TLS failures (certificates, protocol) are final;
/// everything else network-shaped is worth another try.
fn transport_error(url: &str, e: reqwest::Error) -> FetchError {
    let fatal = e.is_builder() || e.is_redirect() || is_tls(&e);
    let message = anyhow!("{url}: {}", chain(&e.without_url()));
    if fatal {
        FetchError::Fatal(message)
    } else {
        FetchError::Transient(message)
    }
}

fn is_tls(e: &reqwest::Error) -> bool {
    // rustls errors reach us as io::Error(InvalidData), possibly inside another io::Error.
    fn invalid_data(io: &std::io::Error) -> bool {
        io.kind() == std::io::ErrorKind::InvalidData
            || io
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<std::io::Error>())
                .is_some_and(invalid_data)
    }
    let mut source = e.source();
    while let Some(s) = source {
        if s.downcast_ref::<std::io::Error>().is_some_and(invalid_data) {
            return true;
        }
        source = s.source();
    }
    false
}

/// An error and its causes on one line, without repeats.
fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = vec![e.to_string()];
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if parts.last().is_none_or(|p| !p.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    parts.join(": ")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ContentRange {
    /// `bytes START-END/TOTAL` (TOTAL may be `*`).
    Bytes { start: u64, total: Option<u64> },
    /// `bytes */TOTAL`, the answer to a range past the end.
    Unsatisfied { total: u64 },
}

impl ContentRange {
    fn parse(value: &str) -> Option<Self> {
        let rest = value.trim().strip_prefix("bytes")?.trim_start();
        let (range, total) = rest.split_once('/')?;
        let total = total.trim();
        if range.trim() == "*" {
            return Some(ContentRange::Unsatisfied {
                total: total.parse().ok()?,
            });
        }
        let (start, _end) = range.trim().split_once('-')?;
        Some(ContentRange::Bytes {
            start: start.trim().parse().ok()?,
            total: if total == "*" {
                None
            } else {
                Some(total.parse().ok()?)
            },
        })
    }
}

/// Ctrl-C, seen by every await of the download (a watch keeps the signal once sent).
struct Interrupt(tokio::sync::watch::Receiver<bool>);

impl Interrupt {
    fn install() -> Self {
        let (tx, rx) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                let _ = tx.send(true);
            }
        });
        Self(rx)
    }

    async fn wait(&mut self) {
        if self.0.wait_for(|stop| *stop).await.is_err() {
            // No Ctrl-C handler could be installed: never interrupted.
            std::future::pending::<()>().await;
        }
    }
}

/// Bytes, rate and ETA on stderr; hidden when stderr is not a terminal.
fn download_bar(name: &str) -> ProgressBar {
    let bar = ProgressBar::no_length();
    if !std::io::stderr().is_terminal() {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    bar.set_style(bar_style("{prefix:.bold} {spinner} {bytes}"));
    bar.set_prefix(name.to_string());
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_range() {
        assert_eq!(
            ContentRange::parse("bytes 100-299/300"),
            Some(ContentRange::Bytes {
                start: 100,
                total: Some(300)
            })
        );
        assert_eq!(
            ContentRange::parse("bytes 0-9/*"),
            Some(ContentRange::Bytes {
                start: 0,
                total: None
            })
        );
        assert_eq!(
            ContentRange::parse("bytes */300"),
            Some(ContentRange::Unsatisfied { total: 300 })
        );
        assert_eq!(ContentRange::parse("items 0-1/2"), None);
        assert_eq!(ContentRange::parse("bytes x-1/2"), None);
    }

    #[test]
    fn part_file_is_beside_the_file() {
        assert_eq!(
            part_path(Path::new("models/a.onnx")),
            PathBuf::from("models/a.onnx.part")
        );
    }
}

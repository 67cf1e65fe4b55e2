//! Storage: a local folder that takes a file, or a bucket that takes a put/get/delete, and
//! (S3 with `presign_media`) hands out a presigned URL that works and that the bucket's
//! CORS rule lets the web app's origin read. The probe is removed again.

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use stemset_core::config::Config;
use stemset_core::storage::{S3Config, Storage, StorageConfig};
use stemset_sdk::diagnosis::Finding;
use stemset_server::settings::ServerSettings;

const CHECK: &str = "storage";

/// A name no real file or object has.
fn probe_name() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!(".stemset-doctor-{}-{nanos}", std::process::id())
}

/// Whether `path` (a file or folder that does not exist yet) could be created: probes
/// the nearest folder above it that exists.
pub fn probe_creatable(path: &Path) -> Result<(), String> {
    let parent = path
        .ancestors()
        .skip(1)
        .find(|p| p.is_dir())
        .unwrap_or(Path::new("."));
    probe_folder(parent).map_err(|e| format!("{} is not writable: {e}", parent.display()))
}

/// Writes, reads back and removes a probe file in `dir`.
pub fn probe_folder(dir: &Path) -> Result<(), String> {
    let path = dir.join(probe_name());
    let content = b"stemset doctor probe";
    std::fs::write(&path, content).map_err(|e| e.to_string())?;
    let back = std::fs::read(&path);
    let removed = std::fs::remove_file(&path);
    match (back, removed) {
        (Ok(b), Ok(())) if b == content => Ok(()),
        (Ok(_), Ok(())) => Err("a file written there reads back different".to_string()),
        (Err(e), _) => Err(format!("a file written there cannot be read: {e}")),
        (_, Err(e)) => Err(format!("a probe file cannot be removed: {e}")),
    }
}

/// `settings`: the server's sections (their defaults when invalid), for the app's origin.
pub async fn check(config: &Config, settings: &ServerSettings) -> Vec<Finding> {
    match &config.storage {
        StorageConfig::Local { path } => vec![local(path)],
        StorageConfig::S3(s3) => bucket(settings, s3).await,
    }
}

fn local(path: &Path) -> Finding {
    let shown = path.display();
    if !path.exists() {
        return match probe_creatable(path) {
            Ok(()) => Finding::warning(
                CHECK,
                format!("{shown} does not exist yet; it is created at first use"),
                format!("mkdir -p {shown}"),
            ),
            Err(e) => Finding::failure(
                CHECK,
                format!("{shown} does not exist and cannot be created: {e}"),
                "fix storage.path, or make its folder writable by this user",
            ),
        };
    }
    if !path.is_dir() {
        return Finding::failure(
            CHECK,
            format!("{shown} is not a folder"),
            "point storage.path at a folder",
        );
    }
    match probe_folder(path) {
        Ok(()) => Finding::ok(CHECK, format!("local folder {shown} is writable")),
        Err(e) => Finding::failure(
            CHECK,
            format!("local folder {shown} is not writable: {e}"),
            format!("make {shown} writable by this user (chown/chmod), or fix storage.path"),
        ),
    }
}

async fn bucket(settings: &ServerSettings, s3: &S3Config) -> Vec<Finding> {
    let place = format!(
        "bucket {} at {}",
        s3.bucket,
        s3.endpoint.as_deref().unwrap_or("AWS S3")
    );
    let storage = match Storage::s3(s3) {
        Ok(s) => s,
        Err(e) => {
            return vec![Finding::failure(
                CHECK,
                format!("{place}: {e}"),
                "fix the storage section of config.yaml",
            )];
        }
    };
    let key = format!("{}/probe", probe_name());
    let content = b"stemset doctor probe".to_vec();
    if let Err(e) = storage.put_bytes(&key, content.clone()).await {
        return vec![Finding::failure(
            CHECK,
            format!("{place}: cannot write an object: {e}"),
            "create the bucket, or fix storage.bucket / endpoint / the access keys (they need put, get, delete and list)",
        )];
    }
    let mut findings = Vec::new();
    let read = storage.get_bytes(&key).await;
    let presigned = presigned(settings, s3, &storage, &key, &content).await;
    let deleted = storage.delete(&key).await;
    findings.push(match (read, deleted) {
        (Ok(b), Ok(())) if b.as_ref() == content.as_slice() => {
            Finding::ok(CHECK, format!("{place}: put, get and delete work"))
        }
        (Ok(_), Ok(())) => Finding::failure(
            CHECK,
            format!("{place}: an object reads back different from what was written"),
            "check the endpoint: is it the bucket's service?",
        ),
        (Err(e), _) => Finding::failure(
            CHECK,
            format!("{place}: an object written cannot be read: {e}"),
            "give the access keys read (GetObject) permission",
        ),
        (_, Err(e)) => Finding::failure(
            CHECK,
            format!("{place}: the probe object {key} cannot be deleted: {e}"),
            "give the access keys delete (DeleteObject) permission, and delete the probe",
        ),
    });
    findings.extend(presigned);
    findings
}

/// The presigned URL of the probe answers with its bytes, and a browser on the app's
/// origin may read it (a CORS preflight as Chromium sends it for a media Range request).
async fn presigned(
    settings: &ServerSettings,
    s3: &S3Config,
    storage: &Storage,
    key: &str,
    content: &[u8],
) -> Vec<Finding> {
    if !s3.presign_media {
        return vec![Finding::ok(
            "storage: media",
            "presign_media is off: the server streams media itself",
        )];
    }
    let check = "storage: presigned URL";
    let url = match storage.presigned_get(key).await {
        Ok(Some(u)) => u,
        Ok(None) => return Vec::new(),
        Err(e) => {
            return vec![Finding::failure(
                check,
                format!("cannot presign a URL: {e}"),
                "fix the access keys, or set presign_media: false",
            )];
        }
    };
    let http = match reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(10))
        .build()
    {
        Ok(h) => h,
        Err(e) => {
            return vec![Finding::failure(
                check,
                format!("cannot set up the HTTP client: {e}"),
                "check the system's TLS certificates",
            )];
        }
    };
    let mut findings = Vec::new();
    match http.get(&url).send().await {
        Ok(r) if r.status().is_success() => match r.bytes().await {
            Ok(b) if b.as_ref() == content => {
                findings.push(Finding::ok(check, "a presigned URL serves the object"))
            }
            _ => findings.push(Finding::failure(
                check,
                "a presigned URL answers, with other bytes",
                "check storage.endpoint and path_style",
            )),
        },
        Ok(r) => findings.push(Finding::failure(
            check,
            format!("a presigned URL answered {}", r.status()),
            "check storage.region, endpoint and path_style, or set presign_media: false",
        )),
        Err(e) => findings.push(Finding::failure(
            check,
            format!("a presigned URL cannot be fetched: {e}"),
            "check that this machine (and the browsers) can reach storage.endpoint",
        )),
    }

    let origin = app_origin(settings);
    let preflight = http
        .request(reqwest::Method::OPTIONS, &url)
        .header("origin", &origin)
        .header("access-control-request-method", "GET")
        .header("access-control-request-headers", "range")
        .send()
        .await;
    let check = "storage: CORS";
    let rule = format!(
        "add a CORS rule to bucket {}: AllowedOrigins [\"{origin}\"], AllowedMethods [GET, HEAD], AllowedHeaders [\"range\"], ExposeHeaders [Content-Range, Content-Length, Accept-Ranges]; or set presign_media: false",
        s3.bucket
    );
    findings.push(match preflight {
        Ok(r) => {
            let header = |name: &str| {
                r.headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string)
            };
            let allowed = header("access-control-allow-origin");
            let methods = header("access-control-allow-methods").unwrap_or_default();
            let status = r.status();
            match allowed {
                // S3 and R2 answer a preflight that no rule matches with 403.
                Some(a) if status.is_success() && (a == origin || a == "*") && methods.contains("GET") => {
                    Finding::ok(
                        check,
                        format!("the bucket lets {origin} read media (Access-Control-Allow-Origin: {a})"),
                    )
                }
                Some(a) if status.is_success() && a != origin && a != "*" => Finding::failure(
                    check,
                    format!("the bucket allows {a}, not the app's origin {origin}: the player cannot play"),
                    rule,
                ),
                _ => Finding::failure(
                    check,
                    format!("no CORS rule of the bucket lets {origin} GET media (preflight answered {status}): the player cannot play"),
                    rule,
                ),
            }
        }
        Err(e) => Finding::failure(
            check,
            format!("the CORS preflight failed: {e}"),
            rule,
        ),
    });
    findings
}

/// Where browsers load the app from: `auth.public_url`, else the listen address.
fn app_origin(settings: &ServerSettings) -> String {
    match &settings.auth.public_url {
        Some(u) => {
            let u = u.trim_end_matches('/');
            // An origin is scheme://host[:port], without a path.
            match u.split_once("://") {
                Some((scheme, rest)) => {
                    format!("{scheme}://{}", rest.split('/').next().unwrap_or(rest))
                }
                None => u.to_string(),
            }
        }
        None => format!(
            "http://{}",
            settings.server.listen.replace("0.0.0.0", "localhost")
        ),
    }
}

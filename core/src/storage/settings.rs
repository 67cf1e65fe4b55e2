//! `storage`: a local folder or an S3-compatible bucket, as configured.

use std::path::PathBuf;

use serde::Deserialize;

use crate::secret::Secret;

#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum StorageConfig {
    /// A local directory (object_store's LocalFileSystem).
    Local { path: PathBuf },
    /// An S3-compatible bucket: AWS S3, Cloudflare R2, MinIO, ...
    S3(S3Config),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct S3Config {
    pub bucket: String,
    /// `auto` for R2; AWS regions otherwise.
    #[serde(default = "default_region")]
    pub region: String,
    /// The endpoint of a non-AWS service (R2: `https://<account>.r2.cloudflarestorage.com`).
    #[serde(default)]
    pub endpoint: Option<String>,
    pub access_key_id: Secret,
    pub secret_access_key: Secret,
    /// Allow a plain-http endpoint (a local MinIO or test server).
    #[serde(default)]
    pub allow_http: bool,
    /// Path-style URLs (`endpoint/bucket/key`); most non-AWS services want this.
    #[serde(default = "default_true")]
    pub path_style: bool,
    /// Media requests redirect to presigned URLs (the bucket serves the bytes; it needs a
    /// CORS rule for the web app's origin). `false`: the server streams them itself.
    #[serde(default = "default_true")]
    pub presign_media: bool,
    /// How long a presigned URL stays valid, in seconds.
    #[serde(default = "default_presign_seconds")]
    pub presign_seconds: u64,
    /// A local folder kept in sync with the bucket by `stemset sync` (and after
    /// `stemset process` when `STEMSET_SYNC=true`).
    #[serde(default)]
    pub sync_dir: Option<PathBuf>,
}

fn default_region() -> String {
    "us-east-1".to_string()
}
fn default_true() -> bool {
    true
}
fn default_presign_seconds() -> u64 {
    3600
}

impl StorageConfig {
    pub(crate) fn check(&self, file: &str, problems: &mut Vec<String>) {
        let storage = self;
        if let StorageConfig::S3(s3) = storage {
            if s3.bucket.trim().is_empty() {
                problems.push(format!("{file}: storage.bucket: must not be empty"));
            }
            if s3.access_key_id.expose().is_empty() || s3.secret_access_key.expose().is_empty() {
                problems.push(format!(
                    "{file}: storage: access_key_id and secret_access_key must not be empty"
                ));
            }
            if let Some(e) = &s3.endpoint {
                let http = e.starts_with("http://");
                if !http && !e.starts_with("https://") {
                    problems.push(format!(
                        "{file}: storage.endpoint: \"{e}\" must start with https:// (or http://)"
                    ));
                } else if http && !s3.allow_http {
                    problems.push(format!(
                    "{file}: storage.endpoint: \"{e}\" is plain http; set allow_http: true to allow it"
                ));
                }
            }
            if !(1..=604_800).contains(&s3.presign_seconds) {
                problems.push(format!(
                "{file}: storage.presign_seconds: {} is outside 1..=604800 (S3's limit is 7 days)",
                s3.presign_seconds
            ));
            }
        }
    }
}

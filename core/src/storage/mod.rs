//! Where stems live: an object_store, a local directory by default or an S3-compatible
//! bucket (AWS S3, Cloudflare R2, MinIO). Keys are `<profile>/<recording-id>/<file>` for
//! outputs and `inputs/<profile>/<sha256>.<ext>` for uploaded originals; uploads stream in
//! parts so a 1 GB WAV stem is never held in memory, and each object appears atomically
//! under its final key.

mod settings;

pub use self::settings::{S3Config, StorageConfig};

use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use futures::{StreamExt, TryStreamExt};
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use tokio::io::AsyncReadExt;

/// Multipart part size for uploads.
const PART_SIZE: usize = 8 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("{location}: {source}")]
    Store {
        location: String,
        source: object_store::Error,
    },
    #[error("reading {path} for upload: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("invalid storage key \"{0}\"")]
    InvalidKey(String),
    #[error("cannot create the storage folder {path}: {source}")]
    Create {
        path: String,
        source: std::io::Error,
    },
}

/// What `head` tells about an object.
/// A staged upload untouched this long belongs to a process that died.
const STALE_PARTIAL_UPLOAD: std::time::Duration = std::time::Duration::from_secs(3600);

/// object_store's local store writes an object as `name#N` and renames it when complete;
/// a killed run leaves that file behind (never listed or served, but it fills the disk).
/// Removes those not written to for `older_than`; returns how many.
pub fn sweep_partial_uploads(dir: &Path, older_than: std::time::Duration) -> usize {
    let is_staged = |name: &str| {
        name.rsplit_once('#')
            .is_some_and(|(_, n)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    };
    let now = std::time::SystemTime::now();
    let mut removed = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let Ok(kind) = e.file_type() else { continue };
            if kind.is_dir() {
                stack.push(e.path());
                continue;
            }
            if !kind.is_file() || !is_staged(&e.file_name().to_string_lossy()) {
                continue;
            }
            let stale = e
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| now.duration_since(t).ok())
                .is_some_and(|age| age >= older_than);
            if stale && std::fs::remove_file(e.path()).is_ok() {
                removed += 1;
            }
        }
    }
    removed
}

#[derive(Clone, Debug)]
pub struct ObjectInfo {
    pub size: u64,
    pub last_modified: chrono::DateTime<chrono::Utc>,
    pub e_tag: Option<String>,
}

/// An object with its metadata, as listed.
#[derive(Clone, Debug)]
pub struct ListedObject {
    pub key: String,
    pub info: ObjectInfo,
}

#[derive(Clone, Debug)]
pub struct Storage {
    store: Arc<dyn ObjectStore>,
    /// Set for S3 stores that hand out presigned URLs for media.
    signer: Option<(Arc<object_store::aws::AmazonS3>, std::time::Duration)>,
    description: String,
}

impl Storage {
    pub fn from_config(cfg: &StorageConfig) -> Result<Self, StorageError> {
        match cfg {
            StorageConfig::Local { path } => Self::local(path),
            StorageConfig::S3(s3) => Self::s3(s3),
        }
    }

    pub fn s3(cfg: &S3Config) -> Result<Self, StorageError> {
        let mut builder = object_store::aws::AmazonS3Builder::new()
            .with_bucket_name(&cfg.bucket)
            .with_region(&cfg.region)
            .with_access_key_id(cfg.access_key_id.expose())
            .with_secret_access_key(cfg.secret_access_key.expose())
            .with_allow_http(cfg.allow_http)
            .with_virtual_hosted_style_request(!cfg.path_style);
        if let Some(endpoint) = &cfg.endpoint {
            builder = builder.with_endpoint(endpoint);
        }
        let store = Arc::new(builder.build().map_err(|source| StorageError::Store {
            location: format!("s3://{}", cfg.bucket),
            source,
        })?);
        let signer = cfg.presign_media.then(|| {
            (
                store.clone(),
                std::time::Duration::from_secs(cfg.presign_seconds),
            )
        });
        Ok(Self {
            store,
            signer,
            description: match &cfg.endpoint {
                Some(e) => format!("bucket {} at {e}", cfg.bucket),
                None => format!("S3 bucket {} ({})", cfg.bucket, cfg.region),
            },
        })
    }

    pub fn local(dir: &Path) -> Result<Self, StorageError> {
        std::fs::create_dir_all(dir).map_err(|source| StorageError::Create {
            path: dir.display().to_string(),
            source,
        })?;
        let store = object_store::local::LocalFileSystem::new_with_prefix(dir)
            .map_err(|source| StorageError::Store {
                location: dir.display().to_string(),
                source,
            })?
            .with_automatic_cleanup(true);
        let swept = sweep_partial_uploads(dir, STALE_PARTIAL_UPLOAD);
        if swept > 0 {
            tracing::info!(files = swept, dir = %dir.display(), "removed partial uploads left by runs that were killed");
        }
        Ok(Self {
            store: Arc::new(store),
            signer: None,
            description: format!("local directory {}", dir.display()),
        })
    }

    pub fn description(&self) -> &str {
        &self.description
    }

    fn key(key: &str) -> Result<ObjectPath, StorageError> {
        // Parsing rejects `..`, empty segments and other traversal tricks.
        ObjectPath::parse(key).map_err(|_| StorageError::InvalidKey(key.to_string()))
    }

    fn err(key: &str) -> impl FnOnce(object_store::Error) -> StorageError + '_ {
        move |source| StorageError::Store {
            location: key.to_string(),
            source,
        }
    }

    /// Uploads a local file in parts; returns its size.
    pub async fn put_file(&self, key: &str, path: &Path) -> Result<u64, StorageError> {
        let location = Self::key(key)?;
        let read_err = |source| StorageError::Read {
            path: path.display().to_string(),
            source,
        };
        let mut file = tokio::fs::File::open(path).await.map_err(read_err)?;
        let mut upload = self
            .store
            .put_multipart(&location)
            .await
            .map_err(Self::err(key))?;
        let mut total = 0u64;
        let result: Result<(), StorageError> = async {
            loop {
                let mut buf = Vec::with_capacity(PART_SIZE);
                while buf.len() < PART_SIZE {
                    let n = (&mut file)
                        .take((PART_SIZE - buf.len()) as u64)
                        .read_to_end(&mut buf)
                        .await
                        .map_err(|source| StorageError::Read {
                            path: path.display().to_string(),
                            source,
                        })?;
                    if n == 0 {
                        break;
                    }
                }
                if buf.is_empty() {
                    break;
                }
                total += buf.len() as u64;
                upload
                    .put_part(PutPayload::from(Bytes::from(buf)))
                    .await
                    .map_err(Self::err(key))?;
            }
            Ok(())
        }
        .await;
        match result {
            Ok(()) => {
                upload.complete().await.map_err(Self::err(key))?;
                Ok(total)
            }
            Err(e) => {
                let _ = upload.abort().await;
                Err(e)
            }
        }
    }

    pub async fn put_bytes(&self, key: &str, bytes: Vec<u8>) -> Result<(), StorageError> {
        let location = Self::key(key)?;
        self.store
            .put(&location, PutPayload::from(Bytes::from(bytes)))
            .await
            .map_err(Self::err(key))?;
        Ok(())
    }

    pub async fn get_bytes(&self, key: &str) -> Result<Bytes, StorageError> {
        let location = Self::key(key)?;
        let got = self.store.get(&location).await.map_err(Self::err(key))?;
        got.bytes().await.map_err(Self::err(key))
    }

    /// Size and modification time of an object; `None` when it does not exist.
    pub async fn head(&self, key: &str) -> Result<Option<ObjectInfo>, StorageError> {
        let location = Self::key(key)?;
        match self.store.head(&location).await {
            Ok(meta) => Ok(Some(ObjectInfo {
                size: meta.size,
                last_modified: meta.last_modified,
                e_tag: meta.e_tag,
            })),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(Self::err(key)(e)),
        }
    }

    /// Streams bytes `range` (end exclusive) of an object, in the store's own chunks, so
    /// serving a long stem never holds it in memory.
    pub async fn get_range_stream(
        &self,
        key: &str,
        range: std::ops::Range<u64>,
    ) -> Result<futures::stream::BoxStream<'static, Result<Bytes, StorageError>>, StorageError>
    {
        let location = Self::key(key)?;
        let opts = object_store::GetOptions {
            range: Some(object_store::GetRange::Bounded(range)),
            ..Default::default()
        };
        let got = self
            .store
            .get_opts(&location, opts)
            .await
            .map_err(Self::err(key))?;
        Ok(Self::chunks(key, got))
    }

    pub async fn exists(&self, key: &str) -> Result<bool, StorageError> {
        let location = Self::key(key)?;
        match self.store.head(&location).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(Self::err(key)(e)),
        }
    }

    pub async fn delete(&self, key: &str) -> Result<(), StorageError> {
        let location = Self::key(key)?;
        match self.store.delete(&location).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(Self::err(key)(e)),
        }
    }

    /// Every key under `prefix`, sorted.
    pub async fn list(&self, prefix: &str) -> Result<Vec<String>, StorageError> {
        let location = Self::key(prefix)?;
        let mut keys: Vec<String> = self
            .store
            .list(Some(&location))
            .map_ok(|m| m.location.to_string())
            .try_collect()
            .await
            .map_err(Self::err(prefix))?;
        keys.sort();
        Ok(keys)
    }

    /// Removes everything under `prefix` (used to roll back a failed recording).
    pub async fn delete_prefix(&self, prefix: &str) -> Result<(), StorageError> {
        for key in self.list(prefix).await? {
            self.delete(&key).await?;
        }
        Ok(())
    }

    /// A presigned GET URL for `key`, when this store hands them out (S3 with
    /// `presign_media`); `None` means "serve the bytes yourself".
    pub async fn presigned_get(&self, key: &str) -> Result<Option<String>, StorageError> {
        use object_store::signer::Signer;
        let Some((signer, ttl)) = &self.signer else {
            return Ok(None);
        };
        let location = Self::key(key)?;
        let url = signer
            .signed_url(http::Method::GET, &location, *ttl)
            .await
            .map_err(Self::err(key))?;
        Ok(Some(url.to_string()))
    }

    /// Starts a streaming upload to `key`: write chunks, then `finish` (the object appears)
    /// or `abort` (nothing appears).
    pub async fn writer(&self, key: &str) -> Result<ObjectWriter, StorageError> {
        let location = Self::key(key)?;
        let upload = self
            .store
            .put_multipart(&location)
            .await
            .map_err(Self::err(key))?;
        Ok(ObjectWriter {
            key: key.to_string(),
            inner: object_store::WriteMultipart::new_with_chunk_size(upload, PART_SIZE),
            written: 0,
        })
    }

    /// Copies an object within the store (server-side where the store can).
    pub async fn copy(&self, from: &str, to: &str) -> Result<(), StorageError> {
        let (f, t) = (Self::key(from)?, Self::key(to)?);
        self.store.copy(&f, &t).await.map_err(Self::err(from))
    }

    /// Moves an object within the store.
    pub async fn rename(&self, from: &str, to: &str) -> Result<(), StorageError> {
        let (f, t) = (Self::key(from)?, Self::key(to)?);
        self.store.rename(&f, &t).await.map_err(Self::err(from))
    }

    /// Streams an object into a local file (created or truncated); returns its size.
    pub async fn download_to_file(&self, key: &str, path: &Path) -> Result<u64, StorageError> {
        use tokio::io::AsyncWriteExt;
        let location = Self::key(key)?;
        let got = self.store.get(&location).await.map_err(Self::err(key))?;
        let write_err = |source| StorageError::Read {
            path: path.display().to_string(),
            source,
        };
        let mut file = tokio::fs::File::create(path).await.map_err(write_err)?;
        let mut stream = got.into_stream();
        let mut total = 0u64;
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(Self::err(key))?;
            total += chunk.len() as u64;
            file.write_all(&chunk).await.map_err(write_err)?;
        }
        file.flush().await.map_err(write_err)?;
        Ok(total)
    }

    /// An object's body as a stream of chunks with our error type.
    fn chunks(
        key: &str,
        got: object_store::GetResult,
    ) -> futures::stream::BoxStream<'static, Result<Bytes, StorageError>> {
        let owned_key = key.to_string();
        got.into_stream()
            .map_err(move |source| StorageError::Store {
                location: owned_key.clone(),
                source,
            })
            .boxed()
    }

    /// Every object under `prefix` (all objects for ""), with size and time, sorted by key.
    pub async fn list_objects(&self, prefix: &str) -> Result<Vec<ListedObject>, StorageError> {
        let location = if prefix.is_empty() {
            None
        } else {
            Some(Self::key(prefix)?)
        };
        let mut out: Vec<ListedObject> = self
            .store
            .list(location.as_ref())
            .map_ok(|m| ListedObject {
                key: m.location.to_string(),
                info: ObjectInfo {
                    size: m.size,
                    last_modified: m.last_modified,
                    e_tag: m.e_tag,
                },
            })
            .try_collect()
            .await
            .map_err(Self::err(prefix))?;
        out.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(out)
    }

    /// A whole object as a stream of chunks.
    pub async fn get_stream(
        &self,
        key: &str,
    ) -> Result<futures::stream::BoxStream<'static, Result<Bytes, StorageError>>, StorageError>
    {
        let location = Self::key(key)?;
        let got = self.store.get(&location).await.map_err(Self::err(key))?;
        Ok(Self::chunks(key, got))
    }
}

/// A streaming upload in progress (see [`Storage::writer`]). Dropping it without
/// `finish` leaves no object behind on local disks; call `abort` to also release S3 parts.
pub struct ObjectWriter {
    key: String,
    inner: object_store::WriteMultipart,
    written: u64,
}

impl ObjectWriter {
    /// Appends bytes, waiting when too many parts are in flight (backpressure).
    pub async fn write(&mut self, bytes: &[u8]) -> Result<(), StorageError> {
        self.inner
            .wait_for_capacity(4)
            .await
            .map_err(Storage::err(&self.key))?;
        self.inner.write(bytes);
        self.written += bytes.len() as u64;
        Ok(())
    }

    pub fn written(&self) -> u64 {
        self.written
    }

    pub async fn finish(self) -> Result<u64, StorageError> {
        let key = self.key;
        self.inner.finish().await.map_err(Storage::err(&key))?;
        Ok(self.written)
    }

    pub async fn abort(self) {
        let _ = self.inner.abort().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_uploads_of_dead_runs_are_swept_and_nothing_else() {
        let dir = tempfile::tempdir().expect("tempdir");
        let rec = dir.path().join("demo/0190");
        std::fs::create_dir_all(&rec).expect("mkdir");
        for name in ["vocals.opus#1", "vocals.opus", "notes#draft", "a#12"] {
            std::fs::write(rec.join(name), b"x").expect("write");
        }
        // Fresh staged files may belong to a running upload: kept.
        assert_eq!(
            sweep_partial_uploads(dir.path(), std::time::Duration::from_secs(60)),
            0
        );
        assert_eq!(
            sweep_partial_uploads(dir.path(), std::time::Duration::ZERO),
            2
        );
        let mut left: Vec<String> = std::fs::read_dir(&rec)
            .expect("read")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, ["notes#draft", "vocals.opus"]);
    }
}

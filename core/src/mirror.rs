//! Two-way sync between a bucket and a local folder (`storage.sync_dir`), for bands that
//! process on a laptop and share through S3/R2 — or keep a local copy of the bucket.
//! An object missing on one side is copied from the other; one present on both sides with
//! a different size is taken from the side where it changed last. Nothing is deleted.
//! Copies stream, so large stems never sit in memory.

use futures::StreamExt;

use crate::storage::{ListedObject, Storage, StorageError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Both ways.
    Both,
    /// Local folder → bucket only.
    Push,
    /// Bucket → local folder only.
    Pull,
}

#[derive(Debug, Default, Clone, PartialEq)]
pub struct SyncReport {
    /// Keys copied to the bucket.
    pub pushed: Vec<String>,
    /// Keys copied to the local folder.
    pub pulled: Vec<String>,
    pub bytes: u64,
    /// Keys present and equal on both sides.
    pub unchanged: usize,
}

/// In-progress uploads are not part of the library.
fn syncable(key: &str) -> bool {
    !key.split('/').any(|part| part.starts_with('.'))
}

async fn copy(from: &Storage, to: &Storage, key: &str) -> Result<u64, StorageError> {
    let mut stream = from.get_stream(key).await?;
    let mut w = to.writer(key).await?;
    while let Some(chunk) = stream.next().await {
        match chunk {
            Ok(c) => w.write(&c).await?,
            Err(e) => {
                w.abort().await;
                return Err(e);
            }
        }
    }
    w.finish().await
}

/// Syncs `local` and `remote`; with `dry_run` only reports what would be copied.
pub async fn sync(
    local: &Storage,
    remote: &Storage,
    direction: Direction,
    dry_run: bool,
    on_copy: &(dyn Fn(&str, u64) + Sync),
) -> Result<SyncReport, StorageError> {
    let index = |v: Vec<ListedObject>| {
        v.into_iter()
            .filter(|o| syncable(&o.key))
            .map(|o| (o.key.clone(), o))
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    let l = index(local.list_objects("").await?);
    let r = index(remote.list_objects("").await?);
    let mut report = SyncReport::default();
    let mut push = Vec::new();
    let mut pull = Vec::new();
    for (key, lo) in &l {
        match r.get(key) {
            None => push.push((key.clone(), lo.info.size)),
            Some(ro) if ro.info.size == lo.info.size => report.unchanged += 1,
            Some(ro) if lo.info.last_modified >= ro.info.last_modified => {
                push.push((key.clone(), lo.info.size))
            }
            Some(ro) => pull.push((key.clone(), ro.info.size)),
        }
    }
    for (key, ro) in &r {
        if !l.contains_key(key) {
            pull.push((key.clone(), ro.info.size));
        }
    }
    if direction != Direction::Pull {
        for (key, size) in push {
            on_copy(&key, size);
            if !dry_run {
                report.bytes += copy(local, remote, &key).await?;
            }
            report.pushed.push(key);
        }
    }
    if direction != Direction::Push {
        for (key, size) in pull {
            on_copy(&key, size);
            if !dry_run {
                report.bytes += copy(remote, local, &key).await?;
            }
            report.pulled.push(key);
        }
    }
    Ok(report)
}

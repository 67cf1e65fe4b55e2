//! Scratch folders: one per job, `stemset-XXXX` under `processing.temp_dir` (the system
//! temp folder by default), removed when the job ends. A crashed or killed run cannot
//! remove its own (a 3-hour file leaves gigabytes), so each folder holds a locked
//! `.lock` file for as long as its job runs, and the first job of every process removes
//! the folders nobody holds any more.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use stemset_core::error::Error;

const PREFIX: &str = "stemset-";
const LOCK_FILE: &str = ".lock";
/// A folder without a lock file (cut off between its creation and its lock, or made by an
/// older version) is taken as abandoned once it is this old.
const UNLOCKED_GRACE: Duration = Duration::from_secs(3600);

/// A job's scratch folder, removed (with everything in it) on drop.
pub struct Scratch {
    // Held, not read: the lock says "in use" to other processes' sweeps.
    _lock: File,
    dir: tempfile::TempDir,
}

impl Scratch {
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

/// Parents already swept by this process.
static SWEPT: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// A scratch folder under `parent` (the system temp dir when `None`).
pub fn scratch_dir(parent: Option<&Path>) -> Result<Scratch, Error> {
    let parent = parent
        .map(Path::to_path_buf)
        .unwrap_or_else(std::env::temp_dir);
    std::fs::create_dir_all(&parent).map_err(|e| {
        Error::io(
            format!("cannot create the temp folder {}", parent.display()),
            e,
        )
    })?;
    let first = {
        let mut swept = SWEPT.lock().unwrap_or_else(|p| p.into_inner());
        let first = !swept.contains(&parent);
        if first {
            swept.push(parent.clone());
        }
        first
    };
    if first {
        let (folders, bytes) = sweep_stale(&parent);
        if folders > 0 {
            tracing::info!(folders, mib = bytes / (1 << 20), parent = %parent.display(), "removed scratch folders of runs that ended without cleaning up");
        }
    }
    let dir = tempfile::Builder::new()
        .prefix(PREFIX)
        .tempdir_in(&parent)
        .map_err(|e| Error::io("cannot create a scratch folder", e))?;
    let lock = File::create(dir.path().join(LOCK_FILE))
        .map_err(|e| Error::io("cannot create a scratch folder's lock", e))?;
    lock.lock()
        .map_err(|e| Error::io("cannot lock a scratch folder", e))?;
    Ok(Scratch { _lock: lock, dir })
}

/// Removes the scratch folders under `parent` that no running job holds; returns how
/// many folders and bytes were freed. Errors are logged, never fatal.
pub fn sweep_stale(parent: &Path) -> (usize, u64) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return (0, 0);
    };
    let (mut folders, mut bytes) = (0, 0);
    for entry in entries.flatten() {
        let name = entry.file_name();
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if !is_dir || !name.to_string_lossy().starts_with(PREFIX) {
            continue;
        }
        let dir = entry.path();
        if !abandoned(&dir) {
            continue;
        }
        let size = folder_size(&dir);
        match std::fs::remove_dir_all(&dir) {
            Ok(()) => {
                folders += 1;
                bytes += size;
            }
            Err(e) => {
                tracing::warn!(folder = %dir.display(), error = %e, "cannot remove a stale scratch folder")
            }
        }
    }
    (folders, bytes)
}

fn abandoned(dir: &Path) -> bool {
    match File::open(dir.join(LOCK_FILE)) {
        // The lock is free: its process has ended.
        Ok(f) => f.try_lock().is_ok(),
        Err(_) => std::fs::metadata(dir)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| SystemTime::now().duration_since(t).ok())
            .is_some_and(|age| age > UNLOCKED_GRACE),
    }
}

fn folder_size(dir: &Path) -> u64 {
    let mut total = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            match e.file_type() {
                Ok(t) if t.is_dir() => stack.push(e.path()),
                Ok(_) => total += e.metadata().map(|m| m.len()).unwrap_or(0),
                Err(_) => {}
            }
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sweeps_only_folders_nobody_holds() {
        let parent = tempfile::tempdir().expect("tempdir");
        // A crashed run: its folder and lock file remain, the lock is free.
        let crashed = parent.path().join("stemset-crashed");
        std::fs::create_dir_all(crashed.join("out")).expect("mkdir");
        std::fs::write(crashed.join(LOCK_FILE), b"").expect("lock file");
        std::fs::write(crashed.join("out/input.wav"), vec![0u8; 4096]).expect("write");
        // A fresh folder without a lock (just created): kept for the grace period.
        let fresh = parent.path().join("stemset-fresh");
        std::fs::create_dir(&fresh).expect("mkdir");
        // Someone else's folder.
        let other = parent.path().join("not-ours");
        std::fs::create_dir(&other).expect("mkdir");

        let running = scratch_dir(Some(parent.path())).expect("scratch");
        assert!(
            !crashed.exists(),
            "the first scratch folder of a process sweeps"
        );
        assert!(fresh.exists() && other.exists() && running.path().exists());
        // A running job's folder is never swept, even by a later sweep.
        let (folders, _) = sweep_stale(parent.path());
        assert_eq!(folders, 0);
        assert!(running.path().exists());
        let path = running.path().to_path_buf();
        drop(running);
        assert!(!path.exists());
    }
}

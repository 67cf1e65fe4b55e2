//! The logic of each fuzz target, as plain functions: the targets in `fuzz_targets/`
//! call them on libFuzzer's inputs, and the replay tests of the main workspace
//! (`core/tests/fuzz_corpus.rs`, `server/tests/fuzz_corpus.rs`) include these files by
//! path and run every committed corpus file through them.

pub mod audio;
pub mod config;
pub mod graphql;

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Mutex;

/// A scratch folder for this process: in /dev/shm when there is one (the targets write
/// each input to a file), else the temp folder. `scripts/fuzz.sh` removes it afterwards.
pub fn scratch_dir(target: &str) -> PathBuf {
    let base = if std::path::Path::new("/dev/shm").is_dir() {
        PathBuf::from("/dev/shm")
    } else {
        std::env::temp_dir()
    };
    let dir = base.join(format!("stemset-fuzz-{target}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("create the scratch folder");
    dir
}

/// libfuzzer-sys aborts on every panic, even one the code catches on purpose (the
/// decoder turns a panic inside symphonia into an error). This hook prints each caught
/// panic's place once and lets it unwind; a panic that escapes the target still aborts
/// (libfuzzer-sys's wrapper does that), so only those are findings.
pub fn allow_caught_panics() {
    static SEEN: Mutex<Option<HashSet<String>>> = Mutex::new(None);
    std::panic::set_hook(Box::new(|info| {
        let place = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let mut seen = SEEN.lock().unwrap_or_else(|e| e.into_inner());
        if seen.get_or_insert_with(HashSet::new).insert(place) {
            eprintln!("panic (reported once per place; fatal only if it escapes): {info}");
        }
    }));
}

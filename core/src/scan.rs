//! Finds the audio files of a profile's source folder (recursively, in a stable order).

use std::path::{Path, PathBuf};

/// Extensions treated as audio; anything else in the folder is ignored (notes, images).
/// A file with one of these extensions that does not decode is reported as a failure.
pub const AUDIO_EXTENSIONS: &[&str] = &[
    "wav", "wave", "flac", "mp3", "m4a", "aac", "mp4", "ogg", "oga", "opus", "aif", "aiff", "caf",
    "mka", "webm",
];

#[derive(Debug, Default)]
pub struct ScanResult {
    pub audio: Vec<PathBuf>,
    /// Files skipped because their extension is not an audio one.
    pub ignored: Vec<PathBuf>,
    /// Audio-named entries that are not regular files (a FIFO, a socket, a device, a
    /// dangling link), with why: reported and skipped, so they cannot hang a run.
    pub unusable: Vec<(PathBuf, String)>,
}

pub fn is_audio_path(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .map(|e| AUDIO_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
        .unwrap_or(false)
}

/// Walks `dir`; hidden files and folders (dot-names) are skipped.
pub fn scan_folder(dir: &Path) -> std::io::Result<ScanResult> {
    let mut result = ScanResult::default();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let mut entries: Vec<_> = std::fs::read_dir(&d)?.collect::<Result<_, _>>()?;
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let name = e.file_name();
            if name.to_string_lossy().starts_with('.') {
                continue;
            }
            let path = e.path();
            let ft = e.file_type()?;
            if ft.is_dir() {
                stack.push(path);
            } else if is_audio_path(&path) {
                // Follows links: a link to a regular file is fine, one to /dev/zero is not.
                match std::fs::metadata(&path) {
                    Ok(m) if m.is_file() => result.audio.push(path),
                    Ok(m) => {
                        let what = stemset_audio::hashing::describe_kind(&m.file_type());
                        result
                            .unusable
                            .push((path, format!("not a regular file ({what}); skipped")));
                    }
                    Err(e) => result
                        .unusable
                        .push((path, format!("cannot be read ({e}); skipped"))),
                }
            } else {
                result.ignored.push(path);
            }
        }
    }
    result.audio.sort();
    result.ignored.sort();
    result.unusable.sort();
    Ok(result)
}

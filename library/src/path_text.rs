//! Local paths in the database. A path is bytes on Unix, and a recorder's card can hold
//! names that are not UTF-8: such a path is stored hex-encoded behind a marker, so it
//! round-trips exactly; a UTF-8 path is stored as it is. (Titles are made displayable
//! separately, with `to_string_lossy`.)

use std::path::{Path, PathBuf};

/// Marks a stored path that was not UTF-8.
const HEX_MARKER: &str = "stemset-path-hex:";

pub fn encode(path: &Path) -> String {
    match path.to_str() {
        Some(s) if !s.starts_with(HEX_MARKER) => s.to_string(),
        _ => format!("{HEX_MARKER}{}", hex::encode(path_bytes(path))),
    }
}

pub fn decode(stored: &str) -> PathBuf {
    stored
        .strip_prefix(HEX_MARKER)
        .and_then(|h| hex::decode(h).ok())
        .and_then(path_from_bytes)
        .unwrap_or_else(|| PathBuf::from(stored))
}

#[cfg(unix)]
fn path_bytes(path: &Path) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt;
    path.as_os_str().as_bytes().to_vec()
}

#[cfg(not(unix))]
fn path_bytes(path: &Path) -> Vec<u8> {
    path.to_string_lossy().into_owned().into_bytes()
}

#[cfg(unix)]
fn path_from_bytes(bytes: Vec<u8>) -> Option<PathBuf> {
    use std::os::unix::ffi::OsStringExt;
    Some(PathBuf::from(std::ffi::OsString::from_vec(bytes)))
}

#[cfg(not(unix))]
fn path_from_bytes(bytes: Vec<u8>) -> Option<PathBuf> {
    String::from_utf8(bytes).ok().map(PathBuf::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_utf8_and_other_bytes() {
        let plain = Path::new("/rec/Probe 3 – Übung.wav");
        assert_eq!(encode(plain), "/rec/Probe 3 – Übung.wav");
        assert_eq!(decode(&encode(plain)), plain);
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt;
            let odd = Path::new(std::ffi::OsStr::from_bytes(b"/rec/take\xff\xfe.wav"));
            let stored = encode(odd);
            assert!(stored.starts_with(HEX_MARKER), "{stored}");
            assert_eq!(decode(&stored), odd);
        }
        let tricky = Path::new("stemset-path-hex:zz");
        assert_eq!(decode(&encode(tricky)), tricky);
    }
}

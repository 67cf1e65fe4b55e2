//! Content hashing: a file is identified by the SHA-256 of its bytes, whatever its name.

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use sha2::{Digest, Sha256};

/// Opens `path` for reading only if it is a regular file (or a link to one). A FIFO, a
/// socket or a device (`/dev/zero` behind a `.wav` link) would block or never end: it is
/// an `InvalidInput` error saying what it is. Opened non-blocking, so the open itself
/// cannot hang on a FIFO with no writer.
pub fn open_regular(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path)?;
    let kind = file.metadata()?.file_type();
    if !kind.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("not a regular file ({})", describe_kind(&kind)),
        ));
    }
    Ok(file)
}

/// What a non-regular file is, in words.
pub fn describe_kind(kind: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a FIFO";
        }
        if kind.is_socket() {
            return "a socket";
        }
        if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
    }
    if kind.is_dir() {
        "a folder"
    } else {
        "not a plain file"
    }
}

/// Streams the file through SHA-256 and returns (lowercase hex digest, size in bytes).
pub fn sha256_file(path: &Path) -> std::io::Result<(String, u64)> {
    let mut file = open_regular(path)?;
    sha256_reader(&mut file)
}

/// Streams `reader` to its end through SHA-256: (lowercase hex digest, bytes read).
pub fn sha256_reader(file: &mut impl Read) -> std::io::Result<(String, u64)> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        size += n as u64;
    }
    Ok((hex::encode(hasher.finalize()), size))
}

/// UVR's model hash (what UVR and audio-separator key MDX-Net parameters by): the MD5 of
/// the last 10 240 000 bytes of the file, or of the whole file when it is smaller.
pub const MODEL_HASH_TAIL: u64 = 10_000 * 1024;

pub fn model_hash(path: &Path) -> std::io::Result<String> {
    use md5::Md5;
    let mut file = std::fs::File::open(path)?;
    let size = file.metadata()?.len();
    if size >= MODEL_HASH_TAIL {
        file.seek(SeekFrom::Start(size - MODEL_HASH_TAIL))?;
    }
    let mut hasher = Md5::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

pub fn sha256_bytes(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_vectors() {
        assert_eq!(
            sha256_bytes(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("f");
        std::fs::write(&p, b"abc").expect("write");
        assert_eq!(sha256_file(&p).expect("hash"), (sha256_bytes(b"abc"), 3));
    }
}

//! Content hashing: a file is identified by the SHA-256 of its bytes, whatever its name.

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use sha2::{Digest, Sha256};

/// Streams the file through SHA-256 and returns (lowercase hex digest, size in bytes).
pub fn sha256_file(path: &Path) -> std::io::Result<(String, u64)> {
    let mut file = std::fs::File::open(path)?;
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

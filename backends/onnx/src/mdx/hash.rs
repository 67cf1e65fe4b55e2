//! The model hash UVR and audio-separator key their parameter tables by: the MD5 of the
//! last 10 240 000 bytes of the file, or of the whole file when it is smaller.

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use md5::{Digest, Md5};

/// 10 000 × 1024 bytes.
pub const TAIL_BYTES: u64 = 10_000 * 1024;

pub fn model_hash(path: &Path) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let size = file.metadata()?.len();
    if size >= TAIL_BYTES {
        file.seek(SeekFrom::Start(size - TAIL_BYTES))?;
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

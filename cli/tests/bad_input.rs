//! The bad-input corpus: files a careless user or an attacker puts in a band's folder.
//! Each gets one clear line naming the file, nothing of it is stored (no folder, no row),
//! the run exits 1 as documented, and the good files beside them are still processed.

mod common;

use common::{stemset, text};

use std::path::{Path, PathBuf};

fn setup(format: &str) -> tempfile::TempDir {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let dir = tempfile::tempdir().expect("tempdir");
    let config = std::fs::read_to_string(root.join("config.yaml"))
        .expect("config.yaml")
        .replace("format: opus ", &format!("format: {format} "));
    std::fs::write(dir.path().join("config.yaml"), config).expect("write");
    std::fs::copy(root.join("plugins.toml"), dir.path().join("plugins.toml")).expect("copy");
    std::fs::create_dir_all(dir.path().join("demo/recordings")).expect("mkdir");
    dir
}

/// A RIFF/WAVE file with a 16-byte format chunk (any field may lie) and `data`.
fn wav(tag: u16, channels: u16, rate: u32, align: u16, bits: u16, data: &[u8]) -> Vec<u8> {
    let mut v = Vec::new();
    v.extend_from_slice(b"RIFF");
    v.extend_from_slice(&(36 + data.len() as u32).to_le_bytes());
    v.extend_from_slice(b"WAVEfmt ");
    v.extend_from_slice(&16u32.to_le_bytes());
    v.extend_from_slice(&tag.to_le_bytes());
    v.extend_from_slice(&channels.to_le_bytes());
    v.extend_from_slice(&rate.to_le_bytes());
    v.extend_from_slice(&rate.wrapping_mul(u32::from(align)).to_le_bytes());
    v.extend_from_slice(&align.to_le_bytes());
    v.extend_from_slice(&bits.to_le_bytes());
    v.extend_from_slice(b"data");
    v.extend_from_slice(&(data.len() as u32).to_le_bytes());
    v.extend_from_slice(data);
    v
}

/// Stereo 16-bit noise-like PCM, `frames` long.
fn pcm16(frames: usize) -> Vec<u8> {
    (0..frames * 2)
        .flat_map(|i| (((i * 7919) % 20_000) as i16 - 10_000).to_le_bytes())
        .collect()
}

/// Stereo float32 samples.
fn f32le(samples: impl Iterator<Item = f32>) -> Vec<u8> {
    samples.flat_map(f32::to_le_bytes).collect()
}

fn tone(frames: usize) -> impl Iterator<Item = f32> {
    (0..frames * 2).map(|i| 0.3 * ((i / 2) as f32 * 0.05).sin())
}

fn recordings(dir: &Path) -> PathBuf {
    dir.join("demo/recordings")
}

fn recording_folders(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir.join("data/media/demo"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .collect()
}

fn recording_rows(dir: &Path) -> i64 {
    let url = format!(
        "sqlite://{}?mode=ro",
        dir.join("data/stemset.sqlite").display()
    );
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        use sea_orm::{ConnectionTrait, Database, Statement};
        let db = Database::connect(&url).await.expect("open the library");
        let row = db
            .query_one_raw(Statement::from_string(
                db.get_database_backend(),
                "SELECT COUNT(*) AS n FROM recordings",
            ))
            .await
            .expect("count")
            .expect("a row");
        row.try_get::<i64>("", "n").expect("n")
    })
}

#[test]
fn every_bad_file_gets_one_clear_line_and_the_good_ones_are_processed() {
    let dir = setup("flac");
    let rec = recordings(dir.path());
    let o = stemset(
        dir.path(),
        &[
            "generate-demo",
            "demo/recordings/good.wav",
            "--seconds",
            "2",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));

    // (file name, content, what its error line must say)
    let one_second = pcm16(44_100);
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        // 176 KB stereo 16-bit claiming 1 Hz: once 10 GB of RSS and endless scratch.
        (
            "rate-1.wav",
            wav(1, 2, 1, 4, 16, &one_second),
            "sample rate of 1 Hz",
        ),
        (
            "rate-0.wav",
            wav(1, 2, 0, 4, 16, &one_second),
            "sample rate of 0 Hz",
        ),
        (
            "rate-4ghz.wav",
            wav(1, 2, 4_000_000_000, 4, 16, &one_second),
            "sample rate of 4000000000 Hz",
        ),
        (
            "channels-0.wav",
            wav(1, 0, 44_100, 4, 16, &one_second),
            "0 channels",
        ),
        (
            "channels-65535.wav",
            wav(1, 65_535, 44_100, 4, 16, &one_second),
            "65535 channels",
        ),
        (
            "block-align.wav",
            wav(1, 2, 44_100, 65_535, 16, &one_second),
            "65535-byte frames",
        ),
        (
            "list-bomb.wav",
            {
                let mut v = wav(1, 2, 44_100, 4, 16, &one_second);
                // A LIST chunk before `data` claiming 4 GB.
                let at = 36;
                let mut chunk = b"LIST\xF0\xFF\xFF\xFFINFO".to_vec();
                chunk.extend_from_slice(&[0u8; 8]);
                v.splice(at..at, chunk);
                v
            },
            "'LIST' chunk claims",
        ),
        (
            "header-only.wav",
            wav(1, 2, 44_100, 4, 16, &[]),
            "no audio could be decoded",
        ),
        (
            "truncated.wav",
            wav(1, 2, 44_100, 4, 16, &one_second)[..30].to_vec(),
            "'fmt' chunk claims 16 bytes",
        ),
        ("empty.wav", Vec::new(), "the file is empty"),
        (
            "text.wav",
            b"these are the lyrics, not audio\n".to_vec(),
            "text.wav",
        ),
        (
            "all-nan.wav",
            wav(
                3,
                2,
                44_100,
                8,
                32,
                &f32le((0..44_100 * 2).map(|i| if i % 2 == 0 { f32::NAN } else { f32::INFINITY })),
            ),
            "NaN, infinite or beyond",
        ),
        (
            "huge.wav",
            wav(3, 2, 48_000, 8, 32, &f32le((0..48_000 * 2).map(|_| 1e30))),
            "NaN, infinite or beyond",
        ),
    ];
    for (name, bytes, _) in &cases {
        std::fs::write(rec.join(name), bytes).expect("write");
    }
    // Not regular files: a FIFO and a link to an endless device.
    let fifo = rec.join("fifo.wav");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo");
    assert!(made.success());
    std::os::unix::fs::symlink("/dev/zero", rec.join("zero.wav")).expect("symlink");
    // A file whose name is not UTF-8 (a card formatted elsewhere): a good recording.
    let odd_name = {
        use std::os::unix::ffi::OsStrExt;
        rec.join(std::ffi::OsStr::from_bytes(b"take-\xff\xfe.wav"))
    };
    std::fs::write(&odd_name, wav(1, 2, 44_100, 4, 16, &pcm16(88_200))).expect("write");
    // A float file with a handful of NaN (a glitch, under 0.1 %): repaired and said.
    let mut glitchy: Vec<f32> = tone(44_100 * 2).collect();
    for i in [100, 5_000, 70_001] {
        glitchy[i] = f32::NAN;
    }
    glitchy[9_000] = f32::NEG_INFINITY;
    std::fs::write(
        rec.join("glitch.wav"),
        wav(3, 2, 44_100, 8, 32, &f32le(glitchy.into_iter())),
    )
    .expect("write");

    let started = std::time::Instant::now();
    let o = stemset(dir.path(), &["process", "demo"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "failures exit 1: {out}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(300),
        "nothing hangs the run (a FIFO once did forever)"
    );
    assert!(!out.contains("panicked"), "{out}");
    assert!(
        out.contains("processed 3 file(s)"),
        "good, glitch and the odd name: {out}"
    );
    assert!(
        out.contains("note: 4 NaN, infinite or out-of-range sample(s) were replaced"),
        "{out}"
    );
    let failed_lines: Vec<&str> = out
        .lines()
        .skip_while(|l| !l.contains("file(s) failed:"))
        .skip(1)
        .collect();
    assert_eq!(
        failed_lines.len(),
        cases.len() + 2,
        "one line per bad file, FIFO and link included: {out}"
    );
    for (name, _, says) in &cases {
        let line = failed_lines
            .iter()
            .find(|l| l.contains(&format!("/{name}")))
            .unwrap_or_else(|| panic!("no failure line for {name}: {out}"));
        assert!(line.contains(says), "{name}: {line}");
        assert_eq!(
            line.matches(name).count(),
            1,
            "the file is named once: {line}"
        );
        assert!(!line.contains("/tmp/stemset-"), "no scratch path: {line}");
    }
    for name in ["fifo.wav", "zero.wav"] {
        let line = failed_lines
            .iter()
            .find(|l| l.contains(&format!("/{name}")))
            .unwrap_or_else(|| panic!("no line for {name}: {out}"));
        assert!(line.contains("not a regular file"), "{line}");
    }
    // Stored: exactly the three good recordings, each complete.
    let folders = recording_folders(dir.path());
    assert_eq!(folders.len(), 3, "{folders:?}");
    for f in &folders {
        assert!(f.join("metadata.json").is_file(), "{}", f.display());
    }
    assert_eq!(recording_rows(dir.path()), 3);
    let glitch_meta = folders
        .iter()
        .map(|f| std::fs::read_to_string(f.join("metadata.json")).expect("read"))
        .find(|m| m.contains("glitch.wav"))
        .expect("the glitchy file's metadata");
    let meta: serde_json::Value = serde_json::from_str(&glitch_meta).expect("json");
    assert_eq!(meta["source"]["repaired_samples"], 4, "{meta}");
    // The odd name gets a displayable title.
    assert!(out.contains("take-\u{FFFD}\u{FFFD}.wav"), "{out}");

    // A rerun stores nothing more: the bad files fail the same way again (they are
    // still "new": nothing of them was kept), never hanging.
    let o = stemset(dir.path(), &["process", "demo"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("13 new files, 3 already processed"), "{out}");
    assert!(out.contains("processed 0 file(s)"), "{out}");
    assert!(out.contains("15 file(s) failed"), "{out}");
    assert_eq!(recording_folders(dir.path()).len(), 3);
}

#[test]
fn ogg_opus_is_read_whatever_its_extension() {
    // Stemset's own Opus stems are the Ogg Opus files a user would bring.
    let dir = setup("opus");
    let o = stemset(
        dir.path(),
        &["generate-demo", "demo/recordings/jam.wav", "--seconds", "2"],
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = stemset(dir.path(), &["process", "demo"]);
    assert!(o.status.success(), "{}", text(&o));
    let folder = recording_folders(dir.path()).pop().expect("a recording");
    let rec = recordings(dir.path());
    std::fs::copy(folder.join("drums.opus"), rec.join("drums-take.opus")).expect("copy");
    std::fs::copy(folder.join("bass.opus"), rec.join("bass-take.ogg")).expect("copy");

    let o = stemset(dir.path(), &["process", "demo"]);
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(out.contains("2 new files, 1 already processed"), "{out}");
    assert!(out.contains("processed 2 file(s)"), "{out}");
    // The demo is 2 s: Opus decodes to exactly that (pre-skip and padding trimmed).
    assert!(out.contains("of 2.0 s"), "{out}");
    assert_eq!(recording_folders(dir.path()).len(), 3);
}

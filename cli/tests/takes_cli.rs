//! Take detection end to end (issue 16): `stemset process` on a generated little
//! rehearsal (the demo song played twice with room noise between) stores and prints the
//! takes, `metadata.json` has them, `stemset takes` lists them, and a take of a later
//! recording that sounds like a take filed under a song is suggested for that song.

mod common;

use common::{stemset, text};

use std::path::PathBuf;

use serde_json::Value;
use uuid::Uuid;

fn setup() -> tempfile::TempDir {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let dir = tempfile::tempdir().expect("tempdir");
    let config = std::fs::read_to_string(root.join("config.yaml"))
        .expect("config.yaml")
        .replace("format: opus ", "format: flac ");
    std::fs::write(dir.path().join("config.yaml"), config).expect("write");
    std::fs::copy(root.join("plugins.toml"), dir.path().join("plugins.toml")).expect("copy");
    dir
}

/// The recording id `stemset process` printed for the takes it found.
fn recording_id(out: &str) -> Uuid {
    let at = out.find("(recording ").expect("a takes line") + "(recording ".len();
    Uuid::parse_str(&out[at..at + 36]).expect("an id")
}

fn takes_json(dir: &std::path::Path, id: Uuid) -> Value {
    let o = stemset(dir, &["takes", &id.to_string(), "--json"]);
    assert!(o.status.success(), "{}", text(&o));
    serde_json::from_slice(&o.stdout).expect("json")
}

#[test]
fn process_finds_stores_and_prints_takes() {
    let dir = setup();
    let o = stemset(
        dir.path(),
        &[
            "generate-demo",
            "demo/recordings/night1.wav",
            "--takes",
            "2",
            "--seconds",
            "36",
            "--gap",
            "14",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = stemset(dir.path(), &["process", "demo"]);
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(out.contains("2 takes (recording "), "{out}");
    assert!(out.contains("1 0:00–0:36"), "{out}");
    assert!(out.contains("no song yet"), "{out}");
    let id = recording_id(&out);

    let listed = takes_json(dir.path(), id);
    let takes = listed["takes"].as_array().expect("takes");
    assert_eq!(takes.len(), 2, "{listed}");
    // The demo: two plays of 36 s at 0 s and 50 s, 112 BPM in A major.
    for (t, start) in takes.iter().zip([0.0, 50.0]) {
        let (s, e) = (
            t["start"].as_f64().unwrap_or(-1.0),
            t["end"].as_f64().unwrap_or(-1.0),
        );
        assert!((s - start).abs() < 1.5, "start {s} vs {start}: {t}");
        assert!((e - (start + 36.0)).abs() < 1.5, "end {e}: {t}");
        assert_eq!(t["kind"], "take", "{t}");
        let bpm = t["bpm"].as_f64().expect("a tempo");
        assert!((bpm - 112.0).abs() / 112.0 < 0.03, "bpm {bpm}");
        let key = t["key"].as_str().unwrap_or_default();
        // The demo's only G# is one pad tone of its E chord: A major, or the
        // neighbouring D major (one accidental apart), never anything further.
        assert!(
            ["A major", "F# minor", "D major"].contains(&key),
            "key {key}"
        );
        assert!(t["beats"].as_array().is_some_and(|b| b.len() > 30), "{t}");
    }
    let table = stemset(dir.path(), &["takes", &id.to_string()]);
    assert!(text(&table).contains("2 takes"), "{}", text(&table));

    let media = dir.path().join("data/media/demo").join(id.to_string());
    let meta: Value =
        serde_json::from_slice(&std::fs::read(media.join("metadata.json")).expect("metadata.json"))
            .expect("metadata json");
    assert_eq!(meta["takes"].as_array().map(Vec::len), Some(2), "{meta}");
    assert!(meta["takes"][0]["song"].is_null());

    // A member files the first take under a song; the next recording's take of the same
    // music is suggested for it, and printed so.
    let first = takes[0]["id"]
        .as_str()
        .and_then(|s| Uuid::parse_str(s).ok())
        .expect("id");
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let url = format!(
            "sqlite://{}",
            dir.path().join("data/stemset.sqlite").display()
        );
        let db = stemset_library::db::connect(&url, false).await.expect("db");
        let profile =
            <stemset_library::db::recording::Entity as sea_orm::EntityTrait>::find_by_id(id)
                .one(&db)
                .await
                .expect("query")
                .expect("recording")
                .profile_id;
        stemset_library::takes::edit::create_song(
            &db,
            &|_| true,
            profile,
            "Demo Song",
            Some(first),
        )
        .await
        .expect("song");
    });
    let o = stemset(
        dir.path(),
        &[
            "generate-demo",
            "demo/recordings/night2.wav",
            "--seconds",
            "30",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = stemset(dir.path(), &["process", "demo"]);
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(out.contains("sounds like \"Demo Song\""), "{out}");
    let second = recording_id(&out);
    let meta: Value = serde_json::from_slice(
        &std::fs::read(
            dir.path()
                .join("data/media/demo")
                .join(second.to_string())
                .join("metadata.json"),
        )
        .expect("metadata.json"),
    )
    .expect("json");
    assert_eq!(meta["takes"][0]["song"], "Demo Song", "{meta}");
}

#[test]
fn takes_command_refuses_what_is_not_a_recording() {
    let dir = setup();
    let o = stemset(dir.path(), &["takes", "not-an-id"]);
    assert!(!o.status.success());
    assert!(
        text(&o).contains("\"not-an-id\" is not a recording id"),
        "{}",
        text(&o)
    );
    let o = stemset(dir.path(), &["takes", &Uuid::nil().to_string()]);
    assert!(!o.status.success());
    assert!(text(&o).contains("no recording with id"), "{}", text(&o));
}

/// RMS of a 24-bit stereo WAV between two times.
fn rms(path: &std::path::Path, from: f64, to: f64) -> f64 {
    let mut r = hound::WavReader::open(path).expect("wav");
    let spec = r.spec();
    let scale = f64::from(1u32 << (spec.bits_per_sample - 1));
    let rate = f64::from(spec.sample_rate);
    let (a, b) = ((from * rate) as usize * 2, (to * rate) as usize * 2);
    let v: Vec<f64> = r
        .samples::<i32>()
        .skip(a)
        .take(b - a)
        .map(|s| f64::from(s.expect("sample")) / scale)
        .collect();
    (v.iter().map(|x| x * x).sum::<f64>() / v.len().max(1) as f64).sqrt()
}

#[test]
fn separate_takes_only_fills_the_gaps_with_the_mix() {
    let dir = setup();
    let cfg = dir.path().join("config.yaml");
    let text_cfg = std::fs::read_to_string(&cfg)
        .expect("config")
        .replace("format: flac ", "format: wav ");
    std::fs::write(
        &cfg,
        format!("{text_cfg}\nprocessing:\n  separate: takes\n  gap_stem: other\n"),
    )
    .expect("write");
    let o = stemset(
        dir.path(),
        &[
            "generate-demo",
            "demo/recordings/night.wav",
            "--takes",
            "2",
            "--seconds",
            "36",
            "--gap",
            "40",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = stemset(dir.path(), &["process", "demo"]);
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    // Two takes of 36 s at 0 s and 76 s (the end of the file), each with 2 s of margin
    // on its inner side: 76 of 112 s.
    let at = out
        .find("separated the takes only: ")
        .expect("the saving is reported")
        + "separated the takes only: ".len();
    let music: f64 = out[at..]
        .split(' ')
        .next()
        .and_then(|x| x.parse().ok())
        .expect("seconds");
    assert!((music - 76.0).abs() < 3.0, "{music}: {out}");
    let id = recording_id(&out);
    let rec = dir.path().join("data/media/demo").join(id.to_string());
    let source = hound::WavReader::open(dir.path().join("demo/recordings/night.wav"))
        .expect("source")
        .duration();
    for stem in ["vocals", "drums", "bass", "other"] {
        let path = rec.join(format!("{stem}.wav"));
        assert_eq!(
            hound::WavReader::open(&path).expect("stem").duration(),
            source,
            "{stem} is as long as the source"
        );
        let (take, gap) = (rms(&path, 10.0, 30.0), rms(&path, 45.0, 70.0));
        assert!(take > 1e-3, "{stem} plays in the take: {take}");
        if stem == "other" {
            // The room hiss of the mix (0.002 peak white noise: about 0.0012 RMS).
            assert!(
                (4e-4..4e-3).contains(&gap),
                "other carries the mix in the gap: {gap}"
            );
        } else {
            assert_eq!(gap, 0.0, "{stem} is silent in the gap");
        }
    }
}

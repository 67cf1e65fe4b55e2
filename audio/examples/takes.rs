//! Finds the takes of a recording and prints them as the rehearsal bench's found.json:
//!
//!     cargo run -p stemset-audio --example takes -- rehearsal.wav > found.json
//!
//! With `TAKES_DUMP=features.csv` it also writes the per-second features and score;
//! `TAKES_SETTINGS='{"prior_bpm": 110}'` overrides settings (JSON, as in config.yaml).
//! `"song"` is the take's same-song group (`song_match::group`: "g1", "g2", ..., null
//! for a take like no other); with `TAKES_SIMILARITY=sim.json` the pairwise similarities
//! are written too (`{"takes": [[start, end], ...], "similarity": [[...], ...]}`).
//! With `TAKES_STEMS=DIR` the stems in DIR (`drums.wav`, `bass.wav`, `other.wav`,
//! `vocals.wav`, as `generate.py --stems` writes them) are evidence too, as the pipeline's
//! separated stems are (`stem_evidence`).

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use stemset_audio::analysis::Analyzer;
use stemset_audio::takes::{TakeAnalyzer, TakeSettings, seconds, song_match, stem_evidence};
use stemset_audio::{AudioSink, AudioSource, CHUNK_FRAMES, decode};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: takes <audio file>")?;
    let t0 = Instant::now();
    let mut src = decode::open(Path::new(&path))?;
    let ch = src.channels().max(1);
    let settings: TakeSettings = match std::env::var("TAKES_SETTINGS") {
        Ok(json) => serde_json::from_str(&json)?,
        Err(_) => TakeSettings::default(),
    };
    let mut analyzer = TakeAnalyzer::new(src.sample_rate(), ch, settings);
    let mut buf = vec![0.0f32; CHUNK_FRAMES * ch];
    loop {
        let n = src.read(&mut buf)?;
        if n == 0 {
            break;
        }
        analyzer.write(&buf[..n * ch])?;
    }
    let decoded = t0.elapsed();
    let mut takes = analyzer.finish_takes();
    if let Ok(dir) = std::env::var("TAKES_STEMS") {
        let mut levels = Vec::new();
        for name in ["drums", "bass", "other", "vocals"] {
            let mut stem = decode::open(&Path::new(&dir).join(format!("{name}.wav")))?;
            let ch = stem.channels().max(1);
            let mut meter = Analyzer::new(stem.sample_rate(), ch)?;
            let mut buf = vec![0.0f32; CHUNK_FRAMES * ch];
            loop {
                let n = stem.read(&mut buf)?;
                if n == 0 {
                    break;
                }
                meter.write(&buf[..n * ch])?;
            }
            levels.push((name, meter.levels()));
        }
        let stems: Vec<stem_evidence::StemLevels<'_>> = levels
            .iter()
            .map(|(name, power)| stem_evidence::StemLevels { name, power })
            .collect();
        stem_evidence::trim_lone_instrument(&mut takes, &stems);
    }
    let found_at = t0.elapsed();
    let sim = song_match::similarities(&takes);
    let groups = song_match::cluster(&sim, song_match::SAME_SONG);
    eprintln!(
        "{} takes in {} groups; decode+features {:.2} s, takes {:.2} s, same-song {:.3} s",
        takes.len(),
        groups.iter().flatten().max().map_or(0, |g| g + 1),
        decoded.as_secs_f64(),
        (found_at - decoded).as_secs_f64(),
        (t0.elapsed() - found_at).as_secs_f64()
    );
    if let Ok(path) = std::env::var("TAKES_SIMILARITY") {
        let spans: Vec<[f64; 2]> = takes.iter().map(|t| [t.start, t.end]).collect();
        let json = serde_json::json!({ "takes": spans, "similarity": sim });
        std::fs::write(path, serde_json::to_string(&json)?)?;
    }
    if let Ok(dump) = std::env::var("TAKES_DUMP") {
        let mut out = std::io::BufWriter::new(std::fs::File::create(dump)?);
        writeln!(out, "second,{},score", seconds::FEATURE_NAMES.join(","))?;
        let scores = analyzer.scores();
        for (k, (row, p)) in analyzer.second_features().iter().zip(scores).enumerate() {
            let cells: Vec<String> = row.iter().map(|x| format!("{x:.5}")).collect();
            writeln!(out, "{k},{},{p:.5}", cells.join(","))?;
        }
    }
    let found: Vec<serde_json::Value> = takes
        .iter()
        .zip(&groups)
        .map(|(t, g)| {
            serde_json::json!({
                "start": t.start,
                "end": t.end,
                "kind": t.kind,
                "song": g.map(|g| format!("g{}", g + 1)),
                "bpm": t.bpm,
                "bpm_confidence": t.bpm_confidence,
                "key": t.key,
                "key_confidence": t.key_confidence,
                "beats": t.beats,
                "downbeats": t.downbeats,
                "fingerprint": t.fingerprint,
            })
        })
        .collect();
    println!(
        "{}",
        serde_json::to_string_pretty(&serde_json::json!({ "takes": found }))?
    );
    Ok(())
}

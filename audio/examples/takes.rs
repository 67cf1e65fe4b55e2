//! Finds the takes of a recording and prints them as the rehearsal bench's found.json:
//!
//!     cargo run -p stemset-audio --example takes -- rehearsal.wav > found.json
//!
//! With `TAKES_DUMP=features.csv` it also writes the per-second features and score;
//! `TAKES_SETTINGS='{"prior_bpm": 110}'` overrides settings (JSON, as in config.yaml).

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use stemset_audio::takes::{TakeAnalyzer, TakeSettings, seconds};
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
    let takes = analyzer.finish_takes();
    eprintln!(
        "{} takes; decode+features {:.2} s, total {:.2} s",
        takes.len(),
        decoded.as_secs_f64(),
        t0.elapsed().as_secs_f64()
    );
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
        .map(|t| {
            serde_json::json!({
                "start": t.start,
                "end": t.end,
                "kind": t.kind,
                "song": null,
                "bpm": t.bpm,
                "bpm_confidence": t.bpm_confidence,
                "key": t.key,
                "key_confidence": t.key_confidence,
                "beats": t.beats,
                "downbeats": t.downbeats,
            })
        })
        .collect();
    println!(
        "{}",
        serde_json::to_string_pretty(&serde_json::json!({ "takes": found }))?
    );
    Ok(())
}

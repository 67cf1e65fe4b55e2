//! `stemset takes <recording-id>`: the takes of a recording (start–end, kind, song or
//! suggestion, BPM, key); `--json` for scripts. `stemset process` prints the same lines.

use std::process::ExitCode;

use anyhow::Context;
use sea_orm::EntityTrait;
use stemset_library::db::recording;
use stemset_library::takes::store::{TakeView, recording_takes, times};
use uuid::Uuid;

#[derive(clap::Args)]
pub struct Args {
    /// The recording's id (as `stemset process`, the web app and the API show it).
    pub recording: String,
    /// Print JSON (the takes with their beats) instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// `m:ss` (or `h:mm:ss`).
pub fn clock(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as u64;
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

/// One line per take, indented by `indent`.
pub fn lines(views: &[TakeView], indent: &str) -> Vec<String> {
    views
        .iter()
        .map(|v| {
            let t = &v.take;
            let kind = if t.kind == stemset_library::db::take::KIND_FALSE_START {
                "false start"
            } else {
                "take"
            };
            let song = match (&v.song, &v.suggested_song) {
                (Some(s), _) => format!("\"{s}\""),
                (None, Some(s)) => format!("sounds like \"{s}\""),
                (None, None) => "no song yet".into(),
            };
            let bpm = t.bpm.map_or("tempo ?".into(), |b| format!("{b:.0} BPM"));
            let key = t.key.clone().unwrap_or_else(|| "key ?".into());
            format!(
                "{indent}{} {}–{} ({}) {kind}: {song}, {bpm}, {key}",
                t.position + 1,
                clock(t.start_seconds),
                clock(t.end_seconds),
                clock(t.end_seconds - t.start_seconds),
            )
        })
        .collect()
}

pub async fn run(config: &std::path::Path, args: Args) -> anyhow::Result<ExitCode> {
    let config = super::load_config(config)?;
    let id = Uuid::parse_str(args.recording.trim())
        .with_context(|| format!("\"{}\" is not a recording id", args.recording))?;
    let db = stemset_library::db::connect(config.database.url.expose(), false)
        .await
        .context("cannot open the library")?;
    let Some(rec) = recording::Entity::find_by_id(id).one(&db).await? else {
        anyhow::bail!("no recording with id {id} in this library");
    };
    let views = recording_takes(&db, rec.id).await?;
    if args.json {
        let takes: Vec<serde_json::Value> = views
            .iter()
            .map(|v| {
                let t = &v.take;
                serde_json::json!({
                    "id": t.id,
                    "start": t.start_seconds,
                    "end": t.end_seconds,
                    "kind": t.kind,
                    "song": v.song,
                    "suggested_song": v.suggested_song,
                    "suggestion_score": t.suggestion_score,
                    "bpm": t.bpm,
                    "bpm_confidence": t.bpm_confidence,
                    "key": t.key,
                    "key_confidence": t.key_confidence,
                    "beats": times(&t.beats),
                    "downbeats": times(&t.downbeats),
                })
            })
            .collect();
        let out = serde_json::json!({
            "recording": rec.id,
            "title": rec.title,
            "duration_seconds": rec.duration_seconds,
            "takes": takes,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{} ({}): {} take{}",
        rec.title,
        clock(rec.duration_seconds),
        views.len(),
        if views.len() == 1 { "" } else { "s" }
    );
    for l in lines(&views, "  ") {
        println!("{l}");
    }
    Ok(ExitCode::SUCCESS)
}

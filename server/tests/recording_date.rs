//! When a recording was made, apart from when it was processed: an uploaded Broadcast
//! Wave file's own date, else the file time the browser sends (`?lastModified=`), and a
//! member's correction (`setRecordingDate`); deleting a recording removes its uploaded
//! original. Through HTTP, with the in-process job worker and the dsp backend.

mod common;

use std::time::Duration;

use chrono::{DateTime, Local, NaiveDate, TimeZone, Utc};
use common::*;
use sea_orm::EntityTrait;
use serde_json::{Value, json};
use stemset_library::db::{audio_file, job, recording};
use uuid::Uuid;

const WORKERS: &str = "  workers: 1\n  poll_ms: 50\n  max_upload_mib: 1\n";

async fn upload(
    s: &TestServer,
    auth: &Auth,
    query: &str,
    name: &str,
    bytes: Vec<u8>,
) -> (u16, Value) {
    upload_file(
        &s.base,
        auth,
        &format!("?profile=alpha{query}"),
        name,
        bytes,
    )
    .await
}

/// The recording an upload's job made (a hang guard, not a timing assertion).
async fn recording_of(s: &TestServer, answer: &Value) -> recording::Model {
    let job_id = Uuid::parse_str(answer["jobId"].as_str().expect("job id")).expect("uuid");
    for _ in 0..1200 {
        let j = job::Entity::find_by_id(job_id)
            .one(&s.db)
            .await
            .expect("job")
            .expect("job row");
        if j.state == job::STATE_FAILED {
            panic!("the job failed: {:?}", j.error);
        }
        if j.state == job::STATE_SUCCEEDED {
            let id = j.recording_id.expect("a recording");
            return recording::Entity::find_by_id(id)
                .one(&s.db)
                .await
                .expect("query")
                .expect("recording");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the job did not finish");
}

/// `wav` with a Broadcast Wave `bext` chunk carrying `date` and `time` after its header.
fn with_bext(wav: Vec<u8>, date: &str, time: &str) -> Vec<u8> {
    let mut bext = vec![0u8; 602];
    bext[320..320 + date.len()].copy_from_slice(date.as_bytes());
    bext[330..330 + time.len()].copy_from_slice(time.as_bytes());
    let mut chunk = b"bext".to_vec();
    chunk.extend_from_slice(&(bext.len() as u32).to_le_bytes());
    chunk.extend_from_slice(&bext);
    let mut out = wav;
    out.splice(12..12, chunk);
    let riff = (out.len() - 8) as u32;
    out[4..8].copy_from_slice(&riff.to_le_bytes());
    out
}

/// A date as the API writes it ("2026-11-24 19:42:07 UTC").
fn parse(at: &Value) -> DateTime<Utc> {
    let s = at.as_str().expect("a date string");
    chrono::NaiveDateTime::parse_from_str(s.trim_end_matches(" UTC"), "%Y-%m-%d %H:%M:%S%.f")
        .unwrap_or_else(|e| panic!("{s}: {e}"))
        .and_utc()
}

async fn recorded_at(s: &TestServer, auth: &Auth, id: Uuid) -> Value {
    let (_, body) = gql(
        s,
        auth,
        "query($id: String!) { recordings(filters: { id: { eq: $id } }) { nodes { recordedAt createdAt } } }",
        json!({ "id": id.to_string() }),
    )
    .await;
    body["data"]["recordings"]["nodes"][0].clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn recording_dates_come_from_the_file_then_the_file_time_and_members_correct_them() {
    let s = TestServer::start_with(
        Backend::Sqlite,
        &ConfigOptions {
            jobs: Some(WORKERS),
            ..Default::default()
        },
        false,
    )
    .await;
    let member = Auth::Cookie(s.session_cookie(&s.member));

    // A field recorder's file: its bext date, on the recorder's (here: the server's) clock,
    // wins over the file time.
    let bwf = with_bext(wav_bytes(1.0, 220.0), "2026-11-24", "19:42:07");
    let (code, body) = upload(
        &s,
        &member,
        "&lastModified=1700000000000",
        "Tuesday.wav",
        bwf,
    )
    .await;
    assert_eq!(code, 201, "{body}");
    let rec = recording_of(&s, &body).await;
    let expected = Local
        .from_local_datetime(
            &NaiveDate::from_ymd_opt(2026, 11, 24)
                .and_then(|d| d.and_hms_opt(19, 42, 7))
                .expect("date"),
        )
        .earliest()
        .expect("local time")
        .with_timezone(&Utc);
    assert_eq!(rec.recorded_at, expected);
    let node = recorded_at(&s, &member, rec.id).await;
    assert_eq!(parse(&node["recordedAt"]), expected, "{node}");
    assert_ne!(node["recordedAt"], node["createdAt"]);

    // No date in the file: the browser's file time.
    let (code, body) = upload(
        &s,
        &member,
        "&lastModified=1700000000000",
        "Wednesday.wav",
        wav_bytes(1.0, 330.0),
    )
    .await;
    assert_eq!(code, 201, "{body}");
    let rec2 = recording_of(&s, &body).await;
    assert_eq!(rec2.recorded_at.timestamp_millis(), 1_700_000_000_000);

    // Neither: when it was processed.
    let (code, body) = upload(&s, &member, "", "Thursday.wav", wav_bytes(1.0, 440.0)).await;
    assert_eq!(code, 201, "{body}");
    let rec3 = recording_of(&s, &body).await;
    assert!((rec3.recorded_at - rec3.created_at).num_seconds().abs() < 5);

    // A file time that is not one is refused, naming it; nothing is stored.
    for bad in ["yesterday", "-5", "99999999999999999"] {
        let (code, body) = upload(
            &s,
            &member,
            &format!("&lastModified={bad}"),
            "Friday.wav",
            wav_bytes(1.0, 550.0),
        )
        .await;
        assert_eq!(code, 400, "{bad}: {body}");
        assert!(
            body["error"]
                .as_str()
                .unwrap_or("")
                .contains("lastModified"),
            "{body}"
        );
    }

    // Members correct the date: a day, or RFC 3339; nonsense and the future are refused.
    let set = "mutation($id: ID!, $at: String!) { setRecordingDate(id: $id, recordedAt: $at) { recordedAt } }";
    let (_, body) = gql(
        &s,
        &member,
        set,
        json!({ "id": rec2.id, "at": "2025-06-01T21:00:00Z" }),
    )
    .await;
    assert_eq!(
        parse(&body["data"]["setRecordingDate"]["recordedAt"]),
        Utc.with_ymd_and_hms(2025, 6, 1, 21, 0, 0)
            .single()
            .expect("date"),
        "{body}"
    );
    let (_, body) = gql(
        &s,
        &member,
        set,
        json!({ "id": rec2.id, "at": "2025-06-02" }),
    )
    .await;
    let day = parse(&body["data"]["setRecordingDate"]["recordedAt"]).with_timezone(&Local);
    assert_eq!(
        day.date_naive(),
        NaiveDate::from_ymd_opt(2025, 6, 2).expect("date"),
        "{body}"
    );
    for (bad, says) in [
        ("next tuesday", "is not a date"),
        ("2025-02-30", "is not a date"),
        ("2999-01-01", "outside 1970 to today"),
        ("1969-12-31T00:00:00Z", "outside 1970 to today"),
    ] {
        let (_, body) = gql(&s, &member, set, json!({ "id": rec2.id, "at": bad })).await;
        let message = body["errors"][0]["message"].as_str().unwrap_or("");
        assert!(
            message.contains(says) && message.contains("recordedAt"),
            "{bad}: {body}"
        );
    }
    let kept = recording::Entity::find_by_id(rec2.id)
        .one(&s.db)
        .await
        .expect("query")
        .expect("recording");
    assert_eq!(
        kept.recorded_at.date_naive(),
        day.with_timezone(&Utc).date_naive()
    );

    // The band's list sorts by it: oldest recorded first.
    let (_, body) = gql(
        &s,
        &member,
        "{ recordings(orderBy: { recordedAt: ASC }) { nodes { title } } }",
        json!({}),
    )
    .await;
    let titles: Vec<&str> = body["data"]["recordings"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .filter_map(|n| n["title"].as_str())
        .filter(|t| ["Tuesday", "Wednesday", "Thursday"].contains(t))
        .collect();
    assert_eq!(titles, ["Wednesday", "Tuesday", "Thursday"], "{body}");

    // Deleting a recording removes its uploaded original too.
    let audio = audio_file::Entity::find_by_id(rec3.audio_file_id)
        .one(&s.db)
        .await
        .expect("query")
        .expect("audio file");
    let original = audio.input_key.clone().expect("an uploaded original");
    assert!(s.storage.exists(&original).await.expect("storage"));
    let (_, body) = gql(
        &s,
        &member,
        "mutation($id: ID!) { deleteRecording(id: $id) }",
        json!({ "id": rec3.id }),
    )
    .await;
    assert!(body["errors"].is_null(), "{body}");
    assert!(
        !s.storage.exists(&original).await.expect("storage"),
        "the uploaded original is left in storage"
    );
    let audio = audio_file::Entity::find_by_id(rec3.audio_file_id)
        .one(&s.db)
        .await
        .expect("query")
        .expect("the audio file row stays");
    assert_eq!(audio.input_key, None);
    // Uploaded again, it is processed again from the new upload.
    let (code, body) = upload(&s, &member, "", "Thursday.wav", wav_bytes(1.0, 440.0)).await;
    assert_eq!(code, 201, "{body}");
    let again = recording_of(&s, &body).await;
    assert_eq!(again.audio_file_id, rec3.audio_file_id);
    s.stop().await;
}

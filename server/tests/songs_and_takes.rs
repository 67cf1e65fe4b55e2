//! Songs and takes through the API (issue 16), on SQLite and PostgreSQL: creating,
//! renaming and deleting songs, filing takes, suggestions after a member files a take
//! (real fingerprint comparison), confirming, moving, splitting, merging and deleting
//! takes with their refusals, and reprocessing keeping what members decided.

mod common;

use chrono::Utc;
use common::{Auth, Backend, TestServer, first_error, gql};
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use serde_json::{Value, json};
use stemset_audio::takes::song_match::Fingerprint;
use stemset_audio::takes::{Take, TakeKind};
use stemset_core::metadata::TakeMetadata;
use stemset_library::db::{recording, take};
use uuid::Uuid;

/// A beat-synchronous chroma "song": `beats` cells cycling through chords (pitch-class
/// triads) four beats each.
fn song_print(chords: &[[usize; 3]], beats: usize) -> Fingerprint {
    Fingerprint(
        (0..beats)
            .map(|b| {
                let chord = chords[(b / 4) % chords.len()];
                let mut cell = [-30i8; 12];
                for pc in chord {
                    cell[pc] = 70;
                }
                cell
            })
            .collect(),
    )
}

const SONG_A: [[usize; 3]; 4] = [[9, 1, 4], [6, 9, 1], [2, 6, 9], [4, 8, 11]];
const SONG_B: [[usize; 3]; 4] = [[0, 3, 7], [5, 8, 0], [10, 2, 5], [7, 11, 2]];

/// Inserts a take of alpha's recording spanning `start..end` with one beat per 0.5 s.
async fn add_take(
    s: &TestServer,
    position: i32,
    start: f64,
    end: f64,
    print: &Fingerprint,
) -> take::Model {
    let beats: Vec<f64> = (0..)
        .map(|i| start + 0.5 * f64::from(i))
        .take_while(|b| *b < end)
        .collect();
    let print = Fingerprint(
        print
            .0
            .iter()
            .take(beats.len().saturating_sub(1))
            .cloned()
            .collect(),
    );
    let now = Utc::now();
    take::ActiveModel {
        id: Set(Uuid::now_v7()),
        profile_id: Set(s.alpha.recording.profile_id),
        recording_id: Set(s.alpha.recording.id),
        position: Set(position),
        start_seconds: Set(start),
        end_seconds: Set(end),
        kind: Set(take::KIND_TAKE.into()),
        bpm: Set(Some(120.0)),
        bpm_confidence: Set(0.9),
        key: Set(Some("A major".into())),
        key_confidence: Set(0.7),
        beats: Set(serde_json::to_string(&beats).expect("json")),
        downbeats: Set("[]".into()),
        fingerprint: Set(print.to_base64()),
        song_id: Set(None),
        suggested_song_id: Set(None),
        suggestion_score: Set(None),
        bounds_edited: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&s.db)
    .await
    .expect("take")
}

async fn call(s: &TestServer, who: &Auth, query: &str, vars: Value) -> Value {
    let (status, body) = gql(s, who, query, vars).await;
    assert_eq!(status, 200, "{body}");
    body
}

async fn take_row(s: &TestServer, id: Uuid) -> Option<take::Model> {
    take::Entity::find_by_id(id)
        .one(&s.db)
        .await
        .expect("query")
}

/// Alpha's recording processed again with these takes found.
async fn reprocess(s: &TestServer, found: &[TakeMetadata]) {
    stemset_library::takes::store::replace_takes(
        &s.db,
        s.alpha.recording.profile_id,
        s.alpha.recording.id,
        found,
        Utc::now(),
    )
    .await
    .expect("replace");
}

/// The starts of alpha's takes in order, through the API (and the answer).
async fn take_starts(s: &TestServer, who: &Auth) -> (Vec<f64>, Value) {
    let body = call(
        s,
        who,
        "query($id: String!) { takes(filters: { recordingId: { eq: $id } }, orderBy: { position: ASC }) { nodes { startSeconds position } } }",
        json!({ "id": s.alpha.recording.id }),
    )
    .await;
    let starts = body["data"]["takes"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .filter_map(|n| n["startSeconds"].as_f64())
        .collect();
    (starts, body)
}

async fn songs_and_takes(backend: Backend) {
    let s = TestServer::start(backend).await;
    let me = Auth::Cookie(s.session_cookie(&s.member));
    // A 10-minute recording (the seeded one is 1 s) with the seeded takes out of the way.
    let mut rec: recording::ActiveModel = s.alpha.recording.clone().into();
    rec.duration_seconds = Set(600.0);
    rec.update(&s.db).await.expect("duration");
    for t in &s.alpha.takes {
        take::Entity::delete_by_id(t.id)
            .exec(&s.db)
            .await
            .expect("delete");
    }
    let a1 = add_take(&s, 0, 10.0, 70.0, &song_print(&SONG_A, 200)).await;
    let b1 = add_take(&s, 1, 80.0, 140.0, &song_print(&SONG_B, 200)).await;
    let a2 = add_take(&s, 2, 150.0, 230.0, &song_print(&SONG_A, 200)).await;
    let profile = s.alpha.recording.profile_id.to_string();

    // Create a song filed with a1: a2 (the same music) gets it as suggestion, b1 not.
    let body = call(
        &s,
        &me,
        "mutation($p: ID!, $t: ID!) { createSong(profileId: $p, title: \" Blue Train \", takeId: $t) { id title } }",
        json!({ "p": profile, "t": a1.id }),
    )
    .await;
    assert_eq!(body["data"]["createSong"]["title"], "Blue Train", "{body}");
    let blue = body["data"]["createSong"]["id"]
        .as_str()
        .expect("id")
        .to_string();
    let blue_id = Uuid::parse_str(&blue).expect("uuid");
    assert_eq!(
        take_row(&s, a1.id).await.and_then(|t| t.song_id),
        Some(blue_id)
    );
    let a2_now = take_row(&s, a2.id).await.expect("a2");
    assert_eq!(
        a2_now.suggested_song_id,
        Some(blue_id),
        "same music is suggested"
    );
    assert!(
        a2_now.suggestion_score.is_some_and(|v| v > 0.9),
        "{a2_now:?}"
    );
    assert_eq!(
        take_row(&s, b1.id).await.and_then(|t| t.suggested_song_id),
        None,
        "other music is not"
    );

    // Titles: unique per band without case, not empty, not too long.
    for (title, why) in [
        ("blue train", "already has a song"),
        ("  ", "needs a title"),
    ] {
        let body = call(
            &s,
            &me,
            "mutation($p: ID!, $t: String!) { createSong(profileId: $p, title: $t) { id } }",
            json!({ "p": profile, "t": title }),
        )
        .await;
        assert!(first_error(&body).contains(why), "{title}: {body}");
    }
    let long = "x".repeat(201);
    let body = call(
        &s,
        &me,
        "mutation($p: ID!, $t: String!) { createSong(profileId: $p, title: $t) { id } }",
        json!({ "p": profile, "t": long }),
    )
    .await;
    assert!(first_error(&body).contains("at most 200"), "{body}");

    // The recording lists its takes in order, with songs and suggestions.
    let body = call(
        &s,
        &me,
        "query($id: String!) { recordings(filters: { id: { eq: $id } }) { nodes { takes(orderBy: { position: ASC }) { nodes { id position song { title } suggestedSong { title } } } } } }",
        json!({ "id": s.alpha.recording.id }),
    )
    .await;
    let nodes = &body["data"]["recordings"]["nodes"][0]["takes"]["nodes"];
    assert_eq!(nodes[0]["song"]["title"], "Blue Train", "{body}");
    assert_eq!(nodes[2]["suggestedSong"]["title"], "Blue Train", "{body}");

    // Confirm the suggestion; confirming a take with none is refused.
    let body = call(
        &s,
        &me,
        "mutation($id: ID!) { confirmTakeSuggestion(id: $id) { songId suggestedSongId } }",
        json!({ "id": a2.id }),
    )
    .await;
    assert_eq!(
        body["data"]["confirmTakeSuggestion"]["songId"],
        blue.as_str(),
        "{body}"
    );
    assert!(body["data"]["confirmTakeSuggestion"]["suggestedSongId"].is_null());
    let body = call(
        &s,
        &me,
        "mutation($id: ID!) { confirmTakeSuggestion(id: $id) { songId } }",
        json!({ "id": b1.id }),
    )
    .await;
    assert!(first_error(&body).contains("no suggested song"), "{body}");
    // Taken off its song, a2 is suggested for it again; confirmed once more.
    let body = call(
        &s,
        &me,
        "mutation($id: ID!) { unassignTake(id: $id) { songId suggestedSongId } }",
        json!({ "id": a2.id }),
    )
    .await;
    assert!(body["data"]["unassignTake"]["songId"].is_null(), "{body}");
    assert_eq!(
        body["data"]["unassignTake"]["suggestedSongId"],
        blue.as_str(),
        "{body}"
    );
    let body = call(
        &s,
        &me,
        "mutation($id: ID!) { confirmTakeSuggestion(id: $id) { songId } }",
        json!({ "id": a2.id }),
    )
    .await;
    assert_eq!(
        body["data"]["confirmTakeSuggestion"]["songId"],
        blue.as_str(),
        "{body}"
    );

    // Another band's song cannot be used.
    let body = call(
        &s,
        &me,
        "mutation($id: ID!, $song: ID!) { assignTake(id: $id, songId: $song) { id } }",
        json!({ "id": b1.id, "song": s.beta.song.id }),
    )
    .await;
    assert!(first_error(&body).contains("song not found"), "{body}");

    // Bounds: within the recording, not over a neighbour, at least 1 s.
    for (start, end, why) in [
        (60.0, 100.0, "overlap"),
        (75.0, 75.5, "at least 1"),
        (500.0, 700.0, "within the recording"),
    ] {
        let body = call(
            &s,
            &me,
            "mutation($id: ID!, $a: Float!, $b: Float!) { setTakeBounds(id: $id, start: $a, end: $b) { id } }",
            json!({ "id": b1.id, "a": start, "b": end }),
        )
        .await;
        assert!(first_error(&body).contains(why), "{start}-{end}: {body}");
    }
    let body = call(
        &s,
        &me,
        "mutation($id: ID!) { setTakeBounds(id: $id, start: 90, end: 120) { startSeconds endSeconds boundsEdited beats } }",
        json!({ "id": b1.id }),
    )
    .await;
    let t = &body["data"]["setTakeBounds"];
    assert_eq!(t["startSeconds"], 90.0, "{body}");
    assert_eq!(t["boundsEdited"], true);
    let beats: Vec<f64> = serde_json::from_str(t["beats"].as_str().expect("beats")).expect("json");
    assert!(beats.iter().all(|b| (90.0..120.0).contains(b)), "{beats:?}");

    // Split b1 at 100 s, then merge the halves back.
    let body = call(
        &s,
        &me,
        "mutation($id: ID!) { splitTake(id: $id, at: 100) { id startSeconds endSeconds position } }",
        json!({ "id": b1.id }),
    )
    .await;
    let halves = body["data"]["splitTake"]
        .as_array()
        .expect("two takes")
        .clone();
    assert_eq!(halves.len(), 2, "{body}");
    assert_eq!(halves[0]["endSeconds"], 100.0);
    assert_eq!(halves[1]["startSeconds"], 100.0);
    assert_eq!(halves[1]["position"], 2, "renumbered: {body}");
    let body = call(
        &s,
        &me,
        "mutation($id: ID!) { splitTake(id: $id, at: 90.5) { id } }",
        json!({ "id": b1.id }),
    )
    .await;
    assert!(first_error(&body).contains("inside the take"), "{body}");
    // a1 and a2 are not neighbours.
    let body = call(
        &s,
        &me,
        "mutation($a: ID!, $b: ID!) { mergeTakes(id: $a, otherId: $b) { id } }",
        json!({ "a": a1.id, "b": a2.id }),
    )
    .await;
    assert!(first_error(&body).contains("neighbouring"), "{body}");
    let body = call(
        &s,
        &me,
        "mutation($a: ID!, $b: ID!) { mergeTakes(id: $a, otherId: $b) { id startSeconds endSeconds } }",
        json!({ "a": halves[1]["id"], "b": halves[0]["id"] }),
    )
    .await;
    assert_eq!(body["data"]["mergeTakes"]["startSeconds"], 90.0, "{body}");
    assert_eq!(body["data"]["mergeTakes"]["endSeconds"], 120.0, "{body}");

    // File b1 under a new song, then try to merge it with a1 (different songs).
    let body = call(
        &s,
        &me,
        "mutation($p: ID!, $t: ID!) { createSong(profileId: $p, title: \"Other\", takeId: $t) { id } }",
        json!({ "p": profile, "t": b1.id }),
    )
    .await;
    let other = body["data"]["createSong"]["id"]
        .as_str()
        .expect("id")
        .to_string();
    let body = call(
        &s,
        &me,
        "mutation($a: ID!, $b: ID!) { mergeTakes(id: $a, otherId: $b) { id } }",
        json!({ "a": a1.id, "b": b1.id }),
    )
    .await;
    assert!(first_error(&body).contains("different songs"), "{body}");

    // Reprocessing: new takes overlapping the old keep their ids, songs and edited
    // bounds; an undecided take that overlaps nothing goes; new ones come.
    let unfiled = add_take(&s, 3, 300.0, 320.0, &song_print(&SONG_B, 40)).await;
    let analysis = |start: f64, end: f64| TakeMetadata {
        take: Take {
            start,
            end,
            kind: TakeKind::Take,
            bpm: Some(121.0),
            bpm_confidence: 0.8,
            key: Some("A major".into()),
            key_confidence: 0.6,
            beats: vec![start, start + 0.5],
            downbeats: vec![],
            fingerprint: Fingerprint(vec![[10; 12]]),
        },
        song: None,
    };
    let new = [
        analysis(11.0, 69.0),
        analysis(85.0, 125.0),
        analysis(400.0, 460.0),
    ];
    reprocess(&s, &new).await;
    let a1_after = take_row(&s, a1.id).await.expect("a1 kept");
    assert_eq!(a1_after.song_id, Some(blue_id));
    assert_eq!(
        (a1_after.start_seconds, a1_after.bpm),
        (11.0, Some(121.0)),
        "new analysis"
    );
    let b1_after = take_row(&s, b1.id).await.expect("b1 kept");
    assert_eq!(b1_after.start_seconds, 90.0, "a member's bounds stay");
    assert_eq!(b1_after.song_id.map(|u| u.to_string()), Some(other.clone()));
    assert!(
        take_row(&s, a2.id).await.is_some(),
        "a filed take that overlaps nothing stays"
    );
    assert!(
        take_row(&s, unfiled.id).await.is_none(),
        "an undecided one goes"
    );
    let (starts, body) = take_starts(&s, &me).await;
    assert_eq!(starts, vec![11.0, 90.0, 150.0, 400.0], "{body}");

    // Deleting a song leaves its takes; deleting a take leaves the recording.
    let body = call(
        &s,
        &me,
        "mutation($id: ID!) { deleteSong(id: $id) }",
        json!({ "id": blue }),
    )
    .await;
    assert_eq!(body["data"]["deleteSong"], blue.as_str(), "{body}");
    assert_eq!(take_row(&s, a1.id).await.and_then(|t| t.song_id), None);
    let body = call(
        &s,
        &me,
        "mutation($id: ID!) { deleteTake(id: $id) }",
        json!({ "id": a1.id }),
    )
    .await;
    assert_eq!(body["data"]["deleteTake"], a1.id.to_string(), "{body}");
    assert!(take_row(&s, a1.id).await.is_none());
    let body = call(
        &s,
        &me,
        "mutation($id: ID!) { deleteTake(id: $id) }",
        json!({ "id": a1.id }),
    )
    .await;
    assert!(first_error(&body).contains("take not found"), "{body}");

    // Processing again brings back neither the deleted take nor a take inside one whose
    // bounds a member set; the rest pair as before (the take at 150 s lost its song with
    // "Blue", so nothing keeps it).
    let again = [
        analysis(12.0, 68.0),
        analysis(85.0, 125.0),
        analysis(100.0, 120.0),
        analysis(400.0, 460.0),
    ];
    reprocess(&s, &again).await;
    let (starts, body) = take_starts(&s, &me).await;
    assert_eq!(starts, vec![90.0, 400.0], "{body}");
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn songs_and_takes_sqlite() {
    songs_and_takes(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn songs_and_takes_postgres() {
    songs_and_takes(Backend::Postgres).await;
}

//! Same-song suggestions: a take nobody filed yet is compared with the takes filed under
//! each of the band's songs (the most recent [`REFERENCES_PER_SONG`] of each) and
//! suggested for the most similar song when it is similar enough
//! (`stemset_audio::takes::song_match`). Suggestions only ever touch
//! `suggested_song_id`/`suggestion_score`, never the song a member chose.

use std::collections::HashMap;

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use stemset_audio::takes::song_match::{Fingerprint, SAME_SONG, similarity};
use uuid::Uuid;

use crate::db::take;

/// How many of a song's takes a new take is compared with (the newest): enough to cover a
/// song's evolution, bounded so that a big library stays cheap.
pub const REFERENCES_PER_SONG: usize = 8;

struct Print {
    id: Uuid,
    bpm: Option<f64>,
    print: Fingerprint,
}

fn print(t: &take::Model) -> Option<Print> {
    match Fingerprint::from_base64(&t.fingerprint) {
        Ok(p) if !p.0.is_empty() => Some(Print {
            id: t.id,
            bpm: t.bpm,
            print: p,
        }),
        Ok(_) => None,
        Err(e) => {
            tracing::warn!(take = %t.id, error = %e, "a take's fingerprint cannot be read; no suggestion for it");
            None
        }
    }
}

/// The best (song, score) for each candidate at or above [`SAME_SONG`], computed off the
/// async threads (it is the CPU part).
async fn best_songs(
    candidates: Vec<Print>,
    references: Vec<(Uuid, Print)>,
) -> Vec<(Uuid, Option<(Uuid, f64)>)> {
    let work = move || {
        candidates
            .iter()
            .map(|c| {
                let best = references
                    .iter()
                    .map(|(song, r)| (*song, similarity(&c.print, c.bpm, &r.print, r.bpm)))
                    .filter(|(_, s)| *s >= SAME_SONG)
                    .max_by(|a, b| a.1.total_cmp(&b.1));
                (c.id, best)
            })
            .collect()
    };
    tokio::task::spawn_blocking(work).await.unwrap_or_else(|e| {
        tracing::error!(error = %e, "comparing takes failed; no suggestions");
        Vec::new()
    })
}

/// Suggests songs for the takes of `recording_id` that have no song (after a commit):
/// against every song of the band. Returns how many takes got a suggestion.
pub async fn suggest_for_recording(
    db: &impl ConnectionTrait,
    profile_id: Uuid,
    recording_id: Uuid,
) -> Result<usize, sea_orm::DbErr> {
    let candidates: Vec<Print> = take::Entity::find()
        .filter(take::Column::RecordingId.eq(recording_id))
        .filter(take::Column::SongId.is_null())
        .all(db)
        .await?
        .iter()
        .filter_map(print)
        .collect();
    if candidates.is_empty() {
        return Ok(0);
    }
    let filed: Vec<take::Model> = take::Entity::find()
        .filter(take::Column::ProfileId.eq(profile_id))
        .filter(take::Column::SongId.is_not_null())
        .order_by_desc(take::Column::CreatedAt)
        .all(db)
        .await?;
    let mut per_song: HashMap<Uuid, usize> = HashMap::new();
    let references: Vec<(Uuid, Print)> = filed
        .iter()
        .filter_map(|t| {
            let song = t.song_id?;
            let n = per_song.entry(song).or_default();
            *n += 1;
            if *n > REFERENCES_PER_SONG {
                return None;
            }
            print(t).map(|p| (song, p))
        })
        .collect();
    let found = best_songs(candidates, references).await;
    let mut suggested = 0;
    for (id, best) in found {
        suggested += usize::from(best.is_some());
        set_suggestion(db, id, best).await?;
    }
    Ok(suggested)
}

/// After a member filed `reference` under its song: every unfiled take of the band that
/// sounds more like it than like its current suggestion is suggested for that song.
pub async fn suggest_like(
    db: &impl ConnectionTrait,
    reference: &take::Model,
) -> Result<usize, sea_orm::DbErr> {
    let (Some(song), Some(r)) = (reference.song_id, print(reference)) else {
        return Ok(0);
    };
    let unfiled: Vec<take::Model> = take::Entity::find()
        .filter(take::Column::ProfileId.eq(reference.profile_id))
        .filter(take::Column::SongId.is_null())
        .filter(take::Column::Id.ne(reference.id))
        .all(db)
        .await?;
    let current: HashMap<Uuid, f64> = unfiled
        .iter()
        .map(|t| (t.id, t.suggestion_score.unwrap_or(0.0)))
        .collect();
    let candidates: Vec<Print> = unfiled.iter().filter_map(print).collect();
    let found = best_songs(candidates, vec![(song, r)]).await;
    let mut suggested = 0;
    for (id, best) in found {
        if let Some((song, score)) = best
            && score > current.get(&id).copied().unwrap_or(0.0)
        {
            set_suggestion(db, id, Some((song, score))).await?;
            suggested += 1;
        }
    }
    Ok(suggested)
}

async fn set_suggestion(
    db: &impl ConnectionTrait,
    take_id: Uuid,
    best: Option<(Uuid, f64)>,
) -> Result<(), sea_orm::DbErr> {
    take::Entity::update_many()
        .col_expr(
            take::Column::SuggestedSongId,
            Expr::value(best.map(|(s, _)| s)),
        )
        .col_expr(
            take::Column::SuggestionScore,
            Expr::value(best.map(|(_, v)| v)),
        )
        .filter(take::Column::Id.eq(take_id))
        // A member's choice is never overwritten.
        .filter(take::Column::SongId.is_null())
        .exec(db)
        .await?;
    Ok(())
}

//! What members do with songs and takes. Every operation takes `allowed`, the caller's
//! access rule on a profile id: a row of a profile the caller may not see is "not found",
//! exactly like a missing one. Writes run in one transaction each.

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use stemset_audio::takes::song_match::Fingerprint;
use uuid::Uuid;

use super::store::{renumber, times, times_json};
use super::{TakeError, invalid, suggest};
use crate::db::{dismissed_take, recording, song, take};

/// The caller's access rule: may it see rows of this profile?
pub type Allowed<'a> = &'a (dyn Fn(Uuid) -> bool + Sync);

pub const MAX_SONG_TITLE_CHARS: usize = 200;
/// No take is shorter than this after an edit.
pub const MIN_TAKE_SECONDS: f64 = 1.0;

fn clean_title(title: &str) -> Result<String, TakeError> {
    let t = title.trim();
    if t.is_empty() {
        return Err(invalid("title: a song needs a title"));
    }
    if t.chars().count() > MAX_SONG_TITLE_CHARS {
        return Err(invalid(format!(
            "title: at most {MAX_SONG_TITLE_CHARS} characters"
        )));
    }
    if t.chars().any(char::is_control) {
        return Err(invalid("title: control characters are not allowed"));
    }
    Ok(t.to_string())
}

async fn find_take(
    db: &impl ConnectionTrait,
    id: Uuid,
    allowed: Allowed<'_>,
) -> Result<take::Model, TakeError> {
    take::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|t| allowed(t.profile_id))
        .ok_or(TakeError::TakeNotFound)
}

async fn find_song(
    db: &impl ConnectionTrait,
    id: Uuid,
    allowed: Allowed<'_>,
) -> Result<song::Model, TakeError> {
    song::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|s| allowed(s.profile_id))
        .ok_or(TakeError::SongNotFound)
}

/// Refuses a title another song of the band has (compared without case).
async fn title_free(
    db: &impl ConnectionTrait,
    profile_id: Uuid,
    title: &str,
    except: Option<Uuid>,
) -> Result<(), TakeError> {
    let lower = title.to_lowercase();
    let clash = song::Entity::find()
        .filter(song::Column::ProfileId.eq(profile_id))
        .all(db)
        .await?
        .into_iter()
        .any(|s| Some(s.id) != except && s.title.to_lowercase() == lower);
    if clash {
        return Err(invalid(format!(
            "title: the band already has a song called \"{title}\""
        )));
    }
    Ok(())
}

/// A new song of `profile_id`; with `take_id`, that take is filed under it at once.
pub async fn create_song(
    db: &DatabaseConnection,
    allowed: Allowed<'_>,
    profile_id: Uuid,
    title: &str,
    take_id: Option<Uuid>,
) -> Result<song::Model, TakeError> {
    if !allowed(profile_id) {
        return Err(invalid("profile not found"));
    }
    let title = clean_title(title)?;
    let txn = crate::db::begin_write(db).await?;
    title_free(&txn, profile_id, &title, None).await?;
    let now = Utc::now();
    let song = song::ActiveModel {
        id: Set(Uuid::now_v7()),
        profile_id: Set(profile_id),
        title: Set(title),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let filed = match take_id {
        Some(id) => {
            let t = find_take(&txn, id, allowed).await?;
            if t.profile_id != profile_id {
                return Err(invalid("takeId: the take is another band's"));
            }
            Some(file_under(&txn, t, Some(song.id)).await?)
        }
        None => None,
    };
    txn.commit().await?;
    if let Some(t) = filed {
        suggest::suggest_like(db, &t).await?;
    }
    Ok(song)
}

pub async fn rename_song(
    db: &DatabaseConnection,
    allowed: Allowed<'_>,
    song_id: Uuid,
    title: &str,
) -> Result<song::Model, TakeError> {
    let title = clean_title(title)?;
    let txn = crate::db::begin_write(db).await?;
    let s = find_song(&txn, song_id, allowed).await?;
    title_free(&txn, s.profile_id, &title, Some(s.id)).await?;
    let mut a: song::ActiveModel = s.into();
    a.title = Set(title);
    a.updated_at = Set(Utc::now());
    let s = a.update(&txn).await?;
    txn.commit().await?;
    Ok(s)
}

/// Deletes a song; its takes stay, filed under nothing (and suggestions for it go).
pub async fn delete_song(
    db: &DatabaseConnection,
    allowed: Allowed<'_>,
    song_id: Uuid,
) -> Result<song::Model, TakeError> {
    let txn = crate::db::begin_write(db).await?;
    let s = find_song(&txn, song_id, allowed).await?;
    take::Entity::update_many()
        .col_expr(take::Column::SongId, Expr::value(Option::<Uuid>::None))
        .filter(take::Column::SongId.eq(s.id))
        .exec(&txn)
        .await?;
    take::Entity::update_many()
        .col_expr(
            take::Column::SuggestedSongId,
            Expr::value(Option::<Uuid>::None),
        )
        .col_expr(
            take::Column::SuggestionScore,
            Expr::value(Option::<f64>::None),
        )
        .filter(take::Column::SuggestedSongId.eq(s.id))
        .exec(&txn)
        .await?;
    song::Entity::delete_by_id(s.id).exec(&txn).await?;
    txn.commit().await?;
    Ok(s)
}

/// Files `t` under `song` (None: under nothing); its suggestion is settled either way.
async fn file_under(
    db: &impl ConnectionTrait,
    t: take::Model,
    song: Option<Uuid>,
) -> Result<take::Model, TakeError> {
    let mut a: take::ActiveModel = t.into();
    a.song_id = Set(song);
    a.suggested_song_id = Set(None);
    a.suggestion_score = Set(None);
    a.updated_at = Set(Utc::now());
    Ok(a.update(db).await?)
}

/// Files a take under a song of its band (replacing any earlier choice).
pub async fn assign_take(
    db: &DatabaseConnection,
    allowed: Allowed<'_>,
    take_id: Uuid,
    song_id: Uuid,
) -> Result<take::Model, TakeError> {
    let txn = crate::db::begin_write(db).await?;
    let t = find_take(&txn, take_id, allowed).await?;
    let s = find_song(&txn, song_id, allowed).await?;
    if s.profile_id != t.profile_id {
        return Err(TakeError::SongNotFound);
    }
    let t = file_under(&txn, t, Some(s.id)).await?;
    txn.commit().await?;
    suggest::suggest_like(db, &t).await?;
    Ok(t)
}

pub async fn unassign_take(
    db: &DatabaseConnection,
    allowed: Allowed<'_>,
    take_id: Uuid,
) -> Result<take::Model, TakeError> {
    let txn = crate::db::begin_write(db).await?;
    let t = find_take(&txn, take_id, allowed).await?;
    let t = file_under(&txn, t, None).await?;
    txn.commit().await?;
    // Unfiled again, it may sound like one of the band's songs (its old one, say).
    suggest::suggest_for_recording(db, t.profile_id, t.recording_id).await?;
    Ok(take::Entity::find_by_id(t.id).one(db).await?.unwrap_or(t))
}

/// Files a take under the song it was suggested for.
pub async fn confirm_suggestion(
    db: &DatabaseConnection,
    allowed: Allowed<'_>,
    take_id: Uuid,
) -> Result<take::Model, TakeError> {
    let txn = crate::db::begin_write(db).await?;
    let t = find_take(&txn, take_id, allowed).await?;
    let Some(song) = t.suggested_song_id else {
        return Err(invalid("the take has no suggested song to confirm"));
    };
    let t = file_under(&txn, t, Some(song)).await?;
    txn.commit().await?;
    suggest::suggest_like(db, &t).await?;
    Ok(t)
}

/// The takes of a recording in order.
async fn siblings(
    db: &impl ConnectionTrait,
    recording_id: Uuid,
) -> Result<Vec<take::Model>, TakeError> {
    Ok(take::Entity::find()
        .filter(take::Column::RecordingId.eq(recording_id))
        .order_by_asc(take::Column::StartSeconds)
        .all(db)
        .await?)
}

async fn duration_of(db: &impl ConnectionTrait, recording_id: Uuid) -> Result<f64, TakeError> {
    recording::Entity::find_by_id(recording_id)
        .one(db)
        .await?
        .map(|r| r.duration_seconds)
        .ok_or(TakeError::TakeNotFound)
}

/// Which beats (and fingerprint cells, one per beat interval) lie inside `[start, end)`.
fn beats_within(beats: &[f64], start: f64, end: f64) -> std::ops::Range<usize> {
    let a = beats.partition_point(|&b| b < start);
    let b = beats.partition_point(|&b| b < end);
    a..b.max(a)
}

fn slice_print(print: &str, beats: &[f64], keep: std::ops::Range<usize>) -> String {
    match Fingerprint::from_base64(print) {
        // One cell per beat interval: beats [a, b) own cells [a, b-1).
        Ok(p) if p.0.len() + 1 == beats.len() => {
            let end = keep.end.saturating_sub(1).min(p.0.len());
            let start = keep.start.min(end);
            Fingerprint(p.0[start..end].to_vec()).to_base64()
        }
        // Cells that are not per beat (a take without beats): kept whole.
        _ => print.to_string(),
    }
}

fn check_span(start: f64, end: f64, duration: f64) -> Result<(), TakeError> {
    if !(start.is_finite() && end.is_finite()) {
        return Err(invalid("start and end must be numbers of seconds"));
    }
    if start < 0.0 || end > duration + 1e-6 {
        return Err(invalid(format!(
            "a take must lie within the recording (0 to {duration:.1} s)"
        )));
    }
    if end - start < MIN_TAKE_SECONDS {
        return Err(invalid(format!(
            "a take must be at least {MIN_TAKE_SECONDS} s long"
        )));
    }
    Ok(())
}

/// Moves a take's start and end (within the recording, not over its neighbours). Beats
/// outside the new span are dropped; the boundaries stay when the recording is
/// processed again.
pub async fn set_take_bounds(
    db: &DatabaseConnection,
    allowed: Allowed<'_>,
    take_id: Uuid,
    start: f64,
    end: f64,
) -> Result<take::Model, TakeError> {
    let txn = crate::db::begin_write(db).await?;
    let t = find_take(&txn, take_id, allowed).await?;
    check_span(start, end, duration_of(&txn, t.recording_id).await?)?;
    for o in siblings(&txn, t.recording_id).await? {
        if o.id != t.id && start < o.end_seconds && o.start_seconds < end {
            return Err(invalid(format!(
                "the take would overlap the take at {:.1}–{:.1} s",
                o.start_seconds, o.end_seconds
            )));
        }
    }
    let beats = times(&t.beats);
    let keep = beats_within(&beats, start, end);
    let downbeats: Vec<f64> = times(&t.downbeats)
        .into_iter()
        .filter(|d| (start..end).contains(d))
        .collect();
    let recording_id = t.recording_id;
    let mut a: take::ActiveModel = t.clone().into();
    a.fingerprint = Set(slice_print(&t.fingerprint, &beats, keep.clone()));
    a.beats = Set(times_json(&beats[keep]));
    a.downbeats = Set(times_json(&downbeats));
    a.start_seconds = Set(start);
    a.end_seconds = Set(end);
    a.bounds_edited = Set(true);
    a.updated_at = Set(Utc::now());
    let t = a.update(&txn).await?;
    renumber(&txn, recording_id).await?;
    txn.commit().await?;
    Ok(take::Entity::find_by_id(t.id).one(db).await?.unwrap_or(t))
}

/// Splits a take in two at `at` seconds; both halves keep its song and suggestion.
/// Returns the two takes in order.
pub async fn split_take(
    db: &DatabaseConnection,
    allowed: Allowed<'_>,
    take_id: Uuid,
    at: f64,
) -> Result<(take::Model, take::Model), TakeError> {
    let txn = crate::db::begin_write(db).await?;
    let t = find_take(&txn, take_id, allowed).await?;
    if !at.is_finite()
        || at - t.start_seconds < MIN_TAKE_SECONDS
        || t.end_seconds - at < MIN_TAKE_SECONDS
    {
        return Err(invalid(format!(
            "at: must lie inside the take ({:.1}–{:.1} s), at least {MIN_TAKE_SECONDS} s from either end",
            t.start_seconds, t.end_seconds
        )));
    }
    let beats = times(&t.beats);
    let downbeats = times(&t.downbeats);
    let (first_beats, second_beats) = (
        beats_within(&beats, t.start_seconds, at),
        beats_within(&beats, at, f64::INFINITY),
    );
    let now = Utc::now();
    let (d1, d2): (Vec<f64>, Vec<f64>) = downbeats.iter().partition(|d| **d < at);
    let mut second: take::ActiveModel = t.clone().into();
    second.id = Set(Uuid::now_v7());
    second.start_seconds = Set(at);
    second.beats = Set(times_json(&beats[second_beats.clone()]));
    second.downbeats = Set(times_json(&d2));
    second.fingerprint = Set(slice_print(&t.fingerprint, &beats, second_beats));
    second.bounds_edited = Set(true);
    second.created_at = Set(now);
    second.updated_at = Set(now);
    let second = second.insert(&txn).await?;
    let mut first: take::ActiveModel = t.clone().into();
    first.end_seconds = Set(at);
    first.beats = Set(times_json(&beats[first_beats.clone()]));
    first.downbeats = Set(times_json(&d1));
    first.fingerprint = Set(slice_print(&t.fingerprint, &beats, first_beats));
    first.bounds_edited = Set(true);
    first.updated_at = Set(now);
    let first = first.update(&txn).await?;
    renumber(&txn, t.recording_id).await?;
    txn.commit().await?;
    let reread = |id| take::Entity::find_by_id(id).one(db);
    Ok((
        reread(first.id).await?.unwrap_or(first),
        reread(second.id).await?.unwrap_or(second),
    ))
}

/// Merges two neighbouring takes of one recording into the first (from the first's
/// start to the second's end). Takes filed under different songs are refused.
pub async fn merge_takes(
    db: &DatabaseConnection,
    allowed: Allowed<'_>,
    first_id: Uuid,
    second_id: Uuid,
) -> Result<take::Model, TakeError> {
    let txn = crate::db::begin_write(db).await?;
    let a = find_take(&txn, first_id, allowed).await?;
    let b = find_take(&txn, second_id, allowed).await?;
    let (a, b) = if a.start_seconds <= b.start_seconds {
        (a, b)
    } else {
        (b, a)
    };
    if a.id == b.id {
        return Err(invalid("a take cannot be merged with itself"));
    }
    if a.recording_id != b.recording_id {
        return Err(invalid("only takes of the same recording can be merged"));
    }
    let order = siblings(&txn, a.recording_id).await?;
    let ia = order.iter().position(|t| t.id == a.id);
    let ib = order.iter().position(|t| t.id == b.id);
    if !matches!((ia, ib), (Some(x), Some(y)) if y == x + 1) {
        return Err(invalid("only neighbouring takes can be merged"));
    }
    if let (Some(x), Some(y)) = (a.song_id, b.song_id)
        && x != y
    {
        return Err(invalid(
            "the takes are filed under different songs; take one off its song first",
        ));
    }
    let mut beats = times(&a.beats);
    let joined_print = match (
        Fingerprint::from_base64(&a.fingerprint),
        Fingerprint::from_base64(&b.fingerprint),
    ) {
        (Ok(mut x), Ok(y)) => {
            x.0.extend(y.0);
            x.to_base64()
        }
        _ => a.fingerprint.clone(),
    };
    beats.extend(times(&b.beats));
    let mut downbeats = times(&a.downbeats);
    downbeats.extend(times(&b.downbeats));
    // Tempo and key of the longer part.
    let longer = if b.end_seconds - b.start_seconds > a.end_seconds - a.start_seconds {
        &b
    } else {
        &a
    };
    let mut m: take::ActiveModel = a.clone().into();
    m.end_seconds = Set(b.end_seconds);
    m.kind = Set(take::KIND_TAKE.to_string());
    m.bpm = Set(longer.bpm);
    m.bpm_confidence = Set(longer.bpm_confidence);
    m.key = Set(longer.key.clone());
    m.key_confidence = Set(longer.key_confidence);
    m.beats = Set(times_json(&beats));
    m.downbeats = Set(times_json(&downbeats));
    m.fingerprint = Set(joined_print);
    m.song_id = Set(a.song_id.or(b.song_id));
    if a.song_id.is_none() && b.song_id.is_none() && a.suggested_song_id.is_none() {
        m.suggested_song_id = Set(b.suggested_song_id);
        m.suggestion_score = Set(b.suggestion_score);
    }
    m.bounds_edited = Set(true);
    m.updated_at = Set(Utc::now());
    let merged = m.update(&txn).await?;
    take::Entity::delete_by_id(b.id).exec(&txn).await?;
    renumber(&txn, a.recording_id).await?;
    txn.commit().await?;
    Ok(take::Entity::find_by_id(merged.id)
        .one(db)
        .await?
        .unwrap_or(merged))
}

/// Deletes a take (the recording and its stems stay). Its stretch is remembered as
/// dismissed, so processing the recording again does not bring it back.
pub async fn delete_take(
    db: &DatabaseConnection,
    allowed: Allowed<'_>,
    take_id: Uuid,
) -> Result<take::Model, TakeError> {
    let txn = crate::db::begin_write(db).await?;
    let t = find_take(&txn, take_id, allowed).await?;
    dismissed_take::ActiveModel {
        id: Set(Uuid::now_v7()),
        recording_id: Set(t.recording_id),
        start_seconds: Set(t.start_seconds),
        end_seconds: Set(t.end_seconds),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    take::Entity::delete_by_id(t.id).exec(&txn).await?;
    renumber(&txn, t.recording_id).await?;
    txn.commit().await?;
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::beats_within;

    #[test]
    fn beats_within_a_span() {
        let b = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(beats_within(&b, 1.5, 3.5), 1..3);
        assert_eq!(beats_within(&b, 0.0, 10.0), 0..4);
        assert_eq!(beats_within(&b, 5.0, 6.0), 4..4);
    }
}

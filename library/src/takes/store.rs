//! Takes from `metadata.json` into rows, in the commit's transaction. A recording
//! processed again gets its new takes, but what members decided carries over: a new take
//! that overlaps an old one (by at least half the shorter) keeps the old row's id, its
//! song and, when a member had moved them, its boundaries; an old take a member decided
//! about that overlaps no new take stays as it was. A new take that lies mostly inside a
//! take whose boundaries a member set (a merge, a moved edge) or over a stretch a member
//! deleted (`dismissed_takes`) is not added: the member's word stands.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

use crate::db::{dismissed_take, song, take};
use stemset_core::metadata::TakeMetadata;

/// How much of the shorter of two takes must overlap the other for them to be one.
const SAME_TAKE_OVERLAP: f64 = 0.5;

/// Beat times as the JSON the `beats`/`downbeats` columns hold.
pub(crate) fn times_json(times: &[f64]) -> String {
    serde_json::to_string(times).unwrap_or_else(|_| "[]".into())
}

/// Beat times stored as JSON; a damaged value reads as none.
pub fn times(column: &str) -> Vec<f64> {
    serde_json::from_str(column).unwrap_or_default()
}

fn kind_name(t: &TakeMetadata) -> &'static str {
    match t.take.kind {
        stemset_audio::takes::TakeKind::Take => take::KIND_TAKE,
        stemset_audio::takes::TakeKind::FalseStart => take::KIND_FALSE_START,
    }
}

/// The analysis fields of a row (everything but ids, position, song and timestamps).
fn analysis(a: &mut take::ActiveModel, t: &TakeMetadata) {
    let x = &t.take;
    a.start_seconds = Set(x.start);
    a.end_seconds = Set(x.end);
    a.kind = Set(kind_name(t).to_string());
    a.bpm = Set(x.bpm);
    a.bpm_confidence = Set(x.bpm_confidence);
    a.key = Set(x.key.clone());
    a.key_confidence = Set(x.key_confidence);
    a.beats = Set(times_json(&x.beats));
    a.downbeats = Set(times_json(&x.downbeats));
    a.fingerprint = Set(x.fingerprint.to_base64());
}

fn new_row(
    profile_id: Uuid,
    recording_id: Uuid,
    t: &TakeMetadata,
    now: DateTime<Utc>,
) -> take::ActiveModel {
    let mut a = take::ActiveModel {
        id: Set(Uuid::now_v7()),
        profile_id: Set(profile_id),
        recording_id: Set(recording_id),
        position: Set(0),
        song_id: Set(None),
        suggested_song_id: Set(None),
        suggestion_score: Set(None),
        bounds_edited: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    analysis(&mut a, t);
    a
}

/// Inserts a new recording's takes.
pub async fn insert_takes(
    db: &impl ConnectionTrait,
    profile_id: Uuid,
    recording_id: Uuid,
    takes: &[TakeMetadata],
    now: DateTime<Utc>,
) -> Result<(), sea_orm::DbErr> {
    for (i, t) in takes.iter().enumerate() {
        let mut row = new_row(profile_id, recording_id, t, now);
        row.position = Set(i as i32);
        row.insert(db).await?;
    }
    Ok(())
}

fn intersection(a: (f64, f64), b: (f64, f64)) -> f64 {
    (a.1.min(b.1) - a.0.max(b.0)).max(0.0)
}

/// The share of `of` that `by` covers (0 for an empty `of`).
fn covered(of: (f64, f64), by: (f64, f64)) -> f64 {
    let len = of.1 - of.0;
    if len <= 0.0 {
        0.0
    } else {
        intersection(of, by) / len
    }
}

fn overlap(a: (f64, f64), b: (f64, f64)) -> f64 {
    covered(a, b).max(covered(b, a))
}

/// A new take the members already ruled on: mostly inside a take whose bounds they set,
/// or over a stretch they deleted (each covering half of the other, so a long take
/// found over a short deleted one still comes).
fn overruled(span: (f64, f64), edited: &[(f64, f64)], dismissed: &[dismissed_take::Model]) -> bool {
    edited
        .iter()
        .any(|&e| covered(span, e) >= SAME_TAKE_OVERLAP)
        || dismissed.iter().any(|d| {
            let d = (d.start_seconds, d.end_seconds);
            covered(span, d) >= SAME_TAKE_OVERLAP && covered(d, span) >= SAME_TAKE_OVERLAP
        })
}

/// A member decided something about this take (its song or its boundaries).
fn decided(t: &take::Model) -> bool {
    t.song_id.is_some() || t.bounds_edited
}

/// Replaces a reprocessed recording's takes (see the module comment).
pub async fn replace_takes(
    db: &impl ConnectionTrait,
    profile_id: Uuid,
    recording_id: Uuid,
    new: &[TakeMetadata],
    now: DateTime<Utc>,
) -> Result<(), sea_orm::DbErr> {
    let old: Vec<take::Model> = take::Entity::find()
        .filter(take::Column::RecordingId.eq(recording_id))
        .order_by_asc(take::Column::Position)
        .all(db)
        .await?;
    // Pair each new take with the old one it overlaps most; each old one pairs once.
    let mut used = vec![false; old.len()];
    let mut pairs: Vec<Option<usize>> = Vec::with_capacity(new.len());
    for t in new {
        let span = (t.take.start, t.take.end);
        let best = old
            .iter()
            .enumerate()
            .filter(|(i, _)| !used[*i])
            .map(|(i, o)| (i, overlap(span, (o.start_seconds, o.end_seconds))))
            .filter(|(_, v)| *v >= SAME_TAKE_OVERLAP)
            .max_by(|a, b| a.1.total_cmp(&b.1));
        if let Some((i, _)) = best {
            used[i] = true;
        }
        pairs.push(best.map(|(i, _)| i));
    }
    let dismissed = dismissed_take::Entity::find()
        .filter(dismissed_take::Column::RecordingId.eq(recording_id))
        .all(db)
        .await?;
    let edited: Vec<(f64, f64)> = old
        .iter()
        .filter(|o| o.bounds_edited)
        .map(|o| (o.start_seconds, o.end_seconds))
        .collect();
    for (t, pair) in new.iter().zip(&pairs) {
        match pair {
            Some(i) => {
                let o = &old[*i];
                let mut a: take::ActiveModel = o.clone().into();
                analysis(&mut a, t);
                if o.bounds_edited {
                    a.start_seconds = Set(o.start_seconds);
                    a.end_seconds = Set(o.end_seconds);
                }
                a.updated_at = Set(now);
                a.update(db).await?;
            }
            None if overruled((t.take.start, t.take.end), &edited, &dismissed) => {}
            None => {
                new_row(profile_id, recording_id, t, now).insert(db).await?;
            }
        }
    }
    for (o, was_used) in old.iter().zip(&used) {
        // Kept: the paired ones (updated above) and those a member decided about.
        if !*was_used && !decided(o) {
            take::Entity::delete_by_id(o.id).exec(db).await?;
        }
    }
    renumber(db, recording_id).await
}

/// A take with the titles of its song and of its suggested song.
#[derive(Debug, Clone)]
pub struct TakeView {
    pub take: take::Model,
    pub song: Option<String>,
    pub suggested_song: Option<String>,
}

/// The takes of a recording in order, with their songs' titles.
pub async fn recording_takes(
    db: &impl ConnectionTrait,
    recording_id: Uuid,
) -> Result<Vec<TakeView>, sea_orm::DbErr> {
    let takes = take::Entity::find()
        .filter(take::Column::RecordingId.eq(recording_id))
        .order_by_asc(take::Column::Position)
        .all(db)
        .await?;
    let ids: Vec<Uuid> = takes
        .iter()
        .flat_map(|t| [t.song_id, t.suggested_song_id])
        .flatten()
        .collect();
    let titles: std::collections::HashMap<Uuid, String> = if ids.is_empty() {
        Default::default()
    } else {
        song::Entity::find()
            .filter(song::Column::Id.is_in(ids))
            .all(db)
            .await?
            .into_iter()
            .map(|s| (s.id, s.title))
            .collect()
    };
    let title = |id: Option<Uuid>| id.and_then(|i| titles.get(&i).cloned());
    Ok(takes
        .into_iter()
        .map(|t| TakeView {
            song: title(t.song_id),
            suggested_song: title(t.suggested_song_id),
            take: t,
        })
        .collect())
}

/// Sets the `position` of a recording's takes in order of start time.
pub(crate) async fn renumber(
    db: &impl ConnectionTrait,
    recording_id: Uuid,
) -> Result<(), sea_orm::DbErr> {
    let takes = take::Entity::find()
        .filter(take::Column::RecordingId.eq(recording_id))
        .order_by_asc(take::Column::StartSeconds)
        .all(db)
        .await?;
    for (i, t) in takes.iter().enumerate() {
        if t.position != i as i32 {
            take::Entity::update_many()
                .col_expr(
                    take::Column::Position,
                    sea_orm::sea_query::Expr::value(i as i32),
                )
                .filter(take::Column::Id.eq(t.id))
                .exec(db)
                .await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlap_is_relative_to_the_shorter() {
        assert_eq!(overlap((0.0, 10.0), (5.0, 7.0)), 1.0);
        assert_eq!(overlap((0.0, 10.0), (8.0, 12.0)), 0.5);
        assert_eq!(overlap((0.0, 10.0), (10.0, 12.0)), 0.0);
        assert_eq!(overlap((0.0, 0.0), (0.0, 1.0)), 0.0);
    }

    fn dismissed(start: f64, end: f64) -> dismissed_take::Model {
        dismissed_take::Model {
            id: Uuid::nil(),
            recording_id: Uuid::nil(),
            start_seconds: start,
            end_seconds: end,
            created_at: Utc::now(),
        }
    }

    #[test]
    fn members_overrule_new_takes() {
        let gone = [dismissed(100.0, 130.0)];
        // Over a deleted stretch: not again.
        assert!(overruled((102.0, 128.0), &[], &gone));
        // A long take over a short deleted one is a different take.
        assert!(!overruled((60.0, 300.0), &[], &gone));
        // Mostly inside a take whose bounds a member set (a merge): not added.
        assert!(overruled((210.0, 250.0), &[(200.0, 260.0)], &[]));
        assert!(!overruled((250.0, 330.0), &[(200.0, 260.0)], &[]));
    }
}

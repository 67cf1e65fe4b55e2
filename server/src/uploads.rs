//! `POST /api/uploads?profile=<name>`: a recording uploaded from the web app or a script.
//!
//! The multipart body streams straight into storage (never whole in memory or on disk):
//! its first bytes must be a known audio container, its size stays under
//! `jobs.max_upload_mib`, and its SHA-256 is computed on the way. It lands under a
//! temporary key and moves to `inputs/<profile>/<sha256>.<ext>` once complete, so a
//! refused or broken upload leaves nothing behind. Content already in the profile is not
//! processed twice: the answer points at the existing recording (or the pending job).

use futures::StreamExt;
use salvo::http::StatusCode;
use salvo::prelude::*;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use sha2::{Digest, Sha256};
use stemset_audio::sniff::{SNIFF_LEN, sniff_audio};
use stemset_core::scan::AUDIO_EXTENSIONS;
use stemset_core::storage::ObjectWriter;
use stemset_library::db::{job, profile};
use stemset_library::jobs::queue::{self, Enqueued, NewJob};
use stemset_library::jobs::spec::input_key;
use stemset_library::recordings::{KnownContent, known_content};
use uuid::Uuid;

use crate::access;
use crate::auth::caller::{Caller, CallerKind};
use crate::error::ServerError;
use crate::state::AppState;

pub fn router() -> Router {
    Router::with_path("api/uploads").post(upload)
}

/// Multipart overhead allowed on top of the file itself.
const ENVELOPE: u64 = 64 * 1024;

#[handler]
async fn upload(
    req: &mut Request,
    depot: &mut Depot,
    res: &mut Response,
) -> Result<(), ServerError> {
    let state = AppState::from_depot(depot)?;
    let caller = depot
        .get_typed::<Caller>()
        .cloned()
        .map_err(|_| ServerError::Unauthenticated)?;
    // A form on another site can POST multipart with the visitor's cookie (no CORS
    // preflight for that): only API tokens, which no page holds by accident, may upload
    // from a foreign Origin.
    if !matches!(caller.kind, CallerKind::ApiToken(_)) && !crate::origin::allowed(req, &state) {
        return Err(ServerError::Forbidden(
            "uploads from this origin are not allowed".into(),
        ));
    }
    let profile_name = req
        .query::<String>("profile")
        .filter(|p| !p.is_empty())
        .ok_or_else(|| ServerError::BadRequest("say which profile: ?profile=<name>".into()))?;
    // Another band's profile is "not found", exactly like a missing one.
    let profile = profile::Entity::find()
        .filter(profile::Column::Name.eq(&profile_name))
        .one(&state.db)
        .await?
        .filter(|p| state.config.profiles.contains_key(&p.name))
        .ok_or(ServerError::NotFound)?;
    if access::role_in(&state.db, caller.user_id, profile.id)
        .await?
        .is_none()
    {
        return Err(ServerError::NotFound);
    }
    let modified_at = last_modified(req)?;
    let max = state.settings.jobs.max_upload_mib * 1024 * 1024;
    if let Some(len) = req
        .headers()
        .get("content-length")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        && len > max + ENVELOPE
    {
        return Err(too_large(max));
    }
    let boundary = req
        .content_type()
        .filter(|m| m.essence_str() == "multipart/form-data")
        .and_then(|m| m.get_param("boundary").map(|b| b.as_str().to_string()))
        .ok_or_else(|| {
            ServerError::BadRequest(
                "send the file as multipart/form-data (a field named \"file\")".into(),
            )
        })?;
    let body = req.take_body().filter_map(|frame| async move {
        match frame {
            Ok(f) => f.into_data().ok().map(Ok),
            Err(e) => Some(Err(e)),
        }
    });
    let mut multipart = multer::Multipart::new(body, boundary);
    let mut field = loop {
        match multipart.next_field().await {
            Ok(Some(f)) if f.name() == Some("file") => break f,
            Ok(Some(_)) => continue,
            Ok(None) => {
                return Err(ServerError::BadRequest(
                    "the form has no field named \"file\"".into(),
                ));
            }
            Err(e) if crate::body::is_timeout(&e) => return Err(stalled(&state)),
            Err(e) => return Err(ServerError::BadRequest(format!("malformed upload: {e}"))),
        }
    };
    let file_name = field
        .file_name()
        .map(sanitize_name)
        .filter(|n| !n.is_empty())
        .ok_or_else(|| ServerError::BadRequest("the file has no name".into()))?;
    let ext = std::path::Path::new(&file_name)
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if !AUDIO_EXTENSIONS.contains(&ext.as_str()) {
        return Err(ServerError::BadRequest(format!(
            "{file_name} is not an audio file (accepted: {})",
            AUDIO_EXTENSIONS.join(", ")
        )));
    }

    // Stream into a temporary object, checking type and size as the bytes come.
    let temp_key = format!("inputs/{profile_name}/.incoming/{}", Uuid::now_v7());
    let mut writer: Option<ObjectWriter> = None;
    let mut head: Vec<u8> = Vec::with_capacity(SNIFF_LEN);
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    let outcome: Result<(), ServerError> = async {
        loop {
            let chunk = match field.chunk().await {
                Ok(Some(c)) => c,
                Ok(None) => break,
                Err(e) if crate::body::is_timeout(&e) => return Err(stalled(&state)),
                Err(e) => {
                    return Err(ServerError::BadRequest(format!(
                        "the upload broke off: {e}"
                    )));
                }
            };
            size += chunk.len() as u64;
            if size > max {
                return Err(too_large(max));
            }
            hasher.update(&chunk);
            let mut rest: &[u8] = &chunk;
            if writer.is_none() {
                let take = (SNIFF_LEN - head.len()).min(rest.len());
                head.extend_from_slice(&rest[..take]);
                rest = &rest[take..];
                if head.len() < SNIFF_LEN {
                    continue;
                }
                check_audio(&head, &file_name)?;
                let mut w = state.storage.writer(&temp_key).await?;
                w.write(&head).await?;
                writer = Some(w);
            }
            if let Some(w) = writer.as_mut()
                && !rest.is_empty()
            {
                w.write(rest).await?;
            }
        }
        if writer.is_none() {
            // Shorter than the sniffing window: too small to be audio anyway.
            check_audio(&head, &file_name)?;
            return Err(ServerError::BadRequest(format!(
                "{file_name} is empty or truncated"
            )));
        }
        Ok(())
    }
    .await;
    let writer = match (outcome, writer) {
        (Ok(()), Some(w)) => w,
        (Err(e), w) => {
            if let Some(w) = w {
                w.abort().await;
            }
            let _ = state.storage.delete(&temp_key).await;
            return Err(e);
        }
        (Ok(()), None) => return Err(ServerError::Internal("upload writer missing".into())),
    };
    if let Err(e) = writer.finish().await {
        let _ = state.storage.delete(&temp_key).await;
        return Err(e.into());
    }
    let sha256 = hex::encode(hasher.finalize());

    // Known content: point at what exists instead of processing it again.
    if let Some(known) = known_content(&state.db, profile.id, &sha256).await? {
        let _ = state.storage.delete(&temp_key).await;
        res.status_code(StatusCode::OK);
        res.render(Json(UploadAnswer::known(&known)));
        return Ok(());
    }
    let final_key = input_key(&profile_name, &sha256, &ext);
    let moved = if state.storage.exists(&final_key).await? {
        state.storage.delete(&temp_key).await
    } else {
        state.storage.rename(&temp_key, &final_key).await
    };
    if let Err(e) = moved {
        let _ = state.storage.delete(&temp_key).await;
        return Err(e.into());
    }
    let recording_id = Uuid::now_v7();
    // Exactly one job per content, however many uploads of it race: the database keeps
    // one pending job per profile and hash; the others are answered with that job.
    let created = match queue::enqueue_once(
        &state.db,
        NewJob {
            profile_id: profile.id,
            kind: job::KIND_PROCESS.to_string(),
            input_key: final_key,
            recording_id,
            strategy: None,
            original_name: Some(file_name.clone()),
            file_hash: Some(sha256.clone()),
            size_bytes: Some(i64::try_from(size).unwrap_or(i64::MAX)),
            created_by: Some(caller.user_id),
            max_attempts: state.settings.jobs.max_attempts,
            source_modified_at: modified_at,
        },
    )
    .await?
    {
        Enqueued::Created(job) => job,
        Enqueued::Pending(job) => {
            res.status_code(StatusCode::OK);
            res.render(Json(UploadAnswer::pending(&job)));
            return Ok(());
        }
    };
    tracing::info!(job = %created.id, profile = %profile_name, file = %file_name, size, "upload queued");
    res.status_code(StatusCode::CREATED);
    res.render(Json(UploadAnswer::new(UploadOutcome::Queued {
        file_name,
        job_id: created.id,
        recording_id,
        sha256,
        size_bytes: size,
    })));
    Ok(())
}

/// `?lastModified=<ms since 1970>`: the file's modification time as the browser knows it
/// (`File.lastModified`), the recording date when the file carries none. Absent: none.
fn last_modified(req: &Request) -> Result<Option<chrono::DateTime<chrono::Utc>>, ServerError> {
    let Some(raw) = req.query::<String>("lastModified") else {
        return Ok(None);
    };
    let refused = || {
        ServerError::BadRequest(format!(
            "lastModified: \"{raw}\" is not a time (milliseconds since 1970, not in the future)"
        ))
    };
    let ms = raw.trim().parse::<i64>().map_err(|_| refused())?;
    let at = chrono::DateTime::from_timestamp_millis(ms).ok_or_else(refused)?;
    if ms < 0 || at > chrono::Utc::now() + chrono::Duration::days(1) {
        return Err(refused());
    }
    Ok(Some(at))
}

/// The JSON answer of an upload: `duplicate` (whether the content was known), then what
/// happened. The keys come out in alphabetical order, as they always have.
#[derive(Debug, Serialize)]
pub struct UploadAnswer {
    duplicate: bool,
    #[serde(flatten)]
    outcome: UploadOutcome,
}

#[derive(Debug, Serialize)]
#[serde(untagged, rename_all_fields = "camelCase")]
pub enum UploadOutcome {
    /// 201: new content, queued; the recording gets `recording_id` when the job succeeds.
    Queued {
        file_name: String,
        job_id: Uuid,
        recording_id: Uuid,
        sha256: String,
        size_bytes: u64,
    },
    /// 200: the profile has a recording of this content already (`job_id` is `null`).
    Recorded {
        job_id: Option<Uuid>,
        recording_id: Uuid,
        title: String,
    },
    /// 200: a pending job is processing this content already.
    Pending {
        job_id: Uuid,
        recording_id: Option<Uuid>,
    },
}

impl UploadAnswer {
    pub fn new(outcome: UploadOutcome) -> UploadAnswer {
        UploadAnswer {
            duplicate: !matches!(outcome, UploadOutcome::Queued { .. }),
            outcome,
        }
    }

    /// The answer for content the profile has (or is making) a recording of.
    pub fn known(known: &KnownContent) -> UploadAnswer {
        match known {
            KnownContent::Recorded(rec) => UploadAnswer::new(UploadOutcome::Recorded {
                job_id: None,
                recording_id: rec.id,
                title: rec.title.clone(),
            }),
            KnownContent::Pending(j) => UploadAnswer::pending(j),
        }
    }

    /// The answer for content that the pending job `j` is processing already.
    pub fn pending(j: &job::Model) -> UploadAnswer {
        UploadAnswer::new(UploadOutcome::Pending {
            job_id: j.id,
            recording_id: j.recording_id,
        })
    }
}

fn stalled(state: &AppState) -> ServerError {
    ServerError::RequestTimeout(format!(
        "the upload stalled: no data for {} s (server.body_idle_timeout_secs)",
        state.settings.server.body_idle_timeout_secs
    ))
}

fn too_large(max: u64) -> ServerError {
    ServerError::PayloadTooLarge(format!(
        "the file is larger than the upload limit of {} MiB",
        max / (1024 * 1024)
    ))
}

fn check_audio(head: &[u8], file_name: &str) -> Result<(), ServerError> {
    match sniff_audio(head) {
        Some(_) => Ok(()),
        None => Err(ServerError::BadRequest(format!(
            "{file_name} is not audio: its content is not a known audio format (WAV, FLAC, \
             Ogg, MP3, AAC/M4A, AIFF, CAF, Matroska/WebM)"
        ))),
    }
}

/// A base name without path parts or control characters.
fn sanitize_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    base.chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .chars()
        .take(200)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{UploadAnswer, UploadOutcome};
    use serde_json::json;
    use uuid::Uuid;

    /// The typed answers are exactly the JSON the route has always sent (keys included).
    #[test]
    fn answers_keep_their_json() {
        let (job, rec) = (Uuid::now_v7(), Uuid::now_v7());
        let text = |a: &UploadAnswer| serde_json::to_string(a).expect("serialize");
        let queued = UploadAnswer::new(UploadOutcome::Queued {
            file_name: "take.wav".into(),
            job_id: job,
            recording_id: rec,
            sha256: "ab".repeat(32),
            size_bytes: 1234,
        });
        assert_eq!(
            text(&queued),
            json!({
                "jobId": job,
                "recordingId": rec,
                "duplicate": false,
                "fileName": "take.wav",
                "sizeBytes": 1234u64,
                "sha256": "ab".repeat(32),
            })
            .to_string()
        );
        let recorded = UploadAnswer::new(UploadOutcome::Recorded {
            job_id: None,
            recording_id: rec,
            title: "Tuesday jam".into(),
        });
        assert_eq!(
            text(&recorded),
            json!({
                "duplicate": true,
                "recordingId": rec,
                "jobId": null,
                "title": "Tuesday jam",
            })
            .to_string()
        );
        for recording_id in [Some(rec), None] {
            let pending = UploadAnswer::new(UploadOutcome::Pending {
                job_id: job,
                recording_id,
            });
            assert_eq!(
                text(&pending),
                json!({
                    "duplicate": true,
                    "recordingId": recording_id,
                    "jobId": job,
                })
                .to_string()
            );
        }
    }
}

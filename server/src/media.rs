//! `GET /media/stems/{id}` (the audio) and `GET /media/stems/{id}/waveform` (the peaks):
//! looked up by id in the database, never by a path from the request, so path traversal
//! is impossible by construction. Range requests get 206 with Content-Range, bad ranges
//! 416; ETag/Last-Modified allow revalidation. Members only; others get 404.

use salvo::http::header::{self, HeaderValue};
use salvo::prelude::*;
use sea_orm::EntityTrait;
use stemset_library::db::{recording, stem};
use uuid::Uuid;

use crate::access;
use crate::auth::Caller;
use crate::error::ServerError;
use crate::range::{self, RangeRequest};
use crate::state::AppState;

pub fn router() -> Router {
    Router::with_path("media/stems/{id}")
        .get(stem_audio)
        .head(stem_audio)
        .push(
            Router::with_path("waveform")
                .get(stem_waveform)
                .head(stem_waveform),
        )
}

#[derive(Clone, Copy)]
enum Part {
    Audio,
    Waveform,
}

#[handler]
async fn stem_audio(
    req: &mut Request,
    depot: &mut Depot,
    res: &mut Response,
) -> Result<(), ServerError> {
    serve(req, depot, res, Part::Audio).await
}

#[handler]
async fn stem_waveform(
    req: &mut Request,
    depot: &mut Depot,
    res: &mut Response,
) -> Result<(), ServerError> {
    serve(req, depot, res, Part::Waveform).await
}

/// The waveform is the binary peaks file the renderer writes (`<stem>.peaks`).
fn content_type(format: &str, part: Part) -> &'static str {
    match part {
        Part::Waveform => "application/octet-stream",
        Part::Audio => match format {
            "opus" => "audio/ogg; codecs=opus",
            "flac" => "audio/flac",
            "wav" => "audio/wav",
            _ => "application/octet-stream",
        },
    }
}

async fn serve(
    req: &mut Request,
    depot: &mut Depot,
    res: &mut Response,
    part: Part,
) -> Result<(), ServerError> {
    let caller = Caller::require(depot)?;
    let state = AppState::from_depot(depot)?;
    let id: Uuid = req
        .param::<String>("id")
        .and_then(|s| Uuid::parse_str(&s).ok())
        .ok_or(ServerError::NotFound)?;
    let (stem, rec) = stem::Entity::find_by_id(id)
        .find_also_related(recording::Entity)
        .one(&state.db)
        .await?
        .ok_or(ServerError::NotFound)?;
    let rec = rec.ok_or(ServerError::NotFound)?;
    if access::role_in(&state.db, caller.user_id, rec.profile_id)
        .await?
        .is_none()
    {
        return Err(ServerError::NotFound);
    }
    let key = match part {
        Part::Audio => &stem.storage_key,
        Part::Waveform => &stem.waveform_key,
    };
    // S3/R2 with presign_media: the bucket serves the bytes (and Range) itself; the URL
    // is short-lived and only handed to a caller who passed the access check above.
    if let Some(url) = state.storage.presigned_get(key).await? {
        res.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-store"),
        );
        res.render(Redirect::found(url));
        return Ok(());
    }
    let info = state.storage.head(key).await?.ok_or_else(|| {
        tracing::error!(key, stem = %stem.id, "a stem's file is missing from storage");
        ServerError::NotFound
    })?;
    let etag = format!(
        "\"{}\"",
        info.e_tag
            .clone()
            .unwrap_or_else(|| format!("{:x}-{:x}", info.size, info.last_modified.timestamp()))
            .trim_matches('"')
    );
    let headers = res.headers_mut();
    let set = |h: &mut salvo::http::HeaderMap, name, value: String| {
        if let Ok(v) = HeaderValue::from_str(&value) {
            h.insert(name, v);
        }
    };
    set(headers, header::ETAG, etag.clone());
    set(
        headers,
        header::LAST_MODIFIED,
        info.last_modified
            .format("%a, %d %b %Y %H:%M:%S GMT")
            .to_string(),
    );
    // Private: the response depends on who is signed in.
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=3600"),
    );
    headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(&stem.format, part)),
    );

    if let Some(inm) = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        && inm.split(',').any(|t| t.trim() == etag || t.trim() == "*")
    {
        res.status_code(StatusCode::NOT_MODIFIED);
        return Ok(());
    }
    // If-Range with a stale validator: send the whole (new) object.
    let range_header = match req
        .headers()
        .get(header::IF_RANGE)
        .and_then(|v| v.to_str().ok())
    {
        Some(validator) if validator.trim() != etag => None,
        _ => req
            .headers()
            .get(header::RANGE)
            .and_then(|v| v.to_str().ok()),
    };
    let size = info.size;
    let range = match range::parse(range_header, size) {
        RangeRequest::Full => {
            res.status_code(StatusCode::OK);
            0..size
        }
        RangeRequest::Partial(r) => {
            res.status_code(StatusCode::PARTIAL_CONTENT);
            set(
                res.headers_mut(),
                header::CONTENT_RANGE,
                format!("bytes {}-{}/{size}", r.start, r.end - 1),
            );
            r
        }
        RangeRequest::Unsatisfiable => {
            res.status_code(StatusCode::RANGE_NOT_SATISFIABLE);
            set(
                res.headers_mut(),
                header::CONTENT_RANGE,
                format!("bytes */{size}"),
            );
            res.headers_mut().remove(header::CONTENT_TYPE);
            return Ok(());
        }
    };
    set(
        res.headers_mut(),
        header::CONTENT_LENGTH,
        (range.end - range.start).to_string(),
    );
    if req.method() == salvo::http::Method::HEAD || range.is_empty() {
        return Ok(());
    }
    let stream = state.storage.get_range_stream(key, range).await?;
    res.stream(stream);
    Ok(())
}

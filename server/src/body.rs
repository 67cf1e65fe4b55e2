//! Reading request bodies within bounds. Every body has an idle timeout between chunks
//! (`server.body_idle_timeout_secs`, salvo's connection fuse, set up in `app`), so a
//! client that sends headers and then stalls is cut off; API bodies (GraphQL) also have
//! a size limit and a total time limit, since a client dribbling one byte at a time
//! would otherwise hold a connection for as long as it likes.

use std::time::Duration;

use bytes::{Bytes, BytesMut};
use futures::StreamExt;
use salvo::prelude::*;

use crate::error::ServerError;

/// Whether `e`, or an error it wraps, is a timed-out read (the idle timeout between
/// body chunks surfaces as one, however many layers wrap it).
pub fn is_timeout(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = Some(e);
    while let Some(err) = next {
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            if io.kind() == std::io::ErrorKind::TimedOut {
                return true;
            }
            // `io::Error::other(inner)` keeps `inner` as its payload, not as a source.
            if let Some(inner) = io.get_ref()
                && is_timeout(inner)
            {
                return true;
            }
        }
        next = err.source();
    }
    false
}

/// The whole body, refused with 413 past `max` bytes and 408 after `total` or an idle
/// gap between chunks.
pub async fn read_limited(
    req: &mut Request,
    max: usize,
    total: Duration,
) -> Result<Bytes, ServerError> {
    if let Some(len) = req
        .headers()
        .get(salvo::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        && len > max as u64
    {
        return Err(too_large(max));
    }
    let mut body = req.take_body();
    let deadline = tokio::time::Instant::now() + total;
    let mut buf = BytesMut::new();
    loop {
        let frame = match tokio::time::timeout_at(deadline, body.next()).await {
            Err(_) => {
                return Err(ServerError::RequestTimeout(format!(
                    "the request body did not arrive within {} s",
                    total.as_secs()
                )));
            }
            Ok(None) => break,
            Ok(Some(Err(e))) if is_timeout(&e) => {
                return Err(ServerError::RequestTimeout(
                    "the request body stalled".into(),
                ));
            }
            Ok(Some(Err(e))) => {
                return Err(ServerError::BadRequest(format!(
                    "the request body broke off: {e}"
                )));
            }
            Ok(Some(Ok(frame))) => frame,
        };
        if let Ok(data) = frame.into_data() {
            if buf.len() + data.len() > max {
                return Err(too_large(max));
            }
            buf.extend_from_slice(&data);
        }
    }
    Ok(buf.freeze())
}

fn too_large(max: usize) -> ServerError {
    ServerError::PayloadTooLarge(format!(
        "the request body is larger than the limit of {} KiB (server.max_body_kib)",
        max / 1024
    ))
}

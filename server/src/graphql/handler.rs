//! HTTP and WebSocket endpoints of the GraphQL API: `POST /graphql` (single or batched
//! requests), GraphiQL at `GET /graphql`, subscriptions at `GET /graphql/ws` (both the
//! graphql-transport-ws and the older graphql-ws protocol). Unauthenticated calls get
//! 401 before any resolver runs.

use std::str::FromStr;

use async_graphql::Executor;
use async_graphql::http::{
    GraphiQLSource, WebSocket as GqlWebSocket, WebSocketProtocols, WsMessage,
};
use futures::{SinkExt, StreamExt, future};
use salvo::prelude::*;
use salvo::websocket::{Message, WebSocketUpgrade};

use super::Viewer;
use crate::auth::Caller;
use crate::error::ServerError;
use crate::state::AppState;

pub fn router() -> Router {
    Router::with_path("graphql")
        .get(graphiql)
        .post(execute)
        .push(Router::with_path("ws").get(subscribe))
}

#[handler]
async fn graphiql(res: &mut Response) {
    res.render(Text::Html(
        GraphiQLSource::build()
            .endpoint("/graphql")
            .subscription_endpoint("/graphql/ws")
            .title("Stemset GraphQL")
            .finish(),
    ));
}

#[handler]
async fn execute(
    req: &mut Request,
    depot: &mut Depot,
    res: &mut Response,
) -> Result<(), ServerError> {
    let caller = Caller::require(depot)?;
    let state = AppState::from_depot(depot)?;
    let limit = usize::try_from(state.config.server.max_body_kib.saturating_mul(1024))
        .unwrap_or(usize::MAX);
    let batch: async_graphql::BatchRequest = req
        .parse_json_with_max_size(limit)
        .await
        .map_err(|e| ServerError::BadRequest(format!("not a GraphQL request: {e}")))?;
    let viewer = Viewer::load(&state.db, &caller).await?;
    let response = state.schema.execute_batch(batch.data(viewer)).await;
    res.headers_mut().insert(
        salvo::http::header::CACHE_CONTROL,
        salvo::http::HeaderValue::from_static("no-store"),
    );
    res.render(Json(response));
    Ok(())
}

/// A WebSocket carries the cookie of any page that opens it, so only the app's own
/// origin (and configured front-end origins) may open one (cross-site WebSocket
/// hijacking).
fn origin_allowed(req: &Request, state: &AppState) -> bool {
    let Some(origin) = req.headers().get("origin").and_then(|v| v.to_str().ok()) else {
        return true; // not a browser
    };
    let host = req
        .headers()
        .get("host")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let same_host = origin
        .split_once("://")
        .is_some_and(|(_, rest)| rest.eq_ignore_ascii_case(host));
    same_host
        || state.config.server.cors_origins.iter().any(|o| o == origin)
        || state
            .config
            .auth
            .public_url
            .as_deref()
            .is_some_and(|u| u.trim_end_matches('/') == origin)
}

#[handler]
async fn subscribe(
    req: &mut Request,
    depot: &mut Depot,
    res: &mut Response,
) -> Result<(), ServerError> {
    let caller = Caller::require(depot)?;
    let state = AppState::from_depot(depot)?;
    if !origin_allowed(req, &state) {
        return Err(ServerError::Forbidden(
            "this origin may not open a WebSocket here".into(),
        ));
    }
    let protocol = req
        .headers()
        .get("sec-websocket-protocol")
        .and_then(|v| v.to_str().ok())
        .and_then(|list| {
            list.split(',')
                .find_map(|p| WebSocketProtocols::from_str(p.trim()).ok())
        })
        .unwrap_or(WebSocketProtocols::GraphQLWS);
    let viewer = Viewer::load(&state.db, &caller).await?;
    let schema = state.schema.clone();
    WebSocketUpgrade::new()
        .protocols(&[protocol.sec_websocket_protocol()])
        .upgrade(req, res, move |ws| async move {
            let (mut sink, stream) = ws.split();
            let incoming = stream
                .take_while(|m| future::ready(m.is_ok()))
                .filter_map(|m| {
                    future::ready(
                        m.ok()
                            .filter(|m| m.is_text() || m.is_binary())
                            .map(|m| m.as_bytes().to_vec()),
                    )
                });
            let mut data = async_graphql::Data::default();
            data.insert(viewer);
            let mut outgoing = GqlWebSocket::new(schema, incoming, protocol).connection_data(data);
            while let Some(msg) = outgoing.next().await {
                let msg = match msg {
                    WsMessage::Text(text) => Message::text(text),
                    WsMessage::Close(code, reason) => Message::close_with(code, reason),
                };
                if sink.send(msg).await.is_err() {
                    break;
                }
            }
        })
        .await
        .map_err(|e| ServerError::BadRequest(format!("WebSocket upgrade: {e}")))
}

//! HTTP and WebSocket endpoints of the GraphQL API: `POST /graphql` (single or batched
//! requests, within `server.max_body_kib`, `server.body_timeout_secs` and
//! `server.max_batch_operations`; the per-operation limits are in [`super::limits`]),
//! GraphiQL at `GET /graphql` for signed-in callers, subscriptions at `GET /graphql/ws` (both the
//! graphql-transport-ws and the older graphql-ws protocol). Unauthenticated calls get
//! 401 before any resolver runs.

use std::str::FromStr;
use std::time::Duration;

use async_graphql::Executor;
use async_graphql::http::{WebSocket as GqlWebSocket, WebSocketProtocols, WsMessage};
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

/// GraphiQL, for signed-in callers only. Its scripts and stylesheet come from unpkg at
/// exact versions, each pinned by its Subresource Integrity hash (sha384 of the file in
/// the npm package, which is what unpkg serves), so a changed file is not run.
const GRAPHIQL: &str = r#"<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="robots" content="noindex">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta name="referrer" content="no-referrer">
    <title>Stemset GraphQL</title>
    <style>
      body { height: 100%; margin: 0; width: 100%; overflow: hidden; }
      #graphiql { height: 100vh; }
    </style>
    <script
      src="https://unpkg.com/react@18.3.1/umd/react.production.min.js"
      integrity="sha384-DGyLxAyjq0f9SPpVevD6IgztCFlnMF6oW/XQGmfe+IsZ8TqEiDrcHkMLKI6fiB/Z"
      crossorigin="anonymous"
    ></script>
    <script
      src="https://unpkg.com/react-dom@18.3.1/umd/react-dom.production.min.js"
      integrity="sha384-gTGxhz21lVGYNMcdJOyq01Edg0jhn/c22nsx0kyqP0TxaV5WVdsSH1fSDUf5YJj1"
      crossorigin="anonymous"
    ></script>
    <link
      rel="stylesheet"
      href="https://unpkg.com/graphiql@4.1.2/graphiql.min.css"
      integrity="sha384-1el1QShFBnnXTx9x/Cprg82hZWKt0ry29OAYIXt05swbi0KcZDFoj0CWguMpopJr"
      crossorigin="anonymous"
    />
  </head>
  <body>
    <div id="graphiql">Loading...</div>
    <script
      src="https://unpkg.com/graphiql@4.1.2/graphiql.min.js"
      integrity="sha384-9XdHu7ajgGJziD4J1zNBKQ842Q/+zZfDv+ib1eMhZWBH6hPAs806x+Jbcf0yNO6B"
      crossorigin="anonymous"
    ></script>
    <script>
      const url = (path, ws) => {
        const u = new URL(path, window.location.origin);
        if (ws) u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
        return u.toString();
      };
      ReactDOM.createRoot(document.getElementById('graphiql')).render(
        React.createElement(GraphiQL, {
          fetcher: GraphiQL.createFetcher({
            url: url('/graphql'),
            subscriptionUrl: url('/graphql/ws', true),
            fetch: (input, init = {}) => fetch(input, { ...init, credentials: 'same-origin' }),
          }),
          defaultEditorToolsVisibility: true,
        })
      );
    </script>
  </body>
</html>
"#;

#[handler]
async fn graphiql(depot: &mut Depot, res: &mut Response) -> Result<(), ServerError> {
    Caller::require(depot)?;
    res.headers_mut().insert(
        salvo::http::header::CACHE_CONTROL,
        salvo::http::HeaderValue::from_static("no-store"),
    );
    res.render(Text::Html(GRAPHIQL));
    Ok(())
}

/// A refusal of the whole HTTP request, shaped like a GraphQL response.
fn refuse(res: &mut Response, status: StatusCode, message: String) {
    res.status_code(status);
    res.render(Json(
        serde_json::json!({ "errors": [{ "message": message }] }),
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
    let server = &state.settings.server;
    // JSON only: a form or text/plain POST from another site would need no CORS preflight.
    if req
        .content_type()
        .is_none_or(|m| m.subtype() != salvo::http::mime::JSON)
    {
        return Err(ServerError::BadRequest(
            "not a GraphQL request: send it as application/json".into(),
        ));
    }
    let limit = usize::try_from(server.max_body_kib.saturating_mul(1024)).unwrap_or(usize::MAX);
    let body = crate::body::read_limited(req, limit, Duration::from_secs(server.body_timeout_secs))
        .await?;
    let batch: async_graphql::BatchRequest = serde_json::from_slice(&body)
        .map_err(|e| ServerError::BadRequest(format!("not a GraphQL request: {e}")))?;
    if let async_graphql::BatchRequest::Batch(ops) = &batch
        && ops.len() > server.max_batch_operations
    {
        refuse(
            res,
            StatusCode::BAD_REQUEST,
            format!(
                "batch of {} operations exceeds the limit of {} (server.max_batch_operations)",
                ops.len(),
                server.max_batch_operations
            ),
        );
        return Ok(());
    }
    // Each request's cost is bounded above; the slots bound how many run together.
    let wait = Duration::from_secs(server.query_wait_secs);
    let Ok(Ok(_slot)) =
        tokio::time::timeout(wait, state.graphql_slots.clone().acquire_owned()).await
    else {
        res.headers_mut().insert(
            salvo::http::header::RETRY_AFTER,
            salvo::http::HeaderValue::from_static("1"),
        );
        refuse(
            res,
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "the server is busy: {} GraphQL requests are running (server.max_concurrent_queries); try again",
                server.max_concurrent_queries
            ),
        );
        return Ok(());
    };
    let viewer = Viewer::load(&state.db, &caller).await?;
    let response = state
        .schema
        .execute_batch(with_request_data(batch, viewer))
        .await;
    res.headers_mut().insert(
        salvo::http::header::CACHE_CONTROL,
        salvo::http::HeaderValue::from_static("no-store"),
    );
    res.render(Json(response));
    Ok(())
}

/// The caller, and per request (not per batch: its keys are addresses in one request's
/// document) the memo that lets relation fields build their query once for all rows.
fn with_request_data(
    batch: async_graphql::BatchRequest,
    viewer: Viewer,
) -> async_graphql::BatchRequest {
    use async_graphql::BatchRequest::{Batch, Single};
    let one = |r: async_graphql::Request| {
        r.data(viewer.clone())
            .data(seaography::RequestMemo::default())
    };
    match batch {
        Single(r) => Single(one(r)),
        Batch(rs) => Batch(rs.into_iter().map(one).collect()),
    }
}

#[handler]
async fn subscribe(
    req: &mut Request,
    depot: &mut Depot,
    res: &mut Response,
) -> Result<(), ServerError> {
    let caller = Caller::require(depot)?;
    let state = AppState::from_depot(depot)?;
    if !crate::origin::allowed(req, &state) {
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

//! `GET /graphql` with `Upgrade: websocket`: GraphQL over WebSocket, speaking
//! `graphql-transport-ws` and the legacy `graphql-ws` (async-graphql-poem's `GraphQLWebSocket`).
//!
//! The token comes in `connection_init`'s payload (`{"token": "…"}`) and is checked like a
//! bearer token. A connection that sends no `connection_init` within `INIT_TIMEOUT` is closed
//! with 4408, one whose token is refused with 4403; a `graphql-transport-ws` connection that sends nothing (not even a ping) for
//! `KEEPALIVE` is closed with 3008. A stream ends when its token stops standing for the same
//! access (see `graphql::feed::Live`).

use crate::AppState;
use crate::domain::access::Scope;
use crate::graphql::AppSchema;
use crate::graphql::context::{Auth, ClientAddress, SignInBudget};
use crate::graphql::feed::LiveSecret;
use crate::graphql::loaders::Loaders;
use crate::workflows::auth;
use async_graphql::http::{ALL_WEBSOCKET_PROTOCOLS, WebSocketProtocols};
use async_graphql::{Data, ErrorExtensions};
use async_graphql_poem::{GraphQLProtocol, GraphQLWebSocket};
use futures_util::{SinkExt, StreamExt};
use poem::web::websocket::{CloseCode, Message, WebSocket, WebSocketStream};
use poem::{FromRequest, IntoResponse, Request, Response};
use std::time::Duration;

/// How long a new connection may take to send `connection_init`.
pub const INIT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a `graphql-transport-ws` connection may stay silent (clients ping more often).
pub const KEEPALIVE: Duration = Duration::from_secs(60);

/// Whether the request asks to become a WebSocket.
pub fn wants_upgrade(req: &Request) -> bool {
    req.headers()
        .get(poem::http::header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"))
}

pub async fn upgrade(req: Request) -> poem::Result<Response> {
    let (req, mut body) = req.split();
    let websocket = WebSocket::from_request(&req, &mut body).await?;
    let protocol = GraphQLProtocol::from_request(&req, &mut body).await?;
    let schema = req.data::<AppSchema>().cloned().ok_or_else(|| {
        poem::Error::from_string("no schema", poem::http::StatusCode::INTERNAL_SERVER_ERROR)
    })?;
    let state = req
        .data::<AppState>()
        .cloned()
        .ok_or_else(|| poem::Error::from_string("no state", poem::http::StatusCode::INTERNAL_SERVER_ERROR))?;
    let client = req.remote_addr().as_socket_addr().map(|a| a.ip().to_string()).unwrap_or_default();
    Ok(websocket
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |stream| serve(stream, schema, state, protocol, client))
        .into_response())
}

async fn serve(
    stream: WebSocketStream,
    schema: AppSchema,
    state: AppState,
    protocol: GraphQLProtocol,
    client: String,
) {
    let (mut sink, incoming) = stream.split();
    // The GraphQL side writes into a channel, so this side can also close the connection.
    let (out_tx, mut out_rx) = tokio::sync::mpsc::channel::<Message>(64);
    let out = futures_util::sink::unfold(out_tx, |tx, m: Message| async move {
        tx.send(m).await.map(|_| tx).map_err(|_| std::io::Error::other("connection closed"))
    });
    let (init_tx, mut init_rx) = tokio::sync::oneshot::channel::<()>();
    let keepalive = matches!(protocol.0, WebSocketProtocols::GraphQLWS).then_some(KEEPALIVE);
    let graphql = GraphQLWebSocket::new_with_pair(Box::pin(out), incoming, schema, protocol)
        .on_connection_init(move |payload| async move {
            let _ = init_tx.send(());
            connection_data(&state, payload, client).await
        })
        .keepalive_timeout(keepalive)
        .serve();
    let write = async move {
        let timer = tokio::time::sleep(INIT_TIMEOUT);
        tokio::pin!(timer);
        let mut initialised = false;
        let mut acknowledged = false;
        loop {
            tokio::select! {
                m = out_rx.recv() => match m {
                    Some(m) => {
                        // A refused connection_init closes with 1002 in async-graphql; the
                        // protocol says 4403 Forbidden.
                        let m = match m {
                            Message::Close(Some((code, reason))) if !acknowledged && u16::from(code) == 1002 => {
                                Message::Close(Some((CloseCode::from(4403), reason)))
                            }
                            Message::Text(t) if t.contains("\"connection_ack\"") => {
                                acknowledged = true;
                                Message::Text(t)
                            }
                            m => m,
                        };
                        if sink.send(m).await.is_err() {
                            return;
                        }
                    }
                    None => {
                        let _ = sink.close().await;
                        return;
                    }
                },
                _ = &mut init_rx, if !initialised => initialised = true,
                _ = &mut timer, if !initialised => {
                    let close = (CloseCode::from(4408), "Connection initialisation timeout".to_owned());
                    let _ = sink.send(Message::Close(Some(close))).await;
                    let _ = sink.close().await;
                    return;
                }
            }
        }
    };
    tokio::pin!(graphql, write);
    tokio::select! {
        _ = &mut write => return,
        _ = &mut graphql => {}
    }
    // The GraphQL side is done; send what it wrote.
    write.await;
}

/// The request data of an authenticated connection, or an error that closes it (4403).
async fn connection_data(
    state: &AppState,
    payload: serde_json::Value,
    client: String,
) -> async_graphql::Result<Data> {
    let refuse = |message: &str, code: &str| {
        async_graphql::Error::new(message).extend_with(|_, e| e.set("code", code))
    };
    let token = payload
        .get("token")
        .or_else(|| payload.get("authToken"))
        .and_then(|t| t.as_str())
        .map(|t| t.trim().trim_start_matches("Bearer ").trim().to_owned())
        .filter(|t| !t.is_empty() && t.len() <= 512);
    let Some(token) = token else {
        return Err(refuse("send your token in connection_init: {\"token\": \"…\"}", "UNAUTHENTICATED"));
    };
    let now = state.clock.now();
    let viewer = match auth::authenticate(state, &token, now).await {
        Ok(Some(v)) => v,
        Ok(None) => {
            return Err(refuse("the token is unknown, revoked or expired; sign in again", "UNAUTHENTICATED"));
        }
        Err(_) => return Err(refuse("the service is unavailable; try again shortly", "SERVICE_UNAVAILABLE")),
    };
    if viewer.enrol_only {
        return Err(refuse("set up multi-factor sign-in first", "MFA_ENROLMENT_REQUIRED"));
    }
    let scope = Scope::of(&viewer);
    let mut data = Data::default();
    // A connection lives long: nothing it reads may be cached for its lifetime.
    data.insert(Loaders::new(&state.pool, Some(scope), now).without_cache());
    data.insert(Auth::Viewer(viewer));
    data.insert(LiveSecret(token));
    data.insert(SignInBudget::default());
    data.insert(ClientAddress(client));
    Ok(data)
}

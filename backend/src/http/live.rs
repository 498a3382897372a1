//! `GET /graphql` with `Upgrade: websocket`: GraphQL over WebSocket, speaking
//! `graphql-transport-ws` and the legacy `graphql-ws` (async-graphql-poem's `GraphQLWebSocket`).
//!
//! The token comes in `connection_init`'s payload (`{"token": "…"}`) and is checked like a
//! bearer token. The connection is closed:
//! - with 4408 when no `connection_init` comes within `INIT_TIMEOUT`;
//! - with 4403 when the token is refused, and later as soon as it is revoked, expires, or
//!   stops standing for the same access (checked on every `auth_changed` and at expiry), so
//!   nothing sent over the socket runs with access the viewer no longer has;
//! - with 3008 when the client answers nothing for the keepalive (`--ws-keepalive-secs`, 60 s):
//!   the server sends a WebSocket ping every third of it, which browsers and every WebSocket
//!   library answer by themselves, so this finds dead peers on both protocols without asking
//!   GraphQL clients to ping (the legacy protocol has no client ping at all);
//! - when the client stops reading for `SEND_TIMEOUT`.
//!
//! Messages are bounded like HTTP bodies, and errors carry `extensions.code` as over HTTP.

use crate::AppState;
use crate::domain::access::Scope;
use crate::domain::{Language, Viewer};
use crate::graphql::AppSchema;
use crate::graphql::context::{Auth, ClientAddress, SignInBudget};
use crate::graphql::feed::LiveStreams;
use crate::graphql::loaders::{Loaders, Now};
use crate::workflows::auth;
use async_graphql::http::ALL_WEBSOCKET_PROTOCOLS;
use async_graphql::{Data, ErrorExtensions};
use async_graphql_poem::{GraphQLProtocol, GraphQLWebSocket};
use futures_util::{SinkExt, StreamExt};
use poem::web::websocket::{CloseCode, Message, WebSocket, WebSocketConfig, WebSocketStream};
use poem::{FromRequest, IntoResponse, Request, Response};
use serde_json::Value;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;

/// How long a new connection may take to send `connection_init`.
pub const INIT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a client may leave a message unread before the connection is dropped.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(30);

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
    let missing = || poem::Error::from_status(poem::http::StatusCode::INTERNAL_SERVER_ERROR);
    let schema = req.data::<AppSchema>().cloned().ok_or_else(missing)?;
    let state = req.data::<AppState>().cloned().ok_or_else(missing)?;
    let client = req.remote_addr().as_socket_addr().map(|a| a.ip().to_string()).unwrap_or_default();
    // The upgrade request's Accept-Language holds for the connection's life.
    let language = super::graphql::language(&req);
    // A message is bounded like a request body.
    let mut config = WebSocketConfig::default();
    config.max_message_size = Some(state.limits.max_body_bytes);
    config.max_frame_size = Some(state.limits.max_body_bytes);
    Ok(websocket
        .config(config)
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |stream| serve(stream, schema, state, protocol, client, language))
        .into_response())
}

/// The token and viewer a connection was admitted with.
struct Admitted {
    token: String,
    viewer: Viewer,
}

async fn serve(
    stream: WebSocketStream,
    schema: AppSchema,
    state: AppState,
    protocol: GraphQLProtocol,
    client: String,
    language: Language,
) {
    let _open = crate::telemetry::OpenGauge::open(crate::telemetry::WEBSOCKET_CONNECTIONS);
    let (mut sink, incoming) = stream.split();
    // When the client last sent anything: a message, a ping or the pong to ours.
    let heard = Arc::new(Mutex::new(Instant::now()));
    let heard_by_reader = heard.clone();
    let incoming = incoming.inspect(move |m| {
        if m.is_ok() {
            *heard_by_reader.lock().unwrap_or_else(|e| e.into_inner()) = Instant::now();
        }
    });
    let keepalive = state.limits.ws_keepalive();
    let mut pings = tokio::time::interval_at(Instant::now() + keepalive / 3, keepalive / 3);
    pings.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // Subscribed before the token is checked, so a revocation right after it is not missed.
    let mut auth_changes = state.feed.auth_changes();
    // The GraphQL side writes into a channel, so this side can also close the connection.
    let (out_tx, mut out_rx) = tokio::sync::mpsc::channel::<Message>(64);
    let out = futures_util::sink::unfold(out_tx, |tx, m: Message| async move {
        tx.send(m).await.map(|_| tx).map_err(|_| std::io::Error::other("connection closed"))
    });
    let (init_tx, mut init_rx) = tokio::sync::oneshot::channel::<Option<Admitted>>();
    let init_state = state.clone();
    let graphql = GraphQLWebSocket::new_with_pair(Box::pin(out), incoming, schema, protocol)
        .on_connection_init(move |payload| async move {
            let admitted = admit(&init_state, &payload).await;
            let data = match &admitted {
                Ok(a) => Ok(connection_data(&init_state, a, client, language)),
                Err(e) => Err(e.clone()),
            };
            let _ = init_tx.send(admitted.ok());
            data
        })
        .serve();
    let write = async move {
        let timer = tokio::time::sleep(INIT_TIMEOUT);
        tokio::pin!(timer);
        // None until connection_init came; then whether it was admitted.
        let mut admitted: Option<Option<Admitted>> = None;
        let mut acknowledged = false;
        let close =
            |code: u16, reason: &str| Message::Close(Some((CloseCode::from(code), reason.to_owned())));
        loop {
            let expires = admitted
                .as_ref()
                .and_then(|a| a.as_ref())
                .and_then(|a| a.viewer.token_expires_at)
                // Already past: at once.
                .map(|end| (end - state.clock.now()).to_std().unwrap_or_default());
            let outgoing = tokio::select! {
                // The outcome of connection_init is known before anything it made is sent.
                biased;
                a = &mut init_rx, if admitted.is_none() => {
                    admitted = Some(a.ok().flatten());
                    continue;
                }
                m = out_rx.recv() => match m {
                    Some(m) => m,
                    None => {
                        let _ = sink.close().await;
                        return;
                    }
                },
                _ = &mut timer, if admitted.is_none() => {
                    close(4408, "Connection initialisation timeout")
                }
                changed = auth_changes.changed(), if matches!(admitted, Some(Some(_))) => {
                    let Some(Some(a)) = &admitted else { continue };
                    if changed.is_ok() && still_admitted(&state, a).await {
                        continue;
                    }
                    close(4403, "the token was revoked or its access changed; connect again")
                }
                _ = tokio::time::sleep(expires.unwrap_or_default()), if expires.is_some() => {
                    close(4403, "the token expired; sign in again")
                }
                _ = pings.tick(), if matches!(admitted, Some(Some(_))) => {
                    let silent = heard.lock().unwrap_or_else(|e| e.into_inner()).elapsed();
                    if silent >= keepalive {
                        close(3008, "no answer to pings; connect again")
                    } else {
                        Message::Ping(Vec::new())
                    }
                }
            };
            let (m, last) = match outgoing {
                // A refused connection_init closes with 1002 in async-graphql; the protocol says
                // 4403 Forbidden.
                Message::Close(Some((code, reason)))
                    if matches!(admitted, Some(None)) && !acknowledged && u16::from(code) == 1002 =>
                {
                    (close(4403, &reason), true)
                }
                Message::Close(c) => (Message::Close(c), true),
                Message::Text(t) => {
                    acknowledged |= t.contains("\"connection_ack\"");
                    (Message::Text(with_codes(t, language)), false)
                }
                m => (m, false),
            };
            match tokio::time::timeout(SEND_TIMEOUT, sink.send(m)).await {
                Ok(Ok(())) if !last => {}
                _ => {
                    let _ = tokio::time::timeout(Duration::from_secs(1), sink.close()).await;
                    return;
                }
            }
        }
    };
    tokio::pin!(graphql, write);
    tokio::select! {
        _ = &mut write => {}
        _ = &mut graphql => {
            // The GraphQL side is done; send what it wrote.
            write.await;
        }
    }
}

/// Whether the token still stands for the access the connection was admitted with.
async fn still_admitted(state: &AppState, a: &Admitted) -> bool {
    match auth::authenticate(state, &a.token, state.clock.now()).await {
        Ok(Some(v)) => same_access(&v, &a.viewer),
        Ok(None) => false,
        // The database is unreachable: the next change checks again.
        Err(_) => true,
    }
}

fn same_access(a: &Viewer, b: &Viewer) -> bool {
    let roles = |v: &Viewer| {
        let mut r: Vec<String> = v.roles.iter().map(|r| format!("{r:?}")).collect();
        r.sort();
        r
    };
    a.user_id == b.user_id
        && a.token_id == b.token_id
        && Scope::of(a) == Scope::of(b)
        && a.read_only == b.read_only
        && a.enrol_only == b.enrol_only
        && roles(a) == roles(b)
}

/// Errors sent over the socket carry `extensions.code` like those over HTTP: validation
/// errors (no path) `GRAPHQL_VALIDATION_FAILED`, others `BAD_USER_INPUT` unless they have one;
/// and their message is in the connection's language.
fn with_codes(text: String, language: Language) -> String {
    if !text.contains("\"errors\"") && !text.contains("\"type\":\"error\"") {
        return text;
    }
    let Ok(mut v) = serde_json::from_str::<Value>(&text) else { return text };
    let errors = match v["type"].as_str() {
        // graphql-transport-ws `error`: the payload is the list of errors.
        Some("error") => v.get_mut("payload"),
        _ => v.get_mut("payload").and_then(|p| p.get_mut("errors")),
    };
    let Some(Value::Array(errors)) = errors else { return text };
    for e in errors {
        let has_path = e.get("path").is_some_and(|p| p.as_array().is_some_and(|a| !a.is_empty()));
        let Some(obj) = e.as_object_mut() else { continue };
        let ext = obj.entry("extensions").or_insert_with(|| Value::Object(Default::default()));
        if let Some(ext) = ext.as_object_mut() {
            let code = if has_path { "BAD_USER_INPUT" } else { "GRAPHQL_VALIDATION_FAILED" };
            let code = ext.entry("code").or_insert_with(|| Value::from(code)).as_str().map(str::to_owned);
            if let (Some(code), Some(Value::String(message))) = (code, obj.get_mut("message")) {
                *message = crate::i18n::refusal(language, &code, message);
            }
        }
    }
    v.to_string()
}

/// Checks the token of a connection_init payload; the error closes the connection.
async fn admit(state: &AppState, payload: &Value) -> async_graphql::Result<Admitted> {
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
    let viewer = match auth::authenticate(state, &token, state.clock.now()).await {
        Ok(Some(v)) => v,
        Ok(None) => {
            return Err(refuse("the token is unknown, revoked or expired; sign in again", "UNAUTHENTICATED"));
        }
        Err(_) => return Err(refuse("the service is unavailable; try again shortly", "SERVICE_UNAVAILABLE")),
    };
    if viewer.enrol_only {
        return Err(refuse("set up multi-factor sign-in first", "MFA_ENROLMENT_REQUIRED"));
    }
    Ok(Admitted { token, viewer })
}

/// What every operation on the connection sees.
fn connection_data(state: &AppState, a: &Admitted, client: String, language: Language) -> Data {
    let scope = Scope::of(&a.viewer);
    let mut data = Data::default();
    // A connection lives long: nothing it reads may be cached for its lifetime.
    data.insert(Loaders::new(&state.pool, Some(scope), Now::Live(state.clock.clone())).without_cache());
    data.insert(Auth::Viewer(a.viewer.clone()));
    data.insert(LiveStreams::default());
    data.insert(SignInBudget::default());
    data.insert(ClientAddress(client));
    data.insert(language);
    data
}

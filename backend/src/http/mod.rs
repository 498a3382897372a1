//! HTTP: thin routes around the GraphQL schema, GraphiQL, health checks and the SPA.

mod export;
mod graphiql;
mod graphql;
mod health;
mod idempotency;
mod live;
pub mod metrics;
pub mod observe;
mod spa;

use crate::AppState;
use poem::endpoint::BoxEndpoint;
use poem::middleware::{CatchPanic, Compression, Tracing};
use poem::{Endpoint, EndpointExt, IntoResponse, Request, Response, Route, get};
use std::path::PathBuf;
use std::sync::Arc;

pub fn routes(state: AppState, static_dir: Option<PathBuf>) -> BoxEndpoint<'static> {
    let schema = crate::graphql::schema(state.clone());
    let max_body = state.limits.max_body_bytes;
    let mut route = Route::new()
        .at(
            "/graphql",
            get(poem::endpoint::make(get_graphql))
                .post(graphql::execute.around(move |ep, req| limit_body(ep, req, max_body))),
        )
        .at("/graphiql", get(graphiql::page))
        .at("/favicon.ico", get(favicon))
        .at("/healthz", get(health::healthz))
        .at("/readyz", get(health::readyz))
        .at("/export/book.csv", get(export::book))
        .at("/export/subscriptions.csv", get(export::subscriptions))
        .at("/export/audit.csv", get(export::audit));
    if let Some(dir) = static_dir {
        let spa = spa::Spa::new(dir);
        route = route.at("/", spa.clone()).at("/*path", spa);
    }
    // The request id and its span are outermost, so every line logged for a request (poem's
    // Tracing included) carries the id.
    route
        .data(schema)
        .data(state)
        .with(Compression::new())
        .with(CatchPanic::new())
        .with(Tracing)
        .around(observe::around)
        .boxed()
}

/// `GET /graphql`: a WebSocket upgrade for live events, else a query in the URL.
async fn get_graphql(req: Request) -> poem::Result<Response> {
    if live::wants_upgrade(&req) {
        return live::upgrade(req).await;
    }
    Ok(graphql::execute.call(req).await?.into_response())
}

/// The app's icon, built into the binary so GraphiQL and the app have it without the SPA's files.
#[poem::handler]
fn favicon() -> Response {
    Response::builder()
        .content_type("image/x-icon")
        .header(poem::http::header::CACHE_CONTROL, "public, max-age=86400")
        .body(&include_bytes!("../../assets/favicon.ico")[..])
}

/// Reads at most `max` bytes of body (declared or streamed), answering 413 beyond that.
async fn limit_body<E: Endpoint>(ep: Arc<E>, mut req: Request, max: usize) -> poem::Result<Response> {
    let declared = req
        .headers()
        .get(poem::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
    if declared.is_some_and(|n| n > max) {
        return Ok(poem::http::StatusCode::PAYLOAD_TOO_LARGE.into_response());
    }
    match req.take_body().into_bytes_limit(max).await {
        Ok(bytes) => {
            req.set_body(bytes);
            Ok(ep.call(req).await?.into_response())
        }
        Err(poem::error::ReadBodyError::PayloadTooLarge) => {
            Ok(poem::http::StatusCode::PAYLOAD_TOO_LARGE.into_response())
        }
        Err(e) => Err(e.into()),
    }
}

//! HTTP: thin routes around the GraphQL schema, GraphiQL, health checks and the SPA.

mod graphiql;
mod graphql;
mod health;
mod spa;

use crate::AppState;
use poem::endpoint::BoxEndpoint;
use poem::middleware::{CatchPanic, Compression, SizeLimit, Tracing};
use poem::{EndpointExt, Route, get};
use std::path::PathBuf;

pub fn routes(state: AppState, static_dir: Option<PathBuf>) -> BoxEndpoint<'static> {
    let schema = crate::graphql::schema(state.clone());
    let max_body = state.limits.max_body_bytes;
    let mut route = Route::new()
        .at("/graphql", get(graphql::execute).post(graphql::execute.with(SizeLimit::new(max_body))))
        .at("/graphiql", get(graphiql::page))
        .at("/healthz", get(health::healthz))
        .at("/readyz", get(health::readyz));
    if let Some(dir) = static_dir {
        let spa = spa::Spa::new(dir);
        route = route.at("/", spa.clone()).at("/*path", spa);
    }
    route.data(schema).data(state).with(Compression::new()).with(CatchPanic::new()).with(Tracing).boxed()
}

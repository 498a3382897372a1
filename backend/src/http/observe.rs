//! Around every request: its id (kept from `x-request-id` when sane, else a new UUID), a
//! tracing span carrying it (so every log line of the request has `request_id`), the id in the
//! response, and the request's count and latency by route pattern.

use poem::http::HeaderValue;
use poem::{Endpoint, IntoResponse, Request, Response};
use std::sync::Arc;
use std::time::Instant;
use tracing::Instrument;

pub const REQUEST_ID: &str = "x-request-id";
/// The longest incoming request id kept.
const MAX_REQUEST_ID: usize = 128;

/// The request's id, available to handlers as request data.
#[derive(Debug, Clone)]
pub struct RequestId(pub Arc<str>);

/// An incoming id is kept when it is short and printable ASCII (it goes into logs and headers).
fn sane(id: &str) -> bool {
    !id.is_empty() && id.len() <= MAX_REQUEST_ID && id.bytes().all(|b| b.is_ascii_graphic())
}

/// The route pattern a path is served by: bounded labels, never the raw URL.
pub fn route_label(path: &str) -> &'static str {
    const FIXED: &[&str] = &[
        "/graphql",
        "/graphiql",
        "/favicon.ico",
        "/healthz",
        "/readyz",
        "/export/book.csv",
        "/export/subscriptions.csv",
        "/export/audit.csv",
    ];
    if let Some(p) = FIXED.iter().find(|p| **p == path) {
        return p;
    }
    if path.starts_with("/vendor/") {
        "/vendor/*"
    } else if path.starts_with("/export/") {
        "/export/*"
    } else if super::spa::is_app_route(path) {
        // Every page of the app is index.html.
        "spa"
    } else {
        "static"
    }
}

/// Methods outside the standard ones are one label (a client may send any token).
fn method_label(m: &poem::http::Method) -> &'static str {
    use poem::http::Method;
    match *m {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        _ => "other",
    }
}

pub async fn around<E: Endpoint>(ep: Arc<E>, mut req: Request) -> poem::Result<Response> {
    let id: Arc<str> = match req.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()) {
        Some(id) if sane(id) => id.into(),
        _ => uuid::Uuid::new_v4().to_string().into(),
    };
    req.set_data(RequestId(id.clone()));
    let route = route_label(req.uri().path());
    let method = method_label(req.method());
    let span = tracing::info_span!("request", request_id = %id, method = %method, route);
    let started = Instant::now();
    let mut response = match ep.call(req).instrument(span).await {
        Ok(r) => r.into_response(),
        Err(e) => e.into_response(),
    };
    let status = response.status().as_u16().to_string();
    metrics::counter!(crate::telemetry::HTTP_REQUESTS, "route" => route, "method" => method, "status" => status)
        .increment(1);
    metrics::histogram!(crate::telemetry::HTTP_DURATION, "route" => route)
        .record(started.elapsed().as_secs_f64());
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_patterns() {
        assert_eq!(route_label("/graphql"), "/graphql");
        assert_eq!(route_label("/export/audit.csv"), "/export/audit.csv");
        assert_eq!(route_label("/customers/Q3VzdG9tZXI6"), "spa");
        assert_eq!(route_label("/invitations/abc"), "spa");
        assert_eq!(route_label("/frontend-1a2b3c4d5e6f7a8b.js"), "static");
    }

    #[test]
    fn request_ids_are_checked() {
        assert!(sane("abc-123"));
        assert!(!sane(""));
        assert!(!sane("a b"));
        assert!(!sane(&"x".repeat(200)));
        assert!(!sane("é"));
    }
}

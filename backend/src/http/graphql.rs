//! POST and GET /graphql: read the bearer token into the request's context and execute.

use crate::AppState;
use crate::domain::access::Scope;
use crate::domain::{AppError, Code, Language};
use crate::graphql::AppSchema;
use crate::graphql::context::{Auth, ClientAddress, RequestTime, SignInBudget};
use crate::graphql::error::localized;
use crate::graphql::loaders::{Loaders, Now};
use crate::workflows::auth;
use async_graphql::{ErrorExtensionValues, ServerError, Value};
use async_graphql_poem::{GraphQLRequest, GraphQLResponse};
use poem::web::Data;
use poem::{IntoResponse, Request, handler};

#[handler]
pub async fn execute(
    req: &Request,
    Data(schema): Data<&AppSchema>,
    Data(state): Data<&AppState>,
    GraphQLRequest(request): GraphQLRequest,
) -> poem::Response {
    let now = state.clock.now();
    let language = language(req);
    let auth = match bearer(req) {
        None => Auth::Anonymous,
        Some(None) => Auth::Rejected,
        Some(Some(secret)) => match auth::authenticate(state, secret, now).await {
            Ok(Some(viewer)) => Auth::Viewer(viewer),
            Ok(None) => Auth::Rejected,
            Err(e) => return error_response(e, language),
        },
    };
    let scope = match &auth {
        // An enrol-only session reads nothing, so it gets no scope-bearing loaders either.
        Auth::Viewer(v) if !v.enrol_only => Some(Scope::of(v)),
        _ => None,
    };
    let client = req.remote_addr().as_socket_addr().map(|a| a.ip().to_string()).unwrap_or_default();
    let operation = crate::telemetry::operation_label(request.operation_name.as_deref());
    // A key on an authenticated mutation makes it idempotent; queries and signing in ignore it.
    let idempotent = match (req.headers().get(IDEMPOTENCY_KEY), &auth) {
        (Some(value), Auth::Viewer(viewer)) if super::idempotency::is_mutation(&request) => {
            // Keys are per person (a new session may retry), which is safe because answers that
            // hold a secret are never kept (`domain::idempotency::SECRET_BEARING`).
            match super::idempotency::Claim::begin(state, viewer.user_id, value, &request).await {
                Ok(super::idempotency::Begun::Run(claim)) => Some(claim),
                Ok(super::idempotency::Begun::Answered(response)) => {
                    super::idempotency::count_replay(operation, response.status());
                    return response;
                }
                Err(e) => return error_response(e, language),
            }
        }
        _ => None,
    };
    let request = request
        .data(Loaders::new(&state.pool, scope, Now::At(now)))
        .data(auth)
        .data(RequestTime(now))
        .data(SignInBudget::default())
        .data(ClientAddress(client))
        .data(language);
    match idempotent {
        // Spawned, so a client that hangs up cannot cancel the request between the mutation's
        // commit and storing its answer (a retry would then run it again).
        Some(claim) => {
            let (schema, state) = (schema.clone(), state.clone());
            tokio::spawn(async move {
                let http = run(&schema, &state, request, language, operation).await;
                claim.finish(&state, http).await
            })
            .await
            .unwrap_or_else(|_| poem::http::StatusCode::INTERNAL_SERVER_ERROR.into_response())
        }
        None => run(schema, state, request, language, operation).await,
    }
}

/// Executes the request under the deadline and answers it, with codes, in the viewer's language.
async fn run(
    schema: &AppSchema,
    state: &AppState,
    request: async_graphql::Request,
    language: Language,
    operation: &'static str,
) -> poem::Response {
    let started = std::time::Instant::now();
    let response = match tokio::time::timeout(state.limits.request_timeout(), schema.execute(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!("GraphQL request timed out");
            coded(
                async_graphql::Response::from_errors(vec![ServerError::new(
                    "the request took too long",
                    None,
                )]),
                Code::Timeout,
            )
        }
    };
    let response = with_codes(response);
    record(operation, &response, started.elapsed());
    let mut http = GraphQLResponse::from(localized(response, language)).into_response();
    http.headers_mut()
        .insert(poem::http::header::CACHE_CONTROL, poem::http::HeaderValue::from_static("no-store"));
    http
}

/// The header a client sends to make a mutation safe to retry (Stripe's name).
const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// Counts the operation by name and outcome (`ok`, or the first error's code).
fn record(operation: &'static str, response: &async_graphql::Response, took: std::time::Duration) {
    let outcome = response
        .errors
        .first()
        .and_then(|e| e.extensions.as_ref()?.get("code").cloned())
        .and_then(|code| match code {
            Value::String(s) => Some(code_label(&s)),
            _ => None,
        })
        .unwrap_or_else(|| "ok".to_owned());
    metrics::counter!(crate::telemetry::GRAPHQL_OPERATIONS, "operation" => operation, "outcome" => outcome)
        .increment(1);
    metrics::histogram!(crate::telemetry::GRAPHQL_DURATION, "operation" => operation)
        .record(took.as_secs_f64());
}

/// A code as a label. Codes are set by the server (`Code`), so the set is bounded; anything
/// not shaped like one is `other`.
fn code_label(code: &str) -> String {
    let shaped =
        !code.is_empty() && code.len() <= 48 && code.bytes().all(|b| b.is_ascii_uppercase() || b == b'_');
    if shaped { code.to_owned() } else { "other".to_owned() }
}

/// The viewer's language, from the request's `Accept-Language` (`domain::language`).
pub fn language(req: &Request) -> Language {
    let header = req.headers().get(poem::http::header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok());
    Language::from_accept_language(header)
}

/// `None`: no Authorization header. `Some(None)`: a header that is not a bearer token.
fn bearer(req: &Request) -> Option<Option<&str>> {
    let value = req.headers().get(poem::http::header::AUTHORIZATION)?;
    let text = value.to_str().ok();
    Some(text.and_then(|t| {
        let (scheme, token) = t.trim().split_once(' ')?;
        scheme.eq_ignore_ascii_case("bearer").then(|| token.trim()).filter(|t| !t.is_empty())
    }))
}

pub(super) fn error_response(e: AppError, language: Language) -> poem::Response {
    let code = e.code();
    let message = match &e {
        AppError::Refused(r) => r.message.clone(),
        AppError::Internal(cause) => {
            tracing::error!(error = ?cause, "authenticating a request");
            "the service is unavailable; try again shortly".to_owned()
        }
    };
    let code = if code == Code::Internal { Code::ServiceUnavailable } else { code };
    let response = coded(async_graphql::Response::from_errors(vec![ServerError::new(message, None)]), code);
    GraphQLResponse::from(localized(response, language)).into_response()
}

pub(super) fn coded(mut response: async_graphql::Response, code: Code) -> async_graphql::Response {
    for e in &mut response.errors {
        e.extensions
            .get_or_insert_with(ErrorExtensionValues::default)
            .set("code", Value::from(code.as_str()));
    }
    response
}

/// Every error carries `extensions.code`: errors raised before execution (syntax, validation)
/// and input coercion errors get theirs here; the limits set their own (`graphql::limits`).
fn with_codes(mut response: async_graphql::Response) -> async_graphql::Response {
    for e in &mut response.errors {
        let has_code = e.extensions.as_ref().is_some_and(|x| x.get("code").is_some());
        if has_code {
            continue;
        }
        let code = if e.path.is_empty() { Code::GraphqlValidationFailed } else { Code::BadUserInput };
        e.extensions
            .get_or_insert_with(ErrorExtensionValues::default)
            .set("code", Value::from(code.as_str()));
    }
    response
}

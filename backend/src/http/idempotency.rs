//! `Idempotency-Key` on `POST /graphql`: claims the key before the mutation runs, stores its
//! response, answers retries with it byte for byte. The rules are `domain::idempotency`, the
//! SQL `db::idempotency`.

use crate::AppState;
use crate::db::idempotency as db;
use crate::domain::AppError;
use crate::domain::idempotency::{self as rules, Answer, IdempotencyKey};
use async_graphql::parser::types::{DocumentOperations, OperationType};
use async_graphql_poem::GraphQLResponse;
use poem::http::{HeaderValue, StatusCode};
use poem::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// Stripe's header telling a client the response is a stored one.
const REPLAYED: &str = "idempotent-replayed";

/// Whether the request runs a mutation (what a key applies to). An unparsable query runs
/// nothing, so it is not one.
pub fn is_mutation(request: &async_graphql::Request) -> bool {
    let Ok(doc) = async_graphql::parser::parse_query(&request.query) else { return false };
    let ty = match (&doc.operations, request.operation_name.as_deref()) {
        (DocumentOperations::Single(op), _) => Some(op.node.ty),
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name).map(|op| op.node.ty),
        (DocumentOperations::Multiple(_), None) => None,
    };
    ty == Some(OperationType::Mutation)
}

/// The request as the key is bound to it: its query, operation name and variables.
fn request_hash(request: &async_graphql::Request) -> Vec<u8> {
    let canonical = serde_json::to_vec(&(&request.query, &request.operation_name, &request.variables))
        .unwrap_or_default();
    Sha256::digest(canonical).to_vec()
}

/// The names of the mutation's root fields (what decides whether its answer may be kept).
fn root_fields(request: &async_graphql::Request) -> Vec<String> {
    let Ok(doc) = async_graphql::parser::parse_query(&request.query) else { return Vec::new() };
    let op = match (&doc.operations, request.operation_name.as_deref()) {
        (DocumentOperations::Single(op), _) => Some(op),
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name),
        (DocumentOperations::Multiple(_), None) => None,
    };
    op.map(|op| {
        op.node
            .selection_set
            .node
            .items
            .iter()
            .filter_map(|s| match &s.node {
                async_graphql::parser::types::Selection::Field(f) => Some(f.node.name.node.to_string()),
                _ => None,
            })
            .collect()
    })
    .unwrap_or_default()
}

/// A key this request claimed: it runs, and its response is stored.
pub struct Claim {
    principal_id: Uuid,
    key: IdempotencyKey,
    claimed_at: chrono::DateTime<chrono::Utc>,
    request_hash: Vec<u8>,
    /// False for a mutation whose answer holds a secret shown once.
    keeps_answer: bool,
}

pub enum Begun {
    /// This request holds the key: run it.
    Run(Claim),
    /// Answered already: a stored response, or a refusal.
    Answered(Response),
}

impl Claim {
    pub async fn begin(
        state: &AppState,
        principal_id: Uuid,
        header: &HeaderValue,
        request: &async_graphql::Request,
    ) -> Result<Begun, AppError> {
        // A header that is not text is refused like any other bad key.
        let key = match IdempotencyKey::parse(header.to_str().unwrap_or("\0")) {
            Ok(key) => key,
            Err(e) => return Ok(Begun::Answered(refusal(StatusCode::BAD_REQUEST, e))),
        };
        let hash = request_hash(request);
        let now = state.clock.now();
        let claimed = db::claim(
            &state.pool,
            principal_id,
            key.as_str(),
            &hash,
            now,
            rules::expired_before(now),
            rules::abandoned_before(now, state.limits.request_timeout()),
        )
        .await?;
        if claimed {
            let fields = root_fields(request);
            let keeps_answer = rules::keeps_answer(fields.iter().map(String::as_str));
            return Ok(Begun::Run(Claim {
                principal_id,
                key,
                claimed_at: now,
                request_hash: hash,
                keeps_answer,
            }));
        }
        // Swept between the two statements: as good as running (the client retries).
        let stored = db::stored(&state.pool, principal_id, key.as_str())
            .await?
            .unwrap_or(rules::Stored { request_hash: hash.clone(), response: None });
        Ok(Begun::Answered(match rules::answer(stored, &hash) {
            Answer::Replay { status, body } => {
                let mut r = Response::builder()
                    .status(StatusCode::from_u16(status).unwrap_or(StatusCode::OK))
                    .content_type("application/json")
                    .header(poem::http::header::CACHE_CONTROL, "no-store")
                    .body(body);
                r.headers_mut().insert(REPLAYED, HeaderValue::from_static("true"));
                r
            }
            Answer::Refuse { status, message } => refusal(
                StatusCode::from_u16(status).unwrap_or(StatusCode::CONFLICT),
                AppError::refused(rules::REFUSAL_CODE, message),
            ),
        }))
    }

    /// Stores the response for retries, and returns it. A failure to store is logged: the
    /// response stands, and the key stays running until it is abandoned.
    pub async fn finish(self, state: &AppState, response: Response) -> Response {
        let (parts, body) = response.into_parts();
        let bytes = match body.into_bytes().await {
            Ok(b) => b,
            Err(e) => {
                tracing::error!(error = %e, "reading a GraphQL response for its idempotency key");
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            }
        };
        // A secret shown once is never written down: a retry learns the mutation ran.
        let (status, stored) = if self.keeps_answer {
            (parts.status.as_u16(), bytes.to_vec())
        } else {
            let refusal =
                refusal(StatusCode::CONFLICT, AppError::refused(rules::REFUSAL_CODE, rules::SECRET_NOT_KEPT));
            match refusal.into_body().into_bytes().await {
                Ok(b) => (StatusCode::CONFLICT.as_u16(), b.to_vec()),
                Err(_) => (StatusCode::CONFLICT.as_u16(), Vec::new()),
            }
        };
        if let Err(e) = db::complete(
            &state.pool,
            self.principal_id,
            self.key.as_str(),
            self.claimed_at,
            &self.request_hash,
            status,
            &stored,
        )
        .await
        {
            tracing::error!(error = %e.describe(), "storing the response of an idempotency key");
        }
        Response::from_parts(parts, poem::Body::from_bytes(bytes))
    }
}

/// Counts an answer given from a key (replayed, or refused with its status).
pub fn count_replay(operation: &'static str, status: StatusCode) {
    let outcome = if status.is_success() { "replayed" } else { "refused" };
    metrics::counter!(crate::telemetry::IDEMPOTENT_REPLAYS, "operation" => operation, "outcome" => outcome)
        .increment(1);
}

/// A GraphQL error response with the refusal's code and this HTTP status.
fn refusal(status: StatusCode, e: AppError) -> Response {
    let code = e.code();
    let message = match &e {
        AppError::Refused(r) => r.message.clone(),
        AppError::Internal(_) => e.describe(),
    };
    let body = super::graphql::coded(
        async_graphql::Response::from_errors(vec![async_graphql::ServerError::new(message, None)]),
        code,
    );
    let mut r = GraphQLResponse::from(body).into_response();
    r.set_status(status);
    r
}

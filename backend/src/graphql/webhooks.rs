//! Webhooks in the API: an organization admin's endpoints with their deliveries and attempts,
//! and the mutations that manage them. Another organization's endpoint or delivery is
//! NOT_FOUND; someone who is not its admin is FORBIDDEN.

use super::connection::{self, CountQuery, CountedConnection};
use super::context::RequestContext;
use super::error::GqlResult;
use super::feed::EventType;
use super::ids::{self, NodeType};
use crate::AppState;
use crate::db::page::time_key;
use crate::db::webhooks as db;
use crate::domain::webhook as rules;
use crate::domain::{self, AppError, Viewer};
use crate::workflows::webhooks as workflow;
use async_graphql::{Context, Enum, ID, InputObject, Json, Object, SimpleObject};
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// Where a webhook delivery stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::WebhookDeliveryStatus")]
pub enum WebhookDeliveryStatus {
    /// Waiting for its first attempt or a retry.
    Pending,
    /// A 2xx answer.
    Succeeded,
    /// Gave up (all retries used, endpoint disabled, or 410).
    Failed,
}

/// An organization's webhook endpoint: where signed events are POSTed.
pub struct WebhookEndpoint(pub db::Endpoint);

/// An organization's webhook endpoint: where signed events are POSTed.
#[Object]
impl WebhookEndpoint {
    /// The global id.
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::WebhookEndpoint, self.0.id)
    }
    /// Where events are POSTed.
    async fn url(&self) -> &str {
        &self.0.url
    }
    /// What the endpoint is for, in the admin's words.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// The event types delivered; empty means every type.
    async fn event_types(&self) -> Vec<EventType> {
        self.0
            .event_types
            .iter()
            .filter_map(|c| domain::feed::EventType::from_code(c))
            .map(Into::into)
            .collect()
    }
    /// False once disabled (by an admin, by a 410 answer, or after 5 days of failures).
    async fn enabled(&self) -> bool {
        self.0.enabled
    }
    /// Why it was disabled, in words (null while enabled).
    async fn disabled_reason(&self) -> Option<&str> {
        self.0.disabled_reason.as_deref()
    }
    /// When it was disabled (null while enabled).
    async fn disabled_at(&self) -> Option<DateTime<Utc>> {
        self.0.disabled_at
    }
    /// When it was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When the signing secret was last rotated (the old one keeps signing for 24 h after).
    async fn secret_rotated_at(&self) -> Option<DateTime<Utc>> {
        self.0.secret_rotated_at
    }
    /// Deliveries, newest first.
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity")]
    async fn deliveries(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 1 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "The endCursor of the previous page.")] after: Option<String>,
    ) -> GqlResult<CountedConnection<WebhookDelivery>> {
        let request = connection::page_request(first, after)?;
        let pool = &ctx.state().pool;
        let page = db::deliveries_page(pool, self.0.id, &request).await?;
        // The page's attempts in one statement, not one per delivery.
        let ids: Vec<Uuid> = page.items.iter().map(|d| d.id).collect();
        let attempts = db::attempts_of(pool, &ids).await?;
        let endpoint = self.0.id;
        Ok(connection::build(
            page,
            &request,
            CountQuery::deferred(move |pool| async move { db::deliveries_count(&pool, endpoint).await }),
            |d| (time_key(d.created_at), d.id),
            |d| {
                let a = attempts.get(&d.id).cloned().unwrap_or_default();
                WebhookDelivery(d, Some(a))
            },
        ))
    }
}

/// One event sent (or to be sent) to one endpoint, with its attempts.
/// A delivery, with its attempts when its page read them already.
pub struct WebhookDelivery(pub db::Delivery, pub Option<Vec<db::Attempt>>);

/// One event sent (or to be sent) to one endpoint, with its attempts.
#[Object]
impl WebhookDelivery {
    /// The global id.
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::WebhookDelivery, self.0.id)
    }
    /// The event type's code, e.g. `invitation.accepted`, or `webhook.test`.
    async fn event_type(&self) -> &str {
        &self.0.event_type
    }
    /// The `webhook-id` header: the same for every attempt of this delivery.
    async fn message_id(&self) -> &str {
        &self.0.message_id
    }
    /// Where the delivery stands.
    async fn status(&self) -> WebhookDeliveryStatus {
        self.0.status.into()
    }
    /// Attempts made so far.
    async fn attempt_count(&self) -> i32 {
        self.0.attempt_count
    }
    /// The HTTP status of the last attempt (null before the first, or when no answer came).
    async fn last_response_status(&self) -> Option<i32> {
        self.0.last_response_status
    }
    /// How long the last attempt took, in milliseconds.
    async fn last_latency_ms(&self) -> Option<i32> {
        self.0.last_latency_ms
    }
    /// When the next attempt is due (null when none is).
    async fn next_attempt_at(&self) -> Option<DateTime<Utc>> {
        if self.0.status == domain::WebhookDeliveryStatus::Pending { self.0.next_attempt_at } else { None }
    }
    /// When it was queued.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When a 2xx answer came (null until then).
    async fn delivered_at(&self) -> Option<DateTime<Utc>> {
        self.0.delivered_at
    }
    /// The JSON body sent.
    async fn payload(&self) -> Json<serde_json::Value> {
        Json(self.0.payload.clone())
    }
    /// Every attempt, oldest first.
    async fn attempts(&self, ctx: &Context<'_>) -> GqlResult<Vec<WebhookAttempt>> {
        let attempts = match &self.1 {
            Some(read) => read.clone(),
            None => db::attempts(&ctx.state().pool, self.0.id).await?,
        };
        Ok(attempts.into_iter().map(WebhookAttempt).collect())
    }
}

/// One POST of a delivery and what came of it.
pub struct WebhookAttempt(db::Attempt);

/// One POST of a delivery and what came of it.
#[Object]
impl WebhookAttempt {
    /// When it was made.
    async fn attempted_at(&self) -> DateTime<Utc> {
        self.0.attempted_at
    }
    /// The HTTP status answered, null when no answer came (timeout, refused, blocked address).
    async fn response_status(&self) -> Option<i32> {
        self.0.response_status
    }
    /// How long it took, in milliseconds.
    async fn latency_ms(&self) -> i32 {
        self.0.latency_ms
    }
    /// What went wrong, in words (null on success).
    async fn error(&self) -> Option<&str> {
        self.0.error.as_deref()
    }
}

/// The viewer's organization's endpoint by id, for its admin; NOT_FOUND for anyone else's.
pub(crate) async fn visible_endpoint(ctx: &Context<'_>, id: Uuid) -> GqlResult<WebhookEndpoint> {
    let viewer = ctx.viewer()?;
    let e = db::endpoint_by_id(&ctx.state().pool, id)
        .await?
        .filter(|e| may_see(viewer, e.organization_id))
        .ok_or_else(|| AppError::not_found("webhook endpoint"))?;
    Ok(WebhookEndpoint(e))
}

/// The viewer's organization's delivery by id, for its admin; NOT_FOUND for anyone else's.
pub(crate) async fn visible_delivery(ctx: &Context<'_>, id: Uuid) -> GqlResult<WebhookDelivery> {
    let viewer = ctx.viewer()?;
    let d = db::delivery_by_id(&ctx.state().pool, id)
        .await?
        .filter(|d| may_see(viewer, d.organization_id))
        .ok_or_else(|| AppError::not_found("webhook delivery"))?;
    Ok(WebhookDelivery(d, None))
}

fn may_see(viewer: &Viewer, organization_id: Uuid) -> bool {
    organization_id == viewer.organization_id && rules::ensure_may_read(viewer).is_ok()
}

#[derive(Default)]
pub struct WebhooksQuery;

#[Object]
impl WebhooksQuery {
    /// The viewer's organization's endpoints (its admin only: FORBIDDEN otherwise), oldest first.
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity")]
    async fn webhook_endpoints(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 1 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "The endCursor of the previous page.")] after: Option<String>,
    ) -> GqlResult<CountedConnection<WebhookEndpoint>> {
        let viewer = ctx.viewer()?;
        rules::ensure_may_read(viewer)?;
        let org = viewer.organization_id;
        let request = connection::page_request(first, after)?;
        let page = db::endpoints_page(&ctx.state().pool, org, &request).await?;
        Ok(connection::build(
            page,
            &request,
            CountQuery::deferred(move |pool| async move { db::endpoints_count(&pool, org).await }),
            |e| (time_key(e.created_at), e.id),
            WebhookEndpoint,
        ))
    }
}

/// A new endpoint.
#[derive(InputObject)]
pub struct CreateWebhookEndpointInput {
    /// Where to POST events: `https://` (and not to a loopback, private or link-local address).
    pub url: String,
    /// The event types to deliver; absent or empty means every type.
    pub event_types: Option<Vec<EventType>>,
    /// What the endpoint is for (at most 500 characters).
    pub description: Option<String>,
}

/// The endpoint created, with its secret.
#[derive(SimpleObject)]
pub struct CreateWebhookEndpointPayload {
    /// The new endpoint.
    pub endpoint: WebhookEndpoint,
    /// The signing secret (`whsec_` + base64), shown this once.
    pub secret: String,
}

/// Changes to an endpoint; absent fields stay as they are.
#[derive(InputObject)]
pub struct UpdateWebhookEndpointInput {
    /// The endpoint's id.
    pub id: ID,
    /// A new URL (checked like a new endpoint's).
    pub url: Option<String>,
    /// The event types to deliver; empty means every type.
    pub event_types: Option<Vec<EventType>>,
    /// A new description; empty removes it.
    pub description: Option<String>,
    /// False disables the endpoint (its pending deliveries fail); true enables it again.
    pub enabled: Option<bool>,
}

/// The endpoint with its new secret.
#[derive(SimpleObject)]
pub struct RotateWebhookSecretPayload {
    /// The endpoint.
    pub endpoint: WebhookEndpoint,
    /// The new signing secret, shown this once; the old one keeps signing for 24 hours.
    pub secret: String,
}

/// What each mutation on one endpoint or delivery starts with: the writing viewer (checked
/// first) and the node's id decoded.
fn target<'c>(ctx: &'c Context<'_>, id: &ID, node: NodeType) -> GqlResult<(&'c AppState, &'c Viewer, Uuid)> {
    let viewer = ctx.writer()?;
    Ok((ctx.state(), viewer, ids::decode(id, &[node])?))
}

#[derive(Default)]
pub struct WebhooksMutation;

#[Object]
impl WebhooksMutation {
    /// Add a webhook endpoint to your organization (its admin); answers the secret once.
    async fn create_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new endpoint.")] input: CreateWebhookEndpointInput,
    ) -> GqlResult<CreateWebhookEndpointPayload> {
        let viewer = ctx.writer()?;
        let new = workflow::NewEndpoint {
            url: input.url,
            event_types: input.event_types.unwrap_or_default().into_iter().map(Into::into).collect(),
            description: input.description,
        };
        let (id, secret) = workflow::create(ctx.state(), viewer, new).await?;
        Ok(CreateWebhookEndpointPayload { endpoint: visible_endpoint(ctx, id).await?, secret })
    }

    /// Change an endpoint's URL, event types or description, or disable or enable it.
    async fn update_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The changes.")] input: UpdateWebhookEndpointInput,
    ) -> GqlResult<WebhookEndpoint> {
        let (state, viewer, id) = target(ctx, &input.id, NodeType::WebhookEndpoint)?;
        let change = workflow::EndpointChange {
            id,
            url: input.url,
            event_types: input.event_types.map(|t| t.into_iter().map(Into::into).collect()),
            description: input.description,
            enabled: input.enabled,
        };
        let id = workflow::update(state, viewer, change).await?;
        visible_endpoint(ctx, id).await
    }

    /// Answers the deleted endpoint's id.
    async fn delete_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The endpoint's id.")] id: ID,
    ) -> GqlResult<ID> {
        let (state, viewer, uuid) = target(ctx, &id, NodeType::WebhookEndpoint)?;
        workflow::delete(state, viewer, uuid).await?;
        Ok(ids::encode(NodeType::WebhookEndpoint, uuid))
    }

    /// A new signing secret, answered once; the old one keeps signing for 24 hours.
    async fn rotate_webhook_secret(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The endpoint's id.")] id: ID,
    ) -> GqlResult<RotateWebhookSecretPayload> {
        let (state, viewer, uuid) = target(ctx, &id, NodeType::WebhookEndpoint)?;
        let secret = workflow::rotate_secret(state, viewer, uuid).await?;
        Ok(RotateWebhookSecretPayload { endpoint: visible_endpoint(ctx, uuid).await?, secret })
    }

    /// Queues a `webhook.test` delivery to the endpoint now (at most 10 per endpoint per hour,
    /// RATE_LIMITED beyond).
    async fn send_test_webhook(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The endpoint's id.")] id: ID,
    ) -> GqlResult<WebhookDelivery> {
        let (state, viewer, uuid) = target(ctx, &id, NodeType::WebhookEndpoint)?;
        let delivery = workflow::send_test(state, viewer, uuid).await?;
        visible_delivery(ctx, delivery).await
    }

    /// Queues another attempt of a finished delivery (SUCCEEDED or FAILED) now; a PENDING one is
    /// CONFLICT. At most 60 per endpoint per hour, RATE_LIMITED beyond.
    async fn redeliver_webhook(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The delivery's id.")] delivery_id: ID,
    ) -> GqlResult<WebhookDelivery> {
        let (state, viewer, uuid) = target(ctx, &delivery_id, NodeType::WebhookDelivery)?;
        workflow::redeliver(state, viewer, uuid).await?;
        visible_delivery(ctx, uuid).await
    }
}

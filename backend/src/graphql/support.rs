//! Support requests in the API.

use super::connection::{self, CountQuery, CountedConnection};
use super::context::RequestContext;
use super::error::GqlResult;
use super::ids::{self, NodeType};
use super::loaders::Loaders;
use super::organizations::{Customer, Partner};
use super::subscriptions::{Subscription, visible_subscription};
use crate::db::support as db;
use crate::domain::AppError;
use crate::domain::support::SupportStatus;
use crate::workflows::support as workflows;
use async_graphql::{Context, Enum, ID, InputObject, Json, Object, SimpleObject};
use chrono::{DateTime, Utc};

/// Where a support request stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum SupportRequestStatus {
    /// Opened, not yet picked up.
    Open,
    /// Being worked.
    InProgress,
    /// Handed to the operator.
    Escalated,
    /// Done.
    Resolved,
}

impl From<SupportRequestStatus> for SupportStatus {
    fn from(s: SupportRequestStatus) -> Self {
        match s {
            SupportRequestStatus::Open => SupportStatus::Open,
            SupportRequestStatus::InProgress => SupportStatus::InProgress,
            SupportRequestStatus::Escalated => SupportStatus::Escalated,
            SupportRequestStatus::Resolved => SupportStatus::Resolved,
        }
    }
}

/// A support request on a subscription.
pub struct SupportRequest(pub db::SupportRequest);

/// A request for help with a subscription, worked by its support partner (or the operator).
#[Object]
impl SupportRequest {
    /// The global id.
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::SupportRequest, self.0.support_request_id)
    }
    /// The subscription.
    async fn subscription(&self, ctx: &Context<'_>) -> GqlResult<Option<Subscription>> {
        Ok(visible_subscription(ctx, self.0.subscription_id).await.ok().map(Subscription))
    }
    /// The customer.
    async fn customer(&self, ctx: &Context<'_>) -> GqlResult<Customer> {
        let org = ctx.data_unchecked::<Loaders>().organizations.load_one(self.0.customer_id).await?;
        Ok(Customer(org.ok_or_else(|| AppError::not_found("customer"))?))
    }
    /// The partner working it; null when the operator does.
    async fn support_partner(&self, ctx: &Context<'_>) -> GqlResult<Option<Partner>> {
        let Some(id) = self.0.support_partner_id else { return Ok(None) };
        Ok(ctx.data_unchecked::<Loaders>().organizations.load_one(id).await?.map(Partner))
    }
    /// Short summary.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// The problem, in detail.
    async fn description(&self) -> &str {
        &self.0.description
    }
    /// OPEN, IN_PROGRESS, ESCALATED or RESOLVED.
    async fn status(&self) -> &str {
        self.0.status.as_str()
    }
    /// Comments, oldest first: body, at, by.
    async fn comments(&self) -> Json<serde_json::Value> {
        Json(self.0.comments.clone())
    }
    /// When it was opened.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it was escalated to the operator.
    async fn escalated_at(&self) -> Option<DateTime<Utc>> {
        self.0.escalated_at
    }
    /// When it was resolved.
    async fn resolved_at(&self) -> Option<DateTime<Utc>> {
        self.0.resolved_at
    }
}

#[derive(Default)]
pub struct SupportQuery;

#[Object]
impl SupportQuery {
    /// Support requests the viewer takes part in (all, for the operator), newest first.
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity")]
    async fn support_requests(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only those in this status.")] status: Option<SupportRequestStatus>,
        #[graphql(desc = "Part of the title, ignoring case (at most 100 characters).")] search: Option<
            String,
        >,
        #[graphql(desc = "Page size, 1 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "The endCursor of the previous page.")] after: Option<String>,
    ) -> GqlResult<CountedConnection<SupportRequest>> {
        let scope = ctx.scope()?;
        let now = ctx.now();
        let request = connection::page_request(first, after)?;
        let status = status.map(|s| SupportStatus::from(s).as_str());
        if search.as_deref().is_some_and(|s| s.chars().count() > 100 || s.contains('\0')) {
            return Err(AppError::bad_input("the search must be at most 100 characters, without NUL").into());
        }
        let page = db::page(&ctx.state().pool, scope, status, search.as_deref(), &request, now).await?;
        Ok(connection::build(
            page,
            &request,
            CountQuery::deferred(move |pool| {
                let search = search.clone();
                async move { db::count(&pool, scope, status, search.as_deref(), now).await }
            }),
            |r| (crate::db::page::time_key(r.created_at), r.support_request_id),
            SupportRequest,
        ))
    }
}

/// A support request by id, if the viewer may see it (the same rule as the list).
pub async fn visible_support_request(ctx: &Context<'_>, id: uuid::Uuid) -> GqlResult<Option<SupportRequest>> {
    Ok(db::visible_by_id(&ctx.state().pool, ctx.scope()?, id, ctx.now()).await?.map(SupportRequest))
}

/// Open a support request.
#[derive(InputObject)]
pub struct OpenSupportRequestInput {
    /// The subscription.
    pub subscription_id: ID,
    /// Short summary (1 to 200 characters).
    pub title: String,
    /// The problem, in detail.
    #[graphql(default)]
    pub description: String,
}

/// Work a support request.
#[derive(InputObject)]
pub struct UpdateSupportRequestInput {
    /// The request.
    pub id: ID,
    /// The new status.
    pub status: Option<SupportRequestStatus>,
    /// A comment to add.
    pub comment: Option<String>,
}

/// Hand a request to the operator.
#[derive(InputObject)]
pub struct EscalateSupportRequestInput {
    /// The request.
    pub id: ID,
    /// Why.
    pub comment: Option<String>,
}

/// The request after a change.
#[derive(SimpleObject)]
pub struct SupportRequestPayload {
    /// The request as it is now.
    pub support_request: SupportRequest,
}

fn parse_id(id: &ID) -> GqlResult<uuid::Uuid> {
    Ok(ids::decode(id, &[NodeType::SupportRequest])?)
}

async fn reload(ctx: &Context<'_>, id: uuid::Uuid) -> GqlResult<SupportRequestPayload> {
    let r = db::by_id(&ctx.state().pool, id, false)
        .await?
        .ok_or_else(|| AppError::not_found("support request"))?;
    Ok(SupportRequestPayload { support_request: SupportRequest(r) })
}

#[derive(Default)]
pub struct SupportMutation;

#[Object]
impl SupportMutation {
    /// The customer's global admin, or a partner holding SUPPORT for the service, opens a request.
    async fn open_support_request(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Open a support request.")] input: OpenSupportRequestInput,
    ) -> GqlResult<SupportRequestPayload> {
        let viewer = ctx.writer()?;
        let sub = ids::decode(&input.subscription_id, &[NodeType::Subscription])?;
        let id = workflows::open(ctx.state(), viewer, sub, &input.title, &input.description).await?;
        reload(ctx, id).await
    }
    /// Change the status and/or add a comment.
    async fn update_support_request(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Work a support request.")] input: UpdateSupportRequestInput,
    ) -> GqlResult<SupportRequestPayload> {
        let viewer = ctx.writer()?;
        let id = parse_id(&input.id)?;
        workflows::update(ctx.state(), viewer, id, input.status.map(Into::into), input.comment.as_deref())
            .await?;
        reload(ctx, id).await
    }
    /// Escalate to the operator.
    async fn escalate_support_request(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Hand a request to the operator.")] input: EscalateSupportRequestInput,
    ) -> GqlResult<SupportRequestPayload> {
        let viewer = ctx.writer()?;
        let id = parse_id(&input.id)?;
        workflows::update(ctx.state(), viewer, id, Some(SupportStatus::Escalated), input.comment.as_deref())
            .await?;
        reload(ctx, id).await
    }
}

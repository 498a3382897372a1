//! Provider–reseller partnerships in the API.

use super::connection::{self, CountQuery, CountedConnection};
use super::context::RequestContext;
use super::enums::{OrderDirection, PartnershipStatus};
use super::error::GqlResult;
use super::ids::{self, NodeType};
use super::loaders::Loaders;
use super::organizations::Partner;
use crate::db::relationships as db;
use crate::domain::AppError;
use crate::workflows::partnerships as workflows;
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};

/// An indirect provider's partnership with one of its indirect resellers.
pub struct ResellerPartnership(pub db::Partnership);

/// A partnership between an indirect provider and an indirect reseller.
#[Object]
impl ResellerPartnership {
    /// The global id.
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::ResellerPartnership, self.0.partnership_id)
    }
    /// The indirect provider.
    async fn provider(&self, ctx: &Context<'_>) -> GqlResult<Partner> {
        let org = ctx.data_unchecked::<Loaders>().organizations.load_one(self.0.provider_id).await?;
        Ok(Partner(org.ok_or_else(|| AppError::not_found("partner"))?))
    }
    /// The indirect reseller, once it accepted.
    async fn reseller(&self, ctx: &Context<'_>) -> GqlResult<Option<Partner>> {
        let Some(id) = self.0.reseller_id else { return Ok(None) };
        Ok(ctx.data_unchecked::<Loaders>().organizations.load_one(id).await?.map(Partner))
    }
    /// The code of the link the provider sends (shown to the provider while pending).
    async fn code(&self, ctx: &Context<'_>) -> Option<String> {
        let mine = ctx.viewer().ok().and_then(|v| v.partner_id()) == Some(self.0.provider_id);
        (mine && self.0.status_at(ctx.now()) == crate::domain::PartnershipStatus::Pending)
            .then(|| self.0.code.clone())
    }
    /// The link to send to the reseller, while pending.
    async fn url(&self, ctx: &Context<'_>) -> Option<String> {
        let mine = ctx.viewer().ok().and_then(|v| v.partner_id()) == Some(self.0.provider_id);
        (mine && self.0.status_at(ctx.now()) == crate::domain::PartnershipStatus::Pending)
            .then(|| format!("{}/partnerships/{}", ctx.state().public_url, self.0.code))
    }
    /// PENDING, ACTIVE, REMOVED or EXPIRED (a link nobody accepted within 30 days).
    async fn status(&self, ctx: &Context<'_>) -> String {
        self.0.status_at(ctx.now()).as_str().to_owned()
    }
    /// When a pending link stops working.
    async fn expires_at(&self) -> DateTime<Utc> {
        self.0.expires_at
    }
    /// When the provider created the link.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When the reseller accepted.
    async fn accepted_at(&self) -> Option<DateTime<Utc>> {
        self.0.accepted_at
    }
    /// When either side removed it.
    async fn removed_at(&self) -> Option<DateTime<Utc>> {
        self.0.removed_at
    }
    /// What the signed-in user may do to this partnership, and why not where it may not.
    #[graphql(complexity = "super::permissions::READS_COST + child_complexity")]
    async fn viewer_can(&self, ctx: &Context<'_>) -> GqlResult<super::permissions::PartnershipPermissions> {
        super::permissions::partnership(ctx, &self.0).await
    }
}

#[derive(Default)]
pub struct PartnershipsQuery;

#[Object]
impl PartnershipsQuery {
    /// The viewer's provider–reseller partnerships (all, for the operator): by default active
    /// ones first, then links still waiting, then ended ones, newest first within each.
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity")]
    async fn partnerships(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list.")] filter: Option<PartnershipFilter>,
        #[graphql(desc = "The order (default: by status, active first).")] order_by: Option<PartnershipOrder>,
        #[graphql(desc = "Page size, 1 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "The endCursor of the previous page (of the same order).")] after: Option<String>,
    ) -> GqlResult<CountedConnection<ResellerPartnership>> {
        let viewer = ctx.viewer()?;
        let request = connection::page_request(first, after)?;
        if viewer.customer_id().is_some() {
            return Ok(connection::empty());
        }
        let party = viewer.party();
        let now = ctx.now();
        let filter = db::PartnershipFilter { status: filter.and_then(|f| f.status).map(Into::into) };
        let order = order_by.unwrap_or(PartnershipOrder {
            field: PartnershipOrderField::Status,
            direction: OrderDirection::Asc,
        });
        let field = match order.field {
            PartnershipOrderField::Status => db::PartnershipOrder::Status,
            PartnershipOrderField::CreatedAt => db::PartnershipOrder::CreatedAt,
        };
        let page = db::partnerships_page(
            &ctx.state().pool,
            party,
            &filter,
            (field, order.direction.descending()),
            &request,
            now,
        )
        .await?;
        Ok(connection::build(
            page,
            &request,
            CountQuery::deferred(move |pool| {
                let filter = filter.clone();
                async move { db::partnerships_count(&pool, party, &filter, now).await }
            }),
            |p| (db::partnership_cursor_key(p, field, now), p.partnership_id),
            ResellerPartnership,
        ))
    }
}

/// Narrows the partnerships list.
#[derive(InputObject, Default)]
pub struct PartnershipFilter {
    /// Only partnerships in this status now (a pending link past its expiry reads EXPIRED).
    pub status: Option<PartnershipStatus>,
}

/// What the partnerships list is ordered by.
#[derive(async_graphql::Enum, Copy, Clone, Eq, PartialEq)]
pub enum PartnershipOrderField {
    /// Active first, then pending links, then removed or expired ones (ASC); newest first
    /// within each.
    Status,
    /// When the link was created.
    CreatedAt,
}

/// The order of the partnerships list.
#[derive(InputObject, Clone, Copy)]
pub struct PartnershipOrder {
    /// The column.
    pub field: PartnershipOrderField,
    /// Which way.
    #[graphql(default)]
    pub direction: OrderDirection,
}

/// A partnership by id, if the viewer may see it (the same rule as the list: its two parties
/// and the operator).
pub async fn visible_partnership(
    ctx: &Context<'_>,
    id: uuid::Uuid,
) -> GqlResult<Option<ResellerPartnership>> {
    let viewer = ctx.viewer()?;
    let found = db::partnership_by_id(&ctx.state().pool, id, false).await?;
    Ok(found.filter(|p| viewer.is_operator() || workflows::is_party(viewer, p)).map(ResellerPartnership))
}

/// Accept a partnership link.
#[derive(InputObject)]
pub struct AcceptResellerPartnershipInput {
    /// The code from the provider's link.
    pub code: String,
}

/// Remove a partnership.
#[derive(InputObject)]
pub struct RemoveResellerPartnershipInput {
    /// The partnership.
    pub id: ID,
}

/// The partnership after a change.
#[derive(SimpleObject)]
pub struct ResellerPartnershipPayload {
    /// The partnership.
    pub partnership: ResellerPartnership,
}

async fn reload(ctx: &Context<'_>, id: uuid::Uuid) -> GqlResult<ResellerPartnershipPayload> {
    let p = db::partnership_by_id(&ctx.state().pool, id, false)
        .await?
        .ok_or_else(|| AppError::not_found("partnership"))?;
    Ok(ResellerPartnershipPayload { partnership: ResellerPartnership(p) })
}

#[derive(Default)]
pub struct PartnershipsMutation;

#[Object]
impl PartnershipsMutation {
    /// An indirect provider's admin agent creates a partnership link for a reseller.
    async fn invite_partner_reseller(&self, ctx: &Context<'_>) -> GqlResult<ResellerPartnershipPayload> {
        let viewer = ctx.writer()?;
        let id = workflows::invite(ctx.state(), viewer).await?;
        reload(ctx, id).await
    }
    /// An indirect reseller's admin agent accepts a provider's link.
    async fn accept_reseller_partnership(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Accept a partnership link.")] input: AcceptResellerPartnershipInput,
    ) -> GqlResult<ResellerPartnershipPayload> {
        let viewer = ctx.writer()?;
        let id = workflows::accept(ctx.state(), viewer, &input.code).await?;
        reload(ctx, id).await
    }
    /// Either side removes the partnership; existing customers and delegated rights stay.
    async fn remove_reseller_partnership(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Remove a partnership.")] input: RemoveResellerPartnershipInput,
    ) -> GqlResult<ResellerPartnershipPayload> {
        let viewer = ctx.writer()?;
        let id = ids::decode(&input.id, &[NodeType::ResellerPartnership])?;
        workflows::remove(ctx.state(), viewer, id).await?;
        reload(ctx, id).await
    }
}

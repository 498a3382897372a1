//! The Relay `Node` interface: any object by its global id, under the same visibility rules.

use super::catalog::{Offer, Service};
use super::context::RequestContext;
use super::delegated_admin::DelegatedAdminRelationship;
use super::error::GqlResult;
use super::ids::{self, NodeType};
use super::invitations::Invitation;
use super::loaders::Loaders;
use super::organizations::{Customer, Operator, Partner, visible_organization};
use super::partnerships::{ResellerPartnership, visible_partnership};
use super::relationships::ResellerRelationship;
use super::subscriptions::{Subscription, visible_subscription};
use super::support::{SupportRequest, visible_support_request};
use super::viewer::{ApiToken, User};
use super::webhooks::{WebhookDelivery, WebhookEndpoint, visible_delivery, visible_endpoint};
use crate::db::users;
use crate::domain::{AppError, access};
use async_graphql::{Context, ID, Interface, Object};

/// An object with a global id.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "The global id."))]
pub enum Node {
    Operator(Operator),
    Partner(Partner),
    Customer(Customer),
    User(User),
    Subscription(Subscription),
    Service(Service),
    Offer(Offer),
    ApiToken(ApiToken),
    DelegatedAdminRelationship(DelegatedAdminRelationship),
    Invitation(Invitation),
    ResellerRelationship(ResellerRelationship),
    ResellerPartnership(ResellerPartnership),
    SupportRequest(SupportRequest),
    WebhookEndpoint(WebhookEndpoint),
    WebhookDelivery(WebhookDelivery),
    BulkOperation(super::bulk::BulkOperation),
}

/// At most this many ids in one `nodes` call, like a page.
pub const MAX_NODES: usize = crate::db::page::MAX_PAGE as usize;

#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// Any object by its global id; null, with a NOT_FOUND error, when it does not exist or the
    /// viewer may not see it (as the Relay server specification has it).
    async fn node(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A global id.")] id: ID,
    ) -> GqlResult<Option<Node>> {
        resolve(ctx, &id).await.map(Some)
    }

    /// Several objects by their global ids (at most 100), in the order asked; each one that
    /// does not exist or is hidden is null, with its own NOT_FOUND error whose path ends in its
    /// index.
    #[graphql(complexity = "ids.len().max(1) * child_complexity")]
    async fn nodes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ids, at most 100.")] ids: Vec<ID>,
    ) -> GqlResult<Vec<Option<GqlResult<Node>>>> {
        ctx.viewer()?;
        if ids.len() > MAX_NODES {
            return Err(AppError::bad_input(format!("ask for at most {MAX_NODES} ids at once")).into());
        }
        Ok(futures_util::future::join_all(ids.iter().map(|id| resolve(ctx, id)))
            .await
            .into_iter()
            .map(Some)
            .collect())
    }
}

/// One object by global id under the viewer's visibility; NOT_FOUND when missing or hidden.
pub(crate) async fn resolve(ctx: &Context<'_>, id: &ID) -> GqlResult<Node> {
    let viewer = ctx.viewer()?;
    let (t, uuid) = ids::decode_any(id)?;
    let not_found = || AppError::not_found("node");
    let loaders = ctx.data_unchecked::<Loaders>();
    Ok(match t {
        NodeType::Operator | NodeType::Partner | NodeType::Customer => {
            let org = visible_organization(ctx, uuid).await?;
            let expected = match t {
                NodeType::Operator => crate::domain::OrganizationKind::Operator,
                NodeType::Partner => crate::domain::OrganizationKind::Partner,
                _ => crate::domain::OrganizationKind::Customer,
            };
            if org.kind != expected {
                return Err(not_found().into());
            }
            match org.kind {
                crate::domain::OrganizationKind::Operator => Node::Operator(Operator(org)),
                crate::domain::OrganizationKind::Partner => Node::Partner(Partner(org)),
                crate::domain::OrganizationKind::Customer => Node::Customer(Customer(org)),
            }
        }
        NodeType::Subscription => Node::Subscription(Subscription(visible_subscription(ctx, uuid).await?)),
        NodeType::Service => {
            Node::Service(Service(loaders.services.load_one(uuid).await?.ok_or_else(not_found)?))
        }
        NodeType::Offer => Node::Offer(Offer(loaders.offers.load_one(uuid).await?.ok_or_else(not_found)?)),
        NodeType::User => {
            // People are visible within their own organization, and to the operator.
            let user = users::by_id(&ctx.state().pool, uuid)
                .await?
                .filter(|u| viewer.is_operator() || u.organization_id == viewer.organization_id)
                .ok_or_else(not_found)?;
            Node::User(User(user))
        }
        NodeType::ApiToken => {
            let token = users::api_tokens(&ctx.state().pool, viewer.user_id)
                .await?
                .into_iter()
                .find(|t| t.token_id == uuid)
                .ok_or_else(not_found)?;
            Node::ApiToken(ApiToken(token))
        }
        NodeType::DelegatedAdminRelationship => {
            let r = crate::db::delegated_admin::by_id(&ctx.state().pool, uuid)
                .await?
                .filter(|r| {
                    let draft = r.stored.status == crate::domain::DelegatedAdminStatus::Created;
                    access::may_see_delegated_admin(viewer, r.stored.partner_id, r.stored.customer_id, draft)
                })
                .ok_or_else(not_found)?;
            Node::DelegatedAdminRelationship(DelegatedAdminRelationship(r))
        }
        NodeType::Invitation => {
            let i = crate::db::invitations::visible_by_id(&ctx.state().pool, viewer.party(), uuid, ctx.now())
                .await?
                .filter(|_| access::reads_records(viewer))
                .ok_or_else(not_found)?;
            Node::Invitation(Invitation(i))
        }
        NodeType::ResellerRelationship => {
            let r = crate::db::relationships::by_id(&ctx.state().pool, uuid)
                .await?
                .filter(|r| access::may_see_reseller_relationship(viewer, r.partner_id, r.customer_id))
                .ok_or_else(not_found)?;
            Node::ResellerRelationship(ResellerRelationship(r))
        }
        NodeType::ResellerPartnership => {
            Node::ResellerPartnership(visible_partnership(ctx, uuid).await?.ok_or_else(not_found)?)
        }
        NodeType::SupportRequest => {
            Node::SupportRequest(visible_support_request(ctx, uuid).await?.ok_or_else(not_found)?)
        }
        NodeType::WebhookEndpoint => Node::WebhookEndpoint(visible_endpoint(ctx, uuid).await?),
        NodeType::WebhookDelivery => Node::WebhookDelivery(visible_delivery(ctx, uuid).await?),
        NodeType::BulkOperation => Node::BulkOperation(super::bulk::visible_bulk_operation(ctx, uuid).await?),
    })
}

//! Reading subscriptions: the filter, the `subscriptions` page and `subscription` by id.

use super::Subscription;
use crate::db::subscriptions as db;
use crate::domain::AppError;
use crate::graphql::connection::{CountQuery, CountedConnection};
use crate::graphql::context::RequestContext;
use crate::graphql::error::GqlResult;
use crate::graphql::ids::NodeType;
use crate::graphql::loaders::Loaders;
use crate::graphql::{connection, enums, ids};
use async_graphql::{Context, ID, InputObject, Object};

/// Narrows the subscriptions list. All given conditions must hold.
#[derive(InputObject, Default)]
pub struct SubscriptionFilter {
    /// Only this customer's.
    pub customer_id: Option<ID>,
    /// Only those bought through this channel.
    pub channel: Option<enums::PurchaseChannel>,
    /// Only those in this status.
    pub status: Option<enums::SubscriptionStatus>,
    /// Only those of this service.
    pub service_id: Option<ID>,
    /// With `stage`: those where this partner serves the stage. Alone: those where it plays any
    /// part (partner of record, indirect reseller, provisioning or support partner).
    pub partner_id: Option<ID>,
    /// Alone: those whose stage is served by someone other than the partner of record (the
    /// multi-channel ones).
    pub stage: Option<enums::LifecycleStage>,
    /// Part of the friendly name, ignoring case (at most 100 characters).
    pub search: Option<String>,
}

/// What the subscriptions list is ordered by.
#[derive(async_graphql::Enum, Copy, Clone, Eq, PartialEq)]
pub enum SubscriptionOrderField {
    /// The friendly name.
    Name,
    /// The number of licences bought.
    Quantity,
    /// When it was ordered.
    CreatedAt,
}

/// The order of the subscriptions list.
#[derive(InputObject, Clone, Copy)]
pub struct SubscriptionOrder {
    /// The column.
    pub field: SubscriptionOrderField,
    /// Which way.
    #[graphql(default)]
    pub direction: enums::OrderDirection,
}

impl SubscriptionOrder {
    fn into_db(self) -> (db::SubscriptionOrder, bool) {
        let field = match self.field {
            SubscriptionOrderField::Name => db::SubscriptionOrder::Name,
            SubscriptionOrderField::Quantity => db::SubscriptionOrder::Quantity,
            SubscriptionOrderField::CreatedAt => db::SubscriptionOrder::CreatedAt,
        };
        (field, self.direction.descending())
    }
}

impl SubscriptionFilter {
    fn into_db(self) -> GqlResult<db::SubscriptionFilter> {
        Ok(db::SubscriptionFilter {
            customer_id: ids::decode_opt(self.customer_id.as_ref(), &[NodeType::Customer])?,
            channel: self.channel.map(Into::into),
            status: self.status.map(Into::into),
            service_id: ids::decode_opt(self.service_id.as_ref(), &[NodeType::Service])?,
            partner_id: ids::decode_opt(self.partner_id.as_ref(), &[NodeType::Partner])?,
            stage: self.stage.map(Into::into),
            search: match self.search {
                Some(s) if s.chars().count() > 100 || s.contains('\0') => {
                    return Err(AppError::bad_input(
                        "the search must be at most 100 characters, without NUL",
                    )
                    .into());
                }
                other => other,
            },
        })
    }
}

#[derive(Default)]
pub struct SubscriptionsQuery;

#[Object]
impl SubscriptionsQuery {
    /// The subscriptions the viewer may see, from every channel, by name unless `orderBy` says. The operator sees
    /// all; a partner those it transacts, resells, or holds delegated rights for; a customer's
    /// global or billing admin its own.
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity")]
    async fn subscriptions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list; all conditions must hold.")] filter: Option<SubscriptionFilter>,
        #[graphql(desc = "The order (default: by name, A first).")] order_by: Option<SubscriptionOrder>,
        #[graphql(desc = "Page size, 1 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "The endCursor of the previous page (of the same order).")] after: Option<String>,
    ) -> GqlResult<CountedConnection<Subscription>> {
        let scope = ctx.scope()?;
        let now = ctx.now();
        let request = connection::page_request(first, after)?;
        let filter = filter.unwrap_or_default().into_db()?;
        let order = order_by.map(SubscriptionOrder::into_db).unwrap_or_default();
        let page = db::page(&ctx.state().pool, scope, &filter, &request, order, now).await?;
        let items: Vec<&db::Subscription> = page.items.iter().collect();
        let node = ctx.look_ahead().field("edges").field("node");
        crate::graphql::prefetch::for_subscriptions(ctx.data_unchecked::<Loaders>(), node, &items).await?;
        Ok(connection::build(
            page,
            &request,
            CountQuery::Subscriptions { scope, filter, now },
            |s| (order.0.cursor_key(s), s.id),
            Subscription,
        ))
    }

    /// One subscription by id, if the viewer may see it (else NOT_FOUND).
    async fn subscription(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The subscription's global id.")] id: ID,
    ) -> GqlResult<Subscription> {
        let uuid = ids::decode(&id, &[NodeType::Subscription])?;
        Ok(Subscription(visible_subscription(ctx, uuid).await?))
    }
}

pub async fn visible_subscription(ctx: &Context<'_>, id: uuid::Uuid) -> GqlResult<db::Subscription> {
    let found = db::visible_by_id(&ctx.state().pool, ctx.scope()?, id, ctx.now()).await?;
    Ok(found.ok_or_else(|| AppError::not_found("subscription"))?)
}

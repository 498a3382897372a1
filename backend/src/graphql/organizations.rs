//! Organizations in the API: the operator, partners and customers as types; the queries and the
//! onboarding mutations live in the child modules.

mod onboarding;
mod query;

pub use onboarding::*;
pub use query::*;

use super::connection::{CountQuery, CountedConnection};
use super::context::RequestContext;
use super::error::GqlResult;
use super::ids::NodeType;
use super::subscriptions::Subscription;
use super::{connection, enums, ids};
use crate::db::organizations;
use crate::domain;
use crate::domain::AppError;
use async_graphql::{Context, ID, Interface, Object};
use chrono::{DateTime, Utc};

/// An organization on the platform: the operator, a partner or a customer.
#[derive(Interface)]
#[graphql(
    field(name = "id", ty = "ID", desc = "The global id."),
    field(name = "name", ty = "String", desc = "The organization's name."),
    field(name = "kind", ty = "enums::OrganizationKind", desc = "Operator, partner or customer.")
)]
pub enum Organization {
    Operator(Operator),
    Partner(Partner),
    Customer(Customer),
}

impl Organization {
    pub fn from_record(o: organizations::Organization) -> Organization {
        match o.kind {
            domain::OrganizationKind::Operator => Organization::Operator(Operator(o)),
            domain::OrganizationKind::Partner => Organization::Partner(Partner(o)),
            domain::OrganizationKind::Customer => Organization::Customer(Customer(o)),
        }
    }
}

/// The platform operator (21Vianet): sells online direct, enrols partners, reads everything.
pub struct Operator(pub organizations::Organization);

/// The platform operator (21Vianet): sells online direct, enrols partners, reads everything.
#[Object]
impl Operator {
    /// The global id.
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::Operator, self.0.id)
    }
    /// The operator's name.
    pub async fn name(&self) -> String {
        self.0.name.clone()
    }
    /// Always OPERATOR.
    pub async fn kind(&self) -> enums::OrganizationKind {
        self.0.kind.into()
    }
}

/// A partner in a partner program.
pub struct Partner(pub organizations::Organization);

impl Partner {
    fn details(&self) -> GqlResult<&organizations::PartnerDetails> {
        self.0
            .partner
            .as_ref()
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("partner without details")).into())
    }
}

/// A partner in a partner program.
#[Object]
impl Partner {
    /// The global id.
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::Partner, self.0.id)
    }
    /// The partner's name.
    pub async fn name(&self) -> String {
        self.0.name.clone()
    }
    /// Always PARTNER.
    pub async fn kind(&self) -> enums::OrganizationKind {
        self.0.kind.into()
    }
    /// The partner's Microsoft Partner Network id.
    async fn mpn_id(&self) -> GqlResult<String> {
        Ok(self.details()?.mpn_id.clone())
    }
    /// The program the partner is in now.
    async fn program(&self) -> GqlResult<enums::PartnerProgram> {
        Ok(self.details()?.program.into())
    }
    /// Whether the partner may hold delegated admin rights (a customer may grant it rights):
    /// CSP partners may; an Advisor must join CSP first.
    async fn can_hold_delegated_admin(&self) -> GqlResult<bool> {
        Ok(self.details()?.program.may_hold_delegated_admin())
    }
    /// Whether the partner was an Advisor before it joined CSP (history is kept).
    async fn former_advisor(&self) -> GqlResult<bool> {
        Ok(self.details()?.former_advisor)
    }
    /// When a former Advisor joined CSP.
    async fn joined_csp_at(&self) -> GqlResult<Option<DateTime<Utc>>> {
        Ok(self.details()?.joined_csp_at)
    }
    /// When the partner was registered.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// A customer tenant.
pub struct Customer(pub organizations::Organization);

impl Customer {
    fn details(&self) -> GqlResult<&organizations::CustomerDetails> {
        self.0
            .customer
            .as_ref()
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("customer without details")).into())
    }
}

/// A customer tenant.
#[Object]
impl Customer {
    /// The global id.
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::Customer, self.0.id)
    }
    /// The company name.
    pub async fn name(&self) -> String {
        self.0.name.clone()
    }
    /// Always CUSTOMER.
    pub async fn kind(&self) -> enums::OrganizationKind {
        self.0.kind.into()
    }
    /// What the signed-in user may do for this customer, and why not where it may not.
    async fn viewer_can(&self, ctx: &Context<'_>) -> GqlResult<super::permissions::CustomerPermissions> {
        super::permissions::customer(ctx, self.0.id).await
    }
    /// The tenant's primary domain, e.g. contoso.partner.onmschina.cn.
    async fn primary_domain(&self) -> GqlResult<String> {
        Ok(self.details()?.primary_domain.clone())
    }
    /// Country or region, ISO 3166-1 alpha-2.
    async fn country(&self) -> GqlResult<String> {
        Ok(self.details()?.country.clone())
    }
    /// The tenant id.
    async fn tenant_id(&self) -> GqlResult<String> {
        Ok(self.details()?.tenant_id.to_string())
    }
    /// When the tenant was created on the platform.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// For a partner viewing: its active reseller relationship kinds with this customer.
    async fn viewer_relationship_kinds(&self, ctx: &Context<'_>) -> GqlResult<Vec<enums::RelationshipKind>> {
        super::relationships::viewer_relationship_kinds(ctx, self.0.id).await
    }
    /// For a partner viewing: its active delegated admin relationships with this customer.
    async fn viewer_delegated_admin_relationships(
        &self,
        ctx: &Context<'_>,
    ) -> GqlResult<Vec<super::delegated_admin::DelegatedAdminRelationship>> {
        super::relationships::viewer_delegated_admin(ctx, self.0.id).await
    }
    /// How many of the subscriptions the viewer sees came through each channel.
    async fn subscription_counts(
        &self,
        ctx: &Context<'_>,
    ) -> GqlResult<Vec<super::relationships::ChannelCount>> {
        super::relationships::subscription_counts(ctx, self.0.id).await
    }
    /// The customer's channel map.
    async fn channel_map(&self, ctx: &Context<'_>) -> GqlResult<super::relationships::ChannelMap> {
        super::relationships::channel_map(ctx, self.0.id).await
    }
    /// The customer's subscriptions that the viewer may see, from every channel, by name.
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity")]
    async fn subscriptions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 1 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "The endCursor of the previous page.")] after: Option<String>,
    ) -> GqlResult<CountedConnection<Subscription>> {
        let request = connection::page_request(first, after)?;
        let loaders = ctx.data_unchecked::<super::loaders::Loaders>();
        let Some(loader) = &loaders.customer_subscription_pages else { return Ok(connection::empty()) };
        let key = customer_page_key(self.0.id, &request);
        let rows = loader.load_one(key).await?.unwrap_or_default();
        let page = crate::db::page::Page::from_rows(rows, &request);
        let filter = crate::db::subscriptions::SubscriptionFilter {
            customer_id: Some(self.0.id),
            ..Default::default()
        };
        Ok(connection::build(
            page,
            &request,
            CountQuery::Subscriptions { scope: ctx.scope()?, filter, now: ctx.now() },
            |s| (s.friendly_name.clone(), s.id),
            Subscription,
        ))
    }
}

/// The loader key of one customer's page of subscriptions (prefetch builds the same keys).
pub fn customer_page_key(
    customer_id: uuid::Uuid,
    request: &crate::db::page::PageRequest,
) -> super::loaders::CustomerPageKey {
    super::loaders::CustomerPageKey { customer_id, first: request.first, after: request.after.clone() }
}

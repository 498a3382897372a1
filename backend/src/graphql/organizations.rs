//! Organizations in the API: the operator, partners and customers; onboarding mutations.

use super::connection::{self, CountQuery, CountedConnection};
use super::context::RequestContext;
use super::enums;
use super::error::GqlResult;
use super::ids::{self, NodeType};
use super::subscriptions::Subscription;
use super::viewer::User;
use crate::db::{organizations, users};
use crate::domain::{self, AppError};
use crate::workflows::onboarding;
use async_graphql::{Context, ID, InputObject, Interface, Object, SimpleObject};
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

/// Narrows the customers list.
#[derive(InputObject, Default)]
pub struct CustomerFilter {
    /// Matches part of the name or primary domain, ignoring case.
    pub search: Option<String>,
}

/// Narrows the partners list.
#[derive(InputObject, Default)]
pub struct PartnerFilter {
    /// Only partners in this program.
    pub program: Option<enums::PartnerProgram>,
    /// Matches part of the name, ignoring case.
    pub search: Option<String>,
    /// Exactly this MPN id.
    pub mpn_id: Option<String>,
}

#[derive(Default)]
pub struct OrganizationsQuery;

#[Object]
impl OrganizationsQuery {
    /// One organization by id, if the viewer may see it (else NOT_FOUND).
    async fn organization(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The organization's global id.")] id: ID,
    ) -> GqlResult<Organization> {
        let uuid = ids::decode(&id, &[NodeType::Operator, NodeType::Partner, NodeType::Customer])?;
        Ok(Organization::from_record(visible_organization(ctx, uuid).await?))
    }

    /// One customer by id, if the viewer may see it (else NOT_FOUND).
    async fn customer(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The customer's global id.")] id: ID,
    ) -> GqlResult<Customer> {
        let uuid = ids::decode(&id, &[NodeType::Customer])?;
        Ok(Customer(visible_organization(ctx, uuid).await?))
    }

    /// The customers the viewer may see: all for the operator; for a partner, those it has a
    /// reseller relationship or delegated rights with; for a customer, itself. Ordered by name.
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity")]
    async fn customers(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list; all conditions must hold.")] filter: Option<CustomerFilter>,
        #[graphql(desc = "Page size, 1 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "The endCursor of the previous page.")] after: Option<String>,
    ) -> GqlResult<CountedConnection<Customer>> {
        let scope = ctx.scope()?;
        let now = ctx.now();
        let request = connection::page_request(first, after)?;
        let filter = organizations::CustomerFilter { search: filter.unwrap_or_default().search };
        let page = organizations::customers_page(&ctx.state().pool, scope, &filter, &request, now).await?;
        let ids: Vec<uuid::Uuid> = page.items.iter().map(|o| o.id).collect();
        let node = ctx.look_ahead().field("edges").field("node");
        super::prefetch::for_customers(ctx.data_unchecked::<super::loaders::Loaders>(), node, &ids).await?;
        Ok(connection::build(
            page,
            &request,
            CountQuery::Customers { scope, filter, now },
            |o| (o.name.clone(), o.id),
            Customer,
        ))
    }

    /// The partner directory, ordered by name.
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity")]
    async fn partners(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list; all conditions must hold.")] filter: Option<PartnerFilter>,
        #[graphql(desc = "Page size, 1 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "The endCursor of the previous page.")] after: Option<String>,
    ) -> GqlResult<CountedConnection<Partner>> {
        ctx.viewer()?;
        let request = connection::page_request(first, after)?;
        let f = filter.unwrap_or_default();
        let filter = organizations::PartnerFilter {
            program: f.program.map(Into::into),
            search: f.search,
            mpn_id: f.mpn_id,
        };
        let page = organizations::partners_page(&ctx.state().pool, &filter, &request).await?;
        Ok(connection::build(
            page,
            &request,
            CountQuery::Partners { filter },
            |o| (o.name.clone(), o.id),
            Partner,
        ))
    }
}

pub async fn visible_organization(
    ctx: &Context<'_>,
    id: uuid::Uuid,
) -> GqlResult<organizations::Organization> {
    let viewer = ctx.viewer()?;
    let found =
        organizations::visible_by_id(&ctx.state().pool, ctx.scope()?, viewer.organization_id, id, ctx.now())
            .await?;
    Ok(found.ok_or_else(|| AppError::not_found("organization"))?)
}

async fn load_partner(ctx: &Context<'_>, id: uuid::Uuid) -> GqlResult<Partner> {
    Ok(Partner(visible_organization(ctx, id).await?))
}

/// Enrol a partner.
#[derive(InputObject)]
pub struct RegisterPartnerInput {
    /// The partner's name.
    pub name: String,
    /// Its MPN id (6 to 10 digits).
    pub mpn_id: String,
    /// A CSP program (the Advisor program is closed).
    pub program: enums::PartnerProgram,
}

/// The partner registered.
#[derive(SimpleObject)]
pub struct RegisterPartnerPayload {
    /// The new partner.
    pub partner: Partner,
}

/// An Advisor joins CSP, for good.
#[derive(InputObject)]
pub struct JoinCspProgramInput {
    /// The Advisor partner.
    pub partner_id: ID,
    /// The CSP program it joins.
    pub program: enums::PartnerProgram,
}

/// The partner after joining.
#[derive(SimpleObject)]
pub struct JoinCspProgramPayload {
    /// The partner, now in CSP and marked as a former Advisor.
    pub partner: Partner,
}

/// Create a customer tenant with its first global admin.
#[derive(InputObject)]
pub struct CreateCustomerInput {
    /// Company name.
    pub name: String,
    /// Primary domain, e.g. contoso.partner.onmschina.cn.
    pub primary_domain: String,
    /// Country or region, ISO 3166-1 alpha-2 (e.g. CN).
    pub country: String,
    /// For an indirect provider: the reseller the customer is created for.
    pub indirect_reseller_id: Option<ID>,
    /// The global admin's email.
    pub admin_email: String,
    /// The global admin's display name.
    pub admin_display_name: String,
    /// The global admin's first password (at least 12 characters).
    pub admin_password: String,
}

/// The customer created.
#[derive(SimpleObject)]
pub struct CreateCustomerPayload {
    /// The new customer.
    pub customer: Customer,
}

/// Add a user to the viewer's own organization.
#[derive(InputObject)]
pub struct CreateUserInput {
    /// Email, used to sign in.
    pub email: String,
    /// Display name.
    pub display_name: String,
    /// First password (at least 12 characters).
    pub password: String,
    /// Roles, all of the organization's kind.
    pub roles: Vec<enums::Role>,
}

/// The user created.
#[derive(SimpleObject)]
pub struct CreateUserPayload {
    /// The new user.
    pub user: User,
}

#[derive(Default)]
pub struct OrganizationsMutation;

#[Object]
impl OrganizationsMutation {
    /// Enrol a partner (operator admin).
    async fn register_partner(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Enrol a partner.")] input: RegisterPartnerInput,
    ) -> GqlResult<RegisterPartnerPayload> {
        let viewer = ctx.writer()?;
        let id = onboarding::register_partner(
            ctx.state(),
            viewer,
            &input.name,
            &input.mpn_id,
            input.program.into(),
        )
        .await?;
        Ok(RegisterPartnerPayload { partner: load_partner(ctx, id).await? })
    }

    /// An Advisor joins CSP, ending its Advisor membership for good (its admin agent or the operator).
    async fn join_csp_program(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "An Advisor joins CSP, for good.")] input: JoinCspProgramInput,
    ) -> GqlResult<JoinCspProgramPayload> {
        let viewer = ctx.writer()?;
        let id = ids::decode(&input.partner_id, &[NodeType::Partner])?;
        onboarding::join_csp_program(ctx.state(), viewer, id, input.program.into()).await?;
        Ok(JoinCspProgramPayload { partner: load_partner(ctx, id).await? })
    }

    /// Create a customer tenant (a CSP direct partner, or an indirect provider optionally for
    /// one of its resellers). The partner gets its reseller relationship at once.
    async fn create_customer(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Create a customer tenant with its first global admin.")] input: CreateCustomerInput,
    ) -> GqlResult<CreateCustomerPayload> {
        let viewer = ctx.writer()?;
        let reseller = ids::decode_opt(input.indirect_reseller_id.as_ref(), &[NodeType::Partner])?;
        let id = onboarding::create_customer(
            ctx.state(),
            viewer,
            onboarding::NewCustomer {
                name: input.name,
                primary_domain: input.primary_domain,
                country: input.country,
                indirect_reseller_id: reseller,
                admin_email: input.admin_email,
                admin_display_name: input.admin_display_name,
                admin_password: input.admin_password,
            },
        )
        .await?;
        Ok(CreateCustomerPayload { customer: Customer(visible_organization(ctx, id).await?) })
    }

    /// Add a user to your own organization (admins only).
    async fn create_user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Add a user to the viewer's own organization.")] input: CreateUserInput,
    ) -> GqlResult<CreateUserPayload> {
        let viewer = ctx.writer()?;
        let id = onboarding::create_user(
            ctx.state(),
            viewer,
            onboarding::NewUser {
                email: input.email,
                display_name: input.display_name,
                password: input.password,
                roles: input.roles.into_iter().map(Into::into).collect(),
            },
        )
        .await?;
        let user = users::by_id(&ctx.state().pool, id).await?.ok_or_else(|| AppError::not_found("user"))?;
        Ok(CreateUserPayload { user: User(user) })
    }
}

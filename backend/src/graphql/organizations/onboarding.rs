//! Onboarding mutations: enrolling partners, joining the CSP program, creating customers (users: `graphql/people.rs`).

use super::query::visible_organization;
use super::{Customer, Partner};
use crate::graphql::context::RequestContext;
use crate::graphql::error::GqlResult;
use crate::graphql::ids::NodeType;
use crate::graphql::{enums, ids};
use crate::workflows::onboarding;
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};

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
}

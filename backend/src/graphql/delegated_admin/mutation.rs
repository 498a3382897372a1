//! Changing delegated admin relationships: the terms and other inputs, the payload and the
//! mutations (drafts, grants, approval, auto-extend, transitions).

use super::DelegatedAdminRelationship;
use crate::db::delegated_admin as db;
use crate::domain::delegated_admin::Transition;
use crate::graphql::context::RequestContext;
use crate::graphql::error::GqlResult;
use crate::graphql::ids::NodeType;
use crate::graphql::{enums, ids};
use crate::workflows::delegated_admin as workflows;
use crate::workflows::delegated_admin::Terms;
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};

/// The terms of a relationship.
#[derive(InputObject)]
pub struct DelegatedAdminTermsInput {
    /// A name, unique per partner (1 to 50 characters).
    pub display_name: String,
    /// The roles.
    pub roles: Vec<enums::DelegatedRole>,
    /// The services covered.
    pub service_ids: Vec<ID>,
    /// How long it runs once active, ISO-8601 from P1D to P2Y (e.g. P90D, P1Y).
    pub duration: String,
    /// P0D, or P180D to extend by 180 days at each end (not with GLOBAL_ADMIN).
    #[graphql(default_with = "\"P0D\".to_string()")]
    pub auto_extend: String,
}

impl DelegatedAdminTermsInput {
    fn terms(&self) -> GqlResult<Terms> {
        Ok(Terms {
            display_name: self.display_name.clone(),
            roles: self.roles.iter().map(|r| (*r).into()).collect(),
            service_ids: self
                .service_ids
                .iter()
                .map(|id| ids::decode(id, &[NodeType::Service]))
                .collect::<Result<_, _>>()?,
            duration: self.duration.clone(),
            auto_extend: self.auto_extend.clone(),
        })
    }
}

/// A partner's draft request.
#[derive(InputObject)]
pub struct CreateDelegatedAdminRelationshipInput {
    /// The customer asked.
    pub customer_id: ID,
    /// What is asked for.
    pub terms: DelegatedAdminTermsInput,
}

/// New terms for a draft.
#[derive(InputObject)]
pub struct UpdateDelegatedAdminRelationshipInput {
    /// The draft.
    pub id: ID,
    /// Its new terms.
    pub terms: DelegatedAdminTermsInput,
}

/// A customer's direct grant to a partner (waits for the partner's consent).
#[derive(InputObject)]
pub struct GrantDelegatedAdminInput {
    /// The partner (another reseller, say).
    pub partner_id: ID,
    /// What is granted.
    pub terms: DelegatedAdminTermsInput,
    /// End the current PROVISIONING or GLOBAL_ADMIN holder's role for these services on consent.
    #[graphql(default)]
    pub replace_existing: bool,
}

/// Which relationship.
#[derive(InputObject)]
pub struct DelegatedAdminRelationshipIdInput {
    /// The relationship.
    pub id: ID,
}

/// The customer's approval.
#[derive(InputObject)]
pub struct ApproveDelegatedAdminRelationshipInput {
    /// The relationship.
    pub id: ID,
    /// End the current PROVISIONING or GLOBAL_ADMIN holder's role for these services.
    #[graphql(default)]
    pub replace_existing: bool,
}

/// Auto-extension on or off.
#[derive(InputObject)]
pub struct SetDelegatedAdminAutoExtendInput {
    /// The relationship.
    pub id: ID,
    /// P0D or P180D.
    pub auto_extend: String,
}

/// The relationship after a change (null once a draft is deleted).
#[derive(SimpleObject)]
pub struct DelegatedAdminRelationshipPayload {
    /// The relationship as it is now.
    pub delegated_admin_relationship: Option<DelegatedAdminRelationship>,
}

async fn reload(ctx: &Context<'_>, id: uuid::Uuid) -> GqlResult<DelegatedAdminRelationshipPayload> {
    let r = db::by_id(&ctx.state().pool, id).await?;
    Ok(DelegatedAdminRelationshipPayload { delegated_admin_relationship: r.map(DelegatedAdminRelationship) })
}

async fn run(
    ctx: &Context<'_>,
    id: &ID,
    t: Transition,
    replace: bool,
    terms: Option<Terms>,
    auto_extend: Option<&str>,
) -> GqlResult<DelegatedAdminRelationshipPayload> {
    let viewer = ctx.writer()?;
    let uuid = ids::decode(id, &[NodeType::DelegatedAdminRelationship])?;
    let kept =
        workflows::transition(ctx.state(), viewer, uuid, t, replace, terms.as_ref(), auto_extend).await?;
    if kept {
        reload(ctx, uuid).await
    } else {
        Ok(DelegatedAdminRelationshipPayload { delegated_admin_relationship: None })
    }
}

#[derive(Default)]
pub struct DelegatedAdminMutation;

#[Object]
impl DelegatedAdminMutation {
    /// A partner drafts a request (editable and deletable until approval is requested).
    async fn create_delegated_admin_relationship(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A partner's draft request.")] input: CreateDelegatedAdminRelationshipInput,
    ) -> GqlResult<DelegatedAdminRelationshipPayload> {
        let viewer = ctx.writer()?;
        let customer = ids::decode(&input.customer_id, &[NodeType::Customer])?;
        let id = workflows::create_draft(ctx.state(), viewer, customer, &input.terms.terms()?).await?;
        reload(ctx, id).await
    }
    /// Change a draft's terms.
    async fn update_delegated_admin_relationship(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "New terms for a draft.")] input: UpdateDelegatedAdminRelationshipInput,
    ) -> GqlResult<DelegatedAdminRelationshipPayload> {
        run(ctx, &input.id, Transition::Update, false, Some(input.terms.terms()?), None).await
    }
    /// Delete a draft.
    async fn delete_delegated_admin_relationship(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which relationship.")] input: DelegatedAdminRelationshipIdInput,
    ) -> GqlResult<DelegatedAdminRelationshipPayload> {
        run(ctx, &input.id, Transition::Delete, false, None, None).await
    }
    /// Lock a draft and send it to the customer for approval (expires after 90 days).
    async fn request_delegated_admin_approval(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which relationship.")] input: DelegatedAdminRelationshipIdInput,
    ) -> GqlResult<DelegatedAdminRelationshipPayload> {
        run(ctx, &input.id, Transition::RequestApproval, false, None, None).await
    }
    /// The customer's global admin approves; it becomes active for its duration.
    async fn approve_delegated_admin_relationship(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The customer's approval.")] input: ApproveDelegatedAdminRelationshipInput,
    ) -> GqlResult<DelegatedAdminRelationshipPayload> {
        run(ctx, &input.id, Transition::Approve, input.replace_existing, None, None).await
    }
    /// The customer rejects a request, or the partner declines a customer's grant.
    async fn reject_delegated_admin_relationship(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which relationship.")] input: DelegatedAdminRelationshipIdInput,
    ) -> GqlResult<DelegatedAdminRelationshipPayload> {
        run(ctx, &input.id, Transition::Reject, false, None, None).await
    }
    /// The customer's global admin grants rights to a partner directly.
    async fn grant_delegated_admin(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A customer's direct grant to a partner (waits for the partner's consent).")] input: GrantDelegatedAdminInput,
    ) -> GqlResult<DelegatedAdminRelationshipPayload> {
        let viewer = ctx.writer()?;
        let partner = ids::decode(&input.partner_id, &[NodeType::Partner])?;
        let id =
            workflows::grant(ctx.state(), viewer, partner, &input.terms.terms()?, input.replace_existing)
                .await?;
        reload(ctx, id).await
    }
    /// The partner consents to a customer's grant; it becomes active.
    async fn consent_to_delegated_admin_relationship(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which relationship.")] input: DelegatedAdminRelationshipIdInput,
    ) -> GqlResult<DelegatedAdminRelationshipPayload> {
        run(ctx, &input.id, Transition::Consent, false, None, None).await
    }
    /// Either side ends it; the partner stops serving the customer's stages at once.
    async fn terminate_delegated_admin_relationship(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which relationship.")] input: DelegatedAdminRelationshipIdInput,
    ) -> GqlResult<DelegatedAdminRelationshipPayload> {
        run(ctx, &input.id, Transition::Terminate, false, None, None).await
    }
    /// The partner turns auto-extension on (P180D) or off (P0D).
    async fn set_delegated_admin_auto_extend(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Auto-extension on or off.")] input: SetDelegatedAdminAutoExtendInput,
    ) -> GqlResult<DelegatedAdminRelationshipPayload> {
        run(ctx, &input.id, Transition::SetAutoExtend, false, None, Some(&input.auto_extend)).await
    }
}

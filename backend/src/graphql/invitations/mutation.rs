//! Changing invitations: inputs, payloads and the mutations (create, edit, send, accept, decline, ...).

use super::Invitation;
use crate::db::invitations as db;
use crate::domain::AppError;
use crate::graphql::context::RequestContext;
use crate::graphql::error::GqlResult;
use crate::graphql::ids::NodeType;
use crate::graphql::invitation_preview::InvitationPreview;
use crate::graphql::organizations::Customer;
use crate::graphql::{enums, ids};
use crate::workflows::delegated_admin::Terms;
use crate::workflows::invitations as workflows;
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};

/// Delegated admin rights an invitation asks for.
#[derive(InputObject)]
pub struct InvitationDelegatedAdminInput {
    /// The roles.
    pub roles: Vec<enums::DelegatedRole>,
    /// The services covered.
    pub service_ids: Vec<ID>,
    /// How long, ISO-8601 from P1D to P2Y.
    pub duration: String,
    /// P0D, or P180D (not with GLOBAL_ADMIN).
    #[graphql(default_with = "\"P0D\".to_string()")]
    pub auto_extend: String,
}

/// A new invitation.
#[derive(InputObject)]
pub struct CreateInvitationInput {
    /// ANY_CUSTOMER (one reusable link) or CUSTOMER (single use; give customerId).
    pub audience: enums::InvitationAudience,
    /// The customer, for audience CUSTOMER.
    pub customer_id: Option<ID>,
    /// For an indirect provider: one of its active resellers, which passes the link on.
    pub indirect_reseller_id: Option<ID>,
    /// Delegated admin rights to ask for.
    pub delegated_admin: Option<InvitationDelegatedAdminInput>,
    /// A message for the customer (editable later).
    #[graphql(default)]
    pub message: String,
    /// When the link stops working; at most 90 days from now (the default).
    pub expires_at: Option<DateTime<Utc>>,
    /// The language of the ready-made email (`emailText`); when absent, the request's
    /// Accept-Language decides (Simplified Chinese for zh, zh-CN, zh-Hans), else English.
    pub language: Option<enums::InvitationLanguage>,
}

/// An invitation by id.
#[derive(InputObject)]
pub struct InvitationIdInput {
    /// The invitation.
    pub id: ID,
}

/// A new message.
#[derive(InputObject)]
pub struct UpdateInvitationMessageInput {
    /// The invitation.
    pub id: ID,
    /// The message (at most 2000 characters).
    pub message: String,
}

/// Accept or decline through the link's code.
#[derive(InputObject)]
pub struct InvitationCodeInput {
    /// The code from the link.
    pub code: String,
    /// When accepting: end the current PROVISIONING or GLOBAL_ADMIN holder's role if the
    /// invitation asks for one.
    #[graphql(default)]
    pub replace_existing: bool,
}

/// The invitation after a change.
#[derive(SimpleObject)]
pub struct InvitationPayload {
    /// The invitation.
    pub invitation: Invitation,
}

/// The outcome of accepting or declining.
#[derive(SimpleObject)]
pub struct InvitationResponsePayload {
    /// The invitation, as the customer sees it now.
    pub invitation: InvitationPreview,
    /// The customer.
    pub customer: Customer,
}

async fn reload(ctx: &Context<'_>, id: uuid::Uuid) -> GqlResult<Invitation> {
    Ok(Invitation(db::by_id(&ctx.state().pool, id).await?.ok_or_else(|| AppError::not_found("invitation"))?))
}

async fn response(ctx: &Context<'_>, code: &str) -> GqlResult<InvitationResponsePayload> {
    let viewer = ctx.viewer()?;
    let inv = db::by_code(&ctx.state().pool, code).await?.ok_or_else(|| AppError::not_found("invitation"))?;
    let customer = crate::graphql::organizations::visible_organization(ctx, viewer.organization_id).await?;
    Ok(InvitationResponsePayload { invitation: InvitationPreview::new(inv), customer: Customer(customer) })
}

#[derive(Default)]
pub struct InvitationsMutation;

#[Object]
impl InvitationsMutation {
    /// A CSP direct partner or indirect provider creates an invitation (admin or sales agent).
    async fn create_invitation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A new invitation.")] input: CreateInvitationInput,
    ) -> GqlResult<InvitationPayload> {
        let viewer = ctx.writer()?;
        let customer_id = ids::decode_opt(input.customer_id.as_ref(), &[NodeType::Customer])?;
        match (input.audience, customer_id) {
            (enums::InvitationAudience::Customer, None) => {
                return Err(AppError::bad_input("audience CUSTOMER needs customerId").into());
            }
            (enums::InvitationAudience::AnyCustomer, Some(_)) => {
                return Err(AppError::bad_input("audience ANY_CUSTOMER takes no customerId").into());
            }
            _ => {}
        }
        let delegated_admin = match input.delegated_admin {
            Some(d) => Some(Terms {
                display_name: String::new(),
                roles: d.roles.iter().map(|r| (*r).into()).collect(),
                service_ids: d
                    .service_ids
                    .iter()
                    .map(|id| ids::decode(id, &[NodeType::Service]))
                    .collect::<Result<_, _>>()?,
                duration: d.duration,
                auto_extend: d.auto_extend,
            }),
            None => None,
        };
        let id = workflows::create(
            ctx.state(),
            viewer,
            workflows::NewInvitation {
                customer_id,
                indirect_reseller_id: ids::decode_opt(
                    input.indirect_reseller_id.as_ref(),
                    &[NodeType::Partner],
                )?,
                delegated_admin,
                message: input.message,
                expires_at: input.expires_at,
                language: crate::domain::email::invitation_language(
                    input.language.map(Into::into),
                    ctx.data_opt::<crate::domain::Language>().copied().unwrap_or_default(),
                ),
            },
        )
        .await?;
        Ok(InvitationPayload { invitation: reload(ctx, id).await? })
    }

    /// The creator edits the message; the link stays the same.
    async fn update_invitation_message(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A new message.")] input: UpdateInvitationMessageInput,
    ) -> GqlResult<InvitationPayload> {
        let viewer = ctx.writer()?;
        let id = ids::decode(&input.id, &[NodeType::Invitation])?;
        workflows::revoke_or_edit(ctx.state(), viewer, id, Some(&input.message)).await?;
        Ok(InvitationPayload { invitation: reload(ctx, id).await? })
    }

    /// The creator revokes a pending invitation; its link stops working.
    async fn revoke_invitation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "An invitation by id.")] input: InvitationIdInput,
    ) -> GqlResult<InvitationPayload> {
        let viewer = ctx.writer()?;
        let id = ids::decode(&input.id, &[NodeType::Invitation])?;
        workflows::revoke_or_edit(ctx.state(), viewer, id, None).await?;
        Ok(InvitationPayload { invitation: reload(ctx, id).await? })
    }

    /// The customer's global admin accepts: the reseller relationship(s) and any delegated
    /// rights asked for are created at once.
    async fn accept_invitation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Accept or decline through the link's code.")] input: InvitationCodeInput,
    ) -> GqlResult<InvitationResponsePayload> {
        let viewer = ctx.writer()?;
        workflows::accept(ctx.state(), viewer, &input.code, input.replace_existing).await?;
        response(ctx, &input.code).await
    }

    /// The customer's global admin declines.
    async fn decline_invitation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Accept or decline through the link's code.")] input: InvitationCodeInput,
    ) -> GqlResult<InvitationResponsePayload> {
        let viewer = ctx.writer()?;
        workflows::decline(ctx.state(), viewer, &input.code).await?;
        response(ctx, &input.code).await
    }
}

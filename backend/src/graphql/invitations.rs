//! Invitations (reseller relationship requests) in the API.

use super::catalog::Service;
use super::connection::{self, CountQuery, CountedConnection};
use super::context::RequestContext;
use super::enums;
use super::error::GqlResult;
use super::ids::{self, NodeType};
use super::loaders::Loaders;
use super::organizations::{Customer, Partner};
use crate::db::invitations as db;
use crate::domain::invitation::relationship_kind;
use crate::domain::{self, AppError};
use crate::workflows::delegated_admin::Terms;
use crate::workflows::invitations as workflows;
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};

async fn partner(ctx: &Context<'_>, id: uuid::Uuid) -> GqlResult<Partner> {
    let org = ctx.data_unchecked::<Loaders>().organizations.load_one(id).await?;
    Ok(Partner(org.ok_or_else(|| AppError::not_found("partner"))?))
}

async fn services(ctx: &Context<'_>, ids: &[uuid::Uuid]) -> GqlResult<Vec<Service>> {
    let found = ctx.data_unchecked::<Loaders>().services.load_many(ids.iter().copied()).await?;
    Ok(ids.iter().filter_map(|id| found.get(id).cloned()).map(Service).collect())
}

fn roles(inv: &db::Invitation) -> GqlResult<Vec<enums::DelegatedRole>> {
    Ok(inv.roles()?.into_iter().map(Into::into).collect())
}

fn url(ctx: &Context<'_>, inv: &db::Invitation) -> String {
    format!("{}/invitations/{}", ctx.state().public_url, inv.code)
}

/// A partner's request to a customer for a reseller relationship, with a fixed link.
pub struct Invitation(pub db::Invitation);

/// An invitation (reseller relationship request), as its creator and named reseller see it.
#[Object]
impl Invitation {
    /// The global id.
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::Invitation, self.0.invitation_id)
    }
    /// The code in the link.
    async fn code(&self) -> &str {
        &self.0.code
    }
    /// The link the customer opens; it never changes.
    async fn url(&self, ctx: &Context<'_>) -> String {
        url(ctx, &self.0)
    }
    /// A ready-to-send email: the editable message, then the fixed link.
    async fn email_text(&self, ctx: &Context<'_>) -> GqlResult<String> {
        let inviter = partner(ctx, self.0.partner_id).await?;
        let mut text = String::new();
        if !self.0.message.trim().is_empty() {
            text.push_str(self.0.message.trim());
            text.push_str("\n\n");
        }
        text.push_str(&format!(
            "{} invites you to a reseller relationship on the partner center operated by 21Vianet.\n",
            inviter.0.name
        ));
        if !self.0.delegated_roles.is_empty() {
            text.push_str(&format!(
                "It asks for delegated admin rights ({}) for {}.\n",
                self.0.delegated_roles.join(", "),
                self.0.delegated_duration.as_deref().unwrap_or("")
            ));
        }
        text.push_str(&format!(
            "\nA global admin of your organization can review and accept it here:\n{}\n\nThis link expires on {}.\n",
            url(ctx, &self.0),
            self.0.expires_at.format("%Y-%m-%d")
        ));
        Ok(text)
    }
    /// The status now (a pending invitation past its expiry is EXPIRED).
    async fn status(&self, ctx: &Context<'_>) -> String {
        self.0.status_at(ctx.now()).to_owned()
    }
    /// ANY_CUSTOMER (a reusable link) or CUSTOMER (single use, for one customer).
    async fn audience(&self) -> &str {
        &self.0.audience
    }
    /// The inviting partner.
    async fn partner(&self, ctx: &Context<'_>) -> GqlResult<Partner> {
        partner(ctx, self.0.partner_id).await
    }
    /// The customer it is addressed to, for a single-customer invitation.
    async fn customer(&self, ctx: &Context<'_>) -> GqlResult<Option<Customer>> {
        let Some(id) = self.0.customer_id else { return Ok(None) };
        // Naming a customer's id on an invitation reveals nothing of it: it shows only to those
        // who may see that customer anyway (null until then).
        let viewer = ctx.viewer()?;
        let found = crate::db::organizations::visible_by_id(
            &ctx.state().pool,
            ctx.scope()?,
            viewer.organization_id,
            id,
            ctx.now(),
        )
        .await?;
        Ok(found.map(Customer))
    }
    /// The indirect reseller named on it, which passes it on.
    async fn indirect_reseller(&self, ctx: &Context<'_>) -> GqlResult<Option<Partner>> {
        match self.0.indirect_reseller_id {
            Some(id) => Ok(Some(partner(ctx, id).await?)),
            None => Ok(None),
        }
    }
    /// The message sent with it (editable while pending).
    async fn message(&self) -> &str {
        &self.0.message
    }
    /// Delegated admin roles asked for.
    async fn delegated_roles(&self) -> GqlResult<Vec<enums::DelegatedRole>> {
        roles(&self.0)
    }
    /// Services the delegated rights would cover.
    async fn delegated_services(&self, ctx: &Context<'_>) -> GqlResult<Vec<Service>> {
        services(ctx, &self.0.delegated_service_ids).await
    }
    /// How long the delegated rights would run (ISO-8601).
    async fn delegated_duration(&self) -> Option<&str> {
        self.0.delegated_duration.as_deref()
    }
    /// Auto-extension of the delegated rights (P0D or P180D).
    async fn delegated_auto_extend(&self) -> Option<&str> {
        self.0.delegated_auto_extend.as_deref()
    }
    /// When it was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When the link stops working.
    async fn expires_at(&self) -> DateTime<Utc> {
        self.0.expires_at
    }
    /// When a single-customer invitation was accepted.
    async fn accepted_at(&self) -> Option<DateTime<Utc>> {
        self.0.accepted_at
    }
    /// How many customers accepted it.
    async fn acceptance_count(&self) -> i64 {
        self.0.acceptances
    }
    /// What the signed-in user may do to this invitation, and why not where it may not.
    async fn viewer_can(&self, ctx: &Context<'_>) -> GqlResult<super::permissions::InvitationPermissions> {
        super::permissions::invitation(ctx, &self.0).await
    }
}

/// What a customer's global admin sees before accepting: who asks for what, and what
/// accepting will change.
pub struct InvitationPreview(pub db::Invitation);

#[derive(SimpleObject)]
/// A relationship accepting creates.
pub struct PreviewRelationship {
    /// The partner.
    pub partner: Partner,
    /// The kind of relationship.
    pub kind: enums::RelationshipKind,
}

/// An invitation seen through its link by the customer's global admin.
#[Object]
impl InvitationPreview {
    /// The code.
    async fn code(&self) -> &str {
        &self.0.code
    }
    /// The status now.
    async fn status(&self, ctx: &Context<'_>) -> String {
        self.0.status_at(ctx.now()).to_owned()
    }
    /// The inviting partner.
    async fn partner(&self, ctx: &Context<'_>) -> GqlResult<Partner> {
        partner(ctx, self.0.partner_id).await
    }
    /// The kind of relationship with the inviting partner.
    async fn relationship_kind(&self, ctx: &Context<'_>) -> GqlResult<enums::RelationshipKind> {
        let p = partner(ctx, self.0.partner_id).await?;
        let program = p.0.partner.map(|d| d.program).unwrap_or(domain::PartnerProgram::CspDirect);
        Ok(relationship_kind(program).into())
    }
    /// The indirect reseller named on it.
    async fn indirect_reseller(&self, ctx: &Context<'_>) -> GqlResult<Option<Partner>> {
        match self.0.indirect_reseller_id {
            Some(id) => Ok(Some(partner(ctx, id).await?)),
            None => Ok(None),
        }
    }
    /// The message.
    async fn message(&self) -> &str {
        &self.0.message
    }
    /// Delegated roles asked for.
    async fn delegated_roles(&self) -> GqlResult<Vec<enums::DelegatedRole>> {
        roles(&self.0)
    }
    /// Services the delegated rights would cover.
    async fn delegated_services(&self, ctx: &Context<'_>) -> GqlResult<Vec<Service>> {
        services(ctx, &self.0.delegated_service_ids).await
    }
    /// How long the delegated rights would run.
    async fn delegated_duration(&self) -> Option<&str> {
        self.0.delegated_duration.as_deref()
    }
    /// Who would hold the delegated rights: the named reseller, else the inviting partner.
    async fn delegated_admin_holder(&self, ctx: &Context<'_>) -> GqlResult<Option<Partner>> {
        if self.0.delegated_roles.is_empty() {
            return Ok(None);
        }
        Ok(Some(partner(ctx, self.0.indirect_reseller_id.unwrap_or(self.0.partner_id)).await?))
    }
    /// When the link stops working.
    async fn expires_at(&self) -> DateTime<Utc> {
        self.0.expires_at
    }
    /// What accepting will change, in words.
    async fn changes(&self, ctx: &Context<'_>) -> GqlResult<Vec<String>> {
        let inviter = partner(ctx, self.0.partner_id).await?;
        let program =
            inviter.0.partner.as_ref().map(|d| d.program).unwrap_or(domain::PartnerProgram::CspDirect);
        let mut out = vec![format!(
            "{} becomes your {} reseller: it may sell you subscriptions and bill you for them.",
            inviter.0.name,
            if relationship_kind(program) == domain::RelationshipKind::IndirectProvider {
                "indirect provider"
            } else {
                "direct"
            }
        )];
        if let Some(r) = self.0.indirect_reseller_id {
            out.push(format!(
                "{} is recorded as your indirect reseller, through {}.",
                partner(ctx, r).await?.0.name,
                inviter.0.name
            ));
        }
        if !self.0.delegated_roles.is_empty() {
            let holder = partner(ctx, self.0.indirect_reseller_id.unwrap_or(self.0.partner_id)).await?;
            let names: Vec<String> =
                services(ctx, &self.0.delegated_service_ids).await?.into_iter().map(|s| s.0.name).collect();
            out.push(format!(
                "{} gets delegated admin rights ({}) for {} for {}{}.",
                holder.0.name,
                self.0.delegated_roles.join(", "),
                names.join(", "),
                self.0.delegated_duration.as_deref().unwrap_or(""),
                if self.0.delegated_auto_extend.as_deref() == Some("P180D") {
                    ", extended by 180 days at each end"
                } else {
                    ""
                }
            ));
        }
        Ok(out)
    }
}

/// Narrows the invitations list.
#[derive(InputObject, Default)]
pub struct InvitationFilter {
    /// PENDING, ACCEPTED, DECLINED, REVOKED or EXPIRED (as of now).
    pub status: Option<String>,
    /// Only those addressed to this customer.
    pub customer_id: Option<ID>,
}

#[derive(Default)]
pub struct InvitationsQuery;

#[Object]
impl InvitationsQuery {
    /// Invitations the viewer takes part in: a partner's own, those naming it as reseller (to
    /// pass on), a customer's (addressed to it or accepted by it); all for the operator. Newest
    /// first.
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity")]
    async fn invitations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list; all conditions must hold.")] filter: Option<InvitationFilter>,
        #[graphql(desc = "Page size, 1 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "The endCursor of the previous page.")] after: Option<String>,
    ) -> GqlResult<CountedConnection<Invitation>> {
        let viewer = ctx.viewer()?;
        let now = ctx.now();
        let request = connection::page_request(first, after)?;
        let f = filter.unwrap_or_default();
        let customer = ids::decode_opt(f.customer_id.as_ref(), &[NodeType::Customer])?;
        if !crate::domain::access::reads_records(viewer) {
            return Ok(connection::empty());
        }
        let filter = db::ListFilter { organization: viewer.party(), customer_id: customer, status: f.status };
        let page = db::page(&ctx.state().pool, &filter, &request, now).await?;
        Ok(connection::build(
            page,
            &request,
            CountQuery::deferred(move |pool| {
                let f = filter.clone();
                async move { db::count(&pool, &f, now).await }
            }),
            |i| (crate::db::page::time_key(i.created_at), i.invitation_id),
            Invitation,
        ))
    }

    /// An invitation by the code in its link: for a signed-in customer global admin only;
    /// anyone else gets NOT_FOUND.
    async fn invitation_by_code(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The code at the end of the invitation's link.")] code: String,
    ) -> GqlResult<InvitationPreview> {
        let viewer = ctx.viewer()?;
        Ok(InvitationPreview(workflows::by_code_for_customer(ctx.state(), viewer, &code).await?))
    }
}

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
    let customer = super::organizations::visible_organization(ctx, viewer.organization_id).await?;
    Ok(InvitationResponsePayload { invitation: InvitationPreview(inv), customer: Customer(customer) })
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

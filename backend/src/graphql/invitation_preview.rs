//! What a customer's global admin sees of an invitation through its link, before answering.

use super::catalog::Service;
use super::context::RequestContext;
use super::enums;
use super::error::GqlResult;
use super::invitations::{partner, roles, services};
use super::organizations::Partner;
use crate::db::invitations as db;
use crate::domain;
use crate::domain::invitation::relationship_kind;
use async_graphql::{Context, Object, SimpleObject};
use chrono::{DateTime, Utc};

/// What a customer's global admin sees before accepting: who asks for what, and what
/// accepting will change.
pub struct InvitationPreview(pub db::Invitation, tokio::sync::OnceCell<Option<DateTime<Utc>>>);

#[derive(SimpleObject)]
/// A relationship accepting creates.
pub struct PreviewRelationship {
    /// The partner.
    pub partner: Partner,
    /// The kind of relationship.
    pub kind: enums::RelationshipKind,
}

impl InvitationPreview {
    pub fn new(inv: db::Invitation) -> Self {
        InvitationPreview(inv, tokio::sync::OnceCell::new())
    }

    /// When the viewing customer accepted it; read once per request and object.
    async fn accepted_by_viewer(&self, ctx: &Context<'_>) -> GqlResult<Option<DateTime<Utc>>> {
        let Some(customer) = ctx.viewer()?.customer_id() else { return Ok(None) };
        let at = self
            .1
            .get_or_try_init(|| db::accepted_by_at(&ctx.state().pool, self.0.invitation_id, customer))
            .await?;
        Ok(*at)
    }
}

/// An invitation seen through its link by the customer's global admin.
#[Object]
impl InvitationPreview {
    /// The code.
    async fn code(&self) -> &str {
        &self.0.code
    }
    /// The status now, for the customer viewing it: PENDING (it may still answer), ACCEPTED
    /// (this customer accepted it, even when the link stays open for other customers),
    /// DECLINED, REVOKED or EXPIRED.
    async fn status(&self, ctx: &Context<'_>) -> GqlResult<String> {
        let accepted = self.accepted_by_viewer(ctx).await?.is_some();
        let status = domain::invitation::status_for_customer(self.0.status_at(ctx.now()), accepted);
        Ok(status.as_str().to_owned())
    }
    /// When the customer viewing it accepted it (null if it did not).
    async fn accepted_at(&self, ctx: &Context<'_>) -> GqlResult<Option<DateTime<Utc>>> {
        self.accepted_by_viewer(ctx).await
    }
    /// When it was declined (a single-customer invitation).
    async fn declined_at(&self) -> Option<DateTime<Utc>> {
        self.0.declined_at
    }
    /// When the inviting partner revoked it.
    async fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.0.revoked_at
    }
    /// Whether the signed-in customer admin may accept or decline it now, and why not: the same
    /// rules the two mutations apply (pending, addressed to this customer, not accepted by it
    /// already, the named reseller still partnered).
    #[graphql(complexity = "super::permissions::READS_COST + child_complexity")]
    async fn viewer_can(&self, ctx: &Context<'_>) -> GqlResult<super::permissions::InvitationPermissions> {
        super::permissions::invitation(ctx, &self.0).await
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
                self.0.delegated_roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", "),
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

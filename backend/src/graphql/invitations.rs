//! Invitations (reseller relationship requests) in the API: the type and the queries; the
//! mutations live in `mutation`.

mod mutation;

pub use mutation::*;

use super::catalog::Service;
use super::connection::{CountQuery, CountedConnection};
use super::context::RequestContext;
use super::error::GqlResult;
use super::ids::NodeType;
use super::invitation_preview::InvitationPreview;
use super::loaders::Loaders;
use super::organizations::{Customer, Partner};
use super::{connection, enums, ids};
use crate::db::invitations as db;
use crate::domain::AppError;
use crate::workflows::invitations as workflows;
use async_graphql::{Context, ID, InputObject, Object};
use chrono::{DateTime, Utc};

pub(super) async fn partner(ctx: &Context<'_>, id: uuid::Uuid) -> GqlResult<Partner> {
    let org = ctx.data_unchecked::<Loaders>().organizations.load_one(id).await?;
    Ok(Partner(org.ok_or_else(|| AppError::not_found("partner"))?))
}

pub(super) async fn services(ctx: &Context<'_>, ids: &[uuid::Uuid]) -> GqlResult<Vec<Service>> {
    let found = ctx.data_unchecked::<Loaders>().services.load_many(ids.iter().copied()).await?;
    Ok(ids.iter().filter_map(|id| found.get(id).cloned()).map(Service).collect())
}

pub(super) fn roles(inv: &db::Invitation) -> GqlResult<Vec<enums::DelegatedRole>> {
    Ok(inv.delegated_roles.iter().copied().map(Into::into).collect())
}

fn url(ctx: &Context<'_>, inv: &db::Invitation) -> String {
    format!("{}/invitations/{}", ctx.state().public_url, inv.code)
}

/// A partner's request to a customer for a reseller relationship, with a fixed link.
pub struct Invitation(pub db::Invitation);

impl Invitation {
    fn sees_link(&self, ctx: &Context<'_>) -> GqlResult<bool> {
        let viewer = ctx.viewer()?;
        Ok(crate::domain::invitation::may_see_link(viewer, self.0.partner_id, self.0.indirect_reseller_id))
    }
}

/// The names of the services an invitation's delegated rights would cover, joined for a sentence.
pub(super) async fn service_names(ctx: &Context<'_>, inv: &db::Invitation) -> GqlResult<String> {
    let names: Vec<String> =
        services(ctx, &inv.delegated_service_ids).await?.into_iter().map(|s| s.0.name).collect();
    Ok(names.join(", "))
}

/// An invitation (reseller relationship request), as its creator and named reseller see it.
#[Object]
impl Invitation {
    /// The global id.
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::Invitation, self.0.invitation_id)
    }
    /// The code in the link; null for those who may not pass the link on (only the inviting
    /// partner, the reseller named on it and the operator see it).
    async fn code(&self, ctx: &Context<'_>) -> GqlResult<Option<&str>> {
        Ok(self.sees_link(ctx)?.then_some(self.0.code.as_str()))
    }
    /// The link the customer opens; it never changes. Null for those who may not pass it on.
    async fn url(&self, ctx: &Context<'_>) -> GqlResult<Option<String>> {
        Ok(self.sees_link(ctx)?.then(|| url(ctx, &self.0)))
    }
    /// A ready-to-send email: the editable message, who asks for what (the service and the
    /// named reseller included), then the fixed link. Null for those who may not pass it on.
    async fn email_text(&self, ctx: &Context<'_>) -> GqlResult<Option<String>> {
        if !self.sees_link(ctx)? {
            return Ok(None);
        }
        let inviter = partner(ctx, self.0.partner_id).await?.0.name;
        let reseller = match self.0.indirect_reseller_id {
            Some(r) => Some(partner(ctx, r).await?.0.name),
            None => None,
        };
        let services = if self.0.delegated_roles.is_empty() {
            String::new()
        } else {
            service_names(ctx, &self.0).await?
        };
        let text = crate::domain::email::invitation_email(
            self.0.language,
            &crate::domain::email::InvitationEmail {
                message: &self.0.message,
                inviter: &inviter,
                reseller: reseller.as_deref(),
                roles: &self.0.delegated_roles,
                services: &services,
                duration: self.0.delegated_duration.as_deref().unwrap_or(""),
                holder: reseller.as_deref().unwrap_or(&inviter),
                url: &url(ctx, &self.0),
                expires_at: self.0.expires_at,
            },
        );
        Ok(Some(text))
    }
    /// The language its ready-made email (`emailText`) is written in.
    async fn language(&self) -> enums::InvitationLanguage {
        self.0.language.into()
    }
    /// The status now (a pending invitation past its expiry is EXPIRED).
    async fn status(&self, ctx: &Context<'_>) -> String {
        self.0.status_at(ctx.now()).as_str().to_owned()
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
    /// How many customers accepted it; only the inviting partner and the operator see it (null
    /// for the others).
    async fn acceptance_count(&self, ctx: &Context<'_>) -> GqlResult<Option<i64>> {
        let viewer = ctx.viewer()?;
        Ok(crate::domain::invitation::may_see_acceptances(viewer, self.0.partner_id)
            .then_some(self.0.acceptances))
    }
    /// What the signed-in user may do to this invitation, and why not where it may not.
    #[graphql(complexity = "super::permissions::READS_COST + child_complexity")]
    async fn viewer_can(&self, ctx: &Context<'_>) -> GqlResult<super::permissions::InvitationPermissions> {
        super::permissions::invitation(ctx, &self.0).await
    }
}

/// Narrows the invitations list.
#[derive(InputObject, Default)]
pub struct InvitationFilter {
    /// PENDING, ACCEPTED, DECLINED, REVOKED or EXPIRED (as of now).
    pub status: Option<String>,
    /// Only those addressed to this customer.
    pub customer_id: Option<ID>,
    /// Part of the message or of the named customer's or reseller's name, ignoring case (at
    /// most 100 characters).
    pub search: Option<String>,
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
        let status =
            f.status.as_deref().map(|s| s.parse::<crate::domain::InvitationStatus>()).transpose().map_err(
                |_| AppError::bad_input("status: PENDING, ACCEPTED, DECLINED, REVOKED or EXPIRED"),
            )?;
        if f.search.as_deref().is_some_and(|s| s.chars().count() > 100 || s.contains('\0')) {
            return Err(AppError::bad_input("the search must be at most 100 characters, without NUL").into());
        }
        let filter =
            db::ListFilter { organization: viewer.party(), customer_id: customer, status, search: f.search };
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
        Ok(InvitationPreview::new(workflows::by_code_for_customer(ctx.state(), viewer, &code).await?))
    }
}

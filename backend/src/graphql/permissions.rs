//! `viewerCan`: what the signed-in user may do to an object, and why not. Every answer comes from
//! the same domain rule the matching mutation enforces, so the two cannot disagree.

use super::context::RequestContext;
use super::error::GqlResult;
use super::loaders::Loaders;
use crate::db;
use crate::domain::delegated_admin::{Transition, decide, decide_auto_extend, toggled_auto_extend};
use crate::domain::{self, AppError, AppResult};
use crate::workflows;
use async_graphql::{Context, SimpleObject};
use uuid::Uuid;

/// Whether the viewer may do one thing, and the reason when not.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct Permission {
    /// Whether the action is allowed.
    pub allowed: bool,
    /// When refused: the error code the mutation would answer with.
    pub reason_code: Option<String>,
    /// The refusal's English message (`reason` gives it in the viewer's language).
    #[graphql(skip)]
    pub message: Option<String>,
}

#[async_graphql::ComplexObject]
impl Permission {
    /// When refused: why, in words.
    // In the viewer's language (the request's `Accept-Language`); English keeps the rule's own.
    async fn reason(&self, ctx: &Context<'_>) -> Option<String> {
        let (code, message) = (self.reason_code.as_deref()?, self.message.as_deref()?);
        Some(crate::i18n::refusal(ctx.language(), code, message))
    }
}

impl From<Result<(), domain::error::Refusal>> for Permission {
    fn from(r: Result<(), domain::error::Refusal>) -> Self {
        match r {
            Ok(()) => Permission { allowed: true, reason_code: None, message: None },
            Err(refusal) => Permission {
                allowed: false,
                reason_code: Some(refusal.code.as_str().to_owned()),
                message: Some(refusal.message),
            },
        }
    }
}

/// A rule's answer as a permission; an internal error (a failed read) stays an error.
fn permission<T>(r: AppResult<T>) -> GqlResult<Permission> {
    match r {
        Ok(_) => Ok(Permission::from(Ok(()))),
        Err(AppError::Refused(refusal)) => Ok(Permission::from(Err(refusal))),
        Err(internal) => Err(internal.into()),
    }
}

/// What the viewer may do to a delegated admin relationship; each answer agrees with the
/// matching mutation.
#[derive(SimpleObject)]
pub struct DelegatedAdminPermissions {
    /// Change a draft's terms (the partner's admin agent, while CREATED).
    pub update: Permission,
    /// Delete a draft (the partner's admin agent, while CREATED).
    pub delete: Permission,
    /// Send a draft to the customer for approval (the partner's admin agent, while CREATED).
    pub request_approval: Permission,
    /// Approve a pending request (the customer's global admin, while APPROVAL_PENDING). A
    /// conflicting holder of PROVISIONING or GLOBAL_ADMIN may still ask for `replaceExisting`.
    pub approve: Permission,
    /// Reject a pending request (the customer while APPROVAL_PENDING, the partner while
    /// CONSENT_PENDING).
    pub reject: Permission,
    /// Consent to a customer's direct grant (the partner's admin agent, while CONSENT_PENDING).
    pub consent: Permission,
    /// End the relationship (either side's admin, while pending or ACTIVE).
    pub terminate: Permission,
    /// Turn auto-extension to the other value (the partner's admin agent, while CREATED or
    /// ACTIVE; never on while the relationship carries GLOBAL_ADMIN).
    pub set_auto_extend: Permission,
}

pub fn delegated_admin(
    ctx: &Context<'_>,
    r: &db::delegated_admin::Relationship,
) -> GqlResult<DelegatedAdminPermissions> {
    let (viewer, now) = (ctx.viewer()?, ctx.now());
    let p = |t| permission(decide(viewer, &r.stored, t, now));
    Ok(DelegatedAdminPermissions {
        update: p(Transition::Update)?,
        delete: p(Transition::Delete)?,
        request_approval: p(Transition::RequestApproval)?,
        approve: p(Transition::Approve)?,
        reject: p(Transition::Reject)?,
        consent: p(Transition::Consent)?,
        terminate: p(Transition::Terminate)?,
        set_auto_extend: permission(decide_auto_extend(
            viewer,
            &r.stored,
            &r.roles,
            toggled_auto_extend(&r.stored.auto_extend),
            now,
        ))?,
    })
}

/// What the viewer may do to an invitation; each answer agrees with the matching mutation.
#[derive(SimpleObject)]
pub struct InvitationPermissions {
    /// Change its message (the inviting partner's admin or sales agent, while PENDING).
    pub update_message: Permission,
    /// Revoke it (the inviting partner's admin or sales agent, while PENDING).
    pub revoke: Permission,
    /// Accept it (the addressed customer's global admin, while PENDING). Accepting may still
    /// meet a conflicting holder of delegated PROVISIONING or GLOBAL_ADMIN.
    pub accept: Permission,
    /// Decline it (the addressed customer's global admin, while PENDING).
    pub decline: Permission,
}

pub async fn invitation(
    ctx: &Context<'_>,
    inv: &db::invitations::Invitation,
) -> GqlResult<InvitationPermissions> {
    let (viewer, now) = (ctx.viewer()?, ctx.now());
    let change =
        permission(domain::invitation::ensure_may_change(viewer, inv.partner_id, inv.status_at(now)))?;
    let answer = |accepting| async move {
        // Only a customer's global admin may answer: the others are told so without a read.
        if let Err(e) = domain::invitation::accepting_customer(viewer) {
            return permission::<()>(Err(e));
        }
        let mut conn = ctx.state().pool.acquire().await.map_err(AppError::from)?;
        permission(workflows::invitations::answer(&mut conn, viewer, inv, accepting, now).await)
    };
    Ok(InvitationPermissions {
        update_message: change.clone(),
        revoke: change,
        accept: answer(true).await?,
        decline: answer(false).await?,
    })
}

/// What a `viewerCan` that reads the database (per object, not batched) adds to a query's
/// complexity: a page of 100 costs 5,000 of the 20,000 a query may spend.
pub const READS_COST: usize = 50;

/// What the viewer may do to a provider–reseller partnership; each answer agrees with the
/// matching mutation.
#[derive(SimpleObject)]
pub struct PartnershipPermissions {
    /// Accept its link (an indirect reseller's admin agent, while PENDING, not already partnered
    /// with the provider).
    pub accept: Permission,
    /// Remove it (the admin agent of either side, while PENDING or ACTIVE).
    pub remove: Permission,
}

pub async fn partnership(
    ctx: &Context<'_>,
    p: &db::relationships::Partnership,
) -> GqlResult<PartnershipPermissions> {
    let (viewer, now) = (ctx.viewer()?, ctx.now());
    let remove = permission(domain::partnership::ensure_may_remove(
        viewer,
        p.provider_id,
        p.reseller_id,
        p.status_at(now),
    ))?;
    let accept = match domain::partnership::admin_of(
        viewer,
        domain::PartnerProgram::CspIndirectReseller,
        "accepts partnerships",
    ) {
        Err(e) => permission::<()>(Err(e))?,
        Ok(_) => {
            let mut conn = ctx.state().pool.acquire().await.map_err(AppError::from)?;
            permission(workflows::partnerships::may_accept(&mut conn, viewer, p, now).await)?
        }
    };
    Ok(PartnershipPermissions { accept, remove })
}

/// What the viewer may do to a reseller relationship; each answer agrees with the matching
/// query or mutation.
#[derive(SimpleObject)]
pub struct ResellerRelationshipPermissions {
    /// Preview what removal would do (either side's admin, or the operator, while ACTIVE).
    pub preview_removal: Permission,
    /// Remove it (the customer's global admin or the partner's admin agent, while ACTIVE and
    /// the partner is partner of record on none of the customer's active subscriptions).
    pub remove: Permission,
}

pub async fn reseller_relationship(
    ctx: &Context<'_>,
    r: &db::relationships::Relationship,
) -> GqlResult<ResellerRelationshipPermissions> {
    let (viewer, now) = (ctx.viewer()?, ctx.now());
    let parties = domain::reseller_relationship::Parties {
        partner_id: r.partner_id,
        customer_id: r.customer_id,
        status: r.status,
    };
    let preview_removal =
        permission(domain::reseller_relationship::ensure_may_preview_removal(viewer, parties))?;
    let remove = match domain::reseller_relationship::ensure_may_remove(viewer, parties, &[]) {
        Err(e) => permission::<()>(Err(e))?,
        Ok(()) => {
            let mut conn = ctx.state().pool.acquire().await.map_err(AppError::from)?;
            permission(workflows::relationships::may_remove(&mut conn, viewer, r, now).await)?
        }
    };
    Ok(ResellerRelationshipPermissions { preview_removal, remove })
}

/// What the viewer may do that concerns no one object yet; each answer agrees with the matching
/// mutation.
#[derive(SimpleObject)]
pub struct ViewerPermissions {
    /// Grant delegated admin rights to a partner (`grantDelegatedAdmin`): a customer's global
    /// admin.
    pub grant_delegated_admin: Permission,
}

pub fn viewer(viewer: &domain::Viewer) -> GqlResult<ViewerPermissions> {
    Ok(ViewerPermissions {
        grant_delegated_admin: permission(domain::delegated_admin::ensure_may_grant(viewer))?,
    })
}

/// What the viewer may do for a customer; each answer agrees with the matching mutation.
#[derive(SimpleObject)]
pub struct CustomerPermissions {
    /// Order a subscription for it (the operator's admin online direct; an admin or sales agent
    /// of a CSP direct partner or indirect provider with an active reseller relationship). An
    /// indirect provider's order also names a partnered reseller that works with the customer.
    pub order_subscription: Permission,
}

pub async fn customer(ctx: &Context<'_>, customer_id: Uuid) -> GqlResult<CustomerPermissions> {
    let viewer = ctx.viewer()?;
    let has_relationship = match viewer.partner_id() {
        Some(me) => ctx
            .data_unchecked::<Loaders>()
            .customer_relationships
            .load_one(customer_id)
            .await?
            .unwrap_or_default()
            .iter()
            .any(|r| r.partner_id == me),
        None => false,
    };
    Ok(CustomerPermissions {
        order_subscription: domain::subscription::ensure_may_order(viewer, has_relationship).into(),
    })
}

//! Asking for and granting rights: a partner's draft or request, and a customer's own grant.

use super::{ParsedTerms, Terms, append, parse_terms, rival_holders};
use crate::AppState;
use crate::db::{catalog, delegated_admin as db, organizations, relationships};
use crate::domain::access::{Scope, ensure_may_write};
use crate::domain::{delegated_admin as rules, *};
use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

/// Stores a new, not yet active relationship with its terms and reads it back.
#[allow(clippy::too_many_arguments)]
async fn insert_requested(
    tx: &mut PgConnection,
    t: &ParsedTerms,
    partner_id: Uuid,
    customer_id: Uuid,
    status: DelegatedAdminStatus,
    origin: DelegatedAdminOrigin,
    replace_existing: bool,
    now: DateTime<Utc>,
) -> AppResult<db::Relationship> {
    let id = db::insert(
        &mut *tx,
        &db::NewRelationship {
            invitation_id: None,
            replace_existing,
            display_name: &t.display_name,
            partner_id,
            customer_id,
            roles: &t.roles,
            service_ids: &t.service_ids,
            duration: &t.duration.text,
            duration_days: t.duration.days,
            auto_extend: t.auto_extend,
            status,
            origin,
            created_at: now,
            activated_at: None,
            ends_at: None,
        },
    )
    .await?;
    db::for_update(&mut *tx, id).await?.ok_or_else(|| AppError::not_found("relationship"))
}

/// A partner drafts a request for a customer it serves.
pub async fn create_draft(
    state: &AppState,
    viewer: &Viewer,
    customer_id: Uuid,
    terms: &Terms,
) -> AppResult<Uuid> {
    let now = state.clock.now();
    let mut tx = state.pool.begin().await?;
    let id = create_draft_in(&mut tx, viewer, customer_id, terms, now).await?;
    tx.commit().await?;
    Ok(id)
}

/// Everything about a draft that does not depend on the customer: who drafts, the program, the
/// terms and that the services exist. A bulk request asks this once when it starts.
pub async fn check_draft_in(
    tx: &mut PgConnection,
    viewer: &Viewer,
    terms: &Terms,
) -> AppResult<(Uuid, ParsedTerms)> {
    ensure_may_write(viewer)?;
    let partner = viewer.partner_id().filter(|_| viewer.has_role(Role::AdminAgent)).ok_or_else(|| {
        AppError::refused(
            Code::Forbidden,
            "only a partner's admin agent drafts delegated admin relationships",
        )
    })?;
    if viewer.partner_program.is_some_and(|p| !p.is_csp()) {
        return Err(AppError::refused(
            Code::AdvisorNotInCsp,
            "an Advisor must join CSP to ask for delegated admin rights",
        ));
    }
    let t = parse_terms(terms)?;
    catalog::ensure_services_exist(&mut *tx, &t.service_ids).await?;
    Ok((partner, t))
}

/// [`create_draft`] inside the caller's transaction (a bulk item commits it with its own status).
pub async fn create_draft_in(
    tx: &mut PgConnection,
    viewer: &Viewer,
    customer_id: Uuid,
    terms: &Terms,
    now: DateTime<Utc>,
) -> AppResult<Uuid> {
    let (partner, t) = check_draft_in(tx, viewer, terms).await?;
    // Share-lock the relationship first, so a draft cannot slip past a removal in progress.
    relationships::has_active_locked(&mut *tx, customer_id, partner).await?;
    organizations::visible_by_id(&mut *tx, Scope::of(viewer), viewer.organization_id, customer_id, now)
        .await?
        .filter(|o| o.kind == OrganizationKind::Customer)
        .ok_or_else(|| AppError::not_found("customer"))?;
    let r = insert_requested(
        tx,
        &t,
        partner,
        customer_id,
        DelegatedAdminStatus::Created,
        DelegatedAdminOrigin::PartnerRequest,
        false,
        now,
    )
    .await?;
    let id = r.id;
    append(
        tx,
        Some(viewer),
        now,
        "delegated_admin.created",
        &r,
        serde_json::json!({ "displayName": t.display_name }),
    )
    .await?;
    Ok(id)
}

/// A customer's global admin grants rights to a partner directly; it waits for the partner's consent.
pub async fn grant(
    state: &AppState,
    viewer: &Viewer,
    partner_id: Uuid,
    terms: &Terms,
    replace_existing: bool,
) -> AppResult<Uuid> {
    let customer = rules::ensure_may_grant(viewer)?;
    let t = parse_terms(terms)?;
    let now = state.clock.now();
    let mut tx = state.pool.begin().await?;
    let partner = organizations::by_ids(&mut *tx, &[partner_id])
        .await?
        .pop()
        .filter(|o| o.kind == OrganizationKind::Partner);
    let program =
        partner.and_then(|p| p.partner).map(|p| p.program).ok_or_else(|| AppError::not_found("partner"))?;
    if !program.may_hold_delegated_admin() {
        return Err(AppError::refused(
            Code::AdvisorNotInCsp,
            "an Advisor must join CSP to receive delegated admin rights",
        ));
    }
    catalog::ensure_services_exist(&mut *tx, &t.service_ids).await?;
    // The customer learns of a conflict now, not only the partner at consent.
    if rules::is_exclusive(&t.roles) {
        rival_holders(&mut tx, customer, partner_id, &t.service_ids, Uuid::nil(), replace_existing, now)
            .await?;
    }
    let r = insert_requested(
        &mut tx,
        &t,
        partner_id,
        customer,
        DelegatedAdminStatus::ConsentPending,
        DelegatedAdminOrigin::CustomerGrant,
        replace_existing,
        now,
    )
    .await?;
    let id = r.id;
    append(
        &mut tx,
        Some(viewer),
        now,
        "delegated_admin.granted",
        &r,
        serde_json::json!({ "replaceExisting": replace_existing }),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

//! The delegated admin lifecycle: drafts, approval, the customer's own grants, consent,
//! termination, auto-extension, and the one-exclusive-holder invariant.

use crate::AppState;
use crate::db::{audit, catalog, delegated_admin as db, organizations, relationships, subscriptions};
use crate::domain::access::{self, Scope, ensure_may_write};
use crate::domain::delegated_admin::{self as rules, RelationshipDuration, Transition};
use crate::domain::*;
use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

/// What a partner asks for, or a customer grants.
#[derive(Clone)]
pub struct Terms {
    pub display_name: String,
    pub roles: Vec<DelegatedRole>,
    pub service_ids: Vec<Uuid>,
    pub duration: String,
    pub auto_extend: String,
}

pub struct ParsedTerms {
    pub display_name: String,
    pub roles: Vec<DelegatedRole>,
    pub service_ids: Vec<Uuid>,
    pub duration: RelationshipDuration,
    pub auto_extend: &'static str,
}

pub fn parse_terms(t: &Terms) -> AppResult<ParsedTerms> {
    let roles = rules::parse_roles(&t.roles)?;
    let mut service_ids = t.service_ids.clone();
    service_ids.sort();
    service_ids.dedup();
    if service_ids.is_empty() {
        return Err(AppError::bad_input("name at least one service"));
    }
    Ok(ParsedTerms {
        display_name: rules::parse_display_name(&t.display_name)?,
        duration: RelationshipDuration::parse(&t.duration)?,
        auto_extend: rules::parse_auto_extend(&t.auto_extend, &roles)?,
        roles,
        service_ids,
    })
}

async fn append(
    tx: &mut PgConnection,
    viewer: Option<&Viewer>,
    now: DateTime<Utc>,
    action: &str,
    r: &db::Relationship,
    details: serde_json::Value,
) -> AppResult<()> {
    let e = audit::Event::new(action, "DelegatedAdminRelationship", r.id)
        .customer(r.stored.customer_id)
        .partner(r.stored.partner_id)
        .details(details);
    let actor = viewer.map(audit::Actor::from).unwrap_or(audit::Actor::SYSTEM);
    audit::append(&mut *tx, actor, now, e).await?;
    Ok(())
}

/// Refuses with DELEGATED_ADMIN_CONFLICT, naming them, when partners other than `partner_id`
/// hold PROVISIONING or GLOBAL_ADMIN for one of the services; returns those rival holders
/// (locked) when `replace` says to take their place.
async fn rival_holders(
    tx: &mut PgConnection,
    customer: Uuid,
    partner_id: Uuid,
    service_ids: &[Uuid],
    except: Uuid,
    replace: bool,
    now: DateTime<Utc>,
) -> AppResult<Vec<db::Holder>> {
    db::release_lapsed_claims(&mut *tx, customer, now).await?;
    let rivals: Vec<db::Holder> = db::exclusive_holders(&mut *tx, customer, service_ids, except)
        .await?
        .into_iter()
        .filter(|h| h.partner_id != partner_id)
        .collect();
    if !rivals.is_empty() && !replace {
        let mut names: Vec<&str> = rivals.iter().map(|h| h.partner_name.as_str()).collect();
        names.dedup();
        return Err(AppError::refused(
            Code::DelegatedAdminConflict,
            format!("{} already holds PROVISIONING or GLOBAL_ADMIN for this service", names.join(", ")),
        )
        .with_details(serde_json::json!({
            "holders": rivals.iter().map(|h| serde_json::json!({
                "partnerId": h.partner_id, "partnerName": h.partner_name, "serviceId": h.service_id,
                "relationshipId": h.relationship_id })).collect::<Vec<_>>()
        })));
    }
    Ok(rivals)
}

/// Rights go only to partners in CSP: an Advisor (program closed) cannot receive them.
async fn ensure_partner_in_csp(tx: &mut PgConnection, partner_id: Uuid) -> AppResult<()> {
    let program = organizations::by_ids(&mut *tx, &[partner_id])
        .await?
        .pop()
        .and_then(|o| o.partner)
        .map(|p| p.program)
        .ok_or_else(|| AppError::not_found("partner"))?;
    if !program.is_csp() {
        return Err(AppError::refused(
            Code::AdvisorNotInCsp,
            "an Advisor must join CSP to hold delegated admin rights",
        ));
    }
    Ok(())
}

/// Activates a relationship under the invariant: per customer and service at most one partner
/// holds PROVISIONING or GLOBAL_ADMIN. A conflict names the holder unless `replace` ends the
/// holder's role for that service. The partner's own older relationships are not rivals.
pub async fn activate(
    tx: &mut PgConnection,
    viewer: Option<&Viewer>,
    r: &db::Relationship,
    replace: bool,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let customer = r.stored.customer_id;
    ensure_partner_in_csp(tx, r.stored.partner_id).await?;
    let exclusive = rules::is_exclusive(&r.roles);
    if exclusive {
        let rivals =
            rival_holders(tx, customer, r.stored.partner_id, &r.service_ids, r.id, replace, now).await?;
        for h in &rivals {
            // The holder loses the exclusive role for this service and keeps the rest: when the
            // relationship covers only this service, its other roles (SUPPORT) stay; otherwise the
            // service leaves it. A relationship left with nothing is terminated.
            let held =
                db::by_id(&mut *tx, h.relationship_id).await?.ok_or_else(|| AppError::not_found("holder"))?;
            let other_roles = held
                .roles
                .iter()
                .any(|r| !matches!(r, DelegatedRole::Provisioning | DelegatedRole::GlobalAdmin));
            let ended = if held.service_ids.len() == 1 && other_roles {
                db::drop_exclusive_roles(&mut *tx, h.relationship_id).await?;
                false
            } else {
                db::drop_service(&mut *tx, h.relationship_id, h.service_id).await? == 0
            };
            if ended {
                db::set_status(
                    &mut *tx,
                    h.relationship_id,
                    DelegatedAdminStatus::Terminated,
                    now,
                    viewer.map(|v| v.organization_id),
                )
                .await?;
            }
            // Stages the replaced partner no longer holds a role for fall back; the rest stay.
            let affected =
                subscriptions::release_stages_without_role(&mut *tx, customer, h.partner_id, now).await?;
            let actor = viewer.map(audit::Actor::from).unwrap_or(audit::Actor::SYSTEM);
            audit::append(
                &mut *tx,
                actor,
                now,
                audit::Event::new("delegated_admin.role_replaced", "DelegatedAdminRelationship", h.relationship_id)
                    .customer(customer)
                    .partner(h.partner_id)
                    .also_partner(r.stored.partner_id)
                    .details(serde_json::json!({ "serviceId": h.service_id, "replacedBy": r.id, "subscriptions": affected, "terminated": ended })),
            )
            .await?;
        }
    }
    db::activate(&mut *tx, r.id, now, exclusive).await?;
    append(
        tx,
        viewer,
        now,
        "delegated_admin.activated",
        r,
        serde_json::json!({ "roles": r.roles.iter().map(|x| x.as_str()).collect::<Vec<_>>() }),
    )
    .await
}

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
    ensure_may_write(viewer)?;
    let partner = viewer.partner_id().filter(|_| viewer.has_role(Role::AdminAgent)).ok_or_else(|| {
        AppError::refused(
            Code::Forbidden,
            "only a partner's ADMIN_AGENT drafts delegated admin relationships",
        )
    })?;
    if viewer.partner_program.is_some_and(|p| !p.is_csp()) {
        return Err(AppError::refused(
            Code::AdvisorNotInCsp,
            "an Advisor must join CSP to ask for delegated admin rights",
        ));
    }
    let t = parse_terms(terms)?;
    let now = state.clock.now();
    let mut tx = state.pool.begin().await?;
    catalog::ensure_services_exist(&mut *tx, &t.service_ids).await?;
    // Share-lock the relationship first, so a draft cannot slip past a removal in progress.
    relationships::has_active_locked(&mut *tx, customer_id, partner).await?;
    organizations::visible_by_id(&mut *tx, Scope::of(viewer), viewer.organization_id, customer_id, now)
        .await?
        .filter(|o| o.kind == OrganizationKind::Customer)
        .ok_or_else(|| AppError::not_found("customer"))?;
    let r = insert_requested(
        &mut tx,
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
        &mut tx,
        Some(viewer),
        now,
        "delegated_admin.created",
        &r,
        serde_json::json!({ "displayName": t.display_name }),
    )
    .await?;
    tx.commit().await?;
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
    ensure_may_write(viewer)?;
    let customer = viewer.customer_id().filter(|_| viewer.has_role(Role::GlobalAdmin)).ok_or_else(|| {
        AppError::refused(
            Code::CustomerGlobalAdminRequired,
            "only the customer's global admin grants delegated rights",
        )
    })?;
    let t = parse_terms(terms)?;
    let now = state.clock.now();
    let mut tx = state.pool.begin().await?;
    let partner = organizations::by_ids(&mut *tx, &[partner_id])
        .await?
        .pop()
        .filter(|o| o.kind == OrganizationKind::Partner);
    let program =
        partner.and_then(|p| p.partner).map(|p| p.program).ok_or_else(|| AppError::not_found("partner"))?;
    if !program.is_csp() {
        return Err(AppError::refused(
            Code::AdvisorNotInCsp,
            "an Advisor must join CSP to receive delegated rights",
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

/// Everything after creation: one transition, decided by the domain's state machine.
pub async fn transition(
    state: &AppState,
    viewer: &Viewer,
    id: Uuid,
    t: Transition,
    replace_existing: bool,
    new_terms: Option<&Terms>,
    auto_extend: Option<&str>,
) -> AppResult<bool> {
    let now = state.clock.now();
    let mut tx = state.pool.begin().await?;
    let r = db::for_update(&mut *tx, id)
        .await?
        .ok_or_else(|| AppError::not_found("delegated admin relationship"))?;
    // What the viewer may not see is NOT_FOUND, like a missing one.
    let is_draft = r.stored.status == DelegatedAdminStatus::Created;
    if !access::may_see_delegated_admin(viewer, r.stored.partner_id, r.stored.customer_id, is_draft) {
        return Err(AppError::not_found("delegated admin relationship"));
    }
    let next = rules::decide(viewer, &r.stored, t, now)?;
    let mut deleted = false;
    match t {
        Transition::Update => {
            let terms = new_terms.ok_or_else(|| AppError::bad_input("give the new terms"))?;
            let p = parse_terms(terms)?;
            catalog::ensure_services_exist(&mut *tx, &p.service_ids).await?;
            let draft = db::DraftTerms {
                display_name: &p.display_name,
                roles: &p.roles,
                service_ids: &p.service_ids,
                duration: &p.duration.text,
                duration_days: p.duration.days,
                auto_extend: p.auto_extend,
            };
            db::update_draft(&mut tx, id, &draft).await?;
        }
        Transition::Delete => {
            append(&mut tx, Some(viewer), now, t.audit_action(), &r, serde_json::json!({})).await?;
            db::delete(&mut *tx, id).await?;
            deleted = true;
        }
        Transition::Approve | Transition::Consent => {
            let replace = if t == Transition::Consent { r.replace_existing } else { replace_existing };
            activate(&mut tx, Some(viewer), &r, replace, now).await?;
        }
        Transition::SetAutoExtend => {
            let value =
                rules::decide_auto_extend(viewer, &r.stored, &r.roles, auto_extend.unwrap_or("P0D"), now)?;
            db::set_auto_extend(&mut *tx, id, value).await?;
        }
        Transition::Terminate => {
            db::set_status(&mut tx, id, next, now, Some(viewer.organization_id)).await?;
            // Only the stages this partner no longer holds a role for fall back.
            subscriptions::release_stages_without_role(
                &mut *tx,
                r.stored.customer_id,
                r.stored.partner_id,
                now,
            )
            .await?;
        }
        Transition::RequestApproval | Transition::Reject => {
            db::set_status(&mut tx, id, next, now, Some(viewer.organization_id)).await?;
        }
    }
    if !deleted {
        append(
            &mut tx,
            Some(viewer),
            now,
            t.audit_action(),
            &r,
            serde_json::json!({ "from": r.stored.status_at(now).as_str(), "to": next.as_str() }),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(!deleted)
}

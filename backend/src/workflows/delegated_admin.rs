//! The delegated admin lifecycle: drafts, approval, the customer's own grants, consent,
//! termination, auto-extension, and the one-exclusive-holder invariant. This module owns the
//! terms, activation and the exclusive-holder checks; `requests` owns drafts and grants,
//! `transitions` the moves between statuses.

mod requests;
mod transitions;

pub use requests::*;
pub use transitions::*;

use crate::db::{audit, delegated_admin as db, organizations, subscriptions};
use crate::domain::delegated_admin::RelationshipDuration;
use crate::domain::{delegated_admin as rules, *};
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
            format!(
                "{} already holds provisioning or global admin rights for this service",
                names.join(", ")
            ),
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
    if !program.may_hold_delegated_admin() {
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

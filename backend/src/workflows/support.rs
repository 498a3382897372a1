//! Opening and working support requests.

use crate::AppState;
use crate::db::{audit, delegated_admin, subscriptions, support as db};
use crate::domain::access::Scope;
use crate::domain::subscription::{SubscriptionAction, ViewerStanding, decide};
use crate::domain::support::{self, Parties, SupportStatus};
use crate::domain::*;
use uuid::Uuid;

/// The customer's global admin, or a partner holding SUPPORT for the service, opens a request;
/// it goes to the partner serving support (or the operator).
pub async fn open(
    state: &AppState,
    viewer: &Viewer,
    subscription_id: Uuid,
    title: &str,
    description: &str,
) -> AppResult<Uuid> {
    let title = title.trim();
    if title.is_empty() || title.chars().count() > 200 {
        return Err(AppError::bad_input("a title has 1 to 200 characters"));
    }
    if description.chars().count() > 10_000 {
        return Err(AppError::bad_input("a description has at most 10,000 characters"));
    }
    let now = state.clock.now();
    let mut tx = state.pool.begin().await?;
    let sub = subscriptions::visible_for_update(&mut *tx, Scope::of(viewer), subscription_id, now)
        .await?
        .ok_or_else(|| AppError::not_found("subscription"))?;
    let f = &sub.facts;
    let delegated_roles = match viewer.partner_id() {
        Some(p) => delegated_admin::roles_held(&mut *tx, p, &[(f.customer_id, f.service_id)], now)
            .await?
            .remove(&(f.customer_id, f.service_id))
            .unwrap_or_default(),
        None => Vec::new(),
    };
    decide(
        viewer,
        &ViewerStanding { delegated_roles, partner_program: viewer.partner_program },
        f,
        SubscriptionAction::OpenSupportRequest,
    )?;
    let support_partner = viewer.partner_id().or(f.service_partner(LifecycleStage::Support));
    let id = db::insert(
        &mut *tx,
        &db::NewRequest {
            subscription_id,
            customer_id: f.customer_id,
            opened_by_user_id: viewer.user_id,
            opened_by_organization_id: viewer.organization_id,
            support_partner_id: support_partner,
            title,
            description,
            at: now,
        },
    )
    .await?;
    let mut event = audit::Event::new("support_request.opened", "SupportRequest", id).customer(f.customer_id);
    if let Some(p) = support_partner {
        event = event.partner(p);
    }
    audit::append(&mut *tx, viewer.into(), now, event).await?;
    tx.commit().await?;
    Ok(id)
}

/// A status change and/or a comment, by a party of the request.
pub async fn update(
    state: &AppState,
    viewer: &Viewer,
    id: Uuid,
    to: Option<SupportStatus>,
    comment: Option<&str>,
) -> AppResult<()> {
    if to.is_none() && comment.is_none() {
        return Err(AppError::bad_input("give a status or a comment"));
    }
    if let Some(c) = comment
        && (c.trim().is_empty() || c.chars().count() > 10_000)
    {
        return Err(AppError::bad_input("a comment has 1 to 10,000 characters"));
    }
    let now = state.clock.now();
    let mut tx = state.pool.begin().await?;
    let r = db::by_id(&mut *tx, id, true).await?.ok_or_else(|| AppError::not_found("support request"))?;
    let parties = Parties {
        customer_id: r.customer_id,
        support_partner_id: r.support_partner_id,
        status: SupportStatus::parse(&r.status)?,
    };
    support::decide(viewer, &parties, to)?;
    if let Some(c) = comment {
        db::add_comment(&mut *tx, id, viewer.user_id, c.trim(), now).await?;
    }
    if let Some(s) = to {
        db::set_status(&mut *tx, id, s.as_str(), now).await?;
    }
    let action = match to {
        Some(SupportStatus::Escalated) => "support_request.escalated",
        Some(SupportStatus::Resolved) => "support_request.resolved",
        Some(_) => "support_request.updated",
        None => "support_request.commented",
    };
    let mut event = audit::Event::new(action, "SupportRequest", id).customer(r.customer_id);
    if let Some(p) = r.support_partner_id {
        event = event.partner(p);
    }
    audit::append(
        &mut *tx,
        viewer.into(),
        now,
        event.details(serde_json::json!({ "status": to.map(|s| s.as_str()) })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

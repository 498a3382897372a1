//! Opening and working support requests.

use crate::AppState;
use crate::db::{audit, delegated_admin, subscriptions, support as db};
use crate::domain::access::Scope;
use crate::domain::subscription::{SubscriptionAction, decide};
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
    let title = crate::domain::inputs::parse_line(title, "title", crate::domain::inputs::limits::TITLE)?;
    let title = title.as_str();
    crate::domain::inputs::check_text(
        description,
        "description",
        0,
        crate::domain::inputs::limits::DESCRIPTION,
        true,
    )?;
    let now = state.clock.now();
    let mut tx = state.pool.begin().await?;
    let sub = subscriptions::visible_for_update(&mut *tx, Scope::of(viewer), subscription_id, now)
        .await?
        .ok_or_else(|| AppError::not_found("subscription"))?;
    let f = &sub.facts;
    let standing = super::subscriptions::standing(&mut tx, viewer, f, now).await?;
    decide(viewer, &standing, f, SubscriptionAction::OpenSupportRequest)?;
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

/// Whether `partner` serves support on the subscription now: it is the stage's partner (an
/// override in force, or the partner of record by default) or holds delegated SUPPORT.
async fn serves_support(
    tx: &mut sqlx::PgConnection,
    partner: Uuid,
    subscription_id: Uuid,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<bool> {
    let Some(sub) = subscriptions::visible_by_id(&mut *tx, Scope::Everything, subscription_id, now).await?
    else {
        return Ok(false);
    };
    let f = &sub.facts;
    if f.service_partner(LifecycleStage::Support) == Some(partner) {
        return Ok(true);
    }
    let key = (f.customer_id, f.service_id);
    let held = delegated_admin::roles_held(&mut *tx, partner, &[key], now).await?.remove(&key);
    Ok(held.unwrap_or_default().contains(&DelegatedRole::Support))
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
    if let Some(c) = comment {
        crate::domain::inputs::check_text(
            c.trim(),
            "comment",
            1,
            crate::domain::inputs::limits::COMMENT,
            true,
        )?;
    }
    let now = state.clock.now();
    let mut tx = state.pool.begin().await?;
    let r = db::by_id(&mut *tx, id, true).await?.ok_or_else(|| AppError::not_found("support request"))?;
    // A request is seen and worked only while its subscription is visible to the viewer.
    subscriptions::visible_by_id(&mut *tx, Scope::of(viewer), r.subscription_id, now)
        .await?
        .ok_or_else(|| AppError::not_found("support request"))?;
    let parties = Parties {
        customer_id: r.customer_id,
        support_partner_id: r.support_partner_id,
        status: r.status,
        support_partner_serves: match r.support_partner_id {
            Some(p) => serves_support(&mut tx, p, r.subscription_id, now).await?,
            None => true,
        },
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

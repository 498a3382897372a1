//! Removing a reseller relationship, with a preview that says exactly what removal does.

use crate::AppState;
use crate::db::{audit, delegated_admin, relationships as db, subscriptions};
use crate::domain::access;
use crate::domain::*;
use sqlx::PgConnection;
use uuid::Uuid;

/// What removing a relationship would do, or what blocks it.
#[derive(Debug, Clone)]
pub struct RemovalPreview {
    pub relationship: db::Relationship,
    /// ACTIVE subscriptions of which the partner is partner of record: removal is refused.
    pub blocking_subscriptions: Vec<(Uuid, String)>,
    /// Delegated admin relationships of the partner with the customer that end.
    pub ending_delegated_admin: Vec<delegated_admin::Relationship>,
    /// Subscriptions whose provisioning or support the partner stops serving.
    pub released_subscriptions: Vec<(Uuid, String)>,
}

/// The customer's global admin and the partner's admin agent preview and remove it; the operator
/// previews (it reads everything) but does not remove; whoever may not see the relationship
/// learns nothing (NOT_FOUND), the parties' other roles are told why not.
fn ensure_party(viewer: &Viewer, r: &db::Relationship, removing: bool) -> AppResult<()> {
    if !access::may_see_reseller_relationship(viewer, r.partner_id, r.customer_id) {
        return Err(AppError::not_found("reseller relationship"));
    }
    let customer_admin = viewer.customer_id() == Some(r.customer_id) && viewer.has_role(Role::GlobalAdmin);
    let partner_admin = viewer.partner_id() == Some(r.partner_id) && viewer.has_role(Role::AdminAgent);
    if customer_admin || partner_admin || (viewer.is_operator() && !removing) {
        return Ok(());
    }
    Err(AppError::refused(
        Code::Forbidden,
        "removing a relationship needs the customer's GLOBAL_ADMIN or the partner's ADMIN_AGENT",
    ))
}

async fn preview_in(
    tx: &mut PgConnection,
    viewer: &Viewer,
    r: db::Relationship,
    now: chrono::DateTime<chrono::Utc>,
    removing: bool,
) -> AppResult<RemovalPreview> {
    ensure_party(viewer, &r, removing)?;
    if r.status != RelationshipStatus::Active {
        return Err(AppError::refused(Code::InvalidStateTransition, "the relationship is already removed")
            .with_details(serde_json::json!({ "state": r.status.as_str() })));
    }
    // A reseller with another active row for this customer (through another provider) keeps
    // serving it: only this row goes, its rights and stages stay.
    let stays = db::has_other_active(&mut *tx, r.customer_id, r.partner_id, r.relationship_id).await?;
    Ok(RemovalPreview {
        blocking_subscriptions: subscriptions::active_of_record(&mut *tx, r.customer_id, r.partner_id, now)
            .await?,
        ending_delegated_admin: if stays {
            Vec::new()
        } else {
            delegated_admin::running_between(&mut *tx, r.customer_id, r.partner_id, now).await?
        },
        released_subscriptions: if stays {
            Vec::new()
        } else {
            subscriptions::served_by(&mut *tx, r.customer_id, r.partner_id).await?
        },
        relationship: r,
    })
}

pub async fn preview(state: &AppState, viewer: &Viewer, id: Uuid) -> AppResult<RemovalPreview> {
    let now = state.clock.now();
    let mut conn = state.pool.acquire().await?;
    let r = db::by_id(&mut *conn, id).await?.ok_or_else(|| AppError::not_found("reseller relationship"))?;
    preview_in(&mut conn, viewer, r, now, false).await
}

/// Removes the relationship and does what the preview said, in one transaction.
pub async fn remove(state: &AppState, viewer: &Viewer, id: Uuid) -> AppResult<RemovalPreview> {
    if viewer.read_only {
        return Err(AppError::refused(Code::Forbidden, "this API token is read-only"));
    }
    let now = state.clock.now();
    let mut tx = state.pool.begin().await?;
    let r =
        db::for_update(&mut *tx, id).await?.ok_or_else(|| AppError::not_found("reseller relationship"))?;
    let p = preview_in(&mut tx, viewer, r, now, true).await?;
    if !p.blocking_subscriptions.is_empty() {
        let names: Vec<&str> = p.blocking_subscriptions.iter().map(|(_, n)| n.as_str()).collect();
        return Err(AppError::refused(
            Code::ActiveSubscriptionsExist,
            format!("the partner is partner of record on active subscriptions: {}", names.join(", ")),
        )
        .with_details(serde_json::json!({
            "subscriptions": p.blocking_subscriptions.iter().map(|(id, n)| serde_json::json!({ "id": id, "friendlyName": n })).collect::<Vec<_>>()
        })));
    }
    let (customer, partner) = (p.relationship.customer_id, p.relationship.partner_id);
    db::remove(&mut *tx, id, now).await?;
    for d in &p.ending_delegated_admin {
        delegated_admin::set_status(
            &mut tx,
            d.id,
            DelegatedAdminStatus::Terminated,
            now,
            Some(viewer.organization_id),
        )
        .await?;
        audit::append(
            &mut *tx,
            viewer.into(),
            now,
            audit::Event::new("delegated_admin.terminated", "DelegatedAdminRelationship", d.id)
                .customer(customer)
                .partner(partner)
                .details(serde_json::json!({ "reason": "reseller relationship removed" })),
        )
        .await?;
    }
    if !p.ending_delegated_admin.is_empty() || !p.released_subscriptions.is_empty() {
        subscriptions::release_stages_without_role(&mut *tx, customer, partner, now).await?;
    }
    audit::append(
        &mut *tx,
        viewer.into(),
        now,
        audit::Event::new("reseller_relationship.removed", "ResellerRelationship", id)
            .customer(customer)
            .partner(partner)
            .details(serde_json::json!({
                "kind": p.relationship.kind.as_str(),
                "delegatedAdminEnded": p.ending_delegated_admin.iter().map(|d| d.id).collect::<Vec<_>>(),
                "subscriptionsReleased": p.released_subscriptions.iter().map(|(id, _)| id).collect::<Vec<_>>(),
            })),
    )
    .await?;
    tx.commit().await?;
    Ok(p)
}

//! Removing a reseller relationship, with a preview that says exactly what removal does.

use crate::AppState;
use crate::db::{audit, delegated_admin, relationships as db, subscriptions};
use crate::domain::access;
use crate::domain::reseller_relationship::{Parties, ensure_may_preview_removal, ensure_may_remove};
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

/// What the viewer may not see is NOT_FOUND, like a missing relationship.
fn ensure_visible(viewer: &Viewer, r: &db::Relationship) -> AppResult<()> {
    if !access::may_see_reseller_relationship(viewer, r.partner_id, r.customer_id) {
        return Err(AppError::not_found("reseller relationship"));
    }
    Ok(())
}

fn parties(r: &db::Relationship) -> Parties {
    Parties { partner_id: r.partner_id, customer_id: r.customer_id, status: r.status }
}

/// Whether the viewer may remove the relationship now; `viewerCan.remove` asks this, and the
/// removal asks the same rule over what it read under lock.
pub async fn may_remove(
    db: &mut PgConnection,
    viewer: &Viewer,
    r: &db::Relationship,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<()> {
    // Who may not remove it at all is told so without reading its subscriptions.
    ensure_may_remove(viewer, parties(r), &[])?;
    let blocking = subscriptions::active_of_record(&mut *db, r.customer_id, r.partner_id, now).await?;
    ensure_may_remove(viewer, parties(r), &blocking)
}

async fn preview_in(
    tx: &mut PgConnection,
    viewer: &Viewer,
    r: db::Relationship,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<RemovalPreview> {
    ensure_visible(viewer, &r)?;
    ensure_may_preview_removal(viewer, parties(&r))?;
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
    preview_in(&mut conn, viewer, r, now).await
}

/// Removes the relationship and does what the preview said, in one transaction.
pub async fn remove(state: &AppState, viewer: &Viewer, id: Uuid) -> AppResult<RemovalPreview> {
    let now = state.clock.now();
    let mut tx = state.pool.begin().await?;
    let r =
        db::for_update(&mut *tx, id).await?.ok_or_else(|| AppError::not_found("reseller relationship"))?;
    ensure_visible(viewer, &r)?;
    ensure_may_remove(viewer, parties(&r), &[])?;
    let p = preview_in(&mut tx, viewer, r, now).await?;
    ensure_may_remove(viewer, parties(&p.relationship), &p.blocking_subscriptions)?;
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

/// Makes a reseller relationship active in the caller's transaction and, when that created it
/// (or brought it back from removal), records `reseller_relationship.created` for the feed.
pub(crate) async fn make_active(
    tx: &mut PgConnection,
    actor: audit::Actor,
    r: &db::NewRelationship,
) -> AppResult<()> {
    if let Some(id) = db::upsert_active(&mut *tx, r).await? {
        let mut e = audit::Event::new("reseller_relationship.created", "ResellerRelationship", id)
            .customer(r.customer_id)
            .partner(r.partner_id)
            .details(serde_json::json!({ "relationshipKind": r.kind.as_str() }));
        if let Some(provider) = r.indirect_provider_id {
            e = e.also_partner(provider);
        }
        audit::append(&mut *tx, actor, r.at, e).await?;
    }
    Ok(())
}

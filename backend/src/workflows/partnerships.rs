//! Provider–reseller partnerships: an indirect provider invites an indirect reseller, which
//! accepts; either side may remove it. Removal leaves customers and delegated rights untouched.

use crate::AppState;
use crate::db::{audit, relationships as db};
use crate::domain::credentials::{LINK_CODE_ATTEMPTS, new_link_code};
use crate::domain::partnership::{admin_of, ensure_may_accept, ensure_may_remove};
use crate::domain::*;
use uuid::Uuid;

pub async fn invite(state: &AppState, viewer: &Viewer) -> AppResult<Uuid> {
    let provider = admin_of(viewer, PartnerProgram::CspIndirectProvider, "invites resellers")?;
    let now = state.clock.now();
    let mut tx = state.pool.begin().await?;
    let expires_at = crate::domain::partnership::link_expiry(now);
    let mut inserted = None;
    // A fresh code on a collision with an existing one (128 random bits: in practice never).
    for _ in 0..LINK_CODE_ATTEMPTS {
        inserted =
            db::insert_pending_partnership(&mut *tx, provider, &new_link_code(), now, expires_at).await?;
        if inserted.is_some() {
            break;
        }
    }
    let id =
        inserted.ok_or_else(|| anyhow::anyhow!("no free partnership code in {LINK_CODE_ATTEMPTS} draws"))?;
    audit::append(
        &mut *tx,
        viewer.into(),
        now,
        audit::Event::new("partnership.invited", "ResellerPartnership", id).partner(provider),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn accept(state: &AppState, viewer: &Viewer, code: &str) -> AppResult<Uuid> {
    // Only a reseller's admin agent learns whether the code exists.
    admin_of(viewer, PartnerProgram::CspIndirectReseller, "accepts partnerships")?;
    let now = state.clock.now();
    let mut tx = state.pool.begin().await?;
    let p = db::partnership_by_code_for_update(&mut *tx, code)
        .await?
        .ok_or_else(|| AppError::not_found("partnership"))?;
    let reseller = may_accept(&mut tx, viewer, &p, now).await?;
    db::accept_partnership(&mut *tx, p.partnership_id, reseller, now).await?;
    audit::append(
        &mut *tx,
        viewer.into(),
        now,
        audit::Event::new("partnership.accepted", "ResellerPartnership", p.partnership_id)
            .partner(p.provider_id)
            .also_partner(reseller),
    )
    .await?;
    tx.commit().await?;
    Ok(p.partnership_id)
}

pub async fn remove(state: &AppState, viewer: &Viewer, id: Uuid) -> AppResult<()> {
    let now = state.clock.now();
    let mut tx = state.pool.begin().await?;
    let p =
        db::partnership_by_id(&mut *tx, id, true).await?.ok_or_else(|| AppError::not_found("partnership"))?;
    if !is_party(viewer, &p) {
        return Err(AppError::not_found("partnership"));
    }
    ensure_may_remove(viewer, p.provider_id, p.reseller_id, p.status_at(now))?;
    db::remove_partnership(&mut *tx, id, viewer.organization_id, now).await?;
    let mut event =
        audit::Event::new("partnership.removed", "ResellerPartnership", id).partner(p.provider_id);
    if let Some(r) = p.reseller_id {
        event = event.also_partner(r);
    }
    audit::append(&mut *tx, viewer.into(), now, event).await?;
    tx.commit().await?;
    Ok(())
}

/// Whether the viewer takes part in the partnership (what it may not see is NOT_FOUND).
pub fn is_party(viewer: &Viewer, p: &db::Partnership) -> bool {
    viewer.partner_id().is_some_and(|me| me == p.provider_id || Some(me) == p.reseller_id)
}

/// Whether the viewer may accept this partnership link now (the rule, with what it needs read).
pub async fn may_accept(
    db: &mut sqlx::PgConnection,
    viewer: &Viewer,
    p: &db::Partnership,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<Uuid> {
    // Only a pending link is worth the read (viewerCan asks this for every listed one).
    let already = match viewer.partner_id() {
        Some(me) if p.status_at(now) == PartnershipStatus::Pending => {
            crate::db::organizations::is_active_partnership(&mut *db, p.provider_id, me).await?
        }
        _ => false,
    };
    ensure_may_accept(viewer, p.status_at(now), already)
}

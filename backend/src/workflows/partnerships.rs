//! Provider–reseller partnerships: an indirect provider invites an indirect reseller, which
//! accepts; either side may remove it. Removal leaves customers and delegated rights untouched.

use crate::AppState;
use crate::db::{audit, relationships as db};
use crate::domain::credentials::{LINK_CODE_ATTEMPTS, new_link_code};
use crate::domain::*;
use uuid::Uuid;

fn admin_of(viewer: &Viewer, program: PartnerProgram, what: &str) -> AppResult<Uuid> {
    if viewer.read_only {
        return Err(AppError::refused(Code::Forbidden, "this API token is read-only"));
    }
    match (viewer.partner_id(), viewer.partner_program) {
        (Some(p), Some(prog)) if prog == program && viewer.has_role(Role::AdminAgent) => Ok(p),
        (Some(_), Some(prog)) if prog == program => {
            Err(AppError::refused(Code::Forbidden, format!("{what} needs the role ADMIN_AGENT")))
        }
        _ => {
            Err(AppError::refused(Code::Forbidden, format!("only a {program} partner's admin agent {what}")))
        }
    }
}

pub async fn invite(state: &AppState, viewer: &Viewer) -> AppResult<Uuid> {
    let provider = admin_of(viewer, PartnerProgram::CspIndirectProvider, "invites resellers")?;
    let now = state.clock.now();
    let mut tx = state.pool.begin().await?;
    let expires_at = now + chrono::Duration::days(PARTNERSHIP_LINK_DAYS);
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
    let reseller = admin_of(viewer, PartnerProgram::CspIndirectReseller, "accepts partnerships")?;
    let now = state.clock.now();
    let mut tx = state.pool.begin().await?;
    let p = db::partnership_by_code_for_update(&mut *tx, code)
        .await?
        .ok_or_else(|| AppError::not_found("partnership"))?;
    let status = p.status_at(now);
    if status != PartnershipStatus::Pending {
        return Err(AppError::refused(
            Code::InvalidStateTransition,
            format!("this partnership link is {status}"),
        )
        .with_details(serde_json::json!({ "state": status.as_str() })));
    }
    if crate::db::organizations::is_active_partnership(&mut *tx, p.provider_id, reseller).await? {
        return Err(AppError::refused(
            Code::Conflict,
            "you are already in an active partnership with this provider",
        ));
    }
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
    if viewer.read_only {
        return Err(AppError::refused(Code::Forbidden, "this API token is read-only"));
    }
    let now = state.clock.now();
    let mut tx = state.pool.begin().await?;
    let p =
        db::partnership_by_id(&mut *tx, id, true).await?.ok_or_else(|| AppError::not_found("partnership"))?;
    let party = viewer.partner_id().is_some_and(|me| me == p.provider_id || Some(me) == p.reseller_id);
    if !party {
        return Err(AppError::not_found("partnership"));
    }
    if !viewer.has_role(Role::AdminAgent) {
        return Err(AppError::refused(Code::Forbidden, "removing a partnership needs the role ADMIN_AGENT"));
    }
    let status = p.status_at(now);
    if matches!(status, PartnershipStatus::Removed | PartnershipStatus::Expired) {
        return Err(AppError::refused(Code::InvalidStateTransition, format!("the partnership is {status}"))
            .with_details(serde_json::json!({ "state": status.as_str() })));
    }
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

//! Removing a reseller relationship: who may, and what blocks it. The preview, the removal and
//! `viewerCan.remove` all ask these rules.

use super::error::{AppError, AppResult, Code};
use super::{Role, Viewer};
use uuid::Uuid;

/// The parties and state of one relationship, as the rules need them.
#[derive(Debug, Clone, Copy)]
pub struct Parties<'a> {
    pub partner_id: Uuid,
    pub customer_id: Uuid,
    pub status: &'a str,
}

/// Previewing a removal: the customer's global admin, the partner's admin agent, or the operator
/// (it reads everything), while the relationship is active.
pub fn ensure_may_preview_removal(viewer: &Viewer, r: Parties<'_>) -> AppResult<()> {
    ensure_side(viewer, r, false)?;
    ensure_active(r)
}

/// Removing: the customer's global admin or the partner's admin agent, while the relationship is
/// active and the partner is partner of record on none of the customer's active subscriptions
/// (`blocking`, by id and name).
pub fn ensure_may_remove(viewer: &Viewer, r: Parties<'_>, blocking: &[(Uuid, String)]) -> AppResult<()> {
    if viewer.read_only {
        return Err(AppError::refused(Code::Forbidden, "this API token is read-only"));
    }
    ensure_side(viewer, r, true)?;
    ensure_active(r)?;
    if !blocking.is_empty() {
        let names: Vec<&str> = blocking.iter().map(|(_, n)| n.as_str()).collect();
        return Err(AppError::refused(
            Code::ActiveSubscriptionsExist,
            format!("the partner is partner of record on active subscriptions: {}", names.join(", ")),
        )
        .with_details(serde_json::json!({
            "subscriptions": blocking.iter().map(|(id, n)| serde_json::json!({ "id": id, "friendlyName": n })).collect::<Vec<_>>()
        })));
    }
    Ok(())
}

fn ensure_side(viewer: &Viewer, r: Parties<'_>, removing: bool) -> AppResult<()> {
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

fn ensure_active(r: Parties<'_>) -> AppResult<()> {
    if r.status == "ACTIVE" {
        return Ok(());
    }
    Err(AppError::refused(Code::InvalidStateTransition, "the relationship is already removed")
        .with_details(serde_json::json!({ "state": r.status })))
}

//! Removing a reseller relationship: who may, and what blocks it. The preview, the removal and
//! `viewerCan.remove` all ask these rules.

use super::error::{AppError, AppResult, Code};
use super::{RelationshipStatus, Role, Viewer};
use uuid::Uuid;

/// The parties and state of one relationship, as the rules need them.
#[derive(Debug, Clone, Copy)]
pub struct Parties {
    pub partner_id: Uuid,
    pub customer_id: Uuid,
    pub status: RelationshipStatus,
}

/// Previewing a removal: the customer's global admin, the partner's admin agent, or the operator
/// (it reads everything), while the relationship is active.
pub fn ensure_may_preview_removal(viewer: &Viewer, r: Parties) -> AppResult<()> {
    ensure_side(viewer, r, false)?;
    ensure_active(r)
}

/// Removing: the customer's global admin or the partner's admin agent, while the relationship is
/// active and the partner is partner of record on none of the customer's active subscriptions
/// (`blocking`, by id and name).
pub fn ensure_may_remove(viewer: &Viewer, r: Parties, blocking: &[(Uuid, String)]) -> AppResult<()> {
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

fn ensure_side(viewer: &Viewer, r: Parties, removing: bool) -> AppResult<()> {
    let customer_admin = viewer.customer_id() == Some(r.customer_id) && viewer.has_role(Role::GlobalAdmin);
    let partner_admin = viewer.partner_id() == Some(r.partner_id) && viewer.has_role(Role::AdminAgent);
    if customer_admin || partner_admin || (viewer.is_operator() && !removing) {
        return Ok(());
    }
    Err(AppError::refused(
        Code::Forbidden,
        "removing a relationship needs the customer's global admin or the partner's admin agent",
    ))
}

fn ensure_active(r: Parties) -> AppResult<()> {
    if r.status == RelationshipStatus::Active {
        return Ok(());
    }
    Err(AppError::refused(Code::InvalidStateTransition, "the relationship is already removed")
        .with_details(serde_json::json!({ "state": r.status.as_str() })))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::OrganizationKind;

    fn viewer(kind: OrganizationKind, org: u128, role: Role) -> Viewer {
        Viewer::for_test(kind, org, None, &[role])
    }

    const ACTIVE: Parties = Parties {
        partner_id: Uuid::from_u128(1),
        customer_id: Uuid::from_u128(2),
        status: RelationshipStatus::Active,
    };

    #[test]
    fn the_two_admins_remove_the_operator_only_previews() {
        let partner = viewer(OrganizationKind::Partner, 1, Role::AdminAgent);
        let customer = viewer(OrganizationKind::Customer, 2, Role::GlobalAdmin);
        let operator = viewer(OrganizationKind::Operator, 9, Role::OperatorAdmin);
        let billing = viewer(OrganizationKind::Customer, 2, Role::BillingAdmin);
        for v in [&partner, &customer] {
            assert!(ensure_may_remove(v, ACTIVE, &[]).is_ok());
        }
        assert!(ensure_may_preview_removal(&operator, ACTIVE).is_ok());
        assert_eq!(ensure_may_remove(&operator, ACTIVE, &[]).unwrap_err().code(), Code::Forbidden);
        assert_eq!(ensure_may_remove(&billing, ACTIVE, &[]).unwrap_err().code(), Code::Forbidden);
    }

    #[test]
    fn active_subscriptions_of_record_and_removal_block_it() {
        let partner = viewer(OrganizationKind::Partner, 1, Role::AdminAgent);
        let blocking = [(Uuid::from_u128(5), "Office".to_owned())];
        let err = ensure_may_remove(&partner, ACTIVE, &blocking).unwrap_err();
        assert_eq!(err.code(), Code::ActiveSubscriptionsExist);
        let removed = Parties { status: RelationshipStatus::Removed, ..ACTIVE };
        assert_eq!(
            ensure_may_remove(&partner, removed, &[]).unwrap_err().code(),
            Code::InvalidStateTransition
        );
    }
}

//! Who manages an organization's people, and the rules that keep an organization manageable:
//! roles of its own kind, never without an active admin, and no admin locking themselves out.

use super::access::ensure_may_write;
use super::error::{AppError, AppResult, Code};
use super::{OrganizationKind, Role, Viewer};
use uuid::Uuid;

/// The role that administers an organization of each kind: it manages the people and their roles.
pub fn admin_role(kind: OrganizationKind) -> Role {
    match kind {
        OrganizationKind::Operator => Role::OperatorAdmin,
        OrganizationKind::Partner => Role::AdminAgent,
        OrganizationKind::Customer => Role::GlobalAdmin,
    }
}

/// The roles a user of an organization of this kind may hold.
pub fn roles_of(kind: OrganizationKind) -> &'static [Role] {
    match kind {
        OrganizationKind::Operator => &[Role::OperatorAdmin],
        OrganizationKind::Partner => &[Role::AdminAgent, Role::SalesAgent, Role::HelpdeskAgent],
        OrganizationKind::Customer => &[Role::GlobalAdmin, Role::BillingAdmin, Role::User],
    }
}

/// Whether the viewer administers its organization's people (reads the list, and changes it
/// when its token may write).
pub fn manages_users(viewer: &Viewer) -> bool {
    viewer.has_role(admin_role(viewer.organization_kind))
}

/// Reading the organization's people is the admin's.
pub fn ensure_may_list_users(viewer: &Viewer) -> AppResult<()> {
    if manages_users(viewer) {
        return Ok(());
    }
    Err(AppError::refused(
        Code::Forbidden,
        format!("managing people is for your organization's {}", admin_words(viewer.organization_kind)),
    ))
}

/// Changing the organization's people: its admin, with a token that may write.
pub fn ensure_may_manage_users(viewer: &Viewer) -> AppResult<()> {
    ensure_may_write(viewer)?;
    ensure_may_list_users(viewer)
}

fn admin_words(kind: OrganizationKind) -> &'static str {
    match kind {
        OrganizationKind::Operator => "operator admins",
        OrganizationKind::Partner => "admin agents",
        OrganizationKind::Customer => "global admins",
    }
}

/// A user's roles: at least one, all of the organization's kind, each once (sorted).
pub fn parse_roles(kind: OrganizationKind, roles: &[Role]) -> AppResult<Vec<Role>> {
    if roles.is_empty() {
        return Err(AppError::bad_input("a user needs at least one role"));
    }
    if let Some(r) = roles.iter().find(|r| !roles_of(kind).contains(r)) {
        return Err(AppError::bad_input(format!(
            "the role {} does not belong to a {} organization",
            r.as_str().to_ascii_lowercase().replace('_', " "),
            kind.as_str().to_ascii_lowercase()
        )));
    }
    let mut roles = roles.to_vec();
    roles.sort_by_key(|r| r.as_str());
    roles.dedup();
    Ok(roles)
}

/// What the rules need to know about the user being changed.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    pub user_id: Uuid,
    pub active: bool,
    pub is_admin: bool,
    /// Active admins of the organization other than this user.
    pub other_active_admins: i64,
}

fn last_admin(kind: OrganizationKind) -> AppError {
    AppError::refused(
        Code::InvalidStateTransition,
        format!(
            "this is the organization's last active {}; make someone else one first",
            admin_words(kind).trim_end_matches('s')
        ),
    )
}

/// Changing a user's roles never leaves the organization without an active admin.
pub fn ensure_may_set_roles(viewer: &Viewer, target: Target, roles: &[Role]) -> AppResult<()> {
    ensure_may_manage_users(viewer)?;
    let keeps_admin = roles.contains(&admin_role(viewer.organization_kind));
    if target.active && target.is_admin && !keeps_admin && target.other_active_admins == 0 {
        return Err(last_admin(viewer.organization_kind));
    }
    Ok(())
}

/// Deactivating: never yourself (ask another admin), never the last active admin.
pub fn ensure_may_deactivate(viewer: &Viewer, target: Target) -> AppResult<()> {
    ensure_may_manage_users(viewer)?;
    if target.user_id == viewer.user_id {
        return Err(AppError::refused(
            Code::Forbidden,
            "you cannot deactivate yourself; another admin of your organization can",
        ));
    }
    if !target.active {
        return Err(AppError::refused(Code::InvalidStateTransition, "this user is already deactivated")
            .with_details(serde_json::json!({ "state": "DEACTIVATED" })));
    }
    if target.is_admin && target.other_active_admins == 0 {
        return Err(last_admin(viewer.organization_kind));
    }
    Ok(())
}

pub fn ensure_may_reactivate(viewer: &Viewer, target: Target) -> AppResult<()> {
    ensure_may_manage_users(viewer)?;
    if target.active {
        return Err(AppError::refused(Code::InvalidStateTransition, "this user is already active")
            .with_details(serde_json::json!({ "state": "ACTIVE" })));
    }
    Ok(())
}

/// Requiring MFA for the organization: its admin, who uses MFA already (so the admin is not
/// the first one locked into enrolment).
pub fn ensure_may_require_mfa(viewer: &Viewer, required: bool, viewer_has_mfa: bool) -> AppResult<()> {
    ensure_may_manage_users(viewer)?;
    if required && !viewer_has_mfa {
        return Err(AppError::refused(
            Code::InvalidStateTransition,
            "turn on multi-factor sign-in for yourself first (on your account page)",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn admin(kind: OrganizationKind) -> Viewer {
        Viewer::for_test(kind, 1, None, &[admin_role(kind)])
    }

    fn target(id: u128, is_admin: bool, others: i64) -> Target {
        Target { user_id: Uuid::from_u128(id), active: true, is_admin, other_active_admins: others }
    }

    #[test]
    fn each_kind_has_its_admin() {
        let customer = Viewer::for_test(OrganizationKind::Customer, 1, None, &[Role::BillingAdmin]);
        assert_eq!(ensure_may_manage_users(&customer).unwrap_err().code(), Code::Forbidden);
        assert!(ensure_may_manage_users(&admin(OrganizationKind::Customer)).is_ok());
        let sales = Viewer::for_test(OrganizationKind::Partner, 1, None, &[Role::SalesAgent]);
        assert_eq!(ensure_may_list_users(&sales).unwrap_err().code(), Code::Forbidden);
        assert!(ensure_may_manage_users(&admin(OrganizationKind::Operator)).is_ok());
        let mut read_only = admin(OrganizationKind::Partner);
        read_only.read_only = true;
        assert!(ensure_may_list_users(&read_only).is_ok());
        assert_eq!(ensure_may_manage_users(&read_only).unwrap_err().code(), Code::Forbidden);
    }

    #[test]
    fn roles_belong_to_the_organization_kind() {
        let k = OrganizationKind::Partner;
        assert_eq!(parse_roles(k, &[]).unwrap_err().code(), Code::BadUserInput);
        assert_eq!(parse_roles(k, &[Role::GlobalAdmin]).unwrap_err().code(), Code::BadUserInput);
        assert_eq!(
            parse_roles(k, &[Role::SalesAgent, Role::AdminAgent, Role::SalesAgent]).unwrap(),
            vec![Role::AdminAgent, Role::SalesAgent]
        );
        for kind in [OrganizationKind::Operator, OrganizationKind::Partner, OrganizationKind::Customer] {
            assert!(roles_of(kind).iter().all(|r| r.organization_kind() == kind));
            assert!(roles_of(kind).contains(&admin_role(kind)));
        }
    }

    #[test]
    fn the_last_admin_stays() {
        let v = admin(OrganizationKind::Customer);
        assert_eq!(
            ensure_may_set_roles(&v, target(0, true, 0), &[Role::User]).unwrap_err().code(),
            Code::InvalidStateTransition
        );
        assert!(ensure_may_set_roles(&v, target(0, true, 1), &[Role::User]).is_ok());
        assert!(ensure_may_set_roles(&v, target(0, true, 0), &[Role::GlobalAdmin]).is_ok());
        assert_eq!(
            ensure_may_deactivate(&v, target(5, true, 0)).unwrap_err().code(),
            Code::InvalidStateTransition
        );
    }

    #[test]
    fn no_one_deactivates_themselves() {
        let v = admin(OrganizationKind::Partner);
        assert_eq!(ensure_may_deactivate(&v, target(0, true, 3)).unwrap_err().code(), Code::Forbidden);
        assert!(ensure_may_deactivate(&v, target(5, false, 0)).is_ok());
        let gone = Target { active: false, ..target(5, false, 0) };
        assert_eq!(ensure_may_deactivate(&v, gone).unwrap_err().code(), Code::InvalidStateTransition);
        assert!(ensure_may_reactivate(&v, gone).is_ok());
    }

    #[test]
    fn requiring_mfa_starts_with_the_admin() {
        let v = admin(OrganizationKind::Partner);
        assert_eq!(ensure_may_require_mfa(&v, true, false).unwrap_err().code(), Code::InvalidStateTransition);
        assert!(ensure_may_require_mfa(&v, true, true).is_ok());
        assert!(ensure_may_require_mfa(&v, false, false).is_ok());
    }
}

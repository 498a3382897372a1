//! Provider–reseller partnerships: who may invite, accept and remove them. The mutations and
//! `viewerCan` both ask these rules.

use super::error::{AppError, AppResult, Code};
use super::{PartnerProgram, PartnershipStatus, Role, Viewer};
use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

/// A provider's partnership link works this many days after it was made, then expires unused,
/// so links nobody took do not pile up as open invitations.
pub const LINK_DAYS: i64 = 30;

/// When a link made at `created_at` stops working.
pub fn link_expiry(created_at: DateTime<Utc>) -> DateTime<Utc> {
    created_at + Duration::days(LINK_DAYS)
}

/// A partnership's status at `now`: a link still pending [`LINK_DAYS`] after it was made is
/// EXPIRED (the background job writes it down later; readers must not wait for it).
pub fn status_at(
    stored: PartnershipStatus,
    created_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> PartnershipStatus {
    if stored == PartnershipStatus::Pending && link_expiry(created_at) <= now {
        PartnershipStatus::Expired
    } else {
        stored
    }
}

/// The viewer's partner, if the viewer is the admin agent of a partner in `program`.
pub fn admin_of(viewer: &Viewer, program: PartnerProgram, what: &str) -> AppResult<Uuid> {
    if viewer.read_only {
        return Err(AppError::refused(Code::Forbidden, "this API token is read-only"));
    }
    match (viewer.partner_id(), viewer.partner_program) {
        (Some(p), Some(prog)) if prog == program && viewer.has_role(Role::AdminAgent) => Ok(p),
        (Some(_), Some(prog)) if prog == program => {
            Err(AppError::refused(Code::Forbidden, format!("{what} needs the admin agent role")))
        }
        _ => Err(AppError::refused(
            Code::Forbidden,
            format!("only an {} partner's admin agent {what}", program.program_words()),
        )),
    }
}

/// Accepting a provider's link: an indirect reseller's admin agent, while the link is pending
/// and the two are not already partnered.
pub fn ensure_may_accept(
    viewer: &Viewer,
    status: PartnershipStatus,
    already_partnered: bool,
) -> AppResult<Uuid> {
    let reseller = admin_of(viewer, PartnerProgram::CspIndirectReseller, "accepts partnerships")?;
    let why = match status {
        PartnershipStatus::Pending => None,
        PartnershipStatus::Expired => Some(format!(
            "this partnership link expired unused {LINK_DAYS} days after it was made; ask the provider for a new one"
        )),
        PartnershipStatus::Removed => {
            Some("this partnership was removed; ask the provider for a new link".to_owned())
        }
        PartnershipStatus::Active => Some("this partnership link was already used".to_owned()),
    };
    if let Some(why) = why {
        return Err(AppError::refused(Code::InvalidStateTransition, why)
            .with_details(serde_json::json!({ "state": status.as_str() })));
    }
    if already_partnered {
        return Err(AppError::refused(
            Code::Conflict,
            "you are already in an active partnership with this provider",
        ));
    }
    Ok(reseller)
}

/// Removing: the admin agent of either side, while the partnership is pending or active.
/// Callers hide partnerships the viewer is no party to before asking.
pub fn ensure_may_remove(
    viewer: &Viewer,
    provider_id: Uuid,
    reseller_id: Option<Uuid>,
    status: PartnershipStatus,
) -> AppResult<()> {
    if viewer.read_only {
        return Err(AppError::refused(Code::Forbidden, "this API token is read-only"));
    }
    let party = viewer.partner_id().is_some_and(|me| me == provider_id || Some(me) == reseller_id);
    if !party {
        return Err(AppError::refused(
            Code::Forbidden,
            "only the provider or the reseller removes a partnership",
        ));
    }
    if !viewer.has_role(Role::AdminAgent) {
        return Err(AppError::refused(Code::Forbidden, "removing a partnership needs the admin agent role"));
    }
    if matches!(status, PartnershipStatus::Removed | PartnershipStatus::Expired) {
        return Err(AppError::refused(
            Code::InvalidStateTransition,
            format!("the partnership is {}", status.words()),
        )
        .with_details(serde_json::json!({ "state": status.as_str() })));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::OrganizationKind;

    fn partner(org: u128, program: PartnerProgram, role: Role) -> Viewer {
        Viewer::for_test(OrganizationKind::Partner, org, Some(program), &[role])
    }

    #[test]
    fn either_sides_admin_removes_while_it_is_open() {
        let (provider, reseller) = (Uuid::from_u128(1), Some(Uuid::from_u128(2)));
        let p_admin = partner(1, PartnerProgram::CspIndirectProvider, Role::AdminAgent);
        let r_admin = partner(2, PartnerProgram::CspIndirectReseller, Role::AdminAgent);
        let p_sales = partner(1, PartnerProgram::CspIndirectProvider, Role::SalesAgent);
        let stranger = partner(3, PartnerProgram::CspIndirectProvider, Role::AdminAgent);
        assert!(ensure_may_remove(&p_admin, provider, reseller, PartnershipStatus::Active).is_ok());
        assert!(ensure_may_remove(&r_admin, provider, reseller, PartnershipStatus::Active).is_ok());
        assert!(ensure_may_remove(&p_admin, provider, None, PartnershipStatus::Pending).is_ok());
        let code = |v: &Viewer, s| ensure_may_remove(v, provider, reseller, s).unwrap_err().code();
        assert_eq!(code(&p_sales, PartnershipStatus::Active), Code::Forbidden);
        assert_eq!(code(&stranger, PartnershipStatus::Active), Code::Forbidden);
        assert_eq!(code(&p_admin, PartnershipStatus::Removed), Code::InvalidStateTransition);
        assert_eq!(code(&p_admin, PartnershipStatus::Expired), Code::InvalidStateTransition);
    }

    #[test]
    fn an_unused_link_expires_30_days_after_it_was_made() {
        let made = DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z").unwrap().to_utc();
        let due = made + Duration::days(30);
        assert_eq!(
            status_at(PartnershipStatus::Pending, made, due - Duration::seconds(1)),
            PartnershipStatus::Pending
        );
        assert_eq!(status_at(PartnershipStatus::Pending, made, due), PartnershipStatus::Expired);
        assert_eq!(status_at(PartnershipStatus::Active, made, due), PartnershipStatus::Active);
        assert_eq!(link_expiry(made), due);
        let r_admin = partner(2, PartnerProgram::CspIndirectReseller, Role::AdminAgent);
        let refused = ensure_may_accept(&r_admin, status_at(PartnershipStatus::Pending, made, due), false);
        let refused = refused.unwrap_err();
        assert_eq!(refused.code(), Code::InvalidStateTransition);
        assert!(refused.describe().contains("expired"), "{}", refused.describe());
    }

    #[test]
    fn only_a_resellers_admin_accepts_a_pending_link_once() {
        let r_admin = partner(2, PartnerProgram::CspIndirectReseller, Role::AdminAgent);
        assert!(ensure_may_accept(&r_admin, PartnershipStatus::Pending, false).is_ok());
        assert_eq!(
            ensure_may_accept(&r_admin, PartnershipStatus::Pending, true).unwrap_err().code(),
            Code::Conflict
        );
        assert_eq!(
            ensure_may_accept(&r_admin, PartnershipStatus::Expired, false).unwrap_err().code(),
            Code::InvalidStateTransition
        );
        let provider = partner(1, PartnerProgram::CspIndirectProvider, Role::AdminAgent);
        assert_eq!(
            ensure_may_accept(&provider, PartnershipStatus::Pending, false).unwrap_err().code(),
            Code::Forbidden
        );
    }
}

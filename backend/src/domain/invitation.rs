//! Invitations (reseller relationship requests): who may send them, how long they live, and
//! who may accept them.

use super::error::{AppError, AppResult, Code};
use super::{InvitationStatus, PartnerProgram, PartnershipStatus, RelationshipKind, Role, Viewer};
use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

pub const MAX_VALID_DAYS: i64 = 90;

/// Who may create an invitation, naming (or not) one of its resellers.
pub fn ensure_may_invite(viewer: &Viewer, reseller: Option<Uuid>, reseller_partnered: bool) -> AppResult<()> {
    if viewer.read_only {
        return Err(AppError::refused(Code::Forbidden, "this API token is read-only"));
    }
    let program = viewer
        .partner_program
        .ok_or_else(|| AppError::refused(Code::Forbidden, "only CSP partners send invitations"))?;
    match program {
        PartnerProgram::CspIndirectReseller => {
            return Err(AppError::refused(
                Code::IndirectResellerCannotInvite,
                "an indirect reseller cannot create invitations; use the one your indirect provider sent you",
            ));
        }
        PartnerProgram::Advisor => {
            return Err(AppError::refused(
                Code::AdvisorNotInCsp,
                "an Advisor must join CSP to send invitations",
            ));
        }
        PartnerProgram::CspDirect | PartnerProgram::CspIndirectProvider => {}
    }
    if !viewer.has_any_role(&[Role::AdminAgent, Role::SalesAgent]) {
        return Err(AppError::refused(
            Code::Forbidden,
            "creating invitations needs the role ADMIN_AGENT or SALES_AGENT",
        ));
    }
    if reseller.is_some() {
        if program != PartnerProgram::CspIndirectProvider {
            return Err(AppError::bad_input("only an indirect provider names a reseller"));
        }
        if !reseller_partnered {
            return Err(AppError::refused(
                Code::ResellerNotPartnered,
                "that reseller is not in an active partnership with you",
            ));
        }
    }
    Ok(())
}

/// An invitation's status at `now`: a pending one past its expiry is EXPIRED.
pub fn status_at(
    stored: InvitationStatus,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> InvitationStatus {
    if stored == InvitationStatus::Pending && expires_at <= now { InvitationStatus::Expired } else { stored }
}

/// A partnership link's status at `now`: a pending link past its expiry is EXPIRED.
pub fn partnership_status_at(
    stored: PartnershipStatus,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> PartnershipStatus {
    if stored == PartnershipStatus::Pending && expires_at <= now {
        PartnershipStatus::Expired
    } else {
        stored
    }
}

/// When an invitation created at `now` expires: as asked (within 90 days), else in 90 days.
pub fn expiry(now: DateTime<Utc>, asked: Option<DateTime<Utc>>) -> AppResult<DateTime<Utc>> {
    let latest = now + Duration::days(MAX_VALID_DAYS);
    match asked {
        None => Ok(latest),
        Some(at) if at > now && at <= latest => Ok(at),
        Some(_) => {
            Err(AppError::bad_input("an invitation expires in the future and at most 90 days after creation"))
        }
    }
}

/// The relationship kind an acceptance creates with the inviting partner.
pub fn relationship_kind(inviter: PartnerProgram) -> RelationshipKind {
    match inviter {
        PartnerProgram::CspIndirectProvider => RelationshipKind::IndirectProvider,
        _ => RelationshipKind::Direct,
    }
}

/// The customer a viewer accepts or declines for: its own, as global admin.
pub fn accepting_customer(viewer: &Viewer) -> AppResult<Uuid> {
    if viewer.read_only {
        return Err(AppError::refused(Code::Forbidden, "this API token is read-only"));
    }
    let customer = viewer.customer_id().ok_or_else(|| AppError::not_found("invitation"))?;
    if !viewer.has_role(Role::GlobalAdmin) {
        return Err(AppError::refused(
            Code::CustomerGlobalAdminRequired,
            "only the customer's global admin accepts or declines invitations",
        ));
    }
    Ok(customer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{OrganizationKind, TokenKind};

    fn partner(program: PartnerProgram, role: Role) -> Viewer {
        Viewer {
            user_id: Uuid::nil(),
            organization_id: Uuid::from_u128(3),
            organization_kind: OrganizationKind::Partner,
            partner_program: Some(program),
            roles: vec![role],
            token_id: Uuid::nil(),
            token_kind: TokenKind::Session,
            read_only: false,
            token_expires_at: None,
        }
    }

    #[test]
    fn a_pending_invitation_or_link_expires_at_its_expiry() {
        let expires = chrono::DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z").unwrap().to_utc();
        let before = expires - Duration::seconds(1);
        assert_eq!(status_at(InvitationStatus::Pending, expires, before), InvitationStatus::Pending);
        assert_eq!(status_at(InvitationStatus::Pending, expires, expires), InvitationStatus::Expired);
        assert_eq!(status_at(InvitationStatus::Accepted, expires, expires), InvitationStatus::Accepted);
        assert_eq!(
            partnership_status_at(PartnershipStatus::Pending, expires, expires),
            PartnershipStatus::Expired
        );
        assert_eq!(
            partnership_status_at(PartnershipStatus::Active, expires, expires),
            PartnershipStatus::Active
        );
    }

    #[test]
    fn who_may_invite() {
        let code = |p, r, reseller, ok| ensure_may_invite(&partner(p, r), reseller, ok).unwrap_err().code();
        assert!(
            ensure_may_invite(&partner(PartnerProgram::CspDirect, Role::SalesAgent), None, false).is_ok()
        );
        assert_eq!(
            code(PartnerProgram::CspIndirectReseller, Role::AdminAgent, None, false),
            Code::IndirectResellerCannotInvite
        );
        assert_eq!(code(PartnerProgram::Advisor, Role::AdminAgent, None, false), Code::AdvisorNotInCsp);
        assert_eq!(code(PartnerProgram::CspDirect, Role::HelpdeskAgent, None, false), Code::Forbidden);
        let r = Some(Uuid::from_u128(4));
        assert_eq!(
            code(PartnerProgram::CspIndirectProvider, Role::AdminAgent, r, false),
            Code::ResellerNotPartnered
        );
        assert!(
            ensure_may_invite(&partner(PartnerProgram::CspIndirectProvider, Role::AdminAgent), r, true)
                .is_ok()
        );
    }

    #[test]
    fn invitations_live_at_most_90_days() {
        let now = DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z").unwrap().to_utc();
        assert_eq!(expiry(now, None).unwrap(), now + Duration::days(90));
        assert!(expiry(now, Some(now + Duration::days(91))).is_err());
        assert!(expiry(now, Some(now - Duration::days(1))).is_err());
        assert_eq!(expiry(now, Some(now + Duration::days(7))).unwrap(), now + Duration::days(7));
    }
}

//! Invitations (reseller relationship requests): who may send them, how long they live, and
//! who may accept them.

use super::error::{AppError, AppResult, Code};
use super::{InvitationStatus, PartnerProgram, RelationshipKind, Role, Viewer};
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
            "creating invitations needs the admin agent or sales agent role",
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

/// What an invitation is to the customer that opens its link: ACCEPTED once this customer
/// accepted it (a link for any customer stays PENDING for the others), else its status now.
pub fn status_for_customer(status_now: InvitationStatus, accepted_by_it: bool) -> InvitationStatus {
    if accepted_by_it { InvitationStatus::Accepted } else { status_now }
}

/// Who may see an invitation's link (its code, URL and ready-made email): the inviting partner,
/// the reseller named on it (which passes it on) and the operator. A customer that accepted a
/// link for any customer takes part in it but must not be handed the link to pass around.
pub fn may_see_link(viewer: &Viewer, inviter: Uuid, reseller: Option<Uuid>) -> bool {
    viewer.is_operator() || viewer.partner_id().is_some_and(|me| me == inviter || Some(me) == reseller)
}

/// Who may see how many customers accepted: the inviting partner and the operator; not the
/// customers that accepted (nor the reseller passing it on).
pub fn may_see_acceptances(viewer: &Viewer, inviter: Uuid) -> bool {
    viewer.is_operator() || viewer.partner_id() == Some(inviter)
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

/// Who may revoke an invitation or change its message: its creator's admin or sales agent, while
/// it is pending. A named reseller sees it (to pass it on) but may not change it. Callers hide
/// invitations the viewer does not take part in before asking.
pub fn ensure_may_change(viewer: &Viewer, inviter: Uuid, status: InvitationStatus) -> AppResult<()> {
    if viewer.read_only {
        return Err(AppError::refused(Code::Forbidden, "this API token is read-only"));
    }
    if viewer.partner_id() != Some(inviter) {
        return Err(AppError::refused(
            Code::Forbidden,
            "only the inviting partner changes or revokes an invitation",
        ));
    }
    if !viewer.has_any_role(&[Role::AdminAgent, Role::SalesAgent]) {
        return Err(AppError::refused(Code::Forbidden, "this needs the admin agent or sales agent role"));
    }
    ensure_pending(status)
}

/// An invitation that is no longer pending is refused with its state.
pub fn ensure_pending(status: InvitationStatus) -> AppResult<()> {
    if status == InvitationStatus::Pending {
        return Ok(());
    }
    Err(AppError::refused(Code::InvitationNotPending, format!("this invitation is {}", status.words()))
        .with_details(serde_json::json!({ "state": status.as_str() })))
}

/// What a customer's answer to an invitation depends on.
#[derive(Debug, Clone, Copy)]
pub struct Answer {
    /// The customer it is addressed to; `None` for a link for any customer.
    pub addressed_to: Option<Uuid>,
    pub status: InvitationStatus,
    /// Accepting (true) or declining.
    pub accepting: bool,
    /// Whether the reseller named on it (if any) is still partnered with the provider.
    pub reseller_still_partnered: bool,
    /// Whether this customer already accepted it (a link for any customer stays pending).
    pub accepted_already: bool,
}

/// Whether the viewer may accept or decline: its customer's global admin, for an invitation
/// addressed to it (or to any customer) that is still pending; accepting also needs the named
/// reseller to still be partnered with the provider. Returns the answering customer.
pub fn ensure_may_answer(viewer: &Viewer, a: Answer) -> AppResult<Uuid> {
    let customer = accepting_customer(viewer)?;
    if a.addressed_to.is_some_and(|c| c != customer) {
        return Err(AppError::not_found("invitation"));
    }
    ensure_pending(a.status)?;
    if a.accepting && a.accepted_already {
        return ensure_pending(InvitationStatus::Accepted).map(|()| customer);
    }
    if a.accepting && !a.reseller_still_partnered {
        return Err(AppError::refused(
            Code::ResellerNotPartnered,
            "the reseller named on this invitation is no longer partnered with the provider; ask for a new invitation",
        ));
    }
    Ok(customer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::OrganizationKind;

    fn partner(program: PartnerProgram, role: Role) -> Viewer {
        Viewer::for_test(OrganizationKind::Partner, 3, Some(program), &[role])
    }

    #[test]
    fn a_pending_invitation_or_link_expires_at_its_expiry() {
        let expires = chrono::DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z").unwrap().to_utc();
        let before = expires - Duration::seconds(1);
        assert_eq!(status_at(InvitationStatus::Pending, expires, before), InvitationStatus::Pending);
        assert_eq!(status_at(InvitationStatus::Pending, expires, expires), InvitationStatus::Expired);
        assert_eq!(status_at(InvitationStatus::Accepted, expires, expires), InvitationStatus::Accepted);
    }

    #[test]
    fn a_customer_sees_the_link_it_accepted_as_accepted() {
        use InvitationStatus::*;
        assert_eq!(status_for_customer(Pending, true), Accepted);
        assert_eq!(status_for_customer(Pending, false), Pending);
        assert_eq!(status_for_customer(Revoked, false), Revoked);
    }

    #[test]
    fn only_the_inviter_and_its_reseller_see_the_link() {
        let inviter = Uuid::from_u128(3);
        let me = partner(PartnerProgram::CspDirect, Role::SalesAgent);
        assert!(may_see_link(&me, inviter, None));
        assert!(may_see_acceptances(&me, inviter));
        let reseller = Viewer::for_test(
            OrganizationKind::Partner,
            4,
            Some(PartnerProgram::CspIndirectReseller),
            &[Role::AdminAgent],
        );
        assert!(may_see_link(&reseller, inviter, Some(Uuid::from_u128(4))));
        assert!(!may_see_acceptances(&reseller, inviter));
        let customer = customer_admin(8);
        assert!(!may_see_link(&customer, inviter, None));
        assert!(!may_see_acceptances(&customer, inviter));
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

    fn customer_admin(org: u128) -> Viewer {
        Viewer {
            organization_kind: OrganizationKind::Customer,
            partner_program: None,
            organization_id: Uuid::from_u128(org),
            roles: vec![Role::GlobalAdmin],
            ..partner(PartnerProgram::CspDirect, Role::AdminAgent)
        }
    }

    #[test]
    fn only_the_inviter_changes_a_pending_invitation() {
        let inviter = Uuid::from_u128(3);
        assert!(
            ensure_may_change(
                &partner(PartnerProgram::CspDirect, Role::SalesAgent),
                inviter,
                InvitationStatus::Pending
            )
            .is_ok()
        );
        let code = |v: &Viewer, s| ensure_may_change(v, inviter, s).unwrap_err().code();
        assert_eq!(
            code(&partner(PartnerProgram::CspDirect, Role::HelpdeskAgent), InvitationStatus::Pending),
            Code::Forbidden
        );
        assert_eq!(
            code(&partner(PartnerProgram::CspDirect, Role::AdminAgent), InvitationStatus::Revoked),
            Code::InvitationNotPending
        );
        assert_eq!(code(&customer_admin(3), InvitationStatus::Pending), Code::Forbidden);
    }

    #[test]
    fn the_addressed_customers_admin_answers_once() {
        let answer = |addressed_to, status, accepting, partnered, accepted| Answer {
            addressed_to,
            status,
            accepting,
            reseller_still_partnered: partnered,
            accepted_already: accepted,
        };
        let me = customer_admin(8);
        assert!(ensure_may_answer(&me, answer(None, InvitationStatus::Pending, true, true, false)).is_ok());
        assert!(
            ensure_may_answer(
                &me,
                answer(Some(Uuid::from_u128(8)), InvitationStatus::Pending, false, false, false)
            )
            .is_ok()
        );
        let code = |a| ensure_may_answer(&me, a).unwrap_err().code();
        assert_eq!(
            code(answer(Some(Uuid::from_u128(9)), InvitationStatus::Pending, true, true, false)),
            Code::NotFound
        );
        assert_eq!(
            code(answer(None, InvitationStatus::Pending, true, true, true)),
            Code::InvitationNotPending
        );
        assert_eq!(
            code(answer(None, InvitationStatus::Expired, false, true, false)),
            Code::InvitationNotPending
        );
        assert_eq!(
            code(answer(None, InvitationStatus::Pending, true, false, false)),
            Code::ResellerNotPartnered
        );
        let partner_answer = ensure_may_answer(
            &partner(PartnerProgram::CspDirect, Role::AdminAgent),
            answer(None, InvitationStatus::Pending, true, true, false),
        );
        assert_eq!(partner_answer.unwrap_err().code(), Code::NotFound);
    }
}

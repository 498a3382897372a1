//! Who may see what, and who may manage organizations and users. Each rule is decided here once;
//! the SQL layer turns a [`Scope`] into a predicate, so visibility is applied in the database.

use super::error::{AppError, AppResult, Code};
use super::{OrganizationKind, PartnerProgram, Role, Viewer};
use uuid::Uuid;

/// The customers (and hence subscriptions) a viewer may read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The operator reads everything.
    Everything,
    /// A customer reads itself; `subscriptions` says whether its role may read subscriptions.
    Customer { customer_id: Uuid, subscriptions: bool },
    /// A partner reads customers it has a reseller relationship or delegated rights with, and the
    /// subscriptions it transacts, resells or serves, or holds delegated rights for.
    Partner { partner_id: Uuid },
}

impl Scope {
    pub fn of(viewer: &Viewer) -> Scope {
        match viewer.organization_kind {
            OrganizationKind::Operator => Scope::Everything,
            OrganizationKind::Customer => {
                Scope::Customer { customer_id: viewer.organization_id, subscriptions: reads_records(viewer) }
            }
            OrganizationKind::Partner => Scope::Partner { partner_id: viewer.organization_id },
        }
    }
}

/// Whether the viewer reads its organization's records (subscriptions, relationships, delegated
/// admin, invitations, support requests, audit events) and not only its basics. A customer's
/// `USER` reads only the basics; every other role reads the records of its own organization.
pub fn reads_records(viewer: &Viewer) -> bool {
    match viewer.organization_kind {
        OrganizationKind::Customer => viewer.has_any_role(&[Role::GlobalAdmin, Role::BillingAdmin]),
        OrganizationKind::Operator | OrganizationKind::Partner => true,
    }
}

/// Who sees a delegated admin relationship: the operator; the partner (its drafts included);
/// the customer once the partner has asked (a draft is the partner's own until then). Lists and
/// reads by id both ask this.
pub fn may_see_delegated_admin(viewer: &Viewer, partner_id: Uuid, customer_id: Uuid, is_draft: bool) -> bool {
    if !reads_records(viewer) {
        return false;
    }
    viewer.is_operator()
        || viewer.partner_id() == Some(partner_id)
        || (viewer.customer_id() == Some(customer_id) && !is_draft)
}

/// Who sees a reseller relationship: the operator and its two parties.
pub fn may_see_reseller_relationship(viewer: &Viewer, partner_id: Uuid, customer_id: Uuid) -> bool {
    reads_records(viewer)
        && (viewer.is_operator()
            || viewer.partner_id() == Some(partner_id)
            || viewer.customer_id() == Some(customer_id))
}

/// Mutations need a token that may write.
pub fn ensure_may_write(viewer: &Viewer) -> AppResult<()> {
    if viewer.read_only {
        return Err(AppError::refused(Code::Forbidden, "this API token is read-only"));
    }
    Ok(())
}

fn require_role(viewer: &Viewer, allowed: &[Role], what: &str) -> AppResult<()> {
    if viewer.has_any_role(allowed) {
        return Ok(());
    }
    let names: Vec<String> = allowed.iter().map(|r| r.words()).collect();
    Err(AppError::refused(Code::Forbidden, format!("{what} requires the {} role", names.join(" or "))))
}

/// Enrolling partners is the operator's job.
pub fn ensure_may_register_partner(viewer: &Viewer, program: PartnerProgram) -> AppResult<()> {
    ensure_may_write(viewer)?;
    require_role(viewer, &[Role::OperatorAdmin], "registering a partner")?;
    if program == PartnerProgram::Advisor {
        return Err(AppError::refused(
            Code::AdvisorProgramClosed,
            "the Advisor program is closed to new members",
        ));
    }
    Ok(())
}

/// An Advisor joins CSP once and for good. Its own admin may enrol it as an indirect reseller
/// (self-service: it then sells through a provider); becoming a direct partner or an indirect
/// provider carries obligations the operator checks, so only the operator decides those.
pub fn ensure_may_join_csp(
    viewer: &Viewer,
    partner_id: Uuid,
    current: PartnerProgram,
    target: PartnerProgram,
) -> AppResult<()> {
    ensure_may_write(viewer)?;
    let own_admin = viewer.partner_id() == Some(partner_id) && viewer.has_role(Role::AdminAgent);
    if !(own_admin || viewer.has_role(Role::OperatorAdmin)) {
        return Err(AppError::refused(
            Code::Forbidden,
            "joining CSP requires the partner's admin agent or the operator",
        ));
    }
    if current != PartnerProgram::Advisor {
        return Err(AppError::refused(
            Code::InvalidStateTransition,
            format!("the partner is already in the {} program, not Advisor", current.program_words()),
        )
        .with_details(serde_json::json!({ "state": current.as_str() })));
    }
    if !target.is_csp() {
        return Err(AppError::bad_input("the target program must be a CSP program"));
    }
    if !viewer.has_role(Role::OperatorAdmin) && target != PartnerProgram::CspIndirectReseller {
        return Err(AppError::refused(
            Code::Forbidden,
            format!(
                "joining as {} is the operator's decision; you may join as an indirect reseller",
                target.program_words()
            ),
        ));
    }
    Ok(())
}

/// Who creates a customer tenant: a CSP direct partner, or an indirect provider, optionally for
/// one of its actively partnered resellers.
pub fn ensure_may_create_customer(
    viewer: &Viewer,
    for_reseller: Option<Uuid>,
    reseller_is_partnered: bool,
) -> AppResult<()> {
    ensure_may_write(viewer)?;
    let program = match viewer.partner_program {
        Some(p) => p,
        None => {
            return Err(AppError::refused(Code::Forbidden, "only CSP partners create customer tenants"));
        }
    };
    match program {
        PartnerProgram::CspIndirectReseller => {
            return Err(AppError::refused(
                Code::IndirectResellerCannotCreateCustomer,
                "an indirect reseller cannot create customers; its indirect provider creates them",
            ));
        }
        PartnerProgram::Advisor => {
            return Err(AppError::refused(
                Code::AdvisorNotInCsp,
                "an Advisor must join CSP before it can create customers",
            ));
        }
        PartnerProgram::CspDirect | PartnerProgram::CspIndirectProvider => {}
    }
    require_role(viewer, &[Role::AdminAgent, Role::SalesAgent], "creating a customer")?;
    if for_reseller.is_some() {
        if program != PartnerProgram::CspIndirectProvider {
            return Err(AppError::bad_input("only an indirect provider names a reseller"));
        }
        if !reseller_is_partnered {
            return Err(AppError::refused(
                Code::ResellerNotPartnered,
                "that reseller is not in an active partnership with you",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn viewer(kind: OrganizationKind, program: Option<PartnerProgram>, roles: &[Role]) -> Viewer {
        Viewer::for_test(kind, 7, program, roles)
    }

    #[test]
    fn indirect_reseller_cannot_create_customers() {
        let v =
            viewer(OrganizationKind::Partner, Some(PartnerProgram::CspIndirectReseller), &[Role::AdminAgent]);
        let err = ensure_may_create_customer(&v, None, false).unwrap_err();
        assert_eq!(err.code(), Code::IndirectResellerCannotCreateCustomer);
    }

    #[test]
    fn provider_names_only_partnered_resellers() {
        let v =
            viewer(OrganizationKind::Partner, Some(PartnerProgram::CspIndirectProvider), &[Role::SalesAgent]);
        assert!(ensure_may_create_customer(&v, Some(Uuid::nil()), true).is_ok());
        let err = ensure_may_create_customer(&v, Some(Uuid::nil()), false).unwrap_err();
        assert_eq!(err.code(), Code::ResellerNotPartnered);
    }

    #[test]
    fn helpdesk_cannot_create_customers() {
        let v = viewer(OrganizationKind::Partner, Some(PartnerProgram::CspDirect), &[Role::HelpdeskAgent]);
        assert_eq!(ensure_may_create_customer(&v, None, false).unwrap_err().code(), Code::Forbidden);
    }

    #[test]
    fn read_only_tokens_never_write() {
        let mut v = viewer(OrganizationKind::Operator, None, &[Role::OperatorAdmin]);
        v.read_only = true;
        let err = ensure_may_register_partner(&v, PartnerProgram::CspDirect).unwrap_err();
        assert_eq!(err.code(), Code::Forbidden);
    }

    #[test]
    fn advisor_program_is_closed() {
        let v = viewer(OrganizationKind::Operator, None, &[Role::OperatorAdmin]);
        let err = ensure_may_register_partner(&v, PartnerProgram::Advisor).unwrap_err();
        assert_eq!(err.code(), Code::AdvisorProgramClosed);
    }

    #[test]
    fn joining_csp_happens_once() {
        let v = viewer(OrganizationKind::Operator, None, &[Role::OperatorAdmin]);
        let p = Uuid::from_u128(9);
        assert!(ensure_may_join_csp(&v, p, PartnerProgram::Advisor, PartnerProgram::CspDirect).is_ok());
        let err =
            ensure_may_join_csp(&v, p, PartnerProgram::CspDirect, PartnerProgram::CspDirect).unwrap_err();
        assert_eq!(err.code(), Code::InvalidStateTransition);
    }
}

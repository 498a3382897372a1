//! Unit tests of ordering: [`super::ensure_may_order`] and [`super::order_channel`].

use super::*;
use crate::domain::{OrganizationKind, TokenKind};

fn partner(program: PartnerProgram) -> Viewer {
    Viewer {
        user_id: Uuid::nil(),
        organization_id: Uuid::from_u128(5),
        organization_kind: OrganizationKind::Partner,
        partner_program: Some(program),
        roles: vec![Role::SalesAgent],
        token_id: Uuid::nil(),
        token_kind: TokenKind::Session,
        read_only: false,
        token_expires_at: None,
        enrol_only: false,
    }
}

#[test]
fn each_program_orders_through_its_channel() {
    let ties = OrderTies { has_relationship: true, reseller_partnered: true, reseller_serves_customer: true };
    let direct = order_channel(&partner(PartnerProgram::CspDirect), None, ties).unwrap();
    assert_eq!(direct.channel, PurchaseChannel::CspDirect);
    let r = Some(Uuid::from_u128(9));
    let indirect = order_channel(&partner(PartnerProgram::CspIndirectProvider), r, ties).unwrap();
    assert_eq!((indirect.channel, indirect.indirect_reseller_id), (PurchaseChannel::CspIndirect, r));
    let code = |p, r, t| order_channel(&partner(p), r, t).unwrap_err().code;
    assert_eq!(code(PartnerProgram::CspIndirectReseller, None, ties), Code::IndirectResellerCannotTransact);
    assert_eq!(code(PartnerProgram::Advisor, None, ties), Code::AdvisorNotInCsp);
    let unpartnered =
        OrderTies { has_relationship: true, reseller_partnered: false, reseller_serves_customer: true };
    assert_eq!(code(PartnerProgram::CspIndirectProvider, r, unpartnered), Code::ResellerNotPartnered);
    assert_eq!(code(PartnerProgram::CspDirect, None, OrderTies::default()), Code::NoResellerRelationship);
}

#[test]
fn who_may_order_for_a_customer_at_all() {
    assert!(ensure_may_order(&partner(PartnerProgram::CspIndirectProvider), true).is_ok());
    let code = |v: &Viewer, rel| ensure_may_order(v, rel).unwrap_err().code;
    assert_eq!(code(&partner(PartnerProgram::CspDirect), false), Code::NoResellerRelationship);
    assert_eq!(
        code(&partner(PartnerProgram::CspIndirectReseller), true),
        Code::IndirectResellerCannotTransact
    );
    let helpdesk = Viewer { roles: vec![Role::HelpdeskAgent], ..partner(PartnerProgram::CspDirect) };
    assert_eq!(code(&helpdesk, true), Code::Forbidden);
    let operator = Viewer {
        organization_kind: OrganizationKind::Operator,
        partner_program: None,
        roles: vec![Role::OperatorAdmin],
        ..partner(PartnerProgram::CspDirect)
    };
    assert!(ensure_may_order(&operator, false).is_ok());
    let customer = Viewer {
        organization_kind: OrganizationKind::Customer,
        partner_program: None,
        roles: vec![Role::GlobalAdmin],
        ..partner(PartnerProgram::CspDirect)
    };
    assert_eq!(code(&customer, false), Code::Forbidden);
}

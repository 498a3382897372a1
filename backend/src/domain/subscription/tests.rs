//! Unit tests of [`super::decide`]: who may do what to a subscription.

use super::*;
use crate::domain::{OrganizationKind, TokenKind};

const CUSTOMER: Uuid = Uuid::from_u128(1);
const DIRECT: Uuid = Uuid::from_u128(2);
const OTHER: Uuid = Uuid::from_u128(3);

fn partner(id: Uuid, roles: &[Role]) -> Viewer {
    Viewer {
        user_id: Uuid::nil(),
        organization_id: id,
        organization_kind: OrganizationKind::Partner,
        partner_program: Some(PartnerProgram::CspDirect),
        roles: roles.to_vec(),
        token_id: Uuid::nil(),
        token_kind: TokenKind::Session,
        read_only: false,
        token_expires_at: None,
        enrol_only: false,
    }
}

fn sub(channel: PurchaseChannel, por: Option<Uuid>) -> SubscriptionFacts {
    SubscriptionFacts {
        customer_id: CUSTOMER,
        service_id: Uuid::from_u128(10),
        status: SubscriptionStatus::Active,
        purchase_channel: channel,
        partner_of_record_id: por,
        indirect_reseller_id: None,
        provisioning_partner_id: None,
        support_partner_id: None,
        quantity: 10,
        assigned_seats: 4,
        suspended_at: None,
        commitment_end: chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(),
        lapsed_on: None,
    }
}

fn standing(roles: &[DelegatedRole]) -> ViewerStanding {
    ViewerStanding {
        delegated_roles: roles.to_vec(),
        partner_program: Some(PartnerProgram::CspDirect),
        has_reseller_relationship: true,
    }
}

#[test]
fn stages_default_to_the_channel_and_follow_overrides() {
    let mut s = sub(PurchaseChannel::OnlineDirect, None);
    assert_eq!(s.service_partner(LifecycleStage::Sales), None);
    s.provisioning_partner_id = Some(OTHER);
    assert_eq!(s.service_partner(LifecycleStage::Provisioning), Some(OTHER));
    assert_eq!(s.service_partner(LifecycleStage::Renewal), None);
    assert!(s.is_stage_delegated(LifecycleStage::Provisioning));
    assert!(!s.is_stage_delegated(LifecycleStage::Support));
}

#[test]
fn partner_of_record_transacts_others_do_not() {
    let s = sub(PurchaseChannel::CspDirect, Some(DIRECT));
    let own = partner(DIRECT, &[Role::SalesAgent]);
    assert!(decide(&own, &standing(&[]), &s, SubscriptionAction::ChangeQuantity).is_ok());
    let other = partner(OTHER, &[Role::AdminAgent]);
    let err =
        decide(&other, &standing(&[DelegatedRole::Provisioning]), &s, SubscriptionAction::ChangeQuantity)
            .unwrap_err();
    assert_eq!(err.code, Code::NotPartnerOfRecord);
}

#[test]
fn delegated_provisioning_assigns_seats_within_quantity() {
    let mut s = sub(PurchaseChannel::OnlineDirect, None);
    let other = partner(OTHER, &[Role::AdminAgent]);
    let err = decide(&other, &standing(&[DelegatedRole::Support]), &s, SubscriptionAction::AssignSeats)
        .unwrap_err();
    assert_eq!(err.code, Code::DelegatedRoleRequired);
    let prov = standing(&[DelegatedRole::Provisioning]);
    assert!(decide(&other, &prov, &s, SubscriptionAction::AssignSeats).is_ok());
    s.assigned_seats = s.quantity;
    assert_eq!(
        decide(&other, &prov, &s, SubscriptionAction::AssignSeats).unwrap_err().code,
        Code::NoSeatsAvailable
    );
}

#[test]
fn suspended_subscriptions_show_their_deletion_date_and_only_reactivate() {
    let mut s = sub(PurchaseChannel::CspDirect, Some(DIRECT));
    s.status = SubscriptionStatus::Suspended;
    let at = DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z").unwrap().to_utc();
    s.suspended_at = Some(at);
    assert_eq!(s.data_deletion_date(), Some(at + Duration::days(60)));
    let own = partner(DIRECT, &[Role::AdminAgent]);
    assert!(decide(&own, &standing(&[]), &s, SubscriptionAction::Reactivate).is_ok());
    assert_eq!(
        decide(&own, &standing(&[]), &s, SubscriptionAction::Suspend).unwrap_err().code,
        Code::InvalidStateTransition
    );
}

#[test]
fn helpdesk_of_the_partner_of_record_is_refused_by_role() {
    let s = sub(PurchaseChannel::CspDirect, Some(DIRECT));
    let helpdesk = partner(DIRECT, &[Role::HelpdeskAgent]);
    assert_eq!(
        decide(&helpdesk, &standing(&[]), &s, SubscriptionAction::Cancel).unwrap_err().code,
        Code::Forbidden
    );
    assert!(decide(&helpdesk, &standing(&[]), &s, SubscriptionAction::OpenSupportRequest).is_ok());
}

//! Unit tests of the delegated admin rules: durations, parsing, transitions and auto-extension.

use super::*;
use crate::domain::OrganizationKind;

#[test]
fn durations() {
    assert_eq!(RelationshipDuration::parse("P1D").unwrap().days, 1);
    assert_eq!(RelationshipDuration::parse("p2y").unwrap().days, 730);
    assert_eq!(RelationshipDuration::parse("P1Y6M").unwrap().days, 545);
    assert_eq!(RelationshipDuration::parse("P2W").unwrap().days, 14);
    for bad in ["", "P", "P0D", "P731D", "P3Y", "1D", "PT1H", "P1D2Y", "PXD", "P1"] {
        assert!(RelationshipDuration::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn auto_extend_never_with_global_admin() {
    assert_eq!(parse_auto_extend("P180D", &[DelegatedRole::Support]).unwrap(), "P180D");
    assert!(parse_auto_extend("P180D", &[DelegatedRole::GlobalAdmin]).is_err());
    assert!(parse_auto_extend("P90D", &[]).is_err());
}

fn at(days: i64) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z").unwrap().to_utc() + Duration::days(days)
}

fn stored(status: S) -> Stored {
    Stored {
        status,
        partner_id: Uuid::from_u128(1),
        customer_id: Uuid::from_u128(2),
        auto_extend: "P0D".into(),
        approval_requested_at: Some(at(0)),
        created_at: at(0),
        ends_at: Some(at(100)),
    }
}

#[test]
fn time_expires_and_auto_extends() {
    let mut r = stored(S::Active);
    assert_eq!(r.status_at(at(99)), S::Active);
    assert!(r.expires_soon(at(71)) && !r.expires_soon(at(69)));
    assert_eq!(r.status_at(at(100)), S::Expired);
    r.auto_extend = "P180D".into();
    assert_eq!(r.status_at(at(400)), S::Active);
    assert_eq!(r.ends_at(at(400)), Some(at(460)));
    let pending = stored(S::ApprovalPending);
    assert_eq!(pending.status_at(at(89)), S::ApprovalPending);
    assert_eq!(pending.status_at(at(90)), S::Expired);
}

#[test]
fn expiry_notices_at_30_7_and_1_days_each_once() {
    let end = at(100);
    assert_eq!(expiry_notice_due(end, at(69), None), None);
    assert_eq!(expiry_notice_due(end, at(70), None), Some(30));
    assert_eq!(expiry_notice_due(end, at(80), Some(30)), None);
    assert_eq!(expiry_notice_due(end, at(93), Some(30)), Some(7));
    assert_eq!(expiry_notice_due(end, at(99), None), Some(1));
    assert_eq!(expiry_notice_due(end, at(99), Some(1)), None);
    assert_eq!(expiry_notice_due(end, at(100), None), None);
    assert_eq!(extended_end(end, at(100)), at(280));
}

fn viewer(kind: OrganizationKind, org: u128, role: Role) -> Viewer {
    Viewer::for_test(kind, org, None, &[role])
}

#[test]
fn every_transition_from_every_state() {
    let partner = viewer(OrganizationKind::Partner, 1, Role::AdminAgent);
    let customer = viewer(OrganizationKind::Customer, 2, Role::GlobalAdmin);
    use Transition as T;
    let allowed: &[(T, S, bool, S)] = &[
        (T::Update, S::Created, true, S::Created),
        (T::Delete, S::Created, true, S::Created),
        (T::RequestApproval, S::Created, true, S::ApprovalPending),
        (T::Approve, S::ApprovalPending, false, S::Active),
        (T::Reject, S::ApprovalPending, false, S::Rejected),
        (T::Reject, S::ConsentPending, true, S::Rejected),
        (T::Consent, S::ConsentPending, true, S::Active),
        (T::Terminate, S::Active, true, S::Terminated),
        (T::Terminate, S::Active, false, S::Terminated),
        (T::Terminate, S::ApprovalPending, true, S::Terminated),
        (T::Terminate, S::ApprovalPending, false, S::Terminated),
        (T::Terminate, S::ConsentPending, true, S::Terminated),
        (T::Terminate, S::ConsentPending, false, S::Terminated),
        (T::SetAutoExtend, S::Active, true, S::Active),
        (T::SetAutoExtend, S::Created, true, S::Created),
    ];
    let all_t = [
        T::Update,
        T::Delete,
        T::RequestApproval,
        T::Approve,
        T::Reject,
        T::Consent,
        T::Terminate,
        T::SetAutoExtend,
    ];
    let all_s = [
        S::Created,
        S::ApprovalPending,
        S::ConsentPending,
        S::Active,
        S::Expired,
        S::Terminated,
        S::Rejected,
    ];
    for t in all_t {
        for s in all_s {
            for by_partner in [true, false] {
                let mut r = stored(s);
                if s == S::Expired {
                    r.status = S::Active;
                    r.ends_at = Some(at(-1));
                }
                let v = if by_partner { &partner } else { &customer };
                let got = decide(v, &r, t, at(1));
                match allowed.iter().find(|(at_, as_, ap, _)| *at_ == t && *as_ == s && *ap == by_partner) {
                    Some((_, _, _, next)) => assert_eq!(got.unwrap(), *next, "{t:?} from {s:?}"),
                    None => {
                        let code = got.unwrap_err().code();
                        assert!(
                            matches!(code, Code::Forbidden | Code::InvalidStateTransition),
                            "{t:?} from {s:?}: {code:?}"
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn auto_extension_toggles_but_never_on_with_global_admin() {
    let partner = viewer(OrganizationKind::Partner, 1, Role::AdminAgent);
    let r = stored(S::Active);
    assert_eq!(toggled_auto_extend(&r.auto_extend), "P180D");
    let to = toggled_auto_extend(&r.auto_extend);
    assert_eq!(decide_auto_extend(&partner, &r, &[DelegatedRole::Support], to, at(1)).unwrap(), "P180D");
    let err = decide_auto_extend(&partner, &r, &[DelegatedRole::GlobalAdmin], to, at(1)).unwrap_err();
    assert_eq!(err.code(), Code::BadUserInput);
    let customer = viewer(OrganizationKind::Customer, 2, Role::GlobalAdmin);
    let err = decide_auto_extend(&customer, &r, &[DelegatedRole::Support], to, at(1)).unwrap_err();
    assert_eq!(err.code(), Code::Forbidden);
}

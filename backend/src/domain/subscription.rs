//! Subscriptions: who serves each lifecycle stage, and what each party may do to one.
//! `viewerCan` in the API and the mutations both ask [`decide`], so they cannot disagree.

use super::error::{Code, Refusal};
use super::{
    DelegatedRole, LifecycleStage, PartnerProgram, PurchaseChannel, Role, SubscriptionStatus, Viewer,
};
use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

/// Days between suspension and deletion of a subscription's data.
pub const DATA_RETENTION_DAYS: i64 = 60;

/// What the rules need to know about one subscription.
#[derive(Debug, Clone)]
pub struct SubscriptionFacts {
    pub customer_id: Uuid,
    pub service_id: Uuid,
    pub status: SubscriptionStatus,
    pub purchase_channel: PurchaseChannel,
    pub partner_of_record_id: Option<Uuid>,
    pub indirect_reseller_id: Option<Uuid>,
    /// Provisioning and support overrides that are in force (the holder's delegated role is active).
    pub provisioning_partner_id: Option<Uuid>,
    pub support_partner_id: Option<Uuid>,
    pub quantity: i32,
    pub assigned_seats: i32,
    pub suspended_at: Option<DateTime<Utc>>,
    /// The end of the term in force (after any renewal due by now).
    pub commitment_end: chrono::NaiveDate,
    /// When a term that did not renew started its 60 days before deletion, if not at its end
    /// (it was reactivated after the end, or had ended before renewals were tracked).
    pub lapsed_on: Option<chrono::NaiveDate>,
}

/// The roles of a partner's users for each kind of work on a subscription, decided once.
/// Commercial changes (quantity, renewal, suspension, cancellation) and seats are sales work:
/// admin and sales agents, whether the partner transacts or provisions by delegation. Support
/// is helpdesk work: admin and helpdesk agents.
pub const COMMERCIAL_ROLES: &[Role] = &[Role::AdminAgent, Role::SalesAgent];
pub const SEAT_ROLES: &[Role] = &[Role::AdminAgent, Role::SalesAgent];
pub const SUPPORT_ROLES: &[Role] = &[Role::AdminAgent, Role::HelpdeskAgent];

impl SubscriptionFacts {
    /// The partner serving a stage; `None` means the operator.
    pub fn service_partner(&self, stage: LifecycleStage) -> Option<Uuid> {
        match stage {
            LifecycleStage::Sales | LifecycleStage::Renewal => self.partner_of_record_id,
            LifecycleStage::Provisioning => self.provisioning_partner_id.or(self.partner_of_record_id),
            LifecycleStage::Support => self.support_partner_id.or(self.partner_of_record_id),
        }
    }

    /// Whether a stage is served by someone other than the channel's default (the multi-channel case).
    pub fn is_stage_delegated(&self, stage: LifecycleStage) -> bool {
        self.service_partner(stage) != self.partner_of_record_id
    }

    /// When the data goes: 60 days after suspension, or after the end of a term that did not renew.
    pub fn data_deletion_date(&self) -> Option<DateTime<Utc>> {
        match self.status {
            SubscriptionStatus::Suspended => {
                self.suspended_at.map(|at| at + Duration::days(DATA_RETENTION_DAYS))
            }
            SubscriptionStatus::Expired => {
                let from = self.lapsed_on.unwrap_or(self.commitment_end);
                Some(from.and_time(chrono::NaiveTime::MIN).and_utc() + Duration::days(DATA_RETENTION_DAYS))
            }
            _ => None,
        }
    }
}

/// The things a party may try to do to a subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SubscriptionAction {
    ChangeQuantity,
    SetAutoRenew,
    Suspend,
    Reactivate,
    Cancel,
    AssignSeats,
    UnassignSeats,
    OpenSupportRequest,
    AssignServicePartner,
    Renew,
}

impl SubscriptionAction {
    pub const ALL: &'static [SubscriptionAction] = &[
        SubscriptionAction::ChangeQuantity,
        SubscriptionAction::SetAutoRenew,
        SubscriptionAction::Suspend,
        SubscriptionAction::Reactivate,
        SubscriptionAction::Cancel,
        SubscriptionAction::AssignSeats,
        SubscriptionAction::UnassignSeats,
        SubscriptionAction::OpenSupportRequest,
        SubscriptionAction::AssignServicePartner,
        SubscriptionAction::Renew,
    ];

    fn is_commercial(self) -> bool {
        matches!(
            self,
            SubscriptionAction::ChangeQuantity
                | SubscriptionAction::SetAutoRenew
                | SubscriptionAction::Suspend
                | SubscriptionAction::Reactivate
                | SubscriptionAction::Cancel
                | SubscriptionAction::Renew
        )
    }
}

/// The viewer's standing on one subscription, beyond the subscription itself.
#[derive(Debug, Clone, Default)]
pub struct ViewerStanding {
    /// Delegated roles the viewer's organization holds, now, for this customer and service.
    pub delegated_roles: Vec<DelegatedRole>,
    /// The viewer's partner program when it is a partner.
    pub partner_program: Option<PartnerProgram>,
    /// The viewer's partner has an active reseller relationship with the customer (read under a
    /// share lock by writes, so a concurrent removal waits or is seen).
    pub has_reseller_relationship: bool,
}

fn refuse(code: Code, message: impl Into<String>) -> Result<(), Refusal> {
    Err(Refusal::new(code, message))
}

/// Whether `viewer` may do `action` to the subscription, and if not, why.
/// The order of checks is the order a user would want to be told: write access, the
/// subscription's state, then the viewer's relation to it, then its role.
pub fn decide(
    viewer: &Viewer,
    standing: &ViewerStanding,
    sub: &SubscriptionFacts,
    action: SubscriptionAction,
) -> Result<(), Refusal> {
    use SubscriptionAction as A;
    use SubscriptionStatus as S;

    if viewer.read_only {
        return refuse(Code::Forbidden, "this API token is read-only");
    }
    if sub.status == S::Deleted {
        return refuse(Code::SubscriptionNotActive, "the subscription is deleted");
    }
    let state_ok = match action {
        A::Reactivate => sub.status == S::Suspended,
        A::Renew => sub.status == S::Expired,
        A::Cancel => matches!(sub.status, S::Active | S::Suspended | S::Pending),
        A::OpenSupportRequest => matches!(sub.status, S::Active | S::Suspended | S::Pending),
        _ => sub.status == S::Active,
    };
    if !state_ok {
        let code = match action {
            A::Suspend | A::Reactivate | A::Cancel | A::Renew => Code::InvalidStateTransition,
            _ => Code::SubscriptionNotActive,
        };
        return Err(Refusal {
            code,
            message: format!("not possible while the subscription is {}", sub.status),
            details: Some(serde_json::json!({ "state": sub.status.as_str() })),
        });
    }

    let own_partner = viewer.partner_id();
    let is_partner_of_record = own_partner.is_some() && own_partner == sub.partner_of_record_id;
    let operator_owns = viewer.is_operator() && sub.purchase_channel == PurchaseChannel::OnlineDirect;
    let holds = |roles: &[DelegatedRole]| roles.iter().any(|r| standing.delegated_roles.contains(r));

    if action.is_commercial() {
        if operator_owns {
            return Ok(());
        }
        if !is_partner_of_record {
            return refuse(
                Code::NotPartnerOfRecord,
                "only the partner of record (or the operator, for online direct) changes this",
            );
        }
        match standing.partner_program {
            Some(PartnerProgram::Advisor) => {
                return refuse(Code::AdvisorNotInCsp, "an Advisor must join CSP to transact");
            }
            // Also a former Advisor that joined as a reseller: it now sells through a provider.
            Some(PartnerProgram::CspIndirectReseller) => {
                return refuse(
                    Code::IndirectResellerCannotTransact,
                    "an indirect reseller transacts through its indirect provider",
                );
            }
            _ => {}
        }
        if !standing.has_reseller_relationship {
            return refuse(
                Code::NoResellerRelationship,
                "you need an active reseller relationship with this customer to change its subscriptions",
            );
        }
        return require_roles(viewer, COMMERCIAL_ROLES);
    }

    match action {
        A::AssignSeats | A::UnassignSeats => {
            let (enough, code, msg) = if action == A::AssignSeats {
                (sub.assigned_seats < sub.quantity, Code::NoSeatsAvailable, "every seat is already assigned")
            } else {
                (sub.assigned_seats > 0, Code::NoAssignedSeats, "no seat is assigned")
            };
            if operator_owns {
                return if enough { Ok(()) } else { refuse(code, msg) };
            }
            let of_record = is_partner_of_record && standing.has_reseller_relationship;
            if of_record || (own_partner.is_some() && holds(roles_serving(LifecycleStage::Provisioning))) {
                require_roles(viewer, SEAT_ROLES)?;
            } else {
                return refuse(
                    Code::DelegatedRoleRequired,
                    "assigning seats needs delegated PROVISIONING for this service",
                );
            }
            if enough { Ok(()) } else { refuse(code, msg) }
        }
        A::OpenSupportRequest => {
            if viewer.customer_id() == Some(sub.customer_id) {
                return require_roles(viewer, &[Role::GlobalAdmin]);
            }
            let serves_support =
                own_partner.is_some() && own_partner == sub.service_partner(LifecycleStage::Support);
            if serves_support || (own_partner.is_some() && holds(roles_serving(LifecycleStage::Support))) {
                return require_roles(viewer, SUPPORT_ROLES);
            }
            refuse(
                Code::DelegatedRoleRequired,
                "opening a support request needs delegated SUPPORT for this service",
            )
        }
        A::AssignServicePartner => {
            if viewer.customer_id() == Some(sub.customer_id) && viewer.has_role(Role::GlobalAdmin) {
                Ok(())
            } else {
                refuse(
                    Code::CustomerGlobalAdminRequired,
                    "only the customer's global admin chooses its service partners",
                )
            }
        }
        _ => unreachable!("commercial actions are decided above"),
    }
}

fn require_roles(viewer: &Viewer, roles: &[Role]) -> Result<(), Refusal> {
    if viewer.has_any_role(roles) {
        return Ok(());
    }
    let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
    refuse(Code::Forbidden, format!("this needs the role {}", names.join(" or ")))
}

#[cfg(test)]
mod tests {
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
}

/// Who transacts a new order, through which channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderChannel {
    pub channel: PurchaseChannel,
    pub partner_of_record_id: Option<Uuid>,
    pub indirect_reseller_id: Option<Uuid>,
}

/// What an order needs to know about the viewer's ties to the customer and reseller.
#[derive(Debug, Clone, Copy, Default)]
pub struct OrderTies {
    /// The viewer's partner has an active reseller relationship with the customer.
    pub has_relationship: bool,
    /// The named reseller is in an active partnership with the viewer's partner.
    pub reseller_partnered: bool,
    /// The named reseller works with the customer (an active reseller relationship or
    /// delegated rights in force): a subscription is tagged only with such a reseller.
    pub reseller_serves_customer: bool,
}

/// Whether the viewer may order a subscription for a customer at all: the operator's admin
/// (online direct), or an admin or sales agent of a CSP direct partner or indirect provider with
/// an active reseller relationship with the customer. Advisors are legacy (never newly ordered)
/// and indirect resellers order through their provider. `Customer.viewerCan.orderSubscription`
/// shows this; [`order_channel`] starts with it.
pub fn ensure_may_order(viewer: &Viewer, has_relationship: bool) -> Result<(), Refusal> {
    if viewer.read_only {
        return Err(Refusal::new(Code::Forbidden, "this API token is read-only"));
    }
    if viewer.is_operator() {
        return require_roles(viewer, &[Role::OperatorAdmin]);
    }
    let (Some(_), Some(program)) = (viewer.partner_id(), viewer.partner_program) else {
        return Err(Refusal::new(Code::Forbidden, "customers order through a partner or online"));
    };
    require_roles(viewer, &[Role::AdminAgent, Role::SalesAgent])?;
    match program {
        PartnerProgram::Advisor => {
            return Err(Refusal::new(Code::AdvisorNotInCsp, "an Advisor must join CSP to sell"));
        }
        PartnerProgram::CspIndirectReseller => {
            return Err(Refusal::new(
                Code::IndirectResellerCannotTransact,
                "an indirect reseller orders through its indirect provider",
            ));
        }
        PartnerProgram::CspDirect | PartnerProgram::CspIndirectProvider => {}
    }
    if !has_relationship {
        return Err(Refusal::new(
            Code::NoResellerRelationship,
            "you need an active reseller relationship with this customer (send it an invitation)",
        ));
    }
    Ok(())
}

/// The channel of a new subscription, decided by who orders it: the operator sells online
/// direct, a CSP direct partner sells direct, an indirect provider sells through one of its
/// resellers, which must be partnered with it and work with the customer.
pub fn order_channel(
    viewer: &Viewer,
    reseller: Option<Uuid>,
    ties: OrderTies,
) -> Result<OrderChannel, Refusal> {
    ensure_may_order(viewer, ties.has_relationship)?;
    let (Some(partner), Some(program)) = (viewer.partner_id(), viewer.partner_program) else {
        if reseller.is_some() {
            return Err(Refusal::new(Code::BadUserInput, "online direct orders name no reseller"));
        }
        return Ok(OrderChannel {
            channel: PurchaseChannel::OnlineDirect,
            partner_of_record_id: None,
            indirect_reseller_id: None,
        });
    };
    let channel = match program {
        PartnerProgram::CspIndirectProvider => {
            if reseller.is_none() {
                return Err(Refusal::new(
                    Code::BadUserInput,
                    "an indirect order names the reseller it is for",
                ));
            }
            if !ties.reseller_partnered {
                return Err(Refusal::new(
                    Code::ResellerNotPartnered,
                    "that reseller is not in an active partnership with you",
                ));
            }
            if !ties.reseller_serves_customer {
                return Err(Refusal::new(
                    Code::NoResellerRelationship,
                    "that reseller has no tie to this customer (no reseller relationship, no delegated rights)",
                ));
            }
            PurchaseChannel::CspIndirect
        }
        _ => {
            if reseller.is_some() {
                return Err(Refusal::new(Code::BadUserInput, "only an indirect provider names a reseller"));
            }
            PurchaseChannel::CspDirect
        }
    };
    Ok(OrderChannel { channel, partner_of_record_id: Some(partner), indirect_reseller_id: reseller })
}

/// The delegated roles that let a partner serve a stage.
pub fn roles_serving(stage: LifecycleStage) -> &'static [DelegatedRole] {
    match stage {
        LifecycleStage::Provisioning => &[DelegatedRole::Provisioning, DelegatedRole::GlobalAdmin],
        LifecycleStage::Support => &[DelegatedRole::Support],
        LifecycleStage::Sales | LifecycleStage::Renewal => &[],
    }
}

#[cfg(test)]
mod order_tests {
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
        }
    }

    #[test]
    fn each_program_orders_through_its_channel() {
        let ties =
            OrderTies { has_relationship: true, reseller_partnered: true, reseller_serves_customer: true };
        let direct = order_channel(&partner(PartnerProgram::CspDirect), None, ties).unwrap();
        assert_eq!(direct.channel, PurchaseChannel::CspDirect);
        let r = Some(Uuid::from_u128(9));
        let indirect = order_channel(&partner(PartnerProgram::CspIndirectProvider), r, ties).unwrap();
        assert_eq!((indirect.channel, indirect.indirect_reseller_id), (PurchaseChannel::CspIndirect, r));
        let code = |p, r, t| order_channel(&partner(p), r, t).unwrap_err().code;
        assert_eq!(
            code(PartnerProgram::CspIndirectReseller, None, ties),
            Code::IndirectResellerCannotTransact
        );
        assert_eq!(code(PartnerProgram::Advisor, None, ties), Code::AdvisorNotInCsp);
        let unpartnered =
            OrderTies { has_relationship: true, reseller_partnered: false, reseller_serves_customer: true };
        assert_eq!(code(PartnerProgram::CspIndirectProvider, r, unpartnered), Code::ResellerNotPartnered);
        assert_eq!(code(PartnerProgram::CspDirect, None, OrderTies::default()), Code::NoResellerRelationship);
    }
}

//! Subscriptions: who serves each lifecycle stage, and what each party may do to one.
//! `viewerCan` in the API and the mutations both ask [`decide`], so they cannot disagree.

#[cfg(test)]
mod order_tests;
mod ordering;
#[cfg(test)]
mod tests;

pub use ordering::*;

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
            message: format!("not possible while the subscription is {}", sub.status.words()),
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
                let what = if action == A::AssignSeats { "assigning" } else { "unassigning" };
                return refuse(
                    Code::DelegatedRoleRequired,
                    format!("{what} seats needs delegated provisioning rights for this service"),
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
                "opening a support request needs delegated support rights for this service",
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
    let names: Vec<String> = roles.iter().map(|r| r.words()).collect();
    refuse(Code::Forbidden, format!("this needs the {} role", names.join(" or ")))
}

/// The delegated roles that let a partner serve a stage.
pub fn roles_serving(stage: LifecycleStage) -> &'static [DelegatedRole] {
    match stage {
        LifecycleStage::Provisioning => &[DelegatedRole::Provisioning, DelegatedRole::GlobalAdmin],
        LifecycleStage::Support => &[DelegatedRole::Support],
        LifecycleStage::Sales | LifecycleStage::Renewal => &[],
    }
}

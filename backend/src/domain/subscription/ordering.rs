//! Ordering a new subscription: whether the viewer may order at all, and who transacts the order through which channel.

use super::require_roles;
use crate::domain::error::{Code, Refusal};
use crate::domain::{PartnerProgram, PurchaseChannel, Role, Viewer};
use uuid::Uuid;

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

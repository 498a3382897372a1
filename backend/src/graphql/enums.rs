//! GraphQL mirrors of the domain's vocabularies (the domain does not depend on async-graphql;
//! `remote` makes the compiler check that both lists agree).

use crate::domain;
use async_graphql::Enum;

/// The kind of an organization.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::OrganizationKind")]
pub enum OrganizationKind {
    /// The platform operator (21Vianet).
    Operator,
    /// A partner in a partner program.
    Partner,
    /// A customer tenant.
    Customer,
}

/// A partner program.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::PartnerProgram")]
pub enum PartnerProgram {
    /// Buys from the operator and sells to customers.
    CspDirect,
    /// A distributor that transacts for its indirect resellers.
    CspIndirectProvider,
    /// Sells through an indirect provider; cannot create invitations or customers itself.
    CspIndirectReseller,
    /// The legacy referral program, closed to new members.
    Advisor,
}

/// A user's role.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::Role")]
pub enum Role {
    /// Operator: everything the operator may do.
    OperatorAdmin,
    /// Partner: everything the partner may do.
    AdminAgent,
    /// Partner: customers, invitations and orders.
    SalesAgent,
    /// Partner: support, and reading.
    HelpdeskAgent,
    /// Customer: accepts invitations, grants and removes delegated rights and relationships.
    GlobalAdmin,
    /// Customer: reads subscriptions.
    BillingAdmin,
    /// Customer: reads its organization's basics.
    User,
}

/// How a subscription was bought.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::PurchaseChannel")]
pub enum PurchaseChannel {
    /// Bought online from the operator; no partner of record.
    OnlineDirect,
    /// Bought from an Advisor (legacy; imported).
    Advisor,
    /// Bought from a CSP direct partner.
    CspDirect,
    /// Bought from an indirect provider through its reseller.
    CspIndirect,
}

/// A subscription's status.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::SubscriptionStatus")]
pub enum SubscriptionStatus {
    /// Ordered, not yet provisioned.
    Pending,
    /// In use.
    Active,
    /// Suspended; its data is deleted 60 days after suspension unless reactivated.
    Suspended,
    /// Its term ended without auto-renew: read-only; its data is deleted 60 days after the end
    /// unless the partner of record renews it.
    Expired,
    /// Cancelled or past its data-deletion date.
    Deleted,
}

/// How often a subscription is billed.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::BillingCycle")]
pub enum BillingCycle {
    /// Every month.
    Monthly,
    /// Every year.
    Annual,
    /// Not billed per cycle (usage).
    None,
}

/// A subscription's term, as an ISO-8601 duration.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::TermDuration")]
pub enum TermDuration {
    /// One month.
    #[graphql(name = "P1M")]
    P1M,
    /// One year.
    #[graphql(name = "P1Y")]
    P1Y,
    /// Three years.
    #[graphql(name = "P3Y")]
    P3Y,
}

/// How an offer is billed.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::BillingModel")]
pub enum BillingModel {
    /// Per licence (seat).
    License,
    /// Per use.
    Usage,
}

/// A stage in a subscription's life, each with its service partner.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::LifecycleStage")]
pub enum LifecycleStage {
    /// Selling: always the channel (partner of record, or the operator).
    Sales,
    /// Provisioning: the partner of record unless the customer handed it to a delegated partner.
    Provisioning,
    /// Support: the partner of record unless the customer handed it to a delegated partner.
    Support,
    /// Renewal: always the channel.
    Renewal,
}

/// A role a customer delegates to a partner.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::DelegatedRole")]
pub enum DelegatedRole {
    /// Full administration of the covered services.
    GlobalAdmin,
    /// Provisioning: assigning and unassigning seats.
    Provisioning,
    /// Opening and working support requests.
    Support,
}

/// The kind of a customer's reseller relationship with a partner.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::RelationshipKind")]
pub enum RelationshipKind {
    /// With a CSP direct partner.
    Direct,
    /// With an indirect provider (the transacting partner).
    IndirectProvider,
    /// With an indirect reseller, through its provider.
    IndirectReseller,
}

/// Kinds of bearer token.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::TokenKind")]
pub enum TokenKind {
    /// From signIn; expires.
    Session,
    /// For third parties; named, optionally read-only and expiring.
    Api,
}

/// A delegated admin relationship's status.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::DelegatedAdminStatus")]
pub enum DelegatedAdminStatus {
    /// The partner's draft: editable, deletable.
    Created,
    /// Locked, waiting for the customer's approval (expires after 90 days).
    ApprovalPending,
    /// Granted by the customer, waiting for the partner's consent.
    ConsentPending,
    /// In force until it ends.
    Active,
    /// Ended by time (or its approval window passed).
    Expired,
    /// Ended by either side.
    Terminated,
    /// Refused.
    Rejected,
}

/// How a delegated admin relationship came about.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::DelegatedAdminOrigin")]
pub enum DelegatedAdminOrigin {
    /// Asked for in an accepted invitation.
    Invitation,
    /// Requested by the partner and approved by the customer.
    PartnerRequest,
    /// Granted by the customer and consented to by the partner.
    CustomerGrant,
}

/// The language of an invitation's ready-made email.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::InvitationLanguage")]
pub enum InvitationLanguage {
    /// English.
    En,
    /// Simplified Chinese.
    ZhCn,
}

/// Who an invitation is for.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum InvitationAudience {
    /// One reusable link; every acceptance is recorded.
    AnyCustomer,
    /// One named customer; single use.
    Customer,
}

/// The status of a provider–reseller partnership.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::PartnershipStatus")]
pub enum PartnershipStatus {
    /// A link the reseller has not accepted yet, still working.
    Pending,
    /// Accepted: the reseller sells through the provider.
    Active,
    /// Removed by either side.
    Removed,
    /// A link nobody accepted before it expired.
    Expired,
}

/// Which way a list runs.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug, Default)]
pub enum OrderDirection {
    /// Smallest (or earliest, or A) first.
    #[default]
    Asc,
    /// Largest (or latest, or Z) first.
    Desc,
}

impl OrderDirection {
    pub fn descending(self) -> bool {
        self == OrderDirection::Desc
    }
}

/// What a bulk operation does for each customer.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::BulkKind")]
pub enum BulkKind {
    /// Ask each customer for delegated admin rights (a request awaiting its approval).
    DelegatedAdminRequest,
    /// Send each customer an invitation (a reseller relationship request).
    Invitation,
    /// End the viewer's active delegated admin relationships with each customer.
    TerminateDelegatedAdmin,
    /// Turn auto-extension on or off on the viewer's active relationships with each customer.
    SetAutoExtend,
}

/// Where one customer's item of a bulk operation stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::BulkItemStatus")]
pub enum BulkItemStatus {
    /// Not done yet.
    Pending,
    /// Done: `result` is what it created or changed.
    Succeeded,
    /// Refused: `code` and `reason` say why (the single mutation's code).
    Failed,
    /// Nothing to do (nothing left to change, or the operation was cancelled).
    Skipped,
}

/// Where a bulk operation stands, from its items.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::BulkStatus")]
pub enum BulkStatus {
    /// Items are still pending.
    Running,
    /// Every item succeeded or had nothing to do.
    Succeeded,
    /// Some items failed, some succeeded.
    PartiallyFailed,
    /// No item succeeded and some failed.
    Failed,
    /// Cancelled: its pending items were skipped.
    Cancelled,
}
